#pragma once
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>
#include "common/domain/location.h"
#include "common/domain/lot.h"
#include "common/domain/operation.h"
#include "common/domain/order.h"
#include "common/domain/quantity.h"
#include "common/domain/sku.h"
#include "common/domain/stockmovement.h"

// Rows the Store reads and writes, as plain values. Times are ISO 8601 UTC text ("…Z") stamped
// by the server; quantities are integers in the SKU's base unit; an empty lot means "no lot".
namespace Server::Storage {

using Common::Domain::Quantity;

enum class DeviceStatus { Active, Revoked };

struct Warehouse
{
    std::string code;
    std::string name;
};

struct DeviceRecord
{
    std::string id; // UUID
    std::string warehouse;
    std::string label;
    std::string certificateSerial; // upper-case hex, empty until enrolled
    DeviceStatus status = DeviceStatus::Active;
    std::int64_t incarnation = 1;
    std::string createdAt;
};

// One recorded sync op: its position (device, incarnation, seq) and the result sent back.
struct AppliedOpRecord
{
    std::string deviceId;
    std::int64_t incarnation = 1;
    std::int64_t seq = 0;
    std::string opId;
    std::string type; // "pick", …
    Common::Domain::OperationOutcome outcome = Common::Domain::OperationOutcome::Applied;
    std::string resultJson; // the OpResult as sent, without seq (it can be re-recorded elsewhere)
    std::string payloadJson;
    std::string operatorId;
    std::string deviceCreatedAt;
};

struct BalanceRecord
{
    std::string warehouse;
    std::string sku;
    std::string location;
    std::string lot;
    Quantity quantity = 0;
};

struct MovementRecord
{
    Common::Domain::StockMovement movement;
    std::string createdAt;
};

struct ConflictRecord
{
    std::int64_t id = 0;
    std::string warehouse;
    std::string deviceId;
    std::string opId;
    std::string reason; // "negative_stock", "order_cancelled", "lot_blocked", "device_fork", …
    std::string message;
    std::string createdAt;
};

struct RejectionRecord
{
    std::int64_t id = 0;
    std::string deviceId;
    std::int64_t incarnation = 1;
    std::int64_t seq = 0;
    std::string opId;
    std::string reason;
    std::string message;
    std::string payloadJson;
    std::string createdAt;
};

struct ChangeRecord
{
    std::int64_t version = 0;
    std::optional<std::string> warehouse; // nullopt = global (every device scope)
    std::string entity;
    std::string key;
    std::optional<std::string> data; // JSON object text; nullopt = deleted
};

struct OperatorRecord
{
    std::int64_t id = 0;
    std::string badge;
    std::string name;
    std::string warehouse;
    std::string role;    // "picker", "supervisor", …
    std::string pinHash; // Argon2id PHC string (libsodium crypto_pwhash_str)
    bool active = true;
};

struct EnrollmentCodeRecord
{
    std::int64_t id = 0;
    std::string codeHash; // hex SHA-256 of the one-time code
    std::string warehouse;
    std::string label;
    std::string expiresAt;
    std::optional<std::string> usedAt;
    std::optional<std::string> deviceId;
};

struct ApiKeyRecord
{
    std::string id;         // public key id, e.g. "k_3f2a…"
    std::string secretHash; // hex SHA-256 of the secret
    std::string scope;      // "store:<code>" or "admin"
    std::string label;
    std::string createdAt;
    bool revoked = false;
};

// One entry of the tamper-evident audit trail (REQUIREMENTS.md §6, docs/server.md "Audit trail").
// Callers fill what they know; appendAudit assigns id/prevHash/hash and fills the rest:
// `at` = store time when empty, `role` from the actor's kind ("cli:" → cli_admin, "device:" →
// device, "apikey:" → api_key, "system", "unauthenticated" → anonymous), `outcome` = "failure"
// for *_fail*, *_exceeded, malicious_* and authn_token_reuse events, else "success", and
// sourceIp/listener/requestId from the details' "ip"/"listener"/"request_id" strings when empty.
// The first six members keep their order so `{0, {}, actor, event, target, details}` still works.
struct AuditRecord
{
    std::int64_t id = 0; // seq: 1, 2, 3 … without gaps; seq order = chain order
    std::string at;      // ts, ISO 8601 UTC ending in "Z"
    std::string actor;   // "cli:<user>", "apikey:<id>", "device:<serial>", "admin:<user>", "system"
    std::string event;   // OWASP vocabulary / domain names (REQUIREMENTS.md §6)
    std::string target;
    std::string details;     // JSON object text, never secrets; stored canonical (keys sorted)
    std::string role{};      // "cli_admin", "device", "api_key", "admin", "viewer", "system", "anonymous"
    std::string sourceIp{};  // client IP (trusted proxy header only), "" when local
    std::string listener{};  // "devices", "api", "admin", "" for the command line and the server itself
    std::string requestId{}; // the HTTP request id, "" outside a request
    std::string outcome{};   // "success" or "failure"
    std::string prevHash{};  // lower-case hex SHA-256 of the previous entry (64 zeros before seq 1)
    std::string hash{};      // SHA-256(prevHash ‖ canonical JSON of this entry), lower-case hex
};

// A signed statement "the audit trail up to `seq` has head hash `hash`" (Ed25519 over the
// canonical JSON {"hash","seq","ts","type":"soko.audit.checkpoint.v1"}).
struct AuditCheckpointRecord
{
    std::int64_t id = 0; // 1, 2, 3 … without gaps
    std::int64_t seq = 0;
    std::string hash{};
    std::string at{};        // ts of the checkpoint, ISO 8601 UTC
    std::string keyId{};     // first 16 hex of SHA-256 of the raw Ed25519 public key
    std::string signature{}; // lower-case hex, 64 bytes
};

// One chat announcement waiting in (or delivered from) the alert outbox.
struct AlertRecord
{
    std::int64_t id = 0;
    std::string createdAt{};
    std::string kind{};    // "device_revoked", "audit_checkpoint", "admin_login", …
    std::string text{};    // the plain text (as in the payload's "text"), for logs and tests
    std::string payload{}; // the JSON body POSTed to the webhook
    int attempts = 0;
    std::string nextAttemptAt{};
    std::optional<std::string> deliveredAt{};
    std::string lastError{}; // "" or why the last attempt failed (never the URL)
};

// Undelivered alerts: how many, and when the oldest was written (nullopt when none).
struct AlertBacklog
{
    std::int64_t count = 0;
    std::optional<std::string> oldestCreatedAt{};
};

// ---- back-office identities (REQUIREMENTS.md R04, R05, R07–R13, R15–R20, R27) ----
// The storage side only: server/auth hashes and seals, the admin pages decide. No plaintext
// secret reaches these records: passwords are Argon2id PHC strings, TOTP seeds AES-256-GCM
// sealed blobs, session tokens, recovery codes and the setup password lower-case hex SHA-256.

using Bytes = std::vector<std::uint8_t>;

enum class AdminRole { Admin, BackOffice, Supervisor, Picker, Viewer };
enum class AdminStatus { Active, Disabled };
enum class AdminSessionStage { PreAuth, Full }; // password only / password and TOTP (R07)
enum class ApprovalDecision { Pending, Approved, Rejected };

// Stable names as stored and shown in JSON: "admin", "back_office", "supervisor", "picker",
// "viewer"; "active", "disabled"; "pre_auth", "full"; "pending", "approved", "rejected".
inline constexpr std::array<std::pair<AdminRole, std::string_view>, 5> adminRoleNames{{
    {AdminRole::Admin, "admin"},
    {AdminRole::BackOffice, "back_office"},
    {AdminRole::Supervisor, "supervisor"},
    {AdminRole::Picker, "picker"},
    {AdminRole::Viewer, "viewer"},
}};
inline constexpr std::array<std::pair<AdminStatus, std::string_view>, 2> adminStatusNames{{
    {AdminStatus::Active, "active"},
    {AdminStatus::Disabled, "disabled"},
}};
inline constexpr std::array<std::pair<AdminSessionStage, std::string_view>, 2> adminSessionStageNames{{
    {AdminSessionStage::PreAuth, "pre_auth"},
    {AdminSessionStage::Full, "full"},
}};
inline constexpr std::array<std::pair<ApprovalDecision, std::string_view>, 3> approvalDecisionNames{{
    {ApprovalDecision::Pending, "pending"},
    {ApprovalDecision::Approved, "approved"},
    {ApprovalDecision::Rejected, "rejected"},
}};

// The name of `value` in one of the tables above ("" if absent, which cannot happen for them).
template <typename Enum, std::size_t N>
constexpr std::string_view enumName(const std::array<std::pair<Enum, std::string_view>, N> &names, Enum value)
{
    for (const auto &[item, name] : names)
        if (item == value)
            return name;
    return {};
}
// The value named `name` exactly (case-sensitive), or nullopt.
template <typename Enum, std::size_t N>
constexpr std::optional<Enum> enumFromName(const std::array<std::pair<Enum, std::string_view>, N> &names,
                                           std::string_view name)
{
    for (const auto &[item, text] : names)
        if (text == name)
            return item;
    return std::nullopt;
}

// A back-office user (admin pages). Usernames are 1–64 printable ASCII characters without
// spaces (isValidAdminUsername) and match case-insensitively: the store keeps
// adminUsernameKey(username) unique. Times are ISO 8601 UTC, stamped by the store.
struct AdminUserRecord
{
    std::string id;          // UUID; insertAdminUser assigns one when empty
    std::string username;    // as first written, e.g. "Alice"
    std::string displayName; // ≤128 bytes
    std::string email;       // ≤254 bytes, may be empty
    AdminRole role = AdminRole::Viewer;
    AdminStatus status = AdminStatus::Active;
    std::string passwordHash; // Argon2id PHC string ("$argon2id$v=19$m=19456,t=2,p=1$…"), ≤512 bytes
    bool mustChangePassword = false;
    std::optional<Bytes> totpSeed;  // sealed by server/auth (AES-256-GCM, R10), ≤1024 bytes; never the seed itself
    bool totpEnabled = false;       // true only with a seed
    std::int64_t totpLastStep = -1; // last accepted RFC 6238 time step (floor(unix / 30)); -1 = none yet
    std::optional<std::string> mfaLockedUntil; // TOTP refused until then (R09)
    std::string createdAt;
    std::string updatedAt;
    std::string passwordChangedAt;
};

// One admin login (R15–R20), server-side. Keyed by the SHA-256 of the cookie value, so a copy of
// the database cannot be replayed as a cookie.
struct AdminSessionRecord
{
    std::string tokenHash; // lower-case hex SHA-256 (64 characters) of the cookie value
    std::string userId;
    AdminSessionStage stage = AdminSessionStage::PreAuth;
    std::string createdAt;                     // empty on insert = Store::now()
    std::string lastSeenAt;                    // empty on insert = createdAt
    std::optional<std::string> totpVerifiedAt; // last successful TOTP in this session (step-up, R20)
    std::string ip;                            // ≤64 bytes
    std::string userAgent;                     // cut to ≤256 bytes (at a UTF-8 boundary) by the store
    std::int64_t totpFailures = 0;             // wrong codes in this session (R09)
};

// Failed logins counted per key (R04): "user:<adminUsernameKey(name)>" (also for names no user
// has), "ip:<address>", "totp:<user id>". A window starts at the first failure and lasts
// loginThrottleWindowSeconds; the first failure after it starts a new window at 1.
struct LoginThrottleRecord
{
    std::string key; // ≤256 bytes
    std::int64_t failures = 0;
    std::string windowStart;
    std::string lastFailureAt;
    std::optional<std::string> lockedUntil; // set by lockLoginThrottle (the back-off policy is server/auth's)
};
inline constexpr std::int64_t loginThrottleWindowSeconds = 3600;

// A message to a user about a change of their account (R13): "password_changed",
// "mfa_reset", "role_changed", "totp_reuse", … `details` is a JSON object, never secrets.
struct NotificationRecord
{
    std::int64_t id = 0;
    std::string userId;
    std::string kind;    // ≤64 bytes
    std::string details; // JSON object text, ≤4096 bytes
    std::string createdAt;
};

// A four-eyes request (R27): one admin asks, another decides, once.
struct ApprovalRecord
{
    std::int64_t id = 0;
    std::string action;      // "grant_admin", "stock_adjustment", "pii_export", … (≤64 bytes)
    std::string target;      // what it acts on, e.g. a user id (≤256 bytes)
    std::string details;     // JSON object text, ≤4096 bytes
    std::string requestedBy; // admin user id
    std::string requestedAt;
    std::optional<std::string> decidedBy;
    std::optional<std::string> decidedAt;
    ApprovalDecision decision = ApprovalDecision::Pending;
    std::optional<std::string> usedAt; // an approved grant the requester has used (consumeApproval)
};

// The key a username is unique and looked up under: ASCII letters lower-cased, nothing else
// changed (valid usernames are ASCII, so this is a full case fold for them).
inline std::string adminUsernameKey(std::string_view username)
{
    std::string key(username);
    for (char &c : key)
        if (c >= 'A' && c <= 'Z')
            c = static_cast<char>(c - 'A' + 'a');
    return key;
}

// 1–64 characters from '!' to '~' (printable ASCII, no spaces): an e-mail address fits.
inline bool isValidAdminUsername(std::string_view username)
{
    if (username.empty() || username.size() > 64)
        return false;
    for (const char c : username)
        if (c < '!' || c > '~')
            return false;
    return true;
}

// Exactly 64 characters 0-9a-f: the form of sha256Hex (ids.h).
inline bool isSha256Hex(std::string_view text)
{
    if (text.size() != 64)
        return false;
    for (const char c : text)
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return false;
    return true;
}

// At most `maxBytes` of `text`, never ending inside a UTF-8 sequence.
inline std::string truncateUtf8(std::string_view text, std::size_t maxBytes)
{
    if (text.size() <= maxBytes)
        return std::string(text);
    std::size_t end = maxBytes;
    while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80)
        --end; // text[end] continues a sequence: cut before its lead byte
    return std::string(text.substr(0, end));
}

