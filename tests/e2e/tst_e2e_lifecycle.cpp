#include <QCryptographicHash>
#include <QDirIterator>
#include <QElapsedTimer>
#include <QSet>
#include <QSslSocket>
#include <QTest>
#include <QThread>

#include <csignal>
#include <sys/stat.h>

#include "tests/e2e/e2ehelpers.h"

// The soko-server process and its command line (docs/server.md): init refuses an existing
// folder and keeps keys private, admin commands fail clearly, SIGTERM finishes the request in
// flight and exits 0, and SIGKILL during a stream of pushes loses nothing acknowledged.
using namespace E2e;

namespace {

// Name → (mode, SHA-256 of content) of every file under `root`.
QMap<QString, QByteArray> snapshot(const QString &root)
{
    QMap<QString, QByteArray> files;
    QDirIterator it(root, QDir::Files | QDir::Hidden | QDir::Dirs | QDir::NoDotAndDotDot, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        struct stat info
        {
        };
        ::stat(QFile::encodeName(path).constData(), &info);
        QFile file(path);
        QByteArray digest =
            QByteArray::number(info.st_mode, 8) + " " + QByteArray::number(qint64(info.st_mtim.tv_nsec));
        if (file.open(QIODevice::ReadOnly))
            digest += " " + QCryptographicHash::hash(file.readAll(), QCryptographicHash::Sha256).toHex();
        files.insert(path.mid(root.size()), digest);
    }
    return files;
}

unsigned modeOf(const QString &path)
{
    struct stat info
    {
    };
    if (::stat(QFile::encodeName(path).constData(), &info) != 0)
        return 0;
    return info.st_mode & 07777;
}

} // namespace

class TestE2eLifecycle : public QObject
{
    Q_OBJECT

private:
    ServerProcess m_server;
    QString m_admin;
    std::optional<Device> m_device;
    std::int64_t m_seq = 0;

private Q_SLOTS:
    void initTestCase() { QVERIFY(seedWorld(m_server, &m_admin)); }

    void cleanupTestCase()
    {
        if (m_server.isRunning()) {
            QVERIFY(m_server.stop());
            QCOMPARE(m_server.exitCode(), 0);
        }
    }

    void initRefusesAnExistingFolder()
    {
        const QMap<QString, QByteArray> before = snapshot(m_server.dataPath());
        QVERIFY(before.size() >= 8);
        const CommandResult again =
            m_server.command({QStringLiteral("init"), QStringLiteral("--data"), m_server.dataPath(),
                              QStringLiteral("--hostname"), QStringLiteral("other.example")});
        QCOMPARE(again.exitCode, 1);
        QVERIFY2(again.err.contains("already exists"), again.err.constData());
        QCOMPARE(snapshot(m_server.dataPath()), before);
        // No half-made scratch folder is left beside it either.
        QCOMPARE(QDir(m_server.rootPath()).entryList({QStringLiteral(".data.init-*")}, QDir::AllEntries | QDir::Hidden),
                 QStringList());
    }

    void keyFilesArePrivate()
    {
        const QString data = m_server.dataPath();
        QCOMPARE(modeOf(data), 0700u);
        for (const char *key : {"server-ca.key", "server.key", "device-ca.key"})
            QCOMPARE(modeOf(data + QLatin1Char('/') + QLatin1String(key)), 0600u);
        QCOMPARE(modeOf(data + QStringLiteral("/soko.db")), 0600u);
        QCOMPARE(modeOf(data + QStringLiteral("/server-ca.pem")), 0644u);
        QFile key(data + QStringLiteral("/device-ca.key"));
        QVERIFY(key.open(QIODevice::ReadOnly));
        QVERIFY(key.readAll().startsWith("-----BEGIN PRIVATE KEY-----"));
    }

