// Sync over real TLS against a real soko-server process (tests/support/serverprocess: `init`,
// enrollment with client certificates, `run` on 127.0.0.1). One thread, Qt's asynchronous
// QSslSocket, HTTP/1.1 keep-alive; every terminal is an enrolled device with its own certificate.
//
//   sync_bench tls  [rounds=3] [ops=20000] [changes=100000] [output=<source>/bench/results/sync_tls.json]
//     push: one terminal pushes `ops` receive operations in batches of 500 on one connection
//           (the figure set against PouchDB replication, bench/pouchdb);
//     pull: `changes` SKUs imported (`soko-server import skus`), a fresh terminal catches up from
//           cursor 0 with pages of 1000 and of 5000 (limit=).
//   sync_bench load [seconds=10] [counts=10,100,1000] [output=<source>/bench/results/load.json]
//     N terminals at once (N from counts), each starting a round every second (push 10 ops, then
//     pull from its cursor with limit 1000; a late round is followed at once by the next; the
//     server's per-device limit is 240 requests a minute), so N × 10 ops/s are offered; for
//     `seconds` after all are connected and a 2 s warm-up:
//     sustained ops/s, request latency p50/p99 (push and pull), server VmRSS/VmHWM and CPU
//     (utime+stime from /proc/<pid>/stat). Then a connection storm: every connection of the
//     largest N is aborted and all reconnect at once (TLS handshake + one pull): time until all
//     succeed and the failures on the way (a failed one retries after 100 ms).
// The server runs with its defaults except the connection limits (max_connections and
// max_connections_per_ip raised above N: every terminal comes from 127.0.0.1).
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QSslKey>
#include <QSslSocket>
#include <QTimer>
#include <QUuid>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <functional>
#include <memory>
#include <random>
#include <unistd.h>
#include <vector>

#include "common/crypto/pki.h"
#include "bench/benchmachine.h"
#include "bench/benchops.h"
#include "common/protocol/protocol.h"
#include "server/oms/adminservice.h"
#include "server/storage/storepool.h"
#include "tests/support/serverprocess.h"

namespace {

using TestSupport::Device;
using TestSupport::ServerProcess;

constexpr int s_roundMs = 1000;           // a load terminal's round period (push 10 ops + pull)
constexpr int s_requestTimeoutMs = 120000; // a connect or request without an answer by then failed

void check(bool ok, const char *what)
{
    if (!ok) {
        std::fprintf(stderr, "sync_bench: %s failed\n", what);
        std::exit(1);
    }
}

QString utcNow()
{
    const std::time_t now = std::time(nullptr);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
    return QString::fromLatin1(text);
}

double percentile(std::vector<double> values, double fraction)
{
    if (values.empty())
        return 0;
    std::sort(values.begin(), values.end());
    const auto index = static_cast<std::size_t>(fraction * static_cast<double>(values.size() - 1) + 0.5);
    return values[std::min(index, values.size() - 1)];
}

QJsonObject spread(std::vector<double> values)
{
    QJsonArray all;
    for (const double value : values)
        all.append(value);
    std::sort(values.begin(), values.end());
    return {{QStringLiteral("median"), values.empty() ? 0.0 : values[values.size() / 2]},
            {QStringLiteral("min"), values.empty() ? 0.0 : values.front()},
            {QStringLiteral("max"), values.empty() ? 0.0 : values.back()},
            {QStringLiteral("values"), all}};
}

struct ProcessSample
{
    double cpuSeconds = 0; // utime + stime
    double rssMib = 0;
    double hwmMib = 0;
};

ProcessSample sample(qint64 pid)
{
    ProcessSample out;
    QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
    if (stat.open(QIODevice::ReadOnly)) {
        const QByteArray text = stat.readAll();
        // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15.
        const QList<QByteArray> fields = text.mid(text.lastIndexOf(')') + 2).split(' ');
        if (fields.size() > 12)
            out.cpuSeconds = double(fields[11].toLongLong() + fields[12].toLongLong()) / double(sysconf(_SC_CLK_TCK));
    }
    QFile status(QStringLiteral("/proc/%1/status").arg(pid));
    if (status.open(QIODevice::ReadOnly)) {
        for (const QByteArray &line : status.readAll().split('\n')) {
            if (line.startsWith("VmRSS:"))
                out.rssMib = line.mid(6).trimmed().split(' ').first().toDouble() / 1024;
            if (line.startsWith("VmHWM:"))
                out.hwmMib = line.mid(6).trimmed().split(' ').first().toDouble() / 1024;
        }
    }
    return out;
}

std::string pushBody(const Device &device, std::int64_t firstSeq, int count)
{
    Common::Protocol::PushRequest request;
    request.deviceId = device.id.toStdString();
    for (int i = 0; i < count; ++i) {
        request.ops.push_back(
            benchReceipt(firstSeq + i, QUuid::createUuid().toString(QUuid::WithoutBraces).toStdString()));
    }
    return Common::Protocol::encode(request);
}

// One simulated terminal: an enrolled device on one keep-alive TLS connection, one request in flight.
class Terminal final : public QObject
{
public:
    struct Answer
    {
        int status = 0; // 0: the connection failed or closed
        QByteArray body;
        double milliseconds = 0;
    };
    using Callback = std::function<void(const Answer &)>;

