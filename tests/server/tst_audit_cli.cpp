#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTest>

#include <chrono>
#include <thread>

#include <sqlite3.h>
#include <sys/stat.h>

#include "tests/server/serverfixture.h"
#include "tests/server/tst_webhookmock.h"
#include "tests/support/serverprocess.h"

// soko-server's audit trail and chat alerts end to end, with real processes on both backends:
// `init` creates the checkpoint-signing key (0600), the admin commands (enroll-code, api-key
// create/revoke, revoke-device) queue their announcements, `audit checkpoint` / `audit verify` /
// `audit public-key` work on the data folder or on --db alone, `run` delivers the queue to the
// loopback mock webhook (R42) and refuses unsafe webhook settings (R14, R34), and an edit made
// behind the server's back makes `audit verify` fail naming the seq (R41).
using namespace TestSupport;

namespace {

QString payloadText(const WebhookHit &hit)
{
    return QJsonDocument::fromJson(QByteArray::fromStdString(hit.body))
        .object()
        .value(QStringLiteral("text"))
        .toString();
}

bool anyHitContains(const std::vector<WebhookHit> &hits, const QString &text)
{
    return std::any_of(hits.begin(), hits.end(),
                       [&](const WebhookHit &hit) { return payloadText(hit).contains(text); });
}

std::string urlWithDatabase(const std::string &url, const std::string &database)
{
    const auto slash = url.find('/', url.find("://") + 3);
    return url.substr(0, slash + 1) + database;
}

// Edits audit seq `seq` the way an attacker with database access would (triggers off first).
void tamper(const TestDatabase &database, const QString &sqliteFile, int seq)
{
    const std::string update = "UPDATE audit SET target = 'nothing happened' WHERE id = " + std::to_string(seq);
#ifdef SOKO_HAVE_POSTGRESQL
    if (isPostgres()) {
        pqxx::connection connection(urlWithDatabase(std::getenv("SOKO_TEST_PG_ADMIN_URL"), database.name()));
        pqxx::nontransaction session(connection);
        session.exec("ALTER TABLE audit DISABLE TRIGGER USER");
        session.exec(update);
        return;
    }
#endif
    (void)database;
    sqlite3 *db = nullptr;
    QCOMPARE(sqlite3_open(sqliteFile.toLocal8Bit().constData(), &db), SQLITE_OK);
    QCOMPARE(sqlite3_exec(db, "DROP TRIGGER audit_no_update", nullptr, nullptr, nullptr), SQLITE_OK);
    QCOMPARE(sqlite3_exec(db, update.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
    QCOMPARE(sqlite3_changes(db), 1);
    sqlite3_close(db);
}

bool writeSecret(const QString &path, const QByteArray &text, QFileDevice::Permissions permissions)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return false;
    file.write(text);
    file.close();
    return file.setPermissions(permissions);
}

} // namespace

class TestAuditCli : public QObject
{
    Q_OBJECT

    std::unique_ptr<WebhookCertificates> m_certificates;
    std::unique_ptr<MockWebhook> m_mock;

    QStringList webhookSettings(const ServerProcess &server, const std::string &url,
                                QFileDevice::Permissions permissions = QFileDevice::ReadOwner | QFileDevice::WriteOwner)
    {
        const QString urlFile = server.rootPath() + QStringLiteral("/alert-webhook.url");
        if (!writeSecret(urlFile, QByteArray::fromStdString(url) + "\n", permissions))
            qFatal("cannot write the webhook URL file");
        return {QStringLiteral("--set"),
                QStringLiteral("alert_webhook_url_file=") + urlFile,
                QStringLiteral("--set"),
                QStringLiteral("alert_webhook_ca_file=") + QString::fromStdString(m_certificates->caFile),
                QStringLiteral("--set"),
                QStringLiteral("alert_webhook_allow_hosts=127.0.0.1")};
    }

private Q_SLOTS:
    void initTestCase_data() { addBackendRows(); }
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
    void init() { SOKO_CHECK_BACKEND(); }

