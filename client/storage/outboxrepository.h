#pragma once
#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include "client/storage/records.h"
#include "common/support/result.h"

class LocalDatabase;
class TransactionGuard;

// The sync outbox (DESIGN.md "Outbox"). append() is called in the same transaction as the local
// change it describes; seq comes from a counter in sync_state bumped in that transaction, so
// seqs are gapless per device incarnation even when acked rows are pruned.
class OutboxRepository final
{
public:
    explicit OutboxRepository(LocalDatabase &database) : m_database(database) {}

    // Where an op's created_at comes from: the device's clock, UTC. It is informational only
    // (DESIGN.md "Time": order comes from seq, the server stamps authoritative times). Tests
    // replace it to run terminals hours ahead or behind; nullptr restores the system clock.
    using Clock = QDateTime (*)();
    static void setClock(Clock clock);

    // Appends one op with a fresh UUID and the next seq. Errors: Storage.
    Common::Result<OutboxEntry> append(TransactionGuard &transaction, const QString &type,
                                       const QJsonObject &payload, const QString &operatorId);
    // Same with the payload already encoded (common/protocol encodePayload()).
    Common::Result<OutboxEntry> append(TransactionGuard &transaction, const QString &type,
                                       const QByteArray &payloadJson, const QString &operatorId);
    // Pending ops of the current incarnation in seq order, at most `maxCount` ops and about
    // `maxBytes` of payload (always at least one op so a big op is never stuck).
    Common::Result<QList<OutboxEntry>> nextBatch(int maxCount, qint64 maxBytes) const;
    // Pending ops with seq >= `fromSeq` (resend after a gap answer).
    Common::Result<QList<OutboxEntry>> pendingFrom(qint64 fromSeq, int maxCount, qint64 maxBytes) const;
    // Records the server's result for one op (acked/conflict/rejected, with its reason).
    Common::Result<void> setResult(TransactionGuard &transaction, const QString &opId, OutboxState state,
                                   const QString &reason);
    // Marks every pending op with seq <= `lastApplied` as acked (the server already has them).
    Common::Result<void> ackThrough(TransactionGuard &transaction, qint64 lastApplied);
    // Fork or epoch change: starts incarnation +1 and renumbers the unacked ops 1..n in their
    // original order (op ids unchanged, so the server applies each exactly once). Returns n.
    // `incarnation` is the server's new number (0 = current + 1).
    Common::Result<int> startNewIncarnation(TransactionGuard &transaction, qint64 incarnation = 0);
    // Epoch change: every op the server may have lost (acked ones too) becomes pending again.
    Common::Result<void> requeueAll(TransactionGuard &transaction);
    // Gap / epoch answer: acked ops of this incarnation above `lastApplied` become pending again
    // (the server does not have them); results the server stored stay.
    Common::Result<void> requeueAfter(TransactionGuard &transaction, qint64 lastApplied);

    int pendingCount() const;
    // Ops the server answered with conflict or rejected, newest first (the status page).
    Common::Result<QList<OutboxEntry>> problems() const;
    Common::Result<QList<OutboxEntry>> all() const;

private:
    Common::Result<QList<OutboxEntry>> select(const QString &where, const QVariantList &values, int maxCount,
                                              qint64 maxBytes) const;
    LocalDatabase &m_database;
};
