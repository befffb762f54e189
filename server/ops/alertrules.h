#pragma once
#include <array>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>
#include "common/support/result.h"

namespace Server::Storage {
class StorePool;
class Store;
} // namespace Server::Storage

// Threshold alert rules on the server's own metrics (issue 6 "threshold rules on metrics fire and
// clear"; docs/server.md "Alert rules"). Five rules, each with a threshold N an administrator sets on
// /admin/settings (stored in server_meta as "setting.alert.<rule>", read by every server):
//   login_failures   failed admin login steps (password, TOTP, recovery code) in the last 5 min > N
//   sync_rejections  sync ops rejected by the server in the last 5 min > N
//   open_conflicts   open sync conflicts > N
//   sync_lag         minutes since an active terminal's last push/pull > N, one alert per terminal
//   server_errors    responses with status 5xx on any listener in the last 5 min > N
// A rule fires when its value is above N (for `fireAfter`, 0 = at once) and clears only once the
// value has stayed at or below N for `clearAfter` (5 min): a value swinging round the threshold
// raises one alert, not a stream of them (no flapping). Each fire and clear is one audit entry
// (`alert_rule_fired` / `alert_rule_cleared`) and one chat alert queued with it in the same
// transaction (Audit::appendAndAnnounce, REQUIREMENTS.md §6, R42).
//
// AlertRuleEvaluator is the pure part (no I/O, time comes with each observation) and
// AlertRuleMonitor feeds it from ServerMetrics and the Store every `interval` (30 s) from the
// AlertWorker's loop and writes the transitions. Counters are this process's (since it started):
// with several servers each evaluates its own traffic; rule state lives in memory, so a condition
// still present after a restart is announced once more.
namespace Server::Ops {

class ServerMetrics;

using AlertClock = std::chrono::system_clock;
using AlertTime = AlertClock::time_point;

enum class AlertRule { LoginFailures, SyncRejections, OpenConflicts, SyncLag, ServerErrors };
inline constexpr std::array<AlertRule, 5> alertRules{AlertRule::LoginFailures, AlertRule::SyncRejections,
                                                     AlertRule::OpenConflicts, AlertRule::SyncLag,
                                                     AlertRule::ServerErrors};

std::string_view alertRuleName(AlertRule rule);            // "login_failures", "sync_lag", …
std::optional<AlertRule> alertRuleFromName(std::string_view name);
std::string alertRuleSettingName(AlertRule rule);          // "alert.login_failures" (Store::backOfficeSettings)

// Thresholds N (a rule fires above N); nullopt = the rule is off. The defaults are what a fresh
// database uses until someone saves the settings page.
struct AlertThresholds
{
    std::optional<std::int64_t> loginFailures = 20; // per 5 min; per-account lockout starts at 5 (R04)
    std::optional<std::int64_t> syncRejections = 10; // per 5 min
    std::optional<std::int64_t> openConflicts = 25;
    std::optional<std::int64_t> syncLagMinutes = 30; // per terminal
    std::optional<std::int64_t> serverErrors = 5;    // per 5 min

    std::optional<std::int64_t> &operator[](AlertRule rule);
    const std::optional<std::int64_t> &operator[](AlertRule rule) const;
    bool operator==(const AlertThresholds &) const = default;
};

// Accepted range of a threshold: 0…1,000,000 for counts, 1…10,080 minutes (a week) for sync lag.
std::pair<std::int64_t, std::int64_t> alertThresholdRange(AlertRule rule);
// A threshold as typed or stored: decimal digits in range, or "" / "off" for off. Errors:
// InvalidInput naming the reason ("must be a whole number", "must be between 1 and 10080").
Common::Result<std::optional<std::int64_t>> parseAlertThreshold(AlertRule rule, std::string_view text);
std::string formatAlertThreshold(const std::optional<std::int64_t> &threshold); // "20" or "off"
// Thresholds from Store::backOfficeSettings(): a rule without a row, or with a row that does not
// parse, keeps its default.
AlertThresholds alertThresholdsFromSettings(const std::vector<std::pair<std::string, std::string>> &settings);

struct TerminalLag
{
    std::string deviceId;
    std::string label;
    std::chrono::seconds lag{0};
};

// One look at the system. Totals are monotonic counters (this process since it started; a smaller
// value than before is taken as a restart). nullopt = not known this round: that rule's state stays.
struct AlertObservation
{
    AlertTime at;
    double loginFailuresTotal = 0;
    double syncRejectedTotal = 0;
    double serverErrorsTotal = 0;
    std::optional<std::int64_t> openConflicts;
    std::optional<std::vector<TerminalLag>> terminals; // active terminals this process has seen sync
};

struct AlertRuleTiming
{
    std::chrono::seconds window{300};     // "per 5 min" of the counting rules
    std::chrono::seconds fireAfter{0};    // the value must stay above N this long before it fires
    std::chrono::seconds clearAfter{300}; // and at or below N this long before it clears
};

struct AlertTransition
{
    AlertRule rule = AlertRule::LoginFailures;
    bool fired = true;        // false = cleared
    std::string subject;      // sync_lag: the terminal's device id; "" for the other rules
    std::string subjectLabel; // sync_lag: the terminal's label (user-set text)
    std::int64_t value = 0;   // the count, or the lag in minutes, at this evaluation
    std::optional<std::int64_t> threshold; // nullopt when it cleared because the rule was switched off
    AlertTime since;          // fired: when the value went above N; cleared: when it came back
};

struct FiringAlert
{
    AlertRule rule = AlertRule::LoginFailures;
    std::string subject;
    std::string subjectLabel;
    std::int64_t value = 0;
    std::int64_t threshold = 0;
    AlertTime since;
};

class AlertRuleEvaluator final
{
public:
    explicit AlertRuleEvaluator(AlertRuleTiming timing = {});

