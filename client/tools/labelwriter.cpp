#include "client/tools/labelwriter.h"

#include <algorithm>
#include <exception>

#include <ZXing/BarcodeFormat.h>
#include <ZXing/BitMatrix.h>
#include <ZXing/CharacterSet.h>
#include <ZXing/MultiFormatWriter.h>

#include "common/barcode/gs1.h"
#include "common/barcode/gs1aitable.h"
#include "common/barcode/gtin.h"

namespace Client::Tools {

namespace {

constexpr std::size_t maxTextBytes = 4096;
// ZXing's Code 128 writer takes U+00F1 (ñ) for FNC1, as UTF-8 in a std::string.
constexpr std::string_view writerFnc1 = "\xc3\xb1";

std::string lowered(std::string_view text)
{
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c); });
    out.erase(std::remove_if(out.begin(), out.end(), [](char c) { return c == '-' || c == '_'; }), out.end());
    return out;
}

bool isAscii(std::string_view text)
{
    return std::all_of(text.begin(), text.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

// Draws the module matrix with whole-pixel modules: 3 px bars 90 px high for linear symbols (about
// the X-dimension of a 300 dpi label printer), 8 px modules for 2D, and the quiet zones the
// symbologies ask for (10 modules linear, 4 modules 2D).
QImage draw(const ZXing::BitMatrix &matrix, bool linear)
{
    const int module = linear ? 3 : 8;
    const int quiet = (linear ? 10 : 4) * module;
    const int symbolHeight = linear ? 90 : matrix.height() * module;
    QImage image(matrix.width() * module + 2 * quiet, symbolHeight + 2 * quiet, QImage::Format_Grayscale8);
    image.fill(255);
    for (int y = 0; y < symbolHeight; ++y) {
        uchar *line = image.scanLine(quiet + y);
        const int row = linear ? 0 : y / module;
        for (int x = 0; x < matrix.width() * module; ++x)
            if (matrix.get(x / module, row))
                line[quiet + x] = 0;
    }
    return image;
}

Common::Result<Label> renderGs1128(std::string_view text)
{
    const auto message = Common::Barcode::parseGs1(text);
    if (!message)
        return tl::unexpected(message.error());
    if (message->elements.empty())
        return Common::fail(Common::ErrorCode::InvalidInput, "no GS1 element string");
    Label label;
    label.format = "Code128";
    label.gs1 = true;
    std::string writerInput(writerFnc1);
    for (std::size_t i = 0; i < message->elements.size(); ++i) {
        const auto &element = message->elements[i];
        writerInput += element.ai + element.value;
        label.content += element.ai + element.value;
        const auto *entry = Common::Barcode::findAi(element.ai);
        const bool last = i + 1 == message->elements.size();
        if (!last && !(entry && entry->predefinedLength)) {
            writerInput += writerFnc1;
            label.content += Common::Barcode::kGroupSeparator;
        }
    }
    try {
        const ZXing::BitMatrix matrix = ZXing::MultiFormatWriter(ZXing::BarcodeFormat::Code128).setMargin(0).encode(
            writerInput, 0, 0);
        label.image = draw(matrix, true);
    } catch (const std::exception &error) {
        return Common::fail(Common::ErrorCode::InvalidInput, std::string("GS1-128: ") + error.what());
    }
    return label;
}

} // namespace

Common::Result<Label> renderLabel(std::string_view format, std::string_view text)
{
    if (text.empty())
        return Common::fail(Common::ErrorCode::InvalidInput, "empty text");
    if (text.size() > maxTextBytes)
        return Common::fail(Common::ErrorCode::TooLarge, "text longer than " + std::to_string(maxTextBytes) + " bytes");
    const std::string key = lowered(format);
    if (key == "gs1128" || key == "ean128")
        return renderGs1128(text);
    if (key == "gs1datamatrix" || key == "gs1qrcode" || key == "gs1qr" || key == "gs1aztec")
        return Common::fail(Common::ErrorCode::InvalidInput,
                            "ZXing-cpp 1.4 cannot write FNC1 (GS1 mode) in DataMatrix, QR Code or Aztec; "
                            "draw GS1 data as GS1-128 instead");

    const ZXing::BarcodeFormat zxingFormat = ZXing::BarcodeFormatFromString(std::string(format));
    if (zxingFormat == ZXing::BarcodeFormat::None)
        return Common::fail(Common::ErrorCode::InvalidInput, "unknown barcode format '" + std::string(format) + "'");
    if (zxingFormat == ZXing::BarcodeFormat::DataBar || zxingFormat == ZXing::BarcodeFormat::DataBarExpanded
        || zxingFormat == ZXing::BarcodeFormat::MaxiCode || zxingFormat == ZXing::BarcodeFormat::MicroQRCode)
        return Common::fail(Common::ErrorCode::InvalidInput,
                            std::string("ZXing-cpp 1.4 has no writer for ") + ZXing::ToString(zxingFormat));
    const bool linear = ZXing::BarcodeFormats(ZXing::BarcodeFormat::LinearCodes).testFlag(zxingFormat);
    if (linear && !isAscii(text))
        return Common::fail(Common::ErrorCode::InvalidInput,
                            std::string(ZXing::ToString(zxingFormat)) + " carries ASCII only");

    Label label;
    label.format = ZXing::ToString(zxingFormat);
    label.content = std::string(text);
    try {
        ZXing::MultiFormatWriter writer(zxingFormat);
        writer.setMargin(0);
        if (!linear && !isAscii(text))
            writer.setEncoding(ZXing::CharacterSet::UTF8);
        const ZXing::BitMatrix matrix = writer.encode(std::string(text), 0, 0);
        label.image = draw(matrix, linear);
    } catch (const std::exception &error) {
        return Common::fail(Common::ErrorCode::InvalidInput, label.format + ": " + error.what());
    }
    // EAN/UPC writers add a missing check digit; report what the symbol really carries.
    const bool withoutCheckDigit = (zxingFormat == ZXing::BarcodeFormat::EAN13 && text.size() == 12)
                                   || (zxingFormat == ZXing::BarcodeFormat::EAN8 && text.size() == 7)
                                   || (zxingFormat == ZXing::BarcodeFormat::UPCA && text.size() == 11);
    if (withoutCheckDigit) {
        const auto checkDigit = Common::Barcode::computeCheckDigit(text);
        if (!checkDigit)
            return tl::unexpected(checkDigit.error());
        label.content += static_cast<char>('0' + *checkDigit);
    }
    if (zxingFormat == ZXing::BarcodeFormat::Codabar && label.content.size() >= 2)
        label.content = label.content.substr(1, label.content.size() - 2); // readers strip start/stop
    return label;
}

} // namespace Client::Tools
