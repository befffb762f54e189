#pragma once
#include <string>
#include <utility>
#include <vector>

#include "server/net/httpmessage.h"

namespace TestSupport {

// A request as the admin listener's HTTP layer hands it to AdminApplication (tests call
// AdminApplication::handle with it): Host localhost:8445, the `__Host-sid` cookie when
// `sessionToken` is not empty, and for POST a same-origin browser form post (Content-Type
// application/x-www-form-urlencoded, Sec-Fetch-Site same-origin, Origin https://localhost:8445).
struct AdminRequest
{
    std::string method = "GET";
    std::string path;
    std::string sessionToken;
    std::string body;
    std::vector<std::pair<std::string, std::string>> query;
    std::string requestId = "00000000-0000-4000-8000-000000000000";
    std::string peerAddress = "127.0.0.1";
};

inline Server::Net::HttpRequest adminRequest(AdminRequest spec)
{
    Server::Net::HttpRequest result;
    result.listener = Server::Net::Listener::Admin;
    result.requestId = std::move(spec.requestId);
    result.method = std::move(spec.method);
    result.path = std::move(spec.path);
    result.target = result.path;
    result.query = std::move(spec.query);
    result.headers.emplace_back("host", "localhost:8445");
    if (!spec.sessionToken.empty())
        result.headers.emplace_back("cookie", "__Host-sid=" + spec.sessionToken);
    if (result.method == "POST") {
        result.headers.emplace_back("content-type", "application/x-www-form-urlencoded");
        result.headers.emplace_back("sec-fetch-site", "same-origin");
        result.headers.emplace_back("origin", "https://localhost:8445");
    }
    result.body = std::move(spec.body);
    result.peer.address = std::move(spec.peerAddress);
    return result;
}

// Request ids that differ per request and still look like the transport's UUIDs:
// "<prefix>-0000-4000-8000-<12 digits from counter>".
inline std::string numberedRequestId(const std::string &prefix, int counter)
{
    return prefix + "-0000-4000-8000-" + std::to_string(100000000000 + counter);
}

} // namespace TestSupport
