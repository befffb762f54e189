#include "server/ops/alertrules.h"

#include <algorithm>
#include <ctime>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include "server/audit/announce.h"
#include "server/ops/servermetrics.h"
#include "server/storage/store.h"
#include "server/storage/storepool.h"

namespace Server::Ops {

namespace {

namespace json = boost::json;

// Indexes into the sample arrays of the counting rules.
constexpr std::size_t loginCounter = 0;
constexpr std::size_t rejectedCounter = 1;
constexpr std::size_t errorsCounter = 2;

std::int64_t minutesOf(std::chrono::seconds duration)
{
    return std::chrono::duration_cast<std::chrono::minutes>(duration).count();
}

std::string isoOf(AlertTime at)
{
    const std::time_t seconds = AlertClock::to_time_t(at);
    std::tm parts{};
    gmtime_r(&seconds, &parts);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &parts);
    return text;
}

} // namespace

std::string_view alertRuleName(AlertRule rule)
{
    switch (rule) {
    case AlertRule::LoginFailures:
        return "login_failures";
    case AlertRule::SyncRejections:
        return "sync_rejections";
    case AlertRule::OpenConflicts:
        return "open_conflicts";
    case AlertRule::SyncLag:
        return "sync_lag";
    case AlertRule::ServerErrors:
        return "server_errors";
    }
    return "login_failures";
}

std::optional<AlertRule> alertRuleFromName(std::string_view name)
{
    for (const AlertRule rule : alertRules)
        if (alertRuleName(rule) == name)
            return rule;
    return std::nullopt;
}

std::string alertRuleSettingName(AlertRule rule)
{
    return "alert." + std::string(alertRuleName(rule));
}

std::optional<std::int64_t> &AlertThresholds::operator[](AlertRule rule)
{
    switch (rule) {
    case AlertRule::LoginFailures:
        return loginFailures;
    case AlertRule::SyncRejections:
        return syncRejections;
    case AlertRule::OpenConflicts:
        return openConflicts;
    case AlertRule::SyncLag:
        return syncLagMinutes;
    case AlertRule::ServerErrors:
        return serverErrors;
    }
    return loginFailures;
}

const std::optional<std::int64_t> &AlertThresholds::operator[](AlertRule rule) const
{
    return const_cast<AlertThresholds &>(*this)[rule]; // NOLINT: the same member, read only
}

std::pair<std::int64_t, std::int64_t> alertThresholdRange(AlertRule rule)
{
    return rule == AlertRule::SyncLag ? std::pair<std::int64_t, std::int64_t>{1, 10080}
                                      : std::pair<std::int64_t, std::int64_t>{0, 1000000};
}

Common::Result<std::optional<std::int64_t>> parseAlertThreshold(AlertRule rule, std::string_view text)
{
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t'))
        text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t'))
        text.remove_suffix(1);
    if (text.empty() || text == "off")
        return std::optional<std::int64_t>();
    const auto [lowest, highest] = alertThresholdRange(rule);
    const std::string range = "must be between " + std::to_string(lowest) + " and " + std::to_string(highest);
    if (text.size() > 7)
        return Common::fail(Common::ErrorCode::InvalidInput, range);
    std::int64_t value = 0;
    for (std::size_t index = 0; index < text.size(); ++index) {
        const char c = text[index];
        if (c < '0' || c > '9')
            return Common::fail(Common::ErrorCode::InvalidInput, "must be a whole number (or empty for off)",
                                static_cast<std::int64_t>(index));
        value = value * 10 + (c - '0');
    }
    if (value < lowest || value > highest)
        return Common::fail(Common::ErrorCode::InvalidInput, range);
    return std::optional<std::int64_t>(value);
}

std::string formatAlertThreshold(const std::optional<std::int64_t> &threshold)
{
    return threshold ? std::to_string(*threshold) : std::string("off");
}

AlertThresholds alertThresholdsFromSettings(const std::vector<std::pair<std::string, std::string>> &settings)
{
    AlertThresholds thresholds;
    for (const auto &[name, value] : settings) {
        if (!name.starts_with("alert."))
            continue;
        const auto rule = alertRuleFromName(std::string_view(name).substr(6));
        if (!rule)
            continue;
        if (auto parsed = parseAlertThreshold(*rule, value))
            thresholds[*rule] = *parsed;
    }
    return thresholds;
}

