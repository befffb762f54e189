#include "server/net/routepattern.h"

#include <algorithm>
#include <cctype>

namespace Server::Net {

namespace {

std::vector<std::string_view> splitPath(std::string_view path)
{
    std::vector<std::string_view> parts;
    std::size_t start = 0;
    while (start <= path.size()) {
        const auto slash = path.find('/', start);
        const auto end = slash == std::string_view::npos ? path.size() : slash;
        parts.push_back(path.substr(start, end - start));
        if (slash == std::string_view::npos)
            break;
        start = slash + 1;
    }
    return parts;
}

bool isId(std::string_view text)
{
    return !text.empty() && text.size() <= 18 && text[0] != '0' &&
           std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool isKey(std::string_view text)
{
    return !text.empty() && text.size() <= 64 && text[0] != '.' && std::all_of(text.begin(), text.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-';
    });
}

} // namespace

bool matchRoutePattern(std::string_view pattern, std::string_view path, std::vector<std::string> *parameters)
{
    const auto want = splitPath(pattern);
    const auto have = splitPath(path);
    if (want.size() != have.size())
        return false;
    std::vector<std::string> found;
    for (std::size_t index = 0; index < want.size(); ++index) {
        if (want[index] == "{id}" || want[index] == "{key}") {
            if (want[index] == "{id}" ? !isId(have[index]) : !isKey(have[index]))
                return false;
            found.emplace_back(have[index]);
        } else if (want[index] != have[index]) {
            return false;
        }
    }
    if (parameters)
        *parameters = std::move(found);
    return true;
}

bool isMediaType(std::optional<std::string_view> header, std::string_view mediaType)
{
    if (!header)
        return false;
    std::string value;
    for (const char c : *header) {
        if (c != ' ')
            value += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return value == mediaType || value == std::string(mediaType) + ";charset=utf-8";
}

} // namespace Server::Net
