// Applying pulled pages (docs/sync-protocol.md "Pull") to the terminal database: entities,
// deletions, FEFO pick location for order lines, local progress not undone by an older state,
// deletions of rows the picker's unpushed or open work holds deferred (SnapshotSweep).
#include <QTest>

#include "client/sync/snapshotsweep.h"
#include "common/protocol/protocol.h"
#include "tests/support/terminalfixture.h"

namespace {

Common::Protocol::Change change(std::int64_t version, const char *entity, const char *key, const char *data)
{
    Common::Protocol::Change result;
    result.version = version;
    result.entity = entity;
    result.key = key;
    if (data)
        result.data = std::string(data);
    return result;
}

} // namespace

class TestPullApply : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init()
    {
        m_folder = std::make_unique<QTemporaryDir>();
        m_database = std::make_unique<LocalDatabase>(QStringLiteral("tst_pullapply"));
        QVERIFY(TestSupport::openDatabase(*m_database, m_folder->path()));
    }
    void cleanup()
    {
        m_database.reset();
        m_folder.reset();
    }

    void pageWithFefoLocation()
    {
        const std::vector<Common::Protocol::Change> page{
            change(1, "sku", "SKU-RICE",
                   R"({"code":"SKU-RICE","name":"Rice","gtins":["09501101530003"],"base_unit":"piece","lot_controlled":true})"),
            change(2, "location", "A-01-01-1", R"({"code":"A-01-01-1","zone":"ambient","pick_sequence":10})"),
            change(3, "location", "C-09-09-9", R"({"code":"C-09-09-9","zone":"ambient","pick_sequence":90})"),
            change(4, "lot", "SKU-RICE|OLD", R"({"sku":"SKU-RICE","lot":"OLD","expiry":"2027-01-31","blocked":false})"),
            change(5, "lot", "SKU-RICE|NEW", R"({"sku":"SKU-RICE","lot":"NEW","expiry":"2028-01-31","blocked":false})"),
            change(6, "lot", "SKU-RICE|HOLD", R"({"sku":"SKU-RICE","lot":"HOLD","expiry":"2026-12-31","blocked":true})"),
            change(7, "stock", "SKU-RICE|A-01-01-1|NEW", R"({"sku":"SKU-RICE","location":"A-01-01-1","lot":"NEW","quantity":5})"),
            change(8, "stock", "SKU-RICE|C-09-09-9|OLD", R"({"sku":"SKU-RICE","location":"C-09-09-9","lot":"OLD","quantity":2})"),
            change(9, "stock", "SKU-RICE|A-01-01-1|HOLD", R"({"sku":"SKU-RICE","location":"A-01-01-1","lot":"HOLD","quantity":9})"),
            change(10, "operator", "OP-0007",
                   R"({"badge":"OP-0007","name":"Ito","role":"picker","pin_hash":"$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2g","active":true})"),
            change(11, "order", "2001",
                   R"({"id":2001,"store":"shop-b","order_number":"SO-2001","customer":"Mori","state":"released","lines":[{"line":1,"sku":"SKU-RICE","quantity":2,"picked":0}]})"),
        };
        TransactionGuard transaction(*m_database);
        const auto applied = SnapshotImporter::applyChanges(transaction, *m_database, page);
        QVERIFY2(applied, applied ? "" : applied.error().message.c_str());
        QCOMPARE(*applied, 11);
        QVERIFY(transaction.commit());

        OrderRepository orders(*m_database);
        const auto lines = orders.pickList(2001);
        QVERIFY(lines);
        QCOMPARE(lines->size(), 1);
        // Earliest expiry that is not blocked: lot OLD in C-09-09-9, even with a later pick sequence.
        QCOMPARE(lines->at(0).locationCode, QStringLiteral("C-09-09-9"));
        QVERIFY(lines->at(0).lotControlled);
        QCOMPARE(OperatorRepository(*m_database).findByBadge(QStringLiteral("OP-0007"))->id, QStringLiteral("OP-0007"));
        QCOMPARE(SkuRepository(*m_database).findByGtin(TestSupport::riceGtin)->code, QStringLiteral("SKU-RICE"));
    }

    void localProgressSurvivesAnOlderServerState()
    {
        QVERIFY(TestSupport::importSample(*m_database));
        OrderRepository orders(*m_database);
        {
            TransactionGuard transaction(*m_database);
            QVERIFY(orders.recordPick(transaction, PickRecord{1001, 2, 2, {}, {}, {}, QStringLiteral("op")}));
            QVERIFY(orders.setState(transaction, 1001, QStringLiteral("picking")));
            QVERIFY(transaction.commit());
        }
        const std::vector<Common::Protocol::Change> page{change(
            20, "order", "1001",
            R"({"id":1001,"store":"shop-a","order_number":"SO-1001","customer":"Tanaka","state":"released","lines":[{"line":1,"sku":"SKU-TEA","location":"B-02-01-1","quantity":1,"picked":1},{"line":2,"sku":"SKU-APPLE","location":"A-01-01-1","quantity":3,"picked":0},{"line":3,"sku":"SKU-RICE","location":"A-01-02-1","quantity":2,"picked":0}]})")};
        {
            TransactionGuard transaction(*m_database);
            QVERIFY(SnapshotImporter::applyChanges(transaction, *m_database, page));
            QVERIFY(transaction.commit());
        }
        QCOMPARE(orders.find(1001)->state, QStringLiteral("picking")); // not set back to released
        const auto lines = orders.pickList(1001);
        QCOMPARE(lines->at(0).picked, 2);   // apple: our offline picks kept
        QCOMPARE(lines->at(2).picked, 1);   // tea: another terminal's pick merged in

        const std::vector<Common::Protocol::Change> cancel{change(
            21, "order", "1001",
            R"({"id":1001,"store":"shop-a","order_number":"SO-1001","customer":"Tanaka","state":"cancelled","lines":[]})")};
        TransactionGuard transaction(*m_database);
        QVERIFY(SnapshotImporter::applyChanges(transaction, *m_database, cancel));
        QVERIFY(transaction.commit());
        QCOMPARE(orders.find(1001)->state, QStringLiteral("cancelled")); // cancelled always wins
    }

    void deletionsAndBadData()
    {
        QVERIFY(TestSupport::importSample(*m_database));
        {
            TransactionGuard transaction(*m_database);
            QVERIFY(SnapshotImporter::applyChanges(transaction, *m_database, {change(30, "order", "1001", nullptr)}));
            QVERIFY(transaction.commit());
        }
        QVERIFY(!OrderRepository(*m_database).find(1001));
        TransactionGuard transaction(*m_database);
        const auto bad = SnapshotImporter::applyChanges(transaction, *m_database,
                                                        {change(31, "sku", "X", R"({"code":"X","gtins":["12"]})")});
        QVERIFY(!bad);
        QCOMPARE(bad.error().code, Common::ErrorCode::InvalidInput);
    }

    // A pulled deletion of an order the picker has unpushed ops for (and of the SKU they name)
    // waits until the ops are pushed; a row a later page brings back is not removed at all.
    void deletionOfHeldWorkWaitsForItsOps()
    {
        QVERIFY(TestSupport::importSample(*m_database));
        OutboxRepository outbox(*m_database);
        qint64 seq = 0;
        {
            TransactionGuard transaction(*m_database);
            const auto op = outbox.append(transaction, QStringLiteral("pick"),
                                          QJsonObject{{QStringLiteral("order_id"), 1001}, {QStringLiteral("line"), 2},
                                                      {QStringLiteral("sku"), QStringLiteral("SKU-APPLE")},
                                                      {QStringLiteral("location"), QStringLiteral("A-01-01-1")},
                                                      {QStringLiteral("quantity"), 1}},
                                          QStringLiteral("OP-0001"));
            QVERIFY(op);
            seq = op->seq;
            QVERIFY(transaction.commit());
        }
        auto pull = [this](const std::vector<Common::Protocol::Change> &page) {
            TransactionGuard transaction(*m_database);
            auto toApply = SnapshotSweep::notePage(transaction, *m_database, page, {});
            QVERIFY(toApply);
            QVERIFY(SnapshotImporter::applyChanges(transaction, *m_database, *toApply));
            QVERIFY(SnapshotSweep::finishPull(transaction, *m_database, {}));
            QVERIFY(transaction.commit());
        };
        pull({change(40, "order", "1001", nullptr), change(41, "sku", "SKU-APPLE", nullptr),
              change(42, "sku", "SKU-TEA", nullptr)});
        OrderRepository orders(*m_database);
        SkuRepository skus(*m_database);
        QVERIFY(orders.find(1001));                            // held by the pending op
        QVERIFY(skus.find(QStringLiteral("SKU-APPLE")));       // named by the op and the order
        QVERIFY(skus.find(QStringLiteral("SKU-TEA")));         // a line of the held order
        QCOMPARE(outbox.pendingCount(), 1);

        // Apple comes back into scope before the op is pushed: it is no longer due for removal.
        pull({change(43, "sku", "SKU-APPLE",
                     R"({"code":"SKU-APPLE","name":"Apple juice","gtins":["04901780188352"],"base_unit":"piece","lot_controlled":false})")});
        {
            TransactionGuard transaction(*m_database);
            QVERIFY(outbox.ackThrough(transaction, seq));
            QVERIFY(transaction.commit());
        }
        pull({});
        QVERIFY(!orders.find(1001));
        QVERIFY(!skus.find(QStringLiteral("SKU-TEA")));
        QVERIFY(skus.find(QStringLiteral("SKU-APPLE")));
        QVERIFY(skus.find(QStringLiteral("SKU-RICE")));          // never deleted
        QCOMPARE(outbox.all()->size(), 1);                       // the op itself is never touched
    }

    // An order open on a screen is held like one with unpushed ops, until it is closed.
    void deletionOfOpenOrderWaitsUntilClosed()
    {
        QVERIFY(TestSupport::importSample(*m_database));
        for (const QList<qint64> &open : {QList<qint64>{1001}, QList<qint64>{}}) {
            TransactionGuard transaction(*m_database);
            const auto toApply =
                SnapshotSweep::notePage(transaction, *m_database, {change(50, "order", "1001", nullptr)}, open);
            QVERIFY(toApply);
            QCOMPARE(toApply->size(), open.isEmpty() ? size_t(1) : size_t(0));
            QVERIFY(SnapshotImporter::applyChanges(transaction, *m_database, *toApply));
            QVERIFY(SnapshotSweep::finishPull(transaction, *m_database, open));
            QVERIFY(transaction.commit());
            QCOMPARE(OrderRepository(*m_database).find(1001).has_value(), !open.isEmpty());
        }
    }

private:
    std::unique_ptr<QTemporaryDir> m_folder;
    std::unique_ptr<LocalDatabase> m_database;
};

QTEST_GUILESS_MAIN(TestPullApply)
#include "tst_pullapply.moc"
