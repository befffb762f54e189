#include <QRegularExpression>
#include <QTest>

#include <set>
#include <string>

#include "server/admin/dashboard.h"
#include "server/admin/form.h"
#include "server/admin/html.h"
#include "server/admin/pages.h"
#include "server/admin/session.h"
#include "server/admin/staticassets.h"
#include "server/admin/translations.h"

// server/admin without a server: escaping and URL policy of the HTML builder (R32, R33), the
// page renderers fed with hostile data, the JA/EN catalogue, language negotiation, form decoding,
// roles, cookies and the compiled-in static files.
using namespace Server::Admin;

namespace {

QByteArray bytes(const std::string &text)
{
    return QByteArray::fromStdString(text);
}

constexpr const char *xssText = "<img src=x onerror=alert(1)>";
constexpr const char *xssAttribute = "\" autofocus onfocus=x";
constexpr const char *xssScript = "</script><script>alert(1)</script>";

DashboardData hostileDashboard()
{
    DashboardData data;
    data.generatedAt = "2026-11-29T21:40:00.000Z";
    data.ordersByState = {{Common::Domain::OrderState::Imported, {3, false}},
                          {Common::Domain::OrderState::Shipped, {1000, true}}};
    data.readyToShip = {2, false};
    data.shipped = {1000, true};
    data.openConflicts = {1, false};
    Server::Storage::ConflictRecord conflict;
    conflict.id = 7;
    conflict.warehouse = "TKY1";
    conflict.deviceId = "dev-1";
    conflict.opId = "op";
    conflict.reason = "negative_stock";
    conflict.message = xssText;
    conflict.createdAt = "2026-11-29T21:00:00.000Z";
    data.conflicts.push_back(conflict);
    TerminalSummary terminal;
    terminal.id = xssAttribute;
    terminal.label = xssAttribute;
    terminal.warehouse = xssScript;
    terminal.lastAppliedSeq = 12;
    terminal.lastSyncAt = "2026-11-29T21:39:00Z";
    data.terminals.push_back(terminal);
    TerminalSummary revoked;
    revoked.id = "dev-1";
    revoked.label = "HT-01";
    revoked.warehouse = "TKY1";
    revoked.status = Server::Storage::DeviceStatus::Revoked;
    data.terminals.push_back(revoked);
    data.alerts.push_back({AlertKind::TerminalSilent, AlertSeverity::Warning, xssText, "2026-11-29T21:00:00Z"});
    return data;
}

// Every tag in `html` with its attributes, to check no event handler or inline style slipped in.
QStringList tagsOf(const QString &html)
{
    QStringList tags;
    static const QRegularExpression tag(QStringLiteral("<([a-zA-Z][^>]*)>"));
    auto matches = tag.globalMatch(html);
    while (matches.hasNext())
        tags << matches.next().captured(1);
    return tags;
}

} // namespace

