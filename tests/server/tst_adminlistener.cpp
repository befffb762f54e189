#include <QFile>
#include <QSslSocket>
#include <QTest>

#include "server/app/settings.h"
#include "tests/support/serverprocess.h"

// End to end: `soko-server run` binds the admin listener (admin=PORT in the ports file), serves
// the admin pages over TLS 1.3 only with every security header (R52, R43), and the admin paths
// exist nowhere else (R23). The transport's own answers are checked here too: TRACE (R51), dot
// segments and encoded slashes (R26), duplicate query parameters (R30).
using namespace TestSupport;

namespace {

void verifySecurityHeaders(const HttpResult &result, bool html)
{
    QCOMPARE(result.header("strict-transport-security"), QByteArray("max-age=63072000; includeSubDomains"));
    QCOMPARE(result.header("x-content-type-options"), QByteArray("nosniff"));
    QCOMPARE(result.header("x-frame-options"), QByteArray("DENY"));
    QCOMPARE(result.header("referrer-policy"), QByteArray("no-referrer"));
    QCOMPARE(result.header("server"), QByteArray("soko"));
    QVERIFY2(result.header("content-type").contains("charset=utf-8"), result.header("content-type").constData());
    const QByteArray csp = result.header("content-security-policy");
    if (html)
        QCOMPARE(csp, QByteArray("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                                 "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"));
    else
        QVERIFY2(csp.startsWith("default-src 'none'"), csp.constData());
    for (auto it = result.headers.cbegin(); it != result.headers.cend(); ++it)
        QVERIFY2(!it.key().startsWith("access-control-"), it.key().constData()); // R53
}

} // namespace

class TestAdminListener : public QObject
{
    Q_OBJECT

    ServerProcess m_server;

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_server.init());
        QVERIFY(m_server.start());
        QVERIFY(m_server.adminPort() != 0);
        QVERIFY(m_server.adminPort() != m_server.apiPort() && m_server.adminPort() != m_server.devicesPort());
    }
    void cleanupTestCase() { QVERIFY(m_server.stop()); }

    void listeningLineAndPortsFile()
    {
        QVERIFY(m_server.waitForLog(QRegularExpression(
            QStringLiteral("listening devices=127\\.0\\.0\\.1:\\d+ api=127\\.0\\.0\\.1:\\d+ admin=127\\.0\\.0\\.1:%1 ")
                .arg(m_server.adminPort()))));
        // stdout gets its line just after the log line: read the file until it is there.
        const auto printed = [this] {
            QFile out(m_server.rootPath() + QStringLiteral("/server.out"));
            return out.open(QIODevice::ReadOnly) &&
                   out.readAll().contains("admin=127.0.0.1:" + QByteArray::number(m_server.adminPort()));
        };
        QTRY_VERIFY_WITH_TIMEOUT(printed(), 5000);
        QCOMPARE(m_server.logCount(QRegularExpression(QStringLiteral("warning admin_listen"))), 0); // loopback
    }

    void loginPageOverTls()
    {
        const HttpResult login = m_server.request(m_server.adminPort(), "GET", "/admin/login?next=%2F%2Fevil.example");
        QCOMPARE(login.status, 200);
        verifySecurityHeaders(login, true);
        QCOMPARE(login.header("content-type"), QByteArray("text/html; charset=utf-8"));
        QCOMPARE(login.header("cache-control"), QByteArray("no-store"));
        QVERIFY(login.body.startsWith("<!DOCTYPE html>"));
        QVERIFY(login.body.contains("<form class=\"stacked\" method=\"post\" action=\"/admin/login\">"));
        QVERIFY(login.body.contains("name=\"next\" value=\"/admin/\"")); // R33
        QVERIFY(!login.body.contains("evil.example"));

        HttpResult japanese =
            m_server.request(m_server.adminPort(), "GET", "/admin/login", {}, {{"Accept-Language", "ja,en;q=0.5"}});
        QVERIFY(japanese.body.contains("<html lang=\"ja\">"));
    }

