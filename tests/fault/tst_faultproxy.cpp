#include <QElapsedTimer>
#include <QTest>
#include <QThread>

#include <arpa/inet.h>
#include <cerrno>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

#include "tests/e2e/e2ehelpers.h"
#include "tests/fault/faultproxy.h"

// The fault-injecting proxy (tests/fault/faultproxy.h) against a plain TCP echo server on
// loopback, where every fault is observed byte for byte with POSIX sockets (EOF and
// ECONNRESET told apart), and against a real soko-server over TLS, where a sync push and pull
// go through it.
using namespace E2e;
using TestSupport::FaultCounters;
using TestSupport::FaultDirection;
using TestSupport::FaultMode;
using TestSupport::FaultPlan;
using TestSupport::FaultProxy;

Q_DECLARE_METATYPE(FaultDirection)

namespace {

int connectTo(std::uint16_t port)
{
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<const sockaddr *>(&address), sizeof address) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

bool sendAll(int fd, const QByteArray &bytes)
{
    qsizetype sent = 0;
    while (sent < bytes.size()) {
        const ssize_t written = ::send(fd, bytes.constData() + sent, std::size_t(bytes.size() - sent), MSG_NOSIGNAL);
        if (written <= 0)
            return false;
        sent += written;
    }
    return true;
}

struct ReadResult
{
    QByteArray data;
    bool eof = false;      // orderly close (FIN)
    int error = 0;         // errno of a failed recv (ECONNRESET for a reset)
    bool timedOut = false; // nothing more within the time
};

// Reads until `want` bytes arrived, the peer closed or reset, or `timeoutMs` passed.
ReadResult readUpTo(int fd, qsizetype want, int timeoutMs)
{
    ReadResult result;
    QElapsedTimer clock;
    clock.start();
    char buffer[4096];
    while (result.data.size() < want) {
        const qint64 left = timeoutMs - clock.elapsed();
        pollfd entry{fd, POLLIN, 0};
        if (left <= 0 || ::poll(&entry, 1, int(left)) == 0) {
            result.timedOut = true;
            return result;
        }
        const ssize_t got = ::recv(fd, buffer, sizeof buffer, 0);
        if (got == 0) {
            result.eof = true;
            return result;
        }
        if (got < 0) {
            if (errno == EINTR)
                continue;
            result.error = errno;
            return result;
        }
        result.data.append(buffer, qsizetype(got));
    }
    return result;
}

// A socket closed on scope exit.
struct Socket
{
    explicit Socket(int descriptor)
        : fd(descriptor)
    {}
    ~Socket()
    {
        if (fd >= 0)
            ::close(fd);
    }
    Socket(const Socket &) = delete;
    Socket &operator=(const Socket &) = delete;
    int fd;
};

QByteArray payload(int size)
{
    QByteArray bytes;
    bytes.reserve(size);
    for (int index = 0; index < size; ++index)
        bytes.append(char('a' + index % 26));
    return bytes;
}

// A plain TCP echo server on 127.0.0.1: one thread per connection, each echoing what it reads
// until EOF or an error, then noting how many bytes that connection received.
class EchoServer final
{
public:
    EchoServer() = default;
    EchoServer(const EchoServer &) = delete;
    EchoServer &operator=(const EchoServer &) = delete;
    ~EchoServer() { stop(); }

