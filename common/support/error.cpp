#include "common/support/error.h"

namespace Common {

std::string Error::describe() const
{
    if (position < 0)
        return message;
    return message + " (at " + std::to_string(position) + ")";
}

std::string_view errorCodeName(ErrorCode code)
{
    switch (code) {
    case ErrorCode::InvalidInput: return "invalid_input";
    case ErrorCode::NotGs1: return "not_gs1";
    case ErrorCode::UnknownAi: return "unknown_ai";
    case ErrorCode::BadLength: return "bad_length";
    case ErrorCode::BadCharacter: return "bad_character";
    case ErrorCode::BadCheckDigit: return "bad_check_digit";
    case ErrorCode::BadDate: return "bad_date";
    case ErrorCode::MissingSeparator: return "missing_separator";
    case ErrorCode::NotFound: return "not_found";
    case ErrorCode::Conflict: return "conflict";
    case ErrorCode::Unauthorized: return "unauthorized";
    case ErrorCode::Forbidden: return "forbidden";
    case ErrorCode::TooLarge: return "too_large";
    case ErrorCode::Storage: return "storage";
    case ErrorCode::Io: return "io";
    case ErrorCode::Crypto: return "crypto";
    case ErrorCode::Internal: return "internal";
    }
    return "internal";
}

} // namespace Common
