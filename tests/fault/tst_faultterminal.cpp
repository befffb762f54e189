// Fault classes of issue 7 "Nothing lost" seen from the terminal's side, each against a real
// soko-server process (SQLite backend) and the terminal's real sync engine (client/sync SyncClient,
// client/storage) on a real SQLite file:
// - process faults: the server SIGKILLed at seeded random points of a pull and restarted; the
//   terminal PROCESS (this binary re-executed as a child) SIGKILLed between its local commit and
//   its push, during the push, and mid-way through applying a pulled page;
// - restore faults: the terminal's database restored from an older copy (fork → new incarnation),
//   the server's database restored from an older backup (new-epoch → re-push);
// - a long offline terminal: 50,000 changes pulled by a child process killed twice mid-page, its
//   peak RSS measured, the resumed pull continuing from the last applied page.
// Randomness comes from one seed (SOKO_FAULT_SEED, else random) printed at start; each test ends
// with a one-line qInfo summary of the faults it injected.
#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QRandomGenerator>
#include <QScopeGuard>
#include <QSet>
#include <QSignalSpy>
#include <QSqlDriver>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <sqlite3.h>
#include <unistd.h>

#include "client/storage/localdatabase.h"
#include "client/storage/outboxrepository.h"
#include "client/storage/syncstaterepository.h"
#include "client/storage/transactionguard.h"
#include "client/sync/syncclient.h"
#include "tests/e2e/e2ehelpers.h"
#include "tests/e2e/pgdatabase.h"
#include "tests/fault/faultseed.h"
#include "tests/support/terminalfixture.h"

namespace {

using namespace E2e;

const QString s_dbFile = QStringLiteral("/terminal.sqlite");
constexpr int s_pullChanges = 8000; // the pull the server is killed in

// The server's backend: SQLite by default, PostgreSQL when SOKO_FAULT_BACKEND=postgresql (a fresh
// database per test through SOKO_TEST_PG_URL / SOKO_TEST_PG_ADMIN_URL, as tst_e2e_postgres).
bool onPostgres()
{
    return qEnvironmentVariable("SOKO_FAULT_BACKEND") == QLatin1String("postgresql");
}

QByteArray bulkSkus(const QByteArray &prefix, int count)
{
    QByteArray csv = "code,name,base_unit,lot_controlled,gtins\r\n";
    csv.reserve(count * 40);
    for (int index = 0; index < count; ++index)
        csv += prefix + QByteArray::number(index).rightJustified(6, '0') + ",Bulk item,piece,0,\r\n";
    return csv;
}

bool openTerminal(LocalDatabase &database, const QString &folder)
{
    auto opened = database.open(folder + s_dbFile);
    if (!opened) {
        qWarning("open failed: %s", opened.error().message.c_str());
        return false;
    }
    return SyncStateRepository(database).ensureIdentity().has_value();
}

// One receive of `quantity` × sku at location, committed as the workflows do (one transaction).
std::optional<OutboxEntry> receiveLocally(LocalDatabase &database, int quantity = 1, const char *sku = "S1",
                                          const char *location = "A-1")
{
    Protocol::ReceivePayload payload;
    payload.sku = sku;
    payload.location = location;
    payload.quantity = quantity;
    TransactionGuard transaction(database);
    if (!transaction.isActive())
        return std::nullopt;
    auto op = OutboxRepository(database).append(transaction, QStringLiteral("receive"),
                                                QByteArray::fromStdString(Protocol::encodePayload(payload)),
                                                QStringLiteral("OP-1"));
    if (!op || !transaction.commit())
        return std::nullopt;
    return *op;
}

bool waitIdle(const SyncClient &sync, int timeoutMs = 10000)
{
    QDeadlineTimer deadline(timeoutMs);
    while (sync.isBusy() && !deadline.hasExpired())
        QTest::qWait(20);
    return !sync.isBusy();
}

// Runs rounds until one succeeds with nothing pending (bounded).
bool syncUntilClean(LocalDatabase &database, SyncClient &sync, int attempts = 8)
{
    for (int attempt = 0; attempt < attempts; ++attempt) {
        QSignalSpy rounds(&sync, &SyncClient::roundFinished);
        sync.syncNow();
        if (!rounds.wait(60000))
            continue;
        if (rounds.last().at(0).toBool() && OutboxRepository(database).pendingCount() == 0) {
            if (waitIdle(sync) && OutboxRepository(database).pendingCount() == 0)
                return true;
        }
        QTest::qWait(300);
    }
    return false;
}

// One working session of the terminal in `folder`: `count` receipts made locally (their op ids
// appended to `opIds`), then rounds until nothing is pending; `epoch` gets the epoch it holds then.
bool receiveAndSync(const QString &folder, int count, QStringList &opIds, QString *epoch = nullptr)
{
    LocalDatabase database(QStringLiteral("work"));
    if (!openTerminal(database, folder))
        return false;
    for (int index = 0; index < count; ++index) {
        const auto op = receiveLocally(database);
        if (!op)
            return false;
        opIds << op->opId;
    }
    SyncClient sync(database, folder);
    const bool clean = syncUntilClean(database, sync);
    if (epoch)
        *epoch = SyncStateRepository(database).value(SyncStateRepository::Epoch);
    return clean;
}

QString integrity(LocalDatabase &database)
{
    QSqlQuery query(database.database());
    if (query.exec(QStringLiteral("PRAGMA integrity_check")) && query.next())
        return query.value(0).toString();
    return QStringLiteral("(integrity_check failed to run)");
}

qint64 peakRssKb()
{
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith("VmHWM:"))
            return line.mid(6).trimmed().split(' ').value(0).toLongLong();
    }
    return -1;
}

