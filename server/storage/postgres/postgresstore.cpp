#include "server/storage/postgres/postgresstore.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <poll.h>
#include <unordered_map>
#include <pqxx/pqxx>
#include "server/storage/auditchain.h"
#include "server/storage/changedata.h"
#include "common/protocol/protocol.h"
#include "server/storage/ids.h"
#include "server/storage/migrations.h"

namespace Server::Storage {

namespace {

using Common::ErrorCode;
using Common::Domain::MovementReason;
using Common::Domain::OperationOutcome;

// Advisory lock keys (per database). Arbitrary constants, spelled "soko" + purpose.
constexpr std::int64_t s_migrationLockKey = 0x736f6b6f0001; // session lock while migrating
constexpr std::int64_t s_changeLogLockKey = 0x736f6b6f0002; // transaction lock while versions are assigned
constexpr std::int64_t s_auditLockKey = 0x736f6b6f0003;     // transaction lock: audit chain head

constexpr std::array<std::pair<std::string_view, MovementReason>, 7> s_reasons{{
    {"receipt", MovementReason::Receipt},
    {"putaway", MovementReason::Putaway},
    {"pick", MovementReason::Pick},
    {"move", MovementReason::Move},
    {"count_adjustment", MovementReason::CountAdjustment},
    {"adjustment", MovementReason::Adjustment},
    {"return", MovementReason::Return},
}};

std::string reasonText(MovementReason reason)
{
    for (const auto &[name, value] : s_reasons)
        if (value == reason)
            return std::string(name);
    return "adjustment";
}

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

std::optional<std::string> nonEmpty(std::string_view text)
{
    if (text.empty())
        return std::nullopt;
    return std::string(text);
}

// A PostgreSQL array literal of text values ("{\"a\",NULL}"), sent as one bound parameter: the
// elements are quoted and escaped, never spliced into SQL.
std::string textArray(const std::vector<std::optional<std::string>> &values)
{
    std::string out = "{";
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (i)
            out += ',';
        if (!values[i]) {
            out += "NULL";
            continue;
        }
        out += '"';
        for (const char c : *values[i]) {
            if (c == '"' || c == '\\')
                out += '\\';
            out += c;
        }
        out += '"';
    }
    out += '}';
    return out;
}

std::string bigintArray(const std::vector<std::int64_t> &values)
{
    std::string out = "{";
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (i)
            out += ',';
        out += std::to_string(values[i]);
    }
    out += '}';
    return out;
}

std::string text(const pqxx::field &field)
{
    return field.is_null() ? std::string() : field.as<std::string>();
}

std::optional<std::string> optionalText(const pqxx::field &field)
{
    if (field.is_null())
        return std::nullopt;
    return field.as<std::string>();
}

std::int64_t integer(const pqxx::field &field)
{
    return field.is_null() ? 0 : field.as<std::int64_t>();
}

bool boolean(const pqxx::field &field)
{
    return !field.is_null() && field.as<bool>();
}

struct PendingChange
{
    ChangeRecord change;
    std::string createdAt;
};

} // namespace

// The connection and what belongs to it: prepared statement names, the transaction in progress
// (explicit from begin(), or implicit for one call) and the change rows waiting for commit.
struct PostgresStore::Connection
{
    std::unique_ptr<pqxx::connection> database;
    std::unique_ptr<pqxx::work> explicitTransaction;
    pqxx::transaction_base *current = nullptr;
    std::unordered_map<const char *, std::string> prepared; // keyed by the SQL literal
    std::vector<PendingChange> pending;
    bool broken = false;

    // Every statement goes through here: prepared once per connection, parameters bound.
    template <typename... Args> pqxx::result exec(const char *sql, Args &&...args)
    {
        auto found = prepared.find(sql);
        if (found == prepared.end()) {
            std::string name = "soko_" + std::to_string(prepared.size() + 1);
            database->prepare(name, sql);
            found = prepared.emplace(sql, std::move(name)).first;
        }
        return current->exec_prepared(found->second, std::forward<Args>(args)...);
    }

    // Gives the waiting change rows their versions and inserts them; called right before COMMIT.
    //
    // Why versions follow commit order (docs/sync-protocol.md "Version order = commit order"):
    // the versions are drawn from change_log_version only here, while holding the transaction-
    // level advisory lock s_changeLogLockKey, and that lock is held until the transaction ends.
    // PostgreSQL makes a committing transaction visible (ProcArrayEndTransaction) before it
    // releases its locks (ProcReleaseLocks, later in CommitTransaction). So if transaction A
    // drew versions before transaction B, A held the lock first, and A was visible before B
    // could even draw: every snapshot that shows one of B's rows also shows all of A's. A
    // reader that has seen version v therefore has seen every committed version below v, and
    // `version > cursor` never skips a row that commits later. A transaction that rolls back
    // leaves a gap in the sequence, which is harmless.
    // The lock is held only for one INSERT and the COMMIT, not for the whole transaction, and
    // nothing else is locked while it is held (change_log rows are new), so it cannot deadlock.
    void flushChanges()
    {
        if (pending.empty())
            return;
        exec("SELECT pg_advisory_xact_lock($1)", s_changeLogLockKey);
        const pqxx::result drawn = exec("SELECT nextval('change_log_version') FROM generate_series(1, $1::bigint)",
                                        static_cast<std::int64_t>(pending.size()));
        std::vector<std::int64_t> versions;
        versions.reserve(drawn.size());
        for (const auto &row : drawn)
            versions.push_back(row[0].as<std::int64_t>());
        std::sort(versions.begin(), versions.end());
        std::vector<std::optional<std::string>> warehouses, entities, keys, data, times;
        for (const PendingChange &item : pending) {
            warehouses.push_back(item.change.warehouse);
            entities.emplace_back(item.change.entity);
            keys.emplace_back(item.change.key);
            data.push_back(item.change.data);
            times.emplace_back(item.createdAt);
        }
        exec("INSERT INTO change_log(version, warehouse, entity, key, data, created_at) "
             "SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[])",
             bigintArray(versions), textArray(warehouses), textArray(entities), textArray(keys), textArray(data),
             textArray(times));
        pending.clear();
    }
};

PostgresStore::PostgresStore(std::unique_ptr<Connection> connection, PostgresOptions options)
    : m_connection(std::move(connection))
    , m_options(std::move(options))
{}

PostgresStore::~PostgresStore()
{
    if (m_connection && m_connection->explicitTransaction)
        rollback();
}

Result<std::unique_ptr<PostgresStore>> PostgresStore::connect(const std::string &url, PostgresOptions options)
{
    auto connection = std::make_unique<Connection>();
    try {
        connection->database = std::make_unique<pqxx::connection>(url);
        pqxx::nontransaction session(*connection->database);
        // Bounded statements and no transaction left idle holding locks (REQUIREMENTS.md §5.2).
        session.exec_params("SELECT set_config('statement_timeout', $1, false), "
                            "set_config('idle_in_transaction_session_timeout', $2, false), "
                            "set_config('application_name', 'soko-server', false)",
                            std::to_string(options.statementTimeout.count()),
                            std::to_string(std::max<std::int64_t>(options.statementTimeout.count() * 2, 60000)));
    } catch (const std::exception &error) {
        // The URL may carry a password: name only the failure, never the URL.
        std::string message = error.what();
        if (const auto newline = message.find('\n'); newline != std::string::npos)
            message.resize(newline);
        return Common::fail(ErrorCode::Storage, "cannot connect to PostgreSQL: " + message);
    }
    return std::unique_ptr<PostgresStore>(new PostgresStore(std::move(connection), std::move(options)));
}

Result<void> PostgresStore::migrate(const std::string &url)
{
    try {
        pqxx::connection database(url);
        {
            pqxx::nontransaction session(database);
            session.exec_params("SELECT pg_advisory_lock($1)", s_migrationLockKey);
            // Looked up first: an application role without CREATE on the schema (tables owned by
            // another role, docs/server.md "Audit trail") may open a migrated database.
            if (session.exec("SELECT to_regclass('schema_version') IS NULL")[0][0].as<bool>())
                session.exec("CREATE TABLE IF NOT EXISTS schema_version (version bigint NOT NULL)");
        }
        std::int64_t current = 0;
        {
            pqxx::work read(database);
            current = read.exec("SELECT coalesce(max(version), 0) FROM schema_version")[0][0].as<std::int64_t>();
            read.commit();
        }
        for (const Migration &migration : postgresMigrations()) {
            if (migration.version <= current)
                continue;
            pqxx::work apply(database);
            apply.exec(std::string(migration.sql)); // DDL from the source, no parameters
            apply.exec_params("INSERT INTO schema_version(version) VALUES ($1)",
                              static_cast<std::int64_t>(migration.version));
            apply.commit();
        }
        {
            pqxx::work epoch(database);
            epoch.exec_params("INSERT INTO server_meta(key, value) VALUES ('epoch', $1) ON CONFLICT (key) DO NOTHING",
                              randomUuid());
            epoch.commit();
        }
        pqxx::nontransaction session(database);
        session.exec_params("SELECT pg_advisory_unlock($1)", s_migrationLockKey);
    } catch (const std::exception &error) {
        std::string message = error.what();
        if (const auto newline = message.find('\n'); newline != std::string::npos)
            message.resize(newline);
        return Common::fail(ErrorCode::Storage, "PostgreSQL migration failed: " + message);
    }
    return {};
}

bool PostgresStore::inTransaction() const
{
    return m_connection->explicitTransaction != nullptr;
}

bool PostgresStore::looksAlive() const
{
    if (isBroken() || m_connection->current)
        return !isBroken();
    pollfd descriptor{};
    descriptor.fd = m_connection->database->sock();
    descriptor.events = POLLIN;
    if (descriptor.fd < 0)
        return false;
    // Idle: nothing should be waiting to be read. A FATAL message or EOF means the server is gone.
    return ::poll(&descriptor, 1, 0) == 0;
}

bool PostgresStore::isBroken() const
{
    return m_connection->broken || !m_connection->database || !m_connection->database->is_open();
}

Common::Error PostgresStore::failure(std::string_view what, const std::exception &error)
{
    std::string message = error.what();
    if (const auto newline = message.find('\n'); newline != std::string::npos)
        message.resize(newline);
    if (const auto *sql = dynamic_cast<const pqxx::sql_error *>(&error)) {
        const std::string &state = sql->sqlstate();
        // A constraint refusal is an expected outcome the API may show (409): no table or column.
        if (state.rfind("23", 0) == 0)
            return Common::Error::make(ErrorCode::Conflict,
                                       "conflict: the write would break a uniqueness or reference rule");
        if (state == "40001" || state == "40P01") {
            m_retryable = true;
            return Common::Error::make(ErrorCode::Storage, "transient " + state + " in " + std::string(what));
        }
        return Common::Error::make(ErrorCode::Storage, std::string(what) + ": " + state + " " + message);
    }
    if (dynamic_cast<const pqxx::broken_connection *>(&error) || dynamic_cast<const pqxx::in_doubt_error *>(&error))
        m_connection->broken = true;
    return Common::Error::make(ErrorCode::Storage, std::string(what) + ": " + message);
}

// Runs `body` in the transaction in progress, or in an implicit one committed right away.
template <typename T, typename Body> Result<T> PostgresStore::run(std::string_view what, Body body)
{
    Connection &c = *m_connection;
    if (isBroken())
        return Common::fail(ErrorCode::Storage, std::string(what) + ": the database connection was lost");
    if (c.current) {
        try {
            return body(c);
        } catch (const std::exception &error) {
            return tl::unexpected(failure(what, error));
        }
    }
    m_retryable = false;
    try {
        pqxx::work transaction(*c.database);
        c.current = &transaction;
        Result<T> result = body(c);
        if (result) {
            c.flushChanges();
            transaction.commit();
        }
        c.current = nullptr;
        c.pending.clear();
        return result;
    } catch (const std::exception &error) {
        c.current = nullptr;
        c.pending.clear();
        return tl::unexpected(failure(what, error));
    }
}

std::string PostgresStore::now()
{
    return m_options.clock ? m_options.clock() : utcNowIso();
}

// ---- transactions and meta ----

Result<void> PostgresStore::begin()
{
    Connection &c = *m_connection;
    if (c.current)
        return Common::fail(ErrorCode::Storage, "begin: a transaction is already open on this connection");
    if (isBroken())
        return Common::fail(ErrorCode::Storage, "begin: the database connection was lost");
    m_retryable = false;
    try {
        c.explicitTransaction = std::make_unique<pqxx::work>(*c.database);
        c.current = c.explicitTransaction.get();
    } catch (const std::exception &error) {
        c.explicitTransaction.reset();
        return tl::unexpected(failure("begin", error));
    }
    return {};
}

Result<void> PostgresStore::commit()
{
    Connection &c = *m_connection;
    if (!c.explicitTransaction)
        return Common::fail(ErrorCode::Storage, "commit: no transaction is open");
    Result<void> result;
    try {
        c.flushChanges();
        c.explicitTransaction->commit();
    } catch (const std::exception &error) {
        result = tl::unexpected(failure("commit", error));
    }
    c.current = nullptr;
    c.pending.clear();
    c.explicitTransaction.reset(); // aborts if the commit did not happen
    return result;
}

void PostgresStore::rollback()
{
    Connection &c = *m_connection;
    try {
        if (c.explicitTransaction)
            c.explicitTransaction->abort();
    } catch (const std::exception &error) {
        (void)failure("rollback", error);
    }
    c.current = nullptr;
    c.pending.clear();
    c.explicitTransaction.reset();
}

