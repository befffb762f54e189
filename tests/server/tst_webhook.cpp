#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>

#include "server/audit/alertworker.h"
#include "server/audit/announce.h"
#include "server/net/webhookclient.h"
#include "tests/server/serverfixture.h"
#include "tests/server/tst_webhookmock.h"

// The alert worker (server/audit/alertworker.*) on both backends against the loopback mock
// webhook (REQUIREMENTS.md §6 "Chat announcement", R42): delivery of escaped payloads, retries
// with back-off, 429 Retry-After, strict order, one backlog line when the oldest alert waits
// > 60 s, two servers' workers delivering each alert exactly once, checkpoints announced.
using namespace TestSupport;
using namespace Server;
using namespace std::chrono_literals;

namespace {

class FakeClock
{
public:
    Audit::TimePoint now() const
    {
        std::lock_guard lock(m_mutex);
        return m_now;
    }
    void advance(std::chrono::seconds by)
    {
        std::lock_guard lock(m_mutex);
        m_now += by;
    }

private:
    mutable std::mutex m_mutex;
    Audit::TimePoint m_now = std::chrono::system_clock::now();
};

class LogLines
{
public:
    void add(std::string_view line)
    {
        std::lock_guard lock(m_mutex);
        m_lines.emplace_back(line);
    }
    int count(std::string_view prefix) const
    {
        std::lock_guard lock(m_mutex);
        return static_cast<int>(std::count_if(m_lines.begin(), m_lines.end(),
                                              [&](const std::string &line) { return line.starts_with(prefix); }));
    }

private:
    mutable std::mutex m_mutex;
    std::vector<std::string> m_lines;
};

QJsonObject json(const std::string &text)
{
    return QJsonDocument::fromJson(QByteArray::fromStdString(text)).object();
}

QString payloadText(const WebhookHit &hit)
{
    return json(hit.body).value(QStringLiteral("text")).toString();
}

} // namespace

class TestWebhook : public QObject
{
    Q_OBJECT

    std::unique_ptr<WebhookCertificates> m_certificates;
    std::unique_ptr<MockWebhook> m_mock;
    QTemporaryDir m_keys;

    Audit::AlertSender sender() const
    {
        Net::WebhookConfig config;
        config.url = m_mock->url();
        config.caFile = m_certificates->caFile;
        config.allowHosts = {"127.0.0.1"};
        auto client = Net::WebhookClient::create(config);
        if (!client)
            qFatal("webhook client: %s", client.error().message.c_str());
        return [client = *client](const std::string &payload) { return client.post(payload); };
    }

    static Audit::AlertWorkerOptions options(FakeClock *clock, LogLines *log, const std::string &claimant = "test")
    {
        Audit::AlertWorkerOptions out;
        out.claimant = claimant;
        out.pollInterval = 50ms;
        if (clock)
            out.clock = [clock] { return clock->now(); };
        if (log)
            out.log = [log](std::string_view line) { log->add(line); };
        return out;
    }

    static Storage::AlertRecord alert(Storage::Store &store, std::int64_t id)
    {
        auto rows = store.alerts(id - 1, 1);
        if (!rows || rows->empty())
            qFatal("no alert %lld", static_cast<long long>(id));
        return rows->front();
    }

private Q_SLOTS:
    void initTestCase_data() { addBackendRows(); }
    void initTestCase()
    {
        m_certificates = std::make_unique<WebhookCertificates>();
        m_mock = std::make_unique<MockWebhook>(*m_certificates);
    }
    void cleanupTestCase()
    {
        m_mock.reset();
        m_certificates.reset();
    }
    void init()
    {
        SOKO_CHECK_BACKEND();
        m_mock->script({});
    }

    void deliversTheEscapedAnnouncement()
    {
        ServerWorld world;
        const auto id =
            Audit::announce(*world.store, {"admin_login", "Admin login", "<!channel> alice from 10.8.0.12"});
        QVERIFY(id);
        FakeClock clock;
        Audit::AlertWorker worker(*world.pool, sender(), std::nullopt, options(&clock, nullptr));
        const auto before = m_mock->hits().size();
        QCOMPARE(*worker.runOnce(), 1);
        const auto hits = m_mock->hits();
        QCOMPARE(hits.size(), before + 1);
        QCOMPARE(hits.back().contentType, std::string("application/json"));
        QCOMPARE(payloadText(hits.back()), QStringLiteral("Admin login &lt;!channel&gt; alice from 10.8.0.12"));
        QVERIFY(hits.back().body.find("<!channel>") == std::string::npos); // no mention can be injected
        const auto row = alert(*world.store, *id);
        QVERIFY(row.deliveredAt);
        QCOMPARE(row.attempts, 1);
        QCOMPARE(row.lastError, std::string());
        QCOMPARE(worker.backlog()->count, std::int64_t(0));
        QCOMPARE(*worker.runOnce(), 0); // delivered once, never again
        QCOMPARE(m_mock->hits().size(), before + 1);
    }

