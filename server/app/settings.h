#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>
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
// True for loopback (127.0.0.0/8, ::1), private (RFC 1918, IPv6 ULA fc00::/7) and shared
// (RFC 6598 100.64.0.0/10, common on VPNs) addresses: where the admin listener belongs (R23).
// False for anything else, including the wildcards 0.0.0.0 and ::.
bool isLoopbackOrPrivateAddress(std::string_view address);

struct Settings
{
    Endpoint devicesListen{"0.0.0.0", 8443}; // sync, mutual TLS (device certificates)
    Endpoint apiListen{"0.0.0.0", 8444};     // store integrations (API keys) and /enroll
    Endpoint adminListen{"127.0.0.1", 8445}; // admin pages and /metrics (loopback or VPN only)
    // SQLite file (relative to the data folder), or a PostgreSQL URI "postgresql://…" (secret:
    // print it only through redactDatabaseLocation, server/app/databaselocation.h).
    std::string database = "soko.db";
    int sqliteBusyTimeoutMs = 5000;
    int databasePoolSize = 8;                  // PostgreSQL connections per server process
    int databaseAcquireTimeoutMs = 5000;       // a request waits this long for a free connection, then 503
    int databaseStatementTimeoutMs = 30000;    // PostgreSQL statement_timeout per statement
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
    // Audit trail and chat alerts (docs/server.md "Audit trail", "Alerts"). The webhook URL is a
    // secret (R14): only the name of a mode-0600 file holding it is configured; empty = alerts
    // stay queued. Relative paths are relative to the data folder.
    std::string alertWebhookUrlFile;
    std::string alertWebhookCaFile;                   // PEM trusted instead of the system roots
    std::vector<std::string> alertWebhookAllowHosts; // hosts allowed to be non-public addresses
    int auditCheckpointEntries = 1000;                // sign the audit head after this many entries …
    int auditCheckpointSeconds = 300;                 // … or when the oldest unsigned one is this old
    // Four-eyes thresholds (R27, docs/admin.md "Approvals"): a conflict resolved with a stock
    // adjustment of more than this many base units, and an orders CSV export of more than this many
    // rows (customer names and addresses), need a second administrator's approval.
    int fourEyesAdjustmentUnits = 100;
    int fourEyesExportRows = 500;
};

// Applies one `key = value`. Errors: InvalidInput ("unknown key …", "… must be an integer in …").
Common::Result<void> applySetting(Settings &settings, std::string_view key, std::string_view value);
// Parses a whole file's text. Errors: InvalidInput with position = 1-based line.
Common::Result<Settings> parseSettings(std::string_view text);
// The file `init` writes: every key with its default and a one-line explanation.
std::string defaultSettingsText();

} // namespace Server::App
