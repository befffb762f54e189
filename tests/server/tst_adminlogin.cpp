#include <QTest>

#include <algorithm>

#include "server/admin/adminapplication.h"
#include "server/admin/adminlogin.h"
#include "server/auth/tokens.h"
#include "server/auth/totp.h"
#include "server/storage/ids.h"
#include "server/storage/store.h"
#include "tests/server/adminrequest.h"
#include "tests/server/serverfixture.h"

// In-process tests of the login work (server/admin/adminlogin.*) through AdminApplication::handle,
// on both backends, with a fake clock: first-run setup (R05), password + TOTP login (R04, R07,
// R08, R09, R16), session cookies and lifetime (R15, R17, R18), CSRF/origin policy (R25),
// logout, password change (R01–R03, R19), audit events (R39) and R44.
using namespace TestSupport;
using namespace Server::Admin;
using Server::Net::HttpRequest;
using Server::Net::HttpResponse;
using Server::Net::Listener;

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

constexpr std::string_view s_cookieAttributes = "; Path=/; Secure; HttpOnly; SameSite=Strict";

bool isBase64Url(std::string_view text)
{
    return std::all_of(text.begin(), text.end(), [](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    });
}

// The token of `__Host-sid=<43 base64url characters>; Path=/; Secure; HttpOnly; SameSite=Strict`
// (R15, R17), or nullopt when `value` is not exactly that.
std::optional<std::string> cookieToken(std::string_view value)
{
    constexpr std::string_view prefix = "__Host-sid=";
    if (!value.starts_with(prefix) || !value.ends_with(s_cookieAttributes))
        return std::nullopt;
    const std::string_view token =
        value.substr(prefix.size(), value.size() - prefix.size() - s_cookieAttributes.size());
    if (token.size() != 43 || !isBase64Url(token))
        return std::nullopt;
    return std::string(token);
}

// The session token a response sets, empty when it sets none.
std::string sessionTokenOf(const HttpResponse &response)
{
    for (const auto &[key, value] : response.headers) {
        if (key == "Set-Cookie")
            if (auto token = cookieToken(value))
                return *token;
    }
    return {};
}

// "ABCD-EFGH-IJKL-MNOP-QRST-UVWX": six groups of four base32 characters.
bool isRecoveryCode(std::string_view text)
{
    if (text.size() != 29)
        return false;
    for (std::size_t index = 0; index < text.size(); ++index) {
        const char c = text[index];
        const bool ok = index % 5 == 4 ? c == '-' : ((c >= 'A' && c <= 'Z') || (c >= '2' && c <= '7'));
        if (!ok)
            return false;
    }
    return true;
}

} // namespace

class TestAdminLogin : public QObject
{
    Q_OBJECT

    std::unique_ptr<ServerWorld> m_world;
    std::shared_ptr<const Server::Auth::SecretKey> m_key;
    std::unique_ptr<AdminApplication> m_admin;
    std::chrono::system_clock::time_point m_now = s_start;
    int m_requests = 0;
    int m_badCookies = 0; // Set-Cookie headers not of the R17 form, checked after every test

    HttpRequest request(std::string method, std::string path, const std::string &token = {}, std::string body = {},
                        std::vector<std::pair<std::string, std::string>> query = {})
    {
        return TestSupport::adminRequest({std::move(method), std::move(path), token, std::move(body), std::move(query),
                                          TestSupport::numberedRequestId("5d1c0e9a", ++m_requests), "192.0.2.7"});
    }

    // Every answer: each Set-Cookie is the exact R17 form (a token or a deletion), never a Domain.
    HttpResponse send(const HttpRequest &sent)
    {
        const std::string deletion = "__Host-sid=" + std::string(s_cookieAttributes) + "; Max-Age=0";
        HttpResponse response = m_admin->handle(sent);
        for (const auto &[key, value] : response.headers) {
            if (key != "Set-Cookie")
                continue;
            if (!cookieToken(value) && value != deletion) {
                qWarning("bad Set-Cookie: %s", value.c_str());
                ++m_badCookies;
            }
        }
        return response;
    }

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

