// Pull catch-up: a fresh terminal (cursor 0) downloads 100,000 changes of its scope (SKUs and
// the stock of its warehouse, interleaved with 20,000 changes of another warehouse it must not
// see) through the real path — SyncService::pull (scope filter, page limits of count and bytes,
// next cursor) and the JSON encoding of every page — on both backends. Reference: the database's
// own read rate for the same rows, the same SELECT in pages of the same size with every column
// copied out (sqlite3 prepared statement; libpqxx prepared statement). Page sizes: 1000 (the
// default) and 5000 (the maximum; pages are also cut at 512 KiB).
// PostgreSQL runs when SOKO_TEST_PG_URL and SOKO_TEST_PG_ADMIN_URL are set (scripts/pg.sh), on a
// fresh database. Writes bench/results/pull.json.
//
// Usage: pull_bench [changes=100000] [output=<source>/bench/results/pull.json]
#include <chrono>
#include <ctime>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>
#include <string>
#include <sqlite3.h>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include "bench/benchmachine.h"
#include "common/protocol/protocol.h"
#include "server/storage/storepool.h"
#include "server/sync/syncservice.h"
#ifdef SOKO_HAVE_POSTGRESQL
#include <pqxx/pqxx>
#endif

namespace {

using Clock = std::chrono::steady_clock;
const char *s_device = "22222222-2222-4222-8222-222222222222";
constexpr const char *s_select = "SELECT version, warehouse, entity, key, data FROM change_log "
                                 "WHERE version > %1 AND (warehouse = %2 OR warehouse IS NULL) ORDER BY version LIMIT %3";

void check(bool ok, const char *what)
{
    if (!ok) {
        std::fprintf(stderr, "pull_bench: %s failed\n", what);
        std::exit(1);
    }
}

std::string selectSql(const char *first, const char *second, const char *third)
{
    std::string sql = s_select;
    for (const auto &[marker, value] : {std::pair{"%1", first}, std::pair{"%2", second}, std::pair{"%3", third}})
        sql.replace(sql.find(marker), 2, value);
    return sql;
}

// Master data, the device, and `changes` in-scope changes (40 % SKUs, 60 % TKY1 stock) with one
// OSA1 stock change after every fifth, in transactions of 10,000 change rows.
void seed(Server::Storage::Store &store, int changes)
{
    check(bool(store.upsertWarehouse({"TKY1", "Tokyo"})), "warehouse");
    check(bool(store.upsertWarehouse({"OSA1", "Osaka"})), "warehouse");
    check(bool(store.insertDevice(
              {s_device, "TKY1", "HT-01", "0B01", Server::Storage::DeviceStatus::Active, 1, {}})),
          "device");
    std::mt19937 random(42);
    int written = 0;
    while (written < changes) {
        Server::Storage::Transaction transaction(store);
        check(bool(transaction.started()), "begin");
        for (int index = 0; index < 10000 && written < changes; ++index, ++written) {
            char sku[16];
            std::snprintf(sku, sizeof sku, "SKU-%06d", int(random() % 20000));
            Server::Storage::ChangeRecord change;
            if (written % 5 < 2) {
                change.entity = "sku";
                change.key = sku;
                change.data = std::string(R"({"code":")") + sku +
                              R"(","name":"Green tea 500 g","gtins":["04901234567894"],"base_unit":"piece",)"
                              R"("lot_controlled":false})";
            } else {
                const std::string bin = "A-" + std::to_string(random() % 40) + "-" + std::to_string(random() % 9);
                change.warehouse = "TKY1";
                change.entity = "stock";
                change.key = std::string(sku) + "|" + bin + "|";
                change.data = std::string(R"({"sku":")") + sku + R"(","location":")" + bin + R"(","lot":"","quantity":)" +
                              std::to_string(random() % 500) + "}";
            }
            check(bool(store.appendChange(change)), "append change");
            if (written % 5 == 4) {
                Server::Storage::ChangeRecord other;
                other.warehouse = "OSA1";
                other.entity = "stock";
                other.key = std::string(sku) + "|B-1|";
                other.data = std::string(R"({"sku":")") + sku + R"(","location":"B-1","lot":"","quantity":1})";
                check(bool(store.appendChange(other)), "append change");
            }
        }
        check(bool(transaction.commit()), "commit");
    }
}

struct PullRun
{
    double seconds = 0;
    int pages = 0;
    std::int64_t changes = 0;
    std::int64_t bytes = 0; // JSON bytes the pages would send
};

// The terminal's catch-up through SyncService::pull from cursor 0 until has_more is false.
PullRun pullAll(Server::Storage::StorePool &pool, int pageSize)
{
    PullRun run;
    const auto start = Clock::now();
    std::string cursor = "0";
    for (;;) {
        auto store = pool.acquire(); // one lease per request, as the server does
        check(bool(store), "lease");
        auto device = (*store)->device(s_device);
        check(device && *device, "device");
        Server::Sync::SyncService sync(**store);
        auto answer = sync.pull(**device, cursor, pageSize, std::nullopt);
        check(answer && std::holds_alternative<Common::Protocol::PullResponse>(*answer), "pull");
        const auto &page = std::get<Common::Protocol::PullResponse>(*answer);
        run.bytes += static_cast<std::int64_t>(Common::Protocol::encode(page).size());
        run.changes += static_cast<std::int64_t>(page.changes.size());
        ++run.pages;
        cursor = page.nextCursor;
        if (!page.hasMore)
            break;
    }
    run.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    return run;
}

// The same rows with the database's own client library, every column copied into strings.
PullRun rawSqlite(const std::string &path, int pageSize)
{
    sqlite3 *db = nullptr;
    check(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK, "open raw");
    sqlite3_stmt *statement = nullptr;
    check(sqlite3_prepare_v2(db, selectSql("?1", "?2", "?3").c_str(), -1, &statement, nullptr) == SQLITE_OK,
          "prepare raw");
    PullRun run;
    const auto start = Clock::now();
    std::int64_t cursor = 0;
    for (;;) {
        sqlite3_reset(statement);
        sqlite3_bind_int64(statement, 1, cursor);
        sqlite3_bind_text(statement, 2, "TKY1", -1, SQLITE_STATIC);
        sqlite3_bind_int(statement, 3, pageSize);
        int rows = 0;
        while (sqlite3_step(statement) == SQLITE_ROW) {
            cursor = sqlite3_column_int64(statement, 0);
            for (int column = 1; column < 5; ++column) {
                const auto *text = sqlite3_column_text(statement, column);
                const std::string value = text ? reinterpret_cast<const char *>(text) : "";
                run.bytes += static_cast<std::int64_t>(value.size());
            }
            ++rows;
        }
        run.changes += rows;
        ++run.pages;
        if (rows < pageSize)
            break;
    }
    run.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    sqlite3_finalize(statement);
    sqlite3_close(db);
    return run;
}

#ifdef SOKO_HAVE_POSTGRESQL
PullRun rawPostgres(const std::string &url, int pageSize)
{
    pqxx::connection db(url);
    db.prepare("page", selectSql("$1", "$2", "$3"));
    PullRun run;
    const auto start = Clock::now();
    std::int64_t cursor = 0;
    for (;;) {
        pqxx::read_transaction transaction(db);
        const pqxx::result rows = transaction.exec_prepared("page", cursor, std::string("TKY1"), pageSize);
        for (const auto &row : rows) {
            cursor = row[0].as<std::int64_t>();
            for (int column = 1; column < 5; ++column) {
                const std::string value = row[column].is_null() ? "" : row[column].c_str();
                run.bytes += static_cast<std::int64_t>(value.size());
            }
        }
        transaction.commit();
        run.changes += static_cast<std::int64_t>(rows.size());
        ++run.pages;
        if (static_cast<int>(rows.size()) < pageSize)
            break;
    }
    run.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    return run;
}

std::string freshDatabase(const std::string &url, const std::string &adminUrl, const std::string &name)
{
    const auto scheme = url.find("://");
    const auto at = url.find('@');
    const auto slash = url.find('/', at == std::string::npos ? scheme + 3 : at);
    check(scheme != std::string::npos && slash != std::string::npos, "SOKO_TEST_PG_URL shape");
    const std::string user = url.substr(scheme + 3, url.find_first_of(":@", scheme + 3) - scheme - 3);
    pqxx::connection admin(adminUrl);
    pqxx::nontransaction session(admin);
    session.exec("DROP DATABASE IF EXISTS " + admin.quote_name(name) + " WITH (FORCE)");
    session.exec("CREATE DATABASE " + admin.quote_name(name) + " OWNER " + admin.quote_name(user));
    return url.substr(0, slash + 1) + name;
}

void dropDatabase(const std::string &adminUrl, const std::string &name)
{
    pqxx::connection admin(adminUrl);
    pqxx::nontransaction session(admin);
    session.exec("DROP DATABASE IF EXISTS " + admin.quote_name(name) + " WITH (FORCE)");
}
#endif

boost::json::object figures(const PullRun &pull, const PullRun &raw, int pageSize, int changes)
{
    check(pull.changes == changes, "every change pulled once");
    check(raw.changes == changes, "every change read once");
    boost::json::object out;
    out["page_limit"] = pageSize;
    out["pull_pages"] = pull.pages;
    out["pull_seconds"] = pull.seconds;
    out["pull_changes_per_second"] = static_cast<std::int64_t>(double(pull.changes) / pull.seconds);
    out["pull_json_bytes"] = pull.bytes;
    out["raw_select_pages"] = raw.pages;
    out["raw_select_seconds"] = raw.seconds;
    out["raw_select_changes_per_second"] = static_cast<std::int64_t>(double(raw.changes) / raw.seconds);
    out["pull_vs_raw"] = raw.seconds / pull.seconds;
    return out;
}

// Both page sizes on one database; the pull runs first so neither gets a warmer cache only.
boost::json::array benchBackend(Server::Storage::StorePool &pool, const std::function<PullRun(int)> &raw, int changes)
{
    boost::json::array out;
    for (const int pageSize : {1000, 5000}) {
        (void)raw(pageSize); // warm-up: the rows in the page cache for both contenders
        const PullRun pulled = pullAll(pool, pageSize);
        const PullRun read = raw(pageSize);
        out.push_back(figures(pulled, read, pageSize, changes));
    }
    return out;
}

void write(const std::string &output, const boost::json::object &result)
{
    std::filesystem::create_directories(std::filesystem::path(output).parent_path());
    std::ofstream file(output);
    file << boost::json::serialize(result) << "\n";
    std::printf("%s\n", boost::json::serialize(result).c_str());
}

} // namespace

int main(int argc, char **argv)
{
    const int changes = argc > 1 ? std::atoi(argv[1]) : 100000;
    const std::string output = argc > 2 ? argv[2] : SOKO_SOURCE_DIR "/bench/results/pull.json";
    check(changes > 0, "changes > 0");

    boost::json::object result;
    result["benchmark"] = "pull_catch_up";
    {
        const std::time_t now = std::time(nullptr);
        char text[32];
        std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
        result["date_utc"] = text;
        result["load_average"] = benchLoadAverage();
    }
    result["changes_in_scope"] = changes;
    result["changes_out_of_scope"] = changes / 5;
    result["pull_path"] = "SyncService::pull from cursor 0 (lease, device lookup, scope filter, count and 512 KiB "
                          "page limits, next cursor) + JSON encoding of each page; no TLS/HTTP";
    result["raw_path"] = "the same SELECT (version > cursor, scope, ORDER BY version LIMIT page) with every column "
                         "copied out, through the database's own client library";

    const std::filesystem::path folder = std::filesystem::temp_directory_path() / "soko-pull-bench";
    std::filesystem::remove_all(folder);
    std::filesystem::create_directories(folder);
    const std::string sqlitePath = (folder / "soko.db").string();
    {
        Server::Storage::StoreOptions options;
        options.durable = true;
        auto pool = Server::Storage::openStorePool(sqlitePath, options);
        check(bool(pool), "open SQLite");
        {
            auto store = (*pool)->acquire();
            check(bool(store), "lease");
            seed(**store, changes);
        }
        result["sqlite"] = benchBackend(
            **pool, [&](int pageSize) { return rawSqlite(sqlitePath, pageSize); }, changes);
    }
    std::filesystem::remove_all(folder);

#ifdef SOKO_HAVE_POSTGRESQL
    const char *url = std::getenv("SOKO_TEST_PG_URL");
    const char *adminUrl = std::getenv("SOKO_TEST_PG_ADMIN_URL");
    if (url && adminUrl) {
        const std::string name = "soko_pull_bench";
        const std::string location = freshDatabase(url, adminUrl, name);
        {
            Server::Storage::StoreOptions options;
            options.poolSize = 2;
            auto pool = Server::Storage::openStorePool(location, options);
            check(bool(pool), "open PostgreSQL");
            {
                auto store = (*pool)->acquire();
                check(bool(store), "lease");
                seed(**store, changes);
            }
            {
                pqxx::connection db(location);
                pqxx::nontransaction session(db);
                session.exec("VACUUM ANALYZE change_log");
            }
            result["postgresql"] = benchBackend(
                **pool, [&](int pageSize) { return rawPostgres(location, pageSize); }, changes);
        }
        dropDatabase(adminUrl, name);
    } else {
        result["postgresql"] = "not run: SOKO_TEST_PG_URL / SOKO_TEST_PG_ADMIN_URL not set";
    }
#else
    result["postgresql"] = "not run: built without libpqxx";
#endif
    write(output, result);
    return 0;
}
