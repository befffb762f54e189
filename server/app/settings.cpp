#include "server/app/settings.h"

#include "server/app/databaselocation.h"

#include <algorithm>
#include <arpa/inet.h>
#include <charconv>
#include <functional>
#include <set>
#include <vector>

namespace Server::App {

namespace {

using Common::ErrorCode;

std::string_view trimmed(std::string_view text)
{
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t' || text.front() == '\r'))
        text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r'))
        text.remove_suffix(1);
    return text;
}

bool parseInteger(std::string_view text, long long &out)
{
    if (text.empty() || text.size() > 18 || text.find_first_not_of("0123456789") != std::string_view::npos)
        return false;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), out);
    return error == std::errc() && end == text.data() + text.size();
}

struct IntegerKey
{
    std::string_view name;
    int Settings::*member;
    long long minimum;
    long long maximum;
    std::string_view help;
};

const std::vector<IntegerKey> &integerKeys()
{
    static const std::vector<IntegerKey> keys = {
        {"sqlite_busy_timeout_ms", &Settings::sqliteBusyTimeoutMs, 0, 600000,
         "how long a writer waits for another process's write transaction"},
        {"database_pool_size", &Settings::databasePoolSize, 1, 500,
         "PostgreSQL: connections this server opens (at most; each request holds one)"},
        {"database_acquire_timeout_ms", &Settings::databaseAcquireTimeoutMs, 1, 600000,
         "PostgreSQL: how long a request waits for a free connection before answering 503"},
        {"database_statement_timeout_ms", &Settings::databaseStatementTimeoutMs, 100, 3600000,
         "PostgreSQL: statement_timeout of every statement"},
        {"worker_threads", &Settings::workerThreads, 1, 64, "threads running handlers and database work"},
        {"max_connections", &Settings::maxConnections, 1, 100000, "open TLS connections, all listeners"},
        {"max_connections_per_ip", &Settings::maxConnectionsPerIp, 1, 100000, "open TLS connections per client IP"},
        {"handshake_timeout_seconds", &Settings::handshakeTimeoutSeconds, 1, 600, "TLS handshake deadline"},
        {"header_timeout_seconds", &Settings::headerTimeoutSeconds, 1, 600, "deadline for a request's header block"},
        {"body_timeout_seconds", &Settings::bodyTimeoutSeconds, 1, 3600, "deadline for a request body"},
        {"idle_timeout_seconds", &Settings::idleTimeoutSeconds, 1, 3600, "keep-alive idle time"},
        {"shutdown_grace_seconds", &Settings::shutdownGraceSeconds, 0, 3600,
         "on SIGTERM, how long in-flight requests may take to finish"},
        {"revocation_refresh_seconds", &Settings::revocationRefreshSeconds, 1, 3600,
         "how often revoked device serials are re-read for new TLS handshakes"},
        {"device_certificate_days", &Settings::deviceCertificateDays, 1, 365,
         "validity of device certificates issued at enrollment"},
        {"enrollment_code_minutes", &Settings::enrollmentCodeMinutes, 1, 10080,
         "default lifetime of codes from `soko-server enroll-code`"},
        {"audit_checkpoint_entries", &Settings::auditCheckpointEntries, 1, 1000000,
         "sign an audit checkpoint after this many new audit entries …"},
        {"audit_checkpoint_seconds", &Settings::auditCheckpointSeconds, 1, 86400,
         "… or when the oldest unsigned audit entry is this many seconds old"},
        {"four_eyes_adjustment_units", &Settings::fourEyesAdjustmentUnits, 0, 1000000,
         "a stock adjustment of more than this many base units needs a second administrator (0: every one)"},
        {"four_eyes_export_rows", &Settings::fourEyesExportRows, 0, 10000,
         "an orders CSV export of more than this many rows needs a second administrator (0: every one)"},
    };
    return keys;
}

} // namespace

