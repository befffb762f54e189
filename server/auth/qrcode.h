#pragma once
#include <string>
#include <string_view>

#include "common/support/result.h"

// QR codes for TOTP enrollment (REQUIREMENTS.md §3.4, §5.2: rendered server-side, no inline script):
// ISO/IEC 18004 QR Code drawn with ZXing-cpp's MultiFormatWriter, error-correction level M.
namespace Server::Auth {

inline constexpr std::size_t kQrMaxTextBytes = 1024;
inline constexpr int kQrQuietZoneModules = 4; // ISO/IEC 18004 §6.3.8

// A self-contained SVG image of `text` (ASCII as is; other UTF-8 with a UTF-8 ECI): one <rect> per horizontal run of
// dark modules on a white background, a viewBox in module units including the 4-module quiet zone, width/height at 4 px
// per module, no script, no text, no external references. Errors: InvalidInput (empty), TooLarge (over kQrMaxTextBytes
// or beyond QR capacity).
Common::Result<std::string> qrCodeSvg(std::string_view text);

} // namespace Server::Auth
