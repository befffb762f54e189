#include "server/storage/migrations.h"

namespace Server::Storage {

namespace {

// Version 1: everything of the first release. Empty string, not NULL, means "no lot", so the
// balance key (warehouse, sku, location, lot) is a plain primary key.
constexpr std::string_view s_version1 = R"sql(
CREATE TABLE server_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;
CREATE TABLE warehouses (code TEXT PRIMARY KEY, name TEXT NOT NULL) STRICT;
CREATE TABLE skus (
    code TEXT PRIMARY KEY, name TEXT NOT NULL, base_unit TEXT NOT NULL,
    lot_controlled INTEGER NOT NULL DEFAULT 0 CHECK (lot_controlled IN (0, 1))) STRICT;
CREATE TABLE sku_gtins (
    gtin TEXT PRIMARY KEY CHECK (length(gtin) = 14),
    sku TEXT NOT NULL REFERENCES skus(code) ON DELETE CASCADE) STRICT;
CREATE INDEX sku_gtins_sku ON sku_gtins(sku);
CREATE TABLE locations (
    warehouse TEXT NOT NULL REFERENCES warehouses(code), code TEXT NOT NULL, zone TEXT NOT NULL,
    pick_sequence INTEGER NOT NULL, PRIMARY KEY (warehouse, code)) STRICT;
CREATE TABLE lots (
    sku TEXT NOT NULL REFERENCES skus(code), code TEXT NOT NULL, expiry TEXT,
    blocked INTEGER NOT NULL DEFAULT 0 CHECK (blocked IN (0, 1)), PRIMARY KEY (sku, code)) STRICT;
CREATE TABLE orders (
    id INTEGER PRIMARY KEY, store TEXT NOT NULL, order_number TEXT NOT NULL, customer TEXT NOT NULL,
    address TEXT NOT NULL, warehouse TEXT REFERENCES warehouses(code), state TEXT NOT NULL,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL, UNIQUE (store, order_number)) STRICT;
CREATE INDEX orders_state ON orders(state, id);
CREATE TABLE order_lines (
    order_id INTEGER NOT NULL REFERENCES orders(id), line INTEGER NOT NULL, sku TEXT NOT NULL REFERENCES skus(code),
    quantity INTEGER NOT NULL CHECK (quantity > 0), picked INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (order_id, line)) STRICT;
CREATE TABLE shipments (
    order_id INTEGER PRIMARY KEY REFERENCES orders(id), tracking_number TEXT NOT NULL, carrier TEXT NOT NULL,
    shipped_at TEXT NOT NULL) STRICT;
CREATE TABLE stock_movements (
    id INTEGER PRIMARY KEY, warehouse TEXT NOT NULL, sku TEXT NOT NULL, location TEXT NOT NULL,
    lot TEXT NOT NULL DEFAULT '', quantity_delta INTEGER NOT NULL, reason TEXT NOT NULL, op_id TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL) STRICT;
CREATE INDEX stock_movements_sku ON stock_movements(sku, id);
CREATE TRIGGER stock_movements_no_update BEFORE UPDATE ON stock_movements
    BEGIN SELECT RAISE(ABORT, 'stock_movements is append-only'); END;
CREATE TRIGGER stock_movements_no_delete BEFORE DELETE ON stock_movements
    BEGIN SELECT RAISE(ABORT, 'stock_movements is append-only'); END;
CREATE TABLE stock_balances (
    warehouse TEXT NOT NULL, sku TEXT NOT NULL, location TEXT NOT NULL, lot TEXT NOT NULL DEFAULT '',
    quantity INTEGER NOT NULL, PRIMARY KEY (warehouse, sku, location, lot)) STRICT;
CREATE INDEX stock_balances_sku ON stock_balances(sku, warehouse);
CREATE TABLE devices (
    id TEXT PRIMARY KEY, warehouse TEXT NOT NULL REFERENCES warehouses(code), label TEXT NOT NULL,
    certificate_serial TEXT UNIQUE, status TEXT NOT NULL CHECK (status IN ('active', 'revoked')),
    incarnation INTEGER NOT NULL DEFAULT 1, created_at TEXT NOT NULL) STRICT;
CREATE TABLE enrollment_codes (
    id INTEGER PRIMARY KEY, code_hash TEXT NOT NULL UNIQUE, warehouse TEXT NOT NULL REFERENCES warehouses(code),
    label TEXT NOT NULL, expires_at TEXT NOT NULL, used_at TEXT, device_id TEXT) STRICT;
CREATE TABLE operators (
    id INTEGER PRIMARY KEY, badge TEXT NOT NULL UNIQUE, name TEXT NOT NULL,
    warehouse TEXT NOT NULL REFERENCES warehouses(code), role TEXT NOT NULL, pin_hash TEXT NOT NULL,
    active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1))) STRICT;
CREATE TABLE api_keys (
    id TEXT PRIMARY KEY, secret_hash TEXT NOT NULL UNIQUE, scope TEXT NOT NULL, label TEXT NOT NULL,
    created_at TEXT NOT NULL, revoked INTEGER NOT NULL DEFAULT 0 CHECK (revoked IN (0, 1))) STRICT;
CREATE TABLE applied_ops (
    device_id TEXT NOT NULL REFERENCES devices(id), incarnation INTEGER NOT NULL, seq INTEGER NOT NULL,
    op_id TEXT NOT NULL, type TEXT NOT NULL, outcome TEXT NOT NULL CHECK (outcome IN ('applied', 'conflict', 'rejected')),
    result TEXT NOT NULL, payload TEXT NOT NULL, operator_id TEXT NOT NULL, device_created_at TEXT NOT NULL,
    applied_at TEXT NOT NULL, PRIMARY KEY (device_id, incarnation, seq)) STRICT;
CREATE INDEX applied_ops_op ON applied_ops(device_id, op_id);
CREATE TABLE conflicts (
    id INTEGER PRIMARY KEY, warehouse TEXT NOT NULL, device_id TEXT NOT NULL, op_id TEXT NOT NULL,
    reason TEXT NOT NULL, message TEXT NOT NULL, created_at TEXT NOT NULL, resolved_at TEXT) STRICT;
CREATE TABLE rejections (
    id INTEGER PRIMARY KEY, device_id TEXT NOT NULL, incarnation INTEGER NOT NULL, seq INTEGER NOT NULL,
    op_id TEXT NOT NULL, reason TEXT NOT NULL, message TEXT NOT NULL, payload TEXT NOT NULL,
    created_at TEXT NOT NULL) STRICT;
CREATE TABLE change_log (
    version INTEGER PRIMARY KEY AUTOINCREMENT, warehouse TEXT, entity TEXT NOT NULL, key TEXT NOT NULL,
    data TEXT, created_at TEXT NOT NULL);
CREATE INDEX change_log_scope ON change_log(warehouse, version);
CREATE INDEX change_log_key ON change_log(entity, key, version);
CREATE TABLE audit (
    id INTEGER PRIMARY KEY, at TEXT NOT NULL, actor TEXT NOT NULL, event TEXT NOT NULL, target TEXT NOT NULL,
    details TEXT NOT NULL) STRICT;
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;
)sql";

} // namespace

const std::vector<Migration> &sqliteMigrations()
{
    static const std::vector<Migration> migrations{
        {1, s_version1},
    };
    return migrations;
}

} // namespace Server::Storage