Common::Result<Endpoint> parseEndpoint(std::string_view text)
{
    Endpoint endpoint;
    std::string_view portText;
    if (text.starts_with('[')) {
        const auto close = text.find("]:");
        if (close == std::string_view::npos)
            return Common::fail(ErrorCode::InvalidInput, "expected [IPv6]:PORT, got '" + std::string(text) + "'");
        endpoint.address = std::string(text.substr(1, close - 1));
        portText = text.substr(close + 2);
    } else {
        const auto colon = text.rfind(':');
        if (colon == std::string_view::npos || colon == 0)
            return Common::fail(ErrorCode::InvalidInput, "expected ADDRESS:PORT, got '" + std::string(text) + "'");
        endpoint.address = std::string(text.substr(0, colon));
        portText = text.substr(colon + 1);
    }
    long long port = 0;
    if (!parseInteger(portText, port) || port > 65535)
        return Common::fail(ErrorCode::InvalidInput, "port must be 0-65535 in '" + std::string(text) + "'");
    if (endpoint.address.empty() || endpoint.address.find_first_not_of("0123456789abcdefABCDEF.:") != std::string::npos)
        return Common::fail(ErrorCode::InvalidInput,
                            "address must be a numeric IP address in '" + std::string(text) + "'");
    endpoint.port = static_cast<std::uint16_t>(port);
    return endpoint;
}

namespace {

bool isLoopbackOrPrivateIpv4(const unsigned char *bytes)
{
    return bytes[0] == 127 || bytes[0] == 10 || (bytes[0] == 172 && (bytes[1] & 0xF0) == 16) ||
           (bytes[0] == 192 && bytes[1] == 168) || (bytes[0] == 100 && (bytes[1] & 0xC0) == 64);
}

} // namespace

bool isLoopbackOrPrivateAddress(std::string_view address)
{
    const std::string text(address);
    unsigned char bytes[16] = {};
    if (inet_pton(AF_INET, text.c_str(), bytes) == 1)
        return isLoopbackOrPrivateIpv4(bytes);
    if (inet_pton(AF_INET6, text.c_str(), bytes) == 1) {
        static const unsigned char loopback[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
        static const unsigned char mappedPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF};
        if (std::equal(std::begin(mappedPrefix), std::end(mappedPrefix), bytes)) // ::ffff:a.b.c.d
            return isLoopbackOrPrivateIpv4(bytes + 12);
        return std::equal(std::begin(bytes), std::end(bytes), std::begin(loopback)) || (bytes[0] & 0xFE) == 0xFC;
    }
    return false;
}

std::string formatEndpoint(const Endpoint &endpoint)
{
    if (endpoint.address.find(':') != std::string::npos)
        return "[" + endpoint.address + "]:" + std::to_string(endpoint.port);
    return endpoint.address + ":" + std::to_string(endpoint.port);
}

Common::Result<void> applySetting(Settings &settings, std::string_view key, std::string_view value)
{
    if (key == "devices_listen" || key == "api_listen" || key == "admin_listen") {
        auto endpoint = parseEndpoint(value);
        if (!endpoint)
            return Common::fail(ErrorCode::InvalidInput, std::string(key) + ": " + endpoint.error().message);
        (key == "devices_listen" ? settings.devicesListen
         : key == "api_listen"   ? settings.apiListen
                                 : settings.adminListen) = *endpoint;
        return {};
    }
    if (key == "database") {
        if (value.empty() || value.find('\0') != std::string_view::npos)
            return Common::fail(ErrorCode::InvalidInput, "database: a file name or a postgresql:// URI is required");
        if (isPostgresUrl(value) && value.find_first_of(" \t\r\n") != std::string_view::npos)
            return Common::fail(ErrorCode::InvalidInput,
                                "database: a postgresql:// URI has no spaces (percent-encode them as %20)");
        // Only two shapes, never echoed (a password may be in it): a libpq keyword=value string or
        // an upper-case scheme would otherwise become a SQLite file named after the password.
        if (!isPostgresUrl(value) && value.find("://") != std::string_view::npos)
            return Common::fail(ErrorCode::InvalidInput,
                                "database: a SQLite file path or a postgresql:// URI (lower-case scheme) is expected");
        if (!isPostgresUrl(value) && value.find('=') != std::string_view::npos)
            return Common::fail(ErrorCode::InvalidInput,
                                "database: keyword=value connection strings are not supported: write the PostgreSQL "
                                "location as a postgresql:// URI (a SQLite file name has no '=')");
        if (const auto problem = databaseTransportProblem(value))
            return Common::fail(ErrorCode::InvalidInput, *problem); // R46
        settings.database = std::string(value);
        return {};
    }
    if (key == "alert_webhook_url_file" || key == "alert_webhook_ca_file") {
        if (value.size() > 4096 || value.find('\0') != std::string_view::npos)
            return Common::fail(ErrorCode::InvalidInput, std::string(key) + ": a file path is expected");
        (key == "alert_webhook_url_file" ? settings.alertWebhookUrlFile : settings.alertWebhookCaFile) =
            std::string(value);
        return {};
    }
    if (key == "alert_webhook_allow_hosts") {
        std::vector<std::string> hosts;
        std::string_view rest = value;
        while (!rest.empty()) {
            const auto comma = rest.find(',');
            const std::string_view host = trimmed(rest.substr(0, comma));
            rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
            if (host.empty())
                continue;
            if (host.size() > 253 || host.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                                            "0123456789.-:") != std::string_view::npos)
                return Common::fail(ErrorCode::InvalidInput, "alert_webhook_allow_hosts: '" + std::string(host) +
                                                                 "' is not a host name or IP address");
            hosts.emplace_back(host);
        }
        settings.alertWebhookAllowHosts = std::move(hosts);
        return {};
    }
    for (const IntegerKey &candidate : integerKeys()) {
        if (candidate.name != key)
            continue;
        long long number = 0;
        if (!parseInteger(value, number) || number < candidate.minimum || number > candidate.maximum)
            return Common::fail(ErrorCode::InvalidInput, std::string(key) + " must be an integer in " +
                                                             std::to_string(candidate.minimum) + ".." +
                                                             std::to_string(candidate.maximum));
        settings.*candidate.member = static_cast<int>(number);
        return {};
    }
    return Common::fail(ErrorCode::InvalidInput, "unknown key '" + std::string(key) + "'");
}

