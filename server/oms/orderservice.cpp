#include "server/oms/orderservice.h"

#include <algorithm>
#include <map>
#include <set>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include "common/protocol/strictjson.h"
#include "server/oms/csv.h"
#include "server/oms/masterdataservice.h"
#include "server/storage/ids.h"

namespace Server::Oms {

namespace {

namespace json = boost::json;
using Common::ErrorCode;
using Common::Result;
using Common::Domain::Order;
using Common::Domain::OrderState;
using namespace Common::Protocol;

constexpr Common::Domain::Quantity maxQuantity = 1'000'000'000;

OrderInput readOrder(DecodeContext &context, const json::value &value, const std::string &path)
{
    OrderInput input;
    ObjectReader r(context, value, path);
    input.store = r.string("store", {1, 64});
    input.orderNumber = r.string("order_number", {1, 64});
    input.customer = r.string("customer", {1, 200});
    input.address = r.string("address", {1, 500});
    if (const json::array *lines = r.array("lines", 1000)) {
        for (std::size_t i = 0; i < lines->size(); ++i) {
            ObjectReader line(context, (*lines)[i], r.path("lines") + "[" + std::to_string(i) + "]");
            OrderInput::Line item;
            item.sku = line.string("sku", {1, 64});
            item.quantity = line.integer("quantity", 1, maxQuantity);
            line.finish();
            input.lines.push_back(std::move(item));
        }
    }
    r.finish();
    return input;
}

std::string stateDetails(OrderState from, OrderState to, const std::string &warehouse)
{
    json::object o;
    o["from"] = Common::Domain::orderStateName(from);
    o["to"] = Common::Domain::orderStateName(to);
    if (!warehouse.empty())
        o["warehouse"] = warehouse;
    return json::serialize(o);
}

} // namespace

Result<CreatedOrder> OrderService::createIn(const OrderInput &input)
{
    if (!isValidCode(input.store) || !isValidCode(input.orderNumber))
        return Common::fail(ErrorCode::InvalidInput,
                            "bad_value at store: store and order_number are 1-64 printable characters");
    if (input.customer.empty() || !isValidText(input.customer, 200) || input.address.empty() ||
        !isValidText(input.address, 500))
        return Common::fail(ErrorCode::InvalidInput,
                            "bad_value at customer: customer and address must be printable text");
    if (input.lines.empty())
        return Common::fail(ErrorCode::InvalidInput, "bad_value at lines: an order needs at least one line");
    auto existing = m_store.findOrder(input.store, input.orderNumber);
    if (!existing)
        return tl::unexpected(existing.error());
    if (*existing)
        return CreatedOrder{**existing, false};
    Order order;
    order.store = input.store;
    order.orderNumber = input.orderNumber;
    order.customer = input.customer;
    order.address = input.address;
    int number = 0;
    for (const auto &line : input.lines) {
        if (line.quantity < 1 || line.quantity > maxQuantity)
            return Common::fail(ErrorCode::InvalidInput, "out_of_range at quantity: 1 to 1000000000");
        auto sku = m_store.sku(line.sku);
        if (!sku)
            return tl::unexpected(sku.error());
        if (!*sku)
            return Common::fail(ErrorCode::InvalidInput, "unknown_sku: SKU " + line.sku + " is unknown");
        order.lines.push_back({++number, line.sku, line.quantity, 0});
    }
    auto id = m_store.insertOrder(order);
    if (!id)
        return tl::unexpected(id.error());
    return CreatedOrder{*id, true};
}

Result<CreatedOrder> OrderService::create(const OrderInput &input, const std::string &actor)
{
    Storage::Transaction transaction(m_store);
    if (!transaction.started())
        return tl::unexpected(transaction.started().error());
    auto created = createIn(input);
    if (!created)
        return created;
    if (created->created) {
        json::object details;
        details["store"] = input.store;
        details["order_number"] = input.orderNumber;
        if (auto done = m_store.appendAudit(
                {0, {}, actor, "order_created", std::to_string(created->id), json::serialize(details)});
            !done)
            return tl::unexpected(done.error());
    }
    if (auto done = transaction.commit(); !done)
        return tl::unexpected(done.error());
    return created;
}

Result<CreatedOrder> OrderService::createFromJson(std::string_view body, const std::optional<std::string> &storeScope,
                                                  const std::string &actor)
{
    auto parsed = parseStrict(body);
    if (!parsed)
        return tl::unexpected(parsed.error());
    DecodeContext context;
    const OrderInput input = readOrder(context, *parsed, "");
    if (!context.ok())
        return tl::unexpected(*context.error);
    if (storeScope && input.store != *storeScope)
        return Common::fail(ErrorCode::Forbidden, "this API key may only create orders of store " + *storeScope);
    return create(input, actor);
}

Result<ImportReport> OrderService::importOrders(std::string_view body, ImportFormat format,
                                                const std::optional<std::string> &storeScope, const std::string &actor)
{
    std::vector<std::pair<long, OrderInput>> inputs;
    std::vector<RowError> errors;
    if (format == ImportFormat::Json) {
        auto parsed = parseStrict(body);
        if (!parsed)
            return tl::unexpected(parsed.error());
        DecodeContext context;
        ObjectReader top(context, *parsed, "");
        const json::array *orders = top.array("orders", 1000);
        top.finish();
        if (orders)
            for (std::size_t i = 0; i < orders->size() && context.ok(); ++i)
                inputs.emplace_back(static_cast<long>(i),
                                    readOrder(context, (*orders)[i], "orders[" + std::to_string(i) + "]"));
        if (!context.ok())
            return tl::unexpected(*context.error);
    } else {
        auto csv = parseCsv(body, {"store", "order_number", "customer", "address", "line", "sku", "quantity"});
        if (!csv)
            return tl::unexpected(csv.error());
        // One row per order line; rows of one order are grouped by (store, order_number).
        std::map<std::pair<std::string, std::string>, std::size_t> index;
        std::set<std::size_t> broken;
        std::map<std::size_t, std::set<long long>> lineNumbers;
        for (const CsvRow &row : *csv) {
            const auto key = std::make_pair(row.fields[0], row.fields[1]);
            auto found = index.find(key);
            if (found == index.end()) {
                found = index.emplace(key, inputs.size()).first;
                inputs.emplace_back(row.line,
                                    OrderInput{row.fields[0], row.fields[1], row.fields[2], row.fields[3], {}});
            }
            long long line = 0;
            long long quantity = 0;
            if (!parseCsvInteger(row.fields[4], line) || line < 1) {
                errors.push_back({row.line, "line must be a positive integer"});
                broken.insert(found->second);
            } else if (!lineNumbers[found->second].insert(line).second) {
                errors.push_back({row.line, "line " + row.fields[4] + " appears twice in order " + row.fields[1]});
                broken.insert(found->second);
            } else if (!parseCsvInteger(row.fields[6], quantity) || quantity < 1 || quantity > maxQuantity) {
                errors.push_back({row.line, "quantity must be an integer from 1 to 1000000000"});
                broken.insert(found->second);
            } else {
                inputs[found->second].second.lines.push_back({row.fields[5], quantity});
            }
        }
        // An order with a bad line is refused whole: half an order must never reach the floor.
        std::vector<std::pair<long, OrderInput>> kept;
        for (std::size_t i = 0; i < inputs.size(); ++i)
            if (!broken.contains(i))
                kept.push_back(std::move(inputs[i]));
        inputs = std::move(kept);
    }

    ImportReport report;
    report.errors = std::move(errors);
    Storage::Transaction transaction(m_store);
    if (!transaction.started())
        return tl::unexpected(transaction.started().error());
    for (const auto &[row, input] : inputs) {
        if (storeScope && input.store != *storeScope) {
            report.errors.push_back({row, "this API key may only import orders of store " + *storeScope});
            continue;
        }
        auto created = createIn(input);
        if (!created) {
            if (created.error().code != ErrorCode::InvalidInput)
                return tl::unexpected(created.error());
            report.errors.push_back({row, created.error().message});
            continue;
        }
        report.ids.push_back(created->id);
        if (created->created)
            ++report.imported;
        else
            ++report.unchanged;
    }
    std::sort(report.errors.begin(), report.errors.end(),
              [](const RowError &a, const RowError &b) { return a.row < b.row; });
    json::object details;
    details["sha256"] = Storage::sha256Hex(body);
    details["imported"] = report.imported;
    details["unchanged"] = report.unchanged;
    details["rejected"] = report.errors.size();
    if (auto done = m_store.appendAudit({0,
                                         {},
                                         actor,
                                         format == ImportFormat::Csv ? "csv_import" : "json_import",
                                         "orders",
                                         json::serialize(details)});
        !done)
        return tl::unexpected(done.error());
    if (auto done = transaction.commit(); !done)
        return tl::unexpected(done.error());
    return report;
}

Result<void> OrderService::transition(std::int64_t id, OrderState to, const std::string &warehouse,
                                      const std::string &actor)
{
    // Row lock (PostgreSQL) before the read, so a concurrent pick or cancel cannot slip between
    // the check of the state and the change.
    if (auto locked = m_store.lockOrder(id); !locked)
        return tl::unexpected(locked.error());
    auto current = m_store.order(id);
    if (!current)
        return tl::unexpected(current.error());
    if (!*current)
        return Common::fail(ErrorCode::NotFound, "order " + std::to_string(id) + " not found");
    const OrderState from = (*current)->state;
    if (!Common::Domain::isValidTransition(from, to))
        return Common::fail(ErrorCode::Conflict, "order_state: order " + std::to_string(id) + " is " +
                                                     std::string(Common::Domain::orderStateName(from)) +
                                                     ", cannot become " +
                                                     std::string(Common::Domain::orderStateName(to)));
    if (auto done = m_store.setOrderState(id, to, warehouse); !done)
        return done;
    return m_store
        .appendAudit({0, {}, actor, "order_status_change", std::to_string(id), stateDetails(from, to, warehouse)})
        .map([](std::int64_t) {});
}

Result<void> OrderService::cancel(std::int64_t id, const std::string &actor)
{
    Storage::Transaction transaction(m_store);
    if (!transaction.started())
        return tl::unexpected(transaction.started().error());
    // Row lock (PostgreSQL) before the read, so a concurrent pick or cancel cannot slip between
    // the check of the state and the change.
    if (auto locked = m_store.lockOrder(id); !locked)
        return tl::unexpected(locked.error());
    auto current = m_store.order(id);
    if (!current)
        return tl::unexpected(current.error());
    if (!*current)
        return Common::fail(ErrorCode::NotFound, "order " + std::to_string(id) + " not found");
    if (auto done = transition(id, OrderState::Cancelled, (*current)->warehouse, actor); !done)
        return done;
    return transaction.commit();
}

Result<std::string> OrderService::allocate(std::int64_t id, const std::string &actor)
{
    Storage::Transaction transaction(m_store);
    if (!transaction.started())
        return tl::unexpected(transaction.started().error());
    // Row lock (PostgreSQL) before the read, so a concurrent pick or cancel cannot slip between
    // the check of the state and the change.
    if (auto locked = m_store.lockOrder(id); !locked)
        return tl::unexpected(locked.error());
    auto current = m_store.order(id);
    if (!current)
        return tl::unexpected(current.error());
    if (!*current)
        return Common::fail(ErrorCode::NotFound, "order " + std::to_string(id) + " not found");
    const Order &order = **current;
    if (order.state != OrderState::Imported)
        return Common::fail(ErrorCode::Conflict, "order_state: only imported orders can be allocated");
    // Available = on hand − still needed by open orders already allocated there.
    std::map<std::pair<std::string, std::string>, Common::Domain::Quantity> available;
    auto totals = m_store.warehouseTotals(std::nullopt);
    if (!totals)
        return tl::unexpected(totals.error());
    for (const auto &total : *totals)
        available[{total.warehouse, total.sku}] += total.quantity;
    for (const OrderState state : {OrderState::Allocated, OrderState::Released, OrderState::Picking}) {
        auto open = m_store.orders(state, std::nullopt, 0, 1'000'000);
        if (!open)
            return tl::unexpected(open.error());
        for (const Order &other : *open)
            for (const auto &line : other.lines)
                available[{other.warehouse, line.skuCode}] -=
                    std::max<Common::Domain::Quantity>(0, line.quantity - line.picked);
    }
    auto warehouses = m_store.warehouses();
    if (!warehouses)
        return tl::unexpected(warehouses.error());
    for (const auto &warehouse : *warehouses) {
        bool enough = true;
        for (const auto &line : order.lines)
            enough = enough && available[{warehouse.code, line.skuCode}] >= line.quantity;
        if (!enough)
            continue;
        if (auto done = transition(id, OrderState::Allocated, warehouse.code, actor); !done)
            return tl::unexpected(done.error());
        if (auto done = transaction.commit(); !done)
            return tl::unexpected(done.error());
        return warehouse.code;
    }
    return Common::fail(ErrorCode::Conflict, "insufficient_stock: no warehouse has the stock for every line");
}

Result<void> OrderService::release(std::int64_t id, const std::string &actor)
{
    Storage::Transaction transaction(m_store);
    if (!transaction.started())
        return tl::unexpected(transaction.started().error());
    // Row lock (PostgreSQL) before the read, so a concurrent pick or cancel cannot slip between
    // the check of the state and the change.
    if (auto locked = m_store.lockOrder(id); !locked)
        return tl::unexpected(locked.error());
    auto current = m_store.order(id);
    if (!current)
        return tl::unexpected(current.error());
    if (!*current)
        return Common::fail(ErrorCode::NotFound, "order " + std::to_string(id) + " not found");
    if ((*current)->state != OrderState::Allocated)
        return Common::fail(ErrorCode::Conflict, "order_state: only allocated orders can be released");
    if (auto done = transition(id, OrderState::Released, (*current)->warehouse, actor); !done)
        return done;
    return transaction.commit();
}

Result<void> OrderService::deallocate(std::int64_t id, const std::string &actor)
{
    Storage::Transaction transaction(m_store);
    if (!transaction.started())
        return tl::unexpected(transaction.started().error());
    // Row lock (PostgreSQL) before the read, so a concurrent pick or cancel cannot slip between
    // the check of the state and the change.
    if (auto locked = m_store.lockOrder(id); !locked)
        return tl::unexpected(locked.error());
    auto current = m_store.order(id);
    if (!current)
        return tl::unexpected(current.error());
    if (!*current)
        return Common::fail(ErrorCode::NotFound, "order " + std::to_string(id) + " not found");
    if ((*current)->state != OrderState::Allocated)
        return Common::fail(ErrorCode::Conflict,
                            "order_state: only allocated (not released) orders can be deallocated");
    if (auto done = transition(id, OrderState::Imported, "", actor); !done)
        return done;
    return transaction.commit();
}

Result<std::optional<Order>> OrderService::order(std::int64_t id)
{
    return m_store.order(id);
}

Result<std::vector<Order>> OrderService::list(std::optional<OrderState> state, std::optional<std::string> warehouse,
                                              std::int64_t afterId, int limit)
{
    return m_store.orders(state, std::move(warehouse), afterId, limit);
}

Result<std::vector<Storage::BalanceRecord>> StockService::balances(const Storage::BalanceFilter &filter)
{
    return m_store.balances(filter);
}

Result<std::vector<Storage::WarehouseTotal>> StockService::warehouseTotals(std::optional<std::string> sku)
{
    return m_store.warehouseTotals(std::move(sku));
}

Result<std::vector<Storage::MovementRecord>> StockService::movements(std::string_view sku, std::int64_t afterId,
                                                                     int limit)
{
    return m_store.movements(sku, afterId, limit);
}

} // namespace Server::Oms
