#include "server/app/databaselocation.h"

#include <algorithm>

namespace Server::App {

namespace {

constexpr std::string_view s_mask = "***";

struct SecretSpan
{
    std::size_t start;
    std::size_t length;
};

int hexValue(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

std::string percentDecoded(std::string_view text)
{
    std::string out;
    out.reserve(text.size());
    for (std::size_t index = 0; index < text.size(); ++index) {
        if (text[index] == '%' && index + 2 < text.size()) {
            const int high = hexValue(text[index + 1]);
            const int low = hexValue(text[index + 2]);
            if (high >= 0 && low >= 0) {
                out += static_cast<char>(high * 16 + low);
                index += 2;
                continue;
            }
        }
        out += text[index];
    }
    return out;
}

// Where the passwords sit in a postgresql:// URI, parsed the way libpq does
// (conninfo_uri_parse_options): user info ends at the first '@' before any '/'; query
// parameters are '&'-separated `key=value` after the first '?'.
std::vector<SecretSpan> secretSpans(std::string_view location)
{
    std::vector<SecretSpan> spans;
    if (!isPostgresUrl(location))
        return spans;
    const std::size_t start = location.find("://") + 3;
    std::size_t cursor = start;
    while (cursor < location.size() && location[cursor] != '@' && location[cursor] != '/')
        ++cursor;
    if (cursor < location.size() && location[cursor] == '@') {
        const std::string_view userInfo = location.substr(start, cursor - start);
        if (const auto colon = userInfo.find(':'); colon != std::string_view::npos)
            spans.push_back({start + colon + 1, userInfo.size() - colon - 1});
    }
    if (const auto question = location.find('?', cursor); question != std::string_view::npos) {
        std::size_t parameter = question + 1;
        while (parameter < location.size()) {
            std::size_t end = location.find('&', parameter);
            if (end == std::string_view::npos)
                end = location.size();
            const std::string_view pair = location.substr(parameter, end - parameter);
            if (const auto equals = pair.find('='); equals != std::string_view::npos) {
                if (percentDecoded(pair.substr(0, equals)) == "password")
                    spans.push_back({parameter + equals + 1, pair.size() - equals - 1});
            }
            parameter = end + 1;
        }
    }
    return spans;
}

void replaceAll(std::string &text, std::string_view needle, std::string_view replacement)
{
    if (needle.empty())
        return;
    std::size_t position = 0;
    while ((position = text.find(needle, position)) != std::string::npos) {
        text.replace(position, needle.size(), replacement);
        position += replacement.size();
    }
}

} // namespace

bool isPostgresUrl(std::string_view location)
{
    return location.starts_with("postgresql://") || location.starts_with("postgres://");
}

std::vector<std::string> databaseSecrets(std::string_view location)
{
    std::vector<std::string> secrets;
    for (const SecretSpan &span : secretSpans(location)) {
        if (span.length == 0)
            continue;
        const std::string written(location.substr(span.start, span.length));
        secrets.push_back(written);
        if (std::string decoded = percentDecoded(written); decoded != written && !decoded.empty())
            secrets.push_back(std::move(decoded));
    }
    // Longest first, so a password that contains another one is masked whole.
    std::sort(secrets.begin(), secrets.end(), [](const auto &a, const auto &b) { return a.size() > b.size(); });
    return secrets;
}

std::string redactDatabaseLocation(std::string_view location)
{
    std::string out(location);
    auto spans = secretSpans(location);
    // Replace from the back so earlier offsets stay valid.
    std::sort(spans.begin(), spans.end(), [](const auto &a, const auto &b) { return a.start > b.start; });
    for (const SecretSpan &span : spans)
        out.replace(span.start, span.length, s_mask);
    return out;
}

std::string withoutDatabaseSecrets(std::string message, std::string_view location)
{
    if (!isPostgresUrl(location))
        return message;
    const std::string redacted = redactDatabaseLocation(location);
    if (redacted != location)
        replaceAll(message, location, redacted);
    for (const std::string &secret : databaseSecrets(location))
        replaceAll(message, secret, s_mask);
    return message;
}

} // namespace Server::App
