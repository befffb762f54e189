#include "server/admin/stockpages.h"

#include "server/admin/adminapplication.h"
#include "server/admin/orderpages.h"
#include "server/admin/pages.h"
#include "server/oms/csv.h"
#include "server/oms/orderservice.h"
#include "server/storage/storepool.h"

namespace Server::Admin {

namespace {

using namespace Parts;
using Common::Domain::MovementReason;
using Net::HttpResponse;

constexpr int skuPageSize = 50;
constexpr int maxSkuPageSize = 200;
constexpr int movementPageSize = 100;
constexpr std::size_t maxStockRows = 500;
constexpr std::size_t maxFilterBytes = 64;

std::string_view reasonName(MovementReason reason)
{
    switch (reason) {
    case MovementReason::Receipt:
        return "receipt";
    case MovementReason::Putaway:
        return "putaway";
    case MovementReason::Pick:
        return "pick";
    case MovementReason::Move:
        return "move";
    case MovementReason::CountAdjustment:
        return "count_adjustment";
    case MovementReason::Adjustment:
        return "adjustment";
    case MovementReason::Return:
        return "return";
    }
    return "unknown";
}

// A text query parameter: "" when absent; nullopt when over the limit or not UTF-8 (→ 400).
std::optional<std::string> textParameter(const AdminContext &context, std::string_view name)
{
    const std::string value(context.request.queryValue(name).value_or(""));
    if (value.size() > maxFilterBytes || !Oms::isValidUtf8(value))
        return std::nullopt;
    return value;
}

HttpResponse badFilter(const PageContext &page, Message title, std::string_view name)
{
    const Html content = Element("p")
                             .attribute("class", "card error-box")
                             .child(translated(page, Message::BadFilter))
                             .child(Html::literal(": "))
                             .text(name);
    return htmlResponse(400, layout(page, title, content));
}

HttpResponse failure(AdminApplication &application, AdminContext &context, const Common::Error &error)
{
    const bool down = error.code == Common::ErrorCode::Storage;
    return application.errorResponse(ResponseKind::Html, context.page, down ? 503 : 500,
                                     down ? "unavailable" : "internal", context.request);
}

Html searchForm(const PageContext &page, const char *action,
                std::initializer_list<std::pair<const char *, Message>> fields, const AdminContext &context)
{
    Element form("form");
    form.attribute("class", "filters").attribute("method", "get").attribute("action", action);
    for (const auto &[name, label] : fields)
        form.child(labelled(page, label,
                            Element("input")
                                .attribute("type", "text")
                                .attribute("name", name)
                                .attribute("value", context.request.queryValue(name).value_or(""))
                                .attribute("maxlength", static_cast<std::int64_t>(maxFilterBytes))));
    form.child(Element("button").attribute("type", "submit").child(translated(page, Message::ApplyFilter)));
    return form;
}

Html warehouseLinks(const std::vector<Storage::Warehouse> &warehouses, const char *path, std::string_view current)
{
    Element list("p");
    list.attribute("class", "warehouses");
    for (const auto &warehouse : warehouses) {
        Element link("a");
        link.attribute("href", std::string(path) + "?warehouse=" + encodeUriComponent(warehouse.code));
        if (warehouse.code == current)
            link.attribute("aria-current", "true");
        list.child(link.text(warehouse.code + " " + warehouse.name)).child(Html::literal(" "));
    }
    return list;
}

Html skuLink(std::string_view code)
{
    return Element("a").attribute("href", "/admin/stock/movements?sku=" + encodeUriComponent(code)).text(code);
}

HttpResponse skusPage(AdminApplication &application, Storage::StorePool &pool, AdminContext &context)
{
    const PageContext &page = context.page;
    const auto text = textParameter(context, "q");
    const auto after = textParameter(context, "after");
    if (!text || !after)
        return badFilter(page, Message::SkusTitle, !text ? "q" : "after");
    long long limit = skuPageSize;
    if (const auto given = context.request.queryValue("limit");
        given && (!Oms::parseCsvInteger(*given, limit) || limit < 1 || limit > maxSkuPageSize))
        return badFilter(page, Message::SkusTitle, "limit");
    auto lease = pool.acquire();
    if (!lease)
        return failure(application, context, lease.error());
    auto skus = (*lease)->searchSkus(*text, *after, static_cast<int>(limit) + 1);
    if (!skus)
        return failure(application, context, skus.error());
    Html next;
    if (skus->size() > static_cast<std::size_t>(limit)) {
        skus->resize(static_cast<std::size_t>(limit));
        next = Element("p").child(Element("a")
                                      .attribute("rel", "next")
                                      .attribute("href", "/admin/skus?q=" + encodeUriComponent(*text) +
                                                             "&after=" + encodeUriComponent(skus->back().code) +
                                                             "&limit=" + std::to_string(limit))
                                      .child(translated(page, Message::NextPage)));
    }
    Html table = emptyNote(page, Message::NoSkus);
    if (!skus->empty()) {
        Element head("tr");
        for (const Message message : {Message::Sku, Message::SkuName, Message::BaseUnit, Message::LotControlled,
                                      Message::Gtins, Message::StockOf})
            head.child(headerCell(page, message));
        Element body("tbody");
        for (const auto &sku : *skus) {
            std::string gtins;
            for (const auto &gtin : sku.gtins)
                gtins += (gtins.empty() ? "" : " ") + gtin;
            body.child(Element("tr")
                           .child(Element("td").child(skuLink(sku.code)))
                           .child(cell(sku.name))
                           .child(cell(sku.baseUnit))
                           .child(Element("td").child(translated(page, sku.lotControlled ? Message::Yes : Message::No)))
                           .child(cell(gtins))
                           .child(Element("td").child(
                               Element("a")
                                   .attribute("href", "/admin/stock?sku=" + encodeUriComponent(sku.code))
                                   .child(translated(page, Message::StockOf)))));
        }
        table = Element("table").attribute("class", "skus").child(Element("thead").child(head)).child(body);
    }
    const Html content = searchForm(page, "/admin/skus", {{"q", Message::SearchSku}}, context) + table + next;
    return htmlResponse(200, layout(page, Message::SkusTitle, content));
}

HttpResponse locationsPage(AdminApplication &application, Storage::StorePool &pool, AdminContext &context)
{
    const PageContext &page = context.page;
    const auto warehouse = textParameter(context, "warehouse");
    if (!warehouse)
        return badFilter(page, Message::LocationsTitle, "warehouse");
    auto lease = pool.acquire();
    if (!lease)
        return failure(application, context, lease.error());
    auto warehouses = (*lease)->warehouses();
    if (!warehouses)
        return failure(application, context, warehouses.error());
    std::string chosen = *warehouse;
    if (chosen.empty() && !warehouses->empty())
        chosen = warehouses->front().code;
    auto locations = (*lease)->locations(chosen);
    if (!locations)
        return failure(application, context, locations.error());
    Html table = emptyNote(page, Message::NoLocations);
    if (!locations->empty()) {
        Element head("tr");
        for (const Message message : {Message::Location, Message::Zone, Message::PickSequence, Message::StockOf})
            head.child(headerCell(page, message));
        Element body("tbody");
        for (const auto &location : *locations)
            body.child(Element("tr")
                           .child(cell(location.code))
                           .child(cell(location.zone))
                           .child(numberCell(location.pickSequence))
                           .child(Element("td").child(
                               Element("a")
                                   .attribute("href", "/admin/stock?warehouse=" + encodeUriComponent(chosen) +
                                                          "&location=" + encodeUriComponent(location.code))
                                   .child(translated(page, Message::StockOf)))));
        table = Element("table").attribute("class", "locations").child(Element("thead").child(head)).child(body);
    }
    const Html content =
        warehouseLinks(*warehouses, "/admin/locations", chosen) + Element("h2").text(chosen).html() + table;
    return htmlResponse(200, layout(page, Message::LocationsTitle, content));
}

HttpResponse stockPage(AdminApplication &application, Storage::StorePool &pool, AdminContext &context)
{
    const PageContext &page = context.page;
    const auto warehouse = textParameter(context, "warehouse");
    const auto location = textParameter(context, "location");
    const auto lot = textParameter(context, "lot");
    const auto sku = textParameter(context, "sku");
    if (!warehouse || !location || !lot || !sku)
        return badFilter(page, Message::StockTitle,
                         !warehouse  ? "warehouse"
                         : !location ? "location"
                         : !lot      ? "lot"
                                     : "sku");
    auto lease = pool.acquire();
    if (!lease)
        return failure(application, context, lease.error());
    Storage::BalanceFilter filter;
    if (!warehouse->empty())
        filter.warehouse = *warehouse;
    if (!sku->empty())
        filter.sku = *sku;
    auto balances = Oms::StockService(**lease).balances(filter);
    if (!balances)
        return failure(application, context, balances.error());
    std::vector<Storage::BalanceRecord> rows;
    bool capped = false;
    for (auto &balance : *balances) {
        if ((!location->empty() && balance.location != *location) || (!lot->empty() && balance.lot != *lot))
            continue;
        if (rows.size() == maxStockRows) {
            capped = true;
            break;
        }
        rows.push_back(std::move(balance));
    }
    Html table = emptyNote(page, Message::NoStock);
    if (!rows.empty()) {
        Element head("tr");
        for (const Message message :
             {Message::Warehouse, Message::Location, Message::Sku, Message::Lot, Message::Quantity})
            head.child(headerCell(page, message));
        Element body("tbody");
        for (const auto &row : rows)
            body.child(Element("tr")
                           .child(cell(row.warehouse))
                           .child(cell(row.location))
                           .child(Element("td").child(skuLink(row.sku)))
                           .child(cell(row.lot))
                           .child(numberCell(row.quantity)));
        table = Element("table").attribute("class", "stock").child(Element("thead").child(head)).child(body);
    }
    const Html content = searchForm(page, "/admin/stock",
                                    {{"warehouse", Message::Warehouse},
                                     {"location", Message::Location},
                                     {"lot", Message::Lot},
                                     {"sku", Message::Sku}},
                                    context) +
                         table + (capped ? emptyNote(page, Message::RowsCapped) : Html());
    return htmlResponse(200, layout(page, Message::StockTitle, content));
}

HttpResponse movementsPage(AdminApplication &application, Storage::StorePool &pool, AdminContext &context)
{
    const PageContext &page = context.page;
    const auto sku = textParameter(context, "sku");
    if (!sku)
        return badFilter(page, Message::MovementsTitle, "sku");
    long long after = 0;
    if (const auto given = context.request.queryValue("after"); given && (!Oms::parseCsvInteger(*given, after)))
        return badFilter(page, Message::MovementsTitle, "after");
    Html table = emptyNote(page, Message::NoMovements);
    Html next;
    if (!sku->empty()) {
        auto lease = pool.acquire();
        if (!lease)
            return failure(application, context, lease.error());
        auto movements = Oms::StockService(**lease).movements(*sku, after, movementPageSize + 1);
        if (!movements)
            return failure(application, context, movements.error());
        if (movements->size() > static_cast<std::size_t>(movementPageSize)) {
            movements->resize(static_cast<std::size_t>(movementPageSize));
            next =
                Element("p").child(Element("a")
                                       .attribute("rel", "next")
                                       .attribute("href", "/admin/stock/movements?sku=" + encodeUriComponent(*sku) +
                                                              "&after=" + std::to_string(movements->back().movement.id))
                                       .child(translated(page, Message::NextPage)));
        }
        if (!movements->empty()) {
            Element head("tr");
            for (const Message message : {Message::Time, Message::Warehouse, Message::Location, Message::Lot,
                                          Message::QuantityDelta, Message::Reason, Message::OperationId})
                head.child(headerCell(page, message));
            Element body("tbody");
            for (const auto &record : *movements) {
                const auto &movement = record.movement;
                body.child(Element("tr")
                               .child(Element("td").child(
                                   Element("time").attribute("datetime", record.createdAt).text(record.createdAt)))
                               .child(cell(movement.warehouse))
                               .child(cell(movement.location))
                               .child(cell(movement.lot))
                               .child(numberCell(movement.quantityDelta))
                               .child(cell(reasonName(movement.reason)))
                               .child(cell(movement.operationId)));
            }
            table = Element("table").attribute("class", "movements").child(Element("thead").child(head)).child(body);
        }
    }
    const Html content = searchForm(page, "/admin/stock/movements", {{"sku", Message::Sku}}, context) +
                         Element("h2").text(*sku).html() + table + next;
    return htmlResponse(200, layout(page, Message::MovementsTitle, content));
}

} // namespace

void installStockPages(AdminApplication &application, Storage::StorePool &pool)
{
    AdminApplication *app = &application;
    Storage::StorePool *stores = &pool;
    const auto page = [&application](const char *path, std::vector<std::string> parameters, auto render) {
        application.addRoute({"GET", path, AdminAuth::Session, Permission::ViewStock, StepUp::No, ResponseKind::Html,
                              AdminBody::None, 0, std::move(parameters), std::move(render)});
    };
    page("/admin/skus", {"q", "after", "limit"},
         [app, stores](AdminContext &context) { return skusPage(*app, *stores, context); });
    page("/admin/locations", {"warehouse"},
         [app, stores](AdminContext &context) { return locationsPage(*app, *stores, context); });
    page("/admin/stock", {"warehouse", "location", "lot", "sku"},
         [app, stores](AdminContext &context) { return stockPage(*app, *stores, context); });
    page("/admin/stock/movements", {"sku", "after"},
         [app, stores](AdminContext &context) { return movementsPage(*app, *stores, context); });
}

} // namespace Server::Admin
