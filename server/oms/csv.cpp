#include "server/oms/csv.h"

#include <algorithm>
#include <limits>

namespace Server::Oms {

using Common::ErrorCode;

bool isValidUtf8(std::string_view text)
{
    std::size_t i = 0;
    while (i < text.size()) {
        const auto byte = static_cast<unsigned char>(text[i]);
        if (byte < 0x80) {
            ++i;
            continue;
        }
        std::size_t length = 0;
        std::uint32_t codePoint = 0;
        if ((byte & 0xE0) == 0xC0) {
            length = 2;
            codePoint = byte & 0x1F;
        } else if ((byte & 0xF0) == 0xE0) {
            length = 3;
            codePoint = byte & 0x0F;
        } else if ((byte & 0xF8) == 0xF0) {
            length = 4;
            codePoint = byte & 0x07;
        } else {
            return false;
        }
        if (i + length > text.size())
            return false;
        for (std::size_t k = 1; k < length; ++k) {
            const auto next = static_cast<unsigned char>(text[i + k]);
            if ((next & 0xC0) != 0x80)
                return false;
            codePoint = (codePoint << 6) | (next & 0x3F);
        }
        static constexpr std::uint32_t minimum[] = {0, 0, 0x80, 0x800, 0x10000};
        if (codePoint < minimum[length] || codePoint > 0x10FFFF || (codePoint >= 0xD800 && codePoint <= 0xDFFF))
            return false;
        i += length;
    }
    return true;
}

bool parseCsvInteger(std::string_view text, long long &out, bool allowNegative)
{
    bool negative = false;
    if (!text.empty() && text[0] == '-' && allowNegative) {
        negative = true;
        text.remove_prefix(1);
    }
    if (text.empty() || text.size() > 18)
        return false;
    long long value = 0;
    for (const char c : text) {
        if (c < '0' || c > '9')
            return false;
        value = value * 10 + (c - '0');
    }
    out = negative ? -value : value;
    return true;
}

Common::Result<std::vector<CsvRow>> parseCsv(std::string_view text, const std::vector<std::string> &expectedHeader,
                                             const CsvLimits &limits)
{
    if (text.size() > limits.maxBytes)
        return Common::fail(ErrorCode::TooLarge, "file larger than " + std::to_string(limits.maxBytes) + " bytes");
    // Excel's "CSV UTF-8" starts with a byte order mark: it says nothing but "UTF-8", so skip it.
    if (text.size() >= 3 && text.substr(0, 3) == "\xEF\xBB\xBF")
        text.remove_prefix(3);
    if (text.size() >= 4 && text.substr(0, 4) == std::string_view("PK\x03\x04", 4))
        return Common::fail(ErrorCode::InvalidInput, "archives are not accepted; send plain CSV", 1);
    if (!isValidUtf8(text))
        return Common::fail(ErrorCode::InvalidInput, "the file is not valid UTF-8", 1);
    // U+FFFD (the replacement character) is what a browser or an editor puts where it could not
    // read a byte: a Shift_JIS or Latin-1 file read as UTF-8. Its text is lost already, so the
    // file is refused as a whole, naming the first such line.
    if (const auto replaced = text.find("\xEF\xBF\xBD"); replaced != std::string_view::npos) {
        const long lineNumber =
            1 + static_cast<long>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(replaced), '\n'));
        return Common::fail(ErrorCode::InvalidInput,
                            "line " + std::to_string(lineNumber) +
                                " holds U+FFFD, a character that could not be read: the file was not saved as "
                                "UTF-8 (Shift_JIS?); save it as \"CSV UTF-8\" and import it again",
                            lineNumber);
    }

    std::vector<CsvRow> rows;
    std::vector<std::string> fields;
    std::string field;
    long line = 1;
    long recordLine = 1;
    bool quoted = false;    // inside a quoted field
    bool wasQuoted = false; // the current field was quoted (only a separator may follow)
    bool header = true;
    std::size_t i = 0;

    auto endField = [&]() -> Common::Result<void> {
        if (field.size() > limits.maxFieldBytes)
            return Common::fail(ErrorCode::InvalidInput,
                                "field " + std::to_string(fields.size() + 1) + " longer than " +
                                    std::to_string(limits.maxFieldBytes) + " bytes",
                                recordLine);
        fields.push_back(std::move(field));
        field.clear();
        wasQuoted = false;
        return {};
    };
    auto endRecord = [&]() -> Common::Result<void> {
        if (header) {
            if (fields != expectedHeader) {
                std::string expected;
                for (const auto &name : expectedHeader)
                    expected += (expected.empty() ? "" : ",") + name;
                return Common::fail(ErrorCode::InvalidInput, "header must be exactly: " + expected, 1);
            }
            header = false;
        } else {
            if (fields.size() != expectedHeader.size())
                return Common::fail(ErrorCode::InvalidInput,
                                    "record has " + std::to_string(fields.size()) + " fields, the header has " +
                                        std::to_string(expectedHeader.size()),
                                    recordLine);
            if (rows.size() >= limits.maxRows)
                return Common::fail(ErrorCode::TooLarge, "more than " + std::to_string(limits.maxRows) + " rows",
                                    recordLine);
            rows.push_back(CsvRow{recordLine, std::move(fields)});
        }
        fields.clear();
        return {};
    };

    while (i < text.size()) {
        const char c = text[i];
        if (c == '\0')
            return Common::fail(ErrorCode::InvalidInput, "NUL byte in the file", line);
        if (quoted) {
            if (c == '"') {
                if (i + 1 < text.size() && text[i + 1] == '"') {
                    field += '"';
                    i += 2;
                    continue;
                }
                quoted = false;
                wasQuoted = true;
                ++i;
                continue;
            }
            if (c == '\n')
                ++line;
            field += c;
            ++i;
            continue;
        }
        if (c == '"') {
            if (!field.empty() || wasQuoted)
                return Common::fail(ErrorCode::InvalidInput, "quote inside an unquoted field", line);
            quoted = true;
            ++i;
            continue;
        }
        if (c == ',') {
            if (auto done = endField(); !done)
                return tl::unexpected(done.error());
            ++i;
            continue;
        }
        if (c == '\r' || c == '\n') {
            if (c == '\r' && (i + 1 >= text.size() || text[i + 1] != '\n'))
                return Common::fail(ErrorCode::InvalidInput, "bare CR line end", line);
            i += c == '\r' ? 2 : 1;
            if (auto done = endField(); !done)
                return tl::unexpected(done.error());
            if (auto done = endRecord(); !done)
                return tl::unexpected(done.error());
            ++line;
            recordLine = line;
            continue;
        }
        if (wasQuoted)
            return Common::fail(ErrorCode::InvalidInput, "text after a closing quote", line);
        field += c;
        ++i;
    }
    if (quoted)
        return Common::fail(ErrorCode::InvalidInput, "unbalanced quote: the field never ends", recordLine);
    if (!field.empty() || wasQuoted || !fields.empty()) {
        if (auto done = endField(); !done)
            return tl::unexpected(done.error());
        if (auto done = endRecord(); !done)
            return tl::unexpected(done.error());
    }
    if (header)
        return Common::fail(ErrorCode::InvalidInput, "empty file: the header is missing", 1);
    return rows;
}

} // namespace Server::Oms