    void retriesAfterAFailure()
    {
        ServerWorld world;
        m_mock->script({{500, "rollup_error", {}, {}, {}}});
        const auto id = *Audit::announce(*world.store, {"device_revoked", "Device revoked", "HT-01"});
        FakeClock clock;
        Audit::AlertWorker worker(*world.pool, sender(), std::nullopt, options(&clock, nullptr));
        const auto before = m_mock->hits().size();
        QCOMPARE(*worker.runOnce(), 0);
        auto row = alert(*world.store, id);
        QVERIFY(!row.deliveredAt);
        QCOMPARE(row.attempts, 1);
        QCOMPARE(row.lastError, std::string("HTTP 500 rollup_error"));
        // First retry after 5 s with jitter: somewhere in [2.5 s, 5 s].
        const auto next = *Audit::parseUtc(row.nextAttemptAt);
        QVERIFY(next >= clock.now() + 2s && next <= clock.now() + 5s);
        QCOMPARE(*worker.runOnce(), 0); // not due yet: nothing sent
        QCOMPARE(m_mock->hits().size(), before + 1);
        clock.advance(6s);
        QCOMPARE(*worker.runOnce(), 1);
        row = alert(*world.store, id);
        QVERIFY(row.deliveredAt);
        QCOMPARE(row.attempts, 2);
        QCOMPARE(m_mock->hits().size(), before + 2);
    }

    void honoursRetryAfter()
    {
        ServerWorld world;
        m_mock->script({{429, "rate_limited", "120", {}, {}}});
        const auto id = *Audit::announce(*world.store, {"k", "Rate", "limited"});
        FakeClock clock;
        Audit::AlertWorker worker(*world.pool, sender(), std::nullopt, options(&clock, nullptr));
        QCOMPARE(*worker.runOnce(), 0);
        const auto row = alert(*world.store, id);
        QCOMPARE(row.nextAttemptAt, Audit::formatUtc(clock.now() + 120s));
        QVERIFY(row.lastError.starts_with("HTTP 429"));
        clock.advance(119s);
        QCOMPARE(*worker.runOnce(), 0);
        clock.advance(2s);
        QCOMPARE(*worker.runOnce(), 1);
    }

    void keepsTheOrder()
    {
        ServerWorld world;
        m_mock->script({{503, "busy", {}, {}, {}}});
        QVERIFY(Audit::announce(*world.store, {"k", "First", "1"}));
        QVERIFY(Audit::announce(*world.store, {"k", "Second", "2"}));
        FakeClock clock;
        Audit::AlertWorker worker(*world.pool, sender(), std::nullopt, options(&clock, nullptr));
        const auto before = m_mock->hits().size();
        QCOMPARE(*worker.runOnce(), 0); // the first failed; the second waits behind it
        QCOMPARE(m_mock->hits().size(), before + 1);
        clock.advance(10s);
        QCOMPARE(*worker.runOnce(), 2);
        const auto hits = m_mock->hits();
        QCOMPARE(hits.size(), before + 3);
        QCOMPARE(payloadText(hits[before + 1]), QStringLiteral("First 1"));
        QCOMPARE(payloadText(hits[before + 2]), QStringLiteral("Second 2"));
    }

    void backlogIsLoggedOnce()
    {
        ServerWorld world;
        QVERIFY(Audit::announce(*world.store, {"k", "Waiting", "for chat"}));
        std::atomic<bool> webhookDown{true};
        const Audit::AlertSender real = sender();
        Audit::AlertSender flaky = [&](const std::string &payload) -> Common::Result<Net::WebhookResponse> {
            if (webhookDown)
                return Common::fail(Common::ErrorCode::Io, "webhook connect failed: Connection refused");
            return real(payload);
        };
        FakeClock clock;
        LogLines log;
        Audit::AlertWorker worker(*world.pool, flaky, std::nullopt, options(&clock, &log));
        QCOMPARE(*worker.runOnce(), 0);
        QCOMPARE(log.count("alert_delivery_failed"), 1);
        QCOMPARE(log.count("alert_backlog "), 0);
        clock.advance(61s);
        QCOMPARE(*worker.runOnce(), 0);
        QCOMPARE(log.count("alert_backlog count=1"), 1);
        const auto gauge = *worker.backlog();
        QCOMPARE(gauge.count, std::int64_t(1));
        QVERIFY(gauge.oldestAge >= 60s);
        clock.advance(30s);
        QCOMPARE(*worker.runOnce(), 0);
        QCOMPARE(log.count("alert_backlog "), 1); // one line per episode, not one per round
        webhookDown = false;
        clock.advance(1000s);
        QCOMPARE(*worker.runOnce(), 1);
        QCOMPARE(log.count("alert_backlog_cleared"), 1);
        QCOMPARE(log.count("alert_delivered"), 1);
    }

