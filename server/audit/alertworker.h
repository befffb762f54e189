#pragma once
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include "common/support/result.h"
#include "server/audit/checkpoint.h"
#include "server/audit/signingkey.h"
#include "server/audit/utctime.h"
#include "server/net/webhookclient.h"
#include "server/storage/storepool.h"

// The background worker of `soko-server run` for the audit trail and chat alerts
// (REQUIREMENTS.md §6, R41, R42): every `pollInterval` on its own thread it
// 1. signs an audit checkpoint when one is due (checkpoint.h; when a signing key is given),
// 2. delivers due alert_outbox rows strictly in id order through `sender` (a WebhookClient):
//    HTTP 200 with body "ok" = delivered; 429 = retry after Retry-After (1 s … 1 h); anything
//    else = retry after an exponential back-off with jitter (firstRetry · 2^attempts, capped at
//    maxRetry, uniformly drawn from its upper half). Each attempt is counted and its error kept.
//    With several servers on one PostgreSQL database the claim (Store::claimNextAlert) makes
//    sure one server delivers each row once; a crashed worker's claim expires after claimLease.
// 3. watches the backlog: once the oldest undelivered alert is older than backlogThreshold it
//    writes one "alert_backlog" line to the log (the webhook being down, chat cannot carry
//    that), and "alert_backlog_cleared" when it is gone.
// Without a sender (no webhook configured) alerts stay queued, and the backlog line says so.
// Each step borrows a database connection only briefly (never during the HTTP call), so the
// worker adds at most one connection to the pool's use.
namespace Server::Audit {

using AlertSender = std::function<Common::Result<Net::WebhookResponse>(const std::string &payload)>;

struct AlertWorkerOptions
{
    std::string claimant; // unique per process; empty = "<host>:<pid>:<random>"
    std::chrono::milliseconds pollInterval{1000};
    std::chrono::seconds claimLease{60}; // > the webhook client's total timeout
    std::chrono::seconds firstRetry{5};
    std::chrono::seconds maxRetry{900};
    std::chrono::seconds backlogThreshold{60};
    int maxDeliveriesPerRound = 100;
    CheckpointPolicy checkpoints;
    std::function<TimePoint()> clock;               // empty = system clock
    std::function<void(std::string_view line)> log; // "event key=value …" lines; values are safe
    // Hooks of the settings page and the threshold alert rules (server/admin/settingspages.h,
    // server/ops/alertrules.h): work done at the start of every round (AlertRuleMonitor::tick, so
    // what it queues leaves in the same round; an error is logged), and whether a webhook is
    // configured right now (it can be set while the server runs). Empty = none / a sender was given.
    std::function<Common::Result<int>()> beforeRound;
    std::function<bool()> webhookConfigured;
};

struct AlertBacklogStatus
{
    std::int64_t count = 0;
    std::chrono::seconds oldestAge{0}; // 0 when nothing is waiting
};

class AlertWorker final
{
public:
    AlertWorker(Storage::StorePool &stores, AlertSender sender, std::optional<AuditSigningKey> signingKey,
                AlertWorkerOptions options);
    ~AlertWorker(); // stop()
    AlertWorker(const AlertWorker &) = delete;
    AlertWorker &operator=(const AlertWorker &) = delete;

    void start();
    void stop(); // finishes the round in progress (a delivery takes at most the client's timeout)

    // One round as the thread runs it (checkpoint, deliveries, backlog check); for tests and
    // `soko-server audit checkpoint`-like callers. Returns how many alerts were delivered.
    // Errors: Storage (the round stopped there; the next one starts over).
    Common::Result<int> runOnce();

    // The gauge for metrics: undelivered alerts and the age of the oldest. Errors: Storage.
    Common::Result<AlertBacklogStatus> backlog();

private:
    TimePoint now() const;
    void log(const std::string &line) const;
    Common::Result<bool> deliver(const Storage::AlertRecord &alert); // true = delivered
    std::chrono::seconds backoff(int attempts) const;
    Common::Result<AlertBacklogStatus> backlogOf(Storage::Store &store);
    void run();

    Storage::StorePool &m_stores;
    AlertSender m_sender;
    std::optional<AuditSigningKey> m_signingKey;
    AlertWorkerOptions m_options;
    bool m_backlogRaised = false;
    std::mutex m_mutex;
    std::condition_variable m_wake;
    bool m_stopping = false;
    std::thread m_thread;
};

} // namespace Server::Audit
