#include <map>
#include <string>
#include <vector>

#include <QFile>
#include <QImage>
#include <QPainter>
#include <QTemporaryDir>
#include <QTest>
#include <QTransform>

#include "client/scanning/imagedecoder.h"
#include "tests/support/barcodemanifest.h"
#include "tests/support/testdata.h"

using Client::Scanning::DecodeOptions;
using Client::Scanning::ImageDecoder;
using Client::Scanning::Scan;

namespace {

using ManifestRow = TestSupport::BarcodeManifestRow;
using TestSupport::alsoPresentTexts;

QString withoutExtension(const QString &path)
{
    return path.left(path.lastIndexOf(QLatin1Char('.')));
}

// key=value lines of X.result.txt (comments and blank lines skipped).
std::map<QString, QString> readResultTxt(const QString &path)
{
    std::map<QString, QString> keys;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return keys;
    for (const QByteArray &raw : file.readAll().split('\n')) {
        const QString line = QString::fromUtf8(raw).trimmed();
        if (line.isEmpty() || line.startsWith(QLatin1Char('#')))
            continue;
        const qsizetype equals = line.indexOf(QLatin1Char('='));
        if (equals > 0)
            keys[line.left(equals)] = line.mid(equals + 1);
    }
    return keys;
}

// A synthetic EAN-13 drawn pixel by pixel (so this test does not depend on
// the label writer): module widths from the EAN-13 L/G/R tables.
QImage drawEan13(int moduleWidth, int dark, int light, const std::string &digits = "4901780188352")
{
    static const char *left[10][2] = {{"0001101", "0100111"}, {"0011001", "0110011"}, {"0010011", "0011011"},
                                      {"0111101", "0100001"}, {"0100011", "0011101"}, {"0110001", "0111001"},
                                      {"0101111", "0000101"}, {"0111011", "0010001"}, {"0110111", "0001001"},
                                      {"0001011", "0010111"}};
    static const char *right[10] = {"1110010", "1100110", "1101100", "1000010", "1011100",
                                    "1001110", "1010000", "1000100", "1001000", "1110100"};
    static const char *parity[10] = {"LLLLLL", "LLGLGG", "LLGGLG", "LLGGGL", "LGLLGG",
                                     "LGGLLG", "LGGGLL", "LGLGLG", "LGLGGL", "LGGLGL"};
    std::string modules = "101";
    const int first = digits[0] - '0';
    for (int i = 1; i <= 6; ++i)
        modules += left[digits[size_t(i)] - '0'][parity[first][i - 1] == 'G' ? 1 : 0];
    modules += "01010";
    for (int i = 7; i <= 12; ++i)
        modules += right[digits[size_t(i)] - '0'];
    modules += "101";
    const int quiet = 12 * moduleWidth;
    QImage image(int(modules.size()) * moduleWidth + 2 * quiet, 60 * moduleWidth, QImage::Format_Grayscale8);
    image.fill(light);
    for (size_t i = 0; i < modules.size(); ++i) {
        if (modules[i] != '1')
            continue;
        for (int y = 4 * moduleWidth; y < image.height() - 4 * moduleWidth; ++y)
            for (int x = 0; x < moduleWidth; ++x)
                image.scanLine(y)[quiet + int(i) * moduleWidth + x] = uchar(dark);
    }
    return image;
}

// "FORMAT:text" of each scan, readable in QCOMPARE failures.
QStringList texts(const std::vector<Scan> &scans)
{
    QStringList out;
    for (const Scan &scan : scans)
        out << QString::fromStdString(scan.format + ":" + scan.text);
    return out;
}

} // namespace

class TestImageDecoder : public QObject
{
    Q_OBJECT

private:
    std::map<QString, std::pair<int, int>> m_found; // format -> (found, total)
    std::map<QString, std::pair<int, int>> m_foundAny;

private Q_SLOTS:
    void manifestIsComplete()
    {
        const std::vector<ManifestRow> rows = TestSupport::readBarcodeManifest();
        // The README announces 99 images; a shorter list would silently shrink the coverage.
        QCOMPARE(int(rows.size()), 99);
        for (const ManifestRow &row : rows)
            QVERIFY2(QFile::exists(TestSupport::testDataPath(QStringLiteral("barcodes/") + row.relativePath)),
                     qPrintable(row.relativePath));
    }