Result<int> PostgresStore::schemaVersion()
{
    return run<int>("schemaVersion", [](Connection &c) -> Result<int> {
        return static_cast<int>(
            c.exec("SELECT coalesce(max(version), 0) FROM schema_version")[0][0].as<std::int64_t>());
    });
}

Result<void> PostgresStore::ping()
{
    return run<void>("ping", [](Connection &c) -> Result<void> {
        c.exec("SELECT 1");
        return {};
    });
}

Result<std::string> PostgresStore::epoch()
{
    return run<std::string>("epoch", [](Connection &c) -> Result<std::string> {
        const auto rows = c.exec("SELECT value FROM server_meta WHERE key = 'epoch'");
        if (rows.empty())
            return Common::fail(ErrorCode::Storage, "server_meta has no epoch");
        return rows[0][0].as<std::string>();
    });
}

Result<std::string> PostgresStore::rotateEpoch()
{
    return run<std::string>("rotateEpoch", [](Connection &c) -> Result<std::string> {
        std::string fresh = randomUuid();
        c.exec("INSERT INTO server_meta(key, value) VALUES ('epoch', $1) "
               "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
               fresh);
        return fresh;
    });
}

// ---- master data ----

Result<void> PostgresStore::upsertWarehouse(const Warehouse &warehouse)
{
    return run<void>("upsertWarehouse", [&](Connection &c) -> Result<void> {
        c.exec(
            "INSERT INTO warehouses(code, name) VALUES ($1, $2) ON CONFLICT (code) DO UPDATE SET name = excluded.name",
            warehouse.code, warehouse.name);
        return {};
    });
}

Result<std::vector<Warehouse>> PostgresStore::warehouses()
{
    return run<std::vector<Warehouse>>("warehouses", [](Connection &c) -> Result<std::vector<Warehouse>> {
        std::vector<Warehouse> out;
        for (const auto &row : c.exec("SELECT code, name FROM warehouses ORDER BY code"))
            out.push_back(Warehouse{text(row[0]), text(row[1])});
        return out;
    });
}

Result<bool> PostgresStore::warehouseExists(std::string_view code)
{
    return run<bool>("warehouseExists", [&](Connection &c) -> Result<bool> {
        return !c.exec("SELECT 1 FROM warehouses WHERE code = $1", std::string(code)).empty();
    });
}

Result<void> PostgresStore::upsertSku(const Sku &sku)
{
    return run<void>("upsertSku", [&](Connection &c) -> Result<void> {
        c.exec("INSERT INTO skus(code, name, base_unit, lot_controlled) VALUES ($1, $2, $3, $4) "
               "ON CONFLICT (code) DO UPDATE SET name = excluded.name, base_unit = excluded.base_unit, "
               "lot_controlled = excluded.lot_controlled",
               sku.code, sku.name, sku.baseUnit, sku.lotControlled);
        c.exec("DELETE FROM sku_gtins WHERE sku = $1", sku.code);
        for (const std::string &gtin : sku.gtins)
            c.exec("INSERT INTO sku_gtins(gtin, sku) VALUES ($1, $2)", gtin, sku.code);
        return appendChange(ChangeRecord{0, std::nullopt, ChangeData::skuEntity, sku.code, ChangeData::ofSku(sku)})
            .map([](std::int64_t) {});
    });
}

Result<std::optional<Sku>> PostgresStore::sku(std::string_view code)
{
    return run<std::optional<Sku>>("sku", [&](Connection &c) -> Result<std::optional<Sku>> {
        const auto rows =
            c.exec("SELECT code, name, base_unit, lot_controlled FROM skus WHERE code = $1", std::string(code));
        if (rows.empty())
            return std::optional<Sku>();
        Sku sku;
        sku.code = text(rows[0][0]);
        sku.name = text(rows[0][1]);
        sku.baseUnit = text(rows[0][2]);
        sku.lotControlled = boolean(rows[0][3]);
        for (const auto &row : c.exec("SELECT gtin FROM sku_gtins WHERE sku = $1 ORDER BY gtin", std::string(code)))
            sku.gtins.push_back(text(row[0]));
        return std::optional<Sku>(std::move(sku));
    });
}

Result<std::optional<std::string>> PostgresStore::skuCodeByGtin(std::string_view gtin14)
{
    return run<std::optional<std::string>>("skuCodeByGtin", [&](Connection &c) -> Result<std::optional<std::string>> {
        const auto rows = c.exec("SELECT sku FROM sku_gtins WHERE gtin = $1", std::string(gtin14));
        if (rows.empty())
            return std::optional<std::string>();
        return std::optional<std::string>(text(rows[0][0]));
    });
}

Result<std::vector<Sku>> PostgresStore::skus(std::string_view afterCode, int limit)
{
    // An empty search text matches every SKU: one query and one loading loop serve both.
    return searchSkus({}, afterCode, limit);
}

Result<void> PostgresStore::upsertLocation(const Location &location)
{
    return run<void>("upsertLocation", [&](Connection &c) -> Result<void> {
        c.exec(
            "INSERT INTO locations(warehouse, code, zone, pick_sequence) VALUES ($1, $2, $3, $4) "
            "ON CONFLICT (warehouse, code) DO UPDATE SET zone = excluded.zone, pick_sequence = excluded.pick_sequence",
            location.warehouse, location.code, location.zone, static_cast<std::int64_t>(location.pickSequence));
        return appendChange(ChangeRecord{0, location.warehouse, ChangeData::locationEntity, location.code,
                                         ChangeData::ofLocation(location)})
            .map([](std::int64_t) {});
    });
}

Result<std::optional<Location>> PostgresStore::location(std::string_view warehouse, std::string_view code)
{
    return run<std::optional<Location>>("location", [&](Connection &c) -> Result<std::optional<Location>> {
        const auto rows =
            c.exec("SELECT warehouse, code, zone, pick_sequence FROM locations WHERE warehouse = $1 AND code = $2",
                   std::string(warehouse), std::string(code));
        if (rows.empty())
            return std::optional<Location>();
        return std::optional<Location>(
            Location{text(rows[0][0]), text(rows[0][1]), text(rows[0][2]), integer(rows[0][3])});
    });
}

Result<std::vector<Location>> PostgresStore::locations(std::string_view warehouse)
{
    return run<std::vector<Location>>("locations", [&](Connection &c) -> Result<std::vector<Location>> {
        std::vector<Location> out;
        for (const auto &row : c.exec("SELECT warehouse, code, zone, pick_sequence FROM locations WHERE warehouse = $1 "
                                      "ORDER BY pick_sequence, code",
                                      std::string(warehouse)))
            out.push_back(Location{text(row[0]), text(row[1]), text(row[2]), integer(row[3])});
        return out;
    });
}

Result<void> PostgresStore::upsertLot(const Lot &lot)
{
    return run<void>("upsertLot", [&](Connection &c) -> Result<void> {
        std::optional<std::string> expiry;
        if (lot.expiry)
            expiry = formatDate(*lot.expiry);
        c.exec("INSERT INTO lots(sku, code, expiry, blocked) VALUES ($1, $2, $3, $4) "
               "ON CONFLICT (sku, code) DO UPDATE SET expiry = excluded.expiry, blocked = excluded.blocked",
               lot.skuCode, lot.code, expiry, lot.blocked);
        return appendChange(ChangeRecord{0, std::nullopt, ChangeData::lotEntity,
                                         ChangeData::lotKey(lot.skuCode, lot.code), ChangeData::ofLot(lot)})
            .map([](std::int64_t) {});
    });
}

Result<std::optional<Lot>> PostgresStore::lot(std::string_view sku, std::string_view code)
{
    return run<std::optional<Lot>>("lot", [&](Connection &c) -> Result<std::optional<Lot>> {
        const auto rows = c.exec("SELECT sku, code, expiry, blocked FROM lots WHERE sku = $1 AND code = $2",
                                 std::string(sku), std::string(code));
        if (rows.empty())
            return std::optional<Lot>();
        Lot lot{text(rows[0][0]), text(rows[0][1]), std::nullopt, boolean(rows[0][3])};
        if (auto expiry = optionalText(rows[0][2]))
            lot.expiry = parseDate(*expiry);
        return std::optional<Lot>(std::move(lot));
    });
}

// ---- orders ----

Result<std::optional<std::int64_t>> PostgresStore::findOrder(std::string_view store, std::string_view orderNumber)
{
    return run<std::optional<std::int64_t>>("findOrder", [&](Connection &c) -> Result<std::optional<std::int64_t>> {
        const auto rows = c.exec("SELECT id FROM orders WHERE store = $1 AND order_number = $2", std::string(store),
                                 std::string(orderNumber));
        if (rows.empty())
            return std::optional<std::int64_t>();
        return std::optional<std::int64_t>(integer(rows[0][0]));
    });
}

Result<std::int64_t> PostgresStore::insertOrder(const Order &order)
{
    return run<std::int64_t>("insertOrder", [&](Connection &c) -> Result<std::int64_t> {
        const std::string at = now();
        const auto inserted = c.exec(
            "INSERT INTO orders(store, order_number, customer, address, warehouse, state, created_at, updated_at) "
            "VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id",
            order.store, order.orderNumber, order.customer, order.address, nonEmpty(order.warehouse),
            std::string(Common::Domain::orderStateName(order.state)), at);
        const std::int64_t id = integer(inserted[0][0]);
        for (const auto &line : order.lines)
            c.exec("INSERT INTO order_lines(order_id, line, sku, quantity, picked) VALUES ($1, $2, $3, $4, $5)", id,
                   static_cast<std::int64_t>(line.lineNumber), line.skuCode, static_cast<std::int64_t>(line.quantity),
                   static_cast<std::int64_t>(line.picked));
        auto emitted = emitOrderChange(id, "");
        if (!emitted)
            return tl::unexpected(emitted.error());
        return id;
    });
}

Result<std::optional<Order>> PostgresStore::order(std::int64_t id)
{
    return run<std::optional<Order>>("order", [&](Connection &c) -> Result<std::optional<Order>> {
        const auto rows = c.exec("SELECT id, store, order_number, customer, address, coalesce(warehouse, ''), state "
                                 "FROM orders WHERE id = $1",
                                 id);
        if (rows.empty())
            return std::optional<Order>();
        Order order;
        order.id = integer(rows[0][0]);
        order.store = text(rows[0][1]);
        order.orderNumber = text(rows[0][2]);
        order.customer = text(rows[0][3]);
        order.address = text(rows[0][4]);
        order.warehouse = text(rows[0][5]);
        order.state = Common::Domain::orderStateFromName(text(rows[0][6])).value_or(OrderState::Imported);
        for (const auto &row :
             c.exec("SELECT line, sku, quantity, picked FROM order_lines WHERE order_id = $1 ORDER BY line", id))
            order.lines.push_back(Common::Domain::OrderLine{static_cast<int>(integer(row[0])), text(row[1]),
                                                            integer(row[2]), integer(row[3])});
        return std::optional<Order>(std::move(order));
    });
}

Result<std::vector<Order>> PostgresStore::orders(std::optional<OrderState> state, std::optional<std::string> warehouse,
                                                 std::int64_t afterId, int limit)
{
    return run<std::vector<Order>>("orders", [&](Connection &c) -> Result<std::vector<Order>> {
        std::optional<std::string> stateName;
        if (state)
            stateName = std::string(Common::Domain::orderStateName(*state));
        std::vector<std::int64_t> ids;
        for (const auto &row : c.exec("SELECT id FROM orders WHERE ($1::text IS NULL OR state = $1) "
                                      "AND ($2::text IS NULL OR warehouse = $2) AND id > $3 ORDER BY id LIMIT $4",
                                      stateName, warehouse, afterId, static_cast<std::int64_t>(limit)))
            ids.push_back(integer(row[0]));
        std::vector<Order> out;
        for (const std::int64_t id : ids) {
            auto one = order(id);
            if (!one)
                return tl::unexpected(one.error());
            if (*one)
                out.push_back(std::move(**one));
        }
        return out;
    });
}

Result<void> PostgresStore::emitOrderChange(std::int64_t id, const std::string &previousWarehouse)
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
        if (auto done = appendChange(ChangeRecord{0, previousWarehouse, ChangeData::orderEntity, key, std::nullopt});
            !done)
            return tl::unexpected(done.error());
    if (!value.warehouse.empty())
        if (auto done = appendChange(
                ChangeRecord{0, value.warehouse, ChangeData::orderEntity, key, ChangeData::ofOrder(value)});
            !done)
            return tl::unexpected(done.error());
    return {};
}

Result<void> PostgresStore::lockOrder(std::int64_t id)
{
    return run<void>("lockOrder", [&](Connection &c) -> Result<void> {
        c.exec("SELECT 1 FROM orders WHERE id = $1 FOR UPDATE", id);
        return {};
    });
}

Result<void> PostgresStore::lockForBatch(std::vector<std::int64_t> orderIds, std::vector<std::string> stockKeys)
{
    return run<void>("lockForBatch", [&](Connection &c) -> Result<void> {
        std::sort(orderIds.begin(), orderIds.end());
        orderIds.erase(std::unique(orderIds.begin(), orderIds.end()), orderIds.end());
        std::sort(stockKeys.begin(), stockKeys.end());
        stockKeys.erase(std::unique(stockKeys.begin(), stockKeys.end()), stockKeys.end());
        // Order rows in id order; then one transaction-level advisory lock per bin in key order
        // (a bin's balance row may not exist yet, so it cannot be row-locked). A hash collision
        // only makes two bins share a lock.
        for (const std::int64_t id : orderIds)
            c.exec("SELECT 1 FROM orders WHERE id = $1 FOR UPDATE", id);
        for (const std::string &key : stockKeys)
            c.exec("SELECT pg_advisory_xact_lock(hashtextextended($1, 7))", "stock|" + key);
        return {};
    });
}

