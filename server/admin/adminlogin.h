#pragma once
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include "common/support/result.h"
#include "server/admin/session.h"
#include "server/auth/secretbox.h"
#include "server/auth/throttle.h"
#include "server/net/httpmessage.h"
#include "server/ops/servermetrics.h"

namespace Server::Storage {
class StorePool;
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

    // `__Host-sid=<token>; Path=/; Secure; HttpOnly; SameSite=Strict` (R17); empty token = delete.
    static std::string sessionCookie(std::string_view token);
    // The AAD that binds a sealed TOTP seed to its user row.
    static std::string totpSeedAad(std::string_view userId);

private:
    std::chrono::system_clock::time_point now() const;

    Storage::StorePool &m_pool;
    AdminLoginConfig m_config;
    Auth::TokenBucketLimiter m_ipLimiter;
};

// Installs `login` into `config`: the session provider, the CSRF seam, setupPending and the route
// handlers' target. `login` must outlive the AdminApplication built from `config`.
struct AdminConfig;
void installLogin(AdminConfig &config, const std::shared_ptr<AdminLogin> &login);

} // namespace Server::Admin
