#pragma once
#include <cstdint>
#include <string>
#include "common/domain/quantity.h"

namespace Common::Domain {

// Why stock moved. The ledger is append-only; balances are sums of movements (DESIGN.md).
enum class MovementReason { Receipt, Putaway, Pick, Move, CountAdjustment, Adjustment, Return };

// One append-only ledger entry: `quantityDelta` base units of `skuCode` entered (>0) or left (<0)
// `location` (lot may be empty). `operationId` is the sync op that caused it, so every movement
// traces back to exactly one terminal action.
struct StockMovement
{
    std::int64_t id = 0;
    std::string warehouse;
    std::string skuCode;
    std::string location;
    std::string lot;
    Quantity quantityDelta = 0;
    MovementReason reason = MovementReason::Adjustment;
    std::string operationId;         // UUID of the causing op; empty for API adjustments
    friend bool operator==(const StockMovement &, const StockMovement &) = default;
};

} // namespace Common::Domain
