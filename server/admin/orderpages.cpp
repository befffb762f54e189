#include "server/admin/orderpages.h"

#include <algorithm>
#include <chrono>
#include <functional>
#include <map>
#include <set>
#include <span>
#include <openssl/crypto.h>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include "server/admin/adminapplication.h"
#include "server/admin/pages.h"
#include "server/audit/announce.h"
#include "server/auth/tokens.h"
#include "server/oms/csv.h"
#include "server/oms/masterdataservice.h"
#include "server/oms/orderservice.h"
#include "server/storage/ids.h"
#include "server/storage/storepool.h"

namespace Server::Admin {

using namespace Parts;

namespace {

namespace json = boost::json;
using Common::ErrorCode;
using Common::Domain::Order;
using Common::Domain::OrderState;
using Net::HttpRequest;
using Net::HttpResponse;
using Storage::Store;

constexpr int defaultPageSize = 50;
constexpr int maxPageSize = 200;
constexpr int maxExportRows = 10'000;
constexpr int historyLimit = 500;
constexpr int exportRequestsShown = 10; // the requester's newest export requests on the export page
constexpr std::size_t maxFilterBytes = 64;
constexpr std::size_t maxImportBodyBytes = 4 * maxImportBytes; // url-encoding triples at worst, plus fields
constexpr Common::Domain::Quantity maxQuantity = 1'000'000'000;
const std::vector<std::string> importHeader = {"store", "order_number", "customer", "address",
                                               "line",  "sku",          "quantity"};
constexpr std::string_view importDigestContext = "soko-orders-import-v1|";

std::string actorOf(const AdminContext &context)
{
    return "admin:" + context.session->userId;
}


constexpr OrderState allStates[] = {OrderState::Imported, OrderState::Allocated, OrderState::Released,
                                    OrderState::Picking,  OrderState::Picked,    OrderState::Packed,
                                    OrderState::Shipped,  OrderState::Cancelled};

// While alive, every audit entry appended through `store` is also queued as a chat announcement
// in the same transaction (R42): the services write the audit rows, this adds the outbox rows.
class AnnounceEveryEntry final
{
public:
    explicit AnnounceEveryEntry(Store &store)
        : m_store(store)
    {
        m_store.setAuditHook(Audit::announceEveryEntry());
    }
    ~AnnounceEveryEntry() { m_store.setAuditHook({}); }
    AnnounceEveryEntry(const AnnounceEveryEntry &) = delete;
    AnnounceEveryEntry &operator=(const AnnounceEveryEntry &) = delete;

private:
    Store &m_store;
};

// An audit row written by the page itself (refusals, exports), with the request's context.
Common::Result<std::int64_t> auditRequest(Store &store, const AdminContext &context, std::string event,
                                          std::string target, json::object details, bool announce)
{
    details["ip"] = context.request.peer.address;
    details["request_id"] = context.request.requestId;
    Storage::AuditRecord record;
    record.actor = actorOf(context);
    record.event = std::move(event);
    record.target = std::move(target);
    record.details = json::serialize(details);
    record.sourceIp = context.request.peer.address;
    record.listener = "admin";
    record.requestId = context.request.requestId;
    Storage::Transaction transaction(store);
    if (!transaction.started())
        return tl::unexpected(transaction.started().error());
    auto seq = announce ? Audit::appendAndAnnounce(store, record) : store.appendAudit(record);
    if (!seq)
        return seq;
    if (auto done = transaction.commit(); !done)
        return tl::unexpected(done.error());
    return seq;
}

Html note(const PageContext &page, Message message, bool error = false)
{
    return Element("p").attribute("class", error ? "card error-box" : "card notice").child(translated(page, message));
}

Html textInput(const char *name, std::string_view value, std::size_t maxLength, const char *type = "text")
{
    return Element("input")
        .attribute("type", type)
        .attribute("name", name)
        .attribute("value", value)
        .attribute("maxlength", static_cast<std::int64_t>(maxLength));
}

bool isDay(std::string_view text)
{
    if (text.size() != 10 || text[4] != '-' || text[7] != '-')
        return false;
    for (const std::size_t index : {0, 1, 2, 3, 5, 6, 8, 9})
        if (text[index] < '0' || text[index] > '9')
            return false;
    const int year = std::stoi(std::string(text.substr(0, 4)));
    const auto month = static_cast<unsigned>((text[5] - '0') * 10 + (text[6] - '0'));
    const auto day = static_cast<unsigned>((text[8] - '0') * 10 + (text[9] - '0'));
    // A real calendar day: 2026-02-30 and 2026-04-31 are refused like 2026-13-01.
    return std::chrono::year_month_day(std::chrono::year(year), std::chrono::month(month), std::chrono::day(day)).ok();
}

// The list filters from the query; `bad` names the first parameter that is not acceptable.
struct ListQuery
{
    Storage::OrderSearch search;
    std::string stateText;
    std::string bad;
};

// A named value of the request: its query string (GET) or its form (POST).
using ValueOf = std::function<std::optional<std::string_view>(std::string_view name)>;

ListQuery readListQuery(const ValueOf &valueOf, int defaultLimit, int maxLimit)
{
    ListQuery out;
    const auto value = [&valueOf](std::string_view name) { return std::string(valueOf(name).value_or("")); };
    out.search.text = value("q");
    out.search.store = value("store");
    out.stateText = value("state");
    out.search.createdFrom = value("from");
    out.search.createdTo = value("to");
    out.search.limit = defaultLimit;
    if (out.search.text.size() > maxFilterBytes || !Oms::isValidUtf8(out.search.text))
        out.bad = "q";
    else if (out.search.store.size() > maxFilterBytes || !Oms::isValidUtf8(out.search.store))
        out.bad = "store";
    else if (!out.stateText.empty() && !(out.search.state = Common::Domain::orderStateFromName(out.stateText)))
        out.bad = "state";
    else if (!out.search.createdFrom.empty() && !isDay(out.search.createdFrom))
        out.bad = "from";
    else if (!out.search.createdTo.empty() && !isDay(out.search.createdTo))
        out.bad = "to";
    if (!out.bad.empty())
        return out;
    if (const auto before = valueOf("before")) {
        long long id = 0;
        if (!Oms::parseCsvInteger(*before, id) || id < 1)
            out.bad = "before";
        out.search.beforeId = id;
    }
    if (const auto limit = valueOf("limit")) {
        long long count = 0;
        if (!Oms::parseCsvInteger(*limit, count) || count < 1 || count > maxLimit)
            out.bad = "limit";
        out.search.limit = static_cast<int>(count);
    }
    return out;
}

ListQuery readListQuery(const HttpRequest &request, int defaultLimit, int maxLimit)
{
    return readListQuery([&request](std::string_view name) { return request.queryValue(name); }, defaultLimit,
                         maxLimit);
}

// "q=…&state=…" of the filters (for the next page and the export link), values encoded.
std::string filterQuery(const ListQuery &query)
{
    std::string out;
    const auto add = [&out](const char *name, const std::string &value) {
        if (value.empty())
            return;
        out += (out.empty() ? "" : "&") + std::string(name) + "=" + encodeUriComponent(value);
    };
    add("q", query.search.text);
    add("state", query.stateText);
    add("store", query.search.store);
    add("from", query.search.createdFrom);
    add("to", query.search.createdTo);
    return out;
}

} // namespace

std::string readableExportFilters(std::string_view filters)
{
    if (filters.empty())
        return "-";
    const auto fields = parseForm(filters);
    if (!fields)
        return std::string(filters);
    std::string out;
    for (const auto &[name, value] : *fields)
        out += (out.empty() ? "" : ", ") + name + "=" + value;
    return out;
}

namespace {

Html filterForm(const PageContext &page, const ListQuery &query)
{
    Element state("select");
    state.attribute("name", "state");
    state.child(Element("option").attribute("value", "").child(translated(page, Message::AnyState)));
    for (const OrderState item : allStates) {
        Element option("option");
        option.attribute("value", Common::Domain::orderStateName(item));
        if (query.search.state == item)
            option.flag("selected");
        state.child(option.child(translated(page, orderStateMessage(item))));
    }
    return Element("form")
        .attribute("class", "filters")
        .attribute("method", "get")
        .attribute("action", "/admin/orders")
        .child(labelled(page, Message::SearchText, textInput("q", query.search.text, maxFilterBytes, "search")))
        .child(labelled(page, Message::State, state))
        .child(labelled(page, Message::StoreCode, textInput("store", query.search.store, maxFilterBytes)))
        .child(labelled(page, Message::CreatedFrom, textInput("from", query.search.createdFrom, 10, "date")))
        .child(labelled(page, Message::CreatedTo, textInput("to", query.search.createdTo, 10, "date")))
        .child(Element("button").attribute("type", "submit").child(translated(page, Message::ApplyFilter)));
}

Html ordersTable(const PageContext &page, const std::vector<Storage::OrderListRow> &rows)
{
    if (rows.empty())
        return emptyNote(page, Message::NoOrders);
    Element head("tr");
    for (const Message message : {Message::OrderNumber, Message::StoreCode, Message::Customer, Message::State,
                                  Message::Warehouse, Message::LineCount, Message::Quantity, Message::CreatedAt})
        head.child(headerCell(page, message));
    Element body("tbody");
    for (const auto &row : rows) {
        body.child(
            Element("tr")
                .child(Element("td").child(Element("a")
                                               .attribute("href", "/admin/orders/" + std::to_string(row.order.id))
                                               .text(row.order.orderNumber)))
                .child(cell(row.order.store))
                .child(cell(row.order.customer))
                .child(Element("td")
                           .attribute("data-state", Common::Domain::orderStateName(row.order.state))
                           .child(translated(page, orderStateMessage(row.order.state))))
                .child(cell(row.order.warehouse))
                .child(numberCell(row.lineCount))
                .child(numberCell(row.quantity))
                .child(Element("td").child(Element("time").attribute("datetime", row.createdAt).text(row.createdAt))));
    }
    return Element("table").attribute("class", "orders").child(Element("thead").child(head)).child(body);
}

HttpResponse unavailable(AdminApplication &application, AdminContext &context)
{
    return application.errorResponse(ResponseKind::Html, context.page, 503, "unavailable", context.request);
}

HttpResponse internal(AdminApplication &application, AdminContext &context)
{
    return application.errorResponse(ResponseKind::Html, context.page, 500, "internal", context.request);
}

// ---- list ----

HttpResponse ordersList(AdminApplication &application, Storage::StorePool &pool, AdminContext &context)
{
    const PageContext &page = context.page;
    ListQuery query = readListQuery(context.request, defaultPageSize, maxPageSize);
    Html notices;
    if (const auto done = context.request.queryValue("done")) {
        if (*done == "imported") {
            long long imported = 0;
            long long unchanged = 0;
            (void)Oms::parseCsvInteger(context.request.queryValue("imported").value_or("0"), imported);
            (void)Oms::parseCsvInteger(context.request.queryValue("unchanged").value_or("0"), unchanged);
            notices += Element("p")
                           .attribute("class", "card notice")
                           .child(translated(page, Message::ImportDone))
                           .child(Html::literal(": "))
                           .child(translated(page, Message::ImportedCount))
                           .child(Html::literal(" "))
                           .child(Html::number(imported))
                           .child(Html::literal(", "))
                           .child(translated(page, Message::UnchangedCount))
                           .child(Html::literal(" "))
                           .child(Html::number(unchanged));
        }
    }
    Html links;
    {
        Element bar("p");
        bar.attribute("class", "actions");
        if (roleHas(context.session->role, Permission::ImportData))
            bar.child(Element("a")
                          .attribute("href", "/admin/orders/import")
                          .child(translated(page, Message::ImportCsvLink)))
                .child(Html::literal(" "));
        if (roleHas(context.session->role, Permission::ExportPersonalData)) {
            const std::string filters = filterQuery(query);
            bar.child(Element("a")
                          .attribute("href", "/admin/orders.csv" + (filters.empty() ? "" : "?" + filters))
                          .child(translated(page, Message::ExportCsv)));
        }
        links = bar;
    }
    if (!query.bad.empty()) {
        const Html content = notices + links + filterForm(page, query) +
                             Element("p")
                                 .attribute("class", "card error-box")
                                 .child(translated(page, Message::BadFilter))
                                 .child(Html::literal(": "))
                                 .text(query.bad)
                                 .html();
        return htmlResponse(400, layout(page, Message::OrdersTitle, content));
    }
    auto lease = pool.acquire();
    if (!lease)
        return unavailable(application, context);
    Storage::OrderSearch search = query.search;
    search.limit = query.search.limit + 1; // one more: is there a next page?
    auto rows = (*lease)->searchOrders(search);
    if (!rows)
        return internal(application, context);
    Html next;
    if (rows->size() > static_cast<std::size_t>(query.search.limit)) {
        rows->resize(static_cast<std::size_t>(query.search.limit));
        const std::string filters = filterQuery(query);
        next = Element("p").child(Element("a")
                                      .attribute("rel", "next")
                                      .attribute("href", "/admin/orders?" + filters + (filters.empty() ? "" : "&") +
                                                             "before=" + std::to_string(rows->back().order.id) +
                                                             "&limit=" + std::to_string(query.search.limit))
                                      .child(translated(page, Message::NextPage)));
    }
    const Html content = notices + links + filterForm(page, query) + ordersTable(page, *rows) + next;
    return htmlResponse(200, layout(page, Message::OrdersTitle, content));
}

// ---- CSV export (R35) ----

// Decisions older than this (ISO time) no longer grant a download.
std::string grantCutoff(Store &store)
{
    return Storage::shiftIsoTime(store.now(), -exportGrantHours * 3600).value_or("");
}

// An approved export grant not yet used, decided at or after `cutoff`.
bool grantUsable(const Storage::ApprovalRecord &approval, const std::string &cutoff)
{
    return approval.decision == Storage::ApprovalDecision::Approved && !approval.usedAt && approval.decidedAt &&
           *approval.decidedAt >= cutoff;
}

// The requester's own export requests (R27), newest first, with their state: waiting, approved
// (with the download link while unused and within exportGrantHours of the decision), downloaded,
// expired, rejected.
Html exportRequestsCard(const PageContext &page, const std::vector<Storage::ApprovalRecord> &requests,
                        const std::string &cutoff)
{
    Element table("table");
    table.child(tableHead(page, {Message::ColumnRequestedAt, Message::ColumnFilters, Message::ColumnRows,
                                 Message::Status, Message::ColumnActions}));
    Element rows("tbody");
    for (const Storage::ApprovalRecord &request : requests) {
        boost::system::error_code error;
        const json::value details = json::parse(request.details, error);
        std::string filters;
        std::int64_t count = 0;
        if (!error && details.is_object()) {
            if (const auto *value = details.as_object().if_contains("filters"); value && value->is_string())
                filters = std::string(value->as_string());
            if (const auto *value = details.as_object().if_contains("rows"); value && value->is_int64())
                count = value->as_int64();
        }
        Message state = Message::StatePending;
        Element action("td");
        if (request.decision == Storage::ApprovalDecision::Rejected) {
            state = Message::StateRejected;
        } else if (request.decision == Storage::ApprovalDecision::Approved) {
            state = request.usedAt                                  ? Message::ExportUsed
                    : request.decidedAt && *request.decidedAt < cutoff ? Message::ExportExpired
                                                                     : Message::StateApproved;
            if (state == Message::StateApproved)
                action.child(Element("a")
                                 .attribute("href", "/admin/orders.csv?" + filters + (filters.empty() ? "" : "&") +
                                                        "approval=" + std::to_string(request.id))
                                 .attribute("download", "orders.csv")
                                 .child(translated(page, Message::DownloadExport)));
        }
        rows.child(Element("tr")
                       .attribute("data-approval", request.id)
                       .child(cell(request.requestedAt))
                       .child(Element("td").child(Element("code").text(readableExportFilters(filters))))
                       .child(numberCell(count))
                       .child(Element("td").attribute("class", "approval-state").child(translated(page, state)))
                       .child(action));
    }
    table.child(rows);
    return Element("section")
        .attribute("class", "card export-requests")
        .child(Element("h2").child(translated(page, Message::ExportRequestsTitle)))
        .child(requests.empty() ? emptyNote(page, Message::NoApprovals) : Html(table));
}

// The page of an export over the four-eyes limit: why, a form to request approval (the filters as
// hidden fields) and the requester's export requests with a download link for approved ones.
HttpResponse exportApprovalPage(AdminApplication &application, Store &store, AdminContext &context,
                                const ListQuery &query, std::int64_t rows, int status, Message message, bool isError)
{
    // Served at /admin/orders.csv (403) and /admin/orders/export-requests (202, POST): its language
    // links lead to the orders list, where the export starts.
    PageContext page = context.page;
    page.path = "/admin/orders";
    auto requests = store.approvalsRequestedBy(context.session->userId, piiExportAction, exportRequestsShown);
    if (!requests)
        return unavailable(application, context);
    const std::string cutoff = grantCutoff(store);
    Element form("form");
    form.attribute("method", "post").attribute("action", "/admin/orders/export-requests");
    form.child(csrfField(page.csrfToken));
    const auto hidden = [&form](const char *name, const std::string &value) {
        if (!value.empty())
            form.child(Element("input").attribute("type", "hidden").attribute("name", name).attribute("value", value));
    };
    hidden("q", query.search.text);
    hidden("state", query.stateText);
    hidden("store", query.search.store);
    hidden("from", query.search.createdFrom);
    hidden("to", query.search.createdTo);
    form.child(Element("button").attribute("type", "submit").child(translated(page, Message::RequestExportApproval)));
    Element explanation("section");
    explanation.attribute("class", "card")
        .child(Element("p")
                   .child(translated(page, Message::ColumnFilters))
                   .child(Html::literal(": "))
                   .child(Element("code").text(readableExportFilters(filterQuery(query))))
                   .child(Html::literal(" · "))
                   .child(translated(page, Message::ColumnRows))
                   .child(Html::literal(": "))
                   .child(Element("strong").attribute("class", "export-rows").child(Html::number(rows))))
        .child(form);
    const Html content = note(page, message, isError) + explanation.html() + exportRequestsCard(page, *requests, cutoff);
    return htmlResponse(status, layout(page, Message::OrdersTitle, content));
}

HttpResponse ordersCsv(AdminApplication &application, Storage::StorePool &pool, AdminContext &context,
                       int fourEyesRows)
{
    ListQuery query = readListQuery(context.request, maxExportRows, maxExportRows);
    std::optional<std::int64_t> grant;
    if (const auto approval = context.request.queryValue("approval")) {
        long long id = 0;
        if (!Oms::parseCsvInteger(*approval, id) || id < 1 || std::to_string(id) != *approval)
            query.bad = "approval"; // decimal without sign or leading zeros, as the page links it
        grant = id;
    }
    if (!query.bad.empty())
        return application.errorResponse(ResponseKind::Html, context.page, 400, "bad_request", context.request);
    auto lease = pool.acquire();
    if (!lease)
        return application.errorResponse(ResponseKind::Html, context.page, 503, "unavailable", context.request);
    Store &store = **lease;
    query.search.limit = maxExportRows;
    const std::string filters = filterQuery(query);
    // With a grant, exactly what was approved: the orders up to the newest one at request time.
    std::optional<Storage::ApprovalRecord> approvalRecord;
    std::int64_t approvedRows = 0;
    if (grant) {
        auto approval = store.approval(*grant);
        if (!approval)
            return application.errorResponse(ResponseKind::Html, context.page, 503, "unavailable", context.request);
        approvalRecord = *approval;
        if (approvalRecord) {
            boost::system::error_code error;
            const json::value details = json::parse(approvalRecord->details, error);
            if (!error && details.is_object()) {
                if (const auto *through = details.as_object().if_contains("through"); through && through->is_int64())
                    query.search.beforeId = through->as_int64() + 1;
                if (const auto *approved = details.as_object().if_contains("rows"); approved && approved->is_int64())
                    approvedRows = approved->as_int64();
            }
        }
    }
    auto rows = store.searchOrders(query.search);
    if (!rows)
        return application.errorResponse(ResponseKind::Html, context.page, 500, "internal", context.request);
    const auto count = static_cast<std::int64_t>(rows->size());
    if (count > fourEyesRows) {
        // Four eyes (R27): a mass export of names and addresses needs an approved grant for exactly
        // these filters, filed by this user, decided within exportGrantHours, used once.
        if (!grant)
            return exportApprovalPage(application, store, context, query, count, 403, Message::ExportNeedsApproval, true);
        const std::optional<Storage::ApprovalRecord> &approval = approvalRecord;
        bool granted = approval && approval->action == piiExportAction && approval->target == "orders.csv?" + filters &&
                       approval->requestedBy == context.session->userId && grantUsable(*approval, grantCutoff(store));
        if (granted && count > approvedRows) { // more rows match now than the approver saw
            (void)auditRequest(store, context, "authz_fail", "approval:" + std::to_string(*grant),
                               json::object{{"action", piiExportAction}, {"filters", filters}, {"rows", count},
                                            {"approved_rows", approvedRows}},
                               true);
            return exportApprovalPage(application, store, context, query, count, 403, Message::ExportGrew, true);
        }
        if (granted) {
            auto used = store.consumeApproval(*grant, context.session->userId); // once, also under a race
            if (!used)
                return application.errorResponse(ResponseKind::Html, context.page, 503, "unavailable",
                                                  context.request);
            granted = *used;
        }
        if (!granted) {
            (void)auditRequest(store, context, "authz_fail", "approval:" + std::to_string(*grant),
                               json::object{{"action", piiExportAction}, {"filters", filters}}, true);
            return exportApprovalPage(application, store, context, query, count, 403, Message::ExportGrantInvalid, true);
        }
    }
    std::string body = "id,store,order_number,customer,address,state,warehouse,created_at,lines,quantity\r\n";
    for (const auto &row : *rows) {
        body += std::to_string(row.order.id) + "," + csvCell(row.order.store) + "," + csvCell(row.order.orderNumber) +
                "," + csvCell(row.order.customer) + "," + csvCell(row.order.address) + "," +
                std::string(Common::Domain::orderStateName(row.order.state)) + "," + csvCell(row.order.warehouse) +
                "," + csvCell(row.createdAt) + "," + std::to_string(row.lineCount) + "," +
                std::to_string(row.quantity) + "\r\n";
    }
    json::object details;
    details["format"] = "csv";
    details["rows"] = count;
    details["filters"] = filters;
    if (grant && count > fourEyesRows)
        details["approval"] = *grant;
    if (!auditRequest(store, context, "export", "orders", details, true))
        return application.errorResponse(ResponseKind::Html, context.page, 500, "internal", context.request);
    HttpResponse response;
    response.status = 200;
    response.contentType = "text/csv; charset=utf-8";
    response.body = std::move(body);
    response.headers.emplace_back("Content-Disposition", "attachment; filename=\"orders.csv\"");
    return response;
}

// POST /admin/orders/export-requests: files a four-eyes request for an export over the limit (R27),
// announced; 202 with the requester's list. An export under the limit needs none (303 to it).
HttpResponse requestExport(AdminApplication &application, Storage::StorePool &pool, AdminContext &context,
                           int fourEyesRows)
{
    ListQuery query = readListQuery([&context](std::string_view name) { return formValue(context.fields, name); },
                                    maxExportRows, maxExportRows);
    for (const auto &field : context.fields) { // the request form's fields only: nothing is ignored
        static constexpr std::string_view known[] = {"csrf", "q", "state", "store", "from", "to"};
        if (std::find(std::begin(known), std::end(known), field.first) == std::end(known))
            query.bad = field.first;
    }
    if (!query.bad.empty())
        return application.errorResponse(ResponseKind::Html, context.page, 400, "bad_request", context.request);
    auto lease = pool.acquire();
    if (!lease)
        return unavailable(application, context);
    Store &store = **lease;
    query.search.limit = maxExportRows;
    auto rows = store.searchOrders(query.search);
    if (!rows)
        return internal(application, context);
    const auto count = static_cast<std::int64_t>(rows->size());
    const std::string filters = filterQuery(query);
    if (count <= fourEyesRows) {
        HttpResponse response = redirectResponse("/admin/orders.csv" + (filters.empty() ? "" : "?" + filters));
        response.status = 303;
        return response;
    }
    Storage::ApprovalRecord approval;
    approval.action = std::string(piiExportAction);
    approval.target = "orders.csv?" + filters;
    std::int64_t through = 0; // the newest order now: a grant never covers orders created later
    for (const auto &row : *rows)
        through = std::max(through, row.order.id);
    approval.details = json::serialize(json::object{{"filters", filters}, {"rows", count}, {"through", through}});
    approval.requestedBy = context.session->userId;
    {
        Storage::Transaction transaction(store);
        if (!transaction.started())
            return unavailable(application, context);
        // One request per export: the same filters already waiting, or approved and still usable → 409.
        auto earlier = store.approvalsRequestedBy(context.session->userId, piiExportAction, 1000);
        if (!earlier)
            return unavailable(application, context);
        const std::string cutoff = grantCutoff(store);
        for (const Storage::ApprovalRecord &request : *earlier) {
            if (request.target == approval.target &&
                (request.decision == Storage::ApprovalDecision::Pending || grantUsable(request, cutoff))) {
                return exportApprovalPage(application, store, context, query, count, 409,
                                          Message::ExportAlreadyRequested, true);
            }
        }
        auto id = store.insertApproval(approval);
        if (!id)
            return id.error().code == ErrorCode::InvalidInput
                       ? application.errorResponse(ResponseKind::Html, context.page, 400, "bad_request",
                                                   context.request)
                       : unavailable(application, context);
        Storage::AuditRecord record;
        record.actor = actorOf(context);
        record.event = "approval_requested";
        record.target = "approval:" + std::to_string(*id);
        record.details = json::serialize(json::object{{"action", piiExportAction},
                                                      {"approval", *id},
                                                      {"filters", filters},
                                                      {"rows", count},
                                                      {"ip", context.request.peer.address},
                                                      {"request_id", context.request.requestId}});
        record.sourceIp = context.request.peer.address;
        record.listener = "admin";
        record.requestId = context.request.requestId;
        if (auto audited = Audit::appendAndAnnounce(store, record); !audited)
            return unavailable(application, context);
        if (auto committed = transaction.commit(); !committed)
            return unavailable(application, context);
    }
    return exportApprovalPage(application, store, context, query, count, 202, Message::ExportRequested, false);
}

// ---- detail and actions ----

Html historyTable(const PageContext &page, const std::vector<Storage::AuditRecord> &entries)
{
    if (entries.empty())
        return emptyNote(page, Message::NoHistory);
    Element head("tr");
    for (const Message message : {Message::Time, Message::Event, Message::Actor, Message::Details})
        head.child(headerCell(page, message));
    Element body("tbody");
    for (const auto &entry : entries) {
        body.child(Element("tr")
                       .attribute("data-outcome", entry.outcome)
                       .child(Element("td").child(Element("time").attribute("datetime", entry.at).text(entry.at)))
                       .child(cell(entry.event))
                       .child(cell(entry.actor))
                       .child(Element("td").child(Element("code").text(entry.details))));
    }
    return Element("table").attribute("class", "history").child(Element("thead").child(head)).child(body);
}

Html actionForm(const PageContext &page, std::int64_t id, const char *action, Message label,
                std::optional<Message> confirm)
{
    Element form("form");
    form.attribute("method", "post").attribute("action", "/admin/orders/" + std::to_string(id) + "/" + action);
    if (confirm)
        form.attribute("data-confirm", translate(*confirm, page.language));
    form.child(csrfField(page.csrfToken))
        .child(Element("button")
                   .attribute("type", "submit")
                   .attribute("name", "action")
                   .attribute("value", action)
                   .child(translated(page, label)));
    return form;
}

Html orderDetailPage(const PageContext &page, const AdminSession &session, const Order &order,
                     const std::optional<Storage::ShipmentRecord> &shipment,
                     const std::vector<Storage::AuditRecord> &history, const Html &notice)
{
    const auto row = [&page](Message label, const Html &value) {
        return Element("tr")
            .child(Element("th").attribute("scope", "row").child(translated(page, label)))
            .child(Element("td").child(value));
    };
    const Html header =
        Element("table")
            .attribute("class", "fields")
            .child(row(Message::OrderNumber, Html::text(order.orderNumber)))
            .child(row(Message::StoreCode, Html::text(order.store)))
            .child(row(Message::Customer, Html::text(order.customer)))
            .child(row(Message::Address, Html::text(order.address)))
            .child(row(Message::State, Element("span")
                                           .attribute("data-state", Common::Domain::orderStateName(order.state))
                                           .child(translated(page, orderStateMessage(order.state)))))
            .child(row(Message::Warehouse, Html::text(order.warehouse)));

    Element lineHead("tr");
    for (const Message message : {Message::LineNumber, Message::Sku, Message::QuantityOrdered, Message::QuantityPicked})
        lineHead.child(headerCell(page, message));
    Element lineBody("tbody");
    for (const auto &line : order.lines)
        lineBody.child(Element("tr")
                           .child(numberCell(line.lineNumber))
                           .child(cell(line.skuCode))
                           .child(numberCell(line.quantity))
                           .child(numberCell(line.picked)));
    const Html lines =
        Element("table").attribute("class", "lines").child(Element("thead").child(lineHead)).child(lineBody);

    Html shipped = emptyNote(page, Message::NoShipment);
    if (shipment)
        shipped = Element("table")
                      .attribute("class", "fields")
                      .child(row(Message::TrackingNumber, Html::text(shipment->trackingNumber)))
                      .child(row(Message::Carrier, Html::text(shipment->carrier)))
                      .child(row(Message::ShippedAt,
                                 Element("time").attribute("datetime", shipment->shippedAt).text(shipment->shippedAt)));

    Html actions;
    if (roleHas(session.role, Permission::ManageOrders)) {
        const bool canRelease = order.state == OrderState::Imported || order.state == OrderState::Allocated;
        const bool canCancel = Common::Domain::isValidTransition(order.state, OrderState::Cancelled);
        Html forms;
        if (canRelease)
            forms += actionForm(page, order.id, "release", Message::ReleaseOrder, std::nullopt) +
                     emptyNote(page, Message::ReleaseHint);
        if (canCancel)
            forms += actionForm(page, order.id, "cancel", Message::CancelOrder, Message::ConfirmCancelOrder);
        if (forms.empty())
            forms = emptyNote(page, Message::NoActions);
        actions = card(page, Message::OrderActions, forms);
    }
    const Html content =
        notice +
        Element("section")
            .attribute("class", "card")
            .child(Element("h2").text(order.store + " / " + order.orderNumber))
            .child(header)
            .html() +
        actions + card(page, Message::OrderLines, lines).html() + card(page, Message::Shipment, shipped).html() +
        card(page, Message::History, historyTable(page, history)).html() +
        Element("p")
            .child(Element("a").attribute("href", "/admin/orders").child(translated(page, Message::OrdersTitle)))
            .html();
    return layout(page, Message::OrderDetailTitle, content);
}

// The detail page with `status` and a notice (a done message or the reason of a refusal).
HttpResponse renderDetail(AdminApplication &application, Store &store, AdminContext &context, std::int64_t id,
                          int status, const Html &notice)
{
    auto order = store.order(id);
    if (!order)
        return internal(application, context);
    if (!*order)
        return application.errorResponse(ResponseKind::Html, context.page, 404, "not_found", context.request);
    auto shipment = store.shipment(id);
    auto history = store.auditOfTarget(std::to_string(id), "order_", historyLimit);
    if (!shipment || !history)
        return internal(application, context);
    return htmlResponse(status, orderDetailPage(context.page, *context.session, **order, *shipment, *history, notice));
}

std::optional<std::int64_t> pathId(const AdminContext &context)
{
    long long id = 0;
    if (context.parameters.empty() || !Oms::parseCsvInteger(context.parameters[0], id) || id < 1)
        return std::nullopt;
    return id;
}

HttpResponse orderDetail(AdminApplication &application, Storage::StorePool &pool, AdminContext &context)
{
    const auto id = pathId(context);
    if (!id)
        return application.errorResponse(ResponseKind::Html, context.page, 404, "not_found", context.request);
    auto lease = pool.acquire();
    if (!lease)
        return unavailable(application, context);
    Html notice;
    const auto done = context.request.queryValue("done");
    if (done == "cancelled")
        notice = note(context.page, Message::DoneCancelled);
    else if (done == "released")
        notice = note(context.page, Message::DoneReleased);
    return renderDetail(application, **lease, context, *id, 200, notice);
}

enum class OrderAction { Cancel, Release };

HttpResponse orderAction(AdminApplication &application, Storage::StorePool &pool, AdminContext &context,
                         OrderAction action)
{
    const auto id = pathId(context);
    if (!id)
        return application.errorResponse(ResponseKind::Html, context.page, 404, "not_found", context.request);
    auto lease = pool.acquire();
    if (!lease)
        return unavailable(application, context);
    Store &store = **lease;
    const std::string actor = actorOf(context);
    const char *name = action == OrderAction::Cancel ? "cancel" : "release";
    Common::Result<void> done;
    Message refusal = Message::RefusedState;
    {
        AnnounceEveryEntry announce(store); // the services' order_status_change rows are announced (R42)
        Oms::OrderService service(store);
        if (action == OrderAction::Cancel) {
            done = service.cancel(*id, actor);
        } else {
            auto current = store.order(*id);
            if (!current)
                return internal(application, context);
            if (!*current)
                return application.errorResponse(ResponseKind::Html, context.page, 404, "not_found", context.request);
            if ((*current)->state == OrderState::Imported) {
                auto allocated = service.allocate(*id, actor);
                if (!allocated) {
                    done = tl::unexpected(allocated.error());
                    if (allocated.error().message.starts_with("insufficient_stock"))
                        refusal = Message::RefusedStock;
                }
            }
            if (done) {
                done = service.release(*id, actor);
                if (!done && (*current)->state == OrderState::Imported)
                    refusal = Message::AllocatedNotReleased;
            }
        }
    }
    if (done)
        return redirectResponse("/admin/orders/" + std::to_string(*id) +
                                (action == OrderAction::Cancel ? "?done=cancelled" : "?done=released"));
    if (done.error().code == ErrorCode::NotFound)
        return application.errorResponse(ResponseKind::Html, context.page, 404, "not_found", context.request);
    if (done.error().code != ErrorCode::Conflict)
        return internal(application, context);
    // A refusal (wrong state, no stock): audited as a failed action, shown with its reason.
    json::object details;
    details["action"] = name;
    details["reason"] = done.error().message;
    if (!auditRequest(store, context, "order_status_change_fail", std::to_string(*id), details, false))
        return internal(application, context);
    return renderDetail(application, store, context, *id, 409, note(context.page, refusal, true));
}

// ---- CSV import ----

std::string importDigest(const AdminSession &session, std::string_view text)
{
    if (session.csrfKey.empty())
        return {};
    const std::string data = std::string(importDigestContext) + std::string(text);
    auto mac = Auth::hmacSha256(
        std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t *>(session.csrfKey.data()),
                                      session.csrfKey.size()),
        std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t *>(data.data()), data.size()));
    if (!mac)
        return {};
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    for (const std::uint8_t byte : *mac) {
        out += digits[byte >> 4];
        out += digits[byte & 0x0F];
    }
    return out;
}

