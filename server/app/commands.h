#pragma once
#include <string>
#include <vector>

// soko-server's command line (docs/server.md): init, run, and the local admin commands that act
// on the database directly (enroll-code, revoke-device, api-key, operator, warehouse, new-epoch,
// migrate, import). Each admin change writes an audit row with actor "cli:<user>"; secrets
// (enrollment codes, API keys) are printed once and never logged; PINs come from stdin only.
namespace Server::App {

enum ExitCode : int {
    ExitOk = 0,
    ExitFailure = 1,       // the command could not do its work (message on stderr)
    ExitUsage = 2,         // bad command line
    ExitPartialImport = 3, // import: some rows refused (reported), the valid rows were kept
};

// `arguments` excludes the program name. Writes results to stdout, errors to stderr.
int runCommand(const std::vector<std::string> &arguments);

} // namespace Server::App
