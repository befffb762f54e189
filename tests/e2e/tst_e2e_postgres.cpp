#include <QElapsedTimer>
#include <QProcess>
#include <QSslSocket>
#include <QTest>
#include <QThread>

#include <atomic>
#include <map>
#include <thread>

#include "tests/e2e/e2ehelpers.h"
#include "tests/e2e/pgdatabase.h"

// soko-server processes on PostgreSQL (docs/server.md "PostgreSQL"), each test case on a fresh
// database of the throwaway cluster (SOKO_TEST_PG_URL / SOKO_TEST_PG_ADMIN_URL; without them the
// test FAILS):
// - two `soko-server migrate --db` at once both succeed (advisory lock), and the URI's password
//   never appears in any output, even when libpq quotes a malformed URI;
// - two stateless servers on one database behind a "load balancer" (the test alternates), eight
//   enrolled terminals over real mutual TLS pushing 5,000 ops each in batches of 500: every op is
//   applied exactly once and every balance equals the sum of its ledger rows;
// - kill -9 of the server in the middle of a push (its transaction open, provably uncommitted,
//   and once at an arbitrary moment): the terminal's retry through the other server applies
//   everything exactly once.
using namespace E2e;

namespace {

constexpr int s_opsPerTerminal = 5000;
constexpr int s_batchSize = 500;
constexpr std::int64_t s_changeLogLockKey = 0x736f6b6f0002; // server/storage/postgres: held while versions are drawn

using Ledger = std::map<std::pair<std::string, std::string>, qint64>; // (sku, bin) → expected balance

// A terminal's day of work in groups of five: receipts into A-1, A-2 and DOCK and a move of one
// S1 from A-1 to DOCK. Every prefix of it leaves S1@A-1 ≥ 0, so however the terminals
// interleave no balance goes negative and every op must come back `applied`.
std::vector<Protocol::PushOp> terminalOps(int tag, int count, Ledger &ledger)
{
    std::vector<Protocol::PushOp> ops;
    ops.reserve(std::size_t(count));
    for (int index = 0; index < count; ++index) {
        const std::int64_t seq = index + 1;
        const std::string id = opId(tag, index + 1);
        switch (index % 5) {
        case 0:
            ops.push_back(receiveOp(seq, id, 2, "A-1", "S1"));
            ledger[{"S1", "A-1"}] += 2;
            break;
        case 1:
            ops.push_back(receiveOp(seq, id, index % 7 + 1, "A-2", "S2"));
            ledger[{"S2", "A-2"}] += index % 7 + 1;
            break;
        case 2:
            ops.push_back(receiveOp(seq, id, 1, "A-2", "S1"));
            ledger[{"S1", "A-2"}] += 1;
            break;
        case 3:
            ops.push_back(receiveOp(seq, id, 3, "DOCK", "S2"));
            ledger[{"S2", "DOCK"}] += 3;
            break;
        default: {
            Protocol::MovePayload move;
            move.sku = "S1";
            move.from = "A-1";
            move.to = "DOCK";
            move.quantity = 1;
            ops.push_back(makeOp(seq, id, move));
            ledger[{"S1", "A-1"}] -= 1;
            ledger[{"S1", "DOCK"}] += 1;
        }
        }
    }
    return ops;
}

std::vector<Protocol::PushOp> slice(const std::vector<Protocol::PushOp> &ops, int batch)
{
    const auto first = ops.begin() + std::ptrdiff_t(batch) * s_batchSize;
    return {first, first + s_batchSize};
}

// Empty when the answer is a 200 whose results are all `applied` for exactly these ops.
QString checkApplied(const PushOutcome &outcome, const std::vector<Protocol::PushOp> &ops)
{
    if (!outcome.response)
        return QStringLiteral("status %1 %2 %3")
            .arg(outcome.http.status)
            .arg(QString::fromUtf8(outcome.http.body.left(300)), outcome.http.error);
    if (outcome.response->lastApplied != ops.back().seq)
        return QStringLiteral("last_applied %1, expected %2").arg(outcome.response->lastApplied).arg(ops.back().seq);
    if (outcome.response->results.size() != ops.size())
        return QStringLiteral("%1 results for %2 ops").arg(outcome.response->results.size()).arg(ops.size());
    for (std::size_t index = 0; index < ops.size(); ++index) {
        const auto &result = outcome.response->results[index];
        if (result.opId != ops[index].opId || result.outcome != Protocol::OperationOutcome::Applied)
            return QStringLiteral("op %1 came back %2 (%3)")
                .arg(ops[index].seq)
                .arg(int(result.outcome))
                .arg(QString::fromStdString(result.reason.value_or("")));
    }
    return {};
}

// The same facts through both servers' api listeners and straight from the database.
void verifyLedger(const PgDatabase &database, const std::vector<const ServerProcess *> &servers, const QString &admin,
                  const Ledger &ledger, qint64 ops, qint64 movements)
{
    QCOMPARE(database.scalar("SELECT count(*) FROM applied_ops"), ops);
    QCOMPARE(database.scalar("SELECT count(DISTINCT op_id) FROM applied_ops"), ops);
    QCOMPARE(database.scalar("SELECT count(*) FROM applied_ops WHERE outcome <> 'applied'"), qint64(0));
    QCOMPARE(database.scalar("SELECT count(*) FROM stock_movements WHERE op_id <> ''"), movements);
    QCOMPARE(database.scalar("SELECT count(DISTINCT op_id) FROM stock_movements WHERE op_id <> ''"), ops);
    QCOMPARE(database.scalar("SELECT count(*) FROM conflicts"), qint64(0));
    QCOMPARE(database.scalar("SELECT count(*) FROM rejections"), qint64(0));
    // Every balance row is the sum of its ledger rows, and no ledger row lacks its balance.
    QCOMPARE(database.scalar("SELECT count(*) FROM stock_balances b WHERE quantity <> "
                             "(SELECT coalesce(sum(quantity_delta), 0) FROM stock_movements m WHERE m.warehouse = "
                             "b.warehouse AND m.sku = b.sku AND m.location = b.location AND m.lot = b.lot)"),
             qint64(0));
    QCOMPARE(database.scalar("SELECT count(*) FROM (SELECT DISTINCT warehouse, sku, location, lot FROM "
                             "stock_movements) m WHERE NOT EXISTS (SELECT 1 FROM stock_balances b WHERE m.warehouse = "
                             "b.warehouse AND m.sku = b.sku AND m.location = b.location AND m.lot = b.lot)"),
             qint64(0));
    for (const ServerProcess *server : servers)
        for (const auto &[key, expected] : ledger)
            QCOMPARE(balance(*server, admin, key.first.c_str(), key.second.c_str()), std::optional<qint64>(expected));
}

// Everything the processes printed and logged, for the password check.
QByteArray allOutput(const ServerProcess &server)
{
    QFile out(server.rootPath() + QStringLiteral("/server.out"));
    return server.log() + (out.open(QIODevice::ReadOnly) ? out.readAll() : QByteArray());
}

} // namespace

