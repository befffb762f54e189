#pragma once
#include <chrono>
#include <exception>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>
#include "server/storage/store.h"

// The production Store: one PostgreSQL connection through libpqxx 6.4, every statement prepared
// once per connection and executed with bound parameters (REQUIREMENTS.md R31, §5.2). One object
// per connection and per thread at a time: get it from PostgresPool, never share it.
//
// Concurrency (several stateless soko-servers on one database):
// - Transactions are READ COMMITTED. Writers that touch the same rows serialise on row locks:
//   the device row (deviceForUpdate) for pushes, the order row (lockOrder), the balance row
//   (the upsert in addMovement). Deadlocks (40P01) and serialization failures (40001) roll the
//   transaction back and set lastFailureRetryable() so the service runs it again.
// - Change-log versions follow commit order; commit() explains how.
// - The audit chain: appendAudit and checkpoints take a transaction-level advisory lock (held to
//   commit/rollback), read the head and insert head + 1, so the chain never forks, seqs have no
//   gaps, and seq order = chain order = commit order.
// Errors: Storage (database failure; message for the log only), Conflict (uniqueness, foreign
// key, check), NotFound where the interface says so.
namespace Server::Storage {

struct PostgresOptions
{
    std::chrono::milliseconds statementTimeout{30000};
    std::function<std::string()> clock; // ISO 8601 UTC; empty = system clock
};

class PostgresStore final : public Store
{
public:
    // Connects to `url` (libpq URI "postgresql://user:password@host:port/database?…"). The schema
    // must be migrated already (migrate()). Errors: Storage.
    static Result<std::unique_ptr<PostgresStore>> connect(const std::string &url, PostgresOptions options = {});
    // Applies every postgresMigrations() entry above schema_version and creates the epoch, under
    // a session-level pg_advisory_lock: when several servers start at once, one migrates and the
    // others wait, then find nothing left to do. Errors: Storage.
    static Result<void> migrate(const std::string &url);

    ~PostgresStore() override;
    PostgresStore(const PostgresStore &) = delete;
    PostgresStore &operator=(const PostgresStore &) = delete;

    // The connection was lost (or never recovered): the pool replaces this store.
    bool isBroken() const;
    bool inTransaction() const;
    // False when the server has already closed this idle connection (restart, failover,
    // pg_terminate_backend): its socket is readable or hung up while no query is running.
    // The pool checks this before lending a connection, so a dead one is replaced instead of
    // failing the next request (libpqxx 6.4 also leaks a result when BEGIN fails on it).
    bool looksAlive() const;

    Result<void> begin() override;
    bool lastFailureRetryable() const override { return m_retryable; }
    Result<void> commit() override;
    void rollback() override;
    Result<int> schemaVersion() override;
    Result<std::string> epoch() override;
    Result<std::string> rotateEpoch() override;
    Result<void> ping() override;

    Result<void> upsertWarehouse(const Warehouse &warehouse) override;
    Result<std::vector<Warehouse>> warehouses() override;
    Result<bool> warehouseExists(std::string_view code) override;
    Result<void> upsertSku(const Sku &sku) override;
    Result<std::optional<Sku>> sku(std::string_view code) override;
    Result<std::optional<std::string>> skuCodeByGtin(std::string_view gtin14) override;
    Result<std::vector<Sku>> skus(std::string_view afterCode, int limit) override;
    Result<void> upsertLocation(const Location &location) override;
    Result<std::optional<Location>> location(std::string_view warehouse, std::string_view code) override;
    Result<std::vector<Location>> locations(std::string_view warehouse) override;
    Result<void> upsertLot(const Lot &lot) override;
    Result<std::optional<Lot>> lot(std::string_view sku, std::string_view code) override;

    Result<std::optional<std::int64_t>> findOrder(std::string_view store, std::string_view orderNumber) override;
    Result<std::int64_t> insertOrder(const Order &order) override;
    Result<std::optional<Order>> order(std::int64_t id) override;
    Result<std::vector<Order>> orders(std::optional<OrderState> state, std::optional<std::string> warehouse,
                                      std::int64_t afterId, int limit) override;
    Result<void> lockOrder(std::int64_t id) override;
    Result<void> lockForBatch(std::vector<std::int64_t> orderIds, std::vector<std::string> stockKeys) override;
    Result<void> setOrderState(std::int64_t id, OrderState state, std::string_view warehouse) override;
    Result<void> addLinePicked(std::int64_t orderId, int line, Quantity delta) override;
    Result<void> recordShipment(std::int64_t orderId, std::string_view trackingNumber,
                                std::string_view carrier) override;

    Result<Quantity> addMovement(const StockMovement &movement) override;
    Result<Quantity> balance(std::string_view warehouse, std::string_view sku, std::string_view location,
                             std::string_view lot) override;
    Result<std::vector<BalanceRecord>> balances(const BalanceFilter &filter) override;
    Result<std::vector<WarehouseTotal>> warehouseTotals(std::optional<std::string> sku) override;
    Result<std::vector<MovementRecord>> movements(std::string_view sku, std::int64_t afterId, int limit) override;

