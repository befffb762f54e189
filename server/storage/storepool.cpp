#include "server/storage/storepool.h"

#include "server/storage/sqlite/sqlitestore.h"
#ifdef SOKO_HAVE_POSTGRESQL
#include "server/storage/postgres/postgrespool.h"
#endif

namespace Server::Storage {

SharedStorePool::SharedStorePool(std::unique_ptr<Store> owned)
    : m_owned(std::move(owned))
    , m_store(*m_owned)
{}

SharedStorePool::SharedStorePool(Store &borrowed)
    : m_store(borrowed)
{}

Result<StoreLease> SharedStorePool::acquire()
{
    // Nothing to give back: the store serialises its callers itself.
    return StoreLease(&m_store, {});
}

bool isPostgresLocation(const std::string &location)
{
    return location.rfind("postgresql://", 0) == 0 || location.rfind("postgres://", 0) == 0;
}

Result<std::unique_ptr<StorePool>> openStorePool(const std::string &location, StoreOptions options)
{
    if (isPostgresLocation(location)) {
#ifdef SOKO_HAVE_POSTGRESQL
        auto pool = PostgresPool::open(location, std::move(options));
        if (!pool)
            return tl::unexpected(pool.error());
        return std::unique_ptr<StorePool>(std::move(*pool));
#else
        return Common::fail(Common::ErrorCode::InvalidInput,
                            "this soko-server was built without PostgreSQL support (libpqxx)");
#endif
    }
    SqliteOptions sqlite;
    sqlite.durable = options.durable;
    sqlite.clock = std::move(options.clock);
    auto store = SqliteStore::open(location, std::move(sqlite));
    if (!store)
        return tl::unexpected(store.error());
    return std::unique_ptr<StorePool>(std::make_unique<SharedStorePool>(std::unique_ptr<Store>(std::move(*store))));
}

} // namespace Server::Storage
