#include "server/admin/settingspages.h"

#include <map>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include "server/admin/adminapplication.h"
#include "server/audit/announce.h"
#include "server/storage/store.h"
#include "server/storage/storepool.h"

namespace Server::Admin {

namespace {

namespace json = boost::json;
using Net::HttpResponse;
using Ops::AlertRule;

constexpr std::size_t settingsFormBytes = 8192;
constexpr std::string_view webhookAad = "v1|server_meta|setting.alert.webhook_url";

std::string hexOf(std::span<const std::uint8_t> bytes)
{
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    out.reserve(bytes.size() * 2);
    for (const std::uint8_t byte : bytes) {
        out += digits[byte >> 4];
        out += digits[byte & 0x0F];
    }
    return out;
}

std::optional<std::vector<std::uint8_t>> bytesOf(std::string_view hex)
{
    if (hex.size() % 2 != 0)
        return std::nullopt;
    const auto nibble = [](char c) -> int {
        if (c >= '0' && c <= '9')
            return c - '0';
        if (c >= 'a' && c <= 'f')
            return c - 'a' + 10;
        return -1;
    };
    std::vector<std::uint8_t> out;
    for (std::size_t index = 0; index < hex.size(); index += 2) {
        const int high = nibble(hex[index]);
        const int low = nibble(hex[index + 1]);
        if (high < 0 || low < 0)
            return std::nullopt;
        out.push_back(static_cast<std::uint8_t>(high * 16 + low));
    }
    return out;
}

Message ruleMessage(AlertRule rule)
{
    switch (rule) {
    case AlertRule::LoginFailures:
        return Message::RuleLoginFailures;
    case AlertRule::SyncRejections:
        return Message::RuleSyncRejections;
    case AlertRule::OpenConflicts:
        return Message::RuleOpenConflicts;
    case AlertRule::SyncLag:
        return Message::RuleSyncLag;
    case AlertRule::ServerErrors:
        return Message::RuleServerErrors;
    }
    return Message::RuleLoginFailures;
}

enum class WebhookSource { None, File, Page };

struct SettingsView
{
    std::map<AlertRule, std::string> values; // as shown in the inputs
    std::map<std::string, Html> problems;    // field name → reason
    WebhookSource source = WebhookSource::None;
    std::string masked; // the page's URL, masked (only when source = Page)
    bool canSetWebhook = false;
    bool saved = false;
    std::optional<std::vector<Ops::FiringAlert>> firing;
};

Html problemNote(const std::string &field, const SettingsView &view)
{
    const auto found = view.problems.find(field);
    if (found == view.problems.end())
        return {};
    return Element("span").attribute("class", "field-error").attribute("data-field", field).child(found->second);
}

Html settingsPage(const PageContext &context, const SettingsView &view)
{
    Html content;
    if (view.saved)
        content += Element("p")
                       .attribute("class", "card notice")
                       .attribute("role", "status")
                       .child(translated(context, Message::SettingsSaved))
                       .html();
    if (!view.problems.empty())
        content += Element("p")
                       .attribute("class", "card error-box")
                       .attribute("role", "alert")
                       .child(translated(context, Message::SettingsInvalid))
                       .html();

    if (view.firing) {
        Element firing("section");
        firing.attribute("class", "card").child(Element("h2").child(translated(context, Message::SettingsFiring)));
        if (view.firing->empty()) {
            firing.child(Element("p").attribute("class", "muted").child(translated(context, Message::SettingsNoFiring)));
        } else {
            Element list("ul");
            for (const Ops::FiringAlert &alert : *view.firing) {
                Element item("li");
                item.attribute("class", "severity-warning").child(translated(context, ruleMessage(alert.rule)));
                if (!alert.subject.empty())
                    item.child(Html::literal(" ")).text(alert.subjectLabel.empty() ? alert.subject : alert.subjectLabel);
                item.child(Html::literal(": "))
                    .child(Html::number(alert.value))
                    .child(Html::literal(" &gt; "))
                    .child(Html::number(alert.threshold));
                list.child(item);
            }
            firing.child(list);
        }
        content += firing.html();
    }

    Element form("form");
    form.attribute("class", "stacked").attribute("method", "post").attribute("action", "/admin/settings");
    form.child(csrfField(context.csrfToken));

    Element thresholds("fieldset");
    thresholds.child(Element("legend").child(translated(context, Message::SettingsThresholds)))
        .child(Element("p").attribute("class", "muted").child(translated(context, Message::SettingsThresholdsIntro)));
    const Ops::AlertThresholds defaults;
    for (const AlertRule rule : Ops::alertRules) {
        const std::string name(Ops::alertRuleName(rule));
        const auto [lowest, highest] = Ops::alertThresholdRange(rule);
        const auto shown = view.values.find(rule);
        Element input("input");
        input.attribute("type", "text")
            .attribute("inputmode", "numeric")
            .attribute("name", name)
            .attribute("id", "rule-" + name)
            .attribute("maxlength", 8)
            .attribute("value", shown != view.values.end() ? shown->second : std::string());
        thresholds.child(Element("label")
                             .child(translated(context, ruleMessage(rule)))
                             .child(input)
                             .child(Element("span")
                                        .attribute("class", "muted")
                                        .child(translated(context, Message::SettingsDefault))
                                        .child(Html::literal(": "))
                                        .text(defaults[rule] ? std::to_string(*defaults[rule]) : std::string("-"))
                                        .child(Html::literal(" ("))
                                        .child(Html::number(lowest))
                                        .child(Html::literal("–"))
                                        .child(Html::number(highest))
                                        .child(Html::literal(")")))
                             .child(problemNote(name, view)));
    }
    form.child(thresholds);

    Element webhook("fieldset");
    webhook.child(Element("legend").child(translated(context, Message::SettingsWebhook)))
        .child(Element("p").attribute("class", "muted").child(translated(context, Message::SettingsWebhookIntro)));
    Element current("p");
    current.attribute("id", "webhook-current")
        .child(translated(context, Message::SettingsWebhookCurrent))
        .child(Html::literal(": "));
    switch (view.source) {
    case WebhookSource::None:
        current.child(translated(context, Message::SettingsWebhookNone));
        break;
    case WebhookSource::File:
        current.child(translated(context, Message::SettingsWebhookFromFile));
        break;
    case WebhookSource::Page:
        current.child(Element("code").text(view.masked))
            .child(Html::literal(" — "))
            .child(translated(context, Message::SettingsWebhookFromPage));
        break;
    }
    webhook.child(current);
    if (view.canSetWebhook) {
        webhook.child(Element("label")
                          .child(translated(context, Message::SettingsWebhookNew))
                          .child(Element("input")
                                     .attribute("type", "url")
                                     .attribute("name", "webhook_url")
                                     .attribute("autocomplete", "off")
                                     .attribute("maxlength", static_cast<std::int64_t>(maxWebhookUrlBytes))
                                     .attribute("placeholder", "https://hooks.slack.com/services/…"))
                          .child(problemNote("webhook_url", view)));
        if (view.source == WebhookSource::Page)
            webhook.child(Element("label")
                              .attribute("class", "checkbox")
                              .child(Element("input")
                                         .attribute("type", "checkbox")
                                         .attribute("name", "webhook_remove")
                                         .attribute("value", "1"))
                              .child(translated(context, Message::SettingsWebhookRemove)));
    } else {
        webhook.child(Element("p").attribute("class", "muted").child(translated(context, Message::SettingsWebhookNoKey)));
    }
    form.child(webhook);
    form.child(Element("p").attribute("class", "muted").child(translated(context, Message::SettingsStepUpNote)))
        .child(Element("button").attribute("type", "submit").attribute("id", "save-settings").child(
            translated(context, Message::SettingsSave)));
    content += Element("section").attribute("class", "card").child(form).html();
    return layout(context, Message::SettingsTitle, content);
}

struct Stored
{
    Ops::AlertThresholds thresholds;
    std::string sealedUrl; // "" = none set on the page
};

Common::Result<Stored> loadStored(Storage::Store &store)
{
    auto settings = store.backOfficeSettings();
    if (!settings)
        return tl::unexpected(settings.error());
    Stored stored;
    stored.thresholds = Ops::alertThresholdsFromSettings(*settings);
    for (const auto &[name, value] : *settings)
        if (name == webhookUrlSettingName)
            stored.sealedUrl = value;
    return stored;
}

SettingsView viewOf(const Stored &stored, const SettingsPagesConfig &config)
{
    SettingsView view;
    for (const AlertRule rule : Ops::alertRules)
        view.values[rule] = stored.thresholds[rule] ? std::to_string(*stored.thresholds[rule]) : std::string();
    view.canSetWebhook = config.key != nullptr;
    if (!stored.sealedUrl.empty()) {
        view.source = WebhookSource::Page;
        auto url = config.key ? openWebhookUrl(*config.key, stored.sealedUrl) : Common::Result<std::string>();
        view.masked = url && config.key ? maskWebhookUrl(*url) : std::string("https://…");
    } else if (config.webhookFileConfigured) {
        view.source = WebhookSource::File;
    }
    if (config.firing)
        view.firing = config.firing();
    return view;
}

} // namespace

std::string maskWebhookUrl(std::string_view url)
{
    const auto scheme = url.find("://");
    if (scheme == std::string_view::npos)
        return "••••";
    const auto pathStart = url.find_first_of("/?#", scheme + 3);
    std::string_view authority = url.substr(scheme + 3, pathStart == std::string_view::npos ? std::string_view::npos
                                                                                             : pathStart - scheme - 3);
    if (const auto at = authority.rfind('@'); at != std::string_view::npos)
        authority.remove_prefix(at + 1); // never show user info
    return std::string(url.substr(0, scheme + 3)) + std::string(authority) + "/••••";
}

Common::Result<std::string> sealWebhookUrl(const Auth::SecretKey &key, std::string_view url)
{
    const auto *begin = reinterpret_cast<const std::uint8_t *>(url.data());
    auto sealed = Auth::seal(key, std::span<const std::uint8_t>(begin, url.size()), webhookAad);
    if (!sealed)
        return tl::unexpected(sealed.error());
    return hexOf(*sealed);
}

Common::Result<std::string> openWebhookUrl(const Auth::SecretKey &key, std::string_view sealedHex)
{
    const auto blob = bytesOf(sealedHex);
    if (!blob)
        return Common::fail(Common::ErrorCode::InvalidInput, "sealed webhook URL is not hex");
    auto opened = Auth::open(key, *blob, webhookAad);
    if (!opened)
        return tl::unexpected(opened.error());
    return std::string(opened->begin(), opened->end());
}

// ---- AlertWebhook ----

AlertWebhook::AlertWebhook(Storage::StorePool &pool, std::shared_ptr<const Auth::SecretKey> key,
                           Net::WebhookConfig fileConfig, std::chrono::milliseconds refresh)
    : m_pool(pool)
    , m_key(std::move(key))
    , m_fileConfig(std::move(fileConfig))
    , m_refresh(refresh)
{}

std::shared_ptr<const Net::WebhookClient> AlertWebhook::current()
{
    std::lock_guard lock(m_mutex);
    const auto now = std::chrono::steady_clock::now();
    if (m_checkedAt && now - *m_checkedAt < m_refresh)
        return m_client;
    m_checkedAt = now;
    std::string sealed;
    if (auto lease = m_pool.acquire()) {
        auto settings = (*lease)->backOfficeSettings();
        if (!settings)
            return m_client; // keep what worked; the next check tries again
        for (const auto &[name, value] : *settings)
            if (name == webhookUrlSettingName)
                sealed = value;
    } else {
        return m_client;
    }
    if (m_built && sealed == m_sealed)
        return m_client;
    m_sealed = sealed;
    m_built = true;
    m_client.reset();
    Net::WebhookConfig config = m_fileConfig;
    if (!sealed.empty() && m_key) {
        auto url = openWebhookUrl(*m_key, sealed);
        if (!url)
            return m_client; // a blob this server cannot open: no webhook (the page says so on save)
        config.url = std::move(*url);
    }
    if (config.url.empty())
        return m_client;
    if (auto client = Net::WebhookClient::create(std::move(config)))
        m_client = std::make_shared<const Net::WebhookClient>(std::move(*client));
    return m_client;
}

bool AlertWebhook::configured()
{
    return current() != nullptr;
}

Common::Result<Net::WebhookResponse> AlertWebhook::post(const std::string &payload)
{
    const auto client = current();
    if (!client)
        return Common::fail(Common::ErrorCode::NotFound, "no alert webhook configured");
    return client->post(payload);
}

// ---- routes ----

void installSettingsPages(AdminApplication &application, Storage::StorePool &pool, const SettingsPagesConfig &config)
{
    AdminApplication *app = &application;
    Storage::StorePool *stores = &pool;

    app->addRoute({"GET",
                   "/admin/settings",
                   AdminAuth::Session,
                   Permission::ManageUsers,
                   StepUp::No,
                   ResponseKind::Html,
                   AdminBody::None,
                   0,
                   {"saved"},
                   [app, stores, config](AdminContext &context) -> HttpResponse {
                       auto lease = stores->acquire();
                       if (!lease)
                           return app->errorResponse(ResponseKind::Html, context.page, 503, "unavailable",
                                                     context.request);
                       auto stored = loadStored(**lease);
                       if (!stored)
                           return app->errorResponse(ResponseKind::Html, context.page, 500, "internal",
                                                     context.request);
                       SettingsView view = viewOf(*stored, config);
                       view.saved = context.request.queryValue("saved") == std::optional<std::string_view>("1");
                       return htmlResponse(200, settingsPage(context.page, view));
                   }});

    app->addRoute({"POST",
                   "/admin/settings",
                   AdminAuth::Session,
                   Permission::ManageUsers,
                   StepUp::Required,
                   ResponseKind::Html,
                   AdminBody::Form,
                   settingsFormBytes,
                   {},
                   [app, stores, config](AdminContext &context) -> HttpResponse {
                       auto lease = stores->acquire();
                       if (!lease)
                           return app->errorResponse(ResponseKind::Html, context.page, 503, "unavailable",
                                                     context.request);
                       Storage::Store &store = **lease;
                       auto stored = loadStored(store);
                       if (!stored)
                           return app->errorResponse(ResponseKind::Html, context.page, 500, "internal",
                                                     context.request);
                       SettingsView view = viewOf(*stored, config);

                       // Read and check everything before writing anything.
                       Ops::AlertThresholds wanted = stored->thresholds;
                       for (const AlertRule rule : Ops::alertRules) {
                           const std::string name(Ops::alertRuleName(rule));
                           const auto field = formValue(context.fields, name);
                           if (!field)
                               continue; // not sent: unchanged (an empty field switches the rule off)
                           const std::string typed(*field);
                           view.values[rule] = typed;
                           auto parsed = Ops::parseAlertThreshold(rule, typed);
                           if (!parsed) {
                               const auto [lowest, highest] = Ops::alertThresholdRange(rule);
                               view.problems[name] =
                                   parsed.error().message.starts_with("must be between")
                                       ? translated(context.page, Message::SettingsOutOfRange) + Html::literal(" (") +
                                             Html::number(lowest) + Html::literal("–") + Html::number(highest) +
                                             Html::literal(")")
                                       : translated(context.page, Message::SettingsBadNumber);
                               continue;
                           }
                           wanted[rule] = *parsed;
                       }
                       const std::string url(formValue(context.fields, "webhook_url").value_or(""));
                       const bool remove = formValue(context.fields, "webhook_remove") == std::optional<std::string_view>("1");
                       std::string sealed;
                       if (!url.empty()) {
                           if (!config.key) {
                               view.problems["webhook_url"] = translated(context.page, Message::SettingsWebhookNoKey);
                           } else if (url.size() > maxWebhookUrlBytes) {
                               view.problems["webhook_url"] = translated(context.page, Message::SettingsBadWebhook) +
                                                              Html::text(": longer than 1000 bytes");
                           } else if (auto checked = Net::checkWebhookUrl(url, config.allowHosts); !checked) {
                               // The reason never contains the URL (webhookclient.h).
                               view.problems["webhook_url"] = translated(context.page, Message::SettingsBadWebhook) +
                                                              Html::text(": " + checked.error().message);
                           } else if (auto made = sealWebhookUrl(*config.key, url); !made) {
                               return app->errorResponse(ResponseKind::Html, context.page, 500, "internal",
                                                         context.request);
                           } else {
                               sealed = std::move(*made);
                           }
                       }
                       if (!view.problems.empty())
                           return htmlResponse(422, settingsPage(context.page, view));

                       json::object changed;
                       for (const AlertRule rule : Ops::alertRules)
                           if (wanted[rule] != stored->thresholds[rule])
                               changed[Ops::alertRuleName(rule)] =
                                   Ops::formatAlertThreshold(stored->thresholds[rule]) + " -> " +
                                   Ops::formatAlertThreshold(wanted[rule]);
                       std::string webhookChange;
                       if (!sealed.empty())
                           webhookChange = "set";
                       else if (remove && !stored->sealedUrl.empty())
                           webhookChange = "removed";
                       if (changed.empty() && webhookChange.empty()) {
                           HttpResponse unchanged = redirectResponse("/admin/settings?saved=1");
                           unchanged.status = 303;
                           return unchanged;
                       }

                       json::object details;
                       details["thresholds"] = changed;
                       if (!webhookChange.empty())
                           details["webhook_url"] = webhookChange;
                       details["ip"] = context.request.peer.address;
                       details["request_id"] = context.request.requestId;
                       Storage::AuditRecord entry;
                       entry.actor = "admin:" + context.session->userId;
                       entry.role = std::string(roleName(context.session->role));
                       entry.event = "config_change";
                       entry.target = "settings:alerts";
                       entry.details = json::serialize(details);
                       entry.sourceIp = context.request.peer.address;
                       entry.listener = "admin";
                       entry.requestId = context.request.requestId;
                       entry.outcome = "success";
                       std::string what;
                       for (const auto &[name, value] : changed)
                           what += (what.empty() ? "" : ", ") + std::string(name) + " " + value.as_string().c_str();
                       if (!webhookChange.empty())
                           what += (what.empty() ? "" : ", ") + std::string("webhook URL ") + webhookChange;
                       const Audit::Announcement announcement{"config_change", "Settings changed",
                                                              what + " by " + context.session->username + " from " +
                                                                  context.request.peer.address};
                       auto saved = Storage::retryTransient(store, [&]() -> Common::Result<void> {
                           Storage::Transaction transaction(store);
                           if (!transaction.started())
                               return tl::unexpected(transaction.started().error());
                           for (const AlertRule rule : Ops::alertRules)
                               if (wanted[rule] != stored->thresholds[rule])
                                   if (auto set = store.setBackOfficeSetting(Ops::alertRuleSettingName(rule),
                                                                             Ops::formatAlertThreshold(wanted[rule]));
                                       !set)
                                       return set;
                           if (webhookChange == "set")
                               if (auto set = store.setBackOfficeSetting(webhookUrlSettingName, sealed); !set)
                                   return set;
                           if (webhookChange == "removed")
                               if (auto removed = store.removeBackOfficeSetting(webhookUrlSettingName); !removed)
                                   return removed;
                           if (auto appended = Audit::appendAndAnnounce(store, entry, announcement); !appended)
                               return tl::unexpected(appended.error());
                           return transaction.commit();
                       });
                       if (!saved)
                           return app->errorResponse(ResponseKind::Html, context.page, 503, "unavailable",
                                                     context.request);
                       HttpResponse response = redirectResponse("/admin/settings?saved=1");
                       response.status = 303;
                       return response;
                   }});
}

} // namespace Server::Admin
