#include <QCryptographicHash>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include <atomic>
#include <set>
#include <thread>

#include <sqlite3.h>
#include <sys/stat.h>

#include "server/audit/announce.h"
#include "server/audit/checkpoint.h"
#include "server/audit/signingkey.h"
#include "server/audit/verifier.h"
#include "server/oms/adminservice.h"
#include "server/storage/auditchain.h"
#include "tests/server/databaseattacker.h"
#include "tests/server/serverfixture.h"

// The tamper-evident audit trail (REQUIREMENTS.md §6, R41) and the alert outbox (R42) on both
// backends: the hash chain and its canonical JSON, concurrent appenders, the verifier against an
// attacker who edits, deletes or rewrites rows behind the server's back (SQLite: a raw
// connection that drops the triggers; PostgreSQL: the superuser disabling them), signed
// checkpoints, privileges of a separate application role, announcements in the same
// transaction and exclusive alert claims.
using namespace TestSupport;
using namespace Server;
using Storage::AuditRecord;

namespace {

AuditRecord entry(int number, const std::string &event = "stock_adjust")
{
    return AuditRecord{0,
                       {},
                       "cli:tester",
                       event,
                       "S" + std::to_string(number),
                       "{\"n\":" + std::to_string(number) + ",\"note\":\"<x> & y\"}"};
}

void appendEntries(Storage::Store &store, int count)
{
    for (int i = 1; i <= count; ++i)
        if (auto appended = store.appendAudit(entry(i)); !appended)
            qFatal("append: %s", appended.error().message.c_str());
}

Audit::VerifyReport verify(Storage::Store &store, const Audit::AuditSigningKey &key)
{
    auto report = Audit::verifyAuditTrail(store, {key.publicKey()});
    if (!report)
        qFatal("verify: %s", report.error().message.c_str());
    return *report;
}

QString hex(const QByteArray &bytes)
{
    return QString::fromLatin1(bytes.toHex());
}

std::vector<AuditRecord> allEntries(Storage::Store &store)
{
    auto rows = store.audit(0, 100000);
    if (!rows)
        qFatal("audit: %s", rows.error().message.c_str());
    return *rows;
}

} // namespace

class TestAudit : public QObject
{
    Q_OBJECT

    QTemporaryDir m_keys;

    Audit::AuditSigningKey signingKey(const char *name = "audit-signing.key")
    {
        auto key = Audit::AuditSigningKey::loadOrCreate(m_keys.filePath(QString::fromLatin1(name)).toStdString());
        if (!key)
            qFatal("signing key: %s", key.error().message.c_str());
        return *key;
    }

private Q_SLOTS:
    void initTestCase_data() { addBackendRows(); }
    void init() { SOKO_CHECK_BACKEND(); }

    void canonicalJson_data()
    {
        QTest::addColumn<QByteArray>("input");
        QTest::addColumn<QByteArray>("canonical"); // empty = refused
        QTest::newRow("keys sorted at every depth") << QByteArray(R"({"b":1,"a":{"d":[3,{"z":1,"y":2}],"c":"x"}})")
                                                    << QByteArray(R"({"a":{"c":"x","d":[3,{"y":2,"z":1}]},"b":1})");
        QTest::newRow("whitespace removed")
            << QByteArray(" { \"a\" : [ 1 , true , null ] } \n") << QByteArray(R"({"a":[1,true,null]})");
        QTest::newRow("byte order of keys")
            << QByteArray(R"({"a":1,"_":2,"B":3,"é":4})") << QByteArray(R"({"B":3,"_":2,"a":1,"é":4})");
        // (no raw string here: moc mistakes a \" inside one for the end of the literal)
        QTest::newRow("string escapes") << QByteArray("{\"s\":\"q\\\"b\\\\n\\n\\u0001/\\u00e9<&>\"}")
                                        << QByteArray("{\"s\":\"q\\\"b\\\\n\\n\\u0001/\xC3\xA9<&>\"}");
        QTest::newRow("numbers") << QByteArray(R"({"i":-12,"u":18446744073709551615,"d":1.5})")
                                 << QByteArray(R"({"d":1.5E0,"i":-12,"u":18446744073709551615})");
        QTest::newRow("not JSON") << QByteArray("{\"a\":") << QByteArray();
    }
    void canonicalJson()
    {
        QFETCH(QByteArray, input);
        QFETCH(QByteArray, canonical);
        const auto result = Storage::canonicalJson(input.toStdString());
        QCOMPARE(result.has_value(), !canonical.isEmpty());
        if (result)
            QCOMPARE(QByteArray::fromStdString(*result), canonical);
    }

