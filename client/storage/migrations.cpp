#include "client/storage/migrations.h"

#include <QSqlQuery>
#include <QStringList>

#include "client/storage/sqlsupport.h"

namespace Storage {
namespace {

// Never edit a released step: add a new one. Quantities are integers in the SKU's base unit;
// times are ISO 8601 UTC text.
const char *const s_version1[] = {
    // SKUs and their GTIN-14s. sku_gtins is keyed by GTIN (WITHOUT ROWID = the table is the
    // index), so a scan finds its SKU in one B-tree lookup even with 100,000 SKUs.
    "CREATE TABLE skus (code TEXT PRIMARY KEY NOT NULL, name TEXT NOT NULL, base_unit TEXT NOT NULL DEFAULT 'piece',"
    " lot_controlled INTEGER NOT NULL DEFAULT 0)",
    "CREATE TABLE sku_gtins (gtin TEXT PRIMARY KEY NOT NULL CHECK (length(gtin) = 14),"
    " sku_code TEXT NOT NULL REFERENCES skus(code) ON DELETE CASCADE) WITHOUT ROWID",
    "CREATE INDEX sku_gtins_by_sku ON sku_gtins(sku_code)",
    "CREATE TABLE locations (code TEXT PRIMARY KEY NOT NULL, warehouse TEXT NOT NULL, zone TEXT NOT NULL DEFAULT '',"
    " pick_sequence INTEGER NOT NULL DEFAULT 0)",
    "CREATE TABLE orders (id INTEGER PRIMARY KEY NOT NULL, store TEXT NOT NULL, order_number TEXT NOT NULL,"
    " customer TEXT NOT NULL DEFAULT '', warehouse TEXT NOT NULL DEFAULT '', state TEXT NOT NULL,"
    " tracking_number TEXT NOT NULL DEFAULT '', UNIQUE (store, order_number))",
    "CREATE INDEX orders_by_number ON orders(order_number)",
    "CREATE TABLE order_lines (order_id INTEGER NOT NULL REFERENCES orders(id) ON DELETE CASCADE,"
    " line_number INTEGER NOT NULL, sku_code TEXT NOT NULL, location_code TEXT NOT NULL,"
    " quantity INTEGER NOT NULL CHECK (quantity > 0), picked INTEGER NOT NULL DEFAULT 0 CHECK (picked >= 0),"
    " shorted INTEGER NOT NULL DEFAULT 0 CHECK (shorted >= 0), short_reason TEXT NOT NULL DEFAULT '',"
    " CHECK (picked + shorted <= quantity), PRIMARY KEY (order_id, line_number))",
    // What was picked, with the lot/expiry/serial read from GS1 labels (traceability).
    "CREATE TABLE pick_records (id INTEGER PRIMARY KEY, order_id INTEGER NOT NULL, line_number INTEGER NOT NULL,"
    " quantity INTEGER NOT NULL, lot TEXT NOT NULL DEFAULT '', expiry TEXT NOT NULL DEFAULT '',"
    " serial TEXT NOT NULL DEFAULT '', op_id TEXT NOT NULL)",
    "CREATE TABLE operators (id TEXT PRIMARY KEY NOT NULL, name TEXT NOT NULL, badge TEXT NOT NULL UNIQUE,"
    " pin_hash TEXT NOT NULL, active INTEGER NOT NULL DEFAULT 1)",
    // The sync outbox (DESIGN.md "Outbox"): (incarnation, seq) gapless per device incarnation.
    "CREATE TABLE outbox (local_id INTEGER PRIMARY KEY, device_id TEXT NOT NULL, incarnation INTEGER NOT NULL,"
    " seq INTEGER NOT NULL, op_id TEXT NOT NULL UNIQUE, type TEXT NOT NULL, payload TEXT NOT NULL,"
    " operator_id TEXT NOT NULL, created_at TEXT NOT NULL,"
    " state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending','acked','conflict','rejected')),"
    " reason TEXT NOT NULL DEFAULT '', UNIQUE (incarnation, seq))",
    "CREATE INDEX outbox_by_state ON outbox(state, incarnation, seq)",
    "CREATE TABLE sync_state (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL)",
};

// Version 2: the replicated stock and lot tables of the pull protocol (docs/sync-protocol.md),
// used to choose where an order line is picked from (FEFO, then pick sequence).
const char *const s_version2[] = {
    "CREATE TABLE stock (sku_code TEXT NOT NULL, location_code TEXT NOT NULL, lot TEXT NOT NULL DEFAULT '',"
    " quantity INTEGER NOT NULL, PRIMARY KEY (sku_code, location_code, lot)) WITHOUT ROWID",
    "CREATE TABLE lots (sku_code TEXT NOT NULL, lot TEXT NOT NULL, expiry TEXT NOT NULL DEFAULT '',"
    " blocked INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (sku_code, lot)) WITHOUT ROWID",
};

struct Step
{
    const char *const *statements;
    std::size_t count;
};

const Step s_steps[] = {
    {s_version1, std::size(s_version1)},
    {s_version2, std::size(s_version2)},
};

int userVersion(const QSqlDatabase &db)
{
    QSqlQuery query(db);
    if (query.exec(QStringLiteral("PRAGMA user_version")) && query.next())
        return query.value(0).toInt();
    return -1;
}

} // namespace

int latestSchemaVersion()
{
    return static_cast<int>(std::size(s_steps));
}

Common::Result<void> migrate(const QSqlDatabase &db)
{
    const int current = userVersion(db);
    if (current < 0)
        return Common::fail(Common::ErrorCode::Storage, "cannot read schema version");
    if (current > latestSchemaVersion())
        return Common::fail(Common::ErrorCode::Storage, "database is newer than this app");
    for (int version = current + 1; version <= latestSchemaVersion(); ++version) {
        if (auto begun = execSql(db, QStringLiteral("BEGIN IMMEDIATE"), "begin migration"); !begun)
            return begun;
        const Step &step = s_steps[version - 1];
        for (std::size_t i = 0; i < step.count; ++i) {
            if (auto done = execSql(db, QString::fromLatin1(step.statements[i]), "migration statement"); !done) {
                (void)execSql(db, QStringLiteral("ROLLBACK"), "rollback migration");
                return Common::fail(Common::ErrorCode::Storage,
                                    "migration to version " + std::to_string(version) + " failed at statement "
                                        + std::to_string(i + 1));
            }
        }
        // PRAGMA takes no bound values; `version` is our own integer.
        if (auto bumped = execSql(db, QStringLiteral("PRAGMA user_version = %1").arg(version), "set schema version");
            !bumped) {
            (void)execSql(db, QStringLiteral("ROLLBACK"), "rollback migration");
            return bumped;
        }
        if (auto committed = execSql(db, QStringLiteral("COMMIT"), "commit migration"); !committed)
            return committed;
    }
    return {};
}

} // namespace Storage
