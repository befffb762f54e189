#include "server/net/httpmessage.h"

#include <cstdio>

namespace Server::Net {
namespace {

// JSON string escaping (RFC 8259 §7); control characters become \u00XX.
std::string jsonString(std::string_view text)
{
    std::string out = "\"";
    for (const char c : text) {
        switch (c) {
        case '"':
            out += "\\\"";
            break;
        case '\\':
            out += "\\\\";
            break;
        case '\n':
            out += "\\n";
            break;
        case '\r':
            out += "\\r";
            break;
        case '\t':
            out += "\\t";
            break;
        default:
            if (static_cast<unsigned char>(c) < 0x20) {
                char escaped[8];
                std::snprintf(escaped, sizeof escaped, "\\u%04x", static_cast<unsigned>(static_cast<unsigned char>(c)));
                out += escaped;
            } else {
                out += c;
            }
        }
    }
    out += '"';
    return out;
}

std::optional<std::string_view> firstValue(const std::vector<std::pair<std::string, std::string>> &pairs,
                                           std::string_view name)
{
    for (const auto &[key, value] : pairs) {
        if (key == name)
            return std::string_view(value);
    }
    return std::nullopt;
}

} // namespace

std::string_view listenerName(Listener listener)
{
    switch (listener) {
    case Listener::Devices:
        return "devices";
    case Listener::Api:
        return "api";
    case Listener::Admin:
        return "admin";
    }
    return "unknown";
}

std::optional<std::string_view> HttpRequest::header(std::string_view name) const
{
    return firstValue(headers, name);
}

std::optional<std::string_view> HttpRequest::queryValue(std::string_view name) const
{
    return firstValue(query, name);
}

HttpResponse HttpResponse::error(int status, std::string_view code, std::string_view message)
{
    return json(status, "{\"error\":" + jsonString(code) + ",\"message\":" + jsonString(message) + "}");
}

HttpResponse HttpResponse::json(int status, std::string body)
{
    HttpResponse response;
    response.status = status;
    response.body = std::move(body);
    return response;
}

} // namespace Server::Net
