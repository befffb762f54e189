#include "tests/fault/faultproxy.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>

#include <array>
#include <chrono>
#include <cstdio>
#include <functional>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

namespace TestSupport {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using ErrorCode = boost::system::error_code;

namespace {
constexpr std::size_t chunkBytes = 16384;
constexpr auto closeGrace = std::chrono::milliseconds(200); // drain time after a graceful close
class Session;
} // namespace

struct FaultProxy::Impl
{
    Impl(std::string targetHost, std::uint16_t targetPortNumber, std::uint64_t seed)
        : host(std::move(targetHost))
        , targetPort(targetPortNumber)
        , rng(seed)
    {}

    // Set at construction or by start()/stop() only (the caller's thread).
    const std::string host;
    const std::uint16_t targetPort;
    std::unique_ptr<asio::io_context> context;
    std::unique_ptr<tcp::acceptor> acceptor;
    tcp::resolver::results_type targets;
    std::thread thread;

    // The I/O thread only.
    std::vector<std::weak_ptr<Session>> sessions;

    // Shared; under mutex.
    mutable std::mutex mutex;
    FaultPlan plan;
    Clock::time_point planSetAt = Clock::now();
    FaultCounters counters;
    std::mt19937_64 rng;
    std::uint16_t port = 0;
    std::size_t open = 0;

    void count(const std::function<void(FaultCounters &)> &change)
    {
        const std::lock_guard lock(mutex);
        change(counters);
    }
    // Flap: up now? When down, `downEnds` gets the end of the down phase.
    bool linkUp(Clock::time_point *downEnds = nullptr) const
    {
        const std::lock_guard lock(mutex);
        if (plan.mode != FaultMode::Flap)
            return true;
        const auto period = std::chrono::milliseconds(plan.flapPeriodMs);
        const auto phase = (Clock::now() - planSetAt) / period;
        if (phase % 2 == 0)
            return true;
        if (downEnds)
            *downEnds = planSetAt + (phase + 1) * period;
        return false;
    }
    int jitter(int maximum)
    {
        const std::lock_guard lock(mutex);
        return maximum > 0 ? std::uniform_int_distribution<int>(0, maximum)(rng) : 0;
    }
    void accept();
};

namespace {

enum Side { ClientSide = 0, ServerSide = 1 };

// One accepted connection and its upstream. Pump `from` reads side `from` and writes the other
// side; pump ClientSide carries the request (client→server), pump ServerSide the response.
class Session final : public std::enable_shared_from_this<Session>
{
public:
    Session(FaultProxy::Impl &impl, tcp::socket client, FaultPlan plan, bool faulty)
        : m_impl(impl)
        , m_sockets{std::move(client), tcp::socket(*impl.context)}
        , m_plan(plan)
        , m_faulty(faulty)
        , m_timer(*impl.context)
        , m_delays{asio::steady_timer(*impl.context), asio::steady_timer(*impl.context)}
    {
        const std::lock_guard lock(m_impl.mutex);
        ++m_impl.open;
    }
    ~Session()
    {
        const std::lock_guard lock(m_impl.mutex);
        --m_impl.open;
    }
    Session(const Session &) = delete;
    Session &operator=(const Session &) = delete;

    void begin()
    {
        const FaultMode mode = m_faulty ? m_plan.mode : FaultMode::Pass;
        if (mode == FaultMode::Drop) {
            m_impl.count([](FaultCounters &c) { ++c.drops; });
            closeNow();
            return;
        }
        if (mode == FaultMode::BlackHole) {
            blackHoleUntil(Clock::now() + std::chrono::milliseconds(m_plan.blackHoleMs));
            return;
        }
        Clock::time_point downEnds;
        if (mode == FaultMode::Flap && !m_impl.linkUp(&downEnds)) {
            blackHoleUntil(downEnds);
            return;
        }
        auto self = shared_from_this();
        asio::async_connect(m_sockets[ServerSide], m_impl.targets,
                            [self](const ErrorCode &error, const tcp::endpoint &) { self->connected(error); });
    }

