#include "server/app/commands.h"

#include <cstdio>
#include <functional>
#include <iostream>
#include <pwd.h>
#include <termios.h>
#include <unistd.h>
#include "server/admin/userpages.h"
#include "server/app/commandline.h"
#include "server/app/databaselocation.h"
#include "server/app/datafolder.h"
#include "server/app/runcommand.h"
#include "server/audit/announce.h"
#include "server/audit/checkpoint.h"
#include "server/audit/signingkey.h"
#include "server/audit/verifier.h"
#include "server/oms/adminservice.h"
#include "server/oms/masterdataservice.h"
#include "server/oms/orderservice.h"
#include "server/storage/store.h"
#include "server/storage/storepool.h"

namespace Server::App {

namespace {


using Options = std::set<std::string, std::less<>>;

constexpr const char *s_overview =
    "usage: soko-server <command> [options]   (soko-server <command> --help for details)\n"
    "\n"
    "  init          create a data folder: CAs, server certificate, database, configuration\n"
    "  run           serve the devices, api and admin listeners until SIGTERM/SIGINT\n"
    "  enroll-code   print a one-time enrollment code for a new terminal\n"
    "  revoke-device revoke a terminal's certificate\n"
    "  api-key       create or revoke an API key (create | revoke)\n"
    "  operator      add or disable a floor operator (add | disable)\n"
    "  warehouse     add a warehouse (add)\n"
    "  new-epoch     give the database a new epoch after a restore from backup\n"
    "  admin-setup-token  issue a new one-time setup password while no admin exists\n"
    "  admin-user    grant admin or reset MFA while fewer than two admins exist (grant-admin | reset-mfa)\n"
    "  migrate       apply pending database migrations\n"
    "  import        import skus, locations or orders from a CSV or JSON file\n"
    "  audit         verify the tamper-evident audit trail, sign a checkpoint, print the public key\n"
    "\n"
    "Every command takes --data DIR (and --config FILE); --db LOCATION (a SQLite file or a\n"
    "postgresql:// URI) overrides the configured database, and the admin commands and migrate\n"
    "also run with --db alone.\n"
    "\n"
    "Exit codes: 0 done, 1 failed, 2 bad command line, 3 import with refused rows.\n";

struct Command
{
    std::string name;
    std::string help;
    Options valueOptions;
    Options flagOptions;
    std::function<int(const CommandLine &)> run;
};

int usageError(const std::string &command, const std::string &message)
{
    std::cerr << "soko-server " << command << ": " << message << "\n"
              << "Try 'soko-server " << command << " --help'.\n";
    return ExitUsage;
}

int failure(const std::string &command, const Common::Error &error)
{
    std::cerr << "soko-server " << command << ": " << error.describe() << "\n";
    return ExitFailure;
}

std::string cliActor()
{
    if (const passwd *user = ::getpwuid(::geteuid()); user && user->pw_name)
        return std::string("cli:") + user->pw_name;
    return "cli:uid" + std::to_string(::geteuid());
}

// The data folder (if any), its settings and one connection of its database, for the admin
// commands. `pool` is declared before `lease`, so the lease goes back before the pool closes.
struct Session
{
    std::unique_ptr<DataFolder> folder; // null when only --db was given
    Settings settings;
    std::unique_ptr<Storage::StorePool> pool;
    Storage::StoreLease lease;
    Storage::Store *store = nullptr; // the lease's store
    std::string actor = cliActor();
};

// --data DIR (its configuration, optionally with --db overriding `database`), or --db alone:
// the admin commands need only the database, so they run without a data folder too.
Common::Result<Session> openSession(const CommandLine &line)
{
    const std::string data = line.value("data");
    const std::string database = line.value("db");
    if (data.empty() && database.empty())
        return Common::fail(Common::ErrorCode::InvalidInput, "--data DIR or --db LOCATION is required");
    Session session;
    if (!data.empty()) {
        session.folder = std::make_unique<DataFolder>(data);
        if (auto initialised = session.folder->checkInitialised(); !initialised)
            return tl::unexpected(initialised.error());
        auto settings = session.folder->loadSettings(line.value("config"));
        if (!settings)
            return tl::unexpected(settings.error());
        session.settings = *settings;
    }
    if (!database.empty())
        if (auto applied = applySetting(session.settings, "database", database); !applied)
            return tl::unexpected(applied.error());
    auto pool = openDatabase(session.folder ? session.folder->root() : std::filesystem::path(), session.settings, 1);
    if (!pool)
        return tl::unexpected(pool.error());
    session.pool = std::move(*pool);
    auto lease = session.pool->acquire();
    if (!lease) {
        Common::Error error = lease.error();
        error.message = withoutDatabaseSecrets(std::move(error.message), session.settings.database);
        return tl::unexpected(std::move(error));
    }
    session.lease = std::move(*lease);
    session.store = session.lease.get();
    // Every admin command is a privileged action: each audit entry it writes is announced in
    // chat, queued in the same transaction (REQUIREMENTS.md R42; the server's worker delivers).
    session.store->setAuditHook(Audit::announceEveryEntry());
    return session;
}

bool parsePositive(const std::string &text, long long maximum, long long &out)
{
    if (text.empty() || text.size() > 9 || text.find_first_not_of("0123456789") != std::string::npos)
        return false;
    out = std::stoll(text);
    return out >= 1 && out <= maximum;
}

// One line from stdin without echo when it is a terminal. Never from argv (R40: no secrets in ps).
std::optional<std::string> readPin(bool fromStdinOnly)
{
    const bool terminal = !fromStdinOnly && ::isatty(STDIN_FILENO);
    termios saved{};
    if (terminal) {
        std::cerr << "PIN (4-12 digits): " << std::flush;
        ::tcgetattr(STDIN_FILENO, &saved);
        termios quiet = saved;
        quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
        ::tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
    }
    std::string pin;
    const bool read = static_cast<bool>(std::getline(std::cin, pin));
    if (terminal) {
        ::tcsetattr(STDIN_FILENO, TCSANOW, &saved);
        std::cerr << "\n";
    }
    if (!read)
        return std::nullopt;
    if (!pin.empty() && pin.back() == '\r')
        pin.pop_back();
    return pin;
}

// The one-time setup password goes to stdout only (never a log or a file), with what to do with it.
void printSetupPassword(const std::string &password)
{
    std::cout << "setup password: " << password << "\n"
              << "(shown once: open https://127.0.0.1:8445/admin/setup and enter it to create the first admin)\n";
}

int commandInit(const CommandLine &line)
{
    InitOptions options;
    options.dataFolder = line.value("data");
    if (options.dataFolder.empty())
        return usageError("init", "--data DIR is required");
    for (const std::string &value : line.values("hostname")) {
        std::size_t start = 0;
        while (start <= value.size()) {
            const auto comma = value.find(',', start);
            const std::string name =
                value.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
            if (!name.empty())
                options.hostnames.push_back(name);
            if (comma == std::string::npos)
                break;
            start = comma + 1;
        }
    }
    if (options.hostnames.empty())
        return usageError("init", "at least one --hostname NAME is required (the name terminals connect to)");
    for (const std::string &name : options.hostnames)
        if (const std::string problem = hostnameProblem(name); !problem.empty())
            return usageError("init", "--hostname '" + name + "' " + problem);
    options.warehouse = line.value("warehouse");
    if (!options.warehouse.empty() && !Oms::isValidCode(options.warehouse))
        return usageError("init", "--warehouse must be a code of 1-64 printable characters");
    options.actor = cliActor();
    options.database = line.value("db");
    if (!line.positional.empty())
        return usageError("init", "unexpected argument '" + line.positional.front() + "'");
    if (!options.database.empty()) {
        Settings probe;
        if (auto valid = applySetting(probe, "database", options.database); !valid)
            return usageError("init", "--db: " + valid.error().message);
    }
    auto done = initDataFolder(options);
    if (!done) {
        Common::Error error = done.error();
        error.message = withoutDatabaseSecrets(std::move(error.message), options.database);
        return failure("init", error);
    }
    const DataFolder folder(std::filesystem::absolute(options.dataFolder));
    if (auto key = Audit::AuditSigningKey::loadOrCreate(folder.root() / Audit::signingKeyFileName); !key)
        return failure("init", key.error());
    std::cout << "initialised " << folder.root().string() << "\n"
              << "server CA (pin this on terminals): " << folder.serverCaCertificate().string() << "\n"
              << "configuration: " << folder.configFile().string() << "\n"
              << "database: "
              << (options.database.empty() ? (folder.root() / "soko.db").string()
                                           : redactDatabaseLocation(options.database))
              << "\n";
    if (!options.warehouse.empty())
        std::cout << "warehouse: " << options.warehouse << "\n";
    // A shared database with an active admin already gets nothing new (R05: no second way in).
    if (done->setupPassword)
        printSetupPassword(*done->setupPassword);
    return ExitOk;
}

int commandRun(const CommandLine &line)
{
    if (!line.positional.empty())
        return usageError("run", "unexpected argument '" + line.positional.front() + "'");
    RunOptions options;
    options.dataFolder = line.value("data");
    if (options.dataFolder.empty())
        return usageError("run", "--data DIR is required");
    options.configFile = line.value("config");
    options.portsFile = line.value("ports-file");
    options.database = line.value("db");
    for (const char *name : {"devices-listen", "api-listen", "admin-listen"}) {
        const std::string text = line.value(name);
        if (text.empty())
            continue;
        auto endpoint = parseEndpoint(text);
        if (!endpoint)
            return usageError("run", std::string("--") + name + ": " + endpoint.error().message);
        const std::string_view which(name);
        (which == "devices-listen" ? options.devicesListen
         : which == "api-listen"   ? options.apiListen
                                   : options.adminListen) = *endpoint;
    }
    for (const std::string &setting : line.values("set")) {
        const auto equals = setting.find('=');
        if (equals == std::string::npos)
            return usageError("run", "--set needs KEY=VALUE");
        options.settings.emplace_back(setting.substr(0, equals), setting.substr(equals + 1));
    }
    blockControlSignals();
    return runServer(options);
}

int withSession(const std::string &command, const CommandLine &line, const std::function<int(Session &)> &body)
{
    auto session = openSession(line);
    if (!session) {
        if (session.error().code == Common::ErrorCode::InvalidInput && line.value("data").empty() &&
            line.value("db").empty())
            return usageError(command, session.error().message);
        Common::Error error = session.error();
        error.message = withoutDatabaseSecrets(std::move(error.message), line.value("db"));
        return failure(command, error);
    }
    return body(*session);
}

int commandEnrollCode(const CommandLine &line)
{
    const std::string warehouse = line.value("warehouse");
    if (warehouse.empty())
        return usageError("enroll-code", "--warehouse W is required");
    if (!line.positional.empty())
        return usageError("enroll-code", "unexpected argument '" + line.positional.front() + "'");
    return withSession("enroll-code", line, [&](Session &session) {
        long long minutes = session.settings.enrollmentCodeMinutes;
        if (!line.value("ttl-minutes").empty() && !parsePositive(line.value("ttl-minutes"), 10080, minutes))
            return usageError("enroll-code", "--ttl-minutes must be 1-10080");
        Oms::AdminService admin(*session.store);
        auto code = admin.createEnrollmentCode(warehouse, line.value("label", "terminal"),
                                               std::chrono::minutes(minutes), session.actor);
        if (!code)
            return failure("enroll-code", code.error());
        std::cout << "code: " << code->code << "\n"
                  << "warehouse: " << warehouse << "\n"
                  << "expires: " << code->expiresAt << "\n"
                  << "(shown once; the terminal sends it with its CSR to POST /api/v1/enroll on the api listener)\n";
        return int(ExitOk);
    });
}

int commandRevokeDevice(const CommandLine &line)
{
    if (line.positional.size() != 1)
        return usageError("revoke-device", "exactly one device ID is required");
    return withSession("revoke-device", line, [&](Session &session) {
        auto device = session.store->device(line.positional[0]);
        if (!device)
            return failure("revoke-device", device.error());
        if (!*device)
            return failure("revoke-device",
                           Common::Error::make(Common::ErrorCode::NotFound, "unknown device " + line.positional[0]));
        Oms::AdminService admin(*session.store);
        if (auto done = admin.revokeDevice(line.positional[0], session.actor); !done)
            return failure("revoke-device", done.error());
        std::cout << "revoked device " << line.positional[0] << " serial " << (*device)->certificateSerial
                  << "\n(running servers refuse new TLS handshakes within revocation_refresh_seconds, "
                     "requests at once)\n";
        return int(ExitOk);
    });
}

int commandApiKey(const CommandLine &line)
{
    if (line.positional.empty())
        return usageError("api-key", "create or revoke?");
    const std::string action = line.positional[0];
    if (action == "create") {
        if (line.positional.size() != 1)
            return usageError("api-key", "unexpected argument '" + line.positional[1] + "'");
        const std::string store = line.value("store");
        if (store.empty() == !line.has("admin"))
            return usageError("api-key", "give exactly one of --store S or --admin");
        return withSession("api-key", line, [&](Session &session) {
            Oms::AdminService admin(*session.store);
            auto key = admin.createApiKey(line.has("admin") ? "admin" : "store:" + store,
                                          line.value("label", line.has("admin") ? "admin" : store), session.actor);
            if (!key)
                return failure("api-key", key.error());
            std::cout << "id: " << key->id << "\n"
                      << "token: " << key->token << "\n"
                      << "(shown once; send it as 'Authorization: Bearer <token>')\n";
            return int(ExitOk);
        });
    }
    if (action == "revoke") {
        if (line.positional.size() != 2)
            return usageError("api-key", "revoke needs exactly one key ID");
        return withSession("api-key", line, [&](Session &session) {
            Oms::AdminService admin(*session.store);
            if (auto done = admin.revokeApiKey(line.positional[1], session.actor); !done)
                return failure("api-key", done.error());
            std::cout << "revoked API key " << line.positional[1] << "\n";
            return int(ExitOk);
        });
    }
    return usageError("api-key", "unknown action '" + action + "' (create or revoke)");
}

int commandOperator(const CommandLine &line)
{
    if (line.positional.empty())
        return usageError("operator", "add or disable?");
    const std::string action = line.positional[0];
    if (action == "add") {
        if (line.positional.size() != 1)
            return usageError("operator", "unexpected argument '" + line.positional[1] +
                                              "' (the PIN is read from stdin, never from the command line)");
        for (const char *required : {"warehouse", "badge", "name", "role"})
            if (line.value(required).empty())
                return usageError("operator", std::string("--") + required + " is required");
        return withSession("operator", line, [&](Session &session) {
            const auto pin = readPin(line.has("pin-stdin"));
            if (!pin)
                return usageError("operator", "no PIN on stdin");
            Oms::AdminService admin(*session.store);
            auto id = admin.addOperator(line.value("badge"), line.value("name"), line.value("warehouse"),
                                        line.value("role"), *pin, session.actor);
            if (!id)
                return failure("operator", id.error());
            std::cout << "added operator " << line.value("badge") << " (" << line.value("role") << ", "
                      << line.value("warehouse") << ")\n";
            return int(ExitOk);
        });
    }
    if (action == "disable") {
        if (line.positional.size() != 2)
            return usageError("operator", "disable needs exactly one BADGE");
        return withSession("operator", line, [&](Session &session) {
            Oms::AdminService admin(*session.store);
            if (auto done = admin.setOperatorActive(line.positional[1], false, session.actor); !done)
                return failure("operator", done.error());
            std::cout << "disabled operator " << line.positional[1] << "\n";
            return int(ExitOk);
        });
    }
    return usageError("operator", "unknown action '" + action + "' (add or disable)");
}

int commandWarehouse(const CommandLine &line)
{
    if (line.positional.size() != 3 || line.positional[0] != "add")
        return usageError("warehouse", "usage: warehouse add CODE NAME");
    return withSession("warehouse", line, [&](Session &session) {
        Oms::MasterDataService masterData(*session.store);
        if (auto done = masterData.addWarehouse(line.positional[1], line.positional[2], session.actor); !done)
            return failure("warehouse", done.error());
        std::cout << "added warehouse " << line.positional[1] << "\n";
        return int(ExitOk);
    });
}

int commandNewEpoch(const CommandLine &line)
{
    if (!line.positional.empty())
        return usageError("new-epoch", "unexpected argument '" + line.positional.front() + "'");
    return withSession("new-epoch", line, [&](Session &session) {
        Storage::Store &store = *session.store;
        Storage::Transaction transaction(store);
        if (!transaction.started())
            return failure("new-epoch", transaction.started().error());
        auto before = store.epoch();
        auto epoch = before ? store.rotateEpoch() : Common::Result<std::string>(tl::unexpected(before.error()));
        if (!epoch)
            return failure("new-epoch", epoch.error());
        if (auto audited = store.appendAudit({0,
                                              {},
                                              session.actor,
                                              "config_change",
                                              "epoch",
                                              "{\"from\":\"" + *before + "\",\"to\":\"" + *epoch + "\"}"});
            !audited)
            return failure("new-epoch", audited.error());
        if (auto committed = transaction.commit(); !committed)
            return failure("new-epoch", committed.error());
        std::cout << "epoch: " << *epoch << "\n"
                  << "(terminals re-snapshot and re-push what this database no longer has)\n";
        return int(ExitOk);
    });
}

int commandAdminSetupToken(const CommandLine &line)
{
    if (!line.positional.empty())
        return usageError("admin-setup-token", "unexpected argument '" + line.positional.front() + "'");
    return withSession("admin-setup-token", line, [&](Session &session) {
        auto password = issueSetupPassword(*session.store, session.actor);
        if (!password)
            return failure("admin-setup-token", password.error());
        if (!*password)
            return failure("admin-setup-token",
                           Common::Error::make(Common::ErrorCode::Conflict,
                                               "an active admin exists: sign in as that admin (no setup password "
                                               "was issued, the database is unchanged)"));
        printSetupPassword(**password);
        return int(ExitOk);
    });
}

// Break-glass for the four-eyes actions (R27, R12) while fewer than two active administrators
// exist, when nobody could approve a request on /admin/approvals: the operator on the host (who
// holds the database and its keys anyway) is the second pair of eyes. Audited as cli:<user> and
// announced; refused once two administrators can do it through the pages.
int commandAdminUser(const CommandLine &line)
{
    const std::string action = line.positional.empty() ? std::string() : line.positional[0];
    if (action != "grant-admin" && action != "reset-mfa")
        return usageError("admin-user", "expected grant-admin or reset-mfa");
    if (line.positional.size() != 2)
        return usageError("admin-user", "exactly one user name is required");
    const std::string username = line.positional[1];
    return withSession("admin-user", line, [&](Session &session) {
        Storage::Store &store = *session.store;
        Storage::Transaction transaction(store);
        if (!transaction.started())
            return failure("admin-user", transaction.started().error());
        auto user = store.adminUserByName(username);
        if (!user)
            return failure("admin-user", user.error());
        if (!*user)
            return failure("admin-user", Common::Error::make(Common::ErrorCode::NotFound,
                                                             "no back-office user named '" + username + "'"));
        auto admins = store.countAdmins(Storage::AdminRole::Admin, Storage::StatusFilter::ActiveOnly);
        if (!admins)
            return failure("admin-user", admins.error());
        if (*admins >= 2)
            return failure("admin-user",
                           Common::Error::make(Common::ErrorCode::Conflict,
                                               std::to_string(*admins) +
                                                   " active administrators exist: one requests it in the back office "
                                                   "and another approves it at /admin/approvals (four eyes); nothing "
                                                   "was changed"));
        if (action == "grant-admin" && (*user)->role == Storage::AdminRole::Admin)
            return failure("admin-user", Common::Error::make(Common::ErrorCode::Conflict,
                                                             "'" + username + "' is an administrator already"));
        Admin::ApprovalAudit audit;
        audit.append = [&](std::string_view event, std::string_view target,
                           const std::string &details) -> Common::Result<void> {
            auto appended = Audit::appendAndAnnounce(
                store, Storage::AuditRecord{0, {}, session.actor, std::string(event), std::string(target), details});
            if (!appended)
                return tl::unexpected(appended.error());
            return {};
        };
        const std::string why = "{\"via\":\"command_line\",\"active_admins\":" + std::to_string(*admins) + "}";
        auto done = action == "grant-admin" ? Admin::grantAdminRole(store, **user, why, audit)
                                            : Admin::resetAdminMfa(store, **user, why, audit);
        if (!done)
            return failure("admin-user", done.error());
        if (auto committed = transaction.commit(); !committed)
            return failure("admin-user", committed.error());
        if (action == "grant-admin")
            std::cout << "'" << username << "' is now an administrator (audited and announced)\n";
        else
            std::cout << "MFA of '" << username
                      << "' reset: their sessions ended; the next sign-in enrols a new authenticator "
                         "(audited and announced)\n";
        return int(ExitOk);
    });
}

int commandMigrate(const CommandLine &line)
{
    if (!line.positional.empty())
        return usageError("migrate", "unexpected argument '" + line.positional.front() + "'");
    // Opening the store applies pending migrations, each in its own transaction.
    return withSession("migrate", line, [&](Session &session) {
        auto version = session.store->schemaVersion();
        if (!version)
            return failure("migrate", version.error());
        (void)session.store->appendAudit(
            {0, {}, session.actor, "config_change", "schema", "{\"schema_version\":" + std::to_string(*version) + "}"});
        std::cout << "schema version: " << *version << "\n";
        return int(ExitOk);
    });
}

int commandImport(const CommandLine &line)
{
    if (line.positional.size() != 2)
        return usageError("import", "usage: import skus|locations|orders FILE.csv|FILE.json");
    const std::string kind = line.positional[0];
    const std::filesystem::path file = line.positional[1];
    if (kind != "skus" && kind != "locations" && kind != "orders")
        return usageError("import", "unknown kind '" + kind + "' (skus, locations or orders)");
    const std::string extension = file.extension().string();
    if (extension != ".csv" && extension != ".json")
        return usageError("import", "the file must end in .csv or .json");
    const Oms::ImportFormat format = extension == ".csv" ? Oms::ImportFormat::Csv : Oms::ImportFormat::Json;
    return withSession("import", line, [&](Session &session) {
        auto body = readTextFile(file, 10 * 1024 * 1024);
        if (!body)
            return failure("import", body.error());
        Common::Result<Oms::ImportReport> report = Common::fail(Common::ErrorCode::Internal, "no import ran");
        if (kind == "skus")
            report = Oms::MasterDataService(*session.store).importSkus(*body, format, session.actor);
        else if (kind == "locations")
            report = Oms::MasterDataService(*session.store).importLocations(*body, format, session.actor);
        else
            report = Oms::OrderService(*session.store).importOrders(*body, format, std::nullopt, session.actor);
        if (!report)
            return failure("import", report.error());
        std::cout << "imported: " << report->imported << "\n"
                  << "unchanged: " << report->unchanged << "\n"
                  << "refused: " << report->errors.size() << "\n";
        for (const auto &error : report->errors)
            std::cout << (format == Oms::ImportFormat::Csv ? "line " : "item ") << error.row << ": " << error.reason
                      << "\n";
        return int(report->errors.empty() ? ExitOk : ExitPartialImport);
    });
}

std::filesystem::path signingKeyPath(const CommandLine &line, const Session &session)
{
    if (!line.value("signing-key").empty())
        return line.value("signing-key");
    if (session.folder)
        return session.folder->root() / Audit::signingKeyFileName;
    return {};
}

int commandAudit(const CommandLine &line)
{
    if (line.positional.size() != 1)
        return usageError("audit", "verify, checkpoint or public-key?");
    const std::string action = line.positional[0];
    if (action == "verify") {
        return withSession("audit", line, [&](Session &session) {
            std::vector<Audit::AuditPublicKey> keys;
            for (const std::string &file : line.values("public-key")) {
                auto pem = readTextFile(file, 64 * 1024);
                if (!pem)
                    return failure("audit", pem.error());
                auto key = Audit::AuditPublicKey::fromPem(*pem);
                if (!key)
                    return failure("audit", Common::Error::make(key.error().code, file + ": " + key.error().message));
                keys.push_back(std::move(*key));
            }
            if (const auto path = signingKeyPath(line, session); keys.empty() && !path.empty()) {
                auto key = Audit::AuditSigningKey::load(path);
                if (key)
                    keys.push_back(key->publicKey());
                else if (key.error().code != Common::ErrorCode::NotFound)
                    return failure("audit", key.error());
            }
            auto report = Audit::verifyAuditTrail(*session.store, keys);
            if (!report)
                return failure("audit", report.error());
            std::cout << report->summary() << "\n";
            return int(report->ok ? ExitOk : ExitFailure);
        });
    }
    if (action == "checkpoint" || action == "public-key") {
        if (line.value("signing-key").empty() && line.value("data").empty())
            return usageError("audit", action + " needs --data DIR (its " + std::string(Audit::signingKeyFileName) +
                                           ") or --signing-key FILE");
        return withSession("audit", line, [&](Session &session) {
            auto key = Audit::AuditSigningKey::loadOrCreate(signingKeyPath(line, session));
            if (!key)
                return failure("audit", key.error());
            if (action == "public-key") {
                std::cout << key->publicKey().pem();
                return int(ExitOk);
            }
            const Audit::CheckpointPolicy policy{session.settings.auditCheckpointEntries,
                                                 std::chrono::seconds(session.settings.auditCheckpointSeconds)};
            auto made = Audit::checkpointIfDue(*session.store, *key, policy, std::chrono::system_clock::now(),
                                               Audit::CheckpointMode::Now);
            if (!made)
                return failure("audit", made.error());
            if (!*made) {
                auto last = session.store->lastAuditCheckpoint();
                if (!last)
                    return failure("audit", last.error());
                std::cout << "nothing to sign: "
                          << (*last ? "checkpoint " + std::to_string((*last)->id) + " covers seq " +
                                          std::to_string((*last)->seq)
                                    : std::string("the audit trail is empty"))
                          << "\n";
                return int(ExitOk);
            }
            std::cout << "checkpoint " << (*made)->id << ": seq " << (*made)->seq << ", hash "
                      << (*made)->hash.substr(0, 16) << ", key " << (*made)->keyId << "\n";
            return int(ExitOk);
        });
    }
    return usageError("audit", "unknown action '" + action + "' (verify, checkpoint or public-key)");
}

std::vector<Command> commands()
{
    const Options session = {"data", "config", "db"};
    auto with = [&](Options extra) {
        extra.insert(session.begin(), session.end());
        return extra;
    };
    return {
        {"init",
         "usage: soko-server init --data DIR --hostname NAME [--hostname NAME…] [--warehouse CODE]\n"
         "                        [--db postgresql://USER:PASSWORD@HOST:PORT/DATABASE?sslmode=…]\n"
         "Creates DIR (0700) with a private server CA, a separate device-issuing CA (ECDSA P-256, keys 0600),\n"
         "a server certificate for the given names plus localhost and 127.0.0.1, the migrated SQLite\n"
         "database and soko-server.conf with the documented defaults. NAME may also be a comma list.\n"
         "With --db the database is that PostgreSQL one (migrated now; the URI goes into soko-server.conf,\n"
         "mode 0600). Refuses an existing non-empty DIR and changes nothing. Prints a one-time setup password\n"
         "for creating the first admin (stored as SHA-256 only), unless the database has an active admin.\n",
         {"data", "hostname", "warehouse", "db"},
         {},
         commandInit},
        {"run",
         "usage: soko-server run --data DIR [--config FILE] [--db LOCATION] [--devices-listen ADDR:PORT]\n"
         "                       [--api-listen ADDR:PORT] [--admin-listen ADDR:PORT] [--ports-file FILE]\n"
         "                       [--set KEY=VALUE…]\n"
         "Serves the devices (TLS 1.3, device certificates), api (TLS 1.2/1.3) and admin (TLS 1.3, admin\n"
         "pages and /metrics; default 127.0.0.1:8445) listeners. Port 0 picks a free port; the bound ports\n"
         "go to stdout ('listening devices=ADDR:PORT api=ADDR:PORT admin=ADDR:PORT') and, with\n"
         "--ports-file, atomically to FILE as 'devices=PORT', 'api=PORT' and 'admin=PORT' lines. --set\n"
         "overrides a configuration key; --db overrides `database` (a SQLite file or a postgresql:// URI).\n"
         "SIGTERM/SIGINT: stop accepting, finish in-flight requests, exit 0.\n"
         "SIGHUP: re-read revoked device serials now. One log line per request on stderr.\n",
         with({"devices-listen", "api-listen", "admin-listen", "ports-file", "set"}),
         {},
         commandRun},
        {"enroll-code",
         "usage: soko-server enroll-code --data DIR --warehouse W [--label L] [--ttl-minutes N]\n"
         "Prints a one-time enrollment code (shown once, stored as SHA-256) for a terminal of warehouse W.\n"
         "Default lifetime: enrollment_code_minutes (15).\n",
         with({"warehouse", "label", "ttl-minutes"}),
         {},
         commandEnrollCode},
        {"revoke-device",
         "usage: soko-server revoke-device --data DIR DEVICE-ID\n"
         "Revokes the terminal: its requests get 401 at once, new TLS handshakes are refused (alert 44)\n"
         "within revocation_refresh_seconds on running servers.\n",
         with({}),
         {},
         commandRevokeDevice},
        {"api-key",
         "usage: soko-server api-key create --data DIR (--store S | --admin) [--label L]\n"
         "       soko-server api-key revoke --data DIR KEY-ID\n"
         "create prints the key id and its token (shown once, stored as SHA-256).\n",
         with({"store", "label"}),
         {"admin"},
         commandApiKey},
        {"operator",
         "usage: soko-server operator add --data DIR --warehouse W --badge B --name N --role picker|supervisor\n"
         "                                [--pin-stdin]\n"
         "       soko-server operator disable --data DIR BADGE\n"
         "The PIN (4-12 digits) is read from stdin (prompted without echo on a terminal), never from the\n"
         "command line; it is stored as Argon2id.\n",
         with({"warehouse", "badge", "name", "role"}),
         {"pin-stdin"},
         commandOperator},
        {"warehouse", "usage: soko-server warehouse add --data DIR CODE NAME\n", with({}), {}, commandWarehouse},
        {"new-epoch",
         "usage: soko-server new-epoch --data DIR\n"
         "After restoring the database from a backup: gives it a new epoch, so terminals re-snapshot and\n"
         "re-push every operation the restored database no longer has (op ids keep it exactly-once).\n",
         with({}),
         {},
         commandNewEpoch},
        {"admin-setup-token",
         "usage: soko-server admin-setup-token (--data DIR | --db LOCATION)\n"
         "When the setup password `init` printed is lost: prints a new one-time password for creating the\n"
         "first admin at https://127.0.0.1:8445/admin/setup (shown once, stored as SHA-256, audited), which\n"
         "replaces any earlier one. Refused (exit 1, nothing changed) while an active admin exists.\n",
         with({}),
         {},
         commandAdminSetupToken},
        {"admin-user",
         "usage: soko-server admin-user grant-admin (--data DIR | --db LOCATION) USERNAME\n"
         "       soko-server admin-user reset-mfa   (--data DIR | --db LOCATION) USERNAME\n"
         "Granting the admin role and resetting a user's MFA need two administrators in the back office\n"
         "(one requests, another approves: four eyes). While fewer than two active administrators exist,\n"
         "nobody could approve, so the operator on the server does it here: grant-admin makes USERNAME an\n"
         "administrator; reset-mfa clears their authenticator and recovery codes and ends their sessions\n"
         "(the next sign-in enrols a new one). Audited and announced; refused (exit 1, nothing changed)\n"
         "once two active administrators exist.\n",
         with({}),
         {},
         commandAdminUser},
        {"migrate",
         "usage: soko-server migrate (--data DIR | --db LOCATION)\n"
         "Applies pending schema migrations and prints the version. On PostgreSQL the migrations run\n"
         "under an advisory lock: several servers or migrate commands at once are safe (one migrates,\n"
         "the others wait and find nothing left to do).\n",
         with({}),
         {},
         commandMigrate},
        {"import",
         "usage: soko-server import --data DIR skus|locations|orders FILE.csv|FILE.json\n"
         "Imports through the same OMS services as the API (formats: docs/api.md). Refused rows are\n"
         "listed and the valid rows kept (exit 3); a malformed file imports nothing (exit 1).\n",
         with({}),
         {},
         commandImport},
        {"audit",
         "usage: soko-server audit verify (--data DIR | --db LOCATION) [--public-key FILE…]\n"
         "       soko-server audit checkpoint (--data DIR | --db LOCATION --signing-key FILE)\n"
         "       soko-server audit public-key --data DIR\n"
         "verify walks the tamper-evident audit trail: recomputes every hash of the chain and checks every\n"
         "signed checkpoint (with the public key of DIR's audit-signing.key, or of --public-key PEM files),\n"
         "then prints 'ok: N entries, last seq S, K checkpoints' (exit 0) or the first problem, e.g.\n"
         "'tampered: seq 42 (hash mismatch)', 'missing seq 17', 'checkpoint 3 signature invalid' (exit 1).\n"
         "checkpoint signs the current head now (the running server does it every\n"
         "audit_checkpoint_entries entries or audit_checkpoint_seconds) and announces it in chat.\n"
         "public-key prints the checkpoint-signing public key (PEM) for verifying elsewhere.\n",
         with({"public-key", "signing-key"}),
         {},
         commandAudit},
    };
}

} // namespace

int runCommand(const std::vector<std::string> &arguments)
{
    if (arguments.empty() || arguments[0] == "--help" || arguments[0] == "help" || arguments[0] == "-h") {
        std::cout << s_overview;
        return arguments.empty() ? ExitUsage : ExitOk;
    }
    if (arguments[0] == "--version") {
        std::cout << "soko-server " << SOKO_VERSION << "\n";
        return ExitOk;
    }
    for (const Command &command : commands()) {
        if (command.name != arguments[0])
            continue;
        auto line =
            parseCommandLine({arguments.begin() + 1, arguments.end()}, command.valueOptions, command.flagOptions);
        if (!line)
            return usageError(command.name, line.error().message);
        if (line->has("help")) {
            std::cout << command.help;
            return ExitOk;
        }
        return command.run(*line);
    }
    std::cerr << "soko-server: unknown command '" << arguments[0] << "'\n\n" << s_overview;
    return ExitUsage;
}

} // namespace Server::App
