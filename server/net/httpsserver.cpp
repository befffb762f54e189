#include "server/net/httpsserver.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <cctype>
#include <exception>
#include <map>
#include <optional>
#include <set>
#include <string>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <openssl/ssl.h>

#include "common/crypto/pki.h"
#include "server/net/requesttarget.h"
#include "server/net/tlscontext.h"

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

namespace Server::Net {
namespace {

using TlsStream = ssl::stream<beast::tcp_stream>;
constexpr auto asTuple = asio::as_tuple(asio::use_awaitable);

// Methods this server implements at all; anything else is 501 (RFC 9110 §9.1).
constexpr std::string_view serverMethods[] = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"};
constexpr std::string_view serverMethodsAllow = "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS";
constexpr std::string_view defaultCsp = "default-src 'none'; frame-ancestors 'none'";
constexpr std::string_view htmlCsp = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                                     "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
constexpr std::chrono::seconds closeNotifyTimeout{2}; // close_notify + lingering close, together
constexpr std::size_t lingerMaxBytes = 64 * 1024;

std::string lowerCase(std::string_view text)
{
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

bool equalsIgnoringCase(std::string_view left, std::string_view right)
{
    return left.size() == right.size() && lowerCase(left) == lowerCase(right);
}

std::string_view trimmed(std::string_view text)
{
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t'))
        text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t'))
        text.remove_suffix(1);
    return text;
}

// Log text: printable ASCII kept, the rest as \xNN, so a request cannot forge log lines (R36).
std::string forLog(std::string_view text, std::size_t maxLength = 200)
{
    std::string out;
    for (const char c : text.substr(0, maxLength)) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte >= 0x21 && byte < 0x7F && c != '\\') {
            out += c;
        } else {
            static constexpr char digits[] = "0123456789abcdef";
            out += "\\x";
            out += digits[byte >> 4];
            out += digits[byte & 0x0F];
        }
    }
    if (text.size() > maxLength)
        out += "...";
    return out;
}

std::string joined(const std::vector<std::string> &items)
{
    std::string out;
    for (const auto &item : items) {
        if (!out.empty())
            out += ", ";
        out += item;
    }
    return out;
}

bool isTokenChar(char c)
{
    return std::isalnum(static_cast<unsigned char>(c)) ||
           std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool isSafeHeader(std::string_view name, std::string_view value)
{
    if (name.empty() || !std::all_of(name.begin(), name.end(), isTokenChar))
        return false;
    return std::none_of(value.begin(), value.end(), [](char c) {
        const auto byte = static_cast<unsigned char>(c);
        return (byte < 0x20 && c != '\t') || byte == 0x7F;
    });
}

bool isDisconnect(const beast::error_code &error)
{
    return error == http::error::end_of_stream || error == http::error::partial_message || error == asio::error::eof ||
           error == asio::error::connection_reset || error == asio::error::operation_aborted ||
           error == ssl::error::stream_truncated || error == beast::error::timeout || error == asio::error::broken_pipe;
}

std::string withCharset(const std::string &contentType)
{
    const std::string lower = lowerCase(contentType);
    if (contentType.empty() || lower.find("charset=") != std::string::npos)
        return contentType;
    const bool textual = lower.starts_with("text/") || lower.starts_with("application/json") ||
                         lower.starts_with("application/xml") || lower.starts_with("application/javascript") ||
                         lower.find("+json") != std::string::npos || lower.find("+xml") != std::string::npos;
    return textual ? contentType + "; charset=utf-8" : contentType;
}

// Turns the handler's answer into the wire message with every security header (R43, R52).
http::response<http::string_body> wireMessage(HttpResponse response, const std::string &requestId, unsigned version,
                                              bool head, bool keepAlive)
{
    http::response<http::string_body> message;
    message.version(version == 10 ? 10 : 11);
    message.result(response.status >= 200 && response.status <= 599 ? static_cast<unsigned>(response.status) : 500u);
    bool hasCacheControl = false;
    bool hasCsp = false;
    for (const auto &[name, value] : response.headers) {
        const std::string lower = lowerCase(name);
        // The transport owns framing and identity headers.
        if (!isSafeHeader(name, value) || lower == "content-length" || lower == "transfer-encoding" ||
            lower == "connection" || lower == "server" || lower == "content-type" || lower == "x-request-id")
            continue;
        hasCacheControl = hasCacheControl || lower == "cache-control";
        hasCsp = hasCsp || lower == "content-security-policy";
        message.insert(name, value);
    }
    message.set(http::field::server, "soko");
    message.set(http::field::strict_transport_security, "max-age=63072000; includeSubDomains");
    message.set("X-Content-Type-Options", "nosniff");
    message.set(http::field::x_frame_options, "DENY");
    message.set("Referrer-Policy", "no-referrer");
    if (!hasCacheControl)
        message.set(http::field::cache_control, "no-store");
    const bool html = lowerCase(response.contentType).starts_with("text/html");
    if (!hasCsp)
        message.set("Content-Security-Policy", html ? htmlCsp : defaultCsp);
    message.set("X-Request-Id", requestId);
    const bool noContent = message.result_int() == 204 || message.result_int() == 304;
    if (!noContent && !response.contentType.empty() && isSafeHeader("Content-Type", response.contentType))
        message.set(http::field::content_type, withCharset(response.contentType));
    message.keep_alive(keepAlive);
    if (!noContent)
        message.body() = std::move(response.body);
    message.prepare_payload();
    if (head)
        message.body().clear(); // Content-Length still announces the GET body (RFC 9110 §9.3.2)
    return message;
}

// What the transport decided after the header block, before any body byte is read.
struct HeadDecision
{
    std::optional<HttpResponse> rejection;
    bool close = false;
    RequestTarget target;
    bool hasBody = false;
    bool expectContinue = false;
    std::size_t maxBodyBytes = 0;
};

HttpResponse refusal(int status, std::string_view code, std::string_view message)
{
    return HttpResponse::error(status, code, message);
}

HeadDecision reject(int status, std::string_view code, std::string_view message, bool close = true)
{
    HeadDecision decision;
    decision.rejection = refusal(status, code, message);
    decision.close = close;
    return decision;
}

} // namespace

struct HttpsServer::Impl
{
    // Who holds the connection slot; releasing it happens when the session frame dies.
    struct ConnectionSlot
    {
        Impl *impl = nullptr;
        std::string address;
        ConnectionSlot(Impl *owner, std::string ip)
            : impl(owner)
            , address(std::move(ip))
        {}
        ConnectionSlot(ConnectionSlot &&other) noexcept
            : impl(std::exchange(other.impl, nullptr))
            , address(std::move(other.address))
        {}
        ConnectionSlot &operator=(ConnectionSlot &&) = delete;
        ConnectionSlot(const ConnectionSlot &) = delete;
        ~ConnectionSlot()
        {
            if (impl)
                impl->releaseConnection(address);
        }
    };

