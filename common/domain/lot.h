#pragma once
#include <optional>
#include <string>

namespace Common::Domain {

// A calendar date (no time zone): expiry dates from GS1 AI 17 and friends.
struct Date
{
    int year = 0;   // four digits
    int month = 0;  // 1..12
    int day = 0;    // 1..31
    friend auto operator<=>(const Date &, const Date &) = default;
};

// A production lot (batch) of a SKU, GS1 AI 10, with its expiry (AI 17). FEFO picking sorts lots
// by expiry, earliest first; a lot without expiry sorts last.
struct Lot
{
    std::string skuCode;
    std::string code;
    std::optional<Date> expiry;
    bool blocked = false;            // quality hold: picks from it become conflicts
    friend bool operator==(const Lot &, const Lot &) = default;
};

} // namespace Common::Domain
