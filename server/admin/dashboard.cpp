#include "server/admin/dashboard.h"

#include <algorithm>
#include <ctime>
#include "server/ops/servermetrics.h"
#include "server/storage/store.h"

namespace Server::Admin {

namespace {

using Common::Domain::OrderState;

constexpr OrderState lifeCycle[] = {OrderState::Imported, OrderState::Allocated, OrderState::Released,
                                    OrderState::Picking,  OrderState::Picked,    OrderState::Packed,
                                    OrderState::Shipped,  OrderState::Cancelled};
constexpr int pageSize = 250;

Common::Result<CappedCount> countOrders(Storage::Store &store, OrderState state, int limit)
{
    CappedCount counted;
    std::int64_t afterId = 0;
    while (counted.count < limit) {
        auto page = store.orders(state, std::nullopt, afterId, pageSize);
        if (!page)
            return tl::unexpected(page.error());
        for (const auto &order : *page) {
            if (counted.count >= limit) {
                counted.capped = true;
                return counted;
            }
            ++counted.count;
            afterId = order.id;
        }
        if (static_cast<int>(page->size()) < pageSize)
            return counted;
    }
    // Exactly at the limit: one more row decides whether there are more.
    auto more = store.orders(state, std::nullopt, afterId, 1);
    if (!more)
        return tl::unexpected(more.error());
    counted.capped = !more->empty();
    return counted;
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

Common::Result<DashboardData> loadDashboard(Storage::Store &store, const Ops::ServerMetrics *metrics,
                                            const DashboardLimits &limits, std::optional<std::int64_t> webhookBacklog)
{
    DashboardData data;
    data.generatedAt = store.now();
    for (const OrderState state : lifeCycle) {
        auto counted = countOrders(store, state, limits.ordersCountedPerState);
        if (!counted)
            return tl::unexpected(counted.error());
        data.ordersByState.emplace_back(state, *counted);
        if (state == OrderState::Packed)
            data.readyToShip = *counted;
        if (state == OrderState::Shipped)
            data.shipped = *counted;
    }

    auto conflicts = store.conflicts(std::nullopt, limits.conflictsCounted + 1);
    if (!conflicts)
        return tl::unexpected(conflicts.error());
    data.openConflicts.count =
        std::min<std::int64_t>(static_cast<std::int64_t>(conflicts->size()), limits.conflictsCounted);
    data.openConflicts.capped = static_cast<int>(conflicts->size()) > limits.conflictsCounted;
    for (std::size_t index = 0; index < conflicts->size() && static_cast<int>(index) < limits.conflictsListed; ++index)
        data.conflicts.push_back((*conflicts)[index]);

    auto devices = store.devices();
    if (!devices)
        return tl::unexpected(devices.error());
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
        const auto lastSync = metrics ? metrics->lastSync(device.id) : std::nullopt;
        if (lastSync) {
            terminal.lastSyncAt = isoUtc(*lastSync);
            if (device.status == Storage::DeviceStatus::Active && now - *lastSync > limits.silentAfter)
                data.alerts.push_back(
                    {AlertKind::TerminalSilent, AlertSeverity::Warning, device.label, *terminal.lastSyncAt});
        }
        data.terminals.push_back(std::move(terminal));
    }
    if (data.openConflicts.count > 0)
        data.alerts.push_back({AlertKind::ConflictsOpen, AlertSeverity::Warning,
                               std::to_string(data.openConflicts.count) + (data.openConflicts.capped ? "+" : ""),
                               data.conflicts.empty() ? std::string() : data.conflicts.front().createdAt});
    if (webhookBacklog && *webhookBacklog > 0)
        data.alerts.push_back(
            {AlertKind::WebhookBacklog, AlertSeverity::Critical, std::to_string(*webhookBacklog), std::string()});
    return data;
}

} // namespace Server::Admin