// ---- child processes (this binary with --child …) ---------------------------------------------

// `--child ops <folder> <count> <killDelayMs>`: commits `count` receives, then dies by SIGKILL:
// at once (killDelayMs < 0: between the local commit and the push) or killDelayMs into a sync
// round (during the push / the pull after it).
[[noreturn]] void childOps(const QStringList &arguments)
{
    const QString folder = arguments.value(0);
    const int count = arguments.value(1).toInt();
    const int killDelayMs = arguments.value(2).toInt();
    LocalDatabase database(QStringLiteral("child"));
    if (!openTerminal(database, folder))
        std::_Exit(3);
    for (int index = 0; index < count; ++index) {
        if (!receiveLocally(database))
            std::_Exit(4);
    }
    std::fflush(nullptr);
    if (killDelayMs < 0)
        ::kill(::getpid(), SIGKILL);
    SyncClient sync(database, folder);
    QTimer::singleShot(killDelayMs, [] { ::kill(::getpid(), SIGKILL); });
    sync.syncNow();
    QCoreApplication::exec();
    std::_Exit(5);
}

struct PullKill
{
    int afterCommits = -1; // SIGKILL once this many transactions committed…
    int atRow = 0;         // …at this row written inside the next one (mid-page); -1 = never
    int commits = 0;
    int rowsInTransaction = 0;
};
PullKill s_pullKill;

int commitHook(void *)
{
    ++s_pullKill.commits;
    s_pullKill.rowsInTransaction = 0;
    return 0;
}

void updateHook(void *, int, const char *, const char *, sqlite3_int64)
{
    ++s_pullKill.rowsInTransaction;
    if (s_pullKill.afterCommits >= 0 && s_pullKill.commits >= s_pullKill.afterCommits &&
        s_pullKill.rowsInTransaction == s_pullKill.atRow) {
        std::fprintf(stdout, "killed commits=%d row=%d\n", s_pullKill.commits, s_pullKill.rowsInTransaction);
        std::fflush(stdout);
        ::kill(::getpid(), SIGKILL);
    }
}

// `--child pull <folder> <pageLimit> <afterCommits> <atRow>`: pulls until caught up (SIGKILLed
// mid-page when afterCommits >= 0); prints "pages=<n> start=<cursor> end=<cursor> hwm_kb=<kB>".
[[noreturn]] void childPull(const QStringList &arguments)
{
    const QString folder = arguments.value(0);
    LocalDatabase database(QStringLiteral("child"));
    if (!openTerminal(database, folder))
        std::_Exit(3);
    const QVariant handle = database.database().driver()->handle();
    if (qstrcmp(handle.typeName(), "sqlite3*") != 0)
        std::_Exit(4);
    sqlite3 *connection = *static_cast<sqlite3 *const *>(handle.constData());
    s_pullKill.afterCommits = arguments.value(2).toInt();
    s_pullKill.atRow = arguments.value(3).toInt();
    sqlite3_commit_hook(connection, commitHook, nullptr);
    sqlite3_update_hook(connection, updateHook, nullptr);

    const SyncStateRepository state(database);
    const QString start = state.value(SyncStateRepository::Cursor, QStringLiteral("0"));
    int pages = 0;
    QString last = start;
    QObject::connect(&database, &LocalDatabase::committed, [&] {
        const QString now = state.value(SyncStateRepository::Cursor, QStringLiteral("0"));
        if (now != last) {
            ++pages;
            last = now;
        }
    });
    SyncClient sync(database, folder);
    SyncClient::Settings settings;
    settings.pullPageLimit = arguments.value(1).toInt();
    sync.setSettings(settings);
    bool ok = false;
    for (int attempt = 0; attempt < 5 && !ok; ++attempt) {
        QSignalSpy rounds(&sync, &SyncClient::roundFinished);
        sync.syncNow();
        ok = rounds.wait(120000) && rounds.last().at(0).toBool();
    }
    std::fprintf(stdout, "pages=%d start=%s end=%s hwm_kb=%lld\n", pages, qPrintable(start), qPrintable(last),
                 peakRssKb());
    std::fflush(stdout);
    std::_Exit(ok ? 0 : 6);
}

