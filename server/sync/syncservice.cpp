#include "server/sync/syncservice.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include "server/storage/store.h"

namespace Server::Sync {

namespace {

namespace json = boost::json;
using namespace Common::Protocol;
using Common::ErrorCode;
using Common::Result;
using Common::Domain::MovementReason;
using Common::Domain::Order;
using Common::Domain::OrderState;
using Common::Domain::StockMovement;
using Storage::Store;

#define SOKO_TRY(expression)                                                                                           \
    do {                                                                                                               \
        auto soko_try_result = (expression);                                                                           \
        if (!soko_try_result)                                                                                          \
            return tl::unexpected(soko_try_result.error());                                                            \
    } while (false)

// The stored form of a result: the OpResult without seq/op_id (an op can be re-recorded at a
// new position after a fork, with the same answer).
std::string storeResult(const OpResult &result)
{
    json::object o;
    o["outcome"] = outcomeName(result.outcome);
    if (result.reason)
        o["reason"] = *result.reason;
    if (result.message)
        o["message"] = *result.message;
    if (result.conflictId)
        o["conflict_id"] = *result.conflictId;
    return json::serialize(o);
}

OpResult loadResult(const Storage::AppliedOpRecord &record, std::int64_t seq)
{
    OpResult result;
    result.seq = seq;
    result.opId = record.opId;
    result.outcome = record.outcome;
    json::error_code ec;
    const json::value value = json::parse(record.resultJson, ec);
    if (const json::object *o = ec ? nullptr : value.if_object()) {
        if (const auto *reason = o->if_contains("reason"); reason && reason->is_string())
            result.reason = std::string(reason->get_string());
        if (const auto *message = o->if_contains("message"); message && message->is_string())
            result.message = std::string(message->get_string());
        if (const auto *conflict = o->if_contains("conflict_id"); conflict && conflict->is_int64())
            result.conflictId = conflict->get_int64();
    }
    return result;
}

// What applying one op decided, before it is recorded.
struct Decision
{
    OperationOutcome outcome = OperationOutcome::Applied;
    std::string reason;
    std::string message;
};

void addConflict(Decision &decision, std::string reason, const std::string &message)
{
    if (decision.outcome == OperationOutcome::Applied) {
        decision.outcome = OperationOutcome::Conflict;
        decision.reason = std::move(reason);
        decision.message = message;
    } else {
        decision.message += "; " + message;
    }
}

Decision reject(std::string reason, std::string message)
{
    return Decision{OperationOutcome::Rejected, std::move(reason), std::move(message)};
}

// Applies one op inside the batch transaction. Every check that can reject runs before the
// first write, so a rejected op leaves nothing behind but its rejection record.
class OpApplier
{
public:
    OpApplier(Store &store, const Storage::DeviceRecord &device, const PushOp &op)
        : m_store(store)
        , m_device(device)
        , m_op(op)
    {}

    Result<Decision> apply()
    {
        auto known = m_store.operatorByBadge(m_op.operatorId);
        if (!known)
            return tl::unexpected(known.error());
        if (!*known || (*known)->warehouse != m_device.warehouse)
            return reject("unknown_operator", "operator " + m_op.operatorId + " is not registered in this warehouse");
        return std::visit([this](const auto &payload) { return applyPayload(payload); }, m_op.payload);
    }

private:
    // ---- checks shared by several types ----
    Result<std::optional<Decision>> checkSku(const std::string &code, const std::optional<std::string> &lot)
    {
        auto sku = m_store.sku(code);
        if (!sku)
            return tl::unexpected(sku.error());
        if (!*sku)
            return std::optional<Decision>(reject("unknown_sku", "SKU " + code + " is unknown"));
        if ((*sku)->lotControlled && !lot)
            return std::optional<Decision>(
                reject("lot_required", "SKU " + code + " is lot-controlled: a lot is required"));
        return std::optional<Decision>();
    }
    Result<std::optional<Decision>> checkLocation(const std::string &code)
    {
        auto location = m_store.location(m_device.warehouse, code);
        if (!location)
            return tl::unexpected(location.error());
        if (!*location)
            return std::optional<Decision>(
                reject("unknown_location", "location " + code + " is unknown in this warehouse"));
        return std::optional<Decision>();
    }
    Result<std::optional<Order>> loadOrder(std::int64_t id)
    {
        // Row lock first (PostgreSQL): two servers applying picks of one order read, add and
        // decide the next state one after the other.
        SOKO_TRY(m_store.lockOrder(id));
        auto order = m_store.order(id);
        if (!order)
            return tl::unexpected(order.error());
        // Another warehouse's order looks exactly like a missing one (no cross-scope probing).
        if (!*order || (*order)->warehouse != m_device.warehouse)
            return std::optional<Order>();
        return *order;
    }
    Result<bool> lotBlocked(const std::string &sku, const std::optional<std::string> &lot)
    {
        if (!lot)
            return false;
        auto record = m_store.lot(sku, *lot);
        if (!record)
            return tl::unexpected(record.error());
        return *record && (*record)->blocked;
    }
    Result<Quantity> move(const std::string &sku, const std::string &location, const std::optional<std::string> &lot,
                          Quantity delta, MovementReason reason)
    {
        StockMovement movement;
        movement.warehouse = m_device.warehouse;
        movement.skuCode = sku;
        movement.location = location;
        movement.lot = lot.value_or("");
        movement.quantityDelta = delta;
        movement.reason = reason;
        movement.operationId = m_op.opId;
        return m_store.addMovement(movement);
    }
    void checkBalance(Decision &decision, Quantity balance, const std::string &sku, const std::string &location)
    {
        if (balance < 0)
            addConflict(decision, "negative_stock",
                        "stock of " + sku + " at " + location + " is now " + std::to_string(balance));
    }

