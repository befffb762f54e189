#include <QTest>

#include <algorithm>
#include <cctype>

#include "server/admin/adminapplication.h"
#include "server/admin/dashboard.h"
#include "server/admin/terminalpages.h"
#include "server/api/apiapplication.h"
#include "server/audit/announce.h"
#include "server/oms/adminservice.h"
#include "server/ops/servermetrics.h"
#include "server/storage/store.h"
#include "server/sync/syncservice.h"
#include "tests/server/adminrequest.h"
#include "tests/server/fakesessions.h"
#include "tests/server/serverfixture.h"

// In-process tests of the terminals pages (server/admin/terminalpages.*, dashboard.*) through
// AdminApplication::handle, on both backends, with a fake SessionProvider: the conflict queue and
// its resolutions (DB effect, stock movement, audit row and announcement in one transaction, once
// only), device enrollment codes (QR once, usable once) and revocation (the api listener refuses
// the device's next request, also on a resumed TLS session), the dashboard's "today" counts, and
// the refusals: wrong role 403, stale step-up 403, missing CSRF 403, bad input re-rendered.
using namespace TestSupport;
using namespace Server::Admin;
using Server::Net::HttpRequest;
using Server::Net::HttpResponse;
using Server::Net::Listener;
using Resolution = Server::Storage::Store::ConflictResolution;

