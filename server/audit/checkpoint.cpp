#include "server/audit/checkpoint.h"

#include "server/audit/announce.h"
#include "server/storage/auditchain.h"

namespace Server::Audit {

namespace {

using Result = Common::Result<std::optional<Storage::AuditCheckpointRecord>>;

Result checkpointLocked(Storage::Store &store, const AuditSigningKey &key, const CheckpointPolicy &policy,
                        TimePoint now, CheckpointMode mode)
{
    if (auto locked = store.lockAuditChain(); !locked)
        return tl::unexpected(locked.error());
    auto head = store.lastAudit();
    if (!head)
        return tl::unexpected(head.error());
    auto last = store.lastAuditCheckpoint();
    if (!last)
        return tl::unexpected(last.error());
    const std::int64_t signedThrough = *last ? (*last)->seq : 0;
    if (!*head || (*head)->id <= signedThrough)
        return std::optional<Storage::AuditCheckpointRecord>();
    bool due = mode == CheckpointMode::Now || (*head)->id - signedThrough >= policy.everyEntries;
    if (!due) {
        auto first = store.audit(signedThrough, 1);
        if (!first)
            return tl::unexpected(first.error());
        const auto firstAt = first->empty() ? std::nullopt : parseUtc(first->front().at);
        // An entry whose time cannot be read is signed now rather than never.
        due = !firstAt || now - *firstAt >= policy.maxUnsignedAge;
    }
    if (!due)
        return std::optional<Storage::AuditCheckpointRecord>();

    Storage::AuditCheckpointRecord checkpoint;
    checkpoint.seq = (*head)->id;
    checkpoint.hash = (*head)->hash;
    checkpoint.at = formatUtc(now);
    checkpoint.keyId = key.publicKey().keyId();
    auto signature = key.sign(Storage::auditCheckpointMessage(checkpoint.seq, checkpoint.hash, checkpoint.at));
    if (!signature)
        return tl::unexpected(signature.error());
    checkpoint.signature = std::move(*signature);
    auto id = store.appendAuditCheckpoint(checkpoint);
    if (!id)
        return tl::unexpected(id.error());
    checkpoint.id = *id;
    Announcement announcement{"audit_checkpoint", "Audit checkpoint " + std::to_string(checkpoint.id),
                              "seq " + std::to_string(checkpoint.seq) + ", hash " + checkpoint.hash.substr(0, 16) +
                                  ", " + checkpoint.at + ", key " + checkpoint.keyId};
    if (auto queued = announce(store, announcement); !queued)
        return tl::unexpected(queued.error());
    return std::optional<Storage::AuditCheckpointRecord>(std::move(checkpoint));
}

} // namespace

Result checkpointIfDue(Storage::Store &store, const AuditSigningKey &key, const CheckpointPolicy &policy, TimePoint now,
                       CheckpointMode mode)
{
    return Storage::retryTransient(store, [&]() -> Result {
        Storage::Transaction transaction(store);
        if (!transaction.started())
            return tl::unexpected(transaction.started().error());
        auto made = checkpointLocked(store, key, policy, now, mode);
        if (!made || !*made)
            return made; // rolled back by the Transaction
        if (auto committed = transaction.commit(); !committed)
            return tl::unexpected(committed.error());
        return made;
    });
}

} // namespace Server::Audit
