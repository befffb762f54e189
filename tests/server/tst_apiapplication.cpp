#include <QTest>

#include <future>
#include <map>
#include <thread>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include "server/api/apiapplication.h"
#include "server/oms/adminservice.h"
#include "tests/server/serverfixture.h"

using namespace TestSupport;
using Server::Api::ApiApplication;
using Server::Net::HttpRequest;
using Server::Net::HttpResponse;
using Server::Net::Listener;

namespace {

std::string pushBody(const char *device, std::int64_t seq, const std::string &opIdText, const std::string &payload,
                     const char *type = "receive")
{
    return R"({"protocol":1,"device_id":")" + std::string(device) + R"(","incarnation":1,"ops":[{"seq":)" +
           std::to_string(seq) + R"(,"op_id":")" + opIdText + R"(","type":")" + type + R"(","payload":)" + payload +
           R"(,"operator_id":"OP-1","created_at":"2026-11-29T21:40:00Z"}]})";
}

// A batch of `count` receive ops from `firstSeq` on, alternating bins A-1 and A-2.
std::string pushBatch(const std::string &device, int tag, std::int64_t firstSeq, int count, int quantity)
{
    std::string ops;
    for (int i = 0; i < count; ++i) {
        const std::int64_t seq = firstSeq + i;
        if (i)
            ops += ',';
        ops += R"({"seq":)" + std::to_string(seq) + R"(,"op_id":")" + opId(tag, static_cast<int>(seq)) +
               R"(","type":"receive","payload":{"sku":"S1","location":")" + (seq % 2 ? "A-1" : "A-2") +
               R"(","quantity":)" + std::to_string(quantity) +
               R"(},"operator_id":"OP-1","created_at":"2026-11-29T21:40:00Z"})";
    }
    return R"({"protocol":1,"device_id":")" + device + R"(","incarnation":1,"ops":[)" + ops + "]}";
}

// Stands for a database that is down: every acquire fails (with internals no client may see).
class DeadPool final : public Server::Storage::StorePool
{
public:
    Common::Result<Server::Storage::StoreLease> acquire() override
    {
        return Common::fail(Common::ErrorCode::Storage, "connect to db.internal:5432 as soko failed");
    }
    std::string backend() const override { return "dead"; }
};

std::string receiveJson(int quantity)
{
    return R"({"sku":"S1","location":"A-1","quantity":)" + std::to_string(quantity) + "}";
}

std::string errorCode(const HttpResponse &response)
{
    boost::json::error_code ec;
    const auto value = boost::json::parse(response.body, ec);
    if (ec || !value.is_object() || !value.as_object().contains("error"))
        return "<no error field: " + response.body + ">";
    return std::string(value.as_object().at("error").as_string());
}

boost::json::value bodyOf(const HttpResponse &response)
{
    boost::json::error_code ec;
    return boost::json::parse(response.body, ec);
}

} // namespace

class TestApiApplication : public QObject
{
    Q_OBJECT

    std::unique_ptr<ServerWorld> m_world;
    std::unique_ptr<ApiApplication> m_api;
    std::string m_adminToken;
    std::string m_shopToken;