class TestAdminHtml : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void escapeText_data()
    {
        QTest::addColumn<QByteArray>("input");
        QTest::addColumn<QByteArray>("expected");
        QTest::newRow("R32 img") << QByteArray(xssText) << QByteArray("&lt;img src=x onerror=alert(1)&gt;");
        QTest::newRow("R32 attribute") << QByteArray(xssAttribute) << QByteArray("&quot; autofocus onfocus=x");
        QTest::newRow("single quote") << QByteArray("O'Neil & Sons") << QByteArray("O&#39;Neil &amp; Sons");
        QTest::newRow("japanese kept") << QByteArray("緑茶 500ml") << QByteArray("緑茶 500ml");
        QTest::newRow("NUL") << QByteArray("a\0b", 3)
                             << QByteArray("a\xEF\xBF\xBD"
                                           "b");
        QTest::newRow("escape char") << QByteArray("a\x1b[31m") << QByteArray("a\xEF\xBF\xBD[31m");
        QTest::newRow("newline kept") << QByteArray("a\r\nb\tc") << QByteArray("a\r\nb\tc");
        QTest::newRow("invalid UTF-8") << QByteArray("a\xff\xfe") << QByteArray("a\xEF\xBF\xBD\xEF\xBF\xBD");
        QTest::newRow("overlong slash") << QByteArray("\xC0\xAF") << QByteArray("\xEF\xBF\xBD\xEF\xBF\xBD");
        QTest::newRow("surrogate") << QByteArray("\xED\xA0\x80") << QByteArray("\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
        QTest::newRow("truncated") << QByteArray("\xE7\xB7") << QByteArray("\xEF\xBF\xBD\xEF\xBF\xBD");
    }
    void escapeText()
    {
        QFETCH(QByteArray, input);
        QFETCH(QByteArray, expected);
        QCOMPARE(bytes(escapeHtml(input.toStdString())), expected);
        QCOMPARE(bytes(Html::text(input.toStdString()).str()), expected);
    }

    void safeUrls_data()
    {
        QTest::addColumn<QByteArray>("url");
        QTest::addColumn<QByteArray>("expected");
        QTest::newRow("absolute path") << QByteArray("/admin/orders?state=open")
                                       << QByteArray("/admin/orders?state=open");
        QTest::newRow("query only") << QByteArray("?lang=en") << QByteArray("?lang=en");
        QTest::newRow("fragment") << QByteArray("#top") << QByteArray("#top");
        QTest::newRow("relative") << QByteArray("orders/12") << QByteArray("orders/12");
        QTest::newRow("https") << QByteArray("https://docs.example/x") << QByteArray("https://docs.example/x");
        QTest::newRow("HTTPS upper") << QByteArray("HTTPS://docs.example/") << QByteArray("HTTPS://docs.example/");
        QTest::newRow("javascript") << QByteArray("javascript:alert(1)") << QByteArray("#");
        QTest::newRow("JaVaScRiPt") << QByteArray("JaVaScRiPt:alert(1)") << QByteArray("#");
        QTest::newRow("tab inside scheme") << QByteArray("java\tscript:alert(1)") << QByteArray("#");
        QTest::newRow("leading space") << QByteArray(" javascript:alert(1)") << QByteArray("#");
        QTest::newRow("data") << QByteArray("data:text/html,<script>") << QByteArray("#");
        QTest::newRow("vbscript") << QByteArray("vbscript:x") << QByteArray("#");
        QTest::newRow("http") << QByteArray("http://evil.example/") << QByteArray("#");
        QTest::newRow("scheme-relative") << QByteArray("//evil.example/") << QByteArray("#");
        QTest::newRow("backslash") << QByteArray("/\\evil.example") << QByteArray("#");
        QTest::newRow("https without host") << QByteArray("https:") << QByteArray("#");
        QTest::newRow("non-ASCII") << QByteArray("/admin/緑") << QByteArray("#");
        QTest::newRow("empty") << QByteArray("") << QByteArray("#");
    }
    void safeUrls()
    {
        QFETCH(QByteArray, url);
        QFETCH(QByteArray, expected);
        QCOMPARE(bytes(safeUrl(url.toStdString())), expected);
    }

    // R33 and REQUIREMENTS.md §5.2 "Open redirect": next must match ^/[^/\\] else /admin/.
    void redirectTargets_data()
    {
        QTest::addColumn<QByteArray>("next");
        QTest::addColumn<QByteArray>("expected");
        QTest::newRow("page") << QByteArray("/admin/orders?state=open") << QByteArray("/admin/orders?state=open");
        QTest::newRow("scheme-relative") << QByteArray("//evil.example/") << QByteArray("/admin/");
        QTest::newRow("backslash second") << QByteArray("/\\evil.example") << QByteArray("/admin/");
        QTest::newRow("absolute URL") << QByteArray("https://evil.example/") << QByteArray("/admin/");
        QTest::newRow("javascript") << QByteArray("javascript:alert(1)") << QByteArray("/admin/");
        QTest::newRow("relative") << QByteArray("admin/") << QByteArray("/admin/");
        QTest::newRow("root alone") << QByteArray("/") << QByteArray("/admin/");
        QTest::newRow("CRLF") << QByteArray("/admin/\r\nSet-Cookie:x=y") << QByteArray("/admin/");
        QTest::newRow("tab") << QByteArray("/\t/evil.example") << QByteArray("/admin/");
        QTest::newRow("backslash later") << QByteArray("/admin\\..\\x") << QByteArray("/admin/");
        QTest::newRow("empty") << QByteArray("") << QByteArray("/admin/");
    }
    void redirectTargets()
    {
        QFETCH(QByteArray, next);
        QFETCH(QByteArray, expected);
        QCOMPARE(bytes(safeRedirectTarget(next.toStdString())), expected);
    }

    void elementBuilder()
    {
        const Html link =
            Element("a").attribute("href", "javascript:alert(1)").attribute("title", xssAttribute).text(xssText);
        QCOMPARE(
            bytes(link.str()),
            QByteArray("<a href=\"#\" title=\"&quot; autofocus onfocus=x\">&lt;img src=x onerror=alert(1)&gt;</a>"));
        const Html input =
            Element("input").attribute("name", "q").attribute("value", "a\"b").flag("required").flag("disabled", false);
        QCOMPARE(bytes(input.str()), QByteArray("<input name=\"q\" value=\"a&quot;b\" required>"));
        // A URL built from data: its segment is percent-encoded, then the attribute escaped.
        const Html encoded = Element("a").attribute("href", "/admin/terminals/" + encodeUriComponent("a/b c\"<"));
        QCOMPARE(bytes(encoded.str()), QByteArray("<a href=\"/admin/terminals/a%2Fb%20c%22%3C\"></a>"));
        QCOMPARE(bytes(encodePath("/admin/a b/ü")), QByteArray("/admin/a%20b/%C3%BC"));
        const Html image = Element("img").attribute("alt", "QR").imageData(Element::ImageType::Svg, "<svg/>");
        QCOMPARE(bytes(image.str()), QByteArray("<img alt=\"QR\" src=\"data:image/svg+xml;base64,PHN2Zy8+\">"));
        QCOMPARE(bytes(Element("p").attribute("data-count", std::int64_t(42)).html().str()),
                 QByteArray("<p data-count=\"42\"></p>"));
        QCOMPARE(bytes((Html::literal("<b>") + Html::number(-3) + Html::literal("</b>")).str()),
                 QByteArray("<b>-3</b>"));
        QVERIFY_THROWS_EXCEPTION(std::logic_error, (void)Element("br").text("x").html());
        QVERIFY_THROWS_EXCEPTION(std::logic_error, (void)Element("script").text("alert(1)").html());
        // What does not compile (checked by reading html.h, kept here as documentation):
        //   Element("a").attribute("onclick", "…");   Element("style");   Html::literal(runtimeString);
    }

    void pagesEscapeHostileData()
    {
        PageContext context;
        context.language = Language::English;
        context.path = "/admin/";
        context.user = PageUser{xssText, Role::Admin};
        context.csrfToken = xssAttribute;
        const std::string page = dashboardPage(context, hostileDashboard()).str();
        const QByteArray html = bytes(page);
        // R32: text context.
        QVERIFY(html.contains("&lt;img src=x onerror=alert(1)&gt;"));
        QVERIFY(!html.contains(xssText));
        QVERIFY(html.contains("&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;"));
        QVERIFY(!html.contains("<script>alert"));
        // R32: attribute context (terminal id and label are in data-device-id and title).
        QVERIFY(html.contains("data-device-id=\"&quot; autofocus onfocus=x\""));
        QVERIFY(html.contains("title=\"&quot; autofocus onfocus=x\""));
        QVERIFY(!html.contains("\" autofocus"));
        // No event handler, inline style or inline script anywhere (CSP forbids them anyway).
        static const QRegularExpression quoted(QStringLiteral("\"[^\"]*\""));
        for (const QString &tag : tagsOf(QString::fromUtf8(html))) {
            QString names = tag;
            names.remove(quoted); // attribute values are data; only names matter here
            QVERIFY2(!names.contains(QRegularExpression(QStringLiteral("\\s(on[a-z]+|style)="))), qPrintable(tag));
            if (tag.startsWith(QStringLiteral("script")))
                QVERIFY2(tag.contains(QStringLiteral("src=\"/admin/static/admin.js?v=")), qPrintable(tag));
        }
        QCOMPARE(html.count("<script"), 1);
        // Capped counts, state names and the revoked terminal are shown.
        QVERIFY(html.contains(">1000+<"));
        QVERIFY(html.contains("Shipped"));
        QVERIFY(html.contains("status-revoked"));
        QVERIFY(html.contains(">HT-01<")); // the conflict names its terminal by label
        QVERIFY(html.startsWith("<!DOCTYPE html>\n<html lang=\"en\">"));
    }

    void loginAndSetupForms()
    {
        PageContext context;
        context.language = Language::Japanese;
        context.path = "/admin/login";
        context.csrfToken = "tok\"en";
        const QByteArray login = bytes(loginPage(context, "//evil.example/").str());
        QVERIFY(login.contains("<form class=\"stacked\" method=\"post\" action=\"/admin/login\">"));
        QVERIFY(login.contains("<input type=\"hidden\" name=\"csrf\" value=\"tok&quot;en\">"));
        QVERIFY(login.contains("<input type=\"hidden\" name=\"next\" value=\"/admin/\">")); // R33
        QVERIFY(login.contains("name=\"password\" autocomplete=\"current-password\""));
        QVERIFY(login.contains("<html lang=\"ja\">"));
        QVERIFY(login.contains(bytes(std::string(translate(Message::SignIn, Language::Japanese)))));
        QVERIFY(login.contains("href=\"/admin/login?lang=en\""));
        QVERIFY(!login.contains("Signed in as")); // no user yet: no user box, no navigation
        const QByteArray next = bytes(loginPage(context, "/admin/?lang=ja").str());
        QVERIFY(next.contains("name=\"next\" value=\"/admin/?lang=ja\""));

        context.language = Language::English;
        const QByteArray setup = bytes(setupPage(context).str());
        QVERIFY(setup.contains("action=\"/admin/setup\""));
        QVERIFY(setup.contains("name=\"setup_token\""));
        QVERIFY(setup.contains("name=\"password_confirm\""));
        QVERIFY(setup.contains("minlength=\"12\" maxlength=\"128\""));
        QVERIFY(setup.contains("First-run setup"));

        const QByteArray error = bytes(errorPage(context, Message::ErrorInternal, "0b8f-ref").str());
        QVERIFY(error.contains("<span class=\"reference\">0b8f-ref</span>"));
        QVERIFY(error.contains("Something went wrong on the server."));
    }

    void htmlResponseHeaders()
    {
        const auto response = htmlResponse(404, Html::text("x"));
        QCOMPARE(response.status, 404);
        QCOMPARE(bytes(response.contentType), QByteArray("text/html; charset=utf-8"));
        bool csp = false, noStore = false;
        for (const auto &[name, value] : response.headers) {
            csp = csp || (name == "Content-Security-Policy" &&
                          value == "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                                   "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
            noStore = noStore || (name == "Cache-Control" && value == "no-store");
        }
        QVERIFY(csp);
        QVERIFY(noStore);
    }

    void catalogueIsComplete()
    {
        std::set<std::string_view> english;
        for (int index = 0; index <= static_cast<int>(lastMessage); ++index) {
            const auto message = static_cast<Message>(index);
            const std::string_view japanese = translate(message, Language::Japanese);
            const std::string_view inEnglish = translate(message, Language::English);
            QVERIFY2(!japanese.empty() && !inEnglish.empty(), qPrintable(QString::number(index)));
            // Japanese texts are Japanese (at least one non-ASCII byte) except the language/brand names
            // and "SKU", which Japanese warehouses write as is.
            if (message != Message::LanguageEnglish && message != Message::AppName && message != Message::Sku)
                QVERIFY2(std::any_of(japanese.begin(), japanese.end(),
                                     [](char c) { return static_cast<unsigned char>(c) >= 0x80; }),
                         japanese.data());
            english.insert(inEnglish);
        }
        QVERIFY(english.size() > static_cast<std::size_t>(lastMessage) / 2);
    }

    void languageNegotiation_data()
    {
        QTest::addColumn<QByteArray>("query");
        QTest::addColumn<QByteArray>("cookie");
        QTest::addColumn<QByteArray>("accept");
        QTest::addColumn<bool>("japanese");
        QTest::newRow("nothing → English") << QByteArray() << QByteArray() << QByteArray() << false;
        QTest::newRow("browser ja") << QByteArray() << QByteArray() << QByteArray("ja-JP,ja;q=0.9,en;q=0.8") << true;
        QTest::newRow("browser en first") << QByteArray() << QByteArray() << QByteArray("en-US,ja;q=0.5") << false;
        QTest::newRow("q decides") << QByteArray() << QByteArray() << QByteArray("en;q=0.4, ja;q=0.6") << true;
        QTest::newRow("q=0 excluded") << QByteArray() << QByteArray() << QByteArray("ja;q=0, de") << false;
        QTest::newRow("malformed q ignored") << QByteArray() << QByteArray() << QByteArray("ja;q=2, en;q=0.1") << false;
        QTest::newRow("unknown only") << QByteArray() << QByteArray() << QByteArray("fr-FR,de") << false;
        QTest::newRow("cookie beats header") << QByteArray() << QByteArray("ja") << QByteArray("en") << true;
        QTest::newRow("query beats cookie") << QByteArray("en") << QByteArray("ja") << QByteArray("ja") << false;
        QTest::newRow("bad query ignored") << QByteArray("xx") << QByteArray("ja") << QByteArray() << true;
        QTest::newRow("uppercase tag") << QByteArray() << QByteArray() << QByteArray("JA") << true;
    }
    void languageNegotiation()
    {
        QFETCH(QByteArray, query);
        QFETCH(QByteArray, cookie);
        QFETCH(QByteArray, accept);
        QFETCH(bool, japanese);
        const auto optional = [](const QByteArray &value) {
            return value.isNull() ? std::nullopt : std::optional<std::string_view>(value.constData());
        };
        QCOMPARE(negotiateLanguage(optional(query), optional(cookie), optional(accept)) == Language::Japanese,
                 japanese);
    }

    void forms_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<bool>("ok");
        QTest::addColumn<QByteArray>("username");
        QTest::newRow("plain") << QByteArray("username=alice&password=a+b%26c") << true << QByteArray("alice");
        QTest::newRow("utf-8") << QByteArray("username=%E4%BD%90%E8%97%A4") << true << QByteArray("佐藤");
        QTest::newRow("empty pieces") << QByteArray("&username=bob&&") << true << QByteArray("bob");
        QTest::newRow("duplicate") << QByteArray("username=a&username=b") << false << QByteArray();
        QTest::newRow("bad escape") << QByteArray("username=%zz") << false << QByteArray();
        QTest::newRow("truncated escape") << QByteArray("username=%4") << false << QByteArray();
        QTest::newRow("NUL") << QByteArray("username=a%00b") << false << QByteArray();
        QTest::newRow("invalid UTF-8") << QByteArray("username=%C0%AF") << false << QByteArray();
        QTest::newRow("no name") << QByteArray("=x") << false << QByteArray();
    }
    void forms()
    {
        QFETCH(QByteArray, body);
        QFETCH(bool, ok);
        QFETCH(QByteArray, username);
        const auto form = parseForm(body.toStdString());
        QCOMPARE(bool(form), ok);
        if (!ok)
            return;
        QCOMPARE(QByteArray(formValue(*form, "username").value_or("").data(),
                            qsizetype(formValue(*form, "username").value_or("").size())),
                 username);
        if (body.contains("password"))
            QCOMPARE(std::string(*formValue(*form, "password")), std::string("a b&c"));
    }
    void tooManyFormFields()
    {
        std::string body;
        for (std::size_t index = 0; index <= maxFormFields; ++index)
            body += "f" + std::to_string(index) + "=1&";
        QVERIFY(!parseForm(body));
    }

    void rolesAreLeastPrivilege()
    {
        // The viewer only reads; nobody but the admin manages people, devices or keys.
        for (const Permission permission : rolePermissions(Role::Viewer))
            QVERIFY2(std::string(permissionName(permission)).starts_with("view_"), permissionName(permission).data());
        for (const Permission sensitive :
             {Permission::ManageUsers, Permission::ManageApiKeys, Permission::ManageTerminals, Permission::ViewAudit}) {
            QVERIFY(roleHas(Role::Admin, sensitive));
            for (const Role role : {Role::BackOffice, Role::Supervisor, Role::Viewer})
                QVERIFY(!roleHas(role, sensitive));
        }
        QVERIFY(roleHas(Role::BackOffice, Permission::ManageOrders));
        QVERIFY(!roleHas(Role::Supervisor, Permission::ManageOrders));
        QVERIFY(roleHas(Role::Supervisor, Permission::ResolveConflicts));
        QVERIFY(!roleHas(Role::BackOffice, Permission::ResolveConflicts));
        QVERIFY(!roleHas(Role::Supervisor, Permission::ExportPersonalData));
        for (const Role role : {Role::Admin, Role::BackOffice, Role::Supervisor, Role::Viewer}) {
            QVERIFY(roleHas(role, Permission::ViewOwnAccount));
            QCOMPARE(roleFromName(roleName(role)), std::optional<Role>(role));
        }
        QCOMPARE(rolePermissions(Role::Admin).size(), std::size_t(static_cast<int>(lastPermission) + 1));
        QVERIFY(!roleFromName("root"));
    }

    void cookies_data()
    {
        QTest::addColumn<QList<QByteArray>>("headers");
        QTest::addColumn<QByteArray>("expected"); // null = none
        QTest::newRow("single") << QList<QByteArray>{"__Host-sid=abc"} << QByteArray("abc");
        QTest::newRow("among others") << QList<QByteArray>{"a=1; __Host-sid=abc; b=2"} << QByteArray("abc");
        QTest::newRow("quoted") << QList<QByteArray>{"__Host-sid=\"abc\""} << QByteArray("abc");
        QTest::newRow("absent") << QList<QByteArray>{"sid=abc; Host-sid=x"} << QByteArray();
        QTest::newRow("duplicate in one header") << QList<QByteArray>{"__Host-sid=a; __Host-sid=b"} << QByteArray();
        QTest::newRow("duplicate across headers") << QList<QByteArray>{"__Host-sid=a", "__Host-sid=b"} << QByteArray();
    }
    void cookies()
    {
        QFETCH(QList<QByteArray>, headers);
        QFETCH(QByteArray, expected);
        Server::Net::HttpRequest request;
        for (const QByteArray &header : headers)
            request.headers.emplace_back("cookie", header.toStdString());
        request.query.emplace_back("sid", "from-url"); // R15: never looked at
        const auto value = cookieValue(request, sessionCookieName);
        QCOMPARE(value.has_value(), !expected.isNull());
        if (value)
            QCOMPARE(bytes(*value), expected);
    }

    void staticAssetsAreCompiledIn()
    {
        QCOMPARE(staticAssets().size(), std::size_t(3)); // admin.css, admin.js, favicon.svg
        for (const StaticAsset &asset : staticAssets()) {
            QVERIFY(!asset.body.empty());
            QVERIFY(std::string_view(asset.contentType).find("charset=utf-8") != std::string_view::npos);
            QCOMPARE(asset.version.size(), std::size_t(16));
            QCOMPARE(bytes(staticUrl(asset.name)),
                     bytes("/admin/static/" + std::string(asset.name) + "?v=" + asset.version));
        }
        QVERIFY(findStaticAsset("admin.css"));
        for (const char *name : {"../admin.css", "admin.css.bak", ".git/HEAD", ".env", "", "index.html"})
            QVERIFY2(!findStaticAsset(name), name);
        QVERIFY(findStaticAsset("admin.css")->version != findStaticAsset("admin.js")->version);
    }
};

QTEST_GUILESS_MAIN(TestAdminHtml)
#include "tst_adminhtml.moc"
