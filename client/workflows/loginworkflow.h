#pragma once
#include <QObject>
#include <QTimer>
#include "client/scanning/scanrouter.h"
#include "client/storage/records.h"

class OperatorRepository;
class Session;

// Login on the terminal, fully offline: scan a badge, enter the PIN (verified against the
// Argon2id hash pulled from the server), work; after `idleTimeout` without activity the session
// locks and the same PIN (or another badge) unlocks it. Five wrong PINs send the operator back
// to the badge step for `lockoutMs`. PINs are never stored or logged. Owned by the composition root.
class LoginWorkflow final : public QObject, public ScanConsumer
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(LoginWorkflow)
public:
    enum class Step { ScanBadge, EnterPin, LoggedIn };
    Q_ENUM(Step)

    LoginWorkflow(OperatorRepository &operators, Session &session, QObject *parent = nullptr);

    Step step() const { return m_step; }
    QString pendingOperatorName() const { return m_pending.name; }
    void setIdleTimeout(int milliseconds);
    void setLockoutMs(int milliseconds) { m_lockoutMs = milliseconds; }

    void handleScan(const ClassifiedScan &scan) override;
    // Typed badge (no scanner at hand); same rules as a scan.
    void enterBadge(const QString &badge);
    // Returns true when the PIN matched and the session is open.
    bool submitPin(const QString &pin);
    void cancel();
    void logOut();
    // Any operator input: restarts the idle timer.
    void noteActivity();

Q_SIGNALS:
    void stepChanged(LoginWorkflow::Step step);
    void accepted(const QString &message);
    void refused(const QString &message);

private:
    void setStep(Step step);
    void lockForIdle();

    OperatorRepository &m_operators;
    Session &m_session;
    Step m_step = Step::ScanBadge;
    OperatorRecord m_pending;
    int m_failures = 0;
    int m_lockoutMs = 30000;
    qint64 m_lockedUntil = 0;        // ms since epoch
    QTimer m_idleTimer;
};
