#include "client/scanning/wedgescansource.h"

#include <QCoreApplication>
#include <QKeyEvent>

namespace {

constexpr QChar s_groupSeparator(0x1d);

bool isModifierKey(int key)
{
    return key == Qt::Key_Shift || key == Qt::Key_Control || key == Qt::Key_Alt || key == Qt::Key_Meta
        || key == Qt::Key_AltGr || key == Qt::Key_CapsLock;
}

} // namespace

WedgeScanSource::WedgeScanSource(QObject *parent)
    : WedgeScanSource(Settings{}, parent)
{
}

WedgeScanSource::WedgeScanSource(const Settings &settings, QObject *parent)
    : ScanSource(parent)
    , m_settings(settings)
{
    m_flushTimer.setSingleShot(true);
    // A pause longer than a scanner ever makes: what we held was a person typing.
    connect(&m_flushTimer, &QTimer::timeout, this, &WedgeScanSource::replayHeld);
}

bool WedgeScanSource::isTerminator(const QKeyEvent *event) const
{
    const int key = event->key();
    return key == Qt::Key_Return || key == Qt::Key_Enter || key == Qt::Key_Tab;
}

bool WedgeScanSource::eventFilter(QObject *watched, QEvent *event)
{
    // Key events reach the app filter once per receiver; only widgets matter (the QWindow
    // delivery comes first and forwards to the focus widget).
    if (m_replaying || !watched->isWidgetType())
        return false;
    if (event->type() == QEvent::KeyPress)
        return handleKeyPress(watched, static_cast<QKeyEvent *>(event));
    if (event->type() == QEvent::KeyRelease) {
        auto *key = static_cast<QKeyEvent *>(event);
        auto pending = m_swallowReleases.find(key->key());
        if (pending != m_swallowReleases.end() && !key->isAutoRepeat()) {
            if (--pending.value() <= 0)
                m_swallowReleases.erase(pending);
            return true;
        }
    }
    return false;
}

bool WedgeScanSource::handleKeyPress(QObject *watched, QKeyEvent *event)
{
    const int gap = m_settings.maxKeyGapMs;
    if (isModifierKey(event->key()))
        return false; // scanners press Shift for capitals; it neither starts nor breaks a burst
    if (event->isAutoRepeat() || (event->modifiers() & (Qt::ControlModifier | Qt::AltModifier | Qt::MetaModifier))) {
        replayHeld();
        return false;
    }
    const bool slow = !m_held.isEmpty() && m_sinceLastKey.elapsed() > gap;
    if (isTerminator(event)) {
        if (m_held.isEmpty())
            return false;
        if (slow || m_held.size() < m_settings.minLength) {
            replayHeld();
            return false;
        }
        QString text;
        for (const HeldKey &held : std::as_const(m_held))
            text += held.text;
        if (!m_settings.gsSubstitute.isNull())
            text.replace(m_settings.gsSubstitute, s_groupSeparator);
        m_held.clear();
        m_flushTimer.stop();
        m_swallowReleases[event->key()] += 1;
        Q_EMIT scanned(ScanEvent{text, QString(), ScanOrigin::Wedge});
        return true;
    }
    const QString text = event->text();
    const bool isGs = text == QString(s_groupSeparator);
    if (text.isEmpty() || (!isGs && !text.at(0).isPrint())) {
        replayHeld(); // arrows, Backspace, F-keys: a person is editing
        return false;
    }
    if (slow)
        replayHeld();
    m_held.append(HeldKey{QPointer<QObject>(watched), event->key(), event->modifiers(), text});
    m_swallowReleases[event->key()] += 1;
    m_sinceLastKey.start();
    m_flushTimer.start(gap);
    return true;
}

void WedgeScanSource::replayHeld()
{
    m_flushTimer.stop();
    if (m_held.isEmpty())
        return;
    const QList<HeldKey> held = std::exchange(m_held, {});
    m_replaying = true;
    for (const HeldKey &key : held) {
        if (!key.target)
            continue;
        QKeyEvent press(QEvent::KeyPress, key.key, key.modifiers, key.text);
        QCoreApplication::sendEvent(key.target, &press);
        if (!key.target)
            continue;
        QKeyEvent release(QEvent::KeyRelease, key.key, key.modifiers, key.text);
        QCoreApplication::sendEvent(key.target, &release);
    }
    m_replaying = false;
}
