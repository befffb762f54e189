#pragma once
#include <QTemporaryDir>
#include <QTest>

#include <memory>
#include <string>

#include "common/protocol/protocol.h"
#include "server/storage/sqlite/sqlitestore.h"

// A real SQLite store in a temporary directory with a small warehouse world: warehouses TKY1
// and OSA1, SKUs S1 (plain) and S2 (lot-controlled), bins, DOCK in TKY1 and B-1 in
// OSA1, operator OP-1 in TKY1, devices dev1/dev2 in TKY1 and dev3 in OSA1.
namespace TestSupport {

inline constexpr const char *dev1 = "11111111-1111-4111-8111-111111111111";
inline constexpr const char *dev2 = "22222222-2222-4222-8222-222222222222";
inline constexpr const char *dev3 = "33333333-3333-4333-8333-333333333333";

struct ServerWorld
{
    QTemporaryDir dir;
    std::unique_ptr<Server::Storage::SqliteStore> store;

    explicit ServerWorld(bool durable = false)
    {
        Server::Storage::SqliteOptions options;
        options.durable = durable;
        auto opened = Server::Storage::SqliteStore::open(dir.filePath(QStringLiteral("soko.db")).toStdString(), options);
        if (!opened)
            qFatal("cannot open store: %s", opened.error().message.c_str());
        store = std::move(*opened);
        using namespace Server::Storage;
        check(store->upsertWarehouse({"TKY1", "Tokyo 1"}));
        check(store->upsertWarehouse({"OSA1", "Osaka 1"}));
        check(store->upsertSku(Common::Domain::Sku{"S1", "Green tea", {"04901234567894"}, "piece", false}));
        check(store->upsertSku(Common::Domain::Sku{"S2", "Miso", {}, "piece", true}));
        check(store->upsertLocation({"TKY1", "A-1", "ambient", 10}));
        check(store->upsertLocation({"TKY1", "A-2", "ambient", 20}));
        check(store->upsertLocation({"TKY1", "DOCK", "dock", 0}));
        check(store->upsertLocation({"OSA1", "B-1", "ambient", 10}));
        OperatorRecord op;
        op.badge = "OP-1";
        op.name = "Sato";
        op.warehouse = "TKY1";
        op.role = "picker";
        op.pinHash = "$argon2id$v=19$m=19456,t=2,p=1$test$test";
        check(store->insertOperator(op));
        check(store->insertDevice(DeviceRecord{dev1, "TKY1", "HT-01", "0A01", DeviceStatus::Active, 1, {}}));
        check(store->insertDevice(DeviceRecord{dev2, "TKY1", "HT-02", "0A02", DeviceStatus::Active, 1, {}}));
        check(store->insertDevice(DeviceRecord{dev3, "OSA1", "HT-03", "0A03", DeviceStatus::Active, 1, {}}));
    }

    template<typename R>
    static void check(const R &result)
    {
        if (!result)
            qFatal("fixture: %s", result.error().message.c_str());
    }

    Server::Storage::DeviceRecord device(const char *id) const
    {
        auto found = store->device(id);
        if (!found || !*found)
            qFatal("fixture: no device %s", id);
        return **found;
    }

    // An order of `quantity` × S1 on line 1, released to TKY1.
    std::int64_t releasedOrder(const std::string &number, Common::Domain::Quantity quantity, const char *sku = "S1")
    {
        Common::Domain::Order order;
        order.store = "shop";
        order.orderNumber = number;
        order.customer = "Yamada";
        order.address = "Tokyo";
        order.lines.push_back({1, sku, quantity, 0});
        auto id = store->insertOrder(order);
        check(id);
        check(store->setOrderState(*id, Common::Domain::OrderState::Released, "TKY1"));
        return *id;
    }

    Common::Domain::Quantity balance(const char *location, const char *sku = "S1", const char *lot = "")
    {
        auto value = store->balance("TKY1", sku, location, lot);
        check(value);
        return *value;
    }
};

// Op ids derived from a tag and a number, so tests can resend "the same" op.
inline std::string opId(int tag, int number)
{
    char text[40];
    std::snprintf(text, sizeof text, "%08x-0000-4000-8000-%012x", tag, number);
    return text;
}

inline Common::Protocol::PushOp makeOp(std::int64_t seq, std::string id, Common::Protocol::Payload payload)
{
    Common::Protocol::PushOp op;
    op.seq = seq;
    op.opId = std::move(id);
    op.payload = std::move(payload);
    op.operatorId = "OP-1";
    op.createdAt = "2026-11-29T21:40:00Z";
    return op;
}

inline Common::Protocol::PushRequest makePush(const char *device, std::vector<Common::Protocol::PushOp> ops,
                                              std::int64_t incarnation = 1)
{
    Common::Protocol::PushRequest request;
    request.deviceId = device;
    request.incarnation = incarnation;
    request.ops = std::move(ops);
    return request;
}

inline Common::Protocol::ReceivePayload receive(const char *location, Common::Domain::Quantity quantity, const char *sku = "S1")
{
    return Common::Protocol::ReceivePayload{sku, location, std::nullopt, std::nullopt, quantity, std::nullopt};
}

inline Common::Protocol::PickPayload pick(std::int64_t orderId, const char *location, Common::Domain::Quantity quantity,
                                          const char *sku = "S1")
{
    return Common::Protocol::PickPayload{orderId, std::nullopt, 1, sku, location, std::nullopt, quantity};
}

} // namespace TestSupport