    // A live session as stop() sees it: idle ones are cancelled, busy ones finish their request.
    struct SessionState
    {
        beast::tcp_stream *tcp = nullptr;
        bool idle = true;
    };
    struct SessionRegistration
    {
        Impl *impl;
        SessionState *state;
        SessionRegistration(Impl *owner, SessionState *session)
            : impl(owner)
            , state(session)
        {
            impl->sessions.insert(state);
        }
        SessionRegistration(const SessionRegistration &) = delete;
        SessionRegistration &operator=(const SessionRegistration &) = delete;
        ~SessionRegistration() { impl->sessions.erase(state); }
    };

    // Logs an exception escaping a coroutine (STYLE.md §5: check the exception_ptr first).
    struct Completion
    {
        Impl *impl;
        const char *what;
        void operator()(std::exception_ptr error) const
        {
            if (!error)
                return;
            try {
                std::rethrow_exception(error);
            } catch (const std::exception &exception) {
                impl->logLine(std::string(what) + " failed: " + forLog(exception.what()));
            } catch (...) {
                impl->logLine(std::string(what) + " failed: unknown exception");
            }
        }
    };

    ServerConfig config;
    Application application;
    std::vector<std::unique_ptr<ssl::context>> contexts;
    std::vector<std::uint16_t> ports;
    std::size_t connectionCount = 0;                     // I/O thread only
    std::map<std::string, std::size_t> connectionsPerIp; // I/O thread only
    std::set<SessionState *> sessions;                   // I/O thread only
    bool stopping = false;                               // I/O thread only
    std::atomic<bool> stopRequested{false};
    bool startCalled = false;
    asio::io_context ioContext{1};
    std::vector<tcp::acceptor> acceptors;
    asio::thread_pool workers;

