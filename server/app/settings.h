#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include "common/support/result.h"

// soko-server's configuration file (docs/server.md "Configuration"): `key = value` lines, `#`
// comments, every key optional (the defaults below), unknown or repeated keys refused with the
// line number. `soko-server init` writes the file with every key and its default, commented.
namespace Server::App {

// An IPv4/IPv6 address and a TCP port ("0.0.0.0:8443", "[::1]:0"); port 0 = any free port.
struct Endpoint
{
    std::string address;
    std::uint16_t port = 0;
};
// Errors: InvalidInput naming what is wrong.
Common::Result<Endpoint> parseEndpoint(std::string_view text);
std::string formatEndpoint(const Endpoint &endpoint);

struct Settings
{
    Endpoint devicesListen{"0.0.0.0", 8443}; // sync, mutual TLS (device certificates)
    Endpoint apiListen{"0.0.0.0", 8444};     // store integrations (API keys) and /enroll
    std::string database = "soko.db";        // SQLite file, relative to the data folder
    int sqliteBusyTimeoutMs = 5000;
    int workerThreads = 4;
    int maxConnections = 1000;
    int maxConnectionsPerIp = 20;
    int handshakeTimeoutSeconds = 10;
    int headerTimeoutSeconds = 10;
    int bodyTimeoutSeconds = 30;
    int idleTimeoutSeconds = 15;
    int shutdownGraceSeconds = 20;
    int revocationRefreshSeconds = 5; // revoked serials re-read for fresh TLS handshakes
    int deviceCertificateDays = 365;  // validity of certificates issued at enrollment (≤ 365)
    int enrollmentCodeMinutes = 15;   // default lifetime of `enroll-code`
};

// Applies one `key = value`. Errors: InvalidInput ("unknown key …", "… must be an integer in …").
Common::Result<void> applySetting(Settings &settings, std::string_view key, std::string_view value);
// Parses a whole file's text. Errors: InvalidInput with position = 1-based line.
Common::Result<Settings> parseSettings(std::string_view text);
// The file `init` writes: every key with its default and a one-line explanation.
std::string defaultSettingsText();

} // namespace Server::App
