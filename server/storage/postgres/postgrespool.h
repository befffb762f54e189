#pragma once
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>
#include "server/storage/postgres/postgresstore.h"
#include "server/storage/storepool.h"

// Up to StoreOptions::poolSize PostgresStore connections, opened on demand. acquire() hands a free
// one out (replacing it first if its connection broke), or waits up to acquireTimeout. A lease
// that comes back with a transaction still open is rolled back. The pool must outlive its leases.
namespace Server::Storage {

class PostgresPool final : public StorePool
{
public:
    // Migrates the database (PostgresStore::migrate) and opens the first connection, so a wrong
    // URL or password fails here, at start-up. Errors: Storage (never contains the password).
    static Result<std::unique_ptr<PostgresPool>> open(const std::string &url, StoreOptions options);
    ~PostgresPool() override;

    Result<StoreLease> acquire() override;
    std::string backend() const override { return "postgresql"; }
    int openConnections() const;

private:
    PostgresPool(std::string url, StoreOptions options);
    Result<std::unique_ptr<PostgresStore>> connect() const;
    void giveBack(Store *store);

    std::string m_url;
    StoreOptions m_options;
    mutable std::mutex m_mutex;
    std::condition_variable m_available;
    std::vector<std::unique_ptr<PostgresStore>> m_idle;
    int m_open = 0; // idle + leased
};

} // namespace Server::Storage
