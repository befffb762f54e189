#pragma once
#include <string>
#include <string_view>
#include "common/support/result.h"

// GTIN/JAN normalisation for master data (GS1 General Specifications §7.9 check digit): accepts
// GTIN-8, UPC-A (GTIN-12), EAN-13/JAN and GTIN-14 as digits, verifies the mod-10 check digit and
// returns the GTIN-14 form (left-padded with zeros). A small local helper until
// common/barcode/gtin.h is merged. Errors: BadLength, BadCharacter, BadCheckDigit.
namespace Server::Oms {

Common::Result<std::string> normalizeGtin(std::string_view digits);

} // namespace Server::Oms
