#include "server/app/revocationcache.h"

#include "server/storage/store.h"

namespace Server::App {

RevocationCache::RevocationCache(Storage::Store &store, std::chrono::seconds interval)
    : m_store(store)
    , m_interval(interval)
{}

RevocationCache::~RevocationCache()
{
    stop();
}

Common::Result<void> RevocationCache::refresh()
{
    auto devices = m_store.devices();
    if (!devices)
        return tl::unexpected(devices.error());
    std::set<std::string, std::less<>> revoked;
    for (const auto &device : *devices)
        if (device.status == Storage::DeviceStatus::Revoked && !device.certificateSerial.empty())
            revoked.insert(device.certificateSerial);
    std::unique_lock lock(m_setMutex);
    // Revocation is permanent: keep what markRevoked() added even if a read raced with it.
    for (const auto &serial : m_revoked)
        revoked.insert(serial);
    m_revoked = std::move(revoked);
    return {};
}

void RevocationCache::start()
{
    if (!m_thread.joinable())
        m_thread = std::thread(&RevocationCache::loop, this);
}

void RevocationCache::stop()
{
    {
        std::lock_guard lock(m_wakeMutex);
        m_stopping = true;
    }
    m_wake.notify_all();
    if (m_thread.joinable())
        m_thread.join();
}

void RevocationCache::requestRefresh()
{
    {
        std::lock_guard lock(m_wakeMutex);
        m_refreshRequested = true;
    }
    m_wake.notify_all();
}

void RevocationCache::markRevoked(std::string_view serialHex)
{
    {
        std::unique_lock lock(m_setMutex);
        m_revoked.emplace(serialHex);
    }
    requestRefresh();
}

bool RevocationCache::isRevoked(std::string_view serialHex) const
{
    std::shared_lock lock(m_setMutex);
    return m_revoked.find(serialHex) != m_revoked.end();
}

std::size_t RevocationCache::size() const
{
    std::shared_lock lock(m_setMutex);
    return m_revoked.size();
}

void RevocationCache::loop()
{
    std::unique_lock lock(m_wakeMutex);
    while (!m_stopping) {
        m_wake.wait_for(lock, m_interval, [this] { return m_stopping || m_refreshRequested; });
        if (m_stopping)
            break;
        m_refreshRequested = false;
        lock.unlock();
        (void)refresh(); // a failed read keeps the last set; the per-request check still holds
        lock.lock();
    }
}

} // namespace Server::App
