#include "client/storage/outboxrepository.h"

#include <atomic>

#include <QDateTime>
#include <QJsonDocument>
#include <QSqlQuery>
#include <QUuid>

#include "client/storage/localdatabase.h"
#include "client/storage/sqlsupport.h"
#include "client/storage/syncstaterepository.h"
#include "client/storage/transactionguard.h"

QString outboxStateName(OutboxState state)
{
    switch (state) {
    case OutboxState::Pending: return QStringLiteral("pending");
    case OutboxState::Acked: return QStringLiteral("acked");
    case OutboxState::Conflict: return QStringLiteral("conflict");
    case OutboxState::Rejected: return QStringLiteral("rejected");
    }
    return QStringLiteral("pending");
}

namespace {

OutboxState stateFromName(const QString &name)
{
    if (name == QLatin1String("acked"))
        return OutboxState::Acked;
    if (name == QLatin1String("conflict"))
        return OutboxState::Conflict;
    if (name == QLatin1String("rejected"))
        return OutboxState::Rejected;
    return OutboxState::Pending;
}

const QString s_columns = QStringLiteral("SELECT local_id, device_id, incarnation, seq, op_id, type, payload,"
                                         " operator_id, created_at, state, reason FROM outbox ");

// The device clock for created_at (setClock); nullptr = the system clock.
std::atomic<OutboxRepository::Clock> s_clock{nullptr};

} // namespace

void OutboxRepository::setClock(Clock clock)
{
    s_clock = clock;
}

Common::Result<OutboxEntry> OutboxRepository::append(TransactionGuard &transaction, const QString &type,
                                                     const QJsonObject &payload, const QString &operatorId)
{
    return append(transaction, type, QJsonDocument(payload).toJson(QJsonDocument::Compact), operatorId);
}

Common::Result<OutboxEntry> OutboxRepository::append(TransactionGuard &transaction, const QString &type,
                                                     const QByteArray &payloadJson, const QString &operatorId)
{
    Q_ASSERT(transaction.isActive());
    SyncStateRepository state(m_database);
    OutboxEntry entry;
    entry.deviceId = state.value(SyncStateRepository::DeviceId);
    entry.incarnation = state.integer(SyncStateRepository::Incarnation, 1);
    entry.seq = state.integer(SyncStateRepository::NextSeq, 1);
    if (entry.deviceId.isEmpty())
        return Common::fail(Common::ErrorCode::Internal, "device identity missing");
    entry.opId = QUuid::createUuid().toString(QUuid::WithoutBraces);
    entry.type = type;
    entry.payload = payloadJson;
    entry.operatorId = operatorId;
    const Clock clock = s_clock;
    entry.createdAt = (clock ? clock() : QDateTime::currentDateTimeUtc()).toUTC().toString(Qt::ISODateWithMs);
    QSqlQuery insert(m_database.database());
    insert.prepare(QStringLiteral("INSERT INTO outbox (device_id, incarnation, seq, op_id, type, payload, operator_id,"
                                  " created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"));
    for (const QVariant &value : {QVariant(entry.deviceId), QVariant(entry.incarnation), QVariant(entry.seq),
                                  QVariant(entry.opId), QVariant(entry.type),
                                  QVariant(QString::fromUtf8(entry.payload)), QVariant(entry.operatorId),
                                  QVariant(entry.createdAt)})
        insert.addBindValue(value);
    if (auto done = Storage::exec(insert, "append outbox op"); !done)
        return tl::unexpected(done.error());
    entry.localId = insert.lastInsertId().toLongLong();
    if (auto done = state.setValue(transaction, SyncStateRepository::NextSeq, QString::number(entry.seq + 1)); !done)
        return tl::unexpected(done.error());
    return entry;
}

Common::Result<QList<OutboxEntry>> OutboxRepository::select(const QString &where, const QVariantList &values,
                                                            int maxCount, qint64 maxBytes) const
{
    QSqlQuery query(m_database.database());
    query.setForwardOnly(true);
    query.prepare(s_columns + where);
    for (const QVariant &value : values)
        query.addBindValue(value);
    if (auto done = Storage::exec(query, "read outbox"); !done)
        return tl::unexpected(done.error());
    QList<OutboxEntry> entries;
    qint64 bytes = 0;
    while (query.next()) {
        OutboxEntry entry;
        entry.localId = query.value(0).toLongLong();
        entry.deviceId = query.value(1).toString();
        entry.incarnation = query.value(2).toLongLong();
        entry.seq = query.value(3).toLongLong();
        entry.opId = query.value(4).toString();
        entry.type = query.value(5).toString();
        entry.payload = query.value(6).toString().toUtf8();
        entry.operatorId = query.value(7).toString();
        entry.createdAt = query.value(8).toString();
        entry.state = stateFromName(query.value(9).toString());
        entry.reason = query.value(10).toString();
        bytes += entry.payload.size();
        if (!entries.isEmpty() && ((maxCount > 0 && entries.size() >= maxCount) || (maxBytes > 0 && bytes > maxBytes)))
            break;
        entries.append(entry);
    }
    return entries;
}