    HttpRequest device(const char *serial, std::string method, std::string path, std::string body = {},
                       std::string contentType = "application/json")
    {
        HttpRequest request;
        request.listener = Listener::Devices;
        request.requestId = "req-1";
        request.method = std::move(method);
        request.path = std::move(path);
        request.target = request.path;
        request.body = std::move(body);
        if (!request.body.empty())
            request.headers.emplace_back("content-type", std::move(contentType));
        request.peer.address = "127.0.0.1";
        request.peer.certificateSerial = serial;
        return request;
    }
    HttpRequest api(const std::string &token, std::string method, std::string path, std::string body = {},
                    std::string contentType = "application/json")
    {
        HttpRequest request;
        request.listener = Listener::Api;
        request.requestId = "req-2";
        request.method = std::move(method);
        request.path = std::move(path);
        request.target = request.path;
        request.body = std::move(body);
        if (!request.body.empty())
            request.headers.emplace_back("content-type", std::move(contentType));
        if (!token.empty())
            request.headers.emplace_back("authorization", "Bearer " + token);
        request.peer.address = "127.0.0.1";
        return request;
    }
    std::size_t movementCount() { return m_world->store->movements("S1", 0, 100000)->size(); }

private Q_SLOTS:
    void initTestCase_data() { addBackendRows(); }
    void init()
    {
        SOKO_CHECK_BACKEND();
        m_world = std::make_unique<ServerWorld>();
        Server::Api::ApiConfig config;
        config.issuer = [](const std::string &,
                           const std::string &deviceId) -> Common::Result<Server::Oms::IssuedCertificate> {
            return Server::Oms::IssuedCertificate{"-----BEGIN CERTIFICATE-----\n" + deviceId + "\n", "FEEDFACE01"};
        };
        config.serverCaPem = "SERVER CA";
        config.deviceCaPem = "DEVICE CA";
        m_api = std::make_unique<ApiApplication>(*m_world->pool, config);
        Server::Oms::AdminService admin(*m_world->store);
        m_adminToken = admin.createApiKey("admin", "back office", "cli:test")->token;
        m_shopToken = admin.createApiKey("store:shop", "shop", "cli:test")->token;
    }
    void cleanup()
    {
        m_api.reset();
        m_world.reset();
    }

    void pushAndResend()
    {
        const std::string body = pushBody(dev1, 1, opId(1, 1), receiveJson(4));
        const HttpResponse first = m_api->handle(device("0A01", "POST", "/api/v1/sync/push", body));
        QCOMPARE(first.status, 200);
        const HttpResponse second = m_api->handle(device("0A01", "POST", "/api/v1/sync/push", body));
        QCOMPARE(second.status, 200);
        QCOMPARE(second.body, first.body);
        QCOMPARE(m_world->balance("A-1"), Common::Domain::Quantity(4));
        bool hasNoStore = false;
        for (const auto &[name, value] : first.headers)
            hasNoStore = hasNoStore || (name == "Cache-Control" && value == "no-store");
        QVERIFY(hasNoStore);
        // Gap: 409 with the server's last_applied.
        const HttpResponse gap =
            m_api->handle(device("0A01", "POST", "/api/v1/sync/push", pushBody(dev1, 5, opId(1, 5), receiveJson(1))));
        QCOMPARE(gap.status, 409);
        QCOMPARE(errorCode(gap), std::string("gap"));
        QCOMPARE(bodyOf(gap).as_object().at("last_applied").as_int64(), std::int64_t(1));
    }