namespace {

const std::chrono::system_clock::time_point s_now{std::chrono::seconds(1'800'000'000)}; // 2027-01-15T08:00:00Z
constexpr const char *s_today = "2027-01-15T08:00:00.000Z";
constexpr const char *s_yesterday = "2027-01-14T23:30:00.000Z";
constexpr const char *s_xss = "<img src=x onerror=alert(1)>";

std::optional<std::string> header(const HttpResponse &response, std::string_view name)
{
    for (const auto &[key, value] : response.headers) {
        if (QByteArray::fromStdString(key).toLower() == QByteArray(name.data(), qsizetype(name.size())).toLower())
            return value;
    }
    return std::nullopt;
}

bool contains(const HttpResponse &response, std::string_view text)
{
    return response.body.find(text) != std::string::npos;
}

} // namespace

class TestAdminTerminals : public QObject
{
    Q_OBJECT

    std::unique_ptr<ServerWorld> m_world;
    std::unique_ptr<Server::Storage::StorePool> m_pool; // the application's, on the store clock below
    std::string m_storeNow = s_today;
    std::chrono::system_clock::time_point m_metricsNow = s_now;
    std::unique_ptr<Server::Ops::ServerMetrics> m_metrics;
    std::unique_ptr<AdminApplication> m_admin;
    int m_requests = 0;

    Common::Result<std::optional<AdminSession>> lookUp(const SessionQuery &query)
    {
        return fakeRoleSession(query, s_now);
    }

    HttpRequest get(std::string path, std::string token, std::vector<std::pair<std::string, std::string>> query = {})
    {
        return TestSupport::adminRequest({"GET",
                                          std::move(path),
                                          std::move(token),
                                          {},
                                          std::move(query),
                                          TestSupport::numberedRequestId("6e2d0f1b", ++m_requests),
                                          "192.0.2.9"});
    }

    // A same-origin form POST with the session's CSRF token unless `csrf` is false.
    HttpRequest post(std::string path, const std::string &token,
                     std::vector<std::pair<std::string, std::string>> fields, bool csrf = true)
    {
        HttpRequest request = get(std::move(path), token);
        request.method = "POST";
        request.headers.emplace_back("content-type", "application/x-www-form-urlencoded");
        request.headers.emplace_back("sec-fetch-site", "same-origin");
        request.headers.emplace_back("origin", "https://localhost:8445");
        if (csrf)
            fields.insert(fields.begin(), {"csrf", "csrf-key-" + csrfIdOf(token)});
        for (const auto &[name, value] : fields)
            request.body +=
                (request.body.empty() ? "" : "&") + encodeUriComponent(name) + "=" + encodeUriComponent(value);
        return request;
    }

    std::string csrfIdOf(const std::string &token)
    {
        auto found = lookUp(SessionQuery{token, {}, {}});
        return found && *found ? (*found)->userId : std::string("none");
    }

    HttpResponse send(const HttpRequest &request) { return m_admin->handle(request); }

    Server::Storage::StoreLease lease()
    {
        auto leased = m_pool->acquire();
        if (!leased)
            qFatal("no store: %s", leased.error().message.c_str());
        return std::move(*leased);
    }

    // Pushes `ops` for dev1 through the sync service; returns the outcomes' conflict count.
    void push(std::vector<Common::Protocol::PushOp> ops)
    {
        auto store = lease();
        Server::Sync::SyncService sync(*store);
        auto device = store->device(dev1);
        QVERIFY(device && *device);
        auto answer = sync.push(**device, makePush(dev1, std::move(ops)));
        QVERIFY2(answer, answer ? "" : answer.error().message.c_str());
    }

    // Receives 5 × S1 into A-1, then picks 2 for an order cancelled meanwhile: one
    // `order_cancelled` conflict whose op took stock out of A-1 (balance 3). Returns its id.
    std::int64_t cancelledPickConflict()
    {
        const std::int64_t order = m_world->releasedOrder("SO-C", 2);
        push({makeOp(1, opId(1, 1), receive("A-1", 5))});
        if (!m_world->store->setOrderState(order, Common::Domain::OrderState::Cancelled, "TKY1"))
            qFatal("cannot cancel");
        push({makeOp(2, opId(1, 2), pick(order, "A-1", 2))});
        return onlyOpenConflict("order_cancelled");
    }

    std::int64_t onlyOpenConflict(const char *reason)
    {
        auto store = lease();
        auto queue = store->conflictQueue(100);
        if (!queue)
            qFatal("queue: %s", queue.error().message.c_str());
        std::int64_t id = 0;
        for (const auto &entry : *queue)
            if (!entry.resolvedAt && entry.conflict.reason == reason)
                id = entry.conflict.id;
        return id;
    }

    std::vector<Server::Storage::AuditRecord> auditEvents(std::string_view event)
    {
        std::vector<Server::Storage::AuditRecord> out;
        auto rows = lease()->audit(0, 100000);
        for (const auto &row : rows ? *rows : std::vector<Server::Storage::AuditRecord>{})
            if (row.event == event)
                out.push_back(row);
        return out;
    }

    std::int64_t alertCount() { return static_cast<std::int64_t>(lease()->alerts(0, 100000)->size()); }
    std::size_t movementCount() { return lease()->movements("S1", 0, 100000)->size(); }

    void addSessionUsers()
    {
        using Server::Storage::AdminRole;
        auto inserted = insertFakeSessionUsers(*lease(), {{"1", AdminRole::Admin}, {"4", AdminRole::Supervisor}});
        QVERIFY2(inserted, inserted ? "" : inserted.error().message.c_str());
    }

    // POST …/resolve with an adjustment of `quantity` units of S1 in `location` (no lot).
    HttpResponse adjust(std::int64_t conflict, const std::string &token, const char *location, const char *quantity,
                        const char *note)
    {
        return send(post("/admin/conflicts/" + std::to_string(conflict) + "/resolve", token,
                         {{"action", "adjust"},
                          {"note", note},
                          {"sku", "S1"},
                          {"location", location},
                          {"lot", ""},
                          {"quantity", quantity}}));
    }

    // A negative-stock conflict: a pick of 4 from an empty bin pushed as op `seq` of dev1.
    std::int64_t negativeStockConflict(const std::string &order, int seq, const char *location)
    {
        const std::int64_t id = m_world->releasedOrder(order, 4);
        push({makeOp(seq, opId(3, seq), pick(id, location, 4))});
        auto queue = lease()->conflictQueue(100);
        std::int64_t newest = 0;
        for (const auto &entry : queue ? *queue : std::vector<Server::Storage::Store::ConflictEntry>{})
            if (!entry.resolvedAt && entry.conflict.reason == "negative_stock")
                newest = std::max(newest, entry.conflict.id);
        return newest;
    }

    std::vector<Server::Storage::ApprovalRecord> pendingApprovals()
    {
        auto pending = lease()->pendingApprovals();
        return pending ? *pending : std::vector<Server::Storage::ApprovalRecord>{};
    }

private Q_SLOTS:
    void initTestCase_data() { addBackendRows(); }

    void init()
    {
        SOKO_CHECK_BACKEND();
        m_world = std::make_unique<ServerWorld>();
        m_storeNow = s_today;
        m_metricsNow = s_now;
        Server::Storage::StoreOptions options;
        options.durable = false;
        options.clock = [this] { return m_storeNow; };
        auto opened = Server::Storage::openStorePool(m_world->database.location(), options);
        QVERIFY2(opened, opened ? "" : opened.error().message.c_str());
        m_pool = std::move(*opened);
        m_metrics = std::make_unique<Server::Ops::ServerMetrics>([this] { return m_metricsNow; });
        AdminConfig config;
        config.sessions = [this](const SessionQuery &query) { return lookUp(query); };
        config.csrf.issue = [](const AdminSession &session) { return "csrf-" + session.csrfKey; };
        config.csrf.verify = [](const AdminSession &session, std::string_view token) {
            return token == "csrf-" + session.csrfKey;
        };
        config.metrics = m_metrics.get();
        config.clock = [] { return s_now; };
        m_admin = std::make_unique<AdminApplication>(*m_pool, config);
    }

    void cleanup()
    {
        m_admin.reset();
        m_metrics.reset();
        m_pool.reset();
        m_world.reset();
    }

    void migrations()
    {
        auto store = lease();
        QCOMPARE(*store->schemaVersion(), 5);
        QCOMPARE(*store->openConflictCount(), std::int64_t(0));
    }

    // The queue and the detail show what happened, who and where, escaped (R32).
    void conflictQueueEscapesAndShowsContext()
    {
        const std::int64_t id = cancelledPickConflict();
        QVERIFY(id > 0);
        {
            auto store = lease();
            QVERIFY(store->insertDevice({"44444444-4444-4444-8444-444444444444",
                                         "TKY1",
                                         "\" autofocus onfocus=x",
                                         "0A04",
                                         Server::Storage::DeviceStatus::Active,
                                         1,
                                         {}}));
            Server::Storage::ConflictRecord hostile;
            hostile.warehouse = "TKY1";
            hostile.deviceId = "44444444-4444-4444-8444-444444444444";
            hostile.opId = opId(7, 7);
            hostile.reason = "negative_stock";
            hostile.message = s_xss;
            QVERIFY(store->insertConflict(hostile));
        }
        const HttpResponse list = send(get("/admin/conflicts", "viewer"));
        QCOMPARE(list.status, 200);
        QVERIFY(header(list, "content-security-policy").has_value());
        QVERIFY(contains(list, "&lt;img src=x onerror=alert(1)&gt;"));
        QVERIFY(!contains(list, s_xss));
        QVERIFY(contains(list, "&quot; autofocus onfocus=x"));
        QVERIFY(!contains(list, "\" autofocus"));
        QVERIFY(contains(list, "order_cancelled"));
        QVERIFY(contains(list, ">HT-01<")); // the terminal by its label
        QVERIFY(contains(list, ">OP-1<"));  // the operator of the op
        QVERIFY(contains(list, ">pick<"));  // the op type
        QVERIFY(contains(list, "class=\"open-conflicts\">2<"));
        QVERIFY(contains(list, "href=\"/admin/conflicts/" + std::to_string(id) + "\""));

        const HttpResponse detail = send(get("/admin/conflicts/" + std::to_string(id), "viewer"));
        QCOMPARE(detail.status, 200);
        QVERIFY(contains(detail, opId(1, 2)));
        QVERIFY(contains(detail, "&quot;order_id&quot;")); // the payload, as text
        QVERIFY(contains(detail, "TKY1"));
        // A viewer sees no resolve form.
        QVERIFY(!contains(detail, "/resolve\""));
        const HttpResponse supervisor = send(get("/admin/conflicts/" + std::to_string(id), "supervisor"));
        QVERIFY(contains(supervisor, "action=\"/admin/conflicts/" + std::to_string(id) + "/resolve\""));
        QVERIFY(contains(supervisor, "value=\"return_to_stock\""));
        QCOMPARE(send(get("/admin/conflicts/999999", "viewer")).status, 404);
    }

    // Return to stock: the picked quantity goes back to its bin once, with audit + announcement.
    void returnToStockOnce()
    {
        const std::int64_t id = cancelledPickConflict();
        QCOMPARE(m_world->balance("A-1"), Common::Domain::Quantity(3));
        const std::size_t movementsBefore = movementCount();
        const std::int64_t alertsBefore = alertCount();
        const std::string path = "/admin/conflicts/" + std::to_string(id) + "/resolve";
        const HttpResponse done =
            send(post(path, "supervisor", {{"action", "return_to_stock"}, {"note", "put back <b>bin</b>"}}));
        QCOMPARE(done.status, 303);
        QCOMPARE(header(done, "location").value_or(""), "/admin/conflicts/" + std::to_string(id) + "?done=resolved");
        QCOMPARE(m_world->balance("A-1"), Common::Domain::Quantity(5));
        QCOMPARE(movementCount(), movementsBefore + 1);
        const auto last = lease()->movements("S1", 0, 100000)->back();
        QCOMPARE(last.movement.quantityDelta, Common::Domain::Quantity(2));
        QVERIFY(last.movement.reason == Common::Domain::MovementReason::Return);
        {
            auto entry = lease()->conflictEntry(id);
            QVERIFY(entry && *entry);
            QVERIFY((*entry)->resolvedAt.has_value());
            QVERIFY((*entry)->resolution == Resolution::ReturnToStock);
            QCOMPARE((*entry)->resolvedBy, std::string("admin:4"));
            QCOMPARE((*entry)->resolutionNote, std::string("put back <b>bin</b>"));
            QCOMPARE(*lease()->openConflictCount(), std::int64_t(0));
        }
        const auto audits = auditEvents("conflict_resolved");
        QCOMPARE(audits.size(), std::size_t(1));
        QCOMPARE(audits[0].actor, std::string("admin:4"));
        QCOMPARE(audits[0].target, "conflict:" + std::to_string(id));
        QCOMPARE(audits[0].listener, std::string("admin"));
        QCOMPARE(audits[0].sourceIp, std::string("192.0.2.9"));
        QVERIFY(audits[0].details.find("\"quantity_delta\":2") != std::string::npos);
        QVERIFY(audits[0].details.find("\"action\":\"return_to_stock\"") != std::string::npos);
        QCOMPARE(alertCount(), alertsBefore + 1);

        // The detail shows the resolution, the note escaped.
        const HttpResponse detail =
            send(get("/admin/conflicts/" + std::to_string(id), "viewer", {{"done", "resolved"}}));
        QVERIFY(contains(detail, "put back &lt;b&gt;bin&lt;/b&gt;"));
        QVERIFY(contains(detail, "Conflict resolved."));
        QVERIFY(contains(detail, "Return to stock"));

        // Twice: refused, nothing more written.
        const HttpResponse again = send(post(path, "supervisor", {{"action", "return_to_stock"}, {"note", "again"}}));
        QCOMPARE(again.status, 409);
        QVERIFY(contains(again, "already been resolved"));
        QCOMPARE(m_world->balance("A-1"), Common::Domain::Quantity(5));
        QCOMPARE(movementCount(), movementsBefore + 1);
        QCOMPARE(auditEvents("conflict_resolved").size(), std::size_t(1));
        // And straight through the function: Conflict.
        auto direct = resolveConflict(*lease(), id, {Resolution::Accept, "late", std::nullopt}, {"admin:1", "", ""});
        QVERIFY(!direct);
        QVERIFY(direct.error().code == Common::ErrorCode::Conflict);
    }

    // Adjust: one Adjustment movement of the given quantity; bad adjustments are refused with the
    // reason and nothing is written.
    void adjustAndRefusals()
    {
        const std::int64_t order = m_world->releasedOrder("SO-N", 4);
        push({makeOp(1, opId(2, 1), pick(order, "A-2", 4))}); // A-2 holds nothing: negative stock
        const std::int64_t id = onlyOpenConflict("negative_stock");
        QVERIFY(id > 0);
        QCOMPARE(m_world->balance("A-2"), Common::Domain::Quantity(-4));
        const std::string path = "/admin/conflicts/" + std::to_string(id) + "/resolve";
        const std::size_t movementsBefore = movementCount();
        const auto nothingWritten = [&] {
            QCOMPARE(m_world->balance("A-2"), Common::Domain::Quantity(-4));
            QCOMPARE(movementCount(), movementsBefore);
            QCOMPARE(auditEvents("conflict_resolved").size(), std::size_t(0));
            QCOMPARE(*lease()->openConflictCount(), std::int64_t(1));
        };

        // Wrong role, stale CSRF, missing note, bad quantity, unknown bin, return not applicable.
        QCOMPARE(send(post(path, "viewer", {{"action", "accept"}, {"note", "x"}})).status, 403);
        QCOMPARE(send(post(path, "back-office", {{"action", "accept"}, {"note", "x"}})).status, 403);
        QCOMPARE(send(post(path, "supervisor", {{"action", "accept"}, {"note", "x"}}, false)).status, 403);
        HttpRequest forged = post(path, "supervisor", {{"action", "accept"}, {"note", "x"}}, false);
        forged.body = "csrf=csrf-key-3&action=accept&note=x"; // the viewer's token
        QCOMPARE(send(forged).status, 403);
        nothingWritten();
        const HttpResponse noNote = send(post(path, "supervisor", {{"action", "accept"}, {"note", ""}}));
        QCOMPARE(noNote.status, 400);
        QVERIFY(contains(noNote, "A note is required"));
        const HttpResponse badAction = send(post(path, "supervisor", {{"action", "delete"}, {"note", "n"}}));
        QCOMPARE(badAction.status, 400);
        const HttpResponse zero = send(post(
            path, "supervisor",
            {{"action", "adjust"}, {"note", "n"}, {"sku", "S1"}, {"location", "A-2"}, {"lot", ""}, {"quantity", "0"}}));
        QCOMPARE(zero.status, 400);
        QVERIFY(contains(zero, "The adjustment is invalid"));
        QVERIFY(contains(zero, "value=\"0\"")); // the form comes back with what was typed
        const HttpResponse unknownBin = send(post(
            path, "supervisor",
            {{"action", "adjust"}, {"note", "n"}, {"sku", "S1"}, {"location", "B-1"}, {"lot", ""}, {"quantity", "4"}}));
        QCOMPARE(unknownBin.status, 400); // B-1 is in OSA1, the conflict is in TKY1
        const HttpResponse lotMissing = send(post(
            path, "supervisor",
            {{"action", "adjust"}, {"note", "n"}, {"sku", "S2"}, {"location", "A-2"}, {"lot", ""}, {"quantity", "4"}}));
        QCOMPARE(lotMissing.status, 400); // S2 is lot-controlled
        nothingWritten();

        const HttpResponse done = send(post(path, "admin",
                                            {{"action", "adjust"},
                                             {"note", "found 4 in A-2"},
                                             {"sku", "S1"},
                                             {"location", "A-2"},
                                             {"lot", ""},
                                             {"quantity", "+4"}}));
        QCOMPARE(done.status, 303);
        QCOMPARE(m_world->balance("A-2"), Common::Domain::Quantity(0));
        QCOMPARE(movementCount(), movementsBefore + 1);
        const auto last = lease()->movements("S1", 0, 100000)->back();
        QVERIFY(last.movement.reason == Common::Domain::MovementReason::Adjustment);
        QCOMPARE(last.movement.location, std::string("A-2"));
        QCOMPARE(auditEvents("conflict_resolved").size(), std::size_t(1));
        QVERIFY(auditEvents("conflict_resolved")[0].details.find("\"balance\":0") != std::string::npos);
        // This op put nothing into a bin, so return-to-stock is not offered for a receive.
        QVERIFY(!returnOf("receive", R"({"sku":"S1","location":"A-1","quantity":1})"));
        QVERIFY(returnOf("short_pick", R"({"order_id":1,"line":1,"sku":"S1","location":"A-1","quantity_picked":2})"));
    }

    // R27: an adjustment above the four-eyes limit (100 units by default) is filed for approval,
    // posted only when another administrator approves it, never by its requester; an approval
    // that no longer fits (conflict resolved meanwhile) is refused and stays pending.
    void fourEyesLargeAdjustment()
    {
        addSessionUsers();
        const std::int64_t first = negativeStockConflict("SO-F1", 1, "A-2");
        QVERIFY(first > 0);
        const std::size_t movementsBefore = movementCount();
        const std::string path = "/admin/conflicts/" + std::to_string(first) + "/resolve";
        const std::vector<std::pair<std::string, std::string>> large{
            {"action", "adjust"}, {"note", "pallet found"}, {"sku", "S1"},
            {"location", "A-2"},  {"lot", ""},              {"quantity", "150"}};
        const std::int64_t alertsBefore = alertCount();

        const HttpResponse requested = send(post(path, "supervisor", large));
        QCOMPARE(requested.status, 202);
        QVERIFY(contains(requested, "waits for another administrator"));
        QCOMPARE(m_world->balance("A-2"), Common::Domain::Quantity(-4)); // nothing posted yet
        QCOMPARE(movementCount(), movementsBefore);
        QCOMPARE(*lease()->openConflictCount(), std::int64_t(1));
        auto open = pendingApprovals();
        QCOMPARE(open.size(), std::size_t(1));
        QCOMPARE(open[0].action, std::string("stock_adjustment"));
        QCOMPARE(open[0].target, "conflict:" + std::to_string(first));
        QCOMPARE(open[0].requestedBy, std::string("4"));
        QCOMPARE(auditEvents("approval_requested").size(), std::size_t(1));
        QCOMPARE(alertCount(), alertsBefore + 1); // announced (R42)
        // A second request for the same conflict, while one waits: refused; the page says it waits.
        QCOMPARE(send(post(path, "supervisor", large)).status, 409);
        QCOMPARE(pendingApprovals().size(), std::size_t(1));
        QVERIFY(contains(send(get("/admin/conflicts/" + std::to_string(first), "viewer")),
                         "waits for another administrator"));
        // A bad large adjustment is refused at once, not filed.
        auto unknownBin = large;
        unknownBin[3].second = "B-1";
        QCOMPARE(send(post(path, "admin", unknownBin)).status, 400);
        QCOMPARE(pendingApprovals().size(), std::size_t(1));

        // Only administrators see approvals; the admin's list shows what it would post, escaped.
        QCOMPARE(send(get("/admin/approvals", "supervisor")).status, 403);
        const HttpResponse list = send(get("/admin/approvals", "admin"));
        QCOMPARE(list.status, 200);
        QVERIFY(contains(list, "href=\"/admin/conflicts/" + std::to_string(first) + "\""));
        QVERIFY(contains(list, "S1 @ A-2 +150"));
        const std::string approve = "/admin/approvals/" + std::to_string(open[0].id) + "/approve";
        QVERIFY(contains(list, approve));

        const HttpResponse approved = send(post(approve, "admin", {}));
        QCOMPARE(approved.status, 302);
        QCOMPARE(m_world->balance("A-2"), Common::Domain::Quantity(146));
        QCOMPARE(movementCount(), movementsBefore + 1);
        QVERIFY(pendingApprovals().empty());
        QCOMPARE(*lease()->openConflictCount(), std::int64_t(0));
        const auto resolved = auditEvents("conflict_resolved");
        QCOMPARE(resolved.size(), std::size_t(1));
        QCOMPARE(resolved[0].actor, std::string("admin:1")); // the approver acted …
        QVERIFY(resolved[0].details.find("\"requested_by\":\"admin:4\"") != std::string::npos); // … on 4's request
        QVERIFY(resolved[0].details.find("\"quantity_delta\":150") != std::string::npos);
        QCOMPARE(auditEvents("approval_approved").size(), std::size_t(1));
        QCOMPARE(send(post(approve, "admin", {})).status, 409); // decided once

        // The requester never approves their own request (R27: same admin → 403).
        const std::int64_t second = negativeStockConflict("SO-F2", 2, "A-1");
        QVERIFY(second > first);
        QCOMPARE(adjust(second, "admin", "A-1", "-101", "recount").status, 202);
        open = pendingApprovals();
        QCOMPARE(open.size(), std::size_t(1));
        const std::string own = "/admin/approvals/" + std::to_string(open[0].id) + "/approve";
        QCOMPARE(send(post(own, "admin", {})).status, 403);
        QCOMPARE(pendingApprovals().size(), std::size_t(1));
        QCOMPARE(m_world->balance("A-1"), Common::Domain::Quantity(-4));

        // Resolved another way meanwhile: the approval no longer applies (409), nothing is posted
        // and the request stays pending until it is rejected.
        const std::int64_t third = negativeStockConflict("SO-F3", 3, "A-1");
        QVERIFY(third > second);
        QCOMPARE(adjust(third, "supervisor", "A-1", "500", "big find").status, 202);
        QCOMPARE(send(post("/admin/conflicts/" + std::to_string(third) + "/resolve", "admin",
                           {{"action", "accept"}, {"note", "resolved first"}}))
                     .status,
                 303);
        open = pendingApprovals();
        QCOMPARE(open.size(), std::size_t(2));
        const auto late = std::find_if(open.begin(), open.end(), [&](const auto &approval) {
            return approval.target == "conflict:" + std::to_string(third);
        });
        QVERIFY(late != open.end());
        const std::size_t movementsNow = movementCount();
        const std::string lateApprove = "/admin/approvals/" + std::to_string(late->id) + "/approve";
        const HttpResponse stale = send(post(lateApprove, "admin", {}));
        QCOMPARE(stale.status, 409);
        QVERIFY(contains(stale, "can no longer be carried out"));
        QCOMPARE(pendingApprovals().size(), std::size_t(2));
        QCOMPARE(movementCount(), movementsNow);
        QCOMPARE(auditEvents("approval_approved").size(), std::size_t(1)); // rolled back with it
        QCOMPARE(send(post("/admin/approvals/" + std::to_string(late->id) + "/reject", "admin", {})).status, 302);
        QCOMPARE(pendingApprovals().size(), std::size_t(1));
    }

    void acceptClosesWithoutStock()
    {
        const std::int64_t id = cancelledPickConflict();
        const std::size_t movementsBefore = movementCount();
        QCOMPARE(send(post("/admin/conflicts/" + std::to_string(id) + "/resolve", "supervisor",
                           {{"action", "accept"}, {"note", "customer collects"}}))
                     .status,
                 303);
        QCOMPARE(movementCount(), movementsBefore);
        QCOMPARE(m_world->balance("A-1"), Common::Domain::Quantity(3));
        auto entry = lease()->conflictEntry(id);
        QVERIFY((*entry)->resolution == Resolution::Accept);
        // Resolved ones sort after open ones in the queue.
        {
            auto store = lease();
            Server::Storage::ConflictRecord later{0, "TKY1", dev2, opId(9, 9), "lot_blocked", "blocked", {}};
            QVERIFY(store->insertConflict(later));
            auto queue = store->conflictQueue(10);
            QCOMPARE(queue->size(), std::size_t(2));
            QVERIFY(!queue->front().resolvedAt);
            QCOMPARE(queue->back().conflict.id, id);
        }
    }

    // Enrollment: admin + fresh step-up + CSRF; the code is shown once with its QR code and works once.
    void enrollmentCode()
    {
        const std::vector<std::pair<std::string, std::string>> fields{{"warehouse", "TKY1"}, {"label", "HT-<9>"}};
        QCOMPARE(send(post("/admin/devices/enroll", "supervisor", fields)).status, 403);
        const HttpResponse stale = send(post("/admin/devices/enroll", "stale-admin", fields));
        QCOMPARE(stale.status, 403);
        QCOMPARE(send(post("/admin/devices/enroll", "admin", fields, false)).status, 403);
        QCOMPARE(auditEvents("authn_token_created").size(), std::size_t(0));
        const HttpResponse bad = send(post("/admin/devices/enroll", "admin", {{"warehouse", "NOPE"}, {"label", "x"}}));
        QCOMPARE(bad.status, 400);
        QVERIFY(contains(bad, "Choose a warehouse"));
        QCOMPARE(send(post("/admin/devices/enroll", "admin", {{"warehouse", "TKY1"}, {"label", ""}})).status, 400);
        QCOMPARE(auditEvents("authn_token_created").size(), std::size_t(0));

        const std::int64_t alertsBefore = alertCount();
        const HttpResponse created = send(post("/admin/devices/enroll", "admin", fields));
        QCOMPARE(created.status, 200);
        QCOMPARE(header(created, "cache-control").value_or(""), std::string("no-store"));
        QVERIFY(contains(created, "<img class=\"qr\""));
        QVERIFY(contains(created, "src=\"data:image/svg+xml;base64,"));
        QVERIFY(contains(created, "HT-&lt;9&gt;"));
        constexpr std::string_view codeOpen = "<code class=\"enrollment-code\">";
        const auto start = created.body.find(codeOpen);
        QVERIFY(start != std::string::npos);
        const auto end = created.body.find("</code>", start);
        QVERIFY(end != std::string::npos);
        const std::string code = created.body.substr(start + codeOpen.size(), end - start - codeOpen.size());
        QVERIFY(
            std::all_of(code.begin(), code.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); }));
        QVERIFY(code.size() >= 16);
        QCOMPARE(auditEvents("authn_token_created").size(), std::size_t(1));
        QCOMPARE(auditEvents("authn_token_created")[0].actor, std::string("admin:1"));
        QVERIFY(auditEvents("authn_token_created")[0].details.find(code) == std::string::npos); // never the code
        QCOMPARE(alertCount(), alertsBefore + 1);
        // The list never shows it again.
        QVERIFY(send(get("/admin/devices", "admin")).body.find(code) == std::string::npos);

        const Server::Oms::CertificateIssuer issuer =
            [](const std::string &, const std::string &deviceId) -> Common::Result<Server::Oms::IssuedCertificate> {
            return Server::Oms::IssuedCertificate{"-----BEGIN CERTIFICATE-----\n" + deviceId + "\n", "FEEDFACE09"};
        };
        auto store = lease();
        Server::Oms::AdminService service(*store);
        auto enrolled = service.enroll(code, "CSR", issuer);
        QVERIFY2(enrolled, enrolled ? "" : enrolled.error().message.c_str());
        QCOMPARE(enrolled->device.label, std::string("HT-<9>"));
        QCOMPARE(enrolled->device.warehouse, std::string("TKY1"));
        auto twice = service.enroll(code, "CSR", issuer);
        QVERIFY(!twice);
        QVERIFY(twice.error().code == Common::ErrorCode::Unauthorized);
    }