    void sampleImage_data()
    {
        QTest::addColumn<QString>("relativePath");
        QTest::addColumn<QString>("format");
        QTest::addColumn<bool>("decodesWith140");
        QTest::addColumn<QString>("symbologyIdentifier140");
        QTest::addColumn<QString>("contentType140");
        QTest::addColumn<QString>("notes");
        for (const ManifestRow &row : TestSupport::readBarcodeManifest())
            QTest::newRow(qPrintable(row.relativePath))
                << row.relativePath << row.format << row.decodesWith140 << row.symbologyIdentifier140
                << row.contentType140 << row.notes;
    }

    // Every sample image: with its expected format looked for (as a workflow would), no barcode of
    // that format may carry another text than the .txt file (except the second barcode the README
    // lists for multi-barcode images), and what ZXing 1.4.0 reads we must read too.
    void sampleImage()
    {
        QFETCH(QString, relativePath);
        QFETCH(QString, format);
        QFETCH(bool, decodesWith140);
        QFETCH(QString, symbologyIdentifier140);
        QFETCH(QString, contentType140);
        QFETCH(QString, notes);

        const QString imagePath = TestSupport::testDataPath(QStringLiteral("barcodes/") + relativePath);
        QFile expectedFile(withoutExtension(imagePath) + QStringLiteral(".txt"));
        QVERIFY(expectedFile.open(QIODevice::ReadOnly));
        const QByteArray expected = expectedFile.readAll();

        const std::vector<QByteArray> alsoPresent = alsoPresentTexts(notes, format);

        DecodeOptions options;
        options.formats = {format.toStdString()};
        const auto scans = ImageDecoder(options).decodeFile(imagePath);
        QVERIFY2(scans.has_value(), scans ? "" : scans.error().describe().c_str());

        const Scan *hit = nullptr;
        for (const Scan &scan : *scans) {
            QCOMPARE(QString::fromStdString(scan.format), format);
            const QByteArray text = QByteArray::fromStdString(scan.text);
            if (text == expected) {
                hit = &scan;
                continue;
            }
            const bool known = std::find(alsoPresent.begin(), alsoPresent.end(), text) != alsoPresent.end();
            QVERIFY2(known, qPrintable(QStringLiteral("MISREAD %1: got '%2', expected '%3'")
                                           .arg(relativePath, QString::fromUtf8(text), QString::fromUtf8(expected))));
        }
        auto &count = m_found[format];
        ++count.second;
        if (hit)
            ++count.first;
        if (decodesWith140)
            QVERIFY2(hit, "ZXing-cpp 1.4.0 reads this image; so must we");
        if (!hit)
            return;

        QCOMPARE(QString::fromStdString(hit->symbologyIdentifier), symbologyIdentifier140);
        QCOMPARE(QString::fromStdString(hit->contentType), contentType140);
        QCOMPARE(hit->gs1, contentType140 == QLatin1String("GS1"));
        const auto keys = readResultTxt(withoutExtension(imagePath) + QStringLiteral(".result.txt"));
        for (const auto &[key, value] : keys) {
            if (key == QLatin1String("symbologyIdentifier"))
                QCOMPARE(QString::fromStdString(hit->symbologyIdentifier), value);
            else if (key == QLatin1String("contentType"))
                QCOMPARE(QString::fromStdString(hit->contentType), value);
            else if (key == QLatin1String("ecLevel"))
                QCOMPARE(QString::fromStdString(hit->ecLevel), value);
            else if (key == QLatin1String("isMirrored"))
                QCOMPARE(hit->mirrored ? QStringLiteral("true") : QStringLiteral("false"), value);
            else
                QFAIL(qPrintable(QStringLiteral("unchecked key in result.txt: ") + key));
        }
        // The position is a real quadrilateral inside the image.
        const QImage image(imagePath);
        for (const QPoint &corner : hit->position) {
            QVERIFY(corner.x() >= -2 && corner.x() <= image.width() + 2);
            QVERIFY(corner.y() >= -2 && corner.y() <= image.height() + 2);
        }
        QVERIFY(hit->position[0] != hit->position[2]);
    }

