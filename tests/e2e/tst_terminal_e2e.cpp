// soko-terminal end to end, against a real soko-server process (tests/support/serverprocess):
// SKUs with the GTINs of real sample images, locations and five orders go in through the api
// listener; a terminal enrolls (POST /api/v1/enroll) and pulls; the server is STOPPED; the
// picker works offline through the real window: wedge scans typed as key events, decoded
// sample images (ImageScanSource), a wrong item (refused, nothing changes), a short pick; the
// soko-terminal process is SIGKILLed mid-order and started again (nothing lost, the order
// resumes); the server is started again and the terminal syncs. The server's own answers (api
// listener) must then show exactly the shipments, stock movements (once each) and order states
// the floor produced. Finally a second terminal enrolls, pulls and sees that state.
#include <QApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLineEdit>
#include <QProcess>
#include <QSet>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include "client/app/mainwindow.h"
#include "client/app/options.h"
#include "client/app/terminal.h"
#include "client/scanning/imagescansource.h"
#include "client/storage/orderrepository.h"
#include "client/storage/outboxrepository.h"
#include "client/storage/syncstaterepository.h"
#include "client/sync/syncclient.h"
#include "client/views/loginpage.h"
#include "client/workflows/packingworkflow.h"
#include "client/workflows/pickingworkflow.h"
#include "tests/e2e/e2ehelpers.h"
#include "tests/support/testdata.h"

namespace {

using TestSupport::testDataPath;

// Sample images (../shared/testdata/barcodes) and the codes ZXing-cpp 1.4 reads from them.
const QString s_janImage = QStringLiteral("barcodes/ean-13/ean13-1/26.png"); // JAN 4901780188352
const QString s_ean8AImage = QStringLiteral("barcodes/ean-8/ean8-1/1.png");  // 48512343
const QString s_ean8BImage = QStringLiteral("barcodes/ean-8/ean8-1/2.png");  // 12345670
const QString s_ean8CImage = QStringLiteral("barcodes/ean-8/ean8-1/4.png");  // 67678983
const QString s_gs1Image = QStringLiteral("barcodes/datamatrix/datamatrix-1/gs1-figure-4.15.1-2-32x32.png");
const QString s_trackingImage = QStringLiteral("barcodes/codabar/codabar-1/15.png"); // NW-7 123456789012
// (01)09504000059101 (21)12345678p901 (10)1234567p (17)141120 in the GS1 DataMatrix.
const char *s_gs1Lot = "1234567p";

const QByteArray s_skus = "code,name,base_unit,lot_controlled,gtins\r\n"
                          "SKU-POCKY,Pocky chocolate,piece,0,4901780188352\r\n"
                          "SKU-E8A,Sample A (EAN-8),piece,0,48512343\r\n"
                          "SKU-E8B,Sample B (EAN-8),piece,0,12345670\r\n"
                          "SKU-E8C,Sample C (EAN-8),piece,0,67678983\r\n"
                          "SKU-GS1,GS1 demo item,piece,1,09504000059101\r\n";
const QByteArray s_locations = "warehouse,code,zone,pick_sequence\r\n"
                               "TKY1,A-01-01-1,ambient,10\r\nTKY1,A-01-02-1,ambient,20\r\n"
                               "TKY1,A-01-03-1,ambient,30\r\nTKY1,B-01-01-1,ambient,40\r\n"
                               "TKY1,C-01-01-1,chilled,50\r\n";
const QString s_badge = QStringLiteral("OP-0001");
const QString s_pin = QStringLiteral("2468");

QJsonObject order(const QString &number, const QList<QPair<QString, int>> &lines)
{
    QJsonArray items;
    for (const auto &[sku, quantity] : lines)
        items.append(QJsonObject{{QStringLiteral("sku"), sku}, {QStringLiteral("quantity"), quantity}});
    return QJsonObject{{QStringLiteral("store"), QStringLiteral("shop")},
                       {QStringLiteral("order_number"), number},
                       {QStringLiteral("customer"), QStringLiteral("Yamada")},
                       {QStringLiteral("address"), QStringLiteral("Tokyo")},
                       {QStringLiteral("lines"), items}};
}

// Sends `text` + Enter as fast key events into the focused widget: a keyboard-wedge scanner.
void wedge(QWidget &window, const QString &text)
{
    QWidget *target = QApplication::focusWidget() ? QApplication::focusWidget() : &window;
    QTest::keyClicks(target, text);
    QTest::keyClick(QApplication::focusWidget() ? QApplication::focusWidget() : &window, Qt::Key_Return);
}

} // namespace

