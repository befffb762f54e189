#include "server/admin/adminlogin.h"

#include <cstdio>
#include <ctime>
#include <stdexcept>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include "server/admin/adminapplication.h"
#include "server/auth/password.h"
#include "server/auth/tokens.h"
#include "server/auth/totp.h"
#include "server/auth/qrcode.h"
#include "server/audit/announce.h"
#include "server/storage/ids.h"
#include "server/storage/storepool.h"

namespace Server::Admin {

namespace {

namespace json = boost::json;
using Net::HttpResponse;
using Clock = std::chrono::system_clock;

constexpr std::size_t maxTokenCharacters = 128;

std::string isoOf(Clock::time_point at)
{
    return Storage::isoTime(at);
}

// utcNowIso's form (milliseconds optional) → time point; nullopt otherwise.
std::optional<Clock::time_point> parseIso(std::string_view iso)
{
    const auto normalised = Storage::shiftIsoTime(iso, 0);
    if (!normalised)
        return std::nullopt;
    std::tm parts{};
    int milliseconds = 0;
    if (std::sscanf(normalised->c_str(), "%4d-%2d-%2dT%2d:%2d:%2d.%3dZ", &parts.tm_year, &parts.tm_mon, &parts.tm_mday,
                    &parts.tm_hour, &parts.tm_min, &parts.tm_sec, &milliseconds) != 7)
        return std::nullopt;
    parts.tm_year -= 1900;
    parts.tm_mon -= 1;
    return Clock::from_time_t(::timegm(&parts)) + std::chrono::milliseconds(milliseconds);
}

std::int64_t unixOf(Clock::time_point at)
{
    return std::chrono::duration_cast<std::chrono::seconds>(at.time_since_epoch()).count();
}

Role roleOf(Storage::AdminRole role)
{
    switch (role) {
    case Storage::AdminRole::Admin:
        return Role::Admin;
    case Storage::AdminRole::BackOffice:
        return Role::BackOffice;
    case Storage::AdminRole::Supervisor:
        return Role::Supervisor;
    case Storage::AdminRole::Picker:
    case Storage::AdminRole::Viewer:
        return Role::Viewer;
    }
    return Role::Viewer;
}

// A bilingual sentence that is not (yet) in the shared catalogue.
Html say(const PageContext &page, std::string_view english, std::string_view japanese)
{
    return Html::text(page.language == Language::Japanese ? japanese : english);
}

Element note(const PageContext &page, std::string_view english, std::string_view japanese,
             std::string_view cssClass = "error-box")
{
    return std::move(Element("p").attribute("class", cssClass).child(say(page, english, japanese)));
}

Element field(const PageContext &page, Message label, std::string_view type, std::string_view name,
              std::string_view autocomplete, std::int64_t maxLength)
{
    return std::move(Element("label")
                         .child(translated(page, label))
                         .child(Element("input")
                                    .attribute("type", type)
                                    .attribute("name", name)
                                    .attribute("autocomplete", autocomplete)
                                    .attribute("maxlength", maxLength)
                                    .flag("required")));
}

Element hidden(std::string_view name, std::string_view value)
{
    return std::move(Element("input").attribute("type", "hidden").attribute("name", name).attribute("value", value));
}

// The login form with an optional error line; the same bytes for every refused attempt (R04).
HttpResponse loginForm(const PageContext &page, int status, std::string_view next, bool failed,
                       const Html &message = Html())
{
    Element card("section");
    card.attribute("class", "card");
    if (failed)
        card.child(note(page, "The user name or password is wrong, or the account cannot sign in now.",
                        "ユーザー名またはパスワードが違うか、このアカウントは現在サインインできません。"));
    card.child(message);
    card.child(Element("form")
                   .attribute("class", "stacked")
                   .attribute("method", "post")
                   .attribute("action", "/admin/login")
                   .child(hidden("next", safeRedirectTarget(next)))
                   .child(field(page, Message::Username, "text", "username", "username", 64))
                   .child(field(page, Message::Password, "password", "password", "current-password", 128))
                   .child(Element("button").attribute("type", "submit").child(translated(page, Message::SignIn))));
    return htmlResponse(status, layout(page, Message::LoginTitle, card));
}

std::string policyReason(const Common::Error &error)
{
    return error.message;
}

Html policyText(const PageContext &page, std::string_view reason)
{
    if (reason == Auth::kPasswordTooShort)
        return say(page, "The password is too short: use at least 12 characters.",
                   "パスワードが短すぎます。12文字以上にしてください。");
    if (reason == Auth::kPasswordTooLong)
        return say(page, "The password is too long: use at most 128 characters.",
                   "パスワードが長すぎます。128文字以下にしてください。");
    if (reason == Auth::kPasswordBreached)
        return say(page, "This password is too common: choose another one.",
                   "このパスワードはよく使われているため使えません。別のパスワードにしてください。");
    if (reason == Auth::kPasswordNotUtf8)
        return say(page, "The password is not valid text.", "パスワードの文字が正しくありません。");
    return say(page, "The password cannot be used.", "このパスワードは使えません。");
}

} // namespace

AdminLogin::AdminLogin(Storage::StorePool &pool, AdminLoginConfig config)
    : m_pool(pool)
    , m_config(std::move(config))
    , m_ipLimiter(std::max<std::size_t>(1, m_config.loginsPerIpPerMinute), std::chrono::seconds(60))
{
    if (!m_config.key)
        throw std::invalid_argument("AdminLogin needs the admin secrets key");
}

Clock::time_point AdminLogin::now() const
{
    return m_config.clock ? m_config.clock() : Clock::now();
}

std::string AdminLogin::sessionCookie(std::string_view token)
{
    std::string cookie =
        std::string(sessionCookieName) + "=" + std::string(token) + "; Path=/; Secure; HttpOnly; SameSite=Strict";
    if (token.empty())
        cookie += "; Max-Age=0";
    return cookie;
}

std::string AdminLogin::totpSeedAad(std::string_view userId)
{
    return "v1|admin_users|totp_seed|" + std::string(userId);
}

std::string AdminLogin::issueCsrf(const AdminSession &session) const
{
    auto token = Auth::csrfToken(m_config.key->bytes(), session.csrfKey);
    return token ? *token : std::string();
}

bool AdminLogin::verifyCsrf(const AdminSession &session, std::string_view token) const
{
    return !session.csrfKey.empty() && Auth::checkCsrfToken(m_config.key->bytes(), session.csrfKey, token);
}

Common::Result<bool> AdminLogin::setupPending()
{
    auto lease = m_pool.acquire();
    if (!lease)
        return tl::unexpected(lease.error());
    auto admins = (*lease)->countAdmins(Storage::AdminRole::Admin, Storage::StatusFilter::Any);
    if (!admins)
        return tl::unexpected(admins.error());
    if (*admins > 0)
        return false;
    auto hash = (*lease)->setupTokenHash();
    if (!hash)
        return tl::unexpected(hash.error());
    return hash->has_value();
}

Common::Result<std::optional<AdminSession>> AdminLogin::lookUp(const SessionQuery &query)
{
    if (query.token.empty() || query.token.size() > maxTokenCharacters)
        return std::optional<AdminSession>();
    auto hash = Auth::sha256Hex(query.token);
    if (!hash)
        return tl::unexpected(hash.error());
    auto lease = m_pool.acquire();
    if (!lease)
        return tl::unexpected(lease.error());
    Storage::Store &store = **lease;
    auto found = store.adminSession(*hash);
    if (!found)
        return tl::unexpected(found.error());
    if (!*found)
        return std::optional<AdminSession>();
    const Storage::AdminSessionRecord &record = **found;
    const Clock::time_point at = now();
    const auto created = parseIso(record.createdAt);
    const auto lastSeen = parseIso(record.lastSeenAt);
    if (!created || !lastSeen || at - *created > sessionAbsoluteTimeout || at - *lastSeen > sessionIdleTimeout) {
        (void)store.deleteAdminSession(*hash); // R18: expired sessions are gone, not just refused
        return std::optional<AdminSession>();
    }
    auto user = store.adminUser(record.userId);
    if (!user)
        return tl::unexpected(user.error());
    if (!*user || (*user)->status != Storage::AdminStatus::Active)
        return std::optional<AdminSession>();
    if (auto touched = store.touchAdminSession(*hash, isoOf(at)); !touched)
        return tl::unexpected(touched.error());
    AdminSession session;
    session.userId = record.userId;
    session.username = (*user)->username;
    session.role = roleOf((*user)->role);
    session.stage =
        record.stage == Storage::AdminSessionStage::Full ? SessionStage::Complete : SessionStage::PasswordVerified;
    if (record.totpVerifiedAt)
        session.totpVerifiedAt = parseIso(*record.totpVerifiedAt);
    session.csrfKey = *hash;
    session.mustChangePassword = (*user)->mustChangePassword;
    return std::optional<AdminSession>(std::move(session));
}

// ---- helpers shared by the handlers ----

namespace {

struct Audit
{
    Storage::Store &store;
    const Net::HttpRequest &request;
    std::string at;