Result<void> PostgresStore::setOrderState(std::int64_t id, OrderState state, std::string_view warehouse)
{
    return run<void>("setOrderState", [&](Connection &c) -> Result<void> {
        // The row lock first, so the "before" state cannot change under us.
        const auto before = c.exec("SELECT coalesce(warehouse, '') FROM orders WHERE id = $1 FOR UPDATE", id);
        if (before.empty())
            return Common::fail(ErrorCode::NotFound, "order " + std::to_string(id) + " not found");
        const std::string previous = text(before[0][0]);
        c.exec("UPDATE orders SET state = $2, warehouse = $3, updated_at = $4 WHERE id = $1", id,
               std::string(Common::Domain::orderStateName(state)), nonEmpty(warehouse), now());
        return emitOrderChange(id, previous);
    });
}

Result<void> PostgresStore::addLinePicked(std::int64_t orderId, int line, Quantity delta)
{
    return run<void>("addLinePicked", [&](Connection &c) -> Result<void> {
        const auto updated = c.exec("UPDATE order_lines SET picked = picked + $3 WHERE order_id = $1 AND line = $2",
                                    orderId, static_cast<std::int64_t>(line), static_cast<std::int64_t>(delta));
        if (updated.affected_rows() != 1)
            return Common::fail(ErrorCode::NotFound, "order line not found");
        auto current = order(orderId);
        if (!current)
            return tl::unexpected(current.error());
        return emitOrderChange(orderId, (*current)->warehouse);
    });
}

Result<void> PostgresStore::recordShipment(std::int64_t orderId, std::string_view trackingNumber,
                                           std::string_view carrier)
{
    return run<void>("recordShipment", [&](Connection &c) -> Result<void> {
        c.exec("INSERT INTO shipments(order_id, tracking_number, carrier, shipped_at) VALUES ($1, $2, $3, $4) "
               "ON CONFLICT (order_id) DO UPDATE SET tracking_number = excluded.tracking_number, "
               "carrier = excluded.carrier",
               orderId, std::string(trackingNumber), std::string(carrier), now());
        return {};
    });
}

// ---- stock ledger ----

Result<Quantity> PostgresStore::addMovement(const StockMovement &movement)
{
    return run<Quantity>("addMovement", [&](Connection &c) -> Result<Quantity> {
        c.exec("INSERT INTO stock_movements(warehouse, sku, location, lot, quantity_delta, reason, op_id, created_at) "
               "VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
               movement.warehouse, movement.skuCode, movement.location, movement.lot,
               static_cast<std::int64_t>(movement.quantityDelta), reasonText(movement.reason), movement.operationId,
               now());
        // One statement, atomic under concurrency: the conflicting row is locked and re-read,
        // so two servers adding to the same bin never lose an update.
        const auto balance = c.exec("INSERT INTO stock_balances AS b(warehouse, sku, location, lot, quantity) "
                                    "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (warehouse, sku, location, lot) "
                                    "DO UPDATE SET quantity = b.quantity + excluded.quantity RETURNING quantity",
                                    movement.warehouse, movement.skuCode, movement.location, movement.lot,
                                    static_cast<std::int64_t>(movement.quantityDelta));
        const Quantity quantity = integer(balance[0][0]);
        const BalanceRecord record{movement.warehouse, movement.skuCode, movement.location, movement.lot, quantity};
        auto appended = appendChange(ChangeRecord{
            0, movement.warehouse, ChangeData::stockEntity,
            ChangeData::stockKey(movement.skuCode, movement.location, movement.lot), ChangeData::ofStock(record)});
        if (!appended)
            return tl::unexpected(appended.error());
        return quantity;
    });
}

Result<Quantity> PostgresStore::balance(std::string_view warehouse, std::string_view sku, std::string_view location,
                                        std::string_view lot)
{
    return run<Quantity>("balance", [&](Connection &c) -> Result<Quantity> {
        const auto rows = c.exec("SELECT quantity FROM stock_balances WHERE warehouse = $1 AND sku = $2 "
                                 "AND location = $3 AND lot = $4",
                                 std::string(warehouse), std::string(sku), std::string(location), std::string(lot));
        return rows.empty() ? Quantity(0) : integer(rows[0][0]);
    });
}

Result<std::vector<BalanceRecord>> PostgresStore::balances(const BalanceFilter &filter)
{
    return run<std::vector<BalanceRecord>>("balances", [&](Connection &c) -> Result<std::vector<BalanceRecord>> {
        std::vector<BalanceRecord> out;
        for (const auto &row :
             c.exec("SELECT warehouse, sku, location, lot, quantity FROM stock_balances "
                    "WHERE ($1::text IS NULL OR warehouse = $1) AND ($2::text IS NULL OR sku = $2) "
                    "AND (NOT $3::boolean OR quantity <> 0) ORDER BY warehouse, sku, location, lot LIMIT 100000",
                    filter.warehouse, filter.sku, filter.nonZeroOnly))
            out.push_back(BalanceRecord{text(row[0]), text(row[1]), text(row[2]), text(row[3]), integer(row[4])});
        return out;
    });
}

Result<std::vector<WarehouseTotal>> PostgresStore::warehouseTotals(std::optional<std::string> sku)
{
    return run<std::vector<WarehouseTotal>>(
        "warehouseTotals", [&](Connection &c) -> Result<std::vector<WarehouseTotal>> {
            std::vector<WarehouseTotal> out;
            for (const auto &row : c.exec("SELECT warehouse, sku, sum(quantity)::bigint FROM stock_balances "
                                          "WHERE ($1::text IS NULL OR sku = $1) GROUP BY warehouse, sku "
                                          "ORDER BY warehouse, sku LIMIT 100000",
                                          sku))
                out.push_back(WarehouseTotal{text(row[0]), text(row[1]), integer(row[2])});
            return out;
        });
}

Result<std::vector<MovementRecord>> PostgresStore::movements(std::string_view sku, std::int64_t afterId, int limit)
{
    return run<std::vector<MovementRecord>>("movements", [&](Connection &c) -> Result<std::vector<MovementRecord>> {
        std::vector<MovementRecord> out;
        for (const auto &row : c.exec("SELECT id, warehouse, sku, location, lot, quantity_delta, reason, op_id, "
                                      "created_at FROM stock_movements WHERE sku = $1 AND id > $2 ORDER BY id LIMIT $3",
                                      std::string(sku), afterId, static_cast<std::int64_t>(limit))) {
            MovementRecord record;
            record.movement.id = integer(row[0]);
            record.movement.warehouse = text(row[1]);
            record.movement.skuCode = text(row[2]);
            record.movement.location = text(row[3]);
            record.movement.lot = text(row[4]);
            record.movement.quantityDelta = integer(row[5]);
            const std::string reason = text(row[6]);
            for (const auto &[name, value] : s_reasons)
                if (name == reason)
                    record.movement.reason = value;
            record.movement.operationId = text(row[7]);
            record.createdAt = text(row[8]);
            out.push_back(std::move(record));
        }
        return out;
    });
}

// ---- devices and sync bookkeeping ----

namespace {

DeviceRecord readDevice(const pqxx::row &row)
{
    return DeviceRecord{text(row[0]),
                        text(row[1]),
                        text(row[2]),
                        text(row[3]),
                        text(row[4]) == "active" ? DeviceStatus::Active : DeviceStatus::Revoked,
                        integer(row[5]),
                        text(row[6])};
}

AppliedOpRecord readApplied(const pqxx::row &row)
{
    return AppliedOpRecord{
        text(row[0]),    integer(row[1]),
        integer(row[2]), text(row[3]),
        text(row[4]),    Common::Protocol::outcomeFromName(text(row[5])).value_or(OperationOutcome::Rejected),
        text(row[6]),    text(row[7]),
        text(row[8]),    text(row[9])};
}

} // namespace

#define SOKO_PG_DEVICE_SELECT                                                                                          \
    "SELECT id, warehouse, label, coalesce(certificate_serial, ''), status, incarnation, created_at FROM devices "
#define SOKO_PG_APPLIED_SELECT                                                                                         \
    "SELECT device_id, incarnation, seq, op_id, type, outcome, result, payload, operator_id, device_created_at "       \
    "FROM applied_ops "

Result<void> PostgresStore::insertDevice(const DeviceRecord &device)
{
    return run<void>("insertDevice", [&](Connection &c) -> Result<void> {
        c.exec("INSERT INTO devices(id, warehouse, label, certificate_serial, status, incarnation, created_at) "
               "VALUES ($1, $2, $3, $4, $5, $6, $7)",
               device.id, device.warehouse, device.label, nonEmpty(device.certificateSerial),
               std::string(device.status == DeviceStatus::Active ? "active" : "revoked"), device.incarnation,
               device.createdAt.empty() ? now() : device.createdAt);
        return {};
    });
}

Result<std::optional<DeviceRecord>> PostgresStore::device(std::string_view id)
{
    return run<std::optional<DeviceRecord>>("device", [&](Connection &c) -> Result<std::optional<DeviceRecord>> {
        const auto rows = c.exec(SOKO_PG_DEVICE_SELECT "WHERE id = $1", std::string(id));
        if (rows.empty())
            return std::optional<DeviceRecord>();
        return std::optional<DeviceRecord>(readDevice(rows[0]));
    });
}

Result<std::optional<DeviceRecord>> PostgresStore::deviceForUpdate(std::string_view id)
{
    return run<std::optional<DeviceRecord>>(
        "deviceForUpdate", [&](Connection &c) -> Result<std::optional<DeviceRecord>> {
            const auto rows = c.exec(SOKO_PG_DEVICE_SELECT "WHERE id = $1 FOR UPDATE", std::string(id));
            if (rows.empty())
                return std::optional<DeviceRecord>();
            return std::optional<DeviceRecord>(readDevice(rows[0]));
        });
}

Result<std::optional<DeviceRecord>> PostgresStore::deviceBySerial(std::string_view certificateSerial)
{
    return run<std::optional<DeviceRecord>>(
        "deviceBySerial", [&](Connection &c) -> Result<std::optional<DeviceRecord>> {
            const auto rows =
                c.exec(SOKO_PG_DEVICE_SELECT "WHERE certificate_serial = $1", std::string(certificateSerial));
            if (rows.empty())
                return std::optional<DeviceRecord>();
            return std::optional<DeviceRecord>(readDevice(rows[0]));
        });
}

Result<std::vector<DeviceRecord>> PostgresStore::devices()
{
    return run<std::vector<DeviceRecord>>("devices", [&](Connection &c) -> Result<std::vector<DeviceRecord>> {
        std::vector<DeviceRecord> out;
        for (const auto &row : c.exec(SOKO_PG_DEVICE_SELECT "ORDER BY warehouse, label, id"))
            out.push_back(readDevice(row));
        return out;
    });
}

Result<void> PostgresStore::setDeviceCertificate(std::string_view id, std::string_view certificateSerial)
{
    return run<void>("setDeviceCertificate", [&](Connection &c) -> Result<void> {
        if (c.exec("UPDATE devices SET certificate_serial = $2 WHERE id = $1", std::string(id),
                   std::string(certificateSerial))
                .affected_rows() != 1)
            return Common::fail(ErrorCode::NotFound, "device not found");
        return {};
    });
}

Result<void> PostgresStore::setDeviceStatus(std::string_view id, DeviceStatus status)
{
    return run<void>("setDeviceStatus", [&](Connection &c) -> Result<void> {
        if (c.exec("UPDATE devices SET status = $2 WHERE id = $1", std::string(id),
                   std::string(status == DeviceStatus::Active ? "active" : "revoked"))
                .affected_rows() != 1)
            return Common::fail(ErrorCode::NotFound, "device not found");
        return {};
    });
}

Result<std::int64_t> PostgresStore::raiseIncarnation(std::string_view id)
{
    return run<std::int64_t>("raiseIncarnation", [&](Connection &c) -> Result<std::int64_t> {
        const auto rows = c.exec("UPDATE devices SET incarnation = incarnation + 1 WHERE id = $1 RETURNING incarnation",
                                 std::string(id));
        if (rows.empty())
            return Common::fail(ErrorCode::NotFound, "device not found");
        return integer(rows[0][0]);
    });
}

Result<std::int64_t> PostgresStore::lastApplied(std::string_view deviceId, std::int64_t incarnation)
{
    return run<std::int64_t>("lastApplied", [&](Connection &c) -> Result<std::int64_t> {
        return integer(c.exec("SELECT coalesce(max(seq), 0) FROM applied_ops WHERE device_id = $1 AND incarnation = $2",
                              std::string(deviceId), incarnation)[0][0]);
    });
}

Result<std::optional<AppliedOpRecord>> PostgresStore::appliedOp(std::string_view deviceId, std::int64_t incarnation,
                                                                std::int64_t seq)
{
    return run<std::optional<AppliedOpRecord>>(
        "appliedOp", [&](Connection &c) -> Result<std::optional<AppliedOpRecord>> {
            const auto rows = c.exec(SOKO_PG_APPLIED_SELECT "WHERE device_id = $1 AND incarnation = $2 AND seq = $3",
                                     std::string(deviceId), incarnation, seq);
            if (rows.empty())
                return std::optional<AppliedOpRecord>();
            return std::optional<AppliedOpRecord>(readApplied(rows[0]));
        });
}

