// Fuzz target: the keyboard-wedge input assembler (client/scanning/wedgescansource.h) under a
// QApplication on the offscreen platform. Each input byte becomes one key press + release sent to
// a focus widget, the way a wedge scanner or a person types: '\r'/'\n' Enter, '\t' Tab, 0x1d GS,
// 0x08 Backspace, 0x01 Ctrl+A, 0x02 a lone Shift, 0x03 an auto-repeated 'x', other bytes the
// Latin-1 character (upper-case letters with Shift). Settings: minLength 4, '~' = GS, and a key
// gap of a minute so bursts never time out (the result does not depend on machine speed); an
// Escape at the end flushes what is still held. Invariants: nothing is lost or duplicated — the
// characters typed equal, in order, the scans' text and the characters the widget received
// ('~' read as GS); every Enter/Tab either ended a scan or reached the widget; every other
// non-character key reached the widget; each scan has ≥ 4 characters and no '~'.
#include <cstddef>
#include <cstdint>

#include <QApplication>
#include <QKeyEvent>
#include <QString>
#include <QWidget>

#include "client/scanning/wedgescansource.h"
#include "tests/fuzz/fuzzcheck.h"

namespace {

constexpr QChar s_groupSeparator(0x1d);
constexpr QChar s_substitute(u'~');

// The focused input field: records every key press that reaches it.
class Sink final : public QWidget
{
public:
    QString *log = nullptr;  // printable text, in arrival order (shared with the scans)
    int terminators = 0;     // Enter/Tab presses received
    int otherKeys = 0;       // non-character presses received (Backspace, Ctrl+A, auto-repeat, Escape …)

protected:
    // event() rather than keyPressEvent(): QWidget::event() would take Tab for focus changes.
    bool event(QEvent *event) override
    {
        if (event->type() != QEvent::KeyPress)
            return QWidget::event(event);
        const auto *keyEvent = static_cast<QKeyEvent *>(event);
        const int key = keyEvent->key();
        const QString text = keyEvent->text();
        if (key == Qt::Key_Shift)
            return true; // modifiers alone pass through the wedge; not counted
        if (key == Qt::Key_Return || key == Qt::Key_Enter || key == Qt::Key_Tab)
            ++terminators;
        else if (text.isEmpty() || (text != QString(s_groupSeparator) && !text.at(0).isPrint()) ||
                 keyEvent->isAutoRepeat() || (keyEvent->modifiers() & Qt::ControlModifier))
            ++otherKeys;
        else
            log->append(text);
        return true;
    }
};

QApplication &application()
{
    static int argc = 1;
    static char name[] = "fuzz_wedge";
    static char *argv[] = {name, nullptr};
    // Never destroyed: QApplication's destructor at exit, after Qt's own statics, crashes.
    static QApplication *app = [] {
        qputenv("QT_QPA_PLATFORM", "offscreen");
        return new QApplication(argc, argv);
    }();
    return *app;
}

void press(QWidget *target, int key, Qt::KeyboardModifiers modifiers, const QString &text, bool autoRepeat = false)
{
    QKeyEvent down(QEvent::KeyPress, key, modifiers, text, autoRepeat);
    QApplication::sendEvent(target, &down);
    QKeyEvent up(QEvent::KeyRelease, key, modifiers, text, autoRepeat);
    QApplication::sendEvent(target, &up);
}

QString normalized(QString text)
{
    return text.replace(s_substitute, s_groupSeparator);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    application();
    WedgeScanSource::Settings settings;
    settings.maxKeyGapMs = 60'000;
    settings.minLength = 4;
    settings.gsSubstitute = s_substitute;
    WedgeScanSource source(settings, nullptr);
    QApplication::instance()->installEventFilter(&source);

    QString log;
    int scans = 0;
    Sink sink;
    sink.log = &log;
    QObject::connect(&source, &ScanSource::scanned, &sink, [&](const ScanEvent &event) {
        FUZZ_CHECK(event.text.size() >= 4, "scan shorter than minLength");
        FUZZ_CHECK(!event.text.contains(s_substitute), "GS substitute left in a scan");
        log.append(event.text);
        ++scans;
    });

    QString typed;
    int terminatorsSent = 0;
    int otherKeysSent = 0;
    for (std::size_t index = 0; index < size; ++index) {
        const auto byte = data[index];
        switch (byte) {
        case '\r':
        case '\n':
            press(&sink, Qt::Key_Return, Qt::NoModifier, QStringLiteral("\r"));
            ++terminatorsSent;
            break;
        case '\t':
            press(&sink, Qt::Key_Tab, Qt::NoModifier, QStringLiteral("\t"));
            ++terminatorsSent;
            break;
        case 0x08:
            press(&sink, Qt::Key_Backspace, Qt::NoModifier, QStringLiteral("\b"));
            ++otherKeysSent;
            break;
        case 0x01:
            press(&sink, Qt::Key_A, Qt::ControlModifier, QString(QChar(0x01)));
            ++otherKeysSent;
            break;
        case 0x02:
            press(&sink, Qt::Key_Shift, Qt::ShiftModifier, QString());
            break; // a modifier alone reaches the widget but is no key of ours to count
        case 0x03:
            press(&sink, Qt::Key_X, Qt::NoModifier, QStringLiteral("x"), true);
            ++otherKeysSent;
            break;
        default: {
            const QChar character(static_cast<char16_t>(byte));
            if (character != s_groupSeparator && !character.isPrint()) {
                press(&sink, Qt::Key_unknown, Qt::NoModifier, QString(character));
                ++otherKeysSent;
                break;
            }
            const bool upper = character.isUpper();
            const int key = byte < 0x80 ? character.toUpper().unicode() : int(Qt::Key_unknown);
            press(&sink, key == 0x1d ? int(Qt::Key_unknown) : key, upper ? Qt::ShiftModifier : Qt::NoModifier,
                  QString(character));
            typed.append(character);
        }
        }
    }
    press(&sink, Qt::Key_Escape, Qt::NoModifier, QStringLiteral("\x1b")); // flushes held keys
    ++otherKeysSent;

    FUZZ_CHECK(normalized(log) == normalized(typed), "characters lost, duplicated or reordered");
    FUZZ_CHECK(sink.terminators + scans == terminatorsSent, "an Enter/Tab was neither a scan end nor delivered");
    FUZZ_CHECK(sink.otherKeys == otherKeysSent, "a non-character key was swallowed");
    QApplication::instance()->removeEventFilter(&source);
    return 0;
}