// The device clock of the terminals in the time-fault test: the real UTC time plus an offset.
std::atomic<qint64> s_clockOffsetSeconds{0};
QDateTime skewedClock()
{
    return QDateTime::currentDateTimeUtc().addSecs(s_clockOffsetSeconds);
}

QMap<QString, QString> parseFields(const QByteArray &line)
{
    QMap<QString, QString> fields;
    for (const QByteArray &part : line.trimmed().split(' ')) {
        const qsizetype equals = part.indexOf('=');
        if (equals > 0)
            fields.insert(QString::fromUtf8(part.left(equals)), QString::fromUtf8(part.mid(equals + 1)));
    }
    return fields;
}

// Rows of a one-column query on the server's SQLite database (read-only beside the server).
QStringList sqliteColumn(const ServerProcess &server, const QString &sql)
{
    const QString name = QUuid::createUuid().toString();
    QStringList values;
    {
        QSqlDatabase database = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
        database.setDatabaseName(server.dataPath() + QStringLiteral("/soko.db"));
        database.setConnectOptions(QStringLiteral("QSQLITE_OPEN_READONLY;QSQLITE_BUSY_TIMEOUT=5000"));
        if (database.open()) {
            QSqlQuery query(database);
            if (query.exec(sql))
                while (query.next())
                    values << query.value(0).toString();
        }
    }
    QSqlDatabase::removeDatabase(name);
    return values;
}

} // namespace

class TestFaultTerminal : public QObject
{
    Q_OBJECT

private:
    // A seeded world, a running server and a terminal enrolled into `folder` (database closed).
    struct World
    {
        PgDatabase postgres; // used when onPostgres()
        ServerProcess server;
        QString admin;
        QTemporaryDir terminal;
        quint16 devicesPort = 0;
    };

    // Rows of a one-column query on the server's database, whichever backend (read-only SQL).
    static QStringList serverColumn(const World &world, const QString &sql)
    {
        if (!onPostgres())
            return sqliteColumn(world.server, sql);
        QStringList values;
        try {
            pqxx::connection connection(world.postgres.urlString());
            pqxx::nontransaction session(connection);
            for (const auto &row : session.exec(sql.toStdString()))
                values << (row[0].is_null() ? QString() : QString::fromStdString(row[0].as<std::string>()));
        } catch (const std::exception &error) {
            qWarning("postgres query failed: %s", error.what());
        }
        return values;
    }

    static bool enroll(World &world, const QString &folder)
    {
        LocalDatabase database(QStringLiteral("enroll"));
        if (!openTerminal(database, folder))
            return false;
        QFile ca(world.server.serverCaPath());
        if (!ca.open(QIODevice::ReadOnly))
            return false;
        SyncClient sync(database, folder);
        QSignalSpy enrolled(&sync, &SyncClient::enrollmentFinished);
        QSignalSpy rounds(&sync, &SyncClient::roundFinished);
        sync.enroll(QUrl(QStringLiteral("https://127.0.0.1:%1").arg(world.server.apiPort())),
                    QUrl(QStringLiteral("https://127.0.0.1:%1").arg(world.server.devicesPort())),
                    world.server.enrollmentCode(QStringLiteral("TKY1")), ca.readAll());
        if (!enrolled.wait(60000) || !enrolled.at(0).at(0).toBool()) {
            qWarning("enrollment failed: %s",
                     enrolled.isEmpty() ? "timeout" : qPrintable(enrolled.at(0).at(1).toString()));
            return false;
        }
        if (!rounds.wait(60000) || !rounds.last().at(0).toBool())
            return false;
        return waitIdle(sync);
    }

    static bool makeWorld(World &world)
    {
        if (onPostgres()) {
            QString why;
            if (!world.postgres.create(&why)) {
                qWarning("%s", qPrintable(why));
                return false;
            }
            world.server.setDatabase(world.postgres.url());
        }
        if (!seedWorld(world.server, &world.admin) || !world.server.start())
            return false;
        world.devicesPort = world.server.devicesPort();
        return enroll(world, world.terminal.path());
    }

    // SIGKILL, then `run` again on the same devices port (the address the terminal stored).
    static bool killAndRestart(World &world)
    {
        world.server.kill();
        return startOnSamePort(world);
    }

    static bool startOnSamePort(World &world)
    {
        for (int attempt = 0; attempt < 5; ++attempt) {
            if (world.server.start(
                    {QStringLiteral("--devices-listen"), QStringLiteral("127.0.0.1:%1").arg(world.devicesPort)}))
                return true;
            QTest::qWait(500);
        }
        return false;
    }

    static QProcess *runChild(QProcess &child, const QStringList &arguments)
    {
        child.setProcessChannelMode(QProcess::SeparateChannels);
        child.start(QCoreApplication::applicationFilePath(), QStringList{QStringLiteral("--child")} + arguments);
        return &child;
    }

private Q_SLOTS:
    void initTestCase()
    {
        qInfo("fault seed %llu (replay with SOKO_FAULT_SEED=%llu), server backend %s", faultSeed(), faultSeed(),
              onPostgres() ? "postgresql" : "sqlite");
    }