class TestE2ePostgres : public QObject
{
    Q_OBJECT

private:
    // Two servers on one fresh database: the first made by `init --db`, the second a copy of its
    // folder (same CAs), seeded with the e2e world (TKY1; S1, S2; A-1, A-2, DOCK; OP-1).
    bool twoServers(PgDatabase &database, ServerProcess &first, ServerProcess &second, QString *admin)
    {
        QString why;
        if (!database.create(&why)) {
            qWarning("%s", qPrintable(why));
            return false;
        }
        first.setDatabase(database.url());
        if (!seedWorld(first, admin) || !second.copyDataFolderFrom(first))
            return false;
        // Small pools make connection hand-over part of the test; Retry-After answers are retried.
        const QStringList settings{QStringLiteral("--set"), QStringLiteral("database_pool_size=4")};
        return first.start(settings) && second.start(settings);
    }

    static PushOutcome pushWithRetry(const ServerProcess &server, const Device &device,
                                     const std::vector<Protocol::PushOp> &ops, std::atomic<int> *busy)
    {
        for (int attempt = 0;; ++attempt) {
            PushOutcome outcome = push(server, device, ops);
            if (outcome.http.status != 503 || attempt >= 20)
                return outcome;
            ++*busy; // pool exhausted: the documented answer is 503 + Retry-After, the terminal retries
            QThread::msleep(200);
        }
    }

private Q_SLOTS:
    void concurrentMigrateNeverShowsThePassword()
    {
        PgDatabase database;
        QString why;
        QVERIFY2(database.create(&why), qPrintable(why));
        QVERIFY(!database.password().empty());
        const QByteArray password = QByteArray::fromStdString(database.password());

        // Two migrate commands at once on an empty database: one migrates, the other waits.
        QProcess one, two;
        const QStringList arguments{QStringLiteral("migrate"), QStringLiteral("--db"), database.url()};
        one.start(ServerProcess::binaryPath(), arguments);
        two.start(ServerProcess::binaryPath(), arguments);
        QVERIFY(one.waitForFinished(120000) && two.waitForFinished(120000));
        const QByteArray outOne = one.readAllStandardOutput(), outTwo = two.readAllStandardOutput();
        const QByteArray errors = one.readAllStandardError() + two.readAllStandardError();
        QVERIFY2(one.exitCode() == 0 && two.exitCode() == 0, errors.constData());
        QVERIFY2(outOne.startsWith("schema version: "), outOne.constData());
        QCOMPARE(outTwo, outOne);
        QCOMPARE(database.scalar("SELECT count(*) FROM schema_version"),
                 database.scalar("SELECT max(version) FROM schema_version"));
        QCOMPARE(database.scalar("SELECT count(*) FROM server_meta WHERE key = 'epoch'"), qint64(1));
        QVERIFY(!(outOne + outTwo + errors).contains(password));

        // Admin commands with --db alone act on the same database.
        ServerProcess tool;
        CommandResult added = tool.command({QStringLiteral("warehouse"), QStringLiteral("add"), QStringLiteral("OSA1"),
                                            QStringLiteral("Osaka"), QStringLiteral("--db"), database.url()});
        QVERIFY2(added.exitCode == 0, added.err.constData());
        QCOMPARE(database.scalar("SELECT count(*) FROM warehouses WHERE code = 'OSA1'"), qint64(1));

        // Failures name the problem, never the password: a refused connection, a malformed URI
        // that libpq quotes back, a bad setting.
        const QString user = QString::fromStdString(database.user());
        const QString secret = QString::fromUtf8(password);
        const QStringList failing{
            QStringLiteral("postgresql://%1:%2@127.0.0.1:1/nothing").arg(user, secret),
            QStringLiteral("postgresql://%1:%2%zz@127.0.0.1:1/nothing").arg(user, secret),
            QStringLiteral("postgresql://%1@127.0.0.1:1/nothing?password=%2&connect_timeout=x").arg(user, secret),
        };
        for (const QString &url : failing) {
            const CommandResult failed = tool.command({QStringLiteral("migrate"), QStringLiteral("--db"), url});
            QCOMPARE(failed.exitCode, 1);
            QVERIFY2(!failed.err.isEmpty(), "a failure explains itself");
            QVERIFY2(!(failed.out + failed.err).contains(password), failed.err.constData());
        }
        ServerProcess broken;
        const CommandResult refused =
            broken.command({QStringLiteral("init"), QStringLiteral("--data"), broken.rootPath() + QStringLiteral("/x"),
                            QStringLiteral("--hostname"), QStringLiteral("localhost"), QStringLiteral("--db"),
                            failing.first()});
        QCOMPARE(refused.exitCode, 1);
        QVERIFY2(!(refused.out + refused.err).contains(password), refused.err.constData());
        QVERIFY(!QFile::exists(broken.rootPath() + QStringLiteral("/x"))); // nothing half-made
    }

