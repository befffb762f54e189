#include "server/storage/migrations.h"

namespace Server::Storage {

namespace {

// Version 1: everything of the first release. Empty string, not NULL, means "no lot", so the
// balance key (warehouse, sku, location, lot) is a plain primary key.
// The audit table was changed here in place before the first release (pre-release, no database
// to keep): every entry carries the §6 record and its hash-chain link (server/storage/
// auditchain.h); ids are assigned by appendAudit as head + 1 under the chain lock, so they have
// no gaps; prev_hash is UNIQUE, so even a buggy writer cannot fork the chain.
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
CREATE INDEX applied_ops_op ON applied_ops(device_id, op_id, incarnation, seq);
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
    id INTEGER PRIMARY KEY CHECK (id > 0), at TEXT NOT NULL, actor TEXT NOT NULL, role TEXT NOT NULL,
    source_ip TEXT NOT NULL, listener TEXT NOT NULL, request_id TEXT NOT NULL, event TEXT NOT NULL,
    target TEXT NOT NULL, outcome TEXT NOT NULL, details TEXT NOT NULL, prev_hash TEXT NOT NULL UNIQUE,
    hash TEXT NOT NULL) STRICT;
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;
)sql";

// Version 1 in PostgreSQL. Same tables and keys as SQLite; times stay ISO 8601 text stamped by
// the server (so both backends return byte-identical records). change_log.version has no default:
// PostgresStore assigns it at commit from change_log_version under the change-log advisory lock.
constexpr std::string_view s_postgresVersion1 = R"sql(
CREATE FUNCTION soko_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END
$$;
CREATE TABLE server_meta (key text PRIMARY KEY, value text NOT NULL);
CREATE TABLE warehouses (code text PRIMARY KEY, name text NOT NULL);
CREATE TABLE skus (
    code text PRIMARY KEY, name text NOT NULL, base_unit text NOT NULL,
    lot_controlled boolean NOT NULL DEFAULT false);
CREATE TABLE sku_gtins (
    gtin text PRIMARY KEY CHECK (length(gtin) = 14),
    sku text NOT NULL REFERENCES skus(code) ON DELETE CASCADE);
CREATE INDEX sku_gtins_sku ON sku_gtins(sku);
CREATE TABLE locations (
    warehouse text NOT NULL REFERENCES warehouses(code), code text NOT NULL, zone text NOT NULL,
    pick_sequence bigint NOT NULL, PRIMARY KEY (warehouse, code));
CREATE TABLE lots (
    sku text NOT NULL REFERENCES skus(code), code text NOT NULL, expiry text,
    blocked boolean NOT NULL DEFAULT false, PRIMARY KEY (sku, code));
CREATE TABLE orders (
    id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, store text NOT NULL, order_number text NOT NULL,
    customer text NOT NULL, address text NOT NULL, warehouse text REFERENCES warehouses(code), state text NOT NULL,
    created_at text NOT NULL, updated_at text NOT NULL, UNIQUE (store, order_number));
CREATE INDEX orders_state ON orders(state, id);
CREATE TABLE order_lines (
    order_id bigint NOT NULL REFERENCES orders(id), line bigint NOT NULL, sku text NOT NULL REFERENCES skus(code),
    quantity bigint NOT NULL CHECK (quantity > 0), picked bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (order_id, line));
CREATE TABLE shipments (
    order_id bigint PRIMARY KEY REFERENCES orders(id), tracking_number text NOT NULL, carrier text NOT NULL,
    shipped_at text NOT NULL);
CREATE TABLE stock_movements (
    id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, warehouse text NOT NULL, sku text NOT NULL,
    location text NOT NULL, lot text NOT NULL DEFAULT '', quantity_delta bigint NOT NULL, reason text NOT NULL,
    op_id text NOT NULL DEFAULT '', created_at text NOT NULL);
CREATE INDEX stock_movements_sku ON stock_movements(sku, id);
CREATE TRIGGER stock_movements_append_only BEFORE UPDATE OR DELETE ON stock_movements
    FOR EACH ROW EXECUTE FUNCTION soko_append_only();
CREATE TRIGGER stock_movements_no_truncate BEFORE TRUNCATE ON stock_movements
    FOR EACH STATEMENT EXECUTE FUNCTION soko_append_only();
CREATE TABLE stock_balances (
    warehouse text NOT NULL, sku text NOT NULL, location text NOT NULL, lot text NOT NULL DEFAULT '',
    quantity bigint NOT NULL, PRIMARY KEY (warehouse, sku, location, lot));
