#include <QTest>

#include <algorithm>

#include "server/admin/adminapplication.h"
#include "server/admin/adminlogin.h"
#include "server/auth/password.h"
#include "server/auth/tokens.h"
#include "server/auth/totp.h"
#include "server/oms/adminservice.h"
#include "server/storage/ids.h"
#include "server/storage/store.h"
#include "tests/server/adminrequest.h"
#include "tests/server/serverfixture.h"

// In-process tests of the user pages (server/admin/userpages.*) through AdminApplication::handle,
// on both backends, with a fake clock: step-up (R20, with R08 replay refusal), users and roles with
// last-admin protection, four-eyes approvals (R27) for the admin role and MFA reset (R12), API keys
// (created once, authenticating through AdminService, revoked), audit rows and chat announcements
// in the outbox (R39, R42), notifications (R13), escaping (R32), wrong role and missing CSRF (R25).
using namespace TestSupport;
using namespace Server::Admin;
using Server::Net::HttpRequest;
using Server::Net::HttpResponse;
using Server::Net::Listener;
namespace Storage = Server::Storage;

namespace {

const std::chrono::system_clock::time_point s_start{std::chrono::seconds(1'800'000'000)}; // a step boundary
const std::string s_setupPassword = "ABCD-EFGH-JKLM-NPQR";
const std::string s_password = "correct horse battery staple";

std::optional<std::string> header(const HttpResponse &response, std::string_view name)
{
    for (const auto &[key, value] : response.headers) {
        if (QByteArray::fromStdString(key).toLower() == QByteArray(name.data(), qsizetype(name.size())).toLower())
            return value;
    }
    return std::nullopt;
}

// The session token a response sets, empty when it sets none.
std::string sessionTokenOf(const HttpResponse &response)
{
    for (const auto &[key, value] : response.headers) {
        constexpr std::string_view prefix = "__Host-sid=";
        if (key == "Set-Cookie" && value.starts_with(prefix)) {
            const auto end = value.find(';');
            const std::string token = value.substr(prefix.size(), end - prefix.size());
            if (!token.empty())
                return token;
        }
    }
    return {};
}

// The text between `before` and the next `after` in `body` (empty when absent).
std::string between(const std::string &body, std::string_view before, std::string_view after)
{
    const auto start = body.find(before);
    if (start == std::string::npos)
        return {};
    const auto from = start + before.size();
    const auto end = body.find(after, from);
    return end == std::string::npos ? std::string() : body.substr(from, end - from);
}

bool allOf(std::string_view text, std::string_view alphabet)
{
    return !text.empty() && text.find_first_not_of(alphabet) == std::string_view::npos;
}

bool contains(const std::string &text, std::string_view part)
{
    return text.find(part) != std::string::npos;
}

} // namespace

class TestAdminUsers : public QObject
{
    Q_OBJECT

    std::unique_ptr<ServerWorld> m_world;
    std::shared_ptr<const Server::Auth::SecretKey> m_key;
    std::unique_ptr<AdminApplication> m_admin;
    std::chrono::system_clock::time_point m_now = s_start;
    int m_requests = 0;

    HttpRequest request(std::string method, std::string path, const std::string &token = {}, std::string body = {},
                        std::vector<std::pair<std::string, std::string>> query = {})
    {
        return TestSupport::adminRequest({std::move(method), std::move(path), token, std::move(body), std::move(query),
                                          TestSupport::numberedRequestId("6e2d1f0a", ++m_requests), "192.0.2.9"});
    }

    HttpResponse send(const HttpRequest &sent) { return m_admin->handle(sent); }

    static std::string form(std::initializer_list<std::pair<std::string, std::string>> fields)
    {
        std::string body;
        for (const auto &[name, value] : fields)
            body += (body.empty() ? "" : "&") + encodeUriComponent(name) + "=" + encodeUriComponent(value);
        return body;
    }

    std::string csrfOf(const std::string &token) const
    {
        return *Server::Auth::csrfToken(m_key->bytes(), *Server::Auth::sha256Hex(token));
    }

    // A signed-in POST with the session's CSRF token and `fields`.
    HttpResponse post(const std::string &token, const std::string &path,
                      std::vector<std::pair<std::string, std::string>> fields = {})
    {
        std::string body = "csrf=" + encodeUriComponent(csrfOf(token));
        for (const auto &[name, value] : fields)
            body += "&" + encodeUriComponent(name) + "=" + encodeUriComponent(value);
        return send(request("POST", path, token, body));
    }

    std::vector<std::uint8_t> seedOf(const std::string &username)
    {
        auto user = m_world->store->adminUserByName(username);
        if (!user || !*user || !(*user)->totpSeed)
            return {};
        auto seed = Server::Auth::open(*m_key, *(*user)->totpSeed, AdminLogin::totpSeedAad((*user)->id));
        return seed ? *seed : std::vector<std::uint8_t>();
    }

    std::string code(const std::vector<std::uint8_t> &seed)
    {
        const auto at = std::chrono::duration_cast<std::chrono::seconds>(m_now.time_since_epoch()).count();
        return *Server::Auth::totp(seed, at);
    }

    Storage::AdminUserRecord user(const std::string &username)
    {
        auto found = m_world->store->adminUserByName(username);
        return found && *found ? **found : Storage::AdminUserRecord{};
    }

    int auditCount(std::string_view event)
    {
        auto rows = m_world->store->audit(0, 10000);
        int count = 0;
        for (const auto &row : rows ? *rows : std::vector<Storage::AuditRecord>{}) {
            count += row.event == event;
            if (contains(row.details, s_password)) // R40
                return -1;
        }
        return count;
    }

    int alertCount(std::string_view kind)
    {
        auto alerts = m_world->store->alerts(0, 10000);
        return alerts ? int(std::count_if(alerts->begin(), alerts->end(),
                                          [&](const auto &alert) { return alert.kind == kind; }))
                      : -1;
    }

    // First-run setup of "alice" (admin) through the pages; her full session token and seed.
    std::pair<std::string, std::vector<std::uint8_t>> setUpAlice()
    {
        const auto created = send(request("POST", "/admin/setup", {},
                                          form({{"setup_token", s_setupPassword},
                                                {"username", "alice"},
                                                {"password", s_password},
                                                {"password_confirm", s_password}})));
        const std::string preAuth = sessionTokenOf(created);
        if (send(request("GET", "/admin/login/totp", preAuth)).status != 200)
            return {};
        const auto seed = seedOf("alice");
        const auto confirmed =
            send(request("POST", "/admin/login/totp", preAuth,
                         form({{"csrf", csrfOf(preAuth)}, {"code", code(seed)}, {"next", "/admin/"}})));
        if (confirmed.status != 200)
            return {};
        return {sessionTokenOf(confirmed), seed};
    }

    // A user written straight into the store with TOTP on; returns the seed.
    std::vector<std::uint8_t> addUser(const std::string &username, Storage::AdminRole role)
    {
        Storage::AdminUserRecord record;
        record.username = username;
        record.displayName = username;
        record.role = role;
        record.passwordHash = *Server::Auth::hashPassword(s_password);
        auto seed = *Server::Auth::generateSeed();
        auto id = m_world->store->insertAdminUser(record);
        if (!id)
            return {};
        auto sealed = Server::Auth::seal(*m_key, seed, AdminLogin::totpSeedAad(*id));
        if (!m_world->store->setAdminTotp(*id, *sealed, Storage::TotpState::Enabled))
            return {};
        return seed;
    }

    // Password + TOTP now; the full session token (empty on failure). Uses the current step.
    std::string signIn(const std::string &username, const std::vector<std::uint8_t> &seed)
    {
        const auto login = send(request("POST", "/admin/login", {},
                                        form({{"username", username}, {"password", s_password}, {"next", "/admin/"}})));
        const std::string preAuth = sessionTokenOf(login);
        const auto done = send(request("POST", "/admin/login/totp", preAuth,
                                       form({{"csrf", csrfOf(preAuth)}, {"code", code(seed)}, {"next", "/admin/"}})));
        return done.status == 302 ? sessionTokenOf(done) : std::string();
    }

    // A fresh step-up on the next TOTP step (every step is accepted once).
    bool stepUp(const std::string &token, const std::vector<std::uint8_t> &seed)
    {
        m_now += std::chrono::seconds(30);
        const auto done = post(token, "/admin/step-up", {{"code", code(seed)}, {"next", "/admin/users"}});
        return done.status == 302 && header(done, "location") == "/admin/users";
    }

    std::vector<Storage::ApprovalRecord> pending()
    {
        auto rows = m_world->store->pendingApprovals();
        return rows ? *rows : std::vector<Storage::ApprovalRecord>{};
    }

private Q_SLOTS:
    void initTestCase_data() { addBackendRows(); }

    void init()
    {
        SOKO_CHECK_BACKEND();
        m_world = std::make_unique<ServerWorld>();
        m_now = s_start;
        m_key = std::make_shared<const Server::Auth::SecretKey>(*Server::Auth::SecretKey::generate());
        QVERIFY(m_world->store->setSetupTokenHash(Storage::setupTokenDigest(s_setupPassword)));
        AdminLoginConfig loginConfig;
        loginConfig.key = m_key;
        loginConfig.clock = [this] { return m_now; };
        AdminConfig config;
        config.clock = [this] { return m_now; };
        installLogin(config, std::make_shared<AdminLogin>(*m_world->pool, loginConfig));
        m_admin = std::make_unique<AdminApplication>(*m_world->pool, config);
    }

    void cleanup()
    {
        m_admin.reset();
        m_world.reset();
    }

    // R20: stale step-up → 403 with the way to /admin/step-up; a code → 302 back; replay refused.
    void stepUpFlow()
    {
        const auto [alice, seed] = setUpAlice();
        QVERIFY(!alice.empty());
        m_now += std::chrono::minutes(6); // the login's TOTP is older than 5 minutes now
        auto sent = request("POST", "/admin/users", alice,
                            form({{"csrf", csrfOf(alice)}, {"username", "carol"}, {"role", "viewer"}}));
        sent.headers.emplace_back("referer", "https://localhost:8445/admin/users");
        const auto refused = send(sent);
        QCOMPARE(refused.status, 403);
        QVERIFY(contains(refused.body, "href=\"/admin/step-up?next=%2Fadmin%2Fusers\""));
        QVERIFY(!user("carol").id.size());

        const auto page = send(request("GET", "/admin/step-up", alice, {}, {{"next", "/admin/users"}}));
        QCOMPARE(page.status, 200);
        QVERIFY(contains(page.body, "name=\"code\""));
        QVERIFY(contains(page.body, "value=\"/admin/users\""));

        const auto wrong = post(alice, "/admin/step-up", {{"code", "000000"}, {"next", "/admin/users"}});
        QCOMPARE(wrong.status, 401);
        QCOMPARE(auditCount("authn_login_fail"), 1);
        const auto external = post(alice, "/admin/step-up", {{"code", code(seed)}, {"next", "//evil.example/"}});
        QCOMPARE(external.status, 302);
        QCOMPARE(header(external, "location"), std::optional<std::string>("/admin/")); // R33
        QCOMPARE(auditCount("authn_step_up"), 1);
        QCOMPARE(alertCount("authn_step_up"), 1); // R42: announced
        // The same code again (same step): a replay (R08).
        const auto replay = post(alice, "/admin/step-up", {{"code", code(seed)}, {"next", "/admin/users"}});
        QCOMPARE(replay.status, 401);
        QCOMPARE(auditCount("authn_token_reuse"), 1);

        const auto created = post(alice, "/admin/users", {{"username", "carol"}, {"role", "viewer"}});
        QCOMPARE(created.status, 201);
        QVERIFY(!user("carol").id.empty());
        // Five minutes later the stamp is stale again; a new code opens it.
        m_now += std::chrono::minutes(5) + std::chrono::seconds(1);
        QCOMPARE(post(alice, "/admin/users", {{"username", "dave"}, {"role", "viewer"}}).status, 403);
        QVERIFY(stepUp(alice, seed));
        QCOMPARE(post(alice, "/admin/users", {{"username", "dave"}, {"role", "viewer"}}).status, 201);
    }

    // Create (one-time password shown once, must change), role change, disable/enable; audit, R13, R32.
    void usersAndRoles()
    {
        const auto [alice, seed] = setUpAlice();
        QVERIFY(!alice.empty());
        const auto list = send(request("GET", "/admin/users", alice));
        QCOMPARE(list.status, 200);
        QVERIFY(contains(list.body, "alice"));
        QVERIFY(contains(list.body, "/admin/users/" + user("alice").id + "/role"));

        const auto bad = post(alice, "/admin/users", {{"username", "has space"}, {"role", "viewer"}});
        QCOMPARE(bad.status, 422);
        QVERIFY(contains(bad.body, "without spaces"));
        QCOMPARE(post(alice, "/admin/users", {{"username", "erin"}, {"role", "picker"}}).status, 422);
        QVERIFY(user("erin").id.empty());

        const auto created = post(alice, "/admin/users", {{"username", "carol"}, {"role", "back_office"}});
        QCOMPARE(created.status, 201);
        const std::string initial = between(created.body, "class=\"initial-password\">", "<");
        QCOMPARE(initial.size(), std::size_t(22));
        QVERIFY(allOf(initial, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"));
        auto carol = user("carol");
        QCOMPARE(carol.role, Storage::AdminRole::BackOffice);
        QVERIFY(carol.mustChangePassword);
        QVERIFY(!carol.totpEnabled);
        QCOMPARE(auditCount("user_created"), 2); // alice by setup, carol here
        QCOMPARE(alertCount("user_created"), 2);
        QVERIFY(!contains(send(request("GET", "/admin/users", alice)).body, initial)); // shown once
        QCOMPARE(post(alice, "/admin/users", {{"username", "CAROL"}, {"role", "viewer"}}).status, 409);
        // The one-time password signs in (to TOTP enrolment).
        const auto login = send(request("POST", "/admin/login", {},
                                        form({{"username", "carol"}, {"password", initial}, {"next", "/admin/"}})));
        QCOMPARE(login.status, 302);
        QVERIFY(m_world->store->adminSessionsOfUser(carol.id)->size() == 1);

        const auto role = post(alice, "/admin/users/" + carol.id + "/role", {{"role", "supervisor"}});
        QCOMPARE(role.status, 302);
        QCOMPARE(header(role, "location"), std::optional<std::string>("/admin/users?done=role"));
        QCOMPARE(user("carol").role, Storage::AdminRole::Supervisor);
        QCOMPARE(auditCount("privilege_permissions_changed"), 1);
        QCOMPARE(alertCount("privilege_permissions_changed"), 1);
        auto notes = m_world->store->notifications(carol.id, 10);
        QVERIFY(notes && !notes->empty() && notes->front().kind == "role_changed");

        const auto disabled = post(alice, "/admin/users/" + carol.id + "/status", {{"status", "disabled"}});
        QCOMPARE(disabled.status, 302);
        QCOMPARE(user("carol").status, Storage::AdminStatus::Disabled);
        QVERIFY(m_world->store->adminSessionsOfUser(carol.id)->empty()); // signed out
        QCOMPARE(auditCount("user_updated"), 1);
        QCOMPARE(send(request("POST", "/admin/login", {},
                              form({{"username", "carol"}, {"password", initial}, {"next", "/admin/"}})))
                     .status,
                 401);
        QCOMPARE(post(alice, "/admin/users/" + carol.id + "/status", {{"status", "active"}}).status, 302);
        QCOMPARE(user("carol").status, Storage::AdminStatus::Active);
        QCOMPARE(auditCount("user_updated"), 2);
        QCOMPARE(post(alice, "/admin/users/no-such-user/status", {{"status", "active"}}).status, 404);

        // R32: a hostile user name is text on the page.
        QCOMPARE(post(alice, "/admin/users", {{"username", "<script>x</script>"}, {"role", "viewer"}}).status, 201);
        const auto escaped = send(request("GET", "/admin/users", alice));
        QVERIFY(contains(escaped.body, "&lt;script&gt;x&lt;/script&gt;"));
        QVERIFY(!contains(escaped.body, "<script>x"));
    }

    void lastAdminProtected()
    {
        const auto [alice, seed] = setUpAlice();
        QVERIFY(!alice.empty());
        const std::string id = user("alice").id;
        const auto disable = post(alice, "/admin/users/" + id + "/status", {{"status", "disabled"}});
        QCOMPARE(disable.status, 409);
        QVERIFY(contains(disable.body, "last active administrator"));
        QCOMPARE(post(alice, "/admin/users/" + id + "/role", {{"role", "viewer"}}).status, 409);
        QCOMPARE(user("alice").status, Storage::AdminStatus::Active);
        QCOMPARE(user("alice").role, Storage::AdminRole::Admin);
        QCOMPARE(auditCount("user_updated"), 0);
        QCOMPARE(auditCount("privilege_permissions_changed"), 0);
        // With a second active admin, demoting one is allowed; then the other is the last.
        addUser("bob", Storage::AdminRole::Admin);
        const std::string bob = user("bob").id;
        QCOMPARE(post(alice, "/admin/users/" + bob + "/role", {{"role", "viewer"}}).status, 302);
        QCOMPARE(user("bob").role, Storage::AdminRole::Viewer);
        QCOMPARE(post(alice, "/admin/users/" + id + "/status", {{"status", "disabled"}}).status, 409);
    }

    // R27: granting admin needs a second administrator; the requester cannot decide.
    void fourEyesGrantAdmin()
    {
        const auto [alice, aliceSeed] = setUpAlice();
        QVERIFY(!alice.empty());
        const auto bobSeed = addUser("bob", Storage::AdminRole::Admin);
        QCOMPARE(post(alice, "/admin/users", {{"username", "carol"}, {"role", "viewer"}}).status, 201);
        const std::string carol = user("carol").id;

        const auto requested = post(alice, "/admin/users/" + carol + "/role", {{"role", "admin"}});
        QCOMPARE(requested.status, 202);
        QCOMPARE(user("carol").role, Storage::AdminRole::Viewer); // not yet
        auto open = pending();
        QCOMPARE(open.size(), std::size_t(1));
        QCOMPARE(open.front().action, std::string("grant_admin"));
        const std::string approve = "/admin/approvals/" + std::to_string(open.front().id) + "/approve";

        const auto own = post(alice, approve);
        QCOMPARE(own.status, 403);
        QCOMPARE(user("carol").role, Storage::AdminRole::Viewer);
        QCOMPARE(pending().size(), std::size_t(1));
        QCOMPARE(auditCount("authz_fail"), 1);
        const auto aliceList = send(request("GET", "/admin/approvals", alice));
        QVERIFY(!contains(aliceList.body, approve)); // no button on one's own request

        const std::string bob = signIn("bob", bobSeed);
        QVERIFY(!bob.empty());
        const auto bobList = send(request("GET", "/admin/approvals", bob));
        QCOMPARE(bobList.status, 200);
        QVERIFY(contains(bobList.body, approve));
        QVERIFY(contains(bobList.body, "carol"));
        const auto approved = post(bob, approve);
        QCOMPARE(approved.status, 302);
        QCOMPARE(user("carol").role, Storage::AdminRole::Admin);
        QVERIFY(pending().empty());
        QCOMPARE(auditCount("approval_approved"), 1);
        QCOMPARE(auditCount("privilege_permissions_changed"), 1);
        QCOMPARE(alertCount("approval_approved"), 1);
        QCOMPARE(post(bob, approve).status, 409); // decided once

        // A request about oneself is not one's to decide; a grant to an administrator no longer applies.
        QCOMPARE(post(alice, "/admin/users", {{"username", "erin"}, {"role", "viewer"}}).status, 201);
        const std::string erin = user("erin").id;
        QCOMPARE(post(alice, "/admin/users/" + erin + "/role", {{"role", "admin"}}).status, 202);
        open = pending();
        QCOMPARE(open.size(), std::size_t(1));
        const std::string erinGrant = "/admin/approvals/" + std::to_string(open.front().id) + "/approve";
        // Made an administrator out of band (as `soko-server admin-user grant-admin` does).
        QVERIFY(m_world->store->setAdminRole(erin, Storage::AdminRole::Admin));
        QCOMPARE(post(bob, erinGrant).status, 409); // nothing to grant: still pending, to be rejected
        QCOMPARE(pending().size(), std::size_t(1));
        QCOMPARE(auditCount("approval_approved"), 1);
        QCOMPARE(post(bob, "/admin/approvals/" + std::to_string(open.front().id) + "/reject").status, 302);
        QVERIFY(pending().empty());
        QCOMPARE(auditCount("approval_rejected"), 1);

        // Created as admin: a viewer until approved; a rejection leaves it so.
        QCOMPARE(post(alice, "/admin/users", {{"username", "dave"}, {"role", "admin"}}).status, 201);
        QCOMPARE(user("dave").role, Storage::AdminRole::Viewer);
        open = pending();
        QCOMPARE(open.size(), std::size_t(1));
        QCOMPARE(post(bob, "/admin/approvals/" + std::to_string(open.front().id) + "/reject").status, 302);
        QCOMPARE(user("dave").role, Storage::AdminRole::Viewer);
        QCOMPARE(auditCount("approval_rejected"), 2);
    }

    // R12: MFA reset by another admin's approval only; it clears TOTP and codes and ends sessions.
    void mfaReset()
    {
        const auto [alice, aliceSeed] = setUpAlice();
        QVERIFY(!alice.empty());
        const auto bobSeed = addUser("bob", Storage::AdminRole::Admin);
        const auto carolSeed = addUser("carol", Storage::AdminRole::BackOffice);
        QVERIFY(m_world->store->replaceRecoveryCodes(user("carol").id, {std::string(64, 'a'), std::string(64, 'b')}));
        const std::string carolSession = signIn("carol", carolSeed);
        QVERIFY(!carolSession.empty());
        QCOMPARE(send(request("GET", "/admin/", carolSession)).status, 200);

        QCOMPARE(post(alice, "/admin/users/" + user("alice").id + "/mfa-reset").status, 403); // own
        QVERIFY(pending().empty());
        QCOMPARE(post(alice, "/admin/users/" + user("carol").id + "/mfa-reset").status, 202);
        QVERIFY(user("carol").totpEnabled); // not yet
        const auto open = pending();
        QCOMPARE(open.size(), std::size_t(1));
        QCOMPARE(open.front().action, std::string("mfa_reset"));
        const std::string approve = "/admin/approvals/" + std::to_string(open.front().id) + "/approve";
        QCOMPARE(post(alice, approve).status, 403);
        QVERIFY(user("carol").totpEnabled);

        const std::string bob = signIn("bob", bobSeed);
        QCOMPARE(post(bob, approve).status, 302);
        const auto carol = user("carol");
        QVERIFY(!carol.totpEnabled);
        QVERIFY(!carol.totpSeed);
        QCOMPARE(*m_world->store->unusedRecoveryCodeCount(carol.id), std::int64_t(0));
        QVERIFY(m_world->store->adminSessionsOfUser(carol.id)->empty());
        QCOMPARE(send(request("GET", "/admin/", carolSession)).status, 302); // signed out
        QCOMPARE(auditCount("authn_mfa_reset"), 1);
        QCOMPARE(alertCount("authn_mfa_reset"), 1);
        auto notes = m_world->store->notifications(carol.id, 10);
        QVERIFY(notes && !notes->empty() && notes->front().kind == "mfa_reset");

        // Bob cannot decide the reset of his own MFA (he is not the requester, but its subject).
        QCOMPARE(post(alice, "/admin/users/" + user("bob").id + "/mfa-reset").status, 202);
        const auto bobs = pending();
        QCOMPARE(bobs.size(), std::size_t(1));
        const std::string bobApprove = "/admin/approvals/" + std::to_string(bobs.front().id) + "/approve";
        const int refusalsBefore = auditCount("authz_fail");
        const auto list = send(request("GET", "/admin/approvals", bob));
        QVERIFY(!contains(list.body, bobApprove));
        QVERIFY(contains(list.body, "About your account"));
        const auto refused = post(bob, bobApprove);
        QCOMPARE(refused.status, 403);
        QVERIFY(contains(refused.body, "about your own account"));
        QCOMPARE(auditCount("authz_fail"), refusalsBefore + 1);
        QVERIFY(user("bob").totpEnabled);
        QCOMPARE(pending().size(), std::size_t(1));
    }

    // API keys: token shown once, authenticates through AdminService, revocation stops it.
    void apiKeys()
    {
        const auto [alice, seed] = setUpAlice();
        QVERIFY(!alice.empty());
        QCOMPARE(send(request("GET", "/admin/api-keys", alice)).status, 200);
        const auto bad = post(alice, "/admin/api-keys", {{"label", "feed"}, {"scope", "everything"}});
        QCOMPARE(bad.status, 422);
        QVERIFY(m_world->store->apiKeys()->empty());

        const auto created = post(alice, "/admin/api-keys", {{"label", "Shop <feed>"}, {"scope", "admin"}});
        QCOMPARE(created.status, 201);
        const std::string token = between(created.body, "class=\"api-key-token\">", "<");
        QCOMPARE(token.size(), std::size_t(5 + 17 + 1 + 64));
        QVERIFY(token.starts_with("soko_k") && token[22] == '_' && allOf(token.substr(6, 16), "0123456789abcdef"));
        const std::string id = token.substr(5, 17);
        QVERIFY(contains(created.body, "Shop &lt;feed&gt;"));
        Server::Oms::AdminService service(*m_world->store);
        auto authenticated = service.authenticateApiKey(token);
        QVERIFY(authenticated);
        QCOMPARE(authenticated->id, id);
        QCOMPARE(authenticated->scope, std::string("admin"));
        QCOMPARE(auditCount("authn_token_created"), 1);
        QCOMPARE(alertCount("authn_token_created"), 1);

        const auto list = send(request("GET", "/admin/api-keys", alice));
        QVERIFY(contains(list.body, id));
        QVERIFY(!contains(list.body, token)); // shown once
        auto keys = m_world->store->apiKeys();
        QVERIFY(keys && keys->size() == 1 && !keys->front().revoked);

        const auto revoked = post(alice, "/admin/api-keys/" + id + "/revoke");
        QCOMPARE(revoked.status, 302);
        QCOMPARE(header(revoked, "location"), std::optional<std::string>("/admin/api-keys?done=revoked"));
        QVERIFY(!service.authenticateApiKey(token));
        QCOMPARE(auditCount("authn_token_revoked"), 1);
        QCOMPARE(alertCount("authn_token_revoked"), 1);
        QCOMPARE(post(alice, "/admin/api-keys/kffffffffffffffff/revoke").status, 404);
    }

    // R21/R22: wrong role → 403; R25: no CSRF token → 403 and nothing written.
    void refusals()
    {
        const auto [alice, seed] = setUpAlice();
        QVERIFY(!alice.empty());
        const auto viewerSeed = addUser("victor", Storage::AdminRole::Viewer);
        const auto backOfficeSeed = addUser("bess", Storage::AdminRole::BackOffice);
        const std::string victor = signIn("victor", viewerSeed);
        const std::string bess = signIn("bess", backOfficeSeed);
        QVERIFY(!victor.empty() && !bess.empty());
        for (const std::string &token : {victor, bess}) {
            QCOMPARE(send(request("GET", "/admin/users", token)).status, 403);
            QCOMPARE(send(request("GET", "/admin/approvals", token)).status, 403);
            QCOMPARE(send(request("GET", "/admin/api-keys", token)).status, 403);
            QCOMPARE(post(token, "/admin/users", {{"username", "mallory"}, {"role", "admin"}}).status, 403);
            QCOMPARE(post(token, "/admin/api-keys", {{"label", "x"}, {"scope", "admin"}}).status, 403);
            QVERIFY(!contains(send(request("GET", "/admin/", token)).body, "/admin/users\""));
        }
        QVERIFY(user("mallory").id.empty());
        QVERIFY(contains(send(request("GET", "/admin/", alice)).body, "href=\"/admin/users\""));

        const auto noCsrf =
            send(request("POST", "/admin/users", alice, form({{"username", "mallory"}, {"role", "viewer"}})));
        QCOMPARE(noCsrf.status, 403);
        QVERIFY(user("mallory").id.empty());
        const auto noCsrfKey =
            send(request("POST", "/admin/api-keys", alice, form({{"label", "x"}, {"scope", "admin"}})));
        QCOMPARE(noCsrfKey.status, 403);
        QVERIFY(m_world->store->apiKeys()->empty());
        QCOMPARE(send(request("POST", "/admin/step-up", alice, form({{"code", code(seed)}}))).status, 403);
        // Undeclared query parameter (R44 style) and no session.
        QCOMPARE(send(request("GET", "/admin/users", alice, {}, {{"sort", "name"}})).status, 400);
        const auto anonymous = send(request("GET", "/admin/users"));
        QCOMPARE(anonymous.status, 302);
        QVERIFY(header(anonymous, "location")->starts_with("/admin/login?next="));
    }
};

QTEST_GUILESS_MAIN(TestAdminUsers)
#include "tst_adminusers.moc"