    Impl(ServerConfig serverConfig, Application app)
        : config(std::move(serverConfig))
        , application(std::move(app))
        , workers(std::max<std::size_t>(1, config.workerThreads))
    {}

    ~Impl()
    {
        // Handlers still running finish first; their completions land in the stopped io_context,
        // which then destroys every remaining session frame.
        workers.join();
    }

    void logLine(const std::string &line) const
    {
        if (config.log)
            config.log(line);
    }

    void releaseConnection(const std::string &address)
    {
        --connectionCount;
        auto found = connectionsPerIp.find(address);
        if (found != connectionsPerIp.end() && --found->second == 0)
            connectionsPerIp.erase(found);
    }

    void beginStop()
    {
        if (stopping)
            return;
        stopping = true;
        for (auto &acceptor : acceptors) {
            beast::error_code ignored;
            acceptor.close(ignored);
        }
        for (SessionState *session : sessions) {
            if (session->idle)
                session->tcp->cancel();
        }
        asio::co_spawn(ioContext, drainSessions(this), Completion{this, "shutdown"});
    }

    static asio::awaitable<void> drainSessions(Impl *impl)
    {
        const auto deadline = std::chrono::steady_clock::now() + impl->config.shutdownGrace;
        asio::steady_timer timer(impl->ioContext);
        while (!impl->sessions.empty() && std::chrono::steady_clock::now() < deadline) {
            timer.expires_after(std::chrono::milliseconds(10));
            co_await timer.async_wait(asTuple);
        }
        if (!impl->sessions.empty()) {
            impl->logLine("shutdown: grace period over, " + std::to_string(impl->sessions.size()) +
                          " connection(s) dropped");
            impl->ioContext.stop();
        }
    }

    static asio::awaitable<void> acceptConnections(Impl *impl, std::size_t index)
    {
        for (;;) {
            auto [error, socket] = co_await impl->acceptors[index].async_accept(asTuple);
            if (impl->stopping)
                co_return;
            if (error) {
                // Out of descriptors and the like: back off so the loop does not spin.
                asio::steady_timer timer(impl->ioContext, std::chrono::milliseconds(50));
                co_await timer.async_wait(asTuple);
                continue;
            }
            beast::error_code endpointError;
            const auto remote = socket.remote_endpoint(endpointError);
            if (endpointError)
                continue;
            std::string address = remote.address().to_string();
            const std::size_t fromThisIp =
                impl->connectionsPerIp.contains(address) ? impl->connectionsPerIp[address] : 0;
            if (impl->connectionCount >= impl->config.maxConnections ||
                fromThisIp >= impl->config.maxConnectionsPerIp) {
                impl->logLine(
                    "connection refused listener=" + std::string(listenerName(impl->config.listeners[index].kind)) +
                    " peer=" + address +
                    (fromThisIp >= impl->config.maxConnectionsPerIp ? " reason=per_ip_cap" : " reason=global_cap"));
                beast::error_code ignored;
                socket.close(ignored);
                continue;
            }
            // Responses go out whole (header + body in one write), so Nagle's algorithm only
            // delays them: with it, a pull answer waited ~40 ms for the client's delayed ACK
            // (bench/RESULTS.md, 10-terminal pull p50 47.7 ms → 2.0 ms without it).
            beast::error_code noDelayError;
            socket.set_option(asio::ip::tcp::no_delay(true), noDelayError); // best effort
            ++impl->connectionCount;
            ++impl->connectionsPerIp[address];
            asio::co_spawn(impl->ioContext, runSession(impl, index, std::move(socket), ConnectionSlot(impl, address)),
                           Completion{impl, "session"});
        }
    }