    // Folds in one observation (times must not go backwards; an earlier one is ignored) and returns
    // the rules that fired or cleared with it, in alertRules order (terminals by device id).
    std::vector<AlertTransition> evaluate(const AlertThresholds &thresholds, const AlertObservation &observation);
    std::vector<FiringAlert> firing() const;
    const AlertRuleTiming &timing() const { return m_timing; }

private:
    struct State
    {
        bool firing = false;
        std::optional<AlertTime> aboveSince;
        std::optional<AlertTime> belowSince;
        std::int64_t value = 0;
        std::int64_t threshold = 0;
        std::string label;
        AlertTime firingSince;
    };
    using Key = std::pair<AlertRule, std::string>;
    void step(const Key &key, const std::optional<std::int64_t> &threshold, std::optional<std::int64_t> value,
              const std::string &label, AlertTime at, std::vector<AlertTransition> &out);
    std::int64_t windowIncrease(std::size_t counter) const;

    AlertRuleTiming m_timing;
    std::map<Key, State> m_states;
    std::deque<std::pair<AlertTime, std::array<double, 3>>> m_samples; // login, rejected, 5xx totals
};

// Chat text of a transition: title "Alert: admin login failures" / "Alert cleared: …" and a summary
// such as "23 failed admin login steps in the last 5 min (threshold 20)" or "terminal HT-01
// (<device id>) has not synced for 47 min (threshold 30 min)". Terminal labels are user text: the
// chat payload escapes them (Audit::slackPayload).
std::string alertTitle(const AlertTransition &transition);
std::string alertSummary(const AlertTransition &transition, std::chrono::seconds window);

struct AlertRuleMonitorOptions
{
    std::chrono::seconds interval{30};
    AlertRuleTiming timing;
    std::function<AlertTime()> clock;                 // empty = system clock
    std::function<void(std::string_view line)> log;  // "alert_rule_fired rule=… value=…" lines
};

// Reads thresholds (Store::backOfficeSettings), open conflicts and active terminals from the
// database and the counters and last syncs from `metrics`, evaluates, and writes each transition
// as an audit entry + chat alert in one transaction. Thread-safe.
class AlertRuleMonitor final
{
public:
    // `pool` and `metrics` must outlive this object.
    AlertRuleMonitor(Storage::StorePool &pool, const ServerMetrics &metrics, AlertRuleMonitorOptions options = {});

    // evaluateNow() when `interval` has passed since the last evaluation (or there was none);
    // what the AlertWorker calls every round. Returns the transitions written (0 when not due).
    Common::Result<int> tick();
    // One evaluation now. Errors: Storage (nothing was written for this round's transitions that
    // failed; the evaluation state has moved on, the log says which were lost).
    Common::Result<int> evaluateNow();
    std::vector<FiringAlert> firing() const;

private:
    AlertTime now() const;
    Common::Result<AlertObservation> observe(Storage::Store &store, const AlertThresholds &thresholds, AlertTime at);
    Common::Result<void> record(Storage::Store &store, const AlertTransition &transition);

    Storage::StorePool &m_pool;
    const ServerMetrics &m_metrics;
    AlertRuleMonitorOptions m_options;
    mutable std::mutex m_mutex;
    AlertRuleEvaluator m_evaluator;
    std::optional<AlertTime> m_last;
};

} // namespace Server::Ops
