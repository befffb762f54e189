// Storage of soko-terminal: migrations, the transaction guard, the outbox (atomic with the
// change it describes, gapless seq), SKU lookups by GTIN at 100,000 SKUs.
#include <QSqlQuery>
#include <QTest>

#include "client/storage/migrations.h"
#include "tests/support/terminalfixture.h"

class TestLocalDatabase : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init()
    {
        QVERIFY(m_folder.isValid());
        QVERIFY(TestSupport::openDatabase(m_database, m_folder.path()));
    }
    void cleanup()
    {
        m_database.close();
        QFile::remove(m_folder.path() + QStringLiteral("/terminal.sqlite"));
        QFile::remove(m_folder.path() + QStringLiteral("/terminal.sqlite-wal"));
        QFile::remove(m_folder.path() + QStringLiteral("/terminal.sqlite-shm"));
    }

    void migratesToLatestWithWal()
    {
        QCOMPARE(m_database.schemaVersion(), Storage::latestSchemaVersion());
        QSqlQuery query(m_database.database());
        QVERIFY(query.exec(QStringLiteral("PRAGMA journal_mode")) && query.next());
        QCOMPARE(query.value(0).toString(), QStringLiteral("wal"));
        query.finish();
        // Reopening an up-to-date database runs no step and keeps the data.
        QVERIFY(TestSupport::importSample(m_database));
        m_database.close();
        QVERIFY(TestSupport::openDatabase(m_database, m_folder.path()));
        QCOMPARE(SkuRepository(m_database).count(), 3);
    }

    void guardRollsBackUnlessCommitted()
    {
        {
            TransactionGuard transaction(m_database);
            QVERIFY(transaction.isActive());
            QVERIFY(LocationRepository(m_database).upsertMany(transaction, {LocationRecord{QStringLiteral("Z-01-01"),
                                                                                          QStringLiteral("TKY1"), {}, 1}}));
            QVERIFY(LocationRepository(m_database).find(QStringLiteral("Z-01-01")).has_value()); // visible inside
        } // no commit: rolled back
        const auto missing = LocationRepository(m_database).find(QStringLiteral("Z-01-01"));
        QVERIFY(!missing);
        QCOMPARE(missing.error().code, Common::ErrorCode::NotFound);
        {
            TransactionGuard transaction(m_database);
            QVERIFY(LocationRepository(m_database).upsertMany(transaction, {LocationRecord{QStringLiteral("Z-01-02"),
                                                                                          QStringLiteral("TKY1"), {}, 2}}));
            QVERIFY(transaction.commit());
        }
        QCOMPARE(LocationRepository(m_database).find(QStringLiteral("Z-01-02"))->pickSequence, 2);
    }

    void actionAndOutboxAreAtomic()
    {
        QVERIFY(TestSupport::importSample(m_database));
        OrderRepository orders(m_database);
        OutboxRepository outbox(m_database);
        {
            // The op is appended, then the pick fails (more than ordered): nothing may remain.
            TransactionGuard transaction(m_database);
            auto op = outbox.append(transaction, QStringLiteral("pick"), {{QStringLiteral("quantity"), 9}},
                                    QStringLiteral("op-1"));
            QVERIFY(op);
            auto picked = orders.recordPick(transaction, PickRecord{1001, 2, 9, {}, {}, {}, op->opId});
            QVERIFY(!picked);
            QCOMPARE(picked.error().code, Common::ErrorCode::Conflict);
        }
        QCOMPARE(outbox.pendingCount(), 0);
        QCOMPARE(SyncStateRepository(m_database).integer(SyncStateRepository::NextSeq), 1);
        {
            TransactionGuard transaction(m_database);
            auto op = outbox.append(transaction, QStringLiteral("pick"), {{QStringLiteral("quantity"), 2}},
                                    QStringLiteral("op-1"));
            QVERIFY(op);
            QVERIFY(orders.recordPick(transaction, PickRecord{1001, 2, 2, {}, {}, {}, op->opId}));
            QVERIFY(transaction.commit());
        }
        QCOMPARE(outbox.pendingCount(), 1);
        const auto lines = orders.pickList(1001);
        QVERIFY(lines);
        QCOMPARE(lines->at(0).skuCode, QStringLiteral("SKU-APPLE"));
        QCOMPARE(lines->at(0).picked, 2);
        QCOMPARE(orders.pickRecords(1001)->size(), 1);
    }

    void seqIsGaplessAcrossRollbacksAndIncarnations()
    {
        OutboxRepository outbox(m_database);
        for (int i = 0; i < 6; ++i) {
            TransactionGuard transaction(m_database);
            QVERIFY(outbox.append(transaction, QStringLiteral("count"), {{QStringLiteral("i"), i}}, QStringLiteral("op-1")));
            if (i % 2 == 0)
                QVERIFY(transaction.commit()); // odd ones roll back and must not burn a seq
        }
        auto all = outbox.all();
        QVERIFY(all);
        QCOMPARE(all->size(), 3);
        for (int i = 0; i < all->size(); ++i) {
            QCOMPARE(all->at(i).seq, i + 1);
            QCOMPARE(all->at(i).opId.size(), 36);
        }
        // Bounded batches in seq order, at least one op even when one op exceeds the byte bound.
        QCOMPARE(outbox.nextBatch(2, 0)->size(), 2);
        QCOMPARE(outbox.nextBatch(10, 1)->size(), 1);
        {
            TransactionGuard transaction(m_database);
            QVERIFY(outbox.ackThrough(transaction, 1));
            QCOMPARE(outbox.startNewIncarnation(transaction).value_or(-1), 2);
            QVERIFY(transaction.commit());
        }
        const auto renumbered = outbox.nextBatch(10, 0);
        QCOMPARE(renumbered->size(), 2);
        QCOMPARE(renumbered->at(0).incarnation, 2);
        QCOMPARE(renumbered->at(0).seq, 1);
        QCOMPARE(renumbered->at(1).seq, 2);
        QCOMPARE(renumbered->at(0).opId, all->at(1).opId); // same op, exactly-once by op id
        TransactionGuard transaction(m_database);
        QCOMPARE(outbox.append(transaction, QStringLiteral("count"), QJsonObject(), QStringLiteral("op-1"))->seq, 3);
    }

    void resultsAreKeptWithReason()
    {
        OutboxRepository outbox(m_database);
        TransactionGuard transaction(m_database);
        const auto op = outbox.append(transaction, QStringLiteral("pick"), QJsonObject(), QStringLiteral("op-1"));
        QVERIFY(op);
        QVERIFY(outbox.setResult(transaction, op->opId, OutboxState::Rejected, QStringLiteral("unknown SKU")));
        QVERIFY(!outbox.setResult(transaction, QStringLiteral("nope"), OutboxState::Acked, {}));
        QVERIFY(transaction.commit());
        const auto problems = outbox.problems();
        QCOMPARE(problems->size(), 1);
        QCOMPARE(problems->at(0).reason, QStringLiteral("unknown SKU"));
        QCOMPARE(outbox.pendingCount(), 0);
    }

    void pinVerifiesAgainstArgon2idHash()
    {
        QVERIFY(TestSupport::importSample(m_database));
        const auto sato = OperatorRepository(m_database).findByBadge(QStringLiteral("OP-0001"));
        QVERIFY(sato);
        QVERIFY(sato->pinHash.startsWith(QStringLiteral("$argon2id$v=19$m=19456,t=2,p=1$")));
        QVERIFY(!sato->pinHash.contains(TestSupport::operatorPin));
        QVERIFY(OperatorRepository::verifyPin(*sato, TestSupport::operatorPin));
        QVERIFY(!OperatorRepository::verifyPin(*sato, QStringLiteral("2469")));
        QVERIFY(!OperatorRepository::verifyPin(*sato, QString()));
    }

    void gtinLookupUsesTheIndexAt100kSkus()
    {
        QList<SkuRecord> skus;
        skus.reserve(100000);
        for (int i = 0; i < 100000; ++i) {
            SkuRecord sku;
            sku.code = QStringLiteral("SKU-%1").arg(i, 6, 10, QLatin1Char('0'));
            sku.name = sku.code;
            sku.gtins = {QStringLiteral("0%1").arg(4900000000000LL + i)};
            skus.append(sku);
        }
        {
            TransactionGuard transaction(m_database);
            QVERIFY(SkuRepository(m_database).upsertMany(transaction, skus));
            QVERIFY(transaction.commit());
        }
        SkuRepository repository(m_database);
        QCOMPARE(repository.count(), 100000);
        const auto found = repository.findByGtin(QStringLiteral("04900000054321"));
        QVERIFY(found);
        QCOMPARE(found->code, QStringLiteral("SKU-054321"));
        QVERIFY(!repository.findByGtin(QStringLiteral("04999999999999")));
        // The lookup is one primary-key search, never a scan (speed figures belong in bench/).
        QSqlQuery plan(m_database.database());
        QVERIFY(plan.exec(QStringLiteral("EXPLAIN QUERY PLAN SELECT sku_code FROM sku_gtins WHERE gtin = '04900000054321'")));
        QVERIFY(plan.next());
        const QString detail = plan.value(3).toString();
        QVERIFY2(detail.contains(QStringLiteral("SEARCH")) && detail.contains(QStringLiteral("PRIMARY KEY")),
                 qPrintable(detail));
    }

    void importRejectsBadRowsAndKeepsNothing()
    {
        QJsonObject bad = TestSupport::sampleWarehouse();
        QJsonArray skus = bad.value(QStringLiteral("skus")).toArray();
        skus.append(QJsonObject{{QStringLiteral("code"), QStringLiteral("SKU-BAD")},
                                {QStringLiteral("gtins"), QJsonArray{QStringLiteral("123")}}});
        bad.insert(QStringLiteral("skus"), skus);
        {
            TransactionGuard transaction(m_database);
            const auto applied = SnapshotImporter::apply(transaction, m_database, bad);
            QVERIFY(!applied);
            QCOMPARE(applied.error().code, Common::ErrorCode::InvalidInput);
        }
        QCOMPARE(SkuRepository(m_database).count(), 0);
    }

private:
    QTemporaryDir m_folder;
    LocalDatabase m_database{QStringLiteral("tst_localdatabase")};
};

QTEST_GUILESS_MAIN(TestLocalDatabase)
#include "tst_localdatabase.moc"
