#include "server/ops/servermetrics.h"

namespace Server::Ops {

namespace {

double secondsSinceEpoch(std::chrono::system_clock::time_point at)
{
    return std::chrono::duration<double>(at.time_since_epoch()).count();
}

std::string_view stageName(LoginStage stage)
{
    switch (stage) {
    case LoginStage::Password:
        return "password";
    case LoginStage::Totp:
        return "totp";
    case LoginStage::RecoveryCode:
        return "recovery_code";
    }
    return "password";
}

} // namespace

ServerMetrics::ServerMetrics(SystemClock clock)
    : m_clock(clock ? std::move(clock) : SystemClock([] { return std::chrono::system_clock::now(); }))
    , m_requests(m_registry.counter("soko_http_requests_total",
                                    "HTTP requests answered, by listener, route pattern and status",
                                    {"listener", "route", "status"}))
    , m_durations(m_registry.histogram("soko_http_request_duration_seconds",
                                       "Time from a complete request to its handler's answer, by listener and route",
                                       {"listener", "route"}))
    , m_syncOps(m_registry.counter("soko_sync_ops_total",
                                   "Sync ops newly recorded from device pushes, by outcome (resends not counted)",
                                   {"outcome"}))
    , m_loginFailures(
          m_registry.counter("soko_admin_login_failures_total", "Failed admin login steps, by stage", {"stage"}))
    , m_webhookBacklog(
          m_registry.callbackGauge("soko_alert_webhook_backlog", "Alert webhook messages not yet delivered", {}))
{
    const double started = secondsSinceEpoch(m_clock());
    m_registry.gauge("process_start_time_seconds", "Start time of the process since the Unix epoch, in seconds")
        .set({}, started);
    m_registry.callbackGauge(
        "soko_device_sync_lag_seconds",
        "Seconds since the device's last successful push or pull seen by this process (devices "
        "not seen since process_start_time_seconds are absent)",
        {"device"}, [this] {
            std::vector<Sample> samples;
            const auto current = now();
            for (const DeviceSync &sync : lastSyncs())
                samples.push_back({{sync.deviceId}, std::chrono::duration<double>(current - sync.at).count()});
            return samples;
        });
    m_registry.callbackGauge("soko_metrics_dropped_series",
                             "Label sets refused because a metric family reached its series limit", {}, [this] {
                                 return std::vector<Sample>{{{}, double(m_registry.droppedSeries())}};
                             });
    for (const LoginStage stage : {LoginStage::Password, LoginStage::Totp, LoginStage::RecoveryCode})
        m_loginFailures.increment({std::string(stageName(stage))}, 0); // listed from the start at 0
    for (const char *outcome : {"applied", "conflict", "rejected"})
        m_syncOps.increment({outcome}, 0);
}

std::chrono::system_clock::time_point ServerMetrics::now() const
{
    return m_clock();
}

void ServerMetrics::recordRequest(std::string_view listener, std::string_view route, int status, double seconds)
{
    m_requests.increment({std::string(listener), std::string(route), std::to_string(status)});
    if (status >= 500)
        ++m_serverErrors;
    m_durations.observe({std::string(listener), std::string(route)}, seconds);
}

void ServerMetrics::recordRefusal(std::string_view listener, std::string_view route, int status)
{
    if (status >= 500)
        ++m_serverErrors;
    m_requests.increment({std::string(listener), std::string(route), std::to_string(status)});
}

void ServerMetrics::recordSyncPush(std::string_view deviceId, std::int64_t applied, std::int64_t conflicts,
                                   std::int64_t rejected)
{
    m_syncOps.increment({"applied"}, static_cast<double>(applied));
    m_syncOps.increment({"conflict"}, static_cast<double>(conflicts));
    m_syncOps.increment({"rejected"}, static_cast<double>(rejected));
    recordSyncPull(deviceId);
}

void ServerMetrics::recordSyncPull(std::string_view deviceId)
{
    const auto at = now();
    std::lock_guard lock(m_mutex);
    if (m_lastSync.size() >= maxSeriesPerFamily && !m_lastSync.contains(deviceId))
        return;
    m_lastSync.insert_or_assign(std::string(deviceId), at);
}

std::optional<std::chrono::system_clock::time_point> ServerMetrics::lastSync(std::string_view deviceId) const
{
    std::lock_guard lock(m_mutex);
    const auto found = m_lastSync.find(deviceId);
    if (found == m_lastSync.end())
        return std::nullopt;
    return found->second;
}

std::vector<DeviceSync> ServerMetrics::lastSyncs() const
{
    std::lock_guard lock(m_mutex);
    std::vector<DeviceSync> out;
    out.reserve(m_lastSync.size());
    for (const auto &[device, at] : m_lastSync)
        out.push_back({device, at});
    return out;
}

void ServerMetrics::recordTerminalReport(std::string_view deviceId, const TerminalReport &report)
{
    if (!report.appVersion && !report.pendingOps)
        return;
    std::lock_guard lock(m_mutex);
    if (m_reports.size() >= maxSeriesPerFamily && !m_reports.contains(deviceId))
        return;
    TerminalReport &kept = m_reports[std::string(deviceId)];
    if (report.appVersion)
        kept.appVersion = report.appVersion;
    if (report.pendingOps)
        kept.pendingOps = report.pendingOps;
}

TerminalReport ServerMetrics::terminalReport(std::string_view deviceId) const
{
    std::lock_guard lock(m_mutex);
    const auto found = m_reports.find(deviceId);
    return found == m_reports.end() ? TerminalReport{} : found->second;
}

void ServerMetrics::recordLoginFailure(LoginStage stage)
{
    m_loginFailures.increment({std::string(stageName(stage))});
}

void ServerMetrics::setWebhookBacklogSource(std::function<std::optional<double>()> source)
{
    if (!source) {
        m_webhookBacklog.setSource({});
        return;
    }
    m_webhookBacklog.setSource([source = std::move(source)] {
        std::vector<Sample> samples;
        if (const auto value = source())
            samples.push_back({{}, *value});
        return samples;
    });
}

double ServerMetrics::loginFailuresTotal() const
{
    double total = 0;
    for (const LoginStage stage : {LoginStage::Password, LoginStage::Totp, LoginStage::RecoveryCode})
        total += m_loginFailures.value({std::string(stageName(stage))});
    return total;
}

double ServerMetrics::syncOpsTotal(std::string_view outcome) const
{
    return m_syncOps.value({std::string(outcome)});
}

double ServerMetrics::serverErrorsTotal() const
{
    return static_cast<double>(m_serverErrors.load());
}

} // namespace Server::Ops