    bool start()
    {
        m_listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t length = sizeof address;
        if (m_listener < 0 || ::bind(m_listener, reinterpret_cast<const sockaddr *>(&address), sizeof address) != 0 ||
            ::listen(m_listener, 64) != 0 ||
            ::getsockname(m_listener, reinterpret_cast<sockaddr *>(&address), &length) != 0)
            return false;
        m_port = ntohs(address.sin_port);
        m_acceptor = std::thread([this] { acceptLoop(); });
        return true;
    }
    void stop()
    {
        m_stopping = true;
        if (m_acceptor.joinable())
            m_acceptor.join();
        for (auto &thread : m_connections)
            thread.join();
        m_connections.clear();
        if (m_listener >= 0)
            ::close(m_listener);
        m_listener = -1;
    }
    std::uint16_t port() const { return m_port; }
    int accepted() const { return m_accepted; }
    int active() const { return m_active; }
    // Bytes received by each connection that has ended, in the order they ended.
    std::vector<qint64> finished() const
    {
        const std::lock_guard lock(m_mutex);
        return m_finished;
    }

private:
    void acceptLoop()
    {
        while (!m_stopping) {
            pollfd entry{m_listener, POLLIN, 0};
            if (::poll(&entry, 1, 20) <= 0)
                continue;
            const int fd = ::accept4(m_listener, nullptr, nullptr, SOCK_CLOEXEC);
            if (fd < 0)
                continue;
            ++m_accepted;
            ++m_active;
            m_connections.emplace_back([this, fd] { echo(fd); });
        }
    }
    void echo(int fd)
    {
        qint64 received = 0;
        char buffer[4096];
        while (!m_stopping) {
            pollfd entry{fd, POLLIN, 0};
            if (::poll(&entry, 1, 20) <= 0)
                continue;
            const ssize_t got = ::recv(fd, buffer, sizeof buffer, 0);
            if (got <= 0)
                break;
            received += got;
            if (!sendAll(fd, QByteArray(buffer, qsizetype(got))))
                break;
        }
        ::close(fd);
        const std::lock_guard lock(m_mutex);
        m_finished.push_back(received);
        --m_active;
    }

    int m_listener = -1;
    std::uint16_t m_port = 0;
    std::atomic<bool> m_stopping{false};
    std::atomic<int> m_accepted{0};
    std::atomic<int> m_active{0}; // connections accepted and not yet ended
    std::thread m_acceptor;
    std::vector<std::thread> m_connections; // the acceptor thread only, then stop()
    mutable std::mutex m_mutex;
    std::vector<qint64> m_finished;
};

// One request/answer exchange of `size` bytes through the proxy; true when echoed in full.
bool exchange(std::uint16_t port, int size, int timeoutMs)
{
    Socket client(connectTo(port));
    const QByteArray bytes = payload(size);
    if (client.fd < 0 || !sendAll(client.fd, bytes))
        return false;
    return readUpTo(client.fd, size, timeoutMs).data == bytes;
}

} // namespace

class TestFaultProxy : public QObject
{
    Q_OBJECT

private:
    EchoServer m_echo;
    ServerProcess m_server;
    QString m_admin;
    std::optional<Device> m_device;
    std::int64_t m_seq = 0;

    // Three receipts of `quantity` of `sku` into `location`, on the next seqs of m_device.
    std::vector<Protocol::PushOp> threeReceipts(int tag, const char *location, const char *sku, qint64 quantity = 1)
    {
        std::vector<Protocol::PushOp> ops;
        for (int index = 0; index < 3; ++index) {
            ++m_seq;
            ops.push_back(receiveOp(m_seq, opId(tag, int(m_seq)), quantity, location, sku));
        }
        return ops;
    }
    // POST /api/v1/sync/push as m_device through the proxy listening on `port`.
    HttpResult pushThrough(quint16 port, const std::vector<Protocol::PushOp> &ops)
    {
        return m_server.request(port, "POST", "/api/v1/sync/push", pushBody(*m_device, ops), {}, &*m_device, 20000);
    }