bool sameDigest(std::string_view expected, std::string_view given)
{
    return !expected.empty() && expected.size() == given.size() &&
           CRYPTO_memcmp(expected.data(), given.data(), expected.size()) == 0;
}

Html importForm(const PageContext &page, std::string_view text)
{
    std::string header;
    for (const auto &name : importHeader)
        header += (header.empty() ? "" : ",") + name;
    return Element("section")
        .attribute("class", "card")
        .child(Element("p").child(translated(page, Message::ImportIntro)))
        .child(Element("pre").child(Element("code").text(header)))
        .child(Element("form")
                   .attribute("class", "stacked")
                   .attribute("method", "post")
                   .attribute("action", "/admin/orders/import")
                   .child(csrfField(page.csrfToken))
                   .child(labelled(page, Message::CsvFile,
                                   Element("input")
                                       .attribute("type", "file")
                                       .attribute("accept", ".csv,text/csv")
                                       .attribute("data-fill-textarea", "csv-text")))
                   .child(labelled(page, Message::CsvText,
                                   Element("textarea")
                                       .attribute("id", "csv-text")
                                       .attribute("name", "csv")
                                       .attribute("rows", 12)
                                       .attribute("cols", 100)
                                       .attribute("spellcheck", "false")
                                       .text(text)))
                   .child(Element("button").attribute("type", "submit").child(translated(page, Message::Preview))));
}