// ---- evaluator ----

AlertRuleEvaluator::AlertRuleEvaluator(AlertRuleTiming timing)
    : m_timing(timing)
{}

std::int64_t AlertRuleEvaluator::windowIncrease(std::size_t counter) const
{
    if (m_samples.empty())
        return 0;
    const double current = m_samples.back().second[counter];
    const double base = m_samples.front().second[counter];
    // A total that went down means the process restarted: everything counted now is new.
    double increase = current >= base ? current - base : current;
    for (std::size_t index = 1; index < m_samples.size(); ++index)
        if (m_samples[index].second[counter] < m_samples[index - 1].second[counter])
            increase = current; // a restart inside the window: count from it
    return static_cast<std::int64_t>(increase + 0.5);
}

void AlertRuleEvaluator::step(const Key &key, const std::optional<std::int64_t> &threshold,
                              std::optional<std::int64_t> value, const std::string &label, AlertTime at,
                              std::vector<AlertTransition> &out)
{
    auto found = m_states.find(key);
    if (!threshold) { // switched off: a firing alert clears now, a quiet one is forgotten
        if (found != m_states.end()) {
            if (found->second.firing)
                out.push_back({key.first, false, key.second, found->second.label, found->second.value, std::nullopt, at});
            m_states.erase(found);
        }
        return;
    }
    if (!value)
        return; // unknown this round: nothing changes
    State &state = found != m_states.end() ? found->second : m_states[key];
    state.value = *value;
    state.threshold = *threshold;
    if (!label.empty())
        state.label = label;
    if (*value > *threshold) {
        state.belowSince.reset();
        if (!state.aboveSince)
            state.aboveSince = at;
        if (!state.firing && at - *state.aboveSince >= m_timing.fireAfter) {
            state.firing = true;
            state.firingSince = *state.aboveSince;
            out.push_back({key.first, true, key.second, state.label, *value, *threshold, *state.aboveSince});
        }
        return;
    }
    state.aboveSince.reset();
    if (!state.firing) {
        m_states.erase(key);
        return;
    }
    if (!state.belowSince)
        state.belowSince = at;
    if (at - *state.belowSince >= m_timing.clearAfter) {
        out.push_back({key.first, false, key.second, state.label, *value, *threshold, *state.belowSince});
        m_states.erase(key);
    }
}

std::vector<AlertTransition> AlertRuleEvaluator::evaluate(const AlertThresholds &thresholds,
                                                          const AlertObservation &observation)
{
    std::vector<AlertTransition> out;
    const AlertTime at = observation.at;
    if (!m_samples.empty() && at < m_samples.back().first)
        return out;
    m_samples.push_back({at, {observation.loginFailuresTotal, observation.syncRejectedTotal,
                              observation.serverErrorsTotal}});
    // Keep the newest sample at or before the window's start as the base of the increase.
    while (m_samples.size() >= 2 && m_samples[1].first <= at - m_timing.window)
        m_samples.pop_front();

    for (const AlertRule rule : alertRules) {
        const auto &threshold = thresholds[rule];
        switch (rule) {
        case AlertRule::LoginFailures:
            step({rule, ""}, threshold, windowIncrease(loginCounter), {}, at, out);
            break;
        case AlertRule::SyncRejections:
            step({rule, ""}, threshold, windowIncrease(rejectedCounter), {}, at, out);
            break;
        case AlertRule::ServerErrors:
            step({rule, ""}, threshold, windowIncrease(errorsCounter), {}, at, out);
            break;
        case AlertRule::OpenConflicts:
            step({rule, ""}, threshold, observation.openConflicts, {}, at, out);
            break;
        case AlertRule::SyncLag: {
            if (!observation.terminals) {
                if (!threshold) // off: clear every terminal's alert
                    for (auto it = m_states.begin(); it != m_states.end();) {
                        const Key key = it->first;
                        ++it;
                        if (key.first == AlertRule::SyncLag)
                            step(key, threshold, std::nullopt, {}, at, out);
                    }
                break;
            }
            std::map<std::string, const TerminalLag *> seen;
            for (const TerminalLag &terminal : *observation.terminals)
                seen[terminal.deviceId] = &terminal;
            // Terminals in a state but gone now (revoked, forgotten) count as not lagging.
            std::vector<std::string> known;
            for (const auto &[key, state] : m_states)
                if (key.first == AlertRule::SyncLag && !seen.contains(key.second))
                    known.push_back(key.second);
            for (const std::string &id : known)
                step({rule, id}, threshold, std::int64_t(0), {}, at, out);
            for (const auto &[id, terminal] : seen)
                step({rule, id}, threshold, minutesOf(terminal->lag), terminal->label, at, out);
            break;
        }
        }
    }
    return out;
}

