#include <QElapsedTimer>
#include <QTest>

#include "server/net/webhookclient.h"
#include "tests/server/tst_webhookmock.h"

// The chat webhook client (server/net/webhookclient.*): outbound rules (R34: https only, no
// private/loopback/link-local targets unless allow-listed), TLS verification (R46), no redirects,
// deadlines and response limits, against the loopback mock webhook.
using namespace TestSupport;
using Server::Net::WebhookClient;
using Server::Net::WebhookConfig;

class TestWebhookClient : public QObject
{
    Q_OBJECT

    std::unique_ptr<WebhookCertificates> m_certificates;
    std::unique_ptr<MockWebhook> m_mock;

    WebhookConfig config(const std::string &host = "127.0.0.1") const
    {
        WebhookConfig out;
        out.url = m_mock->url(host);
        out.caFile = m_certificates->caFile;
        out.allowHosts = {host};
        out.totalTimeout = std::chrono::milliseconds(5000);
        out.connectTimeout = std::chrono::milliseconds(5000);
        return out;
    }

    Common::Result<Server::Net::WebhookResponse> post(const WebhookConfig &configuration, const std::string &body)
    {
        auto client = WebhookClient::create(configuration);
        if (!client)
            return tl::unexpected(client.error());
        return client->post(body);
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_certificates = std::make_unique<WebhookCertificates>();
        m_mock = std::make_unique<MockWebhook>(*m_certificates);
    }
    void cleanupTestCase()
    {
        m_mock.reset();
        m_certificates.reset();
    }
    void init() { m_mock->script({}); }

    void refusedUrls_data()
    {
        QTest::addColumn<QString>("url");
        QTest::addColumn<QString>("allow");
        QTest::addColumn<QString>("reason");
        QTest::newRow("http") << QStringLiteral("http://hooks.example.com/services/x") << QString()
                              << QStringLiteral("must use https");
        QTest::newRow("file") << QStringLiteral("file:///etc/passwd") << QString() << QStringLiteral("must use https");
        QTest::newRow("cloud metadata") << QStringLiteral("https://169.254.169.254/latest/meta-data/") << QString()
                                        << QStringLiteral("non-public address");
        QTest::newRow("loopback without allowlist")
            << QStringLiteral("https://127.0.0.1:8443/hook") << QString() << QStringLiteral("non-public address");
        QTest::newRow("loopback, other host allowed")
            << QStringLiteral("https://127.0.0.1:8443/hook") << QStringLiteral("10.0.0.1")
            << QStringLiteral("non-public address");
        QTest::newRow("IPv6 loopback") << QStringLiteral("https://[::1]/hook") << QString()
                                       << QStringLiteral("non-public address");
        QTest::newRow("IPv4-mapped private")
            << QStringLiteral("https://[::ffff:10.0.0.5]/hook") << QString() << QStringLiteral("non-public address");
        QTest::newRow("RFC 1918") << QStringLiteral("https://192.168.1.10/hook") << QString()
                                  << QStringLiteral("non-public address");
        QTest::newRow("localhost name") << QStringLiteral("https://localhost/hook") << QString()
                                        << QStringLiteral("localhost");
        QTest::newRow("user info") << QStringLiteral("https://user:pw@hooks.example.com/x") << QString()
                                   << QStringLiteral("user information");
        QTest::newRow("port 0") << QStringLiteral("https://hooks.example.com:0/x") << QString()
                                << QStringLiteral("invalid port");
        QTest::newRow("port over 65535") << QStringLiteral("https://hooks.example.com:99999/x") << QString()
                                         << QStringLiteral("invalid port");
        // inet_aton forms the resolver reads as 127.0.0.1 (found by a trial: they were saved).
        for (const char *host : {"127.1", "2130706433", "0x7f000001", "0x7f.1", "hooks.1"})
            QTest::newRow((std::string("numeric host ") + host).c_str())
                << QStringLiteral("https://%1/x").arg(QLatin1String(host)) << QString()
                << QStringLiteral("numeric host");
        QTest::newRow("not a URL") << QStringLiteral("hooks.example.com/services") << QString()
                                   << QStringLiteral("not an absolute URL");
    }
    void refusedUrls()
    {
        QFETCH(QString, url);
        QFETCH(QString, allow);
        QFETCH(QString, reason);
        WebhookConfig configuration;
        configuration.url = url.toStdString();
        if (!allow.isEmpty())
            configuration.allowHosts = {allow.toStdString()};
        auto client = WebhookClient::create(configuration);
        QVERIFY(!client);
        QCOMPARE(client.error().code, Common::ErrorCode::InvalidInput);
        QVERIFY2(QString::fromStdString(client.error().message).contains(reason), client.error().message.c_str());
        // The URL is a secret: the error never repeats it.
        QVERIFY(client.error().message.find(url.toStdString()) == std::string::npos);
    }