    // Process faults, terminal side: a child terminal commits receives and is SIGKILLed right after
    // the commit (before any push) or at a seeded random moment of the sync round that follows
    // (before, during or after the push). After every kill the local database is consistent;
    // finally every op the terminals committed is on the server exactly once.
    void terminalKilledBetweenCommitAndPush()
    {
        World world;
        QVERIFY(makeWorld(world));
        QRandomGenerator random(faultSeed() ^ 0x1001);
        int killsBeforePush = 0, killsInRound = 0, appliedButUnacked = 0, ackedBeforeKill = 0, notPushed = 0, ops = 0;
        QSet<QString> seen;
        const int rounds = 8;
        for (int round = 0; round < rounds; ++round) {
            const int count = 1 + int(random.bounded(3));
            const int delay = round % 3 == 0 ? -1 : int(random.bounded(2500));
            QProcess child;
            runChild(child,
                     {QStringLiteral("ops"), world.terminal.path(), QString::number(count), QString::number(delay)});
            QVERIFY(child.waitForFinished(60000));
            QCOMPARE(child.exitStatus(), QProcess::CrashExit);
            ops += count;
            delay < 0 ? ++killsBeforePush : ++killsInRound;

            LocalDatabase database(QStringLiteral("check"));
            QVERIFY(openTerminal(database, world.terminal.path()));
            QCOMPARE(integrity(database), QStringLiteral("ok"));
            const auto all = OutboxRepository(database).all();
            QVERIFY(all);
            QCOMPARE(int(all->size()), ops); // every committed op survived the kill
            const QStringList onServer = movementOpIds(world.server, world.admin, "S1");
            for (const OutboxEntry &entry : std::as_const(*all)) {
                QVERIFY2(onServer.count(entry.opId) <= 1, qPrintable(entry.opId));
                if (entry.state == OutboxState::Acked)
                    QVERIFY2(onServer.contains(entry.opId), qPrintable(entry.opId)); // never acked unapplied
                if (seen.contains(entry.opId))
                    continue;
                seen.insert(entry.opId); // this child's ops, as the kill left them:
                if (entry.state == OutboxState::Acked)
                    ++ackedBeforeKill;
                else if (onServer.contains(entry.opId))
                    ++appliedButUnacked; // the response was lost with the process: resent later
                else
                    ++notPushed;
            }
            const qint64 seqs = TestSupport::scalar(database, QStringLiteral("SELECT COUNT(DISTINCT seq) FROM outbox"));
            QCOMPARE(seqs, qint64(ops)); // gapless, no seq burnt twice
        }
        LocalDatabase database(QStringLiteral("final"));
        QVERIFY(openTerminal(database, world.terminal.path()));
        SyncClient sync(database, world.terminal.path());
        QVERIFY(syncUntilClean(database, sync));
        const auto all = OutboxRepository(database).all();
        QVERIFY(all);
        const QStringList onServer = movementOpIds(world.server, world.admin, "S1");
        for (const OutboxEntry &entry : std::as_const(*all)) {
            QCOMPARE(entry.state, OutboxState::Acked);
            QCOMPARE(onServer.count(entry.opId), 1); // pushed and applied exactly once
        }
        QCOMPARE(int(onServer.size()), ops);
        QCOMPARE(balance(world.server, world.admin, "S1", "A-1"), std::optional<qint64>(ops));
        qInfo("faults terminal-process: %d terminal SIGKILLs (%d right after the local commit, %d at a random "
              "moment of the round); at the kill %d ops were not pushed, %d applied but unacked, %d acked; "
              "%d ops, each applied exactly once after restart",
              rounds, killsBeforePush, killsInRound, notPushed, appliedButUnacked, ackedBeforeKill, ops);
    }