Html previewErrors(const PageContext &page, const ImportPreview &preview)
{
    Element head("tr");
    for (const Message message : {Message::RowLine, Message::Column, Message::Reason, Message::Details})
        head.child(headerCell(page, message));
    Element body("tbody");
    for (const auto &error : preview.errors)
        body.child(Element("tr")
                       .attribute("class", "row-error")
                       .child(numberCell(error.line))
                       .child(cell(error.column))
                       .child(Element("td").child(translated(page, error.reason)))
                       .child(cell(error.detail)));
    return note(page, Message::PreviewHasErrors, true) +
           Element("table").attribute("class", "import-errors").child(Element("thead").child(head)).child(body).html();
}

Html previewOrders(const PageContext &page, const ImportPreview &preview)
{
    Element head("tr");
    for (const Message message : {Message::RowLine, Message::StoreCode, Message::OrderNumber, Message::Customer,
                                  Message::LineCount, Message::Quantity, Message::Status})
        head.child(headerCell(page, message));
    Element body("tbody");
    for (const auto &order : preview.orders)
        body.child(Element("tr")
                       .child(numberCell(order.line))
                       .child(cell(order.store))
                       .child(cell(order.orderNumber))
                       .child(cell(order.customer))
                       .child(numberCell(order.lines))
                       .child(numberCell(order.quantity))
                       .child(Element("td").child(
                           translated(page, order.exists ? Message::ExistingOrder : Message::NewOrder))));
    return Element("table").attribute("class", "import-preview").child(Element("thead").child(head)).child(body);
}

