#include "server/auth/throttle.h"

#include <algorithm>

namespace Server::Auth {

namespace {

constexpr std::size_t kMaxKeyBytes = 256;

std::chrono::seconds ceilSeconds(std::chrono::steady_clock::duration duration)
{
    return std::max(std::chrono::seconds{1}, std::chrono::ceil<std::chrono::seconds>(duration));
}

bool windowOver(const LoginFailures &failures, std::int64_t nowUnix, const LoginThrottlePolicy &policy)
{
    // A clock stepped backwards keeps the current window (and its cap) rather than opening a new one.
    return nowUnix >= failures.windowStartUnix + policy.window.count();
}

} // namespace

std::chrono::seconds loginBackoff(int consecutiveFailures, const LoginThrottlePolicy &policy)
{
    if (consecutiveFailures < policy.freeFailures)
        return std::chrono::seconds{0};
    std::chrono::seconds delay = policy.firstDelay;
    for (int step = policy.freeFailures;
         step < consecutiveFailures && delay > std::chrono::seconds{0} && delay < policy.maxDelay; ++step)
        delay *= 2;
    return std::min(delay, policy.maxDelay);
}

ThrottleDecision checkLoginAllowed(const LoginFailures &failures, std::int64_t nowUnix,
                                   const LoginThrottlePolicy &policy)
{
    std::int64_t wait = 0;
    if (!windowOver(failures, nowUnix, policy) && failures.inWindow >= policy.maxFailuresPerWindow)
        wait = failures.windowStartUnix + policy.window.count() - nowUnix;
    const bool forgotten = nowUnix - failures.lastFailureUnix >= policy.forgetAfter.count();
    if (failures.consecutive > 0 && !forgotten) {
        const std::int64_t delay = loginBackoff(failures.consecutive, policy).count();
        // A clock that stepped backwards never shortens the wait below zero nor stretches it past `delay`.
        const std::int64_t elapsed = std::max<std::int64_t>(0, nowUnix - failures.lastFailureUnix);
        wait = std::max(wait, delay - std::min(elapsed, delay));
    }
    if (wait <= 0)
        return {};
    return {false, std::chrono::seconds{wait}};
}

LoginFailures recordLoginFailure(LoginFailures failures, std::int64_t nowUnix, const LoginThrottlePolicy &policy)
{
    if (failures.consecutive > 0 && nowUnix - failures.lastFailureUnix >= policy.forgetAfter.count())
        failures.consecutive = 0;
    if (windowOver(failures, nowUnix, policy)) {
        failures.windowStartUnix = nowUnix;
        failures.inWindow = 0;
    }
    failures.consecutive = std::min(failures.consecutive + 1, 1 << 20);
    failures.inWindow = std::min(failures.inWindow + 1, 1 << 20);
    failures.lastFailureUnix = nowUnix;
    return failures;
}

LoginFailures recordLoginSuccess(LoginFailures failures)
{
    failures.consecutive = 0;
    return failures;
}

TokenBucketLimiter::TokenBucketLimiter(std::size_t capacity, std::chrono::seconds period, std::size_t maxKeys,
                                       Clock clock)
    : m_interval(std::chrono::duration_cast<std::chrono::steady_clock::duration>(period) /
                 static_cast<std::int64_t>(std::max<std::size_t>(capacity, 1)))
    , m_tolerance(m_interval * static_cast<std::int64_t>(std::max<std::size_t>(capacity, 1) - 1))
    , m_maxKeys(std::max<std::size_t>(maxKeys, 1))
    , m_clock(std::move(clock))
{}

ThrottleDecision TokenBucketLimiter::take(std::string_view key)
{
    const auto now = m_clock();
    const std::string bucketKey(key.substr(0, kMaxKeyBytes));
    const std::lock_guard lock(m_mutex);
    auto found = m_arrivals.find(bucketKey);
    if (found == m_arrivals.end()) {
        if (m_arrivals.size() >= m_maxKeys)
            dropFullBuckets(now);
        if (m_arrivals.size() >= m_maxKeys)
            return {false, ceilSeconds(m_interval)};
        m_arrivals.emplace(bucketKey, now + m_interval);
        return {};
    }
    const auto arrival = std::max(found->second, now);
    if (arrival - now > m_tolerance)
        return {false, ceilSeconds(arrival - now - m_tolerance)};
    found->second = arrival + m_interval;
    return {};
}

std::size_t TokenBucketLimiter::trackedKeys() const
{
    const std::lock_guard lock(m_mutex);
    return m_arrivals.size();
}

void TokenBucketLimiter::dropFullBuckets(std::chrono::steady_clock::time_point now)
{
    std::erase_if(m_arrivals, [now](const auto &entry) { return entry.second <= now; });
}

} // namespace Server::Auth
