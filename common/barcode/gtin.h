#pragma once
#include <string>
#include <string_view>

#include "common/support/result.h"

// GTIN/EAN/UPC/ITF-14 and SSCC helpers: GS1 mod-10 check digits (GS1 General Specifications §7.9.1),
// GTIN-14 normalisation (§3.3.2) and classification of plain (non-GS1) product barcodes.
// All inputs are ASCII digits; errors: InvalidInput (non-digit, position given), BadLength,
// BadCheckDigit.
namespace Common::Barcode {

// The GS1 mod-10 check digit (0-9) for `digits` without their check digit (weights 3,1 from the right).
Common::Result<int> computeCheckDigit(std::string_view digitsWithoutCheck);

// Ok when the last digit of `digits` is the mod-10 check digit of the others (any length ≥ 2).
Common::Result<void> verifyCheckDigit(std::string_view digits);

// Ok for a GTIN-8, GTIN-12, GTIN-13 or GTIN-14 with a valid check digit.
Common::Result<void> validateGtin(std::string_view gtin);

// Ok for an 18-digit SSCC with a valid check digit.
Common::Result<void> validateSscc(std::string_view sscc);

// A valid GTIN-8/12/13/14 left-padded with zeros to GTIN-14 (the form of AI 01 and our database).
Common::Result<std::string> normaliseGtin14(std::string_view gtin);

// True for a GTIN-13 with a JAN (Japan) prefix 45 or 49 (the check digit is not verified here).
bool isJan(std::string_view gtin13);

// What a plain product barcode was.
enum class ProductCodeFormat { Ean13, Jan, Ean8, UpcA, Itf14 };

struct ProductCode
{
    ProductCodeFormat format = ProductCodeFormat::Ean13;
    std::string digits; // as scanned, without AIM identifier
    std::string gtin14; // normalised
    friend bool operator==(const ProductCode &, const ProductCode &) = default;
};

// Classifies plain scanner text: 13 digits → EAN-13 (Jan for 45/49), 8 → EAN-8, 12 → UPC-A,
// 14 → ITF-14 (GTIN-14). An AIM identifier ]E0 ]E4 ]I0 ]I1 ]X0 in front is accepted and stripped
// (a length that contradicts it is InvalidInput). Anything else is an error: not a GTIN.
Common::Result<ProductCode> classifyProductCode(std::string_view text);

} // namespace Common::Barcode