    // Everything the transport checks between the header block and the body (REQUIREMENTS.md
    // §5.2): RFC 9112 refusals Beast lets through, method policy, target, route limits.
    HeadDecision decideHead(Listener listener, const http::request_parser<http::empty_body> &parser) const
    {
        const auto &head = parser.get();
        const std::string method(head.method_string());
        const boost::optional<std::uint64_t> contentLength = parser.content_length();
        const bool hasBody = parser.chunked() || (contentLength && *contentLength > 0);

        if (head.version() != 10 && head.version() != 11)
            return reject(400, "bad_request", "unsupported HTTP version");
        for (const auto &field : head) {
            if (!isSafeHeader(field.name_string(), field.value()))
                return reject(400, "bad_request", "control character in a header field");
        }
        const std::size_t transferEncodings = head.count(http::field::transfer_encoding);
        if (transferEncodings > 0 && (transferEncodings > 1 || head.version() != 11 ||
                                      !equalsIgnoringCase(trimmed(head[http::field::transfer_encoding]), "chunked")))
            return reject(400, "bad_request", "Transfer-Encoding must be exactly 'chunked' (RFC 9112 6.3)");
        const std::size_t hosts = head.count(http::field::host);
        if (hosts > 1)
            return reject(400, "bad_request", "more than one Host header (RFC 9112 3.2)");
        if (hosts == 0 && head.version() == 11)
            return reject(400, "bad_request", "missing Host header (RFC 9112 3.2)");
        if (hosts == 1 && trimmed(head[http::field::host]).empty())
            return reject(400, "bad_request", "empty Host header");

        auto target = parseRequestTarget(head.target());
        if (method == "TRACE" || method == "TRACK" || method == "CONNECT") {
            std::string allow(serverMethodsAllow);
            if (target) {
                const RouteLimits route = application.limits(listener, "GET", target->path);
                if (route.known)
                    allow = joined(route.allowedMethods);
            }
            HeadDecision decision = reject(405, "method_not_allowed", "method not allowed");
            decision.rejection->headers.emplace_back("Allow", allow);
            return decision;
        }
        if (std::find(std::begin(serverMethods), std::end(serverMethods), method) == std::end(serverMethods)) {
            HeadDecision decision = reject(501, "not_implemented", "method not implemented");
            decision.rejection->headers.emplace_back("Allow", std::string(serverMethodsAllow));
            return decision;
        }
        if (!target) {
            const bool tooLong = target.error().code == Common::ErrorCode::TooLarge;
            std::string message = target.error().message;
            if (target.error().position >= 0)
                message += " (at " + std::to_string(target.error().position) + ")";
            return reject(tooLong ? 414 : 400, tooLong ? "uri_too_long" : "bad_request", message);
        }
        if ((method == "GET" || method == "HEAD") && hasBody)
            return reject(400, "bad_request", "GET and HEAD requests must not have a body");

        const RouteLimits route = application.limits(listener, method, target->path);
        if (!route.known)
            return reject(404, "not_found", "no such resource", hasBody);
        if (std::find(route.allowedMethods.begin(), route.allowedMethods.end(), method) == route.allowedMethods.end()) {
            HeadDecision decision = reject(405, "method_not_allowed", "method not allowed for this resource", hasBody);
            decision.rejection->headers.emplace_back("Allow", joined(route.allowedMethods));
            return decision;
        }
        if (hasBody && route.maxBodyBytes == 0)
            return reject(400, "bad_request", "this resource takes no request body");
        if (contentLength && *contentLength > route.maxBodyBytes)
            return reject(413, "body_too_large",
                          "request body larger than " + std::to_string(route.maxBodyBytes) + " bytes");
        const std::size_t expectations = head.count(http::field::expect);
        const bool expectContinue =
            expectations == 1 && equalsIgnoringCase(trimmed(head[http::field::expect]), "100-continue");
        if (expectations > 0 && !expectContinue)
            return reject(417, "expectation_failed", "only 'Expect: 100-continue' is supported");

        HeadDecision decision;
        decision.target = std::move(*target);
        decision.hasBody = hasBody;
        decision.expectContinue = expectContinue && hasBody && head.version() == 11;
        decision.maxBodyBytes = route.maxBodyBytes;
        return decision;
    }

    static Peer peerOf(TlsStream &stream, const std::string &address)
    {
        Peer peer;
        peer.address = address;
        SSL *ssl = stream.native_handle();
        peer.sessionResumed = SSL_session_reused(ssl) == 1;
        if (const X509 *certificate = SSL_get0_peer_certificate(ssl)) {
            peer.certificateSerial = Common::Crypto::certificateSerialHex(certificate);
            peer.certificateDeviceId = Common::Crypto::deviceIdOfCertificate(certificate);
        }
        return peer;
    }

