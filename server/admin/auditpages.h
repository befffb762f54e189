#pragma once
#include <vector>
#include "server/audit/signingkey.h"

namespace Server::Storage {
class StorePool;
}

// The audit log page (docs/admin.md "Audit log"; REQUIREMENTS.md §6, R39, R41):
// - GET /admin/audit (ViewAudit): the audit trail newest first, `limit` rows a page (default 50,
//   at most 200), paged with `before=<seq>` (older) and `after=<seq>` (newer), filtered by
//   `event` (exact), `actor` (exact, or an admin's user name) and `from`/`to` (YYYY-MM-DD, UTC,
//   both days included). Every field is data and escaped (R32): targets and details may hold
//   names users typed. A bad filter answers 400 with the reason next to the form.
// - POST /admin/audit/verify (ViewAudit, CSRF): runs Audit::verifyAuditTrail — the verifier of
//   `soko-server audit verify` — and records the outcome as an `audit_verify` entry (announced in
//   chat, R42), then 303 to GET /admin/audit?verified=<that entry's seq>, which shows "OK" with
//   the entry count and the last checkpoint, or the problem naming the first bad seq.
namespace Server::Admin {

class AdminApplication;

struct AuditPagesConfig
{
    // Keys whose checkpoint signatures are trusted (the data folder's audit-signing.key). Empty:
    // every checkpoint fails verification as signed by an untrusted key.
    std::vector<Audit::AuditPublicKey> trustedKeys;
};

// Declares the two routes on `application`; `pool` must outlive it.
void installAuditPages(AdminApplication &application, Storage::StorePool &pool, const AuditPagesConfig &config);

} // namespace Server::Admin
