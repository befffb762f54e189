#include "server/storage/changedata.h"

#include <cstdio>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

namespace Server::Storage::ChangeData {

namespace {
namespace json = boost::json;
json::string_view sv(const std::string &text)
{
    return json::string_view(text.data(), text.size());
}
} // namespace

std::string ofSku(const Common::Domain::Sku &value)
{
    json::object o;
    o["code"] = sv(value.code);
    o["name"] = sv(value.name);
    json::array gtins;
    for (const std::string &gtin : value.gtins)
        gtins.emplace_back(sv(gtin));
    o["gtins"] = std::move(gtins);
    o["base_unit"] = sv(value.baseUnit);
    o["lot_controlled"] = value.lotControlled;
    return json::serialize(o);
}

std::string ofLot(const Common::Domain::Lot &value)
{
    json::object o;
    o["sku"] = sv(value.skuCode);
    o["lot"] = sv(value.code);
    if (value.expiry) {
        char text[32];
        std::snprintf(text, sizeof text, "%04d-%02d-%02d", value.expiry->year, value.expiry->month, value.expiry->day);
        o["expiry"] = text;
    } else {
        o["expiry"] = nullptr;
    }
    o["blocked"] = value.blocked;
    return json::serialize(o);
}

std::string ofLocation(const Common::Domain::Location &value)
{
    json::object o;
    o["code"] = sv(value.code);
    o["zone"] = sv(value.zone);
    o["pick_sequence"] = value.pickSequence;
    return json::serialize(o);
}

std::string ofOrder(const Common::Domain::Order &value)
{
    json::object o;
    o["id"] = value.id;
    o["store"] = sv(value.store);
    o["order_number"] = sv(value.orderNumber);
    o["customer"] = sv(value.customer);
    o["state"] = Common::Domain::orderStateName(value.state);
    json::array lines;
    for (const auto &line : value.lines) {
        json::object item;
        item["line"] = line.lineNumber;
        item["sku"] = sv(line.skuCode);
        item["quantity"] = line.quantity;
        item["picked"] = line.picked;
        lines.emplace_back(std::move(item));
    }
    o["lines"] = std::move(lines);
    return json::serialize(o);
}

std::string ofStock(const BalanceRecord &value)
{
    json::object o;
    o["sku"] = sv(value.sku);
    o["location"] = sv(value.location);
    o["lot"] = sv(value.lot);
    o["quantity"] = value.quantity;
    return json::serialize(o);
}

std::string ofOperator(const OperatorRecord &value)
{
    json::object o;
    o["badge"] = sv(value.badge);
    o["name"] = sv(value.name);
    o["role"] = sv(value.role);
    o["pin_hash"] = sv(value.pinHash);
    o["active"] = value.active;
    return json::serialize(o);
}

std::string stockKey(const std::string &sku, const std::string &location, const std::string &lot)
{
    return sku + '|' + location + '|' + lot;
}

std::string lotKey(const std::string &sku, const std::string &lot)
{
    return sku + '|' + lot;
}

} // namespace Server::Storage::ChangeData
