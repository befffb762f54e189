#include "server/admin/translations.h"

#include <algorithm>
#include <cctype>
#include <string>

namespace Server::Admin {

namespace {

struct Pair
{
    std::string_view japanese;
    std::string_view english;
};

// A switch without default: -Wswitch (an error in CI) names any message left untranslated.
Pair catalogue(Message message)
{
    switch (message) {
    case Message::AppName:
        return {"Soko 管理画面", "Soko admin"};
    case Message::NavDashboard:
        return {"ダッシュボード", "Dashboard"};
    case Message::SignedInAs:
        return {"ログイン中:", "Signed in as"};
    case Message::SignOut:
        return {"サインアウト", "Sign out"};
    case Message::NavAccount:
        return {"アカウント", "Account"};
    case Message::LanguageJapanese:
        return {"日本語", "日本語"};
    case Message::LanguageEnglish:
        return {"English", "English"};
    case Message::RoleAdmin:
        return {"管理者", "Administrator"};
    case Message::RoleBackOffice:
        return {"バックオフィス", "Back office"};
    case Message::RoleSupervisor:
        return {"現場責任者", "Supervisor"};
    case Message::RoleViewer:
        return {"閲覧者", "Viewer"};
    case Message::LoginTitle:
        return {"ログイン", "Sign in"};
    case Message::LoginIntro:
        return {"パスワードを入力したあと、認証アプリのコードを入力します。",
                "Enter your password, then the code from your authenticator app."};
    case Message::Username:
        return {"ユーザー名", "User name"};
    case Message::Password:
        return {"パスワード", "Password"};
    case Message::SignIn:
        return {"ログイン", "Sign in"};
    case Message::SetupTitle:
        return {"初期設定", "First-run setup"};
    case Message::SetupIntro:
        return {
            "最初の管理者アカウントを作成します。インストール時に表示されたセットアップトークンを入力してください。",
            "Create the first administrator account with the setup token printed at installation."};
    case Message::SetupToken:
        return {"セットアップトークン", "Setup token"};
    case Message::NewPassword:
        return {"新しいパスワード", "New password"};
    case Message::ConfirmPassword:
        return {"パスワード（確認）", "Confirm password"};
    case Message::PasswordRule:
        return {"12文字以上、128文字以内。", "At least 12 characters, at most 128."};
    case Message::CreateAdministrator:
        return {"管理者を作成", "Create administrator"};
    case Message::ErrorTitle:
        return {"エラー", "Error"};
    case Message::ErrorBadRequest:
        return {"リクエストが正しくありません。", "The request is not valid."};
    case Message::ErrorSignInRequired:
        return {"ログインしてください。", "Please sign in."};
    case Message::ErrorForbidden:
        return {"この操作を行う権限がありません。", "You do not have permission for this."};
    case Message::ErrorStepUpRequired:
        return {"この操作の前に、認証アプリのコードで本人確認をやり直してください。",
                "Confirm it is you with a fresh code from your authenticator app first."};
    case Message::ErrorNotFound:
        return {"ページが見つかりません。", "Page not found."};
    case Message::ErrorMethodNotAllowed:
        return {"この操作はここでは使えません。", "This action is not available here."};
    case Message::ErrorInternal:
        return {"サーバーでエラーが発生しました。", "Something went wrong on the server."};
    case Message::ErrorUnavailable:
        return {"サーバーが混み合っています。しばらくしてからもう一度お試しください。",
                "The server is busy. Please try again shortly."};
    case Message::ErrorReference:
        return {"参照番号", "Reference"};
    case Message::BackToDashboard:
        return {"ダッシュボードへ戻る", "Back to the dashboard"};
    case Message::DashboardTitle:
        return {"ダッシュボード", "Dashboard"};
    case Message::GeneratedAt:
        return {"集計時刻", "As of"};
    case Message::OrdersByState:
        return {"状態別の受注", "Orders by state"};
    case Message::State:
        return {"状態", "State"};
    case Message::Count:
        return {"件数", "Count"};
    case Message::Shipments:
        return {"出荷", "Shipments"};
    case Message::ShippedOrders:
        return {"出荷済みの受注", "Shipped orders"};
    case Message::OpenConflicts:
        return {"未解決の競合", "Open conflicts"};
    case Message::NoConflicts:
        return {"未解決の競合はありません。", "No open conflicts."};
    case Message::Time:
        return {"日時", "Time"};
    case Message::Warehouse:
        return {"倉庫", "Warehouse"};
    case Message::Terminal:
        return {"端末", "Terminal"};
    case Message::Reason:
        return {"理由", "Reason"};
    case Message::Details:
        return {"詳細", "Details"};
    case Message::Terminals:
        return {"端末", "Terminals"};
    case Message::NoTerminals:
        return {"登録された端末はありません。", "No terminals enrolled."};
    case Message::Label:
        return {"名称", "Label"};
    case Message::Status:
        return {"状態", "Status"};
    case Message::LastSync:
        return {"最終同期", "Last sync"};
    case Message::LastAppliedSeq:
        return {"反映済みの操作番号", "Last applied op"};
    case Message::PendingOps:
        return {"未送信の操作", "Pending ops"};
    case Message::Never:
        return {"なし", "Never"};
    case Message::Unknown:
        return {"不明", "Unknown"};
    case Message::DeviceActive:
        return {"有効", "Active"};
    case Message::DeviceRevoked:
        return {"失効", "Revoked"};
    case Message::Alerts:
        return {"アラート", "Alerts"};
    case Message::NoAlerts:
        return {"アラートはありません。", "No alerts."};
    case Message::AlertTerminalSilent:
        return {"端末の同期が止まっています", "Terminal has stopped syncing"};
    case Message::AlertConflictsOpen:
        return {"確認が必要な競合があります", "Conflicts need review"};
    case Message::AlertWebhookBacklog:
        return {"アラート通知が送信されていません", "Alert notifications are not being delivered"};
    case Message::OrderImported:
        return {"取込済み", "Imported"};
    case Message::OrderAllocated:
        return {"引当済み", "Allocated"};
    case Message::OrderReleased:
        return {"出荷指示済み", "Released"};
    case Message::OrderPicking:
        return {"ピッキング中", "Picking"};
    case Message::OrderPicked:
        return {"ピッキング完了", "Picked"};
    case Message::OrderPacked:
        return {"梱包済み", "Packed"};
    case Message::OrderShipped:
        return {"出荷済み", "Shipped"};
    case Message::OrderCancelled:
        return {"キャンセル", "Cancelled"};
    // audit and settings pages
    case Message::NavAudit:
        return {"監査ログ", "Audit log"};
    case Message::NavSettings:
        return {"設定", "Settings"};
    case Message::AuditTitle:
        return {"監査ログ", "Audit log"};
    case Message::AuditFilter:
        return {"絞り込み", "Filter"};
    case Message::AuditEvent:
        return {"イベント", "Event"};
    case Message::AuditActor:
        return {"実行者", "Actor"};
    case Message::AuditFrom:
        return {"開始日 (UTC)", "From (UTC)"};
    case Message::AuditTo:
        return {"終了日 (UTC)", "To (UTC)"};
    case Message::AuditLimit:
        return {"表示件数", "Rows per page"};
    case Message::AuditApply:
        return {"絞り込む", "Apply"};
    case Message::AuditClear:
        return {"条件を解除", "Clear"};
    case Message::AuditSeq:
        return {"連番", "Seq"};
    case Message::AuditRole:
        return {"ロール", "Role"};
    case Message::AuditSourceIp:
        return {"接続元 IP", "Source IP"};
    case Message::AuditListener:
        return {"リスナー", "Listener"};
    case Message::AuditTarget:
        return {"対象", "Target"};
    case Message::AuditOutcome:
        return {"結果", "Outcome"};
    case Message::AuditNoEntries:
        return {"条件に合う記録はありません。", "No entries match."};
    case Message::AuditNewer:
        return {"← 新しい記録", "← Newer"};
    case Message::AuditOlder:
        return {"古い記録 →", "Older →"};
    case Message::AuditVerifyIntro:
        return {"ハッシュチェーン全体と署名付きチェックポイントを最初の記録から検証します (soko-server audit verify と同じ検証)。", "Checks the whole hash chain and every signed checkpoint from the first entry (the same check as soko-server audit verify)."};
    case Message::AuditVerifyButton:
        return {"チェーンを検証", "Verify chain"};
    case Message::AuditVerifyOk:
        return {"検証結果: OK (改ざんなし)", "Chain verified: OK"};
    case Message::AuditVerifyFailed:
        return {"検証結果: 改ざんを検出しました", "Verification failed: the trail was tampered with"};
    case Message::AuditVerifiedAt:
        return {"検証日時", "Verified at"};
    case Message::AuditVerifyEntries:
        return {"記録数", "Entries"};
    case Message::AuditVerifyLastSeq:
        return {"最後の連番", "Last seq"};
    case Message::AuditVerifyCheckpoints:
        return {"チェックポイント数", "Checkpoints"};
    case Message::AuditVerifyLastCheckpoint:
        return {"最新のチェックポイント", "Last checkpoint"};
    case Message::AuditVerifyNoCheckpoint:
        return {"まだありません", "none yet"};
    case Message::AuditVerifyProblem:
        return {"問題", "Problem"};
    case Message::AuditVerifyFirstBadSeq:
        return {"最初の不正な連番", "First bad seq"};
    case Message::AuditInvalidFilter:
        return {"絞り込み条件が正しくありません", "Invalid filter"};
    case Message::AuditBadEvent:
        return {"イベント名は英小文字・数字・_ で 64 文字以内です", "the event name may hold only a–z, 0–9 and _ (at most 64)"};
    case Message::AuditBadActor:
        return {"実行者は 128 文字以内です", "the actor may be at most 128 characters"};
    case Message::AuditBadDate:
        return {"日付は YYYY-MM-DD 形式で入力してください", "dates must be YYYY-MM-DD"};
    case Message::AuditBadSeq:
        return {"連番は正の整数です (before と after は同時に指定できません)", "a seq must be a positive whole number (before and after not both)"};
    case Message::AuditBadLimit:
        return {"表示件数は 1〜200 です", "rows per page must be 1–200"};
    case Message::SettingsTitle:
        return {"設定", "Settings"};
    case Message::SettingsSaved:
        return {"設定を保存しました。", "Settings saved."};
    case Message::SettingsInvalid:
        return {"入力内容を確認してください。何も保存していません。", "Please check the fields below. Nothing was saved."};
    case Message::SettingsFiring:
        return {"発生中のアラート (このサーバー)", "Alerts firing now (this server)"};
    case Message::SettingsNoFiring:
        return {"ありません。", "None."};
    case Message::SettingsThresholds:
        return {"アラートのしきい値", "Alert thresholds"};
    case Message::SettingsThresholdsIntro:
        return {"値がしきい値を超えると通知し、しきい値以下の状態が 5 分続くと解除を通知します。空欄にするとそのルールは無効です。変更は再起動なしで 30 秒以内に反映されます。", "An alert fires when the value goes above its threshold and clears once the value has stayed at or below it for 5 minutes. Leave a field empty to switch that rule off. Changes apply within 30 seconds, without a restart."};
    case Message::RuleLoginFailures:
        return {"管理画面のログイン失敗 (5 分あたり)", "Admin login failures per 5 min"};
    case Message::RuleSyncRejections:
        return {"同期操作の拒否 (5 分あたり)", "Rejected sync ops per 5 min"};
    case Message::RuleOpenConflicts:
        return {"未解決の競合", "Open conflicts"};
    case Message::RuleSyncLag:
        return {"端末の同期遅延 (分、端末ごと)", "Terminal sync lag (minutes, per terminal)"};
    case Message::RuleServerErrors:
        return {"5xx 応答 (5 分あたり)", "5xx responses per 5 min"};
    case Message::SettingsDefault:
        return {"既定値", "Default"};
    case Message::SettingsWebhook:
        return {"通知 Webhook", "Alert webhook"};
    case Message::SettingsWebhookIntro:
        return {"Slack 互換の Incoming Webhook の URL (https のみ)。URL には秘密のトークンが含まれるため、保存後は一部を伏せて表示します。空欄のままなら変更しません。", "A Slack-compatible incoming webhook URL (https only). The URL carries a secret token: once saved it is only shown masked. Leave the field empty to keep the current one."};
    case Message::SettingsWebhookCurrent:
        return {"現在の URL", "Current URL"};
    case Message::SettingsWebhookNone:
        return {"未設定 (通知は送信されずキューに残ります)", "none (alerts stay queued)"};
    case Message::SettingsWebhookFromFile:
        return {"設定ファイルの alert_webhook_url_file の URL", "the URL of alert_webhook_url_file"};
    case Message::SettingsWebhookFromPage:
        return {"この画面で設定 (暗号化して保存)", "set on this page (stored encrypted)"};
    case Message::SettingsWebhookNew:
        return {"新しい URL", "New URL"};
    case Message::SettingsWebhookRemove:
        return {"この画面で設定した URL を削除する (設定ファイルの URL に戻す)", "Remove the URL set here (fall back to the configuration file)"};
    case Message::SettingsWebhookNoKey:
        return {"このサーバーでは URL をこの画面から設定できません。", "The URL cannot be set from this page on this server."};
    case Message::SettingsBadWebhook:
        return {"この Webhook URL は使用できません", "this webhook URL cannot be used"};
    case Message::SettingsBadNumber:
        return {"整数で入力してください (空欄で無効)", "must be a whole number (or empty for off)"};
    case Message::SettingsOutOfRange:
        return {"範囲外です", "is out of range"};
    case Message::SettingsStepUpNote:
        return {"保存するには 5 分以内に TOTP で確認している必要があります。", "Saving needs a TOTP check within the last 5 minutes."};
    case Message::SettingsSave:
        return {"保存", "Save"};
    }
    return {"", ""};
}

std::string_view trimmed(std::string_view text)
{
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t'))
        text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t'))
        text.remove_suffix(1);
    return text;
}

// q-value of one Accept-Language item's parameters ("q=0.8"); 1 without one, -1 when malformed.
double qualityOf(std::string_view parameters)
{
    double quality = 1;
    while (!parameters.empty()) {
        const auto semicolon = parameters.find(';');
        const std::string_view parameter = trimmed(parameters.substr(0, semicolon));
        parameters = semicolon == std::string_view::npos ? std::string_view() : parameters.substr(semicolon + 1);
        if (parameter.size() < 2 || (parameter[0] != 'q' && parameter[0] != 'Q') || parameter[1] != '=')
            continue;
        const std::string_view value = parameter.substr(2);
        // RFC 9110 §12.4.2: qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] )
        if (value.empty() || value.size() > 5 || (value[0] != '0' && value[0] != '1'))
            return -1;
        if (value.size() > 1 && value[1] != '.')
            return -1;
        double fraction = 0, scale = 0.1;
        for (std::size_t index = 2; index < value.size(); ++index) {
            if (value[index] < '0' || value[index] > '9')
                return -1;
            fraction += (value[index] - '0') * scale;
            scale /= 10;
        }
        quality = (value[0] == '1' ? 1.0 : 0.0) + fraction;
        if (quality > 1)
            return -1;
    }
    return quality;
}

} // namespace

std::string_view translate(Message message, Language language)
{
    const Pair pair = catalogue(message);
    return language == Language::Japanese ? pair.japanese : pair.english;
}

std::string_view languageCode(Language language)
{
    return language == Language::Japanese ? "ja" : "en";
}

std::optional<Language> languageFromCode(std::string_view code)
{
    if (code == "ja")
        return Language::Japanese;
    if (code == "en")
        return Language::English;
    return std::nullopt;
}

Language negotiateLanguage(std::optional<std::string_view> query, std::optional<std::string_view> cookie,
                           std::optional<std::string_view> acceptLanguage)
{
    if (query) {
        if (const auto language = languageFromCode(*query))
            return *language;
    }
    if (cookie) {
        if (const auto language = languageFromCode(*cookie))
            return *language;
    }
    if (!acceptLanguage || acceptLanguage->size() > 1024)
        return Language::English;
    std::optional<Language> best;
    double bestQuality = 0;
    std::string_view rest = *acceptLanguage;
    while (!rest.empty()) {
        const auto comma = rest.find(',');
        const std::string_view item = trimmed(rest.substr(0, comma));
        rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
        const auto semicolon = item.find(';');
        std::string tag(trimmed(item.substr(0, semicolon)));
        std::transform(tag.begin(), tag.end(), tag.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        const std::string primary = tag.substr(0, tag.find('-'));
        const double quality = semicolon == std::string_view::npos ? 1.0 : qualityOf(item.substr(semicolon + 1));
        const auto language = languageFromCode(primary);
        if (!language || quality <= 0)
            continue;
        if (!best || quality > bestQuality) {
            best = language;
            bestQuality = quality;
        }
    }
    return best.value_or(Language::English);
}

} // namespace Server::Admin