    // The same images with every format enabled: still no misread in the expected format.
    void sampleImageAnyFormat_data() { sampleImage_data(); }
    void sampleImageAnyFormat()
    {
        QFETCH(QString, relativePath);
        QFETCH(QString, format);
        QFETCH(QString, notes);
        const QString imagePath = TestSupport::testDataPath(QStringLiteral("barcodes/") + relativePath);
        QFile expectedFile(withoutExtension(imagePath) + QStringLiteral(".txt"));
        QVERIFY(expectedFile.open(QIODevice::ReadOnly));
        const QByteArray expected = expectedFile.readAll();
        const std::vector<QByteArray> alsoPresent = alsoPresentTexts(notes, format);
        const auto scans = ImageDecoder(DecodeOptions::anyFormat()).decodeFile(imagePath);
        QVERIFY(scans.has_value());
        bool found = false;
        for (const Scan &scan : *scans) {
            if (QString::fromStdString(scan.format) != format)
                continue;
            const QByteArray text = QByteArray::fromStdString(scan.text);
            found = found || text == expected;
            const bool known = std::find(alsoPresent.begin(), alsoPresent.end(), text) != alsoPresent.end();
            QVERIFY2(text == expected || known,
                     qPrintable(QStringLiteral("MISREAD %1: %2").arg(relativePath, QString::fromUtf8(text))));
        }
        auto &count = m_foundAny[format];
        ++count.second;
        if (found)
            ++count.first;
    }

    void readRates()
    {
        // Runs after the data-driven tests above (QtTest keeps declaration order).
        QVERIFY(!m_found.empty());
        int found = 0;
        int total = 0;
        for (const auto &[format, count] : m_found) {
            qInfo("read rate %-10s %2d/%2d (expected format only)   %2d/%2d (every format enabled)", qPrintable(format),
                  count.first, count.second, m_foundAny[format].first, m_foundAny[format].second);
            found += count.first;
            total += count.second;
        }
        qInfo("read rate total      %d/%d", found, total);
        QCOMPARE(total, 99);
    }

    // A product scan never reports the false UPC-E that ZXing sees inside this EAN-13.
    void productScanHasNoUpcE()
    {
        const QString path = TestSupport::testDataPath(QStringLiteral("barcodes/ean-13/ean13-4/06.png"));
        const auto product = ImageDecoder(DecodeOptions::product()).decodeFile(path);
        QVERIFY(product.has_value());
        QCOMPARE(texts(*product), QStringList{QStringLiteral("EAN-13:9780441014989")});
        DecodeOptions upce;
        upce.formats = {"UPC-E"};
        const auto onlyUpcE = ImageDecoder(upce).decodeFile(path);
        QVERIFY(onlyUpcE.has_value());
        // Why the preset matters: asked for UPC-E, ZXing does find one in this EAN-13.
        QCOMPARE(texts(*onlyUpcE), QStringList{QStringLiteral("UPC-E:17804419")});
    }

    // A product scan takes ITF only as ITF-14 (a 10-digit ITF may be a partial read of one).
    void productScanItf14Only()
    {
        const QString tenDigits = TestSupport::testDataPath(QStringLiteral("barcodes/itf/itf-1/3.png"));
        const auto product = ImageDecoder(DecodeOptions::product()).decodeFile(tenDigits);
        QVERIFY(product.has_value());
        QCOMPARE(texts(*product), QStringList());
        const auto shipping = ImageDecoder(DecodeOptions::shipping()).decodeFile(tenDigits);
        QVERIFY(shipping.has_value());
        QCOMPARE(texts(*shipping), QStringList{QStringLiteral("ITF:0053611912")});
        const auto itf14 = ImageDecoder(DecodeOptions::product())
                               .decodeFile(TestSupport::testDataPath(QStringLiteral("barcodes/itf/itf-1/1.png")));
        QVERIFY(itf14.has_value());
        QCOMPARE(texts(*itf14), QStringList{QStringLiteral("ITF:30712345000010")});
    }