    void otherAnswersCarryTheHeaders()
    {
        // 302 to login (no session), 401 JSON, 404 from the route table, static file, metrics.
        const HttpResult dashboard = m_server.request(m_server.adminPort(), "GET", "/admin/?sid=stolen");
        QCOMPARE(dashboard.status, 302);
        QCOMPARE(dashboard.header("location"), QByteArray("/admin/login?next=%2Fadmin%2F"));
        verifySecurityHeaders(dashboard, true);
        const HttpResult api = m_server.request(m_server.adminPort(), "GET", "/admin/api/session");
        QCOMPARE(api.status, 401);
        verifySecurityHeaders(api, false);
        QCOMPARE(api.header("cache-control"), QByteArray("no-store"));
        const HttpResult missing = m_server.request(m_server.adminPort(), "GET", "/admin/nothing");
        QCOMPARE(missing.status, 404);
        verifySecurityHeaders(missing, false);
        const HttpResult css = m_server.request(m_server.adminPort(), "GET", "/admin/static/admin.css");
        QCOMPARE(css.status, 200);
        verifySecurityHeaders(css, false);
        QCOMPARE(css.header("cache-control"), QByteArray("public, max-age=31536000, immutable"));
        QCOMPARE(css.header("content-type"), QByteArray("text/css; charset=utf-8"));
        const HttpResult metrics = m_server.request(m_server.adminPort(), "GET", "/metrics");
        QCOMPARE(metrics.status, 200);
        QCOMPARE(metrics.header("content-type"), QByteArray("text/plain; version=0.0.4; charset=utf-8"));
        verifySecurityHeaders(metrics, false);
        QVERIFY(metrics.body.contains(
            "soko_http_requests_total{listener=\"admin\",route=\"/admin/login\",status=\"200\"}"));
        QVERIFY(metrics.body.contains("# TYPE soko_http_request_duration_seconds histogram"));
        QVERIFY(!metrics.body.contains("evil.example")); // labels are patterns, never raw targets
    }

    void transportRefusals()
    {
        const quint16 admin = m_server.adminPort();
        const HttpResult trace = m_server.request(admin, "TRACE", "/admin/login"); // R51
        QCOMPARE(trace.status, 405);
        QCOMPARE(trace.header("allow"), QByteArray("GET, POST"));
        verifySecurityHeaders(trace, false);
        QCOMPARE(m_server.request(admin, "POST", "/admin/login", "x=1", {{"Content-Type", "text/plain"}}).status, 415);
        // R26: no file is read from a URL; dot segments never reach routing.
        for (const QByteArray &target : {QByteArray("/.git/HEAD"), QByteArray("/.env"), QByteArray("/index.html.bak"),
                                         QByteArray("/admin/static/"), QByteArray("/admin/static/admin.css.bak")})
            QCOMPARE(m_server.request(admin, "GET", target).status, 404);
        for (const QByteArray &target : {QByteArray("/admin/static/../x"), QByteArray("/admin/static/%2e%2e/x"),
                                         QByteArray("/admin/static/..%2fx")})
            QCOMPARE(m_server.request(admin, "GET", target).status, 400);
        QCOMPARE(m_server.request(admin, "GET", "/admin/login?next=/a&next=/b").status, 400); // R30
    }

    // R23: the admin paths and /metrics exist only on the admin listener.
    void adminPathsAbsentElsewhere()
    {
        for (const quint16 port : {m_server.apiPort()}) {
            for (const QByteArray &target : {QByteArray("/admin/"), QByteArray("/admin/login"), QByteArray("/admin"),
                                             QByteArray("/admin/static/admin.css"), QByteArray("/metrics")}) {
                const HttpResult result = m_server.request(port, "GET", target);
                QCOMPARE(result.status, 404);
                QVERIFY(!result.body.contains("<form"));
            }
        }
        // The admin listener serves none of the api's routes either.
        QCOMPARE(m_server.request(m_server.adminPort(), "GET", "/healthz").status, 404);
        QCOMPARE(m_server.request(m_server.apiPort(), "GET", "/healthz").status, 200);
    }

