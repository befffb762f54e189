#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>
#include "common/support/result.h"
#include "server/storage/records.h"

// Everything soko-server keeps, behind one interface so SQLite (SqliteStore, the default) and
// PostgreSQL (PostgresStore, production) are interchangeable. Services never see SQL. A Store is
// one connection: get one per request from a StorePool (storepool.h).
//
// Contract every implementation keeps:
// - Transactions: begin() starts a write transaction, commit() is durable when it returns.
//   SQLite: BEGIN IMMEDIATE under the store's lock, so it excludes every other writer.
//   PostgreSQL: READ COMMITTED; writers run concurrently and serialise on row locks
//   (deviceForUpdate, lockOrder, the balance upsert). Calls outside a transaction run in their
//   own implicit transaction. Use Transaction (below) rather than begin/commit by hand.
// - A failed statement inside a transaction may abort the whole transaction (PostgreSQL): after
//   an error, roll back. lastFailureRetryable() tells whether the failure was a serialization
//   failure or deadlock that a fresh attempt can get past (retryTransient below).
// - The change log: every mutator of a replicated entity (SKU, lot, location, order, stock
//   balance, operator) appends its change row in the same transaction, with a version that is
//   monotonic in commit order (docs/sync-protocol.md "Version order = commit order"): a reader
//   that has seen version v has seen every committed row below v.
// - The ledger: addMovement() inserts an append-only movement and updates the balance in the
//   same transaction; movements, audit entries and checkpoints are never updated or deleted
//   (triggers; on PostgreSQL also no UPDATE/DELETE/TRUNCATE privilege, migration 3).
// Errors: Storage (database failure; message for the log only), Conflict (uniqueness).
namespace Server::Storage {

using Common::Result;
using Common::Domain::Location;
using Common::Domain::Lot;
using Common::Domain::Order;
using Common::Domain::OrderState;
using Common::Domain::Sku;
using Common::Domain::StockMovement;

struct BalanceFilter
{
    std::optional<std::string> warehouse;
    std::optional<std::string> sku;
    bool nonZeroOnly = false;
};

struct WarehouseTotal
{
    std::string warehouse;
    std::string sku;
    Quantity quantity = 0;
};

// Call-site words for the back-office methods below (STYLE.md §2: no bare bools).
enum class StatusFilter { Any, ActiveOnly };
enum class PasswordState { Current, MustChange }; // must the user pick a new one at next login?
enum class TotpState { Enrolling, Enabled };      // seed stored, not yet confirmed by a code / in use

// ---- back-office order and stock pages (server/admin/orderpages, stockpages) ----
// Orders list filters: every text is matched literally (no LIKE, no wildcards, R31).
struct OrderSearch
{
    std::string text;  // "" = any; else contained in order_number or customer (ASCII case-insensitive)
    std::optional<OrderState> state;
    std::string store; // "" = any; else equal
    std::string createdFrom; // "YYYY-MM-DD" (UTC day of created_at, inclusive) or ""
    std::string createdTo;   // "YYYY-MM-DD" inclusive, or ""
    std::int64_t beforeId = 0; // paging, newest first: only ids below this (0 = from the newest)
    int limit = 50;
};

// One row of the orders list: the order without its lines, plus what the list shows of them.
struct OrderListRow
{
    Order order; // lines empty
    std::string createdAt;
    std::int64_t lineCount = 0;
    Quantity quantity = 0; // ordered, all lines
};

struct ShipmentRecord
{
    std::int64_t orderId = 0;
    std::string trackingNumber;
    std::string carrier;
    std::string shippedAt;
};

class Store
{
public:
    virtual ~Store() = default;

    // ---- transactions and meta ----
    virtual Result<void> begin() = 0;
    virtual Result<void> commit() = 0;
    virtual void rollback() = 0;
    virtual Result<int> schemaVersion() = 0;
    virtual Result<std::string> epoch() = 0;       // UUID
    virtual Result<std::string> rotateEpoch() = 0; // after a restore: new UUID
    // A cheap round trip to the database (readiness probe). Errors: Storage.
    virtual Result<void> ping() = 0;
    // Whether the last failure was transient (PostgreSQL 40001 serialization_failure or 40P01
    // deadlock_detected): the transaction was rolled back and may simply be run again.
    virtual bool lastFailureRetryable() const { return false; }

