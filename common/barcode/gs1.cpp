#include "common/barcode/gs1.h"

#include <algorithm>
#include <charconv>
#include <chrono>

#include "common/barcode/gs1aitable.h"

namespace Common::Barcode {

namespace {

using Common::Domain::Date;

// ---- character sets (GS1 General Specifications §7.11) ----

bool isDigit(char c)
{
    return c >= '0' && c <= '9';
}

bool isUpper(char c)
{
    return c >= 'A' && c <= 'Z';
}

bool isLower(char c)
{
    return c >= 'a' && c <= 'z';
}

// Figure 7.11-1: the 82 characters allowed in alphanumeric AI data.
bool isSet82(char c)
{
    constexpr std::string_view kSymbols = "!\"%&'()*+,-./:;<=>?_";
    return isDigit(c) || isUpper(c) || isLower(c) || kSymbols.find(c) != std::string_view::npos;
}

// Figure 7.11-2: set 39 (#, -, /, digits, upper case).
bool isSet39(char c)
{
    return isDigit(c) || isUpper(c) || c == '#' || c == '-' || c == '/';
}

// Figure 7.11-3: set 64 (the base64url alphabet); '=' only as trailing padding (checked separately).
bool isSet64(char c)
{
    return isDigit(c) || isUpper(c) || isLower(c) || c == '-' || c == '_';
}

std::string_view characterSetName(Gs1CharacterSet set)
{
    switch (set) {
    case Gs1CharacterSet::Numeric:
        return "digits only";
    case Gs1CharacterSet::Set82:
        return "GS1 character set 82";
    case Gs1CharacterSet::Set39:
        return "GS1 character set 39";
    case Gs1CharacterSet::Set64:
        return "GS1 character set 64";
    }
    return "?";
}

// How a character is shown in an error message: printable as itself, control bytes as 0xHH.
std::string showCharacter(char c)
{
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte >= 0x7f) {
        constexpr std::string_view kHex = "0123456789ABCDEF";
        return std::string("0x") + kHex[byte >> 4] + kHex[byte & 0xf];
    }
    if (c == ' ')
        return "space";
    return std::string("'") + c + "'";
}

// ---- one element being validated ----

// The value of one element and where each of its characters sits in the original input (the
// bracketed form unescapes "\(", so positions are not always contiguous).
struct Field
{
    const Gs1AiEntry *entry = nullptr;
    std::string value;
    std::vector<long> positions; // positions[i] = offset of value[i] in the input
    long endPosition = 0;        // offset just after the value (for "too short")