    // Process faults, server side: while the terminal pulls 12,000 changes in pages of 250, the
    // server is SIGKILLed at seeded random moments and started again. The terminal resumes from
    // its stored cursor and ends with exactly the server's state: every SKU once, the cursor at
    // the last change of its scope, nothing applied twice (keys are unique, the count matches).
    void serverKilledAtRandomPointsOfAPull()
    {
        World world;
        QVERIFY(makeWorld(world));
        QVERIFY(world.server.importFile(QStringLiteral("skus"), QStringLiteral("bulk.csv"),
                                        bulkSkus("PULL-", s_pullChanges)));
        QRandomGenerator random(faultSeed() ^ 0x2002);
        LocalDatabase database(QStringLiteral("terminal"));
        QVERIFY(openTerminal(database, world.terminal.path()));
        SyncClient sync(database, world.terminal.path());
        SyncClient::Settings settings;
        settings.pullPageLimit = 250;
        settings.minBackoffMs = 200;
        sync.setSettings(settings);
        const SyncStateRepository state(database);
        const QString lastVersion =
            serverColumn(
                world,
                QStringLiteral("SELECT MAX(version) FROM change_log WHERE warehouse IS NULL OR warehouse = 'TKY1'"))
                .value(0);
        // Four kill points spread over the pull: the first page past each seeded cursor.
        QList<qint64> killAt;
        for (int index = 0; index < 4; ++index)
            killAt << 300 + random.bounded(qint64(s_pullChanges * 9 / 10));
        std::sort(killAt.begin(), killAt.end());
        int kills = 0, killsMidPull = 0, failedRounds = 0;
        QStringList killCursors;
        QString lastKillCursor;
        QSignalSpy rounds(&sync, &SyncClient::roundFinished);
        sync.syncNow();
        QDeadlineTimer deadline(120000);
        bool caughtUp = false;
        while (!deadline.hasExpired() && !caughtUp) {
            QTest::qWait(int(random.bounded(30, 120)));
            if (kills < killAt.size() && sync.isBusy() &&
                state.value(SyncStateRepository::Cursor).toLongLong() >= killAt.at(kills) &&
                state.value(SyncStateRepository::Cursor) != lastKillCursor) {
                const QString before = state.value(SyncStateRepository::Cursor);
                lastKillCursor = before; // one kill per page at most: each kill lands in a pull
                QVERIFY(killAndRestart(world));
                ++kills;
                if (before != QStringLiteral("0") && before != lastVersion) {
                    ++killsMidPull;
                    killCursors << before;
                }
                continue;
            }
            if (!sync.isBusy()) {
                caughtUp = !rounds.isEmpty() && rounds.last().at(0).toBool() &&
                           state.value(SyncStateRepository::Cursor) == lastVersion;
                if (!caughtUp)
                    sync.syncNow();
            }
        }
        for (const QVariantList &round : std::as_const(rounds))
            failedRounds += round.at(0).toBool() ? 0 : 1;
        QVERIFY2(caughtUp, qPrintable(state.value(SyncStateRepository::Cursor) + QStringLiteral(" vs ") + lastVersion));
        QCOMPARE(kills, int(killAt.size()));
        QVERIFY(failedRounds >= 1); // the kills were seen by the terminal
        QCOMPARE(integrity(database), QStringLiteral("ok"));
        QStringList serverSkus = serverColumn(world, QStringLiteral("SELECT code FROM skus"));
        QStringList localSkus;
        QSqlQuery query(database.database());
        QVERIFY(query.exec(QStringLiteral("SELECT code FROM skus ORDER BY code")));
        while (query.next())
            localSkus << query.value(0).toString();
        localSkus.sort();
        serverSkus.sort(); // PostgreSQL's collation may order them differently
        QCOMPARE(localSkus.size(), serverSkus.size());
        QCOMPARE(localSkus, serverSkus);
        qInfo("faults server-process: %d server SIGKILLs during a %d-change pull (%d mid-pull at cursors %s), "
              "%d failed rounds, terminal caught up to version %s with %lld SKUs",
              kills, s_pullChanges, killsMidPull, qPrintable(killCursors.join(QLatin1Char(','))), failedRounds,
              qPrintable(lastVersion), qint64(localSkus.size()));
    }