    void twoServersEightTerminalsApplyEveryOpOnce()
    {
        PgDatabase database;
        ServerProcess first, second;
        QString admin;
        QVERIFY(twoServers(database, first, second, &admin));
        const std::vector<const ServerProcess *> servers{&first, &second};

        constexpr int terminals = 8;
        std::vector<Device> devices;
        std::vector<std::vector<Protocol::PushOp>> work;
        Ledger ledger;
        for (int index = 0; index < terminals; ++index) {
            // Enrolled alternately through both servers: either one's enrollment is good on both.
            auto device = (index % 2 ? second : first)
                              .enrollDevice(QStringLiteral("TKY1"), QStringLiteral("HT-%1").arg(index));
            QVERIFY(device);
            devices.push_back(*device);
            work.push_back(terminalOps(0x100 + index, s_opsPerTerminal, ledger));
        }

        QElapsedTimer timer;
        timer.start();
        std::atomic<int> busy{0};
        std::vector<QString> errors(terminals);
        std::vector<std::thread> threads;
        for (int terminal = 0; terminal < terminals; ++terminal) {
            threads.emplace_back([&, terminal] {
                for (int batch = 0; batch < s_opsPerTerminal / s_batchSize && errors[terminal].isEmpty(); ++batch) {
                    const auto ops = slice(work[terminal], batch);
                    const ServerProcess &server = *servers[std::size_t(batch + terminal) % 2];
                    const QString problem = checkApplied(pushWithRetry(server, devices[terminal], ops, &busy), ops);
                    if (!problem.isEmpty())
                        errors[terminal] = QStringLiteral("terminal %1 batch %2: %3").arg(terminal).arg(batch).arg(problem);
                }
            });
        }
        for (auto &thread : threads)
            thread.join();
        const qint64 elapsed = timer.elapsed();
        for (const QString &error : errors)
            QVERIFY2(error.isEmpty(), qPrintable(error));
        qInfo("%d terminals x %d ops through 2 servers: %lld ms (%.0f ops/s), %d busy answers retried", terminals,
              s_opsPerTerminal, elapsed, terminals * s_opsPerTerminal * 1000.0 / double(qMax<qint64>(1, elapsed)),
              busy.load());

        verifyLedger(database, servers, admin, ledger, terminals * s_opsPerTerminal,
                     terminals * (s_opsPerTerminal / 5) * 6);
        if (QTest::currentTestFailed())
            return;
        for (const Device &device : devices)
            QCOMPARE(database.scalar("SELECT max(seq) FROM applied_ops WHERE device_id = $1", device.id.toStdString()),
                     qint64(s_opsPerTerminal));
        // Both servers really served: each logged pushes.
        const QRegularExpression pushed(QStringLiteral("request method=POST path=/api/v1/sync/push status=200"));
        QVERIFY(first.logCount(pushed) >= terminals * 4);
        QVERIFY(second.logCount(pushed) >= terminals * 4);

        for (ServerProcess *server : {&first, &second}) {
            QVERIFY(server->stop());
            QCOMPARE(server->exitCode(), 0);
            const QByteArray output = allOutput(*server);
            QVERIFY(output.contains("backend=postgresql database=postgresql://" + QByteArray::fromStdString(database.user()) +
                                    ":***@"));
            QVERIFY(!output.contains(QByteArray::fromStdString(database.password())));
        }
    }

