#include "common/protocol/protocol.h"

#include <array>
#include <limits>
#include <set>
#include <utility>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include "common/protocol/strictjson.h"

namespace Common::Protocol {

namespace {

namespace json = boost::json;

constexpr std::int64_t maxInt = std::numeric_limits<std::int64_t>::max();
constexpr std::int64_t maxQuantity = 1'000'000'000;
constexpr std::int64_t maxLine = 100'000;
constexpr StringRule codeRule{1, 64};       // SKU, location, lot, operator, carrier, tracking
constexpr StringRule reasonRule{1, 64};
constexpr StringRule messageRule{0, 1000};
constexpr StringRule uuidRule{36, 36};
constexpr StringRule timeRule{20, 40};
constexpr StringRule cursorRule{1, 64};

constexpr std::array<std::pair<OperationType, std::string_view>, 8> s_types{{
    {OperationType::Pick, "pick"},
    {OperationType::ShortPick, "short_pick"},
    {OperationType::Pack, "pack"},
    {OperationType::Ship, "ship"},
    {OperationType::Receive, "receive"},
    {OperationType::Putaway, "putaway"},
    {OperationType::Move, "move"},
    {OperationType::Count, "count"},
}};
constexpr std::array<std::pair<OperationOutcome, std::string_view>, 3> s_outcomes{{
    {OperationOutcome::Applied, "applied"},
    {OperationOutcome::Conflict, "conflict"},
    {OperationOutcome::Rejected, "rejected"},
}};
constexpr std::array<std::pair<RefusalCode, std::string_view>, 5> s_refusals{{
    {RefusalCode::Gap, "gap"},
    {RefusalCode::Fork, "fork"},
    {RefusalCode::EpochChanged, "epoch_changed"},
    {RefusalCode::IncarnationRetired, "incarnation_retired"},
    {RefusalCode::SnapshotRequired, "snapshot_required"},
}};

template<typename Enum, std::size_t N>
std::string_view nameOf(const std::array<std::pair<Enum, std::string_view>, N> &table, Enum value)
{
    for (const auto &[item, name] : table)
        if (item == value)
            return name;
    return "unknown";
}
template<typename Enum, std::size_t N>
std::optional<Enum> valueOf(const std::array<std::pair<Enum, std::string_view>, N> &table, std::string_view name)
{
    for (const auto &[item, text] : table)
        if (text == name)
            return item;
    return std::nullopt;
}

json::string_view sv(std::string_view text)
{
    return json::string_view(text.data(), text.size());
}

void putOptional(json::object &object, std::string_view key, const std::optional<std::string> &value)
{
    if (value)
        object[sv(key)] = sv(*value);
}

// ---- payload encode ----
void putOrder(json::object &object, std::int64_t orderId, const std::optional<std::string> &orderNumber)
{
    object["order_id"] = orderId;
    putOptional(object, "order_number", orderNumber);
}

json::object payloadObject(const Payload &payload)
{
    json::object o;
    std::visit(
        [&o](const auto &p) {
            using T = std::decay_t<decltype(p)>;
            if constexpr (std::is_same_v<T, PickPayload>) {
                putOrder(o, p.orderId, p.orderNumber);
                o["line"] = p.line;
                o["sku"] = sv(p.sku);
                o["location"] = sv(p.location);
                putOptional(o, "lot", p.lot);
                o["quantity"] = p.quantity;
            } else if constexpr (std::is_same_v<T, ShortPickPayload>) {
                putOrder(o, p.orderId, p.orderNumber);
                o["line"] = p.line;
                o["sku"] = sv(p.sku);
                o["location"] = sv(p.location);
                putOptional(o, "lot", p.lot);
                o["quantity_picked"] = p.quantityPicked;
                o["reason"] = sv(p.reason);
            } else if constexpr (std::is_same_v<T, PackPayload>) {
                putOrder(o, p.orderId, p.orderNumber);
                putOptional(o, "sscc", p.sscc);
            } else if constexpr (std::is_same_v<T, ShipPayload>) {
                putOrder(o, p.orderId, p.orderNumber);
                o["tracking_number"] = sv(p.trackingNumber);
                o["carrier"] = sv(p.carrier);
            } else if constexpr (std::is_same_v<T, ReceivePayload>) {
                o["sku"] = sv(p.sku);
                o["location"] = sv(p.location);
                putOptional(o, "lot", p.lot);
                putOptional(o, "expiry", p.expiry);
                o["quantity"] = p.quantity;
                putOptional(o, "reference", p.reference);
            } else if constexpr (std::is_same_v<T, PutawayPayload> || std::is_same_v<T, MovePayload>) {
                o["sku"] = sv(p.sku);
                o["from"] = sv(p.from);
                o["to"] = sv(p.to);
                putOptional(o, "lot", p.lot);
                o["quantity"] = p.quantity;
            } else if constexpr (std::is_same_v<T, CountPayload>) {
                o["location"] = sv(p.location);
                o["sku"] = sv(p.sku);
                putOptional(o, "lot", p.lot);
                o["counted"] = p.counted;
                o["expected"] = p.expected;
            }
        },
        payload);
    return o;
}

// ---- payload decode ----
void readOrder(ObjectReader &r, std::int64_t &orderId, std::optional<std::string> &orderNumber)
{
    orderId = r.integer("order_id", 1, maxInt);
    orderNumber = r.optionalString("order_number", codeRule);
}

void readMove(ObjectReader &r, MovePayload &p)
{
    p.sku = r.string("sku", codeRule);
    p.from = r.string("from", codeRule);
    p.to = r.string("to", codeRule);
    p.lot = r.optionalString("lot", codeRule);
    p.quantity = r.integer("quantity", 1, maxQuantity);
}

Payload readPayload(DecodeContext &context, OperationType type, const json::value &value, const std::string &path)
{
    ObjectReader r(context, value, path);
    Payload result;
    switch (type) {
    case OperationType::Pick: {
        PickPayload p;
        readOrder(r, p.orderId, p.orderNumber);
        p.line = r.integer("line", 1, maxLine);
        p.sku = r.string("sku", codeRule);
        p.location = r.string("location", codeRule);
        p.lot = r.optionalString("lot", codeRule);
        p.quantity = r.integer("quantity", 1, maxQuantity);
        result = std::move(p);
        break;
    }
    case OperationType::ShortPick: {
        ShortPickPayload p;
        readOrder(r, p.orderId, p.orderNumber);
        p.line = r.integer("line", 1, maxLine);
        p.sku = r.string("sku", codeRule);
        p.location = r.string("location", codeRule);
        p.lot = r.optionalString("lot", codeRule);
        p.quantityPicked = r.integer("quantity_picked", 0, maxQuantity);
        p.reason = r.string("reason", reasonRule);
        result = std::move(p);
        break;
    }
    case OperationType::Pack: {
        PackPayload p;
        readOrder(r, p.orderId, p.orderNumber);
        p.sscc = r.optionalString("sscc", StringRule{18, 18});
        if (p.sscc && p.sscc->find_first_not_of("0123456789") != std::string::npos)
            context.fail("bad_value", r.path("sscc"), "an SSCC is 18 digits");
        result = std::move(p);
        break;
    }
    case OperationType::Ship: {
        ShipPayload p;
        readOrder(r, p.orderId, p.orderNumber);
        p.trackingNumber = r.string("tracking_number", codeRule);
        p.carrier = r.string("carrier", codeRule);
        result = std::move(p);
        break;
    }
    case OperationType::Receive: {
        ReceivePayload p;
        p.sku = r.string("sku", codeRule);
        p.location = r.string("location", codeRule);
        p.lot = r.optionalString("lot", codeRule);
        p.expiry = r.optionalString("expiry", StringRule{10, 10});
        if (p.expiry && !isIsoDate(*p.expiry))
            context.fail("bad_value", r.path("expiry"), "expected a calendar date YYYY-MM-DD");
        p.quantity = r.integer("quantity", 1, maxQuantity);
        p.reference = r.optionalString("reference", codeRule);
        result = std::move(p);
        break;
    }
    case OperationType::Putaway: {
        PutawayPayload p;
        readMove(r, p);
        result = std::move(p);
        break;
    }
    case OperationType::Move: {
        MovePayload p;
        readMove(r, p);
        result = std::move(p);
        break;
    }
    case OperationType::Count: {
        CountPayload p;
        p.location = r.string("location", codeRule);
        p.sku = r.string("sku", codeRule);
        p.lot = r.optionalString("lot", codeRule);
        p.counted = r.integer("counted", 0, maxQuantity);
        p.expected = r.integer("expected", 0, maxQuantity);
        result = std::move(p);
        break;
    }
    }
    r.finish();
    return result;
}

void readVersion(ObjectReader &r, DecodeContext &context)
{
    const json::value *version = r.value("protocol");
    if (!version || !context.ok())
        return;
    std::int64_t number = 0;
    if (checkInteger(context, *version, "protocol", 0, maxInt, number) && number != protocolVersion)
        context.fail("unsupported_version", "protocol", "this side speaks protocol " + std::to_string(protocolVersion));
}

std::string readUuid(ObjectReader &r, DecodeContext &context, std::string_view key)
{
    std::string text = r.string(key, uuidRule);
    if (context.ok() && !isUuid(text))
        context.fail("bad_value", r.path(key), "expected a lower-case UUID");
    return text;
}

std::optional<std::string> readOptionalUuid(ObjectReader &r, DecodeContext &context, std::string_view key)
{
    std::optional<std::string> text = r.optionalString(key, uuidRule);
    if (text && context.ok() && !isUuid(*text))
        context.fail("bad_value", r.path(key), "expected a lower-case UUID");
    return text;
}

template<typename T, typename Body>
Result<T> decodeWith(std::string_view text, const Limits &limits, Body body)
{
    auto parsed = parseStrict(text, ParseLimits{limits.maxBytes, limits.maxDepth});
    if (!parsed)
        return tl::unexpected(parsed.error());
    DecodeContext context;
    T message = body(context, *parsed);
    if (!context.ok())
        return tl::unexpected(*context.error);
    return message;
}

json::object header()
{
    json::object o;
    o["protocol"] = protocolVersion;
    return o;
}

std::string toText(const json::object &o)
{
    return json::serialize(o);
}

} // namespace

std::string_view operationTypeName(OperationType type) { return nameOf(s_types, type); }
std::optional<OperationType> operationTypeFromName(std::string_view name) { return valueOf(s_types, name); }
std::string_view outcomeName(OperationOutcome outcome) { return nameOf(s_outcomes, outcome); }
std::optional<OperationOutcome> outcomeFromName(std::string_view name) { return valueOf(s_outcomes, name); }
std::string_view refusalCodeName(RefusalCode code) { return nameOf(s_refusals, code); }
std::optional<RefusalCode> refusalCodeFromName(std::string_view name) { return valueOf(s_refusals, name); }

OperationType payloadType(const Payload &payload)
{
    static constexpr std::array<OperationType, 8> byIndex{OperationType::Pick,    OperationType::ShortPick,
                                                          OperationType::Pack,    OperationType::Ship,
                                                          OperationType::Receive, OperationType::Putaway,
                                                          OperationType::Move,    OperationType::Count};
    return byIndex.at(payload.index());
}

std::string encodePayload(const Payload &payload)
{
    return toText(payloadObject(payload));
}

std::string encode(const PushRequest &message)
{
    json::object o = header();
    o["device_id"] = sv(message.deviceId);
    o["incarnation"] = message.incarnation;
    putOptional(o, "epoch", message.epoch);
    json::array ops;
    ops.reserve(message.ops.size());
    for (const PushOp &op : message.ops) {
        json::object item;
        item["seq"] = op.seq;
        item["op_id"] = sv(op.opId);
        item["type"] = sv(operationTypeName(op.type()));
        item["payload"] = payloadObject(op.payload);
        item["operator_id"] = sv(op.operatorId);
        item["created_at"] = sv(op.createdAt);
        ops.emplace_back(std::move(item));
    }
    o["ops"] = std::move(ops);
    return toText(o);
}

std::string encode(const PushResponse &message)
{
    json::object o = header();
    o["epoch"] = sv(message.epoch);
    o["incarnation"] = message.incarnation;
    o["last_applied"] = message.lastApplied;
    json::array results;
    results.reserve(message.results.size());
    for (const OpResult &result : message.results) {
        json::object item;
        item["seq"] = result.seq;
        item["op_id"] = sv(result.opId);
        item["outcome"] = sv(outcomeName(result.outcome));
        putOptional(item, "reason", result.reason);
        putOptional(item, "message", result.message);
        if (result.conflictId)
            item["conflict_id"] = *result.conflictId;
        results.emplace_back(std::move(item));
    }
    o["results"] = std::move(results);
    return toText(o);
}

std::string encode(const Refusal &message)
{
    json::object o = header();
    o["error"] = sv(refusalCodeName(message.error));
    o["message"] = sv(message.message);
    o["epoch"] = sv(message.epoch);
    o["incarnation"] = message.incarnation;
    o["last_applied"] = message.lastApplied;
    return toText(o);
}

std::string encode(const IncarnationResponse &message)
{
    json::object o = header();
    o["epoch"] = sv(message.epoch);
    o["incarnation"] = message.incarnation;
    o["last_applied"] = message.lastApplied;
    return toText(o);
}

std::string encode(const PullResponse &message)
{
    // Change data is already JSON text; splice it in rather than re-parsing every row.
    std::string out = R"({"protocol":)" + std::to_string(protocolVersion) + R"(,"epoch":)"
        + json::serialize(json::value(sv(message.epoch))) + R"(,"changes":[)";
    bool first = true;
    for (const Change &change : message.changes) {
        if (!first)
            out += ',';
        first = false;
        out += R"({"version":)" + std::to_string(change.version) + R"(,"entity":)"
            + json::serialize(json::value(sv(change.entity))) + R"(,"key":)" + json::serialize(json::value(sv(change.key)));
        if (change.data)
            out += R"(,"data":)" + *change.data + '}';
        else
            out += R"(,"deleted":true})";
    }
    out += R"(],"next_cursor":)" + json::serialize(json::value(sv(message.nextCursor))) + R"(,"has_more":)"
        + (message.hasMore ? "true" : "false") + '}';
    return out;
}

Result<Payload> decodePayload(OperationType type, std::string_view text, const Limits &limits)
{
    return decodeWith<Payload>(text, limits, [type](DecodeContext &context, const json::value &value) {
        return readPayload(context, type, value, "payload");
    });
}

Result<PushRequest> decodePushRequest(std::string_view text, const Limits &limits)
{
    return decodeWith<PushRequest>(text, limits, [&limits](DecodeContext &context, const json::value &value) {
        PushRequest message;
        ObjectReader r(context, value, "");
        readVersion(r, context);
        message.deviceId = readUuid(r, context, "device_id");
        message.incarnation = r.integer("incarnation", 1, maxInt);
        message.epoch = readOptionalUuid(r, context, "epoch");
        const json::array *ops = r.array("ops", limits.maxOps);
        r.finish();
        if (!ops || !context.ok())
            return message;
        message.ops.reserve(ops->size());
        std::set<std::string, std::less<>> opIds;
        for (std::size_t i = 0; i < ops->size() && context.ok(); ++i) {
            const std::string path = "ops[" + std::to_string(i) + ']';
            ObjectReader item(context, (*ops)[i], path);
            PushOp op;
            op.seq = item.integer("seq", 1, maxInt);
            op.opId = readUuid(item, context, "op_id");
            const std::string typeName = item.string("type", StringRule{1, 32});
            const json::value *payload = item.value("payload");
            op.operatorId = item.string("operator_id", codeRule);
            op.createdAt = item.string("created_at", timeRule);
            item.finish();
            if (!context.ok())
                break;
            if (!isUtcTimestamp(op.createdAt)) {
                context.fail("bad_value", path + ".created_at", "expected an ISO 8601 UTC time ending in Z");
                break;
            }
            const auto type = operationTypeFromName(typeName);
            if (!type) {
                context.fail("bad_value", path + ".type", "unknown operation type");
                break;
            }
            if (!message.ops.empty() && op.seq != message.ops.back().seq + 1) {
                context.fail("bad_value", path + ".seq", "seq must follow the previous op's seq by 1");
                break;
            }
            if (!opIds.insert(op.opId).second) {
                context.fail("bad_value", path + ".op_id", "op_id repeated in the batch");
                break;
            }
            op.payload = readPayload(context, *type, *payload, path + ".payload");
            message.ops.push_back(std::move(op));
        }
        return message;
    });
}

Result<PushResponse> decodePushResponse(std::string_view text, const Limits &limits)
{
    return decodeWith<PushResponse>(text, limits, [&limits](DecodeContext &context, const json::value &value) {
        PushResponse message;
        ObjectReader r(context, value, "");
        readVersion(r, context);
        message.epoch = readUuid(r, context, "epoch");
        message.incarnation = r.integer("incarnation", 1, maxInt);
        message.lastApplied = r.integer("last_applied", 0, maxInt);
        const json::array *results = r.array("results", limits.maxResults);
        r.finish();
        if (!results || !context.ok())
            return message;
        for (std::size_t i = 0; i < results->size() && context.ok(); ++i) {
            const std::string path = "results[" + std::to_string(i) + ']';
            ObjectReader item(context, (*results)[i], path);
            OpResult result;
            result.seq = item.integer("seq", 1, maxInt);
            result.opId = readUuid(item, context, "op_id");
            const std::string outcome = item.string("outcome", StringRule{1, 16});
            result.reason = item.optionalString("reason", reasonRule);
            result.message = item.optionalString("message", messageRule);
            result.conflictId = item.optionalInteger("conflict_id", 1, maxInt);
            item.finish();
            if (!context.ok())
                break;
            const auto parsed = outcomeFromName(outcome);
            if (!parsed) {
                context.fail("bad_value", path + ".outcome", "expected applied, conflict or rejected");
                break;
            }
            result.outcome = *parsed;
            message.results.push_back(std::move(result));
        }
        return message;
    });
}

Result<Refusal> decodeRefusal(std::string_view text, const Limits &limits)
{
    return decodeWith<Refusal>(text, limits, [](DecodeContext &context, const json::value &value) {
        Refusal message;
        ObjectReader r(context, value, "");
        readVersion(r, context);
        const std::string code = r.string("error", StringRule{1, 32});
        message.message = r.string("message", messageRule);
        message.epoch = readUuid(r, context, "epoch");
        message.incarnation = r.integer("incarnation", 1, maxInt);
        message.lastApplied = r.integer("last_applied", 0, maxInt);
        r.finish();
        if (context.ok()) {
            if (const auto parsed = refusalCodeFromName(code))
                message.error = *parsed;
            else
                context.fail("bad_value", "error", "unknown refusal code");
        }
        return message;
    });
}

Result<IncarnationResponse> decodeIncarnationResponse(std::string_view text, const Limits &limits)
{
    return decodeWith<IncarnationResponse>(text, limits, [](DecodeContext &context, const json::value &value) {
        IncarnationResponse message;
        ObjectReader r(context, value, "");
        readVersion(r, context);
        message.epoch = readUuid(r, context, "epoch");
        message.incarnation = r.integer("incarnation", 1, maxInt);
        message.lastApplied = r.integer("last_applied", 0, maxInt);
        r.finish();
        return message;
    });
}

Result<PullResponse> decodePullResponse(std::string_view text, const Limits &limits)
{
    return decodeWith<PullResponse>(text, limits, [&limits](DecodeContext &context, const json::value &value) {
        PullResponse message;
        ObjectReader r(context, value, "");
        readVersion(r, context);
        message.epoch = readUuid(r, context, "epoch");
        const json::array *changes = r.array("changes", limits.maxChanges);
        message.nextCursor = r.string("next_cursor", cursorRule);
        message.hasMore = r.boolean("has_more");
        r.finish();
        if (!changes || !context.ok())
            return message;
        message.changes.reserve(changes->size());
        for (std::size_t i = 0; i < changes->size() && context.ok(); ++i) {
            const std::string path = "changes[" + std::to_string(i) + ']';
            ObjectReader item(context, (*changes)[i], path);
            Change change;
            change.version = item.integer("version", 1, maxInt);
            change.entity = item.string("entity", StringRule{1, 32});
            change.key = item.string("key", StringRule{1, 128});
            const json::value *data = item.value("data", false);
            const std::optional<bool> deleted = item.optionalBoolean("deleted");
            item.finish();
            if (!context.ok())
                break;
            if (data && deleted) {
                context.fail("bad_value", path, "a change has either data or deleted, not both");
            } else if (data) {
                if (!data->is_object())
                    context.fail("wrong_type", path + ".data", "expected an object");
                else
                    change.data = json::serialize(*data);
            } else if (!deleted || !*deleted) {
                context.fail("missing_field", path + ".data", "a change needs data or \"deleted\":true");
            }
            if (!message.changes.empty() && change.version <= message.changes.back().version)
                context.fail("bad_value", path + ".version", "versions must ascend");
            message.changes.push_back(std::move(change));
        }
        return message;
    });
}

std::string_view decodeFailureReason(const Error &error)
{
    const std::string_view message(error.message);
    const auto at = message.find(" at ");
    if (at == std::string_view::npos || at == 0 || message.find(' ') < at)
        return "invalid_input";
    return message.substr(0, at);
}

} // namespace Common::Protocol