class TestTerminalE2e : public QObject
{
    Q_OBJECT

private:
    E2e::ServerProcess m_server;
    QString m_token;
    QTemporaryDir m_terminalData;
    QMap<QString, qint64> m_orderIds;
    quint16 m_devicesPort = 0;
    quint16 m_apiPort = 0;

    TerminalOptions options(const QString &dataDirectory) const
    {
        TerminalOptions result;
        result.dataDirectory = dataDirectory;
        result.server = QStringLiteral("https://127.0.0.1:%1").arg(m_apiPort);
        result.devices = QStringLiteral("https://127.0.0.1:%1").arg(m_devicesPort);
        result.caFile = m_server.serverCaPath();
        result.muted = true;
        return result;
    }

    QString serverOrderState(const QString &number) const
    {
        return E2e::orderState(m_server, m_token, m_orderIds.value(number));
    }

    QJsonObject serverOrder(const QString &number) const
    {
        return m_server.api("GET", "/api/v1/orders/" + QByteArray::number(m_orderIds.value(number)), m_token).json();
    }

    // Quantity of sku × location × lot in TKY1, read through the api listener.
    qint64 serverBalance(const QString &sku, const QString &location, const QString &lot = {}) const
    {
        const auto answer = m_server.api("GET", "/api/v1/stock/balances?warehouse=TKY1&sku=" + sku.toUtf8(), m_token);
        for (const QJsonValue &value : answer.json().value(QStringLiteral("balances")).toArray()) {
            const QJsonObject row = value.toObject();
            if (row.value(QStringLiteral("location")).toString() == location &&
                row.value(QStringLiteral("lot")).toString() == lot)
                return row.value(QStringLiteral("quantity")).toInteger();
        }
        return -1;
    }

    // Every movement of a SKU as "reason:quantity_delta:location" plus the op ids.
    QStringList serverMovements(const QString &sku, QStringList *opIds = nullptr) const
    {
        QStringList result;
        const auto answer = m_server.api("GET", "/api/v1/stock/movements?limit=1000&sku=" + sku.toUtf8(), m_token);
        for (const QJsonValue &value : answer.json().value(QStringLiteral("movements")).toArray()) {
            const QJsonObject row = value.toObject();
            result << QStringLiteral("%1:%2:%3")
                          .arg(row.value(QStringLiteral("reason")).toString())
                          .arg(row.value(QStringLiteral("quantity_delta")).toInteger())
                          .arg(row.value(QStringLiteral("location")).toString());
            if (opIds)
                *opIds << row.value(QStringLiteral("op_id")).toString();
        }
        return result;
    }

    // Badge by wedge scan, PIN typed by a person (slower than the wedge's burst gap).
    void logIn(Terminal &terminal)
    {
        MainWindow &window = terminal.window();
        QCOMPARE(window.page(), MainWindow::Page::Login);
        wedge(window, s_badge);
        auto *pinField = window.loginPage()->findChild<QLineEdit *>();
        QVERIFY(pinField);
        QTRY_COMPARE(pinField->echoMode(), QLineEdit::Password);
        pinField->setFocus();
        QTest::keyClicks(pinField, s_pin, Qt::NoModifier, 80);
        QTest::qWait(80);
        QTest::keyClick(pinField, Qt::Key_Return);
        QTRY_COMPARE_WITH_TIMEOUT(window.page(), MainWindow::Page::Orders, 20000); // Argon2id under ASan
    }

