#pragma once
#include <filesystem>
#include <memory>
#include <string>
#include <vector>
#include "common/support/result.h"
#include "server/app/settings.h"

namespace Server::Storage {
class Store;
}

// The data folder of one soko-server (docs/server.md "Data folder"): configuration, the two
// private CAs, the server certificate and the SQLite database. Folder 0700, private keys 0600.
// The process keeps no other state: everything acknowledged is in the database.
namespace Server::App {

class DataFolder final
{
public:
    explicit DataFolder(std::filesystem::path root)
        : m_root(std::move(root))
    {}
    const std::filesystem::path &root() const { return m_root; }
    std::filesystem::path configFile() const { return m_root / "soko-server.conf"; }
    std::filesystem::path serverCaCertificate() const { return m_root / "server-ca.pem"; }
    std::filesystem::path serverCaKey() const { return m_root / "server-ca.key"; }
    std::filesystem::path serverCertificate() const { return m_root / "server.pem"; } // leaf + CA
    std::filesystem::path serverKey() const { return m_root / "server.key"; }
    std::filesystem::path deviceCaCertificate() const { return m_root / "device-ca.pem"; }
    std::filesystem::path deviceCaKey() const { return m_root / "device-ca.key"; }
    std::filesystem::path database(const Settings &settings) const;

    // Errors: NotFound when the folder was never initialised (no configuration file).
    Common::Result<void> checkInitialised() const;
    // Reads the configuration file (or `configOverride` when not empty).
    Common::Result<Settings> loadSettings(const std::filesystem::path &configOverride = {}) const;

private:
    std::filesystem::path m_root;
};

struct InitOptions
{
    std::filesystem::path dataFolder;
    std::vector<std::string> hostnames; // DNS names or IPs of the server certificate (127.0.0.1 and localhost added)
    std::string warehouse;              // optional first warehouse code
    std::string actor;                  // audit actor, e.g. "cli:alice"
    int serverCertificateDays = 365;
    int caDays = 3650;
};

// Creates a complete data folder or nothing: everything is built in a private sibling folder and
// renamed into place at the end. Refuses (Conflict) when `dataFolder` exists and is not empty.
// Keys: ECDSA P-256 via common/crypto. Errors: Conflict, Io, Crypto, Storage, InvalidInput.
Common::Result<void> initDataFolder(const InitOptions &options);

// Opens the store of an initialised folder (SQLite today; the one place that picks the backend).
Common::Result<std::unique_ptr<Storage::Store>> openStore(const DataFolder &folder, const Settings &settings);

// Whole-file helpers. readTextFile refuses files over `maxBytes` (TooLarge).
Common::Result<std::string> readTextFile(const std::filesystem::path &path, std::size_t maxBytes = 1024 * 1024);
// Writes through a temporary file + fsync + rename, created with `mode` (0600 for keys).
Common::Result<void> writeFileAtomically(const std::filesystem::path &path, std::string_view text, unsigned mode);

} // namespace Server::App