    long at(std::size_t index) const { return index < positions.size() ? positions[index] : endPosition; }
};

tl::unexpected<Error> elementError(ErrorCode code, const Field &field, const std::string &reason, long position)
{
    return Common::fail(code,
                        reason + " (AI " + std::string(field.entry->ai) + ", " + std::string(field.entry->title) +
                            ") at position " + std::to_string(position),
                        position);
}

bool isLeapYear(int year)
{
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

int daysInMonth(int year, int month)
{
    constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return month == 2 && isLeapYear(year) ? 29 : kDays[month - 1];
}

int number(std::string_view digits)
{
    int value = 0;
    for (char c : digits)
        value = value * 10 + (c - '0');
    return value;
}

int mod10CheckDigit(std::string_view digitsWithoutCheck)
{
    int sum = 0;
    int weight = 3;
    for (auto it = digitsWithoutCheck.rbegin(); it != digitsWithoutCheck.rend(); ++it) {
        sum += (*it - '0') * weight;
        weight = 4 - weight;
    }
    return (10 - sum % 10) % 10;
}

// Check character pair of AIs 8013/8014 (GenSpecs §7.9.5): weights are the primes from the right,
// sum of set-82 indices modulo 1021, written as two characters of set 32.
bool csumAlphaValid(std::string_view data)
{
    constexpr std::string_view kSet82 =
        "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz";
    constexpr std::string_view kSet32 = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
    constexpr int kPrimes[] = {2,  3,  5,  7,  11, 13, 17, 19, 23, 29, 31, 37, 41,
                               43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89, 97};
    if (data.size() < 2 || data.size() - 2 > std::size(kPrimes))
        return false;
    const std::size_t payload = data.size() - 2;
    int sum = 0;
    for (std::size_t i = 0; i < payload; ++i) {
        const auto index = kSet82.find(data[i]);
        if (index == std::string_view::npos)
            return false;
        sum += static_cast<int>(index) * kPrimes[payload - 1 - i];
    }
    sum %= 1021;
    return data[payload] == kSet32[static_cast<std::size_t>(sum >> 5)] &&
           data[payload + 1] == kSet32[static_cast<std::size_t>(sum & 31)];
}

struct Context
{
    Date today;
};

// Runs one linter of the Syntax Dictionary on one component. Linters needing code lists
// (iso3166, iso4217, packagetype, mediatype, coupon formats, importeridx) and GCP lookups (gcppos*)
// are not checked here.
Common::Result<std::optional<Date>> runLinter(std::string_view linter, std::string_view data, std::size_t offset,
                                              const Field &field, const Context &context)
{
    const auto fail = [&](ErrorCode code, const std::string &reason, std::size_t index) {
        return elementError(code, field, reason, field.at(offset + index));
    };
    if (linter == "csum") {
        const int expected = mod10CheckDigit(data.substr(0, data.size() - 1));
        if (data.back() - '0' != expected)
            return fail(ErrorCode::BadCheckDigit,
                        "bad check digit: expected " + std::to_string(expected) + ", found " +
                            std::string(1, data.back()),
                        data.size() - 1);
    } else if (linter == "csumalpha") {
        if (!csumAlphaValid(data))
            return fail(ErrorCode::BadCheckDigit, "bad check character pair", data.size() >= 2 ? data.size() - 2 : 0);
    } else if (linter == "yymmd0" || linter == "yymmdd" || linter == "yyyymmdd") {
        const bool fullYear = linter == "yyyymmdd";
        const std::size_t yearDigits = fullYear ? 4 : 2;
        const int year =
            fullYear ? number(data.substr(0, 4)) : resolveGs1Year(number(data.substr(0, 2)), context.today);
        const int month = number(data.substr(yearDigits, 2));
        int day = number(data.substr(yearDigits + 2, 2));
        if (month < 1 || month > 12)
            return fail(ErrorCode::BadDate, "invalid month " + std::string(data.substr(yearDigits, 2)), yearDigits);
        if (day == 0 && linter == "yymmd0") {
            day = daysInMonth(year, month); // DD=00: the last day of the month (GenSpecs §3.4, AIs 11-17)
        } else if (day < 1 || day > daysInMonth(year, month)) {
            return fail(ErrorCode::BadDate,
                        "invalid day " + std::string(data.substr(yearDigits + 2, 2)) + " for " + std::to_string(year) +
                            "-" + std::string(data.substr(yearDigits, 2)),
                        yearDigits + 2);
        }
        return std::optional<Date>(Date{year, month, day});
    } else if (linter == "hhmi" || linter == "hh" || linter == "mi" || linter == "ss") {
        const bool hours = linter == "hhmi" || linter == "hh";
        if (hours && number(data.substr(0, 2)) > 23)
            return fail(ErrorCode::BadDate, "invalid hour " + std::string(data.substr(0, 2)), 0);
        const std::size_t minuteAt = linter == "hhmi" ? 2 : 0;
        if (!hours || linter == "hhmi") {
            if (number(data.substr(minuteAt, 2)) > 59)
                return fail(ErrorCode::BadDate, "invalid minute/second " + std::string(data.substr(minuteAt, 2)),
                            minuteAt);
        }
    } else if (linter == "zero") {
        if (data != "0")
            return fail(ErrorCode::InvalidInput, "must be 0", 0);
    } else if (linter == "nonzero") {
        if (data.find_first_not_of('0') == std::string_view::npos)
            return fail(ErrorCode::InvalidInput, "must not be zero", 0);
    } else if (linter == "yesno") {
        if (data != "0" && data != "1")
            return fail(ErrorCode::InvalidInput, "must be 0 (no) or 1 (yes)", 0);
    } else if (linter == "winding") {
        if (data != "0" && data != "1" && data != "9")
            return fail(ErrorCode::InvalidInput, "winding direction must be 0, 1 or 9", 0);
    } else if (linter == "iso5218") {
        if (data != "0" && data != "1" && data != "2" && data != "9")
            return fail(ErrorCode::InvalidInput, "sex code must be 0, 1, 2 or 9 (ISO/IEC 5218)", 0);
    } else if (linter == "hyphen") {
        if (data != "-")
            return fail(ErrorCode::BadCharacter, "only '-' allowed here", 0);
    } else if (linter == "pieceoftotal") {
        const int piece = number(data.substr(0, 2));
        const int total = number(data.substr(2, 2));
        if (piece == 0 || total == 0 || piece > total)
            return fail(ErrorCode::InvalidInput, "piece number must be 01..total and total non-zero", 0);
    } else if (linter == "nozeroprefix") {
        if (data.size() > 1 && data.front() == '0')
            return fail(ErrorCode::InvalidInput, "must not start with 0", 0);
    } else if (linter == "hasnondigit") {
        if (std::all_of(data.begin(), data.end(), isDigit))
            return fail(ErrorCode::InvalidInput, "must contain a non-digit character", 0);
    } else if (linter == "latitude" || linter == "longitude") {
        const long long limit = linter == "latitude" ? 1800000000LL : 3600000000LL;
        long long value = 0;
        for (char c : data)
            value = value * 10 + (c - '0');
        if (value > limit)
            return fail(ErrorCode::InvalidInput, std::string(linter) + " out of range", 0);
    } else if (linter == "pcenc") {
        for (std::size_t i = 0; i < data.size(); ++i) {
            if (data[i] != '%')
                continue;
            const auto isHex = [](char c) { return isDigit(c) || (c >= 'A' && c <= 'F') || (c >= 'a' && c <= 'f'); };
            if (i + 2 >= data.size() || !isHex(data[i + 1]) || !isHex(data[i + 2]))
                return fail(ErrorCode::BadCharacter, "'%' must start a percent-encoded byte %HH", i);
            i += 2;
        }
    }
    return std::optional<Date>{};
}

bool characterAllowed(Gs1CharacterSet set, char c)
{
    switch (set) {
    case Gs1CharacterSet::Numeric:
        return isDigit(c);
    case Gs1CharacterSet::Set82:
        return isSet82(c);
    case Gs1CharacterSet::Set39:
        return isSet39(c);
    case Gs1CharacterSet::Set64:
        return isSet64(c) || c == '=';
    }
    return false;
}

int impliedDecimals(std::string_view ai)
{
    // 31nn-36nn measures and 390n-395n amounts: the last AI digit is the number of decimals (§3.6).
    if (ai.size() != 4 || ai[0] != '3' || (!(ai[1] >= '1' && ai[1] <= '6') && ai[1] != '9'))
        return -1;
    return ai[3] - '0';
}

// Checks one element's value against its AI: character set, length, components, linters.
Common::Result<ElementString> validateField(const Field &field, const Context &context)
{
    const Gs1AiEntry &entry = *field.entry;
    const std::string &value = field.value;
    if (value.empty())
        return elementError(ErrorCode::BadLength, field, "empty value", field.endPosition);

    // Characters that are never AI data (space, control bytes, '~', '|', …) first: the most precise reason.
    bool allowsSet39 = false;
    for (const Gs1Component &component : entry.specification())
        allowsSet39 = allowsSet39 || component.characterSet == Gs1CharacterSet::Set39;
    for (std::size_t i = 0; i < value.size(); ++i) {
        if (!isSet82(value[i]) && !(allowsSet39 && value[i] == '#'))
            return elementError(ErrorCode::BadCharacter, field,
                                "illegal character " + showCharacter(value[i]) + ", not in GS1 character set 82",
                                field.at(i));
    }

    const auto maxLength = static_cast<std::size_t>(entry.maxLength());
    if (value.size() > maxLength) {
        if (!entry.predefinedLength && entry.minLength() == entry.maxLength())
            return elementError(ErrorCode::MissingSeparator, field,
                                "too long: fixed length " + std::to_string(maxLength) +
                                    " but not a predefined-length AI, so a GS/FNC1 separator must follow it",
                                field.at(maxLength));
        return elementError(ErrorCode::BadLength, field,
                            "too long: " + std::to_string(value.size()) + " characters, at most " +
                                std::to_string(maxLength),
                            field.at(maxLength));
    }

    ElementString element{std::string(entry.ai), value, impliedDecimals(entry.ai), std::nullopt};
    std::size_t offset = 0;
    for (const Gs1Component &component : entry.specification()) {
        const std::size_t remaining = value.size() - offset;
        if (remaining == 0 && component.optional)
            break;
        if (remaining < component.minLength) {
            const std::string need = std::to_string(entry.minLength() > static_cast<int>(value.size())
                                                        ? entry.minLength()
                                                        : static_cast<int>(offset + component.minLength));
            return elementError(ErrorCode::BadLength, field,
                                "too short: " + std::to_string(value.size()) + " characters, needs " + need,
                                field.at(value.size()));
        }
        const std::size_t length =
            component.fixedLength() ? component.minLength : std::min<std::size_t>(remaining, component.maxLength);
        const std::string_view data = std::string_view(value).substr(offset, length);
        for (std::size_t i = 0; i < data.size(); ++i) {
            if (!characterAllowed(component.characterSet, data[i]))
                return elementError(ErrorCode::BadCharacter, field,
                                    (component.characterSet == Gs1CharacterSet::Numeric ? "non-numeric character "
                                                                                        : "illegal character ") +
                                        showCharacter(data[i]) + ", expected " +
                                        std::string(characterSetName(component.characterSet)),
                                    field.at(offset + i));
        }
        if (component.characterSet == Gs1CharacterSet::Set64) {
            // '=' is base64url padding: at most two, and only at the end.
            const auto firstPad = data.find('=');
            if (firstPad != std::string_view::npos &&
                (data.size() - firstPad > 2 || data.find_first_not_of('=', firstPad) != std::string_view::npos))
                return elementError(ErrorCode::BadCharacter, field, "'=' is only allowed as trailing padding",
                                    field.at(offset + firstPad));
        }
        std::string_view linters = component.linters;
        while (!linters.empty()) {
            const auto comma = linters.find(',');
            auto date = runLinter(linters.substr(0, comma), data, offset, field, context);
            if (!date)
                return tl::unexpected(date.error());
            if (*date && !element.date)
                element.date = *date;
            linters = comma == std::string_view::npos ? std::string_view{} : linters.substr(comma + 1);
        }
        offset += length;
    }
    return element;
}

tl::unexpected<Error> unknownAiError(std::string_view data, std::size_t index, long base, const std::string &previousAi)
{
    const long position = base + static_cast<long>(index);
    const std::string after = previousAi.empty() ? std::string() : " after AI " + previousAi;
    if (!isDigit(data[index]))
        return Common::fail(ErrorCode::UnknownAi,
                            "unknown AI" + after + ": expected AI digits, found " + showCharacter(data[index]) +
                                " at position " + std::to_string(position),
                            position);
    std::size_t digits = 0;
    while (index + digits < data.size() && digits < 4 && isDigit(data[index + digits]))
        ++digits;
    if (index + digits == data.size() && digits < 4) {
        // The data ends inside what could still be an AI.
        bool couldBeAi = false;
        for (const Gs1AiEntry &entry : allAis())
            couldBeAi = couldBeAi || entry.ai.starts_with(data.substr(index));
        if (couldBeAi || digits < 2)
            return Common::fail(ErrorCode::UnknownAi,
                                "incomplete AI '" + std::string(data.substr(index)) + "'" + after + " at position " +
                                    std::to_string(position),
                                position);
    }
    std::string tried;
    for (std::size_t length = 2; length <= digits; ++length)
        tried += (tried.empty() ? "" : length == digits ? " or " : ", ") + std::string(data.substr(index, length));
    return Common::fail(ErrorCode::UnknownAi,
                        "unknown AI" + after + ": no AI " + tried + " exists, at position " + std::to_string(position),
                        position);
}

// Unbracketed element string: AIs follow each other, FNC1 (GS) after every element that is not
// predefined-length (§7.8.4, Figure 7.8.4-2). `base` is the offset of `data` in the input.
Common::Result<std::vector<ElementString>> parseElementString(std::string_view data, long base, const Context &context)
{
    std::vector<ElementString> elements;
    std::size_t index = 0;
    if (!data.empty() && data.front() == kGroupSeparator)
        ++index; // a leading FNC1 sent as GS (AIM IDs off): policy, see README of the vectors
    if (index >= data.size())
        return Common::fail(ErrorCode::InvalidInput, "empty GS1 data: no element string",
                            base + static_cast<long>(index));
    std::string previousAi;
    while (index < data.size()) {
        if (data[index] == kGroupSeparator)
            return Common::fail(ErrorCode::InvalidInput,
                                "empty element between separators at position " + std::to_string(base + index),
                                base + static_cast<long>(index));
        const Gs1AiEntry *entry = matchAiPrefix(data.substr(index));
        if (!entry)
            return unknownAiError(data, index, base, previousAi);
        index += entry->ai.size();
        const std::size_t valueStart = index;
        std::size_t valueEnd = data.find(kGroupSeparator, valueStart);
        if (valueEnd == std::string_view::npos)
            valueEnd = data.size();
        if (entry->predefinedLength)
            valueEnd = std::min(valueEnd, valueStart + static_cast<std::size_t>(entry->maxLength()));
        Field field;
        field.entry = entry;
        field.value = std::string(data.substr(valueStart, valueEnd - valueStart));
        for (std::size_t i = valueStart; i < valueEnd; ++i)
            field.positions.push_back(base + static_cast<long>(i));
        field.endPosition = base + static_cast<long>(valueEnd);
        auto element = validateField(field, context);
        if (!element)
            return tl::unexpected(element.error());
        elements.push_back(std::move(*element));
        previousAi = std::string(entry->ai);
        index = valueEnd;
        if (index < data.size() && data[index] == kGroupSeparator)
            ++index; // the separator, or a superfluous one after a predefined-length element
    }
    return elements;
}

// Bracketed human-readable form "(01)…(10)…" (GenSpecs §4.15; "\(" escapes a bracket in data, as the
// GS1 Syntax Engine does). The brackets delimit the AIs, so no separators are involved.
Common::Result<std::vector<ElementString>> parseBracketed(std::string_view data, const Context &context)
{
    std::vector<ElementString> elements;
    std::size_t index = 0;
    while (index < data.size()) {
        const long open = static_cast<long>(index);
        if (data[index] != '(')
            return Common::fail(ErrorCode::InvalidInput, "expected '(' at position " + std::to_string(open), open);
        std::size_t close = index + 1;
        while (close < data.size() && isDigit(data[close]))
            ++close;
        const std::size_t digits = close - index - 1;
        if (close == data.size() || (data[close] != ')' && digits > 4))
            return Common::fail(ErrorCode::InvalidInput,
                                "unterminated AI bracket: '(' at position " + std::to_string(open) + " has no ')'",
                                open);
        if (data[close] != ')' || digits < 2)
            return Common::fail(ErrorCode::InvalidInput,
                                "bad bracket at position " + std::to_string(open) +
                                    ": '(' must be followed by an AI and ')' (write \\( for a bracket in data)",
                                open);
        const std::string_view ai = data.substr(index + 1, digits);
        const Gs1AiEntry *entry = findAi(ai);
        if (!entry)
            return Common::fail(ErrorCode::UnknownAi,
                                "unknown AI (" + std::string(ai) + ") at position " + std::to_string(open + 1),
                                open + 1);
        Field field;
        field.entry = entry;
        index = close + 1;
        while (index < data.size() && data[index] != '(') {
            if (data[index] == '\\' && index + 1 < data.size() && (data[index + 1] == '(' || data[index + 1] == ')'))
                ++index;
            field.value.push_back(data[index]);
            field.positions.push_back(static_cast<long>(index));
            ++index;
        }
        field.endPosition = static_cast<long>(index);
        auto element = validateField(field, context);
        if (!element)
            return tl::unexpected(element.error());
        elements.push_back(std::move(*element));
    }
    return elements;
}

std::string_view symbologyName(std::string_view identifier)
{
    if (identifier == "]E0")
        return "EAN-13/UPC-A";
    if (identifier == "]E4")
        return "EAN-8";
    if (identifier.starts_with("]I"))
        return "ITF";
    if (identifier == "]C0")
        return "Code 128 without FNC1";
    if (identifier.starts_with("]d"))
        return "DataMatrix without FNC1";
    if (identifier.starts_with("]Q"))
        return "QR Code without FNC1";
    if (identifier.starts_with("]F"))
        return "Codabar";
    return "a non-GS1 symbology";
}

} // namespace

bool isGs1SymbologyIdentifier(std::string_view identifier)
{
    return identifier == "]C1" || identifier == "]d2" || identifier == "]Q3" || identifier == "]e0" ||
           identifier == "]J1";
}

int resolveGs1Year(int yy, const Date &today)
{
    // §7.12: a difference of 51..99 years ahead means the previous century, 50..99 behind the next one.
    const int century = today.year / 100 * 100;
    const int difference = yy - today.year % 100;
    if (difference > 50)
        return century - 100 + yy;
    if (difference < -49)
        return century + 100 + yy;
    return century + yy;
}

Date currentUtcDate()
{
    const auto days = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now());
    const std::chrono::year_month_day date{days};
    return Date{static_cast<int>(date.year()), static_cast<int>(static_cast<unsigned>(date.month())),
                static_cast<int>(static_cast<unsigned>(date.day()))};
}

