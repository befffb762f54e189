#pragma once
#include <QObject>
#include <QString>

// Who is working on the terminal right now. Set by LoginWorkflow, read by every workflow that
// stamps ops with the operator id. Owned by the composition root.
class Session final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Session)
public:
    using QObject::QObject;

    bool isLoggedIn() const { return !m_operatorId.isEmpty() && !m_locked; }
    bool isLocked() const { return m_locked; }
    QString operatorId() const { return m_operatorId; }
    QString operatorName() const { return m_operatorName; }

    void logIn(const QString &operatorId, const QString &operatorName)
    {
        m_operatorId = operatorId;
        m_operatorName = operatorName;
        m_locked = false;
        Q_EMIT changed();
    }
    void lock()
    {
        if (m_operatorId.isEmpty() || m_locked)
            return;
        m_locked = true;
        Q_EMIT changed();
    }
    void logOut()
    {
        m_operatorId.clear();
        m_operatorName.clear();
        m_locked = false;
        Q_EMIT changed();
    }

Q_SIGNALS:
    void changed();

private:
    QString m_operatorId;
    QString m_operatorName;
    bool m_locked = false;
};