    std::vector<std::uint8_t> seedOf(const std::string &username)
    {
        auto user = m_world->store->adminUserByName(username);
        if (!user || !*user || !(*user)->totpSeed)
            return {};
        auto seed = Server::Auth::open(*m_key, *(*user)->totpSeed, AdminLogin::totpSeedAad((*user)->id));
        return seed ? *seed : std::vector<std::uint8_t>();
    }

    std::string code(const std::vector<std::uint8_t> &seed, std::chrono::seconds offset = {})
    {
        const auto at = std::chrono::duration_cast<std::chrono::seconds>((m_now + offset).time_since_epoch()).count();
        return *Server::Auth::totp(seed, at);
    }

    int auditCount(std::string_view event)
    {
        auto rows = m_world->store->audit(0, 1000);
        int count = 0;
        for (const auto &row : rows ? *rows : std::vector<Server::Storage::AuditRecord>{}) {
            count += row.event == event;
            // R40: no secret of the fixture reaches an audit row.
            if (row.details.find(s_password) != std::string::npos ||
                row.details.find(s_setupPassword) != std::string::npos ||
                row.target.find(s_password) != std::string::npos)
                return -1;
        }
        return count;
    }

    HttpResponse login(const std::string &username, const std::string &password)
    {
        return send(request("POST", "/admin/login", {},
                            form({{"username", username}, {"password", password}, {"next", "/admin/"}})));
    }

    HttpResponse submitCode(const std::string &preAuth, const std::string &typed)
    {
        return send(request("POST", "/admin/login/totp", preAuth,
                            form({{"csrf", csrfOf(preAuth)}, {"code", typed}, {"next", "/admin/"}})));
    }

    bool signedIn(const std::string &token) { return send(request("GET", "/admin/", token)).status == 200; }

    // Setup → enrollment → full session; returns the full session token and the seed.
    std::pair<std::string, std::vector<std::uint8_t>> setUp(std::vector<std::string> *recoveryCodes = nullptr)
    {
        const auto created = send(request("POST", "/admin/setup", {},
                                          form({{"setup_token", s_setupPassword},
                                                {"username", "alice"},
                                                {"password", s_password},
                                                {"password_confirm", s_password}})));
        if (created.status != 302)
            return {};
        const std::string preAuth = sessionTokenOf(created);
        const auto enrol = send(request("GET", "/admin/login/totp", preAuth));
        if (enrol.status != 200 || enrol.body.find("data:image/svg+xml;base64,") == std::string::npos ||
            enrol.body.find("<title>Two-step sign-in setup") == std::string::npos)
            return {};
        const auto seed = seedOf("alice");
        if (seed.empty() || enrol.body.find(Server::Auth::base32Encode(seed)) == std::string::npos)
            return {};
        const auto confirmed = submitCode(preAuth, code(seed));
        if (confirmed.status != 200 || confirmed.body.find("<title>Two-step sign-in setup") == std::string::npos)
            return {};
        if (recoveryCodes) {
            const std::string &body = confirmed.body;
            for (auto at = body.find("<code>"); at != std::string::npos; at = body.find("<code>", at + 1)) {
                const std::string candidate = body.substr(at + 6, 29);
                if (isRecoveryCode(candidate) && body.compare(at + 35, 7, "</code>") == 0)
                    recoveryCodes->push_back(candidate);
            }
        }
        return {sessionTokenOf(confirmed), seed};
    }

    // Password + TOTP at the current fake time; the full session token (empty on failure).
    std::string signIn(const std::vector<std::uint8_t> &seed)
    {
        const std::string preAuth = sessionTokenOf(login("alice", s_password));
        const auto done = submitCode(preAuth, code(seed));
        return done.status == 302 ? sessionTokenOf(done) : std::string();
    }

private Q_SLOTS:
    void initTestCase_data() { addBackendRows(); }

    void init()
    {
        SOKO_CHECK_BACKEND();
        m_world = std::make_unique<ServerWorld>();
        m_now = s_start;
        m_key = std::make_shared<const Server::Auth::SecretKey>(*Server::Auth::SecretKey::generate());
        QVERIFY(m_world->store->setSetupTokenHash(Server::Storage::setupTokenDigest(s_setupPassword)));
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
        QCOMPARE(m_badCookies, 0);
        m_badCookies = 0;
        m_admin.reset();
        m_world.reset();
    }

