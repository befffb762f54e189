// Fuzz target: CSV imports of the OMS (server/oms/csv.h, MasterDataService::importSkus /
// importLocations, OrderService::importOrders) over a fresh in-memory SQLite store per input
// (warehouse TKY1, SKU S1, so valid rows can be written). The whole input is the uploaded CSV
// body; it goes to all three imports (the header decides which one can accept it).
// Invariants: no crash or sanitizer report; parseCsv → re-quote every field → parseCsv gives the
// same records; a document refused as a whole changes nothing; an import that wrote no row
// changes nothing; a refused SKU or location row leaves its SKU/location exactly as it was
// (unless a valid row of the same file wrote that code); refused rows name CSV lines of records.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "server/oms/csv.h"
#include "server/oms/masterdataservice.h"
#include "server/oms/orderservice.h"
#include "server/storage/storepool.h"
#include "tests/fuzz/fuzzcheck.h"

namespace {

using namespace Server::Oms;
using Common::Domain::Location;
using Common::Domain::Sku;

const std::vector<std::string> s_skuHeader{"code", "name", "base_unit", "lot_controlled", "gtins"};
const std::vector<std::string> s_locationHeader{"warehouse", "code", "zone", "pick_sequence"};
const std::vector<std::string> s_orderHeader{"store", "order_number", "customer", "address", "line", "sku", "quantity"};
const std::string s_actor = "apikey:fuzz";

struct World
{
    std::unique_ptr<Server::Storage::StorePool> pool;
    Server::Storage::StoreLease store;