    // ---- master data ----
    virtual Result<void> upsertWarehouse(const Warehouse &warehouse) = 0;
    virtual Result<std::vector<Warehouse>> warehouses() = 0;
    virtual Result<bool> warehouseExists(std::string_view code) = 0;
    virtual Result<void> upsertSku(const Sku &sku) = 0; // replaces its GTIN list
    virtual Result<std::optional<Sku>> sku(std::string_view code) = 0;
    virtual Result<std::optional<std::string>> skuCodeByGtin(std::string_view gtin14) = 0;
    virtual Result<std::vector<Sku>> skus(std::string_view afterCode, int limit) = 0;
    virtual Result<void> upsertLocation(const Location &location) = 0;
    virtual Result<std::optional<Location>> location(std::string_view warehouse, std::string_view code) = 0;
    virtual Result<std::vector<Location>> locations(std::string_view warehouse) = 0; // by pick sequence
    virtual Result<void> upsertLot(const Lot &lot) = 0;
    virtual Result<std::optional<Lot>> lot(std::string_view sku, std::string_view code) = 0;

    // ---- orders ----
    virtual Result<std::optional<std::int64_t>> findOrder(std::string_view store, std::string_view orderNumber) = 0;
    virtual Result<std::int64_t> insertOrder(const Order &order) = 0; // id assigned; lines' SKUs must exist
    virtual Result<std::optional<Order>> order(std::int64_t id) = 0;
    virtual Result<std::vector<Order>> orders(std::optional<OrderState> state, std::optional<std::string> warehouse,
                                              std::int64_t afterId, int limit) = 0;
    // Sets state and warehouse ("" = none); moves the order's change-log scope with it.
    // Holds the order's row lock until the transaction ends (PostgreSQL SELECT … FOR UPDATE), so
    // read-modify-write of its lines and state by concurrent pushes cannot interleave. SQLite:
    // nothing to do, its writer lock already excludes. NotFound is not an error here.
    virtual Result<void> lockOrder(std::int64_t id) = 0;
    // Takes, in one global order (orders by id, then bins by key), the locks a sync batch will
    // need, so two batches can never wait for each other in a cycle (no deadlock between two
    // servers' pushes). `stockKeys` are "warehouse|sku|location|lot". SQLite: nothing to do.
    virtual Result<void> lockForBatch(std::vector<std::int64_t> orderIds, std::vector<std::string> stockKeys) = 0;
    virtual Result<void> setOrderState(std::int64_t id, OrderState state, std::string_view warehouse) = 0;
    virtual Result<void> addLinePicked(std::int64_t orderId, int line, Quantity delta) = 0;
    virtual Result<void> recordShipment(std::int64_t orderId, std::string_view trackingNumber,
                                        std::string_view carrier) = 0;

    // ---- stock ledger ----
    // Appends the movement (id and time assigned) and returns the new balance of its bin/lot.
    virtual Result<Quantity> addMovement(const StockMovement &movement) = 0;
    virtual Result<Quantity> balance(std::string_view warehouse, std::string_view sku, std::string_view location,
                                     std::string_view lot) = 0;
    virtual Result<std::vector<BalanceRecord>> balances(const BalanceFilter &filter) = 0;
    virtual Result<std::vector<WarehouseTotal>> warehouseTotals(std::optional<std::string> sku) = 0;
    virtual Result<std::vector<MovementRecord>> movements(std::string_view sku, std::int64_t afterId, int limit) = 0;

