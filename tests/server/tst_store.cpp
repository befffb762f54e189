#include <QFile>
#include <QTest>

#include <atomic>
#include <chrono>
#include <future>
#include <set>
#include <thread>

#include <sqlite3.h>

#include "server/storage/changedata.h"
#include "server/storage/migrations.h"
#include "tests/server/serverfixture.h"

using namespace TestSupport;
using namespace Server::Storage;

namespace {

// A second, raw connection to the same database: what a person with a DB shell could do.
struct RawConnection
{
    sqlite3 *db = nullptr;
#ifdef SOKO_HAVE_POSTGRESQL
    std::unique_ptr<pqxx::connection> pg;
#endif
    explicit RawConnection(const std::string &location)
    {
#ifdef SOKO_HAVE_POSTGRESQL
        if (Server::Storage::isPostgresLocation(location)) {
            pg = std::make_unique<pqxx::connection>(location);
            return;
        }
#endif
        sqlite3_open(location.c_str(), &db);
    }
    ~RawConnection()
    {
        sqlite3_close(db);
    }
    std::string text(const char *sql)
    {
#ifdef SOKO_HAVE_POSTGRESQL
        if (pg) {
            pqxx::nontransaction session(*pg);
            const auto rows = session.exec(sql);
            return rows.empty() || rows[0][0].is_null() ? std::string() : rows[0][0].as<std::string>();
        }
#endif
        sqlite3_stmt *statement = nullptr;
        std::string out;
        if (sqlite3_prepare_v2(db, sql, -1, &statement, nullptr) == SQLITE_OK && sqlite3_step(statement) == SQLITE_ROW)
            out = reinterpret_cast<const char *>(sqlite3_column_text(statement, 0));
        sqlite3_finalize(statement);
        return out;
    }
    std::string exec(const char *sql)
    {
#ifdef SOKO_HAVE_POSTGRESQL
        if (pg) {
            try {
                pqxx::nontransaction session(*pg);
                session.exec(sql);
                return "ok";
            } catch (const std::exception &error) {
                return error.what();
            }
        }
#endif
        char *message = nullptr;
        const int rc = sqlite3_exec(db, sql, nullptr, nullptr, &message);
        std::string out = rc == SQLITE_OK ? std::string("ok") : std::string(message ? message : "error");
        sqlite3_free(message);
        return out;
    }
};

const std::vector<Migration> &migrations()
{
    return isPostgres() ? postgresMigrations() : sqliteMigrations();
}

} // namespace