    void killedServerMidPushTheOtherAppliesItOnce()
    {
        PgDatabase database;
        ServerProcess first, second;
        QString admin;
        QVERIFY(twoServers(database, first, second, &admin));
        auto enrolled = first.enrollDevice(QStringLiteral("TKY1"), QStringLiteral("HT-K"));
        QVERIFY(enrolled);
        const Device device = *enrolled;
        Ledger ledger;
        const auto work = terminalOps(0x200, s_opsPerTerminal, ledger);
        const std::string deviceId = device.id.toStdString();
        auto appliedSoFar = [&] {
            return database.scalar("SELECT count(*) FROM applied_ops WHERE device_id = $1", deviceId);
        };

        // Batches 0 and 1 normally, one through each server.
        QCOMPARE(checkApplied(push(first, device, slice(work, 0)), slice(work, 0)), QString());
        QElapsedTimer timer;
        timer.start();
        QCOMPARE(checkApplied(push(second, device, slice(work, 1)), slice(work, 1)), QString());
        const qint64 batchMs = timer.elapsed();

        // Batch 2 through the first server, held at its last step (versions for the change log,
        // right before COMMIT) by the test holding the lock it waits for; then kill -9.
        {
            pqxx::connection holder(database.urlString());
            pqxx::nontransaction session(holder);
            session.exec_params("SELECT pg_advisory_lock($1)", s_changeLogLockKey);
            auto socket = first.connect(first.devicesPort(), &device);
            QVERIFY2(socket->isEncrypted(), qPrintable(socket->errorString()));
            QVERIFY(ServerProcess::send(*socket, ServerProcess::requestBytes("POST", "/api/v1/sync/push",
                                                                              pushBody(device, slice(work, 2)), {})));
            QElapsedTimer waiting;
            waiting.start();
            while (database.scalar("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted") < 1) {
                QVERIFY2(waiting.elapsed() < 60000, "the push never reached its commit step");
                QThread::msleep(20);
            }
            first.kill();
            QCOMPARE(first.exitStatus(), QProcess::CrashExit);
            const HttpResult lost = ServerProcess::readResponse(*socket, 5000);
            QCOMPARE(lost.status, 0); // the terminal got no answer
            session.exec_params("SELECT pg_advisory_unlock($1)", s_changeLogLockKey);
        }
        // The terminal retries the same batch through the other server: the killed server's
        // transaction never committed, so all 500 are applied now, once.
        QCOMPARE(checkApplied(push(second, device, slice(work, 2)), slice(work, 2)), QString());
        QCOMPARE(appliedSoFar(), qint64(3 * s_batchSize));

        // Batch 3 through the survivor; the first server comes back; batch 4 through it.
        QCOMPARE(checkApplied(push(second, device, slice(work, 3)), slice(work, 3)), QString());
        QVERIFY(first.start({QStringLiteral("--set"), QStringLiteral("database_pool_size=4")}));
        QCOMPARE(checkApplied(push(first, device, slice(work, 4)), slice(work, 4)), QString());

        // Batch 5: kill -9 at an arbitrary moment of the push (about half a batch's time in);
        // whether it committed or not, the retry through the other server settles it exactly once.
        {
            auto socket = first.connect(first.devicesPort(), &device);
            QVERIFY2(socket->isEncrypted(), qPrintable(socket->errorString()));
            QVERIFY(ServerProcess::send(*socket, ServerProcess::requestBytes("POST", "/api/v1/sync/push",
                                                                              pushBody(device, slice(work, 5)), {})));
            QThread::msleep(quint64(qMax<qint64>(1, batchMs / 2)));
            first.kill();
            qInfo("killed mid-push after %lld ms; %lld ops of this device were committed then", batchMs / 2,
                  appliedSoFar());
        }
        QCOMPARE(checkApplied(push(second, device, slice(work, 5)), slice(work, 5)), QString());
        QCOMPARE(appliedSoFar(), qint64(6 * s_batchSize));

        // The rest alternately through both (the first restarted again).
        QVERIFY(first.start({QStringLiteral("--set"), QStringLiteral("database_pool_size=4")}));
        for (int batch = 6; batch < s_opsPerTerminal / s_batchSize; ++batch) {
            const ServerProcess &server = batch % 2 ? second : first;
            QCOMPARE(checkApplied(push(server, device, slice(work, batch)), slice(work, batch)), QString());
        }
        verifyLedger(database, {&first, &second}, admin, ledger, s_opsPerTerminal, (s_opsPerTerminal / 5) * 6);
        if (QTest::currentTestFailed())
            return;
        QCOMPARE(first.logCount(QRegularExpression(QStringLiteral("^\\S+ listening .*backend=postgresql"))), 3);
        QVERIFY(first.stop() && second.stop());
        QCOMPARE(second.exitCode(), 0);
    }
};

QTEST_GUILESS_MAIN(TestE2ePostgres)
#include "tst_e2e_postgres.moc"
