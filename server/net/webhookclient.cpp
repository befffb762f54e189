#include "server/net/webhookclient.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <exception>
#include <fstream>
#include <memory>
#include <string>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/url/parse.hpp>

#include <openssl/ssl.h>
#include <openssl/x509v3.h>

namespace Server::Net {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using Common::ErrorCode;
using Clock = std::chrono::steady_clock;

constexpr auto s_tuple = asio::as_tuple(asio::use_awaitable);

// Where a checked URL points. `host` is the name or the IP without brackets.
struct Target
{
    std::string host;
    bool hostIsIp = false;
    std::uint16_t port = 443;
    std::string requestTarget; // origin-form: path and query, percent-encoded as given
    std::string hostHeader;
};

std::string lowerCase(std::string_view text)
{
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    return out;
}

bool isAllowed(std::string_view host, const std::vector<std::string> &allowHosts)
{
    const std::string wanted = lowerCase(host);
    return std::any_of(allowHosts.begin(), allowHosts.end(),
                       [&](const std::string &allowed) { return lowerCase(allowed) == wanted; });
}

bool isPublicV4(const asio::ip::address_v4::bytes_type &b)
{
    const std::uint32_t value =
        (std::uint32_t(b[0]) << 24) | (std::uint32_t(b[1]) << 16) | (std::uint32_t(b[2]) << 8) | std::uint32_t(b[3]);
    struct Range
    {
        std::uint32_t network;
        unsigned prefix;
    };
    constexpr auto net = [](unsigned a, unsigned b1, unsigned c, unsigned prefix) {
        return Range{(std::uint32_t(a) << 24) | (std::uint32_t(b1) << 16) | (std::uint32_t(c) << 8), prefix};
    };
    static constexpr std::array<Range, 15> refused{{
        net(0, 0, 0, 8),       // "this network", unspecified
        net(10, 0, 0, 8),      // RFC 1918
        net(100, 64, 0, 10),   // CGNAT (RFC 6598)
        net(127, 0, 0, 8),     // loopback
        net(169, 254, 0, 16),  // link-local, cloud metadata
        net(172, 16, 0, 12),   // RFC 1918
        net(192, 0, 0, 24),    // IETF protocol assignments
        net(192, 0, 2, 24),    // TEST-NET-1
        net(192, 88, 99, 24),  // 6to4 relay anycast
        net(192, 168, 0, 16),  // RFC 1918
        net(198, 18, 0, 15),   // benchmarking
        net(198, 51, 100, 24), // TEST-NET-2
        net(203, 0, 113, 24),  // TEST-NET-3
        net(224, 0, 0, 4),     // multicast
        net(240, 0, 0, 4),     // reserved, broadcast
    }};
    return std::none_of(refused.begin(), refused.end(), [&](const Range &range) {
        const std::uint32_t mask = ~std::uint32_t(0) << (32 - range.prefix);
        return (value & mask) == (range.network & mask);
    });
}

bool isPublic(const asio::ip::address &address)
{
    if (address.is_v4())
        return isPublicV4(address.to_v4().to_bytes());
    const asio::ip::address_v6 v6 = address.to_v6();
    const auto b = v6.to_bytes();
    if (v6.is_v4_mapped()) // ::ffff:a.b.c.d
        return isPublicV4({b[12], b[13], b[14], b[15]});
    // NAT64 64:ff9b::/96 carries an IPv4 address in its last 32 bits.
    static constexpr std::array<unsigned char, 12> nat64{0x00, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0};
    if (std::equal(nat64.begin(), nat64.end(), b.begin()))
        return isPublicV4({b[12], b[13], b[14], b[15]});
    if (v6.is_unspecified() || v6.is_loopback() || v6.is_multicast() || v6.is_link_local() || v6.is_site_local())
        return false;
    if ((b[0] & 0xfe) == 0xfc) // unique local fc00::/7
        return false;
    if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8) // documentation 2001:db8::/32
        return false;
    if (b[0] == 0x01 && b[1] == 0x00 && b[2] == 0 && b[3] == 0 && b[4] == 0 && b[5] == 0 && b[6] == 0 && b[7] == 0)
        return false; // discard 100::/64
    const bool compatibleV4 = std::all_of(b.begin(), b.begin() + 12, [](unsigned char c) { return c == 0; });
    return !compatibleV4; // deprecated ::a.b.c.d
}