    // Runs on a worker thread; a throwing handler becomes the generic 500 (R38).
    static asio::awaitable<HttpResponse> callHandler(Impl *impl, HttpRequest request)
    {
        try {
            co_return impl->application.handle(request);
        } catch (const std::exception &exception) {
            impl->logLineFromWorker("handler failed request_id=" + request.requestId +
                                    " error=" + forLog(exception.what()));
        } catch (...) {
            impl->logLineFromWorker("handler failed request_id=" + request.requestId + " error=unknown");
        }
        co_return HttpResponse::json(500, "{\"error\":\"internal\",\"ref\":\"" + request.requestId + "\"}");
    }

    void logLineFromWorker(const std::string &line)
    {
        // config.log may not be thread-safe: hand the line to the I/O thread.
        asio::post(ioContext, [this, line] { logLine(line); });
    }

    void logRequest(const std::string &method, const std::string &path, const std::vector<std::string> &queryNames,
                    int status, std::chrono::steady_clock::time_point started, Listener listener, const Peer &peer,
                    const std::string &requestId) const
    {
        const auto duration =
            std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
        std::string line = "request method=" + forLog(method, 32) + " path=" + forLog(path);
        if (!queryNames.empty()) {
            std::string names;
            for (const auto &name : queryNames)
                names += (names.empty() ? "" : ",") + forLog(name, 64);
            line += " query=" + names; // names only: values may hold secrets (R44)
        }
        line += " status=" + std::to_string(status) + " duration_ms=" + std::to_string(duration.count()) +
                " listener=" + std::string(listenerName(listener)) + " peer=" + peer.address;
        if (!peer.certificateDeviceId.empty())
            line += " device=" + peer.certificateDeviceId;
        if (!peer.certificateSerial.empty())
            line += " serial=" + peer.certificateSerial;
        if (peer.sessionResumed)
            line += " resumed=1";
        line += " request_id=" + requestId;
        logLine(line);
    }