Result<std::optional<AppliedOpRecord>> PostgresStore::appliedOpById(std::string_view deviceId, std::string_view opId)
{
    return run<std::optional<AppliedOpRecord>>(
        "appliedOpById", [&](Connection &c) -> Result<std::optional<AppliedOpRecord>> {
            const auto rows =
                c.exec(SOKO_PG_APPLIED_SELECT "WHERE device_id = $1 AND op_id = $2 ORDER BY incarnation, seq LIMIT 1",
                       std::string(deviceId), std::string(opId));
            if (rows.empty())
                return std::optional<AppliedOpRecord>();
            return std::optional<AppliedOpRecord>(readApplied(rows[0]));
        });
}

Result<void> PostgresStore::insertAppliedOp(const AppliedOpRecord &op)
{
    return run<void>("insertAppliedOp", [&](Connection &c) -> Result<void> {
        c.exec("INSERT INTO applied_ops(device_id, incarnation, seq, op_id, type, outcome, result, payload, "
               "operator_id, device_created_at, applied_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
               op.deviceId, op.incarnation, op.seq, op.opId, op.type,
               std::string(Common::Protocol::outcomeName(op.outcome)), op.resultJson, op.payloadJson, op.operatorId,
               op.deviceCreatedAt, now());
        return {};
    });
}

Result<std::int64_t> PostgresStore::insertConflict(const ConflictRecord &conflict)
{
    return run<std::int64_t>("insertConflict", [&](Connection &c) -> Result<std::int64_t> {
        return integer(c.exec("INSERT INTO conflicts(warehouse, device_id, op_id, reason, message, created_at) "
                              "VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                              conflict.warehouse, conflict.deviceId, conflict.opId, conflict.reason, conflict.message,
                              now())[0][0]);
    });
}

Result<std::vector<ConflictRecord>> PostgresStore::conflicts(std::optional<std::string> warehouse, int limit)
{
    return run<std::vector<ConflictRecord>>("conflicts", [&](Connection &c) -> Result<std::vector<ConflictRecord>> {
        std::vector<ConflictRecord> out;
        for (const auto &row :
             c.exec("SELECT id, warehouse, device_id, op_id, reason, message, created_at FROM conflicts "
                    "WHERE ($1::text IS NULL OR warehouse = $1) ORDER BY id LIMIT $2",
                    warehouse, static_cast<std::int64_t>(limit)))
            out.push_back(ConflictRecord{integer(row[0]), text(row[1]), text(row[2]), text(row[3]), text(row[4]),
                                         text(row[5]), text(row[6])});
        return out;
    });
}

Result<std::int64_t> PostgresStore::insertRejection(const RejectionRecord &rejection)
{
    return run<std::int64_t>("insertRejection", [&](Connection &c) -> Result<std::int64_t> {
        return integer(
            c.exec("INSERT INTO rejections(device_id, incarnation, seq, op_id, reason, message, payload, created_at) "
                   "VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
                   rejection.deviceId, rejection.incarnation, rejection.seq, rejection.opId, rejection.reason,
                   rejection.message, rejection.payloadJson, now())[0][0]);
    });
}

Result<std::vector<RejectionRecord>> PostgresStore::rejections(std::string_view deviceId, int limit)
{
    return run<std::vector<RejectionRecord>>("rejections", [&](Connection &c) -> Result<std::vector<RejectionRecord>> {
        std::vector<RejectionRecord> out;
        for (const auto &row : c.exec("SELECT id, device_id, incarnation, seq, op_id, reason, message, payload, "
                                      "created_at FROM rejections WHERE device_id = $1 ORDER BY id LIMIT $2",
                                      std::string(deviceId), static_cast<std::int64_t>(limit)))
            out.push_back(RejectionRecord{integer(row[0]), text(row[1]), integer(row[2]), integer(row[3]), text(row[4]),
                                          text(row[5]), text(row[6]), text(row[7]), text(row[8])});
        return out;
    });
}

// ---- change log ----

Result<std::int64_t> PostgresStore::appendChange(const ChangeRecord &change)
{
    // Kept until commit, when it gets its version (Connection::flushChanges explains why).
    return run<std::int64_t>("appendChange", [&](Connection &c) -> Result<std::int64_t> {
        c.pending.push_back(PendingChange{change, now()});
        return std::int64_t(0);
    });
}

