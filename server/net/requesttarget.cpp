#include "server/net/requesttarget.h"

#include <boost/url/parse.hpp>

namespace Server::Net {
namespace {

int hexValue(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

bool isControl(unsigned char c)
{
    return c < 0x20 || c == 0x7F;
}

// Decodes %XX (and '+' as space when asked); `offset` is where `text` starts in the target, for
// error positions. Refuses invalid escapes, NUL and other control characters.
Common::Result<std::string> decode(std::string_view text, std::size_t offset, bool plusIsSpace)
{
    std::string out;
    out.reserve(text.size());
    for (std::size_t index = 0; index < text.size(); ++index) {
        char c = text[index];
        const auto position = static_cast<long>(offset + index);
        if (c == '%') {
            const bool complete = index + 2 < text.size();
            const int high = complete ? hexValue(text[index + 1]) : -1;
            const int low = complete ? hexValue(text[index + 2]) : -1;
            if (high < 0 || low < 0)
                return Common::fail(Common::ErrorCode::InvalidInput, "invalid percent-encoding in the request target",
                                    position);
            c = static_cast<char>(high * 16 + low);
            index += 2;
        } else if (c == '+' && plusIsSpace) {
            c = ' ';
        }
        if (c == '\0')
            return Common::fail(Common::ErrorCode::InvalidInput, "NUL byte in the request target", position);
        if (isControl(static_cast<unsigned char>(c)))
            return Common::fail(Common::ErrorCode::InvalidInput, "control character in the request target", position);
        out += c;
    }
    return out;
}

} // namespace

Common::Result<RequestTarget> parseRequestTarget(std::string_view target)
{
    using Common::ErrorCode;
    if (target.size() > maxTargetBytes)
        return Common::fail(ErrorCode::TooLarge,
                            "request target longer than " + std::to_string(maxTargetBytes) + " bytes");
    if (target.empty() || target.front() != '/')
        return Common::fail(ErrorCode::InvalidInput, "request target must be in origin-form (start with '/')", 0);
    // Percent-escapes are checked by our own decoder first so the error names the position.
    const std::size_t questionMark = target.find('?');
    const std::string_view encodedPath = target.substr(0, questionMark);
    const std::string_view encodedQuery =
        questionMark == std::string_view::npos ? std::string_view() : target.substr(questionMark + 1);
    if (auto checked = decode(target, 0, false); !checked)
        return tl::unexpected(checked.error());
    // The RFC 3986 grammar (no spaces, '\', '#', non-ASCII, ...) from Boost.URL.
    if (!boost::urls::parse_origin_form(target))
        return Common::fail(ErrorCode::InvalidInput, "request target is not a valid origin-form URI");

    RequestTarget result;
    std::size_t segmentStart = 1;
    while (segmentStart <= encodedPath.size()) {
        std::size_t segmentEnd = encodedPath.find('/', segmentStart);
        if (segmentEnd == std::string_view::npos)
            segmentEnd = encodedPath.size();
        auto segment = decode(encodedPath.substr(segmentStart, segmentEnd - segmentStart), segmentStart, false);
        if (!segment)
            return tl::unexpected(segment.error());
        const auto position = static_cast<long>(segmentStart);
        if (*segment == "." || *segment == "..")
            return Common::fail(ErrorCode::InvalidInput, "dot segment in the request path", position);
        if (segment->find('/') != std::string::npos)
            return Common::fail(ErrorCode::InvalidInput, "encoded '/' in the request path", position);
        if (segment->find('\\') != std::string::npos)
            return Common::fail(ErrorCode::InvalidInput, "'\\' in the request path", position);
        result.path += '/';
        result.path += *segment;
        segmentStart = segmentEnd + 1;
    }
    if (result.path.empty())
        result.path = "/";

    std::size_t pieceStart = 0;
    const std::size_t queryOffset = questionMark == std::string_view::npos ? 0 : questionMark + 1;
    while (!encodedQuery.empty() && pieceStart <= encodedQuery.size()) {
        std::size_t pieceEnd = encodedQuery.find('&', pieceStart);
        if (pieceEnd == std::string_view::npos)
            pieceEnd = encodedQuery.size();
        const std::string_view piece = encodedQuery.substr(pieceStart, pieceEnd - pieceStart);
        const std::size_t offset = queryOffset + pieceStart;
        pieceStart = pieceEnd + 1;
        if (piece.empty())
            continue;
        const std::size_t equals = piece.find('=');
        auto name = decode(piece.substr(0, equals), offset, true);
        if (!name)
            return tl::unexpected(name.error());
        if (name->empty())
            return Common::fail(ErrorCode::InvalidInput, "query parameter without a name", static_cast<long>(offset));
        std::string value;
        if (equals != std::string_view::npos) {
            auto decodedValue = decode(piece.substr(equals + 1), offset + equals + 1, true);
            if (!decodedValue)
                return tl::unexpected(decodedValue.error());
            value = std::move(*decodedValue);
        }
        for (const auto &existing : result.query) {
            if (existing.first == *name)
                return Common::fail(ErrorCode::InvalidInput, "duplicate query parameter '" + *name + "'",
                                    static_cast<long>(offset));
        }
        if (result.query.size() >= maxQueryParameters)
            return Common::fail(ErrorCode::InvalidInput,
                                "more than " + std::to_string(maxQueryParameters) + " query parameters",
                                static_cast<long>(offset));
        result.query.emplace_back(std::move(*name), std::move(value));
    }
    return result;
}

} // namespace Server::Net
