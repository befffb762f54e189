// Routes of the devices listener (sync) and /enroll on the api listener.
#include <limits>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include "common/protocol/protocol.h"
#include "common/protocol/strictjson.h"
#include "server/api/apiapplication.h"
#include "server/storage/store.h"

namespace Server::Api {

namespace {

namespace json = boost::json;
using namespace Common::Protocol;
using Net::HttpResponse;

constexpr std::size_t s_pushBodyLimit = 1024 * 1024;

HttpResponse jsonResponse(int status, std::string body)
{
    HttpResponse response;
    response.status = status;
    response.body = std::move(body);
    return response;
}

// The push's results that are new to the server (seq above `recordedBefore`), for metrics.
SyncEvent pushEvent(const std::string &deviceId, const PushResponse &response, std::int64_t recordedBefore)
{
    SyncEvent event;
    event.deviceId = deviceId;
    for (const OpResult &result : response.results) {
        if (result.seq <= recordedBefore)
            continue;
        switch (result.outcome) {
        case OperationOutcome::Applied:
            ++event.applied;
            break;
        case OperationOutcome::Conflict:
            ++event.conflicts;
            break;
        case OperationOutcome::Rejected:
            ++event.rejected;
            break;
        }
    }
    return event;
}

// The terminal's report of itself on a sync request: `User-Agent: soko-terminal/<version>` (1–32
// characters of [0-9A-Za-z.+_-]) and `Soko-Pending-Ops: <0–999999999>`. Anything else is ignored:
// the report is informational and a malformed one must not stop a sync.
void addTerminalReport(SyncEvent &event, const Net::HttpRequest &request)
{
    constexpr std::string_view product = "soko-terminal/";
    if (const auto agent = request.header("user-agent"); agent && agent->starts_with(product)) {
        const std::string_view version = agent->substr(product.size());
        const bool wellFormed = !version.empty() && version.size() <= 32 &&
                                version.find_first_not_of("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                                          "abcdefghijklmnopqrstuvwxyz.+_-") == std::string_view::npos;
        if (wellFormed)
            event.appVersion = std::string(version);
    }
    if (const auto pending = request.header("soko-pending-ops");
        pending && !pending->empty() && pending->size() <= 9 &&
        pending->find_first_not_of("0123456789") == std::string_view::npos)
        event.pendingOps = std::stoll(std::string(*pending));
}

} // namespace

void ApiApplication::addSyncRoutes()
{
    using Net::Listener;

    m_routes.push_back(Route{Listener::Devices,
                             "POST",
                             "/api/v1/sync/push",
                             Auth::Device,
                             BodyKind::Json,
                             s_pushBodyLimit,
                             {},
                             [this](RouteContext &context) {
                                 auto request = decodePushRequest(context.request.body);
                                 if (!request)
                                     return fromError(request.error(), context.request);
                                 // Metrics count new ops only: what was recorded before this push.
                                 std::int64_t recordedBefore = std::numeric_limits<std::int64_t>::max();
                                 if (m_config.syncObserver) {
                                     if (auto last = context.services->store.lastApplied(context.caller.device->id,
                                                                                         request->incarnation))
                                         recordedBefore = *last;
                                 }
                                 auto answer = context.services->sync.push(*context.caller.device, *request);
                                 if (!answer) {
                                     if (answer.error().code == Common::ErrorCode::Forbidden)
                                         return errorResponse(403, "device_mismatch", answer.error().message);
                                     return fromError(answer.error(), context.request);
                                 }
                                 if (const auto *refusal = std::get_if<Refusal>(&*answer))
                                     return jsonResponse(409, encode(*refusal));
                                 const auto &pushed = std::get<PushResponse>(*answer);
                                 if (m_config.syncObserver) {
                                     SyncEvent event = pushEvent(context.caller.device->id, pushed, recordedBefore);
                                     addTerminalReport(event, context.request);
                                     m_config.syncObserver(event);
                                 }
                                 return jsonResponse(200, encode(pushed));
                             }});

    m_routes.push_back(Route{Listener::Devices,
                             "GET",
                             "/api/v1/sync/pull",
                             Auth::Device,
                             BodyKind::None,
                             0,
                             {"cursor", "limit", "epoch"},
                             [this](RouteContext &context) {
                                 const auto cursor = queryValue(context.request, "cursor").value_or("0");
                                 int limit = 0;
                                 if (const auto text = queryValue(context.request, "limit")) {
                                     if (text->empty() || text->size() > 5 ||
                                         text->find_first_not_of("0123456789") != std::string_view::npos)
                                         return errorResponse(400, "out_of_range", "limit must be 1 to 5000");
                                     limit = std::stoi(std::string(*text));
                                     if (limit == 0)
                                         return errorResponse(400, "out_of_range", "limit must be 1 to 5000");
                                 }
                                 std::optional<std::string> epoch;
                                 if (const auto text = queryValue(context.request, "epoch")) {
                                     if (!isUuid(*text))
                                         return errorResponse(400, "bad_value", "epoch must be a UUID");
                                     epoch = std::string(*text);
                                 }
                                 auto answer =
                                     context.services->sync.pull(*context.caller.device, cursor, limit, epoch);
                                 if (!answer)
                                     return fromError(answer.error(), context.request);
                                 if (const auto *refusal = std::get_if<Refusal>(&*answer))
                                     return jsonResponse(409, encode(*refusal));
                                 if (m_config.syncObserver) {
                                     SyncEvent event;
                                     event.kind = SyncEvent::Kind::Pull;
                                     event.deviceId = context.caller.device->id;
                                     addTerminalReport(event, context.request);
                                     m_config.syncObserver(event);
                                 }
                                 return jsonResponse(200, encode(std::get<PullResponse>(*answer)));
                             }});

    m_routes.push_back(Route{Listener::Devices,
                             "POST",
                             "/api/v1/sync/incarnation",
                             Auth::Device,
                             BodyKind::Json,
                             1024,
                             {},
                             [this](RouteContext &context) {
                                 auto parsed = parseStrict(context.request.body, ParseLimits{1024, 4});
                                 if (!parsed)
                                     return fromError(parsed.error(), context.request);
                                 DecodeContext decode;
                                 ObjectReader body(decode, *parsed, "");
                                 const std::int64_t version = body.integer("protocol", 1, 1000);
                                 body.finish();
                                 if (!decode.ok())
                                     return fromError(*decode.error, context.request);
                                 if (version != protocolVersion)
                                     return errorResponse(400, "unsupported_version", "this server speaks protocol 1");
                                 auto answer = context.services->sync.newIncarnation(*context.caller.device);
                                 if (!answer)
                                     return fromError(answer.error(), context.request);
                                 return jsonResponse(200, encode(*answer));
                             }});

    // Offline login on the terminal: badge + PIN checked against these Argon2id hashes.
    m_routes.push_back(Route{Listener::Devices,
                             "GET",
                             "/api/v1/operators",
                             Auth::Device,
                             BodyKind::None,
                             0,
                             {},
                             [this](RouteContext &context) {
                                 auto operators = context.services->admin.operators(context.caller.device->warehouse);
                                 if (!operators)
                                     return fromError(operators.error(), context.request);
                                 json::array items;
                                 for (const auto &op : *operators) {
                                     json::object item;
                                     item["badge"] = op.badge;
                                     item["name"] = op.name;
                                     item["role"] = op.role;
                                     item["pin_hash"] = op.pinHash;
                                     item["active"] = op.active;
                                     items.emplace_back(std::move(item));
                                 }
                                 json::object o;
                                 o["operators"] = std::move(items);
                                 return jsonResponse(200, json::serialize(o));
                             }});

    m_routes.push_back(Route{
        Listener::Api,
        "POST",
        "/api/v1/enroll",
        Auth::EnrollmentCode,
        BodyKind::Json,
        16 * 1024,
        {},
        [this](RouteContext &context) {
            auto parsed = parseStrict(context.request.body, ParseLimits{16 * 1024, 4});
            if (!parsed)
                return fromError(parsed.error(), context.request);
            DecodeContext decode;
            ObjectReader body(decode, *parsed, "");
            const std::string code = body.string("code", {32, 32});
            // PEM is multi-line: read it raw, then check the characters allowed in PEM.
            std::string csr;
            if (const json::value *value = body.value("csr")) {
                if (!value->is_string())
                    decode.fail("wrong_type", "csr", "expected a string");
                else
                    csr = std::string(value->get_string());
            }
            body.finish();
            if (!decode.ok())
                return fromError(*decode.error, context.request);
            if (csr.empty() || csr.size() > 8192 ||
                csr.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=- \n\r") !=
                    std::string::npos)
                return errorResponse(400, "bad_value", "csr must be a PEM certificate request");
            if (!m_config.issuer)
                return errorResponse(503, "enrollment_unavailable", "enrollment is not configured");
            auto enrolled = context.services->admin.enroll(code, csr, m_config.issuer);
            if (!enrolled)
                return fromError(enrolled.error(), context.request);
            json::object o;
            o["device_id"] = enrolled->device.id;
            o["warehouse"] = enrolled->device.warehouse;
            o["certificate"] = enrolled->certificatePem;
            o["server_ca"] = m_config.serverCaPem;
            o["device_ca"] = m_config.deviceCaPem;
            return jsonResponse(201, json::serialize(o));
        }});
}

} // namespace Server::Api
