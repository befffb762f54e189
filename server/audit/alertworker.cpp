#include "server/audit/alertworker.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <unistd.h>
#include <openssl/rand.h>

namespace Server::Audit {

namespace {

// A log-safe rendering of text from outside (HTTP bodies, error messages): letters, digits and
// a few separators survive, everything else becomes '_', at most 120 characters.
std::string logSafe(std::string_view text)
{
    std::string out;
    for (const char c : text.substr(0, 120)) {
        const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                           c == '-' || c == '.' || c == ':' || c == '/';
        out += plain ? c : '_';
    }
    return out.empty() ? std::string("-") : out;
}

std::uint32_t randomWord()
{
    std::array<unsigned char, 4> bytes{};
    if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1)
        return 0; // no jitter rather than no retry
    return (std::uint32_t(bytes[0]) << 24) | (std::uint32_t(bytes[1]) << 16) | (std::uint32_t(bytes[2]) << 8) |
           std::uint32_t(bytes[3]);
}

std::string defaultClaimant()
{
    std::array<char, 256> host{};
    if (::gethostname(host.data(), host.size() - 1) != 0)
        host[0] = '\0';
    char suffix[16];
    std::snprintf(suffix, sizeof suffix, "%08x", randomWord());
    return std::string(host.data()) + ":" + std::to_string(::getpid()) + ":" + suffix;
}

} // namespace

AlertWorker::AlertWorker(Storage::StorePool &stores, AlertSender sender, std::optional<AuditSigningKey> signingKey,
                         AlertWorkerOptions options)
    : m_stores(stores)
    , m_sender(std::move(sender))
    , m_signingKey(std::move(signingKey))
    , m_options(std::move(options))
{
    if (m_options.claimant.empty())
        m_options.claimant = defaultClaimant();
}

AlertWorker::~AlertWorker()
{
    stop();
}

void AlertWorker::start()
{
    std::lock_guard lock(m_mutex);
    if (m_thread.joinable())
        return;
    m_stopping = false;
    m_thread = std::thread(&AlertWorker::run, this);
}

void AlertWorker::stop()
{
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_wake.notify_all();
    if (m_thread.joinable())
        m_thread.join();
}

void AlertWorker::run()
{
    std::unique_lock lock(m_mutex);
    while (!m_stopping) {
        lock.unlock();
        if (auto round = runOnce(); !round)
            log("alert_worker_error error=" + logSafe(round.error().message));
        lock.lock();
        m_wake.wait_for(lock, m_options.pollInterval, [this] { return m_stopping; });
    }
}

TimePoint AlertWorker::now() const
{
    return m_options.clock ? m_options.clock() : std::chrono::system_clock::now();
}

void AlertWorker::log(const std::string &line) const
{
    if (m_options.log)
        m_options.log(line);
}

std::chrono::seconds AlertWorker::backoff(int attempts) const
{
    const int doublings = std::clamp(attempts, 0, 20);
    const auto full =
        std::min<std::chrono::seconds>(m_options.firstRetry * (std::int64_t(1) << doublings), m_options.maxRetry);
    const auto half = full.count() / 2;
    const auto jitter = half > 0 ? static_cast<std::int64_t>(randomWord() % std::uint32_t(half + 1)) : 0;
    return std::chrono::seconds(std::max<std::int64_t>(1, full.count() - half + jitter));
}