    void operator()(std::string_view event, std::string_view actor, std::string_view target,
                    json::object details = {}) const
    {
        // Every privileged session and every sign of an attack on one is announced in chat
        // (REQUIREMENTS.md R42, R09, R13), queued in the outbox with the audit row.
        (void)appendAdminAudit(store, request, at, event, actor, target, std::move(details),
                               isAnnounced(event) ? Announce::Yes : Announce::No);
    }

    static bool isAnnounced(std::string_view event)
    {
        return event == "authn_login_success" || event == "authn_token_reuse" || event == "authn_mfa_locked" ||
               event == "authn_mfa_enrolled" || event == "authn_login_lock" || event == "user_created" ||
               event == "authn_password_change" || event == "authn_recovery_code_used";
    }
};

std::string actorOf(std::string_view userId)
{
    return adminActor(userId);
}

struct NewSession
{
    std::string token;
    std::string hash;
};

Common::Result<NewSession> createSession(Storage::Store &store, std::string_view userId,
                                         Storage::AdminSessionStage stage, const Net::HttpRequest &request,
                                         const std::string &at)
{
    auto token = Auth::randomToken(32);
    if (!token)
        return tl::unexpected(token.error());
    auto hash = Auth::sha256Hex(*token);
    if (!hash)
        return tl::unexpected(hash.error());
    Storage::AdminSessionRecord record;
    record.tokenHash = *hash;
    record.userId = std::string(userId);
    record.stage = stage;
    record.createdAt = at;
    record.lastSeenAt = at;
    if (stage == Storage::AdminSessionStage::Full)
        record.totpVerifiedAt = at;
    record.ip = request.peer.address.substr(0, 64);
    record.userAgent = std::string(request.header("user-agent").value_or(""));
    if (auto inserted = store.insertAdminSession(record); !inserted)
        return tl::unexpected(inserted.error());
    return NewSession{*token, *hash};
}

// The session a request's cookie names, ended (R16: a login never keeps a token it was given).
void endPresentedSession(Storage::Store &store, const Net::HttpRequest &request)
{
    const auto token = cookieValue(request, sessionCookieName);
    if (!token || token->empty() || token->size() > maxTokenCharacters)
        return;
    if (auto hash = Auth::sha256Hex(*token))
        (void)store.deleteAdminSession(*hash);
}

// 429 (R04): the login form again, saying how long to wait (the same for every account name,
// known or not), with Retry-After.
HttpResponse tooMany(const PageContext &page, std::string_view next, std::chrono::seconds retry)
{
    const std::string seconds = std::to_string(std::max<std::int64_t>(1, retry.count()));
    const std::string english = "Too many sign-in attempts. Wait " + seconds + " seconds, then try again.";
    const std::string japanese = "サインインの試行が多すぎます。" + seconds + " 秒待ってから、もう一度お試しください。";
    HttpResponse response = loginForm(page, 429, next, false, note(page, english, japanese));
    response.headers.emplace_back("Retry-After", seconds);
    return response;
}

Auth::LoginFailures failuresOf(const Storage::LoginThrottleRecord &record)
{
    Auth::LoginFailures failures;
    failures.consecutive = static_cast<int>(record.failures);
    failures.inWindow = static_cast<int>(record.failures);
    if (const auto last = parseIso(record.lastFailureAt))
        failures.lastFailureUnix = unixOf(*last);
    if (const auto start = parseIso(record.windowStart))
        failures.windowStartUnix = unixOf(*start);
    return failures;
}

HttpResponse unavailable(const AdminApplication &application, const AdminContext &context)
{
    return application.errorResponse(ResponseKind::Html, context.page, 503, "unavailable", context.request);
}

} // namespace

// ---- first-run setup (R05) ----

Net::HttpResponse AdminLogin::postSetup(const AdminApplication &application, AdminContext &context)
{
    const PageContext &page = context.page;
    auto pending = setupPending();
    if (!pending)
        return unavailable(application, context);
    if (!*pending)
        return application.errorResponse(ResponseKind::Html, page, 404, "not_found", context.request);
    const auto setupToken = formValue(context.fields, "setup_token").value_or("");
    const auto username = formValue(context.fields, "username").value_or("");
    const auto password = formValue(context.fields, "password").value_or("");
    const auto confirm = formValue(context.fields, "password_confirm").value_or("");

    const auto refuse = [&](int status, const Html &why) {
        return htmlResponse(
            status,
            layout(
                page, Message::SetupTitle,
                Element("section")
                    .attribute("class", "card")
                    .child(Element("p").attribute("class", "error-box").child(why))
                    .child(Element("p").child(
                        Element("a").attribute("href", "/admin/setup").child(translated(page, Message::SetupTitle))))));
    };
    if (!Storage::isValidAdminUsername(username))
        return refuse(422, say(page, "The user name must be 1 to 64 printable characters without spaces.",
                               "ユーザー名は空白なしの1〜64文字の英数字・記号にしてください。"));
    if (password != confirm)
        return refuse(422, say(page, "The two passwords differ.", "2つのパスワードが一致しません。"));
    if (auto policy = Auth::checkPasswordPolicy(password); !policy)
        return refuse(422, policyText(page, policyReason(policy.error())));
    auto hash = Auth::hashPassword(password);
    if (!hash)
        return application.errorResponse(ResponseKind::Html, page, 500, "internal", context.request);

    auto lease = m_pool.acquire();
    if (!lease)
        return unavailable(application, context);
    Storage::Store &store = **lease;
    const std::string at = isoOf(now());
    const Audit audit{store, context.request, at};
    std::string userId;
    {
        Storage::Transaction transaction(store);
        if (!transaction.started())
            return unavailable(application, context);
        auto consumed = store.consumeSetupToken(Storage::setupTokenDigest(setupToken));
        if (!consumed)
            return unavailable(application, context);
        if (!*consumed) {
            audit("authn_setup_fail", "anonymous", "", {});
            return refuse(403, say(page, "The setup password is wrong.", "セットアップ用パスワードが違います。"));
        }
        Storage::AdminUserRecord user;
        user.username = std::string(username);
        user.displayName = std::string(username);
        user.role = Storage::AdminRole::Admin;
        user.passwordHash = *hash;
        auto inserted = store.insertAdminUser(user);
        if (!inserted)
            return unavailable(application, context);
        userId = *inserted;
        if (auto committed = transaction.commit(); !committed)
            return unavailable(application, context);
    }
    endPresentedSession(store, context.request);
    audit("user_created", actorOf(userId), actorOf(userId), json::object{{"role", "admin"}, {"via", "setup"}});
    // The password is proved; the new administrator goes on to enrol TOTP (R07).
    auto session = createSession(store, userId, Storage::AdminSessionStage::PreAuth, context.request, at);
    if (!session)
        return unavailable(application, context);
    audit("session_created", actorOf(userId), actorOf(userId), json::object{{"stage", "pre_auth"}});
    HttpResponse response = redirectResponse("/admin/login/totp");
    response.headers.emplace_back("Set-Cookie", sessionCookie(session->token));
    return response;
}

// ---- password step (R04, R07, R16, R44) ----

Net::HttpResponse AdminLogin::postLogin(const AdminApplication &application, AdminContext &context)
{
    const PageContext &page = context.page;
    const std::string next = safeRedirectTarget(formValue(context.fields, "next").value_or("/admin/"));
    const auto username = formValue(context.fields, "username");
    const auto password = formValue(context.fields, "password");
    if (!username || !password || username->size() > 256 || password->size() > Auth::kPasswordMaxBytes)
        return application.errorResponse(ResponseKind::Html, page, 400, "bad_request", context.request);

    if (const auto perIp = m_ipLimiter.take(context.request.peer.address); !perIp.allowed)
        return tooMany(page, next, perIp.retryAfter);

    auto lease = m_pool.acquire();
    if (!lease)
        return unavailable(application, context);
    Storage::Store &store = **lease;
    const Clock::time_point at = now();
    const std::string atIso = isoOf(at);
    const Audit audit{store, context.request, atIso};
    const std::string throttleKey = "user:" + Storage::adminUsernameKey(username->substr(0, 200));

    auto throttle = store.loginThrottle(throttleKey);
    if (!throttle)
        return unavailable(application, context);
    if (*throttle) {
        std::chrono::seconds retry{0};
        if ((*throttle)->lockedUntil)
            if (const auto until = parseIso(*(*throttle)->lockedUntil); until && *until > at)
                retry = std::chrono::ceil<std::chrono::seconds>(*until - at);
        const auto decision = Auth::checkLoginAllowed(failuresOf(**throttle), unixOf(at));
        if (!decision.allowed)
            retry = std::max(retry, decision.retryAfter);
        if (retry.count() > 0) {
            audit("authn_login_lock", "anonymous", std::string(username->substr(0, 64)),
                  json::object{{"retry_after", retry.count()}});
            return tooMany(page, next, retry);
        }
    }

    auto user = store.adminUserByName(*username);
    if (!user)
        return unavailable(application, context);
    bool accepted = false;
    if (*user) {
        accepted =
            Auth::verifyPassword((*user)->passwordHash, *password) && (*user)->status == Storage::AdminStatus::Active;
    } else {
        Auth::dummyVerify(*password); // R04: unknown names cost what known ones cost
    }
    if (!accepted) {
        auto recorded = store.recordLoginFailure(throttleKey, atIso);
        if (recorded) {
            const auto decision = Auth::checkLoginAllowed(failuresOf(*recorded), unixOf(at));
            if (!decision.allowed)
                (void)store.lockLoginThrottle(throttleKey, isoOf(at + decision.retryAfter));
        }
        audit("authn_login_fail", "anonymous", std::string(username->substr(0, 64)), {});
        if (m_config.metrics)
            m_config.metrics->recordLoginFailure(Ops::LoginStage::Password);
        return loginForm(page, 401, next, true);
    }

    const Storage::AdminUserRecord &account = **user;
    if (Auth::needsRehash(account.passwordHash))
        if (auto rehashed = Auth::hashPassword(*password))
            (void)store.setAdminPassword(account.id, *rehashed, Storage::PasswordState::Current);
    (void)store.resetLoginThrottle(throttleKey);
    (void)store.deleteExpiredAdminSessions(isoOf(at - sessionIdleTimeout), isoOf(at - sessionAbsoluteTimeout));
    endPresentedSession(store, context.request);
    auto session = createSession(store, account.id, Storage::AdminSessionStage::PreAuth, context.request, atIso);
    if (!session)
        return unavailable(application, context);
    audit("session_created", actorOf(account.id), actorOf(account.id), json::object{{"stage", "pre_auth"}});
    HttpResponse response = redirectResponse("/admin/login/totp?next=" + encodeUriComponent(next));
    response.headers.emplace_back("Set-Cookie", sessionCookie(session->token));
    return response;
}

// ---- TOTP step and enrollment (R07–R11, R16) ----

namespace {

Html totpForm(const PageContext &page, std::string_view next, bool enrolling)
{
    return Element("form")
        .attribute("class", "stacked")
        .attribute("method", "post")
        .attribute("action", "/admin/login/totp")
        .child(csrfField(page.csrfToken))
        .child(hidden("next", safeRedirectTarget(next)))
        .child(Element("label")
                   .child(enrolling ? say(page, "Code from the app (6 digits)", "アプリに表示されたコード（6桁）")
                                    : say(page, "Code from the app (6 digits) or a recovery code",
                                          "アプリのコード（6桁）またはリカバリーコード"))
                   .child(Element("input")
                              .attribute("type", "text")
                              .attribute("name", "code")
                              .attribute("autocomplete", "one-time-code")
                              .attribute("maxlength", 40)
                              .flag("required")
                              .flag("autofocus")))
        .child(Element("button").attribute("type", "submit").child(translated(page, Message::SignIn)));
}

} // namespace

Net::HttpResponse AdminLogin::getTotp(const AdminApplication &application, AdminContext &context)
{
    const PageContext &page = context.page;
    const std::string next = safeRedirectTarget(context.request.queryValue("next").value_or("/admin/"));
    auto lease = m_pool.acquire();
    if (!lease)
        return unavailable(application, context);
    Storage::Store &store = **lease;
    auto user = store.adminUser(context.session->userId);
    if (!user || !*user)
        return unavailable(application, context);
    Element card("section");
    card.attribute("class", "card");
    if ((*user)->totpEnabled) {
        card.child(Element("p").child(say(page, "Enter the code your authenticator app shows.",
                                          "認証アプリに表示されたコードを入力してください。")));
        card.child(totpForm(page, next, false));
        return htmlResponse(200, layout(page, Message::LoginTitle, card));
    }
    // Enrollment: a seed is made once and kept sealed until a code confirms it.
    std::vector<std::uint8_t> seed;
    if ((*user)->totpSeed) {
        auto opened = Auth::open(*m_config.key, *(*user)->totpSeed, totpSeedAad((*user)->id));
        if (!opened)
            return application.errorResponse(ResponseKind::Html, page, 500, "internal", context.request);
        seed = std::move(*opened);
    } else {
        auto generated = Auth::generateSeed();
        if (!generated)
            return application.errorResponse(ResponseKind::Html, page, 500, "internal", context.request);
        seed = std::move(*generated);
        auto sealed = Auth::seal(*m_config.key, seed, totpSeedAad((*user)->id));
        if (!sealed || !store.setAdminTotp((*user)->id, *sealed, Storage::TotpState::Enrolling))
            return unavailable(application, context);
    }
    auto uri = Auth::otpauthUri(totpIssuer, (*user)->username, seed);
    auto svg = uri ? Auth::qrCodeSvg(*uri) : Common::Result<std::string>(tl::unexpected(uri.error()));
    if (!svg)
        return application.errorResponse(ResponseKind::Html, page, 500, "internal", context.request);
    card.child(Element("p").child(say(page,
                                      "Scan this code with an authenticator app (or type the secret below), then "
                                      "enter the code it shows.",
                                      "認証アプリでこのコードを読み取り（または下の秘密鍵を入力し）、表示されたコードを"
                                      "入力してください。")));
    card.child(Element("img").attribute("alt", "QR").attribute("class", "qr").imageData(Element::ImageType::Svg, *svg));
    card.child(Element("p").child(Element("code").attribute("class", "totp-secret").text(Auth::base32Encode(seed))));
    card.child(totpForm(page, next, true));
    // Every user enrols here (the first administrator, new users, after an MFA reset).
    return htmlResponse(200, layout(page, Message::TwoStepSetupTitle, card));
}

Net::HttpResponse AdminLogin::postTotp(const AdminApplication &application, AdminContext &context)
{
    const PageContext &page = context.page;
    const AdminSession &session = *context.session;
    // The dispatcher checks CSRF on Session routes; a pre-auth session's form is checked here.
    const auto csrf = formValue(context.fields, "csrf");
    if (!csrf || !verifyCsrf(session, *csrf))
        return application.errorResponse(ResponseKind::Html, page, 403, "csrf_token_invalid", context.request);
    const std::string next = safeRedirectTarget(formValue(context.fields, "next").value_or("/admin/"));
    const std::string typed(formValue(context.fields, "code").value_or(""));

    auto lease = m_pool.acquire();
    if (!lease)
        return unavailable(application, context);
    Storage::Store &store = **lease;
    const Clock::time_point at = now();
    const std::string atIso = isoOf(at);
    const Audit audit{store, context.request, atIso};
    const std::string actor = actorOf(session.userId);
    auto user = store.adminUser(session.userId);
    if (!user || !*user)
        return unavailable(application, context);
    const Storage::AdminUserRecord &account = **user;
    if (account.mfaLockedUntil && *account.mfaLockedUntil > atIso) {
        audit("authn_mfa_locked", actor, actor, json::object{{"until", *account.mfaLockedUntil}});
        return application.errorResponse(ResponseKind::Html, page, 423, "mfa_locked", context.request);
    }

    bool usedRecoveryCode = false;
    const auto failed = [&](std::string_view event) {
        audit(event, actor, actor, json::object{{"factor", usedRecoveryCode ? "recovery_code" : "totp"}});
        if (m_config.metrics)
            m_config.metrics->recordLoginFailure(usedRecoveryCode ? Ops::LoginStage::RecoveryCode
                                                                  : Ops::LoginStage::Totp);
        recordCodeFailure(store, context.request, account, at); // R09, per user across sessions
        auto failures = store.incrementSessionTotpFailures(session.csrfKey);
        if (failures && *failures >= maxTotpFailuresPerSession) {
            (void)store.deleteAdminSession(session.csrfKey); // R09: back to the password
            audit("session_killed", actor, actor, json::object{{"reason", "totp_failures"}});
            Element card("section");
            card.attribute("class", "card")
                .child(note(page, "Too many wrong codes: sign in again.",
                            "コードの誤りが多すぎます。もう一度サインインしてください。"))
                .child(Element("p").child(
                    Element("a").attribute("href", "/admin/login").child(translated(page, Message::SignIn))));
            HttpResponse response = htmlResponse(401, layout(page, Message::LoginTitle, card));
            response.headers.emplace_back("Set-Cookie", sessionCookie(""));
            return response;
        }
        Element card("section");
        card.attribute("class", "card")
            .child(note(page, "The code is wrong or was used already.", "コードが違うか、すでに使われています。"))
            .child(totpForm(page, next, !account.totpEnabled));
        return htmlResponse(401, layout(page, Message::LoginTitle, card));
    };

    auto checked = checkCode(store, account, typed, at);
    if (!checked)
        return checked.error().code == Common::ErrorCode::Storage
                   ? unavailable(application, context)
                   : application.errorResponse(ResponseKind::Html, page, 500, "internal", context.request);
    usedRecoveryCode = *checked == CodeCheck::RecoveryCodeAccepted || *checked == CodeCheck::RecoveryCodeWrong;
    switch (*checked) {
    case CodeCheck::Malformed: {
        // Not a code at all (a typo, 5 digits): said so on the same form, not counted as a failure.
        Element card("section");
        card.attribute("class", "card")
            .child(note(page, "Enter the 6-digit code your authenticator app shows now, or one of your recovery codes.",
                        "認証アプリに表示されている6桁のコード、またはリカバリーコードを入力してください。"))
            .child(totpForm(page, next, !account.totpEnabled));
        return htmlResponse(400, layout(page, Message::LoginTitle, card));
    }
    case CodeCheck::Wrong:
    case CodeCheck::RecoveryCodeWrong:
        return failed("authn_login_fail");
    case CodeCheck::Replayed:
        return failed("authn_token_reuse");
    case CodeCheck::RecoveryCodeAccepted:
        audit("authn_recovery_code_used", actor, actor, {});
        break;
    case CodeCheck::Accepted:
        break;
    }

    std::vector<std::string> recoveryCodes;
    if (!account.totpEnabled) {
        auto codes = Auth::generateRecoveryCodes();
        if (!codes)
            return application.errorResponse(ResponseKind::Html, page, 500, "internal", context.request);
        std::vector<std::string> hashes;
        for (const std::string &code : *codes) {
            auto codeHash = Auth::recoveryCodeHash(code);
            if (!codeHash)
                return application.errorResponse(ResponseKind::Html, page, 500, "internal", context.request);
            hashes.push_back(*codeHash);
        }
        if (!store.replaceRecoveryCodes(account.id, hashes))
            return unavailable(application, context);
        recoveryCodes = std::move(*codes);
        audit("authn_mfa_enrolled", actor, actor, {});
    }

    (void)store.resetLoginThrottle("totp:" + account.id);
    // R16: the pre-auth token dies, a new one carries the full session.
    (void)store.deleteAdminSession(session.csrfKey);
    auto full = createSession(store, account.id, Storage::AdminSessionStage::Full, context.request, atIso);
    if (!full)
        return unavailable(application, context);
    audit("authn_login_success", actor, actor, json::object{{"factor", usedRecoveryCode ? "recovery_code" : "totp"}});
    audit("session_created", actor, actor, json::object{{"stage", "full"}});
    HttpResponse response;
    if (recoveryCodes.empty()) {
        response = redirectResponse(next);
    } else {
        Element list("ol");
        list.attribute("class", "recovery-codes");
        for (const std::string &code : recoveryCodes)
            list.child(Element("li").child(Element("code").text(code)));
        Element card("section");
        card.attribute("class", "card")
            .child(Element("p").child(say(page,
                                          "Two-step sign-in is on. Keep these recovery codes somewhere safe: each "
                                          "signs you in once if you lose the app. They are shown only now.",
                                          "2段階認証を有効にしました。リカバリーコードを安全な場所に保管してください。"
                                          "アプリを失ったとき各コードで1回サインインできます。表示は今回だけです。")))
            .child(list)
            .child(Element("p").child(
                Element("a").attribute("href", "/admin/").child(translated(page, Message::BackToDashboard))));
        response = htmlResponse(200, layout(page, Message::TwoStepSetupTitle, card));
    }
    response.headers.emplace_back("Set-Cookie", sessionCookie(full->token));
    return response;
}

// ---- logout and password change (R01–R03, R18, R19) ----

Net::HttpResponse AdminLogin::postLogout(const AdminApplication &application, AdminContext &context)
{
    auto lease = m_pool.acquire();
    if (!lease)
        return unavailable(application, context);
    Storage::Store &store = **lease;
    const Audit audit{store, context.request, isoOf(now())};
    (void)store.deleteAdminSession(context.session->csrfKey);
    audit("session_logout", actorOf(context.session->userId), actorOf(context.session->userId), {});
    HttpResponse response = redirectResponse("/admin/login");
    response.headers.emplace_back("Set-Cookie", sessionCookie(""));
    return response;
}

namespace {

HttpResponse accountPage(const PageContext &page, int status, const Html &message)
{
    Element card("section");
    card.attribute("class", "card");
    if (!message.empty())
        card.child(Element("p").attribute("class", status < 300 ? "muted" : "error-box").child(message));
    card.child(
        Element("form")
            .attribute("class", "stacked")
            .attribute("method", "post")
            .attribute("action", "/admin/account/password")
            .child(csrfField(page.csrfToken))
            .child(field(page, Message::CurrentPassword, "password", "current", "current-password", 128))
            .child(field(page, Message::NewPassword, "password", "new", "new-password", 128))
            .child(Element("p").attribute("class", "muted").child(translated(page, Message::PasswordRule)))
            .child(Element("button").attribute("type", "submit").child(translated(page, Message::ChangePassword))));
    card.child(Element("form")
                   .attribute("method", "post")
                   .attribute("action", "/admin/logout")
                   .child(csrfField(page.csrfToken))
                   .child(Element("button").attribute("type", "submit").child(say(page, "Sign out", "サインアウト"))));
    return htmlResponse(status, layout(page, Message::Password, card));
}

} // namespace

Net::HttpResponse AdminLogin::getAccount(const AdminApplication &, AdminContext &context)
{
    if (context.session && context.session->mustChangePassword)
        return accountPage(context.page, 200,
                           say(context.page,
                               "Your password was set by an administrator. Choose your own before you continue: "
                               "enter that password as the current one.",
                               "このパスワードは管理者が設定したものです。続ける前に自分のパスワードに変更してください"
                               "（現在のパスワードにはそのパスワードを入力します）。"));
    return accountPage(context.page, 200, Html());
}

Net::HttpResponse AdminLogin::postPassword(const AdminApplication &application, AdminContext &context)
{
    const PageContext &page = context.page;
    const AdminSession &session = *context.session;
    const auto current = formValue(context.fields, "current");
    const auto replacement = formValue(context.fields, "new");
    if (!current || current->empty() || !replacement)
        return accountPage(page, 422,
                           say(page, "Enter your current password and the new one.",
                               "現在のパスワードと新しいパスワードを入力してください。"));
    auto lease = m_pool.acquire();
    if (!lease)
        return unavailable(application, context);
    Storage::Store &store = **lease;
    const Audit audit{store, context.request, isoOf(now())};
    const std::string actor = actorOf(session.userId);
    auto user = store.adminUser(session.userId);
    if (!user || !*user)
        return unavailable(application, context);
    if (!Auth::verifyPassword((*user)->passwordHash, *current)) {
        audit("authn_password_change_fail", actor, actor, {});
        return accountPage(page, 403, say(page, "The current password is wrong.", "現在のパスワードが違います。"));
    }
    if (auto policy = Auth::checkPasswordPolicy(*replacement); !policy)
        return accountPage(page, 422, policyText(page, policyReason(policy.error())));
    auto hash = Auth::hashPassword(*replacement);
    if (!hash)
        return application.errorResponse(ResponseKind::Html, page, 500, "internal", context.request);
    if (!store.setAdminPassword(session.userId, *hash, Storage::PasswordState::Current))
        return unavailable(application, context);
    auto ended = store.deleteAdminSessionsOfUser(session.userId, session.csrfKey); // R19
    (void)store.insertNotification(session.userId, "password_changed", "{}");
    audit("authn_password_change", actor, actor, json::object{{"sessions_ended", ended ? *ended : 0}});
    return accountPage(page, 200,
                       say(page, "Your password was changed; your other sessions were signed out.",
                           "パスワードを変更しました。ほかのセッションはサインアウトしました。"));
}

// ---- shared with the other admin pages (step-up, users) ----

std::string adminIsoTime(std::chrono::system_clock::time_point at)
{
    return isoOf(at);
}

std::string adminActor(std::string_view userId)
{
    return "admin:" + std::string(userId);
}

Common::Result<std::int64_t> appendAdminAudit(Storage::Store &store, const Net::HttpRequest &request,
                                              std::string_view at, std::string_view event, std::string_view actor,
                                              std::string_view target, boost::json::object details, Announce announce)
{
    details["ip"] = request.peer.address;
    details["request_id"] = request.requestId;
    Storage::AuditRecord record;
    record.at = std::string(at);
    record.actor = std::string(actor);
    record.event = std::string(event);
    record.target = std::string(target);
    record.details = json::serialize(details);
    record.sourceIp = request.peer.address;
    record.listener = "admin";
    record.requestId = request.requestId;
    if (announce == Announce::Yes)
        return ::Server::Audit::appendAndAnnounce(store, record);
    return store.appendAudit(record);
}

namespace {

// A TOTP code as people type it: authenticator apps show "123 456", a Japanese input method gives
// full-width digits (U+FF10–U+FF19) and ideographic spaces (U+3000). Spaces are dropped and
// full-width digits made ASCII; anything else is left for the checks to refuse.
std::string typedTotpCode(std::string_view typed)
{
    std::string out;
    for (std::size_t i = 0; i < typed.size(); ++i) {
        const auto byte = static_cast<unsigned char>(typed[i]);
        if (byte == ' ')
            continue;
        if (byte == 0xE3 && typed.substr(i, 3) == "\xE3\x80\x80") { // U+3000
            i += 2;
            continue;
        }
        if (byte == 0xEF && i + 2 < typed.size() && static_cast<unsigned char>(typed[i + 1]) == 0xBC &&
            static_cast<unsigned char>(typed[i + 2]) >= 0x90 && static_cast<unsigned char>(typed[i + 2]) <= 0x99) {
            out.push_back(static_cast<char>('0' + (static_cast<unsigned char>(typed[i + 2]) - 0x90)));
            i += 2;
            continue;
        }
        out.push_back(typed[i]);
    }
    return out;
}

} // namespace

Common::Result<CodeCheck> AdminLogin::checkCode(Storage::Store &store, const Storage::AdminUserRecord &account,
                                                std::string_view typedText, Clock::time_point at) const
{
    const std::string normalised = typedTotpCode(typedText);
    // Six digits after normalising are a TOTP code; anything else is tried as a recovery code as typed.
    const std::string_view typed = Auth::isWellFormedCode(normalised) ? std::string_view(normalised) : typedText;
    if (!Auth::isWellFormedCode(typed)) {
        auto codeHash = Auth::recoveryCodeHash(typed);
        if (!codeHash || !account.totpEnabled)
            return CodeCheck::Malformed;
        auto used = store.useRecoveryCode(account.id, *codeHash);
        if (!used)
            return tl::unexpected(used.error());
        return *used ? CodeCheck::RecoveryCodeAccepted : CodeCheck::RecoveryCodeWrong;
    }
    if (!account.totpSeed)
        return CodeCheck::Malformed;
    auto seed = Auth::open(*m_config.key, *account.totpSeed, totpSeedAad(account.id));
    if (!seed)
        return tl::unexpected(seed.error());
    const std::int64_t last = account.totpEnabled ? account.totpLastStep : Auth::kNoStepAccepted;
    const auto step = Auth::verifyTotp(*seed, typed, unixOf(at), last);
    if (!step) {
        // A code that was right but whose step is used up: someone replays it (R08).
        if (account.totpEnabled && Auth::verifyTotp(*seed, typed, unixOf(at), Auth::kNoStepAccepted)) {
            (void)store.insertNotification(account.id, "totp_reuse", "{}");
            return CodeCheck::Replayed;
        }
        return CodeCheck::Wrong;
    }
    if (!account.totpEnabled) {
        if (auto enabled = store.setAdminTotp(account.id, *account.totpSeed, Storage::TotpState::Enabled); !enabled)
            return tl::unexpected(enabled.error());
    }
    auto advanced = store.advanceTotpStep(account.id, *step);
    if (!advanced)
        return tl::unexpected(advanced.error());
    if (!*advanced) { // another request took this step first
        (void)store.insertNotification(account.id, "totp_reuse", "{}");
        return CodeCheck::Replayed;
    }
    return CodeCheck::Accepted;
}

bool AdminLogin::recordCodeFailure(Storage::Store &store, const Net::HttpRequest &request,
                                   const Storage::AdminUserRecord &account, Clock::time_point at) const
{
    // R09: wrong codes per user per hour, across sessions; the 10th locks TOTP for an hour.
    const std::string atIso = isoOf(at);
    auto perUser = store.recordLoginFailure("totp:" + account.id, atIso);
    if (!perUser || perUser->failures < maxTotpFailuresPerHour)
        return false;
    (void)store.setMfaLockedUntil(account.id, isoOf(at + std::chrono::hours(1)));
    (void)store.insertNotification(account.id, "mfa_locked", "{}");
    const std::string actor = adminActor(account.id);
    (void)appendAdminAudit(store, request, atIso, "authn_mfa_locked", actor, actor,
                           json::object{{"failures", perUser->failures}}, Announce::Yes);
    return true;
}

} // namespace Server::Admin

namespace Server::Admin {

void installLogin(AdminConfig &config, const std::shared_ptr<AdminLogin> &login)
{
    config.login = login;
    AdminLogin *target = login.get();
    config.sessions = [target](const SessionQuery &query) { return target->lookUp(query); };
    config.csrf.issue = [target](const AdminSession &session) { return target->issueCsrf(session); };
    config.csrf.verify = [target](const AdminSession &session, std::string_view token) {
        return target->verifyCsrf(session, token);
    };
    config.setupPending = [target] { return target->setupPending(); };
}

} // namespace Server::Admin