    // A terminal offline for a day: 50,000 changes in its scope (a SKU import), caught up by a
    // child terminal process that is SIGKILLed twice at seeded rows inside a page's transaction.
    // After each kill the page is in whole or not at all (the SKUs stored are exactly those at or
    // below the stored cursor); the next process starts from that cursor, not from zero, and
    // fetches only the remaining pages. Peak RSS of each process (VmHWM) is printed and bounded.
    void longOfflineCatchUpKilledMidPage()
    {
        World world;
        QVERIFY(makeWorld(world));
        const int changes = 50000, pageLimit = 2000;
        // A day of master-data changes, imported in chunks as the back office would (and each
        // import command stays well inside its time limit on a loaded machine).
        QElapsedTimer importing;
        importing.start();
        for (int chunk = 0; chunk < changes / 10000; ++chunk)
            QVERIFY(world.server.importFile(QStringLiteral("skus"), QStringLiteral("day%1.csv").arg(chunk),
                                            bulkSkus("DAY-" + QByteArray::number(chunk), 10000)));
        const qint64 importMs = importing.elapsed();
        const qint64 totalPages = (changes + pageLimit - 1) / pageLimit;
        QRandomGenerator random(faultSeed() ^ 0x3003);
        // Kill points: after about a third and two thirds of the pages, at a random row of the next page.
        const int firstKill = int(totalPages / 3) + int(random.bounded(3));
        const int secondKill = int(random.bounded(2, 5)); // commits of the second process
        QList<qint64> peaks;
        QStringList killed;
        auto runPull = [&](int afterCommits, int atRow, QMap<QString, QString> *fields) -> bool {
            QProcess child;
            runChild(child, {QStringLiteral("pull"), world.terminal.path(), QString::number(pageLimit),
                             QString::number(afterCommits), QString::number(atRow)});
            if (!child.waitForFinished(90000))
                return false;
            const QByteArray out = child.readAllStandardOutput();
            for (const QByteArray &line : out.split('\n')) {
                if (line.startsWith("killed "))
                    killed << QString::fromUtf8(line.mid(7));
                else if (line.startsWith("pages="))
                    *fields = parseFields(line);
            }
            return afterCommits < 0 ? child.exitStatus() == QProcess::NormalExit && child.exitCode() == 0
                                    : child.exitStatus() == QProcess::CrashExit;
        };
        // Consistency after a kill: a page in whole or not at all, the cursor matching the data.
        auto checkConsistent = [&](QString *cursor) -> bool {
            LocalDatabase database(QStringLiteral("check"));
            if (!openTerminal(database, world.terminal.path()) || integrity(database) != QStringLiteral("ok"))
                return false;
            *cursor = SyncStateRepository(database).value(SyncStateRepository::Cursor);
            const qint64 local =
                TestSupport::scalar(database, QStringLiteral("SELECT COUNT(*) FROM skus WHERE code LIKE 'DAY-%'"));
            const qint64 expected =
                serverColumn(
                    world,
                    QStringLiteral(
                        "SELECT COUNT(*) FROM change_log WHERE entity = 'sku' AND key LIKE 'DAY-%' AND version <= %1")
                        .arg(cursor->toLongLong()))
                    .value(0)
                    .toLongLong();
            if (local != expected || local == 0)
                qWarning("after the kill: %lld DAY SKUs stored, %lld at or below cursor %s", local, expected,
                         qPrintable(*cursor));
            return local == expected && local > 0 && local < changes;
        };
        QMap<QString, QString> fields;
        QVERIFY(runPull(firstKill, 1 + int(random.bounded(pageLimit)), &fields));
        QString cursorAfterFirst;
        QVERIFY(checkConsistent(&cursorAfterFirst));
        QVERIFY(runPull(secondKill, 1 + int(random.bounded(pageLimit)), &fields));
        QString cursorAfterSecond;
        QVERIFY(checkConsistent(&cursorAfterSecond));
        QVERIFY(cursorAfterSecond.toLongLong() > cursorAfterFirst.toLongLong()); // the second process resumed
        QCOMPARE(killed.size(), 2);

        QVERIFY(runPull(-1, 0, &fields));
        QCOMPARE(fields.value(QStringLiteral("start")), cursorAfterSecond); // resumed, not from zero
        const qint64 remaining =
            serverColumn(
                world,
                QStringLiteral(
                    "SELECT COUNT(*) FROM change_log WHERE (warehouse IS NULL OR warehouse = 'TKY1') AND version > %1")
                    .arg(cursorAfterSecond.toLongLong()))
                .value(0)
                .toLongLong();
        const qint64 pagesAfter = fields.value(QStringLiteral("pages")).toLongLong();
        QVERIFY2(pagesAfter <= (remaining + pageLimit - 1) / pageLimit + 1 && pagesAfter < totalPages,
                 qPrintable(QStringLiteral("%1 pages for %2 remaining changes").arg(pagesAfter).arg(remaining)));
        const qint64 peakKb = fields.value(QStringLiteral("hwm_kb")).toLongLong();
        QVERIFY(peakKb > 0);
        // Pages are applied one at a time: the peak must not grow with the 50,000 changes. The
        // bound leaves room for ASan's shadow memory and quarantine (a plain build needs far less).
        QVERIFY2(peakKb < 600 * 1024, qPrintable(QString::number(peakKb)));
        LocalDatabase database(QStringLiteral("final"));
        QVERIFY(openTerminal(database, world.terminal.path()));
        QCOMPARE(TestSupport::scalar(database, QStringLiteral("SELECT COUNT(*) FROM skus WHERE code LIKE 'DAY-%'")),
                 qint64(changes));
        QCOMPARE(TestSupport::scalar(database, QStringLiteral("SELECT COUNT(*) FROM skus")),
                 serverColumn(world, QStringLiteral("SELECT COUNT(*) FROM skus")).value(0).toLongLong());
        qInfo(
            "faults long-offline: %d changes, %lld pages of %d, 2 terminal SIGKILLs mid-page (%s), cursor %s then %s, "
            "resumed process fetched %lld of %lld pages, peak RSS %lld kB (ASan build); import took %lld ms",
            changes, totalPages, pageLimit, qPrintable(killed.join(QStringLiteral("; "))), qPrintable(cursorAfterFirst),
            qPrintable(cursorAfterSecond), pagesAfter, totalPages, peakKb, importMs);
    }

