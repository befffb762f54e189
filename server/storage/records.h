#pragma once
#include <cstdint>
#include <optional>
#include <string>
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

} // namespace Server::Storage
