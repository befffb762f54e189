#pragma once
#include <QObject>

class QSoundEffect;

// The two sounds a picker hears without looking: scan accepted / scan refused (our own short
// WAVs in resources/sounds). Uses Qt Multimedia when the build has it, else the system beep for
// refusals. Muted in scripted runs. Owned by the composition root.
class Feedback final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Feedback)
public:
    explicit Feedback(bool muted, QObject *parent = nullptr);

public Q_SLOTS:
    void accepted();
    void refused();

private:
    bool m_muted = false;
    QSoundEffect *m_accepted = nullptr;
    QSoundEffect *m_refused = nullptr;
};
