#pragma once
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>
#include "common/support/result.h"

// Strict RFC 4180 CSV reading for imports (REQUIREMENTS.md R48, §5.2 "CSV"): UTF-8 only (a leading
// BOM, as Excel writes, is skipped), no NUL, CRLF or LF line ends, quoted fields with "" escapes, every record with the
// header's field count, at most `maxBytes`, `maxRows` data rows and `maxFieldBytes` per field.
// The header must equal `expectedHeader` exactly (order included). A syntax error fails the whole
// file (Error{InvalidInput, …, position = 1-based line}); row content is the caller's to check.
namespace Server::Oms {

struct CsvLimits
{
    std::size_t maxBytes = 10 * 1024 * 1024;
    std::size_t maxRows = 100'000;
    std::size_t maxFieldBytes = 1024;
};

struct CsvRow
{
    long line = 0; // 1-based line where the record starts
    std::vector<std::string> fields;
};

Common::Result<std::vector<CsvRow>> parseCsv(std::string_view text, const std::vector<std::string> &expectedHeader,
                                             const CsvLimits &limits = {});

// True when `text` is a plain ASCII decimal integer ("0", "12", "-3" if allowNegative); refuses
// "1e3", "0x10", "+1", full-width digits, spaces. Parses into `out` (int64 range checked).
bool parseCsvInteger(std::string_view text, long long &out, bool allowNegative = false);

// Valid UTF-8 (no overlongs, no surrogates, ≤ U+10FFFF).
bool isValidUtf8(std::string_view text);

} // namespace Server::Oms
