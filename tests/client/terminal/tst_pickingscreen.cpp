// The assembled terminal (composition root, MainWindow, real wedge source) offscreen: a scanner
// burst typed into the focused keypad field is a scan, not digits in the field; the picking
// screen follows the workflow and can be grabbed for the docs.
#include <QDir>
#include <QLabel>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QTest>

#include "client/app/mainwindow.h"
#include "client/app/terminal.h"
#include "client/storage/orderrepository.h"
#include "client/workflows/loginworkflow.h"
#include "client/workflows/pickingworkflow.h"

class TestPickingScreen : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void wedgeScansDrivePickingScreen()
    {
        QTemporaryDir folder;
        TerminalOptions options;
        options.dataDirectory = folder.path();
        options.importFile = QStringLiteral(SOKO_SOURCE_DIR "/tests/client/terminal/data/warehouse.json");
        options.noSync = true;
        options.muted = true;
        options.wedgeGapMs = 80;
        Terminal terminal(options);
        QVERIFY(terminal.start());
        MainWindow &window = terminal.window();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QCOMPARE(window.page(), MainWindow::Page::Login);

        auto scan = [&window](const QString &text) {
            QWidget *target = window.focusWidget() ? window.focusWidget() : &window;
            QTest::keyClicks(target, text);
            QTest::keyClick(target, Qt::Key_Return);
        };
        scan(QStringLiteral("OP-0001"));
        QCOMPARE(terminal.login().step(), LoginWorkflow::Step::EnterPin);
        QTest::keyClicks(window.focusWidget(), QStringLiteral("2468"), Qt::NoModifier, 120); // a person typing
        QTest::qWait(150);
        QTest::keyClick(window.focusWidget(), Qt::Key_Return);
        QTRY_COMPARE(window.page(), MainWindow::Page::Orders);

        scan(QStringLiteral("SO-1001"));
        QCOMPARE(window.page(), MainWindow::Page::Picking);
        auto *keypad = window.pageWidget(MainWindow::Page::Picking)->findChild<QSpinBox *>();
        QVERIFY(keypad);
        scan(QStringLiteral("A-01-01-1"));
        QCOMPARE(terminal.picking().step(), PickingWorkflow::Step::ScanItem);
        keypad->setFocus();
        QTRY_VERIFY(keypad->hasFocus());
        scan(QStringLiteral("4901780188352"));
        scan(QStringLiteral("4901780188352"));
        QCOMPARE(terminal.picking().pendingQuantity(), 2);
        QCOMPARE(keypad->value(), 2); // shows the count; the digits of the burst never reached it
        QTest::qWait(200);
        QCOMPARE(keypad->value(), 2);

        const QImage shot = window.grab().toImage();
        QCOMPARE(shot.size(), window.size());
        const QString path = QString::fromLocal8Bit(qgetenv("SOKO_BUILD_DIR")) + QStringLiteral("/picking-screen.png");
        QVERIFY(shot.save(path));
        bool locationShown = false;
        for (QLabel *label : window.pageWidget(MainWindow::Page::Picking)->findChildren<QLabel *>())
            locationShown = locationShown || label->text() == QStringLiteral("A-01-01-1");
        QVERIFY(locationShown);

        scan(QStringLiteral("4901780188352")); // third: the line confirms itself
        QCOMPARE(terminal.orders().pickList(1001)->at(0).picked, 3);

        // Idle lock in the middle of the order: the PIN brings the same operator back to it.
        terminal.login().setIdleTimeout(100);
        QTRY_COMPARE_WITH_TIMEOUT(window.page(), MainWindow::Page::Login, 3000);
        scan(QStringLiteral("A-01-02-1")); // scans while locked go to the login, not the order
        QCOMPARE(terminal.picking().step(), PickingWorkflow::Step::ScanLocation);
        terminal.login().setIdleTimeout(60000);
        terminal.login().enterBadge(QStringLiteral("OP-0001"));
        QVERIFY(terminal.login().submitPin(QStringLiteral("2468")));
        QCOMPARE(window.page(), MainWindow::Page::Picking);
        QCOMPARE(terminal.picking().currentLine()->skuCode, QStringLiteral("SKU-RICE"));
    }
};

QTEST_MAIN(TestPickingScreen)
#include "tst_pickingscreen.moc"
