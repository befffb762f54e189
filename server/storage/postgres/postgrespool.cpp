#include "server/storage/postgres/postgrespool.h"

namespace Server::Storage {

PostgresPool::PostgresPool(std::string url, StoreOptions options)
    : m_url(std::move(url))
    , m_options(std::move(options))
{}

PostgresPool::~PostgresPool() = default;

Result<std::unique_ptr<PostgresPool>> PostgresPool::open(const std::string &url, StoreOptions options)
{
    if (options.poolSize < 1)
        return Common::fail(Common::ErrorCode::InvalidInput, "the PostgreSQL pool needs at least one connection");
    if (auto migrated = PostgresStore::migrate(url); !migrated)
        return tl::unexpected(migrated.error());
    std::unique_ptr<PostgresPool> pool(new PostgresPool(url, std::move(options)));
    auto first = pool->connect();
    if (!first)
        return tl::unexpected(first.error());
    pool->m_idle.push_back(std::move(*first));
    pool->m_open = 1;
    return pool;
}

Result<std::unique_ptr<PostgresStore>> PostgresPool::connect() const
{
    PostgresOptions options;
    options.statementTimeout = m_options.statementTimeout;
    options.clock = m_options.clock;
    return PostgresStore::connect(m_url, std::move(options));
}

int PostgresPool::openConnections() const
{
    std::lock_guard lock(m_mutex);
    return m_open;
}

Result<StoreLease> PostgresPool::acquire()
{
    std::unique_ptr<PostgresStore> store;
    {
        std::unique_lock lock(m_mutex);
        const bool ready = m_available.wait_for(lock, m_options.acquireTimeout,
                                                [this] { return !m_idle.empty() || m_open < m_options.poolSize; });
        if (!ready)
            return Common::fail(Common::ErrorCode::Storage, "no database connection free within the timeout");
        if (!m_idle.empty()) {
            store = std::move(m_idle.back());
            m_idle.pop_back();
        } else {
            ++m_open; // reserve the slot, connect outside the lock
        }
    }
    if (!store || store->isBroken() || !store->looksAlive()) {
        store.reset(); // a dead connection is replaced, not reused
        auto fresh = connect();
        if (!fresh) {
            std::lock_guard lock(m_mutex);
            --m_open;
            m_available.notify_one();
            return tl::unexpected(fresh.error());
        }
        store = std::move(*fresh);
    }
    PostgresStore *raw = store.release();
    return StoreLease(raw, [this](Store *returned) { giveBack(returned); });
}

void PostgresPool::giveBack(Store *returned)
{
    std::unique_ptr<PostgresStore> store(static_cast<PostgresStore *>(returned));
    if (store->inTransaction())
        store->rollback(); // never hand the next request someone else's open transaction
    std::lock_guard lock(m_mutex);
    if (store->isBroken()) {
        --m_open;
    } else {
        m_idle.push_back(std::move(store));
    }
    m_available.notify_one();
}

} // namespace Server::Storage