    // ---- pick and short pick ----
    template <typename Payload> Result<Decision> applyPickLike(const Payload &p, Quantity quantity)
    {
        Decision decision;
        auto order = loadOrder(p.orderId);
        if (!order)
            return tl::unexpected(order.error());
        if (!*order)
            return reject("unknown_order", "order " + std::to_string(p.orderId) + " does not exist in this warehouse");
        const Common::Domain::OrderLine *line = nullptr;
        for (const auto &candidate : (*order)->lines)
            if (candidate.lineNumber == p.line)
                line = &candidate;
        if (!line)
            return reject("unknown_line",
                          "order " + std::to_string(p.orderId) + " has no line " + std::to_string(p.line));
        if (line->skuCode != p.sku)
            return reject("line_sku_mismatch", "line " + std::to_string(p.line) + " is for SKU " + line->skuCode);
        if (auto bad = checkSku(p.sku, p.lot); !bad || *bad)
            return bad ? Result<Decision>(**bad) : tl::unexpected(bad.error());
        if (auto bad = checkLocation(p.location); !bad || *bad)
            return bad ? Result<Decision>(**bad) : tl::unexpected(bad.error());

        // Writes start here: the physical action is recorded whatever the conflicts.
        const OrderState state = (*order)->state;
        if (state == OrderState::Cancelled)
            addConflict(decision, "order_cancelled",
                        "order " + std::to_string(p.orderId) + " was cancelled; return the goods");
        auto blocked = lotBlocked(p.sku, p.lot);
        if (!blocked)
            return tl::unexpected(blocked.error());
        if (*blocked)
            addConflict(decision, "lot_blocked", "lot " + p.lot.value_or("") + " of " + p.sku + " is blocked");
        if (quantity > 0) {
            auto balance = move(p.sku, p.location, p.lot, -quantity, MovementReason::Pick);
            if (!balance)
                return tl::unexpected(balance.error());
            checkBalance(decision, *balance, p.sku, p.location);
            SOKO_TRY(m_store.addLinePicked(p.orderId, p.line, quantity));
            if (line->picked + quantity > line->quantity)
                addConflict(decision, "quantity_exceeds_line",
                            "line " + std::to_string(p.line) + " asked for " + std::to_string(line->quantity));
        }
        if (state == OrderState::Cancelled)
            return decision;
        auto updated = m_store.order(p.orderId);
        if (!updated)
            return tl::unexpected(updated.error());
        bool complete = true;
        for (const auto &candidate : (*updated)->lines)
            complete = complete && candidate.picked >= candidate.quantity;
        OrderState target = state;
        if (state == OrderState::Released || state == OrderState::Allocated)
            target = complete ? OrderState::Picked : OrderState::Picking;
        else if (state == OrderState::Picking && complete)
            target = OrderState::Picked;
        else if (state != OrderState::Picking)
            addConflict(decision, "order_state",
                        "order " + std::to_string(p.orderId) + " is " + std::string(orderStateName(state)) +
                            ", not being picked");
        if (target != state)
            SOKO_TRY(m_store.setOrderState(p.orderId, target, m_device.warehouse));
        return decision;
    }