    void scanImage(Terminal &terminal, const QString &relative, int expectedScans = 1)
    {
        auto scanned = terminal.imageSource().scanFile(testDataPath(relative));
        QVERIFY2(scanned, scanned ? "" : scanned.error().message.c_str());
        QCOMPARE(*scanned, expectedScans);
    }

    static const OrderLineRecord *line(const QList<OrderLineRecord> &lines, const QString &sku)
    {
        for (const OrderLineRecord &candidate : lines)
            if (candidate.skuCode == sku)
                return &candidate;
        return nullptr;
    }

    // Runs sync rounds until one succeeds with nothing left to send.
    bool syncUntilClean(Terminal &terminal)
    {
        SyncClient *sync = terminal.sync();
        for (int attempt = 0; attempt < 6; ++attempt) {
            QSignalSpy rounds(sync, &SyncClient::roundFinished);
            sync->syncNow();
            if (!rounds.wait(60000))
                continue;
            if (rounds.last().at(0).toBool() && !sync->isBusy() && terminal.outbox().pendingCount() == 0)
                return true;
            QTest::qWait(200);
        }
        return false;
    }

    int runTerminalScript(const QString &dataDirectory, const QByteArray &script, QByteArray *errors)
    {
        const QString path = m_server.rootPath() + QStringLiteral("/t2.script");
        QFile file(path);
        if (!file.open(QIODevice::WriteOnly) || file.write(script) != script.size())
            return -3;
        file.close();
        QProcess process;
        process.setProcessEnvironment(QProcessEnvironment::systemEnvironment());
        const TerminalOptions o = options(dataDirectory);
        process.start(QStringLiteral(SOKO_TERMINAL_BINARY),
                      {QStringLiteral("--data"), dataDirectory, QStringLiteral("--server"), o.server,
                       QStringLiteral("--devices"), o.devices, QStringLiteral("--ca"), o.caFile,
                       QStringLiteral("--mute"), QStringLiteral("--script"), path});
        if (!process.waitForFinished(120000)) {
            process.kill();
            process.waitForFinished();
            return -1;
        }
        *errors = process.readAllStandardError();
        return process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -2;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(QFile::exists(testDataPath(s_janImage)));
        QVERIFY(m_terminalData.isValid());
        QVERIFY(m_server.init(QStringLiteral("TKY1")));
        QVERIFY(m_server.importFile(QStringLiteral("skus"), QStringLiteral("skus.csv"), s_skus));
        QVERIFY(m_server.importFile(QStringLiteral("locations"), QStringLiteral("locations.csv"), s_locations));
        QVERIFY(m_server.addOperator(QStringLiteral("TKY1"), s_badge, s_pin));
        m_token = m_server.createApiKey();
        QVERIFY(!m_token.isEmpty());
        QVERIFY(m_server.start());
        m_devicesPort = m_server.devicesPort();
        m_apiPort = m_server.apiPort();

        // Goods received by another terminal (the receiving dock), so orders can be allocated.
        const auto dock = m_server.enrollDevice(QStringLiteral("TKY1"), QStringLiteral("receiving"));
        QVERIFY(dock);
        std::vector<Common::Protocol::PushOp> receipts{
            E2e::receiveOp(1, E2e::opId(0xd0c, 1), 10, "A-01-01-1", "SKU-POCKY"),
            E2e::receiveOp(2, E2e::opId(0xd0c, 2), 10, "A-01-02-1", "SKU-E8A"),
            E2e::receiveOp(3, E2e::opId(0xd0c, 3), 5, "A-01-03-1", "SKU-E8B"),
            E2e::receiveOp(4, E2e::opId(0xd0c, 4), 5, "B-01-01-1", "SKU-E8C"),
        };
        Common::Protocol::ReceivePayload lotReceipt;
        lotReceipt.sku = "SKU-GS1";
        lotReceipt.location = "C-01-01-1";
        lotReceipt.lot = s_gs1Lot;
        lotReceipt.expiry = "2014-11-20";
        lotReceipt.quantity = 3;
        receipts.push_back(E2e::makeOp(5, E2e::opId(0xd0c, 5), lotReceipt));
        for (auto &receipt : receipts)
            receipt.operatorId = s_badge.toStdString(); // ops name a registered operator
        const auto received = E2e::push(m_server, *dock, receipts);
        QVERIFY2(received.response, received.http.body.constData());
        QCOMPARE(received.response->lastApplied, 5);
        for (const auto &result : received.response->results)
            QVERIFY2(result.outcome == Common::Protocol::OperationOutcome::Applied,
                     (result.reason.value_or("") + " " + result.message.value_or("")).c_str());

        // Five orders through the api listener; allocated and released to the floor.
        const QJsonArray orders{
            order(QStringLiteral("SO-1001"), {{QStringLiteral("SKU-POCKY"), 2}, {QStringLiteral("SKU-E8A"), 1}}),
            order(QStringLiteral("SO-1002"),
                  {{QStringLiteral("SKU-E8B"), 1}, {QStringLiteral("SKU-GS1"), 1}, {QStringLiteral("SKU-POCKY"), 1}}),
            order(QStringLiteral("SO-1003"), {{QStringLiteral("SKU-E8C"), 3}}),
            order(QStringLiteral("SO-1004"), {{QStringLiteral("SKU-POCKY"), 1}}),
            order(QStringLiteral("SO-1005"), {{QStringLiteral("SKU-E8A"), 2}}),
        };
        const auto imported =
            m_server.api("POST", "/api/v1/orders/import", m_token,
                         QJsonDocument(QJsonObject{{QStringLiteral("orders"), orders}}).toJson(QJsonDocument::Compact));
        QCOMPARE(imported.status, 200);
        const QJsonArray ids = imported.json().value(QStringLiteral("ids")).toArray();
        QCOMPARE(ids.size(), 5);
        for (int index = 0; index < 5; ++index) {
            const qint64 id = ids.at(index).toInteger();
            m_orderIds.insert(orders.at(index).toObject().value(QStringLiteral("order_number")).toString(), id);
            for (const char *step : {"allocate", "release"}) {
                const auto answer =
                    m_server.api("POST", "/api/v1/orders/" + QByteArray::number(id) + "/" + step, m_token);
                QVERIFY2(answer.status == 200,
                         qPrintable(QString::number(id) + QLatin1Char(' ') + QString::fromUtf8(answer.body)));
            }
        }
    }