    void chainLinksEveryEntry()
    {
        ServerWorld world;
        AuditRecord first{0,       "2026-11-29T20:33:53.000Z", "cli:alice", "device_revoked",
                          "dev-1", "{\"b\":2, \"a\":\"x\"}"};
        QCOMPARE(*world.store->appendAudit(first), std::int64_t(1));
        // Lifted from the details the api layer writes; a failure event gets outcome failure.
        QCOMPARE(*world.store->appendAudit(
                     {0,
                      {},
                      "unauthenticated",
                      "authn_login_fail",
                      "POST /api/v1/enroll",
                      R"({"ip":"10.8.0.12","listener":"api","request_id":"r-1","reason":"bad_code"})"}),
                 std::int64_t(2));
        QCOMPARE(*world.store->appendAudit({0,
                                            {},
                                            "admin:bob",
                                            "session_created",
                                            "session:1",
                                            "{}",
                                            "admin",
                                            "192.0.2.7",
                                            "admin",
                                            "r-2",
                                            "success"}),
                 std::int64_t(3));
        const auto rows = allEntries(*world.store);
        QCOMPARE(rows.size(), std::size_t(3));

        // The spec (auditchain.h) reproduced independently: canonical JSON by hand, SHA-256 by Qt.
        const QByteArray canonical =
            R"({"actor":"cli:alice","details":{"a":"x","b":2},"event":"device_revoked","listener":"",)"
            R"("outcome":"success","request_id":"","role":"cli_admin","seq":1,"source_ip":"","target":"dev-1",)"
            R"("ts":"2026-11-29T20:33:53.000Z"})";
        const QByteArray genesis(64, '0');
        QCOMPARE(QByteArray::fromStdString(rows[0].prevHash), genesis);
        QCOMPARE(QString::fromStdString(rows[0].hash),
                 hex(QCryptographicHash::hash(genesis + canonical, QCryptographicHash::Sha256)));
        QCOMPARE(QByteArray::fromStdString(rows[0].details), QByteArray(R"({"a":"x","b":2})"));

        QCOMPARE(rows[1].sourceIp, std::string("10.8.0.12"));
        QCOMPARE(rows[1].listener, std::string("api"));
        QCOMPARE(rows[1].requestId, std::string("r-1"));
        QCOMPARE(rows[1].role, std::string("anonymous"));
        QCOMPARE(rows[1].outcome, std::string("failure"));
        QVERIFY(rows[1].at.ends_with('Z'));
        QCOMPARE(rows[2].role, std::string("admin"));
        QCOMPARE(rows[2].sourceIp, std::string("192.0.2.7"));
        for (std::size_t i = 1; i < rows.size(); ++i) {
            QCOMPARE(rows[i].id, std::int64_t(i + 1));
            QCOMPARE(rows[i].prevHash, rows[i - 1].hash);
            auto canonicalEntry = Storage::canonicalAuditJson(rows[i]);
            QVERIFY(canonicalEntry);
            QCOMPARE(QString::fromStdString(rows[i].hash),
                     hex(QCryptographicHash::hash(QByteArray::fromStdString(rows[i].prevHash + *canonicalEntry),
                                                  QCryptographicHash::Sha256)));
        }
        QCOMPARE((*world.store->lastAudit())->id, std::int64_t(3));

        // Details must be a JSON object; nothing is appended otherwise.
        auto refused = world.store->appendAudit({0, {}, "cli:alice", "x", "y", "[1]"});
        QVERIFY(!refused);
        QCOMPARE(refused.error().code, Common::ErrorCode::InvalidInput);
        QCOMPARE(allEntries(*world.store).size(), std::size_t(3));
    }

