#pragma once
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>
#include "server/ops/metrics.h"

// soko-server's own metrics (docs/server.md "Metrics"), on one MetricsRegistry served by
// GET /metrics on the admin listener. Label values are bounded: `route` is a route PATTERN from a
// route table (or "unmatched"), never a raw path; `device` is an enrolled device id; `status` an
// HTTP status; the rest are fixed enumerations. Thread-safe; one instance per process, owned by
// the `run` command and shared by the applications.
namespace Server::Ops {

using SystemClock = std::function<std::chrono::system_clock::time_point()>;

enum class LoginStage { Password, Totp, RecoveryCode };

struct DeviceSync
{
    std::string deviceId;
    std::chrono::system_clock::time_point at; // last successful push or pull seen by this process
};

// What a terminal says of itself on each sync request (User-Agent `soko-terminal/<version>`,
// `Soko-Pending-Ops: <n>`; docs/sync-protocol.md "Terminal report"): informational, shown on the
// dashboard and the devices page; nullopt when the terminal did not say (or said it malformed).
struct TerminalReport
{
    std::optional<std::string> appVersion; // e.g. "0.6.0"
    std::optional<std::int64_t> pendingOps; // ops in the terminal's outbox not yet acknowledged
};

class ServerMetrics final
{
public:
    // `clock` defaults to the system clock (tests inject one).
    explicit ServerMetrics(SystemClock clock = {});
    ServerMetrics(const ServerMetrics &) = delete;
    ServerMetrics &operator=(const ServerMetrics &) = delete;

    MetricsRegistry &registry() { return m_registry; }

    // A request answered by an application: soko_http_requests_total{listener,route,status} and
    // soko_http_request_duration_seconds{listener,route}. `route` is the matched route pattern.
    void recordRequest(std::string_view listener, std::string_view route, int status, double seconds);
    // A request refused from the route table before any handler ran (404 unknown path, 405):
    // counted in soko_http_requests_total only.
    void recordRefusal(std::string_view listener, std::string_view route, int status);

    // Results of one sync push (only ops new to the server, not replays of resent ones):
    // soko_sync_ops_total{outcome=applied|conflict|rejected}; also marks the device as synced.
    void recordSyncPush(std::string_view deviceId, std::int64_t applied, std::int64_t conflicts, std::int64_t rejected);
    void recordSyncPull(std::string_view deviceId);
    std::optional<std::chrono::system_clock::time_point> lastSync(std::string_view deviceId) const;
    std::vector<DeviceSync> lastSyncs() const; // by device id
    // The newest report of a device (kept per field: a request without a field keeps the last
    // value), and what this process last heard; empty fields when never reported.
    void recordTerminalReport(std::string_view deviceId, const TerminalReport &report);
    TerminalReport terminalReport(std::string_view deviceId) const;

    // soko_admin_login_failures_total{stage}; called by the admin login (later work).
    void recordLoginFailure(LoginStage stage);
    // soko_alert_webhook_backlog: undelivered alert rows; the alert outbox (later work) installs
    // the source. nullopt from the source = no sample.
    void setWebhookBacklogSource(std::function<std::optional<double>()> source);

    std::string exposition() const { return m_registry.exposition(); }
    std::chrono::system_clock::time_point now() const;

    // ---- totals for the alert rules (server/ops/alertrules.h), since this process started ----
    double loginFailuresTotal() const;                    // every stage
    double syncOpsTotal(std::string_view outcome) const; // "applied", "conflict", "rejected"
    double serverErrorsTotal() const;                     // answers and refusals with status ≥ 500

private:
    SystemClock m_clock;
    MetricsRegistry m_registry;
    Counter &m_requests;
    Histogram &m_durations;
    Counter &m_syncOps;
    Counter &m_loginFailures;
    CallbackGauge &m_webhookBacklog;
    mutable std::mutex m_mutex;
    std::map<std::string, std::chrono::system_clock::time_point, std::less<>> m_lastSync;
    std::map<std::string, TerminalReport, std::less<>> m_reports;
    std::atomic<std::uint64_t> m_serverErrors{0};
};

} // namespace Server::Ops