    // Both sides closed at once (stop(), errors, the end of a drain).
    void closeNow()
    {
        m_closed = true;
        m_timer.cancel();
        for (auto &timer : m_delays)
            timer.cancel();
        for (auto &socket : m_sockets) {
            ErrorCode ignored;
            socket.close(ignored);
        }
    }

private:
    FaultMode mode() const { return m_faulty ? m_plan.mode : FaultMode::Pass; }
    static Side other(Side side) { return side == ClientSide ? ServerSide : ClientSide; }
    bool faultsIn(Side from) const
    {
        const FaultMode current = mode();
        if (current != FaultMode::Cut && current != FaultMode::Reset)
            return false;
        return (m_plan.direction == FaultDirection::ClientToServer) == (from == ClientSide);
    }

    void connected(const ErrorCode &error)
    {
        if (m_closed)
            return;
        if (error) {
            m_impl.count([](FaultCounters &c) { ++c.upstreamFailures; });
            closeNow();
            return;
        }
        m_impl.count([](FaultCounters &c) { ++c.upstreamConnected; });
        for (Side side : {ClientSide, ServerSide}) {
            if (faultsIn(side) && m_plan.afterBytes == 0) {
                applyFault();
                return;
            }
        }
        read(ClientSide);
        read(ServerSide);
    }

    void blackHoleUntil(Clock::time_point end)
    {
        if (m_blackHoled)
            return;
        m_impl.count([](FaultCounters &c) { ++c.blackHoles; });
        m_blackHoled = true;
        m_eof[ServerSide] = true; // nothing upstream (or no longer used)
        m_timer.expires_at(end);
        auto self = shared_from_this();
        m_timer.async_wait([self](const ErrorCode &error) {
            if (!error)
                self->closeGracefully();
        });
        for (Side side : {ClientSide, ServerSide})
            if (!m_reading[side])
                read(side);
    }

    void read(Side from)
    {
        if (m_closed || !m_sockets[from].is_open())
            return;
        m_reading[from] = true;
        auto self = shared_from_this();
        m_sockets[from].async_read_some(asio::buffer(m_buffers[from]),
                                        [self, from](const ErrorCode &error, std::size_t bytes) {
                                            self->m_reading[from] = false;
                                            self->received(from, error, bytes);
                                        });
    }

    void received(Side from, const ErrorCode &error, std::size_t bytes)
    {
        if (m_closed)
            return;
        if (error) {
            m_eof[from] = true;
            if (!m_draining && !m_blackHoled) {
                if (error != asio::error::eof) {
                    closeNow(); // a reset or error on one side ends the connection
                    return;
                }
                // A FIN: pass the half-close on and keep the other direction going.
                ErrorCode ignored;
                m_sockets[other(from)].shutdown(tcp::socket::shutdown_send, ignored);
            }
            if (m_eof[ClientSide] && m_eof[ServerSide])
                closeNow();
            return;
        }
        if (m_draining || m_blackHoled) {
            m_impl.count([bytes](FaultCounters &c) { c.discardedBytes += bytes; });
            read(from);
            return;
        }
        Clock::time_point downEnds;
        if (mode() == FaultMode::Flap && !m_impl.linkUp(&downEnds)) {
            m_impl.count([bytes](FaultCounters &c) { c.discardedBytes += bytes; });
            // The link went down under an open connection: both directions go quiet until the
            // end of the down phase, then the connection is closed.
            blackHoleUntil(downEnds);
            return;
        }
        std::size_t allowed = bytes;
        bool fault = false;
        if (faultsIn(from)) {
            const auto remaining = std::uint64_t(m_plan.afterBytes) - m_forwarded[from];
            if (bytes >= remaining) {
                allowed = std::size_t(remaining);
                fault = true;
            }
        }
        if (mode() == FaultMode::Delay) {
            const int wait = m_plan.delayMs + m_impl.jitter(m_plan.jitterMs);
            m_impl.count([first = !m_delayed](FaultCounters &c) {
                ++c.delayedChunks;
                if (first)
                    ++c.delayedConnections;
            });
            m_delayed = true;
            m_delays[from].expires_after(std::chrono::milliseconds(wait));
            auto self = shared_from_this();
            m_delays[from].async_wait([self, from, allowed, fault](const ErrorCode &waitError) {
                if (!waitError && !self->m_closed)
                    self->write(from, allowed, fault);
            });
            return;
        }
        write(from, allowed, fault);
    }

