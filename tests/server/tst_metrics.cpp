#include <QRegularExpression>
#include <QTest>

#include <cmath>
#include <limits>
#include <stdexcept>
#include <thread>
#include <vector>

#include "server/ops/metrics.h"
#include "server/ops/servermetrics.h"

// server/ops: the metrics registry and its Prometheus text exposition (format 0.0.4), and
// soko-server's own families (ServerMetrics).
using namespace Server::Ops;

namespace {

QByteArray text(const std::string &value)
{
    return QByteArray::fromStdString(value);
}

// Lines of `exposition` that start with `prefix`.
QList<QByteArray> linesStartingWith(const std::string &exposition, const QByteArray &prefix)
{
    QList<QByteArray> out;
    for (const QByteArray &line : text(exposition).split('\n'))
        if (line.startsWith(prefix))
            out << line;
    return out;
}

} // namespace

class TestMetrics : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void escaping_data()
    {
        QTest::addColumn<QByteArray>("input");
        QTest::addColumn<QByteArray>("label");
        QTest::addColumn<QByteArray>("help");
        QTest::newRow("plain") << QByteArray("/api/v1/orders/{id}") << QByteArray("/api/v1/orders/{id}")
                               << QByteArray("/api/v1/orders/{id}");
        QTest::newRow("quote") << QByteArray("a\"b") << QByteArray("a\\\"b") << QByteArray("a\"b");
        QTest::newRow("backslash") << QByteArray("a\\b") << QByteArray("a\\\\b") << QByteArray("a\\\\b");
        QTest::newRow("newline") << QByteArray("a\nb") << QByteArray("a\\nb") << QByteArray("a\\nb");
        QTest::newRow("all three") << QByteArray("\\\"\n") << QByteArray("\\\\\\\"\\n") << QByteArray("\\\\\"\\n");
    }
    void escaping()
    {
        QFETCH(QByteArray, input);
        QFETCH(QByteArray, label);
        QFETCH(QByteArray, help);
        QCOMPARE(text(escapeLabelValue(input.toStdString())), label);
        QCOMPARE(text(escapeHelp(input.toStdString())), help);
    }

    void sampleValues_data()
    {
        QTest::addColumn<double>("value");
        QTest::addColumn<QByteArray>("expected");
        QTest::newRow("integer") << 3.0 << QByteArray("3");
        QTest::newRow("zero") << 0.0 << QByteArray("0");
        QTest::newRow("fraction") << 0.005 << QByteArray("0.005");
        QTest::newRow("negative") << -2.5 << QByteArray("-2.5");
        QTest::newRow("large") << 1e21 << QByteArray("1e+21");
        QTest::newRow("+Inf") << std::numeric_limits<double>::infinity() << QByteArray("+Inf");
        QTest::newRow("-Inf") << -std::numeric_limits<double>::infinity() << QByteArray("-Inf");
        QTest::newRow("NaN") << std::numeric_limits<double>::quiet_NaN() << QByteArray("NaN");
    }
    void sampleValues()
    {
        QFETCH(double, value);
        QFETCH(QByteArray, expected);
        QCOMPARE(text(formatSampleValue(value)), expected);
    }

    void names_data()
    {
        QTest::addColumn<QByteArray>("name");
        QTest::addColumn<bool>("metricOk");
        QTest::addColumn<bool>("labelOk");
        QTest::newRow("snake") << QByteArray("soko_http_requests_total") << true << true;
        QTest::newRow("colon") << QByteArray("job:rate") << true << false;
        QTest::newRow("digit first") << QByteArray("1abc") << false << false;
        QTest::newRow("dash") << QByteArray("a-b") << false << false;
        QTest::newRow("reserved label") << QByteArray("__name") << true << false;
        QTest::newRow("empty") << QByteArray("") << false << false;
    }
    void names()
    {
        QFETCH(QByteArray, name);
        QFETCH(bool, metricOk);
        QFETCH(bool, labelOk);
        QCOMPARE(isValidMetricName(name.toStdString()), metricOk);
        QCOMPARE(isValidLabelName(name.toStdString()), labelOk);
    }

    void expositionFormat()
    {
        MetricsRegistry registry;
        Counter &requests = registry.counter("test_requests_total", "Requests\nby route", {"route", "status"});
        Gauge &temperature = registry.gauge("test_temperature", "A gauge");
        requests.increment({"/b", "200"});
        requests.increment({"/a \"x\"", "404"}, 2);
        requests.increment({"/b", "200"}, -5); // ignored: counters only go up
        temperature.set({}, 21.5);
        temperature.add({}, -1);
        QCOMPARE(requests.value({"/b", "200"}), 1.0);
        QCOMPARE(temperature.value(), 20.5);
        const std::string expected = "# HELP test_requests_total Requests\\nby route\n"
                                     "# TYPE test_requests_total counter\n"
                                     "test_requests_total{route=\"/a \\\"x\\\"\",status=\"404\"} 2\n"
                                     "test_requests_total{route=\"/b\",status=\"200\"} 1\n"
                                     "# HELP test_temperature A gauge\n"
                                     "# TYPE test_temperature gauge\n"
                                     "test_temperature 20.5\n";
        QCOMPARE(text(registry.exposition()), text(expected));
        QCOMPARE(QByteArray(MetricsRegistry::contentType.data()),
                 QByteArray("text/plain; version=0.0.4; charset=utf-8"));
    }

    void histogramBuckets()
    {
        MetricsRegistry registry;
        Histogram &latency = registry.histogram("test_seconds", "Latency", {"route"}, {0.1, 0.5, 1});
        for (const double value : {0.05, 0.1, 0.3, 0.7, 2.0, 2.0})
            latency.observe({"/x"}, value);
        const auto snapshot = latency.snapshot({"/x"});
        QCOMPARE(snapshot.count, std::uint64_t(6));
        QCOMPARE(snapshot.cumulativeCounts, (std::vector<std::uint64_t>{2, 3, 4, 6})); // le is inclusive
        QVERIFY(std::abs(snapshot.sum - 5.15) < 1e-9);
        const std::string exposition = registry.exposition();
        QCOMPARE(linesStartingWith(exposition, "test_seconds_bucket"),
                 (QList<QByteArray>{"test_seconds_bucket{route=\"/x\",le=\"0.1\"} 2",
                                    "test_seconds_bucket{route=\"/x\",le=\"0.5\"} 3",
                                    "test_seconds_bucket{route=\"/x\",le=\"1\"} 4",
                                    "test_seconds_bucket{route=\"/x\",le=\"+Inf\"} 6"}));
        QCOMPARE(linesStartingWith(exposition, "test_seconds_count"),
                 QList<QByteArray>{"test_seconds_count{route=\"/x\"} 6"});
        QCOMPARE(linesStartingWith(exposition, "# TYPE test_seconds"),
                 QList<QByteArray>{"# TYPE test_seconds histogram"});
    }

    void callbackGauges()
    {
        MetricsRegistry registry;
        CallbackGauge &backlog = registry.callbackGauge("test_backlog", "Backlog", {});
        QCOMPARE(linesStartingWith(registry.exposition(), "test_backlog"), QList<QByteArray>{});
        backlog.setSource([] { return std::vector<Sample>{{{}, 7}}; });
        QCOMPARE(linesStartingWith(registry.exposition(), "test_backlog"), QList<QByteArray>{"test_backlog 7"});
        backlog.setSource([]() -> std::vector<Sample> { throw std::runtime_error("database down"); });
        const std::string afterThrow = registry.exposition(); // the scrape survives
        QVERIFY(afterThrow.find("# TYPE test_backlog gauge") != std::string::npos);
        QCOMPARE(linesStartingWith(afterThrow, "test_backlog"), QList<QByteArray>{});
        CallbackGauge &lag = registry.callbackGauge("test_lag", "Lag", {"device"}, [] {
            return std::vector<Sample>{{{"b"}, 2}, {{"a"}, 1}, {{"too", "many"}, 3}};
        });
        (void)lag;
        QCOMPARE(linesStartingWith(registry.exposition(), "test_lag"),
                 (QList<QByteArray>{"test_lag{device=\"a\"} 1", "test_lag{device=\"b\"} 2"}));
    }

    void programmingErrorsThrow()
    {
        MetricsRegistry registry;
        Counter &counter = registry.counter("test_total", "x", {"a"});
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, registry.counter("test_total", "again"));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, registry.gauge("bad-name", "x"));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, registry.gauge("test_gauge", "x", {"le"}));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, registry.gauge("test_gauge2", "x", {"a", "a"}));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, registry.histogram("test_h", "x", {}, {1, 1}));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, counter.increment({}));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, counter.increment({"x", "y"}));
    }

    void cardinalityIsBounded()
    {
        MetricsRegistry registry;
        Counter &counter = registry.counter("test_total", "x", {"id"});
        for (std::size_t index = 0; index < maxSeriesPerFamily + 25; ++index)
            counter.increment({std::to_string(index)});
        QCOMPARE(registry.droppedSeries(), std::uint64_t(25));
        QCOMPARE(counter.value({std::to_string(maxSeriesPerFamily + 1)}), 0.0);
        QCOMPARE(counter.value({"0"}), 1.0);
        counter.increment({"0"}); // existing series keep counting
        QCOMPARE(counter.value({"0"}), 2.0);
    }

    void concurrentUpdates()
    {
        MetricsRegistry registry;
        Counter &counter = registry.counter("test_total", "x", {"thread"});
        Histogram &histogram = registry.histogram("test_seconds", "x", {});
        std::vector<std::thread> threads;
        constexpr int perThread = 5000;
        for (int thread = 0; thread < 4; ++thread) {
            threads.emplace_back([&counter, &histogram, &registry, thread] {
                for (int index = 0; index < perThread; ++index) {
                    counter.increment({std::to_string(thread % 2)});
                    histogram.observe({}, 0.01 * (index % 7));
                    if (index % 1000 == 0)
                        (void)registry.exposition(); // scrapes while others write
                }
            });
        }
        for (auto &thread : threads)
            thread.join();
        QCOMPARE(counter.value({"0"}) + counter.value({"1"}), 4.0 * perThread);
        QCOMPARE(histogram.snapshot({}).count, std::uint64_t(4 * perThread));
    }

    void serverMetricsFamilies()
    {
        auto at = std::chrono::system_clock::time_point(std::chrono::seconds(1'800'000'000));
        ServerMetrics metrics([&at] { return at; });
        metrics.recordRequest("api", "/api/v1/orders/{id}", 200, 0.02);
        metrics.recordRequest("api", "/api/v1/orders/{id}", 200, 0.3);
        metrics.recordRefusal("admin", "unmatched", 404);
        metrics.recordSyncPush("dev-1", 3, 1, 2);
        metrics.recordSyncPull("dev-2");
        at += std::chrono::seconds(90);
        metrics.recordLoginFailure(LoginStage::Totp);
        const std::string exposition = metrics.exposition();
        QCOMPARE(linesStartingWith(exposition, "soko_http_requests_total{"),
                 (QList<QByteArray>{
                     "soko_http_requests_total{listener=\"admin\",route=\"unmatched\",status=\"404\"} 1",
                     "soko_http_requests_total{listener=\"api\",route=\"/api/v1/orders/{id}\",status=\"200\"} 2"}));
        QCOMPARE(
            linesStartingWith(
                exposition, "soko_http_request_duration_seconds_count{listener=\"api\",route=\"/api/v1/orders/{id}\"}"),
            QList<QByteArray>{
                "soko_http_request_duration_seconds_count{listener=\"api\",route=\"/api/v1/orders/{id}\"} 2"});
        QVERIFY(exposition.find("soko_http_request_duration_seconds_bucket{listener=\"api\",route=\"/api/v1/orders/"
                                "{id}\",le=\"0.025\"} 1\n") != std::string::npos);
        QCOMPARE(linesStartingWith(exposition, "soko_sync_ops_total{"),
                 (QList<QByteArray>{"soko_sync_ops_total{outcome=\"applied\"} 3",
                                    "soko_sync_ops_total{outcome=\"conflict\"} 1",
                                    "soko_sync_ops_total{outcome=\"rejected\"} 2"}));
        QCOMPARE(linesStartingWith(exposition, "soko_device_sync_lag_seconds{"),
                 (QList<QByteArray>{"soko_device_sync_lag_seconds{device=\"dev-1\"} 90",
                                    "soko_device_sync_lag_seconds{device=\"dev-2\"} 90"}));
        QCOMPARE(linesStartingWith(exposition, "soko_admin_login_failures_total{"),
                 (QList<QByteArray>{"soko_admin_login_failures_total{stage=\"password\"} 0",
                                    "soko_admin_login_failures_total{stage=\"recovery_code\"} 0",
                                    "soko_admin_login_failures_total{stage=\"totp\"} 1"}));
        QCOMPARE(linesStartingWith(exposition, "process_start_time_seconds "),
                 QList<QByteArray>{"process_start_time_seconds 1800000000"});
        // The webhook backlog is listed but has no sample until the alert outbox installs a source.
        QVERIFY(exposition.find("# TYPE soko_alert_webhook_backlog gauge") != std::string::npos);
        QCOMPARE(linesStartingWith(exposition, "soko_alert_webhook_backlog "), QList<QByteArray>{});
        metrics.setWebhookBacklogSource([] { return std::optional<double>(4); });
        QCOMPARE(linesStartingWith(metrics.exposition(), "soko_alert_webhook_backlog "),
                 QList<QByteArray>{"soko_alert_webhook_backlog 4"});
        QCOMPARE(metrics.lastSync("dev-1").value(), at - std::chrono::seconds(90));
        QVERIFY(!metrics.lastSync("dev-3"));
        // Every family has HELP and TYPE, and every sample line parses as name{labels} value.
        const QRegularExpression sample(QStringLiteral(
            R"(^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\[\\"n])*",?)*\})? \S+$)"));
        for (const QByteArray &line : text(metrics.exposition()).split('\n')) {
            if (line.isEmpty() || line.startsWith("# HELP ") || line.startsWith("# TYPE "))
                continue;
            QVERIFY2(sample.match(QString::fromUtf8(line)).hasMatch(), line.constData());
        }
    }
};

QTEST_GUILESS_MAIN(TestMetrics)
#include "tst_metrics.moc"
