#pragma once
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include "common/support/result.h"
#include "server/admin/pages.h"
#include "server/net/httpmessage.h"
#include "server/ops/servermetrics.h"

namespace Server::Storage {
class Store;
class StorePool;
struct AdminUserRecord;
struct ApprovalRecord;
}

// The people-and-credentials pages of the admin listener (docs/admin.md "Users, roles, API keys"):
// - Step-up (R20): GET/POST /admin/step-up?next=… re-checks a TOTP code (or a recovery code)
//   through AdminLogin::checkCode (each step once, R08) and stamps the session's totpVerifiedAt;
//   StepUp::Required routes then pass for 5 minutes (stepUpMaxAge).
// - Users (ManageUsers): GET /admin/users lists name, role, status, MFA state, last sign-in;
//   POST /admin/users creates one with a one-time initial password shown once (must change,
//   enrols TOTP at first sign-in); POST /admin/users/{key}/role and /status change role and
//   disable/enable; the last active administrator is never disabled or demoted. Granting the
//   admin role and POST /admin/users/{key}/mfa-reset (R12) only file a four-eyes request (R27,
//   202 pending_approval) that another administrator approves or rejects at GET /admin/approvals
//   (POST /admin/approvals/{id}/approve|reject); an approved MFA reset clears the TOTP seed and
//   recovery codes and ends the user's sessions.
// - API keys (ManageApiKeys): GET /admin/api-keys lists them; POST /admin/api-keys creates one
//   through Oms::AdminService (the token is shown once); POST /admin/api-keys/{key}/revoke.
// Every change is on a StepUp::Required route and writes its audit row and chat announcement in
// the same transaction (appendAdminAudit, R39, R41, R42); users get a notification row (R13).
namespace Server::Admin {

class AdminApplication;
class AdminLogin;

// Declares the routes above. `login` may be empty (step-up then answers 404); `clock` empty =
// system clock. `pool` must outlive `application`.
void installUserPages(AdminApplication &application, Storage::StorePool &pool, std::shared_ptr<AdminLogin> login,
                      Ops::SystemClock clock);

// How applyApprovalDecision writes its audit rows: `append(event, target, detailsJson)` adds one
// row, announced on the alert webhook (R42), in the caller's transaction, as the decider (the
// page: "admin:<user id>"; the command line: "cli:<user>").
struct ApprovalAudit
{
    std::function<Common::Result<void>(std::string_view event, std::string_view target, const std::string &details)>
        append;
};

// The two actions four-eyes guards (R27, R12), carried out in the caller's transaction with their
// audit row (fields of `detailsJson`, a JSON object, added to it) and a notification to the user
// (R13): grantAdminRole makes `user` an administrator (privilege_permissions_changed);
// resetAdminMfa clears the TOTP seed, recovery codes and MFA lock and ends the user's sessions
// (authn_mfa_reset). Used by approvals and by `soko-server admin-user` (break-glass while fewer than
// two administrators exist). Errors: Storage (the caller rolls back).
Common::Result<void> grantAdminRole(Storage::Store &store, const Storage::AdminUserRecord &user,
                                    const std::string &detailsJson, const ApprovalAudit &audit);
Common::Result<void> resetAdminMfa(Storage::Store &store, const Storage::AdminUserRecord &user,
                                   const std::string &detailsJson, const ApprovalAudit &audit);

// Carries out a four-eyes decision already recorded by Store::decideApproval (R27, R12), in the
// caller's transaction: approved "grant_admin" makes the target an administrator, approved
// "mfa_reset" clears the target's TOTP seed, recovery codes and MFA lock and ends their sessions;
// both notify the target (R13) and are audited; every decision writes approval_approved or
// approval_rejected. Errors: Storage (the caller rolls back).
Common::Result<void> applyApprovalDecision(Storage::Store &store, const Storage::ApprovalRecord &approval, bool approve,
                                           const ApprovalAudit &audit);

// What the dispatcher answers an HTML request whose step-up is stale (R20): with `redirect`, 302
// to /admin/step-up?next=<next>; otherwise 403 with a link there (a form post cannot be replayed).
Net::HttpResponse stepUpRequiredResponse(const PageContext &page, const std::string &next, bool redirect);

} // namespace Server::Admin
