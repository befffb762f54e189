#include "server/app/runcommand.h"

#include <atomic>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <iostream>
#include <sys/stat.h>
#include <thread>
#include "common/crypto/pki.h"
#include "server/admin/adminapplication.h"
#include "server/admin/adminlogin.h"
#include "server/admin/listenerrouter.h"
#include "server/admin/settingspages.h"
#include "server/api/apiapplication.h"
#include "server/app/databaselocation.h"
#include "server/app/datafolder.h"
#include "server/app/revocationcache.h"
#include "server/app/serverlog.h"
#include "server/audit/alertworker.h"
#include "server/audit/signingkey.h"
#include "server/net/httpsserver.h"
#include "server/ops/alertrules.h"
#include "server/ops/servermetrics.h"
#include "server/net/webhookclient.h"
#include "server/storage/store.h"
#include "server/storage/storepool.h"

namespace Server::App {

namespace {

int startupFailure(const std::string &message)
{
    writeLogLine("startup_failed error=" + escapeForLog(message));
    std::cerr << "soko-server run: " << message << "\n";
    return 1;
}

Net::ServerConfig serverConfig(const DataFolder &folder, const Settings &settings)
{
    Net::ServerConfig config;
    const std::string chain = folder.serverCertificate().string();
    const std::string key = folder.serverKey().string();
    config.listeners = {
        Net::ListenerConfig{Net::Listener::Devices, settings.devicesListen.address, settings.devicesListen.port, chain,
                            key, folder.deviceCaCertificate().string()},
        Net::ListenerConfig{Net::Listener::Api, settings.apiListen.address, settings.apiListen.port, chain, key, ""},
        // TLS 1.3 only like devices ("modern"), but no client certificate: people sign in.
        Net::ListenerConfig{Net::Listener::Admin, settings.adminListen.address, settings.adminListen.port, chain, key,
                            ""},
    };
    config.workerThreads = static_cast<std::size_t>(settings.workerThreads);
    config.maxConnections = static_cast<std::size_t>(settings.maxConnections);
    config.maxConnectionsPerIp = static_cast<std::size_t>(settings.maxConnectionsPerIp);
    config.handshakeTimeout = std::chrono::seconds(settings.handshakeTimeoutSeconds);
    config.headerTimeout = std::chrono::seconds(settings.headerTimeoutSeconds);
    config.bodyTimeout = std::chrono::seconds(settings.bodyTimeoutSeconds);
    config.idleTimeout = std::chrono::seconds(settings.idleTimeoutSeconds);
    config.shutdownGrace = std::chrono::seconds(settings.shutdownGraceSeconds);
    config.log = [](std::string_view line) { writeLogLine(line); };
    return config;
}

// Waits for SIGTERM/SIGINT (graceful stop) and SIGHUP (re-read revocations) until `done`.
void watchSignals(Net::HttpsServer *server, RevocationCache *revocations, std::atomic<bool> *done)
{
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGHUP);
    const timespec tick{0, 200'000'000};
    while (!done->load()) {
        const int received = sigtimedwait(&signals, nullptr, &tick);
        if (received == SIGHUP) {
            writeLogLine("signal name=HUP action=refresh_revocations");
            revocations->requestRefresh();
        } else if (received == SIGTERM || received == SIGINT) {
            writeLogLine(std::string("signal name=") + (received == SIGTERM ? "TERM" : "INT") +
                         " action=graceful_stop");
            server->stop();
            return;
        }
    }
}

std::filesystem::path inFolder(const DataFolder &folder, const std::string &path)
{
    const std::filesystem::path file(path);
    return file.is_absolute() ? file : folder.root() / file;
}

// The chat webhook from the settings: the URL from its 0600 file (a secret: R14, never logged,
// never in an error message), checked against the outbound rules (R34), with the CA file and the
// allowlist; the URL is empty when no file is configured (the settings page may set one later,
// server/admin/settingspages.h). Errors: a message for startupFailure.
Common::Result<Net::WebhookConfig> webhookFileConfig(const DataFolder &folder, const Settings &settings)
{
    Net::WebhookConfig config;
    if (!settings.alertWebhookCaFile.empty())
        config.caFile = inFolder(folder, settings.alertWebhookCaFile).string();
    config.allowHosts = settings.alertWebhookAllowHosts;
    if (settings.alertWebhookUrlFile.empty())
        return config;
    const std::filesystem::path file = inFolder(folder, settings.alertWebhookUrlFile);
    struct stat status = {};
    if (::stat(file.c_str(), &status) != 0)
        return Common::fail(Common::ErrorCode::NotFound, "alert_webhook_url_file " + file.string() + " does not exist");
    if ((status.st_mode & 077) != 0)
        return Common::fail(Common::ErrorCode::Forbidden,
                            "alert_webhook_url_file " + file.string() + " is readable by group or others (chmod 600)");
    auto text = readTextFile(file, 4096);
    if (!text)
        return tl::unexpected(text.error());
    std::string url = *text;
    while (!url.empty() && (url.back() == '\n' || url.back() == '\r' || url.back() == ' ' || url.back() == '\t'))
        url.pop_back();
    config.url = std::move(url);
    if (auto client = Net::WebhookClient::create(config); !client)
        return Common::fail(client.error().code, "alert_webhook_url_file: " + client.error().message);
    return config;
}

// Best effort: a start or stop is logged even when the audit row cannot be written.
void auditSystemEvent(Storage::StorePool &stores, const std::string &event, const std::string &details)
{
    if (auto lease = stores.acquire())
        (void)(*lease)->appendAudit({0, {}, "system", event, "soko-server", details});
}

} // namespace

