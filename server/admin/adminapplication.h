#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>
#include "common/support/result.h"
#include "server/admin/auditpages.h"
#include "server/admin/form.h"
#include "server/admin/pages.h"
#include "server/admin/session.h"
#include "server/admin/settingspages.h"
#include "server/net/httpmessage.h"
#include "server/ops/servermetrics.h"

namespace Server::Storage {
class StorePool;
}

// The admin listener's handlers (docs/admin.md), behind Server::Net::Application like the api
// layer. Only requests of Listener::Admin are served; anything else is 404 (R23). Deny by
// default (R21): every route declares method, pattern, authentication (None | PreAuth |
// Session), the Permission a Session route needs, step-up, response kind, body kind and limit
// and its query parameters; anything else is 404, a known path with another method 405 + Allow.
// Checks, in order: duplicate query parameter → 400 (R30); unsafe methods with a cross-site
// Sec-Fetch-Site or a foreign Origin → 403 (R25); session (cookie `__Host-sid` only, R15)
// through the SessionProvider: none → 302 to /admin/login?next=… for pages, 401 JSON for
// /admin/api/…; role lacking the permission → 403; step-up older than 5 minutes → 403
// `step_up_required` (R20); undeclared query parameter → 400; body type (form / JSON) → 415;
// CSRF token on unsafe Session requests → 403 (R25); then the handler. A throwing handler or
// session provider → 500 with only the request id as reference (R38, R21). Every response but
// static files has Cache-Control: no-store (R43); pages carry the §5.2 CSP.
namespace Server::Admin {

class AdminLogin;

enum class AdminAuth { None, PreAuth, Session };
enum class StepUp { No, Required };
enum class ResponseKind { Html, Json, Text, Static }; // how errors look; Static = cacheable file
enum class AdminBody { None, Form, Json };

struct AdminContext
{
    const Net::HttpRequest &request;
    std::optional<AdminSession> session; // set on PreAuth and Session routes
    std::vector<std::string> parameters; // {id}/{key} path segments, in order
    PageContext page;                    // language, user, csrf token, path
    FormFields fields;                   // decoded body of AdminBody::Form routes
};

using AdminHandler = std::function<Net::HttpResponse(AdminContext &)>;

struct AdminRoute
{
    std::string method;
    std::string pattern; // "/admin/users/{id}"; {id} = positive decimal, {key} = [A-Za-z0-9_.-]{1,64}
    AdminAuth auth = AdminAuth::Session;
    std::optional<Permission> permission; // required for Session routes, absent otherwise
    StepUp stepUp = StepUp::No;
    ResponseKind kind = ResponseKind::Html;
    AdminBody body = AdminBody::None;
    std::size_t maxBodyBytes = 0;
    std::vector<std::string> queryParameters; // allowed names; HTML GET routes also take `lang`
    AdminHandler handler;
};

struct AdminConfig
{
    SessionProvider sessions; // empty: nobody is ever signed in (Session routes → login)
    CsrfSeam csrf;
    // Whether first-run setup is still open (no administrator yet); empty or false → /admin/setup 404.
    std::function<Common::Result<bool>()> setupPending;
    // Undelivered alert webhook rows for the dashboard (the alert outbox; empty = unknown).
    std::function<std::optional<std::int64_t>()> webhookBacklog;
    // Whether an alert webhook URL is set (file or settings page); empty = assume set.
    std::function<bool()> webhookConfigured;
    Ops::ServerMetrics *metrics = nullptr;          // GET /metrics and terminals' last sync; must outlive this
    Ops::SystemClock clock;                         // step-up age; empty = system clock
    std::function<void(std::string_view line)> log; // failures (handler exceptions), one line each
    // The login work (adminlogin.h, installLogin): handles POST /admin/setup, /admin/login,
    // /admin/login/totp, /admin/logout and the account page. Empty: those routes answer 404.
    std::shared_ptr<AdminLogin> login;
    // Called with the certificate serial (hex) when the devices page revokes a terminal, so new TLS
    // handshakes are refused at once (the run command marks its RevocationCache). Empty: the
    // cache notices on its next refresh; requests are refused at once either way.
    std::function<void(std::string_view serialHex)> onDeviceRevoked;
    // Audit log and settings pages (auditpages.h, settingspages.h): trusted checkpoint keys, the
    // webhook URL's sealing key and allowlist, the alert rules firing now.
    AuditPagesConfig audit;
    SettingsPagesConfig settings;
    // Four-eyes limits (R27; settings four_eyes_adjustment_units, four_eyes_export_rows): a conflict
    // adjustment of more base units, an orders CSV export of more rows, waits for a second
    // administrator's approval. 0 = every one does.
    struct FourEyes
    {
        std::int64_t adjustmentUnits = 100;
        int exportRows = 500;
    } fourEyes;
};

class AdminApplication final
{
public:
    // `pool` must outlive this object.
    AdminApplication(Storage::StorePool &pool, AdminConfig config);
    AdminApplication(const AdminApplication &) = delete;
    AdminApplication &operator=(const AdminApplication &) = delete;

    // The seam object for HttpsServer; it refers to this object, which must outlive it.
    Net::Application application();
    Net::RouteLimits limits(Net::Listener listener, std::string_view method, std::string_view path) const;
    Net::HttpResponse handle(const Net::HttpRequest &request);

    const std::vector<AdminRoute> &routes() const { return m_routes; }
    // The pattern of the first route whose pattern matches `path` (any method), for metrics.
    std::optional<std::string> routePattern(std::string_view path) const;
    // For the login/TOTP/page work: declares one more route. Throws std::invalid_argument when the
    // declaration is inconsistent (Session without permission, permission or step-up without a
    // session, a body kind without a limit, /admin/api/ not JSON, a path outside /admin and
    // /metrics) or the method + pattern exists already. Call before the server starts serving:
    // the route table is read without locks.
    void addRoute(AdminRoute route);

    // Error answer in the route's style: HTML page (with `reference` for 5xx) or JSON.
    Net::HttpResponse errorResponse(ResponseKind kind, const PageContext &page, int status, std::string_view code,
                                    const Net::HttpRequest &request) const;

private:
    void addBuiltInRoutes();
    Net::HttpResponse dispatch(const Net::HttpRequest &request);
    PageContext pageContext(const Net::HttpRequest &request) const;
    std::chrono::system_clock::time_point now() const;
    void logLine(std::string_view line) const;

    Storage::StorePool &m_pool;
    AdminConfig m_config;
    std::vector<AdminRoute> m_routes;
};

// The answer kind for a path no route matched: JSON under /admin/api/, HTML elsewhere.
ResponseKind responseKindOf(std::string_view path);
// "/admin", "/admin/…" and "/metrics": paths that exist only on the admin listener (R23).
bool isAdminOnlyPath(std::string_view path);

} // namespace Server::Admin