HttpResponse importPage(const PageContext &page, int status, const Html &top, std::string_view text)
{
    return htmlResponse(status, layout(page, Message::OrdersImportTitle, top + importForm(page, text)));
}

// Reads the posted CSV: canonical text, or the answer refusing it (too large, empty).
std::optional<HttpResponse> readImportText(const AdminContext &context, std::string &text)
{
    text = canonicalImportText(formValue(context.fields, "csv").value_or(""));
    if (text.size() > maxImportBytes)
        return importPage(context.page, 413, note(context.page, Message::ImportTooLarge, true), {});
    if (text.find_first_not_of(" \t\r\n") == std::string::npos)
        return importPage(context.page, 422, note(context.page, Message::ImportEmpty, true), {});
    return std::nullopt;
}

HttpResponse renderPreview(const AdminContext &context, const ImportPreview &preview, const std::string &text)
{
    const PageContext &page = context.page;
    if (!preview.errors.empty())
        return importPage(page, 422, previewErrors(page, preview), text);
    if (preview.orders.empty()) // a header and nothing else: nothing to commit
        return importPage(page, 422, note(page, Message::ImportNoRows, true), text);
    const Html commit =
        Element("form")
            .attribute("method", "post")
            .attribute("action", "/admin/orders/import/commit")
            .child(csrfField(page.csrfToken))
            .child(Element("input").attribute("type", "hidden").attribute("name", "csv").attribute("value", text))
            .child(Element("input")
                       .attribute("type", "hidden")
                       .attribute("name", "digest")
                       .attribute("value", importDigest(*context.session, text)))
            .child(Element("button")
                       .attribute("type", "submit")
                       .attribute("id", "import-commit")
                       .child(translated(page, Message::CommitImport)));
    const Html top = note(page, Message::PreviewReady) +
                     card(page, Message::OrdersImportTitle, previewOrders(page, preview) + commit).html();
    return importPage(page, 200, top, text);
}

