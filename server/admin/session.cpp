#include "server/admin/session.h"

#include <algorithm>

namespace Server::Admin {

std::string_view roleName(Role role)
{
    switch (role) {
    case Role::Admin:
        return "admin";
    case Role::BackOffice:
        return "back_office";
    case Role::Supervisor:
        return "supervisor";
    case Role::Viewer:
        return "viewer";
    }
    return "viewer";
}

std::optional<Role> roleFromName(std::string_view name)
{
    for (const Role role : {Role::Admin, Role::BackOffice, Role::Supervisor, Role::Viewer}) {
        if (roleName(role) == name)
            return role;
    }
    return std::nullopt;
}

std::string_view permissionName(Permission permission)
{
    switch (permission) {
    case Permission::ViewOwnAccount:
        return "view_own_account";
    case Permission::ViewDashboard:
        return "view_dashboard";
    case Permission::ViewOrders:
        return "view_orders";
    case Permission::ManageOrders:
        return "manage_orders";
    case Permission::ImportData:
        return "import_data";
    case Permission::ViewStock:
        return "view_stock";
    case Permission::AdjustStock:
        return "adjust_stock";
    case Permission::ViewTerminals:
        return "view_terminals";
    case Permission::ManageTerminals:
        return "manage_terminals";
    case Permission::ViewConflicts:
        return "view_conflicts";
    case Permission::ResolveConflicts:
        return "resolve_conflicts";
    case Permission::ExportPersonalData:
        return "export_personal_data";
    case Permission::ViewAudit:
        return "view_audit";
    case Permission::ManageUsers:
        return "manage_users";
    case Permission::ManageApiKeys:
        return "manage_api_keys";
    }
    return "unknown";
}

std::vector<Permission> rolePermissions(Role role)
{
    using enum Permission;
    // Read-only overview every role shares; the others add only what their work needs.
    std::vector<Permission> granted = {ViewOwnAccount, ViewDashboard, ViewOrders,
                                       ViewStock,      ViewTerminals, ViewConflicts};
    switch (role) {
    case Role::Viewer:
        break;
    case Role::Supervisor: // the warehouse floor: counts, conflicts from handhelds
        granted.insert(granted.end(), {AdjustStock, ResolveConflicts});
        break;
    case Role::BackOffice: // orders and master data, customer data exports
        granted.insert(granted.end(), {ManageOrders, ImportData, ExportPersonalData});
        break;
    case Role::Admin: // everything, including people, devices, keys and the audit trail
        granted.clear();
        for (int index = 0; index <= static_cast<int>(lastPermission); ++index)
            granted.push_back(static_cast<Permission>(index));
        break;
    }
    return granted;
}

bool roleHas(Role role, Permission permission)
{
    const auto granted = rolePermissions(role);
    return std::find(granted.begin(), granted.end(), permission) != granted.end();
}

std::optional<std::string> cookieValue(const Net::HttpRequest &request, std::string_view name)
{
    std::optional<std::string> found;
    for (const auto &[header, value] : request.headers) {
        if (header != "cookie")
            continue;
        std::string_view rest = value;
        while (!rest.empty()) {
            const auto semicolon = rest.find(';');
            std::string_view pair = rest.substr(0, semicolon);
            rest = semicolon == std::string_view::npos ? std::string_view() : rest.substr(semicolon + 1);
            while (!pair.empty() && (pair.front() == ' ' || pair.front() == '\t'))
                pair.remove_prefix(1);
            const auto equals = pair.find('=');
            if (equals == std::string_view::npos || pair.substr(0, equals) != name)
                continue;
            if (found)
                return std::nullopt; // ambiguous: refuse rather than pick one
            std::string_view cookie = pair.substr(equals + 1);
            while (!cookie.empty() && (cookie.back() == ' ' || cookie.back() == '\t'))
                cookie.remove_suffix(1);
            if (cookie.size() >= 2 && cookie.front() == '"' && cookie.back() == '"')
                cookie = cookie.substr(1, cookie.size() - 2);
            found = std::string(cookie);
        }
    }
    return found;
}

} // namespace Server::Admin
