#include "server/app/serverlog.h"

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
    const auto now = std::chrono::system_clock::now();
    const auto milliseconds =
        std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
    const std::time_t seconds = std::chrono::system_clock::to_time_t(now);
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    char text[40];
    std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", utc.tm_year + 1900, utc.tm_mon + 1,
                  utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, static_cast<int>(milliseconds));
    return text;
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
