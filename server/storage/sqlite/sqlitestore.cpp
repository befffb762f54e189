#include "server/storage/sqlite/sqlitestore.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <thread>
#include <sqlite3.h>
#include <array>
#include "common/protocol/protocol.h"
#include "server/storage/auditchain.h"
#include "server/storage/changedata.h"
#include "server/storage/ids.h"
#include "server/storage/migrations.h"

namespace Server::Storage {

namespace {

using Common::ErrorCode;
using Common::fail;
using Common::Domain::OperationOutcome;

std::optional<Common::Domain::Date> parseDate(const std::string &text)
{
    int year = 0, month = 0, day = 0;
    if (text.size() != 10 || std::sscanf(text.c_str(), "%4d-%2d-%2d", &year, &month, &day) != 3)
        return std::nullopt;
    return Common::Domain::Date{year, month, day};
}

std::string formatDate(const Common::Domain::Date &date)
{
    char text[32];
    std::snprintf(text, sizeof text, "%04d-%02d-%02d", date.year, date.month, date.day);
    return text;
}

// Stable Storage error; the SQLite text is for the log only (R38: never in API bodies).
Common::Error sqliteError(sqlite3 *db, int rc, std::string_view what)
{
    // A constraint refusal is an expected outcome the API may show (409), so its message names
    // no table or column; every other failure is a Storage error that only reaches the log.
    if ((rc & 0xff) == SQLITE_CONSTRAINT)
        return Common::Error::make(ErrorCode::Conflict,
                                   "conflict: the write would break a uniqueness or reference rule");
    return Common::Error::make(ErrorCode::Storage,
                               std::string(what) + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc)));
}

} // namespace

// A cached prepared statement in use: bound by index, reset and unbound when it goes away.
class SqliteStore::Statement
{
public:
    Statement(sqlite3 *db, sqlite3_stmt *statement)
        : m_db(db)
        , m_statement(statement)
    {}
    Statement(Statement &&other) noexcept
        : m_db(other.m_db)
        , m_statement(other.m_statement)
    {
        other.m_statement = nullptr;
    }
    Statement &operator=(Statement &&) = delete;
    ~Statement()
    {
        if (m_statement) {
            sqlite3_reset(m_statement);
            sqlite3_clear_bindings(m_statement);
        }
    }

    Statement &bind(int index, std::int64_t value)
    {
        record(sqlite3_bind_int64(m_statement, index, value));
        return *this;
    }
    Statement &bind(int index, int value) { return bind(index, static_cast<std::int64_t>(value)); }
    Statement &bind(int index, bool value) { return bind(index, static_cast<std::int64_t>(value ? 1 : 0)); }
    Statement &bind(int index, std::string_view value)
    {
        record(sqlite3_bind_text64(m_statement, index, value.data(), value.size(), SQLITE_TRANSIENT, SQLITE_UTF8));
        return *this;
    }
    Statement &bind(int index, const std::string &value) { return bind(index, std::string_view(value)); }
    Statement &bind(int index, const char *value) { return bind(index, std::string_view(value)); }
    Statement &bind(int index, const std::optional<std::string> &value)
    {
        if (value)
            return bind(index, std::string_view(*value));
        record(sqlite3_bind_null(m_statement, index));
        return *this;
    }

    // A blob; nullopt binds NULL. (An empty blob needs a non-null pointer: SQLite binds NULL for one.)
    Statement &bind(int index, const std::optional<Bytes> &value)
    {
        if (!value) {
            record(sqlite3_bind_null(m_statement, index));
            return *this;
        }
        static const std::uint8_t none = 0;
        record(sqlite3_bind_blob64(m_statement, index, value->empty() ? &none : value->data(), value->size(),
                                   SQLITE_TRANSIENT));
        return *this;
    }

    // true = a row is ready, false = done.
    Result<bool> step()
    {
        if (m_bindError != SQLITE_OK)
            return tl::unexpected(sqliteError(m_db, m_bindError, "bind"));
        const int rc = sqlite3_step(m_statement);
        if (rc == SQLITE_ROW)
            return true;
        if (rc == SQLITE_DONE)
            return false;
        return tl::unexpected(sqliteError(m_db, rc, "step"));
    }
    Result<void> run()
    {
        auto stepped = step();
        if (!stepped)
            return tl::unexpected(stepped.error());
        return {};
    }

    std::int64_t integer(int column) const { return sqlite3_column_int64(m_statement, column); }
    bool isNull(int column) const { return sqlite3_column_type(m_statement, column) == SQLITE_NULL; }
    std::string text(int column) const
    {
        const auto *data = sqlite3_column_text(m_statement, column);
        const int size = sqlite3_column_bytes(m_statement, column);
        return data ? std::string(reinterpret_cast<const char *>(data), static_cast<std::size_t>(size)) : std::string();
    }
    std::optional<std::string> optionalText(int column) const
    {
        if (isNull(column))
            return std::nullopt;
        return text(column);
    }
    std::optional<Bytes> optionalBlob(int column) const
    {
        if (isNull(column))
            return std::nullopt;
        const auto *data = static_cast<const std::uint8_t *>(sqlite3_column_blob(m_statement, column));
        const int size = sqlite3_column_bytes(m_statement, column);
        return data ? Bytes(data, data + size) : Bytes();
    }

private:
    void record(int rc)
    {
        if (rc != SQLITE_OK && m_bindError == SQLITE_OK)
            m_bindError = rc;
    }
    sqlite3 *m_db;
    sqlite3_stmt *m_statement;
    int m_bindError = SQLITE_OK;
};

namespace {

// Runs `body` atomically: inside the caller's transaction as a savepoint, or as its own.
template <typename Exec, typename Body> auto atomically(Exec exec, Body body) -> decltype(body())
{
    if (auto started = exec("SAVEPOINT soko_atomic"); !started)
        return tl::unexpected(started.error());
    auto result = body();
    if (result) {
        if (auto released = exec("RELEASE soko_atomic"); !released) {
            (void)exec("ROLLBACK TO soko_atomic");
            (void)exec("RELEASE soko_atomic");
            return tl::unexpected(released.error());
        }
    } else {
        (void)exec("ROLLBACK TO soko_atomic");
        (void)exec("RELEASE soko_atomic");
    }
    return result;
}

} // namespace

#define SOKO_TRY(expression)                                                                                           \
    do {                                                                                                               \
        auto soko_try_result = (expression);                                                                           \
        if (!soko_try_result)                                                                                          \
            return tl::unexpected(soko_try_result.error());                                                            \
    } while (false)

