// Push throughput for batches of 1, 50 and 500 ops through the real path (strict JSON decode →
// SyncService → one durable transaction per batch → JSON answer) against plain inserts of the
// same per-op rows (the recorded op and its ledger movement) in transactions of the same size,
// same machine, same run, `rounds` rounds (median, min, max).
// SQLite: WAL, synchronous=FULL (the server store's PRAGMAs), reference through the sqlite3 C API.
// PostgreSQL (when SOKO_TEST_PG_URL and SOKO_TEST_PG_ADMIN_URL are set, e.g. by scripts/pg.sh):
// a fresh database per run, the PostgresStore path (commit-order versions, row locks) against
// pgbench (-M prepared -c 1 -t batches, a custom script: BEGIN; 2 × batch INSERTs; COMMIT) and
// against libpqxx prepared INSERTs. Writes bench/results/push.json.
//
// Usage: push_bench [rounds=3] [scale=1.0] [output=<source>/bench/results/push.json]
//   scale multiplies the ops per run (batch 1: 400, 50: 5,000, 500: 20,000).
#include <algorithm>
#include <chrono>
#include <ctime>
#include <vector>
#include <cstdio>
#include <cstdlib>
#include <thread>
#include <filesystem>
#include <fstream>
#include <string>
#include <sqlite3.h>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include "bench/benchmachine.h"
#include "bench/benchops.h"
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
int s_batchSize = 500; // the batch size of the current run
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
        request.ops.push_back(benchReceipt(seq, Server::Storage::randomUuid()));
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
// The reference's two tables in PostgreSQL: the op as received and its stock movement.
void createRawTables(pqxx::work &schema)
{
    schema.exec("CREATE TABLE raw_ops (device_id text, seq bigint, op_id text, type text, payload text, "
                "PRIMARY KEY (device_id, seq))");
    schema.exec("CREATE TABLE raw_movements (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, sku text, "
                "location text, delta bigint, op_id text)");
}

