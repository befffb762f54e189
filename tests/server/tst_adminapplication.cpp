#include <QTest>

#include <map>
#include <mutex>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include "server/admin/adminapplication.h"
#include "server/admin/listenerrouter.h"
#include "server/api/apiapplication.h"
#include "server/ops/servermetrics.h"
#include "server/storage/store.h"
#include "tests/server/serverfixture.h"

// In-process tests of the admin listener's Application (server/admin/adminapplication.*) and the
// listener composition: deny by default, the session seam with a fake provider, permissions and
// step-up, CSRF/origin policy, R15, R23, R26, R30, R33, R38, R43, R51, R52 (the headers the
// application sets; the transport's are checked end to end in tst_adminlistener), R53, the
// dashboard with hostile data and the metrics hooks.
using namespace TestSupport;
using namespace Server::Admin;
using Server::Net::HttpRequest;
using Server::Net::HttpResponse;
using Server::Net::Listener;

namespace {

const std::chrono::system_clock::time_point s_now{std::chrono::seconds(1'800'000'000)};

std::optional<std::string> header(const HttpResponse &response, std::string_view name)
{
    for (const auto &[key, value] : response.headers) {
        if (QByteArray::fromStdString(key).toLower() == QByteArray(name.data(), qsizetype(name.size())).toLower())
            return value;
    }
    return std::nullopt;
}

int headerCount(const HttpResponse &response, std::string_view name)
{
    int count = 0;
    for (const auto &[key, value] : response.headers)
        count += QByteArray::fromStdString(key).toLower() == QByteArray(name.data(), qsizetype(name.size())).toLower();
    return count;
}

boost::json::object jsonOf(const HttpResponse &response)
{
    boost::json::error_code error;
    auto value = boost::json::parse(response.body, error);
    if (error || !value.is_object())
        return {};
    return value.as_object();
}

std::string pushBody(const char *device, std::int64_t firstSeq, int count)
{
    std::string ops;
    for (int index = 0; index < count; ++index) {
        const std::int64_t seq = firstSeq + index;
        ops += std::string(index ? "," : "") + R"({"seq":)" + std::to_string(seq) + R"(,"op_id":")" +
               opId(9, static_cast<int>(seq)) +
               R"(","type":"receive","payload":{"sku":"S1","location":"A-1","quantity":1},)"
               R"("operator_id":"OP-1","created_at":"2026-11-29T21:40:00Z"})";
    }
    return R"({"protocol":1,"device_id":")" + std::string(device) + R"(","incarnation":1,"ops":[)" + ops + "]}";
}

} // namespace

class TestAdminApplication : public QObject
{
    Q_OBJECT

    std::unique_ptr<ServerWorld> m_world;
    std::unique_ptr<Server::Ops::ServerMetrics> m_metrics;
    std::unique_ptr<AdminApplication> m_admin;
    std::unique_ptr<Server::Api::ApiApplication> m_api;
    Server::Net::Application m_composed;
    std::mutex m_logMutex;
    std::vector<std::string> m_log;
    std::optional<Common::Result<bool>> m_setupPending;
    int m_providerCalls = 0;

    static AdminSession session(std::string id, Role role, SessionStage stage,
                                std::optional<std::chrono::system_clock::time_point> totp)
    {
        return AdminSession{id, "user-" + id, role, stage, totp, "key-" + id};
    }

    // The fake login work: tokens the test hands out, each standing for one kind of caller.
    Common::Result<std::optional<AdminSession>> lookUp(const SessionQuery &query)
    {
        ++m_providerCalls;
        const std::string token(query.token);
        if (token == "admin")
            return session("1", Role::Admin, SessionStage::Complete, s_now - std::chrono::minutes(1));
        if (token == "stale-admin")
            return session("2", Role::Admin, SessionStage::Complete, s_now - std::chrono::minutes(6));
        if (token == "viewer")
            return session("3", Role::Viewer, SessionStage::Complete, s_now - std::chrono::minutes(1));
        if (token == "initial-password") {
            AdminSession initial = session("5", Role::Admin, SessionStage::Complete, s_now - std::chrono::minutes(1));
            initial.mustChangePassword = true;
            return initial;
        }
        if (token == "preauth")
            return session("4", Role::Admin, SessionStage::PasswordVerified, std::nullopt);
        if (token == "storage-down")
            return Common::fail(Common::ErrorCode::Storage, "connection to db.internal refused");
        if (token == "policy-throws")
            throw std::runtime_error("policy exception: SELECT role FROM users");
        return std::optional<AdminSession>();
    }

    HttpRequest request(std::string method, std::string path, std::string token = {},
                        std::vector<std::pair<std::string, std::string>> query = {},
                        Listener listener = Listener::Admin)
    {
        HttpRequest request;
        request.listener = listener;
        request.requestId = "5d1c0e9a-0000-4000-8000-00000000abcd";
        request.method = std::move(method);
        request.path = std::move(path);
        request.target = request.path;
        request.query = std::move(query);
        request.headers.emplace_back("host", "localhost:8445");
        if (!token.empty())
            request.headers.emplace_back("cookie", "theme=dark; __Host-sid=" + token);
        request.peer.address = "127.0.0.1";
        return request;
    }

