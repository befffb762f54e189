#include "server/admin/terminalpages.h"

#include <algorithm>
#include <charconv>
#include <map>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include "server/admin/adminapplication.h"
#include "server/admin/dashboard.h"
#include "server/admin/html.h"
#include "server/admin/pages.h"
#include "server/audit/announce.h"
#include "server/auth/qrcode.h"
#include "server/oms/adminservice.h"
#include "server/oms/masterdataservice.h"
#include "server/ops/servermetrics.h"
#include "server/storage/storepool.h"

namespace Server::Admin {

namespace {

namespace json = boost::json;
using Common::ErrorCode;
using Net::HttpResponse;
using Resolution = Storage::Store::ConflictResolution;

constexpr std::size_t resolveFormBytes = 4096;
constexpr std::size_t deviceFormBytes = 2048;
constexpr std::size_t maxNoteBytes = 500;
constexpr Common::Domain::Quantity maxAdjustment = 1'000'000;
constexpr int conflictsShown = 200;

// ---- small page pieces ----

Html notice(const PageContext &context, Message message, bool error)
{
    return Element("p")
        .attribute("class", error ? "card error-box" : "card notice")
        .attribute("role", error ? "alert" : "status")
        .child(translated(context, message));
}

Html timeOf(const std::string &iso)
{
    return Element("time").attribute("datetime", iso).text(iso);
}

Html definition(const PageContext &context, Message term, const Html &value)
{
    return Element("dt").child(translated(context, term)).html() + Element("dd").child(value).html();
}

Message resolutionMessage(Resolution resolution)
{
    switch (resolution) {
    case Resolution::Accept:
        return Message::ResolutionAccept;
    case Resolution::Adjust:
        return Message::ResolutionAdjust;
    case Resolution::ReturnToStock:
        return Message::ResolutionReturn;
    }
    return Message::ResolutionAccept;
}

HttpResponse seeOther(const std::string &location)
{
    HttpResponse response = redirectResponse(location);
    response.status = 303; // PRG: the browser GETs the page after the POST
    return response;
}

std::string actorOf(const AdminContext &context)
{
    return "admin:" + context.session->userId;
}

// Announces every audit entry the store appends while it lives (AdminService writes its own audit
// rows; this puts their chat announcement into the same transaction, R42).
class AnnounceAuditEntries final
{
public:
    explicit AnnounceAuditEntries(Storage::Store &store)
        : m_store(store)
    {
        m_store.setAuditHook(Audit::announceEveryEntry());
    }
    ~AnnounceAuditEntries() { m_store.setAuditHook({}); }
    AnnounceAuditEntries(const AnnounceAuditEntries &) = delete;
    AnnounceAuditEntries &operator=(const AnnounceAuditEntries &) = delete;

private:
    Storage::Store &m_store;
};

std::optional<Common::Domain::Quantity> parseQuantity(std::string_view text)
{
    if (text.empty() || text.size() > 12)
        return std::nullopt;
    if (text.front() == '+')
        text.remove_prefix(1);
    Common::Domain::Quantity value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size())
        return std::nullopt;
    return value;
}

bool isValidNote(std::string_view note)
{
    return !note.empty() && note.size() <= maxNoteBytes && Oms::isValidText(note, maxNoteBytes) &&
           note.find_first_not_of(' ') != std::string_view::npos;
}

// ---- conflicts ----

Html conflictsTable(const PageContext &context, const std::vector<Storage::Store::ConflictEntry> &entries)
{
    Element table("table");
    table.child(tableHead(context, {Message::Status, Message::Time, Message::Warehouse, Message::Terminal,
                                    Message::Operator, Message::Reason, Message::Message, Message::Operation,
                                    Message::Resolution, Message::Actions}));
    Element rows("tbody");
    for (const auto &entry : entries) {
        const auto &conflict = entry.conflict;
        const bool open = !entry.resolvedAt;
        Element resolution("td");
        if (entry.resolution)
            resolution.child(translated(context, resolutionMessage(*entry.resolution)));
        rows.child(
            Element("tr")
                .attribute("data-conflict-id", conflict.id)
                .attribute("class", open ? "conflict-open" : "conflict-resolved")
                .child(
                    Element("td")
                        .attribute("class", open ? "severity-warning" : "status-active")
                        .child(translated(context, open ? Message::ConflictStateOpen : Message::ConflictStateResolved)))
                .child(Element("td").child(timeOf(conflict.createdAt)))
                .child(Element("td").text(conflict.warehouse))
                .child(Element("td")
                           .attribute("title", conflict.deviceId)
                           .text(entry.deviceLabel.empty() ? conflict.deviceId : entry.deviceLabel))
                .child(Element("td").text(entry.operatorId))
                .child(Element("td").text(conflict.reason))
                .child(Element("td").text(conflict.message))
                .child(Element("td").text(entry.opType))
                .child(resolution)
                .child(Element("td").child(Element("a")
                                               .attribute("href", "/admin/conflicts/" + std::to_string(conflict.id))
                                               .child(translated(context, Message::ViewDetails)))));
    }
    table.child(rows);
    return table;
}

// The form's values when it is shown again after a refusal.
struct ResolveForm
{
    std::string action;
    std::string note;
    std::string sku;
    std::string location;
    std::string lot;
    std::string quantity;
};

ResolveForm defaultsFor(const Storage::Store::ConflictEntry &entry)
{
    ResolveForm form;
    form.action = "accept";
    if (const auto taken = returnOf(entry.opType, entry.payloadJson)) {
        form.sku = taken->sku;
        form.location = taken->location;
        form.lot = taken->lot;
        return form;
    }
    json::error_code error;
    const json::value payload = json::parse(entry.payloadJson, error);
    if (error || !payload.is_object())
        return form;
    const auto stringOf = [&payload](const char *key) -> std::string {
        const auto *found = payload.as_object().if_contains(key);
        return found && found->is_string() ? std::string(found->as_string()) : std::string();
    };
    form.sku = stringOf("sku");
    form.location = stringOf("location").empty() ? stringOf("to") : stringOf("location");
    form.lot = stringOf("lot");
    return form;
}

Html resolveFormHtml(const PageContext &context, const Storage::Store::ConflictEntry &entry, const ResolveForm &form)
{
    const auto radio = [&](const char *value, Message label) {
        Element input("input");
        input.attribute("type", "radio").attribute("name", "action").attribute("value", value).flag("required");
        if (form.action == value)
            input.flag("checked");
        return Element("label").child(input).child(Html::literal(" ")).child(translated(context, label)).html();
    };
    const auto textInput = [](const char *name, const std::string &value, int maxLength) {
        return Element("input")
            .attribute("type", "text")
            .attribute("name", name)
            .attribute("value", value)
            .attribute("maxlength", maxLength)
            .html();
    };
    Element fieldset("fieldset");
    fieldset.child(Element("legend").child(translated(context, Message::Resolution)))
        .child(radio("accept", Message::ResolutionAccept))
        .child(radio("adjust", Message::ResolutionAdjust));
    if (returnOf(entry.opType, entry.payloadJson))
        fieldset.child(radio("return_to_stock", Message::ResolutionReturn));
    return Element("form")
        .attribute("class", "stacked")
        .attribute("method", "post")
        .attribute("action", "/admin/conflicts/" + std::to_string(entry.conflict.id) + "/resolve")
        .child(csrfField(context.csrfToken))
        .child(Element("p").attribute("class", "muted").child(translated(context, Message::ResolutionHelp)))
        .child(fieldset)
        .child(labelled(context, Message::Note,
                        Element("input")
                            .attribute("type", "text")
                            .attribute("name", "note")
                            .attribute("value", form.note)
                            .attribute("maxlength", static_cast<std::int64_t>(maxNoteBytes))
                            .flag("required")))
        .child(labelled(context, Message::Sku, textInput("sku", form.sku, 64)))
        .child(labelled(context, Message::Location, textInput("location", form.location, 64)))
        .child(labelled(context, Message::Lot, textInput("lot", form.lot, 64)))
        .child(labelled(context, Message::QuantityChange,
                        Element("input")
                            .attribute("type", "number")
                            .attribute("name", "quantity")
                            .attribute("value", form.quantity)
                            .attribute("min", -maxAdjustment)
                            .attribute("max", maxAdjustment)))
        .child(Element("button").attribute("type", "submit").child(translated(context, Message::ResolveButton)));
}

Html conflictPage(const PageContext &context, const Storage::Store::ConflictEntry &entry, bool mayResolve,
                  const ResolveForm &form, std::optional<Message> flash, bool flashIsError)
{
    const auto &conflict = entry.conflict;
    Html details;
    details +=
        definition(context, Message::Status,
                   translated(context, entry.resolvedAt ? Message::ConflictStateResolved : Message::ConflictStateOpen));
    details += definition(context, Message::Time, timeOf(conflict.createdAt));
    details += definition(context, Message::Warehouse, Html::text(conflict.warehouse));
    details += definition(context, Message::Terminal,
                          Element("span")
                              .attribute("title", conflict.deviceId)
                              .text(entry.deviceLabel.empty() ? conflict.deviceId : entry.deviceLabel));
    details += definition(context, Message::Operator, Html::text(entry.operatorId));
    details += definition(context, Message::Reason, Html::text(conflict.reason));
    details += definition(context, Message::Message, Html::text(conflict.message));
    details += definition(context, Message::Operation,
                          Html::text(entry.opType) + Html::literal(" ") +
                              Element("code").attribute("class", "muted").text(conflict.opId).html());
    details += definition(context, Message::OperationData, Element("pre").text(entry.payloadJson));
    if (entry.resolvedAt) {
        if (entry.resolution)
            details +=
                definition(context, Message::Resolution, translated(context, resolutionMessage(*entry.resolution)));
        details += definition(context, Message::ResolvedBy, Html::text(entry.resolvedBy));
        details += definition(context, Message::ResolvedAt, timeOf(*entry.resolvedAt));
        details += definition(context, Message::Note, Html::text(entry.resolutionNote));
    }
    Html content;
    if (flash)
        content += notice(context, *flash, flashIsError);
    content += Element("section").attribute("class", "card").child(Element("dl").child(details));
    if (!entry.resolvedAt && mayResolve)
        content += card(context, Message::Resolution, resolveFormHtml(context, entry, form));
    content += Element("p").child(
        Element("a").attribute("href", "/admin/conflicts").child(translated(context, Message::BackToConflicts)));
    return layout(context, Message::ConflictTitle, content);
}

// ---- devices ----

Html devicesPage(const PageContext &context, const std::vector<TerminalSummary> &terminals,
                 const std::vector<Storage::Warehouse> &warehouses, bool mayManage, std::optional<Message> flash,
                 bool flashIsError)
{
    Html content;
    if (flash)
        content += notice(context, *flash, flashIsError);
    Element table("table");
    Element head("tr");
    head.child(headerCell(context, Message::Label))
        .child(headerCell(context, Message::Warehouse))
        .child(headerCell(context, Message::Status))
        .child(headerCell(context, Message::LastSync))
        .child(headerCell(context, Message::SyncLag))
        .child(headerCell(context, Message::PendingOps))
        .child(headerCell(context, Message::AppliedOps))
        .child(headerCell(context, Message::ConflictOpsCount))
        .child(headerCell(context, Message::SyncRejections))
        .child(headerCell(context, Message::LastOpRecorded))
        .child(headerCell(context, Message::AppVersion));
    if (mayManage)
        head.child(headerCell(context, Message::Actions));
    table.child(Element("thead").child(head));
    Element rows("tbody");
    for (const TerminalSummary &terminal : terminals) {
        const bool active = terminal.status == Storage::DeviceStatus::Active;
        const auto unknownCell = [&context]() {
            return Element("td").attribute("class", "muted").child(translated(context, Message::Unknown)).html();
        };
        Element row("tr");
        row.attribute("data-device-id", terminal.id)
            .child(Element("td").attribute("title", terminal.id).text(terminal.label))
            .child(Element("td").text(terminal.warehouse))
            .child(Element("td")
                       .attribute("class", active ? "status-active" : "status-revoked")
                       .child(translated(context, active ? Message::DeviceActive : Message::DeviceRevoked)))
            .child(terminal.lastSyncAt ? Element("td").child(timeOf(*terminal.lastSyncAt)).html() : unknownCell())
            .child(terminal.syncLagSeconds ? Element("td")
                                                 .attribute("class", "number")
                                                 .child(Html::number(*terminal.syncLagSeconds))
                                                 .child(Html::literal(" "))
                                                 .child(translated(context, Message::SecondsShort))
                                                 .html()
                                           : unknownCell())
            .child(terminal.pendingOps
                       ? Element("td").attribute("class", "number").child(Html::number(*terminal.pendingOps)).html()
                       : unknownCell())
            .child(Element("td").attribute("class", "number").child(Html::number(terminal.appliedOps)))
            .child(Element("td").attribute("class", "number").child(Html::number(terminal.conflictOps)))
            .child(Element("td")
                       .attribute("class", terminal.rejections > 0 ? "number severity-warning" : "number")
                       .child(Html::number(terminal.rejections)))
            .child(terminal.lastOpAt ? Element("td").child(timeOf(*terminal.lastOpAt)).html() : unknownCell())
            .child(terminal.appVersion ? Element("td").text(*terminal.appVersion).html()
                                       : Element("td")
                                             .attribute("class", "muted")
                                             .child(translated(context, Message::NotReported))
                                             .html());
        if (mayManage) {
            Element actions("td");
            if (active)
                actions.child(Element("form")
                                  .attribute("method", "post")
                                  .attribute("action", "/admin/devices/" + encodeUriComponent(terminal.id) + "/revoke")
                                  .attribute("data-confirm", translate(Message::RevokeConfirm, context.language))
                                  .child(csrfField(context.csrfToken))
                                  .child(Element("button")
                                             .attribute("type", "submit")
                                             .child(translated(context, Message::RevokeDevice))));
            row.child(actions);
        }
        rows.child(row);
    }
    table.child(rows);
    content +=
        card(context, Message::Terminals,
             terminals.empty()
                 ? Element("p").attribute("class", "muted").child(translated(context, Message::NoTerminals)).html()
                 : table.html());
    if (mayManage) {
        Element select("select");
        select.attribute("name", "warehouse").flag("required");
        for (const auto &warehouse : warehouses)
            select.child(Element("option")
                             .attribute("value", warehouse.code)
                             .text(warehouse.name.empty() || warehouse.name == warehouse.code
                                       ? warehouse.code
                                       : warehouse.code + " " + warehouse.name));
        content += card(
            context, Message::EnrollTitle,
            Element("form")
                .attribute("class", "stacked")
                .attribute("method", "post")
                .attribute("action", "/admin/devices/enroll")
                .child(csrfField(context.csrfToken))
                .child(labelled(context, Message::Warehouse, select))
                .child(labelled(context, Message::Label,
                                Element("input")
                                    .attribute("type", "text")
                                    .attribute("name", "label")
                                    .attribute("maxlength", 64)
                                    .flag("required")))
                .child(
                    Element("button").attribute("type", "submit").child(translated(context, Message::EnrollCreate))));
    }
    return layout(context, Message::DevicesTitle, content);
}

Html enrollmentPage(const PageContext &context, const Oms::EnrollmentCode &code, const std::string &warehouse,
                    const std::string &label, const std::string &svg)
{
    Html details;
    details += definition(context, Message::Warehouse, Html::text(warehouse));
    details += definition(context, Message::Label, Html::text(label));
    details +=
        definition(context, Message::EnrollCode, Element("code").attribute("class", "enrollment-code").text(code.code));
    details += definition(context, Message::ExpiresAt, timeOf(code.expiresAt));
    const Html content =
        Element("section")
            .attribute("class", "card")
            .child(Element("p").child(translated(context, Message::EnrollIntro)))
            .child(Element("p").child(Element("img")
                                          .attribute("class", "qr")
                                          .attribute("alt", translate(Message::EnrollmentQrAlt, context.language))
                                          .attribute("width", 264)
                                          .attribute("height", 264)
                                          .imageData(Element::ImageType::Svg, svg)))
            .child(Element("dl").child(details))
            .html() +
        Element("p")
            .child(Element("a").attribute("href", "/admin/devices").child(translated(context, Message::BackToDevices)))
            .html();
    return layout(context, Message::EnrollTitle, content);
}

Common::Result<std::vector<TerminalSummary>> loadTerminals(Storage::Store &store, const Ops::ServerMetrics *metrics)
{
    // The dashboard's loader already joins devices, activity and last syncs.
    auto data = loadDashboard(store, metrics, DashboardLimits{0, std::chrono::minutes(15)});
    if (!data)
        return tl::unexpected(data.error());
    return std::move(data->terminals);
}

std::optional<Message> flashOf(const Net::HttpRequest &request)
{
    const auto done = request.queryValue("done");
    if (done == "resolved")
        return Message::ConflictResolvedNotice;
    if (done == "revoked")
        return Message::DeviceRevokedNotice;
    return std::nullopt;
}

} // namespace

