#pragma once
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include "common/domain/quantity.h"
#include "common/support/result.h"
#include "server/storage/store.h"

namespace Server::Ops {
class ServerMetrics;
}
namespace Server::Storage {
class StorePool;
}

// The admin pages of the floor's exceptions and handhelds (docs/admin.md "Conflicts", "Devices"):
// - GET  /admin/conflicts                 (ViewConflicts) open conflicts first, then resolved ones
// - GET  /admin/conflicts/{id}            (ViewConflicts) what happened: reason, message, the op
//                                          (type, payload), terminal, operator, warehouse, time
// - POST /admin/conflicts/{id}/resolve    (ResolveConflicts) accept | adjust | return_to_stock with
//                                          a required note; 303 back to the detail page
// - GET  /admin/devices                   (ViewTerminals) label, warehouse, status, last sync and
//                                          lag (this process), ops by outcome, sync rejections
// - POST /admin/devices/enroll            (ManageTerminals, step-up) a one-time enrollment code,
//                                          answered 200 with its QR code once (no redirect: the
//                                          code is never stored, only its SHA-256)
// - POST /admin/devices/{key}/revoke      (ManageTerminals, step-up) AdminService::revokeDevice;
//                                          the api listener checks the device on every request,
//                                          also on resumed TLS sessions, so the next one is refused
// Every change writes its audit row and chat announcement (Audit::appendAndAnnounce or the
// store's audit hook) in the transaction of the change (R41, R42).
namespace Server::Admin {

class AdminApplication;

struct TerminalPagesConfig
{
    Ops::ServerMetrics *metrics = nullptr; // last sync per device; may be null
    std::chrono::minutes enrollmentLifetime{15};
    // Called after a revocation committed, with the device's certificate serial (upper-case hex):
    // `run` can hand it to RevocationCache::markRevoked so fresh TLS handshakes are refused at once.
    std::function<void(std::string_view serialHex)> onDeviceRevoked;
    // An "adjust" resolution of more than this many base units (either sign) waits for a second
    // administrator (R27); 0 = every adjustment does.
    Common::Domain::Quantity fourEyesAdjustmentUnits = 100;
};

// Declares the routes above on `application`; `pool` must outlive it.
void installTerminalPages(AdminApplication &application, Storage::StorePool &pool, TerminalPagesConfig config = {});

// A stock correction posted while resolving a conflict: `quantity` base units into (>0) or out of
// (<0) the bin `location` of the conflict's warehouse; `lot` empty = no lot.
struct StockCorrection
{
    std::string sku;
    std::string location;
    std::string lot;
    Common::Domain::Quantity quantity = 0;
};

struct ConflictDecision
{
    Storage::Store::ConflictResolution action = Storage::Store::ConflictResolution::Accept;
    std::string note;                          // required: 1-500 bytes of printable one-line text
    std::optional<StockCorrection> adjustment; // required for Adjust, ignored otherwise
};

// Who acts, for the audit row.
struct AuditActor
{
    std::string actor; // "admin:<user id>"
    std::string sourceIp;
    std::string requestId;
};

struct ConflictOutcome
{
    std::optional<StockCorrection> movement; // what was posted (Adjust, ReturnToStock)
    std::optional<Common::Domain::Quantity> balance; // the bin's balance after it
};

// Closes conflict `id` once, in one transaction: the resolution (who, when, action, note), for
// Adjust one Adjustment movement and for ReturnToStock one Return movement of the picked quantity
// into the bin it came from (through Store::addMovement, so the balance stays the ledger's sum),
// and the audit row `conflict_resolved` with its announcement. The conflict's op itself was
// applied when it was pushed and is never applied again. Errors: InvalidInput (note, action not
// applicable, bad adjustment; message names the reason), NotFound (no such conflict), Conflict
// (already resolved, also when another resolution won a race), Storage.
Common::Result<ConflictOutcome> resolveConflict(Storage::Store &store, std::int64_t id,
                                                const ConflictDecision &decision, const AuditActor &actor);

// Four-eyes stock adjustments (R27, docs/admin.md "Approvals"): the admin page files a conflict's
// "adjust" resolution of more than TerminalPagesConfig::fourEyesAdjustmentUnits base units as an
// approval request (action stockAdjustmentAction, details from stockAdjustmentDetails: conflict id,
// SKU, location, lot, quantity, note) instead of posting it.
inline constexpr std::string_view stockAdjustmentAction = "stock_adjustment";
std::string stockAdjustmentDetails(std::int64_t conflictId, const ConflictDecision &decision);
// The conflict id and decision of such details; nullopt when they are not that shape.
std::optional<std::pair<std::int64_t, ConflictDecision>> stockAdjustmentOf(std::string_view detailsJson);

// Appends one audit row (event, target, details JSON object) in the caller's transaction, announced.
using ConflictAuditAppend =
    std::function<Common::Result<void>(std::string_view event, std::string_view target, const std::string &details)>;

// Carries out an approved stock adjustment request in the caller's transaction: the same checks and
// posting as resolveConflict (resolved_by = the requester; the audit row, written through `append`
// as the approver, names the approval and the requester). Errors as resolveConflict: Conflict when
// the conflict was resolved meanwhile, InvalidInput when the SKU/location/lot no longer fit; the
// caller then rolls back and the request stays pending (it can be rejected).
Common::Result<ConflictOutcome> applyApprovedAdjustment(Storage::Store &store, const Storage::ApprovalRecord &approval,
                                                        const ConflictAuditAppend &append);

// What ReturnToStock would put back for an op (type "pick" or "short_pick", its payload JSON):
// SKU, location, lot and the quantity taken; nullopt when the op took no stock out.
std::optional<StockCorrection> returnOf(std::string_view opType, std::string_view payloadJson);

} // namespace Server::Admin
