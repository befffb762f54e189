#pragma once
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include "common/domain/order.h"
#include "server/admin/html.h"
#include "server/admin/session.h"
#include "server/admin/translations.h"
#include "server/net/httpmessage.h"

namespace Server::Admin {
struct DashboardData;
}

// The admin pages as functions from plain data to Html (no I/O, no Store): the shared layout
// (header with navigation, user and the 日本語/English switch, our stylesheet and script),
// the login form, the first-run setup form, the error page and the dashboard. Every string comes
// from the catalogue (translations.h) in the page's language; every datum goes through Html::text
// or an Element attribute, so it is escaped for its context (R32).
namespace Server::Admin {

struct PageUser
{
    std::string username;
    Role role = Role::Viewer;
};

struct PageContext
{
    Language language = Language::English;
    std::string path = "/admin/"; // the request path (decoded); the language links point back to it
    std::optional<PageUser> user; // signed-in user, shown in the header with the navigation
    std::string csrfToken;        // goes into every form's hidden `csrf` field
};

Html translated(const PageContext &context, Message message);
// <input type="hidden" name="csrf" value="…">: the slot every form carries (R25).
Html csrfField(std::string_view token);
// The whole document: doctype, head (charset, title, stylesheet, script), header, main = content.
Html layout(const PageContext &context, Message title, const Html &content);

// POST /admin/login (handled by the login work) with user name, password, `next` and `csrf`.
// `next` is passed through safeRedirectTarget first.
Html loginPage(const PageContext &context, std::string_view next);
// POST /admin/setup with the one-time setup token, user name and the password twice.
Html setupPage(const PageContext &context);
// Status, a catalogue message and, for server faults, the reference (the request id) only (R38).
Html errorPage(const PageContext &context, Message message, std::string_view reference = {});
Html dashboardPage(const PageContext &context, const DashboardData &data);

// A complete HTML answer: Content-Type with charset, the §5.2 CSP, Cache-Control: no-store.
Net::HttpResponse htmlResponse(int status, const Html &document);
// 302 to `location` (a path we chose, or safeRedirectTarget(next) for user input, R33).
Net::HttpResponse redirectResponse(const std::string &location);

Message roleMessage(Role role);
Message orderStateMessage(Common::Domain::OrderState state);

// Building blocks for pages (use them rather than writing the markup again):
// <th scope="col">message</th>
Element headerCell(const PageContext &context, Message message);
// <thead><tr> one headerCell per message, in order </tr></thead>
Element tableHead(const PageContext &context, std::initializer_list<Message> columns);
// <section class="card"><h2>title</h2>body</section>
Element card(const PageContext &context, Message title, const Html &body);
// <p class="muted">message</p>, e.g. "no orders match"
Html emptyNote(const PageContext &context, Message message);
// <label>message input</label> for form.stacked forms
Element labelled(const PageContext &context, Message label, const Html &input);

} // namespace Server::Admin