    void write(Side from, std::size_t bytes, bool fault)
    {
        if (m_draining) {
            read(from);
            return;
        }
        auto self = shared_from_this();
        asio::async_write(m_sockets[other(from)], asio::buffer(m_buffers[from].data(), bytes),
                          [self, from, fault](const ErrorCode &error, std::size_t written) {
                              self->m_forwarded[from] += written;
                              self->m_impl.count([from, written](FaultCounters &c) {
                                  (from == ClientSide ? c.bytesClientToServer : c.bytesServerToClient) += written;
                              });
                              if (self->m_closed)
                                  return;
                              if (error) {
                                  self->closeNow();
                                  return;
                              }
                              if (fault)
                                  self->applyFault();
                              else
                                  self->read(from);
                          });
    }

    void applyFault()
    {
        if (mode() == FaultMode::Reset) {
            m_impl.count([](FaultCounters &c) { ++c.resets; });
            for (auto &socket : m_sockets) {
                ErrorCode ignored;
                if (socket.is_open())
                    socket.set_option(asio::socket_base::linger(true, 0), ignored);
            }
            closeNow();
            return;
        }
        m_impl.count([](FaultCounters &c) { ++c.cuts; });
        closeGracefully();
    }

    // FIN to both sides, then read and discard until both answer with theirs (or closeGrace).
    void closeGracefully()
    {
        if (m_closed || m_draining)
            return;
        m_draining = true;
        for (auto &socket : m_sockets) {
            ErrorCode ignored;
            if (socket.is_open())
                socket.shutdown(tcp::socket::shutdown_send, ignored);
        }
        for (Side side : {ClientSide, ServerSide}) {
            if (!m_sockets[side].is_open())
                m_eof[side] = true;
            else if (!m_reading[side] && !m_eof[side])
                read(side);
        }
        if (m_eof[ClientSide] && m_eof[ServerSide]) {
            closeNow();
            return;
        }
        m_timer.cancel();
        m_timer.expires_after(closeGrace);
        auto self = shared_from_this();
        m_timer.async_wait([self](const ErrorCode &error) {
            if (!error)
                self->closeNow();
        });
    }

