// Fuzz target: raw HTTP/1.1 requests through the server's request handling in-process: the
// request target parser (server/net/requesttarget.h), the listener router
// (server/admin/listenerrouter.h: composeByListener), the route limits and the handlers of the
// api/devices listeners (ApiApplication) and the admin listener (AdminApplication), over a fresh
// in-memory SQLite world per input (warehouse TKY1, SKU S1, bin A-1, device dev1 with
// certificate serial 0A01, an admin and a shop API key, one enrollment code, a real device CA).
// The input is one or more pipelined requests (request line, header fields, Content-Length or
// chunked body); each is sent to all three listeners, the devices one with dev1's client
// certificate. The transport's Beast parser and its wire-level security headers are not part of
// this target (they live inside server/net/httpsserver.cpp); a small strict parser here frames
// the requests and applies the transport's head checks (methods, Host, body limits) first.
// Tokens are filled in so seeds can reach authenticated handlers: "Bearer ADMIN" / "Bearer SHOP"
// become the world's API keys, ENROLLCODE in a body its enrollment code, cookie __Host-sid=admin
// (or viewer, preauth) a signed-in session with CSRF token csrf-key-<user id>.
// Invariants: no crash or sanitizer report; never a 5xx answer; admin answers carry
// Cache-Control (no-store unless a static file) and HTML ones a CSP; no header name or value
// holds CR, LF or NUL; a Location is a local path (no open redirect); a JSON error answer is a
// JSON object with an "error" string (or a 422 import report); admin-only paths are unknown on the api and devices listeners.
#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include "common/crypto/pki.h"
#include "server/admin/adminapplication.h"
#include "server/admin/listenerrouter.h"
#include "server/api/apiapplication.h"
#include "server/net/requesttarget.h"
#include "server/oms/adminservice.h"
#include "server/storage/store.h"
#include "server/storage/storepool.h"
#include "tests/fuzz/fuzzcheck.h"