    void rolledBackEntryLeavesNoGap()
    {
        ServerWorld world;
        QVERIFY(world.store->appendAudit(entry(1)));
        {
            Storage::Transaction transaction(*world.store);
            QVERIFY(transaction.started());
            QCOMPARE(*world.store->appendAudit(entry(2)), std::int64_t(2));
        } // rolled back
        QCOMPARE(*world.store->appendAudit(entry(3)), std::int64_t(2));
        const auto report = verify(*world.store, signingKey());
        QVERIFY2(report.ok, report.problem.c_str());
        QCOMPARE(report.summary(), std::string("ok: 2 entries, last seq 2, 0 checkpoints"));
    }

    void concurrentAppendersNeverFork()
    {
        ServerWorld world;
        constexpr int threads = 4;
        constexpr int each = 25;
        std::vector<std::unique_ptr<Storage::StorePool>> pools;
        for (int t = 0; t < threads; ++t)
            pools.push_back(world.openPool(false, 2)); // a server each, with its own connections
        std::atomic<int> failures{0};
        std::vector<std::thread> workers;
        for (int t = 0; t < threads; ++t) {
            workers.emplace_back([&, t] {
                auto lease = pools[std::size_t(t)]->acquire();
                if (!lease) {
                    ++failures;
                    return;
                }
                for (int i = 0; i < each; ++i) {
                    // Half of them inside a transaction with another write, as services do.
                    auto append = [&]() -> Common::Result<std::int64_t> {
                        if (i % 2)
                            return (*lease)->appendAudit(entry(t * 100 + i));
                        Storage::Transaction transaction(**lease);
                        if (!transaction.started())
                            return tl::unexpected(transaction.started().error());
                        if (auto done = (*lease)->upsertWarehouse({"W" + std::to_string(t), "w"}); !done)
                            return tl::unexpected(done.error());
                        auto id = (*lease)->appendAudit(entry(t * 100 + i));
                        if (!id)
                            return id;
                        if (auto committed = transaction.commit(); !committed)
                            return tl::unexpected(committed.error());
                        return id;
                    };
                    if (!Storage::retryTransient(**lease, append))
                        ++failures;
                }
            });
        }
        for (auto &worker : workers)
            worker.join();
        QCOMPARE(failures.load(), 0);
        const auto rows = allEntries(*world.store);
        QCOMPARE(rows.size(), std::size_t(threads * each));
        std::set<std::string> predecessors;
        for (std::size_t i = 0; i < rows.size(); ++i) {
            QCOMPARE(rows[i].id, std::int64_t(i + 1));
            QVERIFY(predecessors.insert(rows[i].prevHash).second); // no two entries share a predecessor
        }
        const auto report = verify(*world.store, signingKey());
        QVERIFY2(report.ok, report.problem.c_str());
        QCOMPARE(report.entries, std::int64_t(threads * each));
    }

    void verifyNamesTheEditedRow()
    {
        ServerWorld world;
        appendEntries(*world.store, 50);
        QVERIFY(verify(*world.store, signingKey()).ok);
        DatabaseAttacker attacker(world.database);
        attacker.disableTriggers();
        attacker.exec("UPDATE audit SET details = '{\"n\":42,\"note\":\"nothing to see\"}' WHERE id = 42");
        const auto report = verify(*world.store, signingKey());
        QVERIFY(!report.ok);
        QCOMPARE(report.summary(), std::string("tampered: seq 42 (hash mismatch)"));
        QCOMPARE(report.badSeq, std::int64_t(42));
    }

    void verifyNamesAChangedLink()
    {
        ServerWorld world;
        appendEntries(*world.store, 20);
        DatabaseAttacker attacker(world.database);
        attacker.disableTriggers();
        attacker.exec("UPDATE audit SET prev_hash = '" + std::string(64, 'a') + "' WHERE id = 7");
        QCOMPARE(verify(*world.store, signingKey()).summary(), std::string("tampered: seq 7 (prev_hash mismatch)"));
    }

    void verifyNamesTheDeletedRow()
    {
        ServerWorld world;
        appendEntries(*world.store, 30);
        DatabaseAttacker attacker(world.database);
        attacker.disableTriggers();
        attacker.exec("DELETE FROM audit WHERE id = 17");
        const auto report = verify(*world.store, signingKey());
        QCOMPARE(report.summary(), std::string("missing seq 17"));
        QCOMPARE(report.badSeq, std::int64_t(17));
    }

