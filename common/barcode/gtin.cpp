#include "common/barcode/gtin.h"

#include <array>

namespace Common::Barcode {

namespace {

Common::Result<void> requireDigits(std::string_view digits, std::string_view what)
{
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (digits[i] < '0' || digits[i] > '9') {
            return Common::fail(ErrorCode::InvalidInput,
                                std::string(what) + ": non-digit character '" + std::string(1, digits[i]) +
                                    "' at position " + std::to_string(i),
                                static_cast<long>(i));
        }
    }
    return {};
}

int mod10(std::string_view digitsWithoutCheck)
{
    // Weights 3,1,3,… starting from the digit next to the check digit (§7.9.1).
    int sum = 0;
    int weight = 3;
    for (auto it = digitsWithoutCheck.rbegin(); it != digitsWithoutCheck.rend(); ++it) {
        sum += (*it - '0') * weight;
        weight = 4 - weight;
    }
    return (10 - sum % 10) % 10;
}

struct AimPrefix
{
    std::string_view identifier;
    std::size_t lengths[2];
};

// AIM identifiers of the symbologies that carry a bare GTIN (ISO/IEC 15424).
constexpr std::array<AimPrefix, 5> kAimPrefixes{{
    {"]E0", {13, 12}}, // EAN-13 / UPC-A (some readers send UPC-A as 12 digits)
    {"]E4", {8, 8}},   // EAN-8
    {"]I0", {14, 14}}, // ITF without checked check digit
    {"]I1", {14, 14}}, // ITF with check digit
    {"]X0", {0, 0}},   // unspecified: any length below
}};

} // namespace

Common::Result<int> computeCheckDigit(std::string_view digitsWithoutCheck)
{
    if (digitsWithoutCheck.empty() || digitsWithoutCheck.size() > 17)
        return Common::fail(ErrorCode::BadLength,
                            "check digit: need 1 to 17 digits, got " + std::to_string(digitsWithoutCheck.size()));
    if (auto digits = requireDigits(digitsWithoutCheck, "check digit"); !digits)
        return tl::unexpected(digits.error());
    return mod10(digitsWithoutCheck);
}

Common::Result<void> verifyCheckDigit(std::string_view digits)
{
    if (digits.size() < 2 || digits.size() > 18)
        return Common::fail(ErrorCode::BadLength,
                            "check digit: need 2 to 18 digits, got " + std::to_string(digits.size()));
    if (auto ok = requireDigits(digits, "check digit"); !ok)
        return ok;
    const int expected = mod10(digits.substr(0, digits.size() - 1));
    const int found = digits.back() - '0';
    if (expected != found) {
        return Common::fail(ErrorCode::BadCheckDigit,
                            "bad check digit: expected " + std::to_string(expected) + ", found " +
                                std::to_string(found),
                            static_cast<long>(digits.size() - 1));
    }
    return {};
}

Common::Result<void> validateGtin(std::string_view gtin)
{
    if (auto digits = requireDigits(gtin, "GTIN"); !digits)
        return digits;
    const std::size_t length = gtin.size();
    if (length != 8 && length != 12 && length != 13 && length != 14)
        return Common::fail(ErrorCode::BadLength, "GTIN: need 8, 12, 13 or 14 digits, got " + std::to_string(length));
    return verifyCheckDigit(gtin);
}

Common::Result<void> validateSscc(std::string_view sscc)
{
    if (auto digits = requireDigits(sscc, "SSCC"); !digits)
        return digits;
    if (sscc.size() != 18)
        return Common::fail(ErrorCode::BadLength, "SSCC: need 18 digits, got " + std::to_string(sscc.size()));
    return verifyCheckDigit(sscc);
}

Common::Result<std::string> normaliseGtin14(std::string_view gtin)
{
    if (auto valid = validateGtin(gtin); !valid)
        return tl::unexpected(valid.error());
    return std::string(14 - gtin.size(), '0') + std::string(gtin);
}

bool isJan(std::string_view gtin13)
{
    return gtin13.size() == 13 && (gtin13.starts_with("45") || gtin13.starts_with("49"));
}

Common::Result<ProductCode> classifyProductCode(std::string_view text)
{
    if (text.empty())
        return Common::fail(ErrorCode::InvalidInput, "not a GTIN: empty input");
    std::size_t offset = 0;
    const AimPrefix *prefix = nullptr;
    if (text.front() == ']') {
        for (const AimPrefix &candidate : kAimPrefixes) {
            if (text.starts_with(candidate.identifier))
                prefix = &candidate;
        }
        if (!prefix)
            return Common::fail(
                ErrorCode::InvalidInput,
                "not a GTIN: symbology identifier " + std::string(text.substr(0, 3)) + " carries no bare GTIN", 0);
        offset = prefix->identifier.size();
    }
    const std::string_view digits = text.substr(offset);
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (digits[i] < '0' || digits[i] > '9')
            return Common::fail(ErrorCode::InvalidInput,
                                "not a GTIN: non-digit character at position " + std::to_string(offset + i),
                                static_cast<long>(offset + i));
    }
    const std::size_t length = digits.size();
    if (prefix && prefix->lengths[0] != 0 && length != prefix->lengths[0] && length != prefix->lengths[1])
        return Common::fail(ErrorCode::InvalidInput,
                            "not a GTIN: " + std::to_string(length) + " digits after " +
                                std::string(prefix->identifier),
                            static_cast<long>(offset));
    ProductCode code;
    switch (length) {
    case 8:
        code.format = ProductCodeFormat::Ean8;
        break;
    case 12:
        code.format = ProductCodeFormat::UpcA;
        break;
    case 13:
        code.format = isJan(digits) ? ProductCodeFormat::Jan : ProductCodeFormat::Ean13;
        break;
    case 14:
        code.format = ProductCodeFormat::Itf14;
        break;
    default:
        return Common::fail(ErrorCode::BadLength,
                            "not a GTIN: need 8, 12, 13 or 14 digits, got " + std::to_string(length),
                            static_cast<long>(offset));
    }
    if (auto valid = verifyCheckDigit(digits); !valid) {
        Common::Error error = valid.error();
        error.message = "not a GTIN: " + error.message;
        error.position += static_cast<long>(offset);
        return tl::unexpected(error);
    }
    code.digits = std::string(digits);
    code.gtin14 = std::string(14 - length, '0') + code.digits;
    return code;
}

} // namespace Common::Barcode