HttpResponse importPreview(AdminApplication &application, Storage::StorePool &pool, AdminContext &context)
{
    std::string text;
    if (auto refused = readImportText(context, text))
        return *refused;
    auto lease = pool.acquire();
    if (!lease)
        return unavailable(application, context);
    auto preview = previewOrderImport(**lease, text);
    if (!preview)
        return internal(application, context);
    return renderPreview(context, *preview, text);
}

HttpResponse importCommit(AdminApplication &application, Storage::StorePool &pool, AdminContext &context)
{
    std::string text;
    if (auto refused = readImportText(context, text))
        return *refused;
    // Exactly what was previewed: the digest binds the text to this session (R48, nothing swapped).
    if (!sameDigest(importDigest(*context.session, text), formValue(context.fields, "digest").value_or("")))
        return importPage(context.page, 422, note(context.page, Message::ImportChanged, true), text);
    auto lease = pool.acquire();
    if (!lease)
        return unavailable(application, context);
    Store &store = **lease;
    // The database may have changed since the preview (a SKU removed): check again, commit only if clean.
    auto preview = previewOrderImport(store, text);
    if (!preview)
        return internal(application, context);
    if (!preview->errors.empty())
        return renderPreview(context, *preview, text);
    Common::Result<Oms::ImportReport> report;
    {
        AnnounceEveryEntry announce(store); // the csv_import audit row is announced (R42)
        report = Oms::OrderService(store).importOrders(text, Oms::ImportFormat::Csv, std::nullopt, actorOf(context));
    }
    if (!report) {
        if (report.error().code != ErrorCode::InvalidInput && report.error().code != ErrorCode::TooLarge)
            return internal(application, context);
        ImportPreview failed;
        failed.fileError = true;
        failed.errors.push_back({report.error().position, "", Message::PreviewFileError, report.error().message});
        return renderPreview(context, failed, text);
    }
    return redirectResponse("/admin/orders?done=imported&imported=" + std::to_string(report->imported) +
                            "&unchanged=" + std::to_string(report->unchanged));
}

} // namespace

