// The camera's frame → scan path without a camera: QVideoFrames (BGRA, as a camera sink delivers
// them) built from the sample images of ../shared/testdata/barcodes go through
// CameraScanSource::processFrame and come out as the same ScanEvents an image file gives, with
// ScanOrigin::Camera; a code in consecutive frames is reported once (debounce with a fake clock);
// frames arriving while one is decoded are dropped; no camera is a status, never a crash or a
// warning.
#include <QFile>
#include <QFileInfo>
#include <QImage>
#include <QPainter>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTest>
#include <QVideoFrame>
#include <QVideoFrameFormat>

#include "client/scanning/camerascansource.h"
#include "client/scanning/scanrouter.h"
#include "tests/support/testdata.h"

Q_DECLARE_METATYPE(ScanKind)

namespace {

const QString s_jan = QStringLiteral("barcodes/ean-13/ean13-1/26.png"); // JAN 4901780188352
const QString s_ean8 = QStringLiteral("barcodes/ean-8/ean8-1/1.png");
const QString s_gs1Qr = QStringLiteral("barcodes/qrcode/qrcode-2/gs1-figure-4.15.1-2.png");
const QString s_codabar = QStringLiteral("barcodes/codabar/codabar-2/03.jpg"); // NW-7 tracking number

QImage sample(const QString &relative)
{
    return QImage(TestSupport::testDataPath(relative));
}

// The exact text ZXing reads from a sample: X.txt beside X.png (raw UTF-8, GS kept).
QString expectedText(const QString &relative)
{
    const QFileInfo image(TestSupport::testDataPath(relative));
    QFile text(image.path() + QLatin1Char('/') + image.completeBaseName() + QStringLiteral(".txt"));
    return text.open(QIODevice::ReadOnly) ? QString::fromUtf8(text.readAll()) : QString();
}

// A frame as a camera sink hands it over: Format_BGRA8888, bytes B, G, R, A in memory.
QVideoFrame toFrame(const QImage &image)
{
    const QImage argb = image.convertToFormat(QImage::Format_ARGB32);
    QVideoFrame frame(QVideoFrameFormat(argb.size(), QVideoFrameFormat::Format_BGRA8888));
    if (!frame.map(QVideoFrame::WriteOnly))
        return {};
    for (int y = 0; y < argb.height(); ++y) {
        const auto *in = reinterpret_cast<const QRgb *>(argb.constScanLine(y));
        uchar *out = frame.bits(0) + qsizetype(y) * frame.bytesPerLine(0);
        for (int x = 0; x < argb.width(); ++x) {
            out[4 * x] = uchar(qBlue(in[x]));
            out[4 * x + 1] = uchar(qGreen(in[x]));
            out[4 * x + 2] = uchar(qRed(in[x]));
            out[4 * x + 3] = uchar(qAlpha(in[x]));
        }
    }
    frame.unmap();
    return frame;
}

// Two labels in one picture, side by side on white paper.
QImage sideBySide(const QImage &left, const QImage &right)
{
    QImage both(left.width() + right.width() + 60, std::max(left.height(), right.height()) + 40, QImage::Format_RGB32);
    both.fill(Qt::white);
    QPainter painter(&both);
    painter.drawImage(20, 20, left);
    painter.drawImage(left.width() + 40, 20, right);
    return both;
}

QVideoFrame blankFrame()
{
    QImage white(320, 240, QImage::Format_ARGB32);
    white.fill(Qt::white);
    return toFrame(white);
}

QList<CameraScanSource::Camera> noCameras()
{
    return {};
}

// Feeds one frame and waits until it is decoded; the scans it produced.
QList<ScanEvent> feed(CameraScanSource &source, const QVideoFrame &frame)
{
    QSignalSpy scanned(&source, &ScanSource::scanned);
    QSignalSpy decoded(&source, &CameraScanSource::frameDecoded);
    source.processFrame(frame);
    if (!decoded.wait(60000))
        return {ScanEvent{QStringLiteral("timeout"), {}, ScanOrigin::Fake}};
    QList<ScanEvent> events;
    for (const auto &arguments : std::as_const(scanned))
        events.append(arguments.at(0).value<ScanEvent>());
    return events;
}

} // namespace

