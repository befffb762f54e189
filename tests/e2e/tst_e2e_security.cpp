#include <QFile>
#include <QProcess>
#include <QTest>
#include <QThread>

#include "common/crypto/pki.h"
#include "tests/e2e/e2ehelpers.h"

// Bad input and bad credentials against a real soko-server process (REQUIREMENTS.md §2.3, §2.5,
// §5.2, §9; docs/api.md): each gets a clear 4xx or a TLS alert, the server keeps serving, and
// nothing of a refused batch is applied.
using namespace E2e;

class TestE2eSecurity : public QObject
{
    Q_OBJECT

private:
    ServerProcess m_server;
    QString m_admin;
    std::optional<Device> m_dev1;
    std::optional<Device> m_dev2;
    QString m_foreignCert;
    QString m_foreignKey;

    // `openssl s_client` shows TLS alerts and session reuse, which QSslSocket hides.
    QString sClient(const QString &certificate, const QString &key, const QStringList &extra = {})
    {
        QStringList arguments{QStringLiteral("s_client"),
                              QStringLiteral("-connect"),
                              QStringLiteral("127.0.0.1:%1").arg(m_server.devicesPort()),
                              QStringLiteral("-CAfile"),
                              m_server.serverCaPath(),
                              QStringLiteral("-ign_eof")};
        if (!certificate.isEmpty())
            arguments << QStringLiteral("-cert") << certificate << QStringLiteral("-key") << key;
        QProcess process;
        process.setProcessChannelMode(QProcess::MergedChannels);
        process.start(QStringLiteral("openssl"), arguments + extra);
        if (!process.waitForStarted(5000))
            return QStringLiteral("openssl did not start");
        process.write(
            "GET /api/v1/sync/pull?cursor=0&limit=1 HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
        process.closeWriteChannel();
        if (!process.waitForFinished(20000))
            process.kill();
        return QString::fromLocal8Bit(process.readAll());
    }

    std::int64_t lastApplied(const Device &device)
    {
        // An empty-looking probe: a gap refusal tells last_applied without applying anything.
        const PushOutcome probe = push(m_server, device, {receiveOp(1'000'000, opId(99, 1))});
        return probe.refusal ? probe.refusal->lastApplied : -1;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(seedWorld(m_server, &m_admin));
        QVERIFY(m_server.start({QStringLiteral("--set"), QStringLiteral("revocation_refresh_seconds=1")}));
        m_dev1 = m_server.enrollDevice(QStringLiteral("TKY1"), QStringLiteral("HT-01"));
        m_dev2 = m_server.enrollDevice(QStringLiteral("TKY1"), QStringLiteral("HT-02"));
        QVERIFY(m_dev1 && m_dev2);

        // A certificate for dev1's id from a CA the server does not trust.
        using namespace Common::Crypto;
        auto caKey = generateP256Key();
        auto ca = makeCaCertificate(*caKey, "Soko Device Issuing CA", 10);
        auto key = generateP256Key();
        auto csr = makeCsr(*key, "impostor");
        auto issued = issueDeviceCertificate(*ca, caKey->privateKeyPem, *csr, m_dev1->id.toStdString(), 10);
        QVERIFY(issued.has_value());
        m_foreignCert = m_server.rootPath() + QStringLiteral("/foreign.pem");
        m_foreignKey = m_server.rootPath() + QStringLiteral("/foreign.key");
        QFile certificate(m_foreignCert), privateKey(m_foreignKey);
        QVERIFY(certificate.open(QIODevice::WriteOnly) && privateKey.open(QIODevice::WriteOnly));
        certificate.write(QByteArray::fromStdString(issued->certificatePem));
        privateKey.write(QByteArray::fromStdString(key->privateKeyPem));
    }

    void cleanupTestCase()
    {
        QVERIFY(m_server.stop());
        QCOMPARE(m_server.exitCode(), 0);
    }

    void refusedBatchesApplyNothing_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QByteArray>("contentType");
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("error");
        const QByteArray id = m_dev1->id.toUtf8();
        const QByteArray valid = pushBody(*m_dev1, {receiveOp(1, opId(10, 1), 7)});
        const QByteArray json = "application/json";
        QTest::newRow("malformed JSON") << valid.left(valid.size() - 3) << json << 400 << QStringLiteral("bad_json");
        QTest::newRow("trailing garbage") << valid + "{}" << json << 400 << QStringLiteral("bad_json");
        QByteArray deep =
            "{\"protocol\":1,\"device_id\":\"" + id + "\",\"incarnation\":1,\"ops\":[{\"seq\":1,\"op_id\":\"" +
            QByteArray::fromStdString(opId(10, 1)) +
            "\",\"type\":\"receive\",\"payload\":" + QByteArray("{\"a\":").repeated(20) + "1" +
            QByteArray("}").repeated(20) + ",\"operator_id\":\"OP-1\",\"created_at\":\"2026-11-29T21:40:00Z\"}]}";
        QTest::newRow("too deep") << deep << json << 400 << QStringLiteral("too_deep");
        QByteArray unknownType = valid;
        unknownType.replace("\"type\":\"receive\"", "\"type\":\"teleport\"");
        QVERIFY(unknownType != valid);
        QTest::newRow("unknown op type") << unknownType << json << 400 << QStringLiteral("bad_value");
        QTest::newRow("op of another device")
            << pushBody(*m_dev2, {receiveOp(1, opId(10, 1), 7)}) << json << 403 << QStringLiteral("device_mismatch");
        QByteArray oversized = valid;
        oversized.insert(1, "\"padding\":\"" + QByteArray(1100 * 1024, 'x') + "\",");
        QTest::newRow("oversized body") << oversized << json << 413 << QStringLiteral("body_too_large");
        QTest::newRow("not JSON content type") << valid << QByteArray("text/plain") << 415 << QString();
    }
    void refusedBatchesApplyNothing()
    {
        QFETCH(QByteArray, body);
        QFETCH(QByteArray, contentType);
        QFETCH(int, status);
        QFETCH(QString, error);
        const HttpResult answer = m_server.request(m_server.devicesPort(), "POST", "/api/v1/sync/push", body,
                                                   {{"Content-Type", contentType}}, &*m_dev1);
        QVERIFY2(answer.status == status, answer.body.left(300).constData());
        if (!error.isEmpty())
            QCOMPARE(answer.json().value(QStringLiteral("error")).toString(), error);
        QVERIFY(!answer.json().value(QStringLiteral("message")).toString().isEmpty());
        // Nothing of it was applied, and the server still serves.
        QCOMPARE(lastApplied(*m_dev1), std::int64_t(0));
        QCOMPARE(balance(m_server, m_admin, "S1", "A-1"), std::optional<qint64>(0));
        QVERIFY(m_server.isRunning());
    }

