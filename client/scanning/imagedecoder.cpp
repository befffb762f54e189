#include "client/scanning/imagedecoder.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <stdexcept>

#include <ZXing/BarcodeFormat.h>
#include <ZXing/DecodeHints.h>
#include <ZXing/ReadBarcode.h>

#include <QFile>
#include <QFileInfo>
#include <QImage>
#include <QImageReader>
#include <QPolygonF>

namespace Client::Scanning {

namespace {

bool isAllDigits(std::string_view text)
{
    return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// The canonical AIM identifier of the GS1 flavour of a symbology, or empty when the parser has none.
std::string_view gs1IdentifierFor(std::string_view format)
{
    if (format == "Code128")
        return "]C1";
    if (format == "DataMatrix")
        return "]d2";
    if (format == "QRCode")
        return "]Q3";
    if (format == "DataBar" || format == "DataBarExpanded")
        return "]e0";
    return {};
}

// A greyscale copy of any QImage; transparent pixels count as white paper, not black.
QImage toLuminance(const QImage &image)
{
    if (image.format() == QImage::Format_Grayscale8)
        return image;
    if (!image.hasAlphaChannel())
        return image.convertToFormat(QImage::Format_Grayscale8);
    const QImage argb = image.convertToFormat(QImage::Format_ARGB32);
    QImage grey(argb.size(), QImage::Format_Grayscale8);
    for (int y = 0; y < argb.height(); ++y) {
        const auto *in = reinterpret_cast<const QRgb *>(argb.constScanLine(y));
        uchar *out = grey.scanLine(y);
        for (int x = 0; x < argb.width(); ++x) {
            const int alpha = qAlpha(in[x]);
            const int lum = ZXing::RGBToLum(static_cast<unsigned>(qRed(in[x])), static_cast<unsigned>(qGreen(in[x])),
                                            static_cast<unsigned>(qBlue(in[x])));
            out[x] = static_cast<uchar>((lum * alpha + 255 * (255 - alpha) + 127) / 255);
        }
    }
    return grey;
}

// Stretches the grey levels between the 1st and 99th percentile to 0..255: low-contrast photos
// (thermal labels, glare, shade in a cold room) then binarise like clean prints.
QImage contrastStretched(const QImage &grey)
{
    std::array<qint64, 256> histogram{};
    for (int y = 0; y < grey.height(); ++y) {
        const uchar *line = grey.constScanLine(y);
        for (int x = 0; x < grey.width(); ++x)
            ++histogram[line[x]];
    }
    const qint64 total = qint64(grey.width()) * grey.height();
    const qint64 cut = total / 100;
    int low = 0;
    for (qint64 seen = 0; low < 255 && seen + histogram[size_t(low)] <= cut; ++low)
        seen += histogram[size_t(low)];
    int high = 255;
    for (qint64 seen = 0; high > 0 && seen + histogram[size_t(high)] <= cut; --high)
        seen += histogram[size_t(high)];
    if (high - low < 8) // a blank image: nothing to stretch
        return {};
    std::array<uchar, 256> map{};
    for (int level = 0; level < 256; ++level)
        map[size_t(level)] = static_cast<uchar>(std::clamp((level - low) * 255 / (high - low), 0, 255));
    QImage out(grey.size(), QImage::Format_Grayscale8);
    for (int y = 0; y < grey.height(); ++y) {
        const uchar *in = grey.constScanLine(y);
        uchar *line = out.scanLine(y);
        for (int x = 0; x < grey.width(); ++x)
            line[x] = map[in[x]];
    }
    return out;
}

using Corners = std::array<QPointF, 4>;
// Receives one result with its corners (in the pixels of the image handed to ZXing) and the factor
// back to the caller's pixels.
using Collect = std::function<void(const ZXing::Result &, const Corners &, double)>;

Corners cornersOf(const ZXing::Position &position)
{
    Corners corners;
    for (size_t i = 0; i < 4; ++i)
        corners[i] = QPointF(position[i].x, position[i].y);
    return corners;
}

uchar pixelAt(const QImage &grey, double x, double y)
{
    const int ix = qRound(x);
    const int iy = qRound(y);
    if (ix < 0 || iy < 0 || ix >= grey.width() || iy >= grey.height())
        return 255; // outside the picture counts as paper
    return grey.constScanLine(iy)[ix];
}

// The bar/space pattern along the line a + u*i + n*offset, thresholded at its own mid grey; empty
// when the line has no contrast (plain paper).
std::vector<bool> barPattern(const QImage &grey, QPointF a, QPointF u, QPointF n, int length, double offset)
{
    std::vector<uchar> values(static_cast<size_t>(length));
    uchar low = 255;
    uchar high = 0;
    for (int i = 0; i < length; ++i) {
        const QPointF p = a + u * i + n * offset;
        values[size_t(i)] = pixelAt(grey, p.x(), p.y());
        low = std::min(low, values[size_t(i)]);
        high = std::max(high, values[size_t(i)]);
    }
    if (high - low < 24)
        return {};
    const int middle = (low + high) / 2;
    std::vector<bool> bars(static_cast<size_t>(length));
    for (size_t i = 0; i < values.size(); ++i)
        bars[i] = values[i] < middle;
    return bars;
}

// Paints a found linear symbol white so that the next search finds the next one. ZXing reports the
// rows it read (with maxNumberOfSymbols 1 only two of them), so the bars are followed up and down
// while the pattern across them stays the same, which stops at the quiet gap before a neighbouring
// symbol (GS1 logistic labels stack several Code 128 symbols).
// Returns the symbol's full corners (the reported rows extended over the bars' height).
Corners maskLinearSymbol(QImage &grey, const ZXing::Position &position)
{
    const QPointF topLeft(position.topLeft().x, position.topLeft().y);
    const QPointF topRight(position.topRight().x, position.topRight().y);
    const QPointF bottomLeft(position.bottomLeft().x, position.bottomLeft().y);
    const QPointF bottomRight(position.bottomRight().x, position.bottomRight().y);
    const QPointF a = (topLeft + bottomLeft) / 2;
    const QPointF b = (topRight + bottomRight) / 2;
    const double length = std::hypot(b.x() - a.x(), b.y() - a.y());
    if (length < 4)
        return cornersOf(position);
    const QPointF u = (b - a) / length;
    const QPointF n(-u.y(), u.x());
    const int samples = int(std::ceil(length));
    const std::vector<bool> reference = barPattern(grey, a, u, n, samples, 0);
    const auto extent = [&](int direction) {
        double reached = 0;
        int misses = 0;
        for (double offset = direction; std::abs(offset) < 2 * length && misses <= 3; offset += direction) {
            const std::vector<bool> bars = barPattern(grey, a, u, n, samples, offset);
            size_t same = 0;
            if (!bars.empty() && !reference.empty())
                for (size_t i = 0; i < bars.size(); ++i)
                    same += bars[i] == reference[i];
            if (same >= bars.size() * 85 / 100 && !bars.empty()) {
                reached = offset;
                misses = 0;
            } else {
                ++misses;
            }
        }
        return reached;
    };
    const double margin = 0.03 * length + 2;
    const double top = extent(-1);
    const double bottom = extent(+1);
    const double low = std::min(top, -2.0) - 2;
    const double high = std::max(bottom, 2.0) + 2;
    const QPolygonF area({a - u * margin + n * low, b + u * margin + n * low, b + u * margin + n * high,
                          a - u * margin + n * high});
    const QRect box = area.boundingRect().toAlignedRect().intersected(grey.rect());
    for (int y = box.top(); y <= box.bottom(); ++y) {
        uchar *line = grey.scanLine(y);
        for (int x = box.left(); x <= box.right(); ++x)
            if (area.containsPoint(QPointF(x, y), Qt::OddEvenFill))
                line[x] = 255;
    }
    return {a + n * top, b + n * top, b + n * bottom, a + n * bottom};
}

// All symbols of `formats` in one greyscale image. Matrix codes come from one ReadBarcodes() call.
// Linear codes are read one at a time (maxNumberOfSymbols 1) and painted out before the next search:
// Debian's libZXing 1.4 keeps its assert()s, and ReadBarcodes() aborts the process on
// `assert(lineCount() == 1)` in Result::operator== as soon as it holds two linear symbols with the
// same content (two identical labels in one photo).
void readImage(QImage grey, ZXing::DecodeHints hints, int maxSymbols, double scale, const Collect &collect)
{
    const ZXing::BarcodeFormats wanted = hints.formats().empty() ? ZXing::BarcodeFormats(ZXing::BarcodeFormat::Any)
                                                                 : hints.formats();
    const ZXing::BarcodeFormats matrix = wanted & ZXing::BarcodeFormats(ZXing::BarcodeFormat::MatrixCodes);
    const ZXing::BarcodeFormats linear = wanted & ZXing::BarcodeFormats(ZXing::BarcodeFormat::LinearCodes);
    if (!matrix.empty()) {
        const ZXing::ImageView view(grey.constBits(), grey.width(), grey.height(), ZXing::ImageFormat::Lum,
                                    int(grey.bytesPerLine()));
        const ZXing::Results results = ZXing::ReadBarcodes(
            view, ZXing::DecodeHints(hints).setFormats(matrix).setMaxNumberOfSymbols(static_cast<uint8_t>(maxSymbols)));
        for (const ZXing::Result &result : results)
            collect(result, cornersOf(result.position()), scale);
    }
    if (linear.empty())
        return;
    hints.setFormats(linear).setMaxNumberOfSymbols(1);
    // A symbol painted out incompletely is found again; such repeats get a few extra rounds.
    for (int round = 0; round < maxSymbols + 8; ++round) {
        const ZXing::ImageView view(grey.constBits(), grey.width(), grey.height(), ZXing::ImageFormat::Lum,
                                    int(grey.bytesPerLine()));
        const ZXing::Results results = ZXing::ReadBarcodes(view, hints);
        if (results.empty())
            return;
        for (const ZXing::Result &result : results)
            collect(result, maskLinearSymbol(grey, result.position()), scale);
    }
}

// The guards against misreads that ZXing does not apply itself.
bool isPlausible(const ZXing::Result &result)
{
    if (!result.isValid())
        return false;
    const std::string text = result.text();
    if (text.empty())
        return false;
    switch (result.format()) {
    case ZXing::BarcodeFormat::EAN13:
    case ZXing::BarcodeFormat::EAN8:
    case ZXing::BarcodeFormat::UPCA:
        return isAllDigits(text) && hasValidGtinCheckDigit(text);
    case ZXing::BarcodeFormat::UPCE:
        // ZXing checks UPC-E against its expanded UPC-A; the text must still be 8 digits.
        return isAllDigits(text) && text.size() == 8;
    case ZXing::BarcodeFormat::ITF:
        // ITF has no mandatory check digit. An ITF-14 carries a GTIN-14 whose check digit must hold;
        // a partial read of an ITF-14 would show up as a shorter even-length number.
        return isAllDigits(text) && (text.size() != 14 || hasValidGtinCheckDigit(text));
    default:
        return true;
    }
}

Scan toScan(const ZXing::Result &result, const Corners &corners, double scale)
{
    Scan scan;
    scan.text = result.text();
    scan.format = ZXing::ToString(result.format());
    scan.symbologyIdentifier = result.symbologyIdentifier();
    scan.contentType = ZXing::ToString(result.contentType());
    scan.ecLevel = result.ecLevel();
    scan.mirrored = result.isMirrored();
    scan.gs1 = result.contentType() == ZXing::ContentType::GS1;
    for (size_t i = 0; i < 4; ++i)
        scan.position[i] = (corners[i] * scale).toPoint();
    return scan;
}

} // namespace

std::string Scan::parserInput() const
{
    if (!gs1)
        return symbologyIdentifier + text;
    const std::string_view canonical = gs1IdentifierFor(format);
    // A GS1 symbol of another family (Aztec, a DMRE "]d8", …): the parser reads the unprefixed
    // element string with GS separators just as well.
    return std::string(canonical) + text;
}

DecodeOptions DecodeOptions::product()
{
    DecodeOptions options;
    options.formats = {"EAN-13", "EAN-8", "UPC-A", "ITF", "Code128", "DataMatrix", "QRCode"};
    return options;
}

DecodeOptions DecodeOptions::shipping()
{
    DecodeOptions options;
    options.formats = {"Code128", "Codabar", "ITF", "DataMatrix", "QRCode"};
    return options;
}

DecodeOptions DecodeOptions::anyFormat()
{
    return DecodeOptions{};
}

Common::Result<std::vector<std::string>> parseFormatList(std::string_view list)
{
    std::vector<std::string> names;
    size_t start = 0;
    while (start <= list.size()) {
        size_t end = list.find_first_of(", |", start);
        if (end == std::string_view::npos)
            end = list.size();
        const std::string item(list.substr(start, end - start));
        if (!item.empty()) {
            const ZXing::BarcodeFormat format = ZXing::BarcodeFormatFromString(item);
            if (format == ZXing::BarcodeFormat::None)
                return Common::fail(Common::ErrorCode::InvalidInput, "unknown barcode format '" + item + "'",
                                    long(start));
            std::string name = ZXing::ToString(format);
            if (std::find(names.begin(), names.end(), name) == names.end())
                names.push_back(std::move(name));
        }
        start = end + 1;
    }
    if (names.empty())
        return Common::fail(Common::ErrorCode::InvalidInput, "no barcode format given");
    return names;
}

bool hasValidGtinCheckDigit(std::string_view digits)
{
    if (!isAllDigits(digits) || (digits.size() != 8 && digits.size() != 12 && digits.size() != 13
                                 && digits.size() != 14))
        return false;
    // Weights 3,1,3,… from the digit left of the check digit (GS1 General Specifications §7.9.1).
    int sum = 0;
    int weight = 3;
    for (size_t i = digits.size() - 1; i-- > 0;) {
        sum += (digits[i] - '0') * weight;
        weight = 4 - weight;
    }
    return (10 - sum % 10) % 10 == digits.back() - '0';
}

ImageDecoder::ImageDecoder(DecodeOptions options)
    : m_options(std::move(options))
{
}

Common::Result<std::vector<Scan>> ImageDecoder::decode(const QImage &image) const
{
    if (image.isNull())
        return Common::fail(Common::ErrorCode::InvalidInput, "empty image");
    if (qint64(image.width()) * image.height() > maxPixels)
        return Common::fail(Common::ErrorCode::TooLarge, "image larger than " + std::to_string(maxPixels) + " pixels");
    if (m_options.maxSymbols < 1 || m_options.maxSymbols > 255)
        return Common::fail(Common::ErrorCode::InvalidInput, "maxSymbols must be 1..255");

    ZXing::BarcodeFormats formats;
    for (const std::string &name : m_options.formats) {
        const ZXing::BarcodeFormat format = ZXing::BarcodeFormatFromString(name);
        if (format == ZXing::BarcodeFormat::None)
            return Common::fail(Common::ErrorCode::InvalidInput, "unknown barcode format '" + name + "'");
        formats |= format;
    }

    ZXing::DecodeHints hints;
    hints.setFormats(formats)
        .setTryHarder(m_options.tryHarder)
        .setTryRotate(m_options.tryHarder)
        .setTryDownscale(true)
        .setReturnErrors(false)
        .setMaxNumberOfSymbols(static_cast<uint8_t>(m_options.maxSymbols));

    std::vector<Scan> scans;
    const auto collect = [&scans](const ZXing::Result &result, const Corners &corners, double scale) {
        if (!isPlausible(result))
            return;
        Scan scan = toScan(result, corners, scale);
        const bool duplicate = std::any_of(scans.begin(), scans.end(), [&scan](const Scan &other) {
            return other.format == scan.format && other.text == scan.text;
        });
        if (!duplicate)
            scans.push_back(std::move(scan));
    };

    const QImage grey = toLuminance(image);
    readImage(grey, hints, m_options.maxSymbols, 1.0, collect);
    if (!scans.empty() || !m_options.enhancePasses)
        return scans;

    // Second chance, only when the first pass found nothing: stretched contrast with the local and
    // then the global binariser, then a rescaled copy (half size for big photos whose bars are
    // blurred, double size for tiny thumbnails).
    const QImage stretched = contrastStretched(grey);
    if (stretched.isNull())
        return scans;
    readImage(stretched, hints, m_options.maxSymbols, 1.0, collect);
    if (!scans.empty())
        return scans;
    readImage(stretched, ZXing::DecodeHints(hints).setBinarizer(ZXing::Binarizer::GlobalHistogram),
              m_options.maxSymbols, 1.0, collect);
    if (!scans.empty())
        return scans;
    const int shortSide = std::min(stretched.width(), stretched.height());
    const double factor = shortSide >= 800 ? 0.5 : (shortSide <= 400 ? 2.0 : 0.0);
    if (factor > 0.0) {
        const QImage rescaled = stretched.scaled(qRound(stretched.width() * factor), qRound(stretched.height() * factor),
                                                 Qt::IgnoreAspectRatio, Qt::SmoothTransformation);
        readImage(rescaled, hints, m_options.maxSymbols, 1.0 / factor, collect);
    }
    return scans;
}

Common::Result<std::vector<Scan>> ImageDecoder::decodeFile(const QString &path) const
{
    const QFileInfo info(path);
    if (!info.exists())
        return Common::fail(Common::ErrorCode::Io, "no such file: " + path.toStdString());
    if (!info.isFile() || !info.isReadable())
        return Common::fail(Common::ErrorCode::Io, "not a readable file: " + path.toStdString());
    if (info.size() > maxFileBytes)
        return Common::fail(Common::ErrorCode::TooLarge,
                            "file larger than " + std::to_string(maxFileBytes) + " bytes: " + path.toStdString());

    QImageReader reader(path);
    reader.setAutoTransform(true); // camera JPEGs: honour the EXIF orientation
    const QSize size = reader.size();
    if (size.isValid() && qint64(size.width()) * size.height() > maxPixels)
        return Common::fail(Common::ErrorCode::TooLarge, "image larger than " + std::to_string(maxPixels)
                                                             + " pixels: " + path.toStdString());
    const QImage image = reader.read();
    if (image.isNull())
        return Common::fail(Common::ErrorCode::InvalidInput,
                            "not an image (" + reader.errorString().toStdString() + "): " + path.toStdString());
    return decode(image);
}

} // namespace Client::Scanning
