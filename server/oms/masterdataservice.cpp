#include "server/oms/masterdataservice.h"

#include <algorithm>
#include <set>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include "common/protocol/strictjson.h"
#include "server/oms/csv.h"
#include "common/barcode/gtin.h"
#include "server/storage/ids.h"

namespace Server::Oms {

namespace {

namespace json = boost::json;
using Common::ErrorCode;
using Common::Result;
using namespace Common::Protocol;

std::string auditDetails(std::string_view body, const ImportReport &report)
{
    json::object o;
    o["sha256"] = Storage::sha256Hex(body);
    o["imported"] = report.imported;
    o["rejected"] = report.errors.size();
    return json::serialize(o);
}

struct SkuRow
{
    long row = 0;
    Common::Domain::Sku sku;
    std::vector<std::string> rawGtins;
};

struct LocationRow
{
    long row = 0;
    Common::Domain::Location location;
};

Result<std::vector<SkuRow>> readSkus(std::string_view body, ImportFormat format)
{
    std::vector<SkuRow> rows;
    if (format == ImportFormat::Csv) {
        auto csv = parseCsv(body, {"code", "name", "base_unit", "lot_controlled", "gtins"});
        if (!csv)
            return tl::unexpected(csv.error());
        for (auto &record : *csv) {
            SkuRow row;
            row.row = record.line;
            row.sku.code = record.fields[0];
            row.sku.name = record.fields[1];
            row.sku.baseUnit = record.fields[2].empty() ? "piece" : record.fields[2];
            row.sku.lotControlled = record.fields[3] == "1";
            if (record.fields[3] != "0" && record.fields[3] != "1" && !record.fields[3].empty())
                row.sku.baseUnit = "\x01"; // marks the row invalid below with a clear reason
            std::string_view list = record.fields[4];
            while (!list.empty()) {
                const auto bar = list.find('|');
                row.rawGtins.emplace_back(list.substr(0, bar));
                list = bar == std::string_view::npos ? std::string_view() : list.substr(bar + 1);
            }
            rows.push_back(std::move(row));
        }
        return rows;
    }
    auto parsed = parseStrict(body);
    if (!parsed)
        return tl::unexpected(parsed.error());
    DecodeContext context;
    ObjectReader top(context, *parsed, "");
    const json::array *items = top.array("skus", 1000);
    top.finish();
    if (items) {
        for (std::size_t i = 0; i < items->size() && context.ok(); ++i) {
            ObjectReader item(context, (*items)[i], "skus[" + std::to_string(i) + "]");
            SkuRow row;
            row.row = static_cast<long>(i);
            row.sku.code = item.string("code", {1, 64});
            row.sku.name = item.string("name", {1, 200});
            row.sku.baseUnit = item.optionalString("base_unit", {1, 16}).value_or("piece");
            row.sku.lotControlled = item.optionalBoolean("lot_controlled").value_or(false);
            if (const json::array *gtins = item.array("gtins", 32, false)) {
                for (std::size_t k = 0; k < gtins->size(); ++k) {
                    std::string gtin;
                    if (checkString(context, (*gtins)[k], item.path("gtins") + "[" + std::to_string(k) + "]", {1, 14},
                                    gtin))
                        row.rawGtins.push_back(gtin);
                }
            }
            item.finish();
            rows.push_back(std::move(row));
        }
    }
    if (!context.ok())
        return tl::unexpected(*context.error);
    return rows;
}

Result<std::vector<LocationRow>> readLocations(std::string_view body, ImportFormat format)
{
    std::vector<LocationRow> rows;
    if (format == ImportFormat::Csv) {
        auto csv = parseCsv(body, {"warehouse", "code", "zone", "pick_sequence"});
        if (!csv)
            return tl::unexpected(csv.error());
        for (auto &record : *csv) {
            LocationRow row;
            row.row = record.line;
            row.location.warehouse = record.fields[0];
            row.location.code = record.fields[1];
            row.location.zone = record.fields[2];
            long long sequence = 0;
            row.location.pickSequence = parseCsvInteger(record.fields[3], sequence) ? sequence : -1;
            rows.push_back(std::move(row));
        }
        return rows;
    }
    auto parsed = parseStrict(body);
    if (!parsed)
        return tl::unexpected(parsed.error());
    DecodeContext context;
    ObjectReader top(context, *parsed, "");
    const json::array *items = top.array("locations", 1000);
    top.finish();
    if (items) {
        for (std::size_t i = 0; i < items->size() && context.ok(); ++i) {
            ObjectReader item(context, (*items)[i], "locations[" + std::to_string(i) + "]");
            LocationRow row;
            row.row = static_cast<long>(i);
            row.location.warehouse = item.string("warehouse", {1, 64});
            row.location.code = item.string("code", {1, 64});
            row.location.zone = item.optionalString("zone", {0, 32}).value_or("");
            row.location.pickSequence = item.integer("pick_sequence", 0, 1'000'000'000);
            item.finish();
            rows.push_back(std::move(row));
        }
    }
    if (!context.ok())
        return tl::unexpected(*context.error);
    return rows;
}

} // namespace

namespace {

// Calls `visit` with each code point of valid UTF-8 `text`; stops when it returns false.
template <typename Visit> bool eachCodePoint(std::string_view text, Visit visit)
{
    for (std::size_t i = 0; i < text.size();) {
        const auto byte = static_cast<unsigned char>(text[i]);
        std::size_t length = byte < 0x80 ? 1 : (byte & 0xE0) == 0xC0 ? 2 : (byte & 0xF0) == 0xE0 ? 3 : 4;
        std::uint32_t codePoint = length == 1 ? byte : length == 2 ? (byte & 0x1Fu) : length == 3 ? (byte & 0x0Fu) : (byte & 0x07u);
        for (std::size_t k = 1; k < length && i + k < text.size(); ++k)
            codePoint = (codePoint << 6) | (static_cast<unsigned char>(text[i + k]) & 0x3Fu);
        if (!visit(codePoint))
            return false;
        i += length;
    }
    return true;
}

// C0/C1 controls and the bidirectional overrides/isolates that make text display differently
// from what it is ("Trojan Source", CVE-2021-42574): never in any stored text.
bool isControlOrBidi(std::uint32_t c)
{
    return c < 0x20 || (c >= 0x7F && c <= 0x9F) || (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069);
}

// Characters that are invisible or look like a plain space: a code containing one cannot be told
// apart on screen or on a label from the code without it.
bool isInvisibleOrSpaceLike(std::uint32_t c)
{
    return c == 0xA0 || c == 0xAD || c == 0x034F || c == 0x061C || c == 0x115F || c == 0x1160 || c == 0x1680 ||
           c == 0x180E || (c >= 0x2000 && c <= 0x200F) || (c >= 0x2028 && c <= 0x202F) || (c >= 0x205F && c <= 0x206F) ||
           c == 0x3000 || c == 0x3164 || (c >= 0xFE00 && c <= 0xFE0F) || c == 0xFEFF || c == 0xFFA0 ||
           (c >= 0xFFF0 && c <= 0xFFFB) || (c >= 0xE0000 && c <= 0xE0FFF);
}

} // namespace

bool isValidText(std::string_view text, std::size_t maxLength)
{
    if (text.size() > maxLength || !isValidUtf8(text))
        return false;
    return eachCodePoint(text, [](std::uint32_t c) { return !isControlOrBidi(c); });
}

bool isValidCode(std::string_view text)
{
    if (text.empty() || !isValidText(text, 64) || text.find('|') != std::string_view::npos || text.front() == ' ' ||
        text.back() == ' ')
        return false;
    return eachCodePoint(text, [](std::uint32_t c) { return !isInvisibleOrSpaceLike(c); });
}

Result<void> MasterDataService::addWarehouse(const std::string &code, const std::string &name, const std::string &actor)
{
    if (!isValidCode(code))
        return Common::fail(ErrorCode::InvalidInput, "bad_value at code: warehouse code invalid");
    if (name.empty() || !isValidText(name, 200))
        return Common::fail(ErrorCode::InvalidInput, "bad_value at name: 1-200 printable characters");
    Storage::Transaction transaction(m_store);
    if (!transaction.started())
        return tl::unexpected(transaction.started().error());
    // Adding must never rename a warehouse that terminals and orders already refer to.
    auto exists = m_store.warehouseExists(code);
    if (!exists)
        return tl::unexpected(exists.error());
    if (*exists)
        return Common::fail(ErrorCode::Conflict, "warehouse " + code + " already exists");
    if (auto done = m_store.upsertWarehouse({code, name}); !done)
        return done;
    if (auto done = m_store.appendAudit({0, {}, actor, "warehouse_added", code, "{}"}); !done)
        return tl::unexpected(done.error());
    return transaction.commit();
}

Result<ImportReport> MasterDataService::importSkus(std::string_view body, ImportFormat format, const std::string &actor)
{
    auto rows = readSkus(body, format);
    if (!rows)
        return tl::unexpected(rows.error());
    ImportReport report;
    Storage::Transaction transaction(m_store);
    if (!transaction.started())
        return tl::unexpected(transaction.started().error());
    std::set<std::string> seenCodes;
    for (SkuRow &row : *rows) {
        if (!isValidCode(row.sku.code)) {
            report.errors.push_back({row.row, "code: 1-64 visible characters, no '|'"});
            continue;
        }
        if (!isValidText(row.sku.name, 200) || row.sku.name.empty()) {
            report.errors.push_back({row.row, "name: 1-200 printable characters"});
            continue;
        }
        if (row.sku.baseUnit == "\x01" || !isValidCode(row.sku.baseUnit)) {
            report.errors.push_back({row.row, "lot_controlled must be 0 or 1, base_unit a short code"});
            continue;
        }
        if (!seenCodes.insert(row.sku.code).second) {
            report.errors.push_back({row.row, "SKU " + row.sku.code + " appears twice in this import"});
            continue;
        }
        std::string problem;
        for (const std::string &raw : row.rawGtins) {
            auto gtin = Common::Barcode::normaliseGtin14(raw);
            if (!gtin) {
                problem = "GTIN " + raw + ": " + gtin.error().message;
                break;
            }
            auto owner = m_store.skuCodeByGtin(*gtin);
            if (!owner)
                return tl::unexpected(owner.error());
            if (*owner && **owner != row.sku.code) {
                problem = "GTIN " + raw + " already belongs to SKU " + **owner;
                break;
            }
            // The same GTIN twice in one row (e.g. as JAN-13 and as GTIN-14) is kept once; stored
            // twice it broke the GTIN's uniqueness and refused the whole import (found by fuzzing).
            if (std::find(row.sku.gtins.begin(), row.sku.gtins.end(), *gtin) == row.sku.gtins.end())
                row.sku.gtins.push_back(*gtin);
        }
        if (!problem.empty()) {
            report.errors.push_back({row.row, problem});
            continue;
        }
        if (auto done = m_store.upsertSku(row.sku); !done)
            return tl::unexpected(done.error());
        ++report.imported;
    }
    if (auto done = m_store.appendAudit({0,
                                         {},
                                         actor,
                                         format == ImportFormat::Csv ? "csv_import" : "json_import",
                                         "skus",
                                         auditDetails(body, report)});
        !done)
        return tl::unexpected(done.error());
    if (auto done = transaction.commit(); !done)
        return tl::unexpected(done.error());
    return report;
}

Result<ImportReport> MasterDataService::importLocations(std::string_view body, ImportFormat format,
                                                        const std::string &actor)
{
    auto rows = readLocations(body, format);
    if (!rows)
        return tl::unexpected(rows.error());
    ImportReport report;
    Storage::Transaction transaction(m_store);
    if (!transaction.started())
        return tl::unexpected(transaction.started().error());
    for (const LocationRow &row : *rows) {
        if (!isValidCode(row.location.code)) {
            report.errors.push_back({row.row, "code: 1-64 visible characters, no '|'"});
            continue;
        }
        if (!isValidText(row.location.zone, 32)) {
            report.errors.push_back({row.row, "zone: up to 32 printable characters"});
            continue;
        }
        if (row.location.pickSequence < 0) {
            report.errors.push_back({row.row, "pick_sequence must be a non-negative integer"});
            continue;
        }
        auto known = m_store.warehouseExists(row.location.warehouse);
        if (!known)
            return tl::unexpected(known.error());
        if (!*known) {
            report.errors.push_back({row.row, "unknown warehouse " + row.location.warehouse});
            continue;
        }
        if (auto done = m_store.upsertLocation(row.location); !done)
            return tl::unexpected(done.error());
        ++report.imported;
    }
    if (auto done = m_store.appendAudit({0,
                                         {},
                                         actor,
                                         format == ImportFormat::Csv ? "csv_import" : "json_import",
                                         "locations",
                                         auditDetails(body, report)});
        !done)
        return tl::unexpected(done.error());
    if (auto done = transaction.commit(); !done)
        return tl::unexpected(done.error());
    return report;
}

Result<std::vector<Common::Domain::Sku>> MasterDataService::skus(std::string_view afterCode, int limit)
{
    return m_store.skus(afterCode, limit);
}

Result<std::vector<Common::Domain::Location>> MasterDataService::locations(std::string_view warehouse)
{
    return m_store.locations(warehouse);
}

} // namespace Server::Oms
