#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include "server/app/commandline.h"
#include "server/app/databaselocation.h"
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

    void hostnames_data()
    {
        QTest::addColumn<QByteArray>("name");
        QTest::addColumn<bool>("valid");
        QTest::newRow("simple") << QByteArray("soko") << true;
        QTest::newRow("fqdn") << QByteArray("soko.example.lan") << true;
        QTest::newRow("wildcard") << QByteArray("*.example.lan") << true;
        QTest::newRow("ipv4") << QByteArray("10.0.4.21") << true;
        QTest::newRow("ipv6") << QByteArray("fd00::1") << true;
        QTest::newRow("ipv6 loopback") << QByteArray("::1") << true;
        QTest::newRow("bare star") << QByteArray("*") << false;
        QTest::newRow("wildcard over tld") << QByteArray("*.lan") << false;
        QTest::newRow("star inside") << QByteArray("a*.example.lan") << false;
        QTest::newRow("leading dash") << QByteArray("-x") << false;
        QTest::newRow("trailing dash label") << QByteArray("a-.example") << false;
        QTest::newRow("octet 999") << QByteArray("1.2.3.999") << false;
        QTest::newRow("three octets") << QByteArray("1.2.3") << false;
        QTest::newRow("empty label") << QByteArray("a..b") << false;
        QTest::newRow("underscore") << QByteArray("a_b") << false;
        QTest::newRow("bad ipv6") << QByteArray("fd00:::1:") << false;
        QTest::newRow("64-char label") << QByteArray(64, 'a') << false;
        QTest::newRow("63-char label") << QByteArray(63, 'a') << true;
        const QByteArray labels = QByteArray(60, 'a') + '.' + QByteArray(60, 'b') + '.' + QByteArray(60, 'c') + '.' +
                                  QByteArray(60, 'd') + '.';
        QTest::newRow("253 chars") << (labels + QByteArray(9, 'e')) << true;
        QTest::newRow("254 chars") << (labels + QByteArray(10, 'e')) << false;
    }
    void hostnames()
    {
        QFETCH(QByteArray, name);
        QFETCH(bool, valid);
        const std::string problem = hostnameProblem(name.toStdString());
        QVERIFY2(problem.empty() == valid, problem.c_str());
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

    void databaseLocations_data()
    {
        QTest::addColumn<QString>("location");
        QTest::addColumn<QString>("redacted");
        QTest::addColumn<QStringList>("secrets");
        QTest::newRow("sqlite file") << QStringLiteral("soko.db") << QStringLiteral("soko.db") << QStringList();
        QTest::newRow("sqlite path with colon and at")
            << QStringLiteral("/var/lib/a:b@c/soko.db") << QStringLiteral("/var/lib/a:b@c/soko.db") << QStringList();
        QTest::newRow("no password") << QStringLiteral("postgresql://soko@db:5432/soko?sslmode=verify-full")
                                     << QStringLiteral("postgresql://soko@db:5432/soko?sslmode=verify-full")
                                     << QStringList();
        QTest::newRow("user info password")
            << QStringLiteral("postgresql://soko:s3cr3t@db.internal:5432/soko?sslmode=require")
            << QStringLiteral("postgresql://soko:***@db.internal:5432/soko?sslmode=require")
            << QStringList{QStringLiteral("s3cr3t")};
        QTest::newRow("percent-encoded password")
            << QStringLiteral("postgres://soko:p%40ss%2Fw@db/soko") << QStringLiteral("postgres://soko:***@db/soko")
            << QStringList{QStringLiteral("p%40ss%2Fw"), QStringLiteral("p@ss/w")};
        QTest::newRow("password parameter")
            << QStringLiteral("postgresql://db/soko?user=soko&password=hunter2&sslmode=verify-full")
            << QStringLiteral("postgresql://db/soko?user=soko&password=***&sslmode=verify-full")
            << QStringList{QStringLiteral("hunter2")};
        QTest::newRow("both") << QStringLiteral("postgresql://u:one@h/d?password=two")
                              << QStringLiteral("postgresql://u:***@h/d?password=***")
                              << QStringList{QStringLiteral("one"), QStringLiteral("two")};
        QTest::newRow("empty password") << QStringLiteral("postgresql://u:@h/d") << QStringLiteral("postgresql://u:***@h/d")
                                        << QStringList();
    }
    void databaseLocations()
    {
        QFETCH(QString, location);
        QFETCH(QString, redacted);
        QFETCH(QStringList, secrets);
        const std::string text = location.toStdString();
        QCOMPARE(QString::fromStdString(redactDatabaseLocation(text)), redacted);
        QStringList found;
        for (const std::string &secret : databaseSecrets(text))
            found << QString::fromStdString(secret);
        found.sort();
        secrets.sort();
        QCOMPARE(found, secrets);
        // Any message quoting the location or a password loses them.
        std::string message = "cannot connect to " + text + ": invalid token \"";
        for (const QString &secret : secrets)
            message += secret.toStdString() + " ";
        const std::string cleaned = withoutDatabaseSecrets(message, text);
        for (const QString &secret : secrets)
            QVERIFY2(cleaned.find(secret.toStdString()) == std::string::npos, cleaned.c_str());
        if (location.startsWith(QLatin1String("postgres")))
            QVERIFY(cleaned.find(redacted.toStdString()) != std::string::npos || secrets.isEmpty());
        QCOMPARE(isPostgresUrl(text), location.startsWith(QLatin1String("postgres")));
    }

    void databaseSettings()
    {
        auto parsed = parseSettings("database = postgresql://soko:pw@db/soko?sslmode=verify-full\ndatabase_pool_size = 16\n"
                                    "database_acquire_timeout_ms = 250\ndatabase_statement_timeout_ms = 1000\n");
        QVERIFY(parsed.has_value());
        QCOMPARE(parsed->database, std::string("postgresql://soko:pw@db/soko?sslmode=verify-full"));
        QCOMPARE(parsed->databasePoolSize, 16);
        QCOMPARE(parsed->databaseAcquireTimeoutMs, 250);
        QCOMPARE(parsed->databaseStatementTimeoutMs, 1000);
        QCOMPARE(Settings().databasePoolSize, 8);
        auto zeroPool = parseSettings("database_pool_size = 0\n");
        QVERIFY(!zeroPool.has_value());
        auto spaced = parseSettings("\ndatabase = postgresql://soko:pw d@db/soko\n");
        QVERIFY(!spaced.has_value());
        QCOMPARE(spaced.error().position, 2L);
        // The refusal never repeats the value (it may hold a password).
        QVERIFY(spaced.error().message.find("pw") == std::string::npos);
    }

    // R46: a database on another host only over TLS with the certificate and name checked.
    void databaseTransport_data()
    {
        QTest::addColumn<QString>("location");
        QTest::addColumn<QString>("refusedHost"); // empty: accepted
        QTest::newRow("sqlite") << QStringLiteral("soko.db") << QString();
        QTest::newRow("loopback v4") << QStringLiteral("postgresql://soko:pw@127.0.0.1:5432/soko") << QString();
        QTest::newRow("loopback 127/8") << QStringLiteral("postgresql://soko@127.1.2.3/soko") << QString();
        QTest::newRow("localhost") << QStringLiteral("postgres://soko@LocalHost:5432/soko") << QString();
        QTest::newRow("loopback v6") << QStringLiteral("postgresql://soko@[::1]:5432/soko") << QString();
        QTest::newRow("unix socket") << QStringLiteral("postgresql://soko@%2Fvar%2Frun%2Fpostgresql/soko") << QString();
        QTest::newRow("default socket") << QStringLiteral("postgresql:///soko") << QString();
        QTest::newRow("remote verify-full")
            << QStringLiteral("postgresql://soko:pw@db.internal:5432/soko?sslmode=verify-full&sslrootcert=/etc/ca.pem")
            << QString();
        QTest::newRow("remote, no sslmode") << QStringLiteral("postgresql://soko:pw@db.internal/soko")
                                            << QStringLiteral("db.internal");
        QTest::newRow("remote require") << QStringLiteral("postgresql://soko:pw@10.0.0.5:5432/soko?sslmode=require")
                                        << QStringLiteral("10.0.0.5");
        QTest::newRow("remote verify-ca") << QStringLiteral("postgresql://soko@db/soko?sslmode=verify-ca")
                                          << QStringLiteral("db");
        QTest::newRow("remote second host") << QStringLiteral("postgresql://soko@127.0.0.1:5432,db2:5432/soko")
                                            << QStringLiteral("db2");
        QTest::newRow("host parameter") << QStringLiteral("postgresql://soko@127.0.0.1/soko?host=db3")
                                        << QStringLiteral("db3");
        QTest::newRow("hostaddr parameter") << QStringLiteral("postgresql:///soko?hostaddr=192.0.2.7")
                                            << QStringLiteral("192.0.2.7");
        QTest::newRow("127 look-alike name") << QStringLiteral("postgresql://soko@127.0.0.1.evil.example/soko")
                                             << QStringLiteral("127.0.0.1.evil.example");
        QTest::newRow("v6 remote") << QStringLiteral("postgresql://soko@[2001:db8::5]:5432/soko")
                                   << QStringLiteral("[2001:db8::5]");
        QTest::newRow("v4-mapped loopback") << QStringLiteral("postgresql://soko@[::ffff:127.0.0.1]:5432/soko")
                                            << QString();
        QTest::newRow("v6 loopback, long form") << QStringLiteral("postgresql://soko@[0:0:0:0:0:0:0:1]/soko")
                                                << QString();
        QTest::newRow("v4-mapped remote") << QStringLiteral("postgresql://soko@[::ffff:192.0.2.9]/soko")
                                          << QStringLiteral("[::ffff:192.0.2.9]");
        QTest::newRow("leading zeros: ambiguous, not taken as loopback") << QStringLiteral("postgresql://soko@127.0.0.010/soko")
                                                          << QStringLiteral("127.0.0.010");
    }
    void databaseTransport()
    {
        QFETCH(QString, location);
        QFETCH(QString, refusedHost);
        const std::string text = location.toStdString();
        const auto problem = databaseTransportProblem(text);
        QCOMPARE(problem.has_value(), !refusedHost.isEmpty());
        auto parsed = parseSettings("database = " + text + "\n");
        QCOMPARE(parsed.has_value(), refusedHost.isEmpty());
        if (!problem)
            return;
        QVERIFY2(problem->find("'" + refusedHost.toStdString() + "'") != std::string::npos, problem->c_str());
        QVERIFY(problem->find("sslmode=verify-full") != std::string::npos);
        QVERIFY(problem->find("pw") == std::string::npos); // the password never appears
        QVERIFY2(parsed.error().message.find(*problem) != std::string::npos, parsed.error().message.c_str());
    }

    // What libpq takes from the environment counts (PGHOST, PGHOSTADDR, a service), and only
    // lower-case postgresql:// URIs or SQLite paths are taken; neither refusal echoes the value.
    void databaseTransportEnvironmentAndShapes()
    {
        const auto refused = [](const std::string &text) { return !parseSettings("database = " + text + "\n"); };
        qputenv("PGHOSTADDR", "192.0.2.1");
        QVERIFY(refused("postgresql://u:pw@localhost/soko"));
        QVERIFY(databaseTransportProblem("postgresql://u:pw@localhost/soko")->find("'192.0.2.1'") != std::string::npos);
        QVERIFY(!refused("postgresql://u:pw@localhost/soko?hostaddr=127.0.0.1")); // the URI's hostaddr wins
        qunsetenv("PGHOSTADDR");
        qputenv("PGHOST", "db.example.com");
        QVERIFY(refused("postgresql://u:pw@/soko"));
        QVERIFY(!refused("postgresql://u:pw@localhost/soko")); // the URI's host wins over PGHOST
        qunsetenv("PGHOST");
        QVERIFY(refused("postgresql://u:pw@/soko?service=remote"));
        QVERIFY(!refused("postgresql://u:pw@/soko?service=remote&sslmode=verify-full"));
        QVERIFY(!refused("postgresql://u:pw@/soko"));
        for (const std::string text : {"host=db.example.com user=u password=secretpw dbname=soko",
                                       "POSTGRESQL://u:secretpw@db.example.com/soko", "mysql://u:secretpw@db/soko"}) {
            auto parsed = parseSettings("database = " + text + "\n");
            QVERIFY2(!parsed, text.c_str());
            QVERIFY2(parsed.error().message.find("secretpw") == std::string::npos, parsed.error().message.c_str());
        }
        QVERIFY(!refused("/var/lib/soko/soko.db"));
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
