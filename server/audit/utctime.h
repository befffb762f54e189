#pragma once
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

// The server's text timestamps (ISO 8601 UTC with milliseconds, "2026-11-29T21:40:00.123Z", as
// Storage::utcNowIso writes them) to and from time points, for the alert worker's schedule.
namespace Server::Audit {

using TimePoint = std::chrono::system_clock::time_point;

std::string formatUtc(TimePoint time);
// Accepts "YYYY-MM-DDTHH:MM:SS[.fff…]Z"; nullopt for anything else.
std::optional<TimePoint> parseUtc(std::string_view text);

} // namespace Server::Audit