Common::Result<Gs1Message> parseGs1(std::string_view input, const Gs1Options &options)
{
    if (input.empty())
        return Common::fail(ErrorCode::InvalidInput, "empty input");
    if (input.size() > kMaxGs1InputLength)
        return Common::fail(ErrorCode::TooLarge, "input of " + std::to_string(input.size()) + " bytes exceeds " +
                                                     std::to_string(kMaxGs1InputLength));
    for (std::size_t i = 0; i < input.size(); ++i) {
        if (static_cast<unsigned char>(input[i]) >= 0x80)
            return Common::fail(ErrorCode::BadCharacter,
                                "non-ASCII input (byte " + showCharacter(input[i]) + " at position " +
                                    std::to_string(i) +
                                    "): GS1 data is ASCII; full-width digits from an IME must be converted first",
                                static_cast<long>(i));
    }
    const Context context{options.today.year != 0 ? options.today : currentUtcDate()};

    Gs1Message message;
    std::string data(input);
    std::size_t start = 0;
    if (data.front() == ']') {
        if (data.size() < 3)
            return Common::fail(ErrorCode::InvalidInput, "truncated symbology identifier '" + data + "'", 0);
        message.symbologyIdentifier = data.substr(0, 3);
        if (!isGs1SymbologyIdentifier(message.symbologyIdentifier))
            return Common::fail(ErrorCode::NotGs1,
                                "not GS1 (" + message.symbologyIdentifier + ", " +
                                    std::string(symbologyName(message.symbologyIdentifier)) +
                                    "): no AI element string; handle it as a product code or other barcode",
                                0);
        start = 3;
        if (data.size() == start)
            return Common::fail(ErrorCode::InvalidInput, "empty GS1 data after " + message.symbologyIdentifier,
                                static_cast<long>(start));
    }
    if (options.gsSubstitute != '\0')
        std::replace(data.begin() + static_cast<std::ptrdiff_t>(start), data.end(), options.gsSubstitute,
                     kGroupSeparator);

    auto elements = start == 0 && data.front() == '('
                        ? parseBracketed(data, context)
                        : parseElementString(std::string_view(data).substr(start), static_cast<long>(start), context);
    if (!elements)
        return tl::unexpected(elements.error());
    message.elements = std::move(*elements);
    return message;
}

