#include "server/app/commandline.h"

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

} // namespace Server::App