    // Linear symbols are read one at a time and painted out; stacked symbols with a narrow gap (as
    // on a GS1 logistic label) must all survive the painting of their neighbours.
    void allBarcodesOfAnImage()
    {
        const std::vector<std::string> jans = {"4901780188352", "4512345678906", "4987654321094", "9784872348880"};
        std::vector<QImage> symbols;
        for (const std::string &jan : jans)
            symbols.push_back(drawEan13(2, 0, 255, jan));
        const int gap = 6;
        QImage sheet(symbols[0].width() * 2, (symbols[0].height() + gap) * 2, QImage::Format_Grayscale8);
        sheet.fill(255);
        {
            QPainter painter(&sheet);
            for (size_t i = 0; i < symbols.size(); ++i)
                painter.drawImage(int(i % 2) * symbols[0].width(), int(i / 2) * (symbols[0].height() + gap),
                                  symbols[i]);
        }
        const auto scans = ImageDecoder(DecodeOptions::product()).decode(sheet);
        QVERIFY(scans.has_value());
        QStringList found = texts(*scans);
        found.sort();
        QStringList expected;
        for (const std::string &jan : jans)
            expected << QStringLiteral("EAN-13:") + QString::fromStdString(jan);
        expected.sort();
        QCOMPARE(found, expected);
        for (const Scan &scan : *scans)
            QVERIFY(sheet.rect().contains(scan.position[0]) && sheet.rect().contains(scan.position[2]));
    }

    // 35.png is one physical EAN-13; ZXing 1.4's ReadBarcodes() also reports 7034759003930 from
    // rows through its left half (the README lists it as a second barcode). Reading one symbol at a
    // time and painting it out leaves only the real one.
    void oneSymbolOneResult()
    {
        const QString path = TestSupport::testDataPath(QStringLiteral("barcodes/ean-13/ean13-1/35.png"));
        const auto scans = ImageDecoder(DecodeOptions::product()).decodeFile(path);
        QVERIFY(scans.has_value());
        QCOMPARE(texts(*scans), QStringList{QStringLiteral("EAN-13:5030159003930")});
    }

    void gs1ParserInput_data()
    {
        QTest::addColumn<QString>("relativePath");
        QTest::addColumn<QString>("prefix");
        QTest::newRow("GS1-128") << QStringLiteral("code128/code128-1/5.png") << QStringLiteral("]C1");
        QTest::newRow("GS1 DataMatrix") << QStringLiteral("datamatrix/datamatrix-1/gs1-figure-4.15.1-2-32x32.png")
                                        << QStringLiteral("]d2");
        QTest::newRow("GS1 DMRE ]d8 -> ]d2")
            << QStringLiteral("datamatrix/datamatrix-4/gs1-figure-4.15.1-2-44x20.png") << QStringLiteral("]d2");
        QTest::newRow("GS1 QR") << QStringLiteral("qrcode/qrcode-2/gs1-figure-4.15.1-2.png") << QStringLiteral("]Q3");
        QTest::newRow("plain Code128") << QStringLiteral("code128/code128-1/2.png") << QStringLiteral("]C0");
        QTest::newRow("EAN-13") << QStringLiteral("ean-13/ean13-1/26.png") << QStringLiteral("]E0");
    }

    void gs1ParserInput()
    {
        QFETCH(QString, relativePath);
        QFETCH(QString, prefix);
        const auto scans = ImageDecoder(DecodeOptions::anyFormat())
                               .decodeFile(TestSupport::testDataPath(QStringLiteral("barcodes/") + relativePath));
        QVERIFY(scans.has_value());
        QVERIFY(!scans->empty());
        const Scan &scan = scans->front();
        QCOMPARE(QString::fromStdString(scan.parserInput()), prefix + scan.qtext());
        QCOMPARE(scan.gs1, prefix.startsWith(QLatin1String("]C1")) || prefix == QLatin1String("]d2") ||
                               prefix == QLatin1String("]Q3"));
        // The element string never starts with the FNC1/GS that announced it.
        QVERIFY(!scan.text.empty() && scan.text.front() != '\x1d');
    }