std::optional<StockCorrection> returnOf(std::string_view opType, std::string_view payloadJson)
{
    if (opType != "pick" && opType != "short_pick")
        return std::nullopt;
    json::error_code error;
    const json::value payload = json::parse(payloadJson, error);
    if (error || !payload.is_object())
        return std::nullopt;
    const json::object &object = payload.as_object();
    const auto *sku = object.if_contains("sku");
    const auto *location = object.if_contains("location");
    const auto *lot = object.if_contains("lot");
    const auto *quantity = object.if_contains(opType == "pick" ? "quantity" : "quantity_picked");
    if (!sku || !sku->is_string() || !location || !location->is_string() || !quantity || !quantity->is_int64() ||
        quantity->as_int64() <= 0 || (lot && !lot->is_string()))
        return std::nullopt;
    return StockCorrection{std::string(sku->as_string()), std::string(location->as_string()),
                           lot ? std::string(lot->as_string()) : std::string(), quantity->as_int64()};
}

namespace {

// A resolution checked against the conflict and the master data, ready to post.
struct CheckedResolution
{
    Storage::Store::ConflictEntry entry;
    std::optional<StockCorrection> movement;
    Common::Domain::MovementReason reason = Common::Domain::MovementReason::Adjustment;
};

Common::Result<CheckedResolution> checkResolution(Storage::Store &store, std::int64_t id,
                                                  const ConflictDecision &decision)
{
    if (!isValidNote(decision.note))
        return Common::fail(ErrorCode::InvalidInput, "bad_value at note: 1-500 printable characters on one line");
    auto found = store.conflictEntry(id);
    if (!found)
        return tl::unexpected(found.error());
    if (!*found)
        return Common::fail(ErrorCode::NotFound, "no conflict " + std::to_string(id));
    CheckedResolution checked{**found, std::nullopt, Common::Domain::MovementReason::Adjustment};
    const Storage::Store::ConflictEntry &entry = checked.entry;
    if (entry.resolvedAt)
        return Common::fail(ErrorCode::Conflict, "conflict " + std::to_string(id) + " is already resolved");

    std::optional<StockCorrection> &movement = checked.movement;
    if (decision.action == Resolution::ReturnToStock) {
        movement = returnOf(entry.opType, entry.payloadJson);
        if (!movement)
            return Common::fail(ErrorCode::InvalidInput,
                                "not_applicable at action: the operation took no stock out of a bin");
        checked.reason = Common::Domain::MovementReason::Return;
    } else if (decision.action == Resolution::Adjust) {
        if (!decision.adjustment)
            return Common::fail(ErrorCode::InvalidInput, "missing at quantity: an adjustment needs a quantity");
        movement = decision.adjustment;
        if (movement->quantity == 0 || movement->quantity > maxAdjustment || movement->quantity < -maxAdjustment)
            return Common::fail(ErrorCode::InvalidInput, "bad_value at quantity: non-zero, within ±1000000");
    }
    if (movement) {
        if (!Oms::isValidCode(movement->sku) || !Oms::isValidCode(movement->location) ||
            (!movement->lot.empty() && !Oms::isValidCode(movement->lot)))
            return Common::fail(ErrorCode::InvalidInput, "bad_value at sku: SKU, location and lot must be codes");
        auto sku = store.sku(movement->sku);
        if (!sku)
            return tl::unexpected(sku.error());
        if (!*sku)
            return Common::fail(ErrorCode::InvalidInput, "unknown at sku: no SKU " + movement->sku);
        if ((*sku)->lotControlled && movement->lot.empty())
            return Common::fail(ErrorCode::InvalidInput, "missing at lot: " + movement->sku + " is lot-controlled");
        auto location = store.location(entry.conflict.warehouse, movement->location);
        if (!location)
            return tl::unexpected(location.error());
        if (!*location)
            return Common::fail(ErrorCode::InvalidInput, "unknown at location: no location " + movement->location +
                                                             " in " + entry.conflict.warehouse);
        if (!movement->lot.empty()) {
            auto lot = store.lot(movement->sku, movement->lot);
            if (!lot)
                return tl::unexpected(lot.error());
            if (!*lot)
                return Common::fail(ErrorCode::InvalidInput, "unknown at lot: no lot " + movement->lot);
        }
    }
    return checked;
}

// Posts a checked resolution in the caller's transaction: the conditional close, the movement and
// the audit row `conflict_resolved` (fields of `details` added to it) through `append`.
Common::Result<ConflictOutcome> postResolution(Storage::Store &store, std::int64_t id, const CheckedResolution &checked,
                                               const ConflictDecision &decision, const std::string &resolvedBy,
                                               json::object details, const ConflictAuditAppend &append)
{
    const Storage::Store::ConflictEntry &entry = checked.entry;
    const std::optional<StockCorrection> &movement = checked.movement;
    // The conditional UPDATE first: it takes the conflict's row lock, so of two resolutions at
    // once exactly one posts its movement; the other finds it resolved and rolls back.
    auto closed = store.resolveConflict(id, decision.action, resolvedBy, decision.note);
    if (!closed)
        return tl::unexpected(closed.error());
    if (!*closed)
        return Common::fail(ErrorCode::Conflict, "conflict " + std::to_string(id) + " is already resolved");
    ConflictOutcome outcome;
    details["action"] = Storage::Store::resolutionName(decision.action);
    details["note"] = decision.note;
    details["warehouse"] = entry.conflict.warehouse;
    details["device"] = entry.conflict.deviceId;
    details["op_id"] = entry.conflict.opId;
    details["reason"] = entry.conflict.reason;
    if (movement) {
        const std::string bin =
            entry.conflict.warehouse + "|" + movement->sku + "|" + movement->location + "|" + movement->lot;
        if (auto locked = store.lockForBatch({}, {bin}); !locked)
            return tl::unexpected(locked.error());
        Common::Domain::StockMovement posted;
        posted.warehouse = entry.conflict.warehouse;
        posted.skuCode = movement->sku;
        posted.location = movement->location;
        posted.lot = movement->lot;
        posted.quantityDelta = movement->quantity;
        posted.reason = checked.reason;
        auto balance = store.addMovement(posted);
        if (!balance)
            return tl::unexpected(balance.error());
        outcome.movement = movement;
        outcome.balance = *balance;
        details["sku"] = movement->sku;
        details["location"] = movement->location;
        details["lot"] = movement->lot;
        details["quantity_delta"] = movement->quantity;
        details["balance"] = *balance;
    }
    if (auto audited = append("conflict_resolved", "conflict:" + std::to_string(id), json::serialize(details));
        !audited)
        return tl::unexpected(audited.error());
    return outcome;
}

} // namespace