    // ---- devices and sync bookkeeping ----
    virtual Result<void> insertDevice(const DeviceRecord &device) = 0;
    virtual Result<std::optional<DeviceRecord>> device(std::string_view id) = 0;
    // device() that also holds the device row lock until the transaction ends: every push of
    // one device is applied strictly one after the other, whichever server receives it.
    virtual Result<std::optional<DeviceRecord>> deviceForUpdate(std::string_view id) = 0;
    virtual Result<std::optional<DeviceRecord>> deviceBySerial(std::string_view certificateSerial) = 0;
    virtual Result<std::vector<DeviceRecord>> devices() = 0;
    virtual Result<void> setDeviceCertificate(std::string_view id, std::string_view certificateSerial) = 0;
    virtual Result<void> setDeviceStatus(std::string_view id, DeviceStatus status) = 0;
    virtual Result<std::int64_t> raiseIncarnation(std::string_view id) = 0; // returns the new one
    virtual Result<std::int64_t> lastApplied(std::string_view deviceId, std::int64_t incarnation) = 0;
    virtual Result<std::optional<AppliedOpRecord>> appliedOp(std::string_view deviceId, std::int64_t incarnation,
                                                             std::int64_t seq) = 0;
    virtual Result<std::optional<AppliedOpRecord>> appliedOpById(std::string_view deviceId, std::string_view opId) = 0;
    virtual Result<void> insertAppliedOp(const AppliedOpRecord &op) = 0;
    virtual Result<std::int64_t> insertConflict(const ConflictRecord &conflict) = 0;
    virtual Result<std::vector<ConflictRecord>> conflicts(std::optional<std::string> warehouse, int limit) = 0;
    virtual Result<std::int64_t> insertRejection(const RejectionRecord &rejection) = 0;
    virtual Result<std::vector<RejectionRecord>> rejections(std::string_view deviceId, int limit) = 0;

    // ---- change log (pull) ----
    // Returns the version, or 0 when the version is only assigned at commit (PostgreSQL: see
    // PostgresStore::commit for why).
    virtual Result<std::int64_t> appendChange(const ChangeRecord &change) = 0;
    // Changes after `afterVersion` visible to `warehouse` (its rows and global rows), ascending,
    // at most `limit` rows and about `maxBytes` of data (always at least one row if any).
    // `hasMore` tells whether rows remain after the last one returned.
    virtual Result<std::vector<ChangeRecord>> changes(std::string_view warehouse, std::int64_t afterVersion, int limit,
                                                      std::size_t maxBytes, bool &hasMore) = 0;
    virtual Result<std::int64_t> latestVersion() = 0;
    virtual Result<std::int64_t> compactedThrough() = 0;
    // Drops superseded rows and tombstones ≤ throughVersion; returns the number of rows removed.
    virtual Result<std::int64_t> compactChangeLog(std::int64_t throughVersion) = 0;

    // ---- people and credentials ----
    virtual Result<std::int64_t> insertOperator(const OperatorRecord &op) = 0;
    virtual Result<std::optional<OperatorRecord>> operatorByBadge(std::string_view badge) = 0;
    virtual Result<void> setOperatorActive(std::string_view badge, bool active) = 0;
    virtual Result<std::vector<OperatorRecord>> operators(std::string_view warehouse) = 0;
    virtual Result<std::int64_t> insertEnrollmentCode(const EnrollmentCodeRecord &code) = 0;
    virtual Result<std::optional<EnrollmentCodeRecord>> enrollmentCodeByHash(std::string_view codeHash) = 0;
    virtual Result<void> markEnrollmentCodeUsed(std::int64_t id, std::string_view deviceId) = 0;
    virtual Result<void> insertApiKey(const ApiKeyRecord &key) = 0;
    virtual Result<std::optional<ApiKeyRecord>> apiKey(std::string_view id) = 0;
    virtual Result<void> revokeApiKey(std::string_view id) = 0;

