// Image-file scans (ZXing-cpp through the scan branch's ImageDecoder) reach the router as the
// same ScanEvents a wedge produces: a JAN photo becomes an Item with its GTIN-14, a Codabar label a
// tracking number; an unreadable file is an error, not a scan.
#include <QSignalSpy>
#include <QTest>

#include "client/scanning/imagescansource.h"
#include "client/scanning/scanrouter.h"
#include "tests/support/testdata.h"

Q_DECLARE_METATYPE(ScanKind)

class TestImageScanSource : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void imagesBecomeScans_data()
    {
        QTest::addColumn<QString>("image");
        QTest::addColumn<ScanKind>("kind");
        QTest::addColumn<QString>("code");
        QTest::newRow("JAN photo") << QStringLiteral("barcodes/ean-13/ean13-1/26.png") << ScanKind::Item
                                   << QStringLiteral("04901780188352");
        QTest::newRow("Codabar") << QStringLiteral("barcodes/codabar/codabar-2/03.jpg") << ScanKind::Tracking
                                 << QStringLiteral("0944416895273");
    }
    void imagesBecomeScans()
    {
        QFETCH(QString, image);
        QFETCH(ScanKind, kind);
        QFETCH(QString, code);
        ImageScanSource source;
        ScanRouter router;
        router.addSource(&source);
        QSignalSpy routed(&router, &ScanRouter::routed);
        const auto found = source.scanFile(TestSupport::testDataPath(image));
        QVERIFY2(found, found ? "" : found.error().message.c_str());
        QVERIFY(*found >= 1);
        bool seen = false;
        for (const auto &arguments : routed) {
            const auto scan = arguments.at(0).value<ClassifiedScan>();
            seen = seen || (scan.kind == kind && scan.code == code && scan.event.origin == ScanOrigin::Image);
        }
        QVERIFY(seen);
    }

    void missingFileIsAnError()
    {
        ImageScanSource source;
        QSignalSpy scanned(&source, &ScanSource::scanned);
        QVERIFY(!source.scanFile(QStringLiteral("/nonexistent/label.png")));
        QCOMPARE(scanned.size(), 0);
    }
};

QTEST_GUILESS_MAIN(TestImageScanSource)
#include "tst_imagescansource.moc"