namespace Parts {

Element cell(std::string_view text)
{
    return std::move(Element("td").text(text));
}

Element numberCell(std::int64_t value)
{
    return std::move(Element("td").attribute("class", "number").child(Html::number(value)));
}

} // namespace Parts

std::string csvCell(std::string_view value)
{
    std::string text(value);
    if (!text.empty() && (text[0] == '=' || text[0] == '+' || text[0] == '-' || text[0] == '@' || text[0] == '\t' ||
                          text[0] == '\r' || text[0] == '\0'))
        text.insert(text.begin(), '\'');
    if (text.find_first_of(",\"\r\n") == std::string::npos)
        return text;
    std::string quoted = "\"";
    for (const char c : text) {
        if (c == '"')
            quoted += '"';
        quoted += c;
    }
    return quoted + "\"";
}

std::string canonicalImportText(std::string_view text)
{
    std::string out;
    out.reserve(text.size());
    for (std::size_t index = 0; index < text.size(); ++index) {
        if (text[index] == '\r') {
            out += '\n';
            if (index + 1 < text.size() && text[index + 1] == '\n')
                ++index;
        } else {
            out += text[index];
        }
    }
    return out;
}

Common::Result<ImportPreview> previewOrderImport(Store &store, std::string_view text)
{
    ImportPreview preview;
    Oms::CsvLimits limits;
    limits.maxBytes = maxImportBytes;
    limits.maxRows = maxImportRows;
    auto rows = Oms::parseCsv(text, importHeader, limits);
    if (!rows) {
        preview.fileError = true;
        preview.errors.push_back({rows.error().position, "", Message::PreviewFileError, rows.error().message});
        return preview;
    }
    // Grouped by (store, order number) like OrderService::importOrders.
    std::map<std::pair<std::string, std::string>, std::size_t> index;
    std::vector<std::pair<std::string, std::string>> firstValues; // customer, address of each order
    std::vector<std::set<long long>> lineNumbers;
    std::map<std::string, bool> knownSkus;
    const auto refuse = [&preview](long line, const char *column, Message reason, std::string_view value) {
        preview.errors.push_back({line, column, reason, std::string(value.substr(0, 64))});
    };
    for (const Oms::CsvRow &row : *rows) {
        const auto &f = row.fields;
        bool valid = true;
        if (!Oms::isValidCode(f[0])) {
            refuse(row.line, "store", Message::CsvBadCode, f[0]);
            valid = false;
        }
        if (!Oms::isValidCode(f[1])) {
            refuse(row.line, "order_number", Message::CsvBadCode, f[1]);
            valid = false;
        }
        if (f[2].empty() || !Oms::isValidText(f[2], 200)) {
            refuse(row.line, "customer", Message::CsvBadText, f[2]);
            valid = false;
        }
        if (f[3].empty() || !Oms::isValidText(f[3], 500)) {
            refuse(row.line, "address", Message::CsvBadText, f[3]);
            valid = false;
        }
        if (!valid)
            continue;
        const auto key = std::make_pair(f[0], f[1]);
        auto found = index.find(key);
        if (found == index.end()) {
            found = index.emplace(key, preview.orders.size()).first;
            ImportPreviewOrder order;
            order.line = row.line;
            order.store = f[0];
            order.orderNumber = f[1];
            order.customer = f[2];
            auto existing = store.findOrder(f[0], f[1]);
            if (!existing)
                return tl::unexpected(existing.error());
            order.exists = existing->has_value();
            preview.orders.push_back(std::move(order));
            firstValues.emplace_back(f[2], f[3]);
            lineNumbers.emplace_back();
        }
        const std::size_t at = found->second;
        if (f[2] != firstValues[at].first)
            refuse(row.line, "customer", Message::CsvDiffers, f[2]);
        if (f[3] != firstValues[at].second)
            refuse(row.line, "address", Message::CsvDiffers, f[3]);
        long long line = 0;
        if (!Oms::parseCsvInteger(f[4], line) || line < 1)
            refuse(row.line, "line", Message::CsvBadLine, f[4]);
        else if (!lineNumbers[at].insert(line).second)
            refuse(row.line, "line", Message::CsvDuplicateLine, f[4]);
        auto known = knownSkus.find(f[5]);
        if (known == knownSkus.end()) {
            auto sku = store.sku(f[5]);
            if (!sku)
                return tl::unexpected(sku.error());
            known = knownSkus.emplace(f[5], sku->has_value()).first;
        }
        if (!known->second)
            refuse(row.line, "sku", Message::CsvUnknownSku, f[5]);
        long long quantity = 0;
        if (!Oms::parseCsvInteger(f[6], quantity) || quantity < 1 || quantity > maxQuantity) {
            refuse(row.line, "quantity", Message::CsvBadQuantity, f[6]);
        } else {
            preview.orders[at].lines += 1;
            preview.orders[at].quantity += quantity;
        }
    }
    std::stable_sort(preview.errors.begin(), preview.errors.end(),
                     [](const ImportRowError &a, const ImportRowError &b) { return a.line < b.line; });
    return preview;
}

