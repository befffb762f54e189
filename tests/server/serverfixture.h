#pragma once
#include <QTemporaryDir>
#include <QTest>

#include <cstdlib>
#include <memory>
#include <random>
#include <string>

#ifdef SOKO_HAVE_POSTGRESQL
#include <pqxx/pqxx>
#endif

#include "common/protocol/protocol.h"
#include "server/storage/storepool.h"

// Every server test runs once per backend: the global data rows "sqlite" and "postgresql"
// (initTestCase_data → addBackendRows). Each test case gets a database of its own: a file in a
// temporary directory, or a fresh PostgreSQL database created through SOKO_TEST_PG_ADMIN_URL
// (owned by the role of SOKO_TEST_PG_URL) and dropped afterwards, so test cases are independent
// and test programs may run in parallel. Without SOKO_TEST_PG_URL the postgresql rows FAIL
// (checkBackend in init()); `./scripts/dev.sh test` exports both variables (scripts/pg.sh).
//
// ServerWorld fills the database with a small warehouse world: warehouses TKY1 and OSA1, SKUs S1
// (plain) and S2 (lot-controlled), bins A-1, A-2, DOCK in TKY1 and B-1 in OSA1, operator OP-1 in
// TKY1, devices dev1/dev2 in TKY1 and dev3 in OSA1.
namespace TestSupport {

inline void addBackendRows()
{
    QTest::addColumn<QString>("backend");
    QTest::newRow("sqlite") << QStringLiteral("sqlite");
    QTest::newRow("postgresql") << QStringLiteral("postgresql");
}

inline bool isPostgres()
{
    QFETCH_GLOBAL(QString, backend);
    return backend == QStringLiteral("postgresql");
}

// For init(): false (with the reason in `why`) when this row's backend cannot run here.
inline bool backendAvailable(QByteArray &why)
{
    if (!isPostgres())
        return true;
#ifndef SOKO_HAVE_POSTGRESQL
    why = "this build has no PostgreSQL support (libpqxx not found)";
    return false;
#else
    if (!std::getenv("SOKO_TEST_PG_URL") || !std::getenv("SOKO_TEST_PG_ADMIN_URL")) {
        why = "SOKO_TEST_PG_URL / SOKO_TEST_PG_ADMIN_URL are not set: run through ./scripts/dev.sh test "
              "or source scripts/pg.sh and call pg_throwaway_start";
        return false;
    }
    return true;
#endif
}

#define SOKO_CHECK_BACKEND()                                                                                           \
    do {                                                                                                               \
        QByteArray soko_why;                                                                                           \
        QVERIFY2(TestSupport::backendAvailable(soko_why), soko_why.constData());                                       \
    } while (false)

// One empty database for one test case; `location()` is what openStorePool takes.
class TestDatabase
{
public:
    TestDatabase()
    {
        if (!isPostgres()) {
            m_location = m_dir.filePath(QStringLiteral("soko.db")).toStdString();
            return;
        }
#ifdef SOKO_HAVE_POSTGRESQL
        const std::string url = std::getenv("SOKO_TEST_PG_URL") ? std::getenv("SOKO_TEST_PG_URL") : "";
        std::random_device random;
        char name[40];
        std::snprintf(name, sizeof name, "soko_t_%08x%08x", random(), random());
        m_name = name;
        // postgresql://user:password@host:port/database → same with database = m_name.
        const auto scheme = url.find("://");
        const auto at = url.find('@');
        const auto slash = url.find('/', at == std::string::npos ? scheme + 3 : at);
        if (scheme == std::string::npos || slash == std::string::npos)
            qFatal("SOKO_TEST_PG_URL is not a postgresql:// URL with a database");
        const auto userEnd = url.find_first_of(":@", scheme + 3);
        const std::string user = url.substr(scheme + 3, userEnd - scheme - 3);
        const auto query = url.find('?', slash);
        m_location = url.substr(0, slash + 1) + m_name + (query == std::string::npos ? "" : url.substr(query));
        pqxx::connection admin(std::getenv("SOKO_TEST_PG_ADMIN_URL"));
        pqxx::nontransaction session(admin);
        session.exec("CREATE DATABASE " + admin.quote_name(m_name) + " OWNER " + admin.quote_name(user));
#endif
    }
    ~TestDatabase()
    {
#ifdef SOKO_HAVE_POSTGRESQL
        if (m_name.empty())
            return;
        try {
            pqxx::connection admin(std::getenv("SOKO_TEST_PG_ADMIN_URL"));
            pqxx::nontransaction session(admin);
            session.exec("DROP DATABASE IF EXISTS " + admin.quote_name(m_name) + " WITH (FORCE)");
        } catch (const std::exception &error) {
            qWarning("cannot drop test database %s: %s", m_name.c_str(), error.what());
        }
#endif
    }
    TestDatabase(const TestDatabase &) = delete;
    TestDatabase &operator=(const TestDatabase &) = delete;

    const std::string &location() const
    {
        return m_location;
    }
    const std::string &name() const
    {
        return m_name;
    } // PostgreSQL database name, empty for SQLite

private:
    QTemporaryDir m_dir;
    std::string m_location;
    std::string m_name;
};

inline constexpr const char *dev1 = "11111111-1111-4111-8111-111111111111";
inline constexpr const char *dev2 = "22222222-2222-4222-8222-222222222222";
inline constexpr const char *dev3 = "33333333-3333-4333-8333-333333333333";

struct ServerWorld
{
    TestDatabase database;
    std::unique_ptr<Server::Storage::StorePool> pool;
    Server::Storage::StoreLease store; // the test's own connection

    explicit ServerWorld(bool durable = false)
    {
        pool = openPool(durable);
        auto leased = pool->acquire();
        if (!leased)
            qFatal("cannot lease a store: %s", leased.error().message.c_str());
        store = std::move(*leased);
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

    ~ServerWorld()
    {
        store.reset(); // leases go back before their pool goes away
        pool.reset();
    }

    // Another, independent pool on the same database: what a second soko-server would have.
    std::unique_ptr<Server::Storage::StorePool> openPool(bool durable = false, int size = 8) const
    {
        Server::Storage::StoreOptions options;
        options.durable = durable;
        options.poolSize = size;
        auto opened = Server::Storage::openStorePool(database.location(), options);
        if (!opened)
            qFatal("cannot open store: %s", opened.error().message.c_str());
        return std::move(*opened);
    }

    template <typename R> static void check(const R &result)
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

inline Common::Protocol::ReceivePayload receive(const char *location, Common::Domain::Quantity quantity,
                                                const char *sku = "S1")
{
    return Common::Protocol::ReceivePayload{sku, location, std::nullopt, std::nullopt, quantity, std::nullopt};
}

inline Common::Protocol::PickPayload pick(std::int64_t orderId, const char *location, Common::Domain::Quantity quantity,
                                          const char *sku = "S1")
{
    return Common::Protocol::PickPayload{orderId, std::nullopt, 1, sku, location, std::nullopt, quantity};
}

} // namespace TestSupport