    void gtinCheckDigit_data()
    {
        QTest::addColumn<QString>("digits");
        QTest::addColumn<bool>("valid");
        QTest::newRow("JAN") << QStringLiteral("4901780188352") << true;
        QTest::newRow("JAN bad check") << QStringLiteral("4901780188353") << false;
        QTest::newRow("EAN-8") << QStringLiteral("48512343") << true;
        QTest::newRow("EAN-8 bad") << QStringLiteral("48512342") << false;
        QTest::newRow("UPC-A") << QStringLiteral("036602301467") << true;
        QTest::newRow("GTIN-14") << QStringLiteral("30712345000010") << true;
        QTest::newRow("GTIN-14 bad") << QStringLiteral("30712345000011") << false;
        QTest::newRow("11 digits") << QStringLiteral("03660230146") << false;
        QTest::newRow("letters") << QStringLiteral("49017801883A2") << false;
        QTest::newRow("empty") << QString() << false;
    }

    void gtinCheckDigit()
    {
        QFETCH(QString, digits);
        QFETCH(bool, valid);
        QCOMPARE(Client::Scanning::hasValidGtinCheckDigit(digits.toStdString()), valid);
    }

    void formatList_data()
    {
        QTest::addColumn<QString>("list");
        QTest::addColumn<QString>("canonical"); // empty: an error
        QTest::newRow("names") << QStringLiteral("ean13,QRCode, code-128") << QStringLiteral("EAN-13,QRCode,Code128");
        QTest::newRow("duplicates") << QStringLiteral("ean-8,EAN8") << QStringLiteral("EAN-8");
        QTest::newRow("unknown") << QStringLiteral("ean13,jan") << QString();
        QTest::newRow("empty") << QStringLiteral(" , ") << QString();
    }

    void formatList()
    {
        QFETCH(QString, list);
        QFETCH(QString, canonical);
        const auto names = Client::Scanning::parseFormatList(list.toStdString());
        if (canonical.isEmpty()) {
            QVERIFY(!names.has_value());
            QCOMPARE(names.error().code, Common::ErrorCode::InvalidInput);
            return;
        }
        QVERIFY(names.has_value());
        QStringList joined;
        for (const std::string &name : *names)
            joined << QString::fromStdString(name);
        QCOMPARE(joined.join(QLatin1Char(',')), canonical);
    }

    // Harder pictures of the same synthetic JAN: rotated, faint, tiny, with transparency.
    void hardImages_data()
    {
        QTest::addColumn<QImage>("image");
        const QImage clean = drawEan13(3, 0, 255);
        QTest::newRow("clean") << clean;
        QTest::newRow("rotated 90") << clean.transformed(QTransform().rotate(90));
        QTest::newRow("rotated 180") << clean.transformed(QTransform().rotate(180));
        QImage tilted(clean.width() + 200, clean.height() + 200, QImage::Format_Grayscale8);
        tilted.fill(255);
        {
            QPainter painter(&tilted);
            painter.setRenderHint(QPainter::SmoothPixmapTransform);
            painter.translate(tilted.width() / 2.0, tilted.height() / 2.0);
            painter.rotate(12);
            painter.drawImage(-clean.width() / 2, -clean.height() / 2, clean);
        }
        QTest::newRow("tilted 12 degrees") << tilted;
        QTest::newRow("low contrast") << drawEan13(3, 120, 150);
        QTest::newRow("thin modules") << drawEan13(1, 0, 255);
        QImage transparent(clean.size(), QImage::Format_ARGB32);
        transparent.fill(Qt::transparent);
        for (int y = 0; y < clean.height(); ++y)
            for (int x = 0; x < clean.width(); ++x)
                if (qGray(clean.pixel(x, y)) == 0)
                    transparent.setPixel(x, y, qRgba(0, 0, 0, 255));
        QTest::newRow("black on transparent") << transparent;
    }

    void hardImages()
    {
        QFETCH(QImage, image);
        const auto scans = ImageDecoder(DecodeOptions::product()).decode(image);
        QVERIFY(scans.has_value());
        QCOMPARE(texts(*scans), QStringList{QStringLiteral("EAN-13:4901780188352")});
    }

