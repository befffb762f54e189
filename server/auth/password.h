#pragma once
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/support/result.h"

// Admin passwords: the set-password policy (OWASP ASVS 4.0.3 §2.1, REQUIREMENTS.md R01/R03) and
// Argon2id hashing to a PHC string via libsodium (R06; OWASP Password Storage Cheat Sheet:
// m=19456 KiB, t=2, p=1, 16-byte random salt). Passwords are raw UTF-8 bytes, never truncated and
// never normalised. Hashing functions block for ~0.1 s and use 19 MiB each; a process-wide
// semaphore lets at most passwordHashConcurrency() of them run at once (others wait).
namespace Server::Auth {

// Limits of R01, in Unicode code points after collapsing each run of U+0020 spaces into one.
inline constexpr std::size_t kPasswordMinCodePoints = 12;
inline constexpr std::size_t kPasswordMaxCodePoints = 128;
// Inputs longer than this many bytes are refused before any decoding or hashing (A5: a 1 MB
// password costs nothing). 128 code points need at most 512 bytes of UTF-8.
inline constexpr std::size_t kPasswordMaxBytes = 1024;

// Error messages of checkPasswordPolicy(): stable reason tokens for API bodies (`422 {"error":…}`).
inline constexpr std::string_view kPasswordTooShort = "password_too_short";
inline constexpr std::string_view kPasswordTooLong = "password_too_long";
inline constexpr std::string_view kPasswordNotUtf8 = "password_not_utf8";
inline constexpr std::string_view kPasswordBreached = "password_breached";

// Argon2id parameters written into every new hash (R06, §4). Memory in KiB.
inline constexpr std::uint64_t kArgon2Iterations = 2;
inline constexpr std::size_t kArgon2MemoryKiB = 19456;

// Ok when `password` may be set: valid UTF-8 (else InvalidInput kPasswordNotUtf8, position = byte
// offset of the bad sequence), 12..128 code points after collapsing space runs (else InvalidInput
// kPasswordTooShort / kPasswordTooLong; more than kPasswordMaxBytes bytes is also too long), and
// not on the offline common-password list (InvalidInput kPasswordBreached). No composition rules.
Common::Result<void> checkPasswordPolicy(std::string_view password);

// Number of Unicode code points of valid UTF-8 `text` counting each run of spaces as one;
// InvalidInput (with byte position) for invalid UTF-8: overlong forms, surrogates, > U+10FFFF.
Common::Result<std::size_t> passwordLength(std::string_view text);

// True when `password`, with ASCII letters folded to lower case, is on the compiled-in list of
// common passwords (top 10,000 of @zxcvbn-ts/language-common plus its 12+ character entries).
bool isCommonPassword(std::string_view password);

// A new PHC string `$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>` for `password` (fresh 16-byte
// salt from libsodium's CSPRNG). Does not apply the policy. Errors: TooLarge over
// kPasswordMaxBytes, Crypto when libsodium fails (out of memory).
Common::Result<std::string> hashPassword(std::string_view password);

// True when `password` matches the PHC string `phc` (argon2id or argon2i, any parameters),
// compared in constant time by libsodium. False for a wrong password, a malformed `phc` or a
// password over kPasswordMaxBytes (refused without hashing).
bool verifyPassword(std::string_view phc, std::string_view password);

// True when `phc` is not an argon2id hash with exactly the current parameters (or is malformed):
// after a successful login the caller stores hashPassword(password) instead.
bool needsRehash(std::string_view phc);

// Verifies `password` against a fixed hash with the current parameters and discards the result, so a
// login for an unknown user costs what a real verifyPassword() costs (R04 timing).
void dummyVerify(std::string_view password);

// How many hash/verify calls may run at once: std::thread::hardware_concurrency(), at least 1.
std::size_t passwordHashConcurrency();
// The most hash/verify calls that were ever running at the same moment (for tests and metrics).
std::size_t passwordHashPeakConcurrency();

namespace Detail {
// Raw Argon2id (RFC 9106) output of `length` bytes for an explicit 16-byte salt with the current
// parameters: the known-answer test's entry point. Errors: InvalidInput (salt size), Crypto.
Common::Result<std::vector<std::uint8_t>> argon2idRaw(std::string_view password, std::span<const std::uint8_t> salt,
                                                      std::size_t length);
// The fixed PHC string dummyVerify() checks against (a hash of random bytes nobody kept).
std::string_view dummyHash();
} // namespace Detail

} // namespace Server::Auth