    void checkpointCatchesARecomputedChain()
    {
        ServerWorld world;
        const auto key = signingKey();
        appendEntries(*world.store, 50);
        auto made =
            Audit::checkpointIfDue(*world.store, key, {}, std::chrono::system_clock::now(), Audit::CheckpointMode::Now);
        QVERIFY(made && *made);
        QCOMPARE((*made)->seq, std::int64_t(50));
        appendEntries(*world.store, 10);

        // The attacker edits seq 20 and recomputes every hash after it: the chain alone is
        // consistent again, only the signed checkpoint knows better.
        DatabaseAttacker attacker(world.database);
        attacker.disableTriggers();
        attacker.exec("UPDATE audit SET actor = 'cli:somebody-else' WHERE id = 20");
        auto rows = allEntries(*world.store);
        std::string previous = rows[18].hash;
        for (std::size_t i = 19; i < rows.size(); ++i) {
            rows[i].prevHash = previous;
            rows[i].hash = *Storage::auditEntryHash(previous, rows[i]);
            attacker.exec("UPDATE audit SET prev_hash = '" + rows[i].prevHash + "', hash = '" + rows[i].hash +
                          "' WHERE id = " + std::to_string(rows[i].id));
            previous = rows[i].hash;
        }
        const auto report = verify(*world.store, key);
        QVERIFY(!report.ok);
        QCOMPARE(report.summary(), std::string("tampered: seq 50 (checkpoint 1 hash mismatch)"));

        // Forging the checkpoint to match needs the private key.
        attacker.exec("UPDATE audit_checkpoints SET hash = '" + rows[49].hash + "' WHERE id = 1");
        QCOMPARE(verify(*world.store, key).summary(), std::string("checkpoint 1 signature invalid"));
    }

    void checkpointCatchesADeletedTail()
    {
        ServerWorld world;
        const auto key = signingKey();
        appendEntries(*world.store, 12);
        QVERIFY(*Audit::checkpointIfDue(*world.store, key, {}, std::chrono::system_clock::now(),
                                        Audit::CheckpointMode::Now));
        DatabaseAttacker attacker(world.database);
        attacker.disableTriggers();
        attacker.exec("DELETE FROM audit WHERE id >= 9");
        QCOMPARE(verify(*world.store, key).summary(), std::string("missing seq 9"));
    }

    void checkpointsNeedTheRightKey()
    {
        ServerWorld world;
        const auto key = signingKey();
        appendEntries(*world.store, 3);
        QVERIFY(*Audit::checkpointIfDue(*world.store, key, {}, std::chrono::system_clock::now(),
                                        Audit::CheckpointMode::Now));
        const auto report = verify(*world.store, key);
        QCOMPARE(report.summary(), std::string("ok: 3 entries, last seq 3, 1 checkpoints"));
        // Another key (another data folder's) is not trusted.
        const auto other = signingKey("other.key");
        QVERIFY(other.publicKey().keyId() != key.publicKey().keyId());
        auto untrusted = Audit::verifyAuditTrail(*world.store, {other.publicKey()});
        QVERIFY(untrusted && !untrusted->ok);
        QVERIFY2(untrusted->problem.starts_with("checkpoint 1 signature invalid"), untrusted->problem.c_str());
        // A deleted checkpoint row is named.
        QVERIFY(*Audit::checkpointIfDue(*world.store, key, {}, std::chrono::system_clock::now(),
                                        Audit::CheckpointMode::Now) == std::nullopt); // nothing new to sign
        appendEntries(*world.store, 1);
        QVERIFY(*Audit::checkpointIfDue(*world.store, key, {}, std::chrono::system_clock::now(),
                                        Audit::CheckpointMode::Now));
        DatabaseAttacker attacker(world.database);
        attacker.disableTriggers();
        attacker.exec("DELETE FROM audit_checkpoints WHERE id = 1");
        QCOMPARE(verify(*world.store, key).summary(), std::string("missing checkpoint 1"));
    }

