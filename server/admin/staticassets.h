#pragma once
#include <string>
#include <string_view>
#include <vector>

// The admin pages' own static files (one stylesheet, one small script), compiled into the
// binary and served by name from GET /admin/static/<name>: there is no filesystem lookup from a
// URL, so no path can reach anything else (REQUIREMENTS.md §5.2 "Paths", R26). Pages link them
// with a content version (`?v=<hash>`), so they may be cached for a year.
namespace Server::Admin {

struct StaticAsset
{
    std::string_view name;        // "admin.css"
    std::string_view contentType; // with charset
    std::string_view body;
    std::string version; // 16 hex digits of FNV-1a 64 over the body
};

const std::vector<StaticAsset> &staticAssets();
const StaticAsset *findStaticAsset(std::string_view name); // nullptr when unknown
// "/admin/static/<name>?v=<version>" of a known asset.
std::string staticUrl(std::string_view name);

inline constexpr std::string_view staticCacheControl = "public, max-age=31536000, immutable";

} // namespace Server::Admin
