#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>
#include "common/domain/operation.h"
#include "common/domain/quantity.h"
#include "common/support/result.h"

// The sync protocol v1 between soko-terminal and soko-server (DESIGN.md "Sync protocol"): the
// messages as plain structs and their JSON wire format (docs/sync-protocol.md, pinned by the
// golden files in tests/data/protocol/). Quantities are integers in the SKU's base unit; times
// are ISO 8601 UTC text ending in "Z"; ids are lower-case RFC 4122 UUID text.
//
// Decoders are strict (REQUIREMENTS.md §5.2, R28): duplicate keys, unknown fields, wrong types,
// non-integers or out-of-range integers, non-finite numbers, control characters, over-long
// strings, over-long arrays, nesting deeper than 16 and trailing data are all refused. A failure
// is an Error{InvalidInput (TooLarge for size limits), "<reason> at <path>: <detail>"} where
// <reason> is one of the names listed at decodeFailureReason() and <path> names the field
// ("ops[3].payload.quantity"); position is the byte offset for syntax errors, else -1.
namespace Common::Protocol {

inline constexpr int protocolVersion = 1;

struct Limits
{
    std::size_t maxBytes = 1024 * 1024;   // whole message
    std::size_t maxDepth = 16;            // objects/arrays nesting
    std::size_t maxOps = 1000;            // ops per push batch
    std::size_t maxResults = 1000;        // results per push response
    std::size_t maxChanges = 5000;        // changes per pull page
};

using Domain::OperationOutcome;
using Domain::OperationType;
using Domain::Quantity;

std::string_view operationTypeName(OperationType type);      // "pick", "short_pick", …
std::optional<OperationType> operationTypeFromName(std::string_view name);
std::string_view outcomeName(OperationOutcome outcome);       // "applied", "conflict", "rejected"
std::optional<OperationOutcome> outcomeFromName(std::string_view name);

// Payloads, one per operation type. `order_number` fields are informational (for logs and the
// supervisor); the server identifies orders by `orderId`.
struct PickPayload
{
    std::int64_t orderId = 0;
    std::optional<std::string> orderNumber;
    std::int64_t line = 0;                 // order line number, ≥ 1
    std::string sku;
    std::string location;
    std::optional<std::string> lot;
    Quantity quantity = 0;                 // > 0
    friend bool operator==(const PickPayload &, const PickPayload &) = default;
};
struct ShortPickPayload
{
    std::int64_t orderId = 0;
    std::optional<std::string> orderNumber;
    std::int64_t line = 0;
    std::string sku;
    std::string location;
    std::optional<std::string> lot;
    Quantity quantityPicked = 0;           // ≥ 0, less than what was asked
    std::string reason;                    // e.g. "empty_location", "damaged"
    friend bool operator==(const ShortPickPayload &, const ShortPickPayload &) = default;
};
struct PackPayload
{
    std::int64_t orderId = 0;
    std::optional<std::string> orderNumber;
    std::optional<std::string> sscc;       // 18 digits when the parcel carries an SSCC label
    friend bool operator==(const PackPayload &, const PackPayload &) = default;
};
struct ShipPayload
{
    std::int64_t orderId = 0;
    std::optional<std::string> orderNumber;
    std::string trackingNumber;
    std::string carrier;
    friend bool operator==(const ShipPayload &, const ShipPayload &) = default;
};
struct ReceivePayload
{
    std::string sku;
    std::string location;                  // receiving dock or bin
    std::optional<std::string> lot;
    std::optional<std::string> expiry;     // YYYY-MM-DD
    Quantity quantity = 0;                 // > 0
    std::optional<std::string> reference;  // purchase order / ASN number
    friend bool operator==(const ReceivePayload &, const ReceivePayload &) = default;
};
struct MovePayload                         // also the shape of putaway (dock → bin)
{
    std::string sku;
    std::string from;
    std::string to;
    std::optional<std::string> lot;
    Quantity quantity = 0;                 // > 0
    friend bool operator==(const MovePayload &, const MovePayload &) = default;
};
struct PutawayPayload : MovePayload
{
    friend bool operator==(const PutawayPayload &, const PutawayPayload &) = default;
};
struct CountPayload
{
    std::string location;
    std::string sku;
    std::optional<std::string> lot;
    Quantity counted = 0;                  // ≥ 0, what the operator found
    Quantity expected = 0;                 // ≥ 0, what the terminal showed
    friend bool operator==(const CountPayload &, const CountPayload &) = default;
};

using Payload = std::variant<PickPayload, ShortPickPayload, PackPayload, ShipPayload, ReceivePayload,
                             PutawayPayload, MovePayload, CountPayload>;
OperationType payloadType(const Payload &payload);

// One outbox operation (DESIGN.md "Outbox"). The device id travels once, in the request.
struct PushOp
{
    std::int64_t seq = 0;                  // ≥ 1, gapless per device incarnation
    std::string opId;                      // UUID
    Payload payload;
    std::string operatorId;
    std::string createdAt;                 // device clock, informational
    OperationType type() const { return payloadType(payload); }
    friend bool operator==(const PushOp &, const PushOp &) = default;
};

// POST /api/v1/sync/push body. `incarnation` starts at 1 and is raised by the server after a
// fork (docs/sync-protocol.md "Incarnations"); seq restarts at 1 in each incarnation.
struct PushRequest
{
    std::string deviceId;
    std::int64_t incarnation = 1;
    std::optional<std::string> epoch;      // server epoch the device last saw; absent on first contact
    std::vector<PushOp> ops;               // ascending, consecutive seq
    friend bool operator==(const PushRequest &, const PushRequest &) = default;
};

struct OpResult
{
    std::int64_t seq = 0;
    std::string opId;
    OperationOutcome outcome = OperationOutcome::Applied;
    std::optional<std::string> reason;     // conflict/rejection code, e.g. "negative_stock", "unknown_sku"
    std::optional<std::string> message;    // English detail for the supervisor
    std::optional<std::int64_t> conflictId;
    friend bool operator==(const OpResult &, const OpResult &) = default;
};

struct PushResponse
{
    std::string epoch;
    std::int64_t incarnation = 1;
    std::int64_t lastApplied = 0;          // highest seq recorded for this incarnation
    std::vector<OpResult> results;         // one per op of the request, same order
    friend bool operator==(const PushResponse &, const PushResponse &) = default;
};

// A push or pull the server refuses as a whole (HTTP 409); nothing of it was applied.
enum class RefusalCode { Gap, Fork, EpochChanged, IncarnationRetired, SnapshotRequired };
std::string_view refusalCodeName(RefusalCode code);          // "gap", "fork", "epoch_changed", …
std::optional<RefusalCode> refusalCodeFromName(std::string_view name);

struct Refusal
{
    RefusalCode error = RefusalCode::Gap;
    std::string message;
    std::string epoch;
    std::int64_t incarnation = 1;
    std::int64_t lastApplied = 0;
    friend bool operator==(const Refusal &, const Refusal &) = default;
};

// POST /api/v1/sync/incarnation answer: the device's new incarnation after a fork.
struct IncarnationResponse
{
    std::string epoch;
    std::int64_t incarnation = 1;
    std::int64_t lastApplied = 0;          // always 0: seq restarts at 1
    friend bool operator==(const IncarnationResponse &, const IncarnationResponse &) = default;
};

// One change-log entry. `data` is a JSON object (entity-specific, see docs/sync-protocol.md);
// nullopt means the entity was deleted.
struct Change
{
    std::int64_t version = 0;
    std::string entity;                    // "sku", "location", "order", "stock", "operator", "lot"
    std::string key;
    std::optional<std::string> data;       // compact JSON object text
    friend bool operator==(const Change &, const Change &) = default;
};

// GET /api/v1/sync/pull answer. Store the page and next_cursor in one transaction.
struct PullResponse
{
    std::string epoch;
    std::vector<Change> changes;           // ascending version
    std::string nextCursor;                // opaque; send back as ?cursor=
    bool hasMore = false;
    friend bool operator==(const PullResponse &, const PullResponse &) = default;
};

// Encoders produce compact JSON with keys in the documented order.
std::string encode(const PushRequest &message);
std::string encode(const PushResponse &message);
std::string encode(const Refusal &message);
std::string encode(const IncarnationResponse &message);
std::string encode(const PullResponse &message);
std::string encodePayload(const Payload &payload);           // the "payload" object alone

Result<PushRequest> decodePushRequest(std::string_view json, const Limits &limits = {});
Result<PushResponse> decodePushResponse(std::string_view json, const Limits &limits = {});
Result<Refusal> decodeRefusal(std::string_view json, const Limits &limits = {});
Result<IncarnationResponse> decodeIncarnationResponse(std::string_view json, const Limits &limits = {});
Result<PullResponse> decodePullResponse(std::string_view json, const Limits &limits = {});
Result<Payload> decodePayload(OperationType type, std::string_view json, const Limits &limits = {});

// The machine-readable reason of a decode failure: "bad_json", "too_large", "too_deep",
// "duplicate_key", "unknown_field", "missing_field", "wrong_type", "out_of_range",
// "not_integer", "not_finite", "control_character", "too_long", "too_many", "bad_value",
// "unsupported_version"; "invalid_input" for other errors.
std::string_view decodeFailureReason(const Error &error);

} // namespace Common::Protocol