// ---- Gs1Message accessors ----

std::optional<std::string> Gs1Message::value(std::string_view ai) const
{
    for (const ElementString &element : elements) {
        if (element.ai == ai)
            return element.value;
    }
    return std::nullopt;
}

std::optional<std::string> Gs1Message::gtin() const
{
    if (auto gtin = value("01"))
        return gtin;
    return value("02");
}

std::optional<std::string> Gs1Message::lot() const
{
    return value("10");
}

std::optional<std::string> Gs1Message::serial() const
{
    return value("21");
}

std::optional<std::string> Gs1Message::sscc() const
{
    return value("00");
}

std::optional<Date> Gs1Message::expiry() const
{
    for (const ElementString &element : elements) {
        if (element.ai == "17")
            return element.date;
    }
    return std::nullopt;
}

std::optional<std::int64_t> Gs1Message::count() const
{
    auto text = value("30");
    if (!text)
        text = value("37");
    if (!text)
        return std::nullopt;
    std::int64_t count = 0;
    const auto [end, error] = std::from_chars(text->data(), text->data() + text->size(), count);
    if (error != std::errc{} || end != text->data() + text->size())
        return std::nullopt;
    return count;
}

std::string Gs1Message::toBracketed() const
{
    std::string text;
    for (const ElementString &element : elements) {
        text += '(' + element.ai + ')';
        for (char c : element.value) {
            if (c == '(' || c == ')')
                text += '\\';
            text += c;
        }
    }
    return text;
}

} // namespace Common::Barcode