    // Two identical labels in one photo: reported once, and no abort (Debian's libZXing 1.4 asserts
    // in ReadBarcodes() on two linear symbols with the same content; see readImage()).
    // The second chance (contrast stretch, other binariser, rescale) on real photos spoiled the way
    // warehouse photos are: grey levels squashed into 118..130 (faded thermal print, glare), or a
    // close-up whose bars are blurred over many pixels.
    void enhancePasses_data()
    {
        QTest::addColumn<QString>("relativePath");
        QTest::addColumn<int>("spoil"); // 0: squash contrast, 1: six times larger
        QTest::addColumn<QString>("expected");
        QTest::newRow("faint JAN") << QStringLiteral("ean-13/ean13-1/26.png") << 0
                                   << QStringLiteral("EAN-13:4901780188352");
        QTest::newRow("faint UPC-A") << QStringLiteral("upca/upca-2/14.png") << 0
                                     << QStringLiteral("UPC-A:051000000675");
        QTest::newRow("faint QR") << QStringLiteral("qrcode/qrcode-2/#1314.jpg") << 0
                                  << QStringLiteral("QRCode:ehjfjoijewofijweoijfoiwejfoiwejfoi");
        QTest::newRow("blurred close-up UPC-A")
            << QStringLiteral("upca/upca-2/14.png") << 1 << QStringLiteral("UPC-A:051000000675");
    }

    void enhancePasses()
    {
        QFETCH(QString, relativePath);
        QFETCH(int, spoil);
        QFETCH(QString, expected);
        QImage image = QImage(TestSupport::testDataPath(QStringLiteral("barcodes/") + relativePath))
                           .convertToFormat(QImage::Format_Grayscale8);
        QVERIFY(!image.isNull());
        if (spoil == 0) {
            for (int y = 0; y < image.height(); ++y) {
                uchar *line = image.scanLine(y);
                for (int x = 0; x < image.width(); ++x)
                    line[x] = uchar(118 + line[x] * 12 / 255);
            }
        } else {
            image = image.scaled(image.width() * 6, image.height() * 6);
        }
        DecodeOptions options = DecodeOptions::product();
        options.enhancePasses = false;
        const auto plain = ImageDecoder(options).decode(image);
        QVERIFY(plain.has_value());
        // ZXing 1.4 alone does not read these, which is why the passes exist.
        QCOMPARE(texts(*plain), QStringList());
        options.enhancePasses = true;
        const auto enhanced = ImageDecoder(options).decode(image);
        QVERIFY(enhanced.has_value());
        QCOMPARE(texts(*enhanced), QStringList{expected});
    }

    void duplicatesAreReportedOnce()
    {
        const QImage one = drawEan13(2, 0, 255);
        QImage two(one.width() * 2, one.height(), QImage::Format_Grayscale8);
        two.fill(255);
        {
            QPainter painter(&two);
            painter.drawImage(0, 0, one);
            painter.drawImage(one.width(), 0, one);
        }
        const auto scans = ImageDecoder(DecodeOptions::product()).decode(two);
        QVERIFY(scans.has_value());
        QCOMPARE(texts(*scans), QStringList{QStringLiteral("EAN-13:4901780188352")});
    }

    void nothingFound()
    {
        QImage blank(400, 300, QImage::Format_Grayscale8);
        blank.fill(200);
        const auto scans = ImageDecoder(DecodeOptions::anyFormat()).decode(blank);
        QVERIFY(scans.has_value());
        QVERIFY(scans->empty());
    }

    void badInput()
    {
        const ImageDecoder decoder;
        const auto nullImage = decoder.decode(QImage());
        QVERIFY(!nullImage.has_value());
        QCOMPARE(nullImage.error().code, Common::ErrorCode::InvalidInput);

        const auto missing = decoder.decodeFile(QStringLiteral("/nonexistent/label.png"));
        QVERIFY(!missing.has_value());
        QCOMPARE(missing.error().code, Common::ErrorCode::Io);

        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        QFile text(dir.filePath(QStringLiteral("label.png")));
        QVERIFY(text.open(QIODevice::WriteOnly));
        text.write("this is not a PNG\n");
        text.close();
        const auto notImage = decoder.decodeFile(text.fileName());
        QVERIFY(!notImage.has_value());
        QCOMPARE(notImage.error().code, Common::ErrorCode::InvalidInput);

        DecodeOptions wrong;
        wrong.formats = {"NotAFormat"};
        const auto unknown = ImageDecoder(wrong).decode(drawEan13(2, 0, 255));
        QVERIFY(!unknown.has_value());
        QCOMPARE(unknown.error().code, Common::ErrorCode::InvalidInput);
    }
};

QTEST_GUILESS_MAIN(TestImageDecoder)
#include "tst_imagedecoder.moc"