namespace {

using namespace Server;
using Net::HttpRequest;
using Net::HttpResponse;
using Net::Listener;

const std::chrono::system_clock::time_point s_now{std::chrono::seconds(1'800'000'000)};
constexpr const char *s_device = "11111111-1111-4111-8111-111111111111";
constexpr const char *s_deviceSerial = "0A01";
constexpr std::size_t s_maxRequests = 4;

std::string lowerCase(std::string_view text)
{
    std::string result(text);
    for (char &c : result)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return result;
}

std::string_view trimmed(std::string_view text)
{
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t'))
        text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t'))
        text.remove_suffix(1);
    return text;
}

void replaceAll(std::string &text, std::string_view from, std::string_view to)
{
    for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
        text.replace(at, from.size(), to);
}

struct DeviceCa
{
    std::string certificatePem;
    std::string keyPem;
};

const DeviceCa &deviceCa()
{
    static const DeviceCa made = [] {
        const auto key = Common::Crypto::generateP256Key();
        FUZZ_CHECK(key.has_value(), "cannot make the CA key");
        const auto certificate = Common::Crypto::makeCaCertificate(*key, "Soko fuzz device CA", 30);
        FUZZ_CHECK(certificate.has_value(), "cannot make the CA certificate");
        return DeviceCa{*certificate, key->privateKeyPem};
    }();
    return made;
}

Common::Result<std::optional<Admin::AdminSession>> lookUpSession(const Admin::SessionQuery &query)
{
    using Admin::AdminSession;
    using Admin::Role;
    using Admin::SessionStage;
    const std::string token(query.token);
    if (token == "admin")
        return AdminSession{"1", "user-1", Role::Admin, SessionStage::Complete, s_now - std::chrono::minutes(1), "key-1"};
    if (token == "viewer")
        return AdminSession{"3", "user-3", Role::Viewer, SessionStage::Complete, s_now - std::chrono::minutes(1),
                            "key-3"};
    if (token == "preauth")
        return AdminSession{"4", "user-4", Role::Admin, SessionStage::PasswordVerified, std::nullopt, "key-4"};
    return std::optional<AdminSession>();
}

// The server side of one input: a fresh database and applications over it.
struct World
{
    std::unique_ptr<Storage::StorePool> pool;
    std::unique_ptr<Ops::ServerMetrics> metrics;
    std::unique_ptr<Api::ApiApplication> api;
    std::unique_ptr<Admin::AdminApplication> admin;
    Net::Application application;
    std::string adminToken;
    std::string shopToken;
    std::string enrollmentCode;

    World()
    {
        Storage::StoreOptions options;
        options.durable = false;
        auto opened = Storage::openStorePool(":memory:", options);
        FUZZ_CHECK(opened.has_value(), "cannot open an in-memory store");
        pool = std::move(*opened);
        {
            auto store = pool->acquire();
            FUZZ_CHECK(store.has_value(), "cannot lease the store");
            Storage::Store &s = **store;
            FUZZ_CHECK(s.upsertWarehouse({"TKY1", "Tokyo 1"}).has_value(), "fixture warehouse");
            FUZZ_CHECK(s.upsertSku(Common::Domain::Sku{"S1", "Green tea", {"04901234567894"}, "piece", false}),
                       "fixture SKU");
            FUZZ_CHECK(s.upsertLocation({"TKY1", "A-1", "ambient", 10}).has_value(), "fixture location");
            FUZZ_CHECK(s.insertDevice(Storage::DeviceRecord{s_device, "TKY1", "HT-01", s_deviceSerial,
                                                            Storage::DeviceStatus::Active, 1, {}}),
                       "fixture device");
            Oms::AdminService service(s);
            adminToken = service.createApiKey("admin", "back office", "cli:fuzz")->token;
            shopToken = service.createApiKey("store:shop", "shop", "cli:fuzz")->token;
            enrollmentCode =
                service.createEnrollmentCode("TKY1", "HT-09", std::chrono::minutes(10), "cli:fuzz")->code;
        }
        metrics = std::make_unique<Ops::ServerMetrics>([] { return s_now; });
        Api::ApiConfig apiConfig;
        apiConfig.serverCaPem = deviceCa().certificatePem;
        apiConfig.deviceCaPem = deviceCa().certificatePem;
        apiConfig.issuer = [](const std::string &csrPem,
                              const std::string &deviceId) -> Common::Result<Oms::IssuedCertificate> {
            auto issued =
                Common::Crypto::issueDeviceCertificate(deviceCa().certificatePem, deviceCa().keyPem, csrPem, deviceId, 30);
            if (!issued)
                return tl::unexpected(issued.error());
            return Oms::IssuedCertificate{issued->certificatePem, issued->serialHex};
        };
        api = std::make_unique<Api::ApiApplication>(*pool, apiConfig);
        Admin::AdminConfig adminConfig;
        adminConfig.sessions = lookUpSession;
        adminConfig.csrf.issue = [](const Admin::AdminSession &session) { return "csrf-" + session.csrfKey; };
        adminConfig.csrf.verify = [](const Admin::AdminSession &session, std::string_view token) {
            return token == "csrf-" + session.csrfKey;
        };
        adminConfig.setupPending = []() -> Common::Result<bool> { return false; };
        adminConfig.metrics = metrics.get();
        adminConfig.clock = [] { return s_now; };
        admin = std::make_unique<Admin::AdminApplication>(*pool, adminConfig);
        application = Admin::composeByListener(*api, *admin, metrics.get());
    }
    ~World()
    {
        admin.reset();
        api.reset();
        pool.reset();
    }
    World(const World &) = delete;
    World &operator=(const World &) = delete;
};

// A request as framed by the parser below, before any route decision.
struct RawRequest
{
    std::string method;
    std::string target;
    std::string version;
    std::vector<std::pair<std::string, std::string>> headers; // names lower-case
    std::string body;
    bool hasBody = false;
};

bool isToken(std::string_view text)
{
    return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
    });
}

std::optional<std::string_view> nextLine(std::string_view &input)
{
    const auto end = input.find("\r\n");
    if (end == std::string_view::npos)
        return std::nullopt;
    const std::string_view line = input.substr(0, end);
    input.remove_prefix(end + 2);
    return line;
}

// Frames one request off the front of `input`; nullopt when it is malformed or incomplete
// (the transport answers 400 or waits; either way no handler runs).
std::optional<RawRequest> frameRequest(std::string_view &input)
{
    RawRequest request;
    const auto requestLine = nextLine(input);
    if (!requestLine)
        return std::nullopt;
    const auto firstSpace = requestLine->find(' ');
    const auto lastSpace = requestLine->rfind(' ');
    if (firstSpace == std::string_view::npos || firstSpace == lastSpace)
        return std::nullopt;
    request.method = std::string(requestLine->substr(0, firstSpace));
    request.target = std::string(requestLine->substr(firstSpace + 1, lastSpace - firstSpace - 1));
    request.version = std::string(requestLine->substr(lastSpace + 1));
    if (!isToken(request.method) || request.target.empty() ||
        (request.version != "HTTP/1.1" && request.version != "HTTP/1.0"))
        return std::nullopt;
    std::size_t headerBytes = 0;
    for (;;) {
        const auto line = nextLine(input);
        if (!line)
            return std::nullopt;
        if (line->empty())
            break;
        headerBytes += line->size() + 2;
        const auto colon = line->find(':');
        if (colon == std::string_view::npos || !isToken(line->substr(0, colon)) || headerBytes > 8192)
            return std::nullopt;
        const std::string_view value = trimmed(line->substr(colon + 1));
        if (std::any_of(value.begin(), value.end(),
                        [](char c) { return (static_cast<unsigned char>(c) < 0x20 && c != '\t') || c == 0x7f; }))
            return std::nullopt; // the transport refuses control characters in fields (400)
        request.headers.emplace_back(lowerCase(line->substr(0, colon)), std::string(value));
    }
    std::size_t lengths = 0;
    std::size_t encodings = 0;
    std::string lengthText;
    for (const auto &[name, value] : request.headers) {
        if (name == "content-length") {
            ++lengths;
            lengthText = value;
        }
        encodings += name == "transfer-encoding";
    }
    if (lengths > 1 || (lengths == 1 && encodings > 0))
        return std::nullopt;
    if (encodings > 0) {
        // chunked only (RFC 9112 §7.1), as the transport allows; no trailers.
        for (const auto &[name, value] : request.headers) {
            if (name == "transfer-encoding" && lowerCase(value) != "chunked")
                return std::nullopt;
        }
        if (encodings > 1 || request.version != "HTTP/1.1")
            return std::nullopt;
        request.hasBody = true;
        for (;;) {
            const auto sizeLine = nextLine(input);
            if (!sizeLine || sizeLine->empty() || sizeLine->size() > 8)
                return std::nullopt;
            std::size_t chunk = 0;
            for (char c : *sizeLine) {
                if (!std::isxdigit(static_cast<unsigned char>(c)))
                    return std::nullopt;
                chunk = chunk * 16 + static_cast<std::size_t>(std::isdigit(static_cast<unsigned char>(c))
                                                                  ? c - '0'
                                                                  : std::tolower(static_cast<unsigned char>(c)) - 'a' + 10);
            }
            if (input.size() < chunk + 2 || input.substr(chunk, 2) != "\r\n")
                return std::nullopt;
            request.body.append(input.substr(0, chunk));
            input.remove_prefix(chunk + 2);
            if (chunk == 0)
                break;
            if (request.body.size() > 16 * 1024 * 1024)
                return std::nullopt;
        }
    } else if (lengths == 1) {
        if (lengthText.empty() || lengthText.size() > 9 ||
            !std::all_of(lengthText.begin(), lengthText.end(), [](char c) { return c >= '0' && c <= '9'; }))
            return std::nullopt;
        const std::size_t length = std::stoul(lengthText);
        if (input.size() < length)
            return std::nullopt;
        request.body = std::string(input.substr(0, length));
        request.hasBody = length > 0;
        input.remove_prefix(length);
    }
    return request;
}

std::optional<std::string_view> headerOf(const HttpResponse &response, std::string_view name)
{
    for (const auto &[key, value] : response.headers) {
        if (lowerCase(key) == name)
            return value;
    }
    return std::nullopt;
}

bool isAdminOnly(std::string_view path)
{
    return path == "/metrics" || path == "/admin" || path.starts_with("/admin/");
}

void checkResponse(const HttpResponse &response, Listener listener)
{
    FUZZ_CHECK(response.status >= 100 && response.status <= 599, "status outside 100..599");
    FUZZ_CHECK(response.status < 500, "a 5xx answer");
    for (const auto &[name, value] : response.headers) {
        const auto unsafe = [](char c) { return c == '\r' || c == '\n' || c == '\0'; };
        FUZZ_CHECK(std::none_of(name.begin(), name.end(), unsafe) && std::none_of(value.begin(), value.end(), unsafe),
                   "CR, LF or NUL in a response header");
    }
    if (const auto location = headerOf(response, "location")) {
        FUZZ_CHECK(location->starts_with("/") && !location->starts_with("//") &&
                       location->find('\\') == std::string_view::npos,
                   "Location is not a local path (open redirect)");
    }
    if (listener == Listener::Admin) {
        FUZZ_CHECK(headerOf(response, "cache-control").has_value(), "admin answer without Cache-Control");
        if (lowerCase(response.contentType).starts_with("text/html"))
            FUZZ_CHECK(headerOf(response, "content-security-policy").has_value(), "admin HTML page without a CSP");
    }
    if (response.status >= 400 && lowerCase(response.contentType).starts_with("application/json")) {
        boost::json::error_code error;
        const boost::json::value body = boost::json::parse(response.body, error);
        const boost::json::object *object = error ? nullptr : body.if_object();
        // An error is {"error":code,…}; an import whose every row was refused answers 422 with
        // the import report itself (docs/api.md "Import report").
        const bool errorObject = object && object->contains("error") && object->at("error").is_string();
        const bool refusedImport = object && response.status == 422 && object->contains("errors") &&
                                   object->at("errors").is_array() && !object->at("errors").as_array().empty();
        if (!errorObject && !refusedImport)
            std::fprintf(stderr, "status %d body: %.300s\n", response.status, response.body.c_str());
        FUZZ_CHECK(errorObject || refusedImport, "JSON error answer without an \"error\" string");
    }
}

constexpr std::string_view s_serverMethods[] = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"};

// The transport's head checks that decide before any handler (httpsserver.cpp decideHead), then
// the handler. Returns without a handler call where the transport itself answers.
void serve(World &routing, std::unique_ptr<World> &world, const RawRequest &raw, Listener listener)
{
    std::size_t hosts = 0;
    for (const auto &[name, value] : raw.headers)
        hosts += name == "host";
    if (hosts > 1 || (hosts == 0 && raw.version == "HTTP/1.1"))
        return;
    if (std::find(std::begin(s_serverMethods), std::end(s_serverMethods), raw.method) == std::end(s_serverMethods))
        return;
    auto target = Net::parseRequestTarget(raw.target);
    if (!target) {
        FUZZ_CHECK(!target.error().message.empty(), "target refusal without a message");
        return;
    }
    if ((raw.method == "GET" || raw.method == "HEAD") && raw.hasBody)
        return;
    // Route limits come from the route tables alone (no database): a shared world answers them,
    // and a fresh one is made only for inputs that reach a handler.
    const Net::RouteLimits route = routing.application.limits(listener, raw.method, target->path);
    FUZZ_CHECK(!(route.known && listener != Listener::Admin && isAdminOnly(target->path)),
               "an admin-only path is a known route on the api/devices listener");
    if (!route.known)
        return;
    FUZZ_CHECK(!route.allowedMethods.empty(), "a known route allows no method");
    if (std::find(route.allowedMethods.begin(), route.allowedMethods.end(), raw.method) == route.allowedMethods.end())
        return;
    if (raw.hasBody && (route.maxBodyBytes == 0 || raw.body.size() > route.maxBodyBytes))
        return;

    if (!world)
        world = std::make_unique<World>();
    HttpRequest request;
    request.listener = listener;
    request.requestId = "5d1c0e9a-0000-4000-8000-00000000abcd";
    request.method = raw.method;
    request.target = raw.target;
    request.path = target->path;
    request.query = target->query;
    request.headers = raw.headers;
    for (auto &[name, value] : request.headers) {
        if (name == "authorization") {
            replaceAll(value, "Bearer ADMIN", "Bearer " + world->adminToken);
            replaceAll(value, "Bearer SHOP", "Bearer " + world->shopToken);
        }
    }
    request.body = raw.body;
    replaceAll(request.body, "ENROLLCODE", world->enrollmentCode);
    request.peer.address = "127.0.0.1";
    if (listener == Listener::Devices) {
        request.peer.certificateSerial = s_deviceSerial;
        request.peer.certificateDeviceId = s_device;
    }
    const HttpResponse response = world->application.handle(request);
    // SOKO_FUZZ_TRACE=1: one line per handled request, to check what seeds reach.
    static const bool trace = std::getenv("SOKO_FUZZ_TRACE") != nullptr;
    if (trace)
        std::fprintf(stderr, "%s %s %s -> %d\n", std::string(Net::listenerName(listener)).c_str(), raw.method.c_str(),
                     request.path.c_str(), response.status);
    checkResponse(response, listener);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    std::string_view input(reinterpret_cast<const char *>(data), size);
    std::vector<RawRequest> requests;
    while (!input.empty() && requests.size() < s_maxRequests) {
        auto request = frameRequest(input);
        if (!request)
            break;
        requests.push_back(std::move(*request));
    }
    static World routing;
    std::unique_ptr<World> world; // one per input, so a finding reproduces from its input alone
    for (const RawRequest &request : requests) {
        for (const Listener listener : {Listener::Api, Listener::Devices, Listener::Admin})
            serve(routing, world, request, listener);
    }
    return 0;
}