    void validBatchAfterwardsIsApplied()
    {
        const PushOutcome pushed = push(m_server, *m_dev1, {receiveOp(1, opId(10, 1), 7)});
        QVERIFY2(pushed.response, pushed.http.body.constData());
        QCOMPARE(pushed.response->lastApplied, std::int64_t(1));
        QCOMPARE(balance(m_server, m_admin, "S1", "A-1"), std::optional<qint64>(7));
    }

    void deviceCertificateOnTheApiListenerIsNotADevice()
    {
        const HttpResult answer =
            m_server.request(m_server.apiPort(), "GET", "/api/v1/sync/pull?cursor=0", {}, {}, &*m_dev1);
        QCOMPARE(answer.status, 404);
        const HttpResult noKey = m_server.api("GET", "/api/v1/orders", QString());
        QCOMPARE(noKey.status, 401);
        QCOMPARE(noKey.header("www-authenticate"), QByteArray("Bearer"));
    }

    void handshakeRefusals_data()
    {
        QTest::addColumn<QString>("certificate");
        QTest::addColumn<QString>("key");
        QTest::addColumn<QString>("alert");
        QTest::newRow("no client certificate") << QString() << QString() << QStringLiteral("alert number 116");
        QTest::newRow("certificate from another CA")
            << m_foreignCert << m_foreignKey << QStringLiteral("alert number 48");
    }
    void handshakeRefusals()
    {
        QFETCH(QString, certificate);
        QFETCH(QString, key);
        QFETCH(QString, alert);
        const QString output = sClient(certificate, key);
        QVERIFY2(output.contains(alert), qPrintable(output.right(1500)));
        QVERIFY2(!output.contains(QStringLiteral("HTTP/1.1")), qPrintable(output.right(1500)));
        // Through Qt as well: no HTTP answer at all.
        if (certificate.isEmpty()) {
            const HttpResult answer = m_server.request(m_server.devicesPort(), "GET", "/api/v1/sync/pull?cursor=0");
            QCOMPARE(answer.status, 0);
        }
        QVERIFY(m_server.isRunning());
        QVERIFY(m_server.waitForLog(QRegularExpression(QStringLiteral("tls_handshake_failed listener=devices"))));
    }

