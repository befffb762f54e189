#pragma once
#include <string>
#include <string_view>

#include <QJsonObject>
#include <QString>

#include "client/scanning/imagedecoder.h"
#include "common/barcode/gs1.h"
#include "common/support/result.h"

// The JSON lines soko-scan prints (one object per barcode or per typed text; docs/soko-scan.md).
// Every line that could not be read or parsed carries an "error" (top level, or inside "gs1").
namespace Client::Tools {

// Scanner text as typed on a command line: "\x1d" / "\x1D" and "\u001d" (any \xHH or \uXXXX) become
// the character; every other backslash stays literal. InvalidInput names a malformed escape's
// position; TooLarge beyond 4096 bytes.
Common::Result<std::string> unescapeScannerText(std::string_view text);

// {"ai","value"[,"decimals"]} elements plus gtin/lot/serial/sscc/expiry(YYYY-MM-DD)/count when
// present and "hri" (bracketed form).
QJsonObject gs1MessageJson(const Common::Barcode::Gs1Message &message);

// {"error","code"[,"position"]}: English message, errorCodeName(), 0-based offset into the text.
QJsonObject errorJson(const Common::Error &error);

// One decoded barcode: file, format, symbology, contentType, text, gs1 (object, error object or
// null), gtin (EAN/UPC/ITF-14 only, as GTIN-14), corners.
QJsonObject scanJson(const QString &file, const Client::Scanning::Scan &scan,
                     const Common::Barcode::Gs1Options &options);

// One piece of wedge-scanner text: input, text, symbology, kind ("gs1", "gtin", "text"), gs1,
// gtin/productFormat, and "error" when it is empty, malformed GS1 or an EAN/UPC with a bad check digit.
QJsonObject scannerTextJson(const QString &input, const Common::Barcode::Gs1Options &options);

// True when a line reports an error at top level or inside "gs1".
bool hasError(const QJsonObject &line);

// The line as compact UTF-8 JSON (control characters escaped as \u001d), without newline.
QByteArray toJsonLine(const QJsonObject &line);

} // namespace Client::Tools