    // Restore fault, terminal side (DESIGN.md "fork"): the terminal's database is restored from an
    // older copy and keeps working. Its next ops reuse seqs the server already has with other op
    // ids: the server refuses a fork, the terminal takes a new incarnation and re-pushes. Every op
    // of both histories is applied exactly once and a device_fork conflict tells the supervisor.
    void terminalRestoredFromAnOlderCopy()
    {
        World world;
        QVERIFY(makeWorld(world));
        const QString path = world.terminal.path() + s_dbFile;
        const QString copy = world.terminal.path() + QStringLiteral("/backup.sqlite");
        QStringList opIds;
        auto work = [&](int count) { return receiveAndSync(world.terminal.path(), count, opIds); };
        QVERIFY(work(3));
        QVERIFY(QFile::copy(path, copy)); // closed: the WAL was checkpointed into the file
        QVERIFY(work(3));
        QVERIFY(QFile::remove(path));
        QFile::remove(path + QStringLiteral("-wal"));
        QFile::remove(path + QStringLiteral("-shm"));
        QVERIFY(QFile::copy(copy, path));
        QVERIFY(work(2)); // seqs 4 and 5 again, with new op ids
        LocalDatabase database(QStringLiteral("check"));
        QVERIFY(openTerminal(database, world.terminal.path()));
        QCOMPARE(SyncStateRepository(database).integer(SyncStateRepository::Incarnation), qint64(2));
        QCOMPARE(OutboxRepository(database).pendingCount(), 0);
        const QStringList onServer = movementOpIds(world.server, world.admin, "S1");
        for (const QString &id : std::as_const(opIds))
            QCOMPARE(onServer.count(id), 1);
        QCOMPARE(int(onServer.size()), 8);
        QCOMPARE(balance(world.server, world.admin, "S1", "A-1"), std::optional<qint64>(8));
        QCOMPARE(serverColumn(world, QStringLiteral("SELECT COUNT(*) FROM conflicts WHERE reason = 'device_fork'")),
                 QStringList{QStringLiteral("1")});
        qInfo("faults restore-terminal: 1 restore of the terminal database to an older copy, 1 fork refused, "
              "incarnation 2, 8 ops applied once each");
    }

    // Restore fault, server side (DESIGN.md "epoch"): the server's database is restored from a
    // backup older than ops the terminal had acknowledged, and `new-epoch` is run. The terminal's
    // next push is refused with epoch_changed; it re-pushes what the server lost and re-downloads
    // its scope. Every op is on the server exactly once and the terminal holds the new epoch.
    void serverRestoredFromAnOlderBackup()
    {
        QVERIFY2(!onPostgres(), "restores the server's SQLite file: run on the SQLite backend");
        World world;
        QVERIFY(makeWorld(world));
        QStringList opIds;
        QString epochBefore;
        auto work = [&](int count) { return receiveAndSync(world.terminal.path(), count, opIds, &epochBefore); };
        const QString data = world.server.dataPath();
        QVERIFY(work(3));
        const QString epochOld = epochBefore;
        QVERIFY(world.server.stop());
        QDir().mkpath(world.server.rootPath() + QStringLiteral("/backup"));
        for (const char *suffix : {"", "-wal"}) {
            const QString file = data + QStringLiteral("/soko.db") + QLatin1String(suffix);
            if (QFile::exists(file))
                QVERIFY(QFile::copy(file, world.server.rootPath() + QStringLiteral("/backup/soko.db") +
                                              QLatin1String(suffix)));
        }
        QVERIFY(startOnSamePort(world));
        QVERIFY(work(3)); // acknowledged by the server, then lost with the restore
        QVERIFY(world.server.stop());
        for (const char *suffix : {"", "-wal", "-shm"})
            QFile::remove(data + QStringLiteral("/soko.db") + QLatin1String(suffix));
        for (const char *suffix : {"", "-wal"}) {
            const QString file = world.server.rootPath() + QStringLiteral("/backup/soko.db") + QLatin1String(suffix);
            if (QFile::exists(file))
                QVERIFY(QFile::copy(file, data + QStringLiteral("/soko.db") + QLatin1String(suffix)));
        }
        QCOMPARE(world.server.adminCommand({QStringLiteral("new-epoch")}).exitCode, 0);
        QVERIFY(startOnSamePort(world));
        QCOMPARE(movementOpIds(world.server, world.admin, "S1").size(), 3); // the restore lost 3
        QVERIFY(work(1));
        QVERIFY(epochBefore != epochOld);
        const QStringList onServer = movementOpIds(world.server, world.admin, "S1");
        for (const QString &id : std::as_const(opIds))
            QCOMPARE(onServer.count(id), 1);
        QCOMPARE(int(onServer.size()), 7);
        QCOMPARE(balance(world.server, world.admin, "S1", "A-1"), std::optional<qint64>(7));
        qInfo("faults restore-server: 1 server restore to a backup missing 3 acked ops + new-epoch, "
              "7 ops applied once each after the re-push");
    }

