#pragma once
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>
#include "common/support/result.h"

// Command-line parsing for soko-server's subcommands: `--name value`, `--name=value`, flags and
// positional arguments; an option not declared by the command is an error (no guessing).
namespace Server::App {

struct CommandLine
{
    std::vector<std::string> positional;
    std::multimap<std::string, std::string, std::less<>> options; // declared value options, repeatable
    std::set<std::string, std::less<>> flags;

    bool has(std::string_view flag) const { return flags.contains(flag); }
    // Last value of an option, or `fallback`.
    std::string value(std::string_view name, std::string_view fallback = {}) const;
    std::vector<std::string> values(std::string_view name) const;
};

// `valueOptions` and `flagOptions` are names without the leading "--"; "help" is always a flag.
// Errors: InvalidInput ("unknown option --x", "--x needs a value").
Common::Result<CommandLine> parseCommandLine(const std::vector<std::string> &arguments,
                                             const std::set<std::string, std::less<>> &valueOptions,
                                             const std::set<std::string, std::less<>> &flagOptions = {});

// Checks a --hostname value for the server certificate: an RFC 1123 host name (letters, digits,
// '-', labels of 1–63 characters, at most 253 in all; one leading "*." wildcard label allowed,
// RFC 6125 §6.4.3) or an IPv4/IPv6 literal. Returns "" when valid, else the reason, e.g.
// "is not a valid IPv4 address" for 1.2.3.999.
std::string hostnameProblem(const std::string &name);

} // namespace Server::App
