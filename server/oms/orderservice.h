#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>
#include "common/domain/order.h"
#include "common/support/result.h"
#include "server/oms/importreport.h"
#include "server/storage/store.h"

// Orders from online stores (DESIGN.md "Order states"): create/import, idempotent by
// (store, order_number) — a repeat returns the existing id and changes nothing; cancel before
// shipping; allocate to a warehouse whose available stock (on hand minus what open orders there
// still need) covers every line; release to the floor; deallocate back. Every state change writes
// an audit row (`order_status_change`) and reaches the terminals through the change log.
// Errors: InvalidInput (bad order), NotFound, Conflict (state transition, insufficient_stock).
namespace Server::Oms {

struct OrderInput
{
    std::string store;
    std::string orderNumber;
    std::string customer;
    std::string address;
    struct Line
    {
        std::string sku;
        Common::Domain::Quantity quantity = 0;
    };
    std::vector<Line> lines;
};

struct CreatedOrder
{
    std::int64_t id = 0;
    bool created = false; // false: (store, order_number) existed already
};

class OrderService final
{
public:
    explicit OrderService(Storage::Store &store)
        : m_store(store)
    {}

    Common::Result<CreatedOrder> create(const OrderInput &input, const std::string &actor);
    // `body` is {"store",…,"lines":[…]} (create) or {"orders":[…]} / CSV (import). With a store
    // scope (API key of one shop) every order must belong to that store.
    Common::Result<CreatedOrder> createFromJson(std::string_view body, const std::optional<std::string> &storeScope,
                                                const std::string &actor);
    Common::Result<ImportReport> importOrders(std::string_view body, ImportFormat format,
                                              const std::optional<std::string> &storeScope, const std::string &actor);
    Common::Result<void> cancel(std::int64_t id, const std::string &actor);
    Common::Result<std::string> allocate(std::int64_t id, const std::string &actor); // returns the warehouse
    Common::Result<void> release(std::int64_t id, const std::string &actor);
    Common::Result<void> deallocate(std::int64_t id, const std::string &actor);
    Common::Result<std::optional<Common::Domain::Order>> order(std::int64_t id);
    Common::Result<std::vector<Common::Domain::Order>> list(std::optional<Common::Domain::OrderState> state,
                                                            std::optional<std::string> warehouse, std::int64_t afterId,
                                                            int limit);

private:
    // Validates and writes one order inside the caller's transaction.
    Common::Result<CreatedOrder> createIn(const OrderInput &input);
    Common::Result<void> transition(std::int64_t id, Common::Domain::OrderState to, const std::string &warehouse,
                                    const std::string &actor);
    Storage::Store &m_store;
};

// Stock queries for the OMS and the API (read-only; stock changes come from sync ops).
class StockService final
{
public:
    explicit StockService(Storage::Store &store)
        : m_store(store)
    {}
    Common::Result<std::vector<Storage::BalanceRecord>> balances(const Storage::BalanceFilter &filter);
    Common::Result<std::vector<Storage::WarehouseTotal>> warehouseTotals(std::optional<std::string> sku);
    Common::Result<std::vector<Storage::MovementRecord>> movements(std::string_view sku, std::int64_t afterId,
                                                                   int limit);

private:
    Storage::Store &m_store;
};

} // namespace Server::Oms