Common::Result<Target> parseTarget(std::string_view url, const std::vector<std::string> &allowHosts)
{
    const auto refuse = [](std::string reason) {
        return Common::fail(ErrorCode::InvalidInput, "webhook URL " + std::move(reason));
    };
    if (url.size() > 2048)
        return refuse("is longer than 2048 characters");
    auto parsed = boost::urls::parse_absolute_uri(boost::urls::string_view(url.data(), url.size()));
    if (!parsed)
        return refuse("is not an absolute URL");
    const boost::urls::url_view &view = *parsed;
    if (lowerCase(std::string_view(view.scheme().data(), view.scheme().size())) != "https")
        return refuse("must use https");
    if (view.has_userinfo())
        return refuse("must not contain user information");
    Target target;
    switch (view.host_type()) {
    case boost::urls::host_type::ipv4:
    case boost::urls::host_type::ipv6:
        target.host = view.host_address();
        target.hostIsIp = true;
        break;
    case boost::urls::host_type::name: {
        target.host = lowerCase(view.host_name());
        // The resolver reads "127.1", "2130706433" or "0x7f000001" as IPv4 addresses (inet_aton
        // forms) that the checks below would not see as addresses; no real top-level domain is
        // numeric (RFC 3696 §2), so such a name is refused.
        const std::string_view lastLabel = std::string_view(target.host).substr(target.host.rfind('.') + 1);
        if (lastLabel.empty() || lastLabel.find_first_not_of("0123456789") == std::string_view::npos ||
            lastLabel.starts_with("0x"))
            return refuse("has a numeric host that is not a plain a.b.c.d address; write the address as a.b.c.d "
                          "or use a host name");
        break;
    }
    default:
        return refuse("has no usable host");
    }
    if (target.host.empty())
        return refuse("has no host");
    if (view.has_port()) {
        const auto port = view.port();
        if (port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != boost::urls::string_view::npos ||
            std::stoul(std::string(port.data(), port.size())) > 65535 || view.port_number() == 0)
            return refuse("has an invalid port");
        target.port = view.port_number();
    }
    const bool allowed = isAllowed(target.host, allowHosts);
    if (!allowed) {
        if (target.hostIsIp && !isPublicAddress(target.host))
            return refuse("points to a non-public address (loopback, private, link-local or reserved); "
                          "list the host in alert_webhook_allow_hosts if that is intended");
        if (target.host == "localhost" || target.host.ends_with(".localhost"))
            return refuse("points to localhost; list it in alert_webhook_allow_hosts if that is intended");
    }
    const auto path = view.encoded_path();
    target.requestTarget = path.empty() ? "/" : std::string(path.data(), path.size());
    if (view.has_query()) {
        const auto query = view.encoded_query();
        target.requestTarget += "?" + std::string(query.data(), query.size());
    }
    const std::string hostText =
        view.host_type() == boost::urls::host_type::ipv6 ? "[" + target.host + "]" : target.host;
    target.hostHeader = target.port == 443 ? hostText : hostText + ":" + std::to_string(target.port);
    return target;
}

std::optional<std::chrono::seconds> parseRetryAfter(std::string_view value)
{
    // delta-seconds only (RFC 9110 §10.2.3); an HTTP-date falls back to our own back-off.
    if (value.empty() || value.size() > 6 || value.find_first_not_of("0123456789") != std::string_view::npos)
        return std::nullopt;
    return std::chrono::seconds(std::stol(std::string(value)));
}