    // ---- audit trail (REQUIREMENTS.md §6; docs/server.md "Audit trail") ----
    // Appends one entry and returns its seq. Inside the caller's transaction (or its own): takes
    // the chain lock (SQLite: the write lock of BEGIN IMMEDIATE; PostgreSQL: a transaction-level
    // advisory lock held until commit/rollback), reads the head, assigns seq = head + 1 and
    // hash = SHA-256(prev ‖ canonical JSON), so concurrent appenders can never fork the chain and
    // seqs have no gaps. Because the lock lasts until the transaction ends, call it after the
    // transaction's other writes. Then runs the audit hook (setAuditHook) in the same transaction.
    // Errors: Storage, InvalidInput (details not a JSON object), TooLarge (details > 64 KiB).
    virtual Result<std::int64_t> appendAudit(const AuditRecord &record) = 0;
    virtual Result<std::vector<AuditRecord>> audit(std::int64_t afterId, int limit) = 0; // by seq
    virtual Result<std::optional<AuditRecord>> lastAudit() = 0;                          // the head
    // Takes the chain lock in the current transaction (what appendAudit takes), so a checkpoint
    // reads a head nobody extends meanwhile. SQLite: nothing to do inside begin().
    virtual Result<void> lockAuditChain() = 0;
    // Inserts a checkpoint with id = last + 1 (hold lockAuditChain). Errors: Storage.
    virtual Result<std::int64_t> appendAuditCheckpoint(const AuditCheckpointRecord &checkpoint) = 0;
    virtual Result<std::optional<AuditCheckpointRecord>> lastAuditCheckpoint() = 0;
    virtual Result<std::vector<AuditCheckpointRecord>> auditCheckpoints(std::int64_t afterId, int limit) = 0;

    // ---- alert outbox (chat announcements; server/audit/announce.h, alertworker.h) ----
    // Queues an alert in the caller's transaction (so it exists iff the audit event commits):
    // created_at = next_attempt_at = now(). Returns its id.
    virtual Result<std::int64_t> enqueueAlert(const AlertRecord &alert) = 0;
    // Claims the oldest undelivered alert for `claimant` until `claimUntil` if it is due
    // (next_attempt_at ≤ now) and nobody else holds an unexpired claim; nullopt otherwise.
    // Only the oldest is ever handed out, so alerts leave in id order, and the row is locked while
    // claiming (PostgreSQL SELECT … FOR UPDATE) so two servers never claim the same one.
    virtual Result<std::optional<AlertRecord>> claimNextAlert(std::string_view claimant, std::string_view now,
                                                              std::string_view claimUntil) = 0;
    // Ends a claim: delivered at `at`, or failed with the next attempt time and the reason.
    // Both count an attempt. Errors: Conflict (the claim was lost: expired and taken over).
    virtual Result<void> markAlertDelivered(std::int64_t id, std::string_view claimant, std::string_view at) = 0;
    virtual Result<void> markAlertFailed(std::int64_t id, std::string_view claimant, std::string_view nextAttemptAt,
                                         std::string_view error) = 0;
    virtual Result<AlertBacklog> alertBacklog() = 0;
    virtual Result<std::vector<AlertRecord>> alerts(std::int64_t afterId, int limit) = 0; // by id

    // Called by appendAudit, in its transaction, with the entry as stored (seq and hash set); an
    // error fails the append. The command line installs Server::Audit's announcer here so every
    // admin command is announced (commands.cpp). Per Store object; empty = none.
    using AuditHook = std::function<Result<void>(Store &store, const AuditRecord &entry)>;
    void setAuditHook(AuditHook hook) { m_auditHook = std::move(hook); }

    // ---- back-office identities (records.h; REQUIREMENTS.md R04, R05, R07–R13, R15–R20, R27) ----
    // Every conditional write below is one statement whose WHERE clause carries the condition, and
    // reports whether it changed a row: two callers at once (two servers on one PostgreSQL
    // database, separate connections) can never both win. The store keeps hashes and sealed
    // blobs exactly as given and never sees a plaintext secret.

