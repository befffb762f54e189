#include "server/app/datafolder.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include "common/crypto/pki.h"
#include "server/oms/masterdataservice.h"
#include "server/app/databaselocation.h"
#include "server/storage/ids.h"
#include "server/storage/sqlite/sqlitestore.h"
#include "server/storage/storepool.h"

namespace Server::App {

namespace {

using Common::ErrorCode;
namespace fs = std::filesystem;

Common::Error ioError(const std::string &what, const fs::path &path)
{
    return Common::Error::make(ErrorCode::Io, what + " " + path.string() + ": " + std::strerror(errno));
}

bool syncDirectory(const fs::path &path)
{
    const int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return false;
    const bool synced = ::fsync(fd) == 0;
    ::close(fd);
    return synced;
}

// Writes a brand-new file with `mode` (O_EXCL: never follows or reuses an existing name).
Common::Result<void> writeNewFile(const fs::path &path, std::string_view text, unsigned mode)
{
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
    if (fd < 0)
        return tl::unexpected(ioError("cannot create", path));
    std::size_t written = 0;
    while (written < text.size()) {
        const ssize_t result = ::write(fd, text.data() + written, text.size() - written);
        if (result < 0 && errno == EINTR)
            continue;
        if (result <= 0) {
            const Common::Error error = ioError("cannot write", path);
            ::close(fd);
            return tl::unexpected(error);
        }
        written += static_cast<std::size_t>(result);
    }
    // The umask may have narrowed the mode; keys must be exactly 0600.
    if (::fchmod(fd, mode) != 0 || ::fsync(fd) != 0) {
        const Common::Error error = ioError("cannot sync", path);
        ::close(fd);
        return tl::unexpected(error);
    }
    if (::close(fd) != 0)
        return tl::unexpected(ioError("cannot close", path));
    return {};
}

bool isEmptyDirectory(const fs::path &path)
{
    std::error_code error;
    return fs::is_directory(path, error) && fs::is_empty(path, error) && !error;
}

Common::Result<std::optional<std::string>> buildFolder(const fs::path &folder, const InitOptions &options)
{
    using namespace Common::Crypto;
    const DataFolder data(folder);
    auto serverCaKey = generateP256Key();
    if (!serverCaKey)
        return tl::unexpected(serverCaKey.error());
    auto serverCa = makeCaCertificate(*serverCaKey, "Soko Server CA", options.caDays);
    if (!serverCa)
        return tl::unexpected(serverCa.error());
    auto serverKey = generateP256Key();
    if (!serverKey)
        return tl::unexpected(serverKey.error());
    std::vector<std::string> names = options.hostnames;
    for (const char *always : {"localhost", "127.0.0.1"})
        if (std::find(names.begin(), names.end(), always) == names.end())
            names.emplace_back(always);
    auto serverCertificate = issueServerCertificate(*serverCa, serverCaKey->privateKeyPem, serverKey->publicKeyPem,
                                                    names, options.serverCertificateDays);
    if (!serverCertificate)
        return tl::unexpected(serverCertificate.error());
    auto deviceCaKey = generateP256Key();
    if (!deviceCaKey)
        return tl::unexpected(deviceCaKey.error());
    auto deviceCa = makeCaCertificate(*deviceCaKey, "Soko Device Issuing CA", options.caDays);
    if (!deviceCa)
        return tl::unexpected(deviceCa.error());

    const std::string serverChain = *serverCertificate + *serverCa;
    const std::pair<fs::path, std::string_view> publicFiles[] = {
        {data.serverCaCertificate(), *serverCa},
        {data.serverCertificate(), serverChain},
        {data.deviceCaCertificate(), *deviceCa},
    };
    const std::pair<fs::path, std::string_view> privateFiles[] = {
        {data.serverCaKey(), serverCaKey->privateKeyPem},
        {data.serverKey(), serverKey->privateKeyPem},
        {data.deviceCaKey(), deviceCaKey->privateKeyPem},
    };
    for (const auto &[path, text] : publicFiles)
        if (auto written = writeNewFile(path, text, 0644); !written)
            return tl::unexpected(written.error());
    for (const auto &[path, text] : privateFiles)
        if (auto written = writeNewFile(path, text, 0600); !written)
            return tl::unexpected(written.error());
    std::string configuration = defaultSettingsText();
    Settings settings;
    if (!options.database.empty()) {
        if (auto applied = applySetting(settings, "database", options.database); !applied)
            return tl::unexpected(applied.error());
        configuration += "\n# chosen by `soko-server init --db`\ndatabase = " + options.database + "\n";
    }
    if (auto written = writeNewFile(data.configFile(), configuration, 0600); !written)
        return tl::unexpected(written.error());

    // The database, migrated, with an audit row for the initialisation (and the first warehouse).
    auto pool = openDatabase(folder, settings, 1);
    if (!pool)
        return tl::unexpected(pool.error());
    auto store = (*pool)->acquire();
    if (!store)
        return tl::unexpected(store.error());
    boost::json::array hostList;
    for (const auto &name : names)
        hostList.emplace_back(boost::json::string_view(name.data(), name.size()));
    boost::json::object details;
    details["server_certificate_names"] = std::move(hostList);
    if (auto audited =
            (*store)->appendAudit({0, {}, options.actor, "config_change", "init", boost::json::serialize(details)});
        !audited)
        return tl::unexpected(audited.error());
    if (!options.warehouse.empty()) {
        Oms::MasterDataService masterData(**store);
        auto known = (*store)->warehouseExists(options.warehouse);
        if (!known)
            return tl::unexpected(known.error());
        // A shared PostgreSQL database may have the warehouse already (another server's init).
        if (!*known)
            if (auto added = masterData.addWarehouse(options.warehouse, options.warehouse, options.actor); !added)
                return tl::unexpected(added.error());
    }
    // Last, so a failure above leaves no valid setup password behind in a shared database.
    auto setupPassword = issueSetupPassword(**store, options.actor);
    if (!setupPassword)
        return tl::unexpected(setupPassword.error());
    store->reset();
    pool->reset(); // closes the database before the folder moves
    if (!syncDirectory(folder))
        return tl::unexpected(ioError("cannot sync", folder));
    return *setupPassword;
}

} // namespace

fs::path DataFolder::database(const Settings &settings) const
{
    const fs::path file(settings.database);
    return file.is_absolute() ? file : m_root / file;
}

Common::Result<void> DataFolder::checkInitialised() const
{
    std::error_code error;
    if (!fs::is_regular_file(configFile(), error))
        return Common::fail(ErrorCode::NotFound, m_root.string() +
                                                     " is not a soko-server data folder (no soko-server.conf); "
                                                     "run `soko-server init` first");
    return {};
}

Common::Result<Settings> DataFolder::loadSettings(const fs::path &configOverride) const
{
    const fs::path path = configOverride.empty() ? configFile() : configOverride;
    auto text = readTextFile(path, 256 * 1024);
    if (!text)
        return tl::unexpected(text.error());
    auto settings = parseSettings(*text);
    if (!settings)
        return Common::fail(ErrorCode::InvalidInput, path.string() + ": " + settings.error().message,
                            settings.error().position);
    return settings;
}

Common::Result<std::optional<std::string>> issueSetupPassword(Storage::Store &store, const std::string &actor)
{
    Storage::Transaction transaction(store);
    if (!transaction.started())
        return tl::unexpected(transaction.started().error());
    auto admins = store.countAdmins(Storage::AdminRole::Admin, Storage::StatusFilter::ActiveOnly);
    if (!admins)
        return tl::unexpected(admins.error());
    if (*admins > 0)
        return std::optional<std::string>(); // rolled back: nothing to change
    auto password = Storage::randomBase32(24);
    if (!password)
        return tl::unexpected(password.error());
    if (auto stored = store.setSetupTokenHash(Storage::setupTokenDigest(*password)); !stored)
        return tl::unexpected(stored.error());
    if (auto audited =
            store.appendAudit({0, {}, actor, "authn_token_created", "admin_setup", "{\"kind\":\"setup_password\"}"});
        !audited)
        return tl::unexpected(audited.error());
    if (auto committed = transaction.commit(); !committed)
        return tl::unexpected(committed.error());
    return std::optional<std::string>(std::move(*password));
}

Common::Result<InitResult> initDataFolder(const InitOptions &options)
{
    const fs::path target = fs::absolute(options.dataFolder).lexically_normal();
    std::error_code error;
    if (fs::exists(fs::symlink_status(target, error)) && !isEmptyDirectory(target))
        return Common::fail(ErrorCode::Conflict,
                            target.string() + " already exists and is not empty; nothing was changed");
    const fs::path parent = target.parent_path();
    if (!fs::is_directory(parent, error))
        return Common::fail(ErrorCode::NotFound, "parent folder " + parent.string() + " does not exist");

    // Build beside the target, then rename: a crash or an error leaves no half-made folder.
    std::string hidden = "."; // appended, not "." + name: GCC 12 -Wrestrict false positive (bug 105329) in Release
    hidden += target.filename().string();
    hidden += ".init-XXXXXX";
    std::string scratch = (parent / hidden).string();
    if (!::mkdtemp(scratch.data()))
        return tl::unexpected(ioError("cannot create a folder in", parent));
    const fs::path building(scratch);
    ::chmod(building.c_str(), 0700);
    auto built = buildFolder(building, options);
    if (built && ::rename(building.c_str(), target.c_str()) != 0)
        built = tl::unexpected(
            errno == ENOTEMPTY || errno == EEXIST
                ? Common::Error::make(ErrorCode::Conflict, target.string() + " appeared meanwhile; nothing changed")
                : ioError("cannot move the new folder to", target));
    if (!built) {
        fs::remove_all(building, error);
        return tl::unexpected(built.error());
    }
    syncDirectory(parent);
    return InitResult{std::move(*built)};
}

Common::Result<std::unique_ptr<Storage::StorePool>> openDatabase(const fs::path &root, const Settings &settings,
                                                                 int connections)
{
    const std::string &location = settings.database;
    if (isPostgresUrl(location)) {
        Storage::StoreOptions options;
        options.poolSize = connections;
        options.acquireTimeout = std::chrono::milliseconds(settings.databaseAcquireTimeoutMs);
        options.statementTimeout = std::chrono::milliseconds(settings.databaseStatementTimeoutMs);
        auto pool = Storage::openStorePool(location, std::move(options));
        if (!pool) {
            Common::Error error = pool.error();
            error.message = withoutDatabaseSecrets(std::move(error.message), location);
            return tl::unexpected(std::move(error));
        }
        return std::move(*pool);
    }
    Storage::SqliteOptions options;
    options.busyTimeoutMs = settings.sqliteBusyTimeoutMs;
    options.durable = true; // a commit is on disk before the answer leaves (kill -9 loses nothing acknowledged)
    const fs::path file(location);
    const fs::path path = file.is_absolute() || root.empty() ? file : root / file;
    const bool existed = fs::exists(path);
    auto store = Storage::SqliteStore::open(path.string(), options);
    if (!store)
        return tl::unexpected(store.error());
    if (!existed)
        ::chmod(path.c_str(), 0600);
    return std::unique_ptr<Storage::StorePool>(
        std::make_unique<Storage::SharedStorePool>(std::unique_ptr<Storage::Store>(std::move(*store))));
}

Common::Result<std::string> readTextFile(const fs::path &path, std::size_t maxBytes)
{
    std::FILE *file = std::fopen(path.c_str(), "rbe");
    if (!file)
        return tl::unexpected(ioError("cannot open", path));
    std::string text;
    char buffer[65536];
    for (;;) {
        const std::size_t read = std::fread(buffer, 1, sizeof buffer, file);
        text.append(buffer, read);
        if (text.size() > maxBytes) {
            std::fclose(file);
            return Common::fail(ErrorCode::TooLarge,
                                path.string() + " is larger than " + std::to_string(maxBytes) + " bytes");
        }
        if (read < sizeof buffer)
            break;
    }
    const bool failed = std::ferror(file) != 0;
    std::fclose(file);
    if (failed)
        return tl::unexpected(ioError("cannot read", path));
    return text;
}

Common::Result<void> writeFileAtomically(const fs::path &path, std::string_view text, unsigned mode)
{
    const fs::path temporary = path.string() + ".tmp-" + std::to_string(::getpid());
    ::unlink(temporary.c_str());
    if (auto written = writeNewFile(temporary, text, mode); !written)
        return written;
    if (::rename(temporary.c_str(), path.c_str()) != 0) {
        const Common::Error error = ioError("cannot rename to", path);
        ::unlink(temporary.c_str());
        return tl::unexpected(error);
    }
    return {};
}

} // namespace Server::App
