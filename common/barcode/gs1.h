#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/domain/lot.h"
#include "common/support/result.h"

// GS1 element-string parsing (GS1 General Specifications §3 Application Identifiers, §7.8 element
// strings and FNC1, §7.12 century of YYMMDD dates). No Qt: terminal and server share it.
namespace Common::Barcode {

inline constexpr char kGroupSeparator = '\x1d';         // ASCII 29: FNC1 as transmitted by scanners
inline constexpr std::size_t kMaxGs1InputLength = 4096; // longer input → ErrorCode::TooLarge

struct Gs1Options
{
    char gsSubstitute = '\0';     // mapped to GS before parsing (scanners that cannot send GS); '\0' = none
    Common::Domain::Date today{}; // reference date for the century rule; {} = system clock (UTC)
};

// One AI element string. `value` is raw (no decimal point inserted, dates stay YYMMDD).
struct ElementString
{
    // "01", "3103", …
    std::string ai;
    std::string value;
    // Implied decimal places for 310n..369n and 390n..395n (= n, e.g. 3103=001250 is 1.250 kg); else -1.
    int decimals = -1;
    // The first date component (11-17, 7003, 7006, …), century resolved; DD=00 → last day of the month.
    std::optional<Common::Domain::Date> date;
    friend bool operator==(const ElementString &, const ElementString &) = default;
};

// A parsed GS1 message, elements in input order. Pairing rules (req=/ex=) are not checked.
struct Gs1Message
{
    std::string symbologyIdentifier; // "]C1", "]d2", "]Q3", "]e0", "]J1"; empty when none was given
    std::vector<ElementString> elements;

    std::optional<std::string> value(std::string_view ai) const; // first element with that AI
    std::optional<std::string> gtin() const;                     // AI 01, else 02 (GTIN-14)
    std::optional<std::string> lot() const;                      // AI 10
    std::optional<std::string> serial() const;                   // AI 21
    std::optional<std::string> sscc() const;                     // AI 00 (18 digits)
    std::optional<Common::Domain::Date> expiry() const;          // AI 17, DD=00 → last day of month
    std::optional<std::int64_t> count() const;                   // AI 30, else 37 (units)
    std::string toBracketed() const;                             // "(01)…(17)…(10)…" for display/logs
};

// Parses scanner text into element strings. Accepted forms:
//  - an AIM symbology identifier: ]C1 ]d2 ]Q3 ]e0 ]J1 mean GS1; any other ]Xm → ErrorCode::NotGs1
//    (a plain EAN-13/JAN, ITF or Code 128: route it to gtin.h instead);
//  - "(01)…(10)…": the bracketed human-readable form ("\(" escapes a literal bracket in a value);
//  - anything else: an unbracketed element string (one leading GS ignored).
// FNC1 separators arrive as GS (ASCII 29), or as options.gsSubstitute. Each element is checked for a
// known AI, length, character set, mod-10 check digits and dates (months, days, leap years, DD=00 only
// for yymmd0 AIs). Errors: InvalidInput (empty, bracket syntax, empty element, a failed rule such as
// "piece ≤ total" of 8006), NotGs1, UnknownAi, BadLength, BadCharacter (incl. non-ASCII),
// BadCheckDigit, BadDate, MissingSeparator, TooLarge;
// Error::position is the 0-based offset into `input` and the message names the AI and the reason.
// Not checked: pairing rules (req=/ex=), repeated AIs, GS1 Company Prefix, and the dictionary
// linters that need code lists (ISO 3166/4217 codes, package/media types, coupon formats).
Common::Result<Gs1Message> parseGs1(std::string_view input, const Gs1Options &options = {});

// True for the AIM identifiers that announce GS1 data: ]C1 ]d2 ]Q3 ]e0 ]J1.
bool isGs1SymbologyIdentifier(std::string_view identifier);

// GS1 century rule (§7.12): the year within −49..+50 years of `today`'s year for a two-digit `yy`.
int resolveGs1Year(int yy, const Common::Domain::Date &today);

// Today's date in UTC from the system clock.
Common::Domain::Date currentUtcDate();

} // namespace Common::Barcode