    // Adds a user and returns its id (the record's, or a new UUID). Stamps createdAt, updatedAt
    // and passwordChangedAt; totpLastStep starts at -1. Errors: InvalidInput (username not
    // isValidAdminUsername, empty passwordHash, a field over its limit, totpEnabled without a
    // seed), Conflict (the username in any letter case, or the id, is taken).
    virtual Result<std::string> insertAdminUser(const AdminUserRecord &user) = 0;
    virtual Result<std::optional<AdminUserRecord>> adminUser(std::string_view id) = 0;
    // The user whose name equals `username` ignoring ASCII case. Unknown and impossible names
    // alike give nullopt, never an error (R04: same answer for both).
    virtual Result<std::optional<AdminUserRecord>> adminUserByName(std::string_view username) = 0;
    virtual Result<std::vector<AdminUserRecord>> adminUsers() = 0; // ordered by adminUsernameKey
    // The setters stamp updatedAt. Errors: NotFound (no such user), InvalidInput (limits as above).
    // setAdminPassword also stamps passwordChangedAt.
    virtual Result<void> setAdminPassword(std::string_view id, std::string_view passwordHash, PasswordState state) = 0;
    // Replaces the sealed seed (nullopt removes it) and resets totpLastStep to -1.
    // Enabled needs a seed (InvalidInput).
    virtual Result<void> setAdminTotp(std::string_view id, std::optional<Bytes> sealedSeed, TotpState state) = 0;
    // Accepts RFC 6238 time step `step` once (REQUIREMENTS.md §3.3): `UPDATE … SET
    // totp_last_step = step WHERE id = ? AND totp_last_step < step`. true = this call recorded
    // it; false = the step (or a later one) was accepted before, or no such user: a replay.
    virtual Result<bool> advanceTotpStep(std::string_view id, std::int64_t step) = 0;
    virtual Result<void> setAdminRole(std::string_view id, AdminRole role) = 0;
    virtual Result<void> setAdminStatus(std::string_view id, AdminStatus status) = 0;
    // TOTP refused until `until` (ISO 8601 UTC); nullopt lifts the lock (R09, R12).
    virtual Result<void> setMfaLockedUntil(std::string_view id, std::optional<std::string> until) = 0;
    // Users with `role` (only active ones with ActiveOnly): "is this the last admin?", "may a
    // setup password be issued?".
    virtual Result<std::int64_t> countAdmins(AdminRole role, StatusFilter filter) = 0;

    // Sessions (R15–R20). Errors: InvalidInput (tokenHash not isSha256Hex, ip over 64 bytes),
    // Conflict (the hash exists, or no such user). userAgent is cut to 256 bytes; empty
    // createdAt = now(), empty lastSeenAt = createdAt.
    virtual Result<void> insertAdminSession(const AdminSessionRecord &session) = 0;
    virtual Result<std::optional<AdminSessionRecord>> adminSession(std::string_view tokenHash) = 0;
    // lastSeenAt = max(lastSeenAt, at): concurrent requests never move it back. Errors: NotFound.
    virtual Result<void> touchAdminSession(std::string_view tokenHash, std::string_view at) = 0;
    // A TOTP code was verified in this session at `at` (step-up, R20): totpVerifiedAt = at and
    // totpFailures = 0. The stage never changes: after the login TOTP the admin pages insert a
    // new full session and delete the pre-auth one (R16). Errors: NotFound.
    virtual Result<void> setSessionTotpVerified(std::string_view tokenHash, std::string_view at) = 0;
    // Adds one wrong code atomically and returns the new count (R09: 5 kill a pre-auth session).
    // Errors: NotFound.
    virtual Result<std::int64_t> incrementSessionTotpFailures(std::string_view tokenHash) = 0;
    virtual Result<bool> deleteAdminSession(std::string_view tokenHash) = 0; // whether it existed
    // Every session of the user but `exceptTokenHash` (empty: all); returns how many went (R19).
    virtual Result<std::int64_t> deleteAdminSessionsOfUser(std::string_view userId,
                                                           std::string_view exceptTokenHash) = 0;
    virtual Result<std::vector<AdminSessionRecord>> adminSessionsOfUser(std::string_view userId) = 0; // oldest first
    // Deletes sessions idle since before `idleCutoff` or created before `absoluteCutoff` (R18:
    // now − 15 min, now − 12 h); returns how many.
    virtual Result<std::int64_t> deleteExpiredAdminSessions(std::string_view idleCutoff,
                                                            std::string_view absoluteCutoff) = 0;

