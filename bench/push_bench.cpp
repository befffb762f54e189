// Push throughput: batches of 500 ops through the real path (strict JSON decode → SyncService →
// one durable transaction per batch → JSON answer) against plain inserts of the same per-op rows
// (the recorded op and its ledger movement) in transactions of 500, same machine, same run.
// SQLite: WAL, synchronous=FULL. PostgreSQL (when SOKO_TEST_PG_URL and SOKO_TEST_PG_ADMIN_URL are
// set, e.g. by scripts/pg.sh): a fresh database, the PostgresStore path (commit-order versions,
// row locks) against libpqxx prepared INSERTs; also 4 devices pushing in parallel through one
// pool. Writes bench/results/push.json and bench/results/push_postgresql.json.
//
// Usage: push_bench [batches=40] [output=<source>/bench/results/push.json]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>
#include <filesystem>
#include <fstream>
#include <string>
#include <sqlite3.h>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include "common/protocol/protocol.h"
#include "server/storage/ids.h"
#include "server/storage/sqlite/sqlitestore.h"
#include "server/storage/storepool.h"
#include "server/sync/syncservice.h"
#ifdef SOKO_HAVE_POSTGRESQL
#include <pqxx/pqxx>
#endif

namespace {

using Clock = std::chrono::steady_clock;
constexpr int s_batchSize = 500;
const char *s_device = "11111111-1111-4111-8111-111111111111";

std::string deviceId(int index)
{
    char text[40];
    std::snprintf(text, sizeof text, "%08x-1111-4111-8111-111111111111", index);
    return index == 0 ? std::string(s_device) : std::string(text);
}

void check(bool ok, const char *what)
{
    if (!ok) {
        std::fprintf(stderr, "push_bench: %s failed\n", what);
        std::exit(1);
    }
}

Common::Protocol::PushRequest batch(int index, const std::string &device = s_device)
{
    Common::Protocol::PushRequest request;
    request.deviceId = device;
    for (int i = 0; i < s_batchSize; ++i) {
        const std::int64_t seq = static_cast<std::int64_t>(index) * s_batchSize + i + 1;
        Common::Protocol::PushOp op;
        op.seq = seq;
        op.opId = Server::Storage::randomUuid();
        op.payload = Common::Protocol::ReceivePayload{"SKU-" + std::to_string(seq % 50),
                                                      "A-" + std::to_string(seq % 20),
                                                      std::nullopt,
                                                      std::nullopt,
                                                      1 + seq % 7,
                                                      std::nullopt};
        op.operatorId = "OP-1";
        op.createdAt = "2026-11-29T21:40:00Z";
        request.ops.push_back(std::move(op));
    }
    return request;
}

// The master data every push needs, and `devices` registered devices.
void seed(Server::Storage::Store &store, int devices)
{
    check(bool(store.upsertWarehouse({"TKY1", "Tokyo"})), "warehouse");
    for (int i = 0; i < 50; ++i)
        check(bool(store.upsertSku({"SKU-" + std::to_string(i), "item", {}, "piece", false})), "sku");
    for (int i = 0; i < 20; ++i)
        check(bool(store.upsertLocation({"TKY1", "A-" + std::to_string(i), "ambient", i})), "location");
    Server::Storage::OperatorRecord op{0, "OP-1", "Sato", "TKY1", "picker", "$argon2id$bench", true};
    check(bool(store.insertOperator(op)), "operator");
    for (int d = 0; d < devices; ++d)
        check(bool(store.insertDevice({deviceId(d),
                                       "TKY1",
                                       "HT-" + std::to_string(d),
                                       "0A0" + std::to_string(d),
                                       Server::Storage::DeviceStatus::Active,
                                       1,
                                       {}})),
              "device");
}

// Ops per second of `batches` batches from each of `devices` devices, one thread per device,
// each on its own leased Store (SQLite: the same one).
double benchPush(const std::string &location, int batches, int devices = 1)
{
    Server::Storage::StoreOptions options;
    options.durable = true;
    options.poolSize = devices + 1;
    auto pool = Server::Storage::openStorePool(location, options);
    check(bool(pool), "open store");
    {
        auto store = (*pool)->acquire();
        check(bool(store), "lease");
        seed(**store, devices);
    }
    std::vector<std::vector<std::string>> bodies(static_cast<std::size_t>(devices));
    for (int d = 0; d < devices; ++d)
        for (int b = 0; b < batches; ++b)
            bodies[static_cast<std::size_t>(d)].push_back(Common::Protocol::encode(batch(b, deviceId(d))));
    const auto run = [&](int d) {
        auto store = (*pool)->acquire();
        check(bool(store), "lease");
        auto device = *(*store)->device(deviceId(d));
        Server::Sync::SyncService sync(**store);
        for (const std::string &body : bodies[static_cast<std::size_t>(d)]) {
            auto request = Common::Protocol::decodePushRequest(body);
            check(bool(request), "decode");
            auto answer = sync.push(*device, *request);
            check(answer && std::holds_alternative<Common::Protocol::PushResponse>(*answer), "push");
            const std::string reply = Common::Protocol::encode(std::get<Common::Protocol::PushResponse>(*answer));
            check(!reply.empty(), "encode");
        }
    };
    const auto start = Clock::now();
    std::vector<std::thread> threads;
    for (int d = 0; d < devices; ++d)
        threads.emplace_back(run, d);
    for (auto &thread : threads)
        thread.join();
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    return static_cast<double>(devices) * batches * s_batchSize / seconds;
}

#ifdef SOKO_HAVE_POSTGRESQL
// The same two rows per op as benchRaw, through libpqxx prepared statements, one transaction of
// 500 ops per batch (synchronous_commit on, as the server runs).
double benchRawPostgres(const std::string &url, int batches)
{
    pqxx::connection db(url);
    {
        pqxx::work schema(db);
        schema.exec("CREATE TABLE raw_ops (device_id text, seq bigint, op_id text, type text, payload text, "
                    "PRIMARY KEY (device_id, seq))");
        schema.exec("CREATE TABLE raw_movements (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, sku text, "
                    "location text, delta bigint, op_id text)");
        schema.commit();
    }
    db.prepare("op", "INSERT INTO raw_ops VALUES ($1, $2, $3, 'receive', $4)");
    db.prepare("movement", "INSERT INTO raw_movements(sku, location, delta, op_id) VALUES ($1, $2, $3, $4)");
    std::vector<Common::Protocol::PushRequest> requests;
    for (int b = 0; b < batches; ++b)
        requests.push_back(batch(b));
    const auto start = Clock::now();
    for (const auto &request : requests) {
        pqxx::work transaction(db);
        for (const auto &op : request.ops) {
            const auto &payload = std::get<Common::Protocol::ReceivePayload>(op.payload);
            transaction.exec_prepared("op", std::string(s_device), op.seq, op.opId,
                                      Common::Protocol::encodePayload(op.payload));
            transaction.exec_prepared("movement", payload.sku, payload.location, payload.quantity, op.opId);
        }
        transaction.commit();
    }
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    return batches * s_batchSize / seconds;
}

// A fresh database through the admin URL; returns its URL (same role as SOKO_TEST_PG_URL).
std::string freshDatabase(const std::string &url, const std::string &adminUrl, const std::string &name)
{
    const auto scheme = url.find("://");
    const auto at = url.find('@');
    const auto slash = url.find('/', at == std::string::npos ? scheme + 3 : at);
    check(scheme != std::string::npos && slash != std::string::npos, "SOKO_TEST_PG_URL shape");
    const std::string user = url.substr(scheme + 3, url.find_first_of(":@", scheme + 3) - scheme - 3);
    pqxx::connection admin(adminUrl);
    pqxx::nontransaction session(admin);
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

double benchRaw(const std::string &path, int batches)
{
    sqlite3 *db = nullptr;
    check(sqlite3_open(path.c_str(), &db) == SQLITE_OK, "open raw");
    check(sqlite3_exec(
              db,
              "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
              "CREATE TABLE ops (device_id TEXT, seq INTEGER, op_id TEXT, type TEXT, payload TEXT,"
              " PRIMARY KEY (device_id, seq));"
              "CREATE TABLE movements (id INTEGER PRIMARY KEY, sku TEXT, location TEXT, delta INTEGER, op_id TEXT);",
              nullptr, nullptr, nullptr) == SQLITE_OK,
          "schema");
    sqlite3_stmt *insertOp = nullptr;
    sqlite3_stmt *insertMovement = nullptr;
    check(sqlite3_prepare_v2(db, "INSERT INTO ops VALUES (?1, ?2, ?3, 'receive', ?4)", -1, &insertOp, nullptr) ==
              SQLITE_OK,
          "prep");
    check(sqlite3_prepare_v2(db, "INSERT INTO movements(sku, location, delta, op_id) VALUES (?1, ?2, ?3, ?4)", -1,
                             &insertMovement, nullptr) == SQLITE_OK,
          "prep");
    std::vector<Common::Protocol::PushRequest> requests;
    for (int b = 0; b < batches; ++b)
        requests.push_back(batch(b));
    const auto start = Clock::now();
    for (const auto &request : requests) {
        check(sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) == SQLITE_OK, "begin");
        for (const auto &op : request.ops) {
            const auto &payload = std::get<Common::Protocol::ReceivePayload>(op.payload);
            const std::string payloadJson = Common::Protocol::encodePayload(op.payload);
            sqlite3_bind_text(insertOp, 1, s_device, -1, SQLITE_STATIC);
            sqlite3_bind_int64(insertOp, 2, op.seq);
            sqlite3_bind_text(insertOp, 3, op.opId.c_str(), -1, SQLITE_STATIC);
            sqlite3_bind_text(insertOp, 4, payloadJson.c_str(), -1, SQLITE_STATIC);
            check(sqlite3_step(insertOp) == SQLITE_DONE, "insert op");
            sqlite3_reset(insertOp);
            sqlite3_bind_text(insertMovement, 1, payload.sku.c_str(), -1, SQLITE_STATIC);
            sqlite3_bind_text(insertMovement, 2, payload.location.c_str(), -1, SQLITE_STATIC);
            sqlite3_bind_int64(insertMovement, 3, payload.quantity);
            sqlite3_bind_text(insertMovement, 4, op.opId.c_str(), -1, SQLITE_STATIC);
            check(sqlite3_step(insertMovement) == SQLITE_DONE, "insert movement");
            sqlite3_reset(insertMovement);
        }
        check(sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr) == SQLITE_OK, "commit");
    }
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    sqlite3_finalize(insertOp);
    sqlite3_finalize(insertMovement);
    sqlite3_close(db);
    return batches * s_batchSize / seconds;
}

} // namespace

