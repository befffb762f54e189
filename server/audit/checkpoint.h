#pragma once
#include <chrono>
#include <cstdint>
#include <optional>
#include "common/support/result.h"
#include "server/audit/signingkey.h"
#include "server/audit/utctime.h"
#include "server/storage/store.h"

// Signed checkpoints of the audit trail (REQUIREMENTS.md §6 "Tamper evidence"): the head
// {seq, hash, ts} signed with the data folder's Ed25519 key, stored in audit_checkpoints and
// announced in chat ("Audit checkpoint K: seq S, hash <first 16 hex>") — the off-host copy that
// makes a rewrite of the database detectable. The server's AlertWorker calls checkpointIfDue
// every few seconds; `soko-server audit checkpoint` forces one.
namespace Server::Audit {

struct CheckpointPolicy
{
    std::int64_t everyEntries = 1000;         // unsigned entries that make a checkpoint due
    std::chrono::seconds maxUnsignedAge{300}; // the oldest unsigned entry may wait this long
};

enum class CheckpointMode { WhenDue, Now };

// In one transaction, under the chain lock (several servers: only one signs a given head):
// when entries exist after the last checkpoint and the mode is Now, or ≥ everyEntries of them,
// or the first of them is older than maxUnsignedAge at `now`: signs the head, stores the
// checkpoint (ts = `now`) and announces it. nullopt when nothing was due. Errors: Storage, Crypto.
Common::Result<std::optional<Storage::AuditCheckpointRecord>> checkpointIfDue(Storage::Store &store,
                                                                              const AuditSigningKey &key,
                                                                              const CheckpointPolicy &policy,
                                                                              TimePoint now, CheckpointMode mode);

} // namespace Server::Audit
