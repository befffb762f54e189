// Models of soko-terminal under QAbstractItemModelTester, fed by real repositories/workflows.
#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

#include "client/models/orderlistmodel.h"
#include "client/models/outboxproblemmodel.h"
#include "client/models/picklistmodel.h"
#include "client/scanning/scanrouter.h"
#include "client/workflows/pickingworkflow.h"
#include "client/workflows/session.h"
#include "tests/support/terminalfixture.h"

class TestModels : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init()
    {
        m_folder = std::make_unique<QTemporaryDir>();
        m_database = std::make_unique<LocalDatabase>(QStringLiteral("tst_models"));
        QVERIFY(TestSupport::openDatabase(*m_database, m_folder->path()));
    }
    void cleanup()
    {
        m_database.reset();
        m_folder.reset();
    }

    void orderListFollowsCommits()
    {
        OrderRepository orders(*m_database);
        OrderListModel model(*m_database, orders);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(model.rowCount(), 0);
        QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
        QVERIFY(TestSupport::importSample(*m_database)); // commit → refresh
        QVERIFY(reset.size() >= 1);
        QCOMPARE(model.rowCount(), 1);
        QCOMPARE(model.columnCount(), int(OrderListModel::ColumnCount));
        QCOMPARE(model.index(0, OrderListModel::NumberColumn).data().toString(), QStringLiteral("SO-1001"));
        QCOMPARE(model.index(0, OrderListModel::ProgressColumn).data().toString(), QStringLiteral("0 / 3"));
        QCOMPARE(model.index(0, 0).data(OrderListModel::OrderIdRole).toLongLong(), 1001);
        model.setStates({QStringLiteral("picked")});
        QCOMPARE(model.rowCount(), 0);
        model.setStates({QStringLiteral("released"), QStringLiteral("picking")});
        QCOMPARE(model.rowCount(), 1);
        QCOMPARE(model.rowOf(1001), 0);
    }

    void pickListMarksTheCurrentLine()
    {
        QVERIFY(TestSupport::importSample(*m_database));
        OrderRepository orders(*m_database);
        SkuRepository skus(*m_database);
        OutboxRepository outbox(*m_database);
        Session session;
        session.logIn(QStringLiteral("op-1"), QStringLiteral("Sato"));
        PickingWorkflow picking(*m_database, orders, skus, outbox, session);
        PickListModel model(picking);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(model.rowCount(), 0);
        QVERIFY(picking.startOrder(1001));
        QCOMPARE(model.rowCount(), 3);
        QCOMPARE(model.currentRow(), 0);
        QVERIFY(model.index(0, 0).data(PickListModel::CurrentRole).toBool());
        picking.handleScan(ScanRouter::classify(ScanEvent{QStringLiteral("A-01-01-1"), {}, ScanOrigin::Fake}));
        QVERIFY(picking.setQuantity(3));
        QVERIFY(picking.confirm());
        QCOMPARE(model.currentRow(), 1);
        QCOMPARE(model.index(0, PickListModel::PickedColumn).data().toInt(), 3);
        QVERIFY(model.index(0, 0).data(PickListModel::DoneRole).toBool());
        QCOMPARE(model.index(1, PickListModel::LocationColumn).data().toString(), QStringLiteral("A-01-02-1"));
    }

    void problemsShowTheServerReason()
    {
        OutboxRepository outbox(*m_database);
        OutboxProblemModel model(*m_database, outbox);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QString opId;
        {
            TransactionGuard transaction(*m_database);
            auto first = outbox.append(transaction, QStringLiteral("pick"), QJsonObject(), QStringLiteral("op-1"));
            auto second = outbox.append(transaction, QStringLiteral("ship"), QJsonObject(), QStringLiteral("op-1"));
            QVERIFY(first && second);
            opId = second->opId;
            QVERIFY(transaction.commit());
        }
        QCOMPARE(model.rowCount(), 0); // pending ops are not problems
        {
            TransactionGuard transaction(*m_database);
            QVERIFY(outbox.setResult(transaction, opId, OutboxState::Conflict, QStringLiteral("order cancelled")));
            QVERIFY(transaction.commit());
        }
        QCOMPARE(model.rowCount(), 1);
        QCOMPARE(model.index(0, OutboxProblemModel::ReasonColumn).data().toString(), QStringLiteral("order cancelled"));
        QCOMPARE(model.index(0, OutboxProblemModel::SeqColumn).data().toInt(), 2);
    }

private:
    std::unique_ptr<QTemporaryDir> m_folder;
    std::unique_ptr<LocalDatabase> m_database;
};

QTEST_GUILESS_MAIN(TestModels)
#include "tst_models.moc"
