#pragma once
#include <QElapsedTimer>
#include <QHash>
#include <QList>
#include <QPointer>
#include <QTimer>
#include "client/scanning/scansource.h"

class QKeyEvent;

// Keyboard-wedge scanner input: an application event filter that recognises fast keystroke
// bursts (every gap ≤ maxKeyGap, at least minLength characters) ending in Enter or Tab, and
// emits them as one scan. Burst keys are swallowed so a scan never lands in a text field; keys
// that turn out to be human typing (a gap longer than maxKeyGap, a short burst) are replayed to
// the widget that had them, in order, so typing still works (delayed by at most maxKeyGap).
// GS (ASCII 29) and the configured substitute character (scanners often cannot send GS) both
// become GS in the scan text. Install with qApp->installEventFilter(source); owned by its parent.
class WedgeScanSource final : public ScanSource
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(WedgeScanSource)
public:
    struct Settings
    {
        int maxKeyGapMs = 40;        // scanners type 1–10 ms apart; people ≥ 60 ms
        int minLength = 4;
        QChar gsSubstitute;          // e.g. '~'; null = none
    };

    explicit WedgeScanSource(QObject *parent = nullptr);
    WedgeScanSource(const Settings &settings, QObject *parent);
    QString name() const override { return QStringLiteral("wedge"); }
    void setSettings(const Settings &settings) { m_settings = settings; }
    Settings settings() const { return m_settings; }

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    struct HeldKey
    {
        QPointer<QObject> target;
        int key = 0;
        Qt::KeyboardModifiers modifiers;
        QString text;
    };
    bool handleKeyPress(QObject *watched, QKeyEvent *event);
    void replayHeld();
    bool isTerminator(const QKeyEvent *event) const;

    Settings m_settings;
    QList<HeldKey> m_held;
    QElapsedTimer m_sinceLastKey;
    QTimer m_flushTimer;
    QHash<int, int> m_swallowReleases; // key → presses we swallowed whose release is still due
    bool m_replaying = false;
};
