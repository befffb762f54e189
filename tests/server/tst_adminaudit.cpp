#include <QTemporaryDir>
#include <QTest>

#include <algorithm>

#include "server/admin/adminapplication.h"
#include "server/admin/adminlogin.h"
#include "server/audit/checkpoint.h"
#include "server/auth/tokens.h"
#include "server/storage/ids.h"
#include "server/storage/store.h"
#include "tests/server/adminrequest.h"
#include "tests/server/databaseattacker.h"
#include "tests/server/serverfixture.h"

// The audit log and settings pages (server/admin/auditpages.*, settingspages.*) in process through
// AdminApplication::handle, on both backends: the log newest first, escaped (R32), paged and
// filtered, refused to roles without ViewAudit; "verify chain" on an intact trail (OK, count, last
// checkpoint) and after an attacker edited one row directly in the database (names its seq), the
// verification itself audited; the settings form (step-up, CSRF, role, bad input re-rendered with
// nothing written, thresholds and the sealed, masked webhook URL stored, config_change audited and
// announced).
using namespace TestSupport;
using namespace Server;
using namespace Server::Admin;
using Server::Net::HttpRequest;
using Server::Net::HttpResponse;
using Server::Net::Listener;

namespace {

std::optional<std::string> header(const HttpResponse &response, std::string_view name)
{
    for (const auto &[key, value] : response.headers)
        if (QByteArray::fromStdString(key).toLower() == QByteArray(name.data(), qsizetype(name.size())).toLower())
            return value;
    return std::nullopt;
}

int occurrences(const std::string &text, const std::string &needle)
{
    int count = 0;
    for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1))
        ++count;
    return count;
}

// The data-seq values of the table rows, in page order.
std::vector<std::int64_t> seqsOf(const std::string &body)
{
    std::vector<std::int64_t> out;
    const std::string marker = "data-seq=\"";
    for (auto at = body.find(marker); at != std::string::npos; at = body.find(marker, at + 1))
        out.push_back(std::stoll(body.substr(at + marker.size(), 20)));
    return out;
}

std::string form(std::initializer_list<std::pair<std::string, std::string>> fields)
{
    std::string body;
    for (const auto &[name, value] : fields)
        body += (body.empty() ? "" : "&") + encodeUriComponent(name) + "=" + encodeUriComponent(value);
    return body;
}

const std::string s_xss = "<img src=x onerror=alert(1)>";
const std::string s_webhookSecret = "sekret-token-0123456789";

} // namespace

class TestAdminAudit : public QObject
{
    Q_OBJECT

    std::unique_ptr<ServerWorld> m_world;
    std::shared_ptr<const Auth::SecretKey> m_key;
    QTemporaryDir m_keyFolder;
    std::optional<Audit::AuditSigningKey> m_signingKey;
    std::unique_ptr<AdminApplication> m_admin;
    std::map<std::string, std::string> m_tokens; // user name → session token
    std::map<std::string, std::string> m_ids;    // user name → user id
    int m_requests = 0;

    void addUser(const std::string &name, Storage::AdminRole role, bool freshTotp = true)
    {
        Storage::AdminUserRecord user;
        user.username = name;
        user.displayName = name;
        user.role = role;
        user.passwordHash = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA";
        auto id = m_world->store->insertAdminUser(user);
        QVERIFY(id);
        m_ids[name] = *id;
        const std::string token = *Auth::randomToken(32);
        Storage::AdminSessionRecord session;
        session.tokenHash = *Auth::sha256Hex(token);
        session.userId = *id;
        session.stage = Storage::AdminSessionStage::Full;
        const std::string now = m_world->store->now();
        session.totpVerifiedAt = freshTotp ? now : *Storage::shiftIsoTime(now, -600);
        session.ip = "192.0.2.7";
        QVERIFY(m_world->store->insertAdminSession(session));
        m_tokens[name] = token;
    }

    HttpRequest request(std::string method, std::string path, const std::string &user = {}, std::string body = {},
                        std::vector<std::pair<std::string, std::string>> query = {})
    {
        return TestSupport::adminRequest(
            {std::move(method), std::move(path), user.empty() ? std::string() : m_tokens.at(user), std::move(body),
             std::move(query), TestSupport::numberedRequestId("6d1c0e9a", ++m_requests), "192.0.2.7"});
    }

    std::string csrfOf(const std::string &user) const
    {
        return *Auth::csrfToken(m_key->bytes(), *Auth::sha256Hex(m_tokens.at(user)));
    }

    HttpResponse get(const std::string &path, const std::string &user,
                     std::vector<std::pair<std::string, std::string>> query = {})
    {
        return m_admin->handle(request("GET", path, user, {}, std::move(query)));
    }