    Result<void> insertDevice(const DeviceRecord &device) override;
    Result<std::optional<DeviceRecord>> device(std::string_view id) override;
    Result<std::optional<DeviceRecord>> deviceForUpdate(std::string_view id) override;
    Result<std::optional<DeviceRecord>> deviceBySerial(std::string_view certificateSerial) override;
    Result<std::vector<DeviceRecord>> devices() override;
    Result<void> setDeviceCertificate(std::string_view id, std::string_view certificateSerial) override;
    Result<void> setDeviceStatus(std::string_view id, DeviceStatus status) override;
    Result<std::int64_t> raiseIncarnation(std::string_view id) override;
    Result<std::int64_t> lastApplied(std::string_view deviceId, std::int64_t incarnation) override;
    Result<std::optional<AppliedOpRecord>> appliedOp(std::string_view deviceId, std::int64_t incarnation,
                                                     std::int64_t seq) override;
    Result<std::optional<AppliedOpRecord>> appliedOpById(std::string_view deviceId, std::string_view opId) override;
    Result<void> insertAppliedOp(const AppliedOpRecord &op) override;
    Result<std::int64_t> insertConflict(const ConflictRecord &conflict) override;
    Result<std::vector<ConflictRecord>> conflicts(std::optional<std::string> warehouse, int limit) override;
    Result<std::int64_t> insertRejection(const RejectionRecord &rejection) override;
    Result<std::vector<RejectionRecord>> rejections(std::string_view deviceId, int limit) override;

    Result<std::int64_t> appendChange(const ChangeRecord &change) override;
    Result<std::vector<ChangeRecord>> changes(std::string_view warehouse, std::int64_t afterVersion, int limit,
                                              std::size_t maxBytes, bool &hasMore) override;
    Result<std::int64_t> latestVersion() override;
    Result<std::int64_t> compactedThrough() override;
    Result<std::int64_t> compactChangeLog(std::int64_t throughVersion) override;

    Result<std::int64_t> insertOperator(const OperatorRecord &op) override;
    Result<std::optional<OperatorRecord>> operatorByBadge(std::string_view badge) override;
    Result<void> setOperatorActive(std::string_view badge, bool active) override;
    Result<std::vector<OperatorRecord>> operators(std::string_view warehouse) override;
    Result<std::int64_t> insertEnrollmentCode(const EnrollmentCodeRecord &code) override;
    Result<std::optional<EnrollmentCodeRecord>> enrollmentCodeByHash(std::string_view codeHash) override;
    Result<void> markEnrollmentCodeUsed(std::int64_t id, std::string_view deviceId) override;
    Result<void> insertApiKey(const ApiKeyRecord &key) override;
    Result<std::optional<ApiKeyRecord>> apiKey(std::string_view id) override;
    Result<void> revokeApiKey(std::string_view id) override;
    Result<std::int64_t> appendAudit(const AuditRecord &record) override;
    Result<std::vector<AuditRecord>> audit(std::int64_t afterId, int limit) override;
    Result<std::optional<AuditRecord>> lastAudit() override;
    Result<void> lockAuditChain() override;
    Result<std::int64_t> appendAuditCheckpoint(const AuditCheckpointRecord &checkpoint) override;
    Result<std::optional<AuditCheckpointRecord>> lastAuditCheckpoint() override;
    Result<std::vector<AuditCheckpointRecord>> auditCheckpoints(std::int64_t afterId, int limit) override;

    Result<std::int64_t> enqueueAlert(const AlertRecord &alert) override;
    Result<std::optional<AlertRecord>> claimNextAlert(std::string_view claimant, std::string_view now,
                                                      std::string_view claimUntil) override;
    Result<void> markAlertDelivered(std::int64_t id, std::string_view claimant, std::string_view at) override;
    Result<void> markAlertFailed(std::int64_t id, std::string_view claimant, std::string_view nextAttemptAt,
                                 std::string_view error) override;
    Result<AlertBacklog> alertBacklog() override;
    Result<std::vector<AlertRecord>> alerts(std::int64_t afterId, int limit) override;