Common::Error ioFailure(std::string_view step, const boost::system::error_code &error)
{
    if (error == asio::error::operation_aborted || error == beast::error::timeout)
        return Common::Error::make(ErrorCode::Io, "webhook " + std::string(step) + " timed out");
    return Common::Error::make(ErrorCode::Io, "webhook " + std::string(step) + " failed: " + error.message());
}

struct Exchange
{
    ssl::context *context = nullptr;
    Target target;
    std::vector<std::string> allowHosts;
    std::string body;
    Clock::time_point connectDeadline;
    Clock::time_point deadline;
    std::size_t maxResponseBytes = 0;
};

// One request on a fresh connection. A named coroutine taking its state by value (STYLE.md §5).
// g++ 12 at -O1 reports -Wmismatched-new-delete for this coroutine frame, although Asio's
// awaitable_frame_base allocates and frees it with its own matching operator new/delete (a false
// positive of g++'s coroutine lowering), hence the pragma around this one function.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
asio::awaitable<Common::Result<WebhookResponse>> exchange(Exchange job)
{
    const auto executor = co_await asio::this_coro::executor;

    // Resolve (names only), then check every address before connecting to any of them, so a
    // name cannot smuggle us to a private address (R34), and connect only to what was checked.
    std::vector<tcp::endpoint> endpoints;
    if (job.target.hostIsIp) {
        endpoints.emplace_back(asio::ip::make_address(job.target.host), job.target.port);
    } else {
        // The guard may fire after the resolver finished: it shares ownership instead of
        // holding a reference into this frame.
        const auto resolver = std::make_shared<tcp::resolver>(executor);
        asio::steady_timer guard(executor);
        guard.expires_at(job.connectDeadline);
        guard.async_wait([resolver](const boost::system::error_code &error) {
            if (!error)
                resolver->cancel();
        });
        auto [error, results] =
            co_await resolver->async_resolve(job.target.host, std::to_string(job.target.port), s_tuple);
        guard.cancel();
        if (error)
            co_return tl::unexpected(ioFailure("name resolution", error));
        const bool allowed = isAllowed(job.target.host, job.allowHosts);
        for (const auto &entry : results) {
            if (!allowed && !isPublic(entry.endpoint().address()))
                co_return Common::fail(ErrorCode::InvalidInput,
                                       "webhook host resolves to a non-public address; list it in "
                                       "alert_webhook_allow_hosts if that is intended");
            endpoints.push_back(entry.endpoint());
        }
        if (endpoints.empty())
            co_return Common::fail(ErrorCode::Io, "webhook name resolution returned no address");
    }

    beast::ssl_stream<beast::tcp_stream> stream(executor, *job.context);
    SSL *ssl = stream.native_handle();
    if (job.target.hostIsIp) {
        if (X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), job.target.host.c_str()) != 1)
            co_return Common::fail(ErrorCode::Io, "webhook TLS setup failed (IP check)");
    } else {
        // SNI, and the certificate must name this host (RFC 6125 via OpenSSL's X509_check_host).
        // SSL_set_tlsext_host_name is a macro with a C cast; this is its expansion.
        if (SSL_ctrl(ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
                     static_cast<void *>(job.target.host.data())) != 1 ||
            SSL_set1_host(ssl, job.target.host.c_str()) != 1)
            co_return Common::fail(ErrorCode::Io, "webhook TLS setup failed (host name)");
    }

    auto &socket = beast::get_lowest_layer(stream);
    socket.expires_at(std::min(job.connectDeadline, job.deadline));
    if (auto [error, endpoint] = co_await socket.async_connect(endpoints, s_tuple); error)
        co_return tl::unexpected(ioFailure("connect", error));
    socket.expires_at(job.deadline);
    if (auto [error] = co_await stream.async_handshake(ssl::stream_base::client, s_tuple); error)
        co_return tl::unexpected(ioFailure("TLS handshake", error));

    http::request<http::string_body> request{http::verb::post, job.target.requestTarget, 11};
    request.set(http::field::host, job.target.hostHeader);
    request.set(http::field::user_agent, "soko-server");
    request.set(http::field::content_type, "application/json");
    request.set(http::field::connection, "close");
    request.body() = std::move(job.body);
    request.prepare_payload();
    if (auto [error, written] = co_await http::async_write(stream, request, s_tuple); error)
        co_return tl::unexpected(ioFailure("request", error));

    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.header_limit(8 * 1024);
    parser.body_limit(job.maxResponseBytes);
    if (auto [error, read] = co_await http::async_read(stream, buffer, parser, s_tuple); error)
        co_return tl::unexpected(ioFailure("response", error));
    const auto &response = parser.get();
    WebhookResponse out;
    out.status = static_cast<int>(response.result_int());
    out.body = response.body();
    if (const auto found = response.find(http::field::retry_after); found != response.end())
        out.retryAfter = parseRetryAfter(std::string_view(found->value().data(), found->value().size()));
    boost::system::error_code ignored;
    socket.socket().shutdown(tcp::socket::shutdown_both, ignored);
    co_return out;
}
#pragma GCC diagnostic pop

} // namespace

