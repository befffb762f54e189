#pragma once
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <set>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <thread>
#include "common/support/result.h"

namespace Server::Storage {
class Store;
}

// The revoked device serials for ServerConfig::isRevoked, which runs on the I/O thread during
// TLS handshakes and so must never wait for the database. A background thread re-reads the
// devices table every `interval` (revocations by `soko-server revoke-device` in another process
// arrive within it); markRevoked() applies this process's own revocations at once. The
// per-request device check in ApiApplication stays authoritative (REQUIREMENTS.md §2.3).
namespace Server::App {

class RevocationCache final
{
public:
    RevocationCache(Storage::Store &store, std::chrono::seconds interval);
    ~RevocationCache();
    RevocationCache(const RevocationCache &) = delete;
    RevocationCache &operator=(const RevocationCache &) = delete;

    // Reads the revoked serials now. Errors: Storage (the previous set stays).
    Common::Result<void> refresh();
    void start(); // the refresh thread
    void stop();  // joins it; idempotent
    void requestRefresh();
    void markRevoked(std::string_view serialHex);
    bool isRevoked(std::string_view serialHex) const;
    std::size_t size() const;

private:
    void loop();

    Storage::Store &m_store;
    const std::chrono::seconds m_interval;
    mutable std::shared_mutex m_setMutex;
    std::set<std::string, std::less<>> m_revoked;
    std::mutex m_wakeMutex;
    std::condition_variable m_wake;
    bool m_stopping = false;
    bool m_refreshRequested = false;
    std::thread m_thread;
};

} // namespace Server::App