    // One TLS connection, top to bottom: handshake, then requests until close, limit or stop.
    static asio::awaitable<void> runSession(Impl *impl, std::size_t index, tcp::socket socket, ConnectionSlot slot)
    {
        const ServerConfig &config = impl->config;
        const Listener listener = config.listeners[index].kind;
        TlsStream stream(std::move(socket), *impl->contexts[index]);
        SessionState state{&stream.next_layer(), true};
        const SessionRegistration registration(impl, &state);
        if (impl->stopping)
            co_return;

        stream.next_layer().expires_after(config.handshakeTimeout);
        auto [handshakeError] = co_await stream.async_handshake(ssl::stream_base::server, asTuple);
        if (handshakeError) {
            if (!impl->stopping)
                impl->logLine("tls_handshake_failed listener=" + std::string(listenerName(listener)) +
                              " peer=" + slot.address + " reason=" + forLog(handshakeError.message()));
            co_return;
        }
        const Peer peer = peerOf(stream, slot.address);

        beast::flat_buffer buffer;
        bool sayGoodbye = true; // send TLS close_notify at the end
        for (std::size_t served = 0; served < config.maxRequestsPerConnection; ++served) {
            // Idle until the first byte of the next request; the first request's header
            // deadline runs from the handshake so a silent client cannot hold the socket.
            state.idle = true;
            if (impl->stopping)
                break;
            stream.next_layer().expires_after(served == 0 ? config.headerTimeout : config.idleTimeout);
            if (buffer.size() == 0) {
                auto [readError, bytes] = co_await stream.async_read_some(buffer.prepare(4096), asTuple);
                if (readError) {
                    sayGoodbye = readError != beast::error::timeout && !isDisconnect(readError);
                    break;
                }
                buffer.commit(bytes);
            }
            state.idle = false;
            if (served > 0)
                stream.next_layer().expires_after(config.headerTimeout);

            const auto started = std::chrono::steady_clock::now();
            const std::string requestId = Common::Crypto::randomUuid();
            http::request_parser<http::empty_body> headerParser;
            headerParser.header_limit(static_cast<std::uint32_t>(config.headerLimitBytes));
            headerParser.body_limit(boost::none); // the route decides (413 before the body is read)
            auto [headerError, headerBytes] = co_await http::async_read_header(stream, buffer, headerParser, asTuple);
            (void)headerBytes;

            std::string method;
            std::string logPath;
            std::vector<std::string> queryNames;
            HttpResponse response;
            bool close = false;
            unsigned version = 11;
            bool head = false;
            if (headerError == http::error::header_limit) {
                response =
                    refusal(431, "header_too_large",
                            "request header block larger than " + std::to_string(config.headerLimitBytes) + " bytes");
                close = true;
            } else if (headerError && isDisconnect(headerError)) {
                if (headerError == beast::error::timeout)
                    impl->logLine("request timeout listener=" + std::string(listenerName(listener)) +
                                  " peer=" + peer.address + " phase=header request_id=" + requestId);
                sayGoodbye = false;
                break;
            } else if (headerError) {
                response = refusal(400, "bad_request", "malformed HTTP request: " + headerError.message());
                close = true;
            } else {
                const auto &requestHead = headerParser.get();
                method = std::string(requestHead.method_string());
                version = requestHead.version();
                head = method == "HEAD";
                const std::string_view rawTarget = requestHead.target();
                logPath = std::string(rawTarget.substr(0, rawTarget.find('?')));
                HeadDecision decision;
                try {
                    decision = impl->decideHead(listener, headerParser);
                } catch (const std::exception &exception) {
                    impl->logLine("route limits failed request_id=" + requestId + " error=" + forLog(exception.what()));
                    decision.rejection =
                        HttpResponse::json(500, "{\"error\":\"internal\",\"ref\":\"" + requestId + "\"}");
                    decision.close = true;
                }
                if (decision.rejection) {
                    response = std::move(*decision.rejection);
                    close = decision.close;
                } else {
                    logPath = decision.target.path;
                    for (const auto &parameter : decision.target.query)
                        queryNames.push_back(parameter.first);
                    HttpRequest request;
                    request.listener = listener;
                    request.requestId = requestId;
                    request.method = method;
                    request.target = std::string(rawTarget);
                    request.path = std::move(decision.target.path);
                    request.query = std::move(decision.target.query);
                    for (const auto &field : requestHead)
                        request.headers.emplace_back(lowerCase(field.name_string()), std::string(field.value()));
                    request.peer = peer;
                    const bool keepAliveRequested = requestHead.keep_alive();

                    bool bodyOk = true;
                    if (decision.hasBody) {
                        if (decision.expectContinue) {
                            // string_body like the final answer: one async_write instantiation instead of two.
                            http::response<http::string_body> proceed{http::status::continue_, 11};
                            stream.next_layer().expires_after(config.bodyTimeout);
                            auto [continueError, continueBytes] = co_await http::async_write(stream, proceed, asTuple);
                            (void)continueBytes;
                            if (continueError) {
                                sayGoodbye = false;
                                break;
                            }
                        }
                        http::request_parser<http::string_body> bodyParser(std::move(headerParser));
                        bodyParser.body_limit(decision.maxBodyBytes);
                        stream.next_layer().expires_after(config.bodyTimeout);
                        auto [bodyError, bodyBytes] = co_await http::async_read(stream, buffer, bodyParser, asTuple);
                        (void)bodyBytes;
                        if (bodyError == http::error::body_limit) {
                            response =
                                refusal(413, "body_too_large",
                                        "request body larger than " + std::to_string(decision.maxBodyBytes) + " bytes");
                            close = true;
                            bodyOk = false;
                        } else if (bodyError && isDisconnect(bodyError)) {
                            impl->logLine("request aborted listener=" + std::string(listenerName(listener)) + " peer=" +
                                          peer.address + " phase=body reason=" + forLog(bodyError.message()) +
                                          " request_id=" + requestId);
                            sayGoodbye = false;
                            break;
                        } else if (bodyError) {
                            response = refusal(400, "bad_request", "malformed request body: " + bodyError.message());
                            close = true;
                            bodyOk = false;
                        } else {
                            request.body = bodyParser.release().body();
                        }
                    }
                    if (bodyOk) {
                        response = co_await asio::co_spawn(impl->workers, callHandler(impl, std::move(request)),
                                                           asio::use_awaitable);
                        close = response.closeConnection || !keepAliveRequested;
                    }
                }
            }

            const bool keepAlive = !close && !impl->stopping && served + 1 < config.maxRequestsPerConnection;
            const int status = response.status;
            auto message = wireMessage(std::move(response), requestId, version, head, keepAlive);
            stream.next_layer().expires_after(config.bodyTimeout);
            auto [writeError, written] = co_await http::async_write(stream, message, asTuple);
            (void)written;
            impl->logRequest(method.empty() ? "-" : method, logPath.empty() ? "-" : logPath, queryNames, status,
                             started, listener, peer, requestId);
            if (writeError) {
                sayGoodbye = false;
                break;
            }
            if (!keepAlive)
                break;
        }

        beast::error_code ignored;
        if (sayGoodbye && !impl->stopping) {
            // Send close_notify without waiting for the peer's (marking it as received makes
            // SSL_shutdown complete at once), then a lingering close: FIN, and discard what the
            // client still sends for a moment, so closing with unread bytes (e.g. the body
            // after a 413) does not reset the connection before the client read our answer.
            SSL_set_shutdown(stream.native_handle(), SSL_RECEIVED_SHUTDOWN);
            stream.next_layer().expires_after(closeNotifyTimeout);
            auto [shutdownError] = co_await stream.async_shutdown(asTuple);
            (void)shutdownError; // the peer may already be gone; nothing to do either way
            stream.next_layer().socket().shutdown(tcp::socket::shutdown_send, ignored);
            std::array<char, 4096> discard{};
            std::size_t drained = 0;
            while (drained < lingerMaxBytes) {
                auto [drainError, bytes] = co_await stream.next_layer().async_read_some(asio::buffer(discard), asTuple);
                if (drainError)
                    break;
                drained += bytes;
            }
        }
        stream.next_layer().socket().shutdown(tcp::socket::shutdown_both, ignored);
        stream.next_layer().close();
    }
};

HttpsServer::HttpsServer(ServerConfig config, Application application)
    : m_impl(std::make_unique<Impl>(std::move(config), std::move(application)))
{}

HttpsServer::~HttpsServer() = default;

Common::Result<void> HttpsServer::start()
{
    Impl &impl = *m_impl;
    if (impl.startCalled)
        return Common::fail(Common::ErrorCode::Internal, "HttpsServer::start called twice");
    if (!impl.application.limits || !impl.application.handle)
        return Common::fail(Common::ErrorCode::InvalidInput, "application has no limits or handle function");
    for (const ListenerConfig &listener : impl.config.listeners) {
        auto context = makeTlsContext(listener, &impl.config.isRevoked);
        if (!context)
            return tl::unexpected(context.error());
        impl.contexts.push_back(std::make_unique<ssl::context>(context->release()));

        beast::error_code error;
        const auto address = asio::ip::make_address(listener.address, error);
        if (error)
            return Common::fail(Common::ErrorCode::InvalidInput,
                                "listener address '" + listener.address + "' is not an IP address");
        const tcp::endpoint endpoint(address, listener.port);
        tcp::acceptor acceptor(impl.ioContext);
        acceptor.open(endpoint.protocol(), error);
        if (!error)
            acceptor.set_option(asio::socket_base::reuse_address(true), error);
        if (!error)
            acceptor.bind(endpoint, error);
        if (!error)
            acceptor.listen(asio::socket_base::max_listen_connections, error);
        if (error)
            return Common::fail(Common::ErrorCode::Io, std::string(listenerName(listener.kind)) + " listener on " +
                                                           listener.address + ":" + std::to_string(listener.port) +
                                                           ": " + error.message());
        impl.ports.push_back(acceptor.local_endpoint().port());
        impl.acceptors.push_back(std::move(acceptor));
    }
    impl.startCalled = true;
    for (std::size_t index = 0; index < impl.acceptors.size(); ++index)
        asio::co_spawn(impl.ioContext, Impl::acceptConnections(&impl, index), Impl::Completion{&impl, "accept loop"});
    return {};
}

std::vector<std::uint16_t> HttpsServer::boundPorts() const
{
    return m_impl->ports;
}

void HttpsServer::run()
{
    m_impl->ioContext.run();
}

void HttpsServer::stop()
{
    if (m_impl->stopRequested.exchange(true))
        return;
    Impl *impl = m_impl.get();
    asio::post(impl->ioContext, [impl] { impl->beginStop(); });
}

} // namespace Server::Net
