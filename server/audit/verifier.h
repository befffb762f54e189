#pragma once
#include <cstdint>
#include <string>
#include <vector>
#include "common/support/result.h"
#include "server/audit/signingkey.h"
#include "server/storage/store.h"

// `soko-server audit verify`: walks the whole audit trail in seq order, recomputing the hash
// chain (server/storage/auditchain.h) and checking every signed checkpoint where the walk passes
// its seq, and names the FIRST problem found:
//   "missing seq 17"                            a gap, or entries a checkpoint covered are gone
//   "tampered: seq 42 (prev_hash mismatch)"     the link to the previous entry was changed
//   "tampered: seq 42 (hash mismatch)"          the entry's content or hash was changed
//   "tampered: seq 42 (details are not a JSON object)"
//   "checkpoint 3 signature invalid"            forged or altered checkpoint (or an untrusted key)
//   "tampered: seq 3000 (checkpoint 3 hash mismatch)"  the chain was recomputed after an edit
//   "missing checkpoint 2"                      a checkpoint row was deleted
// What it cannot see: a rewrite of entries after the last checkpoint, or deleted newest
// checkpoints — the chat copies of the checkpoints (seq and hash prefix) cover that.
namespace Server::Audit {

struct VerifyReport
{
    bool ok = false;
    std::int64_t entries = 0;
    std::int64_t lastSeq = 0;
    std::int64_t checkpoints = 0;
    std::int64_t badSeq = 0; // the seq named in `problem`, 0 when none
    std::string problem;     // empty when ok
    // "ok: N entries, last seq S, K checkpoints", or the problem.
    std::string summary() const;
};

// Checkpoint signatures must verify with one of `trustedKeys` (matched by key id).
// Errors: Storage (reading failed; nothing is said about the trail then).
Common::Result<VerifyReport> verifyAuditTrail(Storage::Store &store, const std::vector<AuditPublicKey> &trustedKeys);

} // namespace Server::Audit
