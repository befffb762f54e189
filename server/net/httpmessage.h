#pragma once
#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

// The seam between the transport (server/net, the only place that sees Boost.Asio/Beast) and the
// handlers (server/api). A request arrives here fully read, size-checked and RFC 9112-validated;
// handlers run on a worker thread and may block on the database.
namespace Server::Net {

enum class Listener { Devices, Api, Admin };
std::string_view listenerName(Listener listener); // "devices", "api", "admin"

// Who is on the other end, as far as TLS and TCP tell. The transport fills it; the api layer
// decides what it is allowed to do (device table, API keys).
struct Peer
{
    std::string address;              // remote IP, as text
    std::string certificateSerial;    // hex, upper-case, of the verified client certificate; empty if none
    std::string certificateDeviceId;  // the UUID of SAN URI urn:soko:device:<uuid>; empty if none
    bool sessionResumed = false;      // TLS session resumption: the verify callback did not run
};

struct HttpRequest
{
    Listener listener = Listener::Api;
    std::string requestId;            // random, for logs and error bodies
    std::string method;               // upper-case, e.g. "POST"
    std::string target;               // as received, origin-form: "/api/v1/sync/pull?cursor=12"
    std::string path;                 // percent-decoded path, no query
    std::vector<std::pair<std::string, std::string>> query;   // decoded; duplicates are refused before here
    std::vector<std::pair<std::string, std::string>> headers; // names lower-case
    std::string body;
    Peer peer;

    // First value of a header (name lower-case), or nullopt.
    std::optional<std::string_view> header(std::string_view name) const;
    std::optional<std::string_view> queryValue(std::string_view name) const;
};

struct HttpResponse
{
    int status = 200;
    std::string contentType = "application/json; charset=utf-8";
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers; // extra headers (security headers are added by the transport)
    bool closeConnection = false;

    // {"error":code,"message":message} with the given status.
    static HttpResponse error(int status, std::string_view code, std::string_view message);
    static HttpResponse json(int status, std::string body);
};

// Per-route limits the transport enforces before calling a handler (REQUIREMENTS.md §5.2).
struct RouteLimits
{
    bool known = false;               // false → 404 without reading a body
    std::size_t maxBodyBytes = 0;     // 0 → a body is refused (400)
    std::vector<std::string> allowedMethods; // for 405 + Allow
};

// Implemented by server/api: what the transport calls.
struct Application
{
    // Decides limits from listener, method and path alone (headers are read, body not yet).
    std::function<RouteLimits(Listener, std::string_view method, std::string_view path)> limits;
    // Handles a complete request. Runs on a worker thread; must not throw (a throw becomes a
    // generic 500 with the request id).
    std::function<HttpResponse(const HttpRequest &)> handle;
};

} // namespace Server::Net