    // Enroll through POST /api/v1/enroll, pull, stop the server, pick offline in the real window.
    void enrollPullAndPickOffline()
    {
        Terminal terminal(options(m_terminalData.path()));
        QVERIFY(terminal.start());
        QCOMPARE(terminal.window().page(), MainWindow::Page::Enrollment);
        QVERIFY(terminal.sync() && !terminal.sync()->isEnrolled());

        const QString code = m_server.enrollmentCode(QStringLiteral("TKY1"), QStringLiteral("HT-01"));
        QVERIFY(!code.isEmpty());
        QSignalSpy enrolled(terminal.sync(), &SyncClient::enrollmentFinished);
        QSignalSpy rounds(terminal.sync(), &SyncClient::roundFinished);
        terminal.enrollWithCode(code);
        QVERIFY(enrolled.wait(60000));
        QVERIFY2(enrolled.first().at(0).toBool(), qPrintable(enrolled.first().at(1).toString()));
        QVERIFY(rounds.wait(60000));
        QVERIFY(rounds.last().at(0).toBool());
        QCOMPARE(terminal.window().page(), MainWindow::Page::Login);
        // The identity the server issued is stored; the CA the server named is the one pinned.
        const SyncStateRepository state(terminal.database());
        QCOMPARE(state.value(SyncStateRepository::Warehouse), QStringLiteral("TKY1"));
        QFile caFile(m_server.serverCaPath());
        QVERIFY(caFile.open(QIODevice::ReadOnly));
        const QByteArray caPem = caFile.readAll();
        QCOMPARE(QSslCertificate::fromData(state.value(SyncStateRepository::CaCertificate).toLatin1()),
                 QSslCertificate::fromData(caPem));
        QVERIFY(QFile::exists(m_terminalData.filePath(QStringLiteral("device.key"))));
        QCOMPARE(E2e::databaseCount(m_server, QStringLiteral("SELECT count(*) FROM devices WHERE id = ?"),
                                    {state.value(SyncStateRepository::DeviceId)}),
                 1);
        // A used code is refused the second time (one answer for unknown, used and expired).
        QTRY_VERIFY_WITH_TIMEOUT(!terminal.sync()->isBusy(), 60000);
        QSignalSpy again(terminal.sync(), &SyncClient::enrollmentFinished);
        terminal.sync()->enroll(QUrl(options({}).server), QUrl(options({}).devices), code, caPem);
        QVERIFY(!again.isEmpty() || again.wait(60000));
        QVERIFY(!again.first().at(0).toBool());
        QCOMPARE(again.first().at(1).toString(), SyncClient::tr("The server refused the code. Ask for a new one."));
        QCOMPARE(state.value(SyncStateRepository::Warehouse), QStringLiteral("TKY1")); // still enrolled
        // The pull brought the five orders.
        for (const QString &number : m_orderIds.keys()) {
            auto local = terminal.orders().findByNumber(number);
            QVERIFY2(local, qPrintable(number));
            QCOMPARE(local->id, m_orderIds.value(number));
            QCOMPARE(local->state, QStringLiteral("released"));
        }

        // The network goes away: the server is stopped. Everything below happens offline.
        QVERIFY(m_server.stop());
        QSignalSpy offline(terminal.sync(), &SyncClient::roundFinished);
        terminal.sync()->syncNow();
        QVERIFY(offline.wait(60000));
        QVERIFY(!offline.last().at(0).toBool());
        QCOMPARE(terminal.sync()->state(), SyncClient::State::Offline);

        logIn(terminal);
        MainWindow &window = terminal.window();
        PickingWorkflow &picking = terminal.picking();
        wedge(window, QStringLiteral("SO-1001")); // the pick slip opens the order
        QCOMPARE(window.page(), MainWindow::Page::Picking);
        QCOMPARE(picking.currentLine()->skuCode, QStringLiteral("SKU-POCKY"));
        wedge(window, QStringLiteral("A-01-01-1"));
        QCOMPARE(picking.step(), PickingWorkflow::Step::ScanItem);
        scanImage(terminal, s_janImage);                // the JAN photographed on the product
        wedge(window, QStringLiteral("4901780188352")); // the same JAN from the wedge: line complete
        QCOMPARE(picking.currentLine()->skuCode, QStringLiteral("SKU-E8A"));
        wedge(window, QStringLiteral("A-01-02-1"));

        // The wrong item: refused with a message, and nothing changes.
        const int opsBefore = terminal.outbox().pendingCount();
        QSignalSpy refused(&picking, &PickingWorkflow::refused);
        scanImage(terminal, s_ean8BImage);
        QCOMPARE(refused.size(), 1);
        QVERIFY2(refused.first().at(0).toString().contains(QStringLiteral("SKU-E8B")),
                 qPrintable(refused.first().at(0).toString()));
        QCOMPARE(terminal.outbox().pendingCount(), opsBefore);
        QCOMPARE(picking.pendingQuantity(), 0);
        QCOMPARE(picking.currentLine()->picked, 0);
        QCOMPARE(picking.step(), PickingWorkflow::Step::ScanItem);

        scanImage(terminal, s_ean8AImage);
        QCOMPARE(picking.step(), PickingWorkflow::Step::OrderDone);
        QCOMPARE(terminal.orders().findByNumber(QStringLiteral("SO-1001"))->state, QStringLiteral("picked"));

        // Pack & ship at the packing table: pick slip, then the carrier's NW-7 label (image).
        window.showPage(MainWindow::Page::Packing);
        wedge(window, QStringLiteral("SO-1001"));
        QCOMPARE(terminal.packing().step(), PackingWorkflow::Step::ScanTracking);
        scanImage(terminal, s_trackingImage);
        const auto shipped = terminal.orders().findByNumber(QStringLiteral("SO-1001"));
        QCOMPARE(shipped->state, QStringLiteral("shipped"));
        QCOMPARE(shipped->trackingNumber, QStringLiteral("123456789012"));
        QCOMPARE(terminal.outbox().pendingCount(), 4); // pick, pick, pack, ship
    }

