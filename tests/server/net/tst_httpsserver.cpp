#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QSslCipher>
#include <QSslConfiguration>
#include <QSslKey>
#include <QSslSocket>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <atomic>
#include <memory>
#include <mutex>
#include <set>
#include <thread>

#include "common/crypto/pki.h"
#include "server/net/httpsserver.h"

// In-process tests of the HTTPS front (REQUIREMENTS.md §2, §5.2, §9 H/U rows, R38, R51, R52):
// a real HttpsServer on 127.0.0.1 with certificates made by common/crypto, driven by QSslSocket
// with raw bytes so malformed requests reach the server exactly as written.
using namespace Server::Net;

namespace {

constexpr std::size_t smallBodyLimit = 16;
constexpr std::size_t echoBodyLimit = 1024 * 1024;

struct Response
{
    int status = 0;
    QMap<QByteArray, QByteArray> headers; // lower-case names
    QByteArray body;
    bool complete = false;
    bool closedAfter = false; // server closed the connection after the response
    QString error;
    QByteArray header(const char *name) const { return headers.value(QByteArray(name)); }
};

// Shared state between the test and the Application/config callbacks (worker and I/O threads).
struct Shared
{
    std::mutex mutex;
    std::vector<std::string> logLines;
    std::set<std::string> revokedSerials;
    std::atomic<int> revocationChecks{0};
    std::atomic<int> slowStarted{0};

    std::vector<std::string> logs()
    {
        std::lock_guard lock(mutex);
        return logLines;
    }
};

QByteArray peerJson(const Peer &peer)
{
    return "{\"address\":\"" + QByteArray::fromStdString(peer.address) + "\",\"serial\":\"" +
           QByteArray::fromStdString(peer.certificateSerial) + "\",\"device\":\"" +
           QByteArray::fromStdString(peer.certificateDeviceId) +
           "\",\"resumed\":" + (peer.sessionResumed ? "true" : "false") + "}";
}

RouteLimits routeLimits(Listener, std::string_view method, std::string_view path)
{
    (void)method;
    RouteLimits limits;
    limits.known = true;
    if (path == "/api/v1/items" || path == "/api/v1/html" || path == "/api/v1/cached")
        limits.allowedMethods = {"GET", "HEAD"};
    else if (path.starts_with("/api/v1/items/") || path == "/api/v1/throw" || path == "/api/v1/slow" ||
             path == "/api/v1/query" || path == "/sync/peer")
        limits.allowedMethods = {"GET"};
    else if (path == "/api/v1/echo")
        limits = RouteLimits{true, echoBodyLimit, {"POST", "PUT"}};
    else if (path == "/api/v1/small")
        limits = RouteLimits{true, smallBodyLimit, {"POST"}};
    else
        limits = RouteLimits{};
    return limits;
}

HttpResponse handleRequest(Shared *shared, const HttpRequest &request)
{
    if (request.path == "/api/v1/throw")
        throw std::runtime_error("database exploded: SELECT secret FROM vault");
    if (request.path == "/api/v1/slow") {
        ++shared->slowStarted;
        std::this_thread::sleep_for(std::chrono::milliseconds(1500));
        return HttpResponse::json(200, "{\"slow\":true}");
    }
    if (request.path == "/api/v1/echo" || request.path == "/api/v1/small")
        return HttpResponse::json(200, request.body);
    if (request.path == "/sync/peer")
        return HttpResponse::json(200, peerJson(request.peer).toStdString());
    if (request.path == "/api/v1/query") {
        std::string body;
        for (const auto &[name, value] : request.query)
            body += name + "=" + value + ";";
        HttpResponse response = HttpResponse::json(200, body);
        response.contentType = "text/plain";
        return response;
    }
    if (request.path == "/api/v1/html") {
        HttpResponse response = HttpResponse::json(200, "<p>hello</p>");
        response.contentType = "text/html";
        return response;
    }
    if (request.path == "/api/v1/cached") {
        HttpResponse response = HttpResponse::json(200, "{}");
        response.headers.emplace_back("Cache-Control", "public, max-age=60");
        response.headers.emplace_back("X-Evil", "a\r\nSet-Cookie: x=y");
        return response;
    }
    return HttpResponse::json(200,
                              "{\"items\":[],\"listener\":\"" + std::string(listenerName(request.listener)) + "\"}");
}

// A server running on its own thread; stops and joins on destruction.
struct RunningServer
{
    std::unique_ptr<HttpsServer> server;
    std::thread thread;
    std::vector<std::uint16_t> ports;

    void stopAndJoin()
    {
        if (thread.joinable()) {
            server->stop();
            thread.join();
        }
    }
    ~RunningServer() { stopAndJoin(); }
};

void runServer(HttpsServer *server)
{
    server->run();
}

} // namespace