    HttpResponse post(const std::string &path, const std::string &user, const std::string &body)
    {
        return m_admin->handle(request("POST", path, user, body));
    }

    std::vector<Storage::AuditRecord> auditRows(std::string_view event)
    {
        std::vector<Storage::AuditRecord> out;
        auto rows = m_world->store->audit(0, 1000);
        for (auto &row : rows ? *rows : std::vector<Storage::AuditRecord>{})
            if (row.event == event)
                out.push_back(std::move(row));
        return out;
    }

    std::size_t outboxCount(std::string_view kind)
    {
        auto alerts = m_world->store->alerts(0, 1000);
        return alerts ? std::size_t(std::count_if(alerts->begin(), alerts->end(),
                                                  [&](const auto &alert) { return alert.kind == kind; }))
                      : 0;
    }

    // Follows a POST /admin/audit/verify: the page it redirects to.
    HttpResponse verifyChain()
    {
        const auto posted = post("/admin/audit/verify", "alice", form({{"csrf", csrfOf("alice")}}));
        if (posted.status != 303)
            return posted;
        const std::string location = header(posted, "Location").value_or("");
        const auto question = location.find("?verified=");
        if (location.substr(0, question) != "/admin/audit" || question == std::string::npos)
            return posted;
        return get("/admin/audit", "alice", {{"verified", location.substr(question + 10)}});
    }

private Q_SLOTS:
    void initTestCase_data() { addBackendRows(); }

    void init()
    {
        SOKO_CHECK_BACKEND();
        m_world = std::make_unique<ServerWorld>();
        m_key = std::make_shared<const Auth::SecretKey>(*Auth::SecretKey::generate());
        auto signing = Audit::AuditSigningKey::loadOrCreate(
            m_keyFolder.filePath(QStringLiteral("audit-signing.key")).toStdString());
        QVERIFY(signing);
        m_signingKey = std::move(*signing);
        AdminLoginConfig loginConfig;
        loginConfig.key = m_key;
        AdminConfig config;
        installLogin(config, std::make_shared<AdminLogin>(*m_world->pool, loginConfig));
        config.audit.trustedKeys = {m_signingKey->publicKey()};
        config.settings.key = m_key;
        config.settings.allowHosts = {};
        m_admin = std::make_unique<AdminApplication>(*m_world->pool, config);
        m_tokens.clear();
        m_ids.clear();
        addUser("alice", Storage::AdminRole::Admin);
        addUser("vera", Storage::AdminRole::Viewer);
        addUser("bob", Storage::AdminRole::BackOffice);
        addUser("stale", Storage::AdminRole::Admin, false);
    }

    void cleanup()
    {
        m_admin.reset();
        m_world.reset();
    }

