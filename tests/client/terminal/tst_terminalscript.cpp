// The real soko-terminal binary, offscreen, driven by a script of scans: log in, pick an order
// with wrong scans on the way, pack and ship it; then the database it left behind is checked.
// Also: a failing expectation fails the run, and a bad command line is refused.
#include <QProcess>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include "client/storage/localdatabase.h"
#include "client/storage/orderrepository.h"
#include "client/storage/outboxrepository.h"

namespace {

const QString dataFolder = QStringLiteral(SOKO_SOURCE_DIR "/tests/client/terminal/data");

int runTerminal(const QStringList &arguments, QByteArray *errors = nullptr)
{
    QProcess process;
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
    process.setProcessEnvironment(environment);
    process.start(QStringLiteral(SOKO_TERMINAL_BINARY), arguments);
    if (!process.waitForFinished(120000)) {
        process.kill();
        return -1;
    }
    if (errors)
        *errors = process.readAllStandardError();
    return process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -2;
}

} // namespace

class TestTerminalScript : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void pickPackAndShip()
    {
        QTemporaryDir folder;
        QByteArray errors;
        const int exitCode = runTerminal({QStringLiteral("--data"), folder.path(), QStringLiteral("--import"),
                                          dataFolder + QStringLiteral("/warehouse.json"), QStringLiteral("--script"),
                                          dataFolder + QStringLiteral("/pick-and-ship.script"),
                                          QStringLiteral("--no-sync"), QStringLiteral("--mute"),
                                          QStringLiteral("--lang"), QStringLiteral("ja")},
                                         &errors);
        QVERIFY2(exitCode == 0, errors.constData());

        LocalDatabase database(QStringLiteral("tst_terminalscript"));
        QVERIFY(database.open(folder.path() + QStringLiteral("/terminal.sqlite")));
        OrderRepository orders(database);
        const auto order = orders.findByNumber(QStringLiteral("SO-1001"));
        QVERIFY(order);
        QCOMPARE(order->state, QStringLiteral("shipped"));
        QCOMPARE(order->trackingNumber, QStringLiteral("123456789012"));
        QCOMPARE(orders.findByNumber(QStringLiteral("SO-1002"))->state, QStringLiteral("released"));
        const auto records = orders.pickRecords(1001);
        QCOMPARE(records->size(), 3);
        QCOMPARE(records->at(1).lot, QStringLiteral("LOT-A"));
        QCOMPARE(records->at(1).serial, QStringLiteral("SN0001,SN0002"));
        const auto ops = OutboxRepository(database).all();
        QStringList types;
        for (const OutboxEntry &op : *ops)
            types << op.type;
        QCOMPARE(types, QStringList({QStringLiteral("pick"), QStringLiteral("pick"), QStringLiteral("pick"),
                                     QStringLiteral("pack"), QStringLiteral("ship")}));
        for (int i = 0; i < ops->size(); ++i) {
            QCOMPARE(ops->at(i).seq, i + 1);
            QCOMPARE(ops->at(i).operatorId, QStringLiteral("OP-0001"));
        }
        // The PIN typed in the script is nowhere in the database, only its Argon2id hash.
        QSqlQuery query(database.database());
        QVERIFY(query.exec(QStringLiteral("SELECT pin_hash FROM operators")) && query.next());
        QVERIFY(query.value(0).toString().startsWith(QStringLiteral("$argon2id$")));
        QVERIFY(!query.value(0).toString().contains(QStringLiteral("2468")));
    }

    void failedExpectationFailsTheRun()
    {
        QTemporaryDir folder;
        const QString script = folder.path() + QStringLiteral("/bad.script");
        QFile file(script);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("scan OP-0001\npin 2468\nexpect-state SO-1001 shipped\n");
        file.close();
        QByteArray errors;
        QCOMPARE(runTerminal({QStringLiteral("--data"), folder.path(), QStringLiteral("--import"),
                              dataFolder + QStringLiteral("/warehouse.json"), QStringLiteral("--script"), script,
                              QStringLiteral("--no-sync"), QStringLiteral("--mute")},
                             &errors),
                 1);
        QVERIFY2(errors.contains("script line 3 failed"), errors.constData());
    }

    void badOptionsAreRefused_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::newRow("language") << QStringList{QStringLiteral("--lang"), QStringLiteral("fr")};
        QTest::newRow("size") << QStringList{QStringLiteral("--size"), QStringLiteral("10x10")};
        QTest::newRow("unknown") << QStringList{QStringLiteral("--frobnicate")};
    }
    void badOptionsAreRefused()
    {
        QFETCH(QStringList, arguments);
        QTemporaryDir folder;
        QCOMPARE(runTerminal(QStringList{QStringLiteral("--data"), folder.path()} + arguments), 2);
    }
};

QTEST_GUILESS_MAIN(TestTerminalScript)
#include "tst_terminalscript.moc"
