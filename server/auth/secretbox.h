#pragma once
#include <array>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string_view>
#include <vector>

#include "common/support/result.h"

// Authenticated encryption of small secrets at rest (TOTP seeds, R10; REQUIREMENTS.md R37, §8):
// AES-256-GCM (NIST SP 800-38D) through OpenSSL EVP with a random 96-bit nonce per message and
// caller-chosen AAD (e.g. "v1|mfa|totp_seed|<user id>", which stops blobs being swapped between rows).
// Blob format: 0x01 ‖ nonce (12 bytes) ‖ ciphertext ‖ tag (16 bytes). A key seals at most 2^32 blobs.
namespace Server::Auth {

inline constexpr std::size_t kSecretKeyBytes = 32;
inline constexpr std::size_t kSealNonceBytes = 12;
inline constexpr std::size_t kSealTagBytes = 16;
inline constexpr std::uint8_t kSealVersion = 0x01;
// Overhead of seal(): version + nonce + tag.
inline constexpr std::size_t kSealOverheadBytes = 1 + kSealNonceBytes + kSealTagBytes;

// A 256-bit AES key held in memory and wiped (OPENSSL_cleanse) when destroyed or moved from.
// Move-only; owned by whoever loaded it (normally the server's composition root).
class SecretKey final
{
public:
    // Reads the 32-byte key file at `path`, or creates it (32 bytes from RAND_bytes, mode 0600,
    // written to a temporary file and linked into place so no reader sees a partial key) when it
    // does not exist. Refuses (Io error naming the path) a file that is not a regular file (symlinks
    // included), is readable or writable by group/others, belongs to another user, or is not
    // exactly 32 bytes; Crypto when the CSPRNG fails.
    static Common::Result<SecretKey> loadOrCreate(const std::filesystem::path &path);
    // A key from raw bytes (e.g. unwrapped from elsewhere); InvalidInput unless exactly 32 bytes.
    static Common::Result<SecretKey> fromBytes(std::span<const std::uint8_t> bytes);
    // A fresh random key (tests, per-device keys); Crypto when the CSPRNG fails.
    static Common::Result<SecretKey> generate();

    SecretKey(SecretKey &&other) noexcept;
    SecretKey &operator=(SecretKey &&other) noexcept;
    SecretKey(const SecretKey &) = delete;
    SecretKey &operator=(const SecretKey &) = delete;
    ~SecretKey();

    std::span<const std::uint8_t, kSecretKeyBytes> bytes() const { return m_bytes; }

private:
    SecretKey() = default;
    std::array<std::uint8_t, kSecretKeyBytes> m_bytes{};
};

// Encrypts `plaintext` (≤ 1 MiB, else TooLarge) under `key` with a fresh random nonce, binding
// `aad`. Returns the versioned blob described above; Crypto on an OpenSSL failure.
Common::Result<std::vector<std::uint8_t>> seal(const SecretKey &key, std::span<const std::uint8_t> plaintext,
                                               std::string_view aad);

// Decrypts a blob from seal(). Crypto error, and no plaintext at all, when the blob is too short, has
// another version byte, or its nonce, ciphertext, tag or the `aad` differ from what was sealed.
Common::Result<std::vector<std::uint8_t>> open(const SecretKey &key, std::span<const std::uint8_t> blob,
                                               std::string_view aad);

namespace Detail {
// 12 bytes from RAND_bytes: the nonce seal() uses (exposed so tests can check uniqueness quickly).
Common::Result<std::array<std::uint8_t, kSealNonceBytes>> sealNonce();
// seal() with an explicit nonce, for known-answer tests (NIST CAVP gcmEncryptExtIV256) only.
// Reusing a nonce under one key breaks GCM: production code calls seal().
Common::Result<std::vector<std::uint8_t>> sealWithNonce(const SecretKey &key,
                                                        std::span<const std::uint8_t, kSealNonceBytes> nonce,
                                                        std::span<const std::uint8_t> plaintext,
                                                        std::span<const std::uint8_t> aad);
} // namespace Detail

} // namespace Server::Auth