    void badPushesChangeNothing_data()
    {
        QTest::addColumn<QByteArray>("serial");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QByteArray>("contentType");
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("error");
        const QByteArray good = QByteArray::fromStdString(pushBody(dev1, 1, opId(1, 1), receiveJson(4)));
        auto deep = std::string(receiveJson(4));
        deep.insert(deep.size() - 1, R"(,"x":)" + std::string(20, '[') + std::string(20, ']'));
        QTest::newRow("malformed JSON") << QByteArray("0A01") << QByteArray(R"({"protocol":1,)")
                                        << QByteArray("application/json") << 400 << QStringLiteral("bad_json");
        QTest::newRow("too deep") << QByteArray("0A01")
                                  << QByteArray::fromStdString(pushBody(dev1, 1, opId(1, 1), deep))
                                  << QByteArray("application/json") << 400 << QStringLiteral("too_deep");
        QTest::newRow("unknown op type") << QByteArray("0A01")
                                         << QByteArray::fromStdString(
                                                pushBody(dev1, 1, opId(1, 1), receiveJson(4), "teleport"))
                                         << QByteArray("application/json") << 400 << QStringLiteral("bad_value");
        QTest::newRow("J9 unknown field")
            << QByteArray("0A01")
            << QByteArray::fromStdString(
                   pushBody(dev1, 1, opId(1, 1), R"({"sku":"S1","location":"A-1","quantity":4,"tenant_id":2})"))
            << QByteArray("application/json") << 400 << QStringLiteral("unknown_field");
        QTest::newRow("J4 quantity 1.5") << QByteArray("0A01")
                                         << QByteArray::fromStdString(
                                                pushBody(dev1, 1, opId(1, 1), receiveJson(4))
                                                    .replace(pushBody(dev1, 1, opId(1, 1), receiveJson(4)).find(":4}"),
                                                             3, ":1.5}"))
                                         << QByteArray("application/json") << 400 << QStringLiteral("not_integer");
        QTest::newRow("op of another device")
            << QByteArray("0A01") << QByteArray::fromStdString(pushBody(dev2, 1, opId(1, 1), receiveJson(4)))
            << QByteArray("application/json") << 403 << QStringLiteral("device_mismatch");
        QTest::newRow("revoked device") << QByteArray("0A02") << good << QByteArray("application/json") << 401
                                        << QStringLiteral("unauthorized");
        QTest::newRow("unknown certificate")
            << QByteArray("0BAD") << good << QByteArray("application/json") << 401 << QStringLiteral("unauthorized");
        QTest::newRow("no certificate") << QByteArray("") << good << QByteArray("application/json") << 401
                                        << QStringLiteral("unauthorized");
        QTest::newRow("J18 text/plain") << QByteArray("0A01") << good << QByteArray("text/plain") << 415
                                        << QStringLiteral("unsupported_media_type");
        QTest::newRow("J18 latin1 charset")
            << QByteArray("0A01") << good << QByteArray("application/json; charset=latin1") << 415
            << QStringLiteral("unsupported_media_type");
        QTest::newRow("J17 trailing data")
            << QByteArray("0A01") << good + "{}" << QByteArray("application/json") << 400 << QStringLiteral("bad_json");
    }
    void badPushesChangeNothing()
    {
        QFETCH(QByteArray, serial);
        QFETCH(QByteArray, body);
        QFETCH(QByteArray, contentType);
        QFETCH(int, status);
        QFETCH(QString, error);
        QVERIFY(m_world->store->setDeviceStatus(dev2, Server::Storage::DeviceStatus::Revoked));
        const auto auditBefore = m_world->store->audit(0, 100000)->size();
        const HttpResponse response = m_api->handle(
            device(serial.constData(), "POST", "/api/v1/sync/push", body.toStdString(), contentType.toStdString()));
        QCOMPARE(response.status, status);
        QCOMPARE(QString::fromStdString(errorCode(response)), error);
        QCOMPARE(m_world->balance("A-1"), Common::Domain::Quantity(0));
        QCOMPARE(*m_world->store->lastApplied(dev1, 1), std::int64_t(0));
        QCOMPARE(*m_world->store->lastApplied(dev2, 1), std::int64_t(0));
        if (status == 401 || status == 400)
            QCOMPARE(m_world->store->audit(0, 100000)->size(), auditBefore + 1); // one audit event per refusal
    }

    void revokedDeviceOnResumedSession()
    {
        HttpRequest request = device("0A01", "GET", "/api/v1/sync/pull");
        request.peer.sessionResumed = true;
        QCOMPARE(m_api->handle(request).status, 200);
        QVERIFY(m_world->store->setDeviceStatus(dev1, Server::Storage::DeviceStatus::Revoked));
        const HttpResponse refused = m_api->handle(request);
        QCOMPARE(refused.status, 401);
        QVERIFY(refused.closeConnection);
        QVERIFY(m_api->isCertificateRevoked("0A01"));
        QVERIFY(m_api->isCertificateRevoked("0BAD"));
        QVERIFY(!m_api->isCertificateRevoked("0A02"));
        // A certificate whose SAN names another device is refused as well.
        HttpRequest mismatched = device("0A02", "GET", "/api/v1/sync/pull");
        mismatched.peer.certificateDeviceId = dev1;
        QCOMPARE(m_api->handle(mismatched).status, 401);
    }