    Terminal(const Device &device, const QList<QSslCertificate> &ca, quint16 port)
        : m_device(device), m_ca(ca), m_port(port)
    {
        // Every connect and request ends: answered, failed, or after s_requestTimeoutMs.
        m_deadline.setSingleShot(true);
        connect(&m_deadline, &QTimer::timeout, this, [this] {
            if (m_socket) {
                m_socket->disconnect(this);
                m_socket->abort();
            }
            finish(Answer{0, "timeout", double(m_timer.nsecsElapsed()) / 1e6});
        });
    }

    const Device &device() const { return m_device; }
    std::int64_t nextSeq = 1;
    QByteArray cursor = "0";

    // Connects (TLS, client certificate); calls back with status 1 when encrypted, 0 on failure.
    void connectNow(Callback done)
    {
        dropConnection();
        m_socket = std::make_unique<QSslSocket>();
        QSslConfiguration configuration = QSslConfiguration::defaultConfiguration();
        configuration.setCaCertificates(m_ca);
        configuration.setProtocol(QSsl::TlsV1_2OrLater);
        configuration.setPeerVerifyMode(QSslSocket::VerifyPeer);
        configuration.setLocalCertificate(m_device.certificate);
        configuration.setPrivateKey(m_device.key);
        m_socket->setSslConfiguration(configuration);
        m_callback = std::move(done);
        m_connecting = true;
        m_timer.start();
        m_deadline.start(s_requestTimeoutMs);
        QSslSocket *socket = m_socket.get();
        connect(socket, &QSslSocket::encrypted, this, [this] {
            m_connecting = false;
            finish(Answer{1, {}, double(m_timer.nsecsElapsed()) / 1e6});
        });
        connect(socket, &QSslSocket::readyRead, this, [this] { onReadyRead(); });
        connect(socket, &QAbstractSocket::errorOccurred, this, [this](QAbstractSocket::SocketError) { fail(); });
        connect(socket, &QAbstractSocket::disconnected, this, [this] { fail(); });
        socket->connectToHostEncrypted(QStringLiteral("127.0.0.1"), m_port);
    }

    void request(const QByteArray &method, const QByteArray &target, const QByteArray &body, Callback done)
    {
        QByteArray bytes = method + ' ' + target + " HTTP/1.1\r\nHost: localhost\r\nUser-Agent: soko-bench\r\n";
        if (!body.isEmpty())
            bytes += "Content-Type: application/json\r\nContent-Length: " + QByteArray::number(body.size()) + "\r\n";
        bytes += "\r\n" + body;
        m_callback = std::move(done);
        m_buffer.clear();
        m_timer.start();
        if (!connected()) { // the server closed it while this terminal was waiting for its next round
            QTimer::singleShot(0, this, [this] { finish(Answer{0, "not connected", 0}); });
            return;
        }
        m_deadline.start(s_requestTimeoutMs);
        m_socket->write(bytes);
    }

    void abort() { dropConnection(); }
    bool connected() const { return m_socket && m_socket->isEncrypted(); }

private:
    void dropConnection()
    {
        if (!m_socket)
            return;
        m_socket->disconnect(this);
        m_socket->abort();
        m_socket.release()->deleteLater();
        m_callback = nullptr;
    }

    void finish(const Answer &answer)
    {
        m_deadline.stop();
        if (!m_callback)
            return;
        Callback callback = std::move(m_callback);
        m_callback = nullptr;
        callback(answer);
    }