    // Recovery codes (R11), as SHA-256 hex. Replaces the user's whole set in one transaction: the
    // old codes stop working. Errors: InvalidInput (a hash not isSha256Hex, more than 32),
    // Conflict (a hash twice, or no such user).
    virtual Result<void> replaceRecoveryCodes(std::string_view userId, const std::vector<std::string> &codeHashes) = 0;
    // Uses one code once: true = this call used it; false = unknown, used before or voided.
    virtual Result<bool> useRecoveryCode(std::string_view userId, std::string_view codeHash) = 0;
    virtual Result<std::int64_t> unusedRecoveryCodeCount(std::string_view userId) = 0;

    // Login throttling state (R04, R09); keys as LoginThrottleRecord says. Errors: InvalidInput
    // (key empty or over 256 bytes, `at` not an ISO 8601 UTC time).
    virtual Result<std::optional<LoginThrottleRecord>> loginThrottle(std::string_view key) = 0;
    // One more failure at `at`, atomically (an upsert): failures + 1 within the window, else a
    // new window starting at `at` with failures = 1. Returns the state after it.
    virtual Result<LoginThrottleRecord> recordLoginFailure(std::string_view key, std::string_view at) = 0;
    // lockedUntil = max(lockedUntil, until): a back-off only grows. Errors: NotFound (no failures).
    virtual Result<void> lockLoginThrottle(std::string_view key, std::string_view until) = 0;
    virtual Result<void> resetLoginThrottle(std::string_view key) = 0; // forgets the key (no error if absent)
    // Forgets keys whose last failure and lock are both before `before` (the table stays small
    // however many names are tried); returns how many.
    virtual Result<std::int64_t> deleteStaleLoginThrottles(std::string_view before) = 0;

    // Notifications to users (R13). Errors: InvalidInput (kind empty or over 64 bytes, details
    // over 4096 bytes; empty details = "{}"), Conflict (no such user).
    virtual Result<std::int64_t> insertNotification(std::string_view userId, std::string_view kind,
                                                    std::string_view detailsJson) = 0;
    virtual Result<std::vector<NotificationRecord>> notifications(std::string_view userId,
                                                                  int limit) = 0; // newest first

    // Four-eyes approvals (R27). insertApproval stores a pending request (id, requestedAt and
    // the decision fields are the store's) and returns its id. Errors: InvalidInput (limits in
    // ApprovalRecord), Conflict (no such requesting user).
    virtual Result<std::int64_t> insertApproval(const ApprovalRecord &approval) = 0;
    virtual Result<std::optional<ApprovalRecord>> approval(std::int64_t id) = 0;
    // Decides a pending request once: true = this call decided it; false = it was decided
    // before. Errors: NotFound, Forbidden (decidedBy is the requester: four eyes), InvalidInput
    // (decision Pending), Conflict (no such deciding user).
    virtual Result<bool> decideApproval(std::int64_t id, std::string_view decidedBy, ApprovalDecision decision) = 0;
    virtual Result<std::vector<ApprovalRecord>> pendingApprovals() = 0; // oldest first
    // The requests `requestedBy` filed for `action`, newest first, at most `limit` (1..1000).
    virtual Result<std::vector<ApprovalRecord>> approvalsRequestedBy(std::string_view requestedBy,
                                                                     std::string_view action, int limit) = 0;
    // Uses an approved grant once: true = this call set usedAt (the approval is approved, was
    // filed by `requestedBy` and was unused); false otherwise (also: unknown id). Conditional in
    // one statement, so of two downloads at once exactly one gets the grant.
    virtual Result<bool> consumeApproval(std::int64_t id, std::string_view requestedBy) = 0;

