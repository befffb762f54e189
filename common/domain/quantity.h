#pragma once
#include <cstdint>

namespace Common::Domain {

// A quantity in the SKU's base unit (pieces, grams, …, as the SKU's `baseUnit` says). Always an
// integer: fractions of a base unit do not exist on a warehouse floor. Deltas may be negative.
using Quantity = std::int64_t;

} // namespace Common::Domain