    void auditTrailEndToEnd()
    {
        TestDatabase database;
        ServerProcess server;
        if (isPostgres())
            server.setDatabase(QString::fromStdString(database.location()));
        QVERIFY(server.init());
        const QString keyPath = server.dataPath() + QStringLiteral("/audit-signing.key");
        struct stat status = {};
        QCOMPARE(::stat(keyPath.toLocal8Bit().constData(), &status), 0);
        QCOMPARE(status.st_mode & 0777, 0600u); // R14

        // Admin commands: each writes its audit entry and queues its chat announcement.
        const QString token = server.createApiKey(QStringLiteral("shop"));
        QVERIFY(!token.isEmpty());
        QVERIFY(!server.enrollmentCode(QStringLiteral("TKY1")).isEmpty());
        const QString keyId = token.mid(5, 17);
        const auto revoked = server.adminCommand({QStringLiteral("api-key"), QStringLiteral("revoke"), keyId});
        QCOMPARE(revoked.exitCode, 0);

        auto verified = server.adminCommand({QStringLiteral("audit"), QStringLiteral("verify")});
        QCOMPARE(verified.exitCode, 0);
        const QRegularExpression okLine(QStringLiteral("^ok: (\\d+) entries, last seq (\\d+), 0 checkpoints\n$"));
        auto match = okLine.match(QString::fromUtf8(verified.out));
        QVERIFY2(match.hasMatch(), verified.out.constData());
        const int entries = match.captured(1).toInt();
        QVERIFY(entries >= 4); // init, API key, enrollment code, revocation
        QCOMPARE(match.captured(2).toInt(), entries);

        const auto checkpoint = server.adminCommand({QStringLiteral("audit"), QStringLiteral("checkpoint")});
        QCOMPARE(checkpoint.exitCode, 0);
        QVERIFY2(checkpoint.out.startsWith("checkpoint 1: seq " + QByteArray::number(entries) + ", hash "),
                 checkpoint.out.constData());
        const auto again = server.adminCommand({QStringLiteral("audit"), QStringLiteral("checkpoint")});
        QVERIFY2(again.out.startsWith("nothing to sign: checkpoint 1 covers seq"), again.out.constData());

        // Off-host verification: only the public key and the database.
        const auto publicKey = server.adminCommand({QStringLiteral("audit"), QStringLiteral("public-key")});
        QCOMPARE(publicKey.exitCode, 0);
        QVERIFY(publicKey.out.startsWith("-----BEGIN PUBLIC KEY-----"));
        const QString publicKeyFile = server.rootPath() + QStringLiteral("/audit-public.pem");
        QVERIFY(writeSecret(publicKeyFile, publicKey.out, QFileDevice::ReadOwner | QFileDevice::WriteOwner));
        const QString location =
            isPostgres() ? QString::fromStdString(database.location()) : server.dataPath() + QStringLiteral("/soko.db");
        const auto offHost = server.command({QStringLiteral("audit"), QStringLiteral("verify"), QStringLiteral("--db"),
                                             location, QStringLiteral("--public-key"), publicKeyFile});
        QCOMPARE(offHost.exitCode, 0);
        QCOMPARE(offHost.out, "ok: " + QByteArray::number(entries) + " entries, last seq " +
                                  QByteArray::number(entries) + ", 1 checkpoints\n");

        // `run` delivers the queue to the webhook; the URL (a secret) never reaches the log.
        const auto before = m_mock->hits().size();
        QVERIFY(server.start(webhookSettings(server, m_mock->url())));
        QVERIFY(server.waitForLog(QRegularExpression(QStringLiteral("alerts webhook=configured"))));
        auto hits = m_mock->waitForHits(before + 4, std::chrono::seconds(30));
        QVERIFY2(hits.size() >= before + 4, server.log().right(3000).constData());
        const std::vector<WebhookHit> delivered(hits.begin() + std::ptrdiff_t(before), hits.end());
        QVERIFY(anyHitContains(delivered, QStringLiteral("API key created api_key:") + keyId));
        QVERIFY(anyHitContains(delivered, QStringLiteral("Enrollment code created")));
        QVERIFY(anyHitContains(delivered, QStringLiteral("API key revoked api_key:") + keyId));
        QVERIFY(anyHitContains(delivered, QStringLiteral("Audit checkpoint 1")));
        QVERIFY(!anyHitContains(delivered, token)); // never the secret

        // While it runs: a device revocation is in chat within seconds (R42: ≤ 60 s).
        const auto device = server.enrollDevice(QStringLiteral("TKY1"));
        QVERIFY(device);
        QVERIFY(server.revokeDevice(device->id));
        // (the enroll-code behind enrollDevice is announced too, so look for the revocation itself)
        const QString revocation = QStringLiteral("Device revoked ") + device->id + QStringLiteral(" by cli:");
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
        while (!anyHitContains(m_mock->hits(), revocation) && std::chrono::steady_clock::now() < deadline)
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        QString seen;
        for (const auto &hit : m_mock->hits())
            seen += payloadText(hit) + QLatin1Char('\n');
        QVERIFY2(anyHitContains(m_mock->hits(), revocation), qPrintable(seen));
        QVERIFY(server.stop());
        QVERIFY(!server.log().contains("test-token"));
        QVERIFY(server.log().contains("alert_delivered"));

        // An edit behind the server's back: verify names the seq and fails.
        tamper(database, location, 2);
        const auto tampered = server.adminCommand({QStringLiteral("audit"), QStringLiteral("verify")});
        QCOMPARE(tampered.exitCode, 1);
        QCOMPARE(tampered.out, QByteArray("tampered: seq 2 (hash mismatch)\n"));
    }

    void unsafeWebhookSettingsStopTheStart_data()
    {
        QTest::addColumn<QString>("url");
        QTest::addColumn<bool>("worldReadable");
        QTest::addColumn<QString>("message");
        QTest::newRow("http") << QStringLiteral("http://127.0.0.1:9/hook-secret") << false
                              << QStringLiteral("must use https");
        QTest::newRow("cloud metadata") << QStringLiteral("https://169.254.169.254/hook-secret") << false
                                        << QStringLiteral("non-public address");
        QTest::newRow("file readable by others")
            << QStringLiteral("https://hooks.example.com/hook-secret") << true << QStringLiteral("chmod 600");
    }
    void unsafeWebhookSettingsStopTheStart()
    {
        QFETCH(QString, url);
        QFETCH(bool, worldReadable);
        QFETCH(QString, message);
        TestDatabase database;
        ServerProcess server;
        if (isPostgres())
            server.setDatabase(QString::fromStdString(database.location()));
        QVERIFY(server.init());
        const auto permissions = worldReadable
                                     ? QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadOther
                                     : QFileDevice::ReadOwner | QFileDevice::WriteOwner;
        QStringList settings = webhookSettings(server, url.toStdString(), permissions);
        QVERIFY(!server.start(settings));
        QCOMPARE(server.exitCode(), 1);
        QVERIFY2(server.log().contains(message.toUtf8()), server.log().right(2000).constData());
        QVERIFY(!server.log().contains("hook-secret"));
    }
};

QTEST_GUILESS_MAIN(TestAuditCli)
#include "tst_audit_cli.moc"