    // Revoke: status, audit + announcement, and the api listener refuses the device's next request
    // on a resumed TLS session (ApiApplication checks the device on every request).
    void revokeDevice()
    {
        Server::Api::ApiApplication api(*m_pool, Server::Api::ApiConfig{});
        HttpRequest pull;
        pull.listener = Listener::Devices;
        pull.requestId = "req-pull";
        pull.method = "GET";
        pull.path = "/api/v1/sync/pull";
        pull.target = pull.path;
        pull.peer.address = "127.0.0.1";
        pull.peer.certificateSerial = "0A02";
        pull.peer.sessionResumed = true;
        QCOMPARE(api.handle(pull).status, 200);

        const std::string path = std::string("/admin/devices/") + dev2 + "/revoke";
        QCOMPARE(send(post(path, "supervisor", {})).status, 403);
        QCOMPARE(send(post(path, "stale-admin", {})).status, 403);
        QCOMPARE(send(post(path, "admin", {}, false)).status, 403);
        QVERIFY(m_world->device(dev2).status == Server::Storage::DeviceStatus::Active);
        QCOMPARE(api.handle(pull).status, 200);
        QCOMPARE(send(post("/admin/devices/00000000-0000-4000-8000-000000000000/revoke", "admin", {})).status, 404);

        const std::int64_t alertsBefore = alertCount();
        const HttpResponse done = send(post(path, "admin", {}));
        QCOMPARE(done.status, 303);
        QCOMPARE(header(done, "location").value_or(""), std::string("/admin/devices?done=revoked"));
        QVERIFY(m_world->device(dev2).status == Server::Storage::DeviceStatus::Revoked);
        const auto audits = auditEvents("device_revoked");
        QCOMPARE(audits.size(), std::size_t(1));
        QCOMPARE(audits[0].actor, std::string("admin:1"));
        QCOMPARE(audits[0].target, std::string(dev2));
        QCOMPARE(alertCount(), alertsBefore + 1);
        const HttpResponse refused = api.handle(pull);
        QCOMPARE(refused.status, 401);
        QVERIFY(refused.closeConnection);
        // Others keep working; a second revoke is refused and audits nothing.
        pull.peer.certificateSerial = "0A01";
        QCOMPARE(api.handle(pull).status, 200);
        QCOMPARE(send(post(path, "admin", {})).status, 409);
        QCOMPARE(auditEvents("device_revoked").size(), std::size_t(1));

        const HttpResponse list = send(get("/admin/devices", "admin", {{"done", "revoked"}}));
        QCOMPARE(list.status, 200);
        QVERIFY(contains(list, "Device revoked"));
        QVERIFY(contains(list, "status-revoked"));
        // Revoke buttons only for active devices, and only for roles that may.
        QVERIFY(!contains(list, path));
        QVERIFY(contains(list, std::string("/admin/devices/") + dev1 + "/revoke"));
        QVERIFY(!contains(send(get("/admin/devices", "viewer")), "/revoke"));
    }