#define SOKO_PREPARE(name, sql)                                                                                        \
    auto name##_prepared = prepare(sql);                                                                               \
    if (!name##_prepared)                                                                                              \
        return tl::unexpected(name##_prepared.error());                                                                \
    Statement &name = *name##_prepared

#define SOKO_STEP(variable, statement)                                                                                 \
    auto variable##_step = (statement).step();                                                                         \
    if (!variable##_step)                                                                                              \
        return tl::unexpected(variable##_step.error());                                                                \
    const bool variable = *variable##_step

using Lock = std::lock_guard<std::recursive_mutex>;

SqliteStore::SqliteStore(sqlite3 *db, SqliteOptions options)
    : m_db(db)
    , m_options(std::move(options))
{}

SqliteStore::~SqliteStore()
{
    for (auto &[sql, statement] : m_statements)
        sqlite3_finalize(statement);
    sqlite3_close_v2(m_db);
}

Result<std::unique_ptr<SqliteStore>> SqliteStore::open(const std::string &path, SqliteOptions options)
{
    sqlite3 *db = nullptr;
    const int rc = sqlite3_open_v2(
        path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE,
        nullptr);
    if (rc != SQLITE_OK) {
        Common::Error error = sqliteError(db, rc, "open " + path);
        sqlite3_close_v2(db);
        return tl::unexpected(error);
    }
    std::unique_ptr<SqliteStore> store(new SqliteStore(db, std::move(options)));
    SOKO_TRY(store->configure());
    SOKO_TRY(store->migrate());
    return store;
}

Result<void> SqliteStore::exec(const char *sql)
{
    char *message = nullptr;
    const int rc = sqlite3_exec(m_db, sql, nullptr, nullptr, &message);
    if (rc != SQLITE_OK) {
        std::string text = message ? message : sqlite3_errstr(rc);
        sqlite3_free(message);
        if ((rc & 0xff) == SQLITE_CONSTRAINT)
            return Common::fail(ErrorCode::Conflict, "conflict: the write would break a uniqueness or reference rule");
        return Common::fail(ErrorCode::Storage, std::string("exec: ") + text);
    }
    return {};
}

Result<void> SqliteStore::configure()
{
    int enabled = 0;
    // Hardening (REQUIREMENTS.md §5.2): no schema corruption through SQL, no extensions, no
    // functions with side effects from the schema, bounded values.
    sqlite3_db_config(m_db, SQLITE_DBCONFIG_DEFENSIVE, 1, &enabled);
    sqlite3_db_config(m_db, SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, 0, &enabled);
    sqlite3_db_config(m_db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, &enabled);
    sqlite3_limit(m_db, SQLITE_LIMIT_LENGTH, 16 * 1024 * 1024);
    sqlite3_limit(m_db, SQLITE_LIMIT_SQL_LENGTH, 1024 * 1024);
    sqlite3_busy_timeout(m_db, m_options.busyTimeoutMs);
    // Switching a brand-new file to WAL takes an exclusive lock, and SQLite returns BUSY at once
    // (without the busy handler) when it would deadlock with another process opening the same
    // file: try again until the busy timeout.
    SOKO_TRY(execWhileBusy("PRAGMA journal_mode=WAL"));
    SOKO_TRY(exec(m_options.durable ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=OFF"));
    SOKO_TRY(exec("PRAGMA foreign_keys=ON"));
    SOKO_TRY(exec("PRAGMA trusted_schema=OFF"));
    return {};
}

Result<void> SqliteStore::migrate()
{
    Lock lock(m_mutex);
    // Under the write lock, taken with the busy handler: a deferred read-then-write would get
    // SQLITE_BUSY at once if another process created the table in between.
    SOKO_TRY(execWhileBusy("BEGIN IMMEDIATE"));
    if (auto created = exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL) STRICT"); !created) {
        (void)exec("ROLLBACK");
        return created;
    }
    SOKO_TRY(exec("COMMIT"));
    auto current = schemaVersion();
    if (!current)
        return tl::unexpected(current.error());
    for (const Migration &migration : sqliteMigrations()) {
        if (migration.version <= *current)
            continue;
        SOKO_TRY(execWhileBusy("BEGIN IMMEDIATE"));
        // Another process may have migrated while we waited for the write lock: look again inside it.
        current = schemaVersion();
        if (!current || migration.version <= *current) {
            (void)exec("ROLLBACK");
            if (!current)
                return tl::unexpected(current.error());
            continue;
        }
        const std::string sql(migration.sql);
        auto applied = exec(sql.c_str());
        if (applied) {
            SOKO_PREPARE(record, "INSERT INTO schema_version(version) VALUES (?1)");
            applied = record.bind(1, migration.version).run();
        }
        if (!applied) {
            (void)exec("ROLLBACK");
            return tl::unexpected(applied.error());
        }
        SOKO_TRY(exec("COMMIT"));
    }
    // The first process to get here names the epoch; a concurrent one keeps it.
    SOKO_PREPARE(epochRow, "INSERT INTO server_meta(key, value) VALUES ('epoch', ?1) ON CONFLICT(key) DO NOTHING");
    return epochRow.bind(1, randomUuid()).run();
}

Result<void> SqliteStore::execWhileBusy(const char *sql)
{
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(m_options.busyTimeoutMs);
    for (;;) {
        const int rc = sqlite3_exec(m_db, sql, nullptr, nullptr, nullptr);
        const int primary = rc & 0xff;
        if (rc == SQLITE_OK)
            return {};
        if ((primary != SQLITE_BUSY && primary != SQLITE_LOCKED) || std::chrono::steady_clock::now() >= deadline)
            return Common::fail(ErrorCode::Storage, std::string("exec: ") + sqlite3_errmsg(m_db));
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
}

Result<SqliteStore::Statement> SqliteStore::prepare(std::string_view sql)
{
    auto found = m_statements.find(sql);
    if (found == m_statements.end()) {
        sqlite3_stmt *statement = nullptr;
        const int rc = sqlite3_prepare_v3(m_db, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                                          &statement, nullptr);
        if (rc != SQLITE_OK)
            return tl::unexpected(sqliteError(m_db, rc, "prepare"));
        found = m_statements.emplace(sql, statement).first;
    }
    return Statement(m_db, found->second);
}

std::string SqliteStore::now()
{
    return m_options.clock ? m_options.clock() : utcNowIso();
}

// ---- transactions and meta ----

Result<void> SqliteStore::begin()
{
    m_mutex.lock();
    auto begun = exec("BEGIN IMMEDIATE");
    if (!begun)
        m_mutex.unlock();
    return begun;
}

Result<void> SqliteStore::commit()
{
    auto committed = exec("COMMIT");
    if (!committed)
        (void)exec("ROLLBACK");
    m_mutex.unlock();
    return committed;
}

void SqliteStore::rollback()
{
    (void)exec("ROLLBACK");
    m_mutex.unlock();
}

Result<int> SqliteStore::schemaVersion()
{
    Lock lock(m_mutex);
    SOKO_PREPARE(query, "SELECT coalesce(max(version), 0) FROM schema_version");
    SOKO_STEP(row, query);
    return row ? static_cast<int>(query.integer(0)) : 0;
}

Result<std::optional<std::string>> SqliteStore::meta(std::string_view key)
{
    Lock lock(m_mutex);
    SOKO_PREPARE(query, "SELECT value FROM server_meta WHERE key = ?1");
    query.bind(1, key);
    SOKO_STEP(row, query);
    if (!row)
        return std::optional<std::string>();
    return std::optional<std::string>(query.text(0));
}

Result<void> SqliteStore::setMeta(std::string_view key, std::string_view value)
{
    Lock lock(m_mutex);
    SOKO_PREPARE(query, "INSERT INTO server_meta(key, value) VALUES (?1, ?2) "
                        "ON CONFLICT(key) DO UPDATE SET value = excluded.value");
    return query.bind(1, key).bind(2, value).run();
}

Result<std::string> SqliteStore::epoch()
{
    auto value = meta("epoch");
    if (!value)
        return tl::unexpected(value.error());
    if (!*value)
        return Common::fail(ErrorCode::Storage, "server_meta has no epoch");
    return **value;
}

Result<std::string> SqliteStore::rotateEpoch()
{
    Lock lock(m_mutex);
    std::string fresh = randomUuid();
    SOKO_TRY(setMeta("epoch", fresh));
    return fresh;
}

Result<void> SqliteStore::ping()
{
    Lock lock(m_mutex);
    SOKO_PREPARE(query, "SELECT 1");
    SOKO_STEP(row, query);
    if (!row)
        return Common::fail(ErrorCode::Storage, "ping returned no row");
    return {};
}

// ---- master data ----

Result<void> SqliteStore::upsertWarehouse(const Warehouse &warehouse)
{
    Lock lock(m_mutex);
    SOKO_PREPARE(query, "INSERT INTO warehouses(code, name) VALUES (?1, ?2) "
                        "ON CONFLICT(code) DO UPDATE SET name = excluded.name");
    return query.bind(1, warehouse.code).bind(2, warehouse.name).run();
}

Result<std::vector<Warehouse>> SqliteStore::warehouses()
{
    Lock lock(m_mutex);
    SOKO_PREPARE(query, "SELECT code, name FROM warehouses ORDER BY code");
    std::vector<Warehouse> out;
    for (;;) {
        SOKO_STEP(row, query);
        if (!row)
            break;
        out.push_back(Warehouse{query.text(0), query.text(1)});
    }
    return out;
}

Result<bool> SqliteStore::warehouseExists(std::string_view code)
{
    Lock lock(m_mutex);
    SOKO_PREPARE(query, "SELECT 1 FROM warehouses WHERE code = ?1");
    query.bind(1, code);
    SOKO_STEP(row, query);
    return row;
}

Result<void> SqliteStore::upsertSku(const Sku &sku)
{
    Lock lock(m_mutex);
    return atomically(
        [this](const char *sql) { return exec(sql); },
        [&]() -> Result<void> {
            {
                SOKO_PREPARE(query,
                             "INSERT INTO skus(code, name, base_unit, lot_controlled) VALUES (?1, ?2, ?3, ?4) "
                             "ON CONFLICT(code) DO UPDATE SET name = excluded.name, base_unit = excluded.base_unit, "
                             "lot_controlled = excluded.lot_controlled");
                SOKO_TRY(
                    query.bind(1, sku.code).bind(2, sku.name).bind(3, sku.baseUnit).bind(4, sku.lotControlled).run());
            }
            {
                SOKO_PREPARE(clear, "DELETE FROM sku_gtins WHERE sku = ?1");
                SOKO_TRY(clear.bind(1, sku.code).run());
            }
            for (const std::string &gtin : sku.gtins) {
                SOKO_PREPARE(add, "INSERT INTO sku_gtins(gtin, sku) VALUES (?1, ?2)");
                SOKO_TRY(add.bind(1, gtin).bind(2, sku.code).run());
            }
            return appendChange(ChangeRecord{0, std::nullopt, ChangeData::skuEntity, sku.code, ChangeData::ofSku(sku)})
                .map([](std::int64_t) {});
        });
}

Result<std::optional<Sku>> SqliteStore::sku(std::string_view code)
{
    Lock lock(m_mutex);
    Sku sku;
    {
        SOKO_PREPARE(query, "SELECT code, name, base_unit, lot_controlled FROM skus WHERE code = ?1");
        query.bind(1, code);
        SOKO_STEP(row, query);
        if (!row)
            return std::optional<Sku>();
        sku.code = query.text(0);
        sku.name = query.text(1);
        sku.baseUnit = query.text(2);
        sku.lotControlled = query.integer(3) != 0;
    }
    SOKO_PREPARE(gtins, "SELECT gtin FROM sku_gtins WHERE sku = ?1 ORDER BY gtin");
    gtins.bind(1, code);
    for (;;) {
        SOKO_STEP(row, gtins);
        if (!row)
            break;
        sku.gtins.push_back(gtins.text(0));
    }
    return std::optional<Sku>(std::move(sku));
}

Result<std::optional<std::string>> SqliteStore::skuCodeByGtin(std::string_view gtin14)
{
    Lock lock(m_mutex);
    SOKO_PREPARE(query, "SELECT sku FROM sku_gtins WHERE gtin = ?1");
    query.bind(1, gtin14);
    SOKO_STEP(row, query);
    if (!row)
        return std::optional<std::string>();
    return std::optional<std::string>(query.text(0));
}

Result<std::vector<Sku>> SqliteStore::skus(std::string_view afterCode, int limit)
{
    // An empty search text matches every SKU: one query and one loading loop serve both.
    return searchSkus({}, afterCode, limit);
}

Result<void> SqliteStore::upsertLocation(const Location &location)
{
    Lock lock(m_mutex);
    return atomically(
        [this](const char *sql) { return exec(sql); },
        [&]() -> Result<void> {
            SOKO_PREPARE(query, "INSERT INTO locations(warehouse, code, zone, pick_sequence) VALUES (?1, ?2, ?3, ?4) "
                                "ON CONFLICT(warehouse, code) DO UPDATE SET zone = excluded.zone, "
                                "pick_sequence = excluded.pick_sequence");
            SOKO_TRY(query.bind(1, location.warehouse)
                         .bind(2, location.code)
                         .bind(3, location.zone)
                         .bind(4, location.pickSequence)
                         .run());
            return appendChange(ChangeRecord{0, location.warehouse, ChangeData::locationEntity, location.code,
                                             ChangeData::ofLocation(location)})
                .map([](std::int64_t) {});
        });
}

Result<std::optional<Location>> SqliteStore::location(std::string_view warehouse, std::string_view code)
{
    Lock lock(m_mutex);
    SOKO_PREPARE(query,
                 "SELECT warehouse, code, zone, pick_sequence FROM locations WHERE warehouse = ?1 AND code = ?2");
    query.bind(1, warehouse).bind(2, code);
    SOKO_STEP(row, query);
    if (!row)
        return std::optional<Location>();
    return std::optional<Location>(Location{query.text(0), query.text(1), query.text(2), query.integer(3)});
}

Result<std::vector<Location>> SqliteStore::locations(std::string_view warehouse)
{
    Lock lock(m_mutex);
    SOKO_PREPARE(query, "SELECT warehouse, code, zone, pick_sequence FROM locations WHERE warehouse = ?1 "
                        "ORDER BY pick_sequence, code");
    query.bind(1, warehouse);
    std::vector<Location> out;
    for (;;) {
        SOKO_STEP(row, query);
        if (!row)
            break;
        out.push_back(Location{query.text(0), query.text(1), query.text(2), query.integer(3)});
    }
    return out;
}

Result<void> SqliteStore::upsertLot(const Lot &lot)
{
    Lock lock(m_mutex);
    return atomically(
        [this](const char *sql) { return exec(sql); },
        [&]() -> Result<void> {
            SOKO_PREPARE(query,
                         "INSERT INTO lots(sku, code, expiry, blocked) VALUES (?1, ?2, ?3, ?4) "
                         "ON CONFLICT(sku, code) DO UPDATE SET expiry = excluded.expiry, blocked = excluded.blocked");
            std::optional<std::string> expiry;
            if (lot.expiry)
                expiry = formatDate(*lot.expiry);
            SOKO_TRY(query.bind(1, lot.skuCode).bind(2, lot.code).bind(3, expiry).bind(4, lot.blocked).run());
            return appendChange(ChangeRecord{0, std::nullopt, ChangeData::lotEntity,
                                             ChangeData::lotKey(lot.skuCode, lot.code), ChangeData::ofLot(lot)})
                .map([](std::int64_t) {});
        });
}

Result<std::optional<Lot>> SqliteStore::lot(std::string_view sku, std::string_view code)
{
    Lock lock(m_mutex);
    SOKO_PREPARE(query, "SELECT sku, code, expiry, blocked FROM lots WHERE sku = ?1 AND code = ?2");
    query.bind(1, sku).bind(2, code);
    SOKO_STEP(row, query);
    if (!row)
        return std::optional<Lot>();
    Lot lot{query.text(0), query.text(1), std::nullopt, query.integer(3) != 0};
    if (auto expiry = query.optionalText(2))
        lot.expiry = parseDate(*expiry);
    return std::optional<Lot>(std::move(lot));
}

// ---- orders ----

Result<std::optional<std::int64_t>> SqliteStore::findOrder(std::string_view store, std::string_view orderNumber)
{
    Lock lock(m_mutex);
    SOKO_PREPARE(query, "SELECT id FROM orders WHERE store = ?1 AND order_number = ?2");
    query.bind(1, store).bind(2, orderNumber);
    SOKO_STEP(row, query);
    if (!row)
        return std::optional<std::int64_t>();
    return std::optional<std::int64_t>(query.integer(0));
}

Result<std::int64_t> SqliteStore::insertOrder(const Order &order)
{
    Lock lock(m_mutex);
    return atomically(
        [this](const char *sql) { return exec(sql); },
        [&]() -> Result<std::int64_t> {
            const std::string at = now();
            std::optional<std::string> warehouse;
            if (!order.warehouse.empty())
                warehouse = order.warehouse;
            std::int64_t id = 0;
            {
                SOKO_PREPARE(query,
                             "INSERT INTO orders(store, order_number, customer, address, warehouse, state, created_at, "
                             "updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7) RETURNING id");
                query.bind(1, order.store)
                    .bind(2, order.orderNumber)
                    .bind(3, order.customer)
                    .bind(4, order.address)
                    .bind(5, warehouse)
                    .bind(6, Common::Domain::orderStateName(order.state))
                    .bind(7, at);
                SOKO_STEP(row, query);
                if (!row)
                    return Common::fail(ErrorCode::Storage, "insert order returned no id");
                id = query.integer(0);
            }
            for (const auto &line : order.lines) {
                SOKO_PREPARE(
                    add, "INSERT INTO order_lines(order_id, line, sku, quantity, picked) VALUES (?1, ?2, ?3, ?4, ?5)");
                SOKO_TRY(add.bind(1, id)
                             .bind(2, line.lineNumber)
                             .bind(3, line.skuCode)
                             .bind(4, line.quantity)
                             .bind(5, line.picked)
                             .run());
            }
            SOKO_TRY(emitOrderChange(id, ""));
            return id;
        });
}

Result<std::optional<Order>> SqliteStore::order(std::int64_t id)
{
    Lock lock(m_mutex);
    Order order;
    {
        SOKO_PREPARE(query, "SELECT id, store, order_number, customer, address, coalesce(warehouse, ''), state "
                            "FROM orders WHERE id = ?1");
        query.bind(1, id);
        SOKO_STEP(row, query);
        if (!row)
            return std::optional<Order>();
        order.id = query.integer(0);
        order.store = query.text(1);
        order.orderNumber = query.text(2);
        order.customer = query.text(3);
        order.address = query.text(4);
        order.warehouse = query.text(5);
        order.state = Common::Domain::orderStateFromName(query.text(6)).value_or(OrderState::Imported);
    }
    SOKO_PREPARE(lines, "SELECT line, sku, quantity, picked FROM order_lines WHERE order_id = ?1 ORDER BY line");
    lines.bind(1, id);
    for (;;) {
        SOKO_STEP(row, lines);
        if (!row)
            break;
        order.lines.push_back(Common::Domain::OrderLine{static_cast<int>(lines.integer(0)), lines.text(1),
                                                        lines.integer(2), lines.integer(3)});
    }
    return std::optional<Order>(std::move(order));
}

Result<std::vector<Order>> SqliteStore::orders(std::optional<OrderState> state, std::optional<std::string> warehouse,
                                               std::int64_t afterId, int limit)
{
    Lock lock(m_mutex);
    std::vector<std::int64_t> ids;
    {
        SOKO_PREPARE(query, "SELECT id FROM orders WHERE (?1 IS NULL OR state = ?1) AND (?2 IS NULL OR warehouse = ?2) "
                            "AND id > ?3 ORDER BY id LIMIT ?4");
        std::optional<std::string> stateName;
        if (state)
            stateName = std::string(Common::Domain::orderStateName(*state));
        query.bind(1, stateName).bind(2, warehouse).bind(3, afterId).bind(4, limit);
        for (;;) {
            SOKO_STEP(row, query);
            if (!row)
                break;
            ids.push_back(query.integer(0));
        }
    }
    std::vector<Order> out;
    for (const std::int64_t id : ids) {
        auto one = order(id);
        if (!one)
            return tl::unexpected(one.error());
        if (*one)
            out.push_back(std::move(**one));
    }
    return out;
}

Result<void> SqliteStore::emitOrderChange(std::int64_t id, const std::string &previousWarehouse)
{
    auto current = order(id);
    if (!current)
        return tl::unexpected(current.error());
    if (!*current)
        return Common::fail(ErrorCode::NotFound, "order " + std::to_string(id) + " not found");
    const Order &value = **current;
    const std::string key = std::to_string(id);
    // The old scope learns the order left it; the new scope gets its full state.
    if (!previousWarehouse.empty() && previousWarehouse != value.warehouse)
        SOKO_TRY(appendChange(ChangeRecord{0, previousWarehouse, ChangeData::orderEntity, key, std::nullopt}));
    if (!value.warehouse.empty())
        SOKO_TRY(
            appendChange(ChangeRecord{0, value.warehouse, ChangeData::orderEntity, key, ChangeData::ofOrder(value)}));
    return {};
}

Result<void> SqliteStore::lockOrder(std::int64_t)
{
    return {}; // BEGIN IMMEDIATE under m_mutex already excludes every other writer
}

Result<void> SqliteStore::lockForBatch(std::vector<std::int64_t>, std::vector<std::string>)
{
    return {}; // one writer at a time: nothing can wait in a cycle
}

Result<void> SqliteStore::setOrderState(std::int64_t id, OrderState state, std::string_view warehouse)
{
    Lock lock(m_mutex);
    return atomically(
        [this](const char *sql) { return exec(sql); },
        [&]() -> Result<void> {
            auto before = order(id);
            if (!before)
                return tl::unexpected(before.error());
            if (!*before)
                return Common::fail(ErrorCode::NotFound, "order " + std::to_string(id) + " not found");
            SOKO_PREPARE(query, "UPDATE orders SET state = ?2, warehouse = ?3, updated_at = ?4 WHERE id = ?1");
            std::optional<std::string> target;
            if (!warehouse.empty())
                target = std::string(warehouse);
            SOKO_TRY(
                query.bind(1, id).bind(2, Common::Domain::orderStateName(state)).bind(3, target).bind(4, now()).run());
            return emitOrderChange(id, (*before)->warehouse);
        });
}

Result<void> SqliteStore::addLinePicked(std::int64_t orderId, int line, Quantity delta)
{
    Lock lock(m_mutex);
    return atomically([this](const char *sql) { return exec(sql); },
                      [&]() -> Result<void> {
                          SOKO_PREPARE(query,
                                       "UPDATE order_lines SET picked = picked + ?3 WHERE order_id = ?1 AND line = ?2");
                          SOKO_TRY(query.bind(1, orderId).bind(2, line).bind(3, delta).run());
                          if (sqlite3_changes(m_db) != 1)
                              return Common::fail(ErrorCode::NotFound, "order line not found");
                          auto current = order(orderId);
                          if (!current)
                              return tl::unexpected(current.error());
                          return emitOrderChange(orderId, (*current)->warehouse);
                      });
}

Result<void> SqliteStore::recordShipment(std::int64_t orderId, std::string_view trackingNumber,
                                         std::string_view carrier)
{
    Lock lock(m_mutex);
    SOKO_PREPARE(query, "INSERT INTO shipments(order_id, tracking_number, carrier, shipped_at) VALUES (?1, ?2, ?3, ?4) "
                        "ON CONFLICT(order_id) DO UPDATE SET tracking_number = excluded.tracking_number, "
                        "carrier = excluded.carrier");
    return query.bind(1, orderId).bind(2, trackingNumber).bind(3, carrier).bind(4, now()).run();
}

// ---- stock ledger ----

Result<Quantity> SqliteStore::addMovement(const StockMovement &movement)
{
    Lock lock(m_mutex);
    return atomically(
        [this](const char *sql) { return exec(sql); },
        [&]() -> Result<Quantity> {
            static constexpr std::array<std::string_view, 7> reasons{"receipt",          "putaway",    "pick",  "move",
                                                                     "count_adjustment", "adjustment", "return"};
            {
                SOKO_PREPARE(
                    insert, "INSERT INTO stock_movements(warehouse, sku, location, lot, quantity_delta, reason, op_id, "
                            "created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
                SOKO_TRY(insert.bind(1, movement.warehouse)
                             .bind(2, movement.skuCode)
                             .bind(3, movement.location)
                             .bind(4, movement.lot)
                             .bind(5, movement.quantityDelta)
                             .bind(6, reasons.at(static_cast<std::size_t>(movement.reason)))
                             .bind(7, movement.operationId)
                             .bind(8, now())
                             .run());
            }
            Quantity quantity = 0;
            {
                SOKO_PREPARE(upsert, "INSERT INTO stock_balances(warehouse, sku, location, lot, quantity) "
                                     "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT(warehouse, sku, location, lot) "
                                     "DO UPDATE SET quantity = quantity + excluded.quantity RETURNING quantity");
                upsert.bind(1, movement.warehouse)
                    .bind(2, movement.skuCode)
                    .bind(3, movement.location)
                    .bind(4, movement.lot)
                    .bind(5, movement.quantityDelta);
                SOKO_STEP(row, upsert);
                if (!row)
                    return Common::fail(ErrorCode::Storage, "balance upsert returned nothing");
                quantity = upsert.integer(0);
            }
            const BalanceRecord balance{movement.warehouse, movement.skuCode, movement.location, movement.lot,
                                        quantity};
            SOKO_TRY(appendChange(ChangeRecord{0, movement.warehouse, ChangeData::stockEntity,
                                               ChangeData::stockKey(movement.skuCode, movement.location, movement.lot),
                                               ChangeData::ofStock(balance)}));
            return quantity;
        });
}

Result<Quantity> SqliteStore::balance(std::string_view warehouse, std::string_view sku, std::string_view location,
                                      std::string_view lot)
{
    Lock lock(m_mutex);
    SOKO_PREPARE(
        query, "SELECT quantity FROM stock_balances WHERE warehouse = ?1 AND sku = ?2 AND location = ?3 AND lot = ?4");
    query.bind(1, warehouse).bind(2, sku).bind(3, location).bind(4, lot);
    SOKO_STEP(row, query);
    return row ? query.integer(0) : Quantity(0);
}

Result<std::vector<BalanceRecord>> SqliteStore::balances(const BalanceFilter &filter)
{
    Lock lock(m_mutex);
    SOKO_PREPARE(query,
                 "SELECT warehouse, sku, location, lot, quantity FROM stock_balances "
                 "WHERE (?1 IS NULL OR warehouse = ?1) AND (?2 IS NULL OR sku = ?2) AND (?3 = 0 OR quantity <> 0) "
                 "ORDER BY warehouse, sku, location, lot LIMIT 100000");
    query.bind(1, filter.warehouse).bind(2, filter.sku).bind(3, filter.nonZeroOnly);
    std::vector<BalanceRecord> out;
    for (;;) {
        SOKO_STEP(row, query);
        if (!row)
            break;
        out.push_back(BalanceRecord{query.text(0), query.text(1), query.text(2), query.text(3), query.integer(4)});
    }
    return out;
}

Result<std::vector<WarehouseTotal>> SqliteStore::warehouseTotals(std::optional<std::string> sku)
{
    Lock lock(m_mutex);
    SOKO_PREPARE(query, "SELECT warehouse, sku, sum(quantity) FROM stock_balances WHERE (?1 IS NULL OR sku = ?1) "
                        "GROUP BY warehouse, sku ORDER BY warehouse, sku LIMIT 100000");
    query.bind(1, sku);
    std::vector<WarehouseTotal> out;
    for (;;) {
        SOKO_STEP(row, query);
        if (!row)
            break;
        out.push_back(WarehouseTotal{query.text(0), query.text(1), query.integer(2)});
    }
    return out;
}

Result<std::vector<MovementRecord>> SqliteStore::movements(std::string_view sku, std::int64_t afterId, int limit)
{
    Lock lock(m_mutex);
    SOKO_PREPARE(query, "SELECT id, warehouse, sku, location, lot, quantity_delta, reason, op_id, created_at "
                        "FROM stock_movements WHERE sku = ?1 AND id > ?2 ORDER BY id LIMIT ?3");
    query.bind(1, sku).bind(2, afterId).bind(3, limit);
    static constexpr std::array<std::pair<std::string_view, Common::Domain::MovementReason>, 7> reasons{{
        {"receipt", Common::Domain::MovementReason::Receipt},
        {"putaway", Common::Domain::MovementReason::Putaway},
        {"pick", Common::Domain::MovementReason::Pick},
        {"move", Common::Domain::MovementReason::Move},
        {"count_adjustment", Common::Domain::MovementReason::CountAdjustment},
        {"adjustment", Common::Domain::MovementReason::Adjustment},
        {"return", Common::Domain::MovementReason::Return},
    }};
    std::vector<MovementRecord> out;
    for (;;) {
        SOKO_STEP(row, query);
        if (!row)
            break;
        MovementRecord record;
        record.movement.id = query.integer(0);
        record.movement.warehouse = query.text(1);
        record.movement.skuCode = query.text(2);
        record.movement.location = query.text(3);
        record.movement.lot = query.text(4);
        record.movement.quantityDelta = query.integer(5);
        const std::string reason = query.text(6);
        for (const auto &[name, value] : reasons)
            if (name == reason)
                record.movement.reason = value;
        record.movement.operationId = query.text(7);
        record.createdAt = query.text(8);
        out.push_back(std::move(record));
    }
    return out;
}

// ---- devices and sync bookkeeping ----

namespace {
constexpr std::string_view s_deviceColumns =
    "SELECT id, warehouse, label, coalesce(certificate_serial, ''), status, incarnation, created_at FROM devices ";
} // namespace

#define SOKO_DEVICE_SELECT                                                                                             \
    "SELECT id, warehouse, label, coalesce(certificate_serial, ''), status, incarnation, created_at FROM devices "

static DeviceRecord readDevice(const SqliteStore::Statement &query)
{
    return DeviceRecord{query.text(0),
                        query.text(1),
                        query.text(2),
                        query.text(3),
                        query.text(4) == "active" ? DeviceStatus::Active : DeviceStatus::Revoked,
                        query.integer(5),
                        query.text(6)};
}

Result<void> SqliteStore::insertDevice(const DeviceRecord &device)
{
    Lock lock(m_mutex);
    SOKO_PREPARE(query,
                 "INSERT INTO devices(id, warehouse, label, certificate_serial, status, incarnation, created_at) "
                 "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    std::optional<std::string> serial;
    if (!device.certificateSerial.empty())
        serial = device.certificateSerial;
    return query.bind(1, device.id)
        .bind(2, device.warehouse)
        .bind(3, device.label)
        .bind(4, serial)
        .bind(5, device.status == DeviceStatus::Active ? "active" : "revoked")
        .bind(6, device.incarnation)
        .bind(7, device.createdAt.empty() ? now() : device.createdAt)
        .run();
}

Result<std::optional<DeviceRecord>> SqliteStore::device(std::string_view id)
{
    Lock lock(m_mutex);
    (void)s_deviceColumns;
    SOKO_PREPARE(query, SOKO_DEVICE_SELECT "WHERE id = ?1");
    query.bind(1, id);
    SOKO_STEP(row, query);
    if (!row)
        return std::optional<DeviceRecord>();
    return std::optional<DeviceRecord>(readDevice(query));
}

Result<std::optional<DeviceRecord>> SqliteStore::deviceForUpdate(std::string_view id)
{
    return device(id); // the writer lock is the device lock
}

Result<std::optional<DeviceRecord>> SqliteStore::deviceBySerial(std::string_view certificateSerial)
{
    Lock lock(m_mutex);
    SOKO_PREPARE(query, SOKO_DEVICE_SELECT "WHERE certificate_serial = ?1");
    query.bind(1, certificateSerial);
    SOKO_STEP(row, query);
    if (!row)
        return std::optional<DeviceRecord>();
    return std::optional<DeviceRecord>(readDevice(query));
}

Result<std::vector<DeviceRecord>> SqliteStore::devices()
{
    Lock lock(m_mutex);
    SOKO_PREPARE(query, SOKO_DEVICE_SELECT "ORDER BY warehouse, label, id");
    std::vector<DeviceRecord> out;
    for (;;) {
        SOKO_STEP(row, query);
        if (!row)
            break;
        out.push_back(readDevice(query));
    }
    return out;
}

Result<void> SqliteStore::setDeviceCertificate(std::string_view id, std::string_view certificateSerial)
{
    Lock lock(m_mutex);
    SOKO_PREPARE(query, "UPDATE devices SET certificate_serial = ?2 WHERE id = ?1");
    SOKO_TRY(query.bind(1, id).bind(2, certificateSerial).run());
    if (sqlite3_changes(m_db) != 1)
        return Common::fail(ErrorCode::NotFound, "device not found");
    return {};
}

Result<void> SqliteStore::setDeviceStatus(std::string_view id, DeviceStatus status)
{
    Lock lock(m_mutex);
    SOKO_PREPARE(query, "UPDATE devices SET status = ?2 WHERE id = ?1");
    SOKO_TRY(query.bind(1, id).bind(2, status == DeviceStatus::Active ? "active" : "revoked").run());
    if (sqlite3_changes(m_db) != 1)
        return Common::fail(ErrorCode::NotFound, "device not found");
    return {};
}

Result<std::int64_t> SqliteStore::raiseIncarnation(std::string_view id)
{
    Lock lock(m_mutex);
    SOKO_PREPARE(query, "UPDATE devices SET incarnation = incarnation + 1 WHERE id = ?1 RETURNING incarnation");
    query.bind(1, id);
    SOKO_STEP(row, query);
    if (!row)
        return Common::fail(ErrorCode::NotFound, "device not found");
    const std::int64_t incarnation = query.integer(0);
    SOKO_TRY(query.step()); // finish the statement so the update is complete
    return incarnation;
}

Result<std::int64_t> SqliteStore::lastApplied(std::string_view deviceId, std::int64_t incarnation)
{
    Lock lock(m_mutex);
    SOKO_PREPARE(query, "SELECT coalesce(max(seq), 0) FROM applied_ops WHERE device_id = ?1 AND incarnation = ?2");
    query.bind(1, deviceId).bind(2, incarnation);
    SOKO_STEP(row, query);
    return row ? query.integer(0) : std::int64_t(0);
}

#define SOKO_APPLIED_SELECT                                                                                            \
    "SELECT device_id, incarnation, seq, op_id, type, outcome, result, payload, operator_id, device_created_at "       \
    "FROM applied_ops "

static AppliedOpRecord readApplied(const SqliteStore::Statement &query)
{
    return AppliedOpRecord{
        query.text(0),    query.integer(1),
        query.integer(2), query.text(3),
        query.text(4),    Common::Protocol::outcomeFromName(query.text(5)).value_or(OperationOutcome::Rejected),
        query.text(6),    query.text(7),
        query.text(8),    query.text(9)};
}

Result<std::optional<AppliedOpRecord>> SqliteStore::appliedOp(std::string_view deviceId, std::int64_t incarnation,
                                                              std::int64_t seq)
{
    Lock lock(m_mutex);
    SOKO_PREPARE(query, SOKO_APPLIED_SELECT "WHERE device_id = ?1 AND incarnation = ?2 AND seq = ?3");
    query.bind(1, deviceId).bind(2, incarnation).bind(3, seq);
    SOKO_STEP(row, query);
    if (!row)
        return std::optional<AppliedOpRecord>();
    return std::optional<AppliedOpRecord>(readApplied(query));
}

Result<std::optional<AppliedOpRecord>> SqliteStore::appliedOpById(std::string_view deviceId, std::string_view opId)
{
    Lock lock(m_mutex);
    SOKO_PREPARE(query, SOKO_APPLIED_SELECT "WHERE device_id = ?1 AND op_id = ?2 ORDER BY incarnation, seq LIMIT 1");
    query.bind(1, deviceId).bind(2, opId);
    SOKO_STEP(row, query);
    if (!row)
        return std::optional<AppliedOpRecord>();
    return std::optional<AppliedOpRecord>(readApplied(query));
}

Result<void> SqliteStore::insertAppliedOp(const AppliedOpRecord &op)
{
    Lock lock(m_mutex);
    SOKO_PREPARE(query,
                 "INSERT INTO applied_ops(device_id, incarnation, seq, op_id, type, outcome, result, payload, "
                 "operator_id, device_created_at, applied_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)");
    return query.bind(1, op.deviceId)
        .bind(2, op.incarnation)
        .bind(3, op.seq)
        .bind(4, op.opId)
        .bind(5, op.type)
        .bind(6, Common::Protocol::outcomeName(op.outcome))
        .bind(7, op.resultJson)
        .bind(8, op.payloadJson)
        .bind(9, op.operatorId)
        .bind(10, op.deviceCreatedAt)
        .bind(11, now())
        .run();
}

Result<std::int64_t> SqliteStore::insertConflict(const ConflictRecord &conflict)
{
    Lock lock(m_mutex);
    SOKO_PREPARE(query, "INSERT INTO conflicts(warehouse, device_id, op_id, reason, message, created_at) "
                        "VALUES (?1, ?2, ?3, ?4, ?5, ?6) RETURNING id");
    query.bind(1, conflict.warehouse)
        .bind(2, conflict.deviceId)
        .bind(3, conflict.opId)
        .bind(4, conflict.reason)
        .bind(5, conflict.message)
        .bind(6, now());
    SOKO_STEP(row, query);
    if (!row)
        return Common::fail(ErrorCode::Storage, "insert conflict returned no id");
    const std::int64_t id = query.integer(0);
    SOKO_TRY(query.step());
    return id;
}

Result<std::vector<ConflictRecord>> SqliteStore::conflicts(std::optional<std::string> warehouse, int limit)
{
    Lock lock(m_mutex);
    SOKO_PREPARE(query, "SELECT id, warehouse, device_id, op_id, reason, message, created_at FROM conflicts "
                        "WHERE (?1 IS NULL OR warehouse = ?1) ORDER BY id LIMIT ?2");
    query.bind(1, warehouse).bind(2, limit);
    std::vector<ConflictRecord> out;
    for (;;) {
        SOKO_STEP(row, query);
        if (!row)
            break;
        out.push_back(ConflictRecord{query.integer(0), query.text(1), query.text(2), query.text(3), query.text(4),
                                     query.text(5), query.text(6)});
    }
    return out;
}

Result<std::int64_t> SqliteStore::insertRejection(const RejectionRecord &rejection)
{
    Lock lock(m_mutex);
    SOKO_PREPARE(query,
                 "INSERT INTO rejections(device_id, incarnation, seq, op_id, reason, message, payload, created_at) "
                 "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) RETURNING id");
    query.bind(1, rejection.deviceId)
        .bind(2, rejection.incarnation)
        .bind(3, rejection.seq)
        .bind(4, rejection.opId)
        .bind(5, rejection.reason)
        .bind(6, rejection.message)
        .bind(7, rejection.payloadJson)
        .bind(8, now());
    SOKO_STEP(row, query);
    if (!row)
        return Common::fail(ErrorCode::Storage, "insert rejection returned no id");
    const std::int64_t id = query.integer(0);
    SOKO_TRY(query.step());
    return id;
}

Result<std::vector<RejectionRecord>> SqliteStore::rejections(std::string_view deviceId, int limit)
{
    Lock lock(m_mutex);
    SOKO_PREPARE(query, "SELECT id, device_id, incarnation, seq, op_id, reason, message, payload, created_at "
                        "FROM rejections WHERE device_id = ?1 ORDER BY id LIMIT ?2");
    query.bind(1, deviceId).bind(2, limit);
    std::vector<RejectionRecord> out;
    for (;;) {
        SOKO_STEP(row, query);
        if (!row)
            break;
        out.push_back(RejectionRecord{query.integer(0), query.text(1), query.integer(2), query.integer(3),
                                      query.text(4), query.text(5), query.text(6), query.text(7), query.text(8)});
    }
    return out;
}

// ---- change log ----

Result<std::int64_t> SqliteStore::appendChange(const ChangeRecord &change)
{
    Lock lock(m_mutex);
    SOKO_PREPARE(query, "INSERT INTO change_log(warehouse, entity, key, data, created_at) VALUES (?1, ?2, ?3, ?4, ?5) "
                        "RETURNING version");
    query.bind(1, change.warehouse).bind(2, change.entity).bind(3, change.key).bind(4, change.data).bind(5, now());
    SOKO_STEP(row, query);
    if (!row)
        return Common::fail(ErrorCode::Storage, "change_log insert returned no version");
    const std::int64_t version = query.integer(0);
    SOKO_TRY(query.step());
    return version;
}

Result<std::vector<ChangeRecord>> SqliteStore::changes(std::string_view warehouse, std::int64_t afterVersion, int limit,
                                                       std::size_t maxBytes, bool &hasMore)
{
    Lock lock(m_mutex);
    // One row more than asked tells whether another page exists. The two branches of the scope
    // use their own index ranges (warehouse rows, global rows).
    SOKO_PREPARE(query, "SELECT version, warehouse, entity, key, data FROM change_log "
                        "WHERE version > ?2 AND (warehouse = ?1 OR warehouse IS NULL) ORDER BY version LIMIT ?3");
    query.bind(1, warehouse).bind(2, afterVersion).bind(3, static_cast<std::int64_t>(limit) + 1);
    std::vector<ChangeRecord> out;
    std::size_t bytes = 0;
    hasMore = false;
    for (;;) {
        SOKO_STEP(row, query);
        if (!row)
            break;
        ChangeRecord change{query.integer(0), query.optionalText(1), query.text(2), query.text(3),
                            query.optionalText(4)};
        const std::size_t size =
            change.key.size() + change.entity.size() + (change.data ? change.data->size() : 0) + 64;
        if (out.size() >= static_cast<std::size_t>(limit) || (!out.empty() && bytes + size > maxBytes)) {
            hasMore = true;
            break;
        }
        bytes += size;
        out.push_back(std::move(change));
    }
    return out;
}

Result<std::int64_t> SqliteStore::latestVersion()
{
    Lock lock(m_mutex);
    SOKO_PREPARE(query, "SELECT coalesce(max(version), 0) FROM change_log");
    SOKO_STEP(row, query);
    return row ? query.integer(0) : std::int64_t(0);
}

Result<std::int64_t> SqliteStore::compactedThrough()
{
    auto value = meta("compacted_through");
    if (!value)
        return tl::unexpected(value.error());
    return *value ? std::stoll(**value) : std::int64_t(0);
}

Result<std::int64_t> SqliteStore::compactChangeLog(std::int64_t throughVersion)
{
    Lock lock(m_mutex);
    return atomically(
        [this](const char *sql) { return exec(sql); },
        [&]() -> Result<std::int64_t> {
            std::int64_t removed = 0;
            {
                SOKO_PREPARE(superseded, "DELETE FROM change_log AS old WHERE old.version <= ?1 AND EXISTS ("
                                         "SELECT 1 FROM change_log AS newer WHERE newer.entity = old.entity "
                                         "AND newer.key = old.key AND newer.warehouse IS old.warehouse "
                                         "AND newer.version > old.version)");
                SOKO_TRY(superseded.bind(1, throughVersion).run());
                removed += sqlite3_changes(m_db);
            }
            std::int64_t horizon = 0;
            {
                SOKO_PREPARE(tombstones,
                             "SELECT coalesce(max(version), 0) FROM change_log WHERE version <= ?1 AND data IS NULL");
                tombstones.bind(1, throughVersion);
                SOKO_STEP(row, tombstones);
                horizon = row ? tombstones.integer(0) : 0;
            }
            if (horizon > 0) {
                SOKO_PREPARE(drop, "DELETE FROM change_log WHERE version <= ?1 AND data IS NULL");
                SOKO_TRY(drop.bind(1, throughVersion).run());
                removed += sqlite3_changes(m_db);
                auto previous = compactedThrough();
                if (!previous)
                    return tl::unexpected(previous.error());
                if (horizon > *previous)
                    SOKO_TRY(setMeta("compacted_through", std::to_string(horizon)));
            }
            return removed;
        });
}

// ---- people and credentials ----

Result<std::int64_t> SqliteStore::insertOperator(const OperatorRecord &op)
{
    Lock lock(m_mutex);
    return atomically([this](const char *sql) { return exec(sql); },
                      [&]() -> Result<std::int64_t> {
                          SOKO_PREPARE(query, "INSERT INTO operators(badge, name, warehouse, role, pin_hash, active) "
                                              "VALUES (?1, ?2, ?3, ?4, ?5, ?6) RETURNING id");
                          query.bind(1, op.badge)
                              .bind(2, op.name)
                              .bind(3, op.warehouse)
                              .bind(4, op.role)
                              .bind(5, op.pinHash)
                              .bind(6, op.active);
                          SOKO_STEP(row, query);
                          if (!row)
                              return Common::fail(ErrorCode::Storage, "insert operator returned no id");
                          const std::int64_t id = query.integer(0);
                          SOKO_TRY(query.step());
                          SOKO_TRY(appendChange(ChangeRecord{0, op.warehouse, ChangeData::operatorEntity, op.badge,
                                                             ChangeData::ofOperator(op)}));
                          return id;
                      });
}

Result<std::optional<OperatorRecord>> SqliteStore::operatorByBadge(std::string_view badge)
{
    Lock lock(m_mutex);
    SOKO_PREPARE(query, "SELECT id, badge, name, warehouse, role, pin_hash, active FROM operators WHERE badge = ?1");
    query.bind(1, badge);
    SOKO_STEP(row, query);
    if (!row)
        return std::optional<OperatorRecord>();
    return std::optional<OperatorRecord>(OperatorRecord{query.integer(0), query.text(1), query.text(2), query.text(3),
                                                        query.text(4), query.text(5), query.integer(6) != 0});
}

Result<void> SqliteStore::setOperatorActive(std::string_view badge, bool active)
{
    Lock lock(m_mutex);
    return atomically([this](const char *sql) { return exec(sql); },
                      [&]() -> Result<void> {
                          {
                              SOKO_PREPARE(query, "UPDATE operators SET active = ?2 WHERE badge = ?1");
                              SOKO_TRY(query.bind(1, badge).bind(2, active).run());
                              if (sqlite3_changes(m_db) != 1)
                                  return Common::fail(ErrorCode::NotFound, "operator not found");
                          }
                          auto current = operatorByBadge(badge);
                          if (!current)
                              return tl::unexpected(current.error());
                          const OperatorRecord &op = **current;
                          return appendChange(ChangeRecord{0, op.warehouse, ChangeData::operatorEntity, op.badge,
                                                           ChangeData::ofOperator(op)})
                              .map([](std::int64_t) {});
                      });
}

Result<std::vector<OperatorRecord>> SqliteStore::operators(std::string_view warehouse)
{
    Lock lock(m_mutex);
    SOKO_PREPARE(query, "SELECT id, badge, name, warehouse, role, pin_hash, active FROM operators WHERE warehouse = ?1 "
                        "ORDER BY badge");
    query.bind(1, warehouse);
    std::vector<OperatorRecord> out;
    for (;;) {
        SOKO_STEP(row, query);
        if (!row)
            break;
        out.push_back(OperatorRecord{query.integer(0), query.text(1), query.text(2), query.text(3), query.text(4),
                                     query.text(5), query.integer(6) != 0});
    }
    return out;
}

Result<std::int64_t> SqliteStore::insertEnrollmentCode(const EnrollmentCodeRecord &code)
{
    Lock lock(m_mutex);
    SOKO_PREPARE(query, "INSERT INTO enrollment_codes(code_hash, warehouse, label, expires_at) VALUES (?1, ?2, ?3, ?4) "
                        "RETURNING id");
    query.bind(1, code.codeHash).bind(2, code.warehouse).bind(3, code.label).bind(4, code.expiresAt);
    SOKO_STEP(row, query);
    if (!row)
        return Common::fail(ErrorCode::Storage, "insert enrollment code returned no id");
    const std::int64_t id = query.integer(0);
    SOKO_TRY(query.step());
    return id;
}

Result<std::optional<EnrollmentCodeRecord>> SqliteStore::enrollmentCodeByHash(std::string_view codeHash)
{
    Lock lock(m_mutex);
    SOKO_PREPARE(query, "SELECT id, code_hash, warehouse, label, expires_at, used_at, device_id FROM enrollment_codes "
                        "WHERE code_hash = ?1");
    query.bind(1, codeHash);
    SOKO_STEP(row, query);
    if (!row)
        return std::optional<EnrollmentCodeRecord>();
    return std::optional<EnrollmentCodeRecord>(EnrollmentCodeRecord{query.integer(0), query.text(1), query.text(2),
                                                                    query.text(3), query.text(4), query.optionalText(5),
                                                                    query.optionalText(6)});
}

Result<void> SqliteStore::markEnrollmentCodeUsed(std::int64_t id, std::string_view deviceId)
{
    Lock lock(m_mutex);
    // used_at IS NULL in the WHERE makes the burn single-use even against a racing enrollment.
    SOKO_PREPARE(query, "UPDATE enrollment_codes SET used_at = ?2, device_id = ?3 WHERE id = ?1 AND used_at IS NULL");
    SOKO_TRY(query.bind(1, id).bind(2, now()).bind(3, deviceId).run());
    if (sqlite3_changes(m_db) != 1)
        return Common::fail(ErrorCode::Conflict, "enrollment code already used");
    return {};
}

Result<void> SqliteStore::insertApiKey(const ApiKeyRecord &key)
{
    Lock lock(m_mutex);
    SOKO_PREPARE(
        query,
        "INSERT INTO api_keys(id, secret_hash, scope, label, created_at, revoked) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
    return query.bind(1, key.id)
        .bind(2, key.secretHash)
        .bind(3, key.scope)
        .bind(4, key.label)
        .bind(5, key.createdAt.empty() ? now() : key.createdAt)
        .bind(6, key.revoked)
        .run();
}

Result<std::optional<ApiKeyRecord>> SqliteStore::apiKey(std::string_view id)
{
    Lock lock(m_mutex);
    SOKO_PREPARE(query, "SELECT id, secret_hash, scope, label, created_at, revoked FROM api_keys WHERE id = ?1");
    query.bind(1, id);
    SOKO_STEP(row, query);
    if (!row)
        return std::optional<ApiKeyRecord>();
    return std::optional<ApiKeyRecord>(
        ApiKeyRecord{query.text(0), query.text(1), query.text(2), query.text(3), query.text(4), query.integer(5) != 0});
}

Result<std::vector<ApiKeyRecord>> SqliteStore::apiKeys()
{
    Lock lock(m_mutex);
    SOKO_PREPARE(query, "SELECT id, secret_hash, scope, label, created_at, revoked FROM api_keys "
                        "ORDER BY created_at DESC, id");
    std::vector<ApiKeyRecord> out;
    for (;;) {
        SOKO_STEP(row, query);
        if (!row)
            break;
        out.push_back(
            ApiKeyRecord{query.text(0), query.text(1), query.text(2), query.text(3), query.text(4), query.integer(5) != 0});
    }
    return out;
}

Result<void> SqliteStore::revokeApiKey(std::string_view id)
{
    Lock lock(m_mutex);
    SOKO_PREPARE(query, "UPDATE api_keys SET revoked = 1 WHERE id = ?1");
    SOKO_TRY(query.bind(1, id).run());
    if (sqlite3_changes(m_db) != 1)
        return Common::fail(ErrorCode::NotFound, "API key not found");
    return {};
}

// ---- audit trail ----

template <typename T, typename Body> Result<T> SqliteStore::writeAtomically(Body body)
{
    Lock lock(m_mutex);
    if (sqlite3_get_autocommit(m_db) == 0)
        return atomically([this](const char *sql) { return exec(sql); }, body);
    // Not in a transaction: take the write lock first (a deferred transaction that reads the
    // head and then writes could lose the race to another process and fail with BUSY_SNAPSHOT).
    SOKO_TRY(exec("BEGIN IMMEDIATE"));
    Result<T> result = body();
    if (!result) {
        (void)exec("ROLLBACK");
        return result;
    }
    if (auto committed = exec("COMMIT"); !committed) {
        (void)exec("ROLLBACK");
        return tl::unexpected(committed.error());
    }
    return result;
}

namespace {

AuditRecord auditRow(const SqliteStore::Statement &row)
{
    return AuditRecord{row.integer(0), row.text(1), row.text(2), row.text(3),  row.text(4),  row.text(5), row.text(6),
                       row.text(7),    row.text(8), row.text(9), row.text(10), row.text(11), row.text(12)};
}

AuditCheckpointRecord checkpointRow(const SqliteStore::Statement &row)
{
    return AuditCheckpointRecord{row.integer(0), row.integer(1), row.text(2), row.text(3), row.text(4), row.text(5)};
}

AlertRecord alertRow(const SqliteStore::Statement &row)
{
    return AlertRecord{row.integer(0), row.text(1),         row.text(2),
                       row.text(3),    row.text(4),         static_cast<int>(row.integer(5)),
                       row.text(6),    row.optionalText(7), row.text(8)};
}

} // namespace

Result<std::int64_t> SqliteStore::appendAudit(const AuditRecord &record)
{
    return writeAtomically<std::int64_t>([&] { return appendAuditLocked(record); });
}

Result<std::int64_t> SqliteStore::appendAuditLocked(const AuditRecord &record)
{
    auto prepared = prepareAuditRecord(record, now());
    if (!prepared)
        return tl::unexpected(prepared.error());
    AuditRecord entry = std::move(*prepared);
    {
        SOKO_PREPARE(head, "SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1");
        SOKO_STEP(found, head);
        entry.id = found ? head.integer(0) + 1 : 1;
        entry.prevHash = found ? head.text(1) : std::string(auditGenesisHash);
    }
    auto hash = auditEntryHash(entry.prevHash, entry);
    if (!hash)
        return tl::unexpected(hash.error());
    entry.hash = std::move(*hash);
    {
        SOKO_PREPARE(insert, "INSERT INTO audit(id, at, actor, role, source_ip, listener, request_id, event, target, "
                             "outcome, details, prev_hash, hash) "
                             "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)");
        SOKO_TRY(insert.bind(1, entry.id)
                     .bind(2, entry.at)
                     .bind(3, entry.actor)
                     .bind(4, entry.role)
                     .bind(5, entry.sourceIp)
                     .bind(6, entry.listener)
                     .bind(7, entry.requestId)
                     .bind(8, entry.event)
                     .bind(9, entry.target)
                     .bind(10, entry.outcome)
                     .bind(11, entry.details)
                     .bind(12, entry.prevHash)
                     .bind(13, entry.hash)
                     .run());
    }
    SOKO_TRY(runAuditHook(entry));
    return entry.id;
}

Result<std::vector<AuditRecord>> SqliteStore::audit(std::int64_t afterId, int limit)
{
    Lock lock(m_mutex);
    SOKO_PREPARE(query, "SELECT id, at, actor, event, target, details, role, source_ip, listener, request_id, "
                        "outcome, prev_hash, hash FROM audit WHERE id > ?1 ORDER BY id LIMIT ?2");
    query.bind(1, afterId).bind(2, limit);
    std::vector<AuditRecord> out;
    for (;;) {
        SOKO_STEP(row, query);
        if (!row)
            break;
        out.push_back(auditRow(query));
    }
    return out;
}

Result<std::optional<AuditRecord>> SqliteStore::lastAudit()
{
    Lock lock(m_mutex);
    SOKO_PREPARE(query, "SELECT id, at, actor, event, target, details, role, source_ip, listener, request_id, "
                        "outcome, prev_hash, hash FROM audit ORDER BY id DESC LIMIT 1");
    SOKO_STEP(row, query);
    if (!row)
        return std::optional<AuditRecord>();
    return std::optional<AuditRecord>(auditRow(query));
}

Result<void> SqliteStore::lockAuditChain()
{
    // begin() is BEGIN IMMEDIATE: this connection already excludes every other writer.
    return {};
}

Result<std::int64_t> SqliteStore::appendAuditCheckpoint(const AuditCheckpointRecord &checkpoint)
{
    return writeAtomically<std::int64_t>([&]() -> Result<std::int64_t> {
        std::int64_t id = 1;
        {
            SOKO_PREPARE(last, "SELECT coalesce(max(id), 0) FROM audit_checkpoints");
            SOKO_STEP(row, last);
            if (row)
                id = last.integer(0) + 1;
        }
        SOKO_PREPARE(insert, "INSERT INTO audit_checkpoints(id, seq, hash, at, key_id, signature) "
                             "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
        SOKO_TRY(insert.bind(1, id)
                     .bind(2, checkpoint.seq)
                     .bind(3, checkpoint.hash)
                     .bind(4, checkpoint.at)
                     .bind(5, checkpoint.keyId)
                     .bind(6, checkpoint.signature)
                     .run());
        return id;
    });
}

Result<std::optional<AuditCheckpointRecord>> SqliteStore::lastAuditCheckpoint()
{
    Lock lock(m_mutex);
    SOKO_PREPARE(query, "SELECT id, seq, hash, at, key_id, signature FROM audit_checkpoints ORDER BY id DESC LIMIT 1");
    SOKO_STEP(row, query);
    if (!row)
        return std::optional<AuditCheckpointRecord>();
    return std::optional<AuditCheckpointRecord>(checkpointRow(query));
}

Result<std::vector<AuditCheckpointRecord>> SqliteStore::auditCheckpoints(std::int64_t afterId, int limit)
{
    Lock lock(m_mutex);
    SOKO_PREPARE(query, "SELECT id, seq, hash, at, key_id, signature FROM audit_checkpoints WHERE id > ?1 "
                        "ORDER BY id LIMIT ?2");
    query.bind(1, afterId).bind(2, limit);
    std::vector<AuditCheckpointRecord> out;
    for (;;) {
        SOKO_STEP(row, query);
        if (!row)
            break;
        out.push_back(checkpointRow(query));
    }
    return out;
}

// ---- alert outbox ----

Result<std::int64_t> SqliteStore::enqueueAlert(const AlertRecord &alert)
{
    Lock lock(m_mutex);
    const std::string created = alert.createdAt.empty() ? now() : alert.createdAt;
    SOKO_PREPARE(query, "INSERT INTO alert_outbox(created_at, kind, text, payload, next_attempt_at) "
                        "VALUES (?1, ?2, ?3, ?4, ?5) RETURNING id");
    query.bind(1, created)
        .bind(2, alert.kind)
        .bind(3, alert.text)
        .bind(4, alert.payload)
        .bind(5, alert.nextAttemptAt.empty() ? created : alert.nextAttemptAt);
    SOKO_STEP(row, query);
    if (!row)
        return Common::fail(ErrorCode::Storage, "insert alert returned no id");
    const std::int64_t id = query.integer(0);
    SOKO_TRY(query.step());
    return id;
}

Result<std::optional<AlertRecord>> SqliteStore::claimNextAlert(std::string_view claimant, std::string_view now,
                                                               std::string_view claimUntil)
{
    return writeAtomically<std::optional<AlertRecord>>([&] { return claimNextAlertLocked(claimant, now, claimUntil); });
}

Result<std::optional<AlertRecord>> SqliteStore::claimNextAlertLocked(std::string_view claimant, std::string_view now,
                                                                     std::string_view claimUntil)
{
    AlertRecord alert;
    {
        SOKO_PREPARE(head, "SELECT id, created_at, kind, text, payload, attempts, next_attempt_at, delivered_at, "
                           "last_error, claimed_by, claimed_until FROM alert_outbox WHERE delivered_at IS NULL "
                           "ORDER BY id LIMIT 1");
        SOKO_STEP(found, head);
        if (!found)
            return std::optional<AlertRecord>();
        const bool due = head.text(6) <= now;
        const bool claimedByOther =
            !head.isNull(10) && head.text(10) > now && head.optionalText(9) != std::optional<std::string>(claimant);
        if (!due || claimedByOther)
            return std::optional<AlertRecord>();
        alert = alertRow(head);
    }
    SOKO_PREPARE(claim, "UPDATE alert_outbox SET claimed_by = ?2, claimed_until = ?3 WHERE id = ?1");
    SOKO_TRY(claim.bind(1, alert.id).bind(2, claimant).bind(3, claimUntil).run());
    return std::optional<AlertRecord>(std::move(alert));
}

Result<void> SqliteStore::markAlertDelivered(std::int64_t id, std::string_view claimant, std::string_view at)
{
    Lock lock(m_mutex);
    SOKO_PREPARE(query, "UPDATE alert_outbox SET delivered_at = ?3, attempts = attempts + 1, last_error = '', "
                        "claimed_by = NULL, claimed_until = NULL "
                        "WHERE id = ?1 AND claimed_by = ?2 AND delivered_at IS NULL");
    SOKO_TRY(query.bind(1, id).bind(2, claimant).bind(3, at).run());
    if (sqlite3_changes(m_db) != 1)
        return Common::fail(ErrorCode::Conflict, "the alert claim was lost");
    return {};
}

Result<void> SqliteStore::markAlertFailed(std::int64_t id, std::string_view claimant, std::string_view nextAttemptAt,
                                          std::string_view error)
{
    Lock lock(m_mutex);
    SOKO_PREPARE(query, "UPDATE alert_outbox SET attempts = attempts + 1, next_attempt_at = ?3, last_error = ?4, "
                        "claimed_by = NULL, claimed_until = NULL "
                        "WHERE id = ?1 AND claimed_by = ?2 AND delivered_at IS NULL");
    SOKO_TRY(query.bind(1, id).bind(2, claimant).bind(3, nextAttemptAt).bind(4, error).run());
    if (sqlite3_changes(m_db) != 1)
        return Common::fail(ErrorCode::Conflict, "the alert claim was lost");
    return {};
}

Result<AlertBacklog> SqliteStore::alertBacklog()
{
    Lock lock(m_mutex);
    SOKO_PREPARE(query, "SELECT count(*), (SELECT created_at FROM alert_outbox WHERE delivered_at IS NULL "
                        "ORDER BY id LIMIT 1) FROM alert_outbox WHERE delivered_at IS NULL");
    SOKO_STEP(row, query);
    if (!row)
        return AlertBacklog{};
    return AlertBacklog{query.integer(0), query.optionalText(1)};
}

Result<std::vector<AlertRecord>> SqliteStore::alerts(std::int64_t afterId, int limit)
{
    Lock lock(m_mutex);
    SOKO_PREPARE(query, "SELECT id, created_at, kind, text, payload, attempts, next_attempt_at, delivered_at, "
                        "last_error FROM alert_outbox WHERE id > ?1 ORDER BY id LIMIT ?2");
    query.bind(1, afterId).bind(2, limit);
    std::vector<AlertRecord> out;
    for (;;) {
        SOKO_STEP(row, query);
        if (!row)
            break;
        out.push_back(alertRow(query));
    }
    return out;
}

// ---- back-office identities ----

namespace {

constexpr std::string_view s_setupTokenKey = "admin_setup_token";

#define SOKO_ADMIN_USER_COLUMNS                                                                                        \
    "id, username, display_name, email, role, status, password_hash, must_change_password, totp_seed, "                \
    "totp_enabled, totp_last_step, mfa_locked_until, created_at, updated_at, password_changed_at"
#define SOKO_ADMIN_SESSION_COLUMNS                                                                                     \
    "token_hash, user_id, stage, created_at, last_seen_at, totp_verified_at, ip, user_agent, totp_failures"
#define SOKO_APPROVAL_COLUMNS                                                                                          \
    "id, action, target, details, requested_by, requested_at, decided_by, decided_at, decision, used_at"

AdminUserRecord readAdminUser(const SqliteStore::Statement &row)
{
    AdminUserRecord user;
    user.id = row.text(0);
    user.username = row.text(1);
    user.displayName = row.text(2);
    user.email = row.text(3);
    // The CHECK constraints allow only known names; the fallbacks grant the least.
    user.role = enumFromName(adminRoleNames, row.text(4)).value_or(AdminRole::Viewer);
    user.status = enumFromName(adminStatusNames, row.text(5)).value_or(AdminStatus::Disabled);
    user.passwordHash = row.text(6);
    user.mustChangePassword = row.integer(7) != 0;
    user.totpSeed = row.optionalBlob(8);
    user.totpEnabled = row.integer(9) != 0;
    user.totpLastStep = row.integer(10);
    user.mfaLockedUntil = row.optionalText(11);
    user.createdAt = row.text(12);
    user.updatedAt = row.text(13);
    user.passwordChangedAt = row.text(14);
    return user;
}

AdminSessionRecord readAdminSession(const SqliteStore::Statement &row)
{
    AdminSessionRecord session;
    session.tokenHash = row.text(0);
    session.userId = row.text(1);
    session.stage = enumFromName(adminSessionStageNames, row.text(2)).value_or(AdminSessionStage::PreAuth);
    session.createdAt = row.text(3);
    session.lastSeenAt = row.text(4);
    session.totpVerifiedAt = row.optionalText(5);
    session.ip = row.text(6);
    session.userAgent = row.text(7);
    session.totpFailures = row.integer(8);
    return session;
}

ApprovalRecord readApproval(const SqliteStore::Statement &row)
{
    ApprovalRecord approval;
    approval.id = row.integer(0);
    approval.action = row.text(1);
    approval.target = row.text(2);
    approval.details = row.text(3);
    approval.requestedBy = row.text(4);
    approval.requestedAt = row.text(5);
    approval.decidedBy = row.optionalText(6);
    approval.decidedAt = row.optionalText(7);
    approval.decision = enumFromName(approvalDecisionNames, row.text(8)).value_or(ApprovalDecision::Pending);
    approval.usedAt = row.optionalText(9);
    return approval;
}

LoginThrottleRecord readThrottle(const SqliteStore::Statement &row)
{
    return LoginThrottleRecord{row.text(0), row.integer(1), row.text(2), row.text(3), row.optionalText(4)};
}

} // namespace

#define SOKO_CHECK(problem)                                                                                            \
    do {                                                                                                               \
        if (auto soko_problem = (problem))                                                                             \
            return Common::fail(ErrorCode::InvalidInput, *soko_problem);                                               \
    } while (false)

#define SOKO_TIME(variable, text)                                                                                      \
    auto variable##_checked = checkedIsoTime(text);                                                                    \
    if (!variable##_checked)                                                                                           \
        return tl::unexpected(variable##_checked.error());                                                             \
    const std::string &variable = *variable##_checked

Result<std::string> SqliteStore::insertAdminUser(const AdminUserRecord &user)
{
    SOKO_CHECK(adminUserProblem(user));
    Lock lock(m_mutex);
    const std::string id = user.id.empty() ? randomUuid() : user.id;
    const std::string at = now();
    SOKO_PREPARE(query, "INSERT INTO admin_users(id, username, username_key, display_name, email, role, status, "
                        "password_hash, must_change_password, totp_seed, totp_enabled, totp_last_step, "
                        "mfa_locked_until, created_at, updated_at, password_changed_at) "
                        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, -1, ?12, ?13, ?13, ?13)");
    std::optional<std::string> lockedUntil;
    if (user.mfaLockedUntil) {
        SOKO_TIME(until, *user.mfaLockedUntil);
        lockedUntil = until;
    }
    SOKO_TRY(query.bind(1, id)
                 .bind(2, user.username)
                 .bind(3, adminUsernameKey(user.username))
                 .bind(4, user.displayName)
                 .bind(5, user.email)
                 .bind(6, enumName(adminRoleNames, user.role))
                 .bind(7, enumName(adminStatusNames, user.status))
                 .bind(8, user.passwordHash)
                 .bind(9, user.mustChangePassword)
                 .bind(10, user.totpSeed)
                 .bind(11, user.totpEnabled)
                 .bind(12, lockedUntil)
                 .bind(13, at)
                 .run());
    return id;
}

Result<std::optional<AdminUserRecord>> SqliteStore::adminUser(std::string_view id)
{
    Lock lock(m_mutex);
    SOKO_PREPARE(query, "SELECT " SOKO_ADMIN_USER_COLUMNS " FROM admin_users WHERE id = ?1");
    query.bind(1, id);
    SOKO_STEP(row, query);
    if (!row)
        return std::optional<AdminUserRecord>();
    return std::optional<AdminUserRecord>(readAdminUser(query));
}

Result<std::optional<AdminUserRecord>> SqliteStore::adminUserByName(std::string_view username)
{
    if (!isValidAdminUsername(username))
        return std::optional<AdminUserRecord>();
    Lock lock(m_mutex);
    SOKO_PREPARE(query, "SELECT " SOKO_ADMIN_USER_COLUMNS " FROM admin_users WHERE username_key = ?1");
    query.bind(1, adminUsernameKey(username));
    SOKO_STEP(row, query);
    if (!row)
        return std::optional<AdminUserRecord>();
    return std::optional<AdminUserRecord>(readAdminUser(query));
}

Result<std::vector<AdminUserRecord>> SqliteStore::adminUsers()
{
    Lock lock(m_mutex);
    SOKO_PREPARE(query, "SELECT " SOKO_ADMIN_USER_COLUMNS " FROM admin_users ORDER BY username_key");
    std::vector<AdminUserRecord> out;
    for (;;) {
        SOKO_STEP(row, query);
        if (!row)
            break;
        out.push_back(readAdminUser(query));
    }
    return out;
}

Result<void> SqliteStore::setAdminPassword(std::string_view id, std::string_view passwordHash, PasswordState state)
{
    if (passwordHash.empty() || passwordHash.size() > 512)
        return Common::fail(ErrorCode::InvalidInput, "password hash must be a PHC string of 1-512 bytes");
    Lock lock(m_mutex);
    SOKO_PREPARE(query, "UPDATE admin_users SET password_hash = ?2, must_change_password = ?3, "
                        "password_changed_at = ?4, updated_at = ?4 WHERE id = ?1");
    SOKO_TRY(query.bind(1, id).bind(2, passwordHash).bind(3, state == PasswordState::MustChange).bind(4, now()).run());
    if (sqlite3_changes(m_db) != 1)
        return Common::fail(ErrorCode::NotFound, "admin user not found");
    return {};
}

Result<void> SqliteStore::setAdminTotp(std::string_view id, std::optional<Bytes> sealedSeed, TotpState state)
{
    if (sealedSeed && (sealedSeed->empty() || sealedSeed->size() > 1024))
        return Common::fail(ErrorCode::InvalidInput, "sealed TOTP seed must be 1-1024 bytes");
    if (state == TotpState::Enabled && !sealedSeed)
        return Common::fail(ErrorCode::InvalidInput, "TOTP cannot be enabled without a seed");
    Lock lock(m_mutex);
    SOKO_PREPARE(query, "UPDATE admin_users SET totp_seed = ?2, totp_enabled = ?3, totp_last_step = -1, "
                        "updated_at = ?4 WHERE id = ?1");
    SOKO_TRY(query.bind(1, id).bind(2, sealedSeed).bind(3, state == TotpState::Enabled).bind(4, now()).run());
    if (sqlite3_changes(m_db) != 1)
        return Common::fail(ErrorCode::NotFound, "admin user not found");
    return {};
}

Result<bool> SqliteStore::advanceTotpStep(std::string_view id, std::int64_t step)
{
    Lock lock(m_mutex);
    // The condition is in the statement itself: accept-once needs no read before the write.
    SOKO_PREPARE(query, "UPDATE admin_users SET totp_last_step = ?2 WHERE id = ?1 AND totp_last_step < ?2");
    SOKO_TRY(query.bind(1, id).bind(2, step).run());
    return sqlite3_changes(m_db) == 1;
}

Result<void> SqliteStore::setAdminRole(std::string_view id, AdminRole role)
{
    Lock lock(m_mutex);
    SOKO_PREPARE(query, "UPDATE admin_users SET role = ?2, updated_at = ?3 WHERE id = ?1");
    SOKO_TRY(query.bind(1, id).bind(2, enumName(adminRoleNames, role)).bind(3, now()).run());
    if (sqlite3_changes(m_db) != 1)
        return Common::fail(ErrorCode::NotFound, "admin user not found");
    return {};
}

Result<void> SqliteStore::setAdminStatus(std::string_view id, AdminStatus status)
{
    Lock lock(m_mutex);
    SOKO_PREPARE(query, "UPDATE admin_users SET status = ?2, updated_at = ?3 WHERE id = ?1");
    SOKO_TRY(query.bind(1, id).bind(2, enumName(adminStatusNames, status)).bind(3, now()).run());
    if (sqlite3_changes(m_db) != 1)
        return Common::fail(ErrorCode::NotFound, "admin user not found");
    return {};
}

Result<void> SqliteStore::setMfaLockedUntil(std::string_view id, std::optional<std::string> until)
{
    std::optional<std::string> lockedUntil;
    if (until) {
        SOKO_TIME(checked, *until);
        lockedUntil = checked;
    }
    Lock lock(m_mutex);
    SOKO_PREPARE(query, "UPDATE admin_users SET mfa_locked_until = ?2, updated_at = ?3 WHERE id = ?1");
    SOKO_TRY(query.bind(1, id).bind(2, lockedUntil).bind(3, now()).run());
    if (sqlite3_changes(m_db) != 1)
        return Common::fail(ErrorCode::NotFound, "admin user not found");
    return {};
}

Result<std::int64_t> SqliteStore::countAdmins(AdminRole role, StatusFilter filter)
{
    Lock lock(m_mutex);
    SOKO_PREPARE(query, "SELECT count(*) FROM admin_users WHERE role = ?1 AND (?2 = 0 OR status = 'active')");
    query.bind(1, enumName(adminRoleNames, role)).bind(2, filter == StatusFilter::ActiveOnly);
    SOKO_STEP(row, query);
    return row ? query.integer(0) : std::int64_t(0);
}

Result<void> SqliteStore::insertAdminSession(const AdminSessionRecord &session)
{
    SOKO_CHECK(adminSessionProblem(session));
    std::string createdAt, lastSeenAt;
    std::optional<std::string> verifiedAt;
    {
        SOKO_TIME(created, session.createdAt.empty() ? now() : session.createdAt);
        SOKO_TIME(seen, session.lastSeenAt.empty() ? created : session.lastSeenAt);
        createdAt = created;
        lastSeenAt = seen;
        if (session.totpVerifiedAt) {
            SOKO_TIME(verified, *session.totpVerifiedAt);
            verifiedAt = verified;
        }
    }
    Lock lock(m_mutex);
    SOKO_PREPARE(query, "INSERT INTO admin_sessions(" SOKO_ADMIN_SESSION_COLUMNS
                        ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
    return query.bind(1, session.tokenHash)
        .bind(2, session.userId)
        .bind(3, enumName(adminSessionStageNames, session.stage))
        .bind(4, createdAt)
        .bind(5, lastSeenAt)
        .bind(6, verifiedAt)
        .bind(7, session.ip)
        .bind(8, truncateUtf8(session.userAgent, 256))
        .bind(9, session.totpFailures)
        .run();
}

Result<std::optional<AdminSessionRecord>> SqliteStore::adminSession(std::string_view tokenHash)
{
    Lock lock(m_mutex);
    SOKO_PREPARE(query, "SELECT " SOKO_ADMIN_SESSION_COLUMNS " FROM admin_sessions WHERE token_hash = ?1");
    query.bind(1, tokenHash);
    SOKO_STEP(row, query);
    if (!row)
        return std::optional<AdminSessionRecord>();
    return std::optional<AdminSessionRecord>(readAdminSession(query));
}

Result<void> SqliteStore::touchAdminSession(std::string_view tokenHash, std::string_view at)
{
    SOKO_TIME(seen, at);
    Lock lock(m_mutex);
    SOKO_PREPARE(query, "UPDATE admin_sessions SET last_seen_at = max(last_seen_at, ?2) WHERE token_hash = ?1");
    SOKO_TRY(query.bind(1, tokenHash).bind(2, seen).run());
    if (sqlite3_changes(m_db) != 1)
        return Common::fail(ErrorCode::NotFound, "admin session not found");
    return {};
}

Result<void> SqliteStore::setSessionTotpVerified(std::string_view tokenHash, std::string_view at)
{
    SOKO_TIME(verified, at);
    Lock lock(m_mutex);
    SOKO_PREPARE(query, "UPDATE admin_sessions SET totp_verified_at = ?2, totp_failures = 0 WHERE token_hash = ?1");
    SOKO_TRY(query.bind(1, tokenHash).bind(2, verified).run());
    if (sqlite3_changes(m_db) != 1)
        return Common::fail(ErrorCode::NotFound, "admin session not found");
    return {};
}

Result<std::int64_t> SqliteStore::incrementSessionTotpFailures(std::string_view tokenHash)
{
    Lock lock(m_mutex);
    SOKO_PREPARE(query, "UPDATE admin_sessions SET totp_failures = totp_failures + 1 WHERE token_hash = ?1 "
                        "RETURNING totp_failures");
    query.bind(1, tokenHash);
    SOKO_STEP(row, query);
    if (!row)
        return Common::fail(ErrorCode::NotFound, "admin session not found");
    const std::int64_t failures = query.integer(0);
    SOKO_TRY(query.step());
    return failures;
}

Result<bool> SqliteStore::deleteAdminSession(std::string_view tokenHash)
{
    Lock lock(m_mutex);
    SOKO_PREPARE(query, "DELETE FROM admin_sessions WHERE token_hash = ?1");
    SOKO_TRY(query.bind(1, tokenHash).run());
    return sqlite3_changes(m_db) == 1;
}

Result<std::int64_t> SqliteStore::deleteAdminSessionsOfUser(std::string_view userId, std::string_view exceptTokenHash)
{
    Lock lock(m_mutex);
    SOKO_PREPARE(query, "DELETE FROM admin_sessions WHERE user_id = ?1 AND token_hash <> ?2");
    SOKO_TRY(query.bind(1, userId).bind(2, exceptTokenHash).run());
    return static_cast<std::int64_t>(sqlite3_changes(m_db));
}

Result<std::vector<AdminSessionRecord>> SqliteStore::adminSessionsOfUser(std::string_view userId)
{
    Lock lock(m_mutex);
    SOKO_PREPARE(query, "SELECT " SOKO_ADMIN_SESSION_COLUMNS " FROM admin_sessions WHERE user_id = ?1 "
                        "ORDER BY created_at, token_hash");
    query.bind(1, userId);
    std::vector<AdminSessionRecord> out;
    for (;;) {
        SOKO_STEP(row, query);
        if (!row)
            break;
        out.push_back(readAdminSession(query));
    }
    return out;
}

Result<std::int64_t> SqliteStore::deleteExpiredAdminSessions(std::string_view idleCutoff,
                                                             std::string_view absoluteCutoff)
{
    SOKO_TIME(idle, idleCutoff);
    SOKO_TIME(absolute, absoluteCutoff);
    Lock lock(m_mutex);
    SOKO_PREPARE(query, "DELETE FROM admin_sessions WHERE last_seen_at < ?1 OR created_at < ?2");
    SOKO_TRY(query.bind(1, idle).bind(2, absolute).run());
    return static_cast<std::int64_t>(sqlite3_changes(m_db));
}

Result<void> SqliteStore::replaceRecoveryCodes(std::string_view userId, const std::vector<std::string> &codeHashes)
{
    if (codeHashes.size() > 32)
        return Common::fail(ErrorCode::InvalidInput, "at most 32 recovery codes");
    for (const std::string &hash : codeHashes)
        if (!isSha256Hex(hash))
            return Common::fail(ErrorCode::InvalidInput,
                                "recovery code hash must be 64 lower-case hex characters (SHA-256)");
    Lock lock(m_mutex);
    return atomically([this](const char *sql) { return exec(sql); },
                      [&]() -> Result<void> {
                          {
                              SOKO_PREPARE(clear, "DELETE FROM admin_recovery_codes WHERE user_id = ?1");
                              SOKO_TRY(clear.bind(1, userId).run());
                          }
                          const std::string at = now();
                          for (const std::string &hash : codeHashes) {
                              SOKO_PREPARE(add, "INSERT INTO admin_recovery_codes(user_id, code_hash, created_at) "
                                                "VALUES (?1, ?2, ?3)");
                              SOKO_TRY(add.bind(1, userId).bind(2, hash).bind(3, at).run());
                          }
                          return {};
                      });
}

Result<bool> SqliteStore::useRecoveryCode(std::string_view userId, std::string_view codeHash)
{
    if (!isSha256Hex(codeHash))
        return false;
    Lock lock(m_mutex);
    SOKO_PREPARE(query, "UPDATE admin_recovery_codes SET used_at = ?3 "
                        "WHERE user_id = ?1 AND code_hash = ?2 AND used_at IS NULL");
    SOKO_TRY(query.bind(1, userId).bind(2, codeHash).bind(3, now()).run());
    return sqlite3_changes(m_db) == 1;
}

Result<std::int64_t> SqliteStore::unusedRecoveryCodeCount(std::string_view userId)
{
    Lock lock(m_mutex);
    SOKO_PREPARE(query, "SELECT count(*) FROM admin_recovery_codes WHERE user_id = ?1 AND used_at IS NULL");
    query.bind(1, userId);
    SOKO_STEP(row, query);
    return row ? query.integer(0) : std::int64_t(0);
}

Result<std::optional<LoginThrottleRecord>> SqliteStore::loginThrottle(std::string_view key)
{
    SOKO_CHECK(loginThrottleKeyProblem(key));
    Lock lock(m_mutex);
    SOKO_PREPARE(query, "SELECT key, failures, window_start, last_failure_at, locked_until "
                        "FROM admin_login_throttle WHERE key = ?1");
    query.bind(1, key);
    SOKO_STEP(row, query);
    if (!row)
        return std::optional<LoginThrottleRecord>();
    return std::optional<LoginThrottleRecord>(readThrottle(query));
}

Result<LoginThrottleRecord> SqliteStore::recordLoginFailure(std::string_view key, std::string_view at)
{
    SOKO_CHECK(loginThrottleKeyProblem(key));
    SOKO_TIME(failedAt, at);
    const std::string windowCutoff = *shiftIsoTime(failedAt, -loginThrottleWindowSeconds);
    Lock lock(m_mutex);
    // One upsert: concurrent failures of one key each count (no read-modify-write in C++).
    SOKO_PREPARE(
        query, "INSERT INTO admin_login_throttle(key, failures, window_start, last_failure_at) VALUES (?1, 1, ?2, ?2) "
               "ON CONFLICT(key) DO UPDATE SET "
               "failures = CASE WHEN admin_login_throttle.window_start <= ?3 THEN 1 "
               "ELSE admin_login_throttle.failures + 1 END, "
               "window_start = CASE WHEN admin_login_throttle.window_start <= ?3 THEN ?2 "
               "ELSE admin_login_throttle.window_start END, "
               "last_failure_at = max(admin_login_throttle.last_failure_at, ?2) "
               "RETURNING key, failures, window_start, last_failure_at, locked_until");
    query.bind(1, key).bind(2, failedAt).bind(3, windowCutoff);
    SOKO_STEP(row, query);
    if (!row)
        return Common::fail(ErrorCode::Storage, "login throttle upsert returned no row");
    LoginThrottleRecord record = readThrottle(query);
    SOKO_TRY(query.step());
    return record;
}

Result<void> SqliteStore::lockLoginThrottle(std::string_view key, std::string_view until)
{
    SOKO_CHECK(loginThrottleKeyProblem(key));
    SOKO_TIME(lockedUntil, until);
    Lock lock(m_mutex);
    SOKO_PREPARE(query, "UPDATE admin_login_throttle SET locked_until = "
                        "CASE WHEN locked_until IS NULL OR locked_until < ?2 THEN ?2 ELSE locked_until END "
                        "WHERE key = ?1");
    SOKO_TRY(query.bind(1, key).bind(2, lockedUntil).run());
    if (sqlite3_changes(m_db) != 1)
        return Common::fail(ErrorCode::NotFound, "no login failures recorded for this key");
    return {};
}

Result<void> SqliteStore::resetLoginThrottle(std::string_view key)
{
    SOKO_CHECK(loginThrottleKeyProblem(key));
    Lock lock(m_mutex);
    SOKO_PREPARE(query, "DELETE FROM admin_login_throttle WHERE key = ?1");
    return query.bind(1, key).run();
}

Result<std::int64_t> SqliteStore::deleteStaleLoginThrottles(std::string_view before)
{
    SOKO_TIME(cutoff, before);
    Lock lock(m_mutex);
    SOKO_PREPARE(query, "DELETE FROM admin_login_throttle WHERE last_failure_at < ?1 "
                        "AND (locked_until IS NULL OR locked_until < ?1)");
    SOKO_TRY(query.bind(1, cutoff).run());
    return static_cast<std::int64_t>(sqlite3_changes(m_db));
}

Result<std::int64_t> SqliteStore::insertNotification(std::string_view userId, std::string_view kind,
                                                     std::string_view detailsJson)
{
    SOKO_CHECK(notificationProblem(kind, detailsJson));
    Lock lock(m_mutex);
    SOKO_PREPARE(query, "INSERT INTO admin_notifications(user_id, kind, details, created_at) VALUES (?1, ?2, ?3, ?4) "
                        "RETURNING id");
    query.bind(1, userId)
        .bind(2, kind)
        .bind(3, detailsJson.empty() ? std::string_view("{}") : detailsJson)
        .bind(4, now());
    SOKO_STEP(row, query);
    if (!row)
        return Common::fail(ErrorCode::Storage, "insert notification returned no id");
    const std::int64_t id = query.integer(0);
    SOKO_TRY(query.step());
    return id;
}

Result<std::vector<NotificationRecord>> SqliteStore::notifications(std::string_view userId, int limit)
{
    Lock lock(m_mutex);
    SOKO_PREPARE(query, "SELECT id, user_id, kind, details, created_at FROM admin_notifications WHERE user_id = ?1 "
                        "ORDER BY id DESC LIMIT ?2");
    query.bind(1, userId).bind(2, std::max(limit, 0)); // SQLite reads a negative LIMIT as none
    std::vector<NotificationRecord> out;
    for (;;) {
        SOKO_STEP(row, query);
        if (!row)
            break;
        out.push_back(NotificationRecord{query.integer(0), query.text(1), query.text(2), query.text(3), query.text(4)});
    }
    return out;
}

Result<std::int64_t> SqliteStore::insertApproval(const ApprovalRecord &approval)
{
    SOKO_CHECK(approvalProblem(approval));
    Lock lock(m_mutex);
    SOKO_PREPARE(query, "INSERT INTO admin_approvals(action, target, details, requested_by, requested_at, decision) "
                        "VALUES (?1, ?2, ?3, ?4, ?5, 'pending') RETURNING id");
    query.bind(1, approval.action)
        .bind(2, approval.target)
        .bind(3, approval.details.empty() ? std::string("{}") : approval.details)
        .bind(4, approval.requestedBy)
        .bind(5, now());
    SOKO_STEP(row, query);
    if (!row)
        return Common::fail(ErrorCode::Storage, "insert approval returned no id");
    const std::int64_t id = query.integer(0);
    SOKO_TRY(query.step());
    return id;
}

Result<std::optional<ApprovalRecord>> SqliteStore::approval(std::int64_t id)
{
    Lock lock(m_mutex);
    SOKO_PREPARE(query, "SELECT " SOKO_APPROVAL_COLUMNS " FROM admin_approvals WHERE id = ?1");
    query.bind(1, id);
    SOKO_STEP(row, query);
    if (!row)
        return std::optional<ApprovalRecord>();
    return std::optional<ApprovalRecord>(readApproval(query));
}

Result<bool> SqliteStore::decideApproval(std::int64_t id, std::string_view decidedBy, ApprovalDecision decision)
{
    if (decision == ApprovalDecision::Pending)
        return Common::fail(ErrorCode::InvalidInput, "a decision is approved or rejected");
    Lock lock(m_mutex);
    {
        // Only-if-pending and four eyes in the statement: of two deciders at once, one wins.
        SOKO_PREPARE(query, "UPDATE admin_approvals SET decision = ?2, decided_by = ?3, decided_at = ?4 "
                            "WHERE id = ?1 AND decision = 'pending' AND requested_by <> ?3");
        SOKO_TRY(query.bind(1, id)
                     .bind(2, enumName(approvalDecisionNames, decision))
                     .bind(3, decidedBy)
                     .bind(4, now())
                     .run());
        if (sqlite3_changes(m_db) == 1)
            return true;
    }
    auto current = approval(id);
    if (!current)
        return tl::unexpected(current.error());
    if (!*current)
        return Common::fail(ErrorCode::NotFound, "approval not found");
    if ((*current)->decision == ApprovalDecision::Pending && (*current)->requestedBy == decidedBy)
        return Common::fail(ErrorCode::Forbidden, "four eyes: the requester cannot decide their own request");
    return false;
}

Result<std::vector<ApprovalRecord>> SqliteStore::pendingApprovals()
{
    Lock lock(m_mutex);
    SOKO_PREPARE(query, "SELECT " SOKO_APPROVAL_COLUMNS " FROM admin_approvals WHERE decision = 'pending' ORDER BY id");
    std::vector<ApprovalRecord> out;
    for (;;) {
        SOKO_STEP(row, query);
        if (!row)
            break;
        out.push_back(readApproval(query));
    }
    return out;
}

Result<std::vector<ApprovalRecord>> SqliteStore::approvalsRequestedBy(std::string_view requestedBy,
                                                                      std::string_view action, int limit)
{
    if (limit < 1 || limit > 1000)
        return Common::fail(ErrorCode::InvalidInput, "limit must be 1..1000");
    Lock lock(m_mutex);
    SOKO_PREPARE(query, "SELECT " SOKO_APPROVAL_COLUMNS " FROM admin_approvals WHERE requested_by = ?1 AND action = ?2 "
                        "ORDER BY id DESC LIMIT ?3");
    query.bind(1, requestedBy).bind(2, action).bind(3, static_cast<std::int64_t>(limit));
    std::vector<ApprovalRecord> out;
    for (;;) {
        SOKO_STEP(row, query);
        if (!row)
            break;
        out.push_back(readApproval(query));
    }
    return out;
}

Result<bool> SqliteStore::consumeApproval(std::int64_t id, std::string_view requestedBy)
{
    Lock lock(m_mutex);
    SOKO_PREPARE(query, "UPDATE admin_approvals SET used_at = ?3 "
                        "WHERE id = ?1 AND requested_by = ?2 AND decision = 'approved' AND used_at IS NULL");
    SOKO_TRY(query.bind(1, id).bind(2, requestedBy).bind(3, now()).run());
    return sqlite3_changes(m_db) == 1;
}

Result<void> SqliteStore::setSetupTokenHash(std::string_view tokenHash)
{
    if (!isSha256Hex(tokenHash))
        return Common::fail(ErrorCode::InvalidInput, "setup token hash must be 64 lower-case hex characters");
    return setMeta(s_setupTokenKey, tokenHash);
}

Result<std::optional<std::string>> SqliteStore::setupTokenHash()
{
    return meta(s_setupTokenKey);
}

Result<bool> SqliteStore::consumeSetupToken(std::string_view tokenHash)
{
    if (!isSha256Hex(tokenHash))
        return false;
    Lock lock(m_mutex);
    SOKO_PREPARE(query, "DELETE FROM server_meta WHERE key = ?1 AND value = ?2");
    SOKO_TRY(query.bind(1, s_setupTokenKey).bind(2, tokenHash).run());
    return sqlite3_changes(m_db) == 1;
}

// ---- back-office order and stock pages ----
// Text filters use instr() on lower(): a literal substring, so '%', '_' and quotes mean themselves (R31).

Result<std::vector<OrderListRow>> SqliteStore::searchOrders(const OrderSearch &search)
{
    Lock lock(m_mutex);
    SOKO_PREPARE(query,
                 "SELECT o.id, o.store, o.order_number, o.customer, o.address, coalesce(o.warehouse, ''), o.state, "
                 "o.created_at, (SELECT count(*) FROM order_lines l WHERE l.order_id = o.id), "
                 "(SELECT coalesce(sum(l.quantity), 0) FROM order_lines l WHERE l.order_id = o.id) "
                 "FROM orders o WHERE (?1 = '' OR instr(lower(o.order_number), lower(?1)) > 0 "
                 "OR instr(lower(o.customer), lower(?1)) > 0) AND (?2 IS NULL OR o.state = ?2) "
                 "AND (?3 = '' OR o.store = ?3) AND (?4 = '' OR substr(o.created_at, 1, 10) >= ?4) "
                 "AND (?5 = '' OR substr(o.created_at, 1, 10) <= ?5) AND (?6 = 0 OR o.id < ?6) "
                 "ORDER BY o.id DESC LIMIT ?7");
    std::optional<std::string> stateName;
    if (search.state)
        stateName = std::string(Common::Domain::orderStateName(*search.state));
    query.bind(1, search.text)
        .bind(2, stateName)
        .bind(3, search.store)
        .bind(4, search.createdFrom)
        .bind(5, search.createdTo)
        .bind(6, search.beforeId)
        .bind(7, search.limit);
    std::vector<OrderListRow> out;
    for (;;) {
        SOKO_STEP(row, query);
        if (!row)
            break;
        OrderListRow item;
        item.order.id = query.integer(0);
        item.order.store = query.text(1);
        item.order.orderNumber = query.text(2);
        item.order.customer = query.text(3);
        item.order.address = query.text(4);
        item.order.warehouse = query.text(5);
        item.order.state = Common::Domain::orderStateFromName(query.text(6)).value_or(OrderState::Imported);
        item.createdAt = query.text(7);
        item.lineCount = query.integer(8);
        item.quantity = query.integer(9);
        out.push_back(std::move(item));
    }
    return out;
}

Result<std::optional<ShipmentRecord>> SqliteStore::shipment(std::int64_t orderId)
{
    Lock lock(m_mutex);
    SOKO_PREPARE(query, "SELECT order_id, tracking_number, carrier, shipped_at FROM shipments WHERE order_id = ?1");
    query.bind(1, orderId);
    SOKO_STEP(row, query);
    if (!row)
        return std::optional<ShipmentRecord>();
    return std::optional<ShipmentRecord>(
        ShipmentRecord{query.integer(0), query.text(1), query.text(2), query.text(3)});
}

Result<std::vector<AuditRecord>> SqliteStore::auditOfTarget(std::string_view target, std::string_view eventPrefix,
                                                           int limit)
{
    Lock lock(m_mutex);
    SOKO_PREPARE(query, "SELECT id, at, actor, event, target, details, role, source_ip, listener, request_id, "
                        "outcome, prev_hash, hash FROM audit WHERE target = ?1 "
                        "AND substr(event, 1, length(?2)) = ?2 ORDER BY id LIMIT ?3");
    query.bind(1, target).bind(2, eventPrefix).bind(3, limit);
    std::vector<AuditRecord> out;
    for (;;) {
        SOKO_STEP(row, query);
        if (!row)
            break;
        out.push_back(auditRow(query));
    }
    return out;
}

Result<std::vector<Sku>> SqliteStore::searchSkus(std::string_view text, std::string_view afterCode, int limit)
{
    Lock lock(m_mutex);
    std::vector<std::string> codes;
    {
        SOKO_PREPARE(query, "SELECT code FROM skus WHERE code > ?1 AND (?2 = '' OR instr(lower(code), lower(?2)) > 0 "
                            "OR instr(lower(name), lower(?2)) > 0) ORDER BY code LIMIT ?3");
        query.bind(1, afterCode).bind(2, text).bind(3, limit);
        for (;;) {
            SOKO_STEP(row, query);
            if (!row)
                break;
            codes.push_back(query.text(0));
        }
    }
    std::vector<Sku> out;
    for (const std::string &code : codes) {
        auto one = sku(code);
        if (!one)
            return tl::unexpected(one.error());
        if (*one)
            out.push_back(std::move(**one));
    }
    return out;
}

} // namespace Server::Storage

// ---- terminals pages: conflict queue, device activity, dashboard counts (migration 4) ----

namespace Server::Storage {

#define SOKO_CONFLICT_ENTRY_SELECT                                                                                     \
    "SELECT c.id, c.warehouse, c.device_id, c.op_id, c.reason, c.message, c.created_at, "                             \
    "coalesce((SELECT d.label FROM devices d WHERE d.id = c.device_id), ''), "                                         \
    "coalesce((SELECT a.operator_id FROM applied_ops a WHERE a.device_id = c.device_id AND a.op_id = c.op_id "         \
    "ORDER BY a.incarnation, a.seq LIMIT 1), ''), "                                                                    \
    "coalesce((SELECT a.type FROM applied_ops a WHERE a.device_id = c.device_id AND a.op_id = c.op_id "                \
    "ORDER BY a.incarnation, a.seq LIMIT 1), ''), "                                                                    \
    "coalesce((SELECT a.payload FROM applied_ops a WHERE a.device_id = c.device_id AND a.op_id = c.op_id "             \
    "ORDER BY a.incarnation, a.seq LIMIT 1), ''), "                                                                    \
    "c.resolved_at, coalesce(c.resolution, ''), coalesce(c.resolved_by, ''), coalesce(c.resolution_note, '') "         \
    "FROM conflicts c "

static Store::ConflictEntry readConflictEntry(const SqliteStore::Statement &query)
{
    Store::ConflictEntry entry;
    entry.conflict = ConflictRecord{query.integer(0), query.text(1), query.text(2), query.text(3),
                                    query.text(4),    query.text(5), query.text(6)};
    entry.deviceLabel = query.text(7);
    entry.operatorId = query.text(8);
    entry.opType = query.text(9);
    entry.payloadJson = query.text(10);
    entry.resolvedAt = query.optionalText(11);
    entry.resolution = Store::resolutionFromName(query.text(12));
    entry.resolvedBy = query.text(13);
    entry.resolutionNote = query.text(14);
    return entry;
}

Result<std::vector<Store::ConflictEntry>> SqliteStore::conflictQueue(int limit)
{
    Lock lock(m_mutex);
    SOKO_PREPARE(query, SOKO_CONFLICT_ENTRY_SELECT "ORDER BY (c.resolved_at IS NOT NULL), "
                                                   "CASE WHEN c.resolved_at IS NULL THEN c.id ELSE -c.id END LIMIT ?1");
    query.bind(1, limit);
    std::vector<ConflictEntry> out;
    for (;;) {
        SOKO_STEP(row, query);
        if (!row)
            break;
        out.push_back(readConflictEntry(query));
    }
    return out;
}

Result<std::optional<Store::ConflictEntry>> SqliteStore::conflictEntry(std::int64_t id)
{
    Lock lock(m_mutex);
    SOKO_PREPARE(query, SOKO_CONFLICT_ENTRY_SELECT "WHERE c.id = ?1");
    query.bind(1, id);
    SOKO_STEP(row, query);
    if (!row)
        return std::optional<ConflictEntry>();
    return std::optional<ConflictEntry>(readConflictEntry(query));
}

Result<std::int64_t> SqliteStore::openConflictCount()
{
    Lock lock(m_mutex);
    SOKO_PREPARE(query, "SELECT count(*) FROM conflicts WHERE resolved_at IS NULL");
    SOKO_STEP(row, query);
    return row ? query.integer(0) : 0;
}

Result<bool> SqliteStore::resolveConflict(std::int64_t id, ConflictResolution resolution,
                                          std::string_view resolvedBy, std::string_view note)
{
    Lock lock(m_mutex);
    SOKO_PREPARE(query, "UPDATE conflicts SET resolved_at = ?2, resolution = ?3, resolved_by = ?4, "
                        "resolution_note = ?5 WHERE id = ?1 AND resolved_at IS NULL");
    SOKO_TRY(query.bind(1, id).bind(2, now()).bind(3, resolutionName(resolution)).bind(4, resolvedBy).bind(5, note).run());
    return sqlite3_changes(m_db) == 1;
}

Result<std::vector<Store::DeviceActivity>> SqliteStore::deviceActivity()
{
    Lock lock(m_mutex);
    SOKO_PREPARE(query,
                 "SELECT d.id, "
                 "(SELECT count(*) FROM applied_ops a WHERE a.device_id = d.id AND a.outcome = 'applied'), "
                 "(SELECT count(*) FROM applied_ops a WHERE a.device_id = d.id AND a.outcome = 'conflict'), "
                 "(SELECT count(*) FROM applied_ops a WHERE a.device_id = d.id AND a.outcome = 'rejected'), "
                 "(SELECT max(a.applied_at) FROM applied_ops a WHERE a.device_id = d.id), "
                 "(SELECT count(*) FROM rejections r WHERE r.device_id = d.id) FROM devices d ORDER BY d.id");
    std::vector<DeviceActivity> out;
    for (;;) {
        SOKO_STEP(row, query);
        if (!row)
            break;
        out.push_back(DeviceActivity{query.text(0), query.integer(1), query.integer(2), query.integer(3),
                                     query.optionalText(4), query.integer(5)});
    }
    return out;
}

Result<std::vector<std::pair<OrderState, std::int64_t>>> SqliteStore::orderStateCountsSince(std::string_view since)
{
    Lock lock(m_mutex);
    SOKO_PREPARE(query, "SELECT state, count(*) FROM orders WHERE updated_at >= ?1 GROUP BY state");
    query.bind(1, since);
    std::vector<std::pair<OrderState, std::int64_t>> out;
    for (;;) {
        SOKO_STEP(row, query);
        if (!row)
            break;
        if (const auto state = Common::Domain::orderStateFromName(query.text(0)))
            out.emplace_back(*state, query.integer(1));
    }
    return out;
}

Result<std::int64_t> SqliteStore::shipmentCountSince(std::string_view since)
{
    Lock lock(m_mutex);
    SOKO_PREPARE(query, "SELECT count(*) FROM shipments WHERE shipped_at >= ?1");
    query.bind(1, since);
    SOKO_STEP(row, query);
    return row ? query.integer(0) : 0;
}

Result<std::int64_t> SqliteStore::alertCountSince(std::string_view since)
{
    Lock lock(m_mutex);
    SOKO_PREPARE(query, "SELECT count(*) FROM alert_outbox WHERE created_at >= ?1");
    query.bind(1, since);
    SOKO_STEP(row, query);
    return row ? query.integer(0) : 0;
}

// ---- audit log and settings pages ----

Result<std::vector<AuditRecord>> SqliteStore::searchAudit(const AuditSearch &search)
{
    if (search.limit < 1 || search.limit > 1000)
        return Common::fail(ErrorCode::InvalidInput, "audit search limit must be 1-1000");
    Lock lock(m_mutex);
    const bool newer = search.afterSeq > 0;
    SOKO_PREPARE(descending, "SELECT id, at, actor, event, target, details, role, source_ip, listener, request_id, "
                             "outcome, prev_hash, hash FROM audit WHERE (?1 = '' OR event = ?1) "
                             "AND (?2 = '' OR actor = ?2) AND (?3 = '' OR at >= ?3) AND (?4 = '' OR at < ?4) "
                             "AND (?5 = 0 OR id < ?5) ORDER BY id DESC LIMIT ?6");
    SOKO_PREPARE(ascending, "SELECT id, at, actor, event, target, details, role, source_ip, listener, request_id, "
                            "outcome, prev_hash, hash FROM audit WHERE (?1 = '' OR event = ?1) "
                            "AND (?2 = '' OR actor = ?2) AND (?3 = '' OR at >= ?3) AND (?4 = '' OR at < ?4) "
                            "AND id > ?5 ORDER BY id LIMIT ?6");
    Statement &query = newer ? ascending : descending;
    query.bind(1, search.event)
        .bind(2, search.actor)
        .bind(3, search.fromAt)
        .bind(4, search.toAt)
        .bind(5, newer ? search.afterSeq : search.beforeSeq)
        .bind(6, search.limit);
    std::vector<AuditRecord> out;
    for (;;) {
        SOKO_STEP(row, query);
        if (!row)
            break;
        out.push_back(auditRow(query));
    }
    return out;
}

namespace {
constexpr std::string_view s_settingPrefix = "setting.";
}

Result<std::vector<std::pair<std::string, std::string>>> SqliteStore::backOfficeSettings()
{
    Lock lock(m_mutex);
    SOKO_PREPARE(query, "SELECT key, value FROM server_meta WHERE substr(key, 1, 8) = 'setting.' ORDER BY key");
    std::vector<std::pair<std::string, std::string>> out;
    for (;;) {
        SOKO_STEP(row, query);
        if (!row)
            break;
        out.emplace_back(query.text(0).substr(s_settingPrefix.size()), query.text(1));
    }
    return out;
}

Result<void> SqliteStore::setBackOfficeSetting(std::string_view name, std::string_view value)
{
    if (!isBackOfficeSettingName(name) || value.size() > maxBackOfficeSettingBytes)
        return Common::fail(ErrorCode::InvalidInput, "setting name must be [a-z0-9_.]{1,64} and its value ≤ 4096 bytes");
    return setMeta(std::string(s_settingPrefix) + std::string(name), value);
}

Result<void> SqliteStore::removeBackOfficeSetting(std::string_view name)
{
    if (!isBackOfficeSettingName(name))
        return Common::fail(ErrorCode::InvalidInput, "setting name must be [a-z0-9_.]{1,64}");
    Lock lock(m_mutex);
    SOKO_PREPARE(query, "DELETE FROM server_meta WHERE key = ?1");
    return query.bind(1, std::string(s_settingPrefix) + std::string(name)).run();
}

} // namespace Server::Storage
