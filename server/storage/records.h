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
    std::string id;                 // UUID
    std::string warehouse;
    std::string label;
    std::string certificateSerial;  // upper-case hex, empty until enrolled
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
    std::string type;               // "pick", …
    Common::Domain::OperationOutcome outcome = Common::Domain::OperationOutcome::Applied;
    std::string resultJson;         // the OpResult as sent, without seq (it can be re-recorded elsewhere)
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
    std::string reason;             // "negative_stock", "order_cancelled", "lot_blocked", "device_fork", …
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
    std::optional<std::string> data;      // JSON object text; nullopt = deleted
};

struct OperatorRecord
{
    std::int64_t id = 0;
    std::string badge;
    std::string name;
    std::string warehouse;
    std::string role;               // "picker", "supervisor", …
    std::string pinHash;            // Argon2id PHC string (libsodium crypto_pwhash_str)
    bool active = true;
};

struct EnrollmentCodeRecord
{
    std::int64_t id = 0;
    std::string codeHash;           // hex SHA-256 of the one-time code
    std::string warehouse;
    std::string label;
    std::string expiresAt;
    std::optional<std::string> usedAt;
    std::optional<std::string> deviceId;
};

struct ApiKeyRecord
{
    std::string id;                 // public key id, e.g. "k_3f2a…"
    std::string secretHash;         // hex SHA-256 of the secret
    std::string scope;              // "store:<code>" or "admin"
    std::string label;
    std::string createdAt;
    bool revoked = false;
};

struct AuditRecord
{
    std::int64_t id = 0;
    std::string at;
    std::string actor;              // "cli:<user>", "apikey:<id>", "device:<serial>"
    std::string event;              // OWASP vocabulary / domain names (REQUIREMENTS.md §6)
    std::string target;
    std::string details;            // JSON object text, never secrets
};

} // namespace Server::Storage
