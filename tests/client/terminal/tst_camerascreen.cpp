// The camera in the assembled terminal (composition root, MainWindow, offscreen): without a
// camera no screen shows a camera switch and nothing is said; with one, every scanning screen
// has the switch and the status screen the choice of camera, which is remembered; a camera that
// cannot be opened is explained in the status bar; camera frames drive the picking screen like a
// wedge scan, once per label in view.
#include <QApplication>
#include <QComboBox>
#include <QImage>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QTest>

#include "client/app/mainwindow.h"
#include "client/app/terminal.h"
#include "client/scanning/camerascansource.h"
#include "client/scanning/scriptscansource.h"
#include "client/views/camerabutton.h"
#include "client/views/theme.h"
#include "client/workflows/loginworkflow.h"
#include "client/workflows/pickingworkflow.h"
#include "tests/support/testdata.h"

namespace {

const MainWindow::Page s_scanningPages[] = {MainWindow::Page::Login, MainWindow::Page::Orders,
                                            MainWindow::Page::Picking, MainWindow::Page::Packing};

TerminalOptions options(const QString &folder)
{
    TerminalOptions result;
    result.dataDirectory = folder;
    result.importFile = QStringLiteral(SOKO_SOURCE_DIR "/tests/client/terminal/data/warehouse.json");
    result.noSync = true;
    result.muted = true;
    return result;
}

CameraButton *cameraButton(MainWindow &window, MainWindow::Page page)
{
    const QList<CameraButton *> buttons = window.pageWidget(page)->findChildren<CameraButton *>();
    return buttons.size() == 1 ? buttons.first() : nullptr;
}

bool logIn(Terminal &terminal)
{
    terminal.login().enterBadge(QStringLiteral("OP-0001"));
    return terminal.login().submitPin(QStringLiteral("2468"));
}

} // namespace

class TestCameraScreen : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        Theme::apply(*qApp); // the handheld look, as soko-terminal's main() sets it
    }

    void noCameraNoSwitch()
    {
        QTest::failOnWarning(QRegularExpression(QStringLiteral("camera|Camera|multimedia|Multimedia")));
        QTemporaryDir folder;
        Terminal terminal(options(folder.path()));
        terminal.setCameraLister([] { return QList<CameraScanSource::Camera>(); });
        QVERIFY(terminal.start());
        MainWindow &window = terminal.window();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QVERIFY(terminal.camera());
        QVERIFY(!terminal.camera()->hasCamera());
        QVERIFY(logIn(terminal));
        for (MainWindow::Page page : s_scanningPages) {
            window.showPage(page);
            CameraButton *button = cameraButton(window, page);
            QVERIFY(button);
            QVERIFY(!button->isVisible());
        }
        window.showPage(MainWindow::Page::Status);
        auto *choice =
            window.pageWidget(MainWindow::Page::Status)->findChild<QComboBox *>(QStringLiteral("cameraChoice"));
        QVERIFY(choice);
        QVERIFY(!choice->isVisible());
        QVERIFY(window.statusBar()->currentMessage().isEmpty()); // nothing to say, nothing said
        QCOMPARE(terminal.camera()->status(), CameraScanSource::Status::Off);
    }

    void cameraSwitchOnScanningScreens()
    {
        QTemporaryDir folder;
        QList<CameraScanSource::Camera> cameras{
            {QByteArrayLiteral("soko-test-camera-1"), QStringLiteral("Rear camera")},
            {QByteArrayLiteral("soko-test-camera-2"), QStringLiteral("Front camera")}};
        Terminal terminal(options(folder.path()));
        terminal.setCameraLister([&cameras] { return cameras; });
        QVERIFY(terminal.start());
        MainWindow &window = terminal.window();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QVERIFY(logIn(terminal));
        for (MainWindow::Page page : s_scanningPages) {
            window.showPage(page);
            CameraButton *button = cameraButton(window, page);
            QVERIFY(button);
            QVERIFY(button->isVisible());
            QVERIFY(button->height() >= 64); // a gloved finger's target
            QVERIFY(!button->isChecked());
        }

        // The choice of camera lives on the status screen and is remembered.
        window.showPage(MainWindow::Page::Status);
        auto *choice =
            window.pageWidget(MainWindow::Page::Status)->findChild<QComboBox *>(QStringLiteral("cameraChoice"));
        QVERIFY(choice);
        QVERIFY(choice->isVisible());
        QCOMPARE(choice->count(), 3); // the system's default, then each camera
        QCOMPARE(choice->itemText(2), QStringLiteral("Front camera"));
        choice->setCurrentIndex(2);
        Q_EMIT choice->activated(2);
        QCOMPARE(terminal.camera()->cameraId(), QByteArrayLiteral("soko-test-camera-2"));
        QCOMPARE(Terminal::cameraSetting(folder.path()), QByteArrayLiteral("soko-test-camera-2"));

        // These cameras exist only in the list: opening one fails, and the operator is told.
        window.showPage(MainWindow::Page::Picking);
        CameraButton *button = cameraButton(window, MainWindow::Page::Picking);
        QTest::mouseClick(button, Qt::LeftButton);
        QCOMPARE(terminal.camera()->status(), CameraScanSource::Status::Error);
        QVERIFY(!button->isChecked());
        QVERIFY(!window.statusBar()->currentMessage().isEmpty());
        QCOMPARE(window.statusBar()->currentMessage(), terminal.camera()->statusText());

        // Unplugged: the switches go away when the next screen shows; plugged in, they are back.
        const QList<CameraScanSource::Camera> plugged = cameras;
        cameras.clear();
        window.showPage(MainWindow::Page::Orders);
        QVERIFY(!cameraButton(window, MainWindow::Page::Orders)->isVisible());
        QVERIFY(!button->isVisibleTo(window.pageWidget(MainWindow::Page::Picking)));
        cameras = plugged;
        window.showPage(MainWindow::Page::Picking);
        QVERIFY(button->isVisible());
    }

    // Frames from the camera reach the picking workflow through the router like any scan; the
    // apple juice label held in view counts once.
    void cameraFramesDrivePicking()
    {
        QTemporaryDir folder;
        Terminal terminal(options(folder.path()));
        terminal.setCameraLister([] { return QList<CameraScanSource::Camera>(); });
        QVERIFY(terminal.start());
        QVERIFY(logIn(terminal));
        QVERIFY(terminal.window().openOrder(1001));
        terminal.scriptSource().inject(QStringLiteral("A-01-01-1"));
        QCOMPARE(terminal.picking().step(), PickingWorkflow::Step::ScanItem);
        CameraScanSource &camera = *terminal.camera();
        QSignalSpy decoded(&camera, &CameraScanSource::frameDecoded);
        const QImage jan(TestSupport::testDataPath(QStringLiteral("barcodes/ean-13/ean13-1/26.png"))); // 4901780188352
        QVERIFY(!jan.isNull());
        camera.processImage(jan);
        QVERIFY(decoded.wait(60000));
        QCOMPARE(terminal.picking().pendingQuantity(), 1);
        camera.processImage(jan); // still in view
        QVERIFY(decoded.wait(60000));
        QCOMPARE(terminal.picking().pendingQuantity(), 1);
    }
};

QTEST_MAIN(TestCameraScreen)
#include "tst_camerascreen.moc"
