#pragma once
#include <cstdint>
#include <string>

namespace Common::Domain {

// A storage location (bin) in a warehouse, e.g. "A-01-02-3" (aisle-rack-level-position).
// `pickSequence` orders a picker's walk: pick lists visit locations by ascending sequence.
struct Location
{
    std::string warehouse;           // warehouse code, e.g. "TKY1"
    std::string code;                // unique within the warehouse; also its barcode content
    std::string zone;                // e.g. "ambient", "chilled", "frozen"
    std::int64_t pickSequence = 0;
    friend bool operator==(const Location &, const Location &) = default;
};

} // namespace Common::Domain
