#pragma once
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>
#include "common/domain/order.h"
#include "common/support/result.h"
#include "server/storage/records.h"

namespace Server::Ops {
class ServerMetrics;
}
namespace Server::Storage {
class Store;
}

// What the admin dashboard shows, as plain data (the renderer is dashboardPage in pages.h), and
// its loader over the Store APIs that exist today. Times are ISO 8601 UTC text.
// Limits of today's data sources (docs/admin.md "Dashboard"): order counts are current totals per
// state (the Store has no creation time or count query yet, so not "today"), counted up to
// `ordersCountedPerState` (beyond: capped, shown as "N+"); a terminal's last sync is the last
// push/pull seen by this server process; pending ops live on the terminal and are unknown here.
namespace Server::Admin {

struct CappedCount
{
    std::int64_t count = 0;
    bool capped = false; // at least `count`
};

enum class AlertKind { TerminalSilent, ConflictsOpen, WebhookBacklog };
enum class AlertSeverity { Warning, Critical };

struct DashboardAlert
{
    AlertKind kind = AlertKind::ConflictsOpen;
    AlertSeverity severity = AlertSeverity::Warning;
    std::string subject; // terminal label, a count, … (data: escaped when rendered)
    std::string since;   // ISO time or empty
};

struct TerminalSummary
{
    std::string id; // device UUID
    std::string label;
    std::string warehouse;
    Storage::DeviceStatus status = Storage::DeviceStatus::Active;
    std::int64_t incarnation = 1;
    std::int64_t lastAppliedSeq = 0;
    std::optional<std::string> lastSyncAt;  // nullopt: not seen by this process
    std::optional<std::int64_t> pendingOps; // nullopt: unknown to the server
};

struct DashboardData
{
    std::string generatedAt;
    std::vector<std::pair<Common::Domain::OrderState, CappedCount>> ordersByState; // life-cycle order
    CappedCount readyToShip;                                                       // packed
    CappedCount shipped;
    CappedCount openConflicts;
    std::vector<Storage::ConflictRecord> conflicts; // oldest open first, at most conflictsListed
    std::vector<TerminalSummary> terminals;
    std::vector<DashboardAlert> alerts;
};

struct DashboardLimits
{
    int ordersCountedPerState = 1000;
    int conflictsListed = 20;
    int conflictsCounted = 1000;
    std::chrono::minutes silentAfter{15}; // an active terminal quiet this long raises an alert
};

// Reads orders, devices and conflicts from `store`; last syncs from `metrics` (may be null);
// `webhookBacklog` from the alert outbox when known. Errors: Storage.
Common::Result<DashboardData> loadDashboard(Storage::Store &store, const Ops::ServerMetrics *metrics,
                                            const DashboardLimits &limits = {},
                                            std::optional<std::int64_t> webhookBacklog = std::nullopt);

// ISO 8601 UTC with seconds: "2026-11-29T21:40:00Z".
std::string isoUtc(std::chrono::system_clock::time_point at);

} // namespace Server::Admin
