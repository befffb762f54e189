#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// Route-table helpers shared by the api and admin applications (their route tables are matched
// the same way; docs/api.md, docs/admin.md). Pure functions, no I/O.
namespace Server::Net {

// Whether `path` (already percent-decoded, no query) matches `pattern` segment by segment.
// Pattern segments `{id}` match a positive decimal without leading zero, at most 18 digits;
// `{key}` matches 1–64 of [A-Za-z0-9_.-] not starting with '.'; anything else matches only
// itself. On a match the {id}/{key} segments are stored in `parameters` (in order) when given.
bool matchRoutePattern(std::string_view pattern, std::string_view path, std::vector<std::string> *parameters);

// Whether a Content-Type header value is `mediaType`, alone or with `; charset=utf-8` (any case,
// spaces ignored). A missing header is no match.
bool isMediaType(std::optional<std::string_view> header, std::string_view mediaType);

} // namespace Server::Net