    void checkpointPolicy()
    {
        ServerWorld world;
        const auto key = signingKey();
        const Audit::CheckpointPolicy policy{10, std::chrono::seconds(300)};
        const auto now = std::chrono::system_clock::now();
        auto due = [&](std::chrono::system_clock::time_point at) {
            auto made = Audit::checkpointIfDue(*world.store, key, policy, at, Audit::CheckpointMode::WhenDue);
            if (!made)
                qFatal("checkpoint: %s", made.error().message.c_str());
            return *made;
        };
        QVERIFY(!due(now)); // empty trail
        appendEntries(*world.store, 3);
        QVERIFY(!due(now));                                      // 3 < 10 entries, the oldest is fresh
        QVERIFY(!due(now + std::chrono::seconds(290)));          // still under 5 minutes
        const auto byAge = due(now + std::chrono::seconds(301)); // the oldest unsigned waited 5 minutes
        QVERIFY(byAge);
        QCOMPARE(byAge->seq, std::int64_t(3));
        QVERIFY(!due(now + std::chrono::seconds(900))); // nothing new since
        appendEntries(*world.store, 10);
        const auto byCount = due(now); // 10 unsigned entries
        QVERIFY(byCount);
        QCOMPARE(byCount->id, std::int64_t(2));
        QCOMPARE(byCount->seq, std::int64_t(13));
        QCOMPARE(byCount->keyId, key.publicKey().keyId());
        QVERIFY(key.publicKey().verify(Storage::auditCheckpointMessage(byCount->seq, byCount->hash, byCount->at),
                                       byCount->signature));
        QVERIFY(!key.publicKey().verify(Storage::auditCheckpointMessage(byCount->seq + 1, byCount->hash, byCount->at),
                                        byCount->signature));

        // Each checkpoint is announced: seq and the first 16 hex of the hash.
        const auto alerts = *world.store->alerts(0, 10);
        QCOMPARE(alerts.size(), std::size_t(2));
        QCOMPARE(alerts[1].kind, std::string("audit_checkpoint"));
        QVERIFY2(alerts[1].text.find("seq 13, hash " + byCount->hash.substr(0, 16)) != std::string::npos,
                 alerts[1].text.c_str());
    }

    void signingKeyFile()
    {
        QTemporaryDir folder;
        const std::string path = folder.filePath(QStringLiteral("audit-signing.key")).toStdString();
        QCOMPARE(Audit::AuditSigningKey::load(path).error().code, Common::ErrorCode::NotFound);
        auto created = Audit::AuditSigningKey::loadOrCreate(path);
        QVERIFY(created);
        struct stat status = {};
        QCOMPARE(::stat(path.c_str(), &status), 0);
        QCOMPARE(status.st_mode & 0777, 0600u); // R14
        auto again = Audit::AuditSigningKey::loadOrCreate(path);
        QVERIFY(again);
        QCOMPARE(again->publicKey().keyId(), created->publicKey().keyId());
        QCOMPARE(again->publicKey().keyId().size(), std::size_t(16));
        auto fromPem = Audit::AuditPublicKey::fromPem(created->publicKey().pem());
        QVERIFY(fromPem);
        const auto signature = *created->sign("message");
        QCOMPARE(signature.size(), std::size_t(128));
        QVERIFY(fromPem->verify("message", signature));
        QVERIFY(!fromPem->verify("messagE", signature));
        ::chmod(path.c_str(), 0644);
        QCOMPARE(Audit::AuditSigningKey::load(path).error().code, Common::ErrorCode::Forbidden);
        QFile garbage(folder.filePath(QStringLiteral("garbage.key")));
        QVERIFY(garbage.open(QIODevice::WriteOnly));
        garbage.write("not a key\n");
        garbage.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
        garbage.close();
        QCOMPARE(Audit::AuditSigningKey::load(garbage.fileName().toStdString()).error().code,
                 Common::ErrorCode::InvalidInput);
    }

