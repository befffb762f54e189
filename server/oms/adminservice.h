#pragma once
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>
#include "common/support/result.h"
#include "server/storage/records.h"
#include "server/storage/store.h"

// People and credentials, as service functions the CLI and the API call: operators (badge +
// PIN, Argon2id via libsodium crypto_pwhash_str, m=19 MiB t=2 p=1 per REQUIREMENTS.md R06),
// one-time enrollment codes (128-bit, 15 min default, stored as SHA-256), device registration,
// enrollment and revocation, API keys (secret shown once, stored as SHA-256). Every change
// writes an audit row naming `actor`; secrets never reach the audit or the logs.
namespace Server::Oms {

struct IssuedCertificate
{
    std::string certificatePem;
    std::string serialHex; // upper-case hex
};
// Signs a device certificate for `deviceId` from a PEM CSR (server/app wires
// Common::Crypto::issueDeviceCertificate with the device CA). Errors: InvalidInput (bad CSR), Crypto.
using CertificateIssuer =
    std::function<Common::Result<IssuedCertificate>(const std::string &csrPem, const std::string &deviceId)>;

struct EnrollmentCode
{
    std::string code; // shown once (QR on the admin page), never stored
    std::string expiresAt;
};

struct EnrolledDevice
{
    Storage::DeviceRecord device;
    std::string certificatePem;
};

struct CreatedApiKey
{
    std::string id;
    std::string token; // "soko_<id>_<secret>": shown once, never stored
};

class AdminService final
{
public:
    using Clock = std::function<std::chrono::system_clock::time_point()>;
    explicit AdminService(Storage::Store &store, Clock clock = {});

    Common::Result<std::int64_t> addOperator(const std::string &badge, const std::string &name,
                                             const std::string &warehouse, const std::string &role,
                                             const std::string &pin, const std::string &actor);
    Common::Result<void> setOperatorActive(const std::string &badge, bool active, const std::string &actor);
    Common::Result<std::vector<Storage::OperatorRecord>> operators(const std::string &warehouse);
    static bool verifyPin(const std::string &pinHash, const std::string &pin);

    Common::Result<EnrollmentCode> createEnrollmentCode(const std::string &warehouse, const std::string &label,
                                                        std::chrono::minutes lifetime, const std::string &actor);
    // Burns the code and registers a new active device with the issued certificate.
    // Errors: Unauthorized (unknown, used or expired code — one answer for all three).
    Common::Result<EnrolledDevice> enroll(const std::string &code, const std::string &csrPem,
                                          const CertificateIssuer &issuer);
    // Registers a device whose certificate was issued elsewhere (CLI, tests).
    Common::Result<Storage::DeviceRecord> registerDevice(const std::string &warehouse, const std::string &label,
                                                         const std::string &certificateSerial,
                                                         const std::string &actor);
    Common::Result<void> revokeDevice(const std::string &deviceId, const std::string &actor);

    // scope: "admin" or "store:<store code>".
    Common::Result<CreatedApiKey> createApiKey(const std::string &scope, const std::string &label,
                                               const std::string &actor);
    Common::Result<void> revokeApiKey(const std::string &id, const std::string &actor);
    // Checks a bearer token. Errors: Unauthorized (malformed, unknown, wrong secret, revoked).
    Common::Result<Storage::ApiKeyRecord> authenticateApiKey(std::string_view token);

private:
    std::string formatTime(std::chrono::system_clock::time_point time) const;
    Storage::Store &m_store;
    Clock m_clock;
};

} // namespace Server::Oms