    void twoServersDeliverEachAlertOnce()
    {
        ServerWorld world;
        constexpr int count = 20;
        for (int i = 0; i < count; ++i)
            QVERIFY(Audit::announce(*world.store, {"k", "Alert", std::to_string(i)}));
        auto firstPool = world.openPool(false, 2);
        auto secondPool = world.openPool(false, 2);
        Audit::AlertWorker first(*firstPool, sender(), std::nullopt, options(nullptr, nullptr, "server-a"));
        Audit::AlertWorker second(*secondPool, sender(), std::nullopt, options(nullptr, nullptr, "server-b"));
        const auto before = m_mock->hits().size();
        std::atomic<int> delivered{0};
        auto drain = [&](Audit::AlertWorker *worker) {
            const auto deadline = std::chrono::steady_clock::now() + 90s;
            while (std::chrono::steady_clock::now() < deadline) {
                auto round = worker->runOnce();
                if (round)
                    delivered += *round;
                auto backlog = worker->backlog();
                if (backlog && backlog->count == 0)
                    return;
            }
        };
        std::thread a(drain, &first);
        std::thread b(drain, &second);
        a.join();
        b.join();
        QCOMPARE(delivered.load(), count);
        const auto hits = m_mock->hits();
        QCOMPARE(hits.size(), before + count);
        for (int i = 0; i < count; ++i)
            QCOMPARE(payloadText(hits[before + std::size_t(i)]), QStringLiteral("Alert %1").arg(i));
    }

    void signsAndAnnouncesCheckpoints()
    {
        ServerWorld world;
        for (int i = 0; i < 5; ++i)
            QVERIFY(world.store->appendAudit({0, {}, "cli:tester", "stock_adjust", "S1", "{}"}));
        auto key =
            Audit::AuditSigningKey::loadOrCreate(m_keys.filePath(QStringLiteral("audit-signing.key")).toStdString());
        QVERIFY(key);
        auto workerOptions = options(nullptr, nullptr);
        workerOptions.checkpoints.everyEntries = 5;
        Audit::AlertWorker worker(*world.pool, sender(), *key, workerOptions);
        const auto before = m_mock->hits().size();
        QCOMPARE(*worker.runOnce(), 1);
        const auto checkpoint = *world.store->lastAuditCheckpoint();
        QVERIFY(checkpoint);
        QCOMPARE(checkpoint->seq, std::int64_t(5));
        const auto hits = m_mock->hits();
        QCOMPARE(hits.size(), before + 1);
        QVERIFY2(
            payloadText(hits.back()).contains(QString::fromStdString("seq 5, hash " + checkpoint->hash.substr(0, 16))),
            hits.back().body.c_str());
        QCOMPARE(*worker.runOnce(), 0); // nothing new: no second checkpoint
        QCOMPARE((*world.store->lastAuditCheckpoint())->id, std::int64_t(1));
    }

    void threadDeliversUntilStopped()
    {
        ServerWorld world;
        Audit::AlertWorker worker(*world.pool, sender(), std::nullopt, options(nullptr, nullptr));
        worker.start();
        const auto before = m_mock->hits().size();
        QVERIFY(Audit::announce(*world.store, {"k", "Live", "delivery"}));
        const auto hits = m_mock->waitForHits(before + 1, 15s);
        QCOMPARE(hits.size(), before + 1);
        QCOMPARE(payloadText(hits.back()), QStringLiteral("Live delivery"));
        worker.stop();
        QVERIFY(Audit::announce(*world.store, {"k", "After", "stop"}));
        std::this_thread::sleep_for(300ms);
        QCOMPARE(m_mock->hits().size(), before + 1);
    }
};

QTEST_GUILESS_MAIN(TestWebhook)
#include "tst_webhook.moc"