    void revokedDeviceOnFreshAndResumedSessions()
    {
        auto device = m_server.enrollDevice(QStringLiteral("TKY1"), QStringLiteral("HT-LOST"));
        QVERIFY(device);
        const QString session = m_server.rootPath() + QStringLiteral("/lost.session");
        const QString before =
            sClient(device->certificatePath, device->keyPath, {QStringLiteral("-sess_out"), session});
        QVERIFY2(before.contains(QStringLiteral("HTTP/1.1 200")), qPrintable(before.right(1500)));
        QVERIFY(QFile::exists(session));

        QVERIFY(m_server.revokeDevice(device->id));

        // A resumed TLS session skips certificate verification: the per-request check answers 401.
        const QString resumed =
            sClient(device->certificatePath, device->keyPath, {QStringLiteral("-sess_in"), session});
        QVERIFY2(resumed.contains(QStringLiteral("Reused, TLSv1.3")), qPrintable(resumed.right(1500)));
        QVERIFY2(resumed.contains(QStringLiteral("HTTP/1.1 401")), qPrintable(resumed.right(1500)));

        // Fresh handshakes are refused (alert 44) once the revoked serials are re-read (1 s here).
        QString fresh;
        for (int attempt = 0; attempt < 40; ++attempt) {
            fresh = sClient(device->certificatePath, device->keyPath);
            if (fresh.contains(QStringLiteral("alert number 44")))
                break;
            QVERIFY2(fresh.contains(QStringLiteral("HTTP/1.1 401")), qPrintable(fresh.right(1500)));
            QThread::msleep(250);
        }
        QVERIFY2(fresh.contains(QStringLiteral("alert number 44")), qPrintable(fresh.right(1500)));
        const PushOutcome refused = push(m_server, *device, {receiveOp(1, opId(11, 1), 100)});
        QCOMPARE(refused.http.status, 0);
        QCOMPARE(balance(m_server, m_admin, "S1", "A-1"), std::optional<qint64>(7));

        // Other devices are unaffected.
        QCOMPARE(m_server.sync(*m_dev2, "GET", "/api/v1/sync/pull?cursor=0&limit=1").status, 200);
    }

    void logLinesCarryNoSecrets()
    {
        const QByteArray log = m_server.log();
        QVERIFY(log.contains("request method=POST path=/api/v1/sync/push status=413"));
        QVERIFY(!log.contains(m_admin.toUtf8()));
        QVERIFY(!log.contains("soko_"));
        QVERIFY(!log.contains("BEGIN"));
        QVERIFY(!log.contains("OP-1")); // no bodies
        for (const QByteArray &line : log.split('\n'))
            QVERIFY2(line.isEmpty() || line.contains("Z "), line.constData()); // every line starts with a UTC time
    }
};

QTEST_GUILESS_MAIN(TestE2eSecurity)
#include "tst_e2e_security.moc"