CREATE INDEX stock_balances_sku ON stock_balances(sku, warehouse);
CREATE TABLE devices (
    id text PRIMARY KEY, warehouse text NOT NULL REFERENCES warehouses(code), label text NOT NULL,
    certificate_serial text UNIQUE, status text NOT NULL CHECK (status IN ('active', 'revoked')),
    incarnation bigint NOT NULL DEFAULT 1, created_at text NOT NULL);
CREATE TABLE enrollment_codes (
    id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, code_hash text NOT NULL UNIQUE,
    warehouse text NOT NULL REFERENCES warehouses(code), label text NOT NULL, expires_at text NOT NULL,
    used_at text, device_id text);
CREATE TABLE operators (
    id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, badge text NOT NULL UNIQUE, name text NOT NULL,
    warehouse text NOT NULL REFERENCES warehouses(code), role text NOT NULL, pin_hash text NOT NULL,
    active boolean NOT NULL DEFAULT true);
CREATE TABLE api_keys (
    id text PRIMARY KEY, secret_hash text NOT NULL UNIQUE, scope text NOT NULL, label text NOT NULL,
    created_at text NOT NULL, revoked boolean NOT NULL DEFAULT false);
CREATE TABLE applied_ops (
    device_id text NOT NULL REFERENCES devices(id), incarnation bigint NOT NULL, seq bigint NOT NULL,
    op_id text NOT NULL, type text NOT NULL, outcome text NOT NULL CHECK (outcome IN ('applied', 'conflict', 'rejected')),
    result text NOT NULL, payload text NOT NULL, operator_id text NOT NULL, device_created_at text NOT NULL,
    applied_at text NOT NULL, PRIMARY KEY (device_id, incarnation, seq));
CREATE INDEX applied_ops_op ON applied_ops(device_id, op_id, incarnation, seq);
CREATE TABLE conflicts (
    id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, warehouse text NOT NULL, device_id text NOT NULL,
    op_id text NOT NULL, reason text NOT NULL, message text NOT NULL, created_at text NOT NULL, resolved_at text);
CREATE TABLE rejections (
    id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, device_id text NOT NULL, incarnation bigint NOT NULL,
    seq bigint NOT NULL, op_id text NOT NULL, reason text NOT NULL, message text NOT NULL, payload text NOT NULL,
    created_at text NOT NULL);
CREATE SEQUENCE change_log_version AS bigint;
CREATE TABLE change_log (
    version bigint PRIMARY KEY, warehouse text, entity text NOT NULL, key text NOT NULL,
    data text, created_at text NOT NULL);
CREATE INDEX change_log_scope ON change_log(warehouse, version);
CREATE INDEX change_log_key ON change_log(entity, key, version);
CREATE TABLE audit (
    id bigint PRIMARY KEY CHECK (id > 0), at text NOT NULL, actor text NOT NULL, role text NOT NULL,
    source_ip text NOT NULL, listener text NOT NULL, request_id text NOT NULL, event text NOT NULL,
    target text NOT NULL, outcome text NOT NULL, details text NOT NULL, prev_hash text NOT NULL UNIQUE,
    hash text NOT NULL);
CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON audit
    FOR EACH ROW EXECUTE FUNCTION soko_append_only();
CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit
    FOR EACH STATEMENT EXECUTE FUNCTION soko_append_only();
)sql";

// Version 2: the back office's identities (REQUIREMENTS.md R04, R05, R07–R13, R15–R20, R27).
// Only hashes and sealed blobs: Argon2id PHC passwords, AES-GCM sealed TOTP seeds, SHA-256 hex of
// session tokens and recovery codes (the setup password's hash lives in server_meta). Usernames
// are unique by their lower-case key. Deleting a user takes its sessions, codes and notifications.
constexpr std::string_view s_version2 = R"sql(
CREATE TABLE admin_users (
    id TEXT PRIMARY KEY, username TEXT NOT NULL, username_key TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL, email TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'back_office', 'supervisor', 'picker', 'viewer')),
    status TEXT NOT NULL CHECK (status IN ('active', 'disabled')),
    password_hash TEXT NOT NULL,
    must_change_password INTEGER NOT NULL DEFAULT 0 CHECK (must_change_password IN (0, 1)),
    totp_seed BLOB, totp_enabled INTEGER NOT NULL DEFAULT 0 CHECK (totp_enabled IN (0, 1)),
    totp_last_step INTEGER NOT NULL DEFAULT -1, mfa_locked_until TEXT,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL, password_changed_at TEXT NOT NULL,
    CHECK (totp_enabled = 0 OR totp_seed IS NOT NULL)) STRICT;
