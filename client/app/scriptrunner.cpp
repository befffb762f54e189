#include "client/app/scriptrunner.h"

#include <QApplication>
#include <QFile>
#include <QKeyEvent>
#include <QMetaEnum>
#include <QTimer>
#include <QWidget>

#include <cstdio>

#include "client/app/mainwindow.h"
#include "client/app/terminal.h"
#include "client/scanning/imagescansource.h"
#include "client/scanning/scriptscansource.h"
#include "client/storage/orderrepository.h"
#include "client/storage/outboxrepository.h"
#include "client/sync/syncclient.h"
#include "client/views/loginpage.h"
#include "client/workflows/loginworkflow.h"
#include "client/workflows/pickingworkflow.h"

namespace {

constexpr qint64 s_maxScriptBytes = 1024 * 1024;
constexpr int s_maxLines = 10000;
constexpr int s_syncTimeoutMs = 120000;

QString unescape(QString text)
{
    text.replace(QLatin1String("\\x1d"), QString(QChar(0x1d)));
    text.replace(QLatin1String("\\t"), QStringLiteral("\t"));
    return text;
}

std::optional<MainWindow::Page> pageFromName(const QString &name)
{
    const QMetaEnum pages = QMetaEnum::fromType<MainWindow::Page>();
    for (int i = 0; i < pages.keyCount(); ++i) {
        if (name.compare(QLatin1String(pages.key(i)), Qt::CaseInsensitive) == 0)
            return MainWindow::Page(pages.value(i));
    }
    return std::nullopt;
}

Common::Result<void> failure(const QString &message)
{
    return Common::fail(Common::ErrorCode::InvalidInput, message.toStdString());
}

} // namespace

ScriptRunner::ScriptRunner(Terminal &terminal, QObject *parent)
    : QObject(parent)
    , m_terminal(terminal)
{
}

Common::Result<void> ScriptRunner::load(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly | QIODevice::Text))
        return Common::fail(Common::ErrorCode::Io, "cannot read script " + path.toStdString());
    if (file.size() > s_maxScriptBytes)
        return Common::fail(Common::ErrorCode::TooLarge, "script is larger than 1 MiB");
    m_lines = QString::fromUtf8(file.readAll()).split(QLatin1Char('\n'));
    if (m_lines.size() > s_maxLines)
        return Common::fail(Common::ErrorCode::TooLarge, "script has more than 10000 lines");
    m_next = 0;
    return {};
}

void ScriptRunner::start()
{
    QTimer::singleShot(0, this, &ScriptRunner::step);
}

void ScriptRunner::step()
{
    while (m_next < m_lines.size()) {
        m_currentLine = m_next + 1;
        const QString line = m_lines.at(m_next++).trimmed();
        if (line.isEmpty() || line.startsWith(QLatin1Char('#')))
            continue;
        const qsizetype space = line.indexOf(QLatin1Char(' '));
        const QString command = space < 0 ? line : line.left(space);
        const QString argument = space < 0 ? QString() : line.mid(space + 1).trimmed();
        // The enrollment code is a secret: it is not echoed.
        std::fprintf(stderr, "script %d: %s\n", m_currentLine,
                     command == QLatin1String("enroll") ? "enroll ********" : qPrintable(line));
        if (command == QLatin1String("quit")) {
            Q_EMIT finished(0);
            return;
        }
        if (command == QLatin1String("interactive")) {
            m_stopped = true; // the window stays open for the user; the app ends when it is closed
            return;
        }
        if (command == QLatin1String("wait")) {
            QTimer::singleShot(qBound(0, argument.toInt(), 60000), this, &ScriptRunner::step);
            return;
        }
        m_asyncCommand = false;
        auto done = execute(command, argument);
        if (m_asyncCommand && done)
            return; // resume() continues the run when the answer arrives
        if (m_asyncCommand)
            ++m_waitToken; // failed before waiting: forget the wait
        resume(done);
        return;
    }
    Q_EMIT finished(0);
}