    // R05, R10, R11: setup end to end, then the setup page is gone.
    void setupEndToEnd()
    {
        QCOMPARE(send(request("GET", "/admin/setup")).status, 200);
        const auto wrongToken = send(request("POST", "/admin/setup", {},
                                             form({{"setup_token", "WRONG-WRONG-WRONG"},
                                                   {"username", "alice"},
                                                   {"password", s_password},
                                                   {"password_confirm", s_password}})));
        QCOMPARE(wrongToken.status, 403);
        const auto weak = send(request("POST", "/admin/setup", {},
                                       form({{"setup_token", s_setupPassword},
                                             {"username", "alice"},
                                             {"password", "elevenchars"},
                                             {"password_confirm", "elevenchars"}})));
        QCOMPARE(weak.status, 422);
        QVERIFY(weak.body.find("at least 12 characters") != std::string::npos);
        const auto common = send(request("POST", "/admin/setup", {},
                                         form({{"setup_token", s_setupPassword},
                                               {"username", "alice"},
                                               {"password", "password1234"},
                                               {"password_confirm", "password1234"}})));
        QCOMPARE(common.status, 422);
        QVERIFY(common.body.find("too common") != std::string::npos);

        std::vector<std::string> recoveryCodes;
        const auto [token, seed] = setUp(&recoveryCodes);
        QVERIFY(!token.empty());
        QCOMPARE(recoveryCodes.size(), std::size_t(10));
        QVERIFY(signedIn(token));
        QCOMPARE(auditCount("user_created"), 1);
        QCOMPARE(auditCount("authn_login_success"), 1);
        // R42: the admin sign-in is queued for the chat webhook with the audit row, naming the user.
        auto alerts = m_world->store->alerts(0, 100);
        QVERIFY(alerts);
        const auto announced = std::find_if(alerts->begin(), alerts->end(),
                                            [](const auto &alert) { return alert.kind == "authn_login_success"; });
        QVERIFY(announced != alerts->end());
        QVERIFY(announced->payload.find("\"blocks\"") != std::string::npos);
        QVERIFY(announced->text.find(s_password) == std::string::npos);
        // R10: the database holds a GCM blob, not the base32 seed.
        auto user = m_world->store->adminUserByName("alice");
        const auto &blob = *(*user)->totpSeed;
        const std::string stored(blob.begin(), blob.end());
        QVERIFY(stored.find(Server::Auth::base32Encode(seed)) == std::string::npos);
        QVERIFY((*user)->totpEnabled);

        QCOMPARE(send(request("GET", "/admin/setup")).status, 404);
        const auto again = send(request("POST", "/admin/setup", {},
                                        form({{"setup_token", s_setupPassword},
                                              {"username", "mallory"},
                                              {"password", s_password},
                                              {"password_confirm", s_password}})));
        QCOMPARE(again.status, 404);
        QVERIFY(!*m_world->store->adminUserByName("mallory"));

        // R11: a recovery code signs in once.
        m_now += std::chrono::minutes(1);
        const std::string preAuth = sessionTokenOf(login("alice", s_password));
        const auto recovered = submitCode(preAuth, recoveryCodes.front());
        QCOMPARE(recovered.status, 302);
        QVERIFY(signedIn(sessionTokenOf(recovered)));
        const std::string preAuth2 = sessionTokenOf(login("alice", s_password));
        QCOMPARE(submitCode(preAuth2, recoveryCodes.front()).status, 401);
    }