Common::Result<ConflictOutcome> resolveConflict(Storage::Store &store, std::int64_t id,
                                                const ConflictDecision &decision, const AuditActor &actor)
{
    auto checked = checkResolution(store, id, decision);
    if (!checked)
        return tl::unexpected(checked.error());
    const ConflictAuditAppend append = [&](std::string_view event, std::string_view target,
                                           const std::string &details) -> Common::Result<void> {
        Storage::AuditRecord record;
        record.actor = actor.actor;
        record.event = std::string(event);
        record.target = std::string(target);
        record.details = details;
        record.sourceIp = actor.sourceIp;
        record.listener = "admin";
        record.requestId = actor.requestId;
        auto audited = Audit::appendAndAnnounce(store, record);
        if (!audited)
            return tl::unexpected(audited.error());
        return {};
    };
    return Storage::retryTransient(store, [&]() -> Common::Result<ConflictOutcome> {
        Storage::Transaction transaction(store);
        if (!transaction.started())
            return tl::unexpected(transaction.started().error());
        auto outcome = postResolution(store, id, *checked, decision, actor.actor,
                                      json::object{{"ip", actor.sourceIp}, {"request_id", actor.requestId}}, append);
        if (!outcome)
            return outcome;
        if (auto committed = transaction.commit(); !committed)
            return tl::unexpected(committed.error());
        return outcome;
    });
}

