#pragma once
#include <string>
#include <string_view>

// soko-server's log: one line per event on stderr, "<UTC time> <event> key=value …"
// (docs/server.md "Log format"). writeLogLine() writes bytes outside printable ASCII (control
// characters, CR/LF, non-ASCII) as \xNN, so nothing can split a line; values that come from
// outside go through escapeForLog() first, which also escapes '\' so they cannot fake an escape
// (REQUIREMENTS.md R36). Never pass bodies or secrets. Safe from any thread; one write(2) per line.
namespace Server::App {

std::string escapeForLog(std::string_view text);
std::string utcTimestamp(); // 2026-11-29T21:40:00.123Z
void writeLogLine(std::string_view text);

} // namespace Server::App