    // R07, R16: password → pre-auth token that reaches only the TOTP step → new full token.
    void loginWithTotp()
    {
        const auto [first, seed] = setUp();
        QVERIFY(!first.empty());
        m_now += std::chrono::minutes(2);
        const auto password = login("alice", s_password);
        QCOMPARE(password.status, 302);
        QCOMPARE(header(password, "location").value_or(""), std::string("/admin/login/totp?next=%2Fadmin%2F"));
        const std::string preAuth = sessionTokenOf(password);
        QVERIFY(!preAuth.empty());
        // The pre-auth token reaches nothing but the TOTP step.
        const auto page = send(request("GET", "/admin/", preAuth));
        QCOMPARE(page.status, 302);
        QVERIFY(header(page, "location").value_or("").starts_with("/admin/login"));
        QCOMPARE(send(request("GET", "/admin/api/session", preAuth)).status, 401);
        QCOMPARE(send(request("GET", "/admin/login/totp", preAuth)).status, 200);

        // Without the pre-auth form's CSRF token the code is not even looked at.
        QCOMPARE(send(request("POST", "/admin/login/totp", preAuth, form({{"code", code(seed)}}))).status, 403);
        // Not a code: said so on the same form (in the page's language), not counted as a failure.
        const auto malformed = submitCode(preAuth, "12 34 5");
        QCOMPARE(malformed.status, 400);
        QVERIFY(malformed.body.find("6-digit code") != std::string::npos);
        QVERIFY(malformed.body.find("name=\"code\"") != std::string::npos);
        QCOMPARE(auditCount("authn_login_fail"), 0);

        // Typed as authenticator apps show it: "123 456".
        std::string spaced = code(seed);
        spaced.insert(3, " ");
        const auto done = submitCode(preAuth, spaced);
        QCOMPARE(done.status, 302);
        QCOMPARE(header(done, "location").value_or(""), std::string("/admin/"));
        const std::string full = sessionTokenOf(done);
        QVERIFY(!full.empty());
        QVERIFY(full != preAuth);
        QVERIFY(signedIn(full));
        // The pre-auth token died with the step (R16).
        const auto old = send(request("GET", "/admin/login/totp", preAuth));
        QCOMPARE(old.status, 302);
        QVERIFY(header(old, "location").value_or("").starts_with("/admin/login"));
        QCOMPARE(auditCount("authn_login_success"), 2);

        // Typed through a Japanese input method: full-width digits and an ideographic space.
        m_now += std::chrono::minutes(1);
        const std::string again = sessionTokenOf(login("alice", s_password));
        std::string fullWidth;
        for (const char digit : code(seed)) {
            if (fullWidth.size() == 9)
                fullWidth += "\xE3\x80\x80";
            fullWidth += "\xEF\xBC";
            fullWidth += static_cast<char>(0x90 + (digit - '0'));
        }
        QCOMPARE(submitCode(again, fullWidth).status, 302);
    }

    // R08: each step once; window T−1..T+1.
    void totpReplayAndWindow()
    {
        const auto [first, seed] = setUp();
        QVERIFY(!first.empty());
        m_now += std::chrono::minutes(2);
        const std::string used = code(seed);
        QVERIFY(!signIn(seed).empty());
        const std::string preAuth = sessionTokenOf(login("alice", s_password));
        const auto replay = submitCode(preAuth, used);
        QCOMPARE(replay.status, 401);
        QCOMPARE(auditCount("authn_token_reuse"), 1);
        auto user = m_world->store->adminUserByName("alice");
        auto notes = m_world->store->notifications((*user)->id, 10);
        QVERIFY(notes && !notes->empty() && notes->front().kind == "totp_reuse");

        m_now += std::chrono::minutes(2);
        QCOMPARE(submitCode(preAuth, code(seed, std::chrono::seconds(-60))).status, 401); // T−2
        QCOMPARE(submitCode(preAuth, code(seed, std::chrono::seconds(30))).status, 302);  // T+1
    }