    FaultProxy::Impl &m_impl;
    std::array<tcp::socket, 2> m_sockets;
    const FaultPlan m_plan;
    const bool m_faulty;
    asio::steady_timer m_timer;
    std::array<asio::steady_timer, 2> m_delays;
    std::array<std::array<char, chunkBytes>, 2> m_buffers{};
    std::array<std::uint64_t, 2> m_forwarded{};
    std::array<bool, 2> m_eof{};
    std::array<bool, 2> m_reading{};
    bool m_closed = false;
    bool m_draining = false;
    bool m_blackHoled = false;
    bool m_delayed = false;
};

} // namespace

void FaultProxy::Impl::accept()
{
    acceptor->async_accept([this](const ErrorCode &error, tcp::socket socket) {
        if (error == asio::error::operation_aborted || !acceptor->is_open())
            return;
        if (!error) {
            FaultPlan current;
            bool faulty = true;
            {
                const std::lock_guard lock(mutex);
                ++counters.connections;
                current = plan;
                if (current.percent < 100)
                    faulty = std::uniform_int_distribution<int>(0, 99)(rng) < current.percent;
            }
            ErrorCode ignored;
            socket.set_option(tcp::no_delay(true), ignored);
            auto session = std::make_shared<Session>(*this, std::move(socket), current, faulty);
            std::erase_if(sessions, [](const std::weak_ptr<Session> &weak) { return weak.expired(); });
            sessions.push_back(session);
            session->begin();
        }
        accept();
    });
}

FaultProxy::FaultProxy(std::string targetHost, std::uint16_t targetPort, std::uint64_t seed)
    : m_impl(std::make_unique<Impl>(std::move(targetHost), targetPort, seed))
{}

FaultProxy::~FaultProxy()
{
    stop();
}

Common::Result<std::uint16_t> FaultProxy::start()
{
    Impl &impl = *m_impl;
    if (impl.thread.joinable())
        return Common::fail(Common::ErrorCode::InvalidInput, "fault proxy: already started");
    auto context = std::make_unique<asio::io_context>(1);
    ErrorCode error;
    tcp::resolver resolver(*context);
    auto targets = resolver.resolve(impl.host, std::to_string(impl.targetPort), error);
    if (error || targets.empty())
        return Common::fail(Common::ErrorCode::Io,
                            "fault proxy: target " + impl.host + " does not resolve: " + error.message());
    auto acceptor = std::make_unique<tcp::acceptor>(*context);
    const tcp::endpoint local(asio::ip::make_address_v4("127.0.0.1"), 0);
    acceptor->open(local.protocol(), error);
    if (!error)
        acceptor->bind(local, error);
    if (!error)
        acceptor->listen(asio::socket_base::max_listen_connections, error);
    if (error)
        return Common::fail(Common::ErrorCode::Io, "fault proxy: cannot listen on 127.0.0.1: " + error.message());
    const std::uint16_t port = acceptor->local_endpoint(error).port();
    if (error)
        return Common::fail(Common::ErrorCode::Io, "fault proxy: no local port: " + error.message());

    impl.context = std::move(context);
    impl.acceptor = std::move(acceptor);
    impl.targets = std::move(targets);
    {
        const std::lock_guard lock(impl.mutex);
        impl.port = port;
    }
    impl.accept();
    impl.thread = std::thread([&impl] {
        try {
            impl.context->run();
        } catch (const std::exception &exception) {
            std::fprintf(stderr, "fault proxy: I/O thread stopped: %s\n", exception.what());
        }
    });
    return port;
}

void FaultProxy::stop()
{
    Impl &impl = *m_impl;
    if (!impl.thread.joinable())
        return;
    asio::post(*impl.context, [&impl] {
        ErrorCode ignored;
        impl.acceptor->close(ignored);
        for (const auto &weak : impl.sessions)
            if (auto session = weak.lock())
                session->closeNow();
        impl.sessions.clear();
        impl.context->stop();
    });
    impl.thread.join();
    // Destroys what is still queued (the sessions' last handlers) before the acceptor and context.
    impl.acceptor.reset();
    impl.context.reset();
    const std::lock_guard lock(impl.mutex);
    impl.port = 0;
}

bool FaultProxy::isRunning() const
{
    return m_impl->thread.joinable();
}

std::uint16_t FaultProxy::port() const
{
    const std::lock_guard lock(m_impl->mutex);
    return m_impl->port;
}

Common::Result<void> FaultProxy::setPlan(const FaultPlan &plan)
{
    auto invalid = [](const char *field) {
        return Common::fail(Common::ErrorCode::InvalidInput, std::string("fault plan: ") + field + " out of range");
    };
    if (plan.afterBytes < 0)
        return invalid("afterBytes");
    if (plan.delayMs < 0)
        return invalid("delayMs");
    if (plan.jitterMs < 0)
        return invalid("jitterMs");
    if (plan.blackHoleMs < 0)
        return invalid("blackHoleMs");
    if (plan.flapPeriodMs < 1)
        return invalid("flapPeriodMs");
    if (plan.percent < 0 || plan.percent > 100)
        return invalid("percent");
    const std::lock_guard lock(m_impl->mutex);
    m_impl->plan = plan;
    m_impl->planSetAt = Clock::now();
    return {};
}

FaultPlan FaultProxy::plan() const
{
    const std::lock_guard lock(m_impl->mutex);
    return m_impl->plan;
}

FaultCounters FaultProxy::counters() const
{
    const std::lock_guard lock(m_impl->mutex);
    return m_impl->counters;
}

std::size_t FaultProxy::openConnections() const
{
    const std::lock_guard lock(m_impl->mutex);
    return m_impl->open;
}

bool FaultProxy::linkUp() const
{
    return m_impl->linkUp();
}

} // namespace TestSupport