    // Time faults (DESIGN.md "Time": device clocks are informational): two terminals whose clocks
    // are 9 h ahead and 9 h behind, one of them jumping 20 h back between two ops, receive and
    // move the same SKU. The outcomes (applied, the negative-stock conflict, balances, the order
    // of movements) are the same with the skews swapped and follow seq and arrival, never device
    // time; the server stamps its own times and keeps the device's only as device_created_at.
    void clocksHoursAheadAndBehindDoNotChangeOutcomes()
    {
        World world;
        QVERIFY(makeWorld(world));
        QTemporaryDir second;
        QVERIFY(enroll(world, second.path()));
        OutboxRepository::setClock(skewedClock);
        auto resetClock = qScopeGuard([] {
            OutboxRepository::setClock(nullptr);
            s_clockOffsetSeconds = 0;
        });
        const qint64 hour = 3600;
        const QDateTime start = QDateTime::currentDateTimeUtc();
        QStringList outcomes[2];
        int skewedOps = 0;
        for (int round = 0; round < 2; ++round) {
            const char *bin = round == 0 ? "A-1" : "A-2";
            const qint64 skewA = round == 0 ? 9 * hour : -9 * hour;
            const qint64 skewB = -skewA;
            QStringList ids;
            auto act = [&](const QString &folder, qint64 skew, const Protocol::Payload &payload,
                           const char *type) -> bool {
                s_clockOffsetSeconds = skew;
                LocalDatabase database(QStringLiteral("clock"));
                if (!openTerminal(database, folder))
                    return false;
                TransactionGuard transaction(database);
                auto op = OutboxRepository(database).append(transaction, QLatin1String(type),
                                                            QByteArray::fromStdString(Protocol::encodePayload(payload)),
                                                            QStringLiteral("OP-1"));
                if (!op || !transaction.commit())
                    return false;
                ++skewedOps;
                ids << op->opId;
                SyncClient sync(database, folder);
                if (!syncUntilClean(database, sync))
                    return false;
                const auto all = OutboxRepository(database).all();
                if (!all)
                    return false;
                for (const OutboxEntry &entry : *all) {
                    if (entry.opId == op->opId)
                        outcomes[round] << QStringLiteral("%1:%2")
                                               .arg(int(entry.state))
                                               .arg(entry.reason.section(QLatin1Char(':'), 0, 0));
                }
                return true;
            };
            Protocol::ReceivePayload receive;
            receive.sku = "S1";
            receive.location = bin;
            receive.quantity = 2;
            QVERIFY(act(world.terminal.path(), skewA, receive, "receive"));
            Protocol::MovePayload move;
            move.sku = "S1";
            move.from = bin;
            move.to = "DOCK";
            move.quantity = 3; // one more than the bin holds: a negative-stock conflict
            QVERIFY(act(second.path(), skewB, move, "move"));
            receive.quantity = 1;
            QVERIFY(act(world.terminal.path(), skewA - 20 * hour, receive, "receive")); // the clock jumped back
            QCOMPARE(balance(world.server, world.admin, "S1", bin), std::optional<qint64>(0));
            // Movements in arrival order, whatever the device times said.
            const QStringList movements = serverColumn(
                world, QStringLiteral("SELECT op_id FROM stock_movements WHERE location = '%1' ORDER BY id")
                           .arg(QLatin1String(bin)));
            QCOMPARE(movements, ids);
            // The server's own stamps are real time; the device times are kept as information only.
            for (const QString &id : std::as_const(ids)) {
                const QStringList stamps = serverColumn(
                    world, QStringLiteral("SELECT created_at FROM stock_movements WHERE op_id = '%1'").arg(id));
                QVERIFY(!stamps.isEmpty()); // a move has two movements (from and to)
                QDateTime stamped;
                for (const QString &stamp : stamps) {
                    stamped = QDateTime::fromString(stamp, Qt::ISODate);
                    QVERIFY2(stamped.isValid() && stamped >= start.addSecs(-120) &&
                                 stamped <= QDateTime::currentDateTimeUtc().addSecs(120),
                             qPrintable(stamp));
                }
                const QDateTime device = QDateTime::fromString(
                    serverColumn(world,
                                 QStringLiteral("SELECT device_created_at FROM applied_ops WHERE op_id = '%1'").arg(id))
                        .value(0),
                    Qt::ISODate);
                QVERIFY(device.isValid() && qAbs(device.secsTo(stamped)) > 8 * hour); // skewed, and not used
            }
        }
        QCOMPARE(outcomes[0], outcomes[1]);
        QCOMPARE(outcomes[0],
                 (QStringList{QStringLiteral("1:"), QStringLiteral("2:negative_stock"), QStringLiteral("1:")}));
        QCOMPARE(balance(world.server, world.admin, "S1", "DOCK"), std::optional<qint64>(6));
        qInfo("faults time: %d ops from clocks +9 h / -9 h / -11 h and -29 h (a 20 h jump back), skews swapped "
              "between two rounds; outcomes identical (%s)",
              skewedOps, qPrintable(outcomes[0].join(QLatin1Char(','))));
    }
};

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    if (argc >= 3 && qstrcmp(argv[1], "--child") == 0) {
        QStringList arguments = app.arguments().mid(3);
        if (qstrcmp(argv[2], "ops") == 0)
            childOps(arguments);
        if (qstrcmp(argv[2], "pull") == 0)
            childPull(arguments);
        return 2;
    }
    TestFaultTerminal test;
    return QTest::qExec(&test, argc, argv);
}
#include "tst_faultterminal.moc"
