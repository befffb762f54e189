#include "server/oms/adminservice.h"

#include <cstdio>
#include <ctime>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <sodium.h>
#include "server/oms/masterdataservice.h"
#include "server/storage/ids.h"

namespace Server::Oms {

namespace {

namespace json = boost::json;
using Common::ErrorCode;
using Common::Result;

// OWASP Password Storage Cheat Sheet: Argon2id m=19456 KiB, t=2, p=1 (libsodium uses p=1).
constexpr unsigned long long s_pinOpsLimit = 2;
constexpr std::size_t s_pinMemLimit = 19456u * 1024u;

std::string details(std::initializer_list<std::pair<const char *, std::string>> fields)
{
    json::object o;
    for (const auto &[key, value] : fields)
        o[key] = value;
    return json::serialize(o);
}

} // namespace

AdminService::AdminService(Storage::Store &store, Clock clock)
    : m_store(store)
    , m_clock(std::move(clock))
{
    if (!m_clock)
        m_clock = [] { return std::chrono::system_clock::now(); };
    // Idempotent; on failure (no entropy source) the hashing calls below fail and say so.
    [[maybe_unused]] const int ready = sodium_init();
}

std::string AdminService::formatTime(std::chrono::system_clock::time_point time) const
{
    return Storage::isoTime(time);
}

Result<std::int64_t> AdminService::addOperator(const std::string &badge, const std::string &name,
                                               const std::string &warehouse, const std::string &role,
                                               const std::string &pin, const std::string &actor)
{
    if (!isValidCode(badge) || name.empty() || !isValidText(name, 200))
        return Common::fail(ErrorCode::InvalidInput, "bad_value at badge: badge and name must be printable text");
    if (role != "picker" && role != "receiver" && role != "supervisor")
        return Common::fail(ErrorCode::InvalidInput, "bad_value at role: picker, receiver or supervisor");
    if (pin.size() < 4 || pin.size() > 12 || pin.find_first_not_of("0123456789") != std::string::npos)
        return Common::fail(ErrorCode::InvalidInput, "bad_value at pin: 4 to 12 digits");
    auto known = m_store.warehouseExists(warehouse);
    if (!known)
        return tl::unexpected(known.error());
    if (!*known)
        return Common::fail(ErrorCode::NotFound, "unknown warehouse " + warehouse);
    char hash[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str_alg(hash, pin.c_str(), pin.size(), s_pinOpsLimit, s_pinMemLimit,
                              crypto_pwhash_ALG_ARGON2ID13) != 0)
        return Common::fail(ErrorCode::Crypto, "PIN hashing ran out of memory");
    Storage::OperatorRecord record{0, badge, name, warehouse, role, hash, true};
    Storage::Transaction transaction(m_store);
    if (!transaction.started())
        return tl::unexpected(transaction.started().error());
    auto id = m_store.insertOperator(record);
    if (!id)
        return id;
    if (auto done = m_store.appendAudit(
            {0, {}, actor, "user_created", "operator:" + badge, details({{"warehouse", warehouse}, {"role", role}})});
        !done)
        return tl::unexpected(done.error());
    if (auto done = transaction.commit(); !done)
        return tl::unexpected(done.error());
    return id;
}

bool AdminService::verifyPin(const std::string &pinHash, const std::string &pin)
{
    return crypto_pwhash_str_verify(pinHash.c_str(), pin.c_str(), pin.size()) == 0;
}

Result<void> AdminService::setOperatorActive(const std::string &badge, bool active, const std::string &actor)
{
    Storage::Transaction transaction(m_store);
    if (!transaction.started())
        return tl::unexpected(transaction.started().error());
    if (auto done = m_store.setOperatorActive(badge, active); !done)
        return done;
    if (auto done =
            m_store.appendAudit({0, {}, actor, active ? "user_updated" : "user_disabled", "operator:" + badge, "{}"});
        !done)
        return tl::unexpected(done.error());
    return transaction.commit();
}

Result<std::vector<Storage::OperatorRecord>> AdminService::operators(const std::string &warehouse)
{
    return m_store.operators(warehouse);
}

Result<EnrollmentCode> AdminService::createEnrollmentCode(const std::string &warehouse, const std::string &label,
                                                          std::chrono::minutes lifetime, const std::string &actor)
{
    if (!isValidText(label, 64) || label.empty())
        return Common::fail(ErrorCode::InvalidInput, "bad_value at label: 1-64 printable characters");
    auto known = m_store.warehouseExists(warehouse);
    if (!known)
        return tl::unexpected(known.error());
    if (!*known)
        return Common::fail(ErrorCode::NotFound, "unknown warehouse " + warehouse);
    EnrollmentCode code{Storage::randomToken(16), formatTime(m_clock() + lifetime)};
    Storage::Transaction transaction(m_store);
    if (!transaction.started())
        return tl::unexpected(transaction.started().error());
    auto id =
        m_store.insertEnrollmentCode({0, Storage::sha256Hex(code.code), warehouse, label, code.expiresAt, {}, {}});
    if (!id)
        return tl::unexpected(id.error());
    if (auto done = m_store.appendAudit(
            {0,
             {},
             actor,
             "authn_token_created",
             "enrollment_code:" + std::to_string(*id),
             details({{"warehouse", warehouse}, {"label", label}, {"expires_at", code.expiresAt}})});
        !done)
        return tl::unexpected(done.error());
    if (auto done = transaction.commit(); !done)
        return tl::unexpected(done.error());
    return code;
}

Result<EnrolledDevice> AdminService::enroll(const std::string &code, const std::string &csrPem,
                                            const CertificateIssuer &issuer)
{
    if (!issuer)
        return Common::fail(ErrorCode::Internal, "enrollment is not configured (no device CA)");
    Storage::Transaction transaction(m_store);
    if (!transaction.started())
        return tl::unexpected(transaction.started().error());
    auto record = m_store.enrollmentCodeByHash(Storage::sha256Hex(code));
    if (!record)
        return tl::unexpected(record.error());
    const bool usable = *record && !(*record)->usedAt && (*record)->expiresAt > formatTime(m_clock());
    if (!usable) {
        (void)m_store.appendAudit(
            {0, {}, "unauthenticated", "authn_login_fail", "enrollment", R"({"reason":"bad_code"})"});
        (void)transaction.commit();
        return Common::fail(ErrorCode::Unauthorized, "the enrollment code is unknown, used or expired");
    }
    Storage::DeviceRecord device;
    device.id = Storage::randomUuid();
    device.warehouse = (*record)->warehouse;
    device.label = (*record)->label;
    auto issued = issuer(csrPem, device.id);
    if (!issued)
        return tl::unexpected(issued.error()); // the code stays unused: a bad CSR may be retried
    device.certificateSerial = issued->serialHex;
    if (auto done = m_store.insertDevice(device); !done)
        return tl::unexpected(done.error());
    if (auto done = m_store.markEnrollmentCodeUsed((*record)->id, device.id); !done)
        return tl::unexpected(done.error());
    if (auto done = m_store.appendAudit({0,
                                         {},
                                         "device:" + device.certificateSerial,
                                         "device_enrolled",
                                         device.id,
                                         details({{"warehouse", device.warehouse}, {"label", device.label}})});
        !done)
        return tl::unexpected(done.error());
    if (auto done = transaction.commit(); !done)
        return tl::unexpected(done.error());
    auto stored = m_store.device(device.id);
    if (!stored || !*stored)
        return Common::fail(ErrorCode::Storage, "enrolled device vanished");
    return EnrolledDevice{**stored, issued->certificatePem};
}

Result<Storage::DeviceRecord> AdminService::registerDevice(const std::string &warehouse, const std::string &label,
                                                           const std::string &certificateSerial,
                                                           const std::string &actor)
{
    if (label.empty() || !isValidText(label, 64) || certificateSerial.empty() || certificateSerial.size() > 64 ||
        certificateSerial.find_first_not_of("0123456789ABCDEF") != std::string::npos)
        return Common::fail(ErrorCode::InvalidInput, "bad_value at certificate_serial: upper-case hex and a label");
    Storage::DeviceRecord device;
    device.id = Storage::randomUuid();
    device.warehouse = warehouse;
    device.label = label;
    device.certificateSerial = certificateSerial;
    Storage::Transaction transaction(m_store);
    if (!transaction.started())
        return tl::unexpected(transaction.started().error());
    auto known = m_store.warehouseExists(warehouse);
    if (!known)
        return tl::unexpected(known.error());
    if (!*known)
        return Common::fail(ErrorCode::NotFound, "unknown warehouse " + warehouse);
    if (auto done = m_store.insertDevice(device); !done)
        return tl::unexpected(done.error());
    if (auto done = m_store.appendAudit({0,
                                         {},
                                         actor,
                                         "device_registered",
                                         device.id,
                                         details({{"warehouse", warehouse}, {"serial", certificateSerial}})});
        !done)
        return tl::unexpected(done.error());
    if (auto done = transaction.commit(); !done)
        return tl::unexpected(done.error());
    auto stored = m_store.device(device.id);
    if (!stored || !*stored)
        return Common::fail(ErrorCode::Storage, "registered device vanished");
    return **stored;
}

Result<void> AdminService::revokeDevice(const std::string &deviceId, const std::string &actor)
{
    Storage::Transaction transaction(m_store);
    if (!transaction.started())
        return tl::unexpected(transaction.started().error());
    // An unknown id is an operator's typo: say so instead of auditing a revocation that did nothing.
    auto existing = m_store.device(deviceId);
    if (!existing)
        return tl::unexpected(existing.error());
    if (!*existing)
        return Common::fail(ErrorCode::NotFound, "unknown device " + deviceId);
    if (auto done = m_store.setDeviceStatus(deviceId, Storage::DeviceStatus::Revoked); !done)
        return done;
    if (auto done = m_store.appendAudit({0, {}, actor, "device_revoked", deviceId, "{}"}); !done)
        return tl::unexpected(done.error());
    return transaction.commit();
}

Result<CreatedApiKey> AdminService::createApiKey(const std::string &scope, const std::string &label,
                                                 const std::string &actor)
{
    const bool storeScope = scope.rfind("store:", 0) == 0 && isValidCode(scope.substr(6));
    if (scope != "admin" && !storeScope)
        return Common::fail(ErrorCode::InvalidInput, "bad_value at scope: \"admin\" or \"store:<code>\"");
    if (label.empty() || !isValidText(label, 64))
        return Common::fail(ErrorCode::InvalidInput, "bad_value at label: 1-64 printable characters");
    std::string id = "k"; // appended, not "k" + token: GCC 12 -Wrestrict false positive (bug 105329) in Release
    id += Storage::randomToken(8);
    const std::string secret = Storage::randomToken(32);
    Storage::Transaction transaction(m_store);
    if (!transaction.started())
        return tl::unexpected(transaction.started().error());
    if (auto done = m_store.insertApiKey({id, Storage::sha256Hex(secret), scope, label, {}, false}); !done)
        return tl::unexpected(done.error());
    if (auto done = m_store.appendAudit(
            {0, {}, actor, "authn_token_created", "api_key:" + id, details({{"scope", scope}, {"label", label}})});
        !done)
        return tl::unexpected(done.error());
    if (auto done = transaction.commit(); !done)
        return tl::unexpected(done.error());
    return CreatedApiKey{id, "soko_" + id + "_" + secret};
}

Result<void> AdminService::revokeApiKey(const std::string &id, const std::string &actor)
{
    Storage::Transaction transaction(m_store);
    if (!transaction.started())
        return tl::unexpected(transaction.started().error());
    if (auto done = m_store.revokeApiKey(id); !done)
        return done;
    if (auto done = m_store.appendAudit({0, {}, actor, "authn_token_revoked", "api_key:" + id, "{}"}); !done)
        return tl::unexpected(done.error());
    return transaction.commit();
}

Result<Storage::ApiKeyRecord> AdminService::authenticateApiKey(std::string_view token)
{
    const auto refuse = [] { return Common::fail(ErrorCode::Unauthorized, "invalid API key"); };
    // soko_k<16 hex>_<64 hex>
    if (token.size() != 5 + 17 + 1 + 64 || token.substr(0, 5) != "soko_" || token[22] != '_')
        return refuse();
    const std::string id(token.substr(5, 17));
    const std::string_view secret = token.substr(23);
    auto key = m_store.apiKey(id);
    if (!key)
        return tl::unexpected(key.error());
    if (!*key) {
        (void)Storage::sha256Hex(secret); // same work whether the id exists or not
        return refuse();
    }
    if (!Storage::equalDigests(Storage::sha256Hex(secret), (*key)->secretHash) || (*key)->revoked)
        return refuse();
    return **key;
}

} // namespace Server::Oms
