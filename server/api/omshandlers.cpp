// Routes of the api listener for store integrations and back-office tools: master data,
// orders, stock (docs/api.md).
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include "server/api/apiapplication.h"
#include "server/storage/store.h"

namespace Server::Api {

namespace {

namespace json = boost::json;
using Common::Domain::Order;
using Net::HttpResponse;

constexpr std::size_t s_jsonLimit = 1024 * 1024;
constexpr std::size_t s_importLimit = 10 * 1024 * 1024;

HttpResponse jsonResponse(int status, const json::value &value)
{
    HttpResponse response;
    response.status = status;
    response.body = json::serialize(value);
    return response;
}

Oms::ImportFormat formatOf(const Net::HttpRequest &request)
{
    const auto type = headerValue(request, "content-type");
    return type && type->size() >= 8 && (type->substr(0, 8) == "text/csv" || type->substr(0, 8) == "TEXT/CSV")
               ? Oms::ImportFormat::Csv
               : Oms::ImportFormat::Json;
}

// A decimal query parameter in [minimum, maximum]; nullopt with `bad` set when malformed.
std::optional<long long> integerParameter(const Net::HttpRequest &request, std::string_view name, long long fallback,
                                          long long minimum, long long maximum, bool &bad)
{
    const auto text = queryValue(request, name);
    if (!text)
        return fallback;
    if (text->empty() || text->size() > 18 || text->find_first_not_of("0123456789") != std::string_view::npos) {
        bad = true;
        return std::nullopt;
    }
    const long long value = std::stoll(std::string(*text));
    if (value < minimum || value > maximum) {
        bad = true;
        return std::nullopt;
    }
    return value;
}

json::object orderJson(const Order &order)
{
    json::object o;
    o["id"] = order.id;
    o["store"] = order.store;
    o["order_number"] = order.orderNumber;
    o["customer"] = order.customer;
    o["address"] = order.address;
    o["state"] = Common::Domain::orderStateName(order.state);
    if (order.warehouse.empty())
        o["warehouse"] = nullptr;
    else
        o["warehouse"] = order.warehouse;
    json::array lines;
    for (const auto &line : order.lines) {
        json::object item;
        item["line"] = line.lineNumber;
        item["sku"] = line.skuCode;
        item["quantity"] = line.quantity;
        item["picked"] = line.picked;
        lines.emplace_back(std::move(item));
    }
    o["lines"] = std::move(lines);
    return o;
}

// 200 when at least one row was imported or already known (the refused ones listed beside them);
// 422 when every row was refused: nothing was written (REQUIREMENTS.md §9 C8), same body.
int reportStatus(const Oms::ImportReport &report)
{
    return report.imported == 0 && report.unchanged == 0 && !report.errors.empty() ? 422 : 200;
}

json::object reportJson(const Oms::ImportReport &report)
{
    json::object o;
    o["imported"] = report.imported;
    o["unchanged"] = report.unchanged;
    json::array ids;
    for (const auto id : report.ids)
        ids.emplace_back(id);
    o["ids"] = std::move(ids);
    json::array errors;
    for (const auto &error : report.errors) {
        json::object item;
        item["row"] = error.row;
        item["reason"] = error.reason;
        errors.emplace_back(std::move(item));
    }
    o["errors"] = std::move(errors);
    return o;
}

} // namespace

void ApiApplication::addOmsRoutes()
{
    using Net::Listener;
    const auto badQuery = [](std::string_view name) {
        return errorResponse(400, "out_of_range",
                             "query parameter " + std::string(name) + " is malformed or out of range");
    };
    // A CSV syntax error fails the whole file with its line number: 422 (REQUIREMENTS.md §9 C4/C5).
    const auto importError = [this](const Common::Error &error, const RouteContext &context, Oms::ImportFormat format) {
        if (format == Oms::ImportFormat::Csv && error.code == Common::ErrorCode::InvalidInput) {
            json::object o;
            o["error"] = "invalid_csv";
            o["message"] = error.message;
            o["line"] = error.position;
            return jsonResponse(422, o);
        }
        return fromError(error, context.request);
    };
    // Loads an order the caller may see; store-scoped keys see only their store's (R22: 404).
    const auto visibleOrder = [this](RouteContext &context) -> Common::Result<Order> {
        auto order = context.services->orders.order(std::stoll(context.parameters.at(0)));
        if (!order)
            return tl::unexpected(order.error());
        if (!*order || (context.caller.storeScope && (*order)->store != *context.caller.storeScope))
            return Common::fail(Common::ErrorCode::NotFound, "order not found");
        return std::move(**order);
    };

    // ---- master data ----
    m_routes.push_back(Route{Listener::Api,
                             "GET",
                             "/api/v1/skus",
                             Auth::ApiKey,
                             BodyKind::None,
                             0,
                             {"after", "limit"},
                             [this, badQuery](RouteContext &context) {
                                 bool bad = false;
                                 const auto limit = integerParameter(context.request, "limit", 100, 1, 1000, bad);
                                 if (bad)
                                     return badQuery("limit");
                                 const auto after = queryValue(context.request, "after").value_or("");
                                 auto skus = context.services->masterData.skus(after, static_cast<int>(*limit));
                                 if (!skus)
                                     return fromError(skus.error(), context.request);
                                 json::array items;
                                 for (const auto &sku : *skus) {
                                     json::object item;
                                     item["code"] = sku.code;
                                     item["name"] = sku.name;
                                     json::array gtins;
                                     for (const auto &gtin : sku.gtins)
                                         gtins.emplace_back(json::string_view(gtin));
                                     item["gtins"] = std::move(gtins);
                                     item["base_unit"] = sku.baseUnit;
                                     item["lot_controlled"] = sku.lotControlled;
                                     items.emplace_back(std::move(item));
                                 }
                                 json::object o;
                                 o["skus"] = std::move(items);
                                 return jsonResponse(200, o);
                             }});
    m_routes.push_back(Route{
        Listener::Api,
        "POST",
        "/api/v1/skus/import",
        Auth::ApiKeyAdmin,
        BodyKind::JsonOrCsv,
        s_importLimit,
        {},
        [this, importError](RouteContext &context) {
            const auto format = formatOf(context.request);
            if (format == Oms::ImportFormat::Json && context.request.body.size() > s_jsonLimit)
                return errorResponse(413, "too_large", "JSON imports are limited to 1 MiB; use CSV");
            auto report = context.services->masterData.importSkus(context.request.body, format, context.caller.actor);
            if (!report)
                return importError(report.error(), context, format);
            return jsonResponse(reportStatus(*report), reportJson(*report));
        }});
    m_routes.push_back(Route{Listener::Api,
                             "GET",
                             "/api/v1/locations",
                             Auth::ApiKey,
                             BodyKind::None,
                             0,
                             {"warehouse"},
                             [this](RouteContext &context) {
                                 const auto warehouse = queryValue(context.request, "warehouse");
                                 if (!warehouse)
                                     return errorResponse(400, "missing_parameter", "warehouse is required");
                                 auto locations = context.services->masterData.locations(*warehouse);
                                 if (!locations)
                                     return fromError(locations.error(), context.request);
                                 json::array items;
                                 for (const auto &location : *locations) {
                                     json::object item;
                                     item["warehouse"] = location.warehouse;
                                     item["code"] = location.code;
                                     item["zone"] = location.zone;
                                     item["pick_sequence"] = location.pickSequence;
                                     items.emplace_back(std::move(item));
                                 }
                                 json::object o;
                                 o["locations"] = std::move(items);
                                 return jsonResponse(200, o);
                             }});
    m_routes.push_back(
        Route{Listener::Api,
              "POST",
              "/api/v1/locations/import",
              Auth::ApiKeyAdmin,
              BodyKind::JsonOrCsv,
              s_importLimit,
              {},
              [this, importError](RouteContext &context) {
                  const auto format = formatOf(context.request);
                  if (format == Oms::ImportFormat::Json && context.request.body.size() > s_jsonLimit)
                      return errorResponse(413, "too_large", "JSON imports are limited to 1 MiB; use CSV");
                  auto report =
                      context.services->masterData.importLocations(context.request.body, format, context.caller.actor);
                  if (!report)
                      return importError(report.error(), context, format);
                  return jsonResponse(reportStatus(*report), reportJson(*report));
              }});

    // ---- orders ----
    m_routes.push_back(Route{Listener::Api,
                             "POST",
                             "/api/v1/orders",
                             Auth::ApiKey,
                             BodyKind::Json,
                             s_jsonLimit,
                             {},
                             [this](RouteContext &context) {
                                 auto created = context.services->orders.createFromJson(
                                     context.request.body, context.caller.storeScope, context.caller.actor);
                                 if (!created)
                                     return fromError(created.error(), context.request);
                                 json::object o;
                                 o["id"] = created->id;
                                 o["created"] = created->created;
                                 return jsonResponse(created->created ? 201 : 200, o);
                             }});
    m_routes.push_back(Route{Listener::Api,
                             "POST",
                             "/api/v1/orders/import",
                             Auth::ApiKey,
                             BodyKind::JsonOrCsv,
                             s_importLimit,
                             {},
                             [this, importError](RouteContext &context) {
                                 const auto format = formatOf(context.request);
                                 if (format == Oms::ImportFormat::Json && context.request.body.size() > s_jsonLimit)
                                     return errorResponse(413, "too_large",
                                                          "JSON imports are limited to 1 MiB; use CSV");
                                 auto report = context.services->orders.importOrders(
                                     context.request.body, format, context.caller.storeScope, context.caller.actor);
                                 if (!report)
                                     return importError(report.error(), context, format);
                                 return jsonResponse(reportStatus(*report), reportJson(*report));
                             }});
    m_routes.push_back(
        Route{Listener::Api,
              "GET",
              "/api/v1/orders",
              Auth::ApiKey,
              BodyKind::None,
              0,
              {"state", "warehouse", "after", "limit"},
              [this, badQuery](RouteContext &context) {
                  bool bad = false;
                  const auto limit = integerParameter(context.request, "limit", 100, 1, 1000, bad);
                  if (bad)
                      return badQuery("limit");
                  const auto after = integerParameter(context.request, "after", 0, 0, INT64_MAX, bad);
                  if (bad)
                      return badQuery("after");
                  std::optional<Common::Domain::OrderState> state;
                  if (const auto text = queryValue(context.request, "state")) {
                      state = Common::Domain::orderStateFromName(*text);
                      if (!state)
                          return errorResponse(400, "bad_value", "state must be one of the order states");
                  }
                  std::optional<std::string> warehouse;
                  if (const auto text = queryValue(context.request, "warehouse"))
                      warehouse = std::string(*text);
                  auto orders = context.services->orders.list(state, warehouse, *after, static_cast<int>(*limit));
                  if (!orders)
                      return fromError(orders.error(), context.request);
                  json::array items;
                  for (const Order &order : *orders)
                      if (!context.caller.storeScope || order.store == *context.caller.storeScope)
                          items.emplace_back(orderJson(order));
                  json::object o;
                  o["orders"] = std::move(items);
                  if (!orders->empty())
                      o["next_after"] = orders->back().id;
                  return jsonResponse(200, o);
              }});
    m_routes.push_back(Route{Listener::Api,
                             "GET",
                             "/api/v1/orders/{id}",
                             Auth::ApiKey,
                             BodyKind::None,
                             0,
                             {},
                             [this, visibleOrder](RouteContext &context) {
                                 auto order = visibleOrder(context);
                                 if (!order)
                                     return fromError(order.error(), context.request);
                                 return jsonResponse(200, orderJson(*order));
                             }});
    // State changes: cancel is open to the store's own key; the warehouse-side steps are admin.
    struct Step
    {
        const char *pattern;
        Auth auth;
        int kind;
    };
    for (const Step step : {Step{"/api/v1/orders/{id}/cancel", Auth::ApiKey, 0},
                            Step{"/api/v1/orders/{id}/allocate", Auth::ApiKeyAdmin, 1},
                            Step{"/api/v1/orders/{id}/release", Auth::ApiKeyAdmin, 2},
                            Step{"/api/v1/orders/{id}/deallocate", Auth::ApiKeyAdmin, 3}}) {
        const int kind = step.kind;
        m_routes.push_back(Route{
            Listener::Api,
            "POST",
            step.pattern,
            step.auth,
            BodyKind::None,
            0,
            {},
            [this, visibleOrder, kind](RouteContext &context) {
                auto order = visibleOrder(context);
                if (!order)
                    return fromError(order.error(), context.request);
                Common::Result<void> done;
                if (kind == 0)
                    done = context.services->orders.cancel(order->id, context.caller.actor);
                else if (kind == 1)
                    done =
                        context.services->orders.allocate(order->id, context.caller.actor).map([](const std::string &) {
                        });
                else if (kind == 2)
                    done = context.services->orders.release(order->id, context.caller.actor);
                else
                    done = context.services->orders.deallocate(order->id, context.caller.actor);
                if (!done)
                    return fromError(done.error(), context.request);
                auto updated = context.services->orders.order(order->id);
                if (!updated || !*updated)
                    return fromError(updated ? Common::Error::make(Common::ErrorCode::Internal, "order vanished")
                                             : updated.error(),
                                     context.request);
                return jsonResponse(200, orderJson(**updated));
            }});
    }

    // ---- stock ----
    m_routes.push_back(Route{Listener::Api,
                             "GET",
                             "/api/v1/stock/balances",
                             Auth::ApiKey,
                             BodyKind::None,
                             0,
                             {"sku", "warehouse"},
                             [this](RouteContext &context) {
                                 Storage::BalanceFilter filter;
                                 if (const auto sku = queryValue(context.request, "sku"))
                                     filter.sku = std::string(*sku);
                                 if (const auto warehouse = queryValue(context.request, "warehouse"))
                                     filter.warehouse = std::string(*warehouse);
                                 if (!filter.sku && !filter.warehouse)
                                     return errorResponse(400, "missing_parameter", "give sku, warehouse or both");
                                 auto balances = context.services->stock.balances(filter);
                                 if (!balances)
                                     return fromError(balances.error(), context.request);
                                 json::array items;
                                 for (const auto &balance : *balances) {
                                     json::object item;
                                     item["warehouse"] = balance.warehouse;
                                     item["sku"] = balance.sku;
                                     item["location"] = balance.location;
                                     item["lot"] = balance.lot;
                                     item["quantity"] = balance.quantity;
                                     items.emplace_back(std::move(item));
                                 }
                                 json::object o;
                                 o["balances"] = std::move(items);
                                 return jsonResponse(200, o);
                             }});
    m_routes.push_back(Route{Listener::Api,
                             "GET",
                             "/api/v1/stock/warehouses",
                             Auth::ApiKey,
                             BodyKind::None,
                             0,
                             {"sku"},
                             [this](RouteContext &context) {
                                 std::optional<std::string> sku;
                                 if (const auto text = queryValue(context.request, "sku"))
                                     sku = std::string(*text);
                                 auto totals = context.services->stock.warehouseTotals(sku);
                                 if (!totals)
                                     return fromError(totals.error(), context.request);
                                 json::array items;
                                 for (const auto &total : *totals) {
                                     json::object item;
                                     item["warehouse"] = total.warehouse;
                                     item["sku"] = total.sku;
                                     item["quantity"] = total.quantity;
                                     items.emplace_back(std::move(item));
                                 }
                                 json::object o;
                                 o["totals"] = std::move(items);
                                 return jsonResponse(200, o);
                             }});
    m_routes.push_back(Route{Listener::Api,
                             "GET",
                             "/api/v1/stock/movements",
                             Auth::ApiKey,
                             BodyKind::None,
                             0,
                             {"sku", "after", "limit"},
                             [this, badQuery](RouteContext &context) {
                                 const auto sku = queryValue(context.request, "sku");
                                 if (!sku)
                                     return errorResponse(400, "missing_parameter", "sku is required");
                                 bool bad = false;
                                 const auto limit = integerParameter(context.request, "limit", 100, 1, 1000, bad);
                                 if (bad)
                                     return badQuery("limit");
                                 const auto after = integerParameter(context.request, "after", 0, 0, INT64_MAX, bad);
                                 if (bad)
                                     return badQuery("after");
                                 auto movements =
                                     context.services->stock.movements(*sku, *after, static_cast<int>(*limit));
                                 if (!movements)
                                     return fromError(movements.error(), context.request);
                                 static constexpr const char *reasons[] = {
                                     "receipt", "putaway", "pick", "move", "count_adjustment", "adjustment", "return"};
                                 json::array items;
                                 for (const auto &record : *movements) {
                                     const auto &movement = record.movement;
                                     json::object item;
                                     item["id"] = movement.id;
                                     item["warehouse"] = movement.warehouse;
                                     item["sku"] = movement.skuCode;
                                     item["location"] = movement.location;
                                     item["lot"] = movement.lot;
                                     item["quantity_delta"] = movement.quantityDelta;
                                     item["reason"] = reasons[static_cast<int>(movement.reason)];
                                     item["op_id"] = movement.operationId;
                                     item["created_at"] = record.createdAt;
                                     items.emplace_back(std::move(item));
                                 }
                                 json::object o;
                                 o["movements"] = std::move(items);
                                 if (!movements->empty())
                                     o["next_after"] = movements->back().movement.id;
                                 return jsonResponse(200, o);
                             }});
}

} // namespace Server::Api