    void pullOverHttp()
    {
        const HttpResponse first = m_api->handle([&] {
            HttpRequest r = device("0A01", "GET", "/api/v1/sync/pull");
            r.query = {{"cursor", "0"}, {"limit", "2"}};
            return r;
        }());
        QCOMPARE(first.status, 200);
        const auto page = bodyOf(first).as_object();
        QCOMPARE(page.at("changes").as_array().size(), std::size_t(2));
        QVERIFY(page.at("has_more").as_bool());
        HttpRequest bad = device("0A01", "GET", "/api/v1/sync/pull");
        bad.query = {{"limit", "-1"}};
        QCOMPARE(m_api->handle(bad).status, 400);
        bad.query = {{"cursor", "0"}, {"sort", "name;DROP TABLE x"}};
        QCOMPARE(errorCode(m_api->handle(bad)), std::string("unknown_parameter"));
        bad.query = {{"cursor", "0"}, {"cursor", "1"}};
        QCOMPARE(errorCode(m_api->handle(bad)), std::string("duplicate_parameter"));
        bad.query = {{"cursor", "1' OR 1=1--"}};
        QCOMPARE(m_api->handle(bad).status, 400);
    }

    void incarnationAndOperators()
    {
        const HttpResponse incarnation =
            m_api->handle(device("0A01", "POST", "/api/v1/sync/incarnation", R"({"protocol":1})"));
        QCOMPARE(incarnation.status, 200);
        QCOMPARE(bodyOf(incarnation).as_object().at("incarnation").as_int64(), std::int64_t(2));
        const HttpResponse operators = m_api->handle(device("0A01", "GET", "/api/v1/operators"));
        QCOMPARE(operators.status, 200);
        const auto answer = bodyOf(operators);
        const auto &items = answer.as_object().at("operators").as_array();
        QCOMPARE(items.size(), std::size_t(1));
        QVERIFY(items[0].as_object().contains("pin_hash"));
        // The Osaka device sees no Tokyo operator (scope from the device row, R22).
        QCOMPARE(bodyOf(m_api->handle(device("0A03", "GET", "/api/v1/operators")))
                     .as_object()
                     .at("operators")
                     .as_array()
                     .size(),
                 std::size_t(0));
    }

    void denyByDefault()
    {
        // Unknown paths and paths of the other listener are 404.
        QCOMPARE(m_api->handle(device("0A01", "GET", "/api/v1/orders")).status, 404); // R24: device on an API route
        QCOMPARE(m_api->handle(api(m_adminToken, "POST", "/api/v1/sync/pull")).status, 404); // API key on a sync route
        QCOMPARE(m_api->handle(api(m_adminToken, "GET", "/.git/HEAD")).status, 404);
        QCOMPARE(m_api->handle(api(m_adminToken, "GET", "/api/v1/orders/01")).status, 404);
        QCOMPARE(m_api->handle(api(m_adminToken, "GET", "/api/v1/orders/1%00.json")).status, 404);
        const HttpResponse trace = m_api->handle(api(m_adminToken, "TRACE", "/api/v1/orders"));
        QCOMPARE(trace.status, 405);
        bool allow = false;
        for (const auto &[name, value] : trace.headers)
            allow = allow || (name == "Allow" && value == "GET, POST");
        QVERIFY(allow);
        // limits() agrees with handle().
        auto limits = m_api->limits(Listener::Devices, "POST", "/api/v1/sync/push");
        QVERIFY(limits.known);
        QCOMPARE(limits.maxBodyBytes, std::size_t(1024 * 1024));
        QVERIFY(!m_api->limits(Listener::Api, "POST", "/api/v1/sync/push").known);
        QCOMPARE(m_api->limits(Listener::Api, "GET", "/api/v1/orders").maxBodyBytes, std::size_t(0));
        // Every route declares an authentication and only the sync routes live on the devices
        // listener; only the two probes go without authentication.
        for (const auto &route : m_api->routes()) {
            const bool probe = route.pattern == "/healthz" || route.pattern == "/readyz";
            QCOMPARE(route.auth == Server::Api::Auth::None, probe);
            QCOMPARE(route.usesStore, !probe);
            if (probe) {
                QVERIFY(route.listener == Listener::Api && route.method == "GET");
                continue;
            }
            QVERIFY(route.pattern.rfind("/api/v1/", 0) == 0);
            const bool sync = route.pattern.rfind("/api/v1/sync/", 0) == 0 || route.pattern == "/api/v1/operators";
            QCOMPARE(route.listener == Listener::Devices, sync);
            QCOMPARE(route.auth == Server::Api::Auth::Device, sync);
            QVERIFY(route.body == Server::Api::BodyKind::None ? route.maxBodyBytes == 0 : route.maxBodyBytes > 0);
        }
    }