void installOrderPages(AdminApplication &application, Storage::StorePool &pool, int fourEyesExportRows)
{
    AdminApplication *app = &application;
    Storage::StorePool *stores = &pool;
    const std::vector<std::string> listParameters = {"q",      "state", "store", "from",     "to",
                                                     "before", "limit", "done",  "imported", "unchanged"};
    application.addRoute({"GET", "/admin/orders", AdminAuth::Session, Permission::ViewOrders, StepUp::No,
                          ResponseKind::Html, AdminBody::None, 0, listParameters,
                          [app, stores](AdminContext &context) { return ordersList(*app, *stores, context); }});
    application.addRoute({"GET",
                          "/admin/orders.csv",
                          AdminAuth::Session,
                          Permission::ExportPersonalData,
                          StepUp::Required,
                          ResponseKind::Text,
                          AdminBody::None,
                          0,
                          {"q", "state", "store", "from", "to", "approval"},
                          [app, stores, fourEyesExportRows](AdminContext &context) {
                              return ordersCsv(*app, *stores, context, fourEyesExportRows);
                          }});
    application.addRoute({"POST",
                          "/admin/orders/export-requests",
                          AdminAuth::Session,
                          Permission::ExportPersonalData,
                          StepUp::Required,
                          ResponseKind::Html,
                          AdminBody::Form,
                          4096,
                          {},
                          [app, stores, fourEyesExportRows](AdminContext &context) {
                              return requestExport(*app, *stores, context, fourEyesExportRows);
                          }});
    application.addRoute({"GET",
                          "/admin/orders/{id}",
                          AdminAuth::Session,
                          Permission::ViewOrders,
                          StepUp::No,
                          ResponseKind::Html,
                          AdminBody::None,
                          0,
                          {"done"},
                          [app, stores](AdminContext &context) { return orderDetail(*app, *stores, context); }});
    application.addRoute(
        {"POST",
         "/admin/orders/{id}/cancel",
         AdminAuth::Session,
         Permission::ManageOrders,
         StepUp::No,
         ResponseKind::Html,
         AdminBody::Form,
         1024,
         {},
         [app, stores](AdminContext &context) { return orderAction(*app, *stores, context, OrderAction::Cancel); }});
    application.addRoute(
        {"POST",
         "/admin/orders/{id}/release",
         AdminAuth::Session,
         Permission::ManageOrders,
         StepUp::No,
         ResponseKind::Html,
         AdminBody::Form,
         1024,
         {},
         [app, stores](AdminContext &context) { return orderAction(*app, *stores, context, OrderAction::Release); }});
    application.addRoute({"GET",
                          "/admin/orders/import",
                          AdminAuth::Session,
                          Permission::ImportData,
                          StepUp::No,
                          ResponseKind::Html,
                          AdminBody::None,
                          0,
                          {},
                          [](AdminContext &context) { return importPage(context.page, 200, Html(), {}); }});
    application.addRoute({"POST",
                          "/admin/orders/import",
                          AdminAuth::Session,
                          Permission::ImportData,
                          StepUp::No,
                          ResponseKind::Html,
                          AdminBody::Form,
                          maxImportBodyBytes,
                          {},
                          [app, stores](AdminContext &context) { return importPreview(*app, *stores, context); }});
    application.addRoute({"POST",
                          "/admin/orders/import/commit",
                          AdminAuth::Session,
                          Permission::ImportData,
                          StepUp::No,
                          ResponseKind::Html,
                          AdminBody::Form,
                          maxImportBodyBytes,
                          {},
                          [app, stores](AdminContext &context) { return importCommit(*app, *stores, context); }});
}

} // namespace Server::Admin