    HttpRequest post(std::string path, std::string token, std::string body)
    {
        HttpRequest result = request("POST", std::move(path), std::move(token));
        result.body = std::move(body);
        result.headers.emplace_back("content-type", "application/x-www-form-urlencoded");
        return result;
    }

    static void verifyPageHeaders(const HttpResponse &response)
    {
        QCOMPARE(QByteArray::fromStdString(response.contentType), QByteArray("text/html; charset=utf-8"));
        QCOMPARE(header(response, "content-security-policy").value_or(""),
                 std::string("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                             "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"));
        QCOMPARE(header(response, "cache-control").value_or(""), std::string("no-store"));
        QCOMPARE(headerCount(response, "cache-control"), 1);
    }

private Q_SLOTS:
    void initTestCase_data() { addBackendRows(); }

    void init()
    {
        SOKO_CHECK_BACKEND();
        m_world = std::make_unique<ServerWorld>();
        m_metrics = std::make_unique<Server::Ops::ServerMetrics>([] { return s_now; });
        m_log.clear();
        m_providerCalls = 0;
        m_setupPending = Common::Result<bool>(true);
        AdminConfig config;
        config.sessions = [this](const SessionQuery &query) { return lookUp(query); };
        config.csrf.issue = [](const AdminSession &session) { return "csrf-" + session.csrfKey; };
        config.csrf.verify = [](const AdminSession &session, std::string_view token) {
            return token == "csrf-" + session.csrfKey;
        };
        config.setupPending = [this]() -> Common::Result<bool> {
            return m_setupPending ? *m_setupPending : Common::Result<bool>(false);
        };
        config.metrics = m_metrics.get();
        config.clock = [] { return s_now; };
        config.log = [this](std::string_view line) {
            std::lock_guard lock(m_logMutex);
            m_log.emplace_back(line);
        };
        m_admin = std::make_unique<AdminApplication>(*m_world->pool, config);
        // Routes the later login/pages work would add, to exercise the dispatcher's policy.
        m_admin->addRoute({"POST",
                           "/admin/test/form",
                           AdminAuth::Session,
                           Permission::ViewDashboard,
                           StepUp::No,
                           ResponseKind::Html,
                           AdminBody::Form,
                           1024,
                           {},
                           [](AdminContext &context) {
                               return htmlResponse(
                                   200, Html::text(std::string(formValue(context.fields, "note").value_or(""))));
                           }});
        m_admin->addRoute({"POST",
                           "/admin/test/stepup",
                           AdminAuth::Session,
                           Permission::ManageUsers,
                           StepUp::Required,
                           ResponseKind::Html,
                           AdminBody::Form,
                           1024,
                           {},
                           [](AdminContext &) { return htmlResponse(200, Html::text("granted")); }});
        m_admin->addRoute(
            {"GET",
             "/admin/test/items/{id}",
             AdminAuth::Session,
             Permission::ViewOrders,
             StepUp::No,
             ResponseKind::Html,
             AdminBody::None,
             0,
             {"page"},
             [](AdminContext &context) { return htmlResponse(200, Html::text("item " + context.parameters.at(0))); }});
        m_admin->addRoute({"GET",
                           "/admin/test/throw",
                           AdminAuth::None,
                           std::nullopt,
                           StepUp::No,
                           ResponseKind::Html,
                           AdminBody::None,
                           0,
                           {},
                           [](AdminContext &) -> HttpResponse {
                               throw std::runtime_error("SELECT secret FROM vault at /var/lib/soko");
                           }});
        m_admin->addRoute({"GET",
                           "/admin/api/test/throw",
                           AdminAuth::None,
                           std::nullopt,
                           StepUp::No,
                           ResponseKind::Json,
                           AdminBody::None,
                           0,
                           {},
                           [](AdminContext &) -> HttpResponse {
                               throw std::runtime_error("SELECT secret FROM vault at /var/lib/soko");
                           }});
        m_admin->addRoute({"GET",
                           "/admin/api/test/pre",
                           AdminAuth::PreAuth,
                           std::nullopt,
                           StepUp::No,
                           ResponseKind::Json,
                           AdminBody::None,
                           0,
                           {},
                           [](AdminContext &) { return HttpResponse::json(200, R"({"next":"totp"})"); }});
        Server::Api::ApiConfig apiConfig;
        apiConfig.syncObserver = [this](const Server::Api::SyncEvent &event) {
            if (event.kind == Server::Api::SyncEvent::Kind::Push)
                m_metrics->recordSyncPush(event.deviceId, event.applied, event.conflicts, event.rejected);
            else
                m_metrics->recordSyncPull(event.deviceId);
            m_metrics->recordTerminalReport(event.deviceId, {event.appVersion, event.pendingOps});
        };
        m_api = std::make_unique<Server::Api::ApiApplication>(*m_world->pool, apiConfig);
        m_composed = composeByListener(*m_api, *m_admin, m_metrics.get());
    }

    void cleanup()
    {
        m_composed = {};
        m_api.reset();
        m_admin.reset();
        m_metrics.reset();
        m_world.reset();
    }

    // R21 deny by default, R51 methods.
    void unknownAndWrongMethods()
    {
        const auto page = m_admin->handle(request("GET", "/admin/nothing-here"));
        QCOMPARE(page.status, 404);
        verifyPageHeaders(page);
        const auto api = m_admin->handle(request("GET", "/admin/api/nothing"));
        QCOMPARE(api.status, 404);
        QCOMPARE(std::string(jsonOf(api).at("error").as_string()), std::string("not_found"));
        QVERIFY(!m_admin->limits(Listener::Admin, "GET", "/admin/nothing-here").known);

        const auto post = m_admin->handle(request("POST", "/admin/"));
        QCOMPARE(post.status, 405);
        QCOMPARE(header(post, "allow").value_or(""), std::string("GET"));
        for (const char *method : {"TRACE", "TRACK", "CONNECT", "DELETE", "PUT"}) {
            const auto refused = m_admin->handle(request(method, "/admin/"));
            QCOMPARE(refused.status, 405);
            QCOMPARE(header(refused, "allow").value_or(""), std::string("GET"));
        }
        // What the transport asks before reading a body (it answers TRACE/TRACK/CONNECT with 405 + these).
        const auto limits = m_admin->limits(Listener::Admin, "GET", "/admin/");
        QVERIFY(limits.known);
        QCOMPARE(limits.allowedMethods, std::vector<std::string>{"GET"});
        QCOMPARE(limits.maxBodyBytes, std::size_t(0));
        QCOMPARE(m_admin->limits(Listener::Admin, "POST", "/admin/test/form").maxBodyBytes, std::size_t(1024));
    }

    // R26: no listings, VCS or backup files; static files only from the compiled-in map.
    void noFilesFromUrls_data()
    {
        QTest::addColumn<QString>("path");
        for (const char *path :
             {"/.git/HEAD", "/.env", "/index.html.bak", "/static/", "/admin/static/", "/admin/static/../x",
              "/admin/static/admin.css.bak", "/admin/static/ADMIN.CSS", "/admin/static/admin.css/", "/admin/.git/HEAD",
              "/backup.sql", "/server.key", "/admin/static/%2e%2e/soko.db", "/admin/index.html"})
            QTest::newRow(path) << QString::fromLatin1(path);
    }
    void noFilesFromUrls()
    {
        QFETCH(QString, path);
        for (const Listener listener : {Listener::Admin, Listener::Api, Listener::Devices}) {
            QVERIFY(!m_composed.limits(listener, "GET", path.toStdString()).known);
            const auto response = m_composed.handle(request("GET", path.toStdString(), "admin", {}, listener));
            QCOMPARE(response.status, 404);
            QVERIFY(response.body.find("color") == std::string::npos); // not the stylesheet
        }
    }

    // R23: the admin UI and /metrics exist only on the admin listener.
    void adminOnlyOnItsListener_data()
    {
        QTest::addColumn<QString>("path");
        for (const char *path : {"/admin", "/admin/", "/admin/login", "/admin/setup", "/admin/api/session",
                                 "/admin/static/admin.css", "/metrics"})
            QTest::newRow(path) << QString::fromLatin1(path);
    }
    void adminOnlyOnItsListener()
    {
        QFETCH(QString, path);
        const std::string target = path.toStdString();
        QVERIFY(m_composed.limits(Listener::Admin, "GET", target).known);
        for (const Listener listener : {Listener::Api, Listener::Devices}) {
            QVERIFY(!m_composed.limits(listener, "GET", target).known);
            QCOMPARE(m_composed.handle(request("GET", target, "admin", {}, listener)).status, 404);
            QCOMPARE(m_admin->handle(request("GET", target, "admin", {}, listener)).status, 404);
        }
        // ...and the api's routes do not exist on the admin listener.
        QVERIFY(!m_composed.limits(Listener::Admin, "GET", "/healthz").known);
        QVERIFY(!m_composed.limits(Listener::Admin, "GET", "/api/v1/orders").known);
        QCOMPARE(m_composed.handle(request("GET", "/api/v1/orders")).status, 404);
    }

    // R30
    void duplicateQueryParameters()
    {
        const auto response =
            m_admin->handle(request("GET", "/admin/login", {}, {{"next", "/admin/"}, {"next", "//evil.example"}}));
        QCOMPARE(response.status, 400);
        verifyPageHeaders(response);
        const auto unknown = m_admin->handle(request("GET", "/admin/login", {}, {{"password", "x"}})); // R44
        QCOMPARE(unknown.status, 400);
    }

    // R15, R33: no session → login with a safe `next`; the URL never carries the session.
    void loginRedirects()
    {
        const auto sid = m_admin->handle(request("GET", "/admin/", {}, {{"sid", "admin"}}));
        QCOMPARE(sid.status, 302);
        QCOMPARE(header(sid, "location").value_or(""), std::string("/admin/login?next=%2Fadmin%2F"));
        QCOMPARE(m_providerCalls, 0); // no cookie, nothing to look up
        verifyPageHeaders(sid);

        // Back to the same page with its declared parameters only.
        const auto item = m_admin->handle(
            request("GET", "/admin/test/items/42", "expired", {{"page", "2"}, {"lang", "ja"}, {"sid", "admin"}}));
        QCOMPARE(item.status, 302);
        QCOMPARE(header(item, "location").value_or(""),
                 std::string("/admin/login?next=%2Fadmin%2Ftest%2Fitems%2F42%3Fpage%3D2%26lang%3Dja"));
        QCOMPARE(m_providerCalls, 1);

        // The JSON API answers 401 instead of redirecting.
        const auto api = m_admin->handle(request("GET", "/admin/api/session"));
        QCOMPARE(api.status, 401);
        QCOMPARE(std::string(jsonOf(api).at("error").as_string()), std::string("unauthorized"));
        QCOMPARE(header(api, "cache-control").value_or(""), std::string("no-store"));

        // R07: the pre-auth (password only) session reaches PreAuth routes and nothing else.
        QCOMPARE(m_admin->handle(request("GET", "/admin/api/session", "preauth")).status, 401);
        QCOMPARE(m_admin->handle(request("GET", "/admin/", "preauth")).status, 302);
        QCOMPARE(m_admin->handle(request("GET", "/admin/api/test/pre", "preauth")).status, 200);
        QCOMPARE(m_admin->handle(request("GET", "/admin/api/test/pre", "admin")).status, 401);
        QCOMPARE(m_admin->handle(request("GET", "/admin/api/test/pre")).status, 401);

        // The login page renders `next` only when it is a same-origin path (R33).
        const auto evil = m_admin->handle(request("GET", "/admin/login", {}, {{"next", "//evil.example/x"}}));
        QCOMPARE(evil.status, 200);
        QVERIFY(evil.body.find("name=\"next\" value=\"/admin/\"") != std::string::npos);
        QVERIFY(evil.body.find("evil.example") == std::string::npos);
        const auto good = m_admin->handle(request("GET", "/admin/login", {}, {{"next", "/admin/test/items/42"}}));
        QVERIFY(good.body.find("name=\"next\" value=\"/admin/test/items/42\"") != std::string::npos);
    }

    // A user signed in with an initial password someone else set sees only the account page (where
    // the password is changed) until they pick their own: pages redirect there, the rest is 403.
    void initialPasswordOpensOnlyTheAccountPage()
    {
        const auto page = m_admin->handle(request("GET", "/admin/", "initial-password"));
        QCOMPARE(page.status, 302);
        QCOMPARE(header(page, "location").value_or(""), std::string("/admin/account"));
        const auto api = m_admin->handle(request("GET", "/admin/api/session", "initial-password"));
        QCOMPARE(api.status, 403);
        QVERIFY(api.body.find("password_change_required") != std::string::npos);
        const auto post = m_admin->handle(this->post("/admin/test/stepup", "initial-password", "csrf=csrf-key-5"));
        QCOMPARE(post.status, 403);
        QVERIFY(post.body.find("granted") == std::string::npos);
        // The same user after the change (the flag cleared) gets through.
        QCOMPARE(m_admin->handle(request("GET", "/admin/", "admin")).status, 200);
    }

    void permissionsAndStepUp()
    {
        const auto viewer = m_admin->handle(request("GET", "/admin/", "viewer"));
        QCOMPARE(viewer.status, 200);
        verifyPageHeaders(viewer);
        QVERIFY(viewer.body.find("user-3") != std::string::npos);

        // Viewer lacks manage_users: 403 before any step-up question.
        const auto forbidden = m_admin->handle(post("/admin/test/stepup", "viewer", "csrf=csrf-key-3"));
        QCOMPARE(forbidden.status, 403);
        verifyPageHeaders(forbidden);
        // R20: an admin whose last TOTP is 6 minutes old must confirm again.
        const auto stale = m_admin->handle(post("/admin/test/stepup", "stale-admin", "csrf=csrf-key-2"));
        QCOMPARE(stale.status, 403);
        QVERIFY(stale.body.find(translate(Message::ErrorStepUpRequired, Language::English)) != std::string::npos);
        const auto fresh = m_admin->handle(post("/admin/test/stepup", "admin", "csrf=csrf-key-1"));
        QCOMPARE(fresh.status, 200);
        QCOMPARE(fresh.body, std::string("granted"));

        const auto session = m_admin->handle(request("GET", "/admin/api/session", "viewer"));
        QCOMPARE(session.status, 200);
        const auto body = jsonOf(session);
        QCOMPARE(std::string(body.at("role").as_string()), std::string("viewer"));
        QCOMPARE(std::string(body.at("csrf_token").as_string()), std::string("csrf-key-3"));
        QVERIFY(!body.contains("csrf_key"));
        QCOMPARE(m_admin->handle(request("GET", "/admin/test/items/0", "viewer")).status, 404); // ids are positive
        QCOMPARE(m_admin->handle(request("GET", "/admin/test/items/7", "viewer")).body, std::string("item 7"));
    }

    // R25: origin policy on every unsafe request, synchronizer token on signed-in ones.
    void csrfAndOrigin_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QByteArray>("origin");
        QTest::addColumn<QByteArray>("fetchSite");
        QTest::addColumn<int>("status");
        QTest::newRow("good token") << QByteArray("csrf=csrf-key-1&note=hi") << QByteArray() << QByteArray() << 200;
        QTest::newRow("same origin") << QByteArray("csrf=csrf-key-1&note=hi") << QByteArray("https://localhost:8445")
                                     << QByteArray("same-origin") << 200;
        QTest::newRow("no token") << QByteArray("note=hi") << QByteArray() << QByteArray() << 403;
        QTest::newRow("another session's token")
            << QByteArray("csrf=csrf-key-3") << QByteArray() << QByteArray() << 403;
        QTest::newRow("cross-site fetch")
            << QByteArray("csrf=csrf-key-1") << QByteArray() << QByteArray("cross-site") << 403;
        QTest::newRow("same-site fetch") << QByteArray("csrf=csrf-key-1") << QByteArray() << QByteArray("same-site")
                                         << 403;
        QTest::newRow("foreign origin") << QByteArray("csrf=csrf-key-1") << QByteArray("https://evil.example")
                                        << QByteArray() << 403;
        QTest::newRow("null origin") << QByteArray("csrf=csrf-key-1") << QByteArray("null") << QByteArray() << 403;
        // What Chromium sends for its own form posts under Referrer-Policy: no-referrer (R52).
        QTest::newRow("null origin, same-origin fetch")
            << QByteArray("csrf=csrf-key-1&note=hi") << QByteArray("null") << QByteArray("same-origin") << 200;
        QTest::newRow("null origin, cross-site fetch")
            << QByteArray("csrf=csrf-key-1") << QByteArray("null") << QByteArray("cross-site") << 403;
        QTest::newRow("null origin, same-origin fetch, no token")
            << QByteArray("note=hi") << QByteArray("null") << QByteArray("same-origin") << 403;
        QTest::newRow("http origin") << QByteArray("csrf=csrf-key-1") << QByteArray("http://localhost:8445")
                                     << QByteArray() << 403;
        QTest::newRow("duplicate token") << QByteArray("csrf=csrf-key-1&csrf=x") << QByteArray() << QByteArray() << 400;
    }
    void csrfAndOrigin()
    {
        QFETCH(QByteArray, body);
        QFETCH(QByteArray, origin);
        QFETCH(QByteArray, fetchSite);
        QFETCH(int, status);
        HttpRequest form = post("/admin/test/form", "admin", body.toStdString());
        if (!origin.isNull())
            form.headers.emplace_back("origin", origin.toStdString());
        if (!fetchSite.isNull())
            form.headers.emplace_back("sec-fetch-site", fetchSite.toStdString());
        const auto response = m_admin->handle(form);
        QCOMPARE(response.status, status);
        QVERIFY(!header(response, "access-control-allow-origin")); // R53
    }

    void bodyRules()
    {
        HttpRequest json = post("/admin/test/form", "admin", "csrf=csrf-key-1");
        json.headers.back().second = "application/json";
        QCOMPARE(m_admin->handle(json).status, 415);
        HttpRequest large = post("/admin/test/form", "admin", "csrf=csrf-key-1&note=" + std::string(2000, 'x'));
        QCOMPARE(m_admin->handle(large).status, 413);
        HttpRequest withBody = request("GET", "/admin/login");
        withBody.body = "x";
        QCOMPARE(m_admin->handle(withBody).status, 400);
        const auto echoed = m_admin->handle(post("/admin/test/form", "admin", "csrf=csrf-key-1&note=%3Cb%3E"));
        QCOMPARE(echoed.status, 200);
        QCOMPARE(echoed.body, std::string("&lt;b&gt;")); // form values are data too
    }

    // R38 and R21 "injected policy exception → 500 without data"; the next request is served.
    void failuresRevealNothing()
    {
        const auto page = m_admin->handle(request("GET", "/admin/test/throw"));
        QCOMPARE(page.status, 500);
        verifyPageHeaders(page);
        QVERIFY(page.body.find("5d1c0e9a-0000-4000-8000-00000000abcd") != std::string::npos);
        for (const char *secret : {"SELECT", "vault", "/var/lib", "exception"})
            QVERIFY2(page.body.find(secret) == std::string::npos, secret);

        const auto api = m_admin->handle(request("GET", "/admin/api/test/throw"));
        QCOMPARE(api.status, 500);
        const auto body = jsonOf(api);
        QCOMPARE(body.size(), std::size_t(2));
        QCOMPARE(std::string(body.at("error").as_string()), std::string("internal"));
        QCOMPARE(std::string(body.at("ref").as_string()), std::string("5d1c0e9a-0000-4000-8000-00000000abcd"));

        const auto policy = m_admin->handle(request("GET", "/admin/api/session", "policy-throws"));
        QCOMPARE(policy.status, 500);
        QCOMPARE(jsonOf(policy).size(), std::size_t(2));
        QVERIFY(policy.body.find("role") == std::string::npos);
        const auto policyPage = m_admin->handle(request("GET", "/admin/", "policy-throws"));
        QCOMPARE(policyPage.status, 500);
        QVERIFY(policyPage.body.find("user-") == std::string::npos);

        const auto down = m_admin->handle(request("GET", "/admin/", "storage-down"));
        QCOMPARE(down.status, 503);
        QVERIFY(down.body.find("db.internal") == std::string::npos);

        QCOMPARE(m_admin->handle(request("GET", "/admin/login")).status, 200); // still serving
        std::lock_guard lock(m_logMutex);
        QVERIFY(std::any_of(m_log.begin(), m_log.end(), [](const std::string &line) {
            return line.starts_with("admin_handler_failed request_id=5d1c0e9a-0000-4000-8000-00000000abcd ") &&
                   line.find('\n') == std::string::npos;
        }));
    }

    // R43, R52 (application part), R53.
    void responseHeaders()
    {
        const auto login = m_admin->handle(request("GET", "/admin/login"));
        QCOMPARE(login.status, 200);
        verifyPageHeaders(login);

        const auto css = m_admin->handle(request("GET", "/admin/static/admin.css", {}, {{"v", "anything"}}));
        QCOMPARE(css.status, 200);
        QCOMPARE(css.contentType, std::string("text/css; charset=utf-8"));
        QCOMPARE(header(css, "cache-control").value_or(""), std::string("public, max-age=31536000, immutable"));
        QVERIFY(css.body.find(":root") != std::string::npos);
        const auto js = m_admin->handle(request("GET", "/admin/static/admin.js"));
        QCOMPARE(js.contentType, std::string("text/javascript; charset=utf-8"));
        QVERIFY(login.body.find("/admin/static/admin.js?v=") != std::string::npos);

        const auto metrics = m_admin->handle(request("GET", "/metrics"));
        QCOMPARE(metrics.status, 200);
        QCOMPARE(metrics.contentType, std::string("text/plain; version=0.0.4; charset=utf-8"));
        QCOMPARE(header(metrics, "cache-control").value_or(""), std::string("no-store"));

        HttpRequest fromElsewhere = request("GET", "/admin/api/session", "viewer");
        fromElsewhere.headers.emplace_back("origin", "null");
        for (const auto &response : {m_admin->handle(fromElsewhere), login, css, metrics}) {
            for (const auto &[name, value] : response.headers)
                QVERIFY2(!QByteArray::fromStdString(name).toLower().startsWith("access-control-"), name.c_str());
        }
    }

    void languageSwitch()
    {
        HttpRequest japanese = request("GET", "/admin/login");
        japanese.headers.emplace_back("accept-language", "ja-JP,ja;q=0.9,en;q=0.5");
        const auto page = m_admin->handle(japanese);
        QVERIFY(page.body.find("<html lang=\"ja\">") != std::string::npos);
        QVERIFY(page.body.find(translate(Message::LoginIntro, Language::Japanese)) != std::string::npos);
        QVERIFY(!header(page, "set-cookie"));

        HttpRequest switched = japanese;
        switched.query = {{"lang", "en"}};
        const auto english = m_admin->handle(switched);
        QVERIFY(english.body.find("<html lang=\"en\">") != std::string::npos);
        QCOMPARE(header(english, "set-cookie").value_or(""),
                 std::string("__Host-lang=en; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=31536000"));

        HttpRequest remembered = japanese;
        remembered.headers.emplace_back("cookie", "__Host-lang=en");
        QVERIFY(m_admin->handle(remembered).body.find("<html lang=\"en\">") != std::string::npos);
    }

    void setupPage()
    {
        const auto open = m_admin->handle(request("GET", "/admin/setup"));
        QCOMPARE(open.status, 200);
        QVERIFY(open.body.find("name=\"setup_token\"") != std::string::npos);
        m_setupPending = Common::Result<bool>(false);
        QCOMPARE(m_admin->handle(request("GET", "/admin/setup")).status, 404); // R05: gone after setup
        m_setupPending = Common::Result<bool>(tl::unexpected(Common::Error::make(Common::ErrorCode::Storage, "down")));
        QCOMPARE(m_admin->handle(request("GET", "/admin/setup")).status, 503);
    }

    // R32 through the whole route: data from the Store (as a store integration or a handheld
    // could have written it) is escaped on the dashboard.
    void dashboardEscapesStoreData()
    {
        using namespace Server::Storage;
        auto &store = *m_world->store;
        QVERIFY(store.insertDevice(DeviceRecord{"44444444-4444-4444-8444-444444444444",
                                                "TKY1",
                                                "\" autofocus onfocus=x",
                                                "0A04",
                                                DeviceStatus::Active,
                                                1,
                                                {}}));
        ConflictRecord conflict;
        conflict.warehouse = "TKY1";
        conflict.deviceId = dev1;
        conflict.opId = opId(1, 1);
        conflict.reason = "negative_stock";
        conflict.message = "<img src=x onerror=alert(1)>";
        QVERIFY(store.insertConflict(conflict));
        m_world->releasedOrder("SO-1", 2);
        m_metrics->recordSyncPull(dev1);

        const auto page = m_admin->handle(request("GET", "/admin/", "viewer"));
        QCOMPARE(page.status, 200);
        QVERIFY(page.body.find("&lt;img src=x onerror=alert(1)&gt;") != std::string::npos);
        QVERIFY(page.body.find("<img src=x") == std::string::npos);
        QVERIFY(page.body.find("title=\"&quot; autofocus onfocus=x\"") != std::string::npos);
        QVERIFY(page.body.find("\" autofocus") == std::string::npos);
        QVERIFY(page.body.find("HT-01") != std::string::npos);
        QVERIFY(page.body.find("datetime=\"2027-01-15T08:00:00Z\"") != std::string::npos); // dev1's last sync
        QVERIFY(page.body.find("Conflicts need review") != std::string::npos);
    }

    // What a terminal says of itself on sync requests (docs/sync-protocol.md "Terminal report")
    // reaches the dashboard row of that device; malformed values are ignored (the sync still
    // succeeds) and keep the last good ones; another client's User-Agent is no version.
    void terminalReportOnDashboard()
    {
        const auto rowOf = [](const std::string &page, const std::string &device) {
            const auto start = page.find("data-device-id=\"" + device + "\"");
            return start == std::string::npos ? std::string() : page.substr(start, page.find("</tr>", start) - start);
        };
        const auto pull = [this](const char *serial, const char *agent, const char *pending) {
            HttpRequest request = this->request("GET", "/api/v1/sync/pull", {}, {}, Listener::Devices);
            request.peer.certificateSerial = serial;
            if (agent)
                request.headers.emplace_back("user-agent", agent);
            if (pending)
                request.headers.emplace_back("soko-pending-ops", pending);
            return m_composed.handle(request).status;
        };
        HttpRequest push = request("POST", "/api/v1/sync/push", {}, {}, Listener::Devices);
        push.peer.certificateSerial = "0A01";
        push.headers.emplace_back("content-type", "application/json");
        push.headers.emplace_back("user-agent", "soko-terminal/1.2.3-rc.1");
        push.headers.emplace_back("soko-pending-ops", "7");
        push.body = pushBody(dev1, 1, 2);
        QCOMPARE(m_composed.handle(push).status, 200);

        auto row = rowOf(m_admin->handle(request("GET", "/admin/", "viewer")).body, dev1);
        QVERIFY2(row.find(">1.2.3-rc.1</td>") != std::string::npos, row.c_str());
        QVERIFY2(row.find("<td class=\"number\">7</td>") != std::string::npos, row.c_str());

        // Malformed: a version with markup, a negative or oversized count. The pull still answers 200.
        QCOMPARE(pull("0A01", "soko-terminal/<script>", "-1"), 200);
        QCOMPARE(pull("0A01", "soko-terminal/", "1234567890"), 200);
        QCOMPARE(pull("0A01", nullptr, "0"), 200); // a count alone updates the count
        QCOMPARE(pull("0A02", "Mozilla/5.0", "x"), 200);
        const auto page = m_admin->handle(request("GET", "/admin/", "viewer")).body;
        row = rowOf(page, dev1);
        QVERIFY2(row.find(">1.2.3-rc.1</td>") != std::string::npos, row.c_str());
        QVERIFY2(row.find("<td class=\"number\">0</td>") != std::string::npos, row.c_str());
        QVERIFY(page.find("&lt;script") == std::string::npos);
        const auto other = rowOf(page, dev2);
        QVERIFY2(!other.empty() && other.find("Mozilla") == std::string::npos, other.c_str());
        QVERIFY2(other.find(">not reported<") != std::string::npos, other.c_str());
    }

    // Metrics: requests by route pattern (never the raw path), refusals, sync ops without replays.
    void metricsHooks()
    {
        QCOMPARE(m_composed.handle(request("GET", "/admin/test/items/42", "viewer")).status, 200);
        QCOMPARE(m_composed.handle(request("GET", "/admin/test/items/43", "viewer")).status, 200);
        (void)m_composed.limits(Listener::Api, "GET", "/wp-login.php");
        (void)m_composed.limits(Listener::Admin, "POST", "/metrics");

        HttpRequest push = request("POST", "/api/v1/sync/push", {}, {}, Listener::Devices);
        push.peer.certificateSerial = "0A01";
        push.headers.emplace_back("content-type", "application/json");
        push.body = pushBody(dev1, 1, 2);
        QCOMPARE(m_composed.handle(push).status, 200);
        QCOMPARE(m_composed.handle(push).status, 200); // resend: same answer, not counted again
        push.body = pushBody(dev1, 2, 2);              // seq 2 again plus seq 3: one new op
        QCOMPARE(m_composed.handle(push).status, 200);

        const std::string exposition = m_composed.handle(request("GET", "/metrics")).body;
        const auto has = [&exposition](const std::string &line) {
            return exposition.find("\n" + line + "\n") != std::string::npos;
        };
        QVERIFY(has("soko_http_requests_total{listener=\"admin\",route=\"/admin/test/items/{id}\",status=\"200\"} 2"));
        QVERIFY(exposition.find("/admin/test/items/42") == std::string::npos);
        QVERIFY(has("soko_http_requests_total{listener=\"api\",route=\"unmatched\",status=\"404\"} 1"));
        QVERIFY(has("soko_http_requests_total{listener=\"admin\",route=\"/metrics\",status=\"405\"} 1"));
        QVERIFY(has("soko_http_requests_total{listener=\"devices\",route=\"/api/v1/sync/push\",status=\"200\"} 3"));
        QVERIFY(has("soko_http_request_duration_seconds_count{listener=\"devices\",route=\"/api/v1/sync/push\"} 3"));
        QVERIFY(has("soko_sync_ops_total{outcome=\"applied\"} 3"));
        QVERIFY(has("soko_device_sync_lag_seconds{device=\"" + std::string(dev1) + "\"} 0"));
    }

    void routeDeclarationsAreChecked()
    {
        const auto handler = [](AdminContext &) { return HttpResponse(); };
        const auto rejects = [this](AdminRoute route) {
            try {
                m_admin->addRoute(std::move(route));
            } catch (const std::invalid_argument &) {
                return true;
            }
            return false;
        };
        using enum AdminAuth;
        QVERIFY(rejects({"GET",
                         "/admin/x",
                         Session,
                         std::nullopt,
                         StepUp::No,
                         ResponseKind::Html,
                         AdminBody::None,
                         0,
                         {},
                         handler})); // session without permission
        QVERIFY(rejects({"GET",
                         "/admin/x",
                         None,
                         Permission::ViewAudit,
                         StepUp::No,
                         ResponseKind::Html,
                         AdminBody::None,
                         0,
                         {},
                         handler}));
        QVERIFY(rejects({"GET",
                         "/admin/x",
                         None,
                         std::nullopt,
                         StepUp::Required,
                         ResponseKind::Html,
                         AdminBody::None,
                         0,
                         {},
                         handler}));
        QVERIFY(rejects({"GET",
                         "/admin/api/x",
                         None,
                         std::nullopt,
                         StepUp::No,
                         ResponseKind::Html,
                         AdminBody::None,
                         0,
                         {},
                         handler}));
        QVERIFY(rejects(
            {"POST", "/admin/x", None, std::nullopt, StepUp::No, ResponseKind::Html, AdminBody::Form, 0, {}, handler}));
        QVERIFY(rejects(
            {"GET", "/admin/x", None, std::nullopt, StepUp::No, ResponseKind::Html, AdminBody::Form, 10, {}, handler}));
        QVERIFY(rejects(
            {"GET", "/api/v1/x", None, std::nullopt, StepUp::No, ResponseKind::Json, AdminBody::None, 0, {}, handler}));
        QVERIFY(rejects({"GET",
                         "/admin/login",
                         None,
                         std::nullopt,
                         StepUp::No,
                         ResponseKind::Html,
                         AdminBody::None,
                         0,
                         {},
                         handler})); // declared twice
        QVERIFY(rejects(
            {"get", "/admin/y", None, std::nullopt, StepUp::No, ResponseKind::Html, AdminBody::None, 0, {}, handler}));
        QVERIFY(!rejects(
            {"GET", "/admin/y", None, std::nullopt, StepUp::No, ResponseKind::Html, AdminBody::None, 0, {}, handler}));
        // Every built-in HTML GET route takes ?lang=.
        for (const AdminRoute &route : m_admin->routes())
            if (route.kind == ResponseKind::Html && route.method == "GET")
                QVERIFY(std::find(route.queryParameters.begin(), route.queryParameters.end(), "lang") !=
                        route.queryParameters.end());
    }
};

QTEST_GUILESS_MAIN(TestAdminApplication)
#include "tst_adminapplication.moc"
