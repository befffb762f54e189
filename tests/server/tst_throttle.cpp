#include <QTest>

#include <atomic>
#include <thread>

#include "server/auth/throttle.h"

using namespace Server::Auth;
using namespace std::chrono_literals;

namespace {

// A hand-driven steady clock for TokenBucketLimiter.
struct FakeClock
{
    std::chrono::steady_clock::time_point now{std::chrono::hours(1000)};
    TokenBucketLimiter::Clock function()
    {
        return [this] { return now; };
    }
};

constexpr std::int64_t kStart = 1'900'000'000; // 2030-03-17, any time works

} // namespace

// Login back-off and hourly cap (R04, §4 "5 free failures, then 1 s doubling to 15 min; ≤100/h") and
// the per-IP token bucket of server/auth/throttle.h.
class TestThrottle : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void backoffTable_data()
    {
        QTest::addColumn<int>("failures");
        QTest::addColumn<qint64>("seconds");
        QTest::newRow("0") << 0 << qint64{0};
        QTest::newRow("4") << 4 << qint64{0};
        QTest::newRow("5") << 5 << qint64{1};
        QTest::newRow("6") << 6 << qint64{2};
        QTest::newRow("7") << 7 << qint64{4};
        QTest::newRow("14") << 14 << qint64{512};
        QTest::newRow("15 capped") << 15 << qint64{900};
        QTest::newRow("1000 capped") << 1000 << qint64{900};
    }
    void backoffTable()
    {
        QFETCH(int, failures);
        QFETCH(qint64, seconds);
        QCOMPARE(loginBackoff(failures).count(), seconds);
    }

    void sixthAttemptIsThrottled()
    {
        // R04: 6 bad logins in a row → the 6th is answered 429 + Retry-After.
        LoginFailures failures;
        for (int attempt = 1; attempt <= 5; ++attempt) {
            QVERIFY(checkLoginAllowed(failures, kStart).allowed);
            failures = recordLoginFailure(failures, kStart);
        }
        QCOMPARE(failures.consecutive, 5);
        const ThrottleDecision sixth = checkLoginAllowed(failures, kStart);
        QVERIFY(!sixth.allowed);
        QCOMPARE(sixth.retryAfter, 1s);
        // Waiting it out allows one more try; failing it doubles the wait.
        QVERIFY(checkLoginAllowed(failures, kStart + 1).allowed);
        failures = recordLoginFailure(failures, kStart + 1);
        QCOMPARE(checkLoginAllowed(failures, kStart + 1), (ThrottleDecision{false, 2s}));
        QCOMPARE(checkLoginAllowed(failures, kStart + 2), (ThrottleDecision{false, 1s}));
        QVERIFY(checkLoginAllowed(failures, kStart + 3).allowed);
        // A success restarts the doubling.
        failures = recordLoginSuccess(failures);
        QCOMPARE(failures.consecutive, 0);
        QVERIFY(checkLoginAllowed(failures, kStart + 3).allowed);
    }

    void delayCapsAtFifteenMinutes()
    {
        LoginFailures failures;
        std::int64_t now = kStart;
        for (int attempt = 0; attempt < 30; ++attempt) {
            const ThrottleDecision decision = checkLoginAllowed(failures, now);
            if (!decision.allowed) {
                QVERIFY(decision.retryAfter <= 15min);
                now += decision.retryAfter.count();
                QVERIFY(checkLoginAllowed(failures, now).allowed);
            }
            failures = recordLoginFailure(failures, now);
        }
        QCOMPARE(checkLoginAllowed(failures, now).retryAfter, 15min);
    }

    void hourlyCap()
    {
        // Without back-off (a policy that only caps), the 101st failure in the hour is refused until
        // the window ends; a success in between does not reset the count.
        LoginThrottlePolicy policy;
        policy.freeFailures = 1'000'000;
        LoginFailures failures;
        for (int attempt = 0; attempt < 100; ++attempt) {
            const std::int64_t now = kStart + attempt * 10;
            QVERIFY(checkLoginAllowed(failures, now, policy).allowed);
            failures = recordLoginFailure(failures, now, policy);
            if (attempt == 50)
                failures = recordLoginSuccess(failures);
        }
        QCOMPARE(failures.inWindow, 100);
        const std::int64_t now = kStart + 1000;
        QCOMPARE(checkLoginAllowed(failures, now, policy),
                 (ThrottleDecision{false, std::chrono::seconds(3600 - 1000)}));
        QVERIFY(checkLoginAllowed(failures, kStart + 3600, policy).allowed);
        failures = recordLoginFailure(failures, kStart + 3600, policy);
        QCOMPARE(failures.inWindow, 1);
        QCOMPARE(failures.windowStartUnix, kStart + 3600);
    }

    void quietDayForgetsTheDoubling()
    {
        LoginFailures failures;
        for (int attempt = 0; attempt < 10; ++attempt)
            failures = recordLoginFailure(failures, kStart + attempt * 1000);
        const std::int64_t last = failures.lastFailureUnix;
        QVERIFY(!checkLoginAllowed(failures, last + 10).allowed); // 10 failures owe 32 s
        QVERIFY(checkLoginAllowed(failures, last + 24 * 3600).allowed);
        failures = recordLoginFailure(failures, last + 24 * 3600);
        QCOMPARE(failures.consecutive, 1);
    }

    void clockSteppingBackDoesNotUnlock()
    {
        LoginFailures failures;
        for (int attempt = 0; attempt < 8; ++attempt)
            failures = recordLoginFailure(failures, kStart);
        const ThrottleDecision decision = checkLoginAllowed(failures, kStart - 3600);
        QVERIFY(!decision.allowed);
        QCOMPARE(decision.retryAfter, loginBackoff(8));
    }

    void tokenBucketPerKey()
    {
        FakeClock clock;
        TokenBucketLimiter limiter(20, 60s, 1000, clock.function()); // 20 login POSTs per minute
        for (int request = 0; request < 20; ++request)
            QVERIFY(limiter.take("192.0.2.1").allowed);
        const ThrottleDecision refused = limiter.take("192.0.2.1");
        QVERIFY(!refused.allowed);
        QCOMPARE(refused.retryAfter, 3s);           // one token per 60 s / 20
        QVERIFY(limiter.take("192.0.2.2").allowed); // other IPs are independent
        clock.now += 3s;
        QVERIFY(limiter.take("192.0.2.1").allowed);
        QVERIFY(!limiter.take("192.0.2.1").allowed);
        clock.now += 60s;
        for (int request = 0; request < 20; ++request)
            QVERIFY(limiter.take("192.0.2.1").allowed);
        QVERIFY(!limiter.take("192.0.2.1").allowed);
    }

    void tokenBucketMemoryIsBounded()
    {
        FakeClock clock;
        TokenBucketLimiter limiter(20, 60s, 2, clock.function());
        QVERIFY(limiter.take("a").allowed);
        QVERIFY(limiter.take("b").allowed);
        QCOMPARE(limiter.trackedKeys(), std::size_t{2});
        // Full table, no bucket refilled yet: a new key is refused (fail closed) …
        const ThrottleDecision refused = limiter.take("c");
        QVERIFY(!refused.allowed);
        QVERIFY(refused.retryAfter > 0s);
        // … until the old buckets are full again and can be dropped.
        clock.now += 3s;
        QVERIFY(limiter.take("c").allowed);
        QCOMPARE(limiter.trackedKeys(), std::size_t{1});
        // Keys are cut at 256 bytes.
        TokenBucketLimiter single(1, 60s, 10, clock.function());
        QVERIFY(single.take(std::string(300, 'x')).allowed);
        QVERIFY(!single.take(std::string(256, 'x')).allowed);
    }

    void tokenBucketIsThreadSafe()
    {
        FakeClock clock; // frozen: exactly `capacity` requests may pass in total
        TokenBucketLimiter limiter(20, 60s, 1000, clock.function());
        std::atomic<int> allowed{0};
        std::vector<std::thread> threads;
        for (int thread = 0; thread < 4; ++thread)
            threads.emplace_back([&] {
                for (int request = 0; request < 500; ++request) {
                    if (limiter.take("198.51.100.7").allowed)
                        ++allowed;
                }
            });
        for (std::thread &thread : threads)
            thread.join();
        QCOMPARE(allowed.load(), 20);
    }
};

QTEST_GUILESS_MAIN(TestThrottle)
#include "tst_throttle.moc"
