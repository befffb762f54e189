#pragma once
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
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
// its loader over the Store. Times are ISO 8601 UTC text; "today" is the current UTC day of the
// store's clock (docs/admin.md "Dashboard"):
// - orders by state today: orders whose last change (updated_at) is today, by their current state;
// - shipments today: shipments recorded today; packed today = orders packed today, not yet shipped;
// - open conflicts: every unresolved conflict (whatever its day), the oldest `conflictsListed` shown;
// - alerts fired today: alert outbox rows queued today (chat announcements, delivered or not);
// - terminals: ops recorded per device (applied / conflict / rejected, from the database), sync
//   rejections, the last sync seen by this server process and the lag since it (Ops::ServerMetrics);
//   pending ops and the app version live on the terminal and are not reported to the server yet.
namespace Server::Admin {

struct CappedCount
{
    std::int64_t count = 0;
    bool capped = false; // at least `count`
};

// WebhookNotSet: alerts wait in the outbox because no webhook URL is set (a new install), not a failure.
enum class AlertKind { TerminalSilent, ConflictsOpen, WebhookBacklog, WebhookNotSet };
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
    std::optional<std::int64_t> pendingOps; // the terminal's own report (Soko-Pending-Ops); nullopt: not heard by this process
    std::optional<std::int64_t> syncLagSeconds; // now − lastSyncAt; nullopt with it
    std::optional<std::string> appVersion;      // its User-Agent soko-terminal/<version>; nullopt: not heard
    std::int64_t appliedOps = 0;                // ops recorded for the device, by outcome
    std::int64_t conflictOps = 0;
    std::int64_t rejectedOps = 0;
    std::int64_t rejections = 0;              // sync rejections recorded (rejections table)
    std::optional<std::string> lastOpAt;      // when the server last recorded one of its ops
};

struct DashboardData
{
    std::string generatedAt;
    std::string day; // the UTC day the "today" counts cover, "2026-11-30"
    std::vector<std::pair<Common::Domain::OrderState, CappedCount>> ordersByState; // life-cycle order
    CappedCount readyToShip; // orders packed today (still packed)
    CappedCount shipped;     // shipments recorded today
    CappedCount openConflicts;
    std::int64_t alertsToday = 0;               // alert outbox rows queued today
    std::optional<std::int64_t> webhookBacklog; // undelivered alerts, when known
    std::vector<Storage::ConflictRecord> conflicts; // oldest open first, at most conflictsListed
    std::vector<TerminalSummary> terminals;
    std::vector<DashboardAlert> alerts;
};

struct DashboardLimits
{
    int conflictsListed = 20;
    std::chrono::minutes silentAfter{15}; // an active terminal quiet this long raises an alert
};

// Reads the counts, devices and conflicts from `store`; last syncs from `metrics` (may be null);
// `webhookBacklog` from the alert outbox when known; `webhookConfigured` false turns a backlog
// into the WebhookNotSet warning instead of the critical WebhookBacklog. Errors: Storage.
Common::Result<DashboardData> loadDashboard(Storage::Store &store, const Ops::ServerMetrics *metrics,
                                            const DashboardLimits &limits = {},
                                            std::optional<std::int64_t> webhookBacklog = std::nullopt,
                                            bool webhookConfigured = true);

// ISO 8601 UTC with seconds: "2026-11-29T21:40:00Z".
std::string isoUtc(std::chrono::system_clock::time_point at);
// "2026-11-30" from an ISO 8601 UTC time "2026-11-30T…"; "" when `iso` is not one.
std::string utcDayOf(std::string_view iso);

} // namespace Server::Admin