Common::Result<Settings> parseSettings(std::string_view text)
{
    Settings settings;
    std::set<std::string, std::less<>> seen;
    long lineNumber = 0;
    while (!text.empty()) {
        ++lineNumber;
        const auto end = text.find('\n');
        std::string_view line = text.substr(0, end);
        text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
        line = trimmed(line);
        if (line.empty() || line.front() == '#')
            continue;
        const auto equals = line.find('=');
        if (equals == std::string_view::npos)
            return Common::fail(ErrorCode::InvalidInput,
                                "line " + std::to_string(lineNumber) + ": expected key = value", lineNumber);
        const std::string_view key = trimmed(line.substr(0, equals));
        const std::string_view value = trimmed(line.substr(equals + 1));
        if (!seen.insert(std::string(key)).second)
            return Common::fail(ErrorCode::InvalidInput,
                                "line " + std::to_string(lineNumber) + ": '" + std::string(key) + "' appears twice",
                                lineNumber);
        if (auto applied = applySetting(settings, key, value); !applied)
            return Common::fail(ErrorCode::InvalidInput,
                                "line " + std::to_string(lineNumber) + ": " + applied.error().message, lineNumber);
    }
    return settings;
}

std::string defaultSettingsText()
{
    const Settings defaults;
    std::string text = "# soko-server configuration (docs/server.md). Every key is optional; the values\n"
                       "# below are the defaults. Uncomment a line to change it.\n\n";
    text += "# devices listener: terminals sync here (TLS 1.3, device client certificates)\n";
    text += "#devices_listen = " + formatEndpoint(defaults.devicesListen) + "\n";
    text += "# api listener: store integrations with API keys, and device enrollment (TLS 1.2/1.3)\n";
    text += "#api_listen = " + formatEndpoint(defaults.apiListen) + "\n";
    text += "# admin listener: admin pages and /metrics (TLS 1.3); loopback or a VPN/private address only\n";
    text += "#admin_listen = " + formatEndpoint(defaults.adminListen) + "\n";
    text += "# the database: a SQLite file relative to the data folder, or PostgreSQL as a libpq URI\n";
    text += "# postgresql://USER:PASSWORD@HOST:5432/DATABASE?sslmode=verify-full (docs/server.md)\n";
    text += "#database = " + defaults.database + "\n";
    for (const IntegerKey &key : integerKeys()) {
        text += "# " + std::string(key.help) + "\n";
        text += "#" + std::string(key.name) + " = " + std::to_string(defaults.*key.member) + "\n";
    }
    text += "# chat alerts: a file (mode 0600) holding the Slack-compatible incoming-webhook URL (a secret,\n"
            "# never written here); unset = announcements stay queued in the database\n";
    text += "#alert_webhook_url_file = alert-webhook.url\n";
    text += "# PEM certificates to trust for the webhook instead of the system roots\n";
    text += "#alert_webhook_ca_file = \n";
    text += "# hosts the webhook may reach although they are loopback/private addresses (a local relay)\n";
    text += "#alert_webhook_allow_hosts = \n";
    return text;
}

} // namespace Server::App