CREATE INDEX admin_users_role ON admin_users(role, status);
CREATE TABLE admin_sessions (
    token_hash TEXT PRIMARY KEY CHECK (length(token_hash) = 64),
    user_id TEXT NOT NULL REFERENCES admin_users(id) ON DELETE CASCADE,
    stage TEXT NOT NULL CHECK (stage IN ('pre_auth', 'full')),
    created_at TEXT NOT NULL, last_seen_at TEXT NOT NULL, totp_verified_at TEXT,
    ip TEXT NOT NULL, user_agent TEXT NOT NULL, totp_failures INTEGER NOT NULL DEFAULT 0) STRICT;
CREATE INDEX admin_sessions_user ON admin_sessions(user_id, created_at);
CREATE INDEX admin_sessions_last_seen ON admin_sessions(last_seen_at);
CREATE TABLE admin_recovery_codes (
    user_id TEXT NOT NULL REFERENCES admin_users(id) ON DELETE CASCADE,
    code_hash TEXT NOT NULL CHECK (length(code_hash) = 64), created_at TEXT NOT NULL, used_at TEXT,
    PRIMARY KEY (user_id, code_hash)) STRICT;
CREATE TABLE admin_login_throttle (
    key TEXT PRIMARY KEY, failures INTEGER NOT NULL, window_start TEXT NOT NULL,
    last_failure_at TEXT NOT NULL, locked_until TEXT) STRICT;
CREATE INDEX admin_login_throttle_last ON admin_login_throttle(last_failure_at);
CREATE TABLE admin_notifications (
    id INTEGER PRIMARY KEY, user_id TEXT NOT NULL REFERENCES admin_users(id) ON DELETE CASCADE,
    kind TEXT NOT NULL, details TEXT NOT NULL, created_at TEXT NOT NULL) STRICT;
CREATE INDEX admin_notifications_user ON admin_notifications(user_id, id);
CREATE TABLE admin_approvals (
    id INTEGER PRIMARY KEY, action TEXT NOT NULL, target TEXT NOT NULL, details TEXT NOT NULL,
    requested_by TEXT NOT NULL REFERENCES admin_users(id), requested_at TEXT NOT NULL,
    decided_by TEXT REFERENCES admin_users(id), decided_at TEXT,
    decision TEXT NOT NULL DEFAULT 'pending' CHECK (decision IN ('pending', 'approved', 'rejected')),
    CHECK (decision = 'pending' OR (decided_by IS NOT NULL AND decided_at IS NOT NULL)),
    CHECK (decided_by IS NULL OR decided_by <> requested_by)) STRICT;
CREATE INDEX admin_approvals_decision ON admin_approvals(decision, id);
)sql";

// Version 2 in PostgreSQL: the same tables, keys and rules (bytea for the sealed seed).
constexpr std::string_view s_postgresVersion2 = R"sql(
CREATE TABLE admin_users (
    id text PRIMARY KEY, username text NOT NULL, username_key text NOT NULL UNIQUE,
    display_name text NOT NULL, email text NOT NULL,
    role text NOT NULL CHECK (role IN ('admin', 'back_office', 'supervisor', 'picker', 'viewer')),
    status text NOT NULL CHECK (status IN ('active', 'disabled')),
    password_hash text NOT NULL, must_change_password boolean NOT NULL DEFAULT false,
    totp_seed bytea, totp_enabled boolean NOT NULL DEFAULT false,
    totp_last_step bigint NOT NULL DEFAULT -1, mfa_locked_until text,
    created_at text NOT NULL, updated_at text NOT NULL, password_changed_at text NOT NULL,
    CHECK (NOT totp_enabled OR totp_seed IS NOT NULL));
CREATE INDEX admin_users_role ON admin_users(role, status);
CREATE TABLE admin_sessions (
    token_hash text PRIMARY KEY CHECK (length(token_hash) = 64),
    user_id text NOT NULL REFERENCES admin_users(id) ON DELETE CASCADE,
    stage text NOT NULL CHECK (stage IN ('pre_auth', 'full')),
    created_at text NOT NULL, last_seen_at text NOT NULL, totp_verified_at text,
    ip text NOT NULL, user_agent text NOT NULL, totp_failures bigint NOT NULL DEFAULT 0);
