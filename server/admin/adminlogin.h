#pragma once
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <boost/json/object.hpp>
#include "common/support/result.h"
#include "server/admin/session.h"
#include "server/auth/secretbox.h"
#include "server/auth/throttle.h"
#include "server/net/httpmessage.h"
#include "server/ops/servermetrics.h"

namespace Server::Storage {
class StorePool;
class Store;
struct AdminUserRecord;
}

// The login work behind AdminApplication's seams (docs/admin.md "Signing in"): server-side
// sessions in the Store, CSRF tokens, first-run setup, password + TOTP login, logout and password
// change (REQUIREMENTS.md R01–R05, R07–R09, R11, R15–R19, R25, R39, R40, R44).
// - Session token: Auth::randomToken(32) (256 bits, base64url) in cookie
//   `__Host-sid=…; Path=/; Secure; HttpOnly; SameSite=Strict` (no Domain, R17); the Store keeps
//   only its SHA-256 hex. Idle timeout 15 min, absolute 12 h (R18), against the injected clock;
//   every use moves lastSeenAt. The token is read only from the cookie (R15).
// - CSRF token: Auth::csrfToken(key, SHA-256 of the session token) (HMAC-SHA-256, R25), with the
//   32-byte server key of `admin-secrets.key` (mode 0600, data folder). The same key seals TOTP
//   seeds (AES-256-GCM, AAD `v1|admin_users|totp_seed|<user id>`, R10).
// The route handlers are registered by AdminApplication (adminapplication.cpp); they call the
// handle… members below with the dispatcher's context. Thread-safe: no mutable state but the
// per-IP TokenBucketLimiter (which locks).
namespace Server::Admin {

class AdminApplication;
struct AdminContext;

inline constexpr std::chrono::minutes sessionIdleTimeout{15};
inline constexpr std::chrono::hours sessionAbsoluteTimeout{12};
inline constexpr int maxTotpFailuresPerSession = 5; // R09: the 5th wrong code ends the pre-auth session
inline constexpr int maxTotpFailuresPerHour = 10;   // R09: then TOTP is locked for the user (423) for an hour
inline constexpr std::string_view adminSecretsKeyFileName = "admin-secrets.key";
inline constexpr std::string_view totpIssuer = "Soko";

// What AdminLogin::checkCode found (R08, R11).
enum class CodeCheck {
    Accepted,             // a TOTP code of a step not used before (now recorded)
    RecoveryCodeAccepted, // an unused recovery code (now used up)
    Wrong,                // a well-formed TOTP code that is not right now
    RecoveryCodeWrong,    // recovery-code form, unknown or used
    Replayed,             // right code whose step was accepted before (authn_token_reuse)
    Malformed,            // neither form, or no seed / no TOTP to check against
};

struct AdminLoginConfig
{
    std::shared_ptr<const Auth::SecretKey> key; // required: CSRF HMAC and TOTP seed sealing
    Ops::SystemClock clock;                     // empty = system clock
    std::size_t loginsPerIpPerMinute = 20;      // per-IP bucket for POST /admin/login (R04)
    Ops::ServerMetrics *metrics = nullptr;      // login failures by stage; must outlive this
};

class AdminLogin final
{
public:
    // `pool` must outlive this object. Throws std::invalid_argument without a key.
    AdminLogin(Storage::StorePool &pool, AdminLoginConfig config);

    // The SessionProvider: the session of a cookie token, nullopt for unknown/expired tokens
    // (expired ones are deleted); Storage errors pass through.
    Common::Result<std::optional<AdminSession>> lookUp(const SessionQuery &query);
    std::string issueCsrf(const AdminSession &session) const;
    bool verifyCsrf(const AdminSession &session, std::string_view token) const;
    // True while no administrator exists and a setup password is stored (R05).
    Common::Result<bool> setupPending();

    // Route handlers (see docs/admin.md for the forms and answers).
    Net::HttpResponse postSetup(const AdminApplication &application, AdminContext &context);
    Net::HttpResponse postLogin(const AdminApplication &application, AdminContext &context);
    Net::HttpResponse getTotp(const AdminApplication &application, AdminContext &context);
    Net::HttpResponse postTotp(const AdminApplication &application, AdminContext &context);
    Net::HttpResponse postLogout(const AdminApplication &application, AdminContext &context);
    Net::HttpResponse getAccount(const AdminApplication &application, AdminContext &context);
    Net::HttpResponse postPassword(const AdminApplication &application, AdminContext &context);

    // The second factor of `account` at `at`, shared by the login TOTP step and step-up (R20):
    // a 6-digit TOTP code within T−1..T+1 whose step is recorded once (Store::advanceTotpStep),
    // or a recovery code used once (accounts with TOTP on only). While the account is enrolling,
    // a right code also turns TOTP on. A replay also leaves a `totp_reuse` notification (R08).
    // Spaces (also U+3000) are ignored and full-width digits read as digits, as people type them.
    // Errors: Storage, Crypto (the sealed seed cannot be opened).
    Common::Result<CodeCheck> checkCode(Storage::Store &store, const Storage::AdminUserRecord &account,
                                        std::string_view typed, std::chrono::system_clock::time_point at) const;
    // A wrong second factor of `account` (R09): counted per user per hour; the 10th locks TOTP for
    // an hour (mfaLockedUntil, notification, announced authn_mfa_locked). True when now locked.
    bool recordCodeFailure(Storage::Store &store, const Net::HttpRequest &request,
                           const Storage::AdminUserRecord &account, std::chrono::system_clock::time_point at) const;
    std::chrono::system_clock::time_point now() const;

    // `__Host-sid=<token>; Path=/; Secure; HttpOnly; SameSite=Strict` (R17); empty token = delete.
    static std::string sessionCookie(std::string_view token);
    // The AAD that binds a sealed TOTP seed to its user row.
    static std::string totpSeedAad(std::string_view userId);

private:
    Storage::StorePool &m_pool;
    AdminLoginConfig m_config;
    Auth::TokenBucketLimiter m_ipLimiter;
};

// ISO 8601 UTC with milliseconds ("2026-11-30T04:05:06.789Z"), the form the Store keeps.
std::string adminIsoTime(std::chrono::system_clock::time_point at);
// "admin:<user id>", the audit actor of an admin user.
std::string adminActor(std::string_view userId);

// One audit row of an admin-listener event (REQUIREMENTS.md §6, R39): actor, target, `details`
// plus the peer address and request id, listener "admin"; with Announce::Yes also its chat
// announcement in the alert outbox (R42, Audit::appendAndAnnounce). Runs in the caller's
// transaction when there is one, so the row exists exactly when the change does. Errors: Storage.
enum class Announce { No, Yes };
Common::Result<std::int64_t> appendAdminAudit(Storage::Store &store, const Net::HttpRequest &request, std::string_view at,
                                              std::string_view event, std::string_view actor, std::string_view target,
                                              boost::json::object details, Announce announce);

// Installs `login` into `config`: the session provider, the CSRF seam, setupPending and the route
// handlers' target. `login` must outlive the AdminApplication built from `config`.
struct AdminConfig;
void installLogin(AdminConfig &config, const std::shared_ptr<AdminLogin> &login);

} // namespace Server::Admin