    void healthProbes()
    {
        const HttpResponse live = m_api->handle(api("", "GET", "/healthz"));
        QCOMPARE(live.status, 200);
        QCOMPARE(live.body, std::string(R"({"status":"ok"})"));
        const HttpResponse ready = m_api->handle(api("", "GET", "/readyz"));
        QCOMPARE(ready.status, 200);
        QCOMPARE(ready.body, std::string(R"({"status":"ready"})"));
        QCOMPARE(m_api->handle(device("0A01", "GET", "/readyz")).status, 404); // api listener only
        QCOMPARE(m_api->handle(api("", "POST", "/readyz")).status, 405);
        // The simple construction the app uses for SQLite: one Store, no pool of its own.
        ApiApplication simple(*m_world->store, Server::Api::ApiConfig{});
        QCOMPARE(simple.handle(api("", "GET", "/readyz")).status, 200);

        // Database down: alive but not ready, and no detail leaves the server.
        DeadPool dead;
        ApiApplication down(dead, Server::Api::ApiConfig{});
        QCOMPARE(down.handle(api("", "GET", "/healthz")).status, 200);
        const HttpResponse notReady = down.handle(api("", "GET", "/readyz"));
        QCOMPARE(notReady.status, 503);
        QCOMPARE(notReady.body, std::string(R"({"status":"unavailable"})"));
        const HttpResponse busy = down.handle(api(m_adminToken, "GET", "/api/v1/skus"));
        QCOMPARE(busy.status, 503);
        QCOMPARE(errorCode(busy), std::string("unavailable"));
        QVERIFY(busy.body.find("db.internal") == std::string::npos);
        QVERIFY(down.isCertificateRevoked("0A01")); // fail closed

#ifdef SOKO_HAVE_POSTGRESQL
        if (isPostgres()) {
            // Every connection of this database is killed (failover, restart): the pool replaces
            // the dead ones and the server is ready again without a restart.
            pqxx::connection admin(std::getenv("SOKO_TEST_PG_ADMIN_URL"));
            pqxx::nontransaction session(admin);
            session.exec_params("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                "WHERE datname = $1 AND pid <> pg_backend_pid()",
                                m_world->database.name());
            // Wait until the killed backends are gone, so the pool can see it on their sockets.
            for (int wait = 0; wait < 100; ++wait) {
                const auto left = session.exec_params("SELECT count(*) FROM pg_stat_activity WHERE datname = $1 "
                                                      "AND pid <> pg_backend_pid()",
                                                      m_world->database.name());
                if (left[0][0].as<int>() == 0)
                    break;
                std::this_thread::sleep_for(std::chrono::milliseconds(50));
            }
            QCOMPARE(m_api->handle(api("", "GET", "/readyz")).status,
                     200); // the dead connections were replaced before use
            QCOMPARE(m_api->handle(api(m_adminToken, "GET", "/api/v1/skus")).status, 200);
        }
#endif
    }

