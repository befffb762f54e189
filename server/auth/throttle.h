#pragma once
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

// Login throttling (REQUIREMENTS.md R04; ASVS 2.2.1; OWASP Authentication Cheat Sheet "Account
// Lockout"): a pure per-account policy — 5 free failures, then a delay of 1 s doubling per failure up
// to 15 min, and at most 100 failures per hour — plus a thread-safe in-memory token bucket for
// per-IP limits (20 login POSTs/min). Unix times are int64 seconds (UTC); nothing here stores data:
// the caller keeps LoginFailures per account name (unknown names too) and the limiter object.
namespace Server::Auth {

struct LoginThrottlePolicy
{
    int freeFailures = 5;                   // failures before any delay
    std::chrono::seconds firstDelay{1};     // delay after failure freeFailures
    std::chrono::seconds maxDelay{15 * 60}; // the doubling stops here
    int maxFailuresPerWindow = 100;         // hard cap per window
    std::chrono::seconds window{60 * 60};
    std::chrono::seconds forgetAfter{24 * 60 * 60}; // a quiet day resets the doubling
};

// Per-account failure state as stored next to the account (or the unknown name).
struct LoginFailures
{
    int consecutive = 0; // failures since the last success
    std::int64_t lastFailureUnix = 0;
    int inWindow = 0; // failures since windowStartUnix
    std::int64_t windowStartUnix = 0;
    friend bool operator==(const LoginFailures &, const LoginFailures &) = default;
};

struct ThrottleDecision
{
    bool allowed = true;
    std::chrono::seconds retryAfter{0}; // > 0 when refused: the Retry-After value, rounded up
    friend bool operator==(const ThrottleDecision &, const ThrottleDecision &) = default;
};

// The delay owed after `consecutiveFailures` failures: 0 up to freeFailures − 1, then firstDelay ×
// 2^(n − freeFailures), capped at maxDelay. So with the defaults the 6th attempt in a row waits 1 s.
std::chrono::seconds loginBackoff(int consecutiveFailures, const LoginThrottlePolicy &policy = {});

// Whether a login attempt for the account may be checked at `nowUnix`. Call it before verifying the
// password: a refused attempt is answered 429 + Retry-After whatever the password (R04) and is not
// recorded as a failure.
ThrottleDecision checkLoginAllowed(const LoginFailures &failures, std::int64_t nowUnix,
                                   const LoginThrottlePolicy &policy = {});

// The state after a failed attempt at `nowUnix` (starts a new window when the old one ended; a
// quiet forgetAfter resets the doubling).
LoginFailures recordLoginFailure(LoginFailures failures, std::int64_t nowUnix, const LoginThrottlePolicy &policy = {});

// The state after a successful login: the doubling restarts; the window's failure count stays, so
// successes cannot be used to exceed maxFailuresPerWindow.
LoginFailures recordLoginSuccess(LoginFailures failures);

// A token bucket per key (e.g. the client IP as seen by the trusted peer), thread-safe. Each key may
// take `capacity` requests at once and regains one every period / capacity (GCRA formulation).
// Memory is bounded: at most maxKeys buckets; full buckets are dropped when that is reached, and if
// none can be dropped new keys are refused (fail closed) until some refill. Keys longer than 256
// bytes are cut to 256.
class TokenBucketLimiter final
{
public:
    using Clock = std::function<std::chrono::steady_clock::time_point()>;

    TokenBucketLimiter(
        std::size_t capacity, std::chrono::seconds period, std::size_t maxKeys = 100000,
        Clock clock = [] { return std::chrono::steady_clock::now(); });
    TokenBucketLimiter(const TokenBucketLimiter &) = delete;
    TokenBucketLimiter &operator=(const TokenBucketLimiter &) = delete;

    // Takes one token for `key`: allowed, or refused with the seconds until one is available.
    ThrottleDecision take(std::string_view key);
    // Number of buckets held (not yet full again).
    std::size_t trackedKeys() const;

private:
    void dropFullBuckets(std::chrono::steady_clock::time_point now);

    const std::chrono::steady_clock::duration m_interval;  // time to regain one token
    const std::chrono::steady_clock::duration m_tolerance; // (capacity − 1) × interval
    const std::size_t m_maxKeys;
    const Clock m_clock;
    mutable std::mutex m_mutex;
    // Theoretical arrival time per key: the bucket is full again once this is ≤ now.
    std::unordered_map<std::string, std::chrono::steady_clock::time_point> m_arrivals;
};

} // namespace Server::Auth