class TestStore : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase_data() { addBackendRows(); }
    void init() { SOKO_CHECK_BACKEND(); }

    void migrationsAndEpoch()
    {
        TestDatabase database;
        std::string epoch;
        {
            // Two servers starting at once on an empty database: one migrates, the other waits
            // (pg_advisory_lock; SQLite: BEGIN IMMEDIATE) and finds nothing left to do.
            auto first = std::async(std::launch::async, [&] { return openStorePool(database.location()); });
            auto second = std::async(std::launch::async, [&] { return openStorePool(database.location()); });
            auto a = first.get();
            auto b = second.get();
            QVERIFY2(a, a ? "" : a.error().message.c_str());
            QVERIFY2(b, b ? "" : b.error().message.c_str());
            auto store = (*a)->acquire();
            QVERIFY(store);
            QCOMPARE(*(*store)->schemaVersion(), migrations().back().version);
            epoch = *(*store)->epoch();
            QCOMPARE(epoch.size(), std::size_t(36));
            QCOMPARE(*(*(*b)->acquire())->epoch(), epoch); // one epoch, not one per server
            QVERIFY((*store)->upsertWarehouse({"TKY1", "Tokyo"}));
        }
        {
            auto pool = openStorePool(database.location()); // reopening applies nothing twice, keeps the epoch
            QVERIFY(pool);
            auto store = (*pool)->acquire();
            QVERIFY(store);
            QCOMPARE(*(*store)->epoch(), epoch);
            QCOMPARE((*store)->warehouses()->size(), std::size_t(1));
            const std::string rotated = *(*store)->rotateEpoch();
            QVERIFY(rotated != epoch);
            QCOMPARE(*(*store)->epoch(), rotated);
            QVERIFY((*store)->ping());
            QCOMPARE(QString::fromStdString((*pool)->backend()),
                     isPostgres() ? QStringLiteral("postgresql") : QStringLiteral("sqlite"));
        }
        RawConnection raw(database.location());
        if (!isPostgres())
            QCOMPARE(raw.text("PRAGMA journal_mode"), std::string("wal"));
        QCOMPARE(raw.text("SELECT count(*) FROM schema_version"), std::to_string(migrations().size()));
    }

    void wrongLocationFails()
    {
        // A bad password or an unreachable database is an error at start-up, never a crash, and
        // the error text never carries the password.
        const std::string location =
            isPostgres() ? "postgresql://soko:s3cret-pw@127.0.0.1:1/nowhere" : "/nonexistent-dir/deeper/soko.db";
        auto pool = openStorePool(location);
        QVERIFY(!pool);
        QCOMPARE(pool.error().code, Common::ErrorCode::Storage);
        QVERIFY(pool.error().message.find("s3cret-pw") == std::string::npos);
    }

    void ledgerIsAppendOnly()
    {
        ServerWorld world;
        StockMovement movement;
        movement.warehouse = "TKY1";
        movement.skuCode = "S1";
        movement.location = "A-1";
        movement.quantityDelta = 5;
        movement.reason = Common::Domain::MovementReason::Receipt;
        QCOMPARE(*world.store->addMovement(movement), Quantity(5));
        movement.quantityDelta = -7;
        movement.reason = Common::Domain::MovementReason::Pick;
        QCOMPARE(*world.store->addMovement(movement), Quantity(-2));
        const auto latest = *world.store->latestVersion();
        bool more = false;
        auto changes = world.store->changes("TKY1", latest - 1, 10, 1 << 20, more);
        QVERIFY(changes && changes->size() == 1);
        QCOMPARE(changes->front().entity, std::string("stock"));
        QVERIFY(changes->front().data->find("\"quantity\":-2") != std::string::npos);

        QVERIFY(world.store->appendAudit({0, {}, "cli:test", "stock_adjust", "S1", "{}"}));
        RawConnection raw(world.database.location());
        QVERIFY(raw.exec("UPDATE stock_movements SET quantity_delta = 100").find("append-only") != std::string::npos);
        QVERIFY(raw.exec("DELETE FROM stock_movements").find("append-only") != std::string::npos);
        QVERIFY(raw.exec("DELETE FROM audit").find("append-only") != std::string::npos);
        QVERIFY(raw.exec("UPDATE audit SET actor = 'nobody'").find("append-only") != std::string::npos);
        QCOMPARE(world.balance("A-1"), Quantity(-2));
    }

    void rollbackUndoesEverything()
    {
        ServerWorld world;
        const auto before = *world.store->latestVersion();
        {
            Transaction transaction(*world.store);
            QVERIFY(transaction.started());
            QVERIFY(world.store->upsertSku({"S9", "Ghost", {}, "piece", false}));
            StockMovement movement;
            movement.warehouse = "TKY1";
            movement.skuCode = "S9";
            movement.location = "A-1";
            movement.quantityDelta = 3;
            QVERIFY(world.store->addMovement(movement));
            // no commit: the destructor rolls back
        }
        QVERIFY(!*world.store->sku("S9"));
        QCOMPARE(world.balance("A-1", "S9"), Quantity(0));
        QCOMPARE(*world.store->latestVersion(), before);
        QVERIFY(world.store->movements("S9", 0, 10)->empty());
    }

    void parametersAreLiteral()
    {
        ServerWorld world;
        const std::string nasty = "x'); DROP TABLE skus;--";
        QVERIFY(world.store->upsertSku({nasty, "' OR 1=1--", {}, "piece", false}));
        auto found = world.store->sku(nasty);
        QVERIFY(found && *found);
        QCOMPARE((*found)->name, std::string("' OR 1=1--"));
        QVERIFY(!*world.store->sku("' OR 1=1--"));
        QVERIFY(*world.store->sku("S1")); // the table is still there
    }

    void uniquenessIsAConflict()
    {
        ServerWorld world;
        Common::Domain::Order order;
        order.store = "shop";
        order.orderNumber = "N-1";
        order.lines.push_back({1, "S1", 1, 0});
        QVERIFY(world.store->insertOrder(order));
        const auto again = world.store->insertOrder(order);
        QVERIFY(!again);
        QCOMPARE(again.error().code, Common::ErrorCode::Conflict);
        order.orderNumber = "N-2";
        order.lines[0].skuCode = "NOPE"; // foreign key on
        QVERIFY(!world.store->insertOrder(order));
        QVERIFY(!*world.store->findOrder("shop", "N-2"));
        // Enrollment codes burn once.
        const auto id = world.store->insertEnrollmentCode({0, "abc", "TKY1", "HT", "2999-01-01T00:00:00.000Z", {}, {}});
        QVERIFY(id);
        QVERIFY(world.store->markEnrollmentCodeUsed(*id, dev1));
        QCOMPARE(world.store->markEnrollmentCodeUsed(*id, dev2).error().code, Common::ErrorCode::Conflict);
    }

    void changeDataMatchesTheGoldenPull()
    {
        // tests/data/protocol/pull_response.json shows the same rows: the change-log data format
        // is part of the wire format.
        QFile file(QStringLiteral(SOKO_SOURCE_DIR "/tests/data/protocol/pull_response.json"));
        QVERIFY(file.open(QIODevice::ReadOnly));
        const std::string golden = file.readAll().toStdString();
        const std::string sku = ChangeData::ofSku({"SKU-TEA-500", "Sencha 500 g", {"04901234567894"}, "piece", true});
        const std::string stock = ChangeData::ofStock({"TKY1", "SKU-TEA-500", "A-01-02-3", "L2412", 118});
        QVERIFY2(golden.find(R"("data":)" + sku) != std::string::npos, sku.c_str());
        QVERIFY2(golden.find(R"("data":)" + stock) != std::string::npos, stock.c_str());
        QCOMPARE(ChangeData::stockKey("SKU-TEA-500", "A-01-02-3", "L2412"), std::string("SKU-TEA-500|A-01-02-3|L2412"));
    }

    void cursorFollowsCommitOrder()
    {
        // DESIGN.md pitfall: transaction A appends a change first but commits a few ms later;
        // B appends after A and commits at once; a reader pulls all the time. With versions
        // handed out at append time, B's larger version becomes visible first, the reader's
        // cursor passes it, and A's smaller version is skipped for ever. The reader must get
        // both, each once, in every one of 1,000 interleavings.
        ServerWorld world;
        auto writerA = world.pool->acquire();
        auto writerB = world.pool->acquire();
        auto reader = world.pool->acquire();
        QVERIFY(writerA && writerB && reader);
        std::int64_t cursor = *(*reader)->latestVersion();
        std::multiset<std::string> seen;
        std::atomic<int> failures{0};
        for (int round = 0; round < 1000; ++round) {
            std::atomic<bool> appended{false};
            std::atomic<int> committed{0};
            const std::string keyA = "a" + std::to_string(round);
            const std::string keyB = "b" + std::to_string(round);
            std::thread a([&] {
                Store &store = **writerA;
                bool ok = store.begin().has_value();
                ok = ok && store.appendChange({0, std::string("TKY1"), "test", keyA, std::string("{}")}).has_value();
                appended = true;
                std::this_thread::sleep_for(std::chrono::milliseconds(2));
                ok = ok && store.commit().has_value();
                failures += ok ? 0 : 1;
                ++committed;
            });
            std::thread b([&] {
                while (!appended)
                    std::this_thread::yield();
                Store &store = **writerB;
                bool ok = store.begin().has_value();
                ok = ok && store.appendChange({0, std::string("TKY1"), "test", keyB, std::string("{}")}).has_value();
                ok = ok && store.commit().has_value();
                failures += ok ? 0 : 1;
                ++committed;
            });
            // Pull until both have committed, then once more.
            for (bool last = false;;) {
                last = committed == 2;
                bool more = false;
                auto page = (*reader)->changes("TKY1", cursor, 1000, 1 << 20, more);
                if (!page) {
                    ++failures;
                    break;
                }
                for (const ChangeRecord &change : *page) {
                    seen.insert(change.key);
                    cursor = change.version;
                }
                if (last && !more)
                    break;
            }
            a.join();
            b.join();
            if (seen.count(keyA) != 1 || seen.count(keyB) != 1)
                QFAIL(qPrintable(QStringLiteral("round %1: a seen %2 times, b seen %3 times")
                                     .arg(round)
                                     .arg(seen.count(keyA))
                                     .arg(seen.count(keyB))));
        }
        QCOMPARE(failures.load(), 0);
        QCOMPARE(seen.size(), std::size_t(2000));
    }

    void compactionKeepsLatestState()
    {
        ServerWorld world;
        for (int i = 0; i < 5; ++i)
            QVERIFY(world.store->upsertSku({"S1", "Tea v" + std::to_string(i), {}, "piece", false}));
        const auto latest = *world.store->latestVersion();
        QVERIFY(*world.store->compactChangeLog(latest) >= 5);
        QCOMPARE(*world.store->compactedThrough(), std::int64_t(0)); // no tombstone dropped: every cursor stays valid
        bool more = false;
        auto all = world.store->changes("TKY1", 0, 1000, 1 << 20, more);
        int skuRows = 0;
        for (const auto &change : *all)
            if (change.entity == "sku" && change.key == "S1") {
                ++skuRows;
                QVERIFY(change.data->find("Tea v4") != std::string::npos);
            }
        QCOMPARE(skuRows, 1);
    }
};

QTEST_GUILESS_MAIN(TestStore)
#include "tst_store.moc"
