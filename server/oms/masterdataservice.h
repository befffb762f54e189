#pragma once
#include <string>
#include <string_view>
#include <vector>
#include "common/support/result.h"
#include "server/oms/importreport.h"
#include "server/storage/records.h"
#include "server/storage/store.h"

// Master data of the OMS: warehouses, SKUs with their GTIN/JAN lists (normalised to GTIN-14),
// locations with their pick sequence. Imports take JSON or strict CSV (docs/api.md has the
// formats): a malformed document fails as a whole (InvalidInput / TooLarge); rows that are
// well-formed but invalid (bad check digit, unknown warehouse) are reported and the valid rows
// kept, all in one transaction. Every write leaves an audit row naming `actor`.
namespace Server::Oms {

class MasterDataService final
{
public:
    explicit MasterDataService(Storage::Store &store)
        : m_store(store)
    {}

    Common::Result<void> addWarehouse(const std::string &code, const std::string &name, const std::string &actor);
    Common::Result<ImportReport> importSkus(std::string_view body, ImportFormat format, const std::string &actor);
    Common::Result<ImportReport> importLocations(std::string_view body, ImportFormat format, const std::string &actor);
    Common::Result<std::vector<Common::Domain::Sku>> skus(std::string_view afterCode, int limit);
    Common::Result<std::vector<Common::Domain::Location>> locations(std::string_view warehouse);

private:
    Storage::Store &m_store;
};

// Shared by the OMS services. Text (names, addresses; up to `maxLength` bytes) is valid UTF-8
// without C0/C1 control characters or bidirectional overrides (U+202A–202E, U+2066–2069). A code
// (SKU, location, store, order number, badge) is 1–64 bytes of such text, without '|', leading or
// trailing space, and without invisible or space-like characters (NBSP, zero-width, U+3000, …)
// that would make two codes look the same on screen or on a label.
bool isValidCode(std::string_view text);
bool isValidText(std::string_view text, std::size_t maxLength);

} // namespace Server::Oms
