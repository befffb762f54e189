#pragma once
#include <string>
#include <string_view>
#include <utility>
#include <vector>
#include "common/support/result.h"

// Validation and decoding of an HTTP request target (RFC 9112 §3.2 origin-form, RFC 3986 §2.1
// percent-encoding) before any routing: the path is decoded once and refused (InvalidInput, with
// the offset into the target) when it holds NUL or control characters, `\`, an encoded `/`, or
// `.`/`..` segments (REQUIREMENTS.md §5.2 "Paths"); query parameters are decoded ('+' = space) and
// refused when a name repeats (R30). Absolute-form, authority-form and `*` are refused too.
namespace Server::Net {

struct RequestTarget
{
    std::string path;                                       // decoded, starts with '/'
    std::vector<std::pair<std::string, std::string>> query; // decoded, unique names, in order
};

inline constexpr std::size_t maxQueryParameters = 64;
inline constexpr std::size_t maxTargetBytes = 4096;

Common::Result<RequestTarget> parseRequestTarget(std::string_view target);

} // namespace Server::Net