    void auditLogNewestFirstEscapedPagedFiltered()
    {
        Storage::Store &store = *m_world->store;
        for (int i = 1; i <= 60; ++i) {
            Storage::AuditRecord entry{0,
                                       {},
                                       i % 3 == 0 ? "admin:" + m_ids["alice"] : "cli:ops",
                                       i % 3 == 0 ? "config_change" : "stock_adjust",
                                       s_xss + "-" + std::to_string(i),
                                       "{\"note\":\"\\\" autofocus onfocus=x\"}"};
            QVERIFY(store.appendAudit(entry));
        }
        const std::int64_t head = (*store.lastAudit())->id;

        const auto first = get("/admin/audit", "alice");
        QCOMPARE(first.status, 200);
        QVERIFY(first.body.find(s_xss) == std::string::npos); // R32: inert
        QVERIFY(first.body.find("&lt;img src=x onerror=alert(1)&gt;-60") != std::string::npos);
        QVERIFY(first.body.find("&quot; autofocus onfocus=x") != std::string::npos);
        QVERIFY(first.body.find(">alice<") != std::string::npos); // admin actors by name
        auto seqs = seqsOf(first.body);
        QCOMPARE(seqs.size(), std::size_t(50));
        QCOMPARE(seqs.front(), head);
        QVERIFY(std::is_sorted(seqs.rbegin(), seqs.rend()));
        QVERIFY(first.body.find("before=" + std::to_string(seqs.back())) != std::string::npos);
        QVERIFY(first.body.find("after=") == std::string::npos); // nothing newer

        const auto older = get("/admin/audit", "alice", {{"before", std::to_string(seqs.back())}});
        QCOMPARE(older.status, 200);
        const auto olderSeqs = seqsOf(older.body);
        QCOMPARE(std::int64_t(olderSeqs.size()), head - 50);
        QCOMPARE(olderSeqs.front(), seqs.back() - 1);
        QCOMPARE(olderSeqs.back(), std::int64_t(1));
        QVERIFY(older.body.find("before=") == std::string::npos);
        QVERIFY(older.body.find("after=" + std::to_string(olderSeqs.front())) != std::string::npos);

        const auto newer = get("/admin/audit", "alice", {{"after", "5"}, {"limit", "10"}});
        QCOMPARE(newer.status, 200);
        const auto newerSeqs = seqsOf(newer.body);
        QCOMPARE(newerSeqs.size(), std::size_t(10));
        QCOMPARE(newerSeqs.front(), std::int64_t(15)); // newest first on screen
        QCOMPARE(newerSeqs.back(), std::int64_t(6));

        const auto byEvent = get("/admin/audit", "alice", {{"event", "config_change"}, {"limit", "200"}});
        QCOMPARE(byEvent.status, 200);
        QCOMPARE(seqsOf(byEvent.body).size(), std::size_t(20));
        QCOMPARE(occurrences(byEvent.body, "data-event=\"stock_adjust\""), 0);
        const auto byName = get("/admin/audit", "alice", {{"actor", "Alice"}, {"limit", "200"}});
        QCOMPARE(seqsOf(byName.body).size(), std::size_t(20));
        const auto byActor = get("/admin/audit", "alice", {{"actor", "cli:ops"}, {"limit", "200"}});
        QCOMPARE(seqsOf(byActor.body).size(), std::size_t(40));
        const std::string today = store.now().substr(0, 10);
        QCOMPARE(seqsOf(get("/admin/audit", "alice", {{"from", today}, {"to", today}, {"limit", "200"}}).body).size(),
                 std::size_t(head));
        const auto past = get("/admin/audit", "alice", {{"from", "2001-01-01"}, {"to", "2001-01-31"}});
        QCOMPARE(past.status, 200);
        QVERIFY(seqsOf(past.body).empty());
        QVERIFY2(past.body.find("No entries match.") != std::string::npos,
                 past.body.substr(past.body.find("<main>")).c_str());

        // Bad filters: 400 with the reason, in the page's language.
        const auto badDate = get("/admin/audit", "alice", {{"from", "2026-13-01"}});
        QCOMPARE(badDate.status, 400);
        QVERIFY(badDate.body.find("dates must be YYYY-MM-DD") != std::string::npos);
        QVERIFY(badDate.body.find("data-field=\"from\"") != std::string::npos);
        QCOMPARE(get("/admin/audit", "alice", {{"limit", "201"}}).status, 400);
        QCOMPARE(get("/admin/audit", "alice", {{"before", "0"}}).status, 400);
        QCOMPARE(get("/admin/audit", "alice", {{"before", "3"}, {"after", "1"}}).status, 400);
        const auto badEvent = get("/admin/audit", "alice", {{"event", "<script>"}});
        QCOMPARE(badEvent.status, 400);
        QVERIFY(badEvent.body.find("<script>") == std::string::npos);
        QCOMPARE(get("/admin/audit", "alice", {{"sort", "id"}}).status, 400); // undeclared parameter
        const auto japanese = get("/admin/audit", "alice", {{"lang", "ja"}, {"from", "x"}});
        QVERIFY(japanese.body.find("日付は YYYY-MM-DD 形式で入力してください") != std::string::npos);

        // Roles without ViewAudit, and nobody signed in.
        QCOMPARE(get("/admin/audit", "vera").status, 403);
        QCOMPARE(get("/admin/audit", "bob").status, 403);
        const auto anonymous = get("/admin/audit", {});
        QCOMPARE(anonymous.status, 302);
        QVERIFY(header(anonymous, "Location")->starts_with("/admin/login"));
        QVERIFY(get("/admin/", "alice").body.find("href=\"/admin/audit\"") != std::string::npos);
        QVERIFY(get("/admin/", "vera").body.find("href=\"/admin/audit\"") == std::string::npos);
    }

