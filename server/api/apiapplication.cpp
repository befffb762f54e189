#include "server/api/apiapplication.h"

#include <algorithm>
#include <cctype>
#include <exception>
#include <set>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include "common/protocol/protocol.h"
#include "server/net/routepattern.h"
#include "server/storage/store.h"
#include "server/storage/storepool.h"

namespace Server::Api {

namespace {

namespace json = boost::json;
using Net::HttpRequest;
using Net::HttpResponse;

std::string_view reasonOf(const Common::Error &error)
{
    const std::string_view decoded = Common::Protocol::decodeFailureReason(error);
    if (decoded != "invalid_input")
        return decoded;
    const std::string_view message(error.message);
    const auto colon = message.find(':');
    if (colon != std::string_view::npos && colon > 0 &&
        std::all_of(message.begin(), message.begin() + static_cast<long>(colon),
                    [](char c) { return (c >= 'a' && c <= 'z') || c == '_'; }))
        return message.substr(0, colon);
    return Common::errorCodeName(error.code);
}

} // namespace

std::optional<std::string_view> headerValue(const HttpRequest &request, std::string_view lowerCaseName)
{
    for (const auto &[name, value] : request.headers)
        if (name == lowerCaseName)
            return std::string_view(value);
    return std::nullopt;
}

std::optional<std::string_view> queryValue(const HttpRequest &request, std::string_view name)
{
    for (const auto &[key, value] : request.query)
        if (key == name)
            return std::string_view(value);
    return std::nullopt;
}

Services::Services(Storage::Store &leased, const ApiConfig &config)
    : store(leased)
    , sync(leased, config.syncLimits)
    , masterData(leased)
    , orders(leased)
    , stock(leased)
    , admin(leased)
{}

ApiApplication::ApiApplication(Storage::StorePool &pool, ApiConfig config)
    : m_pool(pool)
    , m_config(std::move(config))
{
    addSyncRoutes();
    addOmsRoutes();
    addHealthRoutes();
}

ApiApplication::ApiApplication(Storage::Store &store, ApiConfig config)
    : m_ownedPool(std::make_unique<Storage::SharedStorePool>(store))
    , m_pool(*m_ownedPool)
    , m_config(std::move(config))
{
    addSyncRoutes();
    addOmsRoutes();
    addHealthRoutes();
}

ApiApplication::~ApiApplication() = default;

void ApiApplication::addHealthRoutes()
{
    // Load balancer probes: fixed bodies, no version, no database name, no error text.
    m_routes.push_back(Route{Net::Listener::Api,
                             "GET",
                             "/healthz",
                             Auth::None,
                             BodyKind::None,
                             0,
                             {},
                             [](RouteContext &) {
                                 HttpResponse response;
                                 response.body = R"({"status":"ok"})";
                                 return response;
                             },
                             false});
    m_routes.push_back(Route{Net::Listener::Api,
                             "GET",
                             "/readyz",
                             Auth::None,
                             BodyKind::None,
                             0,
                             {},
                             [this](RouteContext &) {
                                 HttpResponse response;
                                 auto lease = m_pool.acquire();
                                 const bool ready = lease && (*lease)->ping();
                                 response.status = ready ? 200 : 503;
                                 response.body = ready ? R"({"status":"ready"})" : R"({"status":"unavailable"})";
                                 return response;
                             },
                             false});
}

Net::Application ApiApplication::application()
{
    Net::Application application;
    application.limits = [this](Net::Listener listener, std::string_view method, std::string_view path) {
        return limits(listener, method, path);
    };
    application.handle = [this](const HttpRequest &request) { return handle(request); };
    return application;
}

bool ApiApplication::isCertificateRevoked(std::string_view serialHex)
{
    auto lease = m_pool.acquire();
    if (!lease)
        return true; // no database: fail closed
    auto device = (*lease)->deviceBySerial(serialHex);
    // A database failure refuses the handshake: fail closed.
    return !device || !*device || (*device)->status != Storage::DeviceStatus::Active;
}

Net::RouteLimits ApiApplication::limits(Net::Listener listener, std::string_view method, std::string_view path) const
{
    Net::RouteLimits result;
    for (const Route &route : m_routes) {
        if (route.listener != listener || !Net::matchRoutePattern(route.pattern, path, nullptr))
            continue;
        result.known = true;
        result.allowedMethods.push_back(route.method);
        if (route.method == method)
            result.maxBodyBytes = route.maxBodyBytes;
    }
    return result;
}

std::optional<std::string> ApiApplication::routePattern(Net::Listener listener, std::string_view path) const
{
    for (const Route &route : m_routes) {
        if (route.listener == listener && Net::matchRoutePattern(route.pattern, path, nullptr))
            return route.pattern;
    }
    return std::nullopt;
}

HttpResponse ApiApplication::errorResponse(int status, std::string_view code, std::string_view message)
{
    json::object o;
    o["error"] = json::string_view(code.data(), code.size());
    o["message"] = json::string_view(message.data(), message.size());
    HttpResponse response;
    response.status = status;
    response.body = json::serialize(o);
    return response;
}

HttpResponse ApiApplication::fromError(const Common::Error &error, const HttpRequest &request)
{
    using Common::ErrorCode;
    switch (error.code) {
    case ErrorCode::InvalidInput:
    case ErrorCode::BadLength:
    case ErrorCode::BadCharacter:
    case ErrorCode::BadCheckDigit:
    case ErrorCode::BadDate:
        return errorResponse(400, reasonOf(error), error.message);
    case ErrorCode::TooLarge:
        return errorResponse(413, reasonOf(error), error.message);
    case ErrorCode::NotFound:
        return errorResponse(404, "not_found", error.message);
    case ErrorCode::Conflict:
        return errorResponse(409, reasonOf(error), error.message);
    case ErrorCode::Unauthorized:
        return errorResponse(401, "unauthorized", error.message);
    case ErrorCode::Forbidden:
        return errorResponse(403, reasonOf(error) == "forbidden" ? "forbidden" : reasonOf(error), error.message);
    default:
        break;
    }
    // R38: no SQL text, paths or versions leave the server; the request id finds the log line.
    json::object o;
    o["error"] = "internal";
    o["ref"] = request.requestId;
    HttpResponse response;
    response.status = 500;
    response.body = json::serialize(o);
    return response;
}

void ApiApplication::auditFailure(Storage::Store &store, const HttpRequest &request, std::string_view event,
                                  std::string_view actor, std::string_view reason)
{
    json::object details;
    details["request_id"] = request.requestId;
    details["ip"] = request.peer.address;
    details["listener"] = request.listener == Net::Listener::Devices ? "devices"
                          : request.listener == Net::Listener::Api   ? "api"
                                                                     : "admin";
    details["reason"] = json::string_view(reason.data(), reason.size());
    (void)store.appendAudit(
        {0, {}, std::string(actor), std::string(event), request.method + " " + request.path, json::serialize(details)});
}

std::optional<HttpResponse> ApiApplication::authenticate(const Route &route, const HttpRequest &request, Caller &caller,
                                                         Services &services)
{
    switch (route.auth) {
    case Auth::None:
        caller.actor = "unauthenticated";
        return std::nullopt;
    case Auth::Device: {
        // Checked on every request: a revoked certificate can still resume a TLS session
        // (REQUIREMENTS.md §2.3 b), so the handshake alone proves nothing.
        const std::string &serial = request.peer.certificateSerial;
        if (serial.empty()) {
            auditFailure(services.store, request, "authn_login_fail", "unauthenticated", "no client certificate");
            return errorResponse(401, "unauthorized", "a device certificate is required");
        }
        auto device = services.store.deviceBySerial(serial);
        if (!device)
            return fromError(device.error(), request);
        if (!*device || (*device)->status != Storage::DeviceStatus::Active ||
            (!request.peer.certificateDeviceId.empty() && request.peer.certificateDeviceId != (*device)->id)) {
            auditFailure(services.store, request, "authz_fail", "device:" + serial,
                         !*device ? "unknown device" : "device revoked or mismatched");
            HttpResponse response = errorResponse(401, "unauthorized", "this device is not allowed");
            response.closeConnection = true;
            return response;
        }
        caller.device = **device;
        caller.actor = "device:" + serial;
        return std::nullopt;
    }
    case Auth::ApiKey:
    case Auth::ApiKeyAdmin: {
        const auto header = headerValue(request, "authorization");
        constexpr std::string_view scheme = "bearer ";
        const auto sameLetter = [](char a, char b) {
            return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
        };
        if (!header || header->size() < scheme.size() ||
            !std::equal(scheme.begin(), scheme.end(), header->begin(), sameLetter)) {
            auditFailure(services.store, request, "authn_login_fail", "unauthenticated", "no API key");
            HttpResponse response = errorResponse(401, "unauthorized", "an API key is required");
            response.headers.emplace_back("WWW-Authenticate", "Bearer");
            return response;
        }
        auto key = services.admin.authenticateApiKey(header->substr(7));
        if (!key) {
            if (key.error().code != Common::ErrorCode::Unauthorized)
                return fromError(key.error(), request);
            auditFailure(services.store, request, "authn_login_fail", "unauthenticated", "invalid API key");
            HttpResponse response = errorResponse(401, "unauthorized", "invalid API key");
            response.headers.emplace_back("WWW-Authenticate", "Bearer");
            return response;
        }
        caller.actor = "apikey:" + key->id;
        if (key->scope.rfind("store:", 0) == 0)
            caller.storeScope = key->scope.substr(6);
        caller.apiKey = std::move(*key);
        if (route.auth == Auth::ApiKeyAdmin && caller.storeScope) {
            auditFailure(services.store, request, "authz_fail", caller.actor, "store key on an admin route");
            return errorResponse(403, "forbidden", "this API key may not use this route");
        }
        return std::nullopt;
    }
    case Auth::EnrollmentCode:
        caller.actor = "unauthenticated";
        return std::nullopt; // the handler checks the one-time code inside its transaction
    }
    return errorResponse(404, "not_found", "no such route");
}

HttpResponse ApiApplication::handle(const HttpRequest &request)
{
    HttpResponse response;
    try {
        response = dispatch(request);
    } catch (const std::exception &) {
        response = fromError(Common::Error::make(Common::ErrorCode::Internal, "handler threw"), request);
    } catch (...) {
        response = fromError(Common::Error::make(Common::ErrorCode::Internal, "handler threw"), request);
    }
    response.headers.emplace_back("Cache-Control", "no-store");
    return response;
}

HttpResponse ApiApplication::dispatch(const HttpRequest &request)
{
    std::vector<std::string> allowed;
    const Route *route = nullptr;
    std::vector<std::string> parameters;
    for (const Route &candidate : m_routes) {
        if (candidate.listener != request.listener || !Net::matchRoutePattern(candidate.pattern, request.path, &parameters))
            continue;
        allowed.push_back(candidate.method);
        if (candidate.method == request.method) {
            route = &candidate;
            break;
        }
    }
    if (allowed.empty())
        return errorResponse(404, "not_found", "no such route");
    if (!route) {
        // Keep looking for every method of this path for the Allow header.
        for (const Route &candidate : m_routes)
            if (candidate.listener == request.listener && Net::matchRoutePattern(candidate.pattern, request.path, nullptr) &&
                std::find(allowed.begin(), allowed.end(), candidate.method) == allowed.end())
                allowed.push_back(candidate.method);
        std::sort(allowed.begin(), allowed.end());
        std::string allow;
        for (const std::string &method : allowed)
            allow += (allow.empty() ? "" : ", ") + method;
        HttpResponse response = errorResponse(405, "method_not_allowed", "allowed: " + allow);
        response.headers.emplace_back("Allow", allow);
        return response;
    }
    Net::matchRoutePattern(route->pattern, request.path, &parameters);

    if (!route->usesStore) {
        RouteContext context{request, Caller{}, std::move(parameters)};
        return route->handler(context);
    }
    // One connection for the whole request: authentication, the services and the audit rows.
    auto lease = m_pool.acquire();
    if (!lease) {
        HttpResponse response = errorResponse(503, "unavailable", "the server is busy; retry shortly");
        response.headers.emplace_back("Retry-After", "1");
        return response;
    }
    Services services(**lease, m_config);

    // Authenticate first: an unauthenticated caller learns nothing about the input rules.
    Caller caller;
    if (auto refused = authenticate(*route, request, caller, services))
        return *refused;

    std::set<std::string_view> seen;
    for (const auto &[name, value] : request.query) {
        if (!seen.insert(name).second)
            return errorResponse(400, "duplicate_parameter", "query parameter " + name + " appears twice");
        if (std::find(route->queryParameters.begin(), route->queryParameters.end(), name) ==
            route->queryParameters.end())
            return errorResponse(400, "unknown_parameter", "query parameter " + name + " is not allowed here");
    }
    if (route->body == BodyKind::None) {
        if (!request.body.empty())
            return errorResponse(400, "unexpected_body", "this route takes no body");
    } else {
        if (request.body.size() > route->maxBodyBytes)
            return errorResponse(413, "too_large",
                                 "body larger than " + std::to_string(route->maxBodyBytes) + " bytes");
        const auto type = headerValue(request, "content-type");
        const bool json = Net::isMediaType(type, "application/json");
        const bool csv = type && route->body == BodyKind::JsonOrCsv && Net::isMediaType(type, "text/csv");
        if (!json && !csv)
            return errorResponse(415, "unsupported_media_type",
                                 route->body == BodyKind::Json ? "send application/json (UTF-8)"
                                                               : "send application/json or text/csv (UTF-8)");
    }
    RouteContext context{request, std::move(caller), std::move(parameters), &services};
    HttpResponse response = route->handler(context);
    if (response.status == 400 || response.status == 413 || response.status == 422)
        auditFailure(services.store, request, "input_validation_fail", context.caller.actor,
                     "rejected with status " + std::to_string(response.status));
    return response;
}

} // namespace Server::Api
