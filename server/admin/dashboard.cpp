#include "server/admin/dashboard.h"

#include <algorithm>
#include <ctime>
#include <map>
#include "server/ops/servermetrics.h"
#include "server/storage/store.h"

namespace Server::Admin {

namespace {

using Common::Domain::OrderState;

constexpr OrderState lifeCycle[] = {OrderState::Imported, OrderState::Allocated, OrderState::Released,
                                    OrderState::Picking,  OrderState::Picked,    OrderState::Packed,
                                    OrderState::Shipped,  OrderState::Cancelled};

bool isDigit(char c)
{
    return c >= '0' && c <= '9';
}

} // namespace

std::string isoUtc(std::chrono::system_clock::time_point at)
{
    const std::time_t seconds = std::chrono::system_clock::to_time_t(at);
    std::tm parts{};
    gmtime_r(&seconds, &parts);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &parts);
    return text;
}

std::string utcDayOf(std::string_view iso)
{
    if (iso.size() < 11 || iso[4] != '-' || iso[7] != '-' || iso[10] != 'T')
        return {};
    for (const std::size_t index : {0, 1, 2, 3, 5, 6, 8, 9})
        if (!isDigit(iso[index]))
            return {};
    return std::string(iso.substr(0, 10));
}

Common::Result<DashboardData> loadDashboard(Storage::Store &store, const Ops::ServerMetrics *metrics,
                                            const DashboardLimits &limits, std::optional<std::int64_t> webhookBacklog,
                                            bool webhookConfigured)
{
    DashboardData data;
    data.generatedAt = store.now();
    data.day = utcDayOf(data.generatedAt);
    // "2026-11-30" sorts before every time of that day and after every time of the day before.
    const std::string since = data.day.empty() ? data.generatedAt : data.day;

    auto counts = store.orderStateCountsSince(since);
    if (!counts)
        return tl::unexpected(counts.error());
    for (const OrderState state : lifeCycle) {
        CappedCount counted;
        for (const auto &[found, count] : *counts)
            if (found == state)
                counted.count = count;
        data.ordersByState.emplace_back(state, counted);
        if (state == OrderState::Packed)
            data.readyToShip = counted;
    }
    auto shipments = store.shipmentCountSince(since);
    if (!shipments)
        return tl::unexpected(shipments.error());
    data.shipped = {*shipments, false};
    auto alertsToday = store.alertCountSince(since);
    if (!alertsToday)
        return tl::unexpected(alertsToday.error());
    data.alertsToday = *alertsToday;
    data.webhookBacklog = webhookBacklog;

    auto open = store.openConflictCount();
    if (!open)
        return tl::unexpected(open.error());
    data.openConflicts = {*open, false};
    auto queue = store.conflictQueue(limits.conflictsListed);
    if (!queue)
        return tl::unexpected(queue.error());
    for (const auto &entry : *queue)
        if (!entry.resolvedAt)
            data.conflicts.push_back(entry.conflict);

    auto devices = store.devices();
    if (!devices)
        return tl::unexpected(devices.error());
    auto activity = store.deviceActivity();
    if (!activity)
        return tl::unexpected(activity.error());
    std::map<std::string, Storage::Store::DeviceActivity> activityById;
    for (auto &item : *activity)
        activityById.emplace(item.deviceId, std::move(item));
    const auto now = metrics ? metrics->now() : std::chrono::system_clock::now();
    for (const auto &device : *devices) {
        TerminalSummary terminal;
        terminal.id = device.id;
        terminal.label = device.label;
        terminal.warehouse = device.warehouse;
        terminal.status = device.status;
        terminal.incarnation = device.incarnation;
        auto applied = store.lastApplied(device.id, device.incarnation);
        if (!applied)
            return tl::unexpected(applied.error());
        terminal.lastAppliedSeq = *applied;
        if (const auto found = activityById.find(device.id); found != activityById.end()) {
            terminal.appliedOps = found->second.applied;
            terminal.conflictOps = found->second.conflicts;
            terminal.rejectedOps = found->second.rejected;
            terminal.rejections = found->second.rejections;
            terminal.lastOpAt = found->second.lastOpAt;
        }
        if (metrics) {
            const Ops::TerminalReport report = metrics->terminalReport(device.id);
            terminal.appVersion = report.appVersion;
            terminal.pendingOps = report.pendingOps;
        }
        const auto lastSync = metrics ? metrics->lastSync(device.id) : std::nullopt;
        if (lastSync) {
            terminal.lastSyncAt = isoUtc(*lastSync);
            terminal.syncLagSeconds = std::max<std::int64_t>(
                0, std::chrono::duration_cast<std::chrono::seconds>(now - *lastSync).count());
            if (device.status == Storage::DeviceStatus::Active && now - *lastSync > limits.silentAfter)
                data.alerts.push_back(
                    {AlertKind::TerminalSilent, AlertSeverity::Warning, device.label, *terminal.lastSyncAt});
        }
        data.terminals.push_back(std::move(terminal));
    }
    if (data.openConflicts.count > 0)
        data.alerts.push_back({AlertKind::ConflictsOpen, AlertSeverity::Warning,
                               std::to_string(data.openConflicts.count),
                               data.conflicts.empty() ? std::string() : data.conflicts.front().createdAt});
    if (webhookBacklog && *webhookBacklog > 0)
        data.alerts.push_back({webhookConfigured ? AlertKind::WebhookBacklog : AlertKind::WebhookNotSet,
                               webhookConfigured ? AlertSeverity::Critical : AlertSeverity::Warning,
                               std::to_string(*webhookBacklog), std::string()});
    return data;
}

} // namespace Server::Admin
