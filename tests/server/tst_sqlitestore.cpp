#include <QFile>
#include <QTest>

#include <sqlite3.h>

#include "server/storage/changedata.h"
#include "server/storage/migrations.h"
#include "tests/server/serverfixture.h"

using namespace TestSupport;
using namespace Server::Storage;

namespace {

// A second, raw connection to the same file: what a person with a DB shell could do.
struct RawConnection
{
    sqlite3 *db = nullptr;
    explicit RawConnection(const std::string &path) { sqlite3_open(path.c_str(), &db); }
    ~RawConnection() { sqlite3_close(db); }
    std::string text(const char *sql)
    {
        sqlite3_stmt *statement = nullptr;
        std::string out;
        if (sqlite3_prepare_v2(db, sql, -1, &statement, nullptr) == SQLITE_OK && sqlite3_step(statement) == SQLITE_ROW)
            out = reinterpret_cast<const char *>(sqlite3_column_text(statement, 0));
        sqlite3_finalize(statement);
        return out;
    }
    std::string exec(const char *sql)
    {
        char *message = nullptr;
        const int rc = sqlite3_exec(db, sql, nullptr, nullptr, &message);
        std::string out = rc == SQLITE_OK ? std::string("ok") : std::string(message ? message : "error");
        sqlite3_free(message);
        return out;
    }
};

} // namespace

class TestSqliteStore : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void migrationsAndEpoch()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath(QStringLiteral("s.db")).toStdString();
        std::string epoch;
        {
            auto store = SqliteStore::open(path);
            QVERIFY(store);
            QCOMPARE(*(*store)->schemaVersion(), sqliteMigrations().back().version);
            epoch = *(*store)->epoch();
            QCOMPARE(epoch.size(), std::size_t(36));
            QVERIFY((*store)->upsertWarehouse({"TKY1", "Tokyo"}));
        }
        {
            auto store = SqliteStore::open(path); // reopening applies nothing twice and keeps the epoch
            QVERIFY(store);
            QCOMPARE(*(*store)->epoch(), epoch);
            QCOMPARE((*store)->warehouses()->size(), std::size_t(1));
            const std::string rotated = *(*store)->rotateEpoch();
            QVERIFY(rotated != epoch);
            QCOMPARE(*(*store)->epoch(), rotated);
        }
        RawConnection raw(path);
        QCOMPARE(raw.text("PRAGMA journal_mode"), std::string("wal"));
        QCOMPARE(raw.text("SELECT count(*) FROM schema_version"), std::to_string(sqliteMigrations().size()));
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
        RawConnection raw(world.dir.filePath(QStringLiteral("soko.db")).toStdString());
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

QTEST_GUILESS_MAIN(TestSqliteStore)
#include "tst_sqlitestore.moc"