// Sends one claimed alert and records the outcome. The HTTP call runs without a database
// connection: a slow webhook (up to the client's 10 s) never holds one a request may need.
Common::Result<bool> AlertWorker::deliver(const Storage::AlertRecord &alert)
{
    auto response = m_sender(alert.payload);
    const TimePoint finished = now();
    const std::string id = std::to_string(alert.id);
    auto lease = m_stores.acquire();
    if (!lease)
        return tl::unexpected(lease.error());
    Storage::Store &store = **lease;
    if (response && response->status == 200 && response->body == "ok") {
        if (auto marked = store.markAlertDelivered(alert.id, m_options.claimant, formatUtc(finished)); !marked) {
            log("alert_claim_lost id=" + id + " error=" + logSafe(marked.error().message));
            return false;
        }
        log("alert_delivered id=" + id + " kind=" + logSafe(alert.kind) +
            " attempts=" + std::to_string(alert.attempts + 1));
        return true;
    }
    std::string error;
    std::chrono::seconds wait = backoff(alert.attempts);
    if (!response) {
        error = response.error().message;
    } else if (response->status == 429) {
        error = "HTTP 429 " + logSafe(response->body);
        if (response->retryAfter)
            wait = std::clamp(*response->retryAfter, std::chrono::seconds(1), std::chrono::seconds(3600));
    } else {
        error = "HTTP " + std::to_string(response->status) + " " + logSafe(response->body);
    }
    const std::string next = formatUtc(finished + wait);
    if (auto marked = store.markAlertFailed(alert.id, m_options.claimant, next, error); !marked) {
        log("alert_claim_lost id=" + id + " error=" + logSafe(marked.error().message));
        return false;
    }
    log("alert_delivery_failed id=" + id + " attempts=" + std::to_string(alert.attempts + 1) +
        " retry_in_seconds=" + std::to_string(wait.count()) + " error=" + logSafe(error));
    return false;
}

Common::Result<int> AlertWorker::runOnce()
{
    if (m_options.beforeRound)
        if (auto done = m_options.beforeRound(); !done)
            log("alert_rules_failed error=" + logSafe(done.error().message));
    const bool canSend = m_sender && (!m_options.webhookConfigured || m_options.webhookConfigured());
    if (m_signingKey) {
        auto lease = m_stores.acquire();
        if (!lease)
            return tl::unexpected(lease.error());
        auto made = checkpointIfDue(**lease, *m_signingKey, m_options.checkpoints, now(), CheckpointMode::WhenDue);
        if (!made)
            log("audit_checkpoint_failed error=" + logSafe(made.error().message));
        else if (*made)
            log("audit_checkpoint id=" + std::to_string((*made)->id) + " seq=" + std::to_string((*made)->seq) +
                " hash=" + (*made)->hash.substr(0, 16));
    }

    int delivered = 0;
    for (int i = 0; canSend && i < m_options.maxDeliveriesPerRound; ++i) {
        std::optional<Storage::AlertRecord> claimed;
        {
            auto lease = m_stores.acquire();
            if (!lease)
                return tl::unexpected(lease.error());
            const TimePoint current = now();
            auto next = (*lease)->claimNextAlert(m_options.claimant, formatUtc(current),
                                                 formatUtc(current + m_options.claimLease));
            if (!next)
                return tl::unexpected(next.error());
            claimed = std::move(*next);
        }
        if (!claimed)
            break;
        auto sent = deliver(*claimed);
        if (!sent)
            return tl::unexpected(sent.error());
        if (!*sent)
            break; // the oldest waits for its retry, and the rest wait behind it (order)
        ++delivered;
    }

    auto status = backlog();
    if (!status)
        return tl::unexpected(status.error());
    if (status->count > 0 && status->oldestAge > m_options.backlogThreshold) {
        if (!m_backlogRaised)
            log("alert_backlog count=" + std::to_string(status->count) + " oldest_age_seconds=" +
                std::to_string(status->oldestAge.count()) + " webhook=" + (canSend ? "configured" : "none"));
        m_backlogRaised = true;
    } else if (m_backlogRaised) {
        log("alert_backlog_cleared count=" + std::to_string(status->count));
        m_backlogRaised = false;
    }
    return delivered;
}

Common::Result<AlertBacklogStatus> AlertWorker::backlog()
{
    auto lease = m_stores.acquire();
    if (!lease)
        return tl::unexpected(lease.error());
    return backlogOf(**lease);
}

Common::Result<AlertBacklogStatus> AlertWorker::backlogOf(Storage::Store &store)
{
    auto backlog = store.alertBacklog();
    if (!backlog)
        return tl::unexpected(backlog.error());
    AlertBacklogStatus status;
    status.count = backlog->count;
    if (backlog->oldestCreatedAt)
        if (const auto created = parseUtc(*backlog->oldestCreatedAt))
            status.oldestAge =
                std::max(std::chrono::seconds(0), std::chrono::floor<std::chrono::seconds>(now() - *created));
    return status;
}

} // namespace Server::Audit