std::string stockAdjustmentDetails(std::int64_t conflictId, const ConflictDecision &decision)
{
    const StockCorrection adjustment = decision.adjustment.value_or(StockCorrection{});
    return json::serialize(json::object{{"conflict", conflictId},
                                        {"sku", adjustment.sku},
                                        {"location", adjustment.location},
                                        {"lot", adjustment.lot},
                                        {"quantity", adjustment.quantity},
                                        {"note", decision.note}});
}

std::optional<std::pair<std::int64_t, ConflictDecision>> stockAdjustmentOf(std::string_view detailsJson)
{
    json::error_code error;
    const json::value parsed = json::parse(detailsJson, error);
    if (error || !parsed.is_object())
        return std::nullopt;
    const json::object &object = parsed.as_object();
    const auto text = [&object](const char *name) -> std::optional<std::string> {
        const auto *value = object.if_contains(name);
        if (!value || !value->is_string())
            return std::nullopt;
        return std::string(value->as_string());
    };
    const auto *conflict = object.if_contains("conflict");
    const auto *quantity = object.if_contains("quantity");
    const auto sku = text("sku"), location = text("location"), lot = text("lot"), note = text("note");
    if (!conflict || !conflict->is_int64() || !quantity || !quantity->is_int64() || !sku || !location || !lot || !note)
        return std::nullopt;
    return std::pair{conflict->as_int64(),
                     ConflictDecision{Resolution::Adjust, *note,
                                      StockCorrection{*sku, *location, *lot, quantity->as_int64()}}};
}