    void twoServersOneDatabase()
    {
        // Two stateless servers (independent pools and ApiApplications) on one database; 8
        // terminals push every batch to both servers at the same moment (a lost answer resent
        // through the other node of the load balancer). Each op is applied once, in seq order,
        // both servers give the same answer, and every balance equals the sum of its ledger.
        auto poolA = m_world->openPool(false, 4);
        auto poolB = m_world->openPool(false, 4);
        Server::Api::ApiConfig config;
        ApiApplication serverA(*poolA, config);
        ApiApplication serverB(*poolB, config);
        constexpr int devices = 8;
        constexpr int batches = 10;
        constexpr int batchSize = 5;
        std::vector<std::string> ids;
        for (int i = 0; i < devices; ++i) {
            ids.push_back(opId(500 + i, 0));
            QVERIFY(m_world->store->insertDevice({ids.back(),
                                                  "TKY1",
                                                  "T" + std::to_string(i),
                                                  "C" + std::to_string(i),
                                                  Server::Storage::DeviceStatus::Active,
                                                  1,
                                                  {}}));
        }
        std::atomic<int> mismatches{0};
        std::vector<std::thread> terminals;
        for (int d = 0; d < devices; ++d)
            terminals.emplace_back([&, d] {
                for (int b = 0; b < batches; ++b) {
                    const std::string body = pushBatch(ids[static_cast<std::size_t>(d)], 600 + d,
                                                       std::int64_t(b) * batchSize + 1, batchSize, d + 1);
                    const std::string serial = "C" + std::to_string(d);
                    // Alternate which server is asked first.
                    ApiApplication &first = b % 2 ? serverA : serverB;
                    ApiApplication &second = b % 2 ? serverB : serverA;
                    auto other = std::async(std::launch::async, [&] {
                        return second.handle(device(serial.c_str(), "POST", "/api/v1/sync/push", body));
                    });
                    const HttpResponse one = first.handle(device(serial.c_str(), "POST", "/api/v1/sync/push", body));
                    const HttpResponse two = other.get();
                    if (one.status != 200 || two.status != 200 || one.body != two.body) {
                        ++mismatches;
                        qWarning("device %d batch %d: %d %s / %d %s", d, b, one.status, one.body.c_str(), two.status,
                                 two.body.c_str());
                    }
                }
            });
        for (auto &terminal : terminals)
            terminal.join();
        QCOMPARE(mismatches.load(), 0);
        Common::Domain::Quantity expected = 0;
        for (int d = 0; d < devices; ++d) {
            QCOMPARE(*m_world->store->lastApplied(ids[static_cast<std::size_t>(d)], 1),
                     std::int64_t(batches * batchSize));
            for (int seq = 1; seq <= batches * batchSize; ++seq) {
                const auto op = m_world->store->appliedOp(ids[static_cast<std::size_t>(d)], 1, seq);
                QVERIFY(op && *op && (*op)->opId == opId(600 + d, seq));
            }
            expected += Common::Domain::Quantity(batches * batchSize * (d + 1));
        }
        const auto movements = m_world->store->movements("S1", 0, 100000);
        QVERIFY(movements);
        QCOMPARE(movements->size(), std::size_t(devices * batches * batchSize)); // each op once
        std::map<std::string, Common::Domain::Quantity> ledger;
        for (const auto &record : *movements)
            ledger[record.movement.location] += record.movement.quantityDelta;
        QCOMPARE(ledger["A-1"], m_world->balance("A-1"));
        QCOMPARE(ledger["A-2"], m_world->balance("A-2"));
        QCOMPARE(m_world->balance("A-1") + m_world->balance("A-2"), expected);
    }

    void apiKeyAuth()
    {
        QCOMPARE(m_api->handle(api("", "GET", "/api/v1/skus")).status, 401);
        QCOMPARE(m_api->handle(api("soko_k0000000000000000_" + std::string(64, 'a'), "GET", "/api/v1/skus")).status,
                 401);
        QCOMPARE(m_api->handle(api(m_shopToken, "GET", "/api/v1/skus")).status, 200);
        // A store key may not import master data.
        QCOMPARE(m_api->handle(api(m_shopToken, "POST", "/api/v1/skus/import", R"({"skus":[]})")).status, 403);
        QCOMPARE(m_api->handle(api(m_adminToken, "POST", "/api/v1/skus/import", R"({"skus":[]})")).status, 200);
    }

