// Push throughput: batches of 500 ops through the real path (strict JSON decode → SyncService →
// one durable SQLite transaction per batch → JSON answer) against raw SQLite inserts of the same
// per-op rows (the recorded op and its ledger movement) in transactions of 500, same machine,
// same run, same pragmas (WAL, synchronous=FULL). Writes bench/results/push.json.
//
// Usage: push_bench [batches=40] [output=<source>/bench/results/push.json]
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <sqlite3.h>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include "common/protocol/protocol.h"
#include "server/storage/ids.h"
#include "server/storage/sqlite/sqlitestore.h"
#include "server/sync/syncservice.h"

namespace {

using Clock = std::chrono::steady_clock;
constexpr int s_batchSize = 500;
const char *s_device = "11111111-1111-4111-8111-111111111111";

void check(bool ok, const char *what)
{
    if (!ok) {
        std::fprintf(stderr, "push_bench: %s failed\n", what);
        std::exit(1);
    }
}

Common::Protocol::PushRequest batch(int index)
{
    Common::Protocol::PushRequest request;
    request.deviceId = s_device;
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

double benchPush(const std::string &path, int batches)
{
    Server::Storage::SqliteOptions options;
    options.durable = true;
    auto opened = Server::Storage::SqliteStore::open(path, options);
    check(bool(opened), "open store");
    auto &store = **opened;
    check(bool(store.upsertWarehouse({"TKY1", "Tokyo"})), "warehouse");
    for (int i = 0; i < 50; ++i)
        check(bool(store.upsertSku({"SKU-" + std::to_string(i), "item", {}, "piece", false})), "sku");
    for (int i = 0; i < 20; ++i)
        check(bool(store.upsertLocation({"TKY1", "A-" + std::to_string(i), "ambient", i})), "location");
    Server::Storage::OperatorRecord op{0, "OP-1", "Sato", "TKY1", "picker", "$argon2id$bench", true};
    check(bool(store.insertOperator(op)), "operator");
    check(bool(store.insertDevice({s_device, "TKY1", "HT", "0A01", Server::Storage::DeviceStatus::Active, 1, {}})),
          "device");
    auto device = *store.device(s_device);
    Server::Sync::SyncService sync(store);

    std::vector<std::string> bodies;
    for (int b = 0; b < batches; ++b)
        bodies.push_back(Common::Protocol::encode(batch(b)));
    const auto start = Clock::now();
    for (const std::string &body : bodies) {
        auto request = Common::Protocol::decodePushRequest(body);
        check(bool(request), "decode");
        auto answer = sync.push(*device, *request);
        check(answer && std::holds_alternative<Common::Protocol::PushResponse>(*answer), "push");
        const std::string reply = Common::Protocol::encode(std::get<Common::Protocol::PushResponse>(*answer));
        check(!reply.empty(), "encode");
    }
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    return batches * s_batchSize / seconds;
}

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
    std::filesystem::create_directories(std::filesystem::path(output).parent_path());
    std::ofstream file(output);
    file << boost::json::serialize(result) << "\n";
    std::printf("%s\n", boost::json::serialize(result).c_str());
    return file.good() ? 0 : 1;
}
