#pragma once
#include <cstdint>
#include <string>

namespace Common::Domain {

// The kinds of terminal action that travel through the sync outbox (DESIGN.md "Outbox").
enum class OperationType { Pick, ShortPick, Pack, Ship, Receive, Putaway, Move, Count };

// One terminal action as it travels from the outbox to the server. `seq` is per device, 1, 2, 3, …
// with no gaps; `id` is a UUID that makes resends exactly-once; `payload` is the type's JSON object
// (see common/protocol). `createdAt` is the device clock (UTC, informational only).
struct Operation
{
    std::string deviceId;
    std::int64_t seq = 0;
    std::string id;                  // UUID, lower-case, 36 chars
    OperationType type = OperationType::Pick;
    std::string payload;             // JSON object text
    std::string operatorId;
    std::string createdAt;           // ISO 8601 UTC
    friend bool operator==(const Operation &, const Operation &) = default;
};

// Outcome of one op on the server (DESIGN.md "Push").
enum class OperationOutcome { Applied, Conflict, Rejected };

} // namespace Common::Domain
