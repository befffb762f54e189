#include "server/app/commandline.h"

#include <arpa/inet.h>

#include <iterator>
#include <optional>

namespace Server::App {

std::string CommandLine::value(std::string_view name, std::string_view fallback) const
{
    const auto [first, last] = options.equal_range(name);
    if (first == last)
        return std::string(fallback);
    return std::prev(last)->second;
}

std::vector<std::string> CommandLine::values(std::string_view name) const
{
    std::vector<std::string> out;
    const auto [first, last] = options.equal_range(name);
    for (auto it = first; it != last; ++it)
        out.push_back(it->second);
    return out;
}

Common::Result<CommandLine> parseCommandLine(const std::vector<std::string> &arguments,
                                             const std::set<std::string, std::less<>> &valueOptions,
                                             const std::set<std::string, std::less<>> &flagOptions)
{
    CommandLine line;
    bool onlyPositional = false;
    for (std::size_t index = 0; index < arguments.size(); ++index) {
        const std::string &argument = arguments[index];
        if (onlyPositional || !argument.starts_with("--") || argument == "-") {
            line.positional.push_back(argument);
            continue;
        }
        if (argument == "--") {
            onlyPositional = true;
            continue;
        }
        std::string name = argument.substr(2);
        std::optional<std::string> inlineValue;
        if (const auto equals = name.find('='); equals != std::string::npos) {
            inlineValue = name.substr(equals + 1);
            name.resize(equals);
        }
        if (name == "help" || flagOptions.contains(name)) {
            if (inlineValue)
                return Common::fail(Common::ErrorCode::InvalidInput, "--" + name + " takes no value");
            line.flags.insert(name);
        } else if (valueOptions.contains(name)) {
            if (!inlineValue) {
                if (index + 1 >= arguments.size())
                    return Common::fail(Common::ErrorCode::InvalidInput, "--" + name + " needs a value");
                inlineValue = arguments[++index];
            }
            line.options.emplace(name, *inlineValue);
        } else {
            return Common::fail(Common::ErrorCode::InvalidInput, "unknown option --" + name);
        }
    }
    return line;
}

// A name the server certificate may carry (RFC 1123 host name, optionally with one leading "*."
// wildcard label as RFC 6125 §6.4.3 allows), or an IPv4/IPv6 literal. Empty when valid, else why not.
std::string hostnameProblem(const std::string &name)
{
    unsigned char address[16];
    if (inet_pton(AF_INET6, name.c_str(), address) == 1)
        return {};
    if (name.find(':') != std::string::npos)
        return "is not a valid IPv6 address";
    if (name.size() > 253)
        return "is longer than 253 characters";
    const bool allDigitsAndDots = name.find_first_not_of("0123456789.") == std::string::npos;
    if (allDigitsAndDots)
        return inet_pton(AF_INET, name.c_str(), address) == 1 ? std::string() : "is not a valid IPv4 address";
    std::string_view rest(name);
    if (rest.substr(0, 2) == "*.")
        rest.remove_prefix(2);
    if (rest.find('.') == std::string_view::npos && name.size() != rest.size())
        return "has a wildcard over a top-level name only";
    for (;;) {
        const auto dot = rest.find('.');
        const std::string_view label = rest.substr(0, dot);
        if (label.empty() || label.size() > 63)
            return "has an empty label or one longer than 63 characters";
        if (label.front() == '-' || label.back() == '-')
            return "has a label that starts or ends with '-'";
        if (label.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-") !=
            std::string_view::npos)
            return "may contain only letters, digits, '-' and '.' (and a leading \"*.\")";
        if (dot == std::string_view::npos)
            return {};
        rest.remove_prefix(dot + 1);
    }
}

} // namespace Server::App