    void fail()
    {
        m_connecting = false;
        if (m_callback)
            QTimer::singleShot(0, this, [this] { finish(Answer{0, {}, double(m_timer.nsecsElapsed()) / 1e6}); });
    }

    void onReadyRead()
    {
        m_buffer += m_socket->readAll();
        const qsizetype end = m_buffer.indexOf("\r\n\r\n");
        if (end < 0)
            return;
        qsizetype length = 0;
        for (const QByteArray &line : m_buffer.left(end).split('\n'))
            if (line.toLower().startsWith("content-length:"))
                length = line.mid(15).trimmed().toLongLong();
        if (m_buffer.size() < end + 4 + length)
            return;
        const int status = m_buffer.mid(9, 3).toInt();
        Answer answer{status, m_buffer.mid(end + 4, length), double(m_timer.nsecsElapsed()) / 1e6};
        m_buffer.clear();
        finish(answer);
    }

    Device m_device;
    QList<QSslCertificate> m_ca;
    quint16 m_port = 0;
    std::unique_ptr<QSslSocket> m_socket;
    QByteArray m_buffer;
    QElapsedTimer m_timer;
    QTimer m_deadline;
    Callback m_callback;
    bool m_connecting = false;
};

// The "next_cursor" and "has_more" of a pull page, without decoding the changes.
QByteArray nextCursor(const QByteArray &body, bool *hasMore)
{
    const qsizetype at = body.lastIndexOf("\"next_cursor\":\"");
    *hasMore = body.lastIndexOf("\"has_more\":true") > 0;
    if (at < 0)
        return {};
    const qsizetype start = at + 15;
    return body.mid(start, body.indexOf('"', start) - start);
}

int countChanges(const QByteArray &body)
{
    auto page = Common::Protocol::decodePullResponse(body.toStdString());
    return page ? int(page->changes.size()) : -1;
}

// Runs the event loop until `done` returns true or `timeoutMs` passes.
bool runUntil(const std::function<bool()> &done, int timeoutMs)
{
    QElapsedTimer timer;
    timer.start();
    while (!done()) {
        if (timer.hasExpired(timeoutMs))
            return false;
        QCoreApplication::processEvents(QEventLoop::AllEvents | QEventLoop::WaitForMoreEvents, 50);
    }
    return true;
}

bool seedMasterData(ServerProcess &server)
{
    QByteArray skus = "code,name,base_unit,lot_controlled,gtins\r\n";
    for (int i = 0; i < 50; ++i)
        skus += "SKU-" + QByteArray::number(i) + ",Item,piece,0,\r\n";
    QByteArray locations = "warehouse,code,zone,pick_sequence\r\n";
    for (int i = 0; i < 20; ++i)
        locations += "TKY1,A-" + QByteArray::number(i) + ",ambient," + QByteArray::number(i) + "\r\n";
    return server.importFile(QStringLiteral("skus"), QStringLiteral("skus.csv"), skus) &&
           server.importFile(QStringLiteral("locations"), QStringLiteral("locations.csv"), locations) &&
           server.addOperator(QStringLiteral("TKY1"), QStringLiteral("OP-1"));
}

QStringList serverOptions(int terminals)
{
    const QString limit = QString::number(std::max(100, terminals * 2 + 50));
    return {QStringLiteral("--set"), QStringLiteral("max_connections=") + limit, QStringLiteral("--set"),
            QStringLiteral("max_connections_per_ip=") + limit, QStringLiteral("--set"),
            QStringLiteral("idle_timeout_seconds=600")};
}

// One-time enrollment codes made in-process on the server's SQLite database (what `soko-server
// enroll-code` does, without a process per code); call before the server starts.
std::vector<std::string> enrollmentCodes(const ServerProcess &server, int count)
{
    auto pool = Server::Storage::openStorePool((server.dataPath() + QStringLiteral("/soko.db")).toStdString());
    check(bool(pool), "open the server database");
    auto store = (*pool)->acquire();
    check(bool(store), "lease");
    Server::Oms::AdminService admin(**store);
    std::vector<std::string> codes;
    for (int i = 0; i < count; ++i) {
        auto code = admin.createEnrollmentCode("TKY1", "HT-" + std::to_string(i), std::chrono::minutes(120),
                                               "cli:sync_bench");
        check(bool(code), "enrollment code");
        codes.push_back(code->code);
    }
    return codes;
}

// Enrolls one terminal per code through POST /api/v1/enroll (P-256 key, CSR, TLS).
std::vector<std::unique_ptr<Terminal>> enroll(ServerProcess &server, const std::vector<std::string> &codes,
                                              double *seconds)
{
    const QList<QSslCertificate> ca = QSslCertificate::fromPath(server.serverCaPath());
    std::vector<std::unique_ptr<Terminal>> terminals;
    QElapsedTimer timer;
    timer.start();
    for (std::size_t i = 0; i < codes.size(); ++i) {
        auto key = Common::Crypto::generateP256Key();
        check(bool(key), "key");
        auto csr = Common::Crypto::makeCsr(*key, "HT-" + std::to_string(i));
        check(bool(csr), "csr");
        const QJsonObject body{{QStringLiteral("code"), QString::fromStdString(codes[i])},
                               {QStringLiteral("csr"), QString::fromStdString(*csr)}};
        const TestSupport::HttpResult answer =
            server.request(server.apiPort(), "POST", "/api/v1/enroll", QJsonDocument(body).toJson(QJsonDocument::Compact),
                           {{"Content-Type", "application/json"}});
        if (answer.status != 201)
            std::fprintf(stderr, "enroll answered %d %s\n", answer.status, answer.body.left(300).constData());
        check(answer.status == 201, "enroll");
        const QJsonObject enrolled = answer.json();
        Device device;
        device.id = enrolled.value(QStringLiteral("device_id")).toString();
        device.warehouse = enrolled.value(QStringLiteral("warehouse")).toString();
        device.certificate =
            QSslCertificate(enrolled.value(QStringLiteral("certificate")).toString().toUtf8(), QSsl::Pem);
        device.key = QSslKey(QByteArray::fromStdString(key->privateKeyPem), QSsl::Ec, QSsl::Pem);
        check(!device.certificate.isNull() && !device.key.isNull(), "device certificate");
        terminals.push_back(std::make_unique<Terminal>(device, ca, server.devicesPort()));
        if ((i + 1) % 200 == 0)
            std::fprintf(stderr, "sync_bench: %zu devices enrolled\n", i + 1);
    }
    *seconds = double(timer.nsecsElapsed()) / 1e9;
    return terminals;
}

// Connects every terminal, all at once; returns {seconds until all succeeded, failures}. A failed
// attempt retries after 100 ms; `andPull` adds one pull per terminal to "succeeded".
std::pair<double, int> connectAll(const std::vector<Terminal *> &terminals, bool andPull,
                                  std::vector<double> *latencies)
{
    int pending = int(terminals.size());
    int failures = 0;
    QElapsedTimer timer;
    timer.start();
    std::function<void(Terminal *)> attempt = [&](Terminal *terminal) {
        terminal->connectNow([&, terminal](const Terminal::Answer &answer) {
            if (answer.status == 0) {
                ++failures;
                QTimer::singleShot(100, terminal, [&, terminal] { attempt(terminal); });
                return;
            }
            if (!andPull) {
                --pending;
                return;
            }
            terminal->request("GET", "/api/v1/sync/pull?limit=1000&cursor=" + terminal->cursor, {},
                              [&, terminal](const Terminal::Answer &page) {
                                  if (page.status != 200) {
                                      ++failures;
                                      QTimer::singleShot(100, terminal, [&, terminal] { attempt(terminal); });
                                      return;
                                  }
                                  bool more = false;
                                  terminal->cursor = nextCursor(page.body, &more);
                                  if (latencies)
                                      latencies->push_back(double(timer.nsecsElapsed()) / 1e6);
                                  --pending;
                              });
        });
    };
    for (Terminal *terminal : terminals)
        attempt(terminal);
    check(runUntil([&] { return pending == 0; }, 300000), "all terminals connected within 300 s");
    return {double(timer.nsecsElapsed()) / 1e9, failures};
}

// Pulls from cursor 0 to the end with `limit`; returns changes pulled.
int catchUp(Terminal &terminal, int limit, int *pages)
{
    int changes = 0;
    bool done = false;
    bool ok = true;
    *pages = 0;
    std::function<void()> next = [&] {
        terminal.request("GET",
                         "/api/v1/sync/pull?limit=" + QByteArray::number(limit) + "&cursor=" + terminal.cursor, {},
                         [&](const Terminal::Answer &page) {
                             if (page.status != 200) {
                                 std::fprintf(stderr, "pull answered %d %s\n", page.status, page.body.left(200).data());
                                 ok = false;
                                 done = true;
                                 return;
                             }
                             ++*pages;
                             changes += countChanges(page.body);
                             bool more = false;
                             terminal.cursor = nextCursor(page.body, &more);
                             if (more)
                                 next();
                             else
                                 done = true;
                         });
    };
    next();
    check(runUntil([&] { return done; }, 600000) && ok, "pull catch-up");
    return changes;
}

int runTls(int rounds, int ops, int changes, const QString &output)
{
    ServerProcess server;
    check(server.init(QStringLiteral("TKY1")) && seedMasterData(server), "init");
    QByteArray csv = "code,name,base_unit,lot_controlled,gtins\r\n";
    for (int index = 0; index < changes; ++index)
        csv += "BULK-" + QByteArray::number(index).rightJustified(6, '0') + ",Green tea 500 g,piece,0,\r\n";
    QElapsedTimer importTimer;
    importTimer.start();
    check(server.importFile(QStringLiteral("skus"), QStringLiteral("bulk.csv"), csv), "import skus");
    std::fprintf(stderr, "sync_bench: %d SKUs imported in %.1f s\n", changes, double(importTimer.elapsed()) / 1e3);
    const auto codes = enrollmentCodes(server, 3 * rounds);
    check(server.start(serverOptions(4)), "server start");
    double enrollSeconds = 0;
    auto terminals = enroll(server, codes, &enrollSeconds);

    QJsonArray pulls;
    int pulled = 0;
    for (const int limit : {1000, 5000}) {
        std::vector<double> rates;
        int pages = 0;
        for (int round = 0; round < rounds; ++round) {
            Terminal &terminal = *terminals[std::size_t(round * 2 + (limit == 1000 ? 0 : 1))];
            connectAll({&terminal}, false, nullptr);
            QElapsedTimer timer;
            timer.start();
            pulled = catchUp(terminal, limit, &pages);
            rates.push_back(pulled / (double(timer.nsecsElapsed()) / 1e9));
            std::fprintf(stderr, "sync_bench: pull limit %d: %d changes, %.0f changes/s\n", limit, pulled, rates.back());
        }
        pulls.append(QJsonObject{{QStringLiteral("page_limit"), limit},
                                 {QStringLiteral("changes"), pulled},
                                 {QStringLiteral("pages"), pages},
                                 {QStringLiteral("changes_per_second"), spread(rates)}});
    }

    std::vector<double> pushRates;
    for (int round = 0; round < rounds; ++round) {
        Terminal &terminal = *terminals[std::size_t(2 * rounds + round)];
        connectAll({&terminal}, false, nullptr);
        int sent = 0;
        bool done = false;
        bool ok = true;
        QElapsedTimer timer;
        timer.start();
        std::function<void()> next = [&] {
            const int count = std::min(500, ops - sent);
            const QByteArray body = QByteArray::fromStdString(pushBody(terminal.device(), terminal.nextSeq, count));
            terminal.request("POST", "/api/v1/sync/push", body, [&, count](const Terminal::Answer &answer) {
                if (answer.status != 200 || !answer.body.contains("\"applied\"")) {
                    std::fprintf(stderr, "push answered %d %s\n", answer.status, answer.body.left(300).data());
                    ok = false;
                    done = true;
                    return;
                }
                terminal.nextSeq += count;
                sent += count;
                if (sent < ops)
                    next();
                else
                    done = true;
            });
        };
        next();
        check(runUntil([&] { return done; }, 600000) && ok, "push");
        pushRates.push_back(ops / (double(timer.nsecsElapsed()) / 1e9));
        std::fprintf(stderr, "sync_bench: push %d ops: %.0f ops/s\n", ops, pushRates.back());
    }
    const ProcessSample process = sample(server.pid());
    check(server.stop(), "server stop");

    const QJsonObject result{
        {QStringLiteral("benchmark"), QStringLiteral("sync_tls")},
        {QStringLiteral("date_utc"), utcNow()},
        {QStringLiteral("load_average"), QString::fromStdString(benchLoadAverage())},
        {QStringLiteral("rounds"), rounds},
        {QStringLiteral("transport"),
         QStringLiteral("HTTPS (TLS 1.3, P-256 device client certificate) keep-alive on 127.0.0.1, "
                        "soko-server process on SQLite (WAL, synchronous=FULL)")},
        {QStringLiteral("push"), QJsonObject{{QStringLiteral("ops"), ops},
                                             {QStringLiteral("batch_size"), 500},
                                             {QStringLiteral("ops_per_second"), spread(pushRates)}}},
        {QStringLiteral("pull"), pulls},
        {QStringLiteral("server_vmhwm_mib"), process.hwmMib},
        {QStringLiteral("enroll_seconds_per_device"), enrollSeconds / (3 * rounds)},
    };
    QFile file(output);
    check(file.open(QIODevice::WriteOnly | QIODevice::Truncate), "open output");
    file.write(QJsonDocument(result).toJson());
    std::printf("%s\n", QJsonDocument(result).toJson(QJsonDocument::Compact).constData());
    return 0;
}

// N terminals in a closed loop (push 10, pull, repeat) for `seconds`.
QJsonObject runPhase(std::vector<std::unique_ptr<Terminal>> &all, int count, int seconds, qint64 pid)
{
    std::vector<Terminal *> active;
    for (int i = 0; i < count; ++i)
        active.push_back(all[std::size_t(i)].get());
    // Connect the ones that are not connected (all at once).
    int pending = 0;
    int connectFailures = 0;
    QElapsedTimer connectTimer;
    connectTimer.start();
    std::function<void(Terminal *)> attempt = [&](Terminal *terminal) {
        terminal->connectNow([&, terminal](const Terminal::Answer &answer) {
            if (answer.status == 0) {
                ++connectFailures;
                QTimer::singleShot(100, terminal, [&, terminal] { attempt(terminal); });
                return;
            }
            --pending;
        });
    };
    for (Terminal *terminal : active)
        if (!terminal->connected()) {
            ++pending;
            attempt(terminal);
        }
    check(runUntil([&] { return pending == 0; }, 300000), "connect phase");
    const double connectSeconds = double(connectTimer.nsecsElapsed()) / 1e9;

    bool measuring = false;
    bool stopping = false;
    std::int64_t opsApplied = 0;
    int requestErrors = 0;
    int throttled = 0;
    std::vector<double> pushLatencies, pullLatencies;
    int running = 0;
    QElapsedTimer clock;
    clock.start();
    // Each terminal starts a round (push 10, then pull) every s_roundMs, at a random phase; a round
    // that overruns its slot is followed at once by the next one. 429 answers wait Retry-After (1 s).
    std::function<void(Terminal *, qint64)> loop = [&](Terminal *terminal, qint64 slot) {
        if (stopping) {
            --running;
            return;
        }
        const qint64 wait = std::max<qint64>(0, slot - clock.elapsed());
        QTimer::singleShot(int(wait), terminal, [&, terminal, slot] {
            if (stopping) {
                --running;
                return;
            }
            const qint64 next = std::max(slot + s_roundMs, clock.elapsed());
            const QByteArray body = QByteArray::fromStdString(pushBody(terminal->device(), terminal->nextSeq, 10));
            terminal->request("POST", "/api/v1/sync/push", body, [&, terminal, next](const Terminal::Answer &pushed) {
                if (pushed.status == 429) {
                    ++throttled;
                    loop(terminal, clock.elapsed() + 1000);
                    return;
                }
                if (pushed.status != 200) {
                    if (++requestErrors <= 3)
                        std::fprintf(stderr, "push answered %d %s (%.0f ms)\n", pushed.status,
                                     pushed.body.left(200).data(), pushed.milliseconds);
                    --running;
                    return;
                }
                terminal->nextSeq += 10;
                if (measuring) {
                    opsApplied += 10;
                    pushLatencies.push_back(pushed.milliseconds);
                }
                terminal->request("GET", "/api/v1/sync/pull?limit=1000&cursor=" + terminal->cursor, {},
                                  [&, terminal, next](const Terminal::Answer &page) {
                                      if (page.status == 429) {
                                          ++throttled;
                                          loop(terminal, clock.elapsed() + 1000);
                                          return;
                                      }
                                      if (page.status != 200) {
                                          ++requestErrors;
                                          --running;
                                          return;
                                      }
                                      bool more = false;
                                      terminal->cursor = nextCursor(page.body, &more);
                                      if (measuring)
                                          pullLatencies.push_back(page.milliseconds);
                                      loop(terminal, next);
                                  });
            });
        });
    };
    std::mt19937 random(7);
    for (Terminal *terminal : active) {
        ++running;
        loop(terminal, qint64(random() % s_roundMs));
    }
    // Warm-up 2 s, then measure.
    QElapsedTimer warm;
    warm.start();
    runUntil([&] { return warm.hasExpired(2000); }, 3000);
    measuring = true;
    const ProcessSample before = sample(pid);
    const ProcessSample clientBefore = sample(QCoreApplication::applicationPid());
    QElapsedTimer timer;
    timer.start();
    runUntil([&] { return timer.hasExpired(qint64(seconds) * 1000); }, seconds * 1000 + 1000);
    measuring = false;
    const double elapsed = double(timer.nsecsElapsed()) / 1e9;
    const ProcessSample after = sample(pid);
    const ProcessSample clientAfter = sample(QCoreApplication::applicationPid());
    stopping = true;
    // Rounds in flight finish (or time out after s_requestTimeoutMs); terminals that failed stopped.
    const bool stopped = runUntil([&] { return running == 0; }, s_requestTimeoutMs + 30000);
    const int stuck = running;
    if (!stopped)
        for (Terminal *terminal : active)
            terminal->abort();

    const double opsPerSecond = double(opsApplied) / elapsed;
    std::fprintf(stderr,
                 "sync_bench: %d terminals: %.0f ops/s, push p50 %.1f p99 %.1f ms, pull p50 %.1f p99 %.1f ms, "
                 "server CPU %.2f cores, RSS %.0f MiB\n",
                 count, opsPerSecond, percentile(pushLatencies, 0.5), percentile(pushLatencies, 0.99),
                 percentile(pullLatencies, 0.5), percentile(pullLatencies, 0.99),
                 (after.cpuSeconds - before.cpuSeconds) / elapsed, after.rssMib);
    return {{QStringLiteral("terminals"), count},
            {QStringLiteral("connect_seconds"), connectSeconds},
            {QStringLiteral("connect_failures"), connectFailures},
            {QStringLiteral("seconds"), elapsed},
            {QStringLiteral("ops_applied"), double(opsApplied)},
            {QStringLiteral("ops_per_second"), opsPerSecond},
            {QStringLiteral("push_requests"), int(pushLatencies.size())},
            {QStringLiteral("pull_requests"), int(pullLatencies.size())},
            {QStringLiteral("push_ms_p50"), percentile(pushLatencies, 0.5)},
            {QStringLiteral("push_ms_p99"), percentile(pushLatencies, 0.99)},
            {QStringLiteral("pull_ms_p50"), percentile(pullLatencies, 0.5)},
            {QStringLiteral("pull_ms_p99"), percentile(pullLatencies, 0.99)},
            {QStringLiteral("request_errors"), requestErrors},
            {QStringLiteral("throttled_429"), throttled},
            {QStringLiteral("stuck_at_end"), stuck},
            {QStringLiteral("offered_ops_per_second"), count * 10 * 1000.0 / s_roundMs},
            {QStringLiteral("server_cpu_cores"), (after.cpuSeconds - before.cpuSeconds) / elapsed},
            {QStringLiteral("bench_client_cpu_cores"), (clientAfter.cpuSeconds - clientBefore.cpuSeconds) / elapsed},
            {QStringLiteral("server_cpu_ms_per_op"),
             opsApplied > 0 ? (after.cpuSeconds - before.cpuSeconds) * 1000 / double(opsApplied) : 0.0},
            {QStringLiteral("server_vmrss_mib"), after.rssMib},
            {QStringLiteral("server_vmhwm_mib"), after.hwmMib}};
}

int runLoad(int seconds, const std::vector<int> &counts, const QString &output)
{
    const int most = *std::max_element(counts.begin(), counts.end());
    ServerProcess server;
    check(server.init(QStringLiteral("TKY1")) && seedMasterData(server), "init");
    const auto codes = enrollmentCodes(server, most);
    check(server.start(serverOptions(most)), "server start");
    const ProcessSample idle = sample(server.pid());
    double enrollSeconds = 0;
    auto terminals = enroll(server, codes, &enrollSeconds);
    std::fprintf(stderr, "sync_bench: %d devices enrolled in %.1f s\n", most, enrollSeconds);

    QJsonArray phases;
    for (const int count : counts)
        phases.append(runPhase(terminals, count, seconds, server.pid()));

    // The storm: every connection dropped, all reconnect at once and pull.
    for (auto &terminal : terminals)
        terminal->abort();
    QCoreApplication::processEvents();
    const ProcessSample stormBefore = sample(server.pid());
    std::vector<double> stormLatencies;
    std::vector<Terminal *> everyone;
    for (auto &terminal : terminals)
        everyone.push_back(terminal.get());
    const auto [stormSeconds, stormFailures] = connectAll(everyone, true, &stormLatencies);
    const ProcessSample stormAfter = sample(server.pid());
    std::fprintf(stderr, "sync_bench: storm of %d: all succeeded in %.2f s, %d failures\n", most, stormSeconds,
                 stormFailures);
    const QJsonObject storm{{QStringLiteral("terminals"), most},
                            {QStringLiteral("seconds_until_all_succeeded"), stormSeconds},
                            {QStringLiteral("failures"), stormFailures},
                            {QStringLiteral("first_pull_ms_p50"), percentile(stormLatencies, 0.5)},
                            {QStringLiteral("first_pull_ms_p99"), percentile(stormLatencies, 0.99)},
                            {QStringLiteral("server_cpu_seconds"), stormAfter.cpuSeconds - stormBefore.cpuSeconds},
                            {QStringLiteral("server_vmhwm_mib"), stormAfter.hwmMib}};
    for (auto &terminal : terminals)
        terminal->abort();
    check(server.stop(), "server stop");

    const QJsonObject result{
        {QStringLiteral("benchmark"), QStringLiteral("load")},
        {QStringLiteral("date_utc"), utcNow()},
        {QStringLiteral("load_average"), QString::fromStdString(benchLoadAverage())},
        {QStringLiteral("transport"),
         QStringLiteral("HTTPS keep-alive on 127.0.0.1, one enrolled device (client certificate) per terminal, "
                        "all terminals in one bench process (Qt async sockets, one thread)")},
        {QStringLiteral("loop"), QStringLiteral("a round every 1 s per terminal (random phase): push 10 receive ops, "
                                                "then pull from its cursor (limit 1000); an overrun round is followed "
                                                "at once by the next; 2 s warm-up, then the measured seconds")},
        {QStringLiteral("server"), QStringLiteral("soko-server defaults (4 worker threads, SQLite WAL + "
                                                  "synchronous=FULL) with raised connection limits")},
        {QStringLiteral("server_idle_vmrss_mib"), idle.rssMib},
        {QStringLiteral("enroll_seconds_per_device"), enrollSeconds / most},
        {QStringLiteral("phases"), phases},
        {QStringLiteral("storm"), storm},
    };
    QFile file(output);
    check(file.open(QIODevice::WriteOnly | QIODevice::Truncate), "open output");
    file.write(QJsonDocument(result).toJson());
    std::printf("%s\n", QJsonDocument(result).toJson(QJsonDocument::Compact).constData());
    return 0;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication application(argc, argv);
    const QStringList arguments = application.arguments();
    const QString mode = arguments.value(1);
    const QString results = QStringLiteral(SOKO_SOURCE_DIR "/bench/results/");
    if (mode == QLatin1String("tls"))
        return runTls(std::max(1, arguments.value(2, QStringLiteral("3")).toInt()),
                      std::max(500, arguments.value(3, QStringLiteral("20000")).toInt()),
                      std::max(1, arguments.value(4, QStringLiteral("100000")).toInt()),
                      arguments.value(5, results + QStringLiteral("sync_tls.json")));
    if (mode == QLatin1String("load")) {
        std::vector<int> counts;
        for (const QString &part : arguments.value(3, QStringLiteral("10,100,1000")).split(QLatin1Char(',')))
            counts.push_back(std::max(1, part.toInt()));
        return runLoad(std::max(1, arguments.value(2, QStringLiteral("10")).toInt()), counts,
                       arguments.value(4, results + QStringLiteral("load.json")));
    }
    std::fprintf(stderr, "usage: sync_bench tls [rounds] [ops] [changes] [output]\n"
                         "       sync_bench load [seconds] [counts=10,100,1000] [output]\n");
    return 2;
}
