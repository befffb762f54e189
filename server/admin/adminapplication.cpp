#include "server/admin/adminapplication.h"

#include <algorithm>
#include <cctype>
#include <exception>
#include <set>
#include <stdexcept>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include "server/admin/adminlogin.h"
#include "server/admin/dashboard.h"
#include "server/admin/orderpages.h" // orders pages
#include "server/admin/stockpages.h" // stock pages
#include "server/admin/staticassets.h"
#include "server/net/routepattern.h"
#include "server/admin/terminalpages.h"
#include "server/admin/userpages.h"
#include "server/storage/storepool.h"

namespace Server::Admin {

namespace {

namespace json = boost::json;
using Net::HttpRequest;
using Net::HttpResponse;

constexpr std::string_view unsafeMethods[] = {"POST", "PUT", "PATCH", "DELETE"};
constexpr std::string_view languageCookieAttributes = "; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=31536000";

std::string lower(std::string_view text)
{
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

bool isUnsafe(std::string_view method)
{
    return std::find(std::begin(unsafeMethods), std::end(unsafeMethods), method) != std::end(unsafeMethods);
}

// Exception text for the log: printable ASCII, spaces as '_', so it stays one field.
std::string forLog(std::string_view text)
{
    std::string out;
    for (const char c : text.substr(0, 200)) {
        const auto byte = static_cast<unsigned char>(c);
        out += byte > 0x20 && byte < 0x7F && c != '\\' ? c : '_';
    }
    return out;
}

Message messageFor(int status, std::string_view code)
{
    switch (status) {
    case 401:
        return Message::ErrorSignInRequired;
    case 403:
        return code == "step_up_required" ? Message::ErrorStepUpRequired : Message::ErrorForbidden;
    case 404:
        return Message::ErrorNotFound;
    case 405:
        return Message::ErrorMethodNotAllowed;
    case 503:
        return Message::ErrorUnavailable;
    default:
        return status >= 500 ? Message::ErrorInternal : Message::ErrorBadRequest;
    }
}

HttpResponse jsonResponse(int status, const json::value &value)
{
    return HttpResponse::json(status, json::serialize(value));
}

bool stepUpFresh(const AdminSession &session, std::chrono::system_clock::time_point now)
{
    if (!session.totpVerifiedAt)
        return false;
    const auto age = now - *session.totpVerifiedAt;
    return age <= stepUpMaxAge && age >= -std::chrono::minutes(1); // a future stamp is a bug: refuse
}

// This request's path with only the query parameters its route declares, as a safe target.
std::string returnTarget(const HttpRequest &request, const AdminRoute &route)
{
    std::string next = encodePath(request.path);
    char separator = '?';
    for (const auto &[name, value] : request.query) {
        if (std::find(route.queryParameters.begin(), route.queryParameters.end(), name) == route.queryParameters.end())
            continue;
        next += separator + encodeUriComponent(name) + "=" + encodeUriComponent(value);
        separator = '&';
    }
    return safeRedirectTarget(next);
}

// The page a form was posted from (Referer of our own origin), else the dashboard.
std::string refererTarget(const HttpRequest &request)
{
    const auto referer = request.header("referer");
    const auto host = request.header("host");
    if (!referer || !host)
        return "/admin/";
    const std::string origin = "https://" + lower(*host);
    if (lower(referer->substr(0, origin.size())) != origin)
        return "/admin/";
    return safeRedirectTarget(referer->substr(origin.size()));
}

} // namespace

bool isAdminOnlyPath(std::string_view path)
{
    return path == "/admin" || path.starts_with("/admin/") || path == "/metrics";
}

ResponseKind responseKindOf(std::string_view path)
{
    if (path.starts_with("/admin/api/"))
        return ResponseKind::Json;
    if (path.starts_with("/admin"))
        return ResponseKind::Html;
    return ResponseKind::Json;
}

AdminApplication::AdminApplication(Storage::StorePool &pool, AdminConfig config)
    : m_pool(pool)
    , m_config(std::move(config))
{
    addBuiltInRoutes();
}

std::chrono::system_clock::time_point AdminApplication::now() const
{
    return m_config.clock ? m_config.clock() : std::chrono::system_clock::now();
}

void AdminApplication::logLine(std::string_view line) const
{
    if (m_config.log)
        m_config.log(line);
}

void AdminApplication::addRoute(AdminRoute route)
{
    const auto invalid = [&route](const std::string &why) {
        return std::invalid_argument("admin route " + route.method + " " + route.pattern + ": " + why);
    };
    if (route.method.empty() ||
        !std::all_of(route.method.begin(), route.method.end(), [](char c) { return c >= 'A' && c <= 'Z'; }))
        throw invalid("method must be upper-case letters");
    if (!isAdminOnlyPath(route.pattern))
        throw invalid("admin routes live under /admin or at /metrics");
    if (!route.handler)
        throw invalid("no handler");
    if (route.auth == AdminAuth::Session && !route.permission)
        throw invalid("a Session route must name its Permission");
    if (route.auth != AdminAuth::Session && (route.permission || route.stepUp == StepUp::Required))
        throw invalid("permissions and step-up need a Session route");
    if (route.pattern.starts_with("/admin/api/") && route.kind != ResponseKind::Json)
        throw invalid("/admin/api/ routes answer JSON");
    if ((route.body == AdminBody::None) != (route.maxBodyBytes == 0))
        throw invalid("a body kind needs a limit and a limit needs a body kind");
    if ((route.method == "GET" || route.method == "HEAD") && route.body != AdminBody::None)
        throw invalid("GET takes no body");
    for (const AdminRoute &existing : m_routes) {
        if (existing.method == route.method && existing.pattern == route.pattern)
            throw invalid("declared twice");
    }
    if (route.kind == ResponseKind::Html && route.method == "GET" &&
        std::find(route.queryParameters.begin(), route.queryParameters.end(), "lang") == route.queryParameters.end())
        route.queryParameters.emplace_back("lang");
    m_routes.push_back(std::move(route));
}

void AdminApplication::addBuiltInRoutes()
{
    addRoute({"GET",
              "/admin",
              AdminAuth::None,
              std::nullopt,
              StepUp::No,
              ResponseKind::Html,
              AdminBody::None,
              0,
              {},
              [](AdminContext &) { return redirectResponse("/admin/"); }});

    addRoute({"GET",
              "/admin/",
              AdminAuth::Session,
              Permission::ViewDashboard,
              StepUp::No,
              ResponseKind::Html,
              AdminBody::None,
              0,
              {},
              [this](AdminContext &context) {
                  auto lease = m_pool.acquire();
                  if (!lease)
                      return errorResponse(ResponseKind::Html, context.page, 503, "unavailable", context.request);
                  std::optional<std::int64_t> backlog;
                  if (m_config.webhookBacklog)
                      backlog = m_config.webhookBacklog();
                  const bool configured = !m_config.webhookConfigured || m_config.webhookConfigured();
                  auto data = loadDashboard(**lease, m_config.metrics, DashboardLimits{}, backlog, configured);
                  if (!data) {
                      logLine("admin_dashboard_failed request_id=" + context.request.requestId +
                              " error=" + forLog(data.error().message));
                      return errorResponse(ResponseKind::Html, context.page, 500, "internal", context.request);
                  }
                  return htmlResponse(200, dashboardPage(context.page, *data));
              }});

    addRoute({"GET",
              "/admin/login",
              AdminAuth::None,
              std::nullopt,
              StepUp::No,
              ResponseKind::Html,
              AdminBody::None,
              0,
              {"next"},
              [](AdminContext &context) {
                  const auto next = context.request.queryValue("next");
                  return htmlResponse(200, loginPage(context.page, next.value_or("/admin/")));
              }});

    addRoute({"GET",
              "/admin/setup",
              AdminAuth::None,
              std::nullopt,
              StepUp::No,
              ResponseKind::Html,
              AdminBody::None,
              0,
              {},
              [this](AdminContext &context) {
                  // Once an administrator exists the page is gone (R05), not merely refused.
                  if (!m_config.setupPending)
                      return errorResponse(ResponseKind::Html, context.page, 404, "not_found", context.request);
                  auto pending = m_config.setupPending();
                  if (!pending)
                      return errorResponse(ResponseKind::Html, context.page,
                                           pending.error().code == Common::ErrorCode::Storage ? 503 : 500,
                                           "unavailable", context.request);
                  if (!*pending)
                      return errorResponse(ResponseKind::Html, context.page, 404, "not_found", context.request);
                  return htmlResponse(200, setupPage(context.page));
              }});

    // The login work (adminlogin.h). Without AdminConfig::login these routes answer 404.
    using LoginHandler = HttpResponse (AdminLogin::*)(const AdminApplication &, AdminContext &);
    const auto viaLogin = [this](LoginHandler handler) {
        return [this, handler](AdminContext &context) {
            if (!m_config.login)
                return errorResponse(ResponseKind::Html, context.page, 404, "not_found", context.request);
            return (m_config.login.get()->*handler)(*this, context);
        };
    };
    constexpr std::size_t loginFormBytes = 4096;
    addRoute({"POST", "/admin/setup", AdminAuth::None, std::nullopt, StepUp::No, ResponseKind::Html, AdminBody::Form,
              loginFormBytes, {}, viaLogin(&AdminLogin::postSetup)});
    // R44: no query parameters are declared, so `POST /admin/login?password=x` is 400.
    addRoute({"POST", "/admin/login", AdminAuth::None, std::nullopt, StepUp::No, ResponseKind::Html, AdminBody::Form,
              loginFormBytes, {}, viaLogin(&AdminLogin::postLogin)});
    addRoute({"GET", "/admin/login/totp", AdminAuth::PreAuth, std::nullopt, StepUp::No, ResponseKind::Html,
              AdminBody::None, 0, {"next"}, viaLogin(&AdminLogin::getTotp)});
    addRoute({"POST", "/admin/login/totp", AdminAuth::PreAuth, std::nullopt, StepUp::No, ResponseKind::Html,
              AdminBody::Form, loginFormBytes, {}, viaLogin(&AdminLogin::postTotp)});
    addRoute({"POST", "/admin/logout", AdminAuth::Session, Permission::ViewOwnAccount, StepUp::No, ResponseKind::Html,
              AdminBody::Form, loginFormBytes, {}, viaLogin(&AdminLogin::postLogout)});
    addRoute({"GET", "/admin/account", AdminAuth::Session, Permission::ViewOwnAccount, StepUp::No, ResponseKind::Html,
              AdminBody::None, 0, {}, viaLogin(&AdminLogin::getAccount)});
    addRoute({"POST", "/admin/account/password", AdminAuth::Session, Permission::ViewOwnAccount, StepUp::No,
              ResponseKind::Html, AdminBody::Form, loginFormBytes, {}, viaLogin(&AdminLogin::postPassword)});

    addRoute({"GET",
              "/admin/api/session",
              AdminAuth::Session,
              Permission::ViewOwnAccount,
              StepUp::No,
              ResponseKind::Json,
              AdminBody::None,
              0,
              {},
              [](AdminContext &context) {
                  const AdminSession &session = *context.session;
                  json::object o;
                  o["user_id"] = session.userId;
                  o["username"] = session.username;
                  o["role"] = roleName(session.role);
                  json::array permissions;
                  for (const Permission permission : rolePermissions(session.role))
                      permissions.emplace_back(permissionName(permission));
                  o["permissions"] = std::move(permissions);
                  o["csrf_token"] = context.page.csrfToken;
                  return jsonResponse(200, o);
              }});

    installTerminalPages(*this, m_pool,
                         TerminalPagesConfig{m_config.metrics, std::chrono::minutes(15), m_config.onDeviceRevoked,
                                             m_config.fourEyes.adjustmentUnits});
    installUserPages(*this, m_pool, m_config.login, m_config.clock);

    for (const StaticAsset &asset : staticAssets()) {
        addRoute({"GET",
                  "/admin/static/" + std::string(asset.name),
                  AdminAuth::None,
                  std::nullopt,
                  StepUp::No,
                  ResponseKind::Static,
                  AdminBody::None,
                  0,
                  {"v"},
                  [&asset](AdminContext &) {
                      HttpResponse response;
                      response.contentType = std::string(asset.contentType);
                      response.body = std::string(asset.body);
                      response.headers.emplace_back("Cache-Control", std::string(staticCacheControl));
                      return response;
                  }});
    }

    installAuditPages(*this, m_pool, m_config.audit);
    installSettingsPages(*this, m_pool, m_config.settings);

    // Prometheus scrape target. Unauthenticated by choice (docs/admin.md "Metrics"): it exists
    // only on the admin listener (loopback/VPN, R23) and holds counts, route patterns and device
    // ids, no secrets or personal data.
    addRoute({"GET",
              "/metrics",
              AdminAuth::None,
              std::nullopt,
              StepUp::No,
              ResponseKind::Text,
              AdminBody::None,
              0,
              {},
              [this](AdminContext &context) {
                  if (!m_config.metrics)
                      return errorResponse(ResponseKind::Text, context.page, 404, "not_found", context.request);
                  HttpResponse response;
                  response.contentType = std::string(Ops::MetricsRegistry::contentType);
                  response.body = m_config.metrics->exposition();
                  return response;
              }});
    installOrderPages(*this, m_pool, m_config.fourEyes.exportRows); // orders pages
    installStockPages(*this, m_pool); // stock pages
}

Net::Application AdminApplication::application()
{
    Net::Application application;
    application.limits = [this](Net::Listener listener, std::string_view method, std::string_view path) {
        return limits(listener, method, path);
    };
    application.handle = [this](const HttpRequest &request) { return handle(request); };
    return application;
}

Net::RouteLimits AdminApplication::limits(Net::Listener listener, std::string_view method, std::string_view path) const
{
    Net::RouteLimits result;
    if (listener != Net::Listener::Admin)
        return result;
    for (const AdminRoute &route : m_routes) {
        if (!Net::matchRoutePattern(route.pattern, path, nullptr))
            continue;
        result.known = true;
        result.allowedMethods.push_back(route.method);
        if (route.method == method)
            result.maxBodyBytes = route.maxBodyBytes;
    }
    return result;
}

std::optional<std::string> AdminApplication::routePattern(std::string_view path) const
{
    for (const AdminRoute &route : m_routes) {
        if (Net::matchRoutePattern(route.pattern, path, nullptr))
            return route.pattern;
    }
    return std::nullopt;
}

PageContext AdminApplication::pageContext(const HttpRequest &request) const
{
    PageContext page;
    const auto cookie = cookieValue(request, languageCookieName);
    page.language =
        negotiateLanguage(request.queryValue("lang"), cookie ? std::optional<std::string_view>(*cookie) : std::nullopt,
                          request.header("accept-language"));
    page.path = request.path;
    return page;
}

HttpResponse AdminApplication::errorResponse(ResponseKind kind, const PageContext &page, int status,
                                             std::string_view code, const HttpRequest &request) const
{
    const Message message = messageFor(status, code);
    if (kind == ResponseKind::Html)
        return htmlResponse(status, errorPage(page, message, status >= 500 ? request.requestId : std::string()));
    json::object o;
    if (status >= 500 && status != 503) {
        // R38: nothing but the reference leaves the server.
        o["error"] = "internal";
        o["ref"] = request.requestId;
    } else {
        o["error"] = json::string_view(code.data(), code.size());
        const std::string_view english = translate(message, Language::English);
        o["message"] = json::string_view(english.data(), english.size());
    }
    return jsonResponse(status, o);
}

HttpResponse AdminApplication::handle(const HttpRequest &request)
{
    ResponseKind kind = responseKindOf(request.path);
    for (const AdminRoute &route : m_routes) {
        if (Net::matchRoutePattern(route.pattern, request.path, nullptr)) {
            kind = route.kind;
            break;
        }
    }
    HttpResponse response;
    try {
        response = dispatch(request);
    } catch (const std::exception &exception) {
        logLine("admin_handler_failed request_id=" + request.requestId + " error=" + forLog(exception.what()));
        response = errorResponse(kind, pageContext(request), 500, "internal", request);
    } catch (...) {
        logLine("admin_handler_failed request_id=" + request.requestId + " error=unknown");
        response = errorResponse(kind, pageContext(request), 500, "internal", request);
    }
    // R43: only our versioned static files may be cached.
    const bool cacheable = kind == ResponseKind::Static && response.status == 200;
    if (!cacheable) {
        std::erase_if(response.headers, [](const auto &header) { return lower(header.first) == "cache-control"; });
        response.headers.emplace_back("Cache-Control", "no-store");
    }
    if (lower(response.contentType).starts_with("text/html") &&
        std::none_of(response.headers.begin(), response.headers.end(),
                     [](const auto &header) { return lower(header.first) == "content-security-policy"; }))
        response.headers.emplace_back("Content-Security-Policy", std::string(htmlContentSecurityPolicy));
    return response;
}

HttpResponse AdminApplication::dispatch(const HttpRequest &request)
{
    PageContext page = pageContext(request);
    if (request.listener != Net::Listener::Admin) // R23: the admin UI exists on its listener only
        return errorResponse(ResponseKind::Json, page, 404, "not_found", request);

    const AdminRoute *route = nullptr;
    std::vector<std::string> allowed;
    std::vector<std::string> parameters;
    for (const AdminRoute &candidate : m_routes) {
        std::vector<std::string> found;
        if (!Net::matchRoutePattern(candidate.pattern, request.path, &found))
            continue;
        allowed.push_back(candidate.method);
        if (!route && candidate.method == request.method) {
            route = &candidate;
            parameters = std::move(found);
        }
    }
    if (allowed.empty())
        return errorResponse(responseKindOf(request.path), page, 404, "not_found", request);
    if (!route) {
        std::sort(allowed.begin(), allowed.end());
        allowed.erase(std::unique(allowed.begin(), allowed.end()), allowed.end());
        std::string allow;
        for (const std::string &method : allowed)
            allow += (allow.empty() ? "" : ", ") + method;
        HttpResponse response = errorResponse(responseKindOf(request.path), page, 405, "method_not_allowed", request);
        response.headers.emplace_back("Allow", allow);
        return response;
    }
    const ResponseKind kind = route->kind;

    // R30 (the transport refuses these too; handle() may be called directly).
    std::set<std::string_view> seen;
    for (const auto &parameter : request.query) {
        if (!seen.insert(parameter.first).second)
            return errorResponse(kind, page, 400, "duplicate_parameter", request);
    }

    // R25: a browser tells us where an unsafe request comes from; anything but our own origin is refused.
    if (isUnsafe(request.method)) {
        const auto site = request.header("sec-fetch-site");
        if (site && *site != "same-origin" && *site != "none")
            return errorResponse(kind, page, 403, "cross_site_request", request);
        const auto origin = request.header("origin");
        const auto host = request.header("host");
        // Under our `Referrer-Policy: no-referrer` (R52) Chromium sends `Origin: null` on its own
        // form posts; then `Sec-Fetch-Site: same-origin` (which no page script can set) vouches.
        const bool nullOriginVouched = origin && *origin == "null" && site && *site == "same-origin";
        if (origin && !nullOriginVouched && (!host || lower(*origin) != "https://" + lower(*host)))
            return errorResponse(kind, page, 403, "cross_origin_request", request);
    }

    AdminContext context{request, std::nullopt, std::move(parameters), std::move(page), {}};
    if (route->auth != AdminAuth::None) {
        // R15: the token comes from the cookie and nowhere else.
        const std::string token = cookieValue(request, sessionCookieName).value_or(std::string());
        if (!token.empty() && m_config.sessions) {
            auto found = m_config.sessions(SessionQuery{token, request.peer.address, request.requestId});
            if (!found) {
                logLine("admin_session_lookup_failed request_id=" + request.requestId +
                        " error=" + forLog(found.error().message));
                return errorResponse(kind, context.page, found.error().code == Common::ErrorCode::Storage ? 503 : 500,
                                     "unavailable", request);
            }
            context.session = std::move(*found);
        }
        const SessionStage wanted =
            route->auth == AdminAuth::PreAuth ? SessionStage::PasswordVerified : SessionStage::Complete;
        if (!context.session || context.session->stage != wanted) {
            if (context.session && context.session->stage == SessionStage::Complete && kind == ResponseKind::Html)
                return redirectResponse("/admin/"); // signed in already: the pre-auth step is behind us
            if (kind != ResponseKind::Html)
                return errorResponse(kind, context.page, 401, "unauthorized", request);
            // Back to this page after login, with only the parameters this route declares.
            return redirectResponse("/admin/login?next=" + encodeUriComponent(returnTarget(request, *route)));
        }
        if (route->permission && !roleHas(context.session->role, *route->permission))
            return errorResponse(kind, context.page, 403, "forbidden", request);
        // A password someone else set (a new user's initial one) is replaced before anything else.
        if (context.session->mustChangePassword && context.session->stage == SessionStage::Complete &&
            route->pattern != "/admin/account" && route->pattern != "/admin/account/password" &&
            route->pattern != "/admin/logout") {
            if (kind == ResponseKind::Html && request.method == "GET")
                return redirectResponse("/admin/account");
            return errorResponse(kind, context.page, 403, "password_change_required", request);
        }
        if (context.session->stage == SessionStage::Complete)
            context.page.user = PageUser{context.session->username, context.session->role};
        if (m_config.csrf.issue)
            context.page.csrfToken = m_config.csrf.issue(*context.session);
        if (route->stepUp == StepUp::Required && !stepUpFresh(*context.session, now())) {
            // R20: pages go through /admin/step-up and come back; a form post is answered 403
            // with a link there and back to the page the form was on.
            if (kind == ResponseKind::Html)
                return stepUpRequiredResponse(context.page, request.method == "GET" ? returnTarget(request, *route)
                                                                                     : refererTarget(request),
                                              request.method == "GET");
            return errorResponse(kind, context.page, 403, "step_up_required", request);
        }
    }

    for (const auto &parameter : request.query) {
        if (std::find(route->queryParameters.begin(), route->queryParameters.end(), parameter.first) ==
            route->queryParameters.end())
            return errorResponse(kind, context.page, 400, "unknown_parameter", request);
    }

    if (route->body == AdminBody::None) {
        if (!request.body.empty())
            return errorResponse(kind, context.page, 400, "unexpected_body", request);
    } else {
        if (request.body.size() > route->maxBodyBytes)
            return errorResponse(kind, context.page, 413, "too_large", request);
        const auto type = request.header("content-type");
        if (route->body == AdminBody::Form) {
            if (!Net::isMediaType(type, "application/x-www-form-urlencoded"))
                return errorResponse(kind, context.page, 415, "unsupported_media_type", request);
            auto form = parseForm(request.body);
            if (!form)
                return errorResponse(kind, context.page, 400, "bad_form", request);
            context.fields = std::move(*form);
        } else if (!Net::isMediaType(type, "application/json")) {
            return errorResponse(kind, context.page, 415, "unsupported_media_type", request);
        }
    }

    // R25: the synchronizer token of the session on every state change of a signed-in user.
    if (isUnsafe(request.method) && route->auth == AdminAuth::Session) {
        const auto token =
            route->body == AdminBody::Form ? formValue(context.fields, "csrf") : request.header("x-csrf-token");
        if (!token || !m_config.csrf.verify || !m_config.csrf.verify(*context.session, *token))
            return errorResponse(kind, context.page, 403, "csrf_token_invalid", request);
    }

    HttpResponse response = route->handler(context);
    // ?lang= switches the language for the following pages too.
    const auto chosen = request.queryValue("lang");
    if (kind == ResponseKind::Html && chosen && languageFromCode(*chosen))
        response.headers.emplace_back("Set-Cookie", std::string(languageCookieName) + "=" + std::string(*chosen) +
                                                        std::string(languageCookieAttributes));
    return response;
}

} // namespace Server::Admin