    // Devices list: activity from the database, last sync and lag from this process, escaped.
    void devicesList()
    {
        push({makeOp(1, opId(3, 1), receive("A-1", 5)), makeOp(2, opId(3, 2), receive("NOWHERE", 1))});
        m_metrics->recordSyncPush(dev1, 1, 0, 1);
        m_metricsNow = s_now + std::chrono::seconds(42);
        {
            auto store = lease();
            QVERIFY(store->insertDevice({"55555555-5555-4555-8555-555555555555",
                                         "TKY1",
                                         s_xss,
                                         "0A05",
                                         Server::Storage::DeviceStatus::Active,
                                         1,
                                         {}}));
            auto activity = store->deviceActivity();
            QVERIFY(activity);
            const auto one = std::find_if(activity->begin(), activity->end(),
                                          [](const auto &item) { return item.deviceId == dev1; });
            QVERIFY(one != activity->end());
            QCOMPARE(one->applied, std::int64_t(1));
            QCOMPARE(one->rejected, std::int64_t(1));
            QVERIFY(one->lastOpAt.has_value());
        }
        const HttpResponse list = send(get("/admin/devices", "viewer"));
        QCOMPARE(list.status, 200);
        QVERIFY(contains(list, "&lt;img src=x onerror=alert(1)&gt;"));
        QVERIFY(!contains(list, s_xss));
        QVERIFY(contains(list, "42 s")); // sync lag
        QVERIFY(contains(list, "datetime=\"2027-01-15T08:00:00Z\""));
        QVERIFY(contains(list, "not reported"));           // app version
        QVERIFY(!contains(list, "/admin/devices/enroll")); // viewers cannot enroll
        QVERIFY(contains(send(get("/admin/devices", "admin")), "action=\"/admin/devices/enroll\""));
        const HttpResponse japanese = send(get("/admin/devices", "viewer", {{"lang", "ja"}}));
        QVERIFY(contains(japanese, "同期遅延"));
    }