    // The real soko-terminal process picks SO-1002 and is SIGKILLed in the middle of the order.
    void killTheTerminalMidOrder()
    {
        const QString script = m_server.rootPath() + QStringLiteral("/kill.script");
        QFile file(script);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(
            QStringLiteral("wedge %1\npin %2\nexpect-page orders\nwedge SO-1002\nexpect-page picking\n"
                           "wedge A-01-01-1\nimage %3\nwedge A-01-03-1\nimage %4\nwedge C-01-01-1\n"
                           "expect-picked SO-1002 1 1\nexpect-picked SO-1002 2 0\necho READY\nwait 60000\nquit\n")
                .arg(s_badge, s_pin, testDataPath(s_janImage), testDataPath(s_ean8BImage))
                .toUtf8());
        file.close();
        QProcess process;
        const TerminalOptions o = options(m_terminalData.path());
        process.start(
            QStringLiteral(SOKO_TERMINAL_BINARY),
            {QStringLiteral("--data"), o.dataDirectory, QStringLiteral("--mute"), QStringLiteral("--script"), script});
        QVERIFY(process.waitForStarted());
        QByteArray output;
        QDeadlineTimer deadline(90000);
        while (!output.contains("READY") && !deadline.hasExpired() && process.state() == QProcess::Running) {
            process.waitForReadyRead(200);
            output += process.readAllStandardOutput();
        }
        QVERIFY2(output.contains("READY"), process.readAllStandardError().right(3000).constData());
        process.kill(); // SIGKILL: no chance to clean up
        QVERIFY(process.waitForFinished(20000));
        QCOMPARE(process.exitStatus(), QProcess::CrashExit);
    }

