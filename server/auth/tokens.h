#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/support/result.h"

// Opaque random tokens and the digests around them, all from OpenSSL (RAND_bytes, EVP): session and
// pre-auth tokens (REQUIREMENTS.md R15; ASVS 3.2.2), CSRF synchronizer tokens (R25; OWASP CSRF Cheat
// Sheet "HMAC based token") and MFA recovery codes (R11; ASVS 2.6.1–2.6.3). Text forms are
// base64url without padding (RFC 4648 §5), lower-case hex, or base32 (RFC 4648 §6).
namespace Server::Auth {

inline constexpr std::size_t kRecoveryCodeCount = 10;
inline constexpr std::size_t kRecoveryCodeCharacters = 24; // base32 characters = 120 bits
inline constexpr std::size_t kMinTokenBytes = 16;          // 128 bits (R15)
inline constexpr std::size_t kMaxTokenBytes = 1024;

// `bytes` (16..1024, else InvalidInput) from RAND_bytes as base64url without padding: 32 bytes → 43
// characters, 16 → 22. Crypto when the CSPRNG fails.
Common::Result<std::string> randomToken(std::size_t bytes = 32);

// RFC 4648 §5 base64url without '=' padding.
std::string base64UrlEncode(std::span<const std::uint8_t> bytes);

// SHA-256 (FIPS 180-4) of `data` as 64 lower-case hex digits, e.g. to store a token's digest.
// Crypto when OpenSSL fails.
Common::Result<std::string> sha256Hex(std::string_view data);

// HMAC-SHA-256 (RFC 2104) of `data` under `key` (non-empty, else InvalidInput). Crypto on failure.
Common::Result<std::array<std::uint8_t, 32>> hmacSha256(std::span<const std::uint8_t> key,
                                                        std::span<const std::uint8_t> data);

// The CSRF synchronizer token of a session: base64url(HMAC-SHA-256(key, "soko-csrf-v1|" ‖ sessionId)),
// 43 characters. `key` is a server secret of at least 32 bytes (else InvalidInput); `sessionId` the
// session's server-side identifier (non-empty). The token is stable for the session's lifetime.
Common::Result<std::string> csrfToken(std::span<const std::uint8_t> key, std::string_view sessionId);

// True when `token` equals csrfToken(key, sessionId), compared in constant time (CRYPTO_memcmp).
// False for any error, an empty or over-long token.
bool checkCsrfToken(std::span<const std::uint8_t> key, std::string_view sessionId, std::string_view token);

// kRecoveryCodeCount fresh recovery codes, each 15 random bytes as 24 base32 characters shown in
// groups of four: "ABCD-EFGH-IJKL-MNOP-QRST-UVWX". Show them once; store recoveryCodeHash() of each.
Common::Result<std::vector<std::string>> generateRecoveryCodes();

// A recovery code as typed, reduced to its 24 upper-case base32 characters: case folded, '-' and
// spaces dropped. InvalidInput (position in the input) for any other character or a length ≠ 24.
Common::Result<std::string> normalizeRecoveryCode(std::string_view typed);

// sha256Hex() of normalizeRecoveryCode(typed): the value stored and looked up (R11: no plaintext).
Common::Result<std::string> recoveryCodeHash(std::string_view typed);

} // namespace Server::Auth