    void ordersOverHttp()
    {
        const std::string order =
            R"({"store":"shop","order_number":"W-1","customer":"Yamada","address":"Tokyo","lines":[{"sku":"S1","quantity":2}]})";
        const HttpResponse created = m_api->handle(api(m_shopToken, "POST", "/api/v1/orders", order));
        QCOMPARE(created.status, 201);
        const std::int64_t id = bodyOf(created).as_object().at("id").as_int64();
        const HttpResponse again = m_api->handle(api(m_shopToken, "POST", "/api/v1/orders", order));
        QCOMPARE(again.status, 200);
        QCOMPARE(bodyOf(again).as_object().at("id").as_int64(), id);
        // Mass assignment and foreign stores.
        std::string withState = order;
        withState.insert(withState.size() - 1, R"(,"state":"shipped")");
        const HttpResponse massAssigned = m_api->handle(api(m_shopToken, "POST", "/api/v1/orders", withState));
        QCOMPARE(massAssigned.status, 400);
        QCOMPARE(errorCode(massAssigned), std::string("unknown_field"));
        std::string otherStore = order;
        otherStore.replace(otherStore.find("\"shop\""), 6, "\"rival\"");
        QCOMPARE(m_api->handle(api(m_shopToken, "POST", "/api/v1/orders", otherStore)).status, 403);
        QCOMPARE(m_api->handle(api(m_adminToken, "POST", "/api/v1/orders", otherStore)).status, 201);
        const std::int64_t rivalId = *(*m_world->store->findOrder("rival", "W-1"));
        // R22: the shop key sees its orders only.
        QCOMPARE(m_api->handle(api(m_shopToken, "GET", "/api/v1/orders/" + std::to_string(rivalId))).status, 404);
        QCOMPARE(
            m_api->handle(api(m_shopToken, "POST", "/api/v1/orders/" + std::to_string(rivalId) + "/cancel")).status,
            404);
        HttpRequest list = api(m_shopToken, "GET", "/api/v1/orders");
        QCOMPARE(bodyOf(m_api->handle(list)).as_object().at("orders").as_array().size(), std::size_t(1));
        list.query = {{"limit", "1000000"}};
        QCOMPARE(m_api->handle(list).status, 400);
        list.query = {{"state", "nonsense"}};
        QCOMPARE(m_api->handle(list).status, 400);
        // Allocation needs an admin key and stock.
        QCOMPARE(m_api->handle(api(m_shopToken, "POST", "/api/v1/orders/" + std::to_string(id) + "/allocate")).status,
                 403);
        QCOMPARE(m_api->handle(api(m_adminToken, "POST", "/api/v1/orders/" + std::to_string(id) + "/allocate")).status,
                 409);
        QCOMPARE(
            m_api->handle(device("0A01", "POST", "/api/v1/sync/push", pushBody(dev1, 1, opId(1, 1), receiveJson(5))))
                .status,
            200);
        const HttpResponse allocated =
            m_api->handle(api(m_adminToken, "POST", "/api/v1/orders/" + std::to_string(id) + "/allocate"));
        QCOMPARE(allocated.status, 200);
        QCOMPARE(std::string(bodyOf(allocated).as_object().at("warehouse").as_string()), std::string("TKY1"));
        QCOMPARE(m_api->handle(api(m_adminToken, "POST", "/api/v1/orders/" + std::to_string(id) + "/release")).status,
                 200);
        QCOMPARE(m_api->handle(api(m_shopToken, "POST", "/api/v1/orders/" + std::to_string(id) + "/cancel")).status,
                 200);
        QCOMPARE(m_api->handle(api(m_shopToken, "POST", "/api/v1/orders/" + std::to_string(id) + "/cancel")).status,
                 409);
        // The cancel reached the terminals' change log: a pick now is a conflict, the movement kept.
        const HttpResponse picked = m_api->handle(device(
            "0A01", "POST", "/api/v1/sync/push",
            pushBody(dev1, 2, opId(1, 2),
                     R"({"order_id":)" + std::to_string(id) + R"(,"line":1,"sku":"S1","location":"A-1","quantity":2})",
                     "pick")));
        QCOMPARE(picked.status, 200);
        QCOMPARE(
            std::string(bodyOf(picked).as_object().at("results").as_array()[0].as_object().at("reason").as_string()),
            std::string("order_cancelled"));
        QCOMPARE(m_world->balance("A-1"), Common::Domain::Quantity(3));
        // Stock queries.
        HttpRequest balances = api(m_shopToken, "GET", "/api/v1/stock/balances");
        balances.query = {{"sku", "S1"}};
        QCOMPARE(bodyOf(m_api->handle(balances)).as_object().at("balances").as_array().size(), std::size_t(1));
        HttpRequest movements = api(m_shopToken, "GET", "/api/v1/stock/movements");
        movements.query = {{"sku", "S1"}};
        QCOMPARE(bodyOf(m_api->handle(movements)).as_object().at("movements").as_array().size(), std::size_t(2));
        HttpRequest totals = api(m_shopToken, "GET", "/api/v1/stock/warehouses");
        QCOMPARE(
            bodyOf(m_api->handle(totals)).as_object().at("totals").as_array()[0].as_object().at("quantity").as_int64(),
            std::int64_t(3));
    }