std::vector<FiringAlert> AlertRuleEvaluator::firing() const
{
    std::vector<FiringAlert> out;
    for (const AlertRule rule : alertRules)
        for (const auto &[key, state] : m_states)
            if (key.first == rule && state.firing)
                out.push_back({rule, key.second, state.label, state.value, state.threshold, state.firingSince});
    return out;
}

// ---- texts ----

std::string alertTitle(const AlertTransition &transition)
{
    std::string what;
    switch (transition.rule) {
    case AlertRule::LoginFailures:
        what = "admin login failures";
        break;
    case AlertRule::SyncRejections:
        what = "sync rejections";
        break;
    case AlertRule::OpenConflicts:
        what = "open conflicts";
        break;
    case AlertRule::SyncLag:
        what = "terminal sync lag";
        break;
    case AlertRule::ServerErrors:
        what = "server errors (5xx)";
        break;
    }
    return (transition.fired ? "Alert: " : "Alert cleared: ") + what;
}

std::string alertSummary(const AlertTransition &transition, std::chrono::seconds window)
{
    const std::string minutes = std::to_string(std::max<std::int64_t>(1, minutesOf(window)));
    const std::string value = std::to_string(transition.value);
    std::string text;
    switch (transition.rule) {
    case AlertRule::LoginFailures:
        text = value + " failed admin login steps in the last " + minutes + " min";
        break;
    case AlertRule::SyncRejections:
        text = value + " sync ops rejected in the last " + minutes + " min";
        break;
    case AlertRule::OpenConflicts:
        text = value + " open sync conflicts";
        break;
    case AlertRule::SyncLag:
        text = "terminal " + (transition.subjectLabel.empty() ? transition.subject : transition.subjectLabel) + " (" +
               transition.subject + ") " + (transition.fired ? "has not synced for " : "synced again, lag ") + value +
               " min";
        break;
    case AlertRule::ServerErrors:
        text = value + " responses with status 5xx in the last " + minutes + " min";
        break;
    }
    const std::string unit = transition.rule == AlertRule::SyncLag ? " min" : "";
    if (!transition.threshold)
        return text + " (rule switched off)";
    return text + " (threshold " + std::to_string(*transition.threshold) + unit + ")";
}

// ---- monitor ----

AlertRuleMonitor::AlertRuleMonitor(Storage::StorePool &pool, const ServerMetrics &metrics,
                                   AlertRuleMonitorOptions options)
    : m_pool(pool)
    , m_metrics(metrics)
    , m_options(std::move(options))
    , m_evaluator(m_options.timing)
{}

AlertTime AlertRuleMonitor::now() const
{
    return m_options.clock ? m_options.clock() : AlertClock::now();
}

Common::Result<int> AlertRuleMonitor::tick()
{
    {
        std::lock_guard lock(m_mutex);
        if (m_last && now() - *m_last < m_options.interval)
            return 0;
    }
    return evaluateNow();
}

std::vector<FiringAlert> AlertRuleMonitor::firing() const
{
    std::lock_guard lock(m_mutex);
    return m_evaluator.firing();
}

