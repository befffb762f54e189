#include <QFile>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include "tests/support/testdata.h"

// Runs the real soko-scan binary (SOKO_SCAN_BINARY, from $<TARGET_FILE:soko-scan>) and checks its
// JSON lines and exit codes.
namespace {

struct Run
{
    int exitCode = -1;
    QList<QJsonObject> lines;
    QByteArray standardError;
    QString problem; // non-empty when the process misbehaved (crash, timeout, non-JSON line)
};

Run runScan(const QStringList &arguments)
{
    Run run;
    QProcess process;
    process.setProgram(QStringLiteral(SOKO_SCAN_BINARY));
    process.setArguments(arguments);
    process.start();
    if (!process.waitForFinished(120000)) {
        process.kill();
        process.waitForFinished();
        run.problem = QStringLiteral("timeout or failed to start: ") + process.errorString();
        return run;
    }
    if (process.exitStatus() != QProcess::NormalExit) {
        run.problem = QStringLiteral("crashed: ") + QString::fromUtf8(process.readAllStandardError());
        return run;
    }
    run.exitCode = process.exitCode();
    run.standardError = process.readAllStandardError();
    for (const QByteArray &line : process.readAllStandardOutput().split('\n')) {
        if (line.isEmpty())
            continue;
        QJsonParseError error;
        const QJsonDocument document = QJsonDocument::fromJson(line, &error);
        if (error.error != QJsonParseError::NoError || !document.isObject()) {
            run.problem = QStringLiteral("not a JSON object line: ") + QString::fromUtf8(line);
            return run;
        }
        run.lines.append(document.object());
    }
    return run;
}

QString sample(const char *relative)
{
    return TestSupport::testDataPath(QStringLiteral("barcodes/") + QLatin1String(relative));
}

// "a.b" looks into nested objects; a missing key gives an undefined value.
QJsonValue valueAt(const QJsonObject &object, const QString &path)
{
    QJsonValue value = object;
    for (const QString &key : path.split(QLatin1Char('.'))) {
        bool isIndex = false;
        const int index = key.toInt(&isIndex);
        value = isIndex && value.isArray() ? value.toArray().at(index) : value.toObject().value(key);
    }
    return value;
}

// Expected fields as "key=value" (nested with '.'); value "null" means JSON null, "*" means present.
void checkFields(const QJsonObject &line, const QStringList &expected)
{
    for (const QString &field : expected) {
        const qsizetype equals = field.indexOf(QLatin1Char('='));
        const QString key = field.left(equals);
        const QString want = field.mid(equals + 1);
        const QJsonValue got = valueAt(line, key);
        const QString context =
            key + QStringLiteral(" in ") + QString::fromUtf8(QJsonDocument(line).toJson(QJsonDocument::Compact));
        if (want == QLatin1String("null"))
            QVERIFY2(got.isNull(), qPrintable(context));
        else if (want == QLatin1String("*"))
            QVERIFY2(!got.isUndefined(), qPrintable(context));
        else if (want == QLatin1String("absent"))
            QVERIFY2(got.isUndefined(), qPrintable(context));
        else
            QVERIFY2(got.toVariant().toString() == want, qPrintable(context + QStringLiteral(", want ") + want));
    }
}

} // namespace

