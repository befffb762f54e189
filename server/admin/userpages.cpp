#include "server/admin/userpages.h"

#include <algorithm>
#include <exception>
#include <string>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include "server/admin/adminapplication.h"
#include "server/admin/adminlogin.h"
#include "server/admin/orderpages.h"
#include "server/admin/terminalpages.h"
#include "server/audit/announce.h"
#include "server/auth/password.h"
#include "server/auth/tokens.h"
#include "server/oms/adminservice.h"
#include "server/storage/storepool.h"

namespace Server::Admin {

namespace {

namespace json = boost::json;
using Net::HttpResponse;
using Clock = std::chrono::system_clock;

constexpr std::size_t formBytes = 4096;
constexpr std::string_view grantAdminAction = "grant_admin";
constexpr std::string_view mfaResetAction = "mfa_reset";
constexpr std::string_view assignableRoles[] = {"admin", "back_office", "supervisor", "viewer"};

// A grant or an MFA reset for `userId`'s own account: its subject is no second pair of eyes.
bool aboutAccountOf(const Storage::ApprovalRecord &approval, std::string_view userId)
{
    return approval.target == userId && (approval.action == grantAdminAction || approval.action == mfaResetAction);
}

json::object detailsObject(const std::string &detailsJson)
{
    boost::system::error_code error;
    auto parsed = json::parse(detailsJson, error);
    return !error && parsed.is_object() ? parsed.as_object() : json::object();
}


Message roleMessageOf(Storage::AdminRole role)
{
    switch (role) {
    case Storage::AdminRole::Admin:
        return Message::RoleAdmin;
    case Storage::AdminRole::BackOffice:
        return Message::RoleBackOffice;
    case Storage::AdminRole::Supervisor:
        return Message::RoleSupervisor;
    case Storage::AdminRole::Picker:
    case Storage::AdminRole::Viewer:
        return Message::RoleViewer;
    }
    return Message::RoleViewer;
}

Element hiddenInput(std::string_view name, std::string_view value)
{
    return std::move(Element("input").attribute("type", "hidden").attribute("name", name).attribute("value", value));
}

Element textInput(const PageContext &page, Message label, std::string_view name, std::int64_t maxLength,
                  std::string_view autocomplete = "off")
{
    return std::move(Element("label")
                         .child(translated(page, label))
                         .child(Element("input")
                                    .attribute("type", "text")
                                    .attribute("name", name)
                                    .attribute("autocomplete", autocomplete)
                                    .attribute("maxlength", maxLength)
                                    .flag("required")));
}

// <form method=post action=…> with the CSRF field, `fields` and one submit button.
Element postForm(const PageContext &page, const std::string &action, Message button, const Html &fields = Html())
{
    return std::move(Element("form")
                         .attribute("method", "post")
                         .attribute("action", action)
                         .attribute("class", "inline")
                         .child(csrfField(page.csrfToken))
                         .child(fields)
                         .child(Element("button").attribute("type", "submit").child(translated(page, button))));
}

// <p><a href="/admin/step-up?next=…">step up</a></p>; `next` is the page to come back to.
Element stepUpLink(const PageContext &page, std::string_view next)
{
    const std::string target = "/admin/step-up?next=" + encodeUriComponent(safeRedirectTarget(next));
    return std::move(
        Element("p").child(Element("a").attribute("href", target).child(translated(page, Message::StepUpLink))));
}

Element notice(const PageContext &page, Message message, bool error)
{
    return std::move(Element("p").attribute("class", error ? "error-box" : "muted").child(translated(page, message)));
}

Element roleSelect(const PageContext &page, std::string_view current)
{
    Element select("select");
    select.attribute("name", "role");
    for (const std::string_view name : assignableRoles) {
        const auto role = Storage::enumFromName(Storage::adminRoleNames, name);
        Element option("option");
        option.attribute("value", name).flag("selected", name == current);
        option.child(translated(page, roleMessageOf(*role)));
        select.child(option);
    }
    return select;
}

// A Store lease with the audit announcer installed for one AdminService call (its own
// transaction writes the audit row; the hook adds the announcement in that transaction, R42).
class AnnounceEveryEntry final
{
public:
    explicit AnnounceEveryEntry(Storage::Store &store)
        : m_store(store)
    {
        m_store.setAuditHook(::Server::Audit::announceEveryEntry());
    }
    ~AnnounceEveryEntry() { m_store.setAuditHook({}); }
    AnnounceEveryEntry(const AnnounceEveryEntry &) = delete;
    AnnounceEveryEntry &operator=(const AnnounceEveryEntry &) = delete;

private:
    Storage::Store &m_store;
};

class UserPages final
{
public:
    UserPages(AdminApplication &application, Storage::StorePool &pool, std::shared_ptr<AdminLogin> login,
              Ops::SystemClock clock)
        : m_application(application)
        , m_pool(pool)
        , m_login(std::move(login))
        , m_clock(std::move(clock))
    {}