    // Started again: nothing confirmed is lost and SO-1002 resumes at its first open line.
    void resumeAfterKillAndSync()
    {
        Terminal terminal(options(m_terminalData.path()));
        QVERIFY(terminal.start());
        QCOMPARE(terminal.outbox().pendingCount(), 6); // 4 from SO-1001 + 2 picks before the kill
        logIn(terminal);
        MainWindow &window = terminal.window();
        PickingWorkflow &picking = terminal.picking();
        wedge(window, QStringLiteral("SO-1002"));
        QCOMPARE(window.page(), MainWindow::Page::Picking);
        const QList<OrderLineRecord> lines = picking.lines();
        QCOMPARE(line(lines, QStringLiteral("SKU-POCKY"))->picked, 1);
        QCOMPARE(line(lines, QStringLiteral("SKU-E8B"))->picked, 1);
        QCOMPARE(line(lines, QStringLiteral("SKU-GS1"))->picked, 0);
        QCOMPARE(picking.currentLine()->skuCode, QStringLiteral("SKU-GS1"));
        QCOMPARE(picking.step(), PickingWorkflow::Step::ScanLocation); // the unconfirmed bin scan is redone
        wedge(window, QStringLiteral("C-01-01-1"));
        scanImage(terminal, s_gs1Image); // GS1 DataMatrix: GTIN, serial, lot, expiry
        QCOMPARE(picking.step(), PickingWorkflow::Step::OrderDone);
        const auto records = terminal.orders().pickRecords(m_orderIds.value(QStringLiteral("SO-1002")));
        QVERIFY(records);
        bool lotRecorded = false;
        for (const auto &record : *records)
            lotRecorded =
                lotRecorded || (record.lot == QLatin1String(s_gs1Lot) && record.expiry == QLatin1String("2014-11-20"));
        QVERIFY(lotRecorded);
        window.showPage(MainWindow::Page::Packing);
        wedge(window, QStringLiteral("SO-1002"));
        wedge(window, QStringLiteral("A987654321098D")); // NW-7 with start/stop from the wedge
        QCOMPARE(terminal.orders().findByNumber(QStringLiteral("SO-1002"))->state, QStringLiteral("shipped"));

        // SO-1003: only 2 of 3 on the shelf → short pick with a reason.
        window.showPage(MainWindow::Page::Orders);
        wedge(window, QStringLiteral("SO-1003"));
        wedge(window, QStringLiteral("B-01-01-1"));
        scanImage(terminal, s_ean8CImage);
        scanImage(terminal, s_ean8CImage);
        QCOMPARE(picking.pendingQuantity(), 2);
        QVERIFY(picking.shortPick(QStringLiteral("empty_location")));
        QCOMPARE(picking.step(), PickingWorkflow::Step::OrderDone);
        QCOMPARE(terminal.outbox().pendingCount(), 10); // + pick (GS1), pack, ship, short_pick

        // The server comes back on the same addresses; the terminal syncs everything.
        QVERIFY(m_server.start({QStringLiteral("--devices-listen"), QStringLiteral("127.0.0.1:%1").arg(m_devicesPort),
                                QStringLiteral("--api-listen"), QStringLiteral("127.0.0.1:%1").arg(m_apiPort)}));
        QVERIFY(syncUntilClean(terminal));
        auto ops = terminal.outbox().all();
        QVERIFY(ops);
        QCOMPARE(ops->size(), 10);
        QStringList types;
        for (const OutboxEntry &op : *ops) {
            types << op.type;
            QVERIFY2(op.state == OutboxState::Acked, qPrintable(op.type + QStringLiteral(" ") + op.reason));
        }
        QCOMPARE(types, QStringList({QStringLiteral("pick"), QStringLiteral("pick"), QStringLiteral("pack"),
                                     QStringLiteral("ship"), QStringLiteral("pick"), QStringLiteral("pick"),
                                     QStringLiteral("pick"), QStringLiteral("pack"), QStringLiteral("ship"),
                                     QStringLiteral("short_pick")}));
        // A second round sends nothing again.
        QVERIFY(syncUntilClean(terminal));
    }