    // Mozilla "modern" on the admin listener: TLS 1.2 is refused, no client certificate asked.
    void tlsOneThreeOnly()
    {
        QSslSocket socket;
        QSslConfiguration configuration = QSslConfiguration::defaultConfiguration();
        configuration.setCaCertificates(QSslCertificate::fromPath(m_server.serverCaPath()));
        configuration.setProtocol(QSsl::TlsV1_2);
        configuration.setPeerVerifyMode(QSslSocket::VerifyPeer);
        socket.setSslConfiguration(configuration);
        socket.connectToHostEncrypted(QStringLiteral("127.0.0.1"), m_server.adminPort());
        QVERIFY(!socket.waitForEncrypted(10000));
        auto modern = m_server.connect(m_server.adminPort());
        QVERIFY2(modern->isEncrypted(), qPrintable(modern->errorString()));
        QCOMPARE(modern->sessionProtocol(), QSsl::TlsV1_3);
    }

    void adminListenOnAPublicAddress()
    {
        // 192.0.2.1 (TEST-NET-1, RFC 5737) is nobody's address: the warning is logged, then the
        // bind fails, so nothing ever listens outside loopback in this test.
        const auto run = m_server.command({QStringLiteral("run"), QStringLiteral("--data"), m_server.dataPath(),
                                           QStringLiteral("--devices-listen"), QStringLiteral("127.0.0.1:0"),
                                           QStringLiteral("--api-listen"), QStringLiteral("127.0.0.1:0"),
                                           QStringLiteral("--set"), QStringLiteral("admin_listen=192.0.2.1:0")});
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.err.contains("warning admin_listen=192.0.2.1:0 reason=not_loopback_or_private"),
                 run.err.constData());
        QVERIFY2(run.err.contains("admin listener on 192.0.2.1:0"), run.err.constData());
        const auto refused = m_server.command({QStringLiteral("run"), QStringLiteral("--data"), m_server.dataPath(),
                                               QStringLiteral("--admin-listen"), QStringLiteral("localhost:8445")});
        QCOMPARE(refused.exitCode, 2);
        QVERIFY(refused.err.contains("--admin-listen"));
        QCOMPARE(m_server.request(m_server.adminPort(), "GET", "/admin/login").status, 200); // still serving
    }

    void adminListenSetting()
    {
        using namespace Server::App;
        QCOMPARE(Settings().adminListen.address, std::string("127.0.0.1"));
        QCOMPARE(Settings().adminListen.port, std::uint16_t(8445));
        QVERIFY(defaultSettingsText().find("\n#admin_listen = 127.0.0.1:8445\n") != std::string::npos);
        const auto parsed = parseSettings("admin_listen = [fd00::5]:9445\n");
        QVERIFY(parsed);
        QCOMPARE(parsed->adminListen.address, std::string("fd00::5"));
        QCOMPARE(parsed->adminListen.port, std::uint16_t(9445));
        const auto bad = parseSettings("\nadmin_listen = vpn.example:8445\n");
        QVERIFY(!bad);
        QCOMPARE(bad.error().position, 2L);
    }

    void privateAddresses_data()
    {
        QTest::addColumn<QString>("address");
        QTest::addColumn<bool>("quiet");
        for (const char *address :
             {"127.0.0.1", "127.8.9.10", "10.8.0.1", "172.16.0.1", "172.31.255.254", "192.168.1.10", "100.64.0.1",
              "100.127.255.254", "::1", "fd00::5", "fc12::1", "::ffff:10.0.0.1"})
            QTest::newRow(address) << QString::fromLatin1(address) << true;
        for (const char *address : {"0.0.0.0", "::", "8.8.8.8", "172.32.0.1", "172.15.0.1", "192.169.0.1",
                                    "100.128.0.1", "203.0.113.5", "2001:db8::1", "fe80::1", "::ffff:8.8.8.8", "junk"})
            QTest::newRow(address) << QString::fromLatin1(address) << false;
    }
    void privateAddresses()
    {
        QFETCH(QString, address);
        QFETCH(bool, quiet);
        QCOMPARE(Server::App::isLoopbackOrPrivateAddress(address.toStdString()), quiet);
    }
};

QTEST_GUILESS_MAIN(TestAdminListener)
#include "tst_adminlistener.moc"
