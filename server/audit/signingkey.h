#pragma once
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include "common/support/result.h"

struct evp_pkey_st; // OpenSSL's EVP_PKEY, so callers need not include OpenSSL

// The Ed25519 key that signs audit checkpoints (REQUIREMENTS.md §6 "Tamper evidence", R37:
// OpenSSL EVP_PKEY_ED25519, PureEdDSA over the message bytes, RFC 8032). The private key lives in
// the data folder as `audit-signing.key` (PKCS#8 PEM, mode 0600, R14), created by `soko-server
// init` or on first use. Anyone with the public key (`soko-server audit public-key`) can check
// the checkpoints off-host.
namespace Server::Audit {

inline constexpr std::string_view signingKeyFileName = "audit-signing.key";

class AuditPublicKey final
{
public:
    // From a SubjectPublicKeyInfo PEM ("BEGIN PUBLIC KEY"). Errors: InvalidInput (not Ed25519).
    static Common::Result<AuditPublicKey> fromPem(std::string_view pem);

    // True when `signatureHex` (128 lower-case hex) is this key's signature of `message`.
    bool verify(std::string_view message, std::string_view signatureHex) const;
    // First 16 hex characters of SHA-256 over the 32 raw public key bytes.
    const std::string &keyId() const { return m_keyId; }
    const std::string &pem() const { return m_pem; }

private:
    friend class AuditSigningKey;
    static Common::Result<AuditPublicKey> fromKey(std::shared_ptr<evp_pkey_st> key);
    std::shared_ptr<evp_pkey_st> m_key;
    std::string m_keyId;
    std::string m_pem;
};

class AuditSigningKey final
{
public:
    // Loads the key file. Errors: NotFound (no file), Forbidden (readable by group or others:
    // chmod 600), InvalidInput (not an Ed25519 private key), Io.
    static Common::Result<AuditSigningKey> load(const std::filesystem::path &path);
    // load(), or when the file does not exist a fresh key written there with mode 0600 (O_EXCL:
    // two processes creating at once end up with the same key). Errors: as load(), Crypto.
    static Common::Result<AuditSigningKey> loadOrCreate(const std::filesystem::path &path);

    // 64-byte Ed25519 signature of `message`, lower-case hex. Errors: Crypto.
    Common::Result<std::string> sign(std::string_view message) const;
    const AuditPublicKey &publicKey() const { return m_public; }

private:
    std::shared_ptr<evp_pkey_st> m_key;
    AuditPublicKey m_public;
};

} // namespace Server::Audit
