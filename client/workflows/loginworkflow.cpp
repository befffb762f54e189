#include "client/workflows/loginworkflow.h"

#include <QDateTime>

#include "client/storage/operatorrepository.h"
#include "client/workflows/session.h"

namespace {
constexpr int s_maxFailures = 5;
}

LoginWorkflow::LoginWorkflow(OperatorRepository &operators, Session &session, QObject *parent)
    : QObject(parent)
    , m_operators(operators)
    , m_session(session)
{
    m_idleTimer.setSingleShot(true);
    m_idleTimer.setInterval(5 * 60 * 1000);
    connect(&m_idleTimer, &QTimer::timeout, this, &LoginWorkflow::lockForIdle);
}

void LoginWorkflow::setIdleTimeout(int milliseconds)
{
    m_idleTimer.setInterval(milliseconds);
    if (m_step == Step::LoggedIn)
        m_idleTimer.start();
}

void LoginWorkflow::handleScan(const ClassifiedScan &scan)
{
    if (m_step == Step::LoggedIn) {
        noteActivity();
        return;
    }
    enterBadge(scan.code);
}

void LoginWorkflow::enterBadge(const QString &badge)
{
    if (QDateTime::currentMSecsSinceEpoch() < m_lockedUntil) {
        Q_EMIT refused(tr("Too many wrong PINs. Wait a moment and scan your badge again."));
        return;
    }
    auto found = m_operators.findByBadge(badge.trimmed());
    if (!found) {
        Q_EMIT refused(tr("Unknown badge. Scan your operator badge."));
        return;
    }
    m_pending = *found;
    Q_EMIT accepted(tr("Hello %1. Enter your PIN.").arg(m_pending.name));
    setStep(Step::EnterPin);
}

bool LoginWorkflow::submitPin(const QString &pin)
{
    if (m_step != Step::EnterPin) {
        Q_EMIT refused(tr("Scan your badge first."));
        return false;
    }
    if (!OperatorRepository::verifyPin(m_pending, pin)) {
        if (++m_failures >= s_maxFailures) {
            m_failures = 0;
            m_lockedUntil = QDateTime::currentMSecsSinceEpoch() + m_lockoutMs;
            m_pending = {};
            m_session.logOut();
            setStep(Step::ScanBadge);
            Q_EMIT refused(tr("Too many wrong PINs. Wait a moment and scan your badge again."));
        } else {
            Q_EMIT refused(tr("Wrong PIN. Try again."));
        }
        return false;
    }
    m_failures = 0;
    m_session.logIn(m_pending.id, m_pending.name);
    setStep(Step::LoggedIn);
    m_idleTimer.start();
    Q_EMIT accepted(tr("Logged in as %1.").arg(m_pending.name));
    return true;
}

void LoginWorkflow::cancel()
{
    if (m_session.isLocked())
        m_session.logOut();
    m_pending = {};
    setStep(m_session.isLoggedIn() ? Step::LoggedIn : Step::ScanBadge);
}

void LoginWorkflow::logOut()
{
    m_idleTimer.stop();
    m_pending = {};
    m_session.logOut();
    setStep(Step::ScanBadge);
}

void LoginWorkflow::noteActivity()
{
    if (m_step == Step::LoggedIn)
        m_idleTimer.start();
}

void LoginWorkflow::lockForIdle()
{
    if (m_step != Step::LoggedIn)
        return;
    // The same operator unlocks with the PIN; another badge may take over.
    auto current = m_operators.find(m_session.operatorId());
    m_pending = current ? *current : OperatorRecord{};
    m_session.lock();
    setStep(current ? Step::EnterPin : Step::ScanBadge);
}

void LoginWorkflow::setStep(Step step)
{
    if (m_step == step)
        return;
    m_step = step;
    Q_EMIT stepChanged(step);
}