Result<std::vector<ChangeRecord>> PostgresStore::changes(std::string_view warehouse, std::int64_t afterVersion,
                                                         int limit, std::size_t maxBytes, bool &hasMore)
{
    return run<std::vector<ChangeRecord>>("changes", [&](Connection &c) -> Result<std::vector<ChangeRecord>> {
        // One row more than asked tells whether another page exists. Versions follow commit
        // order, so `version > cursor` is a complete read (flushChanges).
        const auto rows =
            c.exec("SELECT version, warehouse, entity, key, data FROM change_log "
                   "WHERE version > $2 AND (warehouse = $1 OR warehouse IS NULL) ORDER BY version LIMIT $3",
                   std::string(warehouse), afterVersion, static_cast<std::int64_t>(limit) + 1);
        std::vector<ChangeRecord> out;
        std::size_t bytes = 0;
        hasMore = false;
        for (const auto &row : rows) {
            ChangeRecord change{integer(row[0]), optionalText(row[1]), text(row[2]), text(row[3]),
                                optionalText(row[4])};
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
    });
}

Result<std::int64_t> PostgresStore::latestVersion()
{
    return run<std::int64_t>("latestVersion", [](Connection &c) -> Result<std::int64_t> {
        return integer(c.exec("SELECT coalesce(max(version), 0) FROM change_log")[0][0]);
    });
}

Result<std::int64_t> PostgresStore::compactedThrough()
{
    return run<std::int64_t>("compactedThrough", [](Connection &c) -> Result<std::int64_t> {
        const auto rows = c.exec("SELECT value FROM server_meta WHERE key = 'compacted_through'");
        return rows.empty() ? std::int64_t(0) : std::stoll(text(rows[0][0]));
    });
}

Result<std::int64_t> PostgresStore::compactChangeLog(std::int64_t throughVersion)
{
    return run<std::int64_t>("compactChangeLog", [&](Connection &c) -> Result<std::int64_t> {
        std::int64_t removed = static_cast<std::int64_t>(
            c.exec("DELETE FROM change_log AS old WHERE old.version <= $1 AND EXISTS ("
                   "SELECT 1 FROM change_log AS newer WHERE newer.entity = old.entity AND newer.key = old.key "
                   "AND newer.warehouse IS NOT DISTINCT FROM old.warehouse AND newer.version > old.version)",
                   throughVersion)
                .affected_rows());
        const std::int64_t horizon =
            integer(c.exec("SELECT coalesce(max(version), 0) FROM change_log WHERE version <= $1 AND data IS NULL",
                           throughVersion)[0][0]);
        if (horizon > 0) {
            removed += static_cast<std::int64_t>(
                c.exec("DELETE FROM change_log WHERE version <= $1 AND data IS NULL", throughVersion).affected_rows());
            // GREATEST keeps the horizon monotonic even against a concurrent compaction.
            c.exec("INSERT INTO server_meta(key, value) VALUES ('compacted_through', $1) ON CONFLICT (key) DO UPDATE "
                   "SET value = greatest(server_meta.value::bigint, excluded.value::bigint)::text",
                   std::to_string(horizon));
        }
        return removed;
    });
}

// ---- people and credentials ----

Result<std::int64_t> PostgresStore::insertOperator(const OperatorRecord &op)
{
    return run<std::int64_t>("insertOperator", [&](Connection &c) -> Result<std::int64_t> {
        const std::int64_t id = integer(c.exec("INSERT INTO operators(badge, name, warehouse, role, pin_hash, active) "
                                               "VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                                               op.badge, op.name, op.warehouse, op.role, op.pinHash, op.active)[0][0]);
        auto appended = appendChange(
            ChangeRecord{0, op.warehouse, ChangeData::operatorEntity, op.badge, ChangeData::ofOperator(op)});
        if (!appended)
            return tl::unexpected(appended.error());
        return id;
    });
}

namespace {
OperatorRecord readOperator(const pqxx::row &row)
{
    return OperatorRecord{integer(row[0]), text(row[1]), text(row[2]),   text(row[3]),
                          text(row[4]),    text(row[5]), boolean(row[6])};
}
} // namespace

Result<std::optional<OperatorRecord>> PostgresStore::operatorByBadge(std::string_view badge)
{
    return run<std::optional<OperatorRecord>>(
        "operatorByBadge", [&](Connection &c) -> Result<std::optional<OperatorRecord>> {
            const auto rows = c.exec("SELECT id, badge, name, warehouse, role, pin_hash, active FROM operators "
                                     "WHERE badge = $1",
                                     std::string(badge));
            if (rows.empty())
                return std::optional<OperatorRecord>();
            return std::optional<OperatorRecord>(readOperator(rows[0]));
        });
}

Result<void> PostgresStore::setOperatorActive(std::string_view badge, bool active)
{
    return run<void>("setOperatorActive", [&](Connection &c) -> Result<void> {
        const auto rows = c.exec("UPDATE operators SET active = $2 WHERE badge = $1 "
                                 "RETURNING id, badge, name, warehouse, role, pin_hash, active",
                                 std::string(badge), active);
        if (rows.empty())
            return Common::fail(ErrorCode::NotFound, "operator not found");
        const OperatorRecord op = readOperator(rows[0]);
        return appendChange(
                   ChangeRecord{0, op.warehouse, ChangeData::operatorEntity, op.badge, ChangeData::ofOperator(op)})
            .map([](std::int64_t) {});
    });
}

Result<std::vector<OperatorRecord>> PostgresStore::operators(std::string_view warehouse)
{
    return run<std::vector<OperatorRecord>>("operators", [&](Connection &c) -> Result<std::vector<OperatorRecord>> {
        std::vector<OperatorRecord> out;
        for (const auto &row : c.exec("SELECT id, badge, name, warehouse, role, pin_hash, active FROM operators "
                                      "WHERE warehouse = $1 ORDER BY badge",
                                      std::string(warehouse)))
            out.push_back(readOperator(row));
        return out;
    });
}

Result<std::int64_t> PostgresStore::insertEnrollmentCode(const EnrollmentCodeRecord &code)
{
    return run<std::int64_t>("insertEnrollmentCode", [&](Connection &c) -> Result<std::int64_t> {
        return integer(c.exec("INSERT INTO enrollment_codes(code_hash, warehouse, label, expires_at) "
                              "VALUES ($1, $2, $3, $4) RETURNING id",
                              code.codeHash, code.warehouse, code.label, code.expiresAt)[0][0]);
    });
}

Result<std::optional<EnrollmentCodeRecord>> PostgresStore::enrollmentCodeByHash(std::string_view codeHash)
{
    return run<std::optional<EnrollmentCodeRecord>>(
        "enrollmentCodeByHash", [&](Connection &c) -> Result<std::optional<EnrollmentCodeRecord>> {
            const auto rows = c.exec("SELECT id, code_hash, warehouse, label, expires_at, used_at, device_id "
                                     "FROM enrollment_codes WHERE code_hash = $1",
                                     std::string(codeHash));
            if (rows.empty())
                return std::optional<EnrollmentCodeRecord>();
            const auto &row = rows[0];
            return std::optional<EnrollmentCodeRecord>(
                EnrollmentCodeRecord{integer(row[0]), text(row[1]), text(row[2]), text(row[3]), text(row[4]),
                                     optionalText(row[5]), optionalText(row[6])});
        });
}

Result<void> PostgresStore::markEnrollmentCodeUsed(std::int64_t id, std::string_view deviceId)
{
    return run<void>("markEnrollmentCodeUsed", [&](Connection &c) -> Result<void> {
        // used_at IS NULL in the WHERE makes the burn single-use even against a racing enrollment.
        if (c.exec("UPDATE enrollment_codes SET used_at = $2, device_id = $3 WHERE id = $1 AND used_at IS NULL", id,
                   now(), std::string(deviceId))
                .affected_rows() != 1)
            return Common::fail(ErrorCode::Conflict, "enrollment code already used");
        return {};
    });
}

Result<void> PostgresStore::insertApiKey(const ApiKeyRecord &key)
{
    return run<void>("insertApiKey", [&](Connection &c) -> Result<void> {
        c.exec(
            "INSERT INTO api_keys(id, secret_hash, scope, label, created_at, revoked) VALUES ($1, $2, $3, $4, $5, $6)",
            key.id, key.secretHash, key.scope, key.label, key.createdAt.empty() ? now() : key.createdAt, key.revoked);
        return {};
    });
}

Result<std::optional<ApiKeyRecord>> PostgresStore::apiKey(std::string_view id)
{
    return run<std::optional<ApiKeyRecord>>("apiKey", [&](Connection &c) -> Result<std::optional<ApiKeyRecord>> {
        const auto rows = c.exec(
            "SELECT id, secret_hash, scope, label, created_at, revoked FROM api_keys WHERE id = $1", std::string(id));
        if (rows.empty())
            return std::optional<ApiKeyRecord>();
        const auto &row = rows[0];
        return std::optional<ApiKeyRecord>(
            ApiKeyRecord{text(row[0]), text(row[1]), text(row[2]), text(row[3]), text(row[4]), boolean(row[5])});
    });
}

Result<std::vector<ApiKeyRecord>> PostgresStore::apiKeys()
{
    return run<std::vector<ApiKeyRecord>>("apiKeys", [&](Connection &c) -> Result<std::vector<ApiKeyRecord>> {
        std::vector<ApiKeyRecord> out;
        for (const auto &row : c.exec("SELECT id, secret_hash, scope, label, created_at, revoked FROM api_keys "
                                      "ORDER BY created_at DESC, id"))
            out.push_back(
                ApiKeyRecord{text(row[0]), text(row[1]), text(row[2]), text(row[3]), text(row[4]), boolean(row[5])});
        return out;
    });
}

Result<void> PostgresStore::revokeApiKey(std::string_view id)
{
    return run<void>("revokeApiKey", [&](Connection &c) -> Result<void> {
        if (c.exec("UPDATE api_keys SET revoked = true WHERE id = $1", std::string(id)).affected_rows() != 1)
            return Common::fail(ErrorCode::NotFound, "API key not found");
        return {};
    });
}

// ---- audit trail ----

namespace {

AuditRecord auditRow(const pqxx::row &row)
{
    return AuditRecord{integer(row[0]), text(row[1]),  text(row[2]), text(row[3]), text(row[4]),
                       text(row[5]),    text(row[6]),  text(row[7]), text(row[8]), text(row[9]),
                       text(row[10]),   text(row[11]), text(row[12])};
}

AuditCheckpointRecord checkpointRow(const pqxx::row &row)
{
    return AuditCheckpointRecord{integer(row[0]), integer(row[1]), text(row[2]),
                                 text(row[3]),    text(row[4]),    text(row[5])};
}

AlertRecord alertRow(const pqxx::row &row)
{
    return AlertRecord{integer(row[0]), text(row[1]),         text(row[2]),
                       text(row[3]),    text(row[4]),         static_cast<int>(integer(row[5])),
                       text(row[6]),    optionalText(row[7]), text(row[8])};
}

} // namespace

Result<std::int64_t> PostgresStore::appendAudit(const AuditRecord &record)
{
    return run<std::int64_t>("appendAudit", [&](Connection &c) -> Result<std::int64_t> {
        auto prepared = prepareAuditRecord(record, now());
        if (!prepared)
            return tl::unexpected(prepared.error());
        AuditRecord entry = std::move(*prepared);
        // Held until this transaction ends: the next appender reads our row as its head only
        // after we committed (or finds the old head again after a rollback).
        c.exec("SELECT pg_advisory_xact_lock($1)", s_auditLockKey);
        const auto head = c.exec("SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1");
        entry.id = head.empty() ? 1 : integer(head[0][0]) + 1;
        entry.prevHash = head.empty() ? std::string(auditGenesisHash) : text(head[0][1]);
        auto hash = auditEntryHash(entry.prevHash, entry);
        if (!hash)
            return tl::unexpected(hash.error());
        entry.hash = std::move(*hash);
        c.exec("INSERT INTO audit(id, at, actor, role, source_ip, listener, request_id, event, target, outcome, "
               "details, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
               entry.id, entry.at, entry.actor, entry.role, entry.sourceIp, entry.listener, entry.requestId,
               entry.event, entry.target, entry.outcome, entry.details, entry.prevHash, entry.hash);
        if (auto hooked = runAuditHook(entry); !hooked)
            return tl::unexpected(hooked.error());
        return entry.id;
    });
}

Result<std::vector<AuditRecord>> PostgresStore::audit(std::int64_t afterId, int limit)
{
    return run<std::vector<AuditRecord>>("audit", [&](Connection &c) -> Result<std::vector<AuditRecord>> {
        std::vector<AuditRecord> out;
        for (const auto &row : c.exec("SELECT id, at, actor, event, target, details, role, source_ip, listener, "
                                      "request_id, outcome, prev_hash, hash FROM audit WHERE id > $1 "
                                      "ORDER BY id LIMIT $2",
                                      afterId, static_cast<std::int64_t>(limit)))
            out.push_back(auditRow(row));
        return out;
    });
}

Result<std::optional<AuditRecord>> PostgresStore::lastAudit()
{
    return run<std::optional<AuditRecord>>("lastAudit", [&](Connection &c) -> Result<std::optional<AuditRecord>> {
        const auto rows = c.exec("SELECT id, at, actor, event, target, details, role, source_ip, listener, "
                                 "request_id, outcome, prev_hash, hash FROM audit ORDER BY id DESC LIMIT 1");
        if (rows.empty())
            return std::optional<AuditRecord>();
        return std::optional<AuditRecord>(auditRow(rows[0]));
    });
}

Result<void> PostgresStore::lockAuditChain()
{
    return run<void>("lockAuditChain", [&](Connection &c) -> Result<void> {
        c.exec("SELECT pg_advisory_xact_lock($1)", s_auditLockKey);
        return {};
    });
}

Result<std::int64_t> PostgresStore::appendAuditCheckpoint(const AuditCheckpointRecord &checkpoint)
{
    return run<std::int64_t>("appendAuditCheckpoint", [&](Connection &c) -> Result<std::int64_t> {
        c.exec("SELECT pg_advisory_xact_lock($1)", s_auditLockKey);
        const std::int64_t id = integer(c.exec("SELECT coalesce(max(id), 0) + 1 FROM audit_checkpoints")[0][0]);
        c.exec("INSERT INTO audit_checkpoints(id, seq, hash, at, key_id, signature) VALUES ($1, $2, $3, $4, $5, $6)",
               id, checkpoint.seq, checkpoint.hash, checkpoint.at, checkpoint.keyId, checkpoint.signature);
        return id;
    });
}

Result<std::optional<AuditCheckpointRecord>> PostgresStore::lastAuditCheckpoint()
{
    return run<std::optional<AuditCheckpointRecord>>(
        "lastAuditCheckpoint", [&](Connection &c) -> Result<std::optional<AuditCheckpointRecord>> {
            const auto rows =
                c.exec("SELECT id, seq, hash, at, key_id, signature FROM audit_checkpoints ORDER BY id DESC LIMIT 1");
            if (rows.empty())
                return std::optional<AuditCheckpointRecord>();
            return std::optional<AuditCheckpointRecord>(checkpointRow(rows[0]));
        });
}

Result<std::vector<AuditCheckpointRecord>> PostgresStore::auditCheckpoints(std::int64_t afterId, int limit)
{
    return run<std::vector<AuditCheckpointRecord>>(
        "auditCheckpoints", [&](Connection &c) -> Result<std::vector<AuditCheckpointRecord>> {
            std::vector<AuditCheckpointRecord> out;
            for (const auto &row : c.exec("SELECT id, seq, hash, at, key_id, signature FROM audit_checkpoints "
                                          "WHERE id > $1 ORDER BY id LIMIT $2",
                                          afterId, static_cast<std::int64_t>(limit)))
                out.push_back(checkpointRow(row));
            return out;
        });
}

// ---- alert outbox ----

Result<std::int64_t> PostgresStore::enqueueAlert(const AlertRecord &alert)
{
    return run<std::int64_t>("enqueueAlert", [&](Connection &c) -> Result<std::int64_t> {
        const std::string created = alert.createdAt.empty() ? now() : alert.createdAt;
        return integer(c.exec("INSERT INTO alert_outbox(created_at, kind, text, payload, next_attempt_at) "
                              "VALUES ($1, $2, $3, $4, $5) RETURNING id",
                              created, alert.kind, alert.text, alert.payload,
                              alert.nextAttemptAt.empty() ? created : alert.nextAttemptAt)[0][0]);
    });
}

Result<std::optional<AlertRecord>> PostgresStore::claimNextAlert(std::string_view claimant, std::string_view now,
                                                                 std::string_view claimUntil)
{
    return run<std::optional<AlertRecord>>("claimNextAlert", [&](Connection &c) -> Result<std::optional<AlertRecord>> {
        // The oldest undelivered row, locked: a second server's claim waits here and then sees
        // our claim (READ COMMITTED re-reads the locked row), so it never delivers the same one.
        const auto rows = c.exec("SELECT id, created_at, kind, text, payload, attempts, next_attempt_at, "
                                 "delivered_at, last_error, claimed_by, claimed_until FROM alert_outbox "
                                 "WHERE delivered_at IS NULL ORDER BY id LIMIT 1 FOR UPDATE");
        if (rows.empty())
            return std::optional<AlertRecord>();
        const auto &row = rows[0];
        const bool due = text(row[6]) <= now;
        const bool claimedByOther = !row[10].is_null() && text(row[10]) > now && text(row[9]) != claimant;
        if (!due || claimedByOther)
            return std::optional<AlertRecord>();
        AlertRecord alert = alertRow(row);
        c.exec("UPDATE alert_outbox SET claimed_by = $2, claimed_until = $3 WHERE id = $1", alert.id,
               std::string(claimant), std::string(claimUntil));
        return std::optional<AlertRecord>(std::move(alert));
    });
}

Result<void> PostgresStore::markAlertDelivered(std::int64_t id, std::string_view claimant, std::string_view at)
{
    return run<void>("markAlertDelivered", [&](Connection &c) -> Result<void> {
        if (c.exec("UPDATE alert_outbox SET delivered_at = $3, attempts = attempts + 1, last_error = '', "
                   "claimed_by = NULL, claimed_until = NULL "
                   "WHERE id = $1 AND claimed_by = $2 AND delivered_at IS NULL",
                   id, std::string(claimant), std::string(at))
                .affected_rows() != 1)
            return Common::fail(ErrorCode::Conflict, "the alert claim was lost");
        return {};
    });
}

Result<void> PostgresStore::markAlertFailed(std::int64_t id, std::string_view claimant, std::string_view nextAttemptAt,
                                            std::string_view error)
{
    return run<void>("markAlertFailed", [&](Connection &c) -> Result<void> {
        if (c.exec("UPDATE alert_outbox SET attempts = attempts + 1, next_attempt_at = $3, last_error = $4, "
                   "claimed_by = NULL, claimed_until = NULL "
                   "WHERE id = $1 AND claimed_by = $2 AND delivered_at IS NULL",
                   id, std::string(claimant), std::string(nextAttemptAt), std::string(error))
                .affected_rows() != 1)
            return Common::fail(ErrorCode::Conflict, "the alert claim was lost");
        return {};
    });
}

Result<AlertBacklog> PostgresStore::alertBacklog()
{
    return run<AlertBacklog>("alertBacklog", [&](Connection &c) -> Result<AlertBacklog> {
        const auto rows = c.exec("SELECT count(*), (SELECT created_at FROM alert_outbox WHERE delivered_at IS NULL "
                                 "ORDER BY id LIMIT 1) FROM alert_outbox WHERE delivered_at IS NULL");
        return AlertBacklog{integer(rows[0][0]), optionalText(rows[0][1])};
    });
}

Result<std::vector<AlertRecord>> PostgresStore::alerts(std::int64_t afterId, int limit)
{
    return run<std::vector<AlertRecord>>("alerts", [&](Connection &c) -> Result<std::vector<AlertRecord>> {
        std::vector<AlertRecord> out;
        for (const auto &row : c.exec("SELECT id, created_at, kind, text, payload, attempts, next_attempt_at, "
                                      "delivered_at, last_error FROM alert_outbox WHERE id > $1 ORDER BY id LIMIT $2",
                                      afterId, static_cast<std::int64_t>(limit)))
            out.push_back(alertRow(row));
        return out;
    });
}

// ---- back-office identities ----

namespace {

constexpr const char *s_setupTokenKey = "admin_setup_token";

// bytea travels as hex text (decode($n, 'hex') / encode(column, 'hex')): one bound text
// parameter, NULL included, and the same bytes back as SQLite's BLOB.
std::optional<std::string> hexOf(const std::optional<Bytes> &bytes)
{
    if (!bytes)
        return std::nullopt;
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    out.reserve(bytes->size() * 2);
    for (const std::uint8_t byte : *bytes) {
        out += digits[byte >> 4];
        out += digits[byte & 0x0f];
    }
    return out;
}

std::optional<Bytes> bytesOf(const pqxx::field &field)
{
    if (field.is_null())
        return std::nullopt;
    const std::string hex = field.as<std::string>();
    auto nibble = [](char c) { return static_cast<std::uint8_t>(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10); };
    Bytes out;
    out.reserve(hex.size() / 2);
    for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
        out.push_back(static_cast<std::uint8_t>(nibble(hex[i]) << 4 | nibble(hex[i + 1])));
    return out;
}

#define SOKO_ADMIN_USER_COLUMNS                                                                                        \
    "id, username, display_name, email, role, status, password_hash, must_change_password, "                           \
    "encode(totp_seed, 'hex'), totp_enabled, totp_last_step, mfa_locked_until, created_at, updated_at, "               \
    "password_changed_at"
#define SOKO_ADMIN_SESSION_COLUMNS                                                                                     \
    "token_hash, user_id, stage, created_at, last_seen_at, totp_verified_at, ip, user_agent, totp_failures"
#define SOKO_APPROVAL_COLUMNS                                                                                          \
    "id, action, target, details, requested_by, requested_at, decided_by, decided_at, decision, used_at"
#define SOKO_THROTTLE_COLUMNS "key, failures, window_start, last_failure_at, locked_until"

AdminUserRecord readAdminUser(const pqxx::row &row)
{
    AdminUserRecord user;
    user.id = text(row[0]);
    user.username = text(row[1]);
    user.displayName = text(row[2]);
    user.email = text(row[3]);
    // The CHECK constraints allow only known names; the fallbacks grant the least.
    user.role = enumFromName(adminRoleNames, text(row[4])).value_or(AdminRole::Viewer);
    user.status = enumFromName(adminStatusNames, text(row[5])).value_or(AdminStatus::Disabled);
    user.passwordHash = text(row[6]);
    user.mustChangePassword = boolean(row[7]);
    user.totpSeed = bytesOf(row[8]);
    user.totpEnabled = boolean(row[9]);
    user.totpLastStep = integer(row[10]);
    user.mfaLockedUntil = optionalText(row[11]);
    user.createdAt = text(row[12]);
    user.updatedAt = text(row[13]);
    user.passwordChangedAt = text(row[14]);
    return user;
}

AdminSessionRecord readAdminSession(const pqxx::row &row)
{
    AdminSessionRecord session;
    session.tokenHash = text(row[0]);
    session.userId = text(row[1]);
    session.stage = enumFromName(adminSessionStageNames, text(row[2])).value_or(AdminSessionStage::PreAuth);
    session.createdAt = text(row[3]);
    session.lastSeenAt = text(row[4]);
    session.totpVerifiedAt = optionalText(row[5]);
    session.ip = text(row[6]);
    session.userAgent = text(row[7]);
    session.totpFailures = integer(row[8]);
    return session;
}

ApprovalRecord readApproval(const pqxx::row &row)
{
    ApprovalRecord approval;
    approval.id = integer(row[0]);
    approval.action = text(row[1]);
    approval.target = text(row[2]);
    approval.details = text(row[3]);
    approval.requestedBy = text(row[4]);
    approval.requestedAt = text(row[5]);
    approval.decidedBy = optionalText(row[6]);
    approval.decidedAt = optionalText(row[7]);
    approval.decision = enumFromName(approvalDecisionNames, text(row[8])).value_or(ApprovalDecision::Pending);
    approval.usedAt = optionalText(row[9]);
    return approval;
}

LoginThrottleRecord readThrottle(const pqxx::row &row)
{
    return LoginThrottleRecord{text(row[0]), integer(row[1]), text(row[2]), text(row[3]), optionalText(row[4])};
}

Common::Error invalidInput(const std::string &reason)
{
    return Common::Error::make(ErrorCode::InvalidInput, reason);
}

} // namespace

#define SOKO_CHECK(problem)                                                                                            \
    do {                                                                                                               \
        if (auto soko_problem = (problem))                                                                             \
            return tl::unexpected(invalidInput(*soko_problem));                                                        \
    } while (false)

#define SOKO_TIME(variable, text)                                                                                      \
    auto variable##_checked = checkedIsoTime(text);                                                                    \
    if (!variable##_checked)                                                                                           \
        return tl::unexpected(variable##_checked.error());                                                             \
    const std::string &variable = *variable##_checked

Result<std::string> PostgresStore::insertAdminUser(const AdminUserRecord &user)
{
    SOKO_CHECK(adminUserProblem(user));
    std::optional<std::string> lockedUntil;
    if (user.mfaLockedUntil) {
        SOKO_TIME(until, *user.mfaLockedUntil);
        lockedUntil = until;
    }
    return run<std::string>("insertAdminUser", [&](Connection &c) -> Result<std::string> {
        const std::string id = user.id.empty() ? randomUuid() : user.id;
        c.exec("INSERT INTO admin_users(id, username, username_key, display_name, email, role, status, "
               "password_hash, must_change_password, totp_seed, totp_enabled, totp_last_step, mfa_locked_until, "
               "created_at, updated_at, password_changed_at) "
               "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, decode($10, 'hex'), $11, -1, $12, $13, $13, $13)",
               id, user.username, adminUsernameKey(user.username), user.displayName, user.email,
               std::string(enumName(adminRoleNames, user.role)), std::string(enumName(adminStatusNames, user.status)),
               user.passwordHash, user.mustChangePassword, hexOf(user.totpSeed), user.totpEnabled, lockedUntil, now());
        return id;
    });
}

Result<std::optional<AdminUserRecord>> PostgresStore::adminUser(std::string_view id)
{
    return run<std::optional<AdminUserRecord>>(
        "adminUser", [&](Connection &c) -> Result<std::optional<AdminUserRecord>> {
            const auto rows =
                c.exec("SELECT " SOKO_ADMIN_USER_COLUMNS " FROM admin_users WHERE id = $1", std::string(id));
            if (rows.empty())
                return std::optional<AdminUserRecord>();
            return std::optional<AdminUserRecord>(readAdminUser(rows[0]));
        });
}

Result<std::optional<AdminUserRecord>> PostgresStore::adminUserByName(std::string_view username)
{
    if (!isValidAdminUsername(username))
        return std::optional<AdminUserRecord>();
    return run<std::optional<AdminUserRecord>>(
        "adminUserByName", [&](Connection &c) -> Result<std::optional<AdminUserRecord>> {
            const auto rows = c.exec("SELECT " SOKO_ADMIN_USER_COLUMNS " FROM admin_users WHERE username_key = $1",
                                     adminUsernameKey(username));
            if (rows.empty())
                return std::optional<AdminUserRecord>();
            return std::optional<AdminUserRecord>(readAdminUser(rows[0]));
        });
}

Result<std::vector<AdminUserRecord>> PostgresStore::adminUsers()
{
    return run<std::vector<AdminUserRecord>>("adminUsers", [&](Connection &c) -> Result<std::vector<AdminUserRecord>> {
        std::vector<AdminUserRecord> out;
        // COLLATE "C": byte order, as SQLite sorts, whatever the database's locale.
        for (const auto &row :
             c.exec("SELECT " SOKO_ADMIN_USER_COLUMNS " FROM admin_users ORDER BY username_key COLLATE \"C\""))
            out.push_back(readAdminUser(row));
        return out;
    });
}

Result<void> PostgresStore::setAdminPassword(std::string_view id, std::string_view passwordHash, PasswordState state)
{
    if (passwordHash.empty() || passwordHash.size() > 512)
        return tl::unexpected(invalidInput("password hash must be a PHC string of 1-512 bytes"));
    return run<void>("setAdminPassword", [&](Connection &c) -> Result<void> {
        if (c.exec("UPDATE admin_users SET password_hash = $2, must_change_password = $3, password_changed_at = $4, "
                   "updated_at = $4 WHERE id = $1",
                   std::string(id), std::string(passwordHash), state == PasswordState::MustChange, now())
                .affected_rows() != 1)
            return Common::fail(ErrorCode::NotFound, "admin user not found");
        return {};
    });
}

Result<void> PostgresStore::setAdminTotp(std::string_view id, std::optional<Bytes> sealedSeed, TotpState state)
{
    if (sealedSeed && (sealedSeed->empty() || sealedSeed->size() > 1024))
        return tl::unexpected(invalidInput("sealed TOTP seed must be 1-1024 bytes"));
    if (state == TotpState::Enabled && !sealedSeed)
        return tl::unexpected(invalidInput("TOTP cannot be enabled without a seed"));
    return run<void>("setAdminTotp", [&](Connection &c) -> Result<void> {
        if (c.exec("UPDATE admin_users SET totp_seed = decode($2, 'hex'), totp_enabled = $3, totp_last_step = -1, "
                   "updated_at = $4 WHERE id = $1",
                   std::string(id), hexOf(sealedSeed), state == TotpState::Enabled, now())
                .affected_rows() != 1)
            return Common::fail(ErrorCode::NotFound, "admin user not found");
        return {};
    });
}

Result<bool> PostgresStore::advanceTotpStep(std::string_view id, std::int64_t step)
{
    return run<bool>("advanceTotpStep", [&](Connection &c) -> Result<bool> {
        // READ COMMITTED: a second UPDATE of the same row waits for the first, then re-checks the
        // WHERE clause on the committed row (totp_last_step is now `step`): 0 rows, a replay.
        return c.exec("UPDATE admin_users SET totp_last_step = $2 WHERE id = $1 AND totp_last_step < $2",
                      std::string(id), step)
                   .affected_rows() == 1;
    });
}

Result<void> PostgresStore::setAdminRole(std::string_view id, AdminRole role)
{
    return run<void>("setAdminRole", [&](Connection &c) -> Result<void> {
        if (c.exec("UPDATE admin_users SET role = $2, updated_at = $3 WHERE id = $1", std::string(id),
                   std::string(enumName(adminRoleNames, role)), now())
                .affected_rows() != 1)
            return Common::fail(ErrorCode::NotFound, "admin user not found");
        return {};
    });
}

Result<void> PostgresStore::setAdminStatus(std::string_view id, AdminStatus status)
{
    return run<void>("setAdminStatus", [&](Connection &c) -> Result<void> {
        if (c.exec("UPDATE admin_users SET status = $2, updated_at = $3 WHERE id = $1", std::string(id),
                   std::string(enumName(adminStatusNames, status)), now())
                .affected_rows() != 1)
            return Common::fail(ErrorCode::NotFound, "admin user not found");
        return {};
    });
}

Result<void> PostgresStore::setMfaLockedUntil(std::string_view id, std::optional<std::string> until)
{
    std::optional<std::string> lockedUntil;
    if (until) {
        SOKO_TIME(checked, *until);
        lockedUntil = checked;
    }
    return run<void>("setMfaLockedUntil", [&](Connection &c) -> Result<void> {
        if (c.exec("UPDATE admin_users SET mfa_locked_until = $2, updated_at = $3 WHERE id = $1", std::string(id),
                   lockedUntil, now())
                .affected_rows() != 1)
            return Common::fail(ErrorCode::NotFound, "admin user not found");
        return {};
    });
}

Result<std::int64_t> PostgresStore::countAdmins(AdminRole role, StatusFilter filter)
{
    return run<std::int64_t>("countAdmins", [&](Connection &c) -> Result<std::int64_t> {
        return integer(c.exec("SELECT count(*) FROM admin_users WHERE role = $1 AND (NOT $2 OR status = 'active')",
                              std::string(enumName(adminRoleNames, role)), filter == StatusFilter::ActiveOnly)[0][0]);
    });
}

Result<void> PostgresStore::insertAdminSession(const AdminSessionRecord &session)
{
    SOKO_CHECK(adminSessionProblem(session));
    SOKO_TIME(createdAt, session.createdAt.empty() ? now() : session.createdAt);
    SOKO_TIME(lastSeenAt, session.lastSeenAt.empty() ? createdAt : session.lastSeenAt);
    std::optional<std::string> verifiedAt;
    if (session.totpVerifiedAt) {
        SOKO_TIME(verified, *session.totpVerifiedAt);
        verifiedAt = verified;
    }
    return run<void>("insertAdminSession", [&](Connection &c) -> Result<void> {
        c.exec("INSERT INTO admin_sessions(" SOKO_ADMIN_SESSION_COLUMNS ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
               session.tokenHash, session.userId, std::string(enumName(adminSessionStageNames, session.stage)),
               createdAt, lastSeenAt, verifiedAt, session.ip, truncateUtf8(session.userAgent, 256),
               session.totpFailures);
        return {};
    });
}

Result<std::optional<AdminSessionRecord>> PostgresStore::adminSession(std::string_view tokenHash)
{
    return run<std::optional<AdminSessionRecord>>(
        "adminSession", [&](Connection &c) -> Result<std::optional<AdminSessionRecord>> {
            const auto rows = c.exec("SELECT " SOKO_ADMIN_SESSION_COLUMNS " FROM admin_sessions WHERE token_hash = $1",
                                     std::string(tokenHash));
            if (rows.empty())
                return std::optional<AdminSessionRecord>();
            return std::optional<AdminSessionRecord>(readAdminSession(rows[0]));
        });
}

Result<void> PostgresStore::touchAdminSession(std::string_view tokenHash, std::string_view at)
{
    SOKO_TIME(seen, at);
    return run<void>("touchAdminSession", [&](Connection &c) -> Result<void> {
        if (c.exec("UPDATE admin_sessions SET last_seen_at = greatest(last_seen_at, $2) WHERE token_hash = $1",
                   std::string(tokenHash), seen)
                .affected_rows() != 1)
            return Common::fail(ErrorCode::NotFound, "admin session not found");
        return {};
    });
}

Result<void> PostgresStore::setSessionTotpVerified(std::string_view tokenHash, std::string_view at)
{
    SOKO_TIME(verified, at);
    return run<void>("setSessionTotpVerified", [&](Connection &c) -> Result<void> {
        if (c.exec("UPDATE admin_sessions SET totp_verified_at = $2, totp_failures = 0 WHERE token_hash = $1",
                   std::string(tokenHash), verified)
                .affected_rows() != 1)
            return Common::fail(ErrorCode::NotFound, "admin session not found");
        return {};
    });
}

Result<std::int64_t> PostgresStore::incrementSessionTotpFailures(std::string_view tokenHash)
{
    return run<std::int64_t>("incrementSessionTotpFailures", [&](Connection &c) -> Result<std::int64_t> {
        const auto rows = c.exec("UPDATE admin_sessions SET totp_failures = totp_failures + 1 WHERE token_hash = $1 "
                                 "RETURNING totp_failures",
                                 std::string(tokenHash));
        if (rows.empty())
            return Common::fail(ErrorCode::NotFound, "admin session not found");
        return integer(rows[0][0]);
    });
}

Result<bool> PostgresStore::deleteAdminSession(std::string_view tokenHash)
{
    return run<bool>("deleteAdminSession", [&](Connection &c) -> Result<bool> {
        return c.exec("DELETE FROM admin_sessions WHERE token_hash = $1", std::string(tokenHash)).affected_rows() == 1;
    });
}

Result<std::int64_t> PostgresStore::deleteAdminSessionsOfUser(std::string_view userId, std::string_view exceptTokenHash)
{
    return run<std::int64_t>("deleteAdminSessionsOfUser", [&](Connection &c) -> Result<std::int64_t> {
        return static_cast<std::int64_t>(c.exec("DELETE FROM admin_sessions WHERE user_id = $1 AND token_hash <> $2",
                                                std::string(userId), std::string(exceptTokenHash))
                                             .affected_rows());
    });
}

Result<std::vector<AdminSessionRecord>> PostgresStore::adminSessionsOfUser(std::string_view userId)
{
    return run<std::vector<AdminSessionRecord>>(
        "adminSessionsOfUser", [&](Connection &c) -> Result<std::vector<AdminSessionRecord>> {
            std::vector<AdminSessionRecord> out;
            for (const auto &row :
                 c.exec("SELECT " SOKO_ADMIN_SESSION_COLUMNS " FROM admin_sessions "
                        "WHERE user_id = $1 ORDER BY created_at COLLATE \"C\", token_hash COLLATE \"C\"",
                        std::string(userId)))
                out.push_back(readAdminSession(row));
            return out;
        });
}

Result<std::int64_t> PostgresStore::deleteExpiredAdminSessions(std::string_view idleCutoff,
                                                               std::string_view absoluteCutoff)
{
    SOKO_TIME(idle, idleCutoff);
    SOKO_TIME(absolute, absoluteCutoff);
    return run<std::int64_t>("deleteExpiredAdminSessions", [&](Connection &c) -> Result<std::int64_t> {
        return static_cast<std::int64_t>(
            c.exec("DELETE FROM admin_sessions WHERE last_seen_at < $1 OR created_at < $2", idle, absolute)
                .affected_rows());
    });
}

Result<void> PostgresStore::replaceRecoveryCodes(std::string_view userId, const std::vector<std::string> &codeHashes)
{
    if (codeHashes.size() > 32)
        return tl::unexpected(invalidInput("at most 32 recovery codes"));
    std::vector<std::optional<std::string>> hashes;
    for (const std::string &hash : codeHashes) {
        if (!isSha256Hex(hash))
            return tl::unexpected(invalidInput("recovery code hash must be 64 lower-case hex characters (SHA-256)"));
        hashes.emplace_back(hash);
    }
    return run<void>("replaceRecoveryCodes", [&](Connection &c) -> Result<void> {
        // One transaction (run's, or the caller's): the old set is gone exactly when the new one exists.
        c.exec("DELETE FROM admin_recovery_codes WHERE user_id = $1", std::string(userId));
        if (!hashes.empty())
            c.exec("INSERT INTO admin_recovery_codes(user_id, code_hash, created_at) "
                   "SELECT $1, hash, $3 FROM unnest($2::text[]) AS hash",
                   std::string(userId), textArray(hashes), now());
        return {};
    });
}

Result<bool> PostgresStore::useRecoveryCode(std::string_view userId, std::string_view codeHash)
{
    if (!isSha256Hex(codeHash))
        return false;
    return run<bool>("useRecoveryCode", [&](Connection &c) -> Result<bool> {
        return c.exec("UPDATE admin_recovery_codes SET used_at = $3 "
                      "WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL",
                      std::string(userId), std::string(codeHash), now())
                   .affected_rows() == 1;
    });
}

Result<std::int64_t> PostgresStore::unusedRecoveryCodeCount(std::string_view userId)
{
    return run<std::int64_t>("unusedRecoveryCodeCount", [&](Connection &c) -> Result<std::int64_t> {
        return integer(c.exec("SELECT count(*) FROM admin_recovery_codes WHERE user_id = $1 AND used_at IS NULL",
                              std::string(userId))[0][0]);
    });
}

Result<std::optional<LoginThrottleRecord>> PostgresStore::loginThrottle(std::string_view key)
{
    SOKO_CHECK(loginThrottleKeyProblem(key));
    return run<std::optional<LoginThrottleRecord>>(
        "loginThrottle", [&](Connection &c) -> Result<std::optional<LoginThrottleRecord>> {
            const auto rows =
                c.exec("SELECT " SOKO_THROTTLE_COLUMNS " FROM admin_login_throttle WHERE key = $1", std::string(key));
            if (rows.empty())
                return std::optional<LoginThrottleRecord>();
            return std::optional<LoginThrottleRecord>(readThrottle(rows[0]));
        });
}

Result<LoginThrottleRecord> PostgresStore::recordLoginFailure(std::string_view key, std::string_view at)
{
    SOKO_CHECK(loginThrottleKeyProblem(key));
    SOKO_TIME(failedAt, at);
    const std::string windowCutoff = *shiftIsoTime(failedAt, -loginThrottleWindowSeconds);
    return run<LoginThrottleRecord>("recordLoginFailure", [&](Connection &c) -> Result<LoginThrottleRecord> {
        // One upsert: concurrent failures of one key serialise on its row and each count.
        const auto rows = c.exec(
            "INSERT INTO admin_login_throttle(key, failures, window_start, last_failure_at) VALUES ($1, 1, $2, $2) "
            "ON CONFLICT (key) DO UPDATE SET "
            "failures = CASE WHEN admin_login_throttle.window_start <= $3 THEN 1 "
            "ELSE admin_login_throttle.failures + 1 END, "
            "window_start = CASE WHEN admin_login_throttle.window_start <= $3 THEN $2 "
            "ELSE admin_login_throttle.window_start END, "
            "last_failure_at = greatest(admin_login_throttle.last_failure_at, $2) "
            "RETURNING " SOKO_THROTTLE_COLUMNS,
            std::string(key), failedAt, windowCutoff);
        return readThrottle(rows[0]);
    });
}

Result<void> PostgresStore::lockLoginThrottle(std::string_view key, std::string_view until)
{
    SOKO_CHECK(loginThrottleKeyProblem(key));
    SOKO_TIME(lockedUntil, until);
    return run<void>("lockLoginThrottle", [&](Connection &c) -> Result<void> {
        if (c.exec("UPDATE admin_login_throttle SET locked_until = "
                   "CASE WHEN locked_until IS NULL OR locked_until < $2 THEN $2 ELSE locked_until END WHERE key = $1",
                   std::string(key), lockedUntil)
                .affected_rows() != 1)
            return Common::fail(ErrorCode::NotFound, "no login failures recorded for this key");
        return {};
    });
}

Result<void> PostgresStore::resetLoginThrottle(std::string_view key)
{
    SOKO_CHECK(loginThrottleKeyProblem(key));
    return run<void>("resetLoginThrottle", [&](Connection &c) -> Result<void> {
        c.exec("DELETE FROM admin_login_throttle WHERE key = $1", std::string(key));
        return {};
    });
}

Result<std::int64_t> PostgresStore::deleteStaleLoginThrottles(std::string_view before)
{
    SOKO_TIME(cutoff, before);
    return run<std::int64_t>("deleteStaleLoginThrottles", [&](Connection &c) -> Result<std::int64_t> {
        return static_cast<std::int64_t>(c.exec("DELETE FROM admin_login_throttle WHERE last_failure_at < $1 "
                                                "AND (locked_until IS NULL OR locked_until < $1)",
                                                cutoff)
                                             .affected_rows());
    });
}

Result<std::int64_t> PostgresStore::insertNotification(std::string_view userId, std::string_view kind,
                                                       std::string_view detailsJson)
{
    SOKO_CHECK(notificationProblem(kind, detailsJson));
    return run<std::int64_t>("insertNotification", [&](Connection &c) -> Result<std::int64_t> {
        return integer(c.exec("INSERT INTO admin_notifications(user_id, kind, details, created_at) "
                              "VALUES ($1, $2, $3, $4) RETURNING id",
                              std::string(userId), std::string(kind),
                              detailsJson.empty() ? std::string("{}") : std::string(detailsJson), now())[0][0]);
    });
}

Result<std::vector<NotificationRecord>> PostgresStore::notifications(std::string_view userId, int limit)
{
    return run<std::vector<
        NotificationRecord>>("notifications", [&](Connection &c) -> Result<std::vector<NotificationRecord>> {
        std::vector<NotificationRecord> out;
        for (const auto &row : c.exec("SELECT id, user_id, kind, details, created_at FROM admin_notifications "
                                      "WHERE user_id = $1 ORDER BY id DESC LIMIT $2",
                                      std::string(userId), static_cast<std::int64_t>(std::max(limit, 0))))
            out.push_back(NotificationRecord{integer(row[0]), text(row[1]), text(row[2]), text(row[3]), text(row[4])});
        return out;
    });
}

Result<std::int64_t> PostgresStore::insertApproval(const ApprovalRecord &approval)
{
    SOKO_CHECK(approvalProblem(approval));
    return run<std::int64_t>("insertApproval", [&](Connection &c) -> Result<std::int64_t> {
        return integer(c.exec("INSERT INTO admin_approvals(action, target, details, requested_by, requested_at, "
                              "decision) VALUES ($1, $2, $3, $4, $5, 'pending') RETURNING id",
                              approval.action, approval.target,
                              approval.details.empty() ? std::string("{}") : approval.details, approval.requestedBy,
                              now())[0][0]);
    });
}

Result<std::optional<ApprovalRecord>> PostgresStore::approval(std::int64_t id)
{
    return run<std::optional<ApprovalRecord>>("approval", [&](Connection &c) -> Result<std::optional<ApprovalRecord>> {
        const auto rows = c.exec("SELECT " SOKO_APPROVAL_COLUMNS " FROM admin_approvals WHERE id = $1", id);
        if (rows.empty())
            return std::optional<ApprovalRecord>();
        return std::optional<ApprovalRecord>(readApproval(rows[0]));
    });
}

Result<bool> PostgresStore::decideApproval(std::int64_t id, std::string_view decidedBy, ApprovalDecision decision)
{
    if (decision == ApprovalDecision::Pending)
        return tl::unexpected(invalidInput("a decision is approved or rejected"));
    return run<bool>("decideApproval", [&](Connection &c) -> Result<bool> {
        // Only-if-pending and four eyes in the statement: of two deciders at once, one wins.
        if (c.exec("UPDATE admin_approvals SET decision = $2, decided_by = $3, decided_at = $4 "
                   "WHERE id = $1 AND decision = 'pending' AND requested_by <> $3",
                   id, std::string(enumName(approvalDecisionNames, decision)), std::string(decidedBy), now())
                .affected_rows() == 1)
            return true;
        const auto rows = c.exec("SELECT requested_by, decision FROM admin_approvals WHERE id = $1", id);
        if (rows.empty())
            return Common::fail(ErrorCode::NotFound, "approval not found");
        if (text(rows[0][1]) == "pending" && text(rows[0][0]) == decidedBy)
            return Common::fail(ErrorCode::Forbidden, "four eyes: the requester cannot decide their own request");
        return false;
    });
}

Result<std::vector<ApprovalRecord>> PostgresStore::pendingApprovals()
{
    return run<std::vector<ApprovalRecord>>(
        "pendingApprovals", [&](Connection &c) -> Result<std::vector<ApprovalRecord>> {
            std::vector<ApprovalRecord> out;
            for (const auto &row :
                 c.exec("SELECT " SOKO_APPROVAL_COLUMNS " FROM admin_approvals WHERE decision = 'pending' ORDER BY id"))
                out.push_back(readApproval(row));
            return out;
        });
}

Result<std::vector<ApprovalRecord>> PostgresStore::approvalsRequestedBy(std::string_view requestedBy,
                                                                        std::string_view action, int limit)
{
    if (limit < 1 || limit > 1000)
        return tl::unexpected(invalidInput("limit must be 1..1000"));
    return run<std::vector<ApprovalRecord>>(
        "approvalsRequestedBy", [&](Connection &c) -> Result<std::vector<ApprovalRecord>> {
            std::vector<ApprovalRecord> out;
            for (const auto &row : c.exec("SELECT " SOKO_APPROVAL_COLUMNS " FROM admin_approvals "
                                          "WHERE requested_by = $1 AND action = $2 ORDER BY id DESC LIMIT $3",
                                          std::string(requestedBy), std::string(action), limit))
                out.push_back(readApproval(row));
            return out;
        });
}

Result<bool> PostgresStore::consumeApproval(std::int64_t id, std::string_view requestedBy)
{
    return run<bool>("consumeApproval", [&](Connection &c) -> Result<bool> {
        return c.exec("UPDATE admin_approvals SET used_at = $3 "
                      "WHERE id = $1 AND requested_by = $2 AND decision = 'approved' AND used_at IS NULL",
                      id, std::string(requestedBy), now())
                   .affected_rows() == 1;
    });
}

Result<void> PostgresStore::setSetupTokenHash(std::string_view tokenHash)
{
    if (!isSha256Hex(tokenHash))
        return tl::unexpected(invalidInput("setup token hash must be 64 lower-case hex characters"));
    return run<void>("setSetupTokenHash", [&](Connection &c) -> Result<void> {
        c.exec("INSERT INTO server_meta(key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = "
               "excluded.value",
               std::string(s_setupTokenKey), std::string(tokenHash));
        return {};
    });
}

Result<std::optional<std::string>> PostgresStore::setupTokenHash()
{
    return run<std::optional<std::string>>("setupTokenHash", [&](Connection &c) -> Result<std::optional<std::string>> {
        const auto rows = c.exec("SELECT value FROM server_meta WHERE key = $1", std::string(s_setupTokenKey));
        if (rows.empty())
            return std::optional<std::string>();
        return std::optional<std::string>(text(rows[0][0]));
    });
}

Result<bool> PostgresStore::consumeSetupToken(std::string_view tokenHash)
{
    if (!isSha256Hex(tokenHash))
        return false;
    return run<bool>("consumeSetupToken", [&](Connection &c) -> Result<bool> {
        return c.exec("DELETE FROM server_meta WHERE key = $1 AND value = $2", std::string(s_setupTokenKey),
                      std::string(tokenHash))
                   .affected_rows() == 1;
    });
}

// ---- back-office order and stock pages ----
// Text filters use strpos() on lower(): a literal substring, so '%', '_' and quotes mean themselves (R31).

Result<std::vector<OrderListRow>> PostgresStore::searchOrders(const OrderSearch &search)
{
    return run<std::vector<OrderListRow>>("searchOrders", [&](Connection &c) -> Result<std::vector<OrderListRow>> {
        std::optional<std::string> stateName;
        if (search.state)
            stateName = std::string(Common::Domain::orderStateName(*search.state));
        std::vector<OrderListRow> out;
        for (const auto &row :
             c.exec("SELECT o.id, o.store, o.order_number, o.customer, o.address, coalesce(o.warehouse, ''), o.state, "
                    "o.created_at, (SELECT count(*) FROM order_lines l WHERE l.order_id = o.id), "
                    "(SELECT coalesce(sum(l.quantity), 0) FROM order_lines l WHERE l.order_id = o.id) "
                    "FROM orders o WHERE ($1::text = '' OR strpos(lower(o.order_number), lower($1::text)) > 0 "
                    "OR strpos(lower(o.customer), lower($1::text)) > 0) AND ($2::text IS NULL OR o.state = $2) "
                    "AND ($3::text = '' OR o.store = $3) AND ($4::text = '' OR substr(o.created_at, 1, 10) >= $4) "
                    "AND ($5::text = '' OR substr(o.created_at, 1, 10) <= $5) AND ($6::bigint = 0 OR o.id < $6) "
                    "ORDER BY o.id DESC LIMIT $7",
                    search.text, stateName, search.store, search.createdFrom, search.createdTo, search.beforeId,
                    static_cast<std::int64_t>(search.limit))) {
            OrderListRow item;
            item.order.id = integer(row[0]);
            item.order.store = text(row[1]);
            item.order.orderNumber = text(row[2]);
            item.order.customer = text(row[3]);
            item.order.address = text(row[4]);
            item.order.warehouse = text(row[5]);
            item.order.state = Common::Domain::orderStateFromName(text(row[6])).value_or(OrderState::Imported);
            item.createdAt = text(row[7]);
            item.lineCount = integer(row[8]);
            item.quantity = integer(row[9]);
            out.push_back(std::move(item));
        }
        return out;
    });
}

Result<std::optional<ShipmentRecord>> PostgresStore::shipment(std::int64_t orderId)
{
    return run<std::optional<ShipmentRecord>>("shipment", [&](Connection &c) -> Result<std::optional<ShipmentRecord>> {
        const auto rows =
            c.exec("SELECT order_id, tracking_number, carrier, shipped_at FROM shipments WHERE order_id = $1", orderId);
        if (rows.empty())
            return std::optional<ShipmentRecord>();
        return std::optional<ShipmentRecord>(
            ShipmentRecord{integer(rows[0][0]), text(rows[0][1]), text(rows[0][2]), text(rows[0][3])});
    });
}

Result<std::vector<AuditRecord>> PostgresStore::auditOfTarget(std::string_view target, std::string_view eventPrefix,
                                                             int limit)
{
    return run<std::vector<AuditRecord>>("auditOfTarget", [&](Connection &c) -> Result<std::vector<AuditRecord>> {
        std::vector<AuditRecord> out;
        for (const auto &row : c.exec("SELECT id, at, actor, event, target, details, role, source_ip, listener, "
                                      "request_id, outcome, prev_hash, hash FROM audit WHERE target = $1 "
                                      "AND substr(event, 1, length($2::text)) = $2 ORDER BY id LIMIT $3",
                                      std::string(target), std::string(eventPrefix),
                                      static_cast<std::int64_t>(limit)))
            out.push_back(auditRow(row));
        return out;
    });
}

Result<std::vector<Sku>> PostgresStore::searchSkus(std::string_view text, std::string_view afterCode, int limit)
{
    return run<std::vector<Sku>>("searchSkus", [&](Connection &c) -> Result<std::vector<Sku>> {
        std::vector<std::string> codes;
        for (const auto &row :
             c.exec("SELECT code FROM skus WHERE code > $1 AND ($2::text = '' OR strpos(lower(code), lower($2::text)) > 0 "
                    "OR strpos(lower(name), lower($2::text)) > 0) ORDER BY code LIMIT $3",
                    std::string(afterCode), std::string(text), static_cast<std::int64_t>(limit)))
            codes.push_back(row[0].as<std::string>());
        std::vector<Sku> out;
        for (const std::string &code : codes) {
            auto one = sku(code);
            if (!one)
                return tl::unexpected(one.error());
            if (*one)
                out.push_back(std::move(**one));
        }
        return out;
    });
}

} // namespace Server::Storage

// ---- terminals pages: conflict queue, device activity, dashboard counts (migration 4) ----

namespace Server::Storage {

#define SOKO_PG_CONFLICT_ENTRY_SELECT                                                                                  \
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

static Store::ConflictEntry readConflictEntry(const pqxx::row &row)
{
    Store::ConflictEntry entry;
    entry.conflict = ConflictRecord{integer(row[0]), text(row[1]), text(row[2]), text(row[3]),
                                    text(row[4]),    text(row[5]), text(row[6])};
    entry.deviceLabel = text(row[7]);
    entry.operatorId = text(row[8]);
    entry.opType = text(row[9]);
    entry.payloadJson = text(row[10]);
    entry.resolvedAt = optionalText(row[11]);
    entry.resolution = Store::resolutionFromName(text(row[12]));
    entry.resolvedBy = text(row[13]);
    entry.resolutionNote = text(row[14]);
    return entry;
}

Result<std::vector<Store::ConflictEntry>> PostgresStore::conflictQueue(int limit)
{
    return run<std::vector<ConflictEntry>>("conflictQueue", [&](Connection &c) -> Result<std::vector<ConflictEntry>> {
        std::vector<ConflictEntry> out;
        for (const auto &row :
             c.exec(SOKO_PG_CONFLICT_ENTRY_SELECT "ORDER BY (c.resolved_at IS NOT NULL), "
                                                  "CASE WHEN c.resolved_at IS NULL THEN c.id ELSE -c.id END LIMIT $1",
                    static_cast<std::int64_t>(limit)))
            out.push_back(readConflictEntry(row));
        return out;
    });
}

Result<std::optional<Store::ConflictEntry>> PostgresStore::conflictEntry(std::int64_t id)
{
    return run<std::optional<ConflictEntry>>(
        "conflictEntry", [&](Connection &c) -> Result<std::optional<ConflictEntry>> {
            const auto rows = c.exec(SOKO_PG_CONFLICT_ENTRY_SELECT "WHERE c.id = $1", id);
            if (rows.empty())
                return std::optional<ConflictEntry>();
            return std::optional<ConflictEntry>(readConflictEntry(rows[0]));
        });
}

Result<std::int64_t> PostgresStore::openConflictCount()
{
    return run<std::int64_t>("openConflictCount", [&](Connection &c) -> Result<std::int64_t> {
        return integer(c.exec("SELECT count(*) FROM conflicts WHERE resolved_at IS NULL")[0][0]);
    });
}

Result<bool> PostgresStore::resolveConflict(std::int64_t id, ConflictResolution resolution,
                                            std::string_view resolvedBy, std::string_view note)
{
    return run<bool>("resolveConflict", [&](Connection &c) -> Result<bool> {
        return c.exec("UPDATE conflicts SET resolved_at = $2, resolution = $3, resolved_by = $4, "
                      "resolution_note = $5 WHERE id = $1 AND resolved_at IS NULL",
                      id, now(), std::string(resolutionName(resolution)), std::string(resolvedBy), std::string(note))
                   .affected_rows() == 1;
    });
}

Result<std::vector<Store::DeviceActivity>> PostgresStore::deviceActivity()
{
    return run<std::vector<DeviceActivity>>("deviceActivity", [&](Connection &c) -> Result<std::vector<DeviceActivity>> {
        std::vector<DeviceActivity> out;
        for (const auto &row :
             c.exec("SELECT d.id, "
                    "(SELECT count(*) FROM applied_ops a WHERE a.device_id = d.id AND a.outcome = 'applied'), "
                    "(SELECT count(*) FROM applied_ops a WHERE a.device_id = d.id AND a.outcome = 'conflict'), "
                    "(SELECT count(*) FROM applied_ops a WHERE a.device_id = d.id AND a.outcome = 'rejected'), "
                    "(SELECT max(a.applied_at) FROM applied_ops a WHERE a.device_id = d.id), "
                    "(SELECT count(*) FROM rejections r WHERE r.device_id = d.id) FROM devices d ORDER BY d.id"))
            out.push_back(DeviceActivity{text(row[0]), integer(row[1]), integer(row[2]), integer(row[3]),
                                         optionalText(row[4]), integer(row[5])});
        return out;
    });
}

Result<std::vector<std::pair<OrderState, std::int64_t>>> PostgresStore::orderStateCountsSince(std::string_view since)
{
    using Counts = std::vector<std::pair<OrderState, std::int64_t>>;
    return run<Counts>("orderStateCountsSince", [&](Connection &c) -> Result<Counts> {
        Counts out;
        for (const auto &row :
             c.exec("SELECT state, count(*) FROM orders WHERE updated_at >= $1 GROUP BY state", std::string(since)))
            if (const auto state = Common::Domain::orderStateFromName(text(row[0])))
                out.emplace_back(*state, integer(row[1]));
        return out;
    });
}

Result<std::int64_t> PostgresStore::shipmentCountSince(std::string_view since)
{
    return run<std::int64_t>("shipmentCountSince", [&](Connection &c) -> Result<std::int64_t> {
        return integer(c.exec("SELECT count(*) FROM shipments WHERE shipped_at >= $1", std::string(since))[0][0]);
    });
}

Result<std::int64_t> PostgresStore::alertCountSince(std::string_view since)
{
    return run<std::int64_t>("alertCountSince", [&](Connection &c) -> Result<std::int64_t> {
        return integer(c.exec("SELECT count(*) FROM alert_outbox WHERE created_at >= $1", std::string(since))[0][0]);
    });
}

// ---- audit log and settings pages ----

Result<std::vector<AuditRecord>> PostgresStore::searchAudit(const AuditSearch &search)
{
    if (search.limit < 1 || search.limit > 1000)
        return tl::unexpected(invalidInput("audit search limit must be 1-1000"));
    return run<std::vector<AuditRecord>>("searchAudit", [&](Connection &c) -> Result<std::vector<AuditRecord>> {
        const bool newer = search.afterSeq > 0;
        std::vector<AuditRecord> out;
#define SOKO_AUDIT_SEARCH                                                                                              \
    "SELECT id, at, actor, event, target, details, role, source_ip, listener, request_id, outcome, prev_hash, hash "   \
    "FROM audit WHERE ($1::text = '' OR event = $1::text) AND ($2::text = '' OR actor = $2::text) "                  \
    "AND ($3::text = '' OR at >= $3::text) AND ($4::text = '' OR at < $4::text) "
        const char *sql = newer ? SOKO_AUDIT_SEARCH "AND id > $5::bigint ORDER BY id LIMIT $6::bigint"
                                : SOKO_AUDIT_SEARCH "AND ($5::bigint = 0 OR id < $5::bigint) ORDER BY id DESC LIMIT $6::bigint";
#undef SOKO_AUDIT_SEARCH
        for (const auto &row : c.exec(sql, search.event, search.actor, search.fromAt, search.toAt,
                                      newer ? search.afterSeq : search.beforeSeq,
                                      static_cast<std::int64_t>(search.limit)))
            out.push_back(auditRow(row));
        return out;
    });
}

namespace {
constexpr std::string_view s_settingPrefix = "setting.";
}

Result<std::vector<std::pair<std::string, std::string>>> PostgresStore::backOfficeSettings()
{
    using Settings = std::vector<std::pair<std::string, std::string>>;
    return run<Settings>("backOfficeSettings", [&](Connection &c) -> Result<Settings> {
        Settings out;
        for (const auto &row :
             c.exec("SELECT key, value FROM server_meta WHERE left(key, 8) = 'setting.' ORDER BY key"))
            out.emplace_back(text(row[0]).substr(s_settingPrefix.size()), text(row[1]));
        return out;
    });
}

Result<void> PostgresStore::setBackOfficeSetting(std::string_view name, std::string_view value)
{
    if (!isBackOfficeSettingName(name) || value.size() > maxBackOfficeSettingBytes)
        return tl::unexpected(invalidInput("setting name must be [a-z0-9_.]{1,64} and its value ≤ 4096 bytes"));
    return run<void>("setBackOfficeSetting", [&](Connection &c) -> Result<void> {
        c.exec("INSERT INTO server_meta(key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = "
               "excluded.value",
               std::string(s_settingPrefix) + std::string(name), std::string(value));
        return {};
    });
}

Result<void> PostgresStore::removeBackOfficeSetting(std::string_view name)
{
    if (!isBackOfficeSettingName(name))
        return tl::unexpected(invalidInput("setting name must be [a-z0-9_.]{1,64}"));
    return run<void>("removeBackOfficeSetting", [&](Connection &c) -> Result<void> {
        c.exec("DELETE FROM server_meta WHERE key = $1", std::string(s_settingPrefix) + std::string(name));
        return {};
    });
}

} // namespace Server::Storage
