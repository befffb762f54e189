#pragma once
#include <string>
#include <vector>

namespace Common::Domain {

// A stock-keeping unit: what the warehouse stores and counts. `gtins` holds every GTIN/JAN printed
// on the item or its cases, normalised to GTIN-14 (see common/barcode/gtin.h); one SKU can carry
// several (each pack size, an old and a new JAN). `baseUnit` names the unit quantities count in
// ("piece", "g", …).
struct Sku
{
    std::string code;                // the merchant's SKU code, unique
    std::string name;
    std::vector<std::string> gtins;  // GTIN-14 strings, 14 digits each
    std::string baseUnit = "piece";
    bool lotControlled = false;      // picks and receipts must name a lot
    friend bool operator==(const Sku &, const Sku &) = default;
};

} // namespace Common::Domain