    // What the server says now, through the api listener.
    void serverHasExactlyWhatTheFloorDid()
    {
        QCOMPARE(serverOrderState(QStringLiteral("SO-1001")), QStringLiteral("shipped"));
        QCOMPARE(serverOrderState(QStringLiteral("SO-1002")), QStringLiteral("shipped"));
        // The short pick: 2 of 3 picked and recorded; the order waits for a supervisor in picking.
        QCOMPARE(serverOrderState(QStringLiteral("SO-1003")), QStringLiteral("picking"));
        const QJsonArray shortLines = serverOrder(QStringLiteral("SO-1003")).value(QStringLiteral("lines")).toArray();
        QCOMPARE(shortLines.size(), 1);
        QCOMPARE(shortLines.at(0).toObject().value(QStringLiteral("picked")).toInteger(), 2);
        QCOMPARE(serverOrderState(QStringLiteral("SO-1004")), QStringLiteral("released"));
        QCOMPARE(serverOrderState(QStringLiteral("SO-1005")), QStringLiteral("released"));
        const auto shippedList = m_server.api("GET", "/api/v1/orders?state=shipped", m_token).json();
        QCOMPARE(shippedList.value(QStringLiteral("orders")).toArray().size(), 2);

        // Exactly two shipments with the scanned tracking numbers.
        QCOMPARE(E2e::databaseCount(m_server, QStringLiteral("SELECT count(*) FROM shipments")), 2);
        QCOMPARE(E2e::databaseCount(
                     m_server,
                     QStringLiteral("SELECT count(*) FROM shipments WHERE order_id = ? AND tracking_number = ?"),
                     {m_orderIds.value(QStringLiteral("SO-1001")), QStringLiteral("123456789012")}),
                 1);
        QCOMPARE(E2e::databaseCount(
                     m_server,
                     QStringLiteral("SELECT count(*) FROM shipments WHERE order_id = ? AND tracking_number = ?"),
                     {m_orderIds.value(QStringLiteral("SO-1002")), QStringLiteral("987654321098")}),
                 1);

        // Stock movements: each pick once; the wrong item (E8B on SO-1001) moved nothing.
        QStringList opIds;
        QCOMPARE(serverMovements(QStringLiteral("SKU-POCKY"), &opIds),
                 QStringList({QStringLiteral("receipt:10:A-01-01-1"), QStringLiteral("pick:-2:A-01-01-1"),
                              QStringLiteral("pick:-1:A-01-01-1")}));
        QCOMPARE(serverMovements(QStringLiteral("SKU-E8A"), &opIds),
                 QStringList({QStringLiteral("receipt:10:A-01-02-1"), QStringLiteral("pick:-1:A-01-02-1")}));
        QCOMPARE(serverMovements(QStringLiteral("SKU-E8B"), &opIds),
                 QStringList({QStringLiteral("receipt:5:A-01-03-1"), QStringLiteral("pick:-1:A-01-03-1")}));
        QCOMPARE(serverMovements(QStringLiteral("SKU-E8C"), &opIds),
                 QStringList({QStringLiteral("receipt:5:B-01-01-1"), QStringLiteral("pick:-2:B-01-01-1")}));
        QCOMPARE(serverMovements(QStringLiteral("SKU-GS1"), &opIds),
                 QStringList({QStringLiteral("receipt:3:C-01-01-1"), QStringLiteral("pick:-1:C-01-01-1")}));
        QCOMPARE(QSet<QString>(opIds.begin(), opIds.end()).size(), opIds.size()); // no op applied twice
        QCOMPARE(serverBalance(QStringLiteral("SKU-POCKY"), QStringLiteral("A-01-01-1")), 7);
        QCOMPARE(serverBalance(QStringLiteral("SKU-E8A"), QStringLiteral("A-01-02-1")), 9);
        QCOMPARE(serverBalance(QStringLiteral("SKU-E8B"), QStringLiteral("A-01-03-1")), 4);
        QCOMPARE(serverBalance(QStringLiteral("SKU-E8C"), QStringLiteral("B-01-01-1")), 3);
        QCOMPARE(serverBalance(QStringLiteral("SKU-GS1"), QStringLiteral("C-01-01-1"), QLatin1String(s_gs1Lot)), 2);
        // Nothing needed a supervisor: no conflicts, no rejected ops.
        QCOMPARE(E2e::databaseCount(m_server, QStringLiteral("SELECT count(*) FROM conflicts")), 0);
    }

