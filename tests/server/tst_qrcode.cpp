#include <QRegularExpression>
#include <QTest>

#include <algorithm>

#include <ZXing/ReadBarcode.h>

#include "server/auth/qrcode.h"

using namespace Server::Auth;

namespace {

QString qs(std::string_view text)
{
    return QString::fromUtf8(text.data(), static_cast<qsizetype>(text.size()));
}

// What our SVG draws, read back with a small parser of its own shape (viewBox + rects).
struct Drawing
{
    int side = 0;
    std::vector<std::uint8_t> dark; // side × side modules, 1 = dark
    bool quietZoneClear = true;
};

Drawing parseSvg(const std::string &svgText)
{
    Drawing drawing;
    const QString svg = qs(svgText);
    const auto box = QRegularExpression(QStringLiteral(R"re(viewBox="0 0 (\d+) (\d+)")re")).match(svg);
    if (!box.hasMatch() || box.captured(1) != box.captured(2))
        return drawing;
    drawing.side = box.captured(1).toInt();
    drawing.dark.assign(static_cast<std::size_t>(drawing.side * drawing.side), 0);
    const QRegularExpression rect(
        QStringLiteral(R"re(<rect x="(\d+)" y="(\d+)" width="(\d+)" height="(\d+)" fill="#000000"/>)re"));
    for (const QRegularExpressionMatch &match : rect.globalMatch(svg)) {
        const int x = match.captured(1).toInt();
        const int y = match.captured(2).toInt();
        const int width = match.captured(3).toInt();
        const int height = match.captured(4).toInt();
        const int quiet = kQrQuietZoneModules;
        if (x < quiet || y < quiet || x + width > drawing.side - quiet || y + height > drawing.side - quiet)
            drawing.quietZoneClear = false;
        for (int row = y; row < std::min(y + height, drawing.side); ++row) {
            for (int column = x; column < std::min(x + width, drawing.side); ++column)
                drawing.dark[static_cast<std::size_t>(row * drawing.side + column)] = 1;
        }
    }
    return drawing;
}

// Rasterises the drawing at `scale` pixels per module (8-bit grey, black on white) and decodes it.
ZXing::Result decode(const Drawing &drawing, int scale)
{
    const int pixels = drawing.side * scale;
    std::vector<std::uint8_t> image(static_cast<std::size_t>(pixels * pixels), 0xFF);
    for (int y = 0; y < pixels; ++y) {
        for (int x = 0; x < pixels; ++x) {
            if (drawing.dark[static_cast<std::size_t>((y / scale) * drawing.side + x / scale)])
                image[static_cast<std::size_t>(y * pixels + x)] = 0x00;
        }
    }
    ZXing::DecodeHints hints;
    hints.setFormats(ZXing::BarcodeFormat::QRCode);
    return ZXing::ReadBarcode(ZXing::ImageView(image.data(), pixels, pixels, ZXing::ImageFormat::Lum), hints);
}

} // namespace

// Enrollment QR codes (REQUIREMENTS.md §3.4, §5.2) of server/auth/qrcode.h, read back with ZXing.
class TestQrCode : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void decodesBack_data()
    {
        QTest::addColumn<QString>("text");
        QTest::newRow("otpauth URI") << QStringLiteral(
            "otpauth://totp/Soko:alice%40example.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
            "&issuer=Soko&algorithm=SHA1&digits=6&period=30");
        QTest::newRow("one character") << QStringLiteral("A");
        QTest::newRow("japanese") << QStringLiteral("\u5009\u5eab\u306e\u68da");
        QTest::newRow("1024 bytes") << QString(1024, QLatin1Char('z'));
    }
    void decodesBack()
    {
        QFETCH(QString, text);
        const std::string utf8 = text.toStdString();
        const auto svg = qrCodeSvg(utf8);
        QVERIFY2(svg, svg ? "" : svg.error().message.c_str());
        const Drawing drawing = parseSvg(*svg);
        QVERIFY(drawing.side >= 21 + 2 * kQrQuietZoneModules);
        QVERIFY(drawing.quietZoneClear); // 4 light modules all around (ISO/IEC 18004 §6.3.8)
        const ZXing::Result result = decode(drawing, 4);
        QVERIFY2(result.isValid(), ZXing::ToString(result.error()).c_str());
        QCOMPARE(result.format(), ZXing::BarcodeFormat::QRCode);
        QCOMPARE(qs(result.text()), text);
        QCOMPARE(qs(result.ecLevel()), QStringLiteral("M"));
        // ASCII (every otpauth URI, being percent-encoded) carries no ECI header, which some phone
        // scanners mishandle; other text is marked UTF-8 by ECI.
        const bool ascii = std::all_of(utf8.begin(), utf8.end(), [](char c) { return (c & 0x80) == 0; });
        QCOMPARE(result.hasECI(), !ascii);
    }

    void svgIsSelfContained()
    {
        const auto svg = qrCodeSvg("otpauth://totp/Soko:bob?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Soko");
        QVERIFY(svg);
        QVERIFY(svg->starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        QVERIFY(svg->ends_with("</svg>"));
        // Only <svg> and <rect> elements: no script, no links, no event handlers, no text (CSP §5.2).
        const QRegularExpression element(QStringLiteral("<([a-zA-Z]+)"));
        for (const QRegularExpressionMatch &match : element.globalMatch(qs(*svg))) {
            const QString name = match.captured(1);
            QVERIFY2(name == QStringLiteral("svg") || name == QStringLiteral("rect"), qPrintable(name));
        }
        for (const char *forbidden : {"script", "href", "on", "style", "image", "foreignObject"})
            QVERIFY2(svg->find(std::string(" ") + forbidden) == std::string::npos &&
                         svg->find(std::string("<") + forbidden) == std::string::npos,
                     forbidden);
        // The URI (and its secret) exists only as modules, never as text in the markup.
        QVERIFY(svg->find("otpauth") == std::string::npos);
        QVERIFY(svg->find("GEZDG") == std::string::npos);
    }

    void refusesBadInput()
    {
        const auto empty = qrCodeSvg("");
        QVERIFY(!empty);
        QCOMPARE(empty.error().code, Common::ErrorCode::InvalidInput);
        const auto tooLong = qrCodeSvg(std::string(kQrMaxTextBytes + 1, 'z'));
        QVERIFY(!tooLong);
        QCOMPARE(tooLong.error().code, Common::ErrorCode::TooLarge);
    }
};

QTEST_GUILESS_MAIN(TestQrCode)
#include "tst_qrcode.moc"