class TestSokoScan : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QVERIFY2(QFile::exists(QStringLiteral(SOKO_SCAN_BINARY)), SOKO_SCAN_BINARY);
    }

    void decodeSamples_data()
    {
        QTest::addColumn<QString>("image");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QStringList>("fields");
        QTest::newRow("JAN photo") << sample("ean-13/ean13-1/26.png") << 0
                                   << QStringList{
                                          QStringLiteral("format=EAN-13"),       QStringLiteral("symbology=]E0"),
                                          QStringLiteral("text=4901780188352"),  QStringLiteral("gs1=null"),
                                          QStringLiteral("gtin=04901780188352"), QStringLiteral("productFormat=JAN")};
        QTest::newRow("GS1 DataMatrix") << sample("datamatrix/datamatrix-1/gs1-figure-4.15.1-2-32x32.png") << 0
                                        << QStringList{QStringLiteral("format=DataMatrix"),
                                                       QStringLiteral("symbology=]d2"),
                                                       QStringLiteral("gs1.gtin=09504000059101"),
                                                       QStringLiteral("gs1.lot=1234567p"),
                                                       QStringLiteral("gs1.serial=12345678p901"),
                                                       QStringLiteral("gs1.expiry=2014-11-20"),
                                                       QStringLiteral("gs1.error=absent")};
        QTest::newRow("GS1 QR") << sample("qrcode/qrcode-2/gs1-figure-4.15.1-2.png") << 0
                                << QStringList{QStringLiteral("format=QRCode"), QStringLiteral("symbology=]Q3"),
                                               QStringLiteral("gs1.gtin=09504000059101"),
                                               QStringLiteral("gs1.expiry=2014-11-20")};
        // Flagged GS1 by the symbol but no valid AI data: the line says why, exit 1.
        QTest::newRow("bad GS1-128") << sample("code128/code128-1/1.png") << 1
                                     << QStringList{QStringLiteral("symbology=]C1"), QStringLiteral("text=168901"),
                                                    QStringLiteral("gs1.error=*"),
                                                    QStringLiteral("gs1.code=bad_length"),
                                                    QStringLiteral("gs1.position=*")};
        QTest::newRow("Codabar") << sample("codabar/codabar-1/01.png") << 0
                                 << QStringList{QStringLiteral("format=Codabar"), QStringLiteral("text=1234567890"),
                                                QStringLiteral("gs1=null"), QStringLiteral("gtin=absent")};
        QTest::newRow("Japanese QR") << sample("qrcode/qrcode-2/31.png") << 0
                                     << QStringList{
                                            QStringLiteral("format=QRCode"),
                                            QString::fromUtf8("text=今度のバージョンでは文章の暗号化ができます。")};
        QTest::newRow("ISO 15434 DataMatrix")
            << sample("datamatrix/datamatrix-3/dm-e.jpg") << 0
            << QStringList{QStringLiteral("contentType=ISO15434"), QStringLiteral("gs1=null")};
    }

    void decodeSamples()
    {
        QFETCH(QString, image);
        QFETCH(int, exitCode);
        QFETCH(QStringList, fields);
        const Run run = runScan({QStringLiteral("decode"), image});
        QVERIFY2(run.problem.isEmpty(), qPrintable(run.problem));
        QCOMPARE(run.exitCode, exitCode);
        QCOMPARE(run.lines.size(), 1);
        QCOMPARE(run.lines[0].value(QStringLiteral("file")).toString(), image);
        QCOMPARE(run.lines[0].value(QStringLiteral("corners")).toArray().size(), 4);
        checkFields(run.lines[0], fields);
    }

    // GS travels as \u001d in the JSON text, as the .txt file has it raw.
    void decodeKeepsGroupSeparator()
    {
        const QString image = sample("datamatrix/datamatrix-1/gs1-figure-4.15.1-2-32x32.png");
        QProcess process;
        process.start(QStringLiteral(SOKO_SCAN_BINARY), {QStringLiteral("decode"), image});
        QVERIFY(process.waitForFinished(120000));
        const QByteArray output = process.readAllStandardOutput();
        QVERIFY2(output.contains("12345678p901\\u001d101234567p\\u001d17141120"), output.constData());
        QFile expected(image.left(image.lastIndexOf(QLatin1Char('.'))) + QStringLiteral(".txt"));
        QVERIFY(expected.open(QIODevice::ReadOnly));
        const QJsonObject line = QJsonDocument::fromJson(output.trimmed()).object();
        QCOMPARE(line.value(QStringLiteral("text")).toString().toUtf8(), expected.readAll());
    }

    void formatsOption()
    {
        const QString image = sample("ean-13/ean13-4/06.png");
        const Run byDefault = runScan({QStringLiteral("decode"), image});
        QVERIFY2(byDefault.problem.isEmpty(), qPrintable(byDefault.problem));
        QCOMPARE(byDefault.lines.size(), 1);
        QCOMPARE(byDefault.lines[0].value(QStringLiteral("format")).toString(), QStringLiteral("EAN-13"));
        const Run upcE =
            runScan({QStringLiteral("decode"), QStringLiteral("--formats"), QStringLiteral("upce"), image});
        QVERIFY2(upcE.problem.isEmpty(), qPrintable(upcE.problem));
        QCOMPARE(upcE.exitCode, 0);
        QCOMPARE(upcE.lines.size(), 1);
        QCOMPARE(upcE.lines[0].value(QStringLiteral("format")).toString(), QStringLiteral("UPC-E"));
        const Run qrOnly = runScan({QStringLiteral("decode"), QStringLiteral("--formats=QRCode"), image});
        QCOMPARE(qrOnly.exitCode, 1);
        QCOMPARE(qrOnly.lines.size(), 1);
        QCOMPARE(qrOnly.lines[0].value(QStringLiteral("error")).toString(), QStringLiteral("no barcode found"));
        const Run bogus =
            runScan({QStringLiteral("decode"), QStringLiteral("--formats"), QStringLiteral("jan"), image});
        QCOMPARE(bogus.exitCode, 2);
        QVERIFY(bogus.lines.isEmpty());
        QVERIFY(bogus.standardError.contains("unknown barcode format 'jan'"));
    }

    void decodeBadInput()
    {
        const QString missing = m_dir.filePath(QStringLiteral("missing.png"));
        const QString notImage = m_dir.filePath(QStringLiteral("notes.png"));
        {
            QFile file(notImage);
            QVERIFY(file.open(QIODevice::WriteOnly));
            file.write("not a picture\n");
        }
        const QString blank = m_dir.filePath(QStringLiteral("blank.png"));
        QImage white(300, 200, QImage::Format_Grayscale8);
        white.fill(255);
        QVERIFY(white.save(blank));
        const QString good = sample("ean-8/ean8-1/1.png");

        const Run run = runScan({QStringLiteral("decode"), missing, notImage, blank, good});
        QVERIFY2(run.problem.isEmpty(), qPrintable(run.problem));
        QCOMPARE(run.exitCode, 1);
        QCOMPARE(run.lines.size(), 4); // one line per image, the good one is not lost
        checkFields(run.lines[0],
                    {QStringLiteral("file=") + missing, QStringLiteral("code=io"), QStringLiteral("error=*")});
        checkFields(run.lines[1], {QStringLiteral("file=") + notImage, QStringLiteral("code=invalid_input")});
        checkFields(run.lines[2], {QStringLiteral("file=") + blank, QStringLiteral("error=no barcode found")});
        checkFields(run.lines[3],
                    {QStringLiteral("file=") + good, QStringLiteral("text=48512343"), QStringLiteral("error=absent")});
    }

    // make-label draws, decode reads back exactly what was drawn.
    void labelRoundTrip_data()
    {
        QTest::addColumn<QString>("format");
        QTest::addColumn<QString>("text");
        QTest::addColumn<QStringList>("fields");
        QTest::newRow("JAN") << QStringLiteral("EAN-13") << QStringLiteral("4901780188352")
                             << QStringList{QStringLiteral("format=EAN-13"), QStringLiteral("text=4901780188352"),
                                            QStringLiteral("gtin=04901780188352")};
        QTest::newRow("JAN without check digit") << QStringLiteral("EAN-13") << QStringLiteral("490178018835")
                                                 << QStringList{QStringLiteral("text=4901780188352")};
        QTest::newRow("EAN-8") << QStringLiteral("EAN-8") << QStringLiteral("49123456")
                               << QStringList{QStringLiteral("format=EAN-8"), QStringLiteral("gtin=00000049123456")};
        QTest::newRow("UPC-A") << QStringLiteral("UPC-A") << QStringLiteral("036602301467")
                               << QStringList{QStringLiteral("format=UPC-A"), QStringLiteral("text=036602301467")};
        QTest::newRow("ITF-14") << QStringLiteral("ITF") << QStringLiteral("14912345678901")
                                << QStringList{QStringLiteral("format=ITF"), QStringLiteral("gtin=14912345678901")};
        QTest::newRow("Code128") << QStringLiteral("Code128") << QStringLiteral("SOKO-LOC-A01-02")
                                 << QStringList{QStringLiteral("symbology=]C0"), QStringLiteral("gs1=null")};
        QTest::newRow("NW-7 tracking") << QStringLiteral("Codabar") << QStringLiteral("A123456789012B")
                                       << QStringList{QStringLiteral("format=Codabar"),
                                                      QStringLiteral("text=123456789012")};
        QTest::newRow("QR kanji") << QStringLiteral("QRCode") << QString::fromUtf8("倉庫 A-01 棚")
                                  << QStringList{QString::fromUtf8("text=倉庫 A-01 棚")};
        QTest::newRow("DataMatrix") << QStringLiteral("DataMatrix") << QStringLiteral("LOC-A01-02")
                                    << QStringList{QStringLiteral("format=DataMatrix"), QStringLiteral("gs1=null")};
        QTest::newRow("GS1-128 product") << QStringLiteral("GS1-128")
                                         << QStringLiteral("(01)04912345678904(17)260131(10)LOT42(21)SN0001")
                                         << QStringList{QStringLiteral("symbology=]C1"),
                                                        QStringLiteral("gs1.gtin=04912345678904"),
                                                        QStringLiteral("gs1.expiry=2026-01-31"),
                                                        QStringLiteral("gs1.lot=LOT42"),
                                                        QStringLiteral("gs1.serial=SN0001")};
        QTest::newRow("GS1-128 SSCC") << QStringLiteral("GS1-128") << QStringLiteral("(00)349123450000000010")
                                      << QStringList{QStringLiteral("gs1.sscc=349123450000000010"),
                                                     QStringLiteral("text=00349123450000000010")};
        QTest::newRow("GS1-128 from element string")
            << QStringLiteral("GS1-128")
            << QStringLiteral("0104912345678904"
                              "10LOT\\x1d3710")
            << QStringList{QStringLiteral("gs1.lot=LOT"), QStringLiteral("gs1.count=10")};
    }

    void labelRoundTrip()
    {
        QFETCH(QString, format);
        QFETCH(QString, text);
        QFETCH(QStringList, fields);
        const QString out =
            m_dir.filePath(QString::fromLatin1(QTest::currentDataTag()).replace(QLatin1Char(' '), QLatin1Char('_')) +
                           QStringLiteral(".png"));
        const Run made = runScan({QStringLiteral("make-label"), format, text, out});
        QVERIFY2(made.problem.isEmpty(), qPrintable(made.problem));
        QCOMPARE(made.exitCode, 0);
        QCOMPARE(made.lines.size(), 1);
        QVERIFY(QImage(out).width() > 0);
        const QString drawnText = made.lines[0].value(QStringLiteral("text")).toString();

        const Run read = runScan({QStringLiteral("decode"), QStringLiteral("--formats"), QStringLiteral("any"), out});
        QVERIFY2(read.problem.isEmpty(), qPrintable(read.problem));
        QCOMPARE(read.exitCode, 0);
        QCOMPARE(read.lines.size(), 1);
        QCOMPARE(read.lines[0].value(QStringLiteral("text")).toString(), drawnText);
        QCOMPARE(read.lines[0].value(QStringLiteral("format")).toString(),
                 made.lines[0].value(QStringLiteral("format")).toString());
        checkFields(read.lines[0], fields);
    }

    void makeLabelErrors_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<QString>("code");
        QTest::newRow("bad check digit") << QStringList{QStringLiteral("EAN-13"), QStringLiteral("4901780188353")}
                                         << QStringLiteral("invalid_input");
        QTest::newRow("GS1 DataMatrix") << QStringList{QStringLiteral("GS1-DataMatrix"),
                                                       QStringLiteral("(01)04912345678904")}
                                        << QStringLiteral("invalid_input");
        QTest::newRow("unknown format") << QStringList{QStringLiteral("NW7X"), QStringLiteral("123")}
                                        << QStringLiteral("invalid_input");
        QTest::newRow("malformed GS1") << QStringList{QStringLiteral("GS1-128"), QStringLiteral("(01)04912345678905")}
                                       << QStringLiteral("bad_check_digit");
        QTest::newRow("empty text") << QStringList{QStringLiteral("QRCode"), QString()}
                                    << QStringLiteral("invalid_input");
        QTest::newRow("kanji in Code128")
            << QStringList{QStringLiteral("Code128"), QString::fromUtf8("倉庫")} << QStringLiteral("invalid_input");
    }

    void makeLabelErrors()
    {
        QFETCH(QStringList, arguments);
        QFETCH(QString, code);
        const QString out = m_dir.filePath(QStringLiteral("refused.png"));
        QFile::remove(out);
        const Run run = runScan(QStringList{QStringLiteral("make-label")} + arguments + QStringList{out});
        QVERIFY2(run.problem.isEmpty(), qPrintable(run.problem));
        QCOMPARE(run.exitCode, 1);
        QCOMPARE(run.lines.size(), 1);
        QCOMPARE(run.lines[0].value(QStringLiteral("code")).toString(), code);
        QVERIFY(!run.lines[0].value(QStringLiteral("error")).toString().isEmpty());
        QVERIFY(!QFile::exists(out));
    }

    void makeLabelUnwritableOutput()
    {
        const Run run = runScan({QStringLiteral("make-label"), QStringLiteral("EAN-8"), QStringLiteral("49123456"),
                                 m_dir.filePath(QStringLiteral("no/such/folder/label.png"))});
        QCOMPARE(run.exitCode, 1);
        QCOMPARE(run.lines.size(), 1);
        QCOMPARE(run.lines[0].value(QStringLiteral("code")).toString(), QStringLiteral("io"));
    }

    void parseText_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QStringList>("fields");
        QTest::newRow("GS1-128 with AIM and \\x1d")
            << QStringList{QStringLiteral("]C10104912345678904\\x1d10ABC")} << 0
            << QStringList{QStringLiteral("kind=gs1"), QStringLiteral("symbology=]C1"),
                           QStringLiteral("gs1.gtin=04912345678904"), QStringLiteral("gs1.lot=ABC"),
                           QStringLiteral("text=]C10104912345678904\x1d"
                                          "10ABC")};
        QTest::newRow("\\u001d escape") << QStringList{QStringLiteral("]d2010491234567890410A1\\u001d17280229")} << 0
                                        << QStringList{QStringLiteral("gs1.lot=A1"),
                                                       QStringLiteral("gs1.expiry=2028-02-29")};
        QTest::newRow("real GS character")
            << QStringList{QStringLiteral("010491234567890410A\x1d"
                                          "3712")}
            << 0 << QStringList{QStringLiteral("kind=gs1"), QStringLiteral("gs1.count=12")};
        QTest::newRow("bracketed") << QStringList{QStringLiteral("(01)04912345678904(17)271231(10)L1")} << 0
                                   << QStringList{QStringLiteral("gs1.expiry=2027-12-31"),
                                                  QStringLiteral("gs1.hri=(01)04912345678904(17)271231(10)L1")};
        QTest::newRow("decimals") << QStringList{QStringLiteral("(01)04912345678904(3103)001250")} << 0
                                  << QStringList{QStringLiteral("gs1.elements.1.ai=3103"),
                                                 QStringLiteral("gs1.elements.1.value=001250"),
                                                 QStringLiteral("gs1.elements.1.decimals=3"),
                                                 QStringLiteral("gs1.elements.0.decimals=absent")};
        QTest::newRow("gs substitute") << QStringList{QStringLiteral("--gs-substitute"), QStringLiteral("|"),
                                                      QStringLiteral("010491234567890410AB|21X")}
                                       << 0
                                       << QStringList{QStringLiteral("gs1.lot=AB"), QStringLiteral("gs1.serial=X")};
        QTest::newRow("JAN") << QStringList{QStringLiteral("4901780188352")} << 0
                             << QStringList{QStringLiteral("kind=gtin"), QStringLiteral("gtin=04901780188352"),
                                            QStringLiteral("productFormat=JAN"), QStringLiteral("gs1=null")};
        QTest::newRow("EAN-8") << QStringList{QStringLiteral("49123456")} << 0
                               << QStringList{QStringLiteral("gtin=00000049123456"),
                                              QStringLiteral("productFormat=EAN-8")};
        QTest::newRow("UPC-A") << QStringList{QStringLiteral("036602301467")} << 0
                               << QStringList{QStringLiteral("gtin=00036602301467"),
                                              QStringLiteral("productFormat=UPC-A")};
        QTest::newRow("EAN with AIM, bad check digit")
            << QStringList{QStringLiteral("]E04901780188353")} << 1
            << QStringList{QStringLiteral("code=bad_check_digit"), QStringLiteral("position=15")};
        QTest::newRow("tracking number") << QStringList{QStringLiteral("A123456789012B")} << 0
                                         << QStringList{QStringLiteral("kind=text"), QStringLiteral("gs1=null"),
                                                        QStringLiteral("error=absent")};
        QTest::newRow("empty") << QStringList{QString()} << 1
                               << QStringList{QStringLiteral("error=empty text"), QStringLiteral("code=invalid_input")};
        QTest::newRow("malformed GS1: check digit")
            << QStringList{QStringLiteral("]C10104912345678905")} << 1
            << QStringList{QStringLiteral("gs1.code=bad_check_digit"), QStringLiteral("gs1.position=*")};
        QTest::newRow("malformed GS1: unknown AI") << QStringList{QStringLiteral("(01)04912345678904(89)12")} << 1
                                                   << QStringList{QStringLiteral("gs1.error=*")};
        QTest::newRow("malformed GS1: date") << QStringList{QStringLiteral("(01)04912345678904(17)261301")} << 1
                                             << QStringList{QStringLiteral("gs1.code=bad_date")};
        QTest::newRow("bad escape") << QStringList{QStringLiteral("0104912345678904\\x1")} << 1
                                    << QStringList{QStringLiteral("code=invalid_input"), QStringLiteral("position=16")};
        QTest::newRow("not GS1 symbology") << QStringList{QStringLiteral("]C0SOKO-1")} << 0
                                           << QStringList{QStringLiteral("kind=text"), QStringLiteral("gs1=null")};
    }

    void parseText()
    {
        QFETCH(QStringList, arguments);
        QFETCH(int, exitCode);
        QFETCH(QStringList, fields);
        const Run run = runScan(QStringList{QStringLiteral("parse")} + arguments);
        QVERIFY2(run.problem.isEmpty(), qPrintable(run.problem));
        QCOMPARE(run.exitCode, exitCode);
        QCOMPARE(run.lines.size(), 1);
        QCOMPARE(run.lines[0].value(QStringLiteral("input")).toString(), arguments.last());
        checkFields(run.lines[0], fields);
    }

    // Several texts: one line each; one bad text makes the exit code 1 but loses no other line.
    void parseSeveral()
    {
        const Run run = runScan({QStringLiteral("parse"), QStringLiteral("4901780188352"),
                                 QStringLiteral("(01)04912345678905"), QStringLiteral("(00)349123450000000010")});
        QVERIFY2(run.problem.isEmpty(), qPrintable(run.problem));
        QCOMPARE(run.exitCode, 1);
        QCOMPARE(run.lines.size(), 3);
        checkFields(run.lines[0], {QStringLiteral("kind=gtin")});
        checkFields(run.lines[1], {QStringLiteral("gs1.code=bad_check_digit")});
        checkFields(run.lines[2], {QStringLiteral("gs1.sscc=349123450000000010")});
    }

    // A text over the 4096-byte limit (here 100 KiB; one argument may be at most 128 KiB) is refused
    // with its length, not echoed back whole.
    void parseTooLong()
    {
        const QString huge(100 * 1024, QLatin1Char('7'));
        const Run run = runScan({QStringLiteral("parse"), huge});
        QVERIFY2(run.problem.isEmpty(), qPrintable(run.problem));
        QCOMPARE(run.exitCode, 1);
        QCOMPARE(run.lines.size(), 1);
        checkFields(run.lines[0], {QStringLiteral("code=too_large")});
        QCOMPARE(run.lines[0].value(QStringLiteral("input_length")).toInt(), huge.size());
        QVERIFY(run.lines[0].value(QStringLiteral("input")).toString().size() <= 65);
    }

    void usage_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<int>("exitCode");
        QTest::newRow("nothing") << QStringList{} << 2;
        QTest::newRow("unknown command") << QStringList{QStringLiteral("scan"), QStringLiteral("x.png")} << 2;
        QTest::newRow("decode without image") << QStringList{QStringLiteral("decode")} << 2;
        QTest::newRow("make-label missing output")
            << QStringList{QStringLiteral("make-label"), QStringLiteral("EAN-8"), QStringLiteral("49123456")} << 2;
        QTest::newRow("unknown option") << QStringList{QStringLiteral("--frobnicate"), QStringLiteral("parse"),
                                                       QStringLiteral("1")}
                                        << 2;
        QTest::newRow("two-character substitute")
            << QStringList{QStringLiteral("parse"), QStringLiteral("--gs-substitute"), QStringLiteral("ab"),
                           QStringLiteral("1")}
            << 2;
        QTest::newRow("help") << QStringList{QStringLiteral("--help")} << 0;
    }

    void usage()
    {
        QFETCH(QStringList, arguments);
        QFETCH(int, exitCode);
        QProcess process;
        process.start(QStringLiteral(SOKO_SCAN_BINARY), arguments);
        QVERIFY(process.waitForFinished(60000));
        QCOMPARE(process.exitStatus(), QProcess::NormalExit);
        QCOMPARE(process.exitCode(), exitCode);
        // The usage text names all three commands, on stdout for --help and on stderr otherwise.
        const QByteArray text = exitCode == 0 ? process.readAllStandardOutput() : process.readAllStandardError();
        QVERIFY(text.contains("decode") && text.contains("parse") && text.contains("make-label"));
    }
};

QTEST_GUILESS_MAIN(TestSokoScan)
#include "tst_sokoscan.moc"