    Result<Decision> applyPayload(const PickPayload &p) { return applyPickLike(p, p.quantity); }
    Result<Decision> applyPayload(const ShortPickPayload &p) { return applyPickLike(p, p.quantityPicked); }

    // ---- pack and ship ----
    Result<Decision> applyPayload(const PackPayload &p)
    {
        Decision decision;
        auto order = loadOrder(p.orderId);
        if (!order)
            return tl::unexpected(order.error());
        if (!*order)
            return reject("unknown_order", "order " + std::to_string(p.orderId) + " does not exist in this warehouse");
        const OrderState state = (*order)->state;
        if (state == OrderState::Cancelled) {
            addConflict(decision, "order_cancelled",
                        "order " + std::to_string(p.orderId) + " was cancelled; unpack it");
        } else if (Common::Domain::isValidTransition(state, OrderState::Packed)) {
            SOKO_TRY(m_store.setOrderState(p.orderId, OrderState::Packed, m_device.warehouse));
        } else {
            addConflict(decision, "order_state",
                        "order " + std::to_string(p.orderId) + " is " + std::string(orderStateName(state)) +
                            ", cannot be packed");
        }
        return decision;
    }

    Result<Decision> applyPayload(const ShipPayload &p)
    {
        Decision decision;
        auto order = loadOrder(p.orderId);
        if (!order)
            return tl::unexpected(order.error());
        if (!*order)
            return reject("unknown_order", "order " + std::to_string(p.orderId) + " does not exist in this warehouse");
        // The parcel has left either way: keep its tracking number.
        SOKO_TRY(m_store.recordShipment(p.orderId, p.trackingNumber, p.carrier));
        const OrderState state = (*order)->state;
        if (state == OrderState::Cancelled) {
            addConflict(decision, "order_cancelled",
                        "order " + std::to_string(p.orderId) + " was cancelled but shipped");
        } else if (Common::Domain::isValidTransition(state, OrderState::Shipped)) {
            SOKO_TRY(m_store.setOrderState(p.orderId, OrderState::Shipped, m_device.warehouse));
        } else {
            addConflict(decision, "order_state",
                        "order " + std::to_string(p.orderId) + " is " + std::string(orderStateName(state)) +
                            ", shipped anyway");
        }
        return decision;
    }

    // ---- stock without orders ----
    Result<Decision> applyPayload(const ReceivePayload &p)
    {
        if (auto bad = checkSku(p.sku, p.lot); !bad || *bad)
            return bad ? Result<Decision>(**bad) : tl::unexpected(bad.error());
        if (auto bad = checkLocation(p.location); !bad || *bad)
            return bad ? Result<Decision>(**bad) : tl::unexpected(bad.error());
        Decision decision;
        if (p.lot) {
            auto existing = m_store.lot(p.sku, *p.lot);
            if (!existing)
                return tl::unexpected(existing.error());
            if (!*existing) {
                Common::Domain::Lot lot{p.sku, *p.lot, std::nullopt, false};
                if (p.expiry)
                    lot.expiry =
                        Common::Domain::Date{std::stoi(p.expiry->substr(0, 4)), std::stoi(p.expiry->substr(5, 2)),
                                             std::stoi(p.expiry->substr(8, 2))};
                SOKO_TRY(m_store.upsertLot(lot));
            } else if ((*existing)->blocked) {
                addConflict(decision, "lot_blocked", "received into blocked lot " + *p.lot);
            }
        }
        auto balance = move(p.sku, p.location, p.lot, p.quantity, MovementReason::Receipt);
        if (!balance)
            return tl::unexpected(balance.error());
        checkBalance(decision, *balance, p.sku, p.location);
        return decision;
    }