void ScriptRunner::resume(const Common::Result<void> &outcome)
{
    if (!outcome) {
        std::fprintf(stderr, "script line %d failed: %s\n", m_currentLine, outcome.error().message.c_str());
        Q_EMIT finished(1);
        return;
    }
    // Let the window repaint between commands, as it would between real scans.
    QTimer::singleShot(0, this, &ScriptRunner::step);
}

int ScriptRunner::beginWait(const QString &timeoutMessage)
{
    m_asyncCommand = true;
    const int token = ++m_waitToken;
    QTimer::singleShot(s_syncTimeoutMs, this, [this, token, timeoutMessage] {
        if (endWait(token))
            resume(failure(timeoutMessage));
    });
    return token;
}

bool ScriptRunner::endWait(int token)
{
    // One answer per wait: the awaited signal or the timeout, whichever comes first.
    if (token != m_waitToken)
        return false;
    ++m_waitToken;
    return true;
}

void ScriptRunner::waitForSync(bool mustSucceed, int roundsLeft)
{
    SyncClient *sync = m_terminal.sync();
    const int token = beginWait(QStringLiteral("no sync round finished within %1 s").arg(s_syncTimeoutMs / 1000));
    connect(sync, &SyncClient::roundFinished, this, [this, sync, token, mustSucceed, roundsLeft](bool ok) {
        if (!endWait(token))
            return;
        // A round woken while this one ran (new ops, an enrollment) is the one that counts.
        if (sync->isBusy() && roundsLeft > 0)
            return waitForSync(mustSucceed, roundsLeft - 1);
        if (!ok && mustSucceed)
            return resume(failure(QStringLiteral("sync failed: ") + sync->lastErrorText()));
        resume({});
    }, Qt::SingleShotConnection);
}

void ScriptRunner::typeIntoFocus(const QString &text)
{
    QWidget *target = QApplication::focusWidget();
    if (!target)
        target = &m_terminal.window();
    // Key codes as a US-layout scanner produces them: Qt::Key values equal upper-case ASCII.
    auto type = [target](int key, const QString &keyText) {
        QKeyEvent press(QEvent::KeyPress, key, Qt::NoModifier, keyText);
        QApplication::sendEvent(target, &press);
        QKeyEvent release(QEvent::KeyRelease, key, Qt::NoModifier, keyText);
        QApplication::sendEvent(target, &release);
    };
    for (const QChar character : text) {
        const char16_t code = character.unicode();
        const int key = code < 0x20 ? 0 : int(QChar(code).toUpper().unicode());
        type(key, QString(character));
    }
    type(Qt::Key_Return, QStringLiteral("\r"));
}