// The same two rows per op as benchRaw, through libpqxx prepared statements, one transaction of
// 500 ops per batch (synchronous_commit on, as the server runs).
double benchRawPostgres(const std::string &url, int batches)
{
    pqxx::connection db(url);
    {
        pqxx::work schema(db);
        createRawTables(schema);
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

#ifdef SOKO_HAVE_POSTGRESQL
// pgbench with a custom script: one transaction of `batchSize` × (op row + movement row), the same
// rows as benchRawPostgres (uuid from gen_random_uuid(), seq from a sequence), -M prepared, one
// client, `batches` transactions. Returns ops per second (tps × batch size); 0 when pgbench fails.
double benchPgbench(const std::string &url, int batches, int batchSize, const std::filesystem::path &folder)
{
    {
        pqxx::connection db(url);
        pqxx::work schema(db);
        createRawTables(schema);
        schema.exec("CREATE SEQUENCE raw_seq");
        schema.commit();
    }
    const std::filesystem::path script = folder / ("push_" + std::to_string(batchSize) + ".sql");
    {
        std::ofstream file(script);
        file << "BEGIN;\n";
        for (int i = 0; i < batchSize; ++i) {
            file << "\\set sku random(0, 49)\n\\set location random(0, 19)\n\\set quantity random(1, 7)\n";
            file << "INSERT INTO raw_ops VALUES ('" << s_device
                 << "', nextval('raw_seq'), gen_random_uuid()::text, 'receive', "
                    "'{\"sku\":\"SKU-' || :sku || '\",\"location\":\"A-' || :location || '\",\"quantity\":' || "
                    ":quantity || '}');\n";
            file << "INSERT INTO raw_movements(sku, location, delta, op_id) VALUES ('SKU-' || :sku, 'A-' || "
                    ":location, :quantity, currval('raw_seq')::text);\n";
        }
        file << "COMMIT;\n";
    }
    const std::string command = "pgbench -n -M prepared -c 1 -t " + std::to_string(batches) + " -f '" +
                                script.string() + "' '" + url + "' 2>&1";
    FILE *pipe = popen(command.c_str(), "r");
    if (!pipe)
        return 0;
    std::string output;
    char buffer[512];
    while (std::fgets(buffer, sizeof buffer, pipe))
        output += buffer;
    const int status = pclose(pipe);
    const auto at = output.find("tps = ");
    if (status != 0 || at == std::string::npos) {
        std::fprintf(stderr, "push_bench: pgbench failed:\n%s\n", output.c_str());
        return 0;
    }
    return std::atof(output.c_str() + at + 6) * batchSize;
}
#endif

std::string utcNow()
{
    const std::time_t now = std::time(nullptr);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
    return text;
}

// {median, min, max, values} of the rounds.
boost::json::object spread(std::vector<double> values)
{
    boost::json::object out;
    boost::json::array all;
    for (const double value : values)
        all.push_back(value);
    std::sort(values.begin(), values.end());
    out["median"] = values.empty() ? 0.0 : values[values.size() / 2];
    out["min"] = values.empty() ? 0.0 : values.front();
    out["max"] = values.empty() ? 0.0 : values.back();
    out["values"] = all;
    return out;
}

void write(const std::string &output, const boost::json::object &result)
{
    std::filesystem::create_directories(std::filesystem::path(output).parent_path());
    std::ofstream file(output);
    file << boost::json::serialize(result) << "\n";
    std::printf("%s\n", boost::json::serialize(result).c_str());
    check(file.good(), "write results");
}

// Ops per run for a batch size: enough for a few seconds of fsyncs without taking minutes.
int batchesFor(int batchSize, double scale)
{
    const double ops = batchSize == 1 ? 400 : batchSize == 50 ? 5000 : 20000;
    return std::max(2, static_cast<int>(ops * scale / batchSize));
}

} // namespace

int main(int argc, char **argv)
{
    const int rounds = argc > 1 ? std::max(1, std::atoi(argv[1])) : 3;
    const double scale = argc > 2 ? std::max(0.01, std::atof(argv[2])) : 1.0;
    const std::string output = argc > 3 ? argv[3] : SOKO_SOURCE_DIR "/bench/results/push.json";
    // Profiling a reduced run: SOKO_PUSH_BENCH_BATCHES=500 and SOKO_PUSH_BENCH_BACKENDS=sqlite|postgresql.
    std::vector<int> batchSizes{1, 50, 500};
    if (const char *only = std::getenv("SOKO_PUSH_BENCH_BATCHES"))
        batchSizes = {std::max(1, std::atoi(only))};
    const std::string backends =
        std::getenv("SOKO_PUSH_BENCH_BACKENDS") ? std::getenv("SOKO_PUSH_BENCH_BACKENDS") : "sqlite,postgresql";
    const auto dir = std::filesystem::temp_directory_path() / ("soko-push-bench-" + Server::Storage::randomToken(6));
    std::filesystem::create_directories(dir);

    boost::json::object result;
    result["benchmark"] = "push";
    result["rounds"] = rounds;
    result["date_utc"] = utcNow();
    result["load_average_start"] = benchLoadAverage();
    result["unit"] = "ops per second (higher is better); ratio = Soko / reference";
    result["push_path"] = "decodePushRequest + SyncService::push (ledger, balance, change log, applied_ops) + encode";
    result["sqlite_durable"] = "WAL + synchronous=FULL (as server/storage/sqlite), one transaction per batch";
    result["sqlite_reference"] = "sqlite3 C API: 2 prepared INSERTs per op (op row + movement row), BEGIN "
                                 "IMMEDIATE … COMMIT per batch, same PRAGMAs";

    boost::json::object sqlite;
    for (const int batchSize : batchSizes) {
        if (backends.find("sqlite") == std::string::npos)
            break;
        s_batchSize = batchSize;
        const int batches = batchesFor(batchSize, scale);
        std::vector<double> soko, raw;
        for (int round = 0; round < rounds; ++round) {
            const auto runDir = dir / ("r" + std::to_string(batchSize) + "-" + std::to_string(round));
            std::filesystem::create_directories(runDir);
            soko.push_back(benchPush((runDir / "store.db").string(), batches));
            raw.push_back(benchRaw((runDir / "raw.db").string(), batches));
            std::filesystem::remove_all(runDir);
        }
        boost::json::object row;
        row["batch_size"] = batchSize;
        row["ops_per_run"] = batches * batchSize;
        row["soko"] = spread(soko);
        row["raw_sqlite3"] = spread(raw);
        std::sort(soko.begin(), soko.end());
        std::sort(raw.begin(), raw.end());
        row["ratio"] = soko[soko.size() / 2] / raw[raw.size() / 2];
        sqlite[std::to_string(batchSize)] = row;
        std::fprintf(stderr, "push_bench: sqlite batch %d: soko %.0f ops/s, raw %.0f ops/s\n", batchSize,
                     soko[soko.size() / 2], raw[raw.size() / 2]);
    }
    result["sqlite"] = sqlite;

#ifdef SOKO_HAVE_POSTGRESQL
    const char *url = std::getenv("SOKO_TEST_PG_URL");
    const char *adminUrl = std::getenv("SOKO_TEST_PG_ADMIN_URL");
    if (backends.find("postgresql") == std::string::npos) {
        result["postgresql"] = "not run: SOKO_PUSH_BENCH_BACKENDS";
    } else if (!url || !adminUrl) {
        std::fprintf(stderr, "push_bench: SOKO_TEST_PG_URL/SOKO_TEST_PG_ADMIN_URL not set, PostgreSQL skipped\n");
        result["postgresql"] = "not run: SOKO_TEST_PG_URL / SOKO_TEST_PG_ADMIN_URL not set";
    } else {
        result["postgresql_durable"] = "PostgreSQL on loopback, fsync=on, synchronous_commit=on, one transaction "
                                       "per batch";
        result["postgresql_reference"] = "pgbench -M prepared -c 1 -t <batches>, script BEGIN; per op INSERT op row "
                                         "+ INSERT movement row; COMMIT (and libpqxx prepared INSERTs, same rows)";
        boost::json::object pg;
        for (const int batchSize : batchSizes) {
            s_batchSize = batchSize;
            const int batches = std::max(2, batchesFor(batchSize, scale) / (batchSize == 1 ? 1 : 2));
            std::vector<double> soko, pgbench, libpqxx;
            for (int round = 0; round < rounds; ++round) {
                const std::string tag = Server::Storage::randomToken(4);
                const std::string pushDatabase = "soko_bench_push_" + tag;
                const std::string pgbenchDatabase = "soko_bench_pgbench_" + tag;
                const std::string rawDatabase = "soko_bench_raw_" + tag;
                soko.push_back(benchPush(freshDatabase(url, adminUrl, pushDatabase), batches));
                pgbench.push_back(benchPgbench(freshDatabase(url, adminUrl, pgbenchDatabase), batches, batchSize, dir));
                libpqxx.push_back(benchRawPostgres(freshDatabase(url, adminUrl, rawDatabase), batches));
                for (const std::string &name : {pushDatabase, pgbenchDatabase, rawDatabase})
                    dropDatabase(adminUrl, name);
            }
            boost::json::object row;
            row["batch_size"] = batchSize;
            row["ops_per_run"] = batches * batchSize;
            row["soko"] = spread(soko);
            row["pgbench"] = spread(pgbench);
            row["raw_libpqxx"] = spread(libpqxx);
            std::sort(soko.begin(), soko.end());
            std::sort(pgbench.begin(), pgbench.end());
            row["ratio"] = pgbench[pgbench.size() / 2] > 0 ? soko[soko.size() / 2] / pgbench[pgbench.size() / 2] : 0.0;
            pg[std::to_string(batchSize)] = row;
            std::fprintf(stderr, "push_bench: postgresql batch %d: soko %.0f ops/s, pgbench %.0f ops/s\n", batchSize,
                         soko[soko.size() / 2], pgbench[pgbench.size() / 2]);
        }
        result["postgresql"] = pg;
    }
#else
    result["postgresql"] = "not run: built without libpqxx";
#endif
    std::filesystem::remove_all(dir);
    result["load_average_end"] = benchLoadAverage();
    write(output, result);
    return 0;
}