    World()
    {
        Server::Storage::StoreOptions options;
        options.durable = false;
        auto opened = Server::Storage::openStorePool(":memory:", options);
        FUZZ_CHECK(opened.has_value(), "cannot open an in-memory store");
        pool = std::move(*opened);
        auto leased = pool->acquire();
        FUZZ_CHECK(leased.has_value(), "cannot lease the store");
        store = std::move(*leased);
        FUZZ_CHECK(store->upsertWarehouse({"TKY1", "Tokyo 1"}).has_value(), "fixture warehouse");
        FUZZ_CHECK(store->upsertSku(Sku{"S1", "Green tea", {"04901234567894"}, "piece", false}).has_value(),
                   "fixture SKU");
    }
    ~World()
    {
        store.reset();
        pool.reset();
    }
    World(const World &) = delete;
    World &operator=(const World &) = delete;
};

std::string quoted(const std::vector<std::string> &fields)
{
    std::string line;
    for (std::size_t index = 0; index < fields.size(); ++index) {
        line += index ? ",\"" : "\"";
        for (char c : fields[index])
            line += c == '"' ? std::string("\"\"") : std::string(1, c);
        line += '"';
    }
    return line + "\r\n";
}

// The records of `text` for `header`, after checking that re-quoting them reads back the same.
std::optional<std::vector<CsvRow>> checkedRecords(std::string_view text, const std::vector<std::string> &header)
{
    auto parsed = parseCsv(text, header);
    if (!parsed)
        return std::nullopt;
    std::string again = quoted(header);
    for (const CsvRow &row : *parsed) {
        FUZZ_CHECK(row.fields.size() == header.size(), "record with another field count than the header");
        again += quoted(row.fields);
    }
    const auto reparsed = parseCsv(again, header);
    FUZZ_CHECK(reparsed.has_value(), "re-quoted records do not parse");
    FUZZ_CHECK(reparsed->size() == parsed->size(), "re-quoted records: another number of rows");
    for (std::size_t index = 0; index < parsed->size(); ++index)
        FUZZ_CHECK((*reparsed)[index].fields == (*parsed)[index].fields, "re-quoted record reads differently");
    return std::move(*parsed);
}

// Prints why an import refused a document parseCsv accepted, before the invariant fails.
template <typename Report>
void explainRefusal(const Report &report)
{
    if (!report)
        std::fprintf(stderr, "import refused: code %d: %s\n", static_cast<int>(report.error().code),
                     report.error().message.c_str());
}

std::set<long> refusedLines(const ImportReport &report, const std::vector<CsvRow> &records)
{
    std::set<long> recordLines;
    for (const CsvRow &row : records)
        recordLines.insert(row.line);
    std::set<long> refused;
    for (const RowError &error : report.errors) {
        FUZZ_CHECK(recordLines.contains(error.row), "refused row is not the line of a record");
        FUZZ_CHECK(!error.reason.empty(), "refused row without a reason");
        refused.insert(error.row);
    }
    return refused;
}

std::vector<Sku> allSkus(MasterDataService &service)
{
    auto skus = service.skus("", 100000);
    FUZZ_CHECK(skus.has_value(), "cannot list SKUs");
    return *skus;
}

std::optional<Sku> findSku(const std::vector<Sku> &skus, const std::string &code)
{
    for (const Sku &sku : skus) {
        if (sku.code == code)
            return sku;
    }
    return std::nullopt;
}

void importSkus(World &world, std::string_view body)
{
    const auto records = checkedRecords(body, s_skuHeader);
    MasterDataService service(*world.store);
    const std::vector<Sku> before = allSkus(service);
    const auto report = service.importSkus(body, ImportFormat::Csv, s_actor);
    const std::vector<Sku> after = allSkus(service);
    if (report.has_value() != records.has_value())
        explainRefusal(report);
    FUZZ_CHECK(report.has_value() == records.has_value(), "import and parseCsv disagree on the document");
    if (!report || report->imported == 0) {
        FUZZ_CHECK(before == after, "an import that wrote nothing changed the SKUs");
        return;
    }
    const std::set<long> refused = refusedLines(*report, *records);
    std::set<std::string> written;
    for (const CsvRow &row : *records) {
        if (!refused.contains(row.line))
            written.insert(row.fields[0]);
    }
    for (const CsvRow &row : *records) {
        if (refused.contains(row.line) && !written.contains(row.fields[0]))
            FUZZ_CHECK(findSku(before, row.fields[0]) == findSku(after, row.fields[0]), "a refused row changed a SKU");
    }
}

std::vector<Location> allLocations(MasterDataService &service)
{
    auto locations = service.locations("TKY1");
    FUZZ_CHECK(locations.has_value(), "cannot list locations");
    return *locations;
}

void importLocations(World &world, std::string_view body)
{
    const auto records = checkedRecords(body, s_locationHeader);
    MasterDataService service(*world.store);
    const std::vector<Location> before = allLocations(service);
    const auto report = service.importLocations(body, ImportFormat::Csv, s_actor);
    const std::vector<Location> after = allLocations(service);
    if (report.has_value() != records.has_value())
        explainRefusal(report);
    FUZZ_CHECK(report.has_value() == records.has_value(), "import and parseCsv disagree on the document");
    if (!report || report->imported == 0) {
        FUZZ_CHECK(before == after, "an import that wrote nothing changed the locations");
        return;
    }
    const std::set<long> refused = refusedLines(*report, *records);
    std::set<std::string> written;
    for (const CsvRow &row : *records) {
        if (!refused.contains(row.line))
            written.insert(row.fields[1]);
    }
    for (const CsvRow &row : *records) {
        if (!refused.contains(row.line) || written.contains(row.fields[1]) || row.fields[0] != "TKY1")
            continue;
        auto same = [&](const std::vector<Location> &list) {
            std::optional<Location> found;
            for (const Location &location : list) {
                if (location.code == row.fields[1])
                    found = location;
            }
            return found;
        };
        FUZZ_CHECK(same(before) == same(after), "a refused row changed a location");
    }
}

void importOrders(World &world, std::string_view body)
{
    const auto records = checkedRecords(body, s_orderHeader);
    OrderService service(*world.store);
    const auto before = service.list(std::nullopt, std::nullopt, 0, 100000);
    FUZZ_CHECK(before.has_value(), "cannot list orders");
    const auto report = service.importOrders(body, ImportFormat::Csv, std::nullopt, s_actor);
    const auto after = service.list(std::nullopt, std::nullopt, 0, 100000);
    FUZZ_CHECK(after.has_value(), "cannot list orders");
    if (report.has_value() != records.has_value())
        explainRefusal(report);
    FUZZ_CHECK(report.has_value() == records.has_value(), "import and parseCsv disagree on the document");
    if (!report || report->imported == 0)
        FUZZ_CHECK(*before == *after, "an import that wrote nothing changed the orders");
    if (report)
        refusedLines(*report, *records);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const std::string_view body(reinterpret_cast<const char *>(data), size);
    long long number = 0;
    (void)parseCsvInteger(body, number, true);
    (void)isValidUtf8(body);
    // A body no header accepts is refused by parseCsv before any import touches the store;
    // only the others pay for a world (fresh per input: a finding reproduces from its input alone).
    if (!parseCsv(body, s_skuHeader) && !parseCsv(body, s_locationHeader) && !parseCsv(body, s_orderHeader))
        return 0;
    World world;
    importSkus(world, body);
    importLocations(world, body);
    importOrders(world, body);
    return 0;
}
