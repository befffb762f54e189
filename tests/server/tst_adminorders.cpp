#include <QTest>
#include <QUrl>

#include <algorithm>

#include "server/admin/adminapplication.h"
#include "server/admin/orderpages.h"
#include "server/storage/store.h"
#include "tests/server/adminrequest.h"
#include "tests/server/fakesessions.h"
#include "tests/server/serverfixture.h"

// In-process tests of the admin listener's order and stock pages (server/admin/orderpages.*,
// stockpages.*) on both backends: stored data is escaped (R32), filters match literally (R31),
// the CSV import preview writes nothing and names each bad row by line and column, the commit
// imports exactly the previewed text (R48), cancel/release change the order and leave audit rows
// (and chat announcements, R42), the CSV export neutralises formulas (R35) and needs step-up
// (R20), wrong roles and missing CSRF tokens are refused (R21, R25).
using namespace TestSupport;
using namespace Server::Admin;
using Common::Domain::OrderState;
using Server::Net::HttpRequest;
using Server::Net::HttpResponse;
using Server::Net::Listener;

namespace {

const std::chrono::system_clock::time_point s_now{std::chrono::seconds(1'800'000'000)};
constexpr const char *s_script = "<script>alert(1)</script>";
constexpr const char *s_header = "store,order_number,customer,address,line,sku,quantity\n";

std::string encoded(std::string_view text)
{
    return QUrl::toPercentEncoding(QString::fromUtf8(text.data(), qsizetype(text.size()))).toStdString();
}

bool contains(const std::string &haystack, std::string_view needle)
{
    return haystack.find(needle) != std::string::npos;
}

std::string attributeAfter(const std::string &html, std::string_view marker)
{
    const auto at = html.find(marker);
    if (at == std::string::npos)
        return {};
    const auto start = at + marker.size();
    return html.substr(start, html.find('"', start) - start);
}

} // namespace

class TestAdminOrders : public QObject
{
    Q_OBJECT

    std::unique_ptr<ServerWorld> m_world;
    std::unique_ptr<AdminApplication> m_admin;

    // The fake login work: one token per role.
    static Common::Result<std::optional<AdminSession>> lookUp(const SessionQuery &query)
    {
        return fakeRoleSession(query, s_now);
    }

    static std::string csrfOf(const std::string &token)
    {
        const auto found = lookUp({token, "", ""});
        return "csrf-" + (*found)->csrfKey;
    }

    HttpRequest get(std::string path, std::string token, std::vector<std::pair<std::string, std::string>> query = {})
    {
        return TestSupport::adminRequest({"GET",
                                          std::move(path),
                                          std::move(token),
                                          {},
                                          std::move(query),
                                          "0d1c0e9a-0000-4000-8000-00000000beef",
                                          "127.0.0.1"});
    }

    // A same-origin form POST; `csrf` true adds the session's token.
    HttpRequest post(std::string path, const std::string &token, std::string fields, bool csrf = true)
    {
        HttpRequest request = get(std::move(path), token);
        request.method = "POST";
        request.headers.emplace_back("content-type", "application/x-www-form-urlencoded");
        request.headers.emplace_back("sec-fetch-site", "same-origin");
        request.headers.emplace_back("origin", "https://localhost:8445");
        request.body =
            (csrf ? "csrf=" + encoded(csrfOf(token)) : std::string()) + (csrf && !fields.empty() ? "&" : "") + fields;
        return request;
    }

    std::int64_t addOrder(const std::string &number, const std::string &customer, Common::Domain::Quantity quantity = 2,
                          const std::string &store = "shop")
    {
        Common::Domain::Order order;
        order.store = store;
        order.orderNumber = number;
        order.customer = customer;
        order.address = "1-2-3 Chiyoda, Tokyo";
        order.lines.push_back({1, "S1", quantity, 0});
        order.lines.push_back({2, "S2", 1, 0});
        auto id = m_world->store->insertOrder(order);
        ServerWorld::check(id);
        return *id;
    }

    void receive(const char *sku, Common::Domain::Quantity quantity, const char *location = "A-1", const char *lot = "")
    {
        ServerWorld::check(m_world->store->addMovement(Common::Domain::StockMovement{
            0, "TKY1", sku, location, lot, quantity, Common::Domain::MovementReason::Receipt, ""}));
    }

    OrderState stateOf(std::int64_t id)
    {
        auto order = m_world->store->order(id);
        ServerWorld::check(order);
        return (*order)->state;
    }

    std::vector<Server::Storage::AuditRecord> auditEvents(std::string_view event)
    {
        auto all = m_world->store->audit(0, 10'000);
        ServerWorld::check(all);
        std::vector<Server::Storage::AuditRecord> out;
        for (auto &entry : *all)
            if (entry.event == event)
                out.push_back(entry);
        return out;
    }

    std::int64_t orderCount()
    {
        Server::Storage::OrderSearch search;
        search.limit = 100'000;
        auto rows = m_world->store->searchOrders(search);
        ServerWorld::check(rows);
        return static_cast<std::int64_t>(rows->size());
    }

    std::int64_t alertCount()
    {
        auto alerts = m_world->store->alerts(0, 10'000);
        ServerWorld::check(alerts);
        return static_cast<std::int64_t>(alerts->size());
    }

    // The application on the fake sessions, with `exportRows` as the four-eyes export limit (R27).
    std::unique_ptr<AdminApplication> makeAdmin(int exportRows)
    {
        AdminConfig config;
        config.sessions = [](const SessionQuery &query) { return lookUp(query); };
        config.csrf.issue = [](const AdminSession &s) { return "csrf-" + s.csrfKey; };
        config.csrf.verify = [](const AdminSession &s, std::string_view token) { return token == "csrf-" + s.csrfKey; };
        config.clock = [] { return s_now; };
        config.fourEyes.exportRows = exportRows;
        return std::make_unique<AdminApplication>(*m_world->pool, config);
    }

    void addSessionUsers()
    {
        using Server::Storage::AdminRole;
        ServerWorld::check(
            insertFakeSessionUsers(*m_world->store, {{"1", AdminRole::Admin}, {"5", AdminRole::BackOffice}}));
    }

    std::vector<Server::Storage::ApprovalRecord> pendingApprovals()
    {
        auto pending = m_world->store->pendingApprovals();
        ServerWorld::check(pending);
        return *pending;
    }

private Q_SLOTS:
    void initTestCase_data() { addBackendRows(); }

    void init()
    {
        SOKO_CHECK_BACKEND();
        m_world = std::make_unique<ServerWorld>();
        m_admin = makeAdmin(500);
    }

    void cleanup()
    {
        m_admin.reset();
        m_world.reset();
    }

    // R32: a stored <script> in a customer name and an order number is text on every page.
    void storedScriptIsInert()
    {
        const auto id = addOrder(std::string("N-") + s_script, s_script);
        for (const std::string &path : {std::string("/admin/orders"), "/admin/orders/" + std::to_string(id)}) {
            const auto page = m_admin->handle(get(path, "viewer"));
            QCOMPARE(page.status, 200);
            QVERIFY2(!contains(page.body, s_script), path.c_str());
            QVERIFY(contains(page.body, "&lt;script&gt;alert(1)&lt;/script&gt;"));
        }
        // The list links to the detail page.
        const auto list = m_admin->handle(get("/admin/orders", "viewer"));
        QVERIFY(contains(list.body, "href=\"/admin/orders/" + std::to_string(id) + "\""));
        // A viewer sees no action forms; the back office does.
        QVERIFY(!contains(m_admin->handle(get("/admin/orders/" + std::to_string(id), "viewer")).body, "/cancel\""));
        QVERIFY(contains(m_admin->handle(get("/admin/orders/" + std::to_string(id), "back-office")).body, "/cancel\""));
    }

    void filters()
    {
        const auto tea = addOrder("T-100", "Tanaka Tea");
        const auto percent = addOrder("P-100", "100% Juice", 2, "other");
        addOrder("M-100", "Miso Ya");
        ServerWorld::check(m_world->store->setOrderState(percent, OrderState::Cancelled, ""));
        const auto list = [this](std::vector<std::pair<std::string, std::string>> query) {
            const auto page = m_admin->handle(get("/admin/orders", "viewer", std::move(query)));
            return page;
        };
        // Literal text match on customer or order number, case-insensitive.
        auto page = list({{"q", "tanaka"}});
        QCOMPARE(page.status, 200);
        QVERIFY(contains(page.body, "T-100") && !contains(page.body, "M-100") && !contains(page.body, "P-100"));
        page = list({{"q", "m-1"}});
        QVERIFY(contains(page.body, "M-100") && !contains(page.body, "T-100"));
        // '%' and '_' are not wildcards; a quote is just a character (R31).
        page = list({{"q", "%"}});
        QVERIFY(contains(page.body, "P-100") && !contains(page.body, "T-100"));
        page = list({{"q", "_"}});
        QVERIFY(!contains(page.body, "P-100") && !contains(page.body, "T-100"));
        page = list({{"q", "' OR 1=1 --"}});
        QCOMPARE(page.status, 200);
        QVERIFY(!contains(page.body, "T-100"));
        // State and store.
        page = list({{"state", "cancelled"}});
        QVERIFY(contains(page.body, "P-100") && !contains(page.body, "T-100"));
        page = list({{"store", "other"}});
        QVERIFY(contains(page.body, "P-100") && !contains(page.body, "M-100"));
        // Created date range (UTC days of created_at).
        Server::Storage::OrderSearch all;
        auto rows = m_world->store->searchOrders(all);
        QVERIFY(rows && rows->size() == 3);
        const std::string today = rows->front().createdAt.substr(0, 10);
        page = list({{"from", today}, {"to", today}});
        QVERIFY(contains(page.body, "T-100") && contains(page.body, "M-100"));
        page = list({{"to", "2000-01-01"}});
        QVERIFY(!contains(page.body, "T-100"));
        page = list({{"from", "2999-01-01"}});
        QVERIFY(!contains(page.body, "T-100"));
        // Paging: newest first, a bounded page and a link to the next one.
        page = list({{"limit", "1"}});
        QVERIFY(contains(page.body, "M-100") && !contains(page.body, "T-100"));
        QVERIFY(contains(page.body, "before=" + std::to_string(tea + 2) + "&amp;limit=1"));
        page = list({{"limit", "1"}, {"before", std::to_string(tea + 1)}});
        QVERIFY(contains(page.body, "T-100") && !contains(page.body, "M-100"));
        // Bad filters: 400 with the parameter named; undeclared parameters 400 (R44).
        for (const auto &[name, value] :
             std::vector<std::pair<std::string, std::string>>{{"state", "bogus"},
                                                              {"from", "2026-13-01"},
                                                              {"from", "2026-02-30"},
                                                              {"to", "2027-04-31"},
                                                              {"to", "yesterday"},
                                                              {"limit", "0"},
                                                              {"limit", "201"},
                                                              {"limit", "1e3"},
                                                              {"before", "0x10"},
                                                              {"q", std::string(65, 'a')}}) {
            page = list({{name, value}});
            QCOMPARE(page.status, 400);
            QVERIFY(contains(page.body, name));
        }
        QCOMPARE(list({{"sort", "id; DROP TABLE orders"}}).status, 400);
        QCOMPARE(orderCount(), 3);
    }

    void detail()
    {
        const auto id = addOrder("D-1", "Suzuki");
        ServerWorld::check(m_world->store->recordShipment(id, "1Z999AA10123456784", "yamato"));
        auto page = m_admin->handle(get("/admin/orders/" + std::to_string(id), "viewer"));
        QCOMPARE(page.status, 200);
        QVERIFY(contains(page.body, "Suzuki"));
        QVERIFY(contains(page.body, "1Z999AA10123456784"));
        QVERIFY(contains(page.body, "yamato"));
        QVERIFY(contains(page.body, "<td>S2</td>"));
        QCOMPARE(m_admin->handle(get("/admin/orders/999999", "viewer")).status, 404);
        QCOMPARE(m_admin->handle(get("/admin/orders/abc", "viewer")).status, 404);
        QCOMPARE(m_admin->handle(get("/admin/orders/1", "")).status, 302); // to the login page
    }

    void cancel()
    {
        const auto id = addOrder("C-1", "Kato");
        const std::string path = "/admin/orders/" + std::to_string(id) + "/cancel";
        // Wrong roles and a missing CSRF token are refused before anything changes.
        QCOMPARE(m_admin->handle(post(path, "viewer", "")).status, 403);
        QCOMPARE(m_admin->handle(post(path, "supervisor", "")).status, 403);
        QCOMPARE(m_admin->handle(post(path, "back-office", "", false)).status, 403);
        QCOMPARE(m_admin->handle(post(path, "back-office", "csrf=csrf-key-1", false)).status, 403); // someone else's
        QCOMPARE(stateOf(id), OrderState::Imported);
        QVERIFY(auditEvents("order_status_change").empty());

        const auto alertsBefore = alertCount();
        const auto done = m_admin->handle(post(path, "back-office", ""));
        QCOMPARE(done.status, 302);
        QCOMPARE(
            std::find_if(done.headers.begin(), done.headers.end(), [](const auto &h) { return h.first == "Location"; })
                ->second,
            "/admin/orders/" + std::to_string(id) + "?done=cancelled");
        QCOMPARE(stateOf(id), OrderState::Cancelled);
        const auto changes = auditEvents("order_status_change");
        QCOMPARE(changes.size(), std::size_t(1));
        QCOMPARE(changes[0].actor, std::string("admin:5"));
        QCOMPARE(changes[0].target, std::to_string(id));
        QVERIFY(contains(changes[0].details, "\"to\":\"cancelled\""));
        QCOMPARE(alertCount(), alertsBefore + 1); // announced in the same transaction (R42)
        // The history on the detail page shows it.
        const auto page =
            m_admin->handle(get("/admin/orders/" + std::to_string(id), "viewer", {{"done", "cancelled"}}));
        QVERIFY(contains(page.body, "order_status_change"));
        QVERIFY(contains(page.body, "The order was cancelled."));

        // Again: refused with the reason, nothing changes, the refusal is audited.
        const auto again = m_admin->handle(post(path, "back-office", ""));
        QCOMPARE(again.status, 409);
        QVERIFY(contains(again.body, "does not allow this action"));
        QCOMPARE(auditEvents("order_status_change").size(), std::size_t(1));
        const auto failed = auditEvents("order_status_change_fail");
        QCOMPARE(failed.size(), std::size_t(1));
        QCOMPARE(failed[0].outcome, std::string("failure"));
        QCOMPARE(failed[0].requestId, std::string("0d1c0e9a-0000-4000-8000-00000000beef"));
        QCOMPARE(m_admin->handle(post("/admin/orders/999999/cancel", "back-office", "")).status, 404);
    }

    void release()
    {
        receive("S1", 10);
        receive("S2", 5);
        const auto id = addOrder("R-1", "Ito", 3);
        const auto tooBig = addOrder("R-2", "Abe", 50);
        const std::string path = "/admin/orders/" + std::to_string(id) + "/release";
        QCOMPARE(m_admin->handle(post(path, "viewer", "")).status, 403);
        QCOMPARE(m_admin->handle(post(path, "back-office", "", false)).status, 403);
        QCOMPARE(stateOf(id), OrderState::Imported);

        const auto done = m_admin->handle(post(path, "back-office", ""));
        QCOMPARE(done.status, 302);
        auto order = m_world->store->order(id);
        QCOMPARE((*order)->state, OrderState::Released);
        QCOMPARE((*order)->warehouse, std::string("TKY1"));
        const auto changes = auditEvents("order_status_change");
        QCOMPARE(changes.size(), std::size_t(2)); // imported → allocated → released
        QVERIFY(contains(changes[0].details, "\"to\":\"allocated\""));
        QVERIFY(contains(changes[1].details, "\"to\":\"released\""));
        QCOMPARE(changes[1].actor, std::string("admin:5"));

        // Not enough stock anywhere: refused with that reason, the order stays imported.
        const auto refused =
            m_admin->handle(post("/admin/orders/" + std::to_string(tooBig) + "/release", "back-office", ""));
        QCOMPARE(refused.status, 409);
        QVERIFY(contains(refused.body, "No warehouse has the stock for every line."));
        QCOMPARE(stateOf(tooBig), OrderState::Imported);
        QCOMPARE(auditEvents("order_status_change_fail").size(), std::size_t(1));
        // Released already: a second release is refused.
        QCOMPARE(m_admin->handle(post(path, "back-office", "")).status, 409);
    }

    // R48 / §9 C4, C5, C8: each bad row is named by line and column; nothing is written.
    void importPreviewRefuses_data()
    {
        QTest::addColumn<QByteArray>("csv");
        QTest::addColumn<QByteArray>("expected"); // in the page: "<line></td><td><column>" or a file error
        const QByteArray good = "shop,I-1,Mori,Tokyo,1,S1,2\n";
        QTest::newRow("1e3") << good + "shop,I-2,Ueda,Osaka,1,S1,1e3\n" << QByteArray("3|quantity");
        QTest::newRow("0x10") << good + "shop,I-2,Ueda,Osaka,1,S1,0x10\n" << QByteArray("3|quantity");
        QTest::newRow("full-width") << good + "shop,I-2,Ueda,Osaka,1,S1,１０\n" << QByteArray("3|quantity");
        QTest::newRow("negative") << good + "shop,I-2,Ueda,Osaka,1,S1,-1\n" << QByteArray("3|quantity");
        QTest::newRow("unknown sku") << good + "shop,I-2,Ueda,Osaka,1,NOPE,1\n" << QByteArray("3|sku");
        QTest::newRow("line twice") << good + "shop,I-1,Mori,Tokyo,1,S2,1\n" << QByteArray("3|line");
        QTest::newRow("line zero") << good + "shop,I-2,Ueda,Osaka,0,S1,1\n" << QByteArray("3|line");
        QTest::newRow("empty customer") << good + "shop,I-2,,Osaka,1,S1,1\n" << QByteArray("3|customer");
        QTest::newRow("customer differs") << good + "shop,I-1,Other,Tokyo,2,S2,1\n" << QByteArray("3|customer");
        QTest::newRow("bad store") << good + "sh op\u200b,I-2,Ueda,Osaka,1,S1,1\n" << QByteArray("3|store");
        QTest::newRow("unbalanced quote") << good + "shop,\"I-2,Ueda,Osaka,1,S1,1\n" << QByteArray("file");
        QTest::newRow("extra column") << QByteArray("store,order_number,customer,address,line,sku,quantity,x\n")
                                      << QByteArray("file");
        QTest::newRow("wrong header") << QByteArray("shop,order_number,customer,address,line,sku,quantity\n") + good
                                      << QByteArray("file");
    }
    void importPreviewRefuses()
    {
        QFETCH(QByteArray, csv);
        QFETCH(QByteArray, expected);
        std::string text = csv.toStdString();
        if (!text.starts_with("store,") && !text.starts_with("shop,order_number"))
            text = s_header + text;
        const auto countBefore = orderCount();
        const auto auditBefore = m_world->store->audit(0, 10'000)->size();
        const auto page = m_admin->handle(post("/admin/orders/import", "back-office", "csv=" + encoded(text)));
        QCOMPARE(page.status, 422);
        QVERIFY(!contains(page.body, "/admin/orders/import/commit")); // no commit offered
        if (expected == "file") {
            QVERIFY(contains(page.body, "The file cannot be read"));
        } else {
            const auto parts = expected.split('|');
            QVERIFY2(contains(page.body, "<td class=\"number\">" + parts[0].toStdString() + "</td><td>" +
                                             parts[1].toStdString() + "</td>"),
                     page.body.c_str());
        }
        QCOMPARE(orderCount(), countBefore);
        QCOMPARE(m_world->store->audit(0, 10'000)->size(), auditBefore);
    }

    void importPreviewThenCommit()
    {
        const std::string bad = std::string(s_header) + "shop,I-1,Mori,Tokyo,1,S1,2\r\n" +
                                "shop,I-1,Mori,Tokyo,2,S2,1\n" + "shop,I-2,\"=HYPERLINK(\"\"x\"\")\",Osaka,1,S1,1e3\n";
        auto page = m_admin->handle(post("/admin/orders/import", "back-office", "csv=" + encoded(bad)));
        QCOMPARE(page.status, 422);
        QVERIFY(contains(page.body, "<td class=\"number\">4</td><td>quantity</td>"));
        QCOMPARE(orderCount(), 0);

        // Fixed: the preview lists both orders and offers the commit; still nothing written.
        const std::string good = std::string(s_header) + "shop,I-1,Mori,Tokyo,1,S1,2\r\n" +
                                 "shop,I-1,Mori,Tokyo,2,S2,1\n" + "shop,I-2,\"=HYPERLINK(\"\"x\"\")\",Osaka,1,S1,10\n";
        page = m_admin->handle(post("/admin/orders/import", "back-office", "csv=" + encoded(good)));
        QCOMPARE(page.status, 200);
        QVERIFY(contains(page.body, "/admin/orders/import/commit"));
        QVERIFY(contains(page.body, "I-2"));
        QCOMPARE(orderCount(), 0);
        QVERIFY(auditEvents("csv_import").empty());
        const std::string digest = attributeAfter(page.body, "name=\"digest\" value=\"");
        QCOMPARE(digest.size(), std::size_t(64));
        const std::string canonical = canonicalImportText(good);

        // Swapped content with the old digest, a forged digest, another user's digest: refused.
        const std::string swapped = canonical + "shop,I-3,Evil,Nowhere,1,S1,999\n";
        QCOMPARE(m_admin
                     ->handle(post("/admin/orders/import/commit", "back-office",
                                   "csv=" + encoded(swapped) + "&digest=" + digest))
                     .status,
                 422);
        QCOMPARE(m_admin
                     ->handle(post("/admin/orders/import/commit", "back-office",
                                   "csv=" + encoded(canonical) + "&digest=" + std::string(64, '0')))
                     .status,
                 422);
        QCOMPARE(m_admin
                     ->handle(post("/admin/orders/import/commit", "admin",
                                   "csv=" + encoded(canonical) + "&digest=" + digest))
                     .status,
                 422);
        // Wrong role, missing CSRF.
        QCOMPARE(m_admin
                     ->handle(post("/admin/orders/import/commit", "viewer",
                                   "csv=" + encoded(canonical) + "&digest=" + digest))
                     .status,
                 403);
        QCOMPARE(m_admin
                     ->handle(post("/admin/orders/import/commit", "back-office",
                                   "csv=" + encoded(canonical) + "&digest=" + digest, false))
                     .status,
                 403);
        QCOMPARE(orderCount(), 0);

        // The commit imports exactly the previewed content.
        const auto alertsBefore = alertCount();
        const auto done = m_admin->handle(
            post("/admin/orders/import/commit", "back-office", "csv=" + encoded(canonical) + "&digest=" + digest));
        QCOMPARE(done.status, 302);
        QVERIFY(contains(done.body, "done=imported&amp;imported=2&amp;unchanged=0"));
        QCOMPARE(orderCount(), 2);
        auto first = m_world->store->findOrder("shop", "I-1");
        auto second = m_world->store->findOrder("shop", "I-2");
        QVERIFY(first && *first && second && *second);
        auto one = m_world->store->order(**first);
        QCOMPARE((*one)->lines.size(), std::size_t(2));
        QCOMPARE((*one)->lines[1].skuCode, std::string("S2"));
        auto two = m_world->store->order(**second);
        QCOMPARE((*two)->customer, std::string("=HYPERLINK(\"x\")")); // kept as text
        QCOMPARE((*two)->lines[0].quantity, Common::Domain::Quantity(10));
        const auto imports = auditEvents("csv_import");
        QCOMPARE(imports.size(), std::size_t(1));
        QCOMPARE(imports[0].actor, std::string("admin:5"));
        QVERIFY(contains(imports[0].details, "\"imported\":2"));
        QVERIFY(alertCount() > alertsBefore);
        // The list shows the counts.
        page = m_admin->handle(
            get("/admin/orders", "viewer", {{"done", "imported"}, {"imported", "2"}, {"unchanged", "0"}}));
        QVERIFY(contains(page.body, "New orders 2"));

        // The same file again: previewed as already known, committed as unchanged.
        page = m_admin->handle(post("/admin/orders/import", "back-office", "csv=" + encoded(canonical)));
        QCOMPARE(page.status, 200);
        QVERIFY(contains(page.body, "Already known (unchanged)"));
        QCOMPARE(m_admin
                     ->handle(post("/admin/orders/import/commit", "back-office",
                                   "csv=" + encoded(canonical) + "&digest=" + digest))
                     .status,
                 302);
        QCOMPARE(orderCount(), 2);
    }

    // R21/R25 and §9 C1: roles, CSRF and size on the preview.
    void importRefusals()
    {
        const std::string body = "csv=" + encoded(std::string(s_header) + "shop,I-1,Mori,Tokyo,1,S1,2\n");
        QCOMPARE(m_admin->handle(post("/admin/orders/import", "viewer", body)).status, 403);
        QCOMPARE(m_admin->handle(post("/admin/orders/import", "supervisor", body)).status, 403);
        QCOMPARE(m_admin->handle(post("/admin/orders/import", "back-office", body, false)).status, 403);
        auto crossSite = post("/admin/orders/import", "back-office", body);
        crossSite.headers.emplace_back("sec-fetch-site", "cross-site");
        for (auto &[name, value] : crossSite.headers)
            if (name == "sec-fetch-site")
                value = "cross-site";
        QCOMPARE(m_admin->handle(crossSite).status, 403);
        QCOMPARE(m_admin->handle(get("/admin/orders/import", "viewer")).status, 403);
        QCOMPARE(m_admin->handle(get("/admin/orders/import", "back-office")).status, 200);
        // Over 1 MiB of CSV: 413 without a preview; an empty text: 422.
        std::string big = s_header;
        while (big.size() <= maxImportBytes)
            big += "shop,I-1,Mori,Tokyo,1,S1,2\n";
        QCOMPARE(m_admin->handle(post("/admin/orders/import", "back-office", "csv=" + encoded(big))).status, 413);
        QCOMPARE(m_admin->handle(post("/admin/orders/import", "back-office", "csv=")).status, 422);
        // More rows than the page takes: refused as a whole with the reason.
        std::string many = s_header;
        for (std::size_t row = 0; row <= maxImportRows; ++row)
            many += "s,O" + std::to_string(row) + ",c,a,1,S1,1\n";
        const auto tooMany = m_admin->handle(post("/admin/orders/import", "back-office", "csv=" + encoded(many)));
        QCOMPARE(tooMany.status, 422);
        QVERIFY(contains(tooMany.body, "The file cannot be read"));
        QCOMPARE(orderCount(), 0);

        // The header alone: nothing to commit, said so (no commit button).
        const auto headerOnly = m_admin->handle(post("/admin/orders/import", "back-office", "csv=" + encoded(s_header)));
        QCOMPARE(headerOnly.status, 422);
        QVERIFY(contains(headerOnly.body, "no order lines"));
        QVERIFY(!contains(headerOnly.body, "import-commit"));
    }

    // R35: formulas neutralised in the export; R20: step-up; audit `export`.
    void csvExport()
    {
        addOrder("E-1", "=HYPERLINK(\"http://x\",\"y\")");
        addOrder("E-2", "-2+3");
        addOrder("E-3", "@SUM(A1)", 2, "+shop");
        QCOMPARE(m_admin->handle(get("/admin/orders.csv", "viewer")).status, 403);
        QCOMPARE(m_admin->handle(get("/admin/orders.csv", "stale-admin")).status, 403); // step-up too old
        const auto csv = m_admin->handle(get("/admin/orders.csv", "admin"));
        QCOMPARE(csv.status, 200);
        QCOMPARE(csv.contentType, std::string("text/csv; charset=utf-8"));
        QVERIFY(contains(csv.body, "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\""));
        QVERIFY(contains(csv.body, ",'-2+3,"));
        QVERIFY(contains(csv.body, ",'@SUM(A1),"));
        QVERIFY(contains(csv.body, "\n3,'+shop,E-3,") || contains(csv.body, ",'+shop,"));
        const auto exports = auditEvents("export");
        QCOMPARE(exports.size(), std::size_t(1));
        QVERIFY(contains(exports[0].details, "\"rows\":3"));
        // Filters apply to the export too.
        const auto filtered = m_admin->handle(get("/admin/orders.csv", "admin", {{"q", "E-2"}}));
        QVERIFY(contains(filtered.body, "E-2") && !contains(filtered.body, "E-1"));
    }

    // R27: an export above the four-eyes limit needs another administrator's approval, filed by
    // the requester for exactly those filters and downloaded once; the requester never approves it.
    void csvExportFourEyes()
    {
        addSessionUsers();
        m_admin = makeAdmin(2);
        addOrder("E-1", "Tanaka Hanako");
        addOrder("E-2", "Suzuki Ichiro");
        addOrder("E-3", "Sato Jiro");

        // Under the limit: as before.
        QCOMPARE(m_admin->handle(get("/admin/orders.csv", "back-office", {{"q", "E-2"}})).status, 200);
        // Over it: 403 with the way to ask, no data.
        const auto refused = m_admin->handle(get("/admin/orders.csv", "back-office"));
        QCOMPARE(refused.status, 403);
        QVERIFY(contains(refused.body, "action=\"/admin/orders/export-requests\""));
        QVERIFY(!contains(refused.body, "Tanaka"));
        QVERIFY(contains(refused.body, "class=\"export-rows\">3<"));

        const auto requested = m_admin->handle(post("/admin/orders/export-requests", "back-office", ""));
        QCOMPARE(requested.status, 202);
        auto open = pendingApprovals();
        QCOMPARE(open.size(), std::size_t(1));
        QCOMPARE(open[0].action, std::string("pii_export"));
        QCOMPARE(open[0].target, std::string("orders.csv?"));
        QCOMPARE(open[0].requestedBy, std::string("5"));
        QCOMPARE(auditEvents("approval_requested").size(), std::size_t(1));
        const std::string id = std::to_string(open[0].id);
        // The page's language links lead to the orders list (this page is a 403 of a download or
        // the answer to a POST); "no filters" reads "-", as on the approver's list.
        QVERIFY(contains(requested.body, "href=\"/admin/orders?lang=ja\""));
        QVERIFY(!contains(requested.body, "/admin/orders/export-requests?lang"));
        QVERIFY(contains(requested.body, "<code>-</code>"));
        // Filed once: the same export again is 409 while it waits (nothing new filed, nothing audited).
        const auto again = m_admin->handle(post("/admin/orders/export-requests", "back-office", ""));
        QCOMPARE(again.status, 409);
        QVERIFY(contains(again.body, "already waiting for approval or approved"));
        QCOMPARE(pendingApprovals().size(), std::size_t(1));
        QCOMPARE(auditEvents("approval_requested").size(), std::size_t(1));
        // The request form has these fields and no others.
        QCOMPARE(m_admin->handle(post("/admin/orders/export-requests", "back-office", "state=imported&limit=5")).status,
                 400);
        QCOMPARE(pendingApprovals().size(), std::size_t(1));

        // Not approved yet: refused and audited.
        const auto early = m_admin->handle(get("/admin/orders.csv", "back-office", {{"approval", id}}));
        QCOMPARE(early.status, 403);
        QVERIFY(!contains(early.body, "Tanaka"));
        QCOMPARE(auditEvents("authz_fail").size(), std::size_t(1));

        QCOMPARE(m_admin->handle(post("/admin/approvals/" + id + "/approve", "admin", "")).status, 302);
        QVERIFY(pendingApprovals().empty());
        // Approved and not yet used: still one request for these filters.
        QCOMPARE(m_admin->handle(post("/admin/orders/export-requests", "back-office", "")).status, 409);
        QVERIFY(pendingApprovals().empty());
        // The approval id as the page links it: no sign, no leading zeros.
        QCOMPARE(m_admin->handle(get("/admin/orders.csv", "back-office", {{"approval", "0" + id}})).status, 400);
        QCOMPARE(m_admin->handle(get("/admin/orders.csv", "back-office", {{"approval", "+" + id}})).status, 400);

        // Another user, other filters: refused. The requester, same filters: the file, once.
        QCOMPARE(m_admin->handle(get("/admin/orders.csv", "admin", {{"approval", id}})).status, 403);
        QCOMPARE(m_admin->handle(get("/admin/orders.csv", "back-office", {{"state", "imported"}, {"approval", id}}))
                     .status,
                 403);
        const auto listed = m_admin->handle(get("/admin/orders.csv", "back-office"));
        QVERIFY(contains(listed.body, "href=\"/admin/orders.csv?approval=" + id + "\""));
        addOrder("E-4", "Kato Shiro"); // created after the request: not covered by the approval
        const auto csv = m_admin->handle(get("/admin/orders.csv", "back-office", {{"approval", id}}));
        QCOMPARE(csv.status, 200);
        QVERIFY(contains(csv.body, "Tanaka") && contains(csv.body, "Sato"));
        QVERIFY(!contains(csv.body, "Kato"));
        const auto exports = auditEvents("export");
        QVERIFY(!exports.empty());
        QVERIFY(contains(exports.back().details, "\"approval\":" + id));
        QCOMPARE(m_admin->handle(get("/admin/orders.csv", "back-office", {{"approval", id}})).status, 403);
        QCOMPARE(m_admin->handle(get("/admin/orders.csv", "back-office", {{"approval", "x"}})).status, 400);

        // The requester cannot approve their own request (R27: same admin → 403).
        QCOMPARE(m_admin->handle(post("/admin/orders/export-requests", "admin", "state=imported")).status, 202);
        open = pendingApprovals();
        QCOMPARE(open.size(), std::size_t(1));
        QCOMPARE(open[0].target, std::string("orders.csv?state=imported"));
        // The approvals list shows the filters as people write them, not percent-encoded.
        const auto approvals = m_admin->handle(get("/admin/approvals", "admin"));
        QVERIFY(contains(approvals.body, "<code>state=imported</code>"));
        QCOMPARE(readableExportFilters("q=%E7%94%B0%20%26%3D&state=released"), std::string("q=田 &=, state=released"));
        QCOMPARE(readableExportFilters(""), std::string("-"));
        QCOMPARE(m_admin->handle(post("/admin/approvals/" + std::to_string(open[0].id) + "/approve", "admin", "")).status,
                 403);
        QCOMPARE(pendingApprovals().size(), std::size_t(1));
        // A request under the limit is not filed: 303 to the export itself.
        const auto small = m_admin->handle(post("/admin/orders/export-requests", "back-office", "q=E-1"));
        QCOMPARE(small.status, 303);
        QCOMPARE(pendingApprovals().size(), std::size_t(1));
    }

    void csvCells_data()
    {
        QTest::addColumn<QByteArray>("value");
        QTest::addColumn<QByteArray>("cell");
        QTest::newRow("plain") << QByteArray("Tanaka") << QByteArray("Tanaka");
        QTest::newRow("formula") << QByteArray("=1+2") << QByteArray("'=1+2");
        QTest::newRow("plus") << QByteArray("+81") << QByteArray("'+81");
        QTest::newRow("minus") << QByteArray("-1") << QByteArray("'-1");
        QTest::newRow("at") << QByteArray("@x") << QByteArray("'@x");
        QTest::newRow("tab") << QByteArray("\tx") << QByteArray("'\tx");
        QTest::newRow("cr") << QByteArray("\rx") << QByteArray("\"'\rx\"");
        QTest::newRow("comma") << QByteArray("a,b") << QByteArray("\"a,b\"");
        QTest::newRow("quote") << QByteArray("say \"hi\"") << QByteArray("\"say \"\"hi\"\"\"");
        QTest::newRow("hyperlink") << QByteArray("=HYPERLINK(\"http://x\",\"y\")")
                                   << QByteArray("\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"");
        QTest::newRow("inner equals") << QByteArray("a=b") << QByteArray("a=b");
    }
    void csvCells()
    {
        QFETCH(QByteArray, value);
        QFETCH(QByteArray, cell);
        QCOMPARE(QByteArray::fromStdString(csvCell(value.toStdString())), cell);
    }

    void stockPages()
    {
        ServerWorld::check(m_world->store->upsertSku(
            Common::Domain::Sku{"S3", "<img src=x onerror=alert(1)>", {"04901234567801"}, "piece", false}));
        ServerWorld::check(m_world->store->upsertLot(Common::Domain::Lot{"S2", "L-7", std::nullopt, false}));
        receive("S1", 7, "A-1");
        receive("S1", 3, "A-2");
        receive("S2", 4, "A-2", "L-7");
        // SKUs: list, literal search, escaping, paging.
        auto page = m_admin->handle(get("/admin/skus", "viewer"));
        QCOMPARE(page.status, 200);
        QVERIFY(contains(page.body, "Green tea") && contains(page.body, "04901234567894"));
        QVERIFY(!contains(page.body, "<img src=x"));
        QVERIFY(contains(page.body, "&lt;img src=x onerror=alert(1)&gt;"));
        page = m_admin->handle(get("/admin/skus", "viewer", {{"q", "MISO"}}));
        QVERIFY(contains(page.body, "Miso") && !contains(page.body, "Green tea"));
        page = m_admin->handle(get("/admin/skus", "viewer", {{"q", "%"}}));
        QVERIFY(!contains(page.body, "Green tea"));
        page = m_admin->handle(get("/admin/skus", "viewer", {{"limit", "1"}}));
        QVERIFY(contains(page.body, "Green tea") && !contains(page.body, "Miso") && contains(page.body, "after=S1"));
        page = m_admin->handle(get("/admin/skus", "viewer", {{"after", "S1"}, {"limit", "1"}}));
        QVERIFY(contains(page.body, "Miso") && !contains(page.body, "Green tea"));
        QCOMPARE(m_admin->handle(get("/admin/skus", "viewer", {{"limit", "x"}})).status, 400);
        // Locations of a warehouse.
        page = m_admin->handle(get("/admin/locations", "viewer", {{"warehouse", "OSA1"}}));
        QCOMPARE(page.status, 200);
        QVERIFY(contains(page.body, "B-1") && !contains(page.body, "<td>A-2</td>"));
        page = m_admin->handle(get("/admin/locations", "viewer", {{"warehouse", "TKY1"}}));
        QVERIFY(contains(page.body, "<td>A-2</td>") && contains(page.body, "<td>DOCK</td>"));
        // Stock by warehouse / location / lot, filtered by SKU.
        page = m_admin->handle(get("/admin/stock", "viewer", {{"warehouse", "TKY1"}}));
        QCOMPARE(page.status, 200);
        QVERIFY(contains(page.body, "<td class=\"number\">7</td>") && contains(page.body, "L-7"));
        page = m_admin->handle(get("/admin/stock", "viewer", {{"location", "A-2"}, {"sku", "S1"}}));
        QVERIFY(contains(page.body, "<td class=\"number\">3</td>") &&
                !contains(page.body, "<td class=\"number\">7</td>"));
        QVERIFY(!contains(page.body, "L-7"));
        page = m_admin->handle(get("/admin/stock", "viewer", {{"lot", "L-7"}}));
        QVERIFY(contains(page.body, "<td class=\"number\">4</td>") &&
                !contains(page.body, "<td class=\"number\">3</td>"));
        // Movements of one SKU.
        page = m_admin->handle(get("/admin/stock/movements", "viewer", {{"sku", "S1"}}));
        QCOMPARE(page.status, 200);
        QVERIFY(contains(page.body, "receipt"));
        QVERIFY(contains(page.body, "<td class=\"number\">7</td>") &&
                contains(page.body, "<td class=\"number\">3</td>"));
        QVERIFY(!contains(page.body, "L-7"));
        QCOMPARE(m_admin->handle(get("/admin/stock/movements", "viewer", {{"after", "-1"}})).status, 400);
        // Signed out → login; no stock page accepts a POST.
        QCOMPARE(m_admin->handle(get("/admin/stock", "")).status, 302);
        QCOMPARE(m_admin->handle(post("/admin/stock", "admin", "")).status, 405);
    }

    // Japanese pages are complete for these screens (no English fallback text in the table heads).
    void japanese()
    {
        addOrder("J-1", "山田");
        const auto page = m_admin->handle(get("/admin/orders", "viewer", {{"lang", "ja"}}));
        QCOMPARE(page.status, 200);
        QVERIFY(contains(page.body, "受注番号"));
        QVERIFY(contains(page.body, "山田"));
        QVERIFY(!contains(page.body, "Order number"));
    }
};

QTEST_GUILESS_MAIN(TestAdminOrders)
#include "tst_adminorders.moc"