    void csvImportOverHttp()
    {
        const std::string csv = "store,order_number,customer,address,line,sku,quantity\nshop,V-1,Sato,Tokyo,1,S1,"
                                "2\nshop,V-2,Ito,Osaka,1,S1,１０\n";
        const HttpResponse imported = m_api->handle(api(m_shopToken, "POST", "/api/v1/orders/import", csv, "text/csv"));
        QCOMPARE(imported.status, 200);
        const auto report = bodyOf(imported).as_object();
        QCOMPARE(report.at("imported").as_int64(), std::int64_t(1));
        QCOMPARE(report.at("errors").as_array()[0].as_object().at("row").as_int64(), std::int64_t(3));
        // Every row refused (REQUIREMENTS.md §9 C8): 422 with the same report, nothing imported.
        const HttpResponse allRefused = m_api->handle(
            api(m_shopToken, "POST", "/api/v1/orders/import",
                "store,order_number,customer,address,line,sku,quantity\nshop,V-4,Ito,Osaka,1,S1,1e3\n", "text/csv"));
        QCOMPARE(allRefused.status, 422);
        QCOMPARE(bodyOf(allRefused).as_object().at("imported").as_int64(), std::int64_t(0));
        QCOMPARE(bodyOf(allRefused).as_object().at("errors").as_array()[0].as_object().at("row").as_int64(),
                 std::int64_t(2));
        const HttpResponse broken = m_api->handle(
            api(m_shopToken, "POST", "/api/v1/orders/import", "store,order_number\n\"shop,V-3\n", "text/csv"));
        QCOMPARE(broken.status, 422);
        QCOMPARE(m_api->handle(api(m_shopToken, "POST", "/api/v1/orders/import", csv, "text/plain")).status, 415);
        QCOMPARE(m_api->handle(api(m_shopToken, "POST", "/api/v1/orders", csv, "text/csv")).status,
                 415); // JSON-only route
    }

    void enrollOverHttp()
    {
        Server::Oms::AdminService admin(*m_world->store);
        const auto code = admin.createEnrollmentCode("TKY1", "HT-20", std::chrono::minutes(15), "cli:test");
        QVERIFY(code);
        // JSON "\n" escapes inside the PEM (a plain literal: moc trips over backslashes in raw strings).
        const std::string body =
            "{\"code\":\"" + code->code +
            "\",\"csr\":\"-----BEGIN CERTIFICATE REQUEST-----\\nMIIB\\n-----END CERTIFICATE REQUEST-----\\n\"}";
        HttpRequest request = api("", "POST", "/api/v1/enroll", body);
        const HttpResponse enrolled = m_api->handle(request);
        QCOMPARE(enrolled.status, 201);
        const auto answer = bodyOf(enrolled).as_object();
        QCOMPARE(std::string(answer.at("device_ca").as_string()), std::string("DEVICE CA"));
        const std::string deviceId(answer.at("device_id").as_string());
        QCOMPARE((*m_world->store->deviceBySerial("FEEDFACE01"))->id, deviceId);
        // The new device can sync right away; the code is burnt.
        QCOMPARE(m_api->handle(device("FEEDFACE01", "GET", "/api/v1/sync/pull")).status, 200);
        QCOMPARE(m_api->handle(request).status, 401);
        QCOMPARE(m_api->handle(api("", "POST", "/api/v1/enroll", R"({"code":"x","csr":"y","role":"admin"})")).status,
                 400);
    }
};

QTEST_GUILESS_MAIN(TestApiApplication)
#include "tst_apiapplication.moc"