    Result<Decision> applyMove(const MovePayload &p, MovementReason reason)
    {
        if (auto bad = checkSku(p.sku, p.lot); !bad || *bad)
            return bad ? Result<Decision>(**bad) : tl::unexpected(bad.error());
        for (const std::string *code : {&p.from, &p.to})
            if (auto bad = checkLocation(*code); !bad || *bad)
                return bad ? Result<Decision>(**bad) : tl::unexpected(bad.error());
        Decision decision;
        auto from = move(p.sku, p.from, p.lot, -p.quantity, reason);
        if (!from)
            return tl::unexpected(from.error());
        checkBalance(decision, *from, p.sku, p.from);
        auto to = move(p.sku, p.to, p.lot, p.quantity, reason);
        if (!to)
            return tl::unexpected(to.error());
        checkBalance(decision, *to, p.sku, p.to);
        return decision;
    }
    Result<Decision> applyPayload(const PutawayPayload &p) { return applyMove(p, MovementReason::Putaway); }
    Result<Decision> applyPayload(const MovePayload &p) { return applyMove(p, MovementReason::Move); }

    Result<Decision> applyPayload(const CountPayload &p)
    {
        if (auto bad = checkSku(p.sku, p.lot); !bad || *bad)
            return bad ? Result<Decision>(**bad) : tl::unexpected(bad.error());
        if (auto bad = checkLocation(p.location); !bad || *bad)
            return bad ? Result<Decision>(**bad) : tl::unexpected(bad.error());
        Decision decision;
        // counted − expected, not counted − server balance: picks the terminal had not seen yet
        // still commute with the count (DESIGN.md "Stock is a ledger").
        const Quantity delta = p.counted - p.expected;
        if (delta == 0)
            return decision;
        auto balance = move(p.sku, p.location, p.lot, delta, MovementReason::CountAdjustment);
        if (!balance)
            return tl::unexpected(balance.error());
        addConflict(decision, "count_difference",
                    "count of " + p.sku + " at " + p.location + " differs by " + std::to_string(delta) +
                        "; review the adjustment");
        checkBalance(decision, *balance, p.sku, p.location);
        return decision;
    }