    // The dashboard counts today (the store clock's UTC day) and not yesterday.
    void dashboardCountsToday()
    {
        using Common::Domain::OrderState;
        const auto order = [this](const std::string &number, OrderState state) {
            auto store = lease();
            Common::Domain::Order value;
            value.store = "shop";
            value.orderNumber = number;
            value.customer = "Yamada";
            value.address = "Tokyo";
            value.lines.push_back({1, "S1", 1, 0});
            auto id = store->insertOrder(value);
            QVERIFY(id);
            QVERIFY(store->setOrderState(*id, state, state == OrderState::Imported ? "" : "TKY1"));
            if (state == OrderState::Shipped)
                QVERIFY(store->recordShipment(*id, "TRK-" + number, "yamato"));
        };
        const auto alert = [this](const char *kind) {
            QVERIFY(Server::Audit::announce(*lease(), {kind, "Test", "summary"}));
        };
        m_storeNow = s_yesterday;
        order("Y-1", OrderState::Released);
        order("Y-2", OrderState::Shipped);
        order("Y-3", OrderState::Packed);
        alert("yesterday");
        m_storeNow = s_today;
        order("T-1", OrderState::Released);
        order("T-2", OrderState::Released);
        order("T-3", OrderState::Packed);
        order("T-4", OrderState::Shipped);
        alert("today-1");
        alert("today-2");
        {
            auto store = lease();
            Server::Storage::ConflictRecord conflict{0, "TKY1", dev1, opId(4, 1), "negative_stock", "m", {}};
            QVERIFY(store->insertConflict(conflict));
            m_storeNow = s_yesterday;
            QVERIFY(store->insertConflict(conflict)); // open conflicts count whatever their day
            m_storeNow = s_today;
            auto data = loadDashboard(*store, m_metrics.get(), {}, std::int64_t(3));
            QVERIFY(data);
            QCOMPARE(data->day, std::string("2027-01-15"));
            const auto countOf = [&](OrderState state) {
                for (const auto &[found, count] : data->ordersByState)
                    if (found == state)
                        return count.count;
                return std::int64_t(-1);
            };
            QCOMPARE(countOf(OrderState::Released), std::int64_t(2));
            QCOMPARE(countOf(OrderState::Packed), std::int64_t(1));
            QCOMPARE(countOf(OrderState::Shipped), std::int64_t(1));
            QCOMPARE(countOf(OrderState::Picking), std::int64_t(0));
            QCOMPARE(data->readyToShip.count, std::int64_t(1));
            QCOMPARE(data->shipped.count, std::int64_t(1));
            QCOMPARE(data->alertsToday, std::int64_t(2));
            QCOMPARE(data->openConflicts.count, std::int64_t(2));
            QCOMPARE(data->webhookBacklog.value_or(-1), std::int64_t(3));
            const auto kindOf = [](const Server::Admin::DashboardData &loaded, Server::Admin::AlertKind kind) {
                return std::find_if(loaded.alerts.begin(), loaded.alerts.end(),
                                    [kind](const auto &shown) { return shown.kind == kind; });
            };
            const auto backlog = kindOf(*data, Server::Admin::AlertKind::WebhookBacklog);
            QVERIFY(backlog != data->alerts.end());
            QVERIFY(backlog->severity == Server::Admin::AlertSeverity::Critical);
            // No webhook set (a new install): the same backlog is a warning saying so, not a failure.
            auto unset = loadDashboard(*store, m_metrics.get(), {}, std::int64_t(3), false);
            QVERIFY(unset);
            QVERIFY(kindOf(*unset, Server::Admin::AlertKind::WebhookBacklog) == unset->alerts.end());
            const auto notSet = kindOf(*unset, Server::Admin::AlertKind::WebhookNotSet);
            QVERIFY(notSet != unset->alerts.end());
            QVERIFY(notSet->severity == Server::Admin::AlertSeverity::Warning);
        }
        const HttpResponse page = send(get("/admin/", "viewer"));
        QCOMPARE(page.status, 200);
        QVERIFY(contains(page, "datetime=\"2027-01-15\""));
        QVERIFY(contains(page, "data-state=\"released\"><td>Released</td><td class=\"number\">2</td>"));
        QVERIFY(contains(page, "data-state=\"shipped\"><td>Shipped</td><td class=\"number\">1</td>"));
        QVERIFY(contains(page, "class=\"number alerts-today\">2<"));
        QVERIFY(contains(page, "href=\"/admin/conflicts\""));
        QVERIFY(contains(page, "href=\"/admin/devices\""));
        // The next day starts at zero.
        m_storeNow = "2027-01-16T00:00:01.000Z";
        auto data = loadDashboard(*lease(), nullptr);
        QVERIFY(data);
        QCOMPARE(data->shipped.count, std::int64_t(0));
        QCOMPARE(data->alertsToday, std::int64_t(0));
        QCOMPARE(data->openConflicts.count, std::int64_t(2));
    }

    // Every message of these pages has both languages.
    void translationsComplete()
    {
        for (int index = static_cast<int>(Message::NavConflicts); index <= static_cast<int>(Message::EnrollmentQrAlt);
             ++index) {
            const auto message = static_cast<Message>(index);
            QVERIFY(!translate(message, Language::Japanese).empty());
            QVERIFY(!translate(message, Language::English).empty());
        }
        QVERIFY(translate(Message::ConflictsTitle, Language::Japanese) !=
                translate(Message::ConflictsTitle, Language::English));
    }
};

QTEST_GUILESS_MAIN(TestAdminTerminals)
#include "tst_adminterminals.moc"