    void commandLineErrors_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<bool>("withData");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QByteArray>("says");
        const auto list = [](std::initializer_list<const char *> items) {
            QStringList out;
            for (const char *item : items)
                out << QString::fromLatin1(item);
            return out;
        };
        QTest::newRow("no command") << QStringList() << false << 2 << QByteArray("usage:");
        QTest::newRow("unknown command") << list({"frobnicate"}) << false << 2 << QByteArray("unknown command");
        QTest::newRow("unknown option") << list({"migrate", "--verbose"}) << true << 2
                                        << QByteArray("unknown option --verbose");
        QTest::newRow("init without hostname")
            << list({"init", "--data", "/nonexistent/x"}) << false << 2 << QByteArray("--hostname");
        QTest::newRow("not a data folder")
            << list({"migrate", "--data", "/nonexistent/x"}) << false << 1 << QByteArray("soko-server init");
        QTest::newRow("unknown warehouse")
            << list({"enroll-code", "--warehouse", "NOPE"}) << true << 1 << QByteArray("unknown warehouse NOPE");
        QTest::newRow("PIN on the command line") << list({"operator", "add", "1234", "--warehouse", "TKY1", "--badge",
                                                          "OP-9", "--name", "X", "--role", "picker"})
                                                 << true << 2 << QByteArray("never from the command line");
        QTest::newRow("bad PIN") << list({"operator", "add", "--warehouse", "TKY1", "--badge", "OP-9", "--name", "X",
                                          "--role", "picker", "--pin-stdin"})
                                 << true << 1 << QByteArray("pin");
        QTest::newRow("code lifetime") << list({"enroll-code", "--warehouse", "TKY1", "--ttl-minutes", "0"}) << true
                                       << 2 << QByteArray("--ttl-minutes must be 1-10080");
        QTest::newRow("api key scope") << list({"api-key", "create"}) << true << 2
                                       << QByteArray("--store S or --admin");
        QTest::newRow("unknown device") << list({"revoke-device", "00000000-0000-4000-8000-000000000000"}) << true << 1
                                        << QByteArray("00000000");
        QTest::newRow("import kind") << list({"import", "widgets", "x.csv"}) << true << 2 << QByteArray("widgets");
        QTest::newRow("bad listen address")
            << list({"run", "--api-listen", "localhost:99999"}) << true << 2 << QByteArray("--api-listen");
    }
    void commandLineErrors()
    {
        QFETCH(QStringList, arguments);
        QFETCH(bool, withData);
        QFETCH(int, exitCode);
        QFETCH(QByteArray, says);
        const CommandResult result =
            withData ? m_server.adminCommand(arguments, "12ab\n") : m_server.command(arguments, "12ab\n");
        QCOMPARE(result.exitCode, exitCode);
        QVERIFY2((result.err + result.out).contains(says), (result.err + result.out).constData());
    }

    void everyCommandHasHelp()
    {
        for (const char *name : {"init", "run", "enroll-code", "revoke-device", "api-key", "operator", "warehouse",
                                 "new-epoch", "migrate", "import"}) {
            const CommandResult result = m_server.command({QString::fromLatin1(name), QStringLiteral("--help")});
            QCOMPARE(result.exitCode, 0);
            QVERIFY2(result.out.startsWith("usage: soko-server " + QByteArray(name)), result.out.constData());
        }
    }

    void importKeepsValidRowsAndReportsTheRest()
    {
        QByteArray csv = "code,name,base_unit,lot_controlled,gtins\r\n"
                         "S3,Soy sauce,piece,0,\r\n"
                         "S4,Bad GTIN,piece,0,4901234567890\r\n"
                         "S5,Rice,piece,0,\r\n";
        QFile file(m_server.rootPath() + QStringLiteral("/rows.csv"));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(csv);
        file.close();
        const CommandResult result =
            m_server.adminCommand({QStringLiteral("import"), QStringLiteral("skus"), file.fileName()});
        QCOMPARE(result.exitCode, 3);
        QVERIFY2(result.out.contains("imported: 2"), result.out.constData());
        QVERIFY2(result.out.contains("line 3: "), result.out.constData());
        const CommandResult migrate = m_server.adminCommand({QStringLiteral("migrate")});
        QCOMPARE(migrate.exitCode, 0);
        QVERIFY(migrate.out.startsWith("schema version: "));
    }

    void sigtermFinishesTheRequestInFlight()
    {
        QVERIFY(m_server.start());
        m_device = m_server.enrollDevice(QStringLiteral("TKY1"));
        QVERIFY(m_device);
        const QByteArray body = pushBody(*m_device, receiveBatch(20, 1, 50));
        // Expect: 100-continue makes the server say when it has read the header block and is
        // waiting for the body: from then on the request is in flight.
        const QByteArray bytes =
            ServerProcess::requestBytes("POST", "/api/v1/sync/push", body, {{"Expect", "100-continue"}});
        auto socket = m_server.connect(m_server.devicesPort(), &*m_device);
        QVERIFY(socket->isEncrypted());
        const qsizetype headerEnd = bytes.indexOf("\r\n\r\n") + 4;
        socket->write(bytes.left(headerEnd));
        QByteArray interim;
        QElapsedTimer waiting;
        waiting.start();
        while (!interim.contains("\r\n\r\n") && waiting.elapsed() < 20000) {
            socket->waitForReadyRead(100);
            interim += socket->readAll();
        }
        QVERIFY2(interim.startsWith("HTTP/1.1 100 Continue"), interim.constData());

        QCOMPARE(::kill(pid_t(m_server.pid()), SIGTERM), 0);
        QVERIFY(m_server.waitForLog(QRegularExpression(QStringLiteral("signal name=TERM action=graceful_stop"))));
        QVERIFY(m_server.isRunning());
        // Nothing new is accepted meanwhile.
        QCOMPARE(m_server.api("GET", "/api/v1/orders", m_admin).status, 0);

        socket->write(bytes.mid(headerEnd));
        const HttpResult answer = ServerProcess::readResponse(*socket, 20000);
        QCOMPARE(answer.status, 200);
        auto decoded = Protocol::decodePushResponse(answer.body.toStdString());
        QVERIFY(decoded);
        QCOMPARE(decoded->lastApplied, std::int64_t(50));
        m_seq = 50;

        QVERIFY(m_server.stop(30000)); // waits for the exit the SIGTERM started
        QCOMPARE(m_server.exitStatus(), QProcess::NormalExit);
        QCOMPARE(m_server.exitCode(), 0);
        QVERIFY(m_server.log().contains(" stopped\n"));
    }

    void sigkillDuringPushesLosesNothingAcknowledged()
    {
        QVERIFY(m_server.start());
        QCOMPARE(balance(m_server, m_admin, "S1", "A-1"), std::optional<qint64>(50));
        constexpr int batch = 250;
        // Kill before the server has read the batch, about halfway through applying it, and
        // after it must have committed (scaled by how long the last batch took on this machine).
        const double killPoints[] = {0.0, 0.3, 2.0};
        std::int64_t acknowledged = m_seq;
        for (const double point : killPoints) {
            for (int round = 0; round < 2; ++round) {
                const PushOutcome pushed = push(m_server, *m_device, receiveBatch(20, acknowledged + 1, batch));
                QVERIFY2(pushed.response, pushed.http.body.left(300).constData());
                acknowledged = pushed.response->lastApplied;
            }
            // The next batch is on the wire when the server dies.
            const auto inFlight = receiveBatch(20, acknowledged + 1, batch);
            auto socket = m_server.connect(m_server.devicesPort(), &*m_device);
            QVERIFY(socket->isEncrypted());
            QVERIFY(ServerProcess::send(
                *socket, ServerProcess::requestBytes("POST", "/api/v1/sync/push", pushBody(*m_device, inFlight), {})));
            const QRegularExpressionMatch last =
                QRegularExpression(QStringLiteral("path=/api/v1/sync/push status=200 duration_ms=(\\d+)[^\n]*\n$"))
                    .match(QString::fromUtf8(m_server.log()));
            const int delay = int(point * (last.hasMatch() ? last.captured(1).toInt() : 100));
            QThread::msleep(delay);
            m_server.kill();
            QCOMPARE(m_server.exitStatus(), QProcess::CrashExit);
            socket->abort();

            QVERIFY(m_server.start());
            // Every acknowledged op is there; the in-flight batch is all there or not at all.
            const auto after = balance(m_server, m_admin, "S1", "A-1");
            QVERIFY(after == std::optional<qint64>(acknowledged) ||
                    after == std::optional<qint64>(acknowledged + batch));
            qInfo("SIGKILL %d ms after sending: the in-flight batch was %s", delay,
                  after == std::optional<qint64>(acknowledged) ? "not committed" : "committed");
            // The terminal resends what it has no answer for: applied once either way.
            const PushOutcome resent = push(m_server, *m_device, inFlight);
            QVERIFY2(resent.response, resent.http.body.left(300).constData());
            QCOMPARE(resent.response->lastApplied, acknowledged + batch);
            acknowledged = resent.response->lastApplied;
            QCOMPARE(balance(m_server, m_admin, "S1", "A-1"), std::optional<qint64>(acknowledged));
        }
        const QStringList ids = movementOpIds(m_server, m_admin, "S1");
        QCOMPARE(qint64(ids.size()), qint64(acknowledged));
        QCOMPARE(qint64(QSet<QString>(ids.begin(), ids.end()).size()), qint64(acknowledged));
        m_seq = acknowledged;
    }

    void newEpochOnARunningServer()
    {
        QVERIFY(m_server.isRunning());
        const PushOutcome before = push(m_server, *m_device, {receiveOp(m_seq + 1, opId(30, 1))});
        QVERIFY(before.response);
        ++m_seq;
        const CommandResult rotated = m_server.adminCommand({QStringLiteral("new-epoch")});
        QCOMPARE(rotated.exitCode, 0);
        const QString epoch = QString::fromUtf8(rotated.out.split('\n').value(0).mid(7));
        QVERIFY(!epoch.isEmpty() && epoch != QString::fromStdString(before.response->epoch));

        Protocol::PushRequest request;
        request.deviceId = m_device->id.toStdString();
        request.epoch = before.response->epoch;
        request.ops = {receiveOp(m_seq + 1, opId(30, 2))};
        const PushOutcome stale = readPush(m_server.sync(*m_device, "POST", "/api/v1/sync/push",
                                                         QByteArray::fromStdString(Protocol::encode(request))));
        QVERIFY2(stale.refusal, stale.http.body.constData());
        QCOMPARE(stale.refusal->error, Protocol::RefusalCode::EpochChanged);
        QCOMPARE(QString::fromStdString(stale.refusal->epoch), epoch);
    }
};

QTEST_GUILESS_MAIN(TestE2eLifecycle)
#include "tst_e2e_lifecycle.moc"
