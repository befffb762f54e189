#pragma once
#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>
#include "common/support/result.h"

// The outbound HTTPS client for chat alerts: POSTs a JSON body to a Slack-compatible incoming
// webhook (REQUIREMENTS.md §6 "Chat announcement", R34 outbound rules, R46 TLS to Slack).
// - https only; no user info; TLS 1.2+ with certificate and host-name verification against the
//   system roots, or only against `caFile` when set (tests, private CAs).
// - The target must be a public address: loopback, private (RFC 1918, ULA), link-local (cloud
//   metadata 169.254.169.254), CGNAT, unspecified, multicast, documentation and reserved ranges
//   are refused, for IP literals at create() and for every address a name resolves to at post()
//   (the connection then goes only to the addresses that were checked). `allowHosts` lists hosts
//   exempt from this rule (a loopback mock in tests, an internal relay).
// - No redirects are followed (a 3xx is just a failed delivery); connect and total deadlines;
//   the response (headers 8 KiB, body `maxResponseBytes`) is read with limits.
// The URL is a secret (it carries the webhook token, R14): no error message contains it.
// Boost.Asio/Beast stay in webhookclient.cpp.
namespace Server::Net {

struct WebhookConfig
{
    std::string url;                     // https://hooks.example/services/…
    std::string caFile;                  // PEM; empty = the system's trusted roots
    std::vector<std::string> allowHosts; // host names / IPs allowed to be non-public addresses
    std::chrono::milliseconds connectTimeout{10000};
    std::chrono::milliseconds totalTimeout{10000}; // resolve + connect + TLS + request + response
    std::size_t maxResponseBytes = 64 * 1024;
};

struct WebhookResponse
{
    int status = 0;
    std::string body;
    std::optional<std::chrono::seconds> retryAfter; // Retry-After in delta-seconds, if sent
};

// Whether `address` (IPv4 or IPv6 text) is a public unicast address outbound calls may reach.
// False for anything that does not parse.
bool isPublicAddress(std::string_view address);

// Checks a webhook URL without connecting. Errors: InvalidInput naming the reason ("must be
// https", "has a non-public address", …) and never the URL itself.
Common::Result<void> checkWebhookUrl(std::string_view url, const std::vector<std::string> &allowHosts);

class WebhookClient final
{
public:
    // checkWebhookUrl, then whether `caFile` is readable. Errors: InvalidInput, Io.
    static Common::Result<WebhookClient> create(WebhookConfig config);

    // One POST of `json` (Content-Type: application/json) on a fresh connection; blocks until the
    // answer or the deadline. Any HTTP status is a value; errors: Io (DNS, connect, TLS, timeout,
    // unreadable or over-long response), InvalidInput (the name resolves to a refused address).
    // Safe to call from several threads at once.
    Common::Result<WebhookResponse> post(std::string_view json) const;

private:
    explicit WebhookClient(WebhookConfig config)
        : m_config(std::move(config))
    {}
    WebhookConfig m_config;
};

} // namespace Server::Net