class TestCameraScanSource : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void framesBecomeScans_data()
    {
        QTest::addColumn<QString>("image");
        QTest::addColumn<QString>("symbology");
        QTest::addColumn<QString>("identifier");
        QTest::addColumn<ScanKind>("kind");
        QTest::newRow("JAN photo") << s_jan << QStringLiteral("EAN-13") << QStringLiteral("]E0") << ScanKind::Item;
        QTest::newRow("Codabar photo") << s_codabar << QStringLiteral("Codabar") << QStringLiteral("]F0")
                                       << ScanKind::Tracking;
        // AI 8101 (a North American coupon): GS1, so ]C1, but nothing a warehouse scans.
        QTest::newRow("GS1-128") << QStringLiteral("barcodes/code128/code128-1/5.png") << QStringLiteral("Code128")
                                 << QStringLiteral("]C1") << ScanKind::Unknown;
        QTest::newRow("GS1 DataMatrix") << QStringLiteral(
                                               "barcodes/datamatrix/datamatrix-1/gs1-figure-4.15.1-2-32x32.png")
                                        << QStringLiteral("DataMatrix") << QStringLiteral("]d2") << ScanKind::Item;
        QTest::newRow("GS1 QR") << QStringLiteral("barcodes/qrcode/qrcode-2/gs1-figure-4.15.1-2.png")
                                << QStringLiteral("QRCode") << QStringLiteral("]Q3") << ScanKind::Item;
    }
    void framesBecomeScans()
    {
        QFETCH(QString, image);
        QFETCH(QString, symbology);
        QFETCH(QString, identifier);
        QFETCH(ScanKind, kind);
        const QString text = expectedText(image);
        QVERIFY(!text.isEmpty());
        CameraScanSource source(nullptr, noCameras);
        const QVideoFrame frame = toFrame(sample(image));
        QVERIFY(frame.isValid());
        const QList<ScanEvent> events = feed(source, frame);
        QCOMPARE(events.size(), 1);
        QCOMPARE(events.at(0).text, identifier + text);
        QCOMPARE(events.at(0).symbology, symbology);
        QCOMPARE(events.at(0).origin, ScanOrigin::Camera);
        QCOMPARE(ScanRouter::classify(events.at(0)).kind, kind);
        QCOMPARE(source.framesDecoded(), 1);
        QCOMPARE(source.framesDropped(), 0);
    }

    // A picker holds a label in view: one scan, however long; blurred frames in between do not
    // repeat it; shown again after it has been out of view for the hold-off, it counts again.
    void codeInViewIsReportedOnce()
    {
        qint64 now = 0;
        CameraScanSource source(nullptr, noCameras);
        source.setClock([&now] { return now; });
        QCOMPARE(source.holdOffMs(), CameraScanSource::defaultHoldOffMs);
        const QVideoFrame jan = toFrame(sample(s_jan));
        const QVideoFrame two = toFrame(sideBySide(sample(s_ean8), sample(s_gs1Qr)));
        const QVideoFrame blank = blankFrame();
        struct Step
        {
            qint64 at;
            const QVideoFrame *frame;
            int reported;
        };
        const Step steps[] = {
            {0, &jan, 1},     // comes into view
            {100, &jan, 0},   // stays
            {200, &blank, 0}, // a blurred frame
            {600, &jan, 0},   // back within the hold-off: the same look, not a new scan
            {2000, &jan, 0},  // held in view longer than the hold-off: still one scan
            {3400, &jan, 0},  {3500, &blank, 0}, {5000, &blank, 0}, // out of view for the hold-off: it has left
            {5100, &jan, 1},                                        // shown again: counts again
            {5200, &two, 2}, // two other labels: each reported once, independently
            {5300, &two, 0},
        };
        for (const Step &step : steps) {
            now = step.at;
            const QList<ScanEvent> events = feed(source, *step.frame);
            QVERIFY2(events.size() == step.reported,
                     qPrintable(QStringLiteral("at %1 ms: %2 scans").arg(step.at).arg(events.size())));
        }
        QCOMPARE(source.framesDecoded(), qint64(std::size(steps)));

        // A stop (the switch, another screen) forgets what was in view.
        source.stop();
        now = 5400;
        QCOMPARE(feed(source, jan).size(), 1);
    }

    // One frame in work; frames arriving meanwhile are dropped, not queued.
    void framesWhileBusyAreDropped()
    {
        CameraScanSource source(nullptr, noCameras);
        QSignalSpy scanned(&source, &ScanSource::scanned);
        QSignalSpy decoded(&source, &CameraScanSource::frameDecoded);
        QSignalSpy dropped(&source, &CameraScanSource::frameDropped);
        const QVideoFrame jan = toFrame(sample(s_jan));
        const QVideoFrame codabar = toFrame(sample(s_codabar));
        source.processFrame(jan);
        QVERIFY(source.isBusy());
        // The result is delivered on this thread's event loop, so the source is still busy here.
        source.processFrame(codabar);
        source.processImage(sample(s_codabar));
        QCOMPARE(dropped.size(), 2);
        QCOMPARE(source.framesDropped(), 2);
        QVERIFY(decoded.wait(60000));
        QVERIFY(!source.isBusy());
        QCOMPARE(scanned.size(), 1);
        QCOMPARE(scanned.at(0).at(0).value<ScanEvent>().symbology, QStringLiteral("EAN-13"));
        QTest::qWait(50);
        QCOMPARE(decoded.size(), 1); // the dropped frames were never decoded

        // Free again: the next frame is taken.
        source.processFrame(codabar);
        QVERIFY(decoded.wait(60000));
        QCOMPARE(scanned.size(), 2);
        QCOMPARE(scanned.at(1).at(0).value<ScanEvent>().symbology, QStringLiteral("Codabar"));
        QCOMPARE(source.framesDecoded(), 2);
    }

    // No camera: a status with words for the operator, no warning on the console, no crash; a
    // listed camera that cannot be opened (unplugged, taken) is an error status the same way.
    void noCameraIsAStatus_data()
    {
        QTest::addColumn<bool>("listed");
        QTest::addColumn<CameraScanSource::Status>("expected");
        QTest::newRow("no camera") << false << CameraScanSource::Status::NoCamera;
        QTest::newRow("camera gone") << true << CameraScanSource::Status::Error;
    }
    void noCameraIsAStatus()
    {
        QFETCH(bool, listed);
        QFETCH(CameraScanSource::Status, expected);
        QList<CameraScanSource::Camera> cameras;
        if (listed)
            cameras.append({QByteArrayLiteral("soko-test-camera-gone"), QStringLiteral("Test camera")});
        if (!listed)
            QTest::failOnWarning(QRegularExpression(QStringLiteral(".*")));
        CameraScanSource source(nullptr, [&cameras] { return cameras; });
        source.setCameraId(listed ? QByteArrayLiteral("soko-test-camera-gone") : QByteArray());
        QCOMPARE(source.hasCamera(), listed);
        QCOMPARE(source.status(), CameraScanSource::Status::Off);
        QSignalSpy status(&source, &CameraScanSource::statusChanged);
        source.start();
        QCOMPARE(source.status(), expected);
        QCOMPARE(status.size(), 1);
        QVERIFY(!source.isOn());
        QVERIFY(!source.statusText().isEmpty());
        source.toggle(); // tried again: same answer, no second camera object
        QCOMPARE(source.status(), expected);
        source.stop();
        QCOMPARE(source.status(), CameraScanSource::Status::Off);
        QVERIFY(source.statusText().isEmpty());
    }

    void cameraListFollowsTheDevices()
    {
        QList<CameraScanSource::Camera> cameras;
        CameraScanSource source(nullptr, [&cameras] { return cameras; });
        QSignalSpy changed(&source, &CameraScanSource::camerasChanged);
        QVERIFY(!source.hasCamera());
        cameras.append({QByteArrayLiteral("usb-1"), QStringLiteral("USB camera")});
        source.refreshCameras();
        QCOMPARE(changed.size(), 1);
        QVERIFY(source.hasCamera());
        QCOMPARE(source.cameras().at(0).description, QStringLiteral("USB camera"));
        source.refreshCameras(); // nothing new: no signal
        QCOMPARE(changed.size(), 1);
        cameras.clear();
        source.refreshCameras();
        QCOMPARE(changed.size(), 2);
        QVERIFY(!source.hasCamera());
    }
};

QTEST_MAIN(TestCameraScanSource)
#include "tst_camerascansource.moc"