Common::Result<QList<OutboxEntry>> OutboxRepository::nextBatch(int maxCount, qint64 maxBytes) const
{
    return pendingFrom(1, maxCount, maxBytes);
}

Common::Result<QList<OutboxEntry>> OutboxRepository::pendingFrom(qint64 fromSeq, int maxCount, qint64 maxBytes) const
{
    SyncStateRepository state(m_database);
    return select(QStringLiteral("WHERE state = 'pending' AND incarnation = ? AND seq >= ? ORDER BY seq"),
                  {state.integer(SyncStateRepository::Incarnation, 1), fromSeq}, maxCount, maxBytes);
}

Common::Result<void> OutboxRepository::setResult(TransactionGuard &transaction, const QString &opId,
                                                 OutboxState newState, const QString &reason)
{
    Q_ASSERT(transaction.isActive());
    QSqlQuery update(m_database.database());
    update.prepare(QStringLiteral("UPDATE outbox SET state = ?, reason = ? WHERE op_id = ?"));
    update.addBindValue(outboxStateName(newState));
    update.addBindValue(reason);
    update.addBindValue(opId);
    if (auto done = Storage::exec(update, "set outbox result"); !done)
        return done;
    if (update.numRowsAffected() != 1)
        return Common::fail(Common::ErrorCode::NotFound, "result for an unknown op " + opId.toStdString());
    return {};
}

Common::Result<void> OutboxRepository::ackThrough(TransactionGuard &transaction, qint64 lastApplied)
{
    Q_ASSERT(transaction.isActive());
    SyncStateRepository state(m_database);
    QSqlQuery update(m_database.database());
    update.prepare(QStringLiteral("UPDATE outbox SET state = 'acked' WHERE state = 'pending' AND incarnation = ?"
                                  " AND seq <= ?"));
    update.addBindValue(state.integer(SyncStateRepository::Incarnation, 1));
    update.addBindValue(lastApplied);
    return Storage::exec(update, "ack outbox ops");
}

Common::Result<int> OutboxRepository::startNewIncarnation(TransactionGuard &transaction, qint64 newIncarnation)
{
    Q_ASSERT(transaction.isActive());
    SyncStateRepository state(m_database);
    const qint64 incarnation =
        newIncarnation > 0 ? newIncarnation : state.integer(SyncStateRepository::Incarnation, 1) + 1;
    const QSqlDatabase db = m_database.database();
    QSqlQuery pending(db);
    pending.prepare(QStringLiteral("SELECT local_id FROM outbox WHERE state = 'pending' ORDER BY incarnation, seq"));
    if (auto done = Storage::exec(pending, "list unacked ops"); !done)
        return tl::unexpected(done.error());
    QList<qint64> ids;
    while (pending.next())
        ids.append(pending.value(0).toLongLong());
    QSqlQuery renumber(db);
    renumber.prepare(QStringLiteral("UPDATE outbox SET incarnation = ?, seq = ? WHERE local_id = ?"));
    qint64 seq = 0;
    for (qint64 id : ids) {
        renumber.addBindValue(incarnation);
        renumber.addBindValue(++seq);
        renumber.addBindValue(id);
        if (auto done = Storage::exec(renumber, "renumber op"); !done)
            return tl::unexpected(done.error());
    }
    if (auto done = state.setValue(transaction, SyncStateRepository::Incarnation, QString::number(incarnation)); !done)
        return tl::unexpected(done.error());
    if (auto done = state.setValue(transaction, SyncStateRepository::NextSeq, QString::number(seq + 1)); !done)
        return tl::unexpected(done.error());
    return static_cast<int>(ids.size());
}

Common::Result<void> OutboxRepository::requeueAll(TransactionGuard &transaction)
{
    Q_ASSERT(transaction.isActive());
    return Storage::execSql(m_database.database(),
                            QStringLiteral("UPDATE outbox SET state = 'pending', reason = '' WHERE state = 'acked'"),
                            "requeue ops");
}

Common::Result<void> OutboxRepository::requeueAfter(TransactionGuard &transaction, qint64 lastApplied)
{
    Q_ASSERT(transaction.isActive());
    SyncStateRepository state(m_database);
    QSqlQuery update(m_database.database());
    update.prepare(QStringLiteral("UPDATE outbox SET state = 'pending', reason = '' WHERE state = 'acked'"
                                  " AND incarnation = ? AND seq > ?"));
    update.addBindValue(state.integer(SyncStateRepository::Incarnation, 1));
    update.addBindValue(lastApplied);
    return Storage::exec(update, "requeue ops");
}

int OutboxRepository::pendingCount() const
{
    QSqlQuery query(m_database.database());
    if (query.exec(QStringLiteral("SELECT count(*) FROM outbox WHERE state = 'pending'")) && query.next())
        return query.value(0).toInt();
    return 0;
}

Common::Result<QList<OutboxEntry>> OutboxRepository::problems() const
{
    return select(QStringLiteral("WHERE state IN ('conflict', 'rejected') ORDER BY local_id DESC"), {}, 0, 0);
}

Common::Result<QList<OutboxEntry>> OutboxRepository::all() const
{
    return select(QStringLiteral("ORDER BY local_id"), {}, 0, 0);
}
