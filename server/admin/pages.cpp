#include "server/admin/pages.h"

#include <map>
#include "server/admin/dashboard.h"
#include "server/admin/staticassets.h"

namespace Server::Admin {

namespace {

using Common::Domain::OrderState;

Message alertMessage(AlertKind kind)
{
    switch (kind) {
    case AlertKind::TerminalSilent:
        return Message::AlertTerminalSilent;
    case AlertKind::ConflictsOpen:
        return Message::AlertConflictsOpen;
    case AlertKind::WebhookBacklog:
        return Message::AlertWebhookBacklog;
    case AlertKind::WebhookNotSet:
        return Message::AlertWebhookNotSet;
    }
    return Message::Unknown;
}

Html countText(const CappedCount &count)
{
    return Html::number(count.count) + (count.capped ? Html::literal("+") : Html());
}

} // namespace

Message orderStateMessage(OrderState state)
{
    switch (state) {
    case OrderState::Imported:
        return Message::OrderImported;
    case OrderState::Allocated:
        return Message::OrderAllocated;
    case OrderState::Released:
        return Message::OrderReleased;
    case OrderState::Picking:
        return Message::OrderPicking;
    case OrderState::Picked:
        return Message::OrderPicked;
    case OrderState::Packed:
        return Message::OrderPacked;
    case OrderState::Shipped:
        return Message::OrderShipped;
    case OrderState::Cancelled:
        return Message::OrderCancelled;
    }
    return Message::Unknown;
}

Element headerCell(const PageContext &context, Message message)
{
    return std::move(Element("th").attribute("scope", "col").child(translated(context, message)));
}

Element tableHead(const PageContext &context, std::initializer_list<Message> columns)
{
    Element row("tr");
    for (Message column : columns)
        row.child(headerCell(context, column));
    return std::move(Element("thead").child(row));
}

Element card(const PageContext &context, Message title, const Html &body)
{
    return std::move(Element("section")
                         .attribute("class", "card")
                         .child(Element("h2").child(translated(context, title)))
                         .child(body));
}

Html emptyNote(const PageContext &context, Message message)
{
    return Element("p").attribute("class", "muted").child(translated(context, message));
}

Element labelled(const PageContext &context, Message label, const Html &input)
{
    return std::move(Element("label").child(translated(context, label)).child(input));
}

Message roleMessage(Role role)
{
    switch (role) {
    case Role::Admin:
        return Message::RoleAdmin;
    case Role::BackOffice:
        return Message::RoleBackOffice;
    case Role::Supervisor:
        return Message::RoleSupervisor;
    case Role::Viewer:
        return Message::RoleViewer;
    }
    return Message::RoleViewer;
}

Html translated(const PageContext &context, Message message)
{
    return Html::text(translate(message, context.language));
}

Html csrfField(std::string_view token)
{
    return Element("input").attribute("type", "hidden").attribute("name", "csrf").attribute("value", token);
}

Html layout(const PageContext &context, Message title, const Html &content)
{
    const std::string here = encodePath(context.path);
    Element languages("div");
    languages.attribute("class", "language");
    for (const Language language : {Language::Japanese, Language::English}) {
        Element link("a");
        link.attribute("href", here + "?lang=" + std::string(languageCode(language)))
            .attribute("hreflang", languageCode(language))
            .attribute("lang", languageCode(language));
        if (language == context.language)
            link.attribute("aria-current", "true");
        link.child(
            translated(context, language == Language::Japanese ? Message::LanguageJapanese : Message::LanguageEnglish));
        languages.child(link).child(Html::literal(" "));
    }

    Element header("header");
    header.child(Element("a")
                     .attribute("class", "brand")
                     .attribute("href", "/admin/")
                     .child(translated(context, Message::AppName)));
    Element nav("nav");
    if (context.user) {
        nav.child(Element("a").attribute("href", "/admin/").child(translated(context, Message::NavDashboard)));
        if (roleHas(context.user->role, Permission::ViewConflicts))
            nav.child(
                Element("a").attribute("href", "/admin/conflicts").child(translated(context, Message::NavConflicts)));
        if (roleHas(context.user->role, Permission::ViewTerminals))
            nav.child(Element("a").attribute("href", "/admin/devices").child(translated(context, Message::NavDevices)));
        if (roleHas(context.user->role, Permission::ViewOrders))
            nav.child(Element("a").attribute("href", "/admin/orders").child(translated(context, Message::NavOrders)));
        if (roleHas(context.user->role, Permission::ViewStock))
            nav.child(Element("a").attribute("href", "/admin/skus").child(translated(context, Message::NavSkus)))
                .child(Element("a")
                           .attribute("href", "/admin/locations")
                           .child(translated(context, Message::NavLocations)))
                .child(Element("a").attribute("href", "/admin/stock").child(translated(context, Message::NavStock)));
        if (roleHas(context.user->role, Permission::ManageUsers))
            nav.child(Element("a").attribute("href", "/admin/users").child(translated(context, Message::NavUsers)))
                .child(Element("a")
                           .attribute("href", "/admin/approvals")
                           .child(translated(context, Message::NavApprovals)));
        if (roleHas(context.user->role, Permission::ManageApiKeys))
            nav.child(
                Element("a").attribute("href", "/admin/api-keys").child(translated(context, Message::NavApiKeys)));
        if (roleHas(context.user->role, Permission::ViewAudit))
            nav.child(Element("a").attribute("href", "/admin/audit").child(translated(context, Message::NavAudit)));
        if (roleHas(context.user->role, Permission::ManageUsers))
            nav.child(
                Element("a").attribute("href", "/admin/settings").child(translated(context, Message::NavSettings)));
    }
    header.child(nav);
    if (context.user) {
        header.child(Element("span")
                         .attribute("class", "user")
                         .child(translated(context, Message::SignedInAs))
                         .child(Html::literal(" "))
                         .text(context.user->username)
                         .child(Html::literal(" ("))
                         .child(translated(context, roleMessage(context.user->role)))
                         .child(Html::literal(")")));
        header.child(Element("a").attribute("href", "/admin/account").child(translated(context, Message::NavAccount)));
        // Sign-out is a POST with the CSRF token (R19, R25): a link could be triggered cross-site.
        header.child(
            Element("form")
                .attribute("class", "signout")
                .attribute("method", "post")
                .attribute("action", "/admin/logout")
                .child(csrfField(context.csrfToken))
                .child(Element("button").attribute("type", "submit").child(translated(context, Message::SignOut))));
    }
    header.child(languages);

    const Html head =
        Element("head")
            .child(Element("meta").attribute("charset", "utf-8"))
            .child(Element("meta")
                       .attribute("name", "viewport")
                       .attribute("content", "width=device-width, initial-scale=1"))
            .child(Element("title")
                       .child(translated(context, title))
                       .child(Html::literal(" - "))
                       .child(translated(context, Message::AppName)))
            .child(Element("link").attribute("rel", "stylesheet").attribute("href", staticUrl("admin.css")))
            .child(Element("link").attribute("rel", "icon").attribute("href", staticUrl("favicon.svg")))
            .child(Element("script").attribute("src", staticUrl("admin.js")).flag("defer"));
    const Html body = Element("body").child(header).child(
        Element("main").child(Element("h1").child(translated(context, title))).child(content));
    return Html::literal("<!DOCTYPE html>\n") +
           Element("html").attribute("lang", languageCode(context.language)).child(head).child(body).html();
}

Html loginPage(const PageContext &context, std::string_view next)
{
    const Html form =
        Element("form")
            .attribute("class", "stacked")
            .attribute("method", "post")
            .attribute("action", "/admin/login")
            .child(csrfField(context.csrfToken))
            .child(Element("input")
                       .attribute("type", "hidden")
                       .attribute("name", "next")
                       .attribute("value", safeRedirectTarget(next)))
            .child(labelled(context, Message::Username,
                            std::move(Element("input")
                                          .attribute("type", "text")
                                          .attribute("name", "username")
                                          .attribute("autocomplete", "username")
                                          .attribute("maxlength", 64)
                                          .flag("required")
                                          .flag("autofocus"))))
            .child(labelled(context, Message::Password,
                            std::move(Element("input")
                                          .attribute("type", "password")
                                          .attribute("name", "password")
                                          .attribute("autocomplete", "current-password")
                                          .attribute("maxlength", 128)
                                          .flag("required"))))
            .child(Element("button").attribute("type", "submit").child(translated(context, Message::SignIn)));
    const Html content = Element("section")
                             .attribute("class", "card")
                             .child(Element("p").child(translated(context, Message::LoginIntro)))
                             .child(form);
    return layout(context, Message::LoginTitle, content);
}

Html setupPage(const PageContext &context)
{
    const auto passwordInput = [](const char *name) {
        return std::move(Element("input")
                             .attribute("type", "password")
                             .attribute("name", name)
                             .attribute("autocomplete", "new-password")
                             .attribute("minlength", 12)
                             .attribute("maxlength", 128)
                             .flag("required"));
    };
    const Html form =
        Element("form")
            .attribute("class", "stacked")
            .attribute("method", "post")
            .attribute("action", "/admin/setup")
            .child(csrfField(context.csrfToken))
            .child(labelled(context, Message::SetupToken,
                            std::move(Element("input")
                                          .attribute("type", "password")
                                          .attribute("name", "setup_token")
                                          .attribute("autocomplete", "off")
                                          .attribute("maxlength", 128)
                                          .flag("required"))))
            .child(labelled(context, Message::Username,
                            std::move(Element("input")
                                          .attribute("type", "text")
                                          .attribute("name", "username")
                                          .attribute("autocomplete", "username")
                                          .attribute("maxlength", 64)
                                          .flag("required"))))
            .child(labelled(context, Message::NewPassword, passwordInput("password")))
            .child(labelled(context, Message::ConfirmPassword, passwordInput("password_confirm")))
            .child(Element("p").attribute("class", "muted").child(translated(context, Message::PasswordRule)))
            .child(
                Element("button").attribute("type", "submit").child(translated(context, Message::CreateAdministrator)));
    const Html content = Element("section")
                             .attribute("class", "card")
                             .child(Element("p").child(translated(context, Message::SetupIntro)))
                             .child(form);
    return layout(context, Message::SetupTitle, content);
}

Html errorPage(const PageContext &context, Message message, std::string_view reference)
{
    Element box("section");
    box.attribute("class", "card error-box").child(Element("p").child(translated(context, message)));
    if (!reference.empty())
        box.child(Element("p")
                      .child(translated(context, Message::ErrorReference))
                      .child(Html::literal(": "))
                      .child(Element("span").attribute("class", "reference").text(reference)));
    box.child(Element("p").child(
        Element("a").attribute("href", "/admin/").child(translated(context, Message::BackToDashboard))));
    return layout(context, Message::ErrorTitle, box);
}

Html dashboardPage(const PageContext &context, const DashboardData &data)
{
    std::map<std::string, std::string> labels; // device id → label, for the conflicts table
    for (const TerminalSummary &terminal : data.terminals)
        labels[terminal.id] = terminal.label;

    // Alerts first: what needs someone now.
    Html alerts;
    if (data.alerts.empty()) {
        alerts = emptyNote(context, Message::NoAlerts);
    } else {
        Element list("ul");
        for (const DashboardAlert &alert : data.alerts) {
            Element item("li");
            item.attribute("class",
                           alert.severity == AlertSeverity::Critical ? "severity-critical" : "severity-warning")
                .child(translated(context, alertMessage(alert.kind)))
                .child(Html::literal(": "))
                .text(alert.subject);
            if (!alert.since.empty())
                item.child(Html::literal(" "))
                    .child(Element("time")
                               .attribute("datetime", alert.since)
                               .attribute("class", "muted")
                               .text(alert.since));
            list.child(item);
        }
        alerts = list;
    }

    Element states("table");
    states.child(Element("thead").child(
        Element("tr").child(headerCell(context, Message::State)).child(headerCell(context, Message::Count))));
    Element stateRows("tbody");
    for (const auto &[state, count] : data.ordersByState)
        stateRows.child(Element("tr")
                            .attribute("data-state", Common::Domain::orderStateName(state))
                            .child(Element("td").child(translated(context, orderStateMessage(state))))
                            .child(Element("td").attribute("class", "number").child(countText(count))));
    states.child(stateRows);

    const Html shipments = Element("table").child(
        Element("tbody")
            .child(Element("tr")
                       .child(Element("th").attribute("scope", "row").child(translated(context, Message::OrderPacked)))
                       .child(Element("td").attribute("class", "number").child(countText(data.readyToShip))))
            .child(
                Element("tr")
                    .child(Element("th").attribute("scope", "row").child(translated(context, Message::ShippedOrders)))
                    .child(Element("td").attribute("class", "number").child(countText(data.shipped))))
            .child(
                Element("tr")
                    .child(
                        Element("th").attribute("scope", "row").child(translated(context, Message::AlertsFiredToday)))
                    .child(
                        Element("td").attribute("class", "number alerts-today").child(Html::number(data.alertsToday))))
            .child(
                Element("tr")
                    .child(
                        Element("th").attribute("scope", "row").child(translated(context, Message::UndeliveredAlerts)))
                    .child(
                        data.webhookBacklog
                            ? Element("td").attribute("class", "number").child(Html::number(*data.webhookBacklog))
                            : Element("td").attribute("class", "muted").child(translated(context, Message::Unknown)))));

    Html terminals;
    if (data.terminals.empty()) {
        terminals = emptyNote(context, Message::NoTerminals);
    } else {
        Element table("table");
        table.child(tableHead(context, {Message::Label, Message::Warehouse, Message::Status, Message::LastSync,
                                        Message::SyncLag, Message::LastAppliedSeq, Message::PendingOps,
                                        Message::SyncRejections, Message::AppVersion}));
        Element rows("tbody");
        for (const TerminalSummary &terminal : data.terminals) {
            const bool active = terminal.status == Storage::DeviceStatus::Active;
            Element lastSync("td");
            if (terminal.lastSyncAt)
                lastSync.child(Element("time").attribute("datetime", *terminal.lastSyncAt).text(*terminal.lastSyncAt));
            else
                lastSync.attribute("class", "muted").child(translated(context, Message::Unknown));
            Element pending("td");
            pending.attribute("class", "number");
            if (terminal.pendingOps)
                pending.child(Html::number(*terminal.pendingOps));
            else
                pending.child(translated(context, Message::Unknown));
            Element lag("td");
            lag.attribute("class", "number");
            if (terminal.syncLagSeconds)
                lag.child(Html::number(*terminal.syncLagSeconds))
                    .child(Html::literal(" "))
                    .child(translated(context, Message::SecondsShort));
            else
                lag.child(translated(context, Message::Unknown));
            Element version("td");
            if (terminal.appVersion)
                version.text(*terminal.appVersion);
            else
                version.attribute("class", "muted").child(translated(context, Message::NotReported));
            rows.child(
                Element("tr")
                    .attribute("data-device-id", terminal.id)
                    .attribute("title", terminal.label)
                    .child(Element("td").text(terminal.label))
                    .child(Element("td").text(terminal.warehouse))
                    .child(Element("td")
                               .attribute("class", active ? "status-active" : "status-revoked")
                               .child(translated(context, active ? Message::DeviceActive : Message::DeviceRevoked)))
                    .child(lastSync)
                    .child(lag)
                    .child(Element("td").attribute("class", "number").child(Html::number(terminal.lastAppliedSeq)))
                    .child(pending)
                    .child(Element("td").attribute("class", "number").child(Html::number(terminal.rejections)))
                    .child(version));
        }
        table.child(rows);
        terminals = table;
    }

    Html conflicts;
    if (data.conflicts.empty()) {
        conflicts = emptyNote(context, Message::NoConflicts);
    } else {
        Element table("table");
        table.child(tableHead(
            context, {Message::Time, Message::Warehouse, Message::Terminal, Message::Reason, Message::Details}));
        Element rows("tbody");
        for (const auto &conflict : data.conflicts) {
            const auto label = labels.find(conflict.deviceId);
            rows.child(Element("tr")
                           .attribute("data-conflict-id", conflict.id)
                           .child(Element("td").child(
                               Element("time").attribute("datetime", conflict.createdAt).text(conflict.createdAt)))
                           .child(Element("td").text(conflict.warehouse))
                           .child(Element("td")
                                      .attribute("title", conflict.deviceId)
                                      .text(label != labels.end() ? label->second : conflict.deviceId))
                           .child(Element("td").text(conflict.reason))
                           .child(Element("td").text(conflict.message)));
        }
        table.child(rows);
        conflicts = Element("p")
                        .attribute("class", "muted")
                        .child(translated(context, Message::Count))
                        .child(Html::literal(": "))
                        .child(countText(data.openConflicts))
                        .child(Html::literal(" "))
                        .child(Element("a")
                                   .attribute("href", "/admin/conflicts")
                                   .child(translated(context, Message::ConflictsTitle))) +
                    table.html();
    }

    const Html content =
        Element("p")
            .attribute("class", "muted")
            .child(translated(context, Message::GeneratedAt))
            .child(Html::literal(" "))
            .child(Element("time").attribute("datetime", data.generatedAt).text(data.generatedAt))
            .child(Html::literal(" · "))
            .child(translated(context, Message::TodayUtc))
            .child(Html::literal(" "))
            .child(Element("time").attribute("class", "dashboard-day").attribute("datetime", data.day).text(data.day))
            .html() +
        card(context, Message::Alerts, alerts).html() +
        Element("div")
            .attribute("class", "grid")
            .child(card(context, Message::OrdersByState, states))
            .child(card(context, Message::Shipments, shipments))
            .html() +
        card(context, Message::Terminals, terminals).html() + card(context, Message::OpenConflicts, conflicts).html();
    return layout(context, Message::DashboardTitle, content);
}

Net::HttpResponse htmlResponse(int status, const Html &document)
{
    Net::HttpResponse response;
    response.status = status;
    response.contentType = std::string(htmlContentType);
    response.body = document.str();
    response.headers.emplace_back("Content-Security-Policy", std::string(htmlContentSecurityPolicy));
    response.headers.emplace_back("Cache-Control", "no-store");
    return response;
}

Net::HttpResponse redirectResponse(const std::string &location)
{
    Net::HttpResponse response;
    response.status = 302;
    response.contentType = std::string(htmlContentType);
    response.headers.emplace_back("Location", location);
    response.headers.emplace_back("Content-Security-Policy", std::string(htmlContentSecurityPolicy));
    response.headers.emplace_back("Cache-Control", "no-store");
    response.body = Element("a").attribute("href", location).text(location).html().str();
    return response;
}

} // namespace Server::Admin