Common::Result<ConflictOutcome> applyApprovedAdjustment(Storage::Store &store, const Storage::ApprovalRecord &approval,
                                                        const ConflictAuditAppend &append)
{
    const auto request = stockAdjustmentOf(approval.details);
    if (approval.action != stockAdjustmentAction || !request)
        return Common::fail(ErrorCode::InvalidInput, "not a stock adjustment request");
    const auto &[id, decision] = *request;
    auto checked = checkResolution(store, id, decision);
    if (!checked)
        return tl::unexpected(checked.error());
    return postResolution(store, id, *checked, decision, "admin:" + approval.requestedBy,
                          json::object{{"approval", approval.id}, {"requested_by", "admin:" + approval.requestedBy}},
                          append);
}

namespace {

// Whether an adjustment of conflict `id` waits for approval.
Common::Result<bool> pendingAdjustment(Storage::Store &store, std::int64_t id)
{
    auto pending = store.pendingApprovals();
    if (!pending)
        return tl::unexpected(pending.error());
    const std::string target = "conflict:" + std::to_string(id);
    return std::any_of(pending->begin(), pending->end(), [&target](const Storage::ApprovalRecord &approval) {
        return approval.action == stockAdjustmentAction && approval.target == target;
    });
}

// Files a checked adjustment as a four-eyes request with its announced audit row, in one
// transaction. Errors: as checkResolution; Forbidden when one is already pending for the conflict.
Common::Result<std::int64_t> requestAdjustmentApproval(Storage::Store &store, std::int64_t id,
                                                       const ConflictDecision &decision, const std::string &userId,
                                                       const AuditActor &actor)
{
    if (auto checked = checkResolution(store, id, decision); !checked)
        return tl::unexpected(checked.error());
    return Storage::retryTransient(store, [&]() -> Common::Result<std::int64_t> {
        Storage::Transaction transaction(store);
        if (!transaction.started())
            return tl::unexpected(transaction.started().error());
        auto waiting = pendingAdjustment(store, id);
        if (!waiting)
            return tl::unexpected(waiting.error());
        if (*waiting)
            return Common::fail(ErrorCode::Forbidden, "an adjustment of this conflict already waits for approval");
        Storage::ApprovalRecord approval;
        approval.action = std::string(stockAdjustmentAction);
        approval.target = "conflict:" + std::to_string(id);
        approval.details = stockAdjustmentDetails(id, decision);
        approval.requestedBy = userId;
        auto approvalId = store.insertApproval(approval);
        if (!approvalId)
            return tl::unexpected(approvalId.error());
        const StockCorrection &adjustment = *decision.adjustment;
        Storage::AuditRecord record;
        record.actor = actor.actor;
        record.event = "approval_requested";
        record.target = approval.target;
        record.details = json::serialize(json::object{{"action", stockAdjustmentAction},
                                                      {"approval", *approvalId},
                                                      {"sku", adjustment.sku},
                                                      {"location", adjustment.location},
                                                      {"lot", adjustment.lot},
                                                      {"quantity_delta", adjustment.quantity},
                                                      {"ip", actor.sourceIp},
                                                      {"request_id", actor.requestId}});
        record.sourceIp = actor.sourceIp;
        record.listener = "admin";
        record.requestId = actor.requestId;
        if (auto audited = Audit::appendAndAnnounce(store, record); !audited)
            return tl::unexpected(audited.error());
        if (auto committed = transaction.commit(); !committed)
            return tl::unexpected(committed.error());
        return *approvalId;
    });
}

} // namespace

