// Kill-safety: a child process picks part of an order and is killed with SIGKILL in the middle of
// a write transaction. Reopening the database must show every confirmed pick with its outbox op,
// nothing of the interrupted one, a gapless seq, and the order resuming at its first open line.
#include <QJsonObject>
#include <QProcess>
#include <QSqlQuery>
#include <QTest>

#include <csignal>
#include <unistd.h>

#include "client/scanning/scanrouter.h"
#include "client/workflows/pickingworkflow.h"
#include "client/workflows/session.h"
#include "tests/support/fakescansource.h"
#include "tests/support/pickingrig.h"
#include "tests/support/terminalfixture.h"

namespace {

// Runs in the child: picks the apple line, then dies inside an uncommitted transaction.
[[noreturn]] void childPicksAndDies(const QString &folder)
{
    LocalDatabase database(QStringLiteral("child"));
    if (!TestSupport::openDatabase(database, folder))
        std::_Exit(3);
    TestSupport::PickingRig rig(database);
    auto &[orders, skus, outbox, session, picking, router, source] = rig;
    if (!picking.startOrder(1001))
        std::_Exit(4);
    source.inject(QStringLiteral("A-01-01-1"));
    for (int i = 0; i < 3; ++i)
        source.inject(QStringLiteral("4901780188352"));
    source.inject(QStringLiteral("A-01-02-1"));
    // A write in flight when the battery is pulled.
    TransactionGuard transaction(database);
    auto op =
        outbox.append(transaction, QStringLiteral("pick"), {{QStringLiteral("quantity"), 1}}, QStringLiteral("op-1"));
    if (!op || !orders.recordPick(transaction, PickRecord{1001, 3, 1, QStringLiteral("L9"), {}, {}, op->opId}))
        std::_Exit(5);
    ::kill(::getpid(), SIGKILL);
    std::_Exit(6);
}

} // namespace

class TestKillSafety : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void reopenAfterKillLosesNothingAndResumes()
    {
        QTemporaryDir folder;
        QVERIFY(folder.isValid());
        {
            LocalDatabase database(QStringLiteral("setup"));
            QVERIFY(TestSupport::openDatabase(database, folder.path()));
            QVERIFY(TestSupport::importSample(database));
        }
        QProcess child;
        child.start(QCoreApplication::applicationFilePath(), {QStringLiteral("--child"), folder.path()});
        QVERIFY(child.waitForFinished(60000));
        QCOMPARE(child.exitStatus(), QProcess::CrashExit); // killed, not a clean exit
        QVERIFY(QFile::exists(folder.path() + QStringLiteral("/terminal.sqlite-wal")));

        LocalDatabase database(QStringLiteral("reopened"));
        QVERIFY(TestSupport::openDatabase(database, folder.path()));
        {
            QSqlQuery check(database.database());
            QVERIFY(check.exec(QStringLiteral("PRAGMA integrity_check")) && check.next());
            QCOMPARE(check.value(0).toString(), QStringLiteral("ok"));
        }
        OrderRepository orders(database);
        OutboxRepository outbox(database);
        SkuRepository skus(database);
        const auto lines = orders.pickList(1001);
        QVERIFY(lines);
        QCOMPARE(lines->at(0).picked, 3); // confirmed before the kill
        QCOMPARE(lines->at(1).picked, 0); // the interrupted write is gone
        QCOMPARE(orders.pickRecords(1001)->size(), 1);
        QCOMPARE(outbox.all()->size(), 1);
        QCOMPARE(outbox.all()->at(0).seq, 1);
        QCOMPARE(orders.find(1001)->state, QStringLiteral("picking"));

        Session session;
        session.logIn(QStringLiteral("op-1"), QStringLiteral("Sato"));
        PickingWorkflow picking(database, orders, skus, outbox, session);
        QVERIFY(picking.startOrder(1001));
        QCOMPARE(picking.step(), PickingWorkflow::Step::ScanLocation);
        QCOMPARE(picking.currentLine()->skuCode, QStringLiteral("SKU-RICE"));
        ScanRouter router;
        FakeScanSource source;
        router.addSource(&source);
        router.setConsumer(&picking);
        source.inject(QStringLiteral("A-01-02-1"));
        source.inject(QStringLiteral("(01)09501101530003(10)L1"));
        source.inject(QStringLiteral("(01)09501101530003(10)L1"));
        source.inject(QStringLiteral("B-02-01-1"));
        source.inject(QStringLiteral("4006381333931"));
        QCOMPARE(picking.step(), PickingWorkflow::Step::OrderDone);
        const auto ops = outbox.all();
        QCOMPARE(ops->size(), 3);
        for (int i = 0; i < ops->size(); ++i)
            QCOMPARE(ops->at(i).seq, i + 1); // the killed transaction burnt no seq
    }
};

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    if (argc == 3 && qstrcmp(argv[1], "--child") == 0)
        childPicksAndDies(QString::fromLocal8Bit(argv[2]));
    TestKillSafety test;
    return QTest::qExec(&test, argc, argv);
}
#include "tst_killsafety.moc"
