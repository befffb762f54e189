#pragma once
#include <string>
#include <string_view>

// soko-server's log: one line per event on stderr, "<UTC time> <event> key=value …"
// (docs/server.md "Log format"). Bytes outside printable ASCII (control characters, CR/LF,
// non-ASCII) are written as \xNN, so no input can forge or split a line (REQUIREMENTS.md R36).
// Never pass bodies or secrets. Safe from any thread; each line is one write(2).
namespace Server::App {

std::string escapeForLog(std::string_view text);
std::string utcTimestamp(); // 2026-11-29T21:40:00.123Z
void writeLogLine(std::string_view text);

} // namespace Server::App
