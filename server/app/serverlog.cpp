#include "server/app/serverlog.h"
#include "server/storage/ids.h"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>
#include <unistd.h>

namespace Server::App {

namespace {

// Value mode (for one key=value value): also '\\' and space, like server/net does.
std::string escaped(std::string_view text, bool valueMode)
{
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    out.reserve(text.size());
    for (const char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte >= 0x20 && byte < 0x7F && (!valueMode || (c != '\\' && c != ' '))) {
            out += c;
        } else {
            out += "\\x";
            out += digits[byte >> 4];
            out += digits[byte & 0x0F];
        }
    }
    return out;
}

} // namespace

std::string escapeForLog(std::string_view text)
{
    return escaped(text, true);
}

std::string utcTimestamp()
{
    return Server::Storage::utcNowIso();
}

void writeLogLine(std::string_view text)
{
    static std::mutex mutex;
    // Lines from server/net arrive escaped already (their \xNN stays as is); this pass only
    // guarantees that nothing can end or split the line.
    const std::string line = utcTimestamp() + " " + escaped(text, false) + "\n";
    std::lock_guard lock(mutex);
    std::size_t written = 0;
    while (written < line.size()) {
        const ssize_t result = ::write(STDERR_FILENO, line.data() + written, line.size() - written);
        if (result <= 0)
            return; // stderr gone: nothing sensible left to do with a log line
        written += static_cast<std::size_t>(result);
    }
}

} // namespace Server::App
