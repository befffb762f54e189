#include "server/auth/qrcode.h"

#include <algorithm>
#include <exception>

#include <ZXing/BarcodeFormat.h>
#include <ZXing/BitMatrix.h>
#include <ZXing/CharacterSet.h>
#include <ZXing/MultiFormatWriter.h>

namespace Server::Auth {

namespace {

// MultiFormatWriter maps eccLevel 0..8 onto QR levels L/M/Q/H as (level − 1) / 2: 3 and 4 give M.
constexpr int kEccLevelM = 4;
constexpr int kPixelsPerModule = 4;

} // namespace

Common::Result<std::string> qrCodeSvg(std::string_view text)
{
    if (text.empty())
        return Common::fail(Common::ErrorCode::InvalidInput, "QR text is empty");
    if (text.size() > kQrMaxTextBytes)
        return Common::fail(Common::ErrorCode::TooLarge, "QR text longer than 1024 bytes");

    // ASCII (every otpauth URI: it is percent-encoded) goes without an ECI header, which older phone
    // scanners mishandle; anything else is declared UTF-8 by ECI so it decodes as written.
    const bool ascii = std::all_of(text.begin(), text.end(), [](char c) { return (c & 0x80) == 0; });
    ZXing::BitMatrix matrix;
    try {
        // ZXing throws for content it cannot encode; this is the edge where that becomes an Error.
        ZXing::MultiFormatWriter writer(ZXing::BarcodeFormat::QRCode);
        writer.setEccLevel(kEccLevelM).setMargin(0);
        if (!ascii)
            writer.setEncoding(ZXing::CharacterSet::UTF8);
        matrix = writer.encode(std::string(text), 0, 0);
    } catch (const std::exception &error) {
        return Common::fail(Common::ErrorCode::TooLarge, std::string("QR encoding failed: ") + error.what());
    }
    if (matrix.width() <= 0 || matrix.width() != matrix.height())
        return Common::fail(Common::ErrorCode::Internal, "QR encoder returned an empty matrix");

    const int modules = matrix.width();
    const int side = modules + 2 * kQrQuietZoneModules;
    const std::string sideText = std::to_string(side);
    const std::string pixels = std::to_string(side * kPixelsPerModule);
    std::string svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" viewBox=\"0 0 " + sideText + " " +
                      sideText + "\" width=\"" + pixels + "\" height=\"" + pixels +
                      "\" shape-rendering=\"crispEdges\">"
                      "<rect x=\"0\" y=\"0\" width=\"" +
                      sideText + "\" height=\"" + sideText + "\" fill=\"#ffffff\"/>";
    for (int y = 0; y < modules; ++y) {
        for (int x = 0; x < modules;) {
            if (!matrix.get(x, y)) {
                ++x;
                continue;
            }
            const int start = x;
            while (x < modules && matrix.get(x, y))
                ++x;
            svg += "<rect x=\"" + std::to_string(start + kQrQuietZoneModules) + "\" y=\"" +
                   std::to_string(y + kQrQuietZoneModules) + "\" width=\"" + std::to_string(x - start) +
                   "\" height=\"1\" fill=\"#000000\"/>";
        }
    }
    svg += "</svg>";
    return svg;
}

} // namespace Server::Auth
