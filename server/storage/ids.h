#pragma once
#include <cstddef>
#include <string>
#include <string_view>

// Random identifiers, secret digests and the server clock, on libsodium's CSPRNG and SHA-256.
namespace Server::Storage {

std::string randomUuid();                     // RFC 4122 v4, lower-case
std::string randomToken(std::size_t bytes);   // lower-case hex of `bytes` random bytes
std::string sha256Hex(std::string_view data); // lower-case hex SHA-256 (FIPS 180-4)
// Constant-time comparison of two equal-length strings (digests).
bool equalDigests(std::string_view left, std::string_view right);
// The system clock as ISO 8601 UTC with milliseconds: "2026-11-29T21:40:00.123Z".
std::string utcNowIso();

} // namespace Server::Storage