    void appRoleCannotRewriteAudit()
    {
        ServerWorld world;
        appendEntries(*world.store, 2);
        QVERIFY(*Audit::checkpointIfDue(*world.store, signingKey(), {}, std::chrono::system_clock::now(),
                                        Audit::CheckpointMode::Now));
        if (!isPostgres()) {
            // SQLite has no roles: the triggers refuse every change through soko-server's
            // connection or any other that keeps them.
            sqlite3 *db = nullptr;
            QCOMPARE(sqlite3_open(world.database.location().c_str(), &db), SQLITE_OK);
            for (const char *sql : {"UPDATE audit SET actor = 'x'", "DELETE FROM audit",
                                    "UPDATE audit_checkpoints SET seq = 1", "DELETE FROM audit_checkpoints"}) {
                QCOMPARE(sqlite3_exec(db, sql, nullptr, nullptr, nullptr), SQLITE_CONSTRAINT);
                QVERIFY(QByteArray(sqlite3_errmsg(db)).contains("append-only"));
            }
            sqlite3_close(db);
            return;
        }
#ifdef SOKO_HAVE_POSTGRESQL
        // A separate application role, given its rights by soko_grant_app_role (migration 3):
        // it appends audit entries but gets "permission denied" for UPDATE, DELETE, TRUNCATE.
        const std::string admin =
            DatabaseAttacker::urlWithDatabase(std::getenv("SOKO_TEST_PG_ADMIN_URL"), world.database.name());
        const std::string role = world.database.name() + "_app";
        {
            pqxx::connection connection(admin);
            pqxx::nontransaction session(connection);
            session.exec("CREATE ROLE " + connection.quote_name(role) + " LOGIN PASSWORD 'app-pw'");
        }
        const std::string owner = world.database.location();
        {
            pqxx::connection connection(owner);
            pqxx::nontransaction session(connection);
            session.exec("GRANT CONNECT ON DATABASE " + connection.quote_name(world.database.name()) + " TO " +
                         connection.quote_name(role));
            session.exec_params("SELECT soko_grant_app_role($1::regrole)", role);
        }
        // postgresql://owner:pw@host… → postgresql://<role>:app-pw@host…
        const auto scheme = owner.find("://") + 3;
        const std::string appUrl = owner.substr(0, scheme) + role + ":app-pw" + owner.substr(owner.find('@'));
        {
            // soko-server itself runs as that role: opening (migrated already) and appending work.
            auto pool = Storage::openStorePool(appUrl);
            QVERIFY2(pool, pool ? "" : pool.error().message.c_str());
            auto app = (*pool)->acquire();
            QVERIFY(app);
            QCOMPARE(*(*app)->appendAudit(entry(3)), std::int64_t(3)); // INSERT and SELECT are allowed
            QVERIFY(Audit::announce(**app, {"k", "t", "x"}));
            auto claimed = (*app)->claimNextAlert("a", (*app)->now(), "2999-01-01T00:00:00.000Z");
            QVERIFY(claimed && *claimed);
            QVERIFY((*app)->markAlertDelivered((*claimed)->id, "a", (*app)->now()));
        }
        {
            pqxx::connection app(appUrl);
            for (const char *sql :
                 {"UPDATE audit SET actor = 'x' WHERE id = 1", "DELETE FROM audit WHERE id = 1", "TRUNCATE audit",
                  "UPDATE audit_checkpoints SET seq = 1", "DELETE FROM audit_checkpoints"}) {
                pqxx::nontransaction session(app);
                try {
                    session.exec(sql);
                    QFAIL(sql);
                } catch (const pqxx::insufficient_privilege &error) { // what libpqxx throws for SQLSTATE 42501
                    QVERIFY2(QByteArray(error.what()).contains("permission denied"), error.what());
                }
            }
        }
        {
            pqxx::connection connection(admin);
            pqxx::nontransaction session(connection);
            session.exec("DROP OWNED BY " + connection.quote_name(role));
        }
        pqxx::connection connection(admin);
        pqxx::nontransaction session(connection);
        session.exec("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = " +
                     connection.quote(role));
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        session.exec("DROP ROLE " + connection.quote_name(role));
#endif
    }

    void announceEscapesUserText()
    {
        const Audit::Announcement announcement{"admin_login", "Admin login",
                                               "<!channel> & <https://evil.example|click> from\r\n10.8.0.12"};
        const QJsonObject payload =
            QJsonDocument::fromJson(QByteArray::fromStdString(Audit::slackPayload(announcement))).object();
        QCOMPARE(
            payload.value(QStringLiteral("text")).toString(),
            QStringLiteral("Admin login &lt;!channel&gt; &amp; &lt;https://evil.example|click&gt; from  10.8.0.12"));
        const QJsonObject section = payload.value(QStringLiteral("blocks")).toArray().at(0).toObject();
        QCOMPARE(section.value(QStringLiteral("type")).toString(), QStringLiteral("section"));
        const QJsonObject text = section.value(QStringLiteral("text")).toObject();
        QCOMPARE(text.value(QStringLiteral("type")).toString(), QStringLiteral("mrkdwn"));
        QCOMPARE(text.value(QStringLiteral("text")).toString(),
                 QStringLiteral("*Admin login* &lt;!channel&gt; &amp; &lt;https://evil.example|click&gt; from  "
                                "10.8.0.12"));
        // Long text is cut, never in the middle of an entity or a UTF-8 sequence.
        const std::string cut = Audit::escapeSlackText(std::string(10, '<') + "\xE3\x81\x82", 22);
        QCOMPARE(QByteArray::fromStdString(cut), QByteArray("&lt;&lt;&lt;&lt;\xE2\x80\xA6"));
    }