Common::Result<AlertObservation> AlertRuleMonitor::observe(Storage::Store &store, const AlertThresholds &thresholds,
                                                           AlertTime at)
{
    AlertObservation observation;
    observation.at = at;
    observation.loginFailuresTotal = m_metrics.loginFailuresTotal();
    observation.syncRejectedTotal = m_metrics.syncOpsTotal("rejected");
    observation.serverErrorsTotal = m_metrics.serverErrorsTotal();
    if (thresholds.openConflicts) {
        // Only "above N?" matters: N + 1 rows answer it.
        const int wanted = static_cast<int>(std::min<std::int64_t>(*thresholds.openConflicts + 1, 1000001));
        auto conflicts = store.conflicts(std::nullopt, wanted);
        if (!conflicts)
            return tl::unexpected(conflicts.error());
        observation.openConflicts = static_cast<std::int64_t>(conflicts->size());
    }
    if (thresholds.syncLagMinutes) {
        auto devices = store.devices();
        if (!devices)
            return tl::unexpected(devices.error());
        std::vector<TerminalLag> terminals;
        for (const auto &device : *devices) {
            if (device.status != Storage::DeviceStatus::Active)
                continue;
            const auto last = m_metrics.lastSync(device.id);
            if (!last)
                continue;
            terminals.push_back({device.id, device.label,
                                 std::max(std::chrono::seconds(0), std::chrono::floor<std::chrono::seconds>(at - *last))});
        }
        observation.terminals = std::move(terminals);
    }
    return observation;
}

Common::Result<void> AlertRuleMonitor::record(Storage::Store &store, const AlertTransition &transition)
{
    json::object details;
    details["rule"] = alertRuleName(transition.rule);
    details["value"] = transition.value;
    if (transition.threshold)
        details["threshold"] = *transition.threshold;
    else
        details["threshold"] = "off";
    details["since"] = isoOf(transition.since);
    if (transition.rule == AlertRule::SyncLag) {
        details["terminal"] = transition.subjectLabel;
    } else if (transition.rule != AlertRule::OpenConflicts) {
        details["window_seconds"] = m_options.timing.window.count();
    }
    Storage::AuditRecord entry;
    entry.actor = "system";
    entry.role = "system";
    entry.event = transition.fired ? "alert_rule_fired" : "alert_rule_cleared";
    entry.target = "alert_rule:" + std::string(alertRuleName(transition.rule)) +
                   (transition.subject.empty() ? "" : ":" + transition.subject);
    entry.details = json::serialize(details);
    entry.outcome = "success";
    const Audit::Announcement announcement{entry.event, alertTitle(transition),
                                           alertSummary(transition, m_options.timing.window)};
    return Storage::retryTransient(store, [&]() -> Common::Result<void> {
        Storage::Transaction transaction(store);
        if (!transaction.started())
            return tl::unexpected(transaction.started().error());
        if (auto appended = Audit::appendAndAnnounce(store, entry, announcement); !appended)
            return tl::unexpected(appended.error());
        return transaction.commit();
    });
}

Common::Result<int> AlertRuleMonitor::evaluateNow()
{
    std::lock_guard lock(m_mutex);
    const AlertTime at = now();
    m_last = at;
    auto lease = m_pool.acquire();
    if (!lease)
        return tl::unexpected(lease.error());
    Storage::Store &store = **lease;
    auto settings = store.backOfficeSettings();
    if (!settings)
        return tl::unexpected(settings.error());
    const AlertThresholds thresholds = alertThresholdsFromSettings(*settings);
    auto observation = observe(store, thresholds, at);
    if (!observation)
        return tl::unexpected(observation.error());
    int written = 0;
    for (const AlertTransition &transition : m_evaluator.evaluate(thresholds, *observation)) {
        const std::string line = std::string(transition.fired ? "alert_rule_fired" : "alert_rule_cleared") +
                                 " rule=" + std::string(alertRuleName(transition.rule)) +
                                 " value=" + std::to_string(transition.value);
        if (auto recorded = record(store, transition); !recorded) {
            if (m_options.log)
                m_options.log(line + " recorded=no");
            return tl::unexpected(recorded.error());
        }
        if (m_options.log)
            m_options.log(line);
        ++written;
    }
    return written;
}

} // namespace Server::Ops
