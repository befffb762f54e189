#pragma once
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>
#include "common/support/result.h"
#include "server/auth/secretbox.h"
#include "server/net/webhookclient.h"
#include "server/ops/alertrules.h"

namespace Server::Storage {
class StorePool;
}

// The settings page (docs/admin.md "Settings"): the thresholds of the alert rules
// (server/ops/alertrules.h) and the chat webhook URL.
// - GET /admin/settings and POST /admin/settings (ManageUsers: administrators only; the POST needs
//   a TOTP check from the last 5 minutes, StepUp::Required, R20). The form posts every threshold
//   (empty = rule off) and optionally a new webhook URL or `webhook_remove=1`. Any bad field
//   re-renders the form (422) with the reason and nothing is written; otherwise the changes, one
//   `config_change` audit entry (names of what changed, old → new thresholds, never the URL) and
//   its chat announcement are written in one transaction, then 303 to /admin/settings?saved=1.
// - Stored in server_meta ("setting.alert.<rule>", "setting.alert.webhook_url"), so every server
//   on the database and the running AlertRuleMonitor (next evaluation, ≤ 30 s) and AlertWebhook
//   (≤ 5 s) pick changes up without a restart.
// - The webhook URL carries a secret token (R14): it is checked like the file's URL (https only, no
//   user info, public address unless in alert_webhook_allow_hosts; Net::checkWebhookUrl), sealed
//   with AES-256-GCM under admin-secrets.key (the key file outside the database, as TOTP seeds,
//   R10) and never shown again: the page shows only maskWebhookUrl(). A URL set here takes
//   precedence over alert_webhook_url_file; removing it falls back to the file.
namespace Server::Admin {

class AdminApplication;

inline constexpr std::string_view webhookUrlSettingName = "alert.webhook_url";
inline constexpr std::size_t maxWebhookUrlBytes = 1000;

struct SettingsPagesConfig
{
    std::shared_ptr<const Auth::SecretKey> key; // seals the webhook URL; empty: it cannot be set here
    std::vector<std::string> allowHosts;        // alert_webhook_allow_hosts
    bool webhookFileConfigured = false;         // alert_webhook_url_file is set
    // The rules firing now on this server (AlertRuleMonitor::firing); empty = not shown.
    std::function<std::vector<Ops::FiringAlert>()> firing;
};

// Declares GET and POST /admin/settings on `application`; `pool` must outlive it.
void installSettingsPages(AdminApplication &application, Storage::StorePool &pool, const SettingsPagesConfig &config);

// "https://hooks.example.com/••••" — scheme, host and port only: the path and query carry the token.
std::string maskWebhookUrl(std::string_view url);
// The URL sealed for server_meta (lower-case hex of the secret box blob, AAD bound to the setting),
// and back. Errors: Crypto (wrong key, altered blob), InvalidInput (not hex).
Common::Result<std::string> sealWebhookUrl(const Auth::SecretKey &key, std::string_view url);
Common::Result<std::string> openWebhookUrl(const Auth::SecretKey &key, std::string_view sealedHex);

// The chat webhook the AlertWorker sends through: the URL set on the settings page, else the one of
// alert_webhook_url_file (`fileConfig.url`, may be empty), with fileConfig's CA file, allowlist and
// timeouts. The database row is re-read at most every `refresh`. Thread-safe.
class AlertWebhook final
{
public:
    AlertWebhook(Storage::StorePool &pool, std::shared_ptr<const Auth::SecretKey> key, Net::WebhookConfig fileConfig,
                 std::chrono::milliseconds refresh = std::chrono::seconds(5));
    bool configured();
    // Errors: NotFound (no webhook configured), as WebhookClient::post.
    Common::Result<Net::WebhookResponse> post(const std::string &payload);

private:
    std::shared_ptr<const Net::WebhookClient> current();

    Storage::StorePool &m_pool;
    std::shared_ptr<const Auth::SecretKey> m_key;
    Net::WebhookConfig m_fileConfig;
    std::chrono::milliseconds m_refresh;
    std::mutex m_mutex;
    std::optional<std::chrono::steady_clock::time_point> m_checkedAt;
    bool m_built = false;
    std::string m_sealed; // the row last seen ("" = none)
    std::shared_ptr<const Net::WebhookClient> m_client;
};

} // namespace Server::Admin