void installTerminalPages(AdminApplication &application, Storage::StorePool &pool, TerminalPagesConfig config)
{
    AdminApplication *admin = &application;
    Storage::StorePool *stores = &pool;
    const auto shared = std::make_shared<const TerminalPagesConfig>(std::move(config));

    // A store for the request, or the 503 page.
    const auto withStore = [admin, stores](AdminContext &context, auto body) -> HttpResponse {
        auto lease = stores->acquire();
        if (!lease)
            return admin->errorResponse(ResponseKind::Html, context.page, 503, "unavailable", context.request);
        return body(**lease);
    };
    const auto failed = [admin](AdminContext &context, const Common::Error &error) {
        const int status = error.code == ErrorCode::Storage ? 503 : 500;
        return admin->errorResponse(ResponseKind::Html, context.page, status, "internal", context.request);
    };

    application.addRoute(
        {"GET",
         "/admin/conflicts",
         AdminAuth::Session,
         Permission::ViewConflicts,
         StepUp::No,
         ResponseKind::Html,
         AdminBody::None,
         0,
         {"done"},
         [=](AdminContext &context) {
             return withStore(context, [&](Storage::Store &store) -> HttpResponse {
                 auto entries = store.conflictQueue(conflictsShown);
                 if (!entries)
                     return failed(context, entries.error());
                 auto open = store.openConflictCount();
                 if (!open)
                     return failed(context, open.error());
                 Html content;
                 if (const auto flash = flashOf(context.request))
                     content += notice(context.page, *flash, false);
                 content +=
                     Element("p")
                         .attribute("class", "muted")
                         .child(translated(context.page, Message::OpenConflicts))
                         .child(Html::literal(": "))
                         .child(Element("strong").attribute("class", "open-conflicts").child(Html::number(*open)));
                 content += card(context.page, Message::ConflictsTitle,
                                 entries->empty() ? Element("p")
                                                        .attribute("class", "muted")
                                                        .child(translated(context.page, Message::NoConflicts))
                                                        .html()
                                                  : conflictsTable(context.page, *entries));
                 return htmlResponse(200, layout(context.page, Message::ConflictsTitle, content));
             });
         }});

    const auto showConflict = [=](AdminContext &context, Storage::Store &store, std::int64_t id, int status,
                                  const std::optional<ResolveForm> &form, std::optional<Message> flash,
                                  bool flashIsError) -> HttpResponse {
        auto entry = store.conflictEntry(id);
        if (!entry)
            return failed(context, entry.error());
        if (!*entry)
            return admin->errorResponse(ResponseKind::Html, context.page, 404, "not_found", context.request);
        const bool mayResolve = roleHas(context.session->role, Permission::ResolveConflicts);
        if (!flash && !(*entry)->resolvedAt) { // an adjustment waiting for a second administrator (R27)
            auto waiting = pendingAdjustment(store, id);
            if (!waiting)
                return failed(context, waiting.error());
            if (*waiting)
                flash = Message::AdjustmentAwaitingApproval;
        }
        return htmlResponse(status, conflictPage(context.page, **entry, mayResolve, form ? *form : defaultsFor(**entry),
                                                 flash, flashIsError));
    };

    application.addRoute({"GET",
                          "/admin/conflicts/{id}",
                          AdminAuth::Session,
                          Permission::ViewConflicts,
                          StepUp::No,
                          ResponseKind::Html,
                          AdminBody::None,
                          0,
                          {"done"},
                          [=](AdminContext &context) {
                              return withStore(context, [&](Storage::Store &store) {
                                  return showConflict(context, store, std::stoll(context.parameters.at(0)), 200,
                                                      std::nullopt, flashOf(context.request), false);
                              });
                          }});

    application.addRoute(
        {"POST",
         "/admin/conflicts/{id}/resolve",
         AdminAuth::Session,
         Permission::ResolveConflicts,
         StepUp::No,
         ResponseKind::Html,
         AdminBody::Form,
         resolveFormBytes,
         {},
         [=](AdminContext &context) {
             return withStore(context, [&](Storage::Store &store) -> HttpResponse {
                 const std::int64_t id = std::stoll(context.parameters.at(0));
                 const auto field = [&context](const char *name) {
                     return std::string(formValue(context.fields, name).value_or(""));
                 };
                 ResolveForm form{field("action"),   field("note"), field("sku"),
                                  field("location"), field("lot"),  field("quantity")};
                 const auto refuse = [&](int status, Message message) {
                     return showConflict(context, store, id, status, form, message, true);
                 };
                 const auto action = Storage::Store::resolutionFromName(form.action);
                 if (!action)
                     return refuse(400, Message::ResolutionUnknown);
                 if (!isValidNote(form.note))
                     return refuse(400, Message::NoteRequired);
                 ConflictDecision decision{*action, form.note, std::nullopt};
                 if (*action == Resolution::Adjust) {
                     const auto quantity = parseQuantity(form.quantity);
                     if (!quantity)
                         return refuse(400, Message::AdjustmentInvalid);
                     decision.adjustment = StockCorrection{form.sku, form.location, form.lot, *quantity};
                 }
                 const auto refusal = [&](const Common::Error &error) {
                     switch (error.code) {
                     case ErrorCode::NotFound:
                         return admin->errorResponse(ResponseKind::Html, context.page, 404, "not_found",
                                                     context.request);
                     case ErrorCode::Conflict:
                         return refuse(409, Message::ConflictAlreadyResolved);
                     case ErrorCode::InvalidInput:
                         return refuse(400, *action == Resolution::ReturnToStock ? Message::ReturnNotApplicable
                                                                                 : Message::AdjustmentInvalid);
                     default:
                         return failed(context, error);
                     }
                 };
                 const AuditActor actor{actorOf(context), context.request.peer.address, context.request.requestId};
                 if (decision.adjustment &&
                     (decision.adjustment->quantity > shared->fourEyesAdjustmentUnits ||
                      decision.adjustment->quantity < -shared->fourEyesAdjustmentUnits)) {
                     // Four eyes (R27): checked now, posted when another administrator approves.
                     auto requested = requestAdjustmentApproval(store, id, decision, context.session->userId, actor);
                     if (!requested) {
                         if (requested.error().code == ErrorCode::Forbidden)
                             return refuse(409, Message::AdjustmentAlreadyPending);
                         return refusal(requested.error());
                     }
                     return showConflict(context, store, id, 202, std::nullopt, Message::AdjustmentAwaitingApproval,
                                         false);
                 }
                 if (auto resolved = resolveConflict(store, id, decision, actor); !resolved)
                     return refusal(resolved.error());
                 return seeOther("/admin/conflicts/" + std::to_string(id) + "?done=resolved");
             });
         }});

    application.addRoute({"GET",
                          "/admin/devices",
                          AdminAuth::Session,
                          Permission::ViewTerminals,
                          StepUp::No,
                          ResponseKind::Html,
                          AdminBody::None,
                          0,
                          {"done"},
                          [=](AdminContext &context) {
                              return withStore(context, [&](Storage::Store &store) -> HttpResponse {
                                  auto terminals = loadTerminals(store, shared->metrics);
                                  if (!terminals)
                                      return failed(context, terminals.error());
                                  auto warehouses = store.warehouses();
                                  if (!warehouses)
                                      return failed(context, warehouses.error());
                                  const bool mayManage = roleHas(context.session->role, Permission::ManageTerminals);
                                  return htmlResponse(200, devicesPage(context.page, *terminals, *warehouses, mayManage,
                                                                       flashOf(context.request), false));
                              });
                          }});

    // Refusals on the devices page: the list again with the reason.
    const auto devicesRefusal = [=](AdminContext &context, Storage::Store &store, int status,
                                    Message message) -> HttpResponse {
        auto terminals = loadTerminals(store, shared->metrics);
        if (!terminals)
            return failed(context, terminals.error());
        auto warehouses = store.warehouses();
        if (!warehouses)
            return failed(context, warehouses.error());
        return htmlResponse(status, devicesPage(context.page, *terminals, *warehouses, true, message, true));
    };

    application.addRoute(
        {"POST",
         "/admin/devices/enroll",
         AdminAuth::Session,
         Permission::ManageTerminals,
         StepUp::Required,
         ResponseKind::Html,
         AdminBody::Form,
         deviceFormBytes,
         {},
         [=](AdminContext &context) {
             return withStore(context, [&](Storage::Store &store) -> HttpResponse {
                 const std::string warehouse(formValue(context.fields, "warehouse").value_or(""));
                 const std::string label(formValue(context.fields, "label").value_or(""));
                 if (warehouse.empty() || label.empty() || !Oms::isValidText(label, 64) || !Oms::isValidCode(warehouse))
                     return devicesRefusal(context, store, 400, Message::EnrollInvalid);
                 Common::Result<Oms::EnrollmentCode> code = Common::fail(ErrorCode::Internal, "not run");
                 {
                     AnnounceAuditEntries announce(store);
                     Oms::AdminService service(store);
                     code =
                         service.createEnrollmentCode(warehouse, label, shared->enrollmentLifetime, actorOf(context));
                 }
                 if (!code) {
                     if (code.error().code == ErrorCode::InvalidInput || code.error().code == ErrorCode::NotFound)
                         return devicesRefusal(context, store, 400, Message::EnrollInvalid);
                     return failed(context, code.error());
                 }
                 auto svg = Auth::qrCodeSvg(code->code);
                 if (!svg)
                     return failed(context, svg.error());
                 // Answered here, not redirected: the code exists only in this response (no-store).
                 return htmlResponse(200, enrollmentPage(context.page, *code, warehouse, label, *svg));
             });
         }});

    application.addRoute({"POST",
                          "/admin/devices/{key}/revoke",
                          AdminAuth::Session,
                          Permission::ManageTerminals,
                          StepUp::Required,
                          ResponseKind::Html,
                          AdminBody::Form,
                          deviceFormBytes,
                          {},
                          [=](AdminContext &context) {
                              return withStore(context, [&](Storage::Store &store) -> HttpResponse {
                                  const std::string id = context.parameters.at(0);
                                  auto device = store.device(id);
                                  if (!device)
                                      return failed(context, device.error());
                                  if (!*device)
                                      return admin->errorResponse(ResponseKind::Html, context.page, 404, "not_found",
                                                                  context.request);
                                  if ((*device)->status == Storage::DeviceStatus::Revoked)
                                      return devicesRefusal(context, store, 409, Message::DeviceAlreadyRevoked);
                                  Common::Result<void> revoked;
                                  {
                                      AnnounceAuditEntries announce(store);
                                      Oms::AdminService service(store);
                                      revoked = service.revokeDevice(id, actorOf(context));
                                  }
                                  if (!revoked)
                                      return failed(context, revoked.error());
                                  if (shared->onDeviceRevoked && !(*device)->certificateSerial.empty())
                                      shared->onDeviceRevoked((*device)->certificateSerial);
                                  return seeOther("/admin/devices?done=revoked");
                              });
                          }});
}

} // namespace Server::Admin
