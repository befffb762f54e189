#pragma once
#include <chrono>
#include <initializer_list>
#include <optional>
#include <string>
#include <utility>

#include "common/support/result.h"
#include "server/admin/session.h"
#include "server/storage/records.h"
#include "server/storage/store.h"

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

// The fake sessions' users as admin_users rows (approvals name their requester and decider, R27):
// each `{id, role}` inserted as "user-<id>" with a placeholder password hash. Errors: the store's.
inline Common::Result<void> insertFakeSessionUsers(
    Server::Storage::Store &store, std::initializer_list<std::pair<const char *, Server::Storage::AdminRole>> users)
{
    for (const auto &[id, role] : users) {
        Server::Storage::AdminUserRecord user;
        user.id = id;
        user.username = std::string("user-") + id;
        user.displayName = user.username;
        user.role = role;
        user.passwordHash = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHQ$fake";
        if (auto inserted = store.insertAdminUser(user); !inserted)
            return tl::unexpected(inserted.error());
    }
    return {};
}

} // namespace TestSupport
