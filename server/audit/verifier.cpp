#include "server/audit/verifier.h"

#include "server/storage/auditchain.h"

namespace Server::Audit {

namespace {

constexpr int s_page = 1000;

VerifyReport failed(VerifyReport report, std::int64_t seq, std::string problem)
{
    report.ok = false;
    report.badSeq = seq;
    report.problem = std::move(problem);
    return report;
}

const AuditPublicKey *keyFor(const std::vector<AuditPublicKey> &keys, const std::string &keyId)
{
    for (const AuditPublicKey &key : keys)
        if (key.keyId() == keyId)
            return &key;
    return nullptr;
}

} // namespace

std::string VerifyReport::summary() const
{
    if (!ok)
        return problem;
    return "ok: " + std::to_string(entries) + " entries, last seq " + std::to_string(lastSeq) + ", " +
           std::to_string(checkpoints) + " checkpoints";
}

Common::Result<VerifyReport> verifyAuditTrail(Storage::Store &store, const std::vector<AuditPublicKey> &trustedKeys)
{
    VerifyReport report;
    std::vector<Storage::AuditCheckpointRecord> checkpoints;
    for (std::int64_t after = 0;;) {
        auto page = store.auditCheckpoints(after, s_page);
        if (!page)
            return tl::unexpected(page.error());
        if (page->empty())
            break;
        for (auto &checkpoint : *page) {
            after = checkpoint.id;
            checkpoints.push_back(std::move(checkpoint));
        }
    }
    report.checkpoints = static_cast<std::int64_t>(checkpoints.size());
    // Checkpoint rows are numbered 1, 2, 3 …; a gap means one was deleted.
    for (std::size_t i = 0; i < checkpoints.size(); ++i) {
        const auto expected = static_cast<std::int64_t>(i) + 1;
        if (checkpoints[i].id != expected)
            return failed(report, 0, "missing checkpoint " + std::to_string(expected));
        if (i > 0 && checkpoints[i].seq < checkpoints[i - 1].seq)
            return failed(report, checkpoints[i].seq,
                          "checkpoint " + std::to_string(checkpoints[i].id) + " out of order");
    }

    std::size_t nextCheckpoint = 0;
    std::string previous(Storage::auditGenesisHash);
    std::int64_t expected = 1;
    for (std::int64_t after = 0;;) {
        auto page = store.audit(after, s_page);
        if (!page)
            return tl::unexpected(page.error());
        if (page->empty())
            break;
        for (const Storage::AuditRecord &entry : *page) {
            after = entry.id;
            if (entry.id != expected)
                return failed(report, expected, "missing seq " + std::to_string(expected));
            const std::string seq = std::to_string(entry.id);
            if (entry.prevHash != previous)
                return failed(report, entry.id, "tampered: seq " + seq + " (prev_hash mismatch)");
            auto computed = Storage::auditEntryHash(previous, entry);
            if (!computed)
                return failed(report, entry.id, "tampered: seq " + seq + " (details are not a JSON object)");
            if (*computed != entry.hash)
                return failed(report, entry.id, "tampered: seq " + seq + " (hash mismatch)");
            while (nextCheckpoint < checkpoints.size() && checkpoints[nextCheckpoint].seq == entry.id) {
                const Storage::AuditCheckpointRecord &checkpoint = checkpoints[nextCheckpoint];
                const std::string number = std::to_string(checkpoint.id);
                const AuditPublicKey *key = keyFor(trustedKeys, checkpoint.keyId);
                if (!key)
                    return failed(report, entry.id,
                                  "checkpoint " + number + " signature invalid (signed by key " + checkpoint.keyId +
                                      ", which is not trusted here)");
                if (!key->verify(Storage::auditCheckpointMessage(checkpoint.seq, checkpoint.hash, checkpoint.at),
                                 checkpoint.signature))
                    return failed(report, entry.id, "checkpoint " + number + " signature invalid");
                if (checkpoint.hash != *computed)
                    return failed(report, entry.id,
                                  "tampered: seq " + seq + " (checkpoint " + number + " hash mismatch)");
                ++nextCheckpoint;
            }
            if (nextCheckpoint < checkpoints.size() && checkpoints[nextCheckpoint].seq < entry.id)
                return failed(report, checkpoints[nextCheckpoint].seq,
                              "checkpoint " + std::to_string(checkpoints[nextCheckpoint].id) + " names seq " +
                                  std::to_string(checkpoints[nextCheckpoint].seq) + ", which is not in the trail");
            previous = std::move(*computed);
            ++report.entries;
            report.lastSeq = entry.id;
            ++expected;
        }
    }
    // A checkpoint beyond the last entry: entries it signed were deleted from the end.
    if (nextCheckpoint < checkpoints.size())
        return failed(report, expected, "missing seq " + std::to_string(expected));
    report.ok = true;
    return report;
}

} // namespace Server::Audit
