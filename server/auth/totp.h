#pragma once
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/support/result.h"

// One-time passwords for the admin second factor: HOTP (RFC 4226) and TOTP (RFC 6238) with
// OpenSSL EVP_MAC HMAC, base32 seeds (RFC 4648 §6) and the otpauth:// enrollment URI (Google
// Authenticator Key Uri Format). Policy per REQUIREMENTS.md §3 / R08: SHA1, 6 digits, 30 s,
// 160-bit seed, window T−1..T+1, each step accepted once. Times are int64 Unix seconds (UTC),
// so dates past 2038 work.
namespace Server::Auth {

enum class OtpAlgorithm { Sha1, Sha256, Sha512 };

inline constexpr std::size_t kTotpSeedBytes = 20;      // RFC 4226 §4 recommends 160 bits
inline constexpr std::int64_t kTotpPeriodSeconds = 30; // RFC 6238 X
inline constexpr int kTotpDigits = 6;
// Pass as lastAcceptedStep when the user never had a code accepted.
inline constexpr std::int64_t kNoStepAccepted = -1;

// HOTP value of `counter` (RFC 4226 §5.3: HMAC, dynamic truncation, mod 10^digits), zero-padded to
// `digits` (6 or 8). Errors: InvalidInput (digits, empty key), Crypto (OpenSSL failure).
Common::Result<std::string> hotp(std::span<const std::uint8_t> key, std::uint64_t counter, int digits = kTotpDigits,
                                 OtpAlgorithm algorithm = OtpAlgorithm::Sha1);

// The RFC 6238 time step T = floor(unixSeconds / period) with T0 = 0; InvalidInput for negative
// times or a period ≤ 0.
Common::Result<std::int64_t> totpStep(std::int64_t unixSeconds, std::int64_t periodSeconds = kTotpPeriodSeconds);

// TOTP code at `unixSeconds` (RFC 6238 §4). Errors as hotp() and totpStep().
Common::Result<std::string> totp(std::span<const std::uint8_t> key, std::int64_t unixSeconds, int digits = kTotpDigits,
                                 OtpAlgorithm algorithm = OtpAlgorithm::Sha1,
                                 std::int64_t periodSeconds = kTotpPeriodSeconds);

// True only for exactly six ASCII digits (`^[0-9]{6}$`): no spaces, signs or full-width digits.
// Check this before any other work and answer 400 without consuming a step.
bool isWellFormedCode(std::string_view code);

// Verifies a 6-digit SHA1 code against steps T−1, T, T+1 of `unixSeconds` (RFC 6238 §5.2), comparing
// with CRYPTO_memcmp. Returns the matched step if it is greater than `lastAcceptedStep` (replay
// protection, §5.2: each step accepted once), else nullopt (also for a malformed code, an empty seed
// or a negative time). The caller stores the step with a conditional UPDATE (... WHERE last_step < $s).
std::optional<std::int64_t> verifyTotp(std::span<const std::uint8_t> seed, std::string_view code,
                                       std::int64_t unixSeconds, std::int64_t lastAcceptedStep);

// A new 20-byte seed from OpenSSL RAND_bytes; Crypto error when the CSPRNG fails.
Common::Result<std::vector<std::uint8_t>> generateSeed();

// RFC 4648 §6 base32, upper case, without '=' padding.
std::string base32Encode(std::span<const std::uint8_t> bytes);

// Decodes unpadded base32, case-insensitive. Errors: BadCharacter at the first character outside
// A–Z/a–z/2–7 (padding '=' and spaces included), BadLength for a length no encoder produces (1, 3 or
// 6 mod 8), InvalidInput for non-zero trailing bits, TooLarge over 4096 characters.
Common::Result<std::vector<std::uint8_t>> base32Decode(std::string_view text);

// `otpauth://totp/<issuer>:<account>?secret=<base32>&issuer=<issuer>&algorithm=SHA1&digits=6&period=30`
// with issuer and account percent-encoded (RFC 3986 unreserved characters kept), e.g.
// `otpauth://totp/Soko:alice%40example.com?secret=…&issuer=Soko&…`. InvalidInput when issuer or
// account is empty, longer than 256 bytes or contains ':' (the label separator), or the seed is empty.
Common::Result<std::string> otpauthUri(std::string_view issuer, std::string_view account,
                                       std::span<const std::uint8_t> seed);

} // namespace Server::Auth
