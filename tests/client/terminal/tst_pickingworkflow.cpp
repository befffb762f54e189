// Picking, login and pack & ship workflows driven by a FakeScanSource through the ScanRouter,
// against a real terminal database.
#include <QJsonDocument>
#include <QSignalSpy>
#include <QTest>

#include "client/scanning/scanrouter.h"
#include "client/workflows/loginworkflow.h"
#include "client/workflows/packingworkflow.h"
#include "client/workflows/pickingworkflow.h"
#include "client/workflows/session.h"
#include "tests/support/fakescansource.h"
#include "tests/support/terminalfixture.h"
#include "common/protocol/protocol.h"

namespace {
const QString gs = QString(QChar(0x1d));
QString riceLabel(const QString &lot, const QString &serial = {})
{
    QString label = QStringLiteral("]C101") + TestSupport::riceGtin + QStringLiteral("17271231") + QStringLiteral("10") + lot;
    if (!serial.isEmpty())
        label += gs + QStringLiteral("21") + serial;
    return label;
}
} // namespace

class TestPickingWorkflow : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init()
    {
        m_folder = std::make_unique<QTemporaryDir>();
        m_database = std::make_unique<LocalDatabase>(QStringLiteral("tst_picking"));
        QVERIFY(TestSupport::openDatabase(*m_database, m_folder->path()));
        QVERIFY(TestSupport::importSample(*m_database));
        m_orders = std::make_unique<OrderRepository>(*m_database);
        m_skus = std::make_unique<SkuRepository>(*m_database);
        m_outbox = std::make_unique<OutboxRepository>(*m_database);
        m_operators = std::make_unique<OperatorRepository>(*m_database);
        m_session = std::make_unique<Session>();
        m_router = std::make_unique<ScanRouter>();
        m_source = std::make_unique<FakeScanSource>();
        m_router->addSource(m_source.get());
        m_login = std::make_unique<LoginWorkflow>(*m_operators, *m_session);
        m_picking = std::make_unique<PickingWorkflow>(*m_database, *m_orders, *m_skus, *m_outbox, *m_session);
        m_packing = std::make_unique<PackingWorkflow>(*m_database, *m_orders, *m_outbox, *m_session);
    }
    void cleanup()
    {
        m_packing.reset();
        m_picking.reset();
        m_login.reset();
        m_router.reset();
        m_source.reset();
        m_session.reset();
        m_database.reset();
        m_folder.reset();
    }

    void loginWithBadgeAndPin()
    {
        m_router->setConsumer(m_login.get());
        QSignalSpy refused(m_login.get(), &LoginWorkflow::refused);
        m_source->inject(QStringLiteral("OP-9999"));
        QCOMPARE(refused.size(), 1);
        QCOMPARE(m_login->step(), LoginWorkflow::Step::ScanBadge);
        m_source->inject(QStringLiteral("OP-0001"));
        QCOMPARE(m_login->step(), LoginWorkflow::Step::EnterPin);
        QVERIFY(!m_login->submitPin(QStringLiteral("1111")));
        QCOMPARE(refused.size(), 2);
        QVERIFY(!m_session->isLoggedIn());
        QVERIFY(m_login->submitPin(TestSupport::operatorPin));
        QVERIFY(m_session->isLoggedIn());
        QCOMPARE(m_session->operatorId(), QStringLiteral("op-1"));
    }

    void idleLockNeedsThePinAgain()
    {
        logIn();
        m_login->setIdleTimeout(50);
        QTRY_VERIFY_WITH_TIMEOUT(m_session->isLocked(), 2000);
        QVERIFY(!m_session->isLoggedIn());
        QCOMPARE(m_login->step(), LoginWorkflow::Step::EnterPin);
        QCOMPARE(m_login->pendingOperatorName(), QStringLiteral("Sato"));
        QVERIFY(m_login->submitPin(TestSupport::operatorPin));
        QVERIFY(m_session->isLoggedIn());
    }

    void fiveWrongPinsLockOut()
    {
        m_login->setLockoutMs(60000);
        m_login->enterBadge(QStringLiteral("OP-0001"));
        for (int i = 0; i < 5; ++i)
            QVERIFY(!m_login->submitPin(QStringLiteral("0000")));
        QCOMPARE(m_login->step(), LoginWorkflow::Step::ScanBadge);
        m_login->enterBadge(QStringLiteral("OP-0001"));
        QCOMPARE(m_login->step(), LoginWorkflow::Step::ScanBadge); // still locked out
    }

    void pickListFollowsPickSequence()
    {
        logIn();
        QVERIFY(m_picking->startOrder(1001));
        const auto lines = m_picking->lines();
        QCOMPARE(lines.size(), 3);
        QCOMPARE(lines.at(0).locationCode, QStringLiteral("A-01-01-1"));
        QCOMPARE(lines.at(1).locationCode, QStringLiteral("A-01-02-1"));
        QCOMPARE(lines.at(2).locationCode, QStringLiteral("B-02-01-1"));
        QCOMPARE(m_picking->step(), PickingWorkflow::Step::ScanLocation);
    }

    void wrongLocationIsRefusedAndChangesNothing()
    {
        logIn();
        QVERIFY(m_picking->startOrder(1001));
        QSignalSpy refused(m_picking.get(), &PickingWorkflow::refused);
        m_source->inject(QStringLiteral("B-02-01-1"));
        QCOMPARE(refused.size(), 1);
        QVERIFY2(refused.at(0).at(0).toString().contains(QStringLiteral("A-01-01-1")),
                 qPrintable(refused.at(0).at(0).toString()));
        QCOMPARE(m_picking->step(), PickingWorkflow::Step::ScanLocation);
        m_source->inject(TestSupport::appleGtin.mid(1)); // an item before the location
        QCOMPARE(refused.size(), 2);
        QCOMPARE(m_outbox->pendingCount(), 0);
    }

    void wrongItemIsRefusedNamingTheExpectedOne()
    {
        logIn();
        QVERIFY(m_picking->startOrder(1001));
        m_source->inject(QStringLiteral("A-01-01-1"));
        QCOMPARE(m_picking->step(), PickingWorkflow::Step::ScanItem);
        QSignalSpy refused(m_picking.get(), &PickingWorkflow::refused);
        m_source->inject(QStringLiteral("4006381333931")); // tea, expected apple
        QCOMPARE(refused.size(), 1);
        const QString message = refused.at(0).at(0).toString();
        QVERIFY2(message.contains(QStringLiteral("SKU-APPLE")) && message.contains(QStringLiteral("Green tea")),
                 qPrintable(message));
        m_source->inject(QStringLiteral("4901780188345")); // valid JAN, unknown SKU
        QCOMPARE(refused.size(), 2);
        QCOMPARE(m_picking->pendingQuantity(), 0);
        QCOMPARE(m_outbox->pendingCount(), 0);
        QCOMPARE(m_orders->pickList(1001)->at(0).picked, 0);
    }

    void plusOnePerScanThenAutoConfirm()
    {
        logIn();
        QVERIFY(m_picking->startOrder(1001));
        m_source->inject(QStringLiteral("A-01-01-1"));
        m_source->inject(QStringLiteral("4901780188352"));
        m_source->inject(QStringLiteral("4901780188352"));
        QCOMPARE(m_picking->pendingQuantity(), 2);
        QCOMPARE(m_orders->pickList(1001)->at(0).picked, 0); // nothing written before confirm
        m_source->inject(QStringLiteral("4901780188352"));
        QCOMPARE(m_orders->pickList(1001)->at(0).picked, 3);
        const auto ops = m_outbox->all();
        QCOMPARE(ops->size(), 1);
        QCOMPARE(ops->at(0).type, QStringLiteral("pick"));
        // The payload passes the server's strict decoder (no unknown fields).
        const auto payload = Common::Protocol::decodePayload(Common::Domain::OperationType::Pick,
                                                             ops->at(0).payload.toStdString());
        QVERIFY(payload);
        QCOMPARE(std::get<Common::Protocol::PickPayload>(*payload).quantity, 3);
        QCOMPARE(std::get<Common::Protocol::PickPayload>(*payload).sku, std::string("SKU-APPLE"));
        QCOMPARE(std::get<Common::Protocol::PickPayload>(*payload).location, std::string("A-01-01-1"));
        QCOMPARE(ops->at(0).operatorId, QStringLiteral("op-1"));
        QCOMPARE(m_orders->find(1001)->state, QStringLiteral("picking"));
        // Next line is in another bin.
        QCOMPARE(m_picking->step(), PickingWorkflow::Step::ScanLocation);
        QCOMPARE(m_picking->currentLine()->skuCode, QStringLiteral("SKU-RICE"));
    }

    void keypadQuantityAndTooMany()
    {
        logIn();
        QVERIFY(m_picking->startOrder(1001));
        m_source->inject(QStringLiteral("A-01-01-1"));
        QVERIFY(!m_picking->setQuantity(4));
        QVERIFY(m_picking->setQuantity(2));
        QVERIFY(m_picking->confirm());
        QCOMPARE(m_orders->pickList(1001)->at(0).picked, 2);
        QCOMPARE(m_picking->step(), PickingWorkflow::Step::ScanItem); // same line, same bin
        QSignalSpy refused(m_picking.get(), &PickingWorkflow::refused);
        m_source->inject(QStringLiteral("4901780188352"));
        QCOMPARE(m_orders->pickList(1001)->at(0).picked, 3);
        QCOMPARE(refused.size(), 0);
    }

    void lotControlledNeedsGs1LotAndRecordsIt()
    {
        logIn();
        QVERIFY(m_picking->startOrder(1001));
        pickApples();
        m_source->inject(QStringLiteral("A-01-02-1"));
        QSignalSpy refused(m_picking.get(), &PickingWorkflow::refused);
        m_source->inject(TestSupport::riceGtin); // plain GTIN-14 without lot
        QCOMPARE(refused.size(), 1);
        m_source->inject(riceLabel(QStringLiteral("L1"), QStringLiteral("S1")));
        m_source->inject(riceLabel(QStringLiteral("L1"), QStringLiteral("S1"))); // same serial twice
        QCOMPARE(refused.size(), 2);
        m_source->inject(riceLabel(QStringLiteral("L2"), QStringLiteral("S2"))); // other lot: L1 confirmed first
        const auto records = m_orders->pickRecords(1001);
        QCOMPARE(records->size(), 3);
        QCOMPARE(records->at(1).lot, QStringLiteral("L1"));
        QCOMPARE(records->at(1).expiry, QStringLiteral("2027-12-31"));
        QCOMPARE(records->at(1).serial, QStringLiteral("S1"));
        QCOMPARE(records->at(2).lot, QStringLiteral("L2"));
        QCOMPARE(m_outbox->pendingCount(), 3);
    }

    void shortPickWithReasonAndCompletion()
    {
        logIn();
        QVERIFY(m_picking->startOrder(1001));
        QSignalSpy completed(m_picking.get(), &PickingWorkflow::orderCompleted);
        pickApples();
        m_source->inject(QStringLiteral("A-01-02-1"));
        m_source->inject(riceLabel(QStringLiteral("L1")));
        QVERIFY(!m_picking->shortPick(QStringLiteral("no reason")));
        QVERIFY(m_picking->shortPick(QStringLiteral("damaged")));
        const auto rice = m_orders->pickList(1001)->at(1);
        QCOMPARE(rice.picked, 1);
        QCOMPARE(rice.shorted, 1);
        QCOMPARE(rice.shortReason, QStringLiteral("damaged"));
        const auto ops = m_outbox->all();
        QCOMPARE(ops->size(), 2); // apples, then one short_pick carrying the rice picked with it
        QCOMPARE(ops->at(1).type, QStringLiteral("short_pick"));
        const auto shortPick = Common::Protocol::decodePayload(Common::Domain::OperationType::ShortPick,
                                                               ops->at(1).payload.toStdString());
        QVERIFY(shortPick);
        const auto &decoded = std::get<Common::Protocol::ShortPickPayload>(*shortPick);
        QCOMPARE(decoded.quantityPicked, 1);
        QCOMPARE(decoded.reason, std::string("damaged"));
        QCOMPARE(decoded.lot.value_or(""), std::string("L1"));
        QCOMPARE(completed.size(), 0);
        m_source->inject(QStringLiteral("B-02-01-1"));
        m_source->inject(QStringLiteral("]E04006381333931"));
        QCOMPARE(completed.size(), 1);
        QCOMPARE(m_picking->step(), PickingWorkflow::Step::OrderDone);
        QCOMPARE(m_orders->find(1001)->state, QStringLiteral("picked"));
        // seq stayed gapless across the different op types
        const auto all = m_outbox->all();
        for (int i = 0; i < all->size(); ++i)
            QCOMPARE(all->at(i).seq, i + 1);
    }

    void lineWithoutKnownLocationTakesTheScannedBin()
    {
        OrderImport import;
        import.order = OrderRecord{2002, QStringLiteral("shop-a"), QStringLiteral("SO-2002"), {}, {}, QStringLiteral("released"), {}, 0, 0};
        OrderLineRecord line;
        line.lineNumber = 1;
        line.skuCode = QStringLiteral("SKU-TEA");
        line.quantity = 1;
        import.lines = {line};
        {
            TransactionGuard transaction(*m_database);
            QVERIFY(m_orders->upsert(transaction, import));
            QVERIFY(transaction.commit());
        }
        logIn();
        QVERIFY(m_picking->startOrder(2002));
        QSignalSpy refused(m_picking.get(), &PickingWorkflow::refused);
        QVERIFY(!m_picking->shortPick(QStringLiteral("damaged"))); // no bin known yet
        m_source->inject(QStringLiteral("4006381333931"));          // an item is not a bin
        QCOMPARE(refused.size(), 2);
        m_source->inject(QStringLiteral("B-02-01-1"));
        m_source->inject(QStringLiteral("4006381333931"));
        QCOMPARE(m_picking->step(), PickingWorkflow::Step::OrderDone);
        const auto ops = m_outbox->all();
        const auto payload = Common::Protocol::decodePayload(Common::Domain::OperationType::Pick,
                                                             ops->back().payload.toStdString());
        QVERIFY(payload);
        QCOMPARE(std::get<Common::Protocol::PickPayload>(*payload).location, std::string("B-02-01-1"));
    }

    void notLoggedInIsRefused()
    {
        QVERIFY(m_picking->startOrder(1001));
        QSignalSpy refused(m_picking.get(), &PickingWorkflow::refused);
        m_router->setConsumer(m_picking.get());
        m_source->inject(QStringLiteral("A-01-01-1"));
        QCOMPARE(refused.size(), 1);
        QCOMPARE(m_picking->step(), PickingWorkflow::Step::ScanLocation);
    }

    void packAndShip()
    {
        logIn();
        m_router->setConsumer(m_packing.get());
        QSignalSpy refused(m_packing.get(), &PackingWorkflow::refused);
        m_source->inject(QStringLiteral("SO-1001"));
        QCOMPARE(refused.size(), 1); // not picked yet
        QVERIFY(m_picking->startOrder(1001));
        m_router->setConsumer(m_picking.get());
        pickApples();
        m_source->inject(QStringLiteral("A-01-02-1"));
        m_source->inject(riceLabel(QStringLiteral("L1")));
        m_source->inject(riceLabel(QStringLiteral("L1")));
        m_source->inject(QStringLiteral("B-02-01-1"));
        m_source->inject(QStringLiteral("4006381333931"));
        QCOMPARE(m_orders->find(1001)->state, QStringLiteral("picked"));
        m_router->setConsumer(m_packing.get());
        QSignalSpy shipped(m_packing.get(), &PackingWorkflow::shipped);
        m_source->inject(QStringLiteral("SO-1001"));
        QCOMPARE(m_packing->step(), PackingWorkflow::Step::ScanTracking);
        m_source->inject(QStringLiteral("A-01-01-1")); // not a tracking number
        QCOMPARE(refused.size(), 2);
        m_source->inject(QStringLiteral("A123456789012A"), QStringLiteral("Codabar"));
        QCOMPARE(shipped.size(), 1);
        const auto order = m_orders->find(1001);
        QCOMPARE(order->state, QStringLiteral("shipped"));
        QCOMPARE(order->trackingNumber, QStringLiteral("123456789012"));
        const auto ops = m_outbox->all();
        QCOMPARE(ops->at(ops->size() - 2).type, QStringLiteral("pack"));
        QCOMPARE(ops->at(ops->size() - 1).type, QStringLiteral("ship"));
        const auto ship = Common::Protocol::decodePayload(Common::Domain::OperationType::Ship,
                                                          ops->at(ops->size() - 1).payload.toStdString());
        QVERIFY(ship);
        QCOMPARE(std::get<Common::Protocol::ShipPayload>(*ship).trackingNumber, std::string("123456789012"));
        m_source->inject(QStringLiteral("SO-1001"));
        QCOMPARE(refused.size(), 3); // already shipped
    }