    // R09: the 5th wrong code ends the pre-auth session.
    void wrongCodesKillPreAuth()
    {
        const auto [first, seed] = setUp();
        QVERIFY(!first.empty());
        m_now += std::chrono::minutes(2);
        const std::string preAuth = sessionTokenOf(login("alice", s_password));
        const std::string right = code(seed);
        std::string wrong = "000000";
        for (char digit = '0'; digit <= '9'; ++digit) { // a code no step of the window has
            wrong = std::string(6, digit);
            if (wrong != code(seed, std::chrono::seconds(-30)) && wrong != right &&
                wrong != code(seed, std::chrono::seconds(30)))
                break;
        }
        for (int attempt = 1; attempt <= 4; ++attempt)
            QCOMPARE(submitCode(preAuth, wrong).status, 401);
        const auto fifth = submitCode(preAuth, wrong);
        QCOMPARE(fifth.status, 401);
        QVERIFY(fifth.body.find("sign in again") != std::string::npos);
        const auto after = submitCode(preAuth, right);
        QCOMPARE(after.status, 302);
        QVERIFY(header(after, "location").value_or("").starts_with("/admin/login?"));
        QCOMPARE(auditCount("authn_login_fail"), 5);
    }

    // R09: 10 wrong codes within an hour (over several pre-auth sessions) lock TOTP for the user.
    void totpLockPerHour()
    {
        const auto [first, seed] = setUp();
        QVERIFY(!first.empty());
        m_now += std::chrono::minutes(2);
        std::string wrong = "000000";
        for (char digit = '0'; digit <= '9'; ++digit) {
            wrong = std::string(6, digit);
            if (wrong != code(seed, std::chrono::seconds(-30)) && wrong != code(seed) &&
                wrong != code(seed, std::chrono::seconds(30)))
                break;
        }
        for (int round = 0; round < 2; ++round) {
            const std::string preAuth = sessionTokenOf(login("alice", s_password));
            for (int attempt = 0; attempt < 5; ++attempt)
                QCOMPARE(submitCode(preAuth, wrong).status, 401);
        }
        QCOMPARE(auditCount("authn_mfa_locked"), 1);
        const std::string preAuth = sessionTokenOf(login("alice", s_password));
        QCOMPARE(submitCode(preAuth, code(seed)).status, 423); // the right code, but locked
        auto user = m_world->store->adminUserByName("alice");
        auto notes = m_world->store->notifications((*user)->id, 10);
        QVERIFY(notes && !notes->empty() && notes->front().kind == "mfa_locked");
        m_now += std::chrono::minutes(61);
        QVERIFY(!signIn(seed).empty());
    }

    // R04: back-off after 5 failures; identical answers for unknown names.
    void throttling()
    {
        const auto [first, seed] = setUp();
        QVERIFY(!first.empty());
        const auto unknown = login("nobody", "wrong password 123");
        const auto wrong = login("alice", "wrong password 123");
        QCOMPARE(unknown.status, 401);
        QCOMPARE(wrong.status, unknown.status);
        QCOMPARE(wrong.body, unknown.body);
        QVERIFY(sessionTokenOf(wrong).empty());
        for (int attempt = 2; attempt <= 5; ++attempt)
            QCOMPARE(login("alice", "wrong password 123").status, 401);
        const auto sixth = login("alice", "wrong password 123");
        QCOMPARE(sixth.status, 429);
        QVERIFY(header(sixth, "retry-after").has_value());
        QVERIFY(std::stoi(*header(sixth, "retry-after")) >= 1);
        // The page says how long to wait and offers the form again, for a known and an unknown name alike.
        const std::string wait = "Wait " + *header(sixth, "retry-after") + " seconds";
        QVERIFY2(sixth.body.find(wait) != std::string::npos, sixth.body.c_str());
        QVERIFY(sixth.body.find("action=\"/admin/login\"") != std::string::npos);
        const auto correct = login("alice", s_password);
        QCOMPARE(correct.status, 429);
        QVERIFY(sessionTokenOf(correct).empty());
        QCOMPARE(auditCount("authn_login_fail"), 6); // unknown + 5 for alice
        QVERIFY(auditCount("authn_login_lock") >= 2);
        // After the back-off the correct password works again.
        m_now += std::chrono::seconds(5);
        QCOMPARE(login("alice", s_password).status, 302);
    }