    // The one-time setup password (R05), as setupTokenDigest (ids.h) in server_meta. Setting
    // replaces an earlier one. Errors: InvalidInput (not isSha256Hex).
    virtual Result<void> setSetupTokenHash(std::string_view tokenHash) = 0;
    virtual Result<std::optional<std::string>> setupTokenHash() = 0; // nullopt: none (or used)
    // Removes the setup password if its hash is `tokenHash`: true once, for the first caller;
    // afterwards (or for any other hash) false, and `POST /setup` answers 404.
    virtual Result<bool> consumeSetupToken(std::string_view tokenHash) = 0;

    // Server time, ISO 8601 UTC with milliseconds; injectable in tests.
    virtual std::string now() = 0;

    // ---- terminals pages: conflict queue, device activity, dashboard counts (server/admin/
    // terminalpages.h, dashboard.h; migration 4) ----
    enum class ConflictResolution { Accept, Adjust, ReturnToStock }; // stored "accept", "adjust", "return_to_stock"
    static std::string_view resolutionName(ConflictResolution resolution)
    {
        switch (resolution) {
        case ConflictResolution::Accept:
            return "accept";
        case ConflictResolution::Adjust:
            return "adjust";
        case ConflictResolution::ReturnToStock:
            return "return_to_stock";
        }
        return "accept";
    }
    static std::optional<ConflictResolution> resolutionFromName(std::string_view name)
    {
        for (const auto resolution :
             {ConflictResolution::Accept, ConflictResolution::Adjust, ConflictResolution::ReturnToStock})
            if (resolutionName(resolution) == name)
                return resolution;
        return std::nullopt;
    }
    // One conflict with what the queue shows beside it: the device's label and, from the applied
    // op that raised it (the first one recorded with that op id), operator, op type and payload.
    struct ConflictEntry
    {
        ConflictRecord conflict;
        std::string deviceLabel; // "" when the device is unknown
        std::string operatorId;  // "" when the op is not recorded
        std::string opType;      // "pick", "receive", …
        std::string payloadJson; // the op's payload as pushed ("" when not recorded)
        std::optional<std::string> resolvedAt;
        std::optional<ConflictResolution> resolution; // nullopt while open
        std::string resolvedBy;                        // "admin:<user id>"
        std::string resolutionNote;
    };
    // Per device, from the server's records: ops by outcome (all incarnations), the last time one
    // was recorded, and the sync rejections.
    struct DeviceActivity
    {
        std::string deviceId;
        std::int64_t applied = 0;
        std::int64_t conflicts = 0;
        std::int64_t rejected = 0;
        std::optional<std::string> lastOpAt;
        std::int64_t rejections = 0;
    };
    // Open conflicts first (oldest first), then resolved ones (latest first), at most `limit`.
    virtual Result<std::vector<ConflictEntry>> conflictQueue(int limit) = 0;
    virtual Result<std::optional<ConflictEntry>> conflictEntry(std::int64_t id) = 0;
    virtual Result<std::int64_t> openConflictCount() = 0;
    // Closes an open conflict once: resolved_at = now(), with the action, who and the note, in one
    // `UPDATE … WHERE id = ? AND resolved_at IS NULL`. true = this call closed it; false = it was
    // closed before, or there is no such conflict (two callers at once: exactly one wins).
    virtual Result<bool> resolveConflict(std::int64_t id, ConflictResolution resolution, std::string_view resolvedBy,
                                         std::string_view note) = 0;
    virtual Result<std::vector<DeviceActivity>> deviceActivity() = 0; // one per device, by device id
    // Dashboard counts since `since` (ISO 8601 UTC, e.g. the start of the UTC day "2026-11-30"):
    // orders by their current state whose last change (updated_at) is at or after it; shipments
    // recorded; alerts queued in the alert outbox.
    virtual Result<std::vector<std::pair<OrderState, std::int64_t>>> orderStateCountsSince(std::string_view since) = 0;
    virtual Result<std::int64_t> shipmentCountSince(std::string_view since) = 0;
    virtual Result<std::int64_t> alertCountSince(std::string_view since) = 0;
    // ---- back-office order and stock pages (server/admin/orderpages, stockpages) ----
    // Orders matching `search`, newest first (id descending), at most search.limit.
    virtual Result<std::vector<OrderListRow>> searchOrders(const OrderSearch &search) = 0;
    virtual Result<std::optional<ShipmentRecord>> shipment(std::int64_t orderId) = 0;
    // Audit entries with this exact target whose event starts with `eventPrefix`, oldest first.
    virtual Result<std::vector<AuditRecord>> auditOfTarget(std::string_view target, std::string_view eventPrefix,
                                                           int limit) = 0;
    // SKUs whose code or name contains `text` literally (ASCII case-insensitive; "" = all), by code.
    virtual Result<std::vector<Sku>> searchSkus(std::string_view text, std::string_view afterCode, int limit) = 0;
    // ---- user pages (API keys page) ----
    // Every API key, newest first (created_at, then id); secretHash included (never shown).
    virtual Result<std::vector<ApiKeyRecord>> apiKeys() = 0;
    // ---- audit log and settings pages (server/admin/auditpages, settingspages; server/ops/alertrules) ----
    // Audit entries matching every filter given. Newest first (seq < beforeSeq when > 0), or,
    // when afterSeq > 0, the `limit` entries just after it, oldest first (the page of newer
    // entries; the caller turns it round). event and actor match exactly; fromAt ≤ at < toAt
    // compare ISO 8601 UTC text (so "2026-11-29" bounds a day). At most `limit` (1…1000) rows.
    // Errors: Storage, InvalidInput (limit out of range).
    struct AuditSearch
    {
        std::string event{};  // "" = any
        std::string actor{};  // "" = any
        std::string fromAt{}; // "" = no lower bound
        std::string toAt{};   // "" = no upper bound
        std::int64_t beforeSeq = 0;
        std::int64_t afterSeq = 0;
        int limit = 50;
    };
    virtual Result<std::vector<AuditRecord>> searchAudit(const AuditSearch &search) = 0;
    // Back-office settings (alert thresholds, the sealed webhook URL) as server_meta rows keyed
    // "setting.<name>", read by every server on the database. Names are [a-z0-9_.]{1,64}, values
    // at most 4096 bytes (InvalidInput otherwise). Errors: Storage.
    virtual Result<std::vector<std::pair<std::string, std::string>>> backOfficeSettings() = 0; // by name
    virtual Result<void> setBackOfficeSetting(std::string_view name, std::string_view value) = 0;
    virtual Result<void> removeBackOfficeSetting(std::string_view name) = 0; // no error if absent
    static bool isBackOfficeSettingName(std::string_view name)
    {
        if (name.empty() || name.size() > 64)
            return false;
        for (const char c : name)
            if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.'))
                return false;
        return true;
    }
    static constexpr std::size_t maxBackOfficeSettingBytes = 4096;

protected:
    Result<void> runAuditHook(const AuditRecord &entry)
    {
        if (!m_auditHook)
            return {};
        return m_auditHook(*this, entry);
    }

private:
    AuditHook m_auditHook;
};

// RAII write transaction: rolls back unless commit() succeeded (Mumble's TransactionHolder idea).
class Transaction final
{
public:
    explicit Transaction(Store &store)
        : m_store(store)
        , m_begun(store.begin())
    {}
    ~Transaction()
    {
        if (m_begun && !m_done)
            m_store.rollback();
    }
    Transaction(const Transaction &) = delete;
    Transaction &operator=(const Transaction &) = delete;
    // The error of begin(), if it failed.
    const Result<void> &started() const { return m_begun; }
    Result<void> commit()
    {
        m_done = true;
        return m_store.commit();
    }

private:
    Store &m_store;
    Result<void> m_begun;
    bool m_done = false;
};

// Runs `attempt` (a callable returning a Result that opens and commits its own Transaction)
// again while it fails transiently (Store::lastFailureRetryable), at most `attempts` times.
template <typename Attempt> auto retryTransient(Store &store, Attempt attempt, int attempts = 8) -> decltype(attempt())
{
    for (int i = 1;; ++i) {
        auto result = attempt();
        if (result || i >= attempts || !store.lastFailureRetryable())
            return result;
    }
}

} // namespace Server::Storage
