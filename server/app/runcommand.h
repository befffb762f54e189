#pragma once
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>
#include "server/app/settings.h"

// `soko-server run`: the devices, api and admin TLS listeners (server/net HttpsServer) wired to
// the handlers (server/api ApiApplication for devices/api, server/admin AdminApplication for
// admin, one ServerMetrics for /metrics) on the data folder's database, until SIGTERM/SIGINT.
namespace Server::App {

struct RunOptions
{
    std::filesystem::path dataFolder;
    std::filesystem::path configFile;      // empty = <data>/soko-server.conf
    std::optional<Endpoint> devicesListen; // overrides the configuration
    std::optional<Endpoint> apiListen;
    std::optional<Endpoint> adminListen;
    std::vector<std::pair<std::string, std::string>> settings; // --set key=value overrides
    std::filesystem::path portsFile;                           // written atomically after binding
    std::string database;                                      // --db: overrides `database` when not empty
};

// Blocks SIGTERM, SIGINT and SIGHUP in the calling thread; call before any thread starts, so
// every thread inherits the mask and only the signal-watching thread receives them.
void blockControlSignals();

// Serves until SIGTERM/SIGINT: stops accepting, lets in-flight requests finish, closes the
// database and returns 0. SIGHUP re-reads revoked device serials. Returns 1 on startup errors
// (message on stderr).
int runServer(const RunOptions &options);

} // namespace Server::App
