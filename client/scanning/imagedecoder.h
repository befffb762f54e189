#pragma once
#include <array>
#include <string>
#include <string_view>
#include <vector>

#include <QPoint>
#include <QString>

#include "common/support/result.h"

class QImage;

namespace Client::Scanning {

// One barcode found in an image (or typed by a wedge scanner). `text` is UTF-8 exactly as the
// symbol carries it; for GS1 symbols it is the element string without the leading FNC1, with GS
// (0x1D) between variable-length fields, and the AIM symbology identifier is kept apart.
struct Scan
{
    std::string text;
    std::string format;              // ZXing 1.4 name: "EAN-13", "Code128", "DataMatrix", "QRCode", …
    std::string symbologyIdentifier; // AIM ISO/IEC 15424 identifier, e.g. "]E0", "]C1", "]d2"; may be empty
    std::string contentType;         // ZXing's guess: "Text", "Binary", "Mixed", "GS1", "ISO15434", "UnknownECI"
    std::string ecLevel;             // error-correction level of 2D symbols ("M" for QR), else empty
    bool mirrored = false;           // 2D symbol read mirrored
    bool gs1 = false;                // the symbol announces GS1 data (FNC1 in first position)
    std::array<QPoint, 4> position{}; // corners in image pixels: top-left, top-right, bottom-right, bottom-left

    // The text as the GS1 parser expects it (common/barcode/gs1.h): a GS1 symbol gets the canonical
    // identifier of its family (]C1 GS1-128, ]d2 GS1 DataMatrix, ]Q3 GS1 QR, ]e0 DataBar) in front
    // of the element string; anything else keeps its own identifier, which the parser answers with
    // NotGs1.
    std::string parserInput() const;
    QString qtext() const { return QString::fromStdString(text); }
};

// What one workflow looks for. Restricting the formats is the first guard against misreads: a
// product scan never asks for UPC-E, so a false UPC-E inside an EAN-13 cannot appear.
struct DecodeOptions
{
    std::vector<std::string> formats; // ZXing names ("EAN-13", "QRCode", …); empty means every format
    bool tryHarder = true;            // ZXing tryHarder + tryRotate (90/180/270 degrees)
    bool enhancePasses = true;        // when nothing is found: contrast-stretched, rebinarised and rescaled retries
    int maxSymbols = 32;              // per image, 1..255

    // Receiving / picking a product: EAN-13 (JAN), EAN-8, UPC-A, ITF (ITF-14), GS1-128, DataMatrix, QR.
    static DecodeOptions product();
    // Shipping labels: GS1-128 (SSCC), Code128, Codabar (NW-7 tracking numbers), ITF, DataMatrix, QR.
    static DecodeOptions shipping();
    // Everything ZXing 1.4 reads (for the label checker; beware UPC-E false positives on EAN-13).
    static DecodeOptions anyFormat();
};

// Parses a comma/space separated list of ZXing format names ("ean13,QRCode,Code-128"), case and
// '-'/'_' insensitive, into canonical names. InvalidInput names the first unknown entry.
Common::Result<std::vector<std::string>> parseFormatList(std::string_view list);

// True when `digits` (8, 12, 13 or 14 digits: EAN-8, UPC-A, EAN-13/JAN, GTIN-14) ends in the right
// GS1 mod-10 check digit (GS1 General Specifications §7.9.1).
bool hasValidGtinCheckDigit(std::string_view digits);

// Finds ALL barcodes in an image with ZXing-cpp 1.4 (ReadBarcodes). Results ZXing marks invalid,
// EAN/UPC/ITF-14 texts failing their check digit and duplicates (same format and text) are dropped:
// on a warehouse floor a misread ships the wrong item, which is worse than no read.
// Not thread-affine; decoding one image is independent of any other.
class ImageDecoder final
{
public:
    // Limits on inputs a user hands us.
    static constexpr qint64 maxFileBytes = 64 * 1024 * 1024;
    static constexpr qint64 maxPixels = 64 * 1000 * 1000;

    explicit ImageDecoder(DecodeOptions options = DecodeOptions::product());

    const DecodeOptions &options() const { return m_options; }

    // Every barcode found, in ZXing's order; an empty list when there is none (not an error).
    // Errors: InvalidInput for a null image, an unknown format name or maxSymbols out of range;
    // TooLarge beyond maxPixels.
    Common::Result<std::vector<Scan>> decode(const QImage &image) const;

    // Same for an image file (PNG, JPEG, anything QImageReader reads). Errors: Io when the file is
    // missing or unreadable, InvalidInput when it is not an image, TooLarge beyond the limits.
    Common::Result<std::vector<Scan>> decodeFile(const QString &path) const;

private:
    DecodeOptions m_options;
};

} // namespace Client::Scanning