    HttpResponse getStepUp(AdminContext &context);
    HttpResponse postStepUp(AdminContext &context);
    HttpResponse getUsers(AdminContext &context);
    HttpResponse postUser(AdminContext &context);
    HttpResponse postRole(AdminContext &context);
    HttpResponse postStatus(AdminContext &context);
    HttpResponse postMfaReset(AdminContext &context);
    HttpResponse getApprovals(AdminContext &context);
    HttpResponse postDecision(AdminContext &context, Storage::ApprovalDecision decision);
    HttpResponse getApiKeys(AdminContext &context);
    HttpResponse postApiKey(AdminContext &context);
    HttpResponse postRevokeApiKey(AdminContext &context);

private:
    Clock::time_point now() const { return m_clock ? m_clock() : Clock::now(); }
    HttpResponse error(const AdminContext &context, int status, std::string_view code) const
    {
        return m_application.errorResponse(ResponseKind::Html, context.page, status, code, context.request);
    }
    HttpResponse stepUpPage(const AdminContext &context, int status, std::optional<Message> problem,
                            const std::string &next) const;
    // The users page with an optional notice (error or done) and extra content above the list.
    HttpResponse usersPage(Storage::Store &store, const AdminContext &context, int status,
                           std::optional<Message> message, bool isError, const Html &extra = Html());
    HttpResponse approvalsPage(Storage::Store &store, const AdminContext &context, int status,
                               std::optional<Message> message, bool isError);
    HttpResponse apiKeysPage(Storage::Store &store, const AdminContext &context, int status,
                             std::optional<Message> message, bool isError, const Html &extra = Html());
    // A four-eyes request (R27): the approval row and its audit entry in one transaction; 202.
    HttpResponse requestApproval(Storage::Store &store, AdminContext &context, std::string_view action,
                                 const Storage::AdminUserRecord &target);
    // The effect of a decided request and its audit rows, in the caller's transaction.
    Common::Result<void> applyDecision(Storage::Store &store, const AdminContext &context,
                                       const Storage::ApprovalRecord &approval, bool approve, const std::string &atIso);
    // Would this change leave no active administrator? (Last-admin protection.)
    Common::Result<bool> removesLastAdmin(Storage::Store &store, const Storage::AdminUserRecord &user);