    Store &m_store;
    const Storage::DeviceRecord &m_device;
    const PushOp &m_op;
};

// The orders and bins a batch may touch, for Store::lockForBatch.
void batchLocks(const std::string &warehouse, const PushRequest &request, std::vector<std::int64_t> &orders,
                std::vector<std::string> &bins)
{
    const auto bin = [&](const std::string &sku, const std::string &location, const std::optional<std::string> &lot) {
        bins.push_back(warehouse + "|" + sku + "|" + location + "|" + lot.value_or(""));
    };
    for (const PushOp &op : request.ops)
        std::visit(
            [&](const auto &p) {
                using P = std::decay_t<decltype(p)>;
                if constexpr (std::is_same_v<P, PickPayload> || std::is_same_v<P, ShortPickPayload>) {
                    orders.push_back(p.orderId);
                    bin(p.sku, p.location, p.lot);
                } else if constexpr (std::is_same_v<P, PackPayload> || std::is_same_v<P, ShipPayload>) {
                    orders.push_back(p.orderId);
                } else if constexpr (std::is_same_v<P, ReceivePayload> || std::is_same_v<P, CountPayload>) {
                    bin(p.sku, p.location, p.lot);
                } else {
                    bin(p.sku, p.from, p.lot);
                    bin(p.sku, p.to, p.lot);
                }
            },
            op.payload);
}

Refusal refusal(RefusalCode code, std::string message, const std::string &epoch, std::int64_t incarnation,
                std::int64_t lastApplied)
{
    return Refusal{code, std::move(message), epoch, incarnation, lastApplied};
}

bool parseCursor(std::string_view text, std::int64_t &out)
{
    if (text.empty() || text.size() > 18)
        return false;
    out = 0;
    for (const char c : text) {
        if (c < '0' || c > '9')
            return false;
        out = out * 10 + (c - '0');
    }
    return !(text.size() > 1 && text[0] == '0');
}

} // namespace

Result<PushAnswer> SyncService::push(const Storage::DeviceRecord &device, const PushRequest &request)
{
    if (request.deviceId != device.id)
        return Common::fail(ErrorCode::Forbidden, "device_mismatch: the batch belongs to another device");
    // A deadlock between two devices' batches (PostgreSQL 40P01, e.g. the same two bins touched
    // in opposite orders) rolls one batch back whole; it is simply applied again.
    return Storage::retryTransient(m_store, [&] { return pushOnce(device, request); });
}

Result<PushAnswer> SyncService::pushOnce(const Storage::DeviceRecord &device, const PushRequest &request)
{
    Storage::Transaction transaction(m_store);
    SOKO_TRY(transaction.started());
    auto epoch = m_store.epoch();
    if (!epoch)
        return tl::unexpected(epoch.error());
    // Exactly-once across servers: the device row stays locked until this transaction ends, so
    // two servers receiving the same device's batches apply them strictly one after the other,
    // and the second one (READ COMMITTED: each statement sees what committed before it) finds
    // the first one's applied_ops rows. Chosen over SERIALIZABLE because a device's pushes are
    // a natural queue: waiting costs one batch, while SERIALIZABLE would abort and redo whole
    // batches whenever any two devices touch the same balance or order rows.
    // Also a re-check: a revoke that lands between authentication and this transaction still
    // stops the batch.
    auto current = m_store.deviceForUpdate(device.id);
    if (!current)
        return tl::unexpected(current.error());
    if (!*current || (*current)->status != Storage::DeviceStatus::Active)
        return Common::fail(ErrorCode::Unauthorized, "device not registered or revoked");
    const std::int64_t incarnation = (*current)->incarnation;
    if (request.incarnation > incarnation)
        return Common::fail(ErrorCode::InvalidInput,
                            "bad_value at incarnation: the server never issued this incarnation");
    auto last = m_store.lastApplied(device.id, request.incarnation);
    if (!last)
        return tl::unexpected(last.error());
    std::int64_t lastApplied = *last;

    if (request.epoch && *request.epoch != *epoch)
        return PushAnswer(refusal(RefusalCode::EpochChanged,
                                  "the server was restored: re-snapshot, then push from last_applied + 1", *epoch,
                                  request.incarnation, lastApplied));
    if (request.incarnation < incarnation)
        return PushAnswer(
            refusal(RefusalCode::IncarnationRetired,
                    "incarnation " + std::to_string(request.incarnation) + " was retired; ask for a new one", *epoch,
                    request.incarnation, lastApplied));

    // Every other lock this batch needs, in the one global order (no deadlock with other batches).
    std::vector<std::int64_t> orderIds;
    std::vector<std::string> bins;
    batchLocks(device.warehouse, request, orderIds, bins);
    SOKO_TRY(m_store.lockForBatch(std::move(orderIds), std::move(bins)));

    PushResponse response;
    response.epoch = *epoch;
    response.incarnation = incarnation;
    response.results.reserve(request.ops.size());
    for (const PushOp &op : request.ops) {
        if (op.seq <= lastApplied) {
            auto recorded = m_store.appliedOp(device.id, incarnation, op.seq);
            if (!recorded)
                return tl::unexpected(recorded.error());
            if (!*recorded || (*recorded)->opId != op.opId)
                return PushAnswer(refusal(RefusalCode::Fork,
                                          "seq " + std::to_string(op.seq) + " was already recorded with another op_id",
                                          *epoch, incarnation, lastApplied));
            response.results.push_back(loadResult(**recorded, op.seq)); // idempotent resend
            continue;
        }
        if (op.seq != lastApplied + 1)
            return PushAnswer(refusal(RefusalCode::Gap,
                                      "batch continues at seq " + std::to_string(op.seq) +
                                          " but the server has applied up to " + std::to_string(lastApplied),
                                      *epoch, incarnation, lastApplied));

        Storage::AppliedOpRecord record;
        record.deviceId = device.id;
        record.incarnation = incarnation;
        record.seq = op.seq;
        record.opId = op.opId;
        record.type = std::string(operationTypeName(op.type()));
        record.payloadJson = encodePayload(op.payload);
        record.operatorId = op.operatorId;
        record.deviceCreatedAt = op.createdAt;

        OpResult result;
        auto earlier = m_store.appliedOpById(device.id, op.opId);
        if (!earlier)
            return tl::unexpected(earlier.error());
        if (*earlier) {
            // Known from an earlier incarnation or epoch: same answer, not applied twice.
            result = loadResult(**earlier, op.seq);
        } else {
            auto decision = OpApplier(m_store, device, op).apply();
            if (!decision)
                return tl::unexpected(decision.error());
            result.seq = op.seq;
            result.opId = op.opId;
            result.outcome = decision->outcome;
            if (decision->outcome != OperationOutcome::Applied) {
                result.reason = decision->reason;
                result.message = decision->message;
            }
            if (decision->outcome == OperationOutcome::Conflict) {
                auto id = m_store.insertConflict(Storage::ConflictRecord{
                    0, device.warehouse, device.id, op.opId, decision->reason, decision->message, {}});
                if (!id)
                    return tl::unexpected(id.error());
                result.conflictId = *id;
            } else if (decision->outcome == OperationOutcome::Rejected) {
                auto id = m_store.insertRejection(Storage::RejectionRecord{0,
                                                                           device.id,
                                                                           incarnation,
                                                                           op.seq,
                                                                           op.opId,
                                                                           decision->reason,
                                                                           decision->message,
                                                                           record.payloadJson,
                                                                           {}});
                if (!id)
                    return tl::unexpected(id.error());
            }
        }
        record.outcome = result.outcome;
        record.resultJson = storeResult(result);
        SOKO_TRY(m_store.insertAppliedOp(record));
        lastApplied = op.seq;
        response.results.push_back(std::move(result));
    }
    SOKO_TRY(transaction.commit());
    response.lastApplied = lastApplied;
    return PushAnswer(std::move(response));
}

Result<IncarnationResponse> SyncService::newIncarnation(const Storage::DeviceRecord &device)
{
    return Storage::retryTransient(m_store, [&] { return newIncarnationOnce(device); });
}

Result<IncarnationResponse> SyncService::newIncarnationOnce(const Storage::DeviceRecord &device)
{
    Storage::Transaction transaction(m_store);
    SOKO_TRY(transaction.started());
    auto epoch = m_store.epoch();
    if (!epoch)
        return tl::unexpected(epoch.error());
    auto raised = m_store.raiseIncarnation(device.id);
    if (!raised)
        return tl::unexpected(raised.error());
    const std::string message = "device " + device.label + " (" + device.id + ") forked: incarnation " +
                                std::to_string(*raised) + " issued; a restored or cloned terminal";
    SOKO_TRY(m_store.insertConflict(
        Storage::ConflictRecord{0, device.warehouse, device.id, "", "device_fork", message, {}}));
    json::object details;
    details["incarnation"] = *raised;
    SOKO_TRY(m_store.appendAudit(Storage::AuditRecord{
        0, {}, "device:" + device.certificateSerial, "device_incarnation", device.id, json::serialize(details)}));
    SOKO_TRY(transaction.commit());
    return IncarnationResponse{*epoch, *raised, 0};
}

Result<PullAnswer> SyncService::pull(const Storage::DeviceRecord &device, std::string_view cursorText, int limit,
                                     const std::optional<std::string> &epochSeen)
{
    std::int64_t cursor = 0;
    if (!parseCursor(cursorText, cursor))
        return Common::fail(ErrorCode::InvalidInput,
                            "bad_value at cursor: expected the next_cursor of a previous page");
    if (limit == 0)
        limit = m_limits.defaultPageSize;
    if (limit < 1 || limit > m_limits.maxPageSize)
        return Common::fail(ErrorCode::InvalidInput,
                            "out_of_range at limit: must be between 1 and " + std::to_string(m_limits.maxPageSize));
    auto epoch = m_store.epoch();
    if (!epoch)
        return tl::unexpected(epoch.error());
    auto snapshot = [&](std::string message) {
        return PullAnswer(refusal(RefusalCode::SnapshotRequired, std::move(message), *epoch, device.incarnation, 0));
    };
    if (epochSeen && *epochSeen != *epoch)
        return snapshot("the server was restored (new epoch): pull again from cursor 0");
    if (cursor > 0) {
        auto horizon = m_store.compactedThrough();
        if (!horizon)
            return tl::unexpected(horizon.error());
        if (cursor < *horizon)
            return snapshot("cursor " + std::to_string(cursor) + " is older than the compacted history (" +
                            std::to_string(*horizon) + ")");
        auto latest = m_store.latestVersion();
        if (!latest)
            return tl::unexpected(latest.error());
        if (cursor > *latest)
            return snapshot("cursor " + std::to_string(cursor) + " is ahead of this server's history");
    }
    bool hasMore = false;
    auto rows = m_store.changes(device.warehouse, cursor, limit, m_limits.maxPageBytes, hasMore);
    if (!rows)
        return tl::unexpected(rows.error());
    PullResponse response;
    response.epoch = *epoch;
    response.changes.reserve(rows->size());
    for (auto &row : *rows)
        response.changes.push_back(Change{row.version, std::move(row.entity), std::move(row.key), std::move(row.data)});
    response.nextCursor = std::to_string(response.changes.empty() ? cursor : response.changes.back().version);
    response.hasMore = hasMore;
    return PullAnswer(std::move(response));
}

} // namespace Server::Sync
