#include "server/app/databaselocation.h"

#include <algorithm>
#include <cstdlib>

#include <arpa/inet.h>
#include <netinet/in.h>

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

namespace {

bool isLocalHost(std::string_view host)
{
    if (host.empty() || host.front() == '/') // libpq's default socket, or a socket folder
        return true;
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
        host = host.substr(1, host.size() - 2);
    std::string lower(host);
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c); });
    if (lower == "localhost")
        return true;
    // A numeric loopback address (inet_pton: dotted quad without leading zeros, any IPv6 form):
    // 127.0.0.0/8, ::1, ::ffff:127.x.y.z. Any other name goes to the resolver: not local.
    in_addr v4{};
    if (inet_pton(AF_INET, lower.c_str(), &v4) == 1)
        return (ntohl(v4.s_addr) >> 24) == 127;
    in6_addr v6{};
    if (inet_pton(AF_INET6, lower.c_str(), &v6) == 1)
        return IN6_IS_ADDR_LOOPBACK(&v6) || (IN6_IS_ADDR_V4MAPPED(&v6) && v6.s6_addr[12] == 127);
    return false;
}

// "host:port" or "[v6]:port" → host.
std::string_view hostOf(std::string_view hostSpec)
{
    if (!hostSpec.empty() && hostSpec.front() == '[') {
        const auto close = hostSpec.find(']');
        return close == std::string_view::npos ? hostSpec : hostSpec.substr(0, close + 1);
    }
    return hostSpec.substr(0, hostSpec.find(':'));
}

void splitInto(std::string_view list, std::vector<std::string> &hosts, bool portsAttached)
{
    std::size_t start = 0;
    while (start <= list.size()) {
        std::size_t end = list.find(',', start);
        if (end == std::string_view::npos)
            end = list.size();
        const std::string_view item = list.substr(start, end - start);
        hosts.push_back(percentDecoded(portsAttached ? hostOf(item) : item));
        start = end + 1;
    }
}

} // namespace

std::optional<std::string> databaseTransportProblem(std::string_view location)
{
    if (!isPostgresUrl(location))
        return std::nullopt;
    // The URI as libpq reads it: [user[:password]@]hostspec[,hostspec…][/dbname][?key=value&…].
    const std::size_t start = location.find("://") + 3;
    const std::size_t question = location.find('?', start);
    const std::string_view beforeQuery =
        location.substr(start, question == std::string_view::npos ? std::string_view::npos : question - start);
    std::string_view authority = beforeQuery.substr(0, beforeQuery.find('/'));
    if (const auto at = authority.rfind('@'); at != std::string_view::npos)
        authority.remove_prefix(at + 1);
    std::vector<std::string> hosts;
    splitInto(authority, hosts, true);
    const bool uriHasHost = std::any_of(hosts.begin(), hosts.end(), [](const std::string &host) { return !host.empty(); });
    bool hostParameter = false, hostaddrParameter = false;
    std::string service;
    std::string sslmode;
    if (question != std::string_view::npos) {
        std::string_view rest = location.substr(question + 1);
        while (!rest.empty()) {
            const auto amp = rest.find('&');
            const std::string_view pair = rest.substr(0, amp);
            rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
            const auto equals = pair.find('=');
            if (equals == std::string_view::npos)
                continue;
            const std::string key = percentDecoded(pair.substr(0, equals));
            const std::string_view value = pair.substr(equals + 1);
            if (key == "host" || key == "hostaddr") {
                if (key == "host")
                    hosts.clear(); // host= replaces the URI's hosts
                (key == "host" ? hostParameter : hostaddrParameter) = true;
                splitInto(percentDecoded(value), hosts, false);
            } else if (key == "sslmode") {
                sslmode = percentDecoded(value);
            } else if (key == "service") {
                service = percentDecoded(value);
            }
        }
    }
    // What libpq takes from the environment when the URI leaves it open: PGHOST without a host in
    // the URI, PGHOSTADDR without hostaddr=, and a service file entry (its host is not ours to
    // read: a service counts as another host).
    const auto environment = [](const char *name) {
        const char *value = std::getenv(name);
        return value ? std::string(value) : std::string();
    };
    if (!uriHasHost && !hostParameter && !environment("PGHOST").empty())
        splitInto(environment("PGHOST"), hosts, false);
    if (!hostaddrParameter && !environment("PGHOSTADDR").empty())
        hosts.push_back(environment("PGHOSTADDR"));
    if (service.empty())
        service = environment("PGSERVICE");
    if (!service.empty())
        hosts.push_back("service " + service);
    const auto remote = std::find_if(hosts.begin(), hosts.end(), [](const std::string &host) {
        return !isLocalHost(host);
    });
    if (remote == hosts.end() || sslmode == "verify-full")
        return std::nullopt;
    std::string host = *remote;
    if (host.size() > 64)
        host = host.substr(0, 64) + "…";
    return "database: PostgreSQL on '" + host +
           "' must be reached over TLS with its certificate checked: add sslmode=verify-full to the URI "
           "(and sslrootcert=<CA file> unless ~/.postgresql/root.crt signs it)" +
           (sslmode.empty() ? std::string() : ", not sslmode=" + sslmode.substr(0, 16)) +
           "; only a loopback or Unix-socket database may go without (docs/server.md \"PostgreSQL\")";
}

} // namespace Server::App
