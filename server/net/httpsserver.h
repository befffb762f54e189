#pragma once
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>
#include "common/support/result.h"
#include "server/net/httpmessage.h"

// The HTTPS front of soko-server: one TLS listener per configured endpoint, each with its own
// context (REQUIREMENTS.md §0, §2): devices (TLS 1.3 only, mutual TLS against the device CA),
// api (Mozilla intermediate: TLS 1.2 + 1.3), admin (TLS 1.3). Reads requests with per-route limits
// and timeouts, refuses what RFC 9112 says a server must refuse, adds security headers, writes one
// log line per request and hands valid requests to the Application on a worker thread pool.
// Boost.Asio/Beast are hidden behind Impl; this header is safe to include anywhere.
namespace Server::Net {

struct ListenerConfig
{
    Listener kind = Listener::Api;
    std::string address = "127.0.0.1";
    std::uint16_t port = 0;               // 0 = pick a free port (see HttpsServer::boundPorts)
    std::string certificateChainFile;     // PEM, server certificate then intermediates
    std::string privateKeyFile;           // PEM
    std::string clientCaFile;             // PEM; non-empty = mutual TLS, only this CA is trusted
};

struct ServerConfig
{
    std::vector<ListenerConfig> listeners;
    std::size_t workerThreads = 4;        // blocking handler/database work
    std::size_t maxConnections = 1000;
    std::size_t maxConnectionsPerIp = 20;
    std::size_t maxRequestsPerConnection = 1000;
    std::size_t headerLimitBytes = 8192;
    std::chrono::seconds handshakeTimeout{10};
    std::chrono::seconds headerTimeout{10};   // whole header block, so slow-loris cannot hold a socket
    std::chrono::seconds bodyTimeout{30};
    std::chrono::seconds idleTimeout{15};     // keep-alive
    std::chrono::seconds shutdownGrace{20};   // in-flight requests finish within this on stop()
    // Called on fresh mutual-TLS handshakes with the client certificate's serial (upper-case hex);
    // true refuses the handshake (alert certificate_revoked). Resumed sessions skip it, so the
    // Application must check the device on every request as well (REQUIREMENTS.md §2.3 b).
    std::function<bool(std::string_view serialHex)> isRevoked;
    // One line per request (method, route, status, duration, peer id); never bodies or secrets.
    std::function<void(std::string_view line)> log;
};

class HttpsServer final
{
public:
    HttpsServer(ServerConfig config, Application application);
    ~HttpsServer();
    HttpsServer(const HttpsServer &) = delete;
    HttpsServer &operator=(const HttpsServer &) = delete;

    // Loads certificates and binds every listener. Errors: Io (address in use), Crypto (bad PEM).
    Common::Result<void> start();
    // The bound port of each listener, in configuration order (after start()).
    std::vector<std::uint16_t> boundPorts() const;
    // Serves until stop(); call from one thread (it becomes the I/O thread).
    void run();
    // Graceful stop, safe from any thread or a signal-watching thread: stop accepting, let
    // in-flight requests finish (up to shutdownGrace), then make run() return.
    void stop();

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace Server::Net
