#pragma once
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include "common/support/result.h"

// Random identifiers, secret digests and the server clock, on libsodium's CSPRNG and SHA-256.
namespace Server::Storage {

std::string randomUuid();                     // RFC 4122 v4, lower-case
std::string randomToken(std::size_t bytes);   // lower-case hex of `bytes` random bytes
std::string sha256Hex(std::string_view data); // lower-case hex SHA-256 (FIPS 180-4)
// Constant-time comparison of two equal-length strings (digests).
bool equalDigests(std::string_view left, std::string_view right);
// A time as ISO 8601 UTC with milliseconds: "2026-11-29T21:40:00.123Z" (the form every stored
// and logged time of the server takes; as text, earlier sorts first).
std::string isoTime(std::chrono::system_clock::time_point time);
// The system clock in isoTime's form.
std::string utcNowIso();
// `iso` (utcNowIso's form, or the same without milliseconds) moved by `seconds`, in utcNowIso's
// form; nullopt when `iso` is not such a time. For cut-offs: shiftIsoTime(now, -900).
std::optional<std::string> shiftIsoTime(std::string_view iso, std::int64_t seconds);
// `text` as a time the stores compare as text: utcNowIso's form (milliseconds added when
// missing), so "…:00Z" and "…:00.000Z" order correctly. Errors: InvalidInput.
Common::Result<std::string> checkedIsoTime(std::string_view text);

// `characters` random characters of the RFC 4648 §6 base32 alphabet (A-Z, 2-7), 5 bits each,
// from OpenSSL RAND_bytes (24 characters = 120 bits). Errors: Crypto (no entropy).
Common::Result<std::string> randomBase32(std::size_t characters);
// What the database keeps of a one-time setup password (R05): lower-case hex SHA-256 (OpenSSL
// EVP) of the password as typed with spaces and '-' removed and ASCII letters upper-cased, so
// "abcd efgh…" and "ABCDEFGH…" match. The admin pages hash what the user enters with this too.
std::string setupTokenDigest(std::string_view typed);

} // namespace Server::Storage