void blockControlSignals()
{
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);
    std::signal(SIGPIPE, SIG_IGN); // a client that vanished is an error code, not a death
}

int runServer(const RunOptions &options)
{
    const DataFolder folder(options.dataFolder);
    if (auto initialised = folder.checkInitialised(); !initialised)
        return startupFailure(initialised.error().message);
    auto settings = folder.loadSettings(options.configFile);
    if (!settings)
        return startupFailure(settings.error().message);
    for (const auto &[key, value] : options.settings)
        if (auto applied = applySetting(*settings, key, value); !applied)
            return startupFailure("--set " + key + ": " + applied.error().message);
    if (!options.database.empty())
        if (auto applied = applySetting(*settings, "database", options.database); !applied)
            return startupFailure("--db: " + applied.error().message);
    if (options.devicesListen)
        settings->devicesListen = *options.devicesListen;
    if (options.apiListen)
        settings->apiListen = *options.apiListen;
    if (options.adminListen)
        settings->adminListen = *options.adminListen;

    auto deviceCaPem = readTextFile(folder.deviceCaCertificate());
    auto deviceCaKeyPem = readTextFile(folder.deviceCaKey());
    auto serverCaPem = readTextFile(folder.serverCaCertificate());
    for (const auto *file : {&deviceCaPem, &deviceCaKeyPem, &serverCaPem})
        if (!*file)
            return startupFailure(file->error().message);

    // The pool outlives everything that borrows from it (revocations, the application, the server).
    const std::string location = settings->database;
    const std::string shownLocation = redactDatabaseLocation(location);
    auto pool = openDatabase(folder.root(), *settings, settings->databasePoolSize);
    if (!pool)
        return startupFailure("database " + shownLocation + ": " +
                              withoutDatabaseSecrets(pool.error().message, location));
    Storage::StorePool &stores = **pool;

    RevocationCache revocations(stores, std::chrono::seconds(settings->revocationRefreshSeconds));
    if (auto loaded = revocations.refresh(); !loaded)
        return startupFailure("database " + shownLocation + ": " +
                              withoutDatabaseSecrets(loaded.error().message, location));

    Api::ApiConfig apiConfig;
    const int certificateDays = settings->deviceCertificateDays;
    apiConfig.issuer = [caPem = *deviceCaPem, caKeyPem = *deviceCaKeyPem,
                        certificateDays](const std::string &csrPem,
                                         const std::string &deviceId) -> Common::Result<Oms::IssuedCertificate> {
        auto issued = Common::Crypto::issueDeviceCertificate(caPem, caKeyPem, csrPem, deviceId, certificateDays);
        if (!issued)
            return tl::unexpected(issued.error());
        return Oms::IssuedCertificate{issued->certificatePem, issued->serialHex};
    };
    apiConfig.serverCaPem = *serverCaPem;
    apiConfig.deviceCaPem = *deviceCaPem;
    Ops::ServerMetrics metrics; // outlives both applications and the server below
    apiConfig.syncObserver = [&metrics](const Api::SyncEvent &event) {
        if (event.kind == Api::SyncEvent::Kind::Push)
            metrics.recordSyncPush(event.deviceId, event.applied, event.conflicts, event.rejected);
        else
            metrics.recordSyncPull(event.deviceId);
        metrics.recordTerminalReport(event.deviceId, {event.appVersion, event.pendingOps});
    };
    Api::ApiApplication application(stores, std::move(apiConfig));

    // Audit checkpoints and chat alerts (REQUIREMENTS.md §6, R41, R42): the signing key (made on
    // first use for folders initialised before it existed) and the webhook, checked before
    // anything listens.
    auto signingKey = Audit::AuditSigningKey::loadOrCreate(folder.root() / Audit::signingKeyFileName);
    if (!signingKey)
        return startupFailure("audit signing key: " + signingKey.error().message);
    const Audit::AuditPublicKey checkpointKey = signingKey->publicKey();
    auto webhookConfig = webhookFileConfig(folder, *settings);
    if (!webhookConfig)
        return startupFailure(webhookConfig.error().message);
    // Sessions, CSRF, setup and login (R05, R07–R19, R25): the key file (0600, created on the first
    // run) signs CSRF tokens and seals TOTP seeds and the webhook URL set on the settings page; it
    // stays outside the database (R10, R14).
    auto adminKey = Auth::SecretKey::loadOrCreate(folder.root() / std::string(Admin::adminSecretsKeyFileName));
    if (!adminKey)
        return startupFailure(adminKey.error().message);
    const auto sharedAdminKey = std::make_shared<const Auth::SecretKey>(std::move(*adminKey));
    const bool webhookFromFile = !webhookConfig->url.empty();
    // The webhook of the file or of the settings page, and the threshold alert rules evaluated
    // every 30 s from the AlertWorker's loop (server/ops/alertrules.h); both outlive the worker.
    Admin::AlertWebhook webhook(stores, sharedAdminKey, std::move(*webhookConfig));
    Ops::AlertRuleMonitorOptions ruleOptions;
    ruleOptions.log = [](std::string_view line) { writeLogLine(line); };
    Ops::AlertRuleMonitor alertRules(stores, metrics, std::move(ruleOptions));
    Audit::AlertWorkerOptions workerOptions;
    workerOptions.checkpoints = {settings->auditCheckpointEntries,
                                 std::chrono::seconds(settings->auditCheckpointSeconds)};
    workerOptions.log = [](std::string_view line) { writeLogLine(line); };
    workerOptions.beforeRound = [&alertRules] { return alertRules.tick(); };
    workerOptions.webhookConfigured = [&webhook] { return webhook.configured(); };
    Audit::AlertSender sender = [&webhook](const std::string &payload) { return webhook.post(payload); };
    Audit::AlertWorker alertWorker(stores, std::move(sender), std::move(*signingKey), std::move(workerOptions));
    Admin::AdminConfig adminConfig;
    adminConfig.metrics = &metrics;
    adminConfig.audit.trustedKeys = {checkpointKey};
    adminConfig.settings.key = sharedAdminKey;
    adminConfig.settings.allowHosts = settings->alertWebhookAllowHosts;
    adminConfig.settings.webhookFileConfigured = webhookFromFile;
    adminConfig.settings.firing = [&alertRules] { return alertRules.firing(); };
    adminConfig.fourEyes.adjustmentUnits = settings->fourEyesAdjustmentUnits;
    adminConfig.fourEyes.exportRows = settings->fourEyesExportRows;
    Admin::AdminLoginConfig loginConfig;
    loginConfig.key = sharedAdminKey;
    loginConfig.metrics = &metrics;
    Admin::installLogin(adminConfig, std::make_shared<Admin::AdminLogin>(stores, std::move(loginConfig)));
    adminConfig.log = [](std::string_view line) { writeLogLine(line); };
    adminConfig.webhookConfigured = [&webhook] { return webhook.configured(); };
    adminConfig.webhookBacklog = [&alertWorker]() -> std::optional<std::int64_t> {
        const auto backlog = alertWorker.backlog();
        return backlog ? std::optional<std::int64_t>(backlog->count) : std::nullopt;
    };
    metrics.setWebhookBacklogSource([&alertWorker]() -> std::optional<double> {
        const auto backlog = alertWorker.backlog();
        return backlog ? std::optional<double>(static_cast<double>(backlog->count)) : std::nullopt;
    });
    adminConfig.onDeviceRevoked = [&revocations](std::string_view serialHex) { revocations.markRevoked(serialHex); };
    Admin::AdminApplication admin(stores, std::move(adminConfig));

    if (!isLoopbackOrPrivateAddress(settings->adminListen.address))
        writeLogLine("warning admin_listen=" + formatEndpoint(settings->adminListen) +
                     " reason=not_loopback_or_private (the admin pages belong on 127.0.0.1 or a VPN address)");

    Net::ServerConfig config = serverConfig(folder, *settings);
    config.isRevoked = [&revocations](std::string_view serialHex) { return revocations.isRevoked(serialHex); };
    Net::HttpsServer server(std::move(config), Admin::composeByListener(application, admin, &metrics));
    if (auto started = server.start(); !started)
        return startupFailure(started.error().message);

    const std::vector<std::uint16_t> ports = server.boundPorts();
    const Endpoint devices{settings->devicesListen.address, ports.at(0)};
    const Endpoint api{settings->apiListen.address, ports.at(1)};
    const Endpoint adminEndpoint{settings->adminListen.address, ports.at(2)};
    if (!options.portsFile.empty()) {
        const std::string text = "devices=" + std::to_string(devices.port) + "\napi=" + std::to_string(api.port) +
                                 "\nadmin=" + std::to_string(adminEndpoint.port) + "\n";
        if (auto written = writeFileAtomically(options.portsFile, text, 0644); !written)
            return startupFailure(written.error().message);
    }
    auditSystemEvent(stores, "sys_startup",
                     "{\"devices\":\"" + formatEndpoint(devices) + "\",\"api\":\"" + formatEndpoint(api) +
                         "\",\"admin\":\"" + formatEndpoint(adminEndpoint) + "\"}");
    writeLogLine("listening devices=" + formatEndpoint(devices) + " api=" + formatEndpoint(api) +
                 " admin=" + formatEndpoint(adminEndpoint) + " revoked_serials=" + std::to_string(revocations.size()) +
                 " backend=" + stores.backend() + " database=" + escapeForLog(shownLocation));
    std::cout << "listening devices=" << formatEndpoint(devices) << " api=" << formatEndpoint(api)
              << " admin=" << formatEndpoint(adminEndpoint) << std::endl;

    writeLogLine(std::string("alerts webhook=") + (webhook.configured() ? "configured" : "none") +
                 " checkpoint_entries=" + std::to_string(settings->auditCheckpointEntries) +
                 " checkpoint_seconds=" + std::to_string(settings->auditCheckpointSeconds));

    revocations.start();
    alertWorker.start();
    std::atomic<bool> done{false};
    std::thread signalWatcher(watchSignals, &server, &revocations, &done);
    server.run(); // returns after stop(): accepting stopped, in-flight requests finished
    done = true;
    signalWatcher.join();
    revocations.stop();
    alertWorker.stop();
    auditSystemEvent(stores, "sys_shutdown", "{}");
    writeLogLine("stopped");
    return 0;
}

} // namespace Server::App
