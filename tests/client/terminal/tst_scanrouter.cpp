// ScanRouter: what a scan means (item with GS1 fields, location, badge, order, tracking) and
// that it reaches the active consumer.
#include <QSignalSpy>
#include <QTest>

#include "client/scanning/scanrouter.h"
#include "tests/support/fakescansource.h"

Q_DECLARE_METATYPE(ScanKind)

namespace {
const QString gs = QString(QChar(0x1d));
}

class TestScanRouter : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void classify_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("symbology");
        QTest::addColumn<ScanKind>("kind");
        QTest::addColumn<QString>("code");
        QTest::addColumn<QString>("lot");
        QTest::addColumn<QString>("expiry");
        QTest::addColumn<QString>("serial");

        QTest::newRow("JAN (EAN-13)") << QStringLiteral("4901780188352") << QStringLiteral("EAN-13") << ScanKind::Item
                                      << QStringLiteral("04901780188352") << QString() << QString() << QString();
        QTest::newRow("UPC-A") << QStringLiteral("036000291452") << QString() << ScanKind::Item
                               << QStringLiteral("00036000291452") << QString() << QString() << QString();
        QTest::newRow("EAN-8") << QStringLiteral("96385074") << QString() << ScanKind::Item
                               << QStringLiteral("00000096385074") << QString() << QString() << QString();
        QTest::newRow("ITF-14 with AIM") << QStringLiteral("]I115400141288763") << QString() << ScanKind::Item
                                         << QStringLiteral("15400141288763") << QString() << QString() << QString();
        QTest::newRow("GS1-128 lot expiry") << QStringLiteral("]C10109501101530003") + QStringLiteral("17270331")
                + QStringLiteral("10LOT-7") << QString() << ScanKind::Item << QStringLiteral("09501101530003")
                                            << QStringLiteral("LOT-7") << QStringLiteral("2027-03-31") << QString();
        QTest::newRow("GS1 DataMatrix serial, GS") << QStringLiteral("]d20109501101530003") + QStringLiteral("21ABC123")
                + gs + QStringLiteral("10L1") << QString() << ScanKind::Item << QStringLiteral("09501101530003")
                                              << QStringLiteral("L1") << QString() << QStringLiteral("ABC123");
        QTest::newRow("GS1 wedge, no AIM, leading GS") << gs + QStringLiteral("010950110153000310B2") + gs
                + QStringLiteral("17261200") << QString() << ScanKind::Item << QStringLiteral("09501101530003")
                                             << QStringLiteral("B2") << QStringLiteral("2026-12-31") << QString();
        QTest::newRow("GS1 bracketed HRI") << QStringLiteral("(01)09501101530003(10)X9") << QString() << ScanKind::Item
                                           << QStringLiteral("09501101530003") << QStringLiteral("X9") << QString()
                                           << QString();
        QTest::newRow("SSCC") << QStringLiteral("]C100106141411234567897") << QString() << ScanKind::Container
                              << QStringLiteral("106141411234567897") << QString() << QString() << QString();
        QTest::newRow("GS1 bad check digit") << QStringLiteral("]C10109501101530004") << QString() << ScanKind::Unknown
                                             << QStringLiteral("0109501101530004") << QString() << QString()
                                             << QString();
        QTest::newRow("EAN bad check digit is no item") << QStringLiteral("4901780188353") << QString()
                                                        << ScanKind::Tracking << QStringLiteral("4901780188353")
                                                        << QString() << QString() << QString();
        QTest::newRow("location") << QStringLiteral("A-01-02-1") << QString() << ScanKind::Location
                                  << QStringLiteral("A-01-02-1") << QString() << QString() << QString();
        QTest::newRow("badge") << QStringLiteral("OP-0001") << QString() << ScanKind::Badge << QStringLiteral("OP-0001")
                               << QString() << QString() << QString();
        QTest::newRow("order slip") << QStringLiteral("SO-1001") << QString() << ScanKind::Order
                                    << QStringLiteral("SO-1001") << QString() << QString() << QString();
        QTest::newRow("Codabar tracking with start/stop") << QStringLiteral("A123456789012A") << QString()
                                                          << ScanKind::Tracking << QStringLiteral("123456789012")
                                                          << QString() << QString() << QString();
        QTest::newRow("Codabar by symbology") << QStringLiteral("123456789012") << QStringLiteral("Codabar")
                                              << ScanKind::Tracking << QStringLiteral("123456789012") << QString()
                                              << QString() << QString();
        QTest::newRow("wedge CR LF and blanks trimmed") << QStringLiteral(" A-01-01-1\r\n") << QString()
                                                        << ScanKind::Location << QStringLiteral("A-01-01-1")
                                                        << QString() << QString() << QString();
        QTest::newRow("free text") << QStringLiteral("hello world") << QString() << ScanKind::Unknown
                                   << QStringLiteral("hello world") << QString() << QString() << QString();
    }
    void classify()
    {
        QFETCH(QString, text);
        QFETCH(QString, symbology);
        QFETCH(ScanKind, kind);
        QFETCH(QString, code);
        QFETCH(QString, lot);
        QFETCH(QString, expiry);
        QFETCH(QString, serial);
        const ClassifiedScan scan = ScanRouter::classify(ScanEvent{text, symbology, ScanOrigin::Fake});
        QCOMPARE(int(scan.kind), int(kind));
        QCOMPARE(scan.code, code);
        QCOMPARE(scan.lot, lot);
        QCOMPARE(scan.expiry, expiry);
        QCOMPARE(scan.serial, serial);
        if (kind == ScanKind::Item)
            QCOMPARE(scan.gtin, code);
    }

    void badGs1SaysWhy()
    {
        const ClassifiedScan scan = ScanRouter::classify(ScanEvent{QStringLiteral("]C10109501101530004"), {}, ScanOrigin::Fake});
        QVERIFY(scan.error.contains(QStringLiteral("check digit")));
    }

    void routesToTheActiveConsumer()
    {
        struct Recorder : ScanConsumer
        {
            QList<ClassifiedScan> scans;
            void handleScan(const ClassifiedScan &scan) override { scans.append(scan); }
        };
        ScanRouter router;
        FakeScanSource source;
        router.addSource(&source);
        QSignalSpy unhandled(&router, &ScanRouter::unhandled);
        source.inject(QStringLiteral("A-01-01-1"));
        QCOMPARE(unhandled.size(), 1);
        Recorder first;
        Recorder second;
        router.setConsumer(&first);
        source.inject(QStringLiteral("4901780188352"));
        router.setConsumer(&second);
        source.inject(QStringLiteral("OP-0001"));
        QCOMPARE(first.scans.size(), 1);
        QCOMPARE(first.scans.at(0).gtin, QStringLiteral("04901780188352"));
        QCOMPARE(second.scans.size(), 1);
        QCOMPARE(int(second.scans.at(0).kind), int(ScanKind::Badge));
        QCOMPARE(unhandled.size(), 1);
    }
};

QTEST_GUILESS_MAIN(TestScanRouter)
#include "tst_scanrouter.moc"
