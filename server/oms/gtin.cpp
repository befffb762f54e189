#include "server/oms/gtin.h"

namespace Server::Oms {

Common::Result<std::string> normalizeGtin(std::string_view digits)
{
    using Common::ErrorCode;
    if (digits.size() != 8 && digits.size() != 12 && digits.size() != 13 && digits.size() != 14)
        return Common::fail(ErrorCode::BadLength, "a GTIN has 8, 12, 13 or 14 digits");
    for (std::size_t i = 0; i < digits.size(); ++i)
        if (digits[i] < '0' || digits[i] > '9')
            return Common::fail(ErrorCode::BadCharacter, "a GTIN has digits only", static_cast<long>(i));
    const std::string padded = std::string(14 - digits.size(), '0') + std::string(digits);
    // Weights 3,1,3,… from the digit left of the check digit.
    int sum = 0;
    for (int i = 12; i >= 0; --i)
        sum += (padded[static_cast<std::size_t>(i)] - '0') * ((12 - i) % 2 == 0 ? 3 : 1);
    const int check = (10 - sum % 10) % 10;
    if (padded[13] - '0' != check)
        return Common::fail(ErrorCode::BadCheckDigit, "check digit should be " + std::to_string(check),
                            static_cast<long>(digits.size() - 1));
    return padded;
}

} // namespace Server::Oms