class TestHttpsServer : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    Shared m_shared;
    std::unique_ptr<RunningServer> m_main;
    QList<QSslCertificate> m_serverCa;
    QString m_deviceCert, m_deviceKey, m_revokedCert, m_revokedKey, m_foreignCert, m_foreignKey;
    std::string m_deviceSerial, m_revokedSerial;
    const std::string m_deviceId = "0b8f7c1e-2d3a-4b5c-9d6e-7f8091a2b3c4";

    QString path(const char *name) const { return m_dir.filePath(QString::fromLatin1(name)); }

    bool writeFile(const char *name, const std::string &text)
    {
        QFile file(path(name));
        return file.open(QIODevice::WriteOnly) && file.write(text.data(), qint64(text.size())) == qint64(text.size());
    }

    ServerConfig baseConfig()
    {
        ServerConfig config;
        ListenerConfig devices{Listener::Devices,
                               "127.0.0.1",
                               0,
                               path("server.pem").toStdString(),
                               path("server.key").toStdString(),
                               path("device-ca.pem").toStdString()};
        ListenerConfig api{
            Listener::Api, "127.0.0.1", 0, path("server.pem").toStdString(), path("server.key").toStdString(), ""};
        ListenerConfig admin{
            Listener::Admin, "127.0.0.1", 0, path("server.pem").toStdString(), path("server.key").toStdString(), ""};
        config.listeners = {devices, api, admin};
        config.workerThreads = 2;
        config.maxConnectionsPerIp = 50;
        config.handshakeTimeout = std::chrono::seconds(3);
        config.headerTimeout = std::chrono::seconds(2);
        config.bodyTimeout = std::chrono::seconds(2);
        config.idleTimeout = std::chrono::seconds(2);
        config.shutdownGrace = std::chrono::seconds(5);
        Shared *shared = &m_shared;
        config.isRevoked = [shared](std::string_view serial) {
            ++shared->revocationChecks;
            std::lock_guard lock(shared->mutex);
            return shared->revokedSerials.contains(std::string(serial));
        };
        config.log = [shared](std::string_view line) {
            std::lock_guard lock(shared->mutex);
            shared->logLines.emplace_back(line);
        };
        return config;
    }

    std::unique_ptr<RunningServer> startServer(ServerConfig config)
    {
        auto running = std::make_unique<RunningServer>();
        Shared *shared = &m_shared;
        Application application{routeLimits,
                                [shared](const HttpRequest &request) { return handleRequest(shared, request); }};
        running->server = std::make_unique<HttpsServer>(std::move(config), std::move(application));
        auto started = running->server->start();
        if (!started) {
            qWarning("start failed: %s", started.error().message.c_str());
            return nullptr;
        }
        running->ports = running->server->boundPorts();
        running->thread = std::thread(runServer, running->server.get());
        return running;
    }

    quint16 port(Listener listener) const { return m_main->ports.at(static_cast<std::size_t>(listener)); }

    enum class ClientCert { None, Device, Revoked, Foreign };

    std::unique_ptr<QSslSocket> connectTls(quint16 toPort, ClientCert cert = ClientCert::None,
                                           QSsl::SslProtocol protocol = QSsl::TlsV1_2OrLater)
    {
        auto socket = std::make_unique<QSslSocket>();
        QSslConfiguration configuration = QSslConfiguration::defaultConfiguration();
        configuration.setCaCertificates(m_serverCa);
        configuration.setProtocol(protocol);
        configuration.setPeerVerifyMode(QSslSocket::VerifyPeer);
        QString certFile, keyFile;
        if (cert == ClientCert::Device) {
            certFile = m_deviceCert;
            keyFile = m_deviceKey;
        }
        if (cert == ClientCert::Revoked) {
            certFile = m_revokedCert;
            keyFile = m_revokedKey;
        }
        if (cert == ClientCert::Foreign) {
            certFile = m_foreignCert;
            keyFile = m_foreignKey;
        }
        if (!certFile.isEmpty()) {
            configuration.setLocalCertificate(QSslCertificate::fromPath(certFile).value(0));
            QFile key(keyFile);
            key.open(QIODevice::ReadOnly);
            configuration.setPrivateKey(QSslKey(key.readAll(), QSsl::Ec));
        }
        socket->setSslConfiguration(configuration);
        socket->connectToHostEncrypted(QStringLiteral("127.0.0.1"), toPort);
        socket->waitForEncrypted(5000);
        return socket;
    }

    // Reads one response (skipping 1xx); then, if the server announced close, waits for it.
    static Response readResponse(QSslSocket &socket, bool headRequest = false, int timeoutMs = 5000)
    {
        Response response;
        QByteArray data;
        QElapsedTimer timer;
        timer.start();
        for (;;) {
            const qsizetype end = data.indexOf("\r\n\r\n");
            if (end >= 0) {
                const QList<QByteArray> lines = data.left(end).split('\n');
                const QList<QByteArray> statusLine = lines.value(0).trimmed().split(' ');
                const int status = statusLine.value(1).toInt();
                QMap<QByteArray, QByteArray> headers;
                for (qsizetype index = 1; index < lines.size(); ++index) {
                    const qsizetype colon = lines[index].indexOf(':');
                    if (colon > 0)
                        headers.insert(lines[index].left(colon).trimmed().toLower(),
                                       lines[index].mid(colon + 1).trimmed());
                }
                if (status >= 100 && status < 200) {
                    data.remove(0, end + 4);
                    continue;
                }
                const qsizetype length = headRequest ? 0 : headers.value("content-length").toLongLong();
                if (data.size() >= end + 4 + length) {
                    response.status = status;
                    response.headers = headers;
                    response.body = data.mid(end + 4, length);
                    response.complete = true;
                    break;
                }
            }
            if (timer.elapsed() > timeoutMs || socket.state() != QAbstractSocket::ConnectedState) {
                data += socket.readAll();
                if (socket.state() != QAbstractSocket::ConnectedState && data.indexOf("\r\n\r\n") >= 0 &&
                    timer.elapsed() <= timeoutMs)
                    continue;
                response.error = socket.errorString();
                return response;
            }
            if (socket.bytesAvailable() == 0)
                socket.waitForReadyRead(100);
            data += socket.readAll();
        }
        if (response.header("connection").toLower() == "close") {
            QElapsedTimer closing;
            closing.start();
            while (socket.state() == QAbstractSocket::ConnectedState && closing.elapsed() < 4000)
                socket.waitForReadyRead(50);
            response.closedAfter = socket.state() != QAbstractSocket::ConnectedState;
        }
        return response;
    }

    Response exchange(quint16 toPort, const QByteArray &raw, ClientCert cert = ClientCert::None)
    {
        auto socket = connectTls(toPort, cert);
        if (!socket->isEncrypted()) {
            Response failed;
            failed.error = socket->errorString();
            return failed;
        }
        socket->write(raw);
        socket->flush();
        return readResponse(*socket, raw.startsWith("HEAD "));
    }

    static QByteArray get(const QByteArray &target) { return "GET " + target + " HTTP/1.1\r\nHost: soko.test\r\n\r\n"; }

    static void verifySecurityHeaders(const Response &response)
    {
        QCOMPARE(response.header("strict-transport-security"), QByteArray("max-age=63072000; includeSubDomains"));
        QCOMPARE(response.header("x-content-type-options"), QByteArray("nosniff"));
        QCOMPARE(response.header("x-frame-options"), QByteArray("DENY"));
        QCOMPARE(response.header("referrer-policy"), QByteArray("no-referrer"));
        QCOMPARE(response.header("server"), QByteArray("soko"));
        QVERIFY(response.headers.contains("content-security-policy"));
        QVERIFY(response.header("content-security-policy").contains("frame-ancestors 'none'"));
        QVERIFY2(response.header("content-type").contains("charset=utf-8"),
                 response.header("content-type").constData());
        QVERIFY(!response.header("x-request-id").isEmpty());
    }

    void verifyStillServing()
    {
        const Response response = exchange(port(Listener::Api), get("/api/v1/items"));
        QCOMPARE(response.status, 200);
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        using namespace Common::Crypto;
        auto serverCaKey = generateP256Key();
        auto serverCa = makeCaCertificate(*serverCaKey, "Soko Test Server CA", 10);
        auto serverKey = generateP256Key();
        auto serverCert = issueServerCertificate(*serverCa, serverCaKey->privateKeyPem, serverKey->publicKeyPem,
                                                 {"127.0.0.1", "localhost"}, 10);
        QVERIFY(serverCert.has_value());
        QVERIFY(writeFile("server.pem", *serverCert + *serverCa));
        QVERIFY(writeFile("server.key", serverKey->privateKeyPem));
        QVERIFY(writeFile("server-ca.pem", *serverCa));
        m_serverCa = QSslCertificate::fromPath(path("server-ca.pem"));
        QCOMPARE(m_serverCa.size(), 1);

        auto deviceCaKey = generateP256Key();
        auto deviceCa = makeCaCertificate(*deviceCaKey, "Soko Test Device CA", 10);
        QVERIFY(writeFile("device-ca.pem", *deviceCa));
        auto issue = [&](const char *certName, const char *keyName, const std::string &caPem, const std::string &caKey,
                         const std::string &deviceId) -> std::string {
            auto key = generateP256Key();
            auto csr = makeCsr(*key, "handheld");
            auto issued = issueDeviceCertificate(caPem, caKey, *csr, deviceId, 10);
            if (!issued || !writeFile(certName, issued->certificatePem) || !writeFile(keyName, key->privateKeyPem))
                return {};
            return issued->serialHex;
        };
        m_deviceSerial = issue("device.pem", "device.key", *deviceCa, deviceCaKey->privateKeyPem, m_deviceId);
        m_revokedSerial = issue("revoked.pem", "revoked.key", *deviceCa, deviceCaKey->privateKeyPem,
                                "11111111-2222-4333-8444-555555555555");
        auto foreignCaKey = generateP256Key();
        auto foreignCa = makeCaCertificate(*foreignCaKey, "Soko Test Device CA", 10); // same name, other key
        QVERIFY(!issue("foreign.pem", "foreign.key", *foreignCa, foreignCaKey->privateKeyPem, m_deviceId).empty());
        QVERIFY(!m_deviceSerial.empty() && !m_revokedSerial.empty());
        m_deviceCert = path("device.pem");
        m_deviceKey = path("device.key");
        m_revokedCert = path("revoked.pem");
        m_revokedKey = path("revoked.key");
        m_foreignCert = path("foreign.pem");
        m_foreignKey = path("foreign.key");
        {
            std::lock_guard lock(m_shared.mutex);
            m_shared.revokedSerials.insert(m_revokedSerial);
        }
        m_main = startServer(baseConfig());
        QVERIFY(m_main);
        QCOMPARE(m_main->ports.size(), std::size_t(3));
    }

    void cleanupTestCase()
    {
        if (m_main)
            m_main->stopAndJoin();
    }

    void startFailsClearly()
    {
        ServerConfig config = baseConfig();
        config.listeners.resize(1);
        config.listeners[0].privateKeyFile = path("missing.key").toStdString();
        HttpsServer server(config, Application{routeLimits, [](const HttpRequest &) { return HttpResponse{}; }});
        auto started = server.start();
        QVERIFY(!started.has_value());
        QCOMPARE(started.error().code, Common::ErrorCode::Crypto);
        QVERIFY(QString::fromStdString(started.error().message).contains(QStringLiteral("missing.key")));

        ServerConfig busy = baseConfig();
        busy.listeners.resize(1);
        busy.listeners[0].port = port(Listener::Devices);
        HttpsServer second(busy, Application{routeLimits, [](const HttpRequest &) { return HttpResponse{}; }});
        auto bound = second.start();
        QVERIFY(!bound.has_value());
        QCOMPARE(bound.error().code, Common::ErrorCode::Io);
    }

    void roundTrip_data()
    {
        QTest::addColumn<int>("listener");
        QTest::addColumn<QByteArray>("request");
        QTest::addColumn<QByteArray>("expectedBody");
        const QByteArray post = "POST /api/v1/echo HTTP/1.1\r\nHost: soko.test\r\nContent-Type: application/json\r\n"
                                "Content-Length: 11\r\n\r\n{\"qty\":12}\n";
        for (const auto &[name, listener] : {std::pair{"devices", Listener::Devices}, std::pair{"api", Listener::Api},
                                             std::pair{"admin", Listener::Admin}}) {
            QTest::addRow("%s GET", name)
                << int(listener) << get("/api/v1/items") << "{\"items\":[],\"listener\":\"" + QByteArray(name) + "\"}";
            QTest::addRow("%s POST", name) << int(listener) << post << QByteArray("{\"qty\":12}\n");
        }
        QTest::newRow("api chunked POST")
            << int(Listener::Api)
            << QByteArray("POST /api/v1/echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                          "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n")
            << QByteArray("hello world");
        QTest::newRow("api Expect 100-continue")
            << int(Listener::Api)
            << QByteArray("POST /api/v1/echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
                          "Content-Length: 2\r\n\r\nok")
            << QByteArray("ok");
        QTest::newRow("api query decoded")
            << int(Listener::Api) << get("/api/v1/query?cursor=12&q=a+b%2Bc") << QByteArray("cursor=12;q=a b+c;");
        QTest::newRow("api HTTP/1.0 without Host")
            << int(Listener::Api) << QByteArray("GET /api/v1/items HTTP/1.0\r\n\r\n")
            << QByteArray("{\"items\":[],\"listener\":\"api\"}");
    }
    void roundTrip()
    {
        QFETCH(int, listener);
        QFETCH(QByteArray, request);
        QFETCH(QByteArray, expectedBody);
        const auto kind = static_cast<Listener>(listener);
        const Response response =
            exchange(port(kind), request, kind == Listener::Devices ? ClientCert::Device : ClientCert::None);
        QVERIFY2(response.complete, qPrintable(response.error));
        QCOMPARE(response.status, 200);
        QCOMPARE(response.body, expectedBody);
        verifySecurityHeaders(response);
    }

    void keepAliveServesSeveralRequests()
    {
        auto socket = connectTls(port(Listener::Api));
        QVERIFY(socket->isEncrypted());
        QStringList ids;
        for (int index = 0; index < 3; ++index) {
            socket->write(get("/api/v1/items"));
            const Response response = readResponse(*socket);
            QCOMPARE(response.status, 200);
            QVERIFY(!response.closedAfter);
            ids << QString::fromLatin1(response.header("x-request-id"));
        }
        QCOMPARE(socket->state(), QAbstractSocket::ConnectedState);
        QVERIFY(ids[0] != ids[1] && ids[1] != ids[2]);
        // HEAD: headers of the GET, no body.
        socket->write("HEAD /api/v1/items HTTP/1.1\r\nHost: x\r\n\r\n");
        const Response head = readResponse(*socket, true);
        QCOMPARE(head.status, 200);
        QVERIFY(head.header("content-length").toInt() > 0);
        socket->write(get("/api/v1/items"));
        QCOMPARE(readResponse(*socket).status, 200); // a body after HEAD would have broken this
    }

    void devicesPeerFields()
    {
        const Response response = exchange(port(Listener::Devices), get("/sync/peer"), ClientCert::Device);
        QCOMPARE(response.status, 200);
        QCOMPARE(response.body, "{\"address\":\"127.0.0.1\",\"serial\":\"" + QByteArray::fromStdString(m_deviceSerial) +
                                    "\",\"device\":\"" + QByteArray::fromStdString(m_deviceId) +
                                    "\",\"resumed\":false}");
        QVERIFY(m_shared.revocationChecks.load() > 0);
        // Plain listeners carry no certificate identity.
        const Response api = exchange(port(Listener::Api), get("/sync/peer"));
        QCOMPARE(api.body, QByteArray("{\"address\":\"127.0.0.1\",\"serial\":\"\",\"device\":\"\",\"resumed\":false}"));
    }

    // `openssl s_client` shows the TLS alert the server sent (QSslSocket only reports a close).
    QString sClient(quint16 toPort, ClientCert cert, const QStringList &extra = {})
    {
        QStringList arguments = {
            QStringLiteral("s_client"), QStringLiteral("-connect"), QStringLiteral("127.0.0.1:%1").arg(toPort),
            QStringLiteral("-CAfile"),  path("server-ca.pem"),      QStringLiteral("-quiet")};
        if (cert == ClientCert::Device)
            arguments << QStringLiteral("-cert") << m_deviceCert << QStringLiteral("-key") << m_deviceKey;
        if (cert == ClientCert::Revoked)
            arguments << QStringLiteral("-cert") << m_revokedCert << QStringLiteral("-key") << m_revokedKey;
        if (cert == ClientCert::Foreign)
            arguments << QStringLiteral("-cert") << m_foreignCert << QStringLiteral("-key") << m_foreignKey;
        QProcess process;
        process.setProcessChannelMode(QProcess::MergedChannels);
        process.start(QStringLiteral("openssl"), arguments + extra);
        if (!process.waitForStarted(5000))
            return QStringLiteral("openssl did not start");
        process.write("GET /sync/peer HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        process.closeWriteChannel();
        if (!process.waitForFinished(10000))
            process.kill();
        return QString::fromLocal8Bit(process.readAll());
    }

    void devicesRefusesBadClientCertificates_data()
    {
        QTest::addColumn<int>("cert");
        QTest::addColumn<QString>("alert");
        QTest::newRow("no client certificate") << int(ClientCert::None) << QStringLiteral("alert number 116");
        QTest::newRow("foreign CA") << int(ClientCert::Foreign) << QStringLiteral("alert number 48");
        QTest::newRow("revoked") << int(ClientCert::Revoked) << QStringLiteral("alert number 44");
    }
    void devicesRefusesBadClientCertificates()
    {
        QFETCH(int, cert);
        QFETCH(QString, alert);
        const std::size_t logsBefore = m_shared.logs().size();
        const QString output = sClient(port(Listener::Devices), static_cast<ClientCert>(cert));
        QVERIFY2(output.contains(alert), qPrintable(output));
        QVERIFY2(!output.contains(QStringLiteral("HTTP/1.1")), qPrintable(output));
        QTRY_VERIFY_WITH_TIMEOUT(m_shared.logs().size() > logsBefore, 2000);
        QVERIFY(m_shared.logs().back().find("tls_handshake_failed listener=devices") != std::string::npos);
        // The same client with a valid certificate gets an answer over TLS 1.3.
        const QString good = sClient(port(Listener::Devices), ClientCert::Device);
        QVERIFY2(good.contains(QStringLiteral("HTTP/1.1 200 OK")), qPrintable(good));
    }

    void devicesSessionResumption()
    {
        // §2.3 (a): resumption works on the mTLS listener (session id context set);
        // §2.3 (b): a resumed session skips the verify callback, so Peer says so and the
        // application must check the device on every request.
        const QString session = path("device.session");
        const QString first =
            sClient(port(Listener::Devices), ClientCert::Device, {QStringLiteral("-sess_out"), session});
        QVERIFY2(first.contains(QStringLiteral("\"resumed\":false")), qPrintable(first));
        QVERIFY(QFile::exists(session));
        const int checksBefore = m_shared.revocationChecks.load();
        const QString second =
            sClient(port(Listener::Devices), ClientCert::Device, {QStringLiteral("-sess_in"), session});
        QVERIFY2(second.contains(QStringLiteral("\"resumed\":true")), qPrintable(second));
        QVERIFY2(second.contains(QString::fromStdString(m_deviceSerial)), qPrintable(second));
        QCOMPARE(m_shared.revocationChecks.load(), checksBefore); // no fresh verification happened
    }

    void tlsVersionsPerListener_data()
    {
        QTest::addColumn<int>("listener");
        QTest::addColumn<int>("protocol");
        QTest::addColumn<bool>("accepted");
        QTest::newRow("devices TLS 1.2") << int(Listener::Devices) << int(QSsl::TlsV1_2) << false;
        QTest::newRow("admin TLS 1.2") << int(Listener::Admin) << int(QSsl::TlsV1_2) << false;
        QTest::newRow("api TLS 1.2") << int(Listener::Api) << int(QSsl::TlsV1_2) << true;
        QTest::newRow("api TLS 1.3") << int(Listener::Api) << int(QSsl::TlsV1_3) << true;
        QTest::newRow("admin TLS 1.3") << int(Listener::Admin) << int(QSsl::TlsV1_3) << true;
    }
    void tlsVersionsPerListener()
    {
        QFETCH(int, listener);
        QFETCH(int, protocol);
        QFETCH(bool, accepted);
        const auto kind = static_cast<Listener>(listener);
        auto socket = connectTls(port(kind), kind == Listener::Devices ? ClientCert::Device : ClientCert::None,
                                 static_cast<QSsl::SslProtocol>(protocol));
        QCOMPARE(socket->isEncrypted(), accepted);
        if (!accepted)
            return;
        QCOMPARE(int(socket->sessionProtocol()), protocol);
        const QString cipher = socket->sessionCipher().name();
        const QStringList allowed = {
            QStringLiteral("ECDHE-ECDSA-AES128-GCM-SHA256"), QStringLiteral("ECDHE-ECDSA-AES256-GCM-SHA384"),
            QStringLiteral("ECDHE-ECDSA-CHACHA20-POLY1305"), QStringLiteral("TLS_AES_128_GCM_SHA256"),
            QStringLiteral("TLS_AES_256_GCM_SHA384"),        QStringLiteral("TLS_CHACHA20_POLY1305_SHA256")};
        QVERIFY2(allowed.contains(cipher), qPrintable(cipher));
        socket->write(get("/api/v1/items"));
        QCOMPARE(readResponse(*socket).status, 200);
    }

    void weakTls12CipherRefused()
    {
        auto socket = std::make_unique<QSslSocket>();
        QSslConfiguration configuration = QSslConfiguration::defaultConfiguration();
        configuration.setCaCertificates(m_serverCa);
        configuration.setProtocol(QSsl::TlsV1_2);
        QList<QSslCipher> weak;
        for (const char *name : {"AES128-SHA", "AES256-GCM-SHA384", "ECDHE-ECDSA-AES128-SHA"}) {
            const QSslCipher cipher(QString::fromLatin1(name), QSsl::TlsV1_2);
            if (!cipher.isNull())
                weak << cipher;
        }
        QVERIFY(!weak.isEmpty());
        configuration.setCiphers(weak);
        socket->setSslConfiguration(configuration);
        socket->connectToHostEncrypted(QStringLiteral("127.0.0.1"), port(Listener::Api));
        QVERIFY(!socket->waitForEncrypted(5000));
    }

    void rawRequests_data()
    {
        QTest::addColumn<QByteArray>("request");
        QTest::addColumn<int>("status");
        QTest::addColumn<bool>("closes");
        QTest::addColumn<QByteArray>("allow");
        const QByteArray post = "POST /api/v1/echo HTTP/1.1\r\nHost: x\r\n";
        QTest::newRow("H1 CL then TE") << post + "Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
                                       << 400 << true << QByteArray();
        QTest::newRow("H1 TE then CL") << post + "Transfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n0\r\n\r\n"
                                       << 400 << true << QByteArray();
        QTest::newRow("TE gzip") << post + "Transfer-Encoding: gzip\r\n\r\nGET /x HTTP/1.1\r\nHost: x\r\n\r\n"
                                 << 400 << true << QByteArray();
        QTest::newRow("TE chunked, identity") << post + "Transfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n"
                                              << 400 << true << QByteArray();
        QTest::newRow("TE xchunked") << post + "Transfer-Encoding: xchunked\r\n\r\n0\r\n\r\n"
                                     << 400 << true << QByteArray();
        QTest::newRow("two TE headers")
            << post + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
            << 400 << true << QByteArray();
        QTest::newRow("H2 two Content-Length")
            << post + "Content-Length: 2\r\nContent-Length: 3\r\n\r\nabc" << 400 << true << QByteArray();
        QTest::newRow("H4 Content-Length +2") << post + "Content-Length: +2\r\n\r\nab" << 400 << true << QByteArray();
        QTest::newRow("H4 Content-Length -1") << post + "Content-Length: -1\r\n\r\nab" << 400 << true << QByteArray();
        QTest::newRow("H4 Content-Length 0x10")
            << post + "Content-Length: 0x10\r\n\r\nab" << 400 << true << QByteArray();
        QTest::newRow("H5 space before colon") << post + "Content-Length : 2\r\n\r\nab" << 400 << true << QByteArray();
        QTest::newRow("H6 bare LF") << QByteArray("GET /api/v1/items HTTP/1.1\nHost: x\n\n") << 400 << true
                                    << QByteArray();
        QTest::newRow("H7 NUL in header")
            << QByteArray("GET /api/v1/items HTTP/1.1\r\nHost: x\r\nX-A: a") + '\0' + QByteArray("b\r\n\r\n") << 400
            << true << QByteArray();
        QTest::newRow("H7 lone CR in header")
            << QByteArray("GET /api/v1/items HTTP/1.1\r\nHost: x\r\nX-A: a\rb\r\n\r\n") << 400 << true << QByteArray();
        QTest::newRow("H8 chunk size overflow")
            << post + "Transfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFFF\r\nab\r\n0\r\n\r\n"
            << 400 << true << QByteArray();
        QTest::newRow("H9 9 KB header block")
            << "GET /api/v1/items HTTP/1.1\r\nHost: x\r\nX-Big: " + QByteArray(9 * 1024, 'a') + "\r\n\r\n"
            << 431 << true << QByteArray();
        QTest::newRow("H10 Content-Length 2000000")
            << post + "Content-Type: application/json\r\nContent-Length: 2000000\r\n\r\n"
            << 413 << true << QByteArray();
        QTest::newRow("chunked body over route limit")
            << QByteArray("POST /api/v1/small HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n20\r\n") +
                   QByteArray(32, 'x') + "\r\n0\r\n\r\n"
            << 413 << true << QByteArray();
        QTest::newRow("H12 absolute form")
            << QByteArray("GET http://evil/x HTTP/1.1\r\nHost: evil\r\n\r\n") << 400 << true << QByteArray();
        QTest::newRow("H13 HTTP/1.2") << QByteArray("GET /api/v1/items HTTP/1.2\r\nHost: x\r\n\r\n") << 400 << true
                                      << QByteArray();
        QTest::newRow("H13 HTTP/0.9") << QByteArray("GET /api/v1/items\r\n\r\n") << 400 << true << QByteArray();
        QTest::newRow("H14 lower-case get") << QByteArray("get /api/v1/items HTTP/1.1\r\nHost: x\r\n\r\n") << 501
                                            << true << QByteArray("GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS");
        QTest::newRow("H14 FOO") << QByteArray("FOO / HTTP/1.1\r\nHost: x\r\n\r\n") << 501 << true
                                 << QByteArray("GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS");
        QTest::newRow("H14 TRACE known route")
            << QByteArray("TRACE /api/v1/items HTTP/1.1\r\nHost: x\r\n\r\n") << 405 << true << QByteArray("GET, HEAD");
        QTest::newRow("H14 TRACE /") << QByteArray("TRACE / HTTP/1.1\r\nHost: x\r\n\r\n") << 405 << true
                                     << QByteArray("GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS");
        QTest::newRow("TRACK") << QByteArray("TRACK / HTTP/1.1\r\nHost: x\r\n\r\n") << 405 << true
                               << QByteArray("GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS");
        QTest::newRow("CONNECT") << QByteArray("CONNECT evil:443 HTTP/1.1\r\nHost: evil:443\r\n\r\n") << 405 << true
                                 << QByteArray("GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS");
        QTest::newRow("H15 GET with a body")
            << QByteArray("GET /api/v1/items HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\nabcd") << 400 << true
            << QByteArray();
        QTest::newRow("HEAD with chunked body")
            << QByteArray("HEAD /api/v1/items HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
            << 400 << true << QByteArray();
        QTest::newRow("missing Host") << QByteArray("GET /api/v1/items HTTP/1.1\r\n\r\n") << 400 << true
                                      << QByteArray();
        QTest::newRow("duplicate Host") << QByteArray("GET /api/v1/items HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n") << 400
                                        << true << QByteArray();
        QTest::newRow("empty Host") << QByteArray("GET /api/v1/items HTTP/1.1\r\nHost: \r\n\r\n") << 400 << true
                                    << QByteArray();
        QTest::newRow("U1 ..%2f") << get("/static/..%2f..%2fetc/passwd") << 400 << true << QByteArray();
        QTest::newRow("U1 %2e%2e") << get("/static/%2e%2e/%2e%2e/etc/passwd") << 400 << true << QByteArray();
        QTest::newRow("U1 backslash") << get("/static/..\\..\\x") << 400 << true << QByteArray();
        QTest::newRow("U2 %00") << get("/api/v1/items/1%00.json") << 400 << true << QByteArray();
        QTest::newRow("bad percent") << get("/api/v1/items/%zz") << 400 << true << QByteArray();
        QTest::newRow("U3 duplicate query parameter")
            << get("/api/v1/items?status=open&status=shipped") << 400 << true << QByteArray();
        QTest::newRow("U7 .git/HEAD") << get("/.git/HEAD") << 404 << false << QByteArray();
        QTest::newRow("U7 .env") << get("/.env") << 404 << false << QByteArray();
        QTest::newRow("U7 backup.sql") << get("/backup.sql") << 404 << false << QByteArray();
        QTest::newRow("U7 server.key") << get("/server.key") << 404 << false << QByteArray();
        QTest::newRow("404 with a body closes")
            << QByteArray("POST /nowhere HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc") << 404 << true
            << QByteArray();
        QTest::newRow("405 method not allowed") << QByteArray("DELETE /api/v1/items HTTP/1.1\r\nHost: x\r\n\r\n") << 405
                                                << false << QByteArray("GET, HEAD");
        QTest::newRow("Content-Length over a small route limit")
            << QByteArray("POST /api/v1/small HTTP/1.1\r\nHost: x\r\nContent-Length: 17\r\n\r\n") + QByteArray(17, 'x')
            << 413 << true << QByteArray();
        QTest::newRow("unknown Expect") << post + "Expect: magic\r\nContent-Length: 2\r\n\r\nab" << 417 << true
                                        << QByteArray();
        QTest::newRow("URI too long") << get("/" + QByteArray(5000, 'a')) << 414 << true << QByteArray();
    }
    void rawRequests()
    {
        QFETCH(QByteArray, request);
        QFETCH(int, status);
        QFETCH(bool, closes);
        QFETCH(QByteArray, allow);
        const Response response = exchange(port(Listener::Api), request);
        QVERIFY2(response.complete, qPrintable(response.error));
        QCOMPARE(response.status, status);
        QCOMPARE(response.closedAfter, closes);
        QCOMPARE(response.header("allow"), allow);
        verifySecurityHeaders(response);
        if (!request.startsWith("HEAD "))
            QVERIFY(response.body.startsWith("{\"error\":\""));
        verifyStillServing();
    }

    void responseHeadersFromHandlers()
    {
        const Response html = exchange(port(Listener::Admin), get("/api/v1/html"));
        QCOMPARE(html.status, 200);
        QCOMPARE(html.header("content-type"), QByteArray("text/html; charset=utf-8"));
        QVERIFY(html.header("content-security-policy").contains("default-src 'none'; script-src 'self'"));
        QCOMPARE(html.header("cache-control"), QByteArray("no-store"));
        const Response cached = exchange(port(Listener::Api), get("/api/v1/cached"));
        QCOMPARE(cached.status, 200);
        QCOMPARE(cached.header("cache-control"), QByteArray("public, max-age=60")); // handler's choice kept
        QVERIFY(!cached.headers.contains("x-evil"));                                // CR/LF header dropped
        QVERIFY(!cached.headers.contains("set-cookie"));
        verifySecurityHeaders(cached);
    }

    void throwingHandlerGives500AndServerKeepsServing()
    {
        auto socket = connectTls(port(Listener::Api));
        QVERIFY(socket->isEncrypted());
        socket->write(get("/api/v1/throw"));
        const Response failed = readResponse(*socket);
        QCOMPARE(failed.status, 500);
        verifySecurityHeaders(failed);
        const QByteArray requestId = failed.header("x-request-id");
        QVERIFY(
            QRegularExpression(QStringLiteral("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"))
                .match(QString::fromLatin1(requestId))
                .hasMatch());
        QCOMPARE(failed.body, "{\"error\":\"internal\",\"ref\":\"" + requestId + "\"}");
        QVERIFY(!failed.body.contains("SELECT"));
        socket->write(get("/api/v1/items"));
        const Response next = readResponse(*socket);
        QCOMPARE(next.status, 200);
        const auto logged = [&] {
            const auto logs = m_shared.logs();
            return std::any_of(logs.begin(), logs.end(), [&](const std::string &line) {
                return line.find("status=500") != std::string::npos &&
                       line.find(requestId.toStdString()) != std::string::npos;
            });
        };
        QTRY_VERIFY_WITH_TIMEOUT(logged(), 5000); // written once the answer has gone out
    }

    void logLineHasNoSecrets()
    {
        const Response response =
            exchange(port(Listener::Devices),
                     "POST /api/v1/echo?token=hunter2secret HTTP/1.1\r\nHost: x\r\nCookie: sid=cookiesecret\r\n"
                     "Content-Length: 14\r\n\r\n{\"pw\":\"bodys\"}",
                     ClientCert::Device);
        QCOMPARE(response.status, 200);
        const std::string requestId = response.header("x-request-id").toStdString();
        // The access line is written once the answer has gone out: the client may read it first.
        std::string line;
        const auto find = [&] {
            for (const auto &candidate : m_shared.logs()) {
                if (candidate.find(requestId) != std::string::npos)
                    line = candidate;
            }
            return !line.empty();
        };
        QTRY_VERIFY2_WITH_TIMEOUT(find(), requestId.c_str(), 5000);
        for (const char *expected : {"method=POST", "path=/api/v1/echo", "query=token", "status=200",
                                     "duration_ms=", "listener=devices", "peer=127.0.0.1"})
            QVERIFY2(line.find(expected) != std::string::npos, line.c_str());
        QVERIFY(line.find("device=" + m_deviceId) != std::string::npos);
        QVERIFY(line.find("serial=" + m_deviceSerial) != std::string::npos);
        for (const char *secret : {"hunter2secret", "cookiesecret", "bodys"})
            QVERIFY2(line.find(secret) == std::string::npos, line.c_str());
    }

    void slowlorisIsClosedOthersUnaffected()
    {
        // H16 short variant: headerTimeout is 2 s here; one header byte every 300 ms.
        auto slow = connectTls(port(Listener::Api));
        QVERIFY(slow->isEncrypted());
        QElapsedTimer timer;
        timer.start();
        const QByteArray request =
            "GET /api/v1/items HTTP/1.1\r\nHost: x\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n";
        qsizetype sent = 0;
        bool otherServed = false;
        while (slow->state() == QAbstractSocket::ConnectedState && timer.elapsed() < 8000) {
            if (sent < request.size()) {
                slow->write(request.mid(sent++, 1));
                slow->flush();
            }
            if (!otherServed && timer.elapsed() > 600) {
                verifyStillServing();
                otherServed = true;
            }
            slow->waitForReadyRead(300);
            slow->readAll();
        }
        QVERIFY(otherServed);
        QVERIFY(slow->state() != QAbstractSocket::ConnectedState);
        QVERIFY2(timer.elapsed() < 4000, qPrintable(QString::number(timer.elapsed())));
        QVERIFY(timer.elapsed() >= 1500);
        QVERIFY(sent < request.size()); // it never finished its header block
    }

    void idleKeepAliveIsClosed()
    {
        auto socket = connectTls(port(Listener::Api));
        socket->write(get("/api/v1/items"));
        QCOMPARE(readResponse(*socket).status, 200);
        QElapsedTimer timer;
        timer.start();
        while (socket->state() == QAbstractSocket::ConnectedState && timer.elapsed() < 6000)
            socket->waitForReadyRead(100);
        QVERIFY(socket->state() != QAbstractSocket::ConnectedState);
        QVERIFY(timer.elapsed() >= 1500 && timer.elapsed() < 4000);
    }

    void perIpCapAndRequestsPerConnection()
    {
        // H17 with a cap of 4 and a generous header timeout so idle sockets stay open.
        ServerConfig config = baseConfig();
        config.maxConnectionsPerIp = 4;
        config.maxRequestsPerConnection = 3;
        config.headerTimeout = std::chrono::seconds(10);
        config.idleTimeout = std::chrono::seconds(10);
        auto server = startServer(config);
        QVERIFY(server);
        const quint16 apiPort = server->ports.at(1);
        std::vector<std::unique_ptr<QSslSocket>> idle;
        for (int index = 0; index < 4; ++index) {
            idle.push_back(connectTls(apiPort));
            QVERIFY(idle.back()->isEncrypted());
        }
        auto refused = connectTls(apiPort);
        if (refused->isEncrypted()) { // TLS 1.3 client may finish first; the server never answers
            refused->write(get("/api/v1/items"));
            QVERIFY(!readResponse(*refused, false, 3000).complete);
        }
        const auto logs = m_shared.logs();
        QVERIFY(std::any_of(logs.begin(), logs.end(), [](const std::string &line) {
            return line.find("connection refused listener=api peer=127.0.0.1 reason=per_ip_cap") != std::string::npos;
        }));
        // One slot freed → a new client is served; at most 3 requests per connection.
        idle.front()->disconnectFromHost();
        idle.front()->waitForDisconnected(2000);
        idle.erase(idle.begin());
        QTest::qWait(300);
        auto fresh = connectTls(apiPort);
        QVERIFY(fresh->isEncrypted());
        for (int index = 0; index < 3; ++index) {
            fresh->write(get("/api/v1/items"));
            const Response response = readResponse(*fresh);
            QCOMPARE(response.status, 200);
            QCOMPARE(response.closedAfter, index == 2);
        }
    }

    void gracefulStopCompletesInFlightRequest()
    {
        auto server = startServer(baseConfig());
        QVERIFY(server);
        const quint16 apiPort = server->ports.at(1);
        auto idle = connectTls(apiPort);
        QVERIFY(idle->isEncrypted());
        auto busy = connectTls(apiPort);
        QVERIFY(busy->isEncrypted());
        const int before = m_shared.slowStarted.load();
        busy->write(get("/api/v1/slow"));
        busy->flush();
        QElapsedTimer timer;
        timer.start();
        while (m_shared.slowStarted.load() == before && timer.elapsed() < 5000)
            QTest::qWait(10);
        QVERIFY(m_shared.slowStarted.load() > before);
        std::thread stopper([&server] { server->server->stop(); });
        stopper.join();
        const Response response = readResponse(*busy);
        QCOMPARE(response.status, 200);
        QCOMPARE(response.body, QByteArray("{\"slow\":true}"));
        QCOMPARE(response.header("connection").toLower(), QByteArray("close"));
        server->thread.join(); // run() returned
        QVERIFY(timer.elapsed() < 5000);
        // The idle connection was closed and nothing listens any more.
        idle->waitForReadyRead(500);
        QVERIFY(idle->state() != QAbstractSocket::ConnectedState);
        auto late = connectTls(apiPort);
        QVERIFY(!late->isEncrypted());
    }
};

QTEST_GUILESS_MAIN(TestHttpsServer)
#include "tst_httpsserver.moc"