    void verifyChainOkThenTampered()
    {
        Storage::Store &store = *m_world->store;
        for (int i = 1; i <= 12; ++i)
            QVERIFY(store.appendAudit({0, {}, "cli:ops", "stock_adjust", "S" + std::to_string(i), "{}"}));
        auto checkpoint = Audit::checkpointIfDue(store, *m_signingKey, {}, std::chrono::system_clock::now(),
                                                 Audit::CheckpointMode::Now);
        QVERIFY(checkpoint && *checkpoint);
        const std::int64_t checkpointSeq = (*checkpoint)->seq;

        // Refusals first: CSRF missing, a role without ViewAudit.
        QCOMPARE(post("/admin/audit/verify", "alice", form({})).status, 403);
        QCOMPARE(post("/admin/audit/verify", "vera", form({{"csrf", csrfOf("vera")}})).status, 403);
        QVERIFY(auditRows("audit_verify").empty());

        const std::int64_t entriesBefore = (*store.lastAudit())->id;
        const auto ok = verifyChain();
        QCOMPARE(ok.status, 200);
        QVERIFY2(ok.body.find("data-outcome=\"ok\"") != std::string::npos, ok.body.c_str());
        QVERIFY(ok.body.find("Chain verified: OK") != std::string::npos);
        QVERIFY(ok.body.find("<td>" + std::to_string(entriesBefore) + "</td>") != std::string::npos);
        QVERIFY(ok.body.find("#1, seq " + std::to_string(checkpointSeq)) != std::string::npos);
        auto verified = auditRows("audit_verify");
        QCOMPARE(verified.size(), std::size_t(1));
        QCOMPARE(verified[0].outcome, std::string("success"));
        QCOMPARE(verified[0].actor, "admin:" + m_ids["alice"]);
        QCOMPARE(outboxCount("audit_verify"), std::size_t(1));

        // Somebody edits seq 5 behind the server's back: the page names it.
        DatabaseAttacker attacker(m_world->database);
        attacker.disableTriggers();
        attacker.exec("UPDATE audit SET target = 'S5-edited' WHERE id = 5");
        const auto tampered = verifyChain();
        QCOMPARE(tampered.status, 200);
        QVERIFY(tampered.body.find("data-outcome=\"tampered\"") != std::string::npos);
        QVERIFY2(tampered.body.find("tampered: seq 5 (hash mismatch)") != std::string::npos, tampered.body.c_str());
        QVERIFY(tampered.body.find("<strong class=\"bad-seq\">5</strong>") != std::string::npos);
        verified = auditRows("audit_verify");
        QCOMPARE(verified.size(), std::size_t(2));
        QCOMPARE(verified[1].outcome, std::string("failure"));
        QVERIFY(verified[1].details.find("\"bad_seq\":5") != std::string::npos);
        QCOMPARE(outboxCount("audit_verify"), std::size_t(2));
        // A `verified` seq that is not a verification shows no result box.
        QVERIFY(get("/admin/audit", "alice", {{"verified", "3"}}).body.find("verify-result") == std::string::npos);
    }