    std::unique_ptr<FaultProxy> startProxy(const FaultPlan &plan, std::uint64_t seed = 7)
    {
        auto proxy = std::make_unique<FaultProxy>("127.0.0.1", m_echo.port(), seed);
        auto port = proxy->start();
        if (!port) {
            qWarning("%s", port.error().message.c_str());
            return nullptr;
        }
        if (!proxy->setPlan(plan))
            return nullptr;
        return proxy;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_echo.start());
        QVERIFY(seedWorld(m_server, &m_admin));
        QVERIFY(m_server.start());
        m_device = m_server.enrollDevice(QStringLiteral("TKY1"), QStringLiteral("HT-FAULT"));
        QVERIFY(m_device);
    }

    void cleanupTestCase()
    {
        m_echo.stop();
        QVERIFY(m_server.stop());
        QCOMPARE(m_server.exitCode(), 0);
    }

    void passForwardsBothWaysAndCounts()
    {
        auto proxy = startProxy({});
        QVERIFY(proxy);
        QVERIFY(proxy->port() != 0);
        QVERIFY(exchange(proxy->port(), 100000, 5000)); // several chunks each way
        QTRY_COMPARE(proxy->counters().bytesServerToClient, std::uint64_t(100000));
        const FaultCounters counters = proxy->counters();
        QCOMPARE(counters.connections, std::uint64_t(1));
        QCOMPARE(counters.upstreamConnected, std::uint64_t(1));
        QCOMPARE(counters.bytesClientToServer, std::uint64_t(100000));
        QCOMPARE(counters.faults(), std::uint64_t(0));
        QTRY_COMPARE(proxy->openConnections(), std::size_t(0));
    }

    void planOutOfRangeIsRefused()
    {
        FaultProxy proxy("127.0.0.1", m_echo.port());
        const auto refused = proxy.setPlan({.percent = 101});
        QVERIFY(!refused);
        QVERIFY2(refused.error().message.find("percent") != std::string::npos, refused.error().message.c_str());
        QVERIFY(!proxy.setPlan({.afterBytes = -1}));
        QCOMPARE(int(proxy.plan().mode), int(FaultMode::Pass));
        QVERIFY(!FaultProxy("no-such-host.invalid", 1).start());
    }

    void delayHoldsEachChunk()
    {
        const FaultPlan plan{.mode = FaultMode::Delay, .delayMs = 150};
        auto proxy = startProxy(plan);
        QVERIFY(proxy);
        Socket client(connectTo(proxy->port()));
        QVERIFY(client.fd >= 0);
        QElapsedTimer clock;
        clock.start();
        QVERIFY(sendAll(client.fd, "ping"));
        const ReadResult echoed = readUpTo(client.fd, 4, 5000);
        const qint64 elapsed = clock.elapsed();
        QCOMPARE(echoed.data, QByteArray("ping"));
        // Held once on the way in and once on the way out.
        QVERIFY2(elapsed >= 2 * plan.delayMs, qPrintable(QString::number(elapsed)));
        const FaultCounters counters = proxy->counters();
        QCOMPARE(counters.delayedChunks, std::uint64_t(2));
        QCOMPARE(counters.delayedConnections, std::uint64_t(1));
    }

    void dropClosesWithoutUpstream()
    {
        const FaultPlan plan{.mode = FaultMode::Drop};
        auto proxy = startProxy(plan);
        QVERIFY(proxy);
        Socket client(connectTo(proxy->port()));
        QVERIFY(client.fd >= 0);
        const ReadResult result = readUpTo(client.fd, 1, 2000);
        QVERIFY(result.eof);
        QVERIFY(result.data.isEmpty());
        QTRY_COMPARE(proxy->counters().drops, std::uint64_t(1));
        // The proxy's own counter, not the echo server's accept count (an earlier test's
        // connection can be accepted late on a loaded machine).
        QCOMPARE(proxy->counters().upstreamConnected, std::uint64_t(0));
    }

    void cutAfterExactlyN_data()
    {
        QTest::addColumn<FaultDirection>("direction");
        QTest::addColumn<int>("afterBytes");
        QTest::newRow("mid-request") << FaultDirection::ClientToServer << 100;
        QTest::newRow("mid-response") << FaultDirection::ServerToClient << 100;
        QTest::newRow("mid-response, large") << FaultDirection::ServerToClient << 70001;
        QTest::newRow("response, nothing") << FaultDirection::ServerToClient << 0;
        QTest::newRow("request, nothing") << FaultDirection::ClientToServer << 0;
    }
    void cutAfterExactlyN()
    {
        QFETCH(FaultDirection, direction);
        QFETCH(int, afterBytes);
        const FaultPlan plan{.mode = FaultMode::Cut, .direction = direction, .afterBytes = afterBytes};
        auto proxy = startProxy(plan);
        QVERIFY(proxy);
        QTRY_COMPARE(m_echo.active(), 0); // earlier tests' connections have ended: the next one is ours
        const std::size_t finishedBefore = m_echo.finished().size();
        const QByteArray bytes = payload(100000);
        Socket client(connectTo(proxy->port()));
        QVERIFY(client.fd >= 0);
        sendAll(client.fd, bytes); // may fail once the proxy has cut
        const ReadResult result = readUpTo(client.fd, bytes.size(), 5000);
        QVERIFY2(result.eof,
                 qPrintable(QStringLiteral("error %1, timed out %2").arg(result.error).arg(result.timedOut)));
        QCOMPARE(result.data, bytes.left(result.data.size()));
        if (direction == FaultDirection::ServerToClient) {
            QCOMPARE(result.data.size(), qsizetype(afterBytes));
        } else {
            QVERIFY(result.data.size() <= afterBytes);
            // The server saw exactly the first afterBytes of the request, then a FIN.
            QTRY_COMPARE(m_echo.finished().size(), finishedBefore + 1);
            QCOMPARE(m_echo.finished().back(), qint64(afterBytes));
        }
        QTRY_COMPARE(proxy->counters().cuts, std::uint64_t(1));
        const FaultCounters counters = proxy->counters();
        QCOMPARE(direction == FaultDirection::ServerToClient ? counters.bytesServerToClient
                                                             : counters.bytesClientToServer,
                 std::uint64_t(afterBytes));
        QCOMPARE(counters.resets, std::uint64_t(0));
    }

    void resetIsSeenAsConnectionReset_data()
    {
        QTest::addColumn<FaultDirection>("direction");
        QTest::addColumn<int>("afterBytes");
        QTest::newRow("mid-request") << FaultDirection::ClientToServer << 50;
        QTest::newRow("mid-response") << FaultDirection::ServerToClient << 50;
        QTest::newRow("at once") << FaultDirection::ServerToClient << 0;
    }
    void resetIsSeenAsConnectionReset()
    {
        QFETCH(FaultDirection, direction);
        QFETCH(int, afterBytes);
        const FaultPlan plan{.mode = FaultMode::Reset, .direction = direction, .afterBytes = afterBytes};
        auto proxy = startProxy(plan);
        QVERIFY(proxy);
        const QByteArray bytes = payload(1000);
        Socket client(connectTo(proxy->port()));
        QVERIFY(client.fd >= 0);
        sendAll(client.fd, bytes);
        const ReadResult result = readUpTo(client.fd, bytes.size(), 5000);
        QVERIFY2(
            result.error == ECONNRESET,
            qPrintable(
                QStringLiteral("error %1, eof %2, got %3").arg(result.error).arg(result.eof).arg(result.data.size())));
        QVERIFY(result.data.size() <= afterBytes);
        QCOMPARE(result.data, bytes.left(result.data.size()));
        QTRY_COMPARE(proxy->counters().resets, std::uint64_t(1));
        QCOMPARE(proxy->counters().cuts, std::uint64_t(0));
    }

    void blackHoleTimesOutThenCloses()
    {
        const FaultPlan plan{.mode = FaultMode::BlackHole, .blackHoleMs = 600};
        auto proxy = startProxy(plan);
        QVERIFY(proxy);
        QElapsedTimer clock;
        clock.start();
        Socket client(connectTo(proxy->port()));
        QVERIFY(client.fd >= 0);
        QVERIFY(sendAll(client.fd, payload(100)));
        const ReadResult waiting = readUpTo(client.fd, 100, 300);
        QVERIFY(waiting.timedOut); // the client's own timeout fires: no answer, no close
        QVERIFY(waiting.data.isEmpty());
        const ReadResult closed = readUpTo(client.fd, 100, 3000);
        QVERIFY(closed.eof);
        QVERIFY(closed.data.isEmpty());
        QVERIFY2(clock.elapsed() >= plan.blackHoleMs - 20, qPrintable(QString::number(clock.elapsed())));
        const FaultCounters counters = proxy->counters();
        QCOMPARE(counters.blackHoles, std::uint64_t(1));
        QCOMPARE(counters.discardedBytes, std::uint64_t(100));
        QCOMPARE(counters.bytesClientToServer, std::uint64_t(0));
        // The proxy never connected upstream (its own counter: the echo server's accept count can
        // still move when an earlier test's connection is accepted late on a loaded machine).
        QCOMPARE(counters.upstreamConnected, std::uint64_t(0));
    }

    void flapAlternates()
    {
        const FaultPlan plan{.mode = FaultMode::Flap, .flapPeriodMs = 500};
        auto proxy = startProxy(plan);
        QVERIFY(proxy);
        QElapsedTimer clock;
        clock.start(); // just after setPlan(): the first phase is up
        QList<bool> expected;
        QList<bool> observed;
        for (int phase = 0; phase < 4; ++phase) {
            const qint64 probeAt = phase * plan.flapPeriodMs + 100;
            QThread::msleep(std::uint64_t(std::max<qint64>(0, probeAt - clock.elapsed())));
            expected << proxy->linkUp();
            observed << exchange(proxy->port(), 8, 250);
        }
        QCOMPARE(expected, (QList<bool>{true, false, true, false}));
        QCOMPARE(observed, expected);
        QVERIFY(proxy->counters().blackHoles >= 2);
        QCOMPARE(proxy->counters().upstreamConnected, std::uint64_t(2));
    }

    void flapDownQuietsAnOpenConnection()
    {
        const FaultPlan plan{.mode = FaultMode::Flap, .flapPeriodMs = 300};
        auto proxy = startProxy(plan);
        QVERIFY(proxy);
        Socket client(connectTo(proxy->port()));
        QVERIFY(client.fd >= 0);
        QVERIFY(sendAll(client.fd, "up"));
        QCOMPARE(readUpTo(client.fd, 2, 250).data, QByteArray("up"));
        QTRY_VERIFY_WITH_TIMEOUT(!proxy->linkUp(), 1000);
        QVERIFY(sendAll(client.fd, "down"));
        const ReadResult result = readUpTo(client.fd, 4, 2000);
        QVERIFY(result.eof); // nothing came back, and the connection closed when the phase ended
        QVERIFY(result.data.isEmpty());
        QCOMPARE(proxy->counters().blackHoles, std::uint64_t(1));
    }

    void seededChoiceRepeats()
    {
        const FaultPlan plan{.mode = FaultMode::Drop, .percent = 50};
        QList<bool> runs[2];
        for (auto &run : runs) {
            auto proxy = startProxy(plan, 42);
            QVERIFY(proxy);
            for (int index = 0; index < 16; ++index)
                run << exchange(proxy->port(), 4, 2000);
            QCOMPARE(proxy->counters().drops, std::uint64_t(run.count(false)));
        }
        QCOMPARE(runs[0], runs[1]);
        QVERIFY(runs[0].contains(true) && runs[0].contains(false));
    }

    void stopWithOpenConnectionsIsPrompt()
    {
        auto proxy = startProxy({});
        QVERIFY(proxy);
        std::vector<std::unique_ptr<Socket>> clients;
        for (int index = 0; index < 3; ++index) {
            clients.push_back(std::make_unique<Socket>(connectTo(proxy->port())));
            QVERIFY(sendAll(clients.back()->fd, "open"));
            QCOMPARE(readUpTo(clients.back()->fd, 4, 2000).data, QByteArray("open"));
        }
        FaultPlan hole;
        hole.mode = FaultMode::BlackHole;
        hole.blackHoleMs = 30000;
        QVERIFY(proxy->setPlan(hole));
        clients.push_back(std::make_unique<Socket>(connectTo(proxy->port())));
        QVERIFY(sendAll(clients.back()->fd, "held"));
        QTRY_COMPARE(proxy->openConnections(), std::size_t(4));

        QElapsedTimer clock;
        clock.start();
        proxy->stop();
        QVERIFY2(clock.elapsed() < 1000, qPrintable(QString::number(clock.elapsed())));
        QVERIFY(!proxy->isRunning());
        QCOMPARE(proxy->port(), std::uint16_t(0));
        QCOMPARE(proxy->openConnections(), std::size_t(0));
        for (const auto &client : clients) {
            const ReadResult result = readUpTo(client->fd, 1, 2000);
            QVERIFY(!result.timedOut);
            QVERIFY(result.data.isEmpty());
        }
        // And it starts again, on a new port, with the counters going on.
        QVERIFY(proxy->setPlan({}));
        QVERIFY(proxy->start());
        QVERIFY(exchange(proxy->port(), 10, 2000));
        QCOMPARE(proxy->counters().connections, std::uint64_t(5));
    }

    void realSyncPushAndPullThroughTheProxy()
    {
        FaultProxy proxy("127.0.0.1", m_server.devicesPort(), 3);
        const auto port = proxy.start();
        QVERIFY(port);
        const auto ops = threeReceipts(90, "A-1", "S1", 2);
        const PushOutcome pushed = readPush(pushThrough(*port, ops));
        QVERIFY2(pushed.response, pushed.http.body.constData());
        QCOMPARE(pushed.response->lastApplied, m_seq);
        QCOMPARE(pushed.response->results.size(), std::size_t(3));
        for (const auto &result : pushed.response->results)
            QCOMPARE(int(result.outcome), int(Protocol::OperationOutcome::Applied));
        QCOMPARE(balance(m_server, m_admin, "S1", "A-1"), std::optional<qint64>(6));

        const HttpResult page = m_server.request(*port, "GET", "/api/v1/sync/pull?cursor=0", {}, {}, &*m_device, 20000);
        QCOMPARE(page.status, 200);
        const auto decoded = Protocol::decodePullResponse(page.body.toStdString());
        QVERIFY2(decoded, page.body.left(300).constData());
        bool sawStock = false;
        for (const auto &change : decoded->changes)
            sawStock = sawStock || (change.entity == "stock" && change.key == "S1|A-1|");
        QVERIFY(sawStock);

        const FaultCounters counters = proxy.counters();
        QCOMPARE(counters.connections, std::uint64_t(2));
        QCOMPARE(counters.upstreamConnected, std::uint64_t(2));
        QVERIFY(counters.bytesClientToServer > std::uint64_t(pushBody(*m_device, ops).size()));
        QVERIFY(counters.bytesServerToClient > std::uint64_t(page.body.size()));
        QCOMPARE(counters.faults(), std::uint64_t(0));
    }

    void realPushWithResponseCutIsAppliedOnceOnResend()
    {
        // The proxy cuts the TLS stream a few bytes before the end of the server's answer: the
        // server has committed, the terminal never learns it. The resend is answered from the
        // stored results and nothing is applied twice.
        FaultProxy proxy("127.0.0.1", m_server.devicesPort(), 4);
        const auto port = proxy.start();
        QVERIFY(port);
        auto batch = [this](int tag) { return threeReceipts(tag, "A-2", "S1"); };
        // A first batch in pass mode measures how many bytes such an exchange sends back.
        const auto measured = batch(91);
        QVERIFY(readPush(pushThrough(*port, measured)).response);
        const std::uint64_t answerBytes = proxy.counters().bytesServerToClient;
        QVERIFY(answerBytes > 100);

        const auto ops = batch(92);
        const FaultPlan plan{.mode = FaultMode::Cut,
                             .direction = FaultDirection::ServerToClient,
                             .afterBytes = std::int64_t(answerBytes) - 60};
        QVERIFY(proxy.setPlan(plan));
        const HttpResult lost = pushThrough(*port, ops);
        QCOMPARE(lost.status, 0);
        QCOMPARE(proxy.counters().cuts, std::uint64_t(1));
        QTRY_COMPARE(balance(m_server, m_admin, "S1", "A-2"), std::optional<qint64>(6));

        QVERIFY(proxy.setPlan({}));
        const PushOutcome resent = readPush(pushThrough(*port, ops));
        QVERIFY2(resent.response, resent.http.body.constData());
        QCOMPARE(resent.response->lastApplied, m_seq);
        QCOMPARE(resent.response->results.size(), std::size_t(3));
        for (std::size_t index = 0; index < ops.size(); ++index)
            QCOMPARE(resent.response->results[index].opId, ops[index].opId);
        QCOMPARE(balance(m_server, m_admin, "S1", "A-2"), std::optional<qint64>(6));
    }

    void realPushWithRequestResetIsNotAppliedUntilResent()
    {
        // The link resets while the push is still going up: the server never has the whole
        // request, applies nothing, and the resend through a healthy link applies it once.
        FaultProxy proxy("127.0.0.1", m_server.devicesPort(), 5);
        const auto port = proxy.start();
        QVERIFY(port);
        auto batch = [this](int tag) { return threeReceipts(tag, "DOCK", "S2"); };
        QVERIFY(readPush(pushThrough(*port, batch(93))).response);
        const std::uint64_t requestBytes = proxy.counters().bytesClientToServer;
        QCOMPARE(balance(m_server, m_admin, "S2", "DOCK"), std::optional<qint64>(3));

        const auto ops = batch(94);
        const FaultPlan plan{.mode = FaultMode::Reset,
                             .direction = FaultDirection::ClientToServer,
                             .afterBytes = std::int64_t(requestBytes) - 100};
        QVERIFY(proxy.setPlan(plan));
        const HttpResult lost = pushThrough(*port, ops);
        QCOMPARE(lost.status, 0);
        QTRY_COMPARE(proxy.counters().resets, std::uint64_t(1));
        QCOMPARE(balance(m_server, m_admin, "S2", "DOCK"), std::optional<qint64>(3));

        QVERIFY(proxy.setPlan({}));
        const PushOutcome resent = readPush(pushThrough(*port, ops));
        QVERIFY2(resent.response, resent.http.body.constData());
        QCOMPARE(resent.response->lastApplied, m_seq);
        for (const auto &result : resent.response->results)
            QCOMPARE(int(result.outcome), int(Protocol::OperationOutcome::Applied));
        QCOMPARE(balance(m_server, m_admin, "S2", "DOCK"), std::optional<qint64>(6));
    }

    void delayWithJitterHoldsAtLeastTheDelay()
    {
        // Jitter adds 0…J to each chunk's delay (drawn from the seeded RNG; timing cannot show
        // which value was drawn, so only the lower bound is checked), on two seeds.
        const FaultPlan plan{.mode = FaultMode::Delay, .delayMs = 40, .jitterMs = 60};
        for (std::uint64_t seed : {11U, 12U}) {
            auto proxy = startProxy(plan, seed);
            QVERIFY(proxy);
            QElapsedTimer clock;
            clock.start();
            QVERIFY(exchange(proxy->port(), 16, 5000));
            const qint64 elapsed = clock.elapsed();
            QVERIFY2(elapsed >= 2 * plan.delayMs, qPrintable(QString::number(elapsed)));
            QCOMPARE(proxy->counters().delayedChunks, std::uint64_t(2));
        }
    }
};

QTEST_GUILESS_MAIN(TestFaultProxy)
#include "tst_faultproxy.moc"
