#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include "common/support/result.h"
#include "server/storage/records.h"

// The hash chain of the audit trail (REQUIREMENTS.md §6 "Tamper evidence"), shared by both stores
// (which compute it inside the appending transaction) and the verifier (server/audit).
//
//   hash_n = lower-hex( SHA-256( hash_{n-1} ‖ canonical_json(entry_n) ) )
//
// hash_{n-1} enters as its 64 lower-case hex ASCII characters; before seq 1 it is 64 "0"s.
// canonical_json(entry) is a JSON object with exactly the members actor, details, event,
// listener, outcome, request_id, role, seq, source_ip, target, ts — written as follows (so
// `printf '%s%s' "$prev" "$json" | sha256sum` reproduces a hash):
// - object members sorted by key, comparing the keys' UTF-8 bytes (memcmp order), at every
//   depth (details is embedded as a JSON object, itself canonical); arrays keep their order;
// - no whitespace anywhere;
// - strings as Boost.JSON 1.81 serialize() writes them: `"` and `\` escaped with a backslash,
//   \b \f \n \r \t, other bytes below 0x20 as \u00XX (lower-case hex), all other bytes verbatim
//   (no escaping of "/", non-ASCII UTF-8 as is);
// - seq and integers as decimal without leading zeros or "+"; other numbers as Boost.JSON writes
//   a double; true, false, null as such.
namespace Server::Storage {

inline constexpr std::string_view auditGenesisHash = "0000000000000000000000000000000000000000000000000000000000000000";
inline constexpr std::size_t maxAuditDetailsBytes = 64 * 1024;

// Canonical form of any JSON text as described above. Errors: InvalidInput (not JSON).
Common::Result<std::string> canonicalJson(std::string_view json);
// canonical_json(entry). Errors: InvalidInput (details is not a JSON object).
Common::Result<std::string> canonicalAuditJson(const AuditRecord &entry);
// hash_n for `entry` after `previousHash`. Errors: InvalidInput (details is not a JSON object).
Common::Result<std::string> auditEntryHash(std::string_view previousHash, const AuditRecord &entry);
// The bytes an audit checkpoint signature covers:
// canonical {"hash":…,"seq":…,"ts":…,"type":"soko.audit.checkpoint.v1"}.
std::string auditCheckpointMessage(std::int64_t seq, std::string_view hash, std::string_view at);

// What appendAudit stores for `record` (before seq/hash): defaults filled (records.h
// AuditRecord), details canonical, over-long text fields cut at a UTF-8 boundary.
// Errors: InvalidInput (details not a JSON object), TooLarge (details over 64 KiB).
Common::Result<AuditRecord> prepareAuditRecord(AuditRecord record, const std::string &now);

// Lower-case hex SHA-256 (OpenSSL EVP, FIPS 180-4).
std::string sha256HexOf(std::string_view data);

} // namespace Server::Storage