    // A second terminal (the real process) enrolls, pulls and sees the new state.
    void secondTerminalSeesTheNewState()
    {
        QTemporaryDir data;
        const QString code = m_server.enrollmentCode(QStringLiteral("TKY1"), QStringLiteral("HT-02"));
        QVERIFY(!code.isEmpty());
        const QByteArray script = QStringLiteral("enroll %1\nexpect-sync online\nexpect-state SO-1001 shipped\n"
                                                 "expect-state SO-1002 shipped\nexpect-state SO-1003 picking\n"
                                                 "expect-picked SO-1003 1 2\nexpect-state SO-1004 released\n"
                                                 "expect-state SO-1005 released\nwedge %2\npin %3\n"
                                                 "expect-page orders\nexpect-pending 0\nquit\n")
                                      .arg(code, s_badge, s_pin)
                                      .toUtf8();
        QByteArray errors;
        const int exitCode = runTerminalScript(data.path(), script, &errors);
        const qsizetype sanitizer = errors.indexOf("Sanitizer");
        QVERIFY2(exitCode == 0, (sanitizer >= 0 ? errors.mid(sanitizer, 8000) : errors.right(4000)).constData());
        QVERIFY(!errors.contains(code.toUtf8())); // the one-time code is never logged
        QCOMPARE(E2e::databaseCount(m_server, QStringLiteral("SELECT count(*) FROM devices")), 3);
    }

    void cleanupTestCase()
    {
        if (m_server.isRunning())
            QVERIFY(m_server.stop());
    }
};

QTEST_MAIN(TestTerminalE2e)
#include "tst_terminal_e2e.moc"
