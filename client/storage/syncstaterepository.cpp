#include "client/storage/syncstaterepository.h"

#include <QSqlQuery>
#include <QUuid>

#include "client/storage/localdatabase.h"
#include "client/storage/sqlsupport.h"
#include "client/storage/transactionguard.h"

QString SyncStateRepository::value(const char *key, const QString &fallback) const
{
    QSqlQuery query(m_database.database());
    query.prepare(QStringLiteral("SELECT value FROM sync_state WHERE key = ?"));
    query.addBindValue(QString::fromLatin1(key));
    if (query.exec() && query.next())
        return query.value(0).toString();
    return fallback;
}

qint64 SyncStateRepository::integer(const char *key, qint64 fallback) const
{
    bool ok = false;
    const qint64 number = value(key).toLongLong(&ok);
    return ok ? number : fallback;
}

Common::Result<void> SyncStateRepository::setValue(TransactionGuard &transaction, const char *key,
                                                   const QString &value)
{
    Q_ASSERT(transaction.isActive());
    QSqlQuery query(m_database.database());
    query.prepare(QStringLiteral("INSERT INTO sync_state (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE"
                                 " SET value = excluded.value"));
    query.addBindValue(QString::fromLatin1(key));
    query.addBindValue(value);
    return Storage::exec(query, "set sync state");
}

Common::Result<void> SyncStateRepository::ensureIdentity()
{
    if (!value(DeviceId).isEmpty())
        return {};
    TransactionGuard transaction(m_database);
    if (!transaction.isActive())
        return tl::unexpected(transaction.beginError());
    const QString deviceId = QUuid::createUuid().toString(QUuid::WithoutBraces);
    for (const auto &[key, text] : {std::pair{DeviceId, deviceId}, std::pair{Incarnation, QStringLiteral("1")},
                                    std::pair{NextSeq, QStringLiteral("1")}}) {
        if (auto done = setValue(transaction, key, text); !done)
            return done;
    }
    return transaction.commit();
}