bool isPublicAddress(std::string_view address)
{
    boost::system::error_code error;
    const auto parsed = asio::ip::make_address(std::string(address), error);
    return !error && isPublic(parsed);
}

Common::Result<void> checkWebhookUrl(std::string_view url, const std::vector<std::string> &allowHosts)
{
    auto target = parseTarget(url, allowHosts);
    if (!target)
        return tl::unexpected(target.error());
    return {};
}

Common::Result<WebhookClient> WebhookClient::create(WebhookConfig config)
{
    if (auto checked = checkWebhookUrl(config.url, config.allowHosts); !checked)
        return tl::unexpected(checked.error());
    if (!config.caFile.empty() && !std::ifstream(config.caFile).good())
        return Common::fail(ErrorCode::Io, "cannot read the webhook CA file " + config.caFile);
    return WebhookClient(std::move(config));
}

Common::Result<WebhookResponse> WebhookClient::post(std::string_view json) const
{
    auto target = parseTarget(m_config.url, m_config.allowHosts);
    if (!target)
        return tl::unexpected(target.error());
    try {
        ssl::context context(ssl::context::tls_client);
        context.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                            ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 | ssl::context::no_compression);
        SSL_CTX_set_min_proto_version(context.native_handle(), TLS1_2_VERSION);
        boost::system::error_code error;
        if (m_config.caFile.empty())
            context.set_default_verify_paths(error);
        else
            context.load_verify_file(m_config.caFile, error);
        if (error)
            return Common::fail(ErrorCode::Io, "webhook trust store: " + error.message());
        context.set_verify_mode(ssl::verify_peer);

        const auto start = Clock::now();
        Exchange job;
        job.context = &context;
        job.target = std::move(*target);
        job.allowHosts = m_config.allowHosts;
        job.body = std::string(json);
        job.connectDeadline = start + m_config.connectTimeout;
        job.deadline = start + m_config.totalTimeout;
        job.maxResponseBytes = m_config.maxResponseBytes;

        asio::io_context io;
        Common::Result<WebhookResponse> result = Common::fail(ErrorCode::Io, "webhook request did not finish");
        asio::co_spawn(io, exchange(std::move(job)),
                       [&result](std::exception_ptr failure, Common::Result<WebhookResponse> value) {
                           if (!failure) {
                               result = std::move(value);
                               return;
                           }
                           try {
                               std::rethrow_exception(failure);
                           } catch (const std::exception &exception) {
                               result = Common::fail(ErrorCode::Io, std::string("webhook: ") + exception.what());
                           } catch (...) {
                               result = Common::fail(ErrorCode::Io, "webhook: unexpected failure");
                           }
                       });
        io.run();
        return result;
    } catch (const std::exception &exception) {
        return Common::fail(ErrorCode::Io, std::string("webhook: ") + exception.what());
    }
}

} // namespace Server::Net
