#pragma once
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>
#include "common/support/result.h"
#include "server/net/httpmessage.h"

// Who is using the admin pages: roles, their permissions (least privilege, docs/admin.md "Roles")
// and the seam through which the login work (server/auth + server/storage) tells
// AdminApplication which session a request carries. The session token is read only from the
// `__Host-sid` cookie (R15, R17): never from the URL, so `?sid=` means nothing.
namespace Server::Admin {

enum class Role { Admin, BackOffice, Supervisor, Viewer };

// What a route needs. Every Session route names one; roles grant them (rolePermissions).
enum class Permission {
    ViewOwnAccount, // own session, password, MFA — every role
    ViewDashboard,  // dashboard, read-only overview
    ViewOrders,
    ManageOrders, // cancel, allocate, release
    ImportData,   // SKU, location and order imports
    ViewStock,
    AdjustStock, // stock adjustments (four-eyes above N units, R27)
    ViewTerminals,
    ManageTerminals, // enrollment tickets, revoke (step-up, R20)
    ViewConflicts,
    ResolveConflicts,
    ExportPersonalData, // customer names/addresses (step-up, R20)
    ViewAudit,
    ManageUsers, // create/delete users, grant roles, reset MFA (step-up, R12, R20)
    ManageApiKeys,
};
inline constexpr Permission lastPermission = Permission::ManageApiKeys;

std::string_view roleName(Role role); // "admin", "back_office", "supervisor", "viewer"
std::optional<Role> roleFromName(std::string_view name);
std::string_view permissionName(Permission permission); // "view_dashboard", …
std::vector<Permission> rolePermissions(Role role);
bool roleHas(Role role, Permission permission);

// Password accepted, TOTP pending (only PreAuth routes such as /admin/login/totp accept it,
// R07) or fully signed in.
enum class SessionStage { PasswordVerified, Complete };

struct AdminSession
{
    std::string userId;
    std::string username;
    Role role = Role::Viewer;
    SessionStage stage = SessionStage::PasswordVerified;
    // Last successful TOTP check (login or step-up), UTC; step-up routes need it ≤ 5 minutes old (R20).
    std::optional<std::chrono::system_clock::time_point> totpVerifiedAt;
    std::string csrfKey; // per-session secret for CSRF tokens (R25); never rendered or logged
    // The password was set by someone else (a new user's initial password): until the user picks
    // their own, only the account page, the password change and sign-out are open.
    bool mustChangePassword = false;
};

// What the provider gets: the cookie's token (empty when the request has none, or more than one
// `__Host-sid` cookie), and for binding/audit the peer address and request id. Deliberately not
// the request: the provider cannot read the token from anywhere else.
struct SessionQuery
{
    std::string_view token;
    std::string_view peerAddress;
    std::string_view requestId;
};

// Implemented by the login work: looks the token up (constant-time, expiry, idle timeout) and
// returns the session, nullopt for none/expired/unknown, or an error (Storage → 503 page).
// Called only for PreAuth and Session routes, on a worker thread.
using SessionProvider = std::function<Common::Result<std::optional<AdminSession>>(const SessionQuery &)>;

// CSRF synchronizer tokens (R25), implemented by server/auth: `issue` makes the token put into
// forms for the session; `verify` checks one sent back (form field `csrf` or header
// `X-CSRF-Token`). Without `verify`, every unsafe request on a Session route is refused (403).
struct CsrfSeam
{
    std::function<std::string(const AdminSession &)> issue;
    std::function<bool(const AdminSession &, std::string_view token)> verify;
};

inline constexpr std::string_view sessionCookieName = "__Host-sid";
inline constexpr std::chrono::minutes stepUpMaxAge{5};

// The value of cookie `name` from the request's Cookie header(s) (RFC 6265 §5.4 form
// "a=1; b=2"); nullopt when absent or present more than once (a planted duplicate must not win).
std::optional<std::string> cookieValue(const Net::HttpRequest &request, std::string_view name);

} // namespace Server::Admin
