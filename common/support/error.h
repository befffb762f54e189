#pragma once
#include <string>
#include <string_view>

namespace Common {

// Why an expected failure happened. Codes are stable: tests, logs and the sync protocol name them.
enum class ErrorCode {
    InvalidInput,    // malformed scan, request field, CSV cell (context says which)
    NotGs1,          // a barcode that is valid but carries no GS1 element string (plain EAN/JAN, Code 128)
    UnknownAi,       // GS1 Application Identifier not in the table
    BadLength,       // element string too short or too long for its AI
    BadCharacter,    // character outside the AI's character set (numeric, GS1 set 82, set 39)
    BadCheckDigit,   // mod-10 check digit wrong (GTIN, SSCC, GLN, …)
    BadDate,         // YYMMDD outside the calendar
    MissingSeparator,// variable-length element not terminated by FNC1/GS
    NotFound,        // SKU, location, order, device, … unknown
    Conflict,        // a business rule refused the change (stock, state transition)
    Unauthorized,
    Forbidden,
    TooLarge,        // an input exceeded a configured limit
    Storage,         // database / disk error; message is for the log, not the operator
    Io,
    Crypto,
    Internal,
};

// A small value describing an expected failure (STYLE.md §4). `message` is English, for logs and
// API bodies; views map `code` to translated text. `position` is a 0-based offset into the input
// that failed (a character of a scan, a row of a CSV), or -1 when there is none.
struct Error
{
    ErrorCode code = ErrorCode::Internal;
    std::string message;
    long position = -1;

    static Error make(ErrorCode code, std::string message, long position = -1)
    {
        return Error{code, std::move(message), position};
    }
    // "message (at 12)" — the form used in CLI output and logs.
    std::string describe() const;
    friend bool operator==(const Error &, const Error &) = default;
};

// Stable lower-case name of a code, e.g. "bad_check_digit" (used in JSON and logs).
std::string_view errorCodeName(ErrorCode code);

} // namespace Common