CREATE INDEX admin_sessions_user ON admin_sessions(user_id, created_at);
CREATE INDEX admin_sessions_last_seen ON admin_sessions(last_seen_at);
CREATE TABLE admin_recovery_codes (
    user_id text NOT NULL REFERENCES admin_users(id) ON DELETE CASCADE,
    code_hash text NOT NULL CHECK (length(code_hash) = 64), created_at text NOT NULL, used_at text,
    PRIMARY KEY (user_id, code_hash));
CREATE TABLE admin_login_throttle (
    key text PRIMARY KEY, failures bigint NOT NULL, window_start text NOT NULL,
    last_failure_at text NOT NULL, locked_until text);
CREATE INDEX admin_login_throttle_last ON admin_login_throttle(last_failure_at);
CREATE TABLE admin_notifications (
    id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    user_id text NOT NULL REFERENCES admin_users(id) ON DELETE CASCADE,
    kind text NOT NULL, details text NOT NULL, created_at text NOT NULL);
CREATE INDEX admin_notifications_user ON admin_notifications(user_id, id);
CREATE TABLE admin_approvals (
    id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, action text NOT NULL, target text NOT NULL,
    details text NOT NULL, requested_by text NOT NULL REFERENCES admin_users(id), requested_at text NOT NULL,
    decided_by text REFERENCES admin_users(id), decided_at text,
    decision text NOT NULL DEFAULT 'pending' CHECK (decision IN ('pending', 'approved', 'rejected')),
    CHECK (decision = 'pending' OR (decided_by IS NOT NULL AND decided_at IS NOT NULL)),
    CHECK (decided_by IS NULL OR decided_by <> requested_by));
CREATE INDEX admin_approvals_decision ON admin_approvals(decision, id);
)sql";

// Version 3: signed audit checkpoints and the alert outbox (docs/server.md "Audit trail",
// "Alerts"). The first statement fails on a database made before the audit table changed in
// version 1 ("no such column: hash"): such a pre-release database must be created anew.
constexpr std::string_view s_version3 = R"sql(
SELECT prev_hash, hash FROM audit LIMIT 0;
CREATE TABLE audit_checkpoints (
    id INTEGER PRIMARY KEY CHECK (id > 0), seq INTEGER NOT NULL, hash TEXT NOT NULL, at TEXT NOT NULL,
    key_id TEXT NOT NULL, signature TEXT NOT NULL) STRICT;
CREATE TRIGGER audit_checkpoints_no_update BEFORE UPDATE ON audit_checkpoints
    BEGIN SELECT RAISE(ABORT, 'audit_checkpoints is append-only'); END;
CREATE TRIGGER audit_checkpoints_no_delete BEFORE DELETE ON audit_checkpoints
    BEGIN SELECT RAISE(ABORT, 'audit_checkpoints is append-only'); END;
CREATE TABLE alert_outbox (
    id INTEGER PRIMARY KEY, created_at TEXT NOT NULL, kind TEXT NOT NULL, text TEXT NOT NULL, payload TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at TEXT NOT NULL, delivered_at TEXT,
    last_error TEXT NOT NULL DEFAULT '', claimed_by TEXT, claimed_until TEXT) STRICT;
CREATE INDEX alert_outbox_pending ON alert_outbox(id) WHERE delivered_at IS NULL;
)sql";

// Version 3 in PostgreSQL. Besides the triggers, UPDATE, DELETE and TRUNCATE on the audit tables
// are revoked from PUBLIC, and soko_grant_app_role(role) gives a separate application role what
// soko-server needs and nothing more on them (SELECT, INSERT): with the tables owned by another
// role (docs/server.md "Audit trail"), the server's role gets "permission denied" for UPDATE or
// DELETE on audit rows. In a single-role setup (the server connects as the owner) only the
// triggers stand in the way: an owner may disable them and grant itself privileges back, which
// the hash chain and the signed checkpoints then reveal.
constexpr std::string_view s_postgresVersion3 = R"sql(
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM information_schema.columns
                   WHERE table_schema = current_schema() AND table_name = 'audit' AND column_name = 'hash') THEN
        RAISE EXCEPTION 'this database predates the tamper-evident audit table (pre-release schema): create a new one';
    END IF;
END
$$;
CREATE TABLE audit_checkpoints (
    id bigint PRIMARY KEY CHECK (id > 0), seq bigint NOT NULL, hash text NOT NULL, at text NOT NULL,
    key_id text NOT NULL, signature text NOT NULL);