    AdminApplication &m_application;
    Storage::StorePool &m_pool;
    std::shared_ptr<AdminLogin> m_login;
    Ops::SystemClock m_clock;
};

std::optional<Message> doneMessage(const AdminContext &context)
{
    const auto done = context.request.queryValue("done");
    if (!done)
        return std::nullopt;
    if (*done == "role")
        return Message::RoleChanged;
    if (*done == "disabled")
        return Message::UserDisabled;
    if (*done == "enabled")
        return Message::UserEnabled;
    if (*done == "approved")
        return Message::ApprovalApproved;
    if (*done == "rejected")
        return Message::ApprovalRejected;
    if (*done == "revoked")
        return Message::ApiKeyRevoked;
    if (*done == "step_up")
        return Message::StepUpFresh;
    return std::nullopt;
}

// ---- step-up (R20) ----

HttpResponse UserPages::stepUpPage(const AdminContext &context, int status, std::optional<Message> problem,
                                   const std::string &next) const
{
    const PageContext &page = context.page;
    Element card("section");
    card.attribute("class", "card");
    if (problem)
        card.child(notice(page, *problem, true));
    card.child(Element("p").child(translated(page, Message::StepUpIntro)));
    card.child(
        Element("form")
            .attribute("class", "stacked")
            .attribute("method", "post")
            .attribute("action", "/admin/step-up")
            .child(csrfField(page.csrfToken))
            .child(hiddenInput("next", safeRedirectTarget(next)))
            .child(Element("label")
                       .child(translated(page, Message::StepUpCode))
                       .child(Element("input")
                                  .attribute("type", "text")
                                  .attribute("name", "code")
                                  .attribute("autocomplete", "one-time-code")
                                  .attribute("inputmode", "numeric")
                                  .attribute("maxlength", 40)
                                  .flag("required")
                                  .flag("autofocus")))
            .child(Element("button").attribute("type", "submit").child(translated(page, Message::StepUpConfirm))));
    return htmlResponse(status, layout(page, Message::StepUpTitle, card));
}

HttpResponse UserPages::getStepUp(AdminContext &context)
{
    if (!m_login)
        return error(context, 404, "not_found");
    return stepUpPage(context, 200, std::nullopt, std::string(context.request.queryValue("next").value_or("/admin/")));
}

HttpResponse UserPages::postStepUp(AdminContext &context)
{
    if (!m_login)
        return error(context, 404, "not_found");
    const AdminSession &session = *context.session;
    const std::string next = safeRedirectTarget(formValue(context.fields, "next").value_or("/admin/"));
    const std::string typed(formValue(context.fields, "code").value_or(""));
    auto lease = m_pool.acquire();
    if (!lease)
        return error(context, 503, "unavailable");
    Storage::Store &store = **lease;
    const Clock::time_point at = now();
    const std::string atIso = adminIsoTime(at);
    const std::string actor = adminActor(session.userId);
    auto user = store.adminUser(session.userId);
    if (!user || !*user)
        return error(context, 503, "unavailable");
    const Storage::AdminUserRecord &account = **user;
    if (account.mfaLockedUntil && *account.mfaLockedUntil > atIso) {
        (void)appendAdminAudit(store, context.request, atIso, "authn_mfa_locked", actor, actor,
                               json::object{{"until", *account.mfaLockedUntil}, {"stage", "step_up"}}, Announce::No);
        return error(context, 423, "mfa_locked");
    }

    Storage::Transaction transaction(store);
    if (!transaction.started())
        return error(context, 503, "unavailable");
    auto checked = m_login->checkCode(store, account, typed, at);
    if (!checked)
        return error(context, checked.error().code == Common::ErrorCode::Storage ? 503 : 500, "internal");
    const bool recovery = *checked == CodeCheck::RecoveryCodeAccepted || *checked == CodeCheck::RecoveryCodeWrong;
    const json::object factor{{"factor", recovery ? "recovery_code" : "totp"}, {"stage", "step_up"}};
    if (*checked == CodeCheck::Malformed) {
        (void)transaction.commit();
        return stepUpPage(context, 400, Message::StepUpWrong, next);
    }
    if (*checked != CodeCheck::Accepted && *checked != CodeCheck::RecoveryCodeAccepted) {
        const bool replay = *checked == CodeCheck::Replayed;
        (void)appendAdminAudit(store, context.request, atIso, replay ? "authn_token_reuse" : "authn_login_fail", actor,
                               actor, factor, replay ? Announce::Yes : Announce::No);
        (void)m_login->recordCodeFailure(store, context.request, account, at);
        if (auto committed = transaction.commit(); !committed)
            return error(context, 503, "unavailable");
        return stepUpPage(context, 401, Message::StepUpWrong, next);
    }
    if (auto stamped = store.setSessionTotpVerified(session.csrfKey, atIso); !stamped)
        return error(context, 503, "unavailable");
    if (*checked == CodeCheck::RecoveryCodeAccepted)
        if (!appendAdminAudit(store, context.request, atIso, "authn_recovery_code_used", actor, actor, factor,
                              Announce::Yes))
            return error(context, 503, "unavailable");
    (void)store.resetLoginThrottle("totp:" + account.id);
    if (!appendAdminAudit(store, context.request, atIso, "authn_step_up", actor, actor, factor, Announce::Yes))
        return error(context, 503, "unavailable");
    if (auto committed = transaction.commit(); !committed)
        return error(context, 503, "unavailable");
    return redirectResponse(next);
}

// ---- users and roles ----

Common::Result<bool> UserPages::removesLastAdmin(Storage::Store &store, const Storage::AdminUserRecord &user)
{
    if (user.role != Storage::AdminRole::Admin || user.status != Storage::AdminStatus::Active)
        return false;
    auto admins = store.countAdmins(Storage::AdminRole::Admin, Storage::StatusFilter::ActiveOnly);
    if (!admins)
        return tl::unexpected(admins.error());
    return *admins <= 1;
}

HttpResponse UserPages::usersPage(Storage::Store &store, const AdminContext &context, int status,
                                  std::optional<Message> message, bool isError, const Html &extra)
{
    const PageContext &page = context.page;
    auto users = store.adminUsers();
    if (!users)
        return error(context, 503, "unavailable");
    const std::string nowIso = adminIsoTime(now());

    Element table("table");
    table.child(tableHead(page, {Message::Username, Message::ColumnRole, Message::Status, Message::ColumnMfa,
                                 Message::ColumnLastSignIn, Message::ColumnActions}));
    Element rows("tbody");
    for (const Storage::AdminUserRecord &user : *users) {
        // Last sign-in: the newest full session still held (sessions end after 12 h at most).
        std::string lastSignIn;
        if (auto sessions = store.adminSessionsOfUser(user.id)) {
            for (const Storage::AdminSessionRecord &held : *sessions)
                if (held.stage == Storage::AdminSessionStage::Full)
                    lastSignIn = std::max(lastSignIn, held.createdAt);
        }
        const bool active = user.status == Storage::AdminStatus::Active;
        const bool locked = user.mfaLockedUntil && *user.mfaLockedUntil > nowIso;
        const Message mfa = !user.totpEnabled ? Message::MfaNotSetUp : locked ? Message::MfaLocked : Message::MfaOn;
        const std::string base = "/admin/users/" + encodeUriComponent(user.id);
        Element actions("td");
        actions.child(postForm(page, base + "/role", Message::ChangeRole,
                               roleSelect(page, Storage::enumName(Storage::adminRoleNames, user.role))));
        actions.child(postForm(page, base + "/status", active ? Message::DisableUser : Message::EnableUser,
                               hiddenInput("status", active ? "disabled" : "active")));
        if (user.id != context.session->userId && (user.totpEnabled || user.totpSeed))
            actions.child(postForm(page, base + "/mfa-reset", Message::ResetMfa));
        Element row("tr");
        row.attribute("data-user", user.username)
            .child(Element("td").text(user.username))
            .child(Element("td").child(translated(page, roleMessageOf(user.role))))
            .child(Element("td")
                       .attribute("class", active ? "status-active" : "status-revoked")
                       .child(translated(page, active ? Message::StatusActive : Message::StatusDisabled)))
            .child(Element("td").child(translated(page, mfa)))
            .child(lastSignIn.empty()
                       ? Element("td").attribute("class", "muted").child(translated(page, Message::Never))
                       : Element("td").text(lastSignIn))
            .child(actions);
        rows.child(row);
    }
    table.child(rows);

    Element content("div");
    if (message)
        content.child(notice(page, *message, isError));
    content.child(extra);
    content.child(Element("section")
                      .attribute("class", "card")
                      .child(stepUpLink(page, "/admin/users"))
                      .child(table)
                      .child(Element("p").attribute("class", "muted").child(translated(page, Message::OperatorsNote))));
    content.child(
        Element("section")
            .attribute("class", "card")
            .child(Element("h2").child(translated(page, Message::CreateUser)))
            .child(
                Element("form")
                    .attribute("class", "stacked")
                    .attribute("method", "post")
                    .attribute("action", "/admin/users")
                    .child(csrfField(page.csrfToken))
                    .child(textInput(page, Message::Username, "username", 64))
                    .child(
                        Element("label").child(translated(page, Message::ColumnRole)).child(roleSelect(page, "viewer")))
                    .child(
                        Element("button").attribute("type", "submit").child(translated(page, Message::CreateUser)))));
    return htmlResponse(status, layout(page, Message::UsersTitle, content));
}

HttpResponse UserPages::getUsers(AdminContext &context)
{
    auto lease = m_pool.acquire();
    if (!lease)
        return error(context, 503, "unavailable");
    const auto done = doneMessage(context);
    return usersPage(**lease, context, 200, done, false);
}

HttpResponse UserPages::requestApproval(Storage::Store &store, AdminContext &context, std::string_view action,
                                        const Storage::AdminUserRecord &target)
{
    const std::string actor = adminActor(context.session->userId);
    const std::string atIso = adminIsoTime(now());
    Storage::Transaction transaction(store);
    if (!transaction.started())
        return error(context, 503, "unavailable");
    Storage::ApprovalRecord approval;
    approval.action = std::string(action);
    approval.target = target.id;
    approval.details = json::serialize(json::object{{"username", target.username}});
    approval.requestedBy = context.session->userId;
    auto id = store.insertApproval(approval);
    if (!id)
        return error(context, 503, "unavailable");
    if (!appendAdminAudit(store, context.request, atIso, "approval_requested", actor, adminActor(target.id),
                          json::object{{"action", action}, {"approval", *id}, {"username", target.username}},
                          Announce::Yes))
        return error(context, 503, "unavailable");
    if (auto committed = transaction.commit(); !committed)
        return error(context, 503, "unavailable");
    return usersPage(store, context, 202, Message::ApprovalRequested, false);
}

HttpResponse UserPages::postUser(AdminContext &context)
{
    const std::string username(formValue(context.fields, "username").value_or(""));
    const std::string roleName(formValue(context.fields, "role").value_or(""));
    auto lease = m_pool.acquire();
    if (!lease)
        return error(context, 503, "unavailable");
    Storage::Store &store = **lease;
    if (!Storage::isValidAdminUsername(username))
        return usersPage(store, context, 422, Message::UsernameInvalid, true);
    const auto role = Storage::enumFromName(Storage::adminRoleNames, roleName);
    if (!role || *role == Storage::AdminRole::Picker)
        return usersPage(store, context, 422, Message::RoleInvalid, true);
    if (auto existing = store.adminUserByName(username); !existing)
        return error(context, 503, "unavailable");
    else if (*existing)
        return usersPage(store, context, 409, Message::UsernameTaken, true);

    // The one-time password: 128 random bits as 22 base64url characters (R01 length rules hold).
    auto password = Auth::randomToken(16);
    if (!password)
        return error(context, 500, "internal");
    auto hash = Auth::hashPassword(*password);
    if (!hash)
        return error(context, 500, "internal");

    const std::string actor = adminActor(context.session->userId);
    const std::string atIso = adminIsoTime(now());
    const bool wantsAdmin = *role == Storage::AdminRole::Admin;
    Storage::AdminUserRecord user;
    user.username = username;
    user.displayName = username;
    user.role = wantsAdmin ? Storage::AdminRole::Viewer : *role; // admin only after a second admin approves (R27)
    user.passwordHash = *hash;
    user.mustChangePassword = true;
    std::string userId;
    {
        Storage::Transaction transaction(store);
        if (!transaction.started())
            return error(context, 503, "unavailable");
        auto inserted = store.insertAdminUser(user);
        if (!inserted) {
            if (inserted.error().code == Common::ErrorCode::Conflict)
                return usersPage(store, context, 409, Message::UsernameTaken, true);
            return error(context, 503, "unavailable");
        }
        userId = *inserted;
        if (!appendAdminAudit(
                store, context.request, atIso, "user_created", actor, adminActor(userId),
                json::object{{"username", username}, {"role", Storage::enumName(Storage::adminRoleNames, user.role)}},
                Announce::Yes))
            return error(context, 503, "unavailable");
        if (auto committed = transaction.commit(); !committed)
            return error(context, 503, "unavailable");
    }
    const PageContext &page = context.page;
    Element created("section");
    created.attribute("class", "card")
        .child(notice(page, Message::UserCreated, false))
        .child(Element("p").child(translated(page, Message::InitialPassword)))
        .child(Element("p")
                   .child(Html::text(username))
                   .child(Html::literal(": "))
                   .child(Element("code").attribute("class", "initial-password").text(*password)));
    if (wantsAdmin) {
        user.id = userId;
        Storage::Transaction transaction(store);
        if (!transaction.started())
            return error(context, 503, "unavailable");
        Storage::ApprovalRecord approval;
        approval.action = std::string(grantAdminAction);
        approval.target = userId;
        approval.details = json::serialize(json::object{{"username", username}});
        approval.requestedBy = context.session->userId;
        auto id = store.insertApproval(approval);
        if (!id ||
            !appendAdminAudit(store, context.request, atIso, "approval_requested", actor, adminActor(userId),
                              json::object{{"action", grantAdminAction}, {"approval", *id}, {"username", username}},
                              Announce::Yes))
            return error(context, 503, "unavailable");
        if (auto committed = transaction.commit(); !committed)
            return error(context, 503, "unavailable");
        created.child(notice(page, Message::ApprovalRequested, false));
    }
    return usersPage(store, context, 201, std::nullopt, false, created);
}

HttpResponse UserPages::postRole(AdminContext &context)
{
    const std::string roleName(formValue(context.fields, "role").value_or(""));
    auto lease = m_pool.acquire();
    if (!lease)
        return error(context, 503, "unavailable");
    Storage::Store &store = **lease;
    auto user = store.adminUser(context.parameters.at(0));
    if (!user)
        return error(context, 503, "unavailable");
    if (!*user)
        return usersPage(store, context, 404, Message::UserNotFound, true);
    const auto role = Storage::enumFromName(Storage::adminRoleNames, roleName);
    if (!role || *role == Storage::AdminRole::Picker)
        return usersPage(store, context, 422, Message::RoleInvalid, true);
    const Storage::AdminUserRecord &target = **user;
    if (*role == target.role)
        return redirectResponse("/admin/users?done=role");
    if (*role == Storage::AdminRole::Admin)
        return requestApproval(store, context, grantAdminAction, target); // R27

    const std::string actor = adminActor(context.session->userId);
    Storage::Transaction transaction(store);
    if (!transaction.started())
        return error(context, 503, "unavailable");
    auto last = removesLastAdmin(store, target);
    if (!last)
        return error(context, 503, "unavailable");
    if (*last) // nothing written: the transaction rolls back
        return usersPage(store, context, 409, Message::LastAdminRefused, true);
    const std::string from(Storage::enumName(Storage::adminRoleNames, target.role));
    const std::string to(Storage::enumName(Storage::adminRoleNames, *role));
    if (!store.setAdminRole(target.id, *role) ||
        !store.insertNotification(target.id, "role_changed",
                                  json::serialize(json::object{{"from", from}, {"to", to}})) ||
        !appendAdminAudit(store, context.request, adminIsoTime(now()), "privilege_permissions_changed", actor,
                          adminActor(target.id),
                          json::object{{"username", target.username}, {"from", from}, {"to", to}}, Announce::Yes))
        return error(context, 503, "unavailable");
    if (auto committed = transaction.commit(); !committed)
        return error(context, 503, "unavailable");
    return redirectResponse("/admin/users?done=role");
}

HttpResponse UserPages::postStatus(AdminContext &context)
{
    const std::string wanted(formValue(context.fields, "status").value_or(""));
    const auto status = Storage::enumFromName(Storage::adminStatusNames, wanted);
    auto lease = m_pool.acquire();
    if (!lease)
        return error(context, 503, "unavailable");
    Storage::Store &store = **lease;
    if (!status)
        return usersPage(store, context, 422, Message::ErrorBadRequest, true);
    auto user = store.adminUser(context.parameters.at(0));
    if (!user)
        return error(context, 503, "unavailable");
    if (!*user)
        return usersPage(store, context, 404, Message::UserNotFound, true);
    const Storage::AdminUserRecord &target = **user;
    const bool disabling = *status == Storage::AdminStatus::Disabled;
    const std::string done = disabling ? "/admin/users?done=disabled" : "/admin/users?done=enabled";
    if (*status == target.status)
        return redirectResponse(done);

    const std::string actor = adminActor(context.session->userId);
    Storage::Transaction transaction(store);
    if (!transaction.started())
        return error(context, 503, "unavailable");
    if (disabling) {
        auto last = removesLastAdmin(store, target);
        if (!last)
            return error(context, 503, "unavailable");
        if (*last)
            return usersPage(store, context, 409, Message::LastAdminRefused, true);
    }
    if (!store.setAdminStatus(target.id, *status))
        return error(context, 503, "unavailable");
    std::int64_t ended = 0;
    if (disabling) {
        auto deleted = store.deleteAdminSessionsOfUser(target.id, "");
        if (!deleted)
            return error(context, 503, "unavailable");
        ended = *deleted;
    }
    if (!store.insertNotification(target.id, disabling ? "account_disabled" : "account_enabled", "{}") ||
        !appendAdminAudit(store, context.request, adminIsoTime(now()), "user_updated", actor, adminActor(target.id),
                          json::object{{"username", target.username}, {"status", wanted}, {"sessions_ended", ended}},
                          Announce::Yes))
        return error(context, 503, "unavailable");
    if (auto committed = transaction.commit(); !committed)
        return error(context, 503, "unavailable");
    return redirectResponse(done);
}

HttpResponse UserPages::postMfaReset(AdminContext &context)
{
    auto lease = m_pool.acquire();
    if (!lease)
        return error(context, 503, "unavailable");
    Storage::Store &store = **lease;
    auto user = store.adminUser(context.parameters.at(0));
    if (!user)
        return error(context, 503, "unavailable");
    if (!*user)
        return usersPage(store, context, 404, Message::UserNotFound, true);
    if ((*user)->id == context.session->userId) { // R12: never one's own
        const std::string actor = adminActor(context.session->userId);
        (void)appendAdminAudit(store, context.request, adminIsoTime(now()), "authz_fail", actor, actor,
                               json::object{{"action", mfaResetAction}}, Announce::No);
        return usersPage(store, context, 403, Message::OwnMfaRefused, true);
    }
    return requestApproval(store, context, mfaResetAction, **user);
}

// ---- four-eyes approvals (R27, R12) ----

// What an approval acts on, for the approvals table: the user, the conflict and its adjustment
// (linked), or the export's filters and row count. All text escaped (R32).
template <typename NameOf>
Html describeTarget(const PageContext &page, const Storage::ApprovalRecord &approval, const NameOf &nameOf)
{
    if (approval.action == stockAdjustmentAction) {
        if (const auto request = stockAdjustmentOf(approval.details)) {
            const auto &[conflict, decision] = *request;
            const StockCorrection &adjustment = *decision.adjustment;
            Element described("span");
            described.child(Element("a")
                                .attribute("href", "/admin/conflicts/" + std::to_string(conflict))
                                .text("#" + std::to_string(conflict)))
                .child(Html::literal(" "))
                .child(Element("code").text(adjustment.sku + " @ " + adjustment.location +
                                            (adjustment.lot.empty() ? "" : " [" + adjustment.lot + "]") + " " +
                                            (adjustment.quantity > 0 ? "+" : "") + std::to_string(adjustment.quantity)))
                .child(Html::literal(" "))
                .child(Element("q").text(decision.note));
            return described;
        }
    }
    if (approval.action == piiExportAction) {
        const json::object details = detailsObject(approval.details);
        const auto *filters = details.if_contains("filters");
        const auto *rows = details.if_contains("rows");
        Element described("span");
        described.child(Element("code").text(
            readableExportFilters(filters && filters->is_string() ? std::string_view(filters->as_string()) : "")));
        if (rows && rows->is_int64())
            described.child(Html::literal(" ("))
                .child(translated(page, Message::ColumnRows))
                .child(Html::literal(": "))
                .child(Html::number(rows->as_int64()))
                .child(Html::literal(")"));
        return described;
    }
    return Html::text(nameOf(approval.target));
}

HttpResponse UserPages::approvalsPage(Storage::Store &store, const AdminContext &context, int status,
                                      std::optional<Message> message, bool isError)
{
    const PageContext &page = context.page;
    auto pending = store.pendingApprovals();
    if (!pending)
        return error(context, 503, "unavailable");
    const auto nameOf = [&store](const std::string &id) {
        auto user = store.adminUser(id);
        return user && *user ? (*user)->username : id;
    };
    Element content("div");
    if (message)
        content.child(notice(page, *message, isError));
    Element card("section");
    card.attribute("class", "card");
    card.child(stepUpLink(page, "/admin/approvals"));
    if (pending->empty()) {
        card.child(emptyNote(page, Message::NoApprovals));
    } else {
        Element table("table");
        table.child(tableHead(page, {Message::ColumnAction, Message::ColumnTarget, Message::ColumnRequestedBy,
                                     Message::ColumnRequestedAt, Message::ColumnActions}));
        Element rows("tbody");
        for (const Storage::ApprovalRecord &approval : *pending) {
            const Html action = approval.action == grantAdminAction       ? translated(page, Message::ActionGrantAdmin)
                                : approval.action == mfaResetAction         ? translated(page, Message::ActionMfaReset)
                                : approval.action == stockAdjustmentAction ? translated(page, Message::ActionStockAdjustment)
                                : approval.action == piiExportAction       ? translated(page, Message::ActionPiiExport)
                                                                            : Html::text(approval.action);
            Element actions("td");
            const bool aboutMe = aboutAccountOf(approval, context.session->userId);
            if (approval.requestedBy == context.session->userId || aboutMe) {
                actions.attribute("class", "muted").child(
                    translated(page, aboutMe ? Message::AboutYourAccount : Message::OwnRequest));
            } else {
                const std::string base = "/admin/approvals/" + std::to_string(approval.id);
                actions.child(postForm(page, base + "/approve", Message::Approve));
                actions.child(postForm(page, base + "/reject", Message::Reject));
            }
            rows.child(Element("tr")
                           .attribute("data-approval", approval.id)
                           .child(Element("td").child(action))
                           .child(Element("td").child(describeTarget(page, approval, nameOf)))
                           .child(Element("td").text(nameOf(approval.requestedBy)))
                           .child(Element("td").text(approval.requestedAt))
                           .child(actions));
        }
        table.child(rows);
        card.child(table);
    }
    content.child(card);
    return htmlResponse(status, layout(page, Message::ApprovalsTitle, content));
}

HttpResponse UserPages::getApprovals(AdminContext &context)
{
    auto lease = m_pool.acquire();
    if (!lease)
        return error(context, 503, "unavailable");
    return approvalsPage(**lease, context, 200, doneMessage(context), false);
}

} // namespace

namespace {

Common::Result<void> appendChange(const ApprovalAudit &audit, std::string_view event, std::string_view target,
                                  const json::object &details)
{
    return audit.append(event, target, json::serialize(details));
}

} // namespace

Common::Result<void> grantAdminRole(Storage::Store &store, const Storage::AdminUserRecord &user,
                                    const std::string &detailsJson, const ApprovalAudit &audit)
{
    json::object changed = detailsObject(detailsJson);
    changed["username"] = user.username;
    changed["from"] = Storage::enumName(Storage::adminRoleNames, user.role);
    changed["to"] = "admin";
    if (auto done = store.setAdminRole(user.id, Storage::AdminRole::Admin); !done)
        return tl::unexpected(done.error());
    if (auto done = store.insertNotification(user.id, "role_changed", R"({"to":"admin"})"); !done)
        return tl::unexpected(done.error());
    return appendChange(audit, "privilege_permissions_changed", adminActor(user.id), changed);
}

Common::Result<void> resetAdminMfa(Storage::Store &store, const Storage::AdminUserRecord &user,
                                   const std::string &detailsJson, const ApprovalAudit &audit)
{
    const auto check = [](const auto &result) -> Common::Result<void> {
        if (!result)
            return tl::unexpected(result.error());
        return {};
    };
    // R12: the seed and the recovery codes go, and so do the user's sessions; the next sign-in
    // enrols a new authenticator.
    auto ended = store.deleteAdminSessionsOfUser(user.id, "");
    if (!ended)
        return tl::unexpected(ended.error());
    json::object reset = detailsObject(detailsJson);
    reset["username"] = user.username;
    reset["sessions_ended"] = *ended;
    for (auto done :
         {check(store.setAdminTotp(user.id, std::nullopt, Storage::TotpState::Enrolling)),
          check(store.replaceRecoveryCodes(user.id, {})), check(store.setMfaLockedUntil(user.id, std::nullopt)),
          check(store.resetLoginThrottle("totp:" + user.id)), check(store.insertNotification(user.id, "mfa_reset", "{}")),
          appendChange(audit, "authn_mfa_reset", adminActor(user.id), reset)})
        if (!done)
            return done;
    return {};
}

Common::Result<void> applyApprovalDecision(Storage::Store &store, const Storage::ApprovalRecord &approval, bool approve,
                                           const ApprovalAudit &audit)
{
    json::object details{{"action", approval.action}, {"approval", approval.id}};
    auto target = store.adminUser(approval.target);
    if (!target)
        return tl::unexpected(target.error());
    if (*target)
        details["username"] = (*target)->username;
    if (approve && *target && approval.action == grantAdminAction && (*target)->role == Storage::AdminRole::Admin)
        // Made an administrator meanwhile (e.g. `soko-server admin-user grant-admin`): nothing to
        // grant; it stays pending until someone rejects it.
        return Common::fail(Common::ErrorCode::Conflict, "the user is an administrator already");
    if (approve && *target) {
        const std::string effect = json::serialize(
            json::object{{"approval", approval.id}, {"requested_by", adminActor(approval.requestedBy)}});
        Common::Result<void> done;
        if (approval.action == grantAdminAction)
            done = grantAdminRole(store, **target, effect, audit);
        else if (approval.action == mfaResetAction)
            done = resetAdminMfa(store, **target, effect, audit);
        if (!done)
            return done;
    }
    if (approve && approval.action == stockAdjustmentAction) {
        // The adjustment is posted now, checked again (the conflict may have been resolved since).
        if (auto posted = applyApprovedAdjustment(store, approval, audit.append); !posted)
            return tl::unexpected(posted.error());
    }
    if (approval.action == piiExportAction) {
        // The requester downloads it (once, within exportGrantHours) from the orders page.
        details["filters"] = detailsObject(approval.details)["filters"];
        if (auto told = store.insertNotification(approval.requestedBy, approve ? "export_approved" : "export_rejected",
                                                 json::serialize(json::object{{"approval", approval.id}}));
            !told)
            return tl::unexpected(told.error());
    }
    return appendChange(audit, approve ? "approval_approved" : "approval_rejected",
                        "approval:" + std::to_string(approval.id), details);
}

namespace {

Common::Result<void> UserPages::applyDecision(Storage::Store &store, const AdminContext &context,
                                              const Storage::ApprovalRecord &approval, bool approve,
                                              const std::string &atIso)
{
    const std::string actor = adminActor(context.session->userId);
    ApprovalAudit audit;
    audit.append = [&](std::string_view event, std::string_view target,
                       const std::string &details) -> Common::Result<void> {
        auto appended = appendAdminAudit(store, context.request, atIso, event, actor, target,
                                         detailsObject(details), Announce::Yes);
        if (!appended)
            return tl::unexpected(appended.error());
        return {};
    };
    return applyApprovalDecision(store, approval, approve, audit);
}

HttpResponse UserPages::postDecision(AdminContext &context, Storage::ApprovalDecision decision)
{
    std::int64_t id = 0;
    try {
        id = std::stoll(context.parameters.at(0));
    } catch (const std::exception &) {
        return error(context, 404, "not_found");
    }
    auto lease = m_pool.acquire();
    if (!lease)
        return error(context, 503, "unavailable");
    Storage::Store &store = **lease;
    const std::string me = context.session->userId;
    const std::string actor = adminActor(me);
    const std::string atIso = adminIsoTime(now());
    const bool approve = decision == Storage::ApprovalDecision::Approved;
    bool noLongerApplies = false;
    bool aboutMe = false;
    const auto refuseOwn = [&] {
        (void)appendAdminAudit(store, context.request, atIso, "authz_fail", actor, "approval:" + std::to_string(id),
                               json::object{{"reason", aboutMe ? "own_account" : "own_request"}}, Announce::Yes);
        return approvalsPage(store, context, 403, aboutMe ? Message::OwnAccountApprovalRefused
                                                          : Message::OwnApprovalRefused,
                             true);
    };
    {
        Storage::Transaction transaction(store);
        if (!transaction.started())
            return error(context, 503, "unavailable");
        auto found = store.approval(id);
        if (!found)
            return error(context, 503, "unavailable");
        if (!*found)
            return error(context, 404, "not_found");
        const Storage::ApprovalRecord approval = **found;
        // Nor about one's own account: whom a grant or an MFA reset is for is no second pair of eyes.
        aboutMe = aboutAccountOf(approval, me);
        if (approval.requestedBy != me && !aboutMe) {
            auto decided = store.decideApproval(id, me, decision); // the store refuses the requester too
            if (!decided && decided.error().code != Common::ErrorCode::Forbidden)
                return error(context, 503, "unavailable");
            if (decided && !*decided)
                return approvalsPage(store, context, 409, Message::ApprovalDecidedBefore, true);
            if (decided) {
                auto applied = applyDecision(store, context, approval, approve, atIso);
                if (applied) {
                    if (auto committed = transaction.commit(); !committed)
                        return error(context, 503, "unavailable");
                    return redirectResponse(approve ? "/admin/approvals?done=approved"
                                                    : "/admin/approvals?done=rejected");
                }
                const auto code = applied.error().code;
                if (code != Common::ErrorCode::Conflict && code != Common::ErrorCode::InvalidInput &&
                    code != Common::ErrorCode::NotFound)
                    return error(context, 503, "unavailable");
                noLongerApplies = true; // e.g. the conflict was resolved meanwhile: rolled back, still pending
            }
        }
    } // rolled back: nothing decided
    if (noLongerApplies)
        return approvalsPage(store, context, 409, Message::ApprovalNoLongerApplies, true);
    return refuseOwn();
}

// ---- API keys ----

HttpResponse UserPages::apiKeysPage(Storage::Store &store, const AdminContext &context, int status,
                                    std::optional<Message> message, bool isError, const Html &extra)
{
    const PageContext &page = context.page;
    auto keys = store.apiKeys();
    if (!keys)
        return error(context, 503, "unavailable");
    Element content("div");
    if (message)
        content.child(notice(page, *message, isError));
    content.child(extra);
    Element card("section");
    card.attribute("class", "card");
    card.child(stepUpLink(page, "/admin/api-keys"));
    if (keys->empty()) {
        card.child(emptyNote(page, Message::NoApiKeys));
    } else {
        Element table("table");
        table.child(tableHead(page, {Message::ColumnKeyId, Message::Label, Message::ColumnScope, Message::ColumnCreated,
                                     Message::Status, Message::ColumnActions}));
        Element rows("tbody");
        for (const Storage::ApiKeyRecord &key : *keys) {
            Element actions("td");
            if (!key.revoked)
                actions.child(
                    postForm(page, "/admin/api-keys/" + encodeUriComponent(key.id) + "/revoke", Message::RevokeApiKey));
            rows.child(
                Element("tr")
                    .attribute("data-key", key.id)
                    .child(Element("td").child(Element("code").text(key.id)))
                    .child(Element("td").text(key.label))
                    .child(Element("td").text(key.scope))
                    .child(Element("td").text(key.createdAt))
                    .child(Element("td")
                               .attribute("class", key.revoked ? "status-revoked" : "status-active")
                               .child(translated(page, key.revoked ? Message::KeyRevokedState : Message::StatusActive)))
                    .child(actions));
        }
        table.child(rows);
        card.child(table);
    }
    content.child(card);
    content.child(
        Element("section")
            .attribute("class", "card")
            .child(Element("h2").child(translated(page, Message::CreateApiKey)))
            .child(
                Element("form")
                    .attribute("class", "stacked")
                    .attribute("method", "post")
                    .attribute("action", "/admin/api-keys")
                    .child(csrfField(page.csrfToken))
                    .child(textInput(page, Message::Label, "label", 64))
                    .child(Element("label")
                               .child(translated(page, Message::ColumnScope))
                               .child(Element("input")
                                          .attribute("type", "text")
                                          .attribute("name", "scope")
                                          .attribute("value", "admin")
                                          .attribute("placeholder", "admin / store:SHOP1")
                                          .attribute("maxlength", 70)
                                          .flag("required")))
                    .child(
                        Element("button").attribute("type", "submit").child(translated(page, Message::CreateApiKey)))));
    return htmlResponse(status, layout(page, Message::ApiKeysTitle, content));
}

HttpResponse UserPages::getApiKeys(AdminContext &context)
{
    auto lease = m_pool.acquire();
    if (!lease)
        return error(context, 503, "unavailable");
    return apiKeysPage(**lease, context, 200, doneMessage(context), false);
}

HttpResponse UserPages::postApiKey(AdminContext &context)
{
    const std::string label(formValue(context.fields, "label").value_or(""));
    const std::string scope(formValue(context.fields, "scope").value_or(""));
    auto lease = m_pool.acquire();
    if (!lease)
        return error(context, 503, "unavailable");
    Storage::Store &store = **lease;
    Common::Result<Oms::CreatedApiKey> created = [&] {
        const AnnounceEveryEntry announced(store);
        Oms::AdminService service(store, m_clock);
        return service.createApiKey(scope, label, adminActor(context.session->userId));
    }();
    if (!created) {
        if (created.error().code == Common::ErrorCode::InvalidInput)
            return apiKeysPage(store, context, 422, Message::ApiKeyInvalid, true);
        return error(context, 503, "unavailable");
    }
    const PageContext &page = context.page;
    const Html shown =
        Element("section")
            .attribute("class", "card")
            .child(notice(page, Message::ApiKeyToken, false))
            .child(Element("p").child(Element("code").attribute("class", "api-key-token").text(created->token)));
    return apiKeysPage(store, context, 201, std::nullopt, false, shown);
}

HttpResponse UserPages::postRevokeApiKey(AdminContext &context)
{
    auto lease = m_pool.acquire();
    if (!lease)
        return error(context, 503, "unavailable");
    Storage::Store &store = **lease;
    const std::string id = context.parameters.at(0);
    auto existing = store.apiKey(id);
    if (!existing)
        return error(context, 503, "unavailable");
    if (!*existing)
        return apiKeysPage(store, context, 404, Message::ApiKeyNotFound, true);
    if ((*existing)->revoked)
        return redirectResponse("/admin/api-keys?done=revoked");
    Common::Result<void> revoked = [&] {
        const AnnounceEveryEntry announced(store);
        Oms::AdminService service(store, m_clock);
        return service.revokeApiKey(id, adminActor(context.session->userId));
    }();
    if (!revoked)
        return error(context, 503, "unavailable");
    return redirectResponse("/admin/api-keys?done=revoked");
}

} // namespace

Net::HttpResponse stepUpRequiredResponse(const PageContext &page, const std::string &next, bool redirect)
{
    if (redirect)
        return redirectResponse("/admin/step-up?next=" + encodeUriComponent(safeRedirectTarget(next)));
    const Html card = Element("section")
                          .attribute("class", "card")
                          .child(notice(page, Message::ErrorStepUpRequired, true))
                          .child(stepUpLink(page, next));
    return htmlResponse(403, layout(page, Message::StepUpTitle, card));
}

void installUserPages(AdminApplication &application, Storage::StorePool &pool, std::shared_ptr<AdminLogin> login,
                      Ops::SystemClock clock)
{
    auto pages = std::make_shared<UserPages>(application, pool, std::move(login), std::move(clock));
    using Handler = HttpResponse (UserPages::*)(AdminContext &);
    const auto via = [pages](Handler handler) {
        return [pages, handler](AdminContext &context) { return (pages.get()->*handler)(context); };
    };
    const auto add = [&](std::string method, std::string pattern, Permission permission, StepUp stepUp,
                         AdminHandler handler, std::vector<std::string> query = {}) {
        const bool post = method == "POST";
        application.addRoute({std::move(method), std::move(pattern), AdminAuth::Session, permission, stepUp,
                              ResponseKind::Html, post ? AdminBody::Form : AdminBody::None, post ? formBytes : 0,
                              std::move(query), std::move(handler)});
    };
    add("GET", "/admin/step-up", Permission::ViewOwnAccount, StepUp::No, via(&UserPages::getStepUp), {"next"});
    add("POST", "/admin/step-up", Permission::ViewOwnAccount, StepUp::No, via(&UserPages::postStepUp));
    add("GET", "/admin/users", Permission::ManageUsers, StepUp::No, via(&UserPages::getUsers), {"done"});
    add("POST", "/admin/users", Permission::ManageUsers, StepUp::Required, via(&UserPages::postUser));
    add("POST", "/admin/users/{key}/role", Permission::ManageUsers, StepUp::Required, via(&UserPages::postRole));
    add("POST", "/admin/users/{key}/status", Permission::ManageUsers, StepUp::Required, via(&UserPages::postStatus));
    add("POST", "/admin/users/{key}/mfa-reset", Permission::ManageUsers, StepUp::Required,
        via(&UserPages::postMfaReset));
    add("GET", "/admin/approvals", Permission::ManageUsers, StepUp::No, via(&UserPages::getApprovals), {"done"});
    add("POST", "/admin/approvals/{id}/approve", Permission::ManageUsers, StepUp::Required,
        [pages](AdminContext &context) { return pages->postDecision(context, Storage::ApprovalDecision::Approved); });
    add("POST", "/admin/approvals/{id}/reject", Permission::ManageUsers, StepUp::Required,
        [pages](AdminContext &context) { return pages->postDecision(context, Storage::ApprovalDecision::Rejected); });
    add("GET", "/admin/api-keys", Permission::ManageApiKeys, StepUp::No, via(&UserPages::getApiKeys), {"done"});
    add("POST", "/admin/api-keys", Permission::ManageApiKeys, StepUp::Required, via(&UserPages::postApiKey));
    add("POST", "/admin/api-keys/{key}/revoke", Permission::ManageApiKeys, StepUp::Required,
        via(&UserPages::postRevokeApiKey));
}

} // namespace Server::Admin
