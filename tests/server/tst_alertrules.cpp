#include <QTest>

#include <algorithm>

#include "server/admin/settingspages.h"
#include "server/audit/alertworker.h"
#include "server/ops/alertrules.h"
#include "server/ops/servermetrics.h"
#include "server/storage/store.h"
#include "tests/server/serverfixture.h"
#include "tests/server/tst_webhookmock.h"

// The threshold alert rules (server/ops/alertrules.h): the pure evaluator with observations at
// chosen times (fire above N, one alert for a value swinging round N, clear after 5 quiet minutes,
// the 5-minute window, one alert per lagging terminal, switching a rule off), threshold parsing,
// and AlertRuleMonitor on both backends: one audit entry + one outbox row per transition, the
// terminal named, thresholds read from the settings rows, and a fired rule's alert delivered to the
// loopback mock webhook through the URL set on the settings page (sealed in the database).
using namespace TestSupport;
using namespace Server;
using Ops::AlertObservation;
using Ops::AlertRule;
using Ops::AlertRuleEvaluator;
using Ops::AlertThresholds;
using Ops::AlertTransition;

namespace {

const Ops::AlertTime s_start{std::chrono::seconds(1'800'000'000)};

AlertThresholds only(AlertRule rule, std::int64_t threshold)
{
    AlertThresholds thresholds;
    for (const AlertRule each : Ops::alertRules)
        thresholds[each] = std::nullopt;
    thresholds[rule] = threshold;
    return thresholds;
}

AlertObservation logins(std::chrono::seconds at, double total)
{
    AlertObservation observation;
    observation.at = s_start + at;
    observation.loginFailuresTotal = total;
    return observation;
}

std::vector<Storage::AlertRecord> outbox(Storage::Store &store, std::string_view kind)
{
    std::vector<Storage::AlertRecord> out;
    auto alerts = store.alerts(0, 1000);
    if (!alerts)
        qFatal("alerts: %s", alerts.error().message.c_str());
    for (auto &alert : *alerts)
        if (alert.kind == kind)
            out.push_back(std::move(alert));
    return out;
}

int auditCount(Storage::Store &store, std::string_view event)
{
    auto rows = store.audit(0, 1000);
    if (!rows)
        qFatal("audit: %s", rows.error().message.c_str());
    return static_cast<int>(std::count_if(rows->begin(), rows->end(), [&](const auto &row) { return row.event == event; }));
}

} // namespace

class TestAlertRules : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // Backend rows for the monitor tests; the pure tests simply run once per row.
    void initTestCase_data() { addBackendRows(); }

    void firesAboveThresholdOnly()
    {
        AlertRuleEvaluator evaluator;
        const auto thresholds = only(AlertRule::LoginFailures, 5);
        QVERIFY(evaluator.evaluate(thresholds, logins(std::chrono::seconds(0), 100)).empty()); // base
        QVERIFY(evaluator.evaluate(thresholds, logins(std::chrono::seconds(30), 103)).empty());
        QVERIFY(evaluator.evaluate(thresholds, logins(std::chrono::seconds(60), 105)).empty()); // 5 is not > 5
        const auto fired = evaluator.evaluate(thresholds, logins(std::chrono::seconds(90), 106));
        QCOMPARE(fired.size(), std::size_t(1));
        QVERIFY(fired[0].fired);
        QVERIFY(fired[0].rule == AlertRule::LoginFailures);
        QCOMPARE(fired[0].value, std::int64_t(6));
        QCOMPARE(*fired[0].threshold, std::int64_t(5));
        QCOMPARE(evaluator.firing().size(), std::size_t(1));
        QVERIFY(Ops::alertSummary(fired[0], std::chrono::minutes(5)).find("6 failed admin login steps in the last 5 min "
                                                                          "(threshold 5)") != std::string::npos);
        QCOMPARE(Ops::alertTitle(fired[0]), std::string("Alert: admin login failures"));
    }

    void fireAfterNeedsTheValueToStayAbove()
    {
        AlertRuleEvaluator evaluator({std::chrono::seconds(300), std::chrono::seconds(60), std::chrono::seconds(300)});
        const auto thresholds = only(AlertRule::OpenConflicts, 3);
        AlertObservation observation;
        const auto at = [&](int seconds, std::int64_t conflicts) {
            observation.at = s_start + std::chrono::seconds(seconds);
            observation.openConflicts = conflicts;
            return evaluator.evaluate(thresholds, observation);
        };
        QVERIFY(at(0, 4).empty());
        QVERIFY(at(30, 2).empty()); // a blip: the pending state resets
        QVERIFY(at(60, 4).empty());
        QVERIFY(at(90, 5).empty());
        const auto fired = at(120, 5);
        QCOMPARE(fired.size(), std::size_t(1));
        QVERIFY(fired[0].since == s_start + std::chrono::seconds(60));
    }

    // A value swinging round the threshold: one alert, and it clears only after 5 quiet minutes.
    void noFlappingThenOneClear()
    {
        AlertRuleEvaluator evaluator;
        const auto thresholds = only(AlertRule::OpenConflicts, 10);
        AlertObservation observation;
        std::vector<AlertTransition> all;
        int seconds = 0;
        for (int round = 0; round < 41; ++round, seconds += 30) { // 20 minutes: 11, 9, 11, 9, …, 11
            observation.at = s_start + std::chrono::seconds(seconds);
            observation.openConflicts = round % 2 == 0 ? 11 : 9;
            for (auto &transition : evaluator.evaluate(thresholds, observation))
                all.push_back(transition);
        }
        QCOMPARE(all.size(), std::size_t(1));
        QVERIFY(all[0].fired);
        // Quiet from now on: still firing before 5 minutes, cleared at 5.
        const int quietFrom = seconds;
        for (; seconds < quietFrom + 300; seconds += 30) {
            observation.at = s_start + std::chrono::seconds(seconds);
            observation.openConflicts = 9;
            QVERIFY(evaluator.evaluate(thresholds, observation).empty());
        }
        observation.at = s_start + std::chrono::seconds(seconds);
        const auto cleared = evaluator.evaluate(thresholds, observation);
        QCOMPARE(cleared.size(), std::size_t(1));
        QVERIFY(!cleared[0].fired);
        QCOMPARE(cleared[0].value, std::int64_t(9));
        QVERIFY(cleared[0].since == s_start + std::chrono::seconds(quietFrom));
        QVERIFY(evaluator.firing().empty());
        QCOMPARE(Ops::alertTitle(cleared[0]), std::string("Alert cleared: open conflicts"));
    }

    // Counts older than the 5-minute window drop out; a counter reset (restart) counts from zero.
    void windowSlidesAndRestarts()
    {
        AlertRuleEvaluator evaluator;
        const auto thresholds = only(AlertRule::LoginFailures, 5);
        QVERIFY(evaluator.evaluate(thresholds, logins(std::chrono::seconds(0), 0)).empty());
        QCOMPARE(evaluator.evaluate(thresholds, logins(std::chrono::seconds(30), 6)).size(), std::size_t(1));
        // No new failures: the 6 leave the window after 5 min, then 5 quiet minutes clear it.
        std::vector<AlertTransition> later;
        for (int seconds = 60; seconds <= 660; seconds += 30)
            for (auto &transition : evaluator.evaluate(thresholds, logins(std::chrono::seconds(seconds), 6)))
                later.push_back(transition);
        QCOMPARE(later.size(), std::size_t(1));
        QVERIFY(!later[0].fired);
        QCOMPARE(later[0].value, std::int64_t(0));
        // The process restarted: the total starts again at 0 and 7 new failures fire.
        QVERIFY(evaluator.evaluate(thresholds, logins(std::chrono::seconds(690), 0)).empty());
        const auto again = evaluator.evaluate(thresholds, logins(std::chrono::seconds(720), 7));
        QCOMPARE(again.size(), std::size_t(1));
        QCOMPARE(again[0].value, std::int64_t(7));
    }

    void perTerminalLagNamesTheTerminal()
    {
        AlertRuleEvaluator evaluator;
        const auto thresholds = only(AlertRule::SyncLag, 30);
        AlertObservation observation;
        observation.at = s_start;
        observation.terminals = std::vector<Ops::TerminalLag>{{dev1, "HT-01", std::chrono::minutes(31)},
                                                              {dev2, "HT-02", std::chrono::minutes(5)}};
        const auto first = evaluator.evaluate(thresholds, observation);
        QCOMPARE(first.size(), std::size_t(1));
        QCOMPARE(first[0].subject, std::string(dev1));
        QCOMPARE(first[0].subjectLabel, std::string("HT-01"));
        QCOMPARE(first[0].value, std::int64_t(31));
        const std::string summary = Ops::alertSummary(first[0], std::chrono::minutes(5));
        QVERIFY2(summary.find("terminal HT-01 (" + std::string(dev1) + ") has not synced for 31 min (threshold 30 min)") !=
                     std::string::npos,
                 summary.c_str());
        // HT-02 falls behind too: its own alert; HT-01's stays (no second one).
        observation.at += std::chrono::seconds(30);
        (*observation.terminals)[1].lag = std::chrono::minutes(45);
        const auto second = evaluator.evaluate(thresholds, observation);
        QCOMPARE(second.size(), std::size_t(1));
        QCOMPARE(second[0].subject, std::string(dev2));
        QCOMPARE(evaluator.firing().size(), std::size_t(2));
        // HT-01 syncs again (and is later revoked: gone from the list): cleared after 5 minutes.
        std::vector<AlertTransition> later;
        for (int round = 1; round <= 11; ++round) {
            observation.at += std::chrono::seconds(30);
            observation.terminals = std::vector<Ops::TerminalLag>{{dev2, "HT-02", std::chrono::minutes(46)}};
            if (round < 3)
                observation.terminals->push_back({dev1, "HT-01", std::chrono::seconds(10)});
            for (auto &transition : evaluator.evaluate(thresholds, observation))
                later.push_back(transition);
        }
        QCOMPARE(later.size(), std::size_t(1));
        QVERIFY(!later[0].fired);
        QCOMPARE(later[0].subject, std::string(dev1));
        QCOMPARE(evaluator.firing().size(), std::size_t(1));
    }

    void switchingOffClearsAtOnce()
    {
        AlertRuleEvaluator evaluator;
        AlertObservation observation;
        observation.at = s_start;
        observation.openConflicts = 50;
        QCOMPARE(evaluator.evaluate(only(AlertRule::OpenConflicts, 10), observation).size(), std::size_t(1));
        observation.at += std::chrono::seconds(30);
        AlertThresholds off = only(AlertRule::OpenConflicts, 10);
        off.openConflicts = std::nullopt;
        const auto cleared = evaluator.evaluate(off, observation);
        QCOMPARE(cleared.size(), std::size_t(1));
        QVERIFY(!cleared[0].fired);
        QVERIFY(!cleared[0].threshold);
        QVERIFY(Ops::alertSummary(cleared[0], std::chrono::minutes(5)).find("switched off") != std::string::npos);
    }

    void thresholdParsing_data()
    {
        QTest::addColumn<QString>("rule");
        QTest::addColumn<QString>("text");
        QTest::addColumn<bool>("valid");
        QTest::addColumn<qlonglong>("value"); // -1 = off
        QTest::newRow("number") << "login_failures" << "20" << true << 20LL;
        QTest::newRow("spaces") << "login_failures" << " 7 " << true << 7LL;
        QTest::newRow("zero") << "open_conflicts" << "0" << true << 0LL;
        QTest::newRow("empty is off") << "server_errors" << "" << true << -1LL;
        QTest::newRow("off") << "server_errors" << "off" << true << -1LL;
        QTest::newRow("lag zero") << "sync_lag" << "0" << false << 0LL;
        QTest::newRow("lag week") << "sync_lag" << "10080" << true << 10080LL;
        QTest::newRow("lag too long") << "sync_lag" << "10081" << false << 0LL;
        QTest::newRow("negative") << "login_failures" << "-1" << false << 0LL;
        QTest::newRow("decimal") << "login_failures" << "1.5" << false << 0LL;
        QTest::newRow("huge") << "login_failures" << "99999999999999999999" << false << 0LL;
        QTest::newRow("script") << "login_failures" << "<script>" << false << 0LL;
    }
    void thresholdParsing()
    {
        QFETCH(QString, rule);
        QFETCH(QString, text);
        QFETCH(bool, valid);
        QFETCH(qlonglong, value);
        const auto parsedRule = Ops::alertRuleFromName(rule.toStdString());
        QVERIFY(parsedRule);
        const auto parsed = Ops::parseAlertThreshold(*parsedRule, text.toStdString());
        QCOMPARE(bool(parsed), valid);
        if (valid)
            QCOMPARE(parsed->value_or(-1), std::int64_t(value));
        else
            QVERIFY(!parsed.error().message.empty());
    }

    void thresholdsFromSettingsKeepDefaults()
    {
        const AlertThresholds defaults;
        const auto thresholds = Ops::alertThresholdsFromSettings(
            {{"alert.login_failures", "3"}, {"alert.open_conflicts", "off"}, {"alert.sync_lag", "garbage"}, {"other", "1"}});
        QCOMPARE(*thresholds.loginFailures, std::int64_t(3));
        QVERIFY(!thresholds.openConflicts);
        QCOMPARE(thresholds.syncLagMinutes, defaults.syncLagMinutes);
        QCOMPARE(thresholds.serverErrors, defaults.serverErrors);
    }

    // ---- the monitor against a real Store (both backends) ----
    void monitor()
    {
        SOKO_CHECK_BACKEND();
        ServerWorld world;
        Ops::AlertTime now = s_start;
        Ops::ServerMetrics metrics([&now] { return now; });
        QVERIFY(world.store->setBackOfficeSetting("alert.login_failures", "2"));
        QVERIFY(world.store->setBackOfficeSetting("alert.sync_lag", "30"));
        Ops::AlertRuleMonitorOptions options;
        options.clock = [&now] { return now; };
        Ops::AlertRuleMonitor monitor(*world.pool, metrics, options);

        metrics.recordSyncPull(dev1); // HT-01 seen now, dev2/dev3 never
        QCOMPARE(*monitor.tick(), 0);
        for (int i = 0; i < 3; ++i)
            metrics.recordLoginFailure(Ops::LoginStage::Password);
        now += std::chrono::seconds(10);
        QCOMPARE(*monitor.tick(), 0); // not due: 30 s interval
        now += std::chrono::seconds(20);
        QCOMPARE(*monitor.tick(), 1);
        QCOMPARE(outbox(*world.store, "alert_rule_fired").size(), std::size_t(1));
        QCOMPARE(auditCount(*world.store, "alert_rule_fired"), 1);
        const auto fired = outbox(*world.store, "alert_rule_fired").front();
        QVERIFY2(fired.text.find("3 failed admin login steps") != std::string::npos, fired.text.c_str());
        QVERIFY(fired.payload.find("\"blocks\"") != std::string::npos);

        // Still above for minutes: no second row.
        for (int round = 0; round < 5; ++round) {
            now += std::chrono::seconds(30);
            QCOMPARE(*monitor.tick(), 0);
        }
        QCOMPARE(outbox(*world.store, "alert_rule_fired").size(), std::size_t(1));

        // 31 minutes after HT-01's last sync: its lag alert names it. Meanwhile the failures left
        // the window and stayed away 5 minutes: one clear.
        now = s_start + std::chrono::minutes(31) + std::chrono::seconds(5);
        QCOMPARE(*monitor.evaluateNow(), 1); // the lag (the login rule starts its quiet period)
        now += std::chrono::minutes(5);
        QCOMPARE(*monitor.evaluateNow(), 1); // the login rule clears
        const auto firedRows = outbox(*world.store, "alert_rule_fired");
        QCOMPARE(firedRows.size(), std::size_t(2));
        QVERIFY2(firedRows[1].text.find("terminal HT-01 (" + std::string(dev1) + ") has not synced for 31 min") !=
                     std::string::npos,
                 firedRows[1].text.c_str());
        const auto cleared = outbox(*world.store, "alert_rule_cleared");
        QCOMPARE(cleared.size(), std::size_t(1));
        QVERIFY(cleared[0].text.find("Alert cleared: admin login failures") != std::string::npos);
        QCOMPARE(auditCount(*world.store, "alert_rule_cleared"), 1);
        auto audit = world.store->audit(0, 1000);
        const auto lagEntry = std::find_if(audit->begin(), audit->end(), [](const auto &row) {
            return row.event == "alert_rule_fired" && row.target == "alert_rule:sync_lag:" + std::string(dev1);
        });
        QVERIFY(lagEntry != audit->end());
        QCOMPARE(lagEntry->actor, std::string("system"));
        QVERIFY(lagEntry->details.find("\"terminal\":\"HT-01\"") != std::string::npos);
        QCOMPARE(monitor.firing().size(), std::size_t(1));

        // Switched off on the settings page: cleared at the next evaluation, without a restart.
        QVERIFY(world.store->setBackOfficeSetting("alert.sync_lag", "off"));
        now += std::chrono::seconds(30);
        QCOMPARE(*monitor.tick(), 1);
        QCOMPARE(outbox(*world.store, "alert_rule_cleared").size(), std::size_t(2));
        QVERIFY(monitor.firing().empty());
    }

    // A fired rule's alert reaches the loopback mock webhook: the URL set on the settings page
    // (sealed in the database), picked up by the running worker's AlertWebhook.
    void firedAlertReachesMockWebhook()
    {
        SOKO_CHECK_BACKEND();
        ServerWorld world;
        WebhookCertificates certificates;
        MockWebhook mock(certificates);
        auto key = std::make_shared<const Auth::SecretKey>(*Auth::SecretKey::generate());
        Net::WebhookConfig fileConfig; // no file URL: only the page's
        fileConfig.caFile = certificates.caFile;
        fileConfig.allowHosts = {"127.0.0.1"};
        Admin::AlertWebhook webhook(*world.pool, key, fileConfig, std::chrono::milliseconds(0));
        QVERIFY(!webhook.configured());
        QVERIFY(world.store->setBackOfficeSetting(Admin::webhookUrlSettingName, *Admin::sealWebhookUrl(*key, mock.url())));
        QVERIFY(webhook.configured());
        // The database holds no readable URL (R14): only the sealed blob.
        auto settings = world.store->backOfficeSettings();
        QVERIFY(settings);
        for (const auto &[name, value] : *settings)
            QVERIFY(value.find("test-token") == std::string::npos && value.find("127.0.0.1") == std::string::npos);

        Ops::AlertTime now = s_start;
        Ops::ServerMetrics metrics([&now] { return now; });
        QVERIFY(world.store->setBackOfficeSetting("alert.server_errors", "1"));
        Ops::AlertRuleMonitorOptions ruleOptions;
        ruleOptions.clock = [&now] { return now; };
        Ops::AlertRuleMonitor monitor(*world.pool, metrics, ruleOptions);
        Audit::AlertWorkerOptions options;
        options.clock = [&now] { return now; };
        options.beforeRound = [&monitor] { return monitor.tick(); };
        options.webhookConfigured = [&webhook] { return webhook.configured(); };
        Audit::AlertWorker worker(
            *world.pool, [&webhook](const std::string &payload) { return webhook.post(payload); }, std::nullopt,
            options);
        QCOMPARE(*worker.runOnce(), 0);
        metrics.recordRequest("api", "/api/v1/orders", 500, 0.01);
        metrics.recordRefusal("admin", "unmatched", 503);
        now += std::chrono::seconds(30);
        QCOMPARE(*worker.runOnce(), 1);
        const auto hits = mock.waitForHits(1, std::chrono::seconds(10));
        QCOMPARE(hits.size(), std::size_t(1));
        QCOMPARE(hits[0].path, std::string("/services/T000/B000/test-token"));
        QVERIFY2(hits[0].body.find("Alert: server errors (5xx)") != std::string::npos, hits[0].body.c_str());
        QVERIFY(hits[0].body.find("2 responses with status 5xx in the last 5 min (threshold 1)") != std::string::npos);
        QVERIFY(hits[0].body.find("\"blocks\"") != std::string::npos);
        auto delivered = world.store->alertBacklog();
        QVERIFY(delivered);
        QCOMPARE(delivered->count, std::int64_t(0));

        // Removing the page's URL: no webhook any more (the file has none), alerts stay queued.
        QVERIFY(world.store->removeBackOfficeSetting(Admin::webhookUrlSettingName));
        QVERIFY(!webhook.configured());
    }
};

QTEST_GUILESS_MAIN(TestAlertRules)
#include "tst_alertrules.moc"