    void publicAddresses_data()
    {
        QTest::addColumn<QString>("address");
        QTest::addColumn<bool>("isPublic");
        QTest::newRow("public v4") << QStringLiteral("93.184.216.34") << true;
        QTest::newRow("public v6") << QStringLiteral("2606:2800:220:1::1") << true;
        QTest::newRow("10/8") << QStringLiteral("10.1.2.3") << false;
        QTest::newRow("172.16/12 edge") << QStringLiteral("172.31.255.255") << false;
        QTest::newRow("172.32 is public") << QStringLiteral("172.32.0.1") << true;
        QTest::newRow("CGNAT") << QStringLiteral("100.64.0.1") << false;
        QTest::newRow("link-local") << QStringLiteral("169.254.169.254") << false;
        QTest::newRow("unspecified") << QStringLiteral("0.0.0.0") << false;
        QTest::newRow("multicast") << QStringLiteral("224.0.0.1") << false;
        QTest::newRow("broadcast") << QStringLiteral("255.255.255.255") << false;
        QTest::newRow("TEST-NET-1") << QStringLiteral("192.0.2.1") << false;
        QTest::newRow("TEST-NET-3") << QStringLiteral("203.0.113.9") << false;
        QTest::newRow("next to TEST-NET-3") << QStringLiteral("203.0.114.9") << true;
        QTest::newRow("benchmarking /15") << QStringLiteral("198.19.255.1") << false;
        QTest::newRow("ULA") << QStringLiteral("fd00::1") << false;
        QTest::newRow("v6 link-local") << QStringLiteral("fe80::1") << false;
        QTest::newRow("NAT64 of loopback") << QStringLiteral("64:ff9b::7f00:1") << false;
        QTest::newRow("NAT64 of public") << QStringLiteral("64:ff9b::5db8:d822") << true;
        QTest::newRow("not an address") << QStringLiteral("example.com") << false;
    }
    void publicAddresses()
    {
        QFETCH(QString, address);
        QFETCH(bool, isPublic);
        QCOMPARE(Server::Net::isPublicAddress(address.toStdString()), isPublic);
    }

    void postsJsonAndReadsTheAnswer()
    {
        const std::string body = R"({"text":"&lt;!channel&gt; hello"})";
        auto response = post(config(), body);
        QVERIFY2(response, response ? "" : response.error().message.c_str());
        QCOMPARE(response->status, 200);
        QCOMPARE(response->body, std::string("ok"));
        const auto hits = m_mock->hits();
        QVERIFY(!hits.empty());
        QCOMPARE(hits.back().path, std::string("/services/T000/B000/test-token"));
        QCOMPARE(hits.back().contentType, std::string("application/json"));
        QCOMPARE(hits.back().body, body);
    }

    void allowListedNameResolvesToLoopback()
    {
        auto response = post(config("localhost"), "{}");
        QVERIFY2(response, response ? "" : response.error().message.c_str());
        QCOMPARE(response->status, 200);
    }

    void errorStatusesAreValues()
    {
        m_mock->script({{500, "rollup_error", {}, {}, {}}, {429, "rate_limited", "17", {}, {}}});
        auto first = post(config(), "{}");
        QVERIFY(first);
        QCOMPARE(first->status, 500);
        QCOMPARE(first->body, std::string("rollup_error"));
        QVERIFY(!first->retryAfter);
        auto second = post(config(), "{}");
        QVERIFY(second);
        QCOMPARE(second->status, 429);
        QCOMPARE(second->retryAfter.value_or(std::chrono::seconds(0)), std::chrono::seconds(17));
    }

    void redirectsAreNotFollowed()
    {
        const auto before = m_mock->hits().size();
        m_mock->script({{302, "", {}, m_mock->url() + "/elsewhere", {}}});
        auto response = post(config(), "{}");
        QVERIFY(response);
        QCOMPARE(response->status, 302);
        QCOMPARE(m_mock->hits().size(), before + 1); // one request, no second one to the Location
    }

    void untrustedCertificateIsRefused()
    {
        WebhookCertificates otherCa; // the mock's certificate is not signed by this CA
        WebhookConfig configuration = config();
        configuration.caFile = otherCa.caFile;
        const auto before = m_mock->hits().size();
        auto response = post(configuration, "{}");
        QVERIFY(!response);
        QCOMPARE(response.error().code, Common::ErrorCode::Io);
        QVERIFY2(response.error().message.find("TLS handshake") != std::string::npos, response.error().message.c_str());
        QCOMPARE(m_mock->hits().size(), before); // nothing was sent
    }

    void hostNameMustMatchTheCertificate()
    {
        WebhookCertificates wrongName({"hooks.example.com"});
        MockWebhook mock(wrongName);
        WebhookConfig configuration;
        configuration.url = mock.url();
        configuration.caFile = wrongName.caFile;
        configuration.allowHosts = {"127.0.0.1"};
        auto response = post(configuration, "{}");
        QVERIFY(!response);
        QVERIFY2(response.error().message.find("TLS handshake") != std::string::npos, response.error().message.c_str());
        QVERIFY(mock.hits().empty());
    }

    void deadlineAndResponseLimit()
    {
        m_mock->script({{200, "ok", {}, {}, std::chrono::milliseconds(2500)}});
        WebhookConfig slow = config();
        slow.totalTimeout = std::chrono::milliseconds(800);
        QElapsedTimer timer;
        timer.start();
        auto late = post(slow, "{}");
        QVERIFY(!late);
        QVERIFY2(late.error().message.find("timed out") != std::string::npos, late.error().message.c_str());
        QVERIFY(timer.elapsed() < 2400);

        m_mock->script({{200, std::string(100 * 1024, 'x'), {}, {}, {}}});
        WebhookConfig small = config();
        small.maxResponseBytes = 1024;
        auto large = post(small, "{}");
        QVERIFY(!large);
        QVERIFY2(large.error().message.find("response") != std::string::npos, large.error().message.c_str());
    }

    void nothingListening()
    {
        WebhookConfig configuration = config();
        configuration.url = "https://127.0.0.1:1/hook";
        auto response = post(configuration, "{}");
        QVERIFY(!response);
        QCOMPARE(response.error().code, Common::ErrorCode::Io);
        QVERIFY2(response.error().message.find("connect") != std::string::npos, response.error().message.c_str());
        QVERIFY(response.error().message.find("127.0.0.1:1") == std::string::npos);
    }
};

QTEST_GUILESS_MAIN(TestWebhookClient)
#include "tst_webhookclient.moc"