void write(const std::string &output, const boost::json::object &result)
{
    std::filesystem::create_directories(std::filesystem::path(output).parent_path());
    std::ofstream file(output);
    file << boost::json::serialize(result) << "\n";
    std::printf("%s\n", boost::json::serialize(result).c_str());
    check(file.good(), "write results");
}

int main(int argc, char **argv)
{
    const int batches = argc > 1 ? std::max(1, std::atoi(argv[1])) : 40;
    const std::string output = argc > 2 ? argv[2] : SOKO_SOURCE_DIR "/bench/results/push.json";
    const auto dir = std::filesystem::temp_directory_path() / ("soko-push-bench-" + Server::Storage::randomToken(6));
    std::filesystem::create_directories(dir);
    const double pushRate = benchPush((dir / "store.db").string(), batches);
    const double rawRate = benchRaw((dir / "raw.db").string(), batches);
    std::filesystem::remove_all(dir);

    boost::json::object result;
    result["benchmark"] = "push";
    result["batches"] = batches;
    result["batch_size"] = s_batchSize;
    result["durable"] = "WAL + synchronous=FULL, one transaction per batch";
    result["push_ops_per_second"] = static_cast<std::int64_t>(pushRate);
    result["raw_sqlite_ops_per_second"] = static_cast<std::int64_t>(rawRate);
    result["push_batches_per_second"] = pushRate / s_batchSize;
    result["push_vs_raw"] = pushRate / rawRate;
    result["push_path"] = "decodePushRequest + SyncService::push (ledger, balance, change log, applied_ops) + encode";
    result["raw_path"] = "2 prepared INSERTs per op (op row + movement row)";
    write(output, result);

#ifdef SOKO_HAVE_POSTGRESQL
    const char *url = std::getenv("SOKO_TEST_PG_URL");
    const char *adminUrl = std::getenv("SOKO_TEST_PG_ADMIN_URL");
    if (!url || !adminUrl) {
        std::fprintf(stderr, "push_bench: SOKO_TEST_PG_URL/SOKO_TEST_PG_ADMIN_URL not set, PostgreSQL skipped\n");
        return 0;
    }
    const std::string tag = Server::Storage::randomToken(4);
    const std::string pushDatabase = "soko_bench_push_" + tag;
    const std::string parallelDatabase = "soko_bench_parallel_" + tag;
    const std::string rawDatabase = "soko_bench_raw_" + tag;
    const double pgPush = benchPush(freshDatabase(url, adminUrl, pushDatabase), batches);
    const double pgParallel = benchPush(freshDatabase(url, adminUrl, parallelDatabase), batches / 4 + 1, 4);
    const double pgRaw = benchRawPostgres(freshDatabase(url, adminUrl, rawDatabase), batches);
    for (const std::string &name : {pushDatabase, parallelDatabase, rawDatabase})
        dropDatabase(adminUrl, name);

    boost::json::object pg;
    pg["benchmark"] = "push_postgresql";
    pg["batches"] = batches;
    pg["batch_size"] = s_batchSize;
    pg["durable"] = "PostgreSQL 15 on loopback, fsync=on, synchronous_commit=on, one transaction per batch";
    pg["push_ops_per_second"] = static_cast<std::int64_t>(pgPush);
    pg["push_4_devices_parallel_ops_per_second"] = static_cast<std::int64_t>(pgParallel);
    pg["raw_libpqxx_ops_per_second"] = static_cast<std::int64_t>(pgRaw);
    pg["push_vs_raw"] = pgPush / pgRaw;
    pg["push_path"] = "decodePushRequest + SyncService::push on PostgresStore (device row lock, batch locks, ledger, "
                      "balance upsert, change log with commit-order versions, applied_ops) + encode";
    pg["raw_path"] = "2 prepared INSERTs per op (op row + movement row) through libpqxx";
    write(std::filesystem::path(output).replace_filename("push_postgresql.json").string(), pg);
#endif
    return 0;
}