    void settingsThresholdsAndWebhook()
    {
        Storage::Store &store = *m_world->store;
        const auto page = get("/admin/settings", "alice");
        QCOMPARE(page.status, 200);
        QVERIFY(page.body.find("name=\"login_failures\"") != std::string::npos);
        QVERIFY(page.body.find("value=\"20\"") != std::string::npos); // the default
        QVERIFY(page.body.find("none (alerts stay queued)") != std::string::npos);
        QCOMPARE(get("/admin/settings", "vera").status, 403);
        QCOMPARE(get("/admin/settings", "bob").status, 403);

        const std::string webhook = "https://hooks.example.com/services/T0/B0/" + s_webhookSecret;
        const auto good = [&](const std::string &user) {
            return form({{"csrf", csrfOf(user)},
                         {"login_failures", "3"},
                         {"sync_rejections", "10"},
                         {"open_conflicts", ""},
                         {"sync_lag", "45"},
                         {"server_errors", "5"},
                         {"webhook_url", webhook}});
        };
        // Refusals: stale TOTP (step-up), missing CSRF, a viewer — nothing written.
        const auto stale = post("/admin/settings", "stale", good("stale"));
        QCOMPARE(stale.status, 403);
        QVERIFY(stale.body.find("fresh code from your authenticator") != std::string::npos);
        QCOMPARE(post("/admin/settings", "alice", form({{"login_failures", "3"}})).status, 403);
        QCOMPARE(post("/admin/settings", "vera", good("vera")).status, 403);
        QVERIFY(store.backOfficeSettings()->empty());

        // Bad input: re-rendered with the reasons, nothing written.
        const auto bad = post("/admin/settings", "alice",
                              form({{"csrf", csrfOf("alice")},
                                    {"login_failures", "abc"},
                                    {"sync_lag", "0"},
                                    {"server_errors", "7"},
                                    {"webhook_url", "http://hooks.example.com/x"}}));
        QCOMPARE(bad.status, 422);
        QVERIFY(bad.body.find("Nothing was saved.") != std::string::npos);
        QVERIFY(bad.body.find("data-field=\"login_failures\"") != std::string::npos);
        QVERIFY(bad.body.find("data-field=\"sync_lag\"") != std::string::npos);
        QVERIFY(bad.body.find("data-field=\"webhook_url\"") != std::string::npos);
        QVERIFY(bad.body.find("data-field=\"server_errors\"") == std::string::npos);
        QVERIFY(bad.body.find("value=\"abc\"") != std::string::npos); // what was typed stays
        for (const char *refused : {"https://user:pw@hooks.example.com/x", "https://10.0.0.1/x",
                                    "https://169.254.169.254/latest", "file:///etc/passwd"}) {
            const auto answer =
                post("/admin/settings", "alice",
                     form({{"csrf", csrfOf("alice")}, {"login_failures", "3"}, {"webhook_url", refused}}));
            QCOMPARE(answer.status, 422);
            QVERIFY(answer.body.find("pw@") == std::string::npos);
        }
        QVERIFY(store.backOfficeSettings()->empty());
        QVERIFY(auditRows("config_change").empty());

        const auto saved = post("/admin/settings", "alice", good("alice"));
        QCOMPARE(saved.status, 303);
        QCOMPARE(header(saved, "Location").value_or(""), std::string("/admin/settings?saved=1"));
        std::map<std::string, std::string> rows;
        const auto stored = store.backOfficeSettings();
        QVERIFY(stored);
        for (const auto &[name, value] : *stored)
            rows[name] = value;
        QCOMPARE(rows["alert.login_failures"], std::string("3"));
        QCOMPARE(rows["alert.open_conflicts"], std::string("off"));
        QCOMPARE(rows["alert.sync_lag"], std::string("45"));
        QVERIFY(!rows.contains("alert.server_errors")); // unchanged from the default: not written
        QVERIFY(!rows["alert.webhook_url"].empty());
        QVERIFY(rows["alert.webhook_url"].find(s_webhookSecret) == std::string::npos); // sealed (R14)
        QCOMPARE(*openWebhookUrl(*m_key, rows["alert.webhook_url"]), webhook);
        auto changes = auditRows("config_change");
        QCOMPARE(changes.size(), std::size_t(1));
        QVERIFY(changes[0].details.find("\"login_failures\":\"20 -> 3\"") != std::string::npos);
        QVERIFY(changes[0].details.find("\"webhook_url\":\"set\"") != std::string::npos);
        QVERIFY(changes[0].details.find(s_webhookSecret) == std::string::npos);
        QCOMPARE(outboxCount("config_change"), std::size_t(1));
        auto alerts = store.alerts(0, 1000);
        for (const auto &alert : *alerts)
            QVERIFY(alert.payload.find(s_webhookSecret) == std::string::npos);

        const auto after = get("/admin/settings", "alice", {{"saved", "1"}});
        QCOMPARE(after.status, 200);
        QVERIFY(after.body.find("Settings saved.") != std::string::npos);
        QVERIFY(after.body.find("https://hooks.example.com/••••") != std::string::npos);
        QVERIFY(after.body.find(s_webhookSecret) == std::string::npos);
        QVERIFY(after.body.find("value=\"3\"") != std::string::npos);
        QVERIFY(after.body.find("name=\"webhook_remove\"") != std::string::npos);
        QVERIFY(get("/admin/", "alice").body.find("href=\"/admin/settings\"") != std::string::npos);

        // Removing the URL (thresholds unchanged): one more config_change, the row is gone.
        const auto removed = post("/admin/settings", "alice",
                                  form({{"csrf", csrfOf("alice")},
                                        {"login_failures", "3"},
                                        {"sync_rejections", "10"},
                                        {"open_conflicts", ""},
                                        {"sync_lag", "45"},
                                        {"server_errors", "5"},
                                        {"webhook_remove", "1"}}));
        QCOMPARE(removed.status, 303);
        const auto left = store.backOfficeSettings();
        QVERIFY(left);
        for (const auto &[name, value] : *left)
            QVERIFY(name != webhookUrlSettingName);
        changes = auditRows("config_change");
        QCOMPARE(changes.size(), std::size_t(2));
        QVERIFY(changes[1].details.find("\"webhook_url\":\"removed\"") != std::string::npos);
    }

    void maskedWebhookUrl()
    {
        QCOMPARE(maskWebhookUrl("https://hooks.slack.com/services/T1/B2/xyz"),
                 std::string("https://hooks.slack.com/••••"));
        QCOMPARE(maskWebhookUrl("https://u:p@relay.internal:8443/x?token=1"),
                 std::string("https://relay.internal:8443/••••"));
        QCOMPARE(maskWebhookUrl("https://host?token=abc"), std::string("https://host/••••"));
    }
};

QTEST_GUILESS_MAIN(TestAdminAudit)
#include "tst_adminaudit.moc"
