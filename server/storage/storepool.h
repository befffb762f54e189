#pragma once
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include "common/support/result.h"
#include "server/storage/store.h"

// Where request handlers get a Store from. A lease holds one connection-bound Store for the
// length of one request (or one worker's job) and gives it back when destroyed.
// - SQLite: one SqliteStore shared by every lease (its own lock makes it the single writer), so
//   acquire() never waits.
// - PostgreSQL: `poolSize` connections, each its own PostgresStore; acquire() waits up to
//   `acquireTimeout` for a free one, reconnects a broken one, and fails with Storage when none
//   frees up in time (the api maps that to 503).
// openStorePool() picks the backend from the location: "postgresql://…" or "postgres://…"
// (libpq connection URI) opens PostgreSQL, anything else is a SQLite file path. Both migrate the
// schema before returning (PostgreSQL under pg_advisory_lock, safe with several servers starting).
namespace Server::Storage {

struct StoreOptions
{
    int poolSize = 8;                                  // PostgreSQL connections per server
    std::chrono::milliseconds acquireTimeout{5000};    // wait for a free connection
    std::chrono::milliseconds statementTimeout{30000}; // PostgreSQL statement_timeout
    bool durable = true;                               // SQLite synchronous=FULL; false for throwaway tests
    std::function<std::string()> clock;                // ISO 8601 UTC; empty = system clock
};

// One borrowed Store; movable, not copyable. Returns the Store to its pool when destroyed.
class StoreLease final
{
public:
    StoreLease() = default;
    StoreLease(Store *store, std::function<void(Store *)> release)
        : m_store(store)
        , m_release(std::move(release))
    {}
    StoreLease(StoreLease &&other) noexcept
        : m_store(std::exchange(other.m_store, nullptr))
        , m_release(std::move(other.m_release))
    {}
    StoreLease &operator=(StoreLease &&other) noexcept
    {
        if (this != &other) {
            reset();
            m_store = std::exchange(other.m_store, nullptr);
            m_release = std::move(other.m_release);
        }
        return *this;
    }
    StoreLease(const StoreLease &) = delete;
    StoreLease &operator=(const StoreLease &) = delete;
    ~StoreLease() { reset(); }

    Store &operator*() const { return *m_store; }
    Store *operator->() const { return m_store; }
    Store *get() const { return m_store; }
    explicit operator bool() const { return m_store != nullptr; }
    void reset()
    {
        if (m_store && m_release)
            m_release(m_store);
        m_store = nullptr;
        m_release = nullptr;
    }

private:
    Store *m_store = nullptr;
    std::function<void(Store *)> m_release;
};

class StorePool
{
public:
    virtual ~StorePool() = default;
    // Errors: Storage (no connection free within the timeout, or the database is unreachable).
    virtual Result<StoreLease> acquire() = 0;
    // "sqlite" or "postgresql" (logs, metrics).
    virtual std::string backend() const = 0;
};

// A pool of one shared, internally locked Store (SQLite, or any Store the caller owns).
class SharedStorePool final : public StorePool
{
public:
    explicit SharedStorePool(std::unique_ptr<Store> owned);
    explicit SharedStorePool(Store &borrowed); // the caller keeps it alive longer than the pool
    Result<StoreLease> acquire() override;
    std::string backend() const override { return "sqlite"; }

private:
    std::unique_ptr<Store> m_owned;
    Store &m_store;
};

// True for "postgresql://…" and "postgres://…" locations.
bool isPostgresLocation(const std::string &location);

// Opens the database at `location` (see above) and migrates it. Errors: Storage, InvalidInput
// (PostgreSQL requested but this build has no libpqxx).
Result<std::unique_ptr<StorePool>> openStorePool(const std::string &location, StoreOptions options = {});

} // namespace Server::Storage
