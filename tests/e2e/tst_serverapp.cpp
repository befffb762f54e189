#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include "server/app/commandline.h"
#include "server/app/revocationcache.h"
#include "server/app/serverlog.h"
#include "server/app/settings.h"
#include "server/storage/sqlite/sqlitestore.h"

// In-process tests of soko-server's own pieces (server/app): the configuration file, listen
// addresses, the command-line parser, log escaping and the revoked-serial cache.
using namespace Server::App;

class TestServerApp : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void settings_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<bool>("valid");
        QTest::addColumn<int>("line"); // error line, or the expected workerThreads when valid
        QTest::addColumn<QByteArray>("message");
        QTest::newRow("empty = defaults") << QByteArray() << true << 4 << QByteArray();
        QTest::newRow("comments and blanks")
            << QByteArray("# x\n\n  # y = 1\nworker_threads = 2\r\n") << true << 2 << QByteArray();
        QTest::newRow("default file") << QByteArray::fromStdString(defaultSettingsText()) << true << 4 << QByteArray();
        QTest::newRow("unknown key") << QByteArray("worker_threads = 2\nworkers = 3\n") << false << 2
                                     << QByteArray("unknown key 'workers'");
        QTest::newRow("repeated key") << QByteArray("idle_timeout_seconds=1\nidle_timeout_seconds=2\n") << false << 2
                                      << QByteArray("appears twice");
        QTest::newRow("out of range") << QByteArray("\n\nworker_threads = 0\n") << false << 3
                                      << QByteArray("worker_threads must be an integer in 1..64");
        QTest::newRow("not an integer") << QByteArray("body_timeout_seconds = 1e3\n") << false << 1
                                        << QByteArray("body_timeout_seconds");
        QTest::newRow("device certificate over a year")
            << QByteArray("device_certificate_days = 366\n") << false << 1 << QByteArray("1..365");
        QTest::newRow("no equals sign") << QByteArray("worker_threads 4\n") << false << 1
                                        << QByteArray("expected key = value");
        QTest::newRow("host name as listen address")
            << QByteArray("api_listen = localhost:8444\n") << false << 1 << QByteArray("numeric IP");
    }
    void settings()
    {
        QFETCH(QByteArray, text);
        QFETCH(bool, valid);
        QFETCH(int, line);
        QFETCH(QByteArray, message);
        const auto parsed = parseSettings(text.toStdString());
        QCOMPARE(parsed.has_value(), valid);
        if (valid) {
            QCOMPARE(parsed->workerThreads, line);
            QCOMPARE(parsed->devicesListen.port, std::uint16_t(8443));
            return;
        }
        QCOMPARE(parsed.error().position, long(line));
        QVERIFY2(QByteArray::fromStdString(parsed.error().message).contains(message), parsed.error().message.c_str());
    }

    void endpoints_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("address"); // empty = refused
        QTest::addColumn<int>("port");
        QTest::newRow("IPv4") << QStringLiteral("0.0.0.0:8443") << QStringLiteral("0.0.0.0") << 8443;
        QTest::newRow("port 0") << QStringLiteral("127.0.0.1:0") << QStringLiteral("127.0.0.1") << 0;
        QTest::newRow("IPv6") << QStringLiteral("[::1]:443") << QStringLiteral("::1") << 443;
        QTest::newRow("no port") << QStringLiteral("127.0.0.1") << QString() << 0;
        QTest::newRow("port too big") << QStringLiteral("127.0.0.1:65536") << QString() << 0;
        QTest::newRow("signed port") << QStringLiteral("127.0.0.1:+80") << QString() << 0;
        QTest::newRow("no address") << QStringLiteral(":80") << QString() << 0;
        QTest::newRow("host name") << QStringLiteral("soko.example:80") << QString() << 0;
        QTest::newRow("IPv6 without brackets port") << QStringLiteral("[::1]") << QString() << 0;
    }
    void endpoints()
    {
        QFETCH(QString, text);
        QFETCH(QString, address);
        QFETCH(int, port);
        const auto endpoint = parseEndpoint(text.toStdString());
        QCOMPARE(endpoint.has_value(), !address.isEmpty());
        if (!endpoint)
            return;
        QCOMPARE(QString::fromStdString(endpoint->address), address);
        QCOMPARE(int(endpoint->port), port);
        QCOMPARE(QString::fromStdString(formatEndpoint(*endpoint)), text);
    }

    void commandLine()
    {
        const auto line = parseCommandLine(
            {"--data", "/d", "--hostname=a", "--hostname", "b", "--admin", "add", "--", "--not-an-option"},
            {"data", "hostname"}, {"admin"});
        QVERIFY(line.has_value());
        QCOMPARE(line->value("data"), std::string("/d"));
        QCOMPARE(line->values("hostname"), (std::vector<std::string>{"a", "b"}));
        QVERIFY(line->has("admin"));
        QCOMPARE(line->positional, (std::vector<std::string>{"add", "--not-an-option"}));
        QCOMPARE(line->value("missing", "fallback"), std::string("fallback"));

        QCOMPARE(parseCommandLine({"--pin", "1234"}, {"data"}).error().message, std::string("unknown option --pin"));
        QCOMPARE(parseCommandLine({"--data"}, {"data"}).error().message, std::string("--data needs a value"));
        QCOMPARE(parseCommandLine({"--admin=yes"}, {}, {"admin"}).error().message,
                 std::string("--admin takes no value"));
    }

    void logEscaping_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<QByteArray>("logged");
        QTest::newRow("plain") << QByteArray("/api/v1/sync/push") << QByteArray("/api/v1/sync/push");
        QTest::newRow("space") << QByteArray("a b=c") << QByteArray("a\\x20b=c");
        QTest::newRow("CR LF") << QByteArray("bob\r\n{\"event\":\"x\"}")
                               << QByteArray("bob\\x0d\\x0a{\"event\":\"x\"}");
        QTest::newRow("backslash") << QByteArray("a\\x0a") << QByteArray("a\\x5cx0a");
        QTest::newRow("non-ASCII and NUL") << QByteArray("\xc3\xa9\x00", 3) << QByteArray("\\xc3\\xa9\\x00");
        QTest::newRow("DEL and ESC") << QByteArray("\x7f\x1b[31m") << QByteArray("\\x7f\\x1b[31m");
    }
    void logEscaping()
    {
        QFETCH(QByteArray, text);
        QFETCH(QByteArray, logged);
        QCOMPARE(QByteArray::fromStdString(escapeForLog(std::string_view(text.constData(), std::size_t(text.size())))),
                 logged);
        const std::string time = utcTimestamp();
        QCOMPARE(time.size(), std::size_t(24));
        QCOMPARE(time.back(), 'Z');
    }

    void revocationCache()
    {
        using namespace Server::Storage;
        QTemporaryDir dir;
        Server::Storage::SqliteOptions options;
        options.durable = false;
        auto store = SqliteStore::open(dir.filePath(QStringLiteral("soko.db")).toStdString(), options);
        QVERIFY(store.has_value());
        QVERIFY((*store)->upsertWarehouse({"TKY1", "Tokyo 1"}).has_value());
        QVERIFY((*store)
                    ->insertDevice(
                        {"11111111-1111-4111-8111-111111111111", "TKY1", "a", "0A01", DeviceStatus::Active, 1, {}})
                    .has_value());
        QVERIFY((*store)
                    ->insertDevice(
                        {"22222222-2222-4222-8222-222222222222", "TKY1", "b", "0A02", DeviceStatus::Revoked, 1, {}})
                    .has_value());
        RevocationCache cache(**store, std::chrono::seconds(1));
        QVERIFY(cache.refresh().has_value());
        QVERIFY(!cache.isRevoked("0A01"));
        QVERIFY(cache.isRevoked("0A02"));
        QVERIFY(!cache.isRevoked("0A03")); // unknown serials are the per-request check's business
        cache.markRevoked("0A03");
        QVERIFY(cache.isRevoked("0A03"));
        QVERIFY(cache.refresh().has_value()); // this process's own revocations survive a re-read
        QVERIFY(cache.isRevoked("0A03"));

        // Revoked elsewhere (another process, the CLI): picked up by the refresh thread.
        cache.start();
        QVERIFY((*store)->setDeviceStatus("11111111-1111-4111-8111-111111111111", DeviceStatus::Revoked).has_value());
        QTRY_VERIFY_WITH_TIMEOUT(cache.isRevoked("0A01"), 5000);
        cache.stop();
        cache.stop(); // idempotent
        QCOMPARE(cache.size(), std::size_t(3));
    }
};

QTEST_GUILESS_MAIN(TestServerApp)
#include "tst_serverapp.moc"