CREATE TRIGGER audit_checkpoints_append_only BEFORE UPDATE OR DELETE ON audit_checkpoints
    FOR EACH ROW EXECUTE FUNCTION soko_append_only();
CREATE TRIGGER audit_checkpoints_no_truncate BEFORE TRUNCATE ON audit_checkpoints
    FOR EACH STATEMENT EXECUTE FUNCTION soko_append_only();
CREATE TABLE alert_outbox (
    id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, created_at text NOT NULL, kind text NOT NULL,
    text text NOT NULL, payload text NOT NULL, attempts bigint NOT NULL DEFAULT 0, next_attempt_at text NOT NULL,
    delivered_at text, last_error text NOT NULL DEFAULT '', claimed_by text, claimed_until text);
CREATE INDEX alert_outbox_pending ON alert_outbox(id) WHERE delivered_at IS NULL;
REVOKE UPDATE, DELETE, TRUNCATE ON audit, audit_checkpoints FROM PUBLIC;
CREATE FUNCTION soko_grant_app_role(app regrole) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('GRANT USAGE ON SCHEMA %I TO %s', current_schema(), app);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA %I TO %s', current_schema(), app);
    EXECUTE format('GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA %I TO %s', current_schema(), app);
    EXECUTE format('REVOKE UPDATE, DELETE, TRUNCATE ON audit, audit_checkpoints FROM %s', app);
END
$$;
)sql";

// Version 4: the conflict queue's resolutions (admin pages, docs/admin.md "Conflicts"): how a
// conflict was closed (accept, adjust, return_to_stock), by whom (admin:<user id>) and the note;
// resolved_at (version 1) is set in the same UPDATE, once (WHERE resolved_at IS NULL). Indexes for
// the dashboard's "today" counts (orders by last change, shipments, alerts) and the open queue.
constexpr std::string_view s_version4 = R"sql(
ALTER TABLE conflicts ADD COLUMN resolution TEXT CHECK (resolution IN ('accept', 'adjust', 'return_to_stock'));
ALTER TABLE conflicts ADD COLUMN resolved_by TEXT;
ALTER TABLE conflicts ADD COLUMN resolution_note TEXT;
CREATE INDEX conflicts_open ON conflicts(resolved_at, id);
CREATE INDEX orders_updated ON orders(updated_at);
CREATE INDEX shipments_shipped ON shipments(shipped_at);
CREATE INDEX alert_outbox_created ON alert_outbox(created_at);
)sql";

// Version 4 in PostgreSQL: the same columns, rule and indexes.
constexpr std::string_view s_postgresVersion4 = R"sql(
ALTER TABLE conflicts ADD COLUMN resolution text CHECK (resolution IN ('accept', 'adjust', 'return_to_stock'));
ALTER TABLE conflicts ADD COLUMN resolved_by text;
ALTER TABLE conflicts ADD COLUMN resolution_note text;
CREATE INDEX conflicts_open ON conflicts(resolved_at, id);
CREATE INDEX orders_updated ON orders(updated_at);
CREATE INDEX shipments_shipped ON shipments(shipped_at);
CREATE INDEX alert_outbox_created ON alert_outbox(created_at);
)sql";

// Version 5: four-eyes grants used once (R27, docs/admin.md "Approvals"): an approved mass
// personal-data export is downloaded once by its requester (used_at set in the same conditional
// UPDATE that checks it was unused), and the requester's own requests are listed newest first.
constexpr std::string_view s_version5 = R"sql(
ALTER TABLE admin_approvals ADD COLUMN used_at TEXT;
CREATE INDEX admin_approvals_requester ON admin_approvals(requested_by, action, id);
)sql";

// Version 5 in PostgreSQL: the same column and index.
constexpr std::string_view s_postgresVersion5 = R"sql(
ALTER TABLE admin_approvals ADD COLUMN used_at text;
CREATE INDEX admin_approvals_requester ON admin_approvals(requested_by, action, id);
)sql";

} // namespace

const std::vector<Migration> &postgresMigrations()
{
    static const std::vector<Migration> migrations{
        {1, s_postgresVersion1},
        {2, s_postgresVersion2},
        {3, s_postgresVersion3},
        {4, s_postgresVersion4},
        {5, s_postgresVersion5},
    };
    return migrations;
}

const std::vector<Migration> &sqliteMigrations()
{
    static const std::vector<Migration> migrations{
        {1, s_version1},
        {2, s_version2},
        {3, s_version3},
        {4, s_version4},
        {5, s_version5},
    };
    return migrations;
}

} // namespace Server::Storage