// The limits the store enforces on what it is given (both backends alike): the reason a record
// is refused (Store answers InvalidInput with it), or nullopt when it is acceptable.
inline std::optional<std::string> adminUserProblem(const AdminUserRecord &user)
{
    if (!isValidAdminUsername(user.username))
        return "username must be 1-64 printable ASCII characters without spaces";
    if (user.id.size() > 64)
        return "user id over 64 bytes";
    if (user.displayName.size() > 128 || user.email.size() > 254)
        return "display name over 128 or e-mail over 254 bytes";
    if (user.passwordHash.empty() || user.passwordHash.size() > 512)
        return "password hash must be a PHC string of 1-512 bytes";
    if (user.totpSeed && (user.totpSeed->empty() || user.totpSeed->size() > 1024))
        return "sealed TOTP seed must be 1-1024 bytes";
    if (user.totpEnabled && !user.totpSeed)
        return "TOTP cannot be enabled without a seed";
    return std::nullopt;
}

inline std::optional<std::string> adminSessionProblem(const AdminSessionRecord &session)
{
    if (!isSha256Hex(session.tokenHash))
        return "session token hash must be 64 lower-case hex characters (SHA-256)";
    if (session.ip.size() > 64)
        return "ip over 64 bytes";
    return std::nullopt;
}

inline std::optional<std::string> loginThrottleKeyProblem(std::string_view key)
{
    if (key.empty() || key.size() > 256)
        return "throttle key must be 1-256 bytes";
    return std::nullopt;
}

inline std::optional<std::string> notificationProblem(std::string_view kind, std::string_view details)
{
    if (kind.empty() || kind.size() > 64 || details.size() > 4096)
        return "notification kind must be 1-64 bytes and details at most 4096";
    return std::nullopt;
}

inline std::optional<std::string> approvalProblem(const ApprovalRecord &approval)
{
    if (approval.action.empty() || approval.action.size() > 64 || approval.target.size() > 256 ||
        approval.details.size() > 4096)
        return "approval action must be 1-64 bytes, target at most 256 and details at most 4096";
    return std::nullopt;
}

} // namespace Server::Storage