Common::Result<void> ScriptRunner::execute(const QString &command, const QString &argument)
{
    MainWindow &window = m_terminal.window();
    if (command == QLatin1String("scan")) {
        const QStringList parts = argument.split(QLatin1String(" | "));
        m_terminal.scriptSource().inject(unescape(parts.value(0)), parts.value(1));
        return {};
    }
    if (command == QLatin1String("wedge")) {
        typeIntoFocus(unescape(argument));
        return {};
    }
    if (command == QLatin1String("echo")) {
        std::fprintf(stdout, "%s\n", qPrintable(argument));
        std::fflush(stdout);
        return {};
    }
    if (command == QLatin1String("enroll")) {
        SyncClient *sync = m_terminal.sync();
        if (!sync)
            return failure(QStringLiteral("sync is switched off (--no-sync)"));
        const int token = beginWait(QStringLiteral("no enrollment answer"));
        connect(sync, &SyncClient::enrollmentFinished, this, [this, token](bool ok, const QString &message) {
            if (!endWait(token))
                return;
            if (!ok)
                return resume(failure(QStringLiteral("enrollment failed: ") + message));
            // Enrollment starts the first sync round; the run continues once it is over.
            waitForSync(true, 3);
        }, Qt::SingleShotConnection);
        m_terminal.enrollWithCode(argument);
        return {};
    }
    if (command == QLatin1String("sync") || command == QLatin1String("sync-try")) {
        if (!m_terminal.sync())
            return {};
        if (!m_terminal.sync()->isEnrolled())
            return command == QLatin1String("sync") ? failure(QStringLiteral("this terminal is not enrolled"))
                                                    : Common::Result<void>();
        const bool running = m_terminal.sync()->isBusy();
        waitForSync(command == QLatin1String("sync"), running ? 3 : 1);
        m_terminal.sync()->syncNow();
        return {};
    }
    if (command == QLatin1String("expect-sync")) {
        const SyncClient *sync = m_terminal.sync();
        const bool online = sync && sync->state() == SyncClient::State::Idle;
        if (argument != (online ? QLatin1String("online") : QLatin1String("offline")))
            return failure(QStringLiteral("sync is %1, expected %2")
                               .arg(online ? QStringLiteral("online") : QStringLiteral("offline"), argument));
        return {};
    }
    if (command == QLatin1String("expect-picked")) {
        const QStringList parts = argument.split(QLatin1Char(' '), Qt::SkipEmptyParts);
        auto order = m_terminal.orders().findByNumber(parts.value(0));
        if (!order)
            return failure(QStringLiteral("unknown order ") + parts.value(0));
        auto lines = m_terminal.orders().pickList(order->id);
        if (!lines)
            return tl::unexpected(lines.error());
        for (const OrderLineRecord &line : std::as_const(*lines)) {
            if (line.lineNumber == parts.value(1).toInt()) {
                if (line.picked != parts.value(2).toLongLong())
                    return failure(QStringLiteral("%1 line %2 has %3 picked, expected %4")
                                       .arg(parts.value(0), parts.value(1))
                                       .arg(line.picked)
                                       .arg(parts.value(2)));
                return {};
            }
        }
        return failure(QStringLiteral("%1 has no line %2").arg(parts.value(0), parts.value(1)));
    }
    if (command == QLatin1String("badge")) {
        m_terminal.login().enterBadge(argument);
        return {};
    }
    if (command == QLatin1String("pin")) {
        window.loginPage()->submitPin(argument);
        return {};
    }
    if (command == QLatin1String("page")) {
        const auto page = pageFromName(argument);
        if (!page)
            return failure(QStringLiteral("unknown page ") + argument);
        window.showPage(*page);
        return {};
    }
    if (command == QLatin1String("open")) {
        auto order = m_terminal.orders().findByNumber(argument);
        if (!order)
            return failure(QStringLiteral("unknown order ") + argument);
        if (!window.openOrder(order->id))
            return failure(QStringLiteral("cannot open order ") + argument);
        return {};
    }
    if (command == QLatin1String("quantity")) {
        m_terminal.picking().setQuantity(argument.toLongLong());
        return {};
    }
    if (command == QLatin1String("confirm")) {
        m_terminal.picking().confirm();
        return {};
    }
    if (command == QLatin1String("short")) {
        m_terminal.picking().shortPick(argument);
        return {};
    }
    if (command == QLatin1String("image")) {
        auto scanned = m_terminal.imageSource().scanFile(argument);
        if (!scanned)
            return tl::unexpected(scanned.error());
        return {};
    }
    if (command == QLatin1String("screenshot")) {
        if (!window.grab().save(argument, "PNG"))
            return failure(QStringLiteral("cannot write ") + argument);
        return {};
    }
    if (command == QLatin1String("expect-page")) {
        const auto page = pageFromName(argument);
        if (!page || *page != window.page())
            return failure(QStringLiteral("expected page %1, on %2")
                               .arg(argument, QLatin1String(QMetaEnum::fromType<MainWindow::Page>().valueToKey(
                                                  int(window.page())))));
        return {};
    }
    if (command == QLatin1String("expect-state")) {
        const QStringList parts = argument.split(QLatin1Char(' '), Qt::SkipEmptyParts);
        auto order = m_terminal.orders().findByNumber(parts.value(0));
        if (!order || order->state != parts.value(1))
            return failure(QStringLiteral("order %1 is %2, expected %3")
                               .arg(parts.value(0), order ? order->state : QStringLiteral("unknown"), parts.value(1)));
        return {};
    }
    if (command == QLatin1String("expect-pending")) {
        const int pending = m_terminal.outbox().pendingCount();
        if (pending != argument.toInt())
            return failure(QStringLiteral("%1 ops pending, expected %2").arg(pending).arg(argument));
        return {};
    }
    return failure(QStringLiteral("unknown command ") + command);
}
