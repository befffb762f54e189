#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>
#include "server/net/httpmessage.h"
#include "server/oms/adminservice.h"
#include "server/oms/masterdataservice.h"
#include "server/oms/orderservice.h"
#include "server/storage/records.h"
#include "server/sync/syncservice.h"

namespace Server::Storage {
class Store;
class StorePool;
} // namespace Server::Storage

// The HTTP handlers of soko-server's devices and api listeners (docs/api.md), behind the
// Server::Net::Application seam. Deny by default (REQUIREMENTS.md R21): every route declares its
// listener, method, authentication, body kind and body limit; anything else is 404 (or 405 with
// Allow). Device routes re-check the client certificate's serial against the devices table on
// every request (revoked → 401, also on resumed TLS sessions); API-key routes take
// `Authorization: Bearer soko_<id>_<secret>`. Errors are {"error":code,"message":text};
// internal failures are {"error":"internal","ref":<request id>} with no detail (R38).
// Each request borrows one Store from the StorePool for its whole handling (authentication,
// services, audit), so with PostgreSQL concurrent requests run on their own connections; a pool
// that has no connection free in time answers 503 {"error":"unavailable"}. Probes on the api
// listener, without authentication and without details: GET /healthz (the process is alive,
// no database access) and GET /readyz (200 when the database answers, else 503).
namespace Server::Auth {
class TokenBucketLimiter;
}

namespace Server::Api {

enum class Auth { None, Device, ApiKey, ApiKeyAdmin, EnrollmentCode }; // None: health probes only
enum class BodyKind { None, Json, JsonOrCsv };

// What a successful sync request did, for metrics (server/ops): `applied`, `conflicts` and
// `rejected` count only ops new to the server (seq above what was recorded before the push),
// not replays of a resent batch. Pulls carry zeros.
struct SyncEvent
{
    enum class Kind { Push, Pull };
    Kind kind = Kind::Push;
    std::string deviceId;
    std::int64_t applied = 0;
    std::int64_t conflicts = 0;
    std::int64_t rejected = 0;
    // What the terminal said of itself (User-Agent `soko-terminal/<version>` and
    // `Soko-Pending-Ops`), nullopt when absent or malformed: informational only, never refused.
    std::optional<std::string> appVersion;
    std::optional<std::int64_t> pendingOps;
};

struct ApiConfig
{
    Oms::CertificateIssuer issuer; // empty → /enroll answers 503
    std::string serverCaPem;       // returned by /enroll so the terminal can pin the server
    std::string deviceCaPem;
    Sync::SyncLimits syncLimits;
    // Called on the worker thread after every 200 push/pull; must not throw. Empty = nobody listens.
    std::function<void(const SyncEvent &)> syncObserver;
    // R45: requests per minute one device or API key may make (a token bucket of this size that
    // refills over a minute); beyond it 429 + Retry-After, and once a minute per caller an audit
    // row `excess_rate_limit_exceeded` announced on the alert webhook. 0 = no limit. A terminal
    // catching up pulls ≤ 1000 changes a request, so 240 covers 240,000 changes a minute.
    std::size_t requestsPerMinutePerCaller = 240;
};

// Who made the request, as authentication established it.
struct Caller
{
    std::optional<Storage::DeviceRecord> device;
    std::optional<Storage::ApiKeyRecord> apiKey;
    std::optional<std::string> storeScope; // API key limited to one store
    std::string actor;                     // for audit rows: "device:<serial>", "apikey:<id>"
};

// The services of one request, all on the request's Store (one connection).
struct Services
{
    Services(Storage::Store &leased, const ApiConfig &config);
    Storage::Store &store;
    Sync::SyncService sync;
    Oms::MasterDataService masterData;
    Oms::OrderService orders;
    Oms::StockService stock;
    Oms::AdminService admin;
};

struct RouteContext
{
    const Net::HttpRequest &request;
    Caller caller;
    std::vector<std::string> parameters; // {id} path segments, in order
    Services *services = nullptr;        // null only on routes with usesStore = false
};

using Handler = std::function<Net::HttpResponse(RouteContext &)>;

struct Route
{
    Net::Listener listener = Net::Listener::Api;
    std::string method;
    std::string pattern; // "/api/v1/orders/{id}/cancel"
    Auth auth = Auth::ApiKey;
    BodyKind body = BodyKind::None;
    std::size_t maxBodyBytes = 0;
    std::vector<std::string> queryParameters; // allowed names; others → 400
    Handler handler;
    bool usesStore = true; // false: no lease is taken for it (the probes)
};

class ApiApplication final
{
public:
    // Requests borrow their Store from `pool`, which must outlive this object.
    ApiApplication(Storage::StorePool &pool, ApiConfig config);
    // One shared Store (SQLite: SqliteStore::open), wrapped in a SharedStorePool.
    ApiApplication(Storage::Store &store, ApiConfig config);
    ~ApiApplication();
    ApiApplication(const ApiApplication &) = delete;
    ApiApplication &operator=(const ApiApplication &) = delete;

    // The seam object for HttpsServer; it refers to this ApiApplication, which must outlive it.
    Net::Application application();
    Net::RouteLimits limits(Net::Listener listener, std::string_view method, std::string_view path) const;
    Net::HttpResponse handle(const Net::HttpRequest &request);
    const std::vector<Route> &routes() const { return m_routes; }
    // The pattern of the first route of `listener` whose pattern matches `path` (any method), for
    // metrics labels: bounded, never the raw path.
    std::optional<std::string> routePattern(Net::Listener listener, std::string_view path) const;
    // For ServerConfig::isRevoked (fresh mTLS handshakes): true when the serial belongs to no
    // active device. Requests are checked again in handle(), resumed sessions included.
    bool isCertificateRevoked(std::string_view serialHex);

    // JSON error response; `code` is a stable snake_case reason.
    static Net::HttpResponse errorResponse(int status, std::string_view code, std::string_view message);
    // Maps a service error to its status and body (500s carry only the request id).
    Net::HttpResponse fromError(const Common::Error &error, const Net::HttpRequest &request);

private:
    void addSyncRoutes();
    void addOmsRoutes();
    void addHealthRoutes();
    Net::HttpResponse dispatch(const Net::HttpRequest &request);
    std::optional<Net::HttpResponse> authenticate(const Route &route, const Net::HttpRequest &request, Caller &caller,
                                                  Services &services);
    void auditFailure(Storage::Store &store, const Net::HttpRequest &request, std::string_view event,
                      std::string_view actor, std::string_view reason);
    std::optional<Net::HttpResponse> rateLimited(const Net::HttpRequest &request, const Caller &caller,
                                                 Storage::Store &store);

    std::unique_ptr<Storage::StorePool> m_ownedPool; // only for the Store& constructor
    Storage::StorePool &m_pool;
    ApiConfig m_config;
    std::vector<Route> m_routes;
    std::unique_ptr<Server::Auth::TokenBucketLimiter> m_callerLimiter;       // R45, per caller actor
    std::unique_ptr<Server::Auth::TokenBucketLimiter> m_excessAnnouncements; // one announcement a minute per caller
};

// Helpers the handlers share (request parsing without the transport's implementation).
std::optional<std::string_view> headerValue(const Net::HttpRequest &request, std::string_view lowerCaseName);
std::optional<std::string_view> queryValue(const Net::HttpRequest &request, std::string_view name);

} // namespace Server::Api
