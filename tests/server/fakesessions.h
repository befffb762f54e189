#pragma once
#include <chrono>
#include <optional>
#include <string>

#include "common/support/result.h"
#include "server/admin/session.h"

namespace TestSupport {

// The sign-in work faked for page tests (AdminConfig::sessions): one cookie token per role, each a
// full (password + TOTP) session whose last TOTP check lies `totpAge` before `now`:
//   "admin" (1 minute: step-up fresh), "stale-admin" (6 minutes: step-up needed), "viewer",
//   "supervisor", "back-office". Any other token is no session. User ids "1"…"5", names
//   "user-<id>", CSRF keys "key-<id>".
inline Common::Result<std::optional<Server::Admin::AdminSession>>
fakeRoleSession(const Server::Admin::SessionQuery &query, std::chrono::system_clock::time_point now)
{
    using Server::Admin::AdminSession;
    using Server::Admin::Role;
    const auto session = [now](std::string id, Role role, std::chrono::minutes totpAge) {
        return std::optional<AdminSession>(
            AdminSession{id, "user-" + id, role, Server::Admin::SessionStage::Complete, now - totpAge, "key-" + id});
    };
    const std::string token(query.token);
    if (token == "admin")
        return session("1", Role::Admin, std::chrono::minutes(1));
    if (token == "stale-admin")
        return session("2", Role::Admin, std::chrono::minutes(6));
    if (token == "viewer")
        return session("3", Role::Viewer, std::chrono::minutes(1));
    if (token == "supervisor")
        return session("4", Role::Supervisor, std::chrono::minutes(1));
    if (token == "back-office")
        return session("5", Role::BackOffice, std::chrono::minutes(1));
    return std::optional<AdminSession>();
}

} // namespace TestSupport
