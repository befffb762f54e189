#include "server/admin/auditpages.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <variant>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include "server/admin/adminapplication.h"
#include "server/audit/announce.h"
#include "server/audit/verifier.h"
#include "server/storage/store.h"
#include "server/storage/storepool.h"

namespace Server::Admin {

namespace {

namespace json = boost::json;
using Net::HttpResponse;

constexpr int defaultPageRows = 50;
constexpr int maxPageRows = 200;
constexpr std::size_t verifyFormBytes = 1024;

struct AuditFilter
{
    std::string event;
    std::string actor; // as typed (a user name or an actor string)
    std::string from;  // YYYY-MM-DD
    std::string to;
    std::int64_t before = 0;
    std::int64_t after = 0;
    int limit = defaultPageRows;
    std::int64_t verified = 0;
};

struct FilterProblem
{
    Message reason;
    std::string field;
};

bool isDigits(std::string_view text, std::size_t maxLength)
{
    return !text.empty() && text.size() <= maxLength &&
           std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::optional<std::chrono::sys_days> parseDay(std::string_view text)
{
    if (text.size() != 10 || text[4] != '-' || text[7] != '-' || !isDigits(text.substr(0, 4), 4) ||
        !isDigits(text.substr(5, 2), 2) || !isDigits(text.substr(8, 2), 2))
        return std::nullopt;
    const std::chrono::year_month_day day{std::chrono::year(std::stoi(std::string(text.substr(0, 4)))),
                                          std::chrono::month(unsigned(std::stoi(std::string(text.substr(5, 2))))),
                                          std::chrono::day(unsigned(std::stoi(std::string(text.substr(8, 2)))))};
    if (!day.ok())
        return std::nullopt;
    return std::chrono::sys_days(day);
}

std::string dayText(std::chrono::sys_days day)
{
    const std::chrono::year_month_day parts(day);
    char text[16];
    std::snprintf(text, sizeof text, "%04d-%02u-%02u", int(parts.year()), unsigned(parts.month()),
                  unsigned(parts.day()));
    return text;
}

// The filter from the query, or the first problem with it.
std::variant<AuditFilter, FilterProblem> readFilter(const Net::HttpRequest &request)
{
    AuditFilter filter;
    const auto value = [&request](std::string_view name) { return std::string(request.queryValue(name).value_or("")); };
    filter.event = value("event");
    filter.actor = value("actor");
    filter.from = value("from");
    filter.to = value("to");
    if (!filter.event.empty() &&
        (filter.event.size() > 64 || !std::all_of(filter.event.begin(), filter.event.end(), [](char c) {
             return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
         })))
        return FilterProblem{Message::AuditBadEvent, "event"};
    if (filter.actor.size() > 128)
        return FilterProblem{Message::AuditBadActor, "actor"};
    if (!filter.from.empty() && !parseDay(filter.from))
        return FilterProblem{Message::AuditBadDate, "from"};
    if (!filter.to.empty() && !parseDay(filter.to))
        return FilterProblem{Message::AuditBadDate, "to"};
    for (const auto &[name, target] : {std::pair<const char *, std::int64_t *>{"before", &filter.before},
                                       std::pair<const char *, std::int64_t *>{"after", &filter.after},
                                       std::pair<const char *, std::int64_t *>{"verified", &filter.verified}}) {
        const std::string text = value(name);
        if (text.empty())
            continue;
        if (!isDigits(text, 18) || text[0] == '0')
            return FilterProblem{Message::AuditBadSeq, name};
        *target = std::stoll(text);
    }
    if (filter.before > 0 && filter.after > 0)
        return FilterProblem{Message::AuditBadSeq, "after"};
    if (const std::string text = value("limit"); !text.empty()) {
        if (!isDigits(text, 3) || std::stoi(text) < 1 || std::stoi(text) > maxPageRows)
            return FilterProblem{Message::AuditBadLimit, "limit"};
        filter.limit = std::stoi(text);
    }
    return filter;
}

// "/admin/audit?event=…&…" with the filter and `extra` ("before=12").
std::string auditLink(const AuditFilter &filter, const std::string &extra)
{
    std::string link = "/admin/audit";
    char separator = '?';
    const auto add = [&](std::string_view name, const std::string &text) {
        if (text.empty())
            return;
        link += separator + std::string(name) + "=" + encodeUriComponent(text);
        separator = '&';
    };
    add("event", filter.event);
    add("actor", filter.actor);
    add("from", filter.from);
    add("to", filter.to);
    if (filter.limit != defaultPageRows)
        add("limit", std::to_string(filter.limit));
    if (!extra.empty()) {
        link += separator + extra;
    }
    return link;
}

Element textInput(const char *name, const std::string &value, int maxLength, const char *type = "text")
{
    return std::move(Element("input")
                         .attribute("type", type)
                         .attribute("name", name)
                         .attribute("value", value)
                         .attribute("maxlength", maxLength));
}

std::string detailString(const json::object &object, std::string_view key)
{
    const auto found = object.if_contains(key);
    if (!found)
        return {};
    if (found->is_string())
        return std::string(found->as_string().c_str());
    if (found->is_int64())
        return std::to_string(found->as_int64());
    if (found->is_bool())
        return found->as_bool() ? "true" : "false";
    return json::serialize(*found);
}

// The result box of a verification recorded as audit entry `entry`.
Html verifyResult(const PageContext &context, const Storage::AuditRecord &entry)
{
    json::object details;
    std::error_code error;
    auto parsed = json::parse(entry.details, error);
    if (!error && parsed.is_object())
        details = parsed.as_object();
    const bool ok = entry.outcome == "success";
    Element box("section");
    box.attribute("class", ok ? "card verify-ok" : "card error-box verify-failed")
        .attribute("id", "verify-result")
        .attribute("data-outcome", ok ? "ok" : "tampered")
        .child(Element("h2").child(translated(context, ok ? Message::AuditVerifyOk : Message::AuditVerifyFailed)));
    Element rows("tbody");
    const auto row = [&](Message label, const Html &value) {
        rows.child(Element("tr")
                       .child(Element("th").attribute("scope", "row").child(translated(context, label)))
                       .child(Element("td").child(value)));
    };
    row(Message::AuditVerifiedAt, Element("time").attribute("datetime", entry.at).text(entry.at));
    row(Message::AuditVerifyEntries, Html::text(detailString(details, "entries")));
    row(Message::AuditVerifyLastSeq, Html::text(detailString(details, "last_seq")));
    row(Message::AuditVerifyCheckpoints, Html::text(detailString(details, "checkpoints")));
    const std::string checkpointSeq = detailString(details, "last_checkpoint_seq");
    if (checkpointSeq.empty())
        row(Message::AuditVerifyLastCheckpoint, translated(context, Message::AuditVerifyNoCheckpoint));
    else
        row(Message::AuditVerifyLastCheckpoint,
            Html::text("#" + detailString(details, "last_checkpoint_id") + ", seq " + checkpointSeq + ", ") +
                Element("time")
                    .attribute("datetime", detailString(details, "last_checkpoint_at"))
                    .text(detailString(details, "last_checkpoint_at"))
                    .html());
    if (!ok) {
        row(Message::AuditVerifyProblem, Element("code").text(detailString(details, "problem")));
        const std::string badSeq = detailString(details, "bad_seq");
        if (!badSeq.empty() && badSeq != "0")
            row(Message::AuditVerifyFirstBadSeq, Element("strong").attribute("class", "bad-seq").text(badSeq).html());
    }
    box.child(Element("table").child(rows));
    return box;
}

Html auditPage(const PageContext &context, const AuditFilter &filter, const std::optional<FilterProblem> &problem,
               const std::vector<Storage::AuditRecord> &entries, bool olderExist, bool newerExist,
               const std::map<std::string, std::string> &usernames,
               const std::optional<Storage::AuditRecord> &verification)
{
    Html content;
    if (verification)
        content += verifyResult(context, *verification);

    content += Element("section")
                   .attribute("class", "card")
                   .child(Element("p").child(translated(context, Message::AuditVerifyIntro)))
                   .child(Element("form")
                              .attribute("method", "post")
                              .attribute("action", "/admin/audit/verify")
                              .child(csrfField(context.csrfToken))
                              .child(Element("button")
                                         .attribute("type", "submit")
                                         .attribute("id", "verify-chain")
                                         .child(translated(context, Message::AuditVerifyButton))))
                   .html();

    Element form("form");
    form.attribute("class", "filters").attribute("method", "get").attribute("action", "/admin/audit");
    form.child(labelled(context, Message::AuditEvent, textInput("event", filter.event, 64)))
        .child(labelled(context, Message::AuditActor, textInput("actor", filter.actor, 128)))
        .child(labelled(context, Message::AuditFrom, textInput("from", filter.from, 10, "date")))
        .child(labelled(context, Message::AuditTo, textInput("to", filter.to, 10, "date")))
        .child(labelled(context, Message::AuditLimit,
                        std::move(Element("input")
                                      .attribute("type", "number")
                                      .attribute("name", "limit")
                                      .attribute("min", 1)
                                      .attribute("max", maxPageRows)
                                      .attribute("value", filter.limit))))
        .child(Element("button").attribute("type", "submit").child(translated(context, Message::AuditApply)))
        .child(Element("a").attribute("href", "/admin/audit").child(translated(context, Message::AuditClear)));
    Element filters("section");
    filters.attribute("class", "card").child(Element("h2").child(translated(context, Message::AuditFilter)));
    if (problem)
        filters.child(Element("p")
                          .attribute("class", "error-box")
                          .attribute("data-field", problem->field)
                          .child(translated(context, Message::AuditInvalidFilter))
                          .child(Html::literal(": "))
                          .child(translated(context, problem->reason)));
    filters.child(form);
    content += filters.html();

    Element list("section");
    list.attribute("class", "card");
    if (entries.empty()) {
        list.child(Element("p").attribute("class", "muted").child(translated(context, Message::AuditNoEntries)));
    } else {
        Element table("table");
        table.attribute("class", "audit");
        table.child(tableHead(context, {Message::AuditSeq, Message::Time, Message::AuditEvent, Message::AuditActor,
                                        Message::AuditRole, Message::AuditSourceIp, Message::AuditListener,
                                        Message::AuditTarget, Message::AuditOutcome, Message::Details}));
        Element body("tbody");
        for (const Storage::AuditRecord &entry : entries) {
            Element actor("td");
            actor.attribute("title", entry.actor);
            const auto user =
                entry.actor.starts_with("admin:") ? usernames.find(entry.actor.substr(6)) : usernames.end();
            if (user != usernames.end())
                actor.text(user->second);
            else
                actor.text(entry.actor);
            body.child(
                Element("tr")
                    .attribute("data-seq", entry.id)
                    .attribute("data-event", entry.event)
                    .child(Element("td").attribute("class", "number").child(Html::number(entry.id)))
                    .child(Element("td").child(Element("time").attribute("datetime", entry.at).text(entry.at)))
                    .child(Element("td").child(Element("code").text(entry.event)))
                    .child(actor)
                    .child(Element("td").text(entry.role))
                    .child(Element("td").text(entry.sourceIp))
                    .child(Element("td").text(entry.listener))
                    .child(Element("td").attribute("class", "target").text(entry.target))
                    .child(Element("td").text(entry.outcome))
                    .child(Element("td").child(Element("code").attribute("class", "details").text(entry.details))));
        }
        table.child(body);
        list.child(table);
    }
    Element pager("p");
    pager.attribute("class", "pager");
    if (!entries.empty() && newerExist)
        pager
            .child(Element("a")
                       .attribute("rel", "prev")
                       .attribute("href", auditLink(filter, "after=" + std::to_string(entries.front().id)))
                       .child(translated(context, Message::AuditNewer)))
            .child(Html::literal(" "));
    if (!entries.empty() && olderExist)
        pager.child(Element("a")
                        .attribute("rel", "next")
                        .attribute("href", auditLink(filter, "before=" + std::to_string(entries.back().id)))
                        .child(translated(context, Message::AuditOlder)));
    list.child(pager);
    content += list.html();
    return layout(context, Message::AuditTitle, content);
}

std::string actorOf(const AdminSession &session)
{
    return "admin:" + session.userId;
}

} // namespace

void installAuditPages(AdminApplication &application, Storage::StorePool &pool, const AuditPagesConfig &config)
{
    AdminApplication *app = &application;
    Storage::StorePool *stores = &pool;

    app->addRoute(
        {"GET",
         "/admin/audit",
         AdminAuth::Session,
         Permission::ViewAudit,
         StepUp::No,
         ResponseKind::Html,
         AdminBody::None,
         0,
         {"event", "actor", "from", "to", "before", "after", "limit", "verified"},
         [app, stores](AdminContext &context) -> HttpResponse {
             auto lease = stores->acquire();
             if (!lease)
                 return app->errorResponse(ResponseKind::Html, context.page, 503, "unavailable", context.request);
             Storage::Store &store = **lease;
             auto read = readFilter(context.request);
             std::optional<FilterProblem> problem;
             AuditFilter filter;
             if (std::holds_alternative<FilterProblem>(read))
                 problem = std::get<FilterProblem>(read);
             else
                 filter = std::get<AuditFilter>(read);

             std::map<std::string, std::string> usernames;
             auto users = store.adminUsers();
             if (!users)
                 return app->errorResponse(ResponseKind::Html, context.page, 500, "internal", context.request);
             for (const auto &user : *users)
                 usernames[user.id] = user.username;

             std::vector<Storage::AuditRecord> entries;
             bool olderExist = false;
             bool newerExist = false;
             std::optional<Storage::AuditRecord> verification;
             if (!problem) {
                 Storage::Store::AuditSearch search;
                 search.event = filter.event;
                 search.actor = filter.actor;
                 // A user name stands for that admin's actor string.
                 for (const auto &user : *users)
                     if (!filter.actor.empty() &&
                         Storage::adminUsernameKey(user.username) == Storage::adminUsernameKey(filter.actor))
                         search.actor = "admin:" + user.id;
                 if (!filter.from.empty())
                     search.fromAt = filter.from;
                 if (!filter.to.empty())
                     search.toAt = dayText(*parseDay(filter.to) + std::chrono::days(1));
                 search.beforeSeq = filter.before;
                 search.afterSeq = filter.after;
                 search.limit = filter.limit + 1; // one more says whether another page exists
                 auto found = store.searchAudit(search);
                 if (!found)
                     return app->errorResponse(ResponseKind::Html, context.page, 500, "internal", context.request);
                 entries = std::move(*found);
                 const bool more = static_cast<int>(entries.size()) > filter.limit;
                 if (more)
                     entries.pop_back();
                 if (filter.after > 0) {
                     std::reverse(entries.begin(), entries.end()); // newest first on screen
                     newerExist = more;
                     olderExist = true;
                 } else {
                     olderExist = more;
                     newerExist = filter.before > 0;
                 }
                 if (filter.verified > 0) {
                     Storage::Store::AuditSearch one;
                     one.event = "audit_verify";
                     one.beforeSeq = filter.verified + 1;
                     one.limit = 1;
                     auto shown = store.searchAudit(one);
                     if (shown && !shown->empty() && shown->front().id == filter.verified)
                         verification = shown->front();
                 }
             }
             return htmlResponse(problem ? 400 : 200, auditPage(context.page, filter, problem, entries, olderExist,
                                                                newerExist, usernames, verification));
         }});

    app->addRoute(
        {"POST",
         "/admin/audit/verify",
         AdminAuth::Session,
         Permission::ViewAudit,
         StepUp::No,
         ResponseKind::Html,
         AdminBody::Form,
         verifyFormBytes,
         {},
         [app, stores, keys = config.trustedKeys](AdminContext &context) -> HttpResponse {
             auto lease = stores->acquire();
             if (!lease)
                 return app->errorResponse(ResponseKind::Html, context.page, 503, "unavailable", context.request);
             Storage::Store &store = **lease;
             auto report = Audit::verifyAuditTrail(store, keys);
             if (!report)
                 return app->errorResponse(ResponseKind::Html, context.page, 500, "internal", context.request);
             auto checkpoint = store.lastAuditCheckpoint();
             if (!checkpoint)
                 return app->errorResponse(ResponseKind::Html, context.page, 500, "internal", context.request);
             json::object details;
             details["ok"] = report->ok;
             details["entries"] = report->entries;
             details["last_seq"] = report->lastSeq;
             details["checkpoints"] = report->checkpoints;
             if (*checkpoint) {
                 details["last_checkpoint_id"] = (*checkpoint)->id;
                 details["last_checkpoint_seq"] = (*checkpoint)->seq;
                 details["last_checkpoint_at"] = (*checkpoint)->at;
             }
             if (!report->ok) {
                 details["problem"] = report->problem;
                 details["bad_seq"] = report->badSeq;
             }
             details["ip"] = context.request.peer.address;
             details["request_id"] = context.request.requestId;
             Storage::AuditRecord entry;
             entry.actor = actorOf(*context.session);
             entry.role = std::string(roleName(context.session->role));
             entry.event = "audit_verify";
             entry.target = "audit";
             entry.details = json::serialize(details);
             entry.sourceIp = context.request.peer.address;
             entry.listener = "admin";
             entry.requestId = context.request.requestId;
             entry.outcome = report->ok ? "success" : "failure";
             const Audit::Announcement announcement{"audit_verify",
                                                    report->ok ? "Audit chain verified" : "Audit chain TAMPERED",
                                                    report->summary() + " (checked by " + context.session->username +
                                                        " from " + context.request.peer.address + ")"};
             auto seq = Storage::retryTransient(store, [&]() -> Common::Result<std::int64_t> {
                 Storage::Transaction transaction(store);
                 if (!transaction.started())
                     return tl::unexpected(transaction.started().error());
                 auto appended = Audit::appendAndAnnounce(store, entry, announcement);
                 if (!appended)
                     return appended;
                 if (auto committed = transaction.commit(); !committed)
                     return tl::unexpected(committed.error());
                 return appended;
             });
             if (!seq)
                 return app->errorResponse(ResponseKind::Html, context.page, 503, "unavailable", context.request);
             HttpResponse response = redirectResponse("/admin/audit?verified=" + std::to_string(*seq));
             response.status = 303;
             return response;
         }});
}

} // namespace Server::Admin