private:
    void logIn()
    {
        m_login->enterBadge(QStringLiteral("OP-0001"));
        QVERIFY(m_login->submitPin(TestSupport::operatorPin));
        m_router->setConsumer(m_picking.get());
    }
    void pickApples()
    {
        m_source->inject(QStringLiteral("A-01-01-1"));
        for (int i = 0; i < 3; ++i)
            m_source->inject(QStringLiteral("4901780188352"));
        QCOMPARE(m_picking->currentLine()->skuCode, QStringLiteral("SKU-RICE"));
    }

    std::unique_ptr<QTemporaryDir> m_folder;
    std::unique_ptr<LocalDatabase> m_database;
    std::unique_ptr<OrderRepository> m_orders;
    std::unique_ptr<SkuRepository> m_skus;
    std::unique_ptr<OutboxRepository> m_outbox;
    std::unique_ptr<OperatorRepository> m_operators;
    std::unique_ptr<Session> m_session;
    std::unique_ptr<ScanRouter> m_router;
    std::unique_ptr<FakeScanSource> m_source;
    std::unique_ptr<LoginWorkflow> m_login;
    std::unique_ptr<PickingWorkflow> m_picking;
    std::unique_ptr<PackingWorkflow> m_packing;
};

QTEST_GUILESS_MAIN(TestPickingWorkflow)
#include "tst_pickingworkflow.moc"
