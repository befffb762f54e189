#pragma once
#include <array>
#include <cstdint>
#include <span>
#include <string_view>

// The GS1 Application Identifier table, compiled into the product (a user's clone has no ../shared).
// Generated from the GS1 Barcode Syntax Dictionary (github.com/gs1/gs1-syntax-dictionary, commit
// ff2eb4bf, Apache-2.0) by scripts/gen_gs1_ai_table.py; tests compare it with that file row by row.
namespace Common::Barcode {

// Character set of one component: N digits, X GS1 set 82, Y GS1 set 39, Z set 64 (base64url)
// (GS1 General Specifications §7.11, Figures 7.11-1..3).
enum class Gs1CharacterSet : std::uint8_t { Numeric, Set82, Set39, Set64 };

// One component of an AI's data field, e.g. "N6,yymmd0" or "[N..12]". Fixed length when
// minLength == maxLength; a variable "X..20" has minLength 1. Only the last component may vary.
struct Gs1Component
{
    Gs1CharacterSet characterSet = Gs1CharacterSet::Numeric;
    std::uint8_t minLength = 0;
    std::uint8_t maxLength = 0;
    bool optional = false;    // "[...]": may be absent once the data is exhausted
    std::string_view linters; // the dictionary's comma-separated linter names, e.g. "csum,gcppos2"

    constexpr bool fixedLength() const { return minLength == maxLength; }
};

// One Application Identifier (ranges such as 3100-3105 are expanded to one entry per AI).
struct Gs1AiEntry
{
    std::string_view ai;               // 2-4 digits
    bool predefinedLength = false;     // dictionary flag '*': no FNC1 separator needed after it (§7.8.4)
    bool digitalLinkAttribute = false; // dictionary flag '?'
    std::array<Gs1Component, 5> components{};
    std::uint8_t componentCount = 0;
    std::string_view title; // e.g. "USE BY or EXPIRY"; UTF-8 (m², m³)

    constexpr std::span<const Gs1Component> specification() const { return {components.data(), componentCount}; }
    int minLength() const; // sum over the mandatory components
    int maxLength() const; // sum over all components
    bool hasLinter(std::string_view linter) const;
};

// The entry for exactly this AI ("01", "3103"), or nullptr when GS1 defines no such AI.
const Gs1AiEntry *findAi(std::string_view ai);

// The entry whose AI is a prefix of `data` (AIs are prefix-free, §3.1), or nullptr.
const Gs1AiEntry *matchAiPrefix(std::string_view data);

// Every entry, sorted by AI (for tests and AI pickers).
std::span<const Gs1AiEntry> allAis();

} // namespace Common::Barcode