    Result<std::string> insertAdminUser(const AdminUserRecord &user) override;
    Result<std::optional<AdminUserRecord>> adminUser(std::string_view id) override;
    Result<std::optional<AdminUserRecord>> adminUserByName(std::string_view username) override;
    Result<std::vector<AdminUserRecord>> adminUsers() override;
    Result<void> setAdminPassword(std::string_view id, std::string_view passwordHash, PasswordState state) override;
    Result<void> setAdminTotp(std::string_view id, std::optional<Bytes> sealedSeed, TotpState state) override;
    Result<bool> advanceTotpStep(std::string_view id, std::int64_t step) override;
    Result<void> setAdminRole(std::string_view id, AdminRole role) override;
    Result<void> setAdminStatus(std::string_view id, AdminStatus status) override;
    Result<void> setMfaLockedUntil(std::string_view id, std::optional<std::string> until) override;
    Result<std::int64_t> countAdmins(AdminRole role, StatusFilter filter) override;
    Result<void> insertAdminSession(const AdminSessionRecord &session) override;
    Result<std::optional<AdminSessionRecord>> adminSession(std::string_view tokenHash) override;
    Result<void> touchAdminSession(std::string_view tokenHash, std::string_view at) override;
    Result<void> setSessionTotpVerified(std::string_view tokenHash, std::string_view at) override;
    Result<std::int64_t> incrementSessionTotpFailures(std::string_view tokenHash) override;
    Result<bool> deleteAdminSession(std::string_view tokenHash) override;
    Result<std::int64_t> deleteAdminSessionsOfUser(std::string_view userId, std::string_view exceptTokenHash) override;
    Result<std::vector<AdminSessionRecord>> adminSessionsOfUser(std::string_view userId) override;
    Result<std::int64_t> deleteExpiredAdminSessions(std::string_view idleCutoff,
                                                    std::string_view absoluteCutoff) override;
    Result<void> replaceRecoveryCodes(std::string_view userId, const std::vector<std::string> &codeHashes) override;
    Result<bool> useRecoveryCode(std::string_view userId, std::string_view codeHash) override;
    Result<std::int64_t> unusedRecoveryCodeCount(std::string_view userId) override;
    Result<std::optional<LoginThrottleRecord>> loginThrottle(std::string_view key) override;
    Result<LoginThrottleRecord> recordLoginFailure(std::string_view key, std::string_view at) override;
    Result<void> lockLoginThrottle(std::string_view key, std::string_view until) override;
    Result<void> resetLoginThrottle(std::string_view key) override;
    Result<std::int64_t> deleteStaleLoginThrottles(std::string_view before) override;
    Result<std::int64_t> insertNotification(std::string_view userId, std::string_view kind,
                                            std::string_view detailsJson) override;
    Result<std::vector<NotificationRecord>> notifications(std::string_view userId, int limit) override;
    Result<std::int64_t> insertApproval(const ApprovalRecord &approval) override;
    Result<std::optional<ApprovalRecord>> approval(std::int64_t id) override;
    Result<bool> decideApproval(std::int64_t id, std::string_view decidedBy, ApprovalDecision decision) override;
    Result<std::vector<ApprovalRecord>> pendingApprovals() override;
    Result<std::vector<ApprovalRecord>> approvalsRequestedBy(std::string_view requestedBy, std::string_view action,
                                                             int limit) override;
    Result<bool> consumeApproval(std::int64_t id, std::string_view requestedBy) override;
    Result<void> setSetupTokenHash(std::string_view tokenHash) override;
    Result<std::optional<std::string>> setupTokenHash() override;
    Result<bool> consumeSetupToken(std::string_view tokenHash) override;

    // terminals pages
    Result<std::vector<ConflictEntry>> conflictQueue(int limit) override;
    Result<std::optional<ConflictEntry>> conflictEntry(std::int64_t id) override;
    Result<std::int64_t> openConflictCount() override;
    Result<bool> resolveConflict(std::int64_t id, ConflictResolution resolution, std::string_view resolvedBy,
                                 std::string_view note) override;
    Result<std::vector<DeviceActivity>> deviceActivity() override;
    Result<std::vector<std::pair<OrderState, std::int64_t>>> orderStateCountsSince(std::string_view since) override;
    Result<std::int64_t> shipmentCountSince(std::string_view since) override;
    Result<std::int64_t> alertCountSince(std::string_view since) override;

    std::string now() override;
    // back-office order and stock pages
    Result<std::vector<OrderListRow>> searchOrders(const OrderSearch &search) override;
    Result<std::optional<ShipmentRecord>> shipment(std::int64_t orderId) override;
    Result<std::vector<AuditRecord>> auditOfTarget(std::string_view target, std::string_view eventPrefix,
                                                   int limit) override;
    Result<std::vector<Sku>> searchSkus(std::string_view text, std::string_view afterCode, int limit) override;
    // user pages
    Result<std::vector<ApiKeyRecord>> apiKeys() override;

    // audit log and settings pages
    Result<std::vector<AuditRecord>> searchAudit(const AuditSearch &search) override;
    Result<std::vector<std::pair<std::string, std::string>>> backOfficeSettings() override;
    Result<void> setBackOfficeSetting(std::string_view name, std::string_view value) override;
    Result<void> removeBackOfficeSetting(std::string_view name) override;

    struct Connection;

private:
    PostgresStore(std::unique_ptr<Connection> connection, PostgresOptions options);
    template <typename T, typename Body> Result<T> run(std::string_view what, Body body);
    Result<void> emitOrderChange(std::int64_t id, const std::string &previousWarehouse);
    Common::Error failure(std::string_view what, const std::exception &error);

    std::unique_ptr<Connection> m_connection;
    PostgresOptions m_options;
    bool m_retryable = false;
};

} // namespace Server::Storage