    // R18, R15: logout, idle and absolute timeouts; the token is never taken from the URL.
    void sessionLifetime()
    {
        const auto [token, seed] = setUp();
        QVERIFY(!token.empty());
        // ?sid= is ignored: no cookie, no session.
        const auto viaUrl = send(request("GET", "/admin/", {}, {}, {{"sid", token}}));
        QCOMPARE(viaUrl.status, 302);
        QVERIFY(header(viaUrl, "location").value_or("").starts_with("/admin/login"));

        m_now += std::chrono::minutes(14);
        QVERIFY(signedIn(token)); // touched: idle restarts
        m_now += std::chrono::minutes(14);
        QVERIFY(signedIn(token));
        m_now += std::chrono::minutes(16);
        QVERIFY(!signedIn(token));

        m_now += std::chrono::minutes(1);
        std::string session = signIn(seed);
        QVERIFY(!session.empty());
        for (int hop = 0; hop < 51; ++hop) { // 51 × 14 min = 11 h 54 min, never idle
            m_now += std::chrono::minutes(14);
            QVERIFY(signedIn(session));
        }
        m_now += std::chrono::minutes(14); // 12 h 8 min after login
        QVERIFY(!signedIn(session));

        m_now += std::chrono::minutes(1);
        session = signIn(seed);
        QVERIFY(!session.empty());
        QCOMPARE(send(request("POST", "/admin/logout", session, form({{"x", "1"}}))).status, 403); // no CSRF
        const auto out = send(request("POST", "/admin/logout", session, form({{"csrf", csrfOf(session)}})));
        QCOMPARE(out.status, 302);
        QCOMPARE(header(out, "set-cookie").value_or(""),
                 std::string("__Host-sid=; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=0"));
        QVERIFY(!signedIn(session)); // replay after logout
        QCOMPARE(auditCount("session_logout"), 1);
    }

    // R25 on a Session route, R44 on the login form.
    void csrfAndOrigin()
    {
        const auto [token, seed] = setUp();
        QVERIFY(!token.empty());
        const std::string body = form({{"csrf", csrfOf(token)}});
        QCOMPARE(send(request("POST", "/admin/logout", token, form({{"csrf", csrfOf("another")}}))).status, 403);
        HttpRequest crossSite = request("POST", "/admin/logout", token, body);
        for (auto &[name, value] : crossSite.headers)
            if (name == "sec-fetch-site")
                value = "cross-site";
        QCOMPARE(send(crossSite).status, 403);
        HttpRequest foreign = request("POST", "/admin/logout", token, body);
        for (auto &[name, value] : foreign.headers)
            if (name == "origin")
                value = "https://evil.example";
        QCOMPARE(send(foreign).status, 403);
        QVERIFY(signedIn(token)); // none of them logged out

        const auto inQuery = send(request(
            "POST", "/admin/login", {}, form({{"username", "alice"}, {"password", s_password}}), {{"password", "x"}}));
        QCOMPARE(inQuery.status, 400);
        QVERIFY(sessionTokenOf(inQuery).empty());
    }

    // R01–R03, R19: password change needs the current password and ends the other sessions.
    void passwordChange()
    {
        const auto [first, seed] = setUp();
        QVERIFY(!first.empty());
        m_now += std::chrono::minutes(1);
        const std::string second = signIn(seed);
        QVERIFY(!second.empty());
        QCOMPARE(send(request("GET", "/admin/account", second)).status, 200);
        const auto change = [&](const std::string &current, const std::string &replacement) {
            return send(request("POST", "/admin/account/password", second,
                                form({{"csrf", csrfOf(second)}, {"current", current}, {"new", replacement}})));
        };
        QCOMPARE(change("wrong password 123", "another fine passphrase").status, 403);
        QCOMPARE(auditCount("authn_password_change_fail"), 1);
        QCOMPARE(change(s_password, "elevenchars").status, 422);
        QCOMPARE(change(s_password, std::string(129, 'x')).status, 422);
        QVERIFY(signedIn(first));
        QCOMPARE(change(s_password, "another fine passphrase").status, 200);
        QVERIFY(!signedIn(first));
        QVERIFY(signedIn(second));
        m_now += std::chrono::minutes(1);
        QCOMPARE(login("alice", s_password).status, 401);
        QCOMPARE(login("alice", "another fine passphrase").status, 302);
    }
};

QTEST_GUILESS_MAIN(TestAdminLogin)
#include "tst_adminlogin.moc"