    void alertCommitsWithItsAuditEntry()
    {
        ServerWorld world;
        {
            Storage::Transaction transaction(*world.store);
            QVERIFY(world.store->appendAudit(entry(1, "device_revoked")));
            QVERIFY(Audit::announce(*world.store, {"device_revoked", "Device revoked", "dev-1"}));
        } // rolled back: neither exists
        QCOMPARE(world.store->audit(0, 10)->size(), std::size_t(0));
        QCOMPARE(world.store->alerts(0, 10)->size(), std::size_t(0));

        // The command line's hook: every entry announced in its own transaction.
        world.store->setAuditHook(Audit::announceEveryEntry());
        Oms::AdminService admin(*world.store);
        QVERIFY(admin.revokeDevice(dev1, "cli:alice"));
        auto key = admin.createApiKey("store:shop", "Shop <b>", "cli:alice");
        QVERIFY(key);
        QCOMPARE(admin.revokeDevice("no-such-device", "cli:alice").error().code, Common::ErrorCode::NotFound);
        world.store->setAuditHook({});
        QVERIFY(world.store->appendAudit(entry(9))); // no hook: no alert

        // What the admin web layer calls: the entry and its announcement in one transaction.
        {
            Storage::Transaction transaction(*world.store);
            QVERIFY(transaction.started());
            const auto seq = Audit::appendAndAnnounce(
                *world.store,
                {0, {}, "admin:alice", "session_created", "session:7f3c", "{}", "admin", "10.8.0.12", "admin", "req-1"},
                Audit::Announcement{"admin_login", "Admin login", "alice from 10.8.0.12 (admin), session 7f3c"});
            QVERIFY(seq);
            QVERIFY(Audit::appendAndAnnounce(*world.store, {0,
                                                            {},
                                                            "admin:alice",
                                                            "authz_change",
                                                            "user:bob",
                                                            R"({"role":"admin"})",
                                                            "admin",
                                                            "10.8.0.12",
                                                            "admin"}));
            QVERIFY(transaction.commit());
        }

        const auto alerts = *world.store->alerts(0, 10);
        QCOMPARE(alerts.size(), std::size_t(4));
        QCOMPARE(alerts[2].text, std::string("Admin login alice from 10.8.0.12 (admin), session 7f3c"));
        QVERIFY2(alerts[3].text.starts_with("Authz change user:bob by admin:alice (admin) from 10.8.0.12 on admin, "
                                            "role=admin, "),
                 alerts[3].text.c_str());
        QCOMPARE(alerts[0].kind, std::string("device_revoked"));
        QVERIFY2(alerts[0].text.find(std::string("Device revoked ") + dev1 + " by cli:alice (cli_admin)") == 0,
                 alerts[0].text.c_str());
        QVERIFY(alerts[0].text.find("audit seq 1") != std::string::npos);
        QCOMPARE(alerts[1].kind, std::string("authn_token_created"));
        QVERIFY2(alerts[1].text.find("API key created api_key:" + key->id) == 0, alerts[1].text.c_str());
        QVERIFY2(alerts[1].text.find("label=Shop &lt;b&gt;") != std::string::npos, alerts[1].text.c_str());
        QVERIFY(alerts[1].text.find(key->token) == std::string::npos); // never the secret
        QCOMPARE(alerts[1].attempts, 0);
        QVERIFY(!alerts[1].deliveredAt);
        const auto backlog = *world.store->alertBacklog();
        QCOMPARE(backlog.count, std::int64_t(4));
        QCOMPARE(*backlog.oldestCreatedAt, alerts[0].createdAt);
    }

