#pragma once
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>
#include "common/support/result.h"
#include "server/app/settings.h"

namespace Server::Storage {
class Store;
class StorePool;
} // namespace Server::Storage

// The data folder of one soko-server (docs/server.md "Data folder"): configuration, the two
// private CAs, the server certificate and the SQLite database (or, with `database =
// postgresql://…`, no database: it lives in PostgreSQL). Folder 0700, private keys 0600.
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
    std::string database;               // empty = soko.db in the folder; else written to the configuration
    int serverCertificateDays = 365;
    int caDays = 3650;
};

struct InitResult
{
    // The one-time setup password for the first admin (issueSetupPassword), to print once;
    // nullopt when the (shared PostgreSQL) database has an active admin already.
    std::optional<std::string> setupPassword;
};

// Creates a complete data folder or nothing: everything is built in a private sibling folder and
// renamed into place at the end. Refuses (Conflict) when `dataFolder` exists and is not empty.
// Keys: ECDSA P-256 via common/crypto. Errors: Conflict, Io, Crypto, Storage, InvalidInput.
Common::Result<InitResult> initDataFolder(const InitOptions &options);

// REQUIREMENTS.md R05 (no default accounts): while no active admin exists, makes a new one-time
// setup password — 24 base32 characters (120 bits) from OpenSSL RAND_bytes — stores only its
// setupTokenDigest (replacing an earlier one, so only the newest works) and audits
// `authn_token_created` (target "admin_setup", no secret), all in one transaction. Returns the
// password to show once, or nullopt (and changes nothing) when an active admin exists.
// Errors: Storage, Crypto.
Common::Result<std::optional<std::string>> issueSetupPassword(Storage::Store &store, const std::string &actor);

// Opens (and migrates) the database of `settings.database`, the one place that picks the backend:
// a postgresql:// URI → a PostgreSQL pool of `connections` (acquire/statement timeouts from the
// settings; migrations under an advisory lock); anything else → the SQLite file, relative to
// `root` (empty root: relative to the working directory), shared by every lease.
// Errors: Storage, InvalidInput; their messages never contain the URI's password.
Common::Result<std::unique_ptr<Storage::StorePool>> openDatabase(const std::filesystem::path &root,
                                                                 const Settings &settings, int connections);

// Whole-file helpers. readTextFile refuses files over `maxBytes` (TooLarge).
Common::Result<std::string> readTextFile(const std::filesystem::path &path, std::size_t maxBytes = 1024 * 1024);
// Writes through a temporary file + fsync + rename, created with `mode` (0600 for keys).
Common::Result<void> writeFileAtomically(const std::filesystem::path &path, std::string_view text, unsigned mode);

} // namespace Server::App