    void alertClaimsAreExclusive()
    {
        ServerWorld world;
        auto other = world.openPool(false, 2);
        auto second = other->acquire();
        QVERIFY(second);
        QVERIFY(Audit::announce(*world.store, {"k", "First", "1"}));
        QVERIFY(Audit::announce(*world.store, {"k", "Second", "2"}));
        const std::string t0 = "2030-01-01T00:00:00.000Z";
        const std::string t1 = "2030-01-01T00:01:00.000Z";
        const std::string t2 = "2030-01-01T00:02:00.000Z";
        auto claimed = world.store->claimNextAlert("a", t0, t1);
        QVERIFY(claimed && *claimed);
        QCOMPARE((*claimed)->id, std::int64_t(1));
        // The head is claimed until t1: nobody else gets it, nor the row behind it (order).
        QVERIFY(!*(*second)->claimNextAlert("b", t0, t1));
        // After the claim expired another server takes over; the first one's result is refused.
        auto takeover = (*second)->claimNextAlert("b", t2, "2030-01-01T00:03:00.000Z");
        QVERIFY(takeover && *takeover);
        QCOMPARE((*takeover)->id, std::int64_t(1));
        QCOMPARE(world.store->markAlertDelivered(1, "a", t2).error().code, Common::ErrorCode::Conflict);
        QVERIFY((*second)->markAlertFailed(1, "b", "2030-01-01T00:10:00.000Z", "HTTP 500 rollup_error"));
        QVERIFY(!*world.store->claimNextAlert("a", t2, t2)); // not due before its retry time
        auto retried = world.store->claimNextAlert("a", "2030-01-01T00:10:00.000Z", "2030-01-01T00:11:00.000Z");
        QVERIFY(retried && *retried);
        QCOMPARE((*retried)->attempts, 1);
        QCOMPARE((*retried)->lastError, std::string("HTTP 500 rollup_error"));
        QVERIFY(world.store->markAlertDelivered(1, "a", "2030-01-01T00:10:01.000Z"));
        auto next = (*second)->claimNextAlert("b", "2030-01-01T00:10:02.000Z", "2030-01-01T00:11:00.000Z");
        QVERIFY(next && *next);
        QCOMPARE((*next)->id, std::int64_t(2));
    }

    void concurrentClaimsDeliverEachOnce()
    {
        ServerWorld world;
        constexpr int count = 30;
        for (int i = 0; i < count; ++i)
            QVERIFY(Audit::announce(*world.store, {"k", "Alert", std::to_string(i)}));
        std::vector<std::unique_ptr<Storage::StorePool>> pools;
        for (int t = 0; t < 4; ++t)
            pools.push_back(world.openPool(false, 1));
        std::mutex mutex;
        std::vector<std::int64_t> delivered;
        std::atomic<int> errors{0};
        std::vector<std::thread> workers;
        for (int t = 0; t < 4; ++t) {
            workers.emplace_back([&, t] {
                auto lease = pools[std::size_t(t)]->acquire();
                const std::string claimant = "server-" + std::to_string(t);
                const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
                while (std::chrono::steady_clock::now() < deadline) {
                    const std::string now = (*lease)->now();
                    auto claimed = (*lease)->claimNextAlert(claimant, now, "2999-01-01T00:00:00.000Z");
                    if (!claimed) {
                        ++errors;
                        return;
                    }
                    if (!*claimed) {
                        if ((*lease)->alertBacklog()->count == 0)
                            return;
                        std::this_thread::yield();
                        continue;
                    }
                    {
                        std::lock_guard lock(mutex);
                        delivered.push_back((*claimed)->id);
                    }
                    if (!(*lease)->markAlertDelivered((*claimed)->id, claimant, now))
                        ++errors;
                }
            });
        }
        for (auto &worker : workers)
            worker.join();
        QCOMPARE(errors.load(), 0);
        QCOMPARE(delivered.size(), std::size_t(count));
        for (int i = 0; i < count; ++i)
            QCOMPARE(delivered[std::size_t(i)], std::int64_t(i + 1)); // once each, in order
        QCOMPARE(world.store->alertBacklog()->count, std::int64_t(0));
    }
};

QTEST_GUILESS_MAIN(TestAudit)
#include "tst_audit.moc"
