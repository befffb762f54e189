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
    case Message::TwoStepSetupTitle:
        return {"2段階認証の設定", "Two-step sign-in setup"};
    case Message::SetupIntro:
        return {
            "最初の管理者アカウントを作成します。インストール時に表示されたセットアップトークンを入力してください。",
            "Create the first administrator account with the setup token printed at installation."};
    case Message::SetupToken:
        return {"セットアップトークン", "Setup token"};
    case Message::NewPassword:
        return {"新しいパスワード", "New password"};
    case Message::CurrentPassword:
        return {"現在のパスワード", "Current password"};
    case Message::ChangePassword:
        return {"パスワードを変更", "Change password"};
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
    case Message::AlertWebhookNotSet:
        return {"アラートの Webhook が未設定です。通知は設定されるまで保留されます（設定ページ）",
                "No alert webhook is set: notifications wait until one is (Settings)"};
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
    // terminals pages (conflicts, devices, dashboard)
    case Message::NavConflicts:
        return {"競合・例外", "Conflicts"};
    case Message::NavDevices:
        return {"端末", "Devices"};
    case Message::ConflictsTitle:
        return {"競合・例外キュー", "Conflicts and exceptions"};
    case Message::ConflictTitle:
        return {"競合の詳細", "Conflict"};
    case Message::ConflictStateOpen:
        return {"未解決", "Open"};
    case Message::ConflictStateResolved:
        return {"解決済み", "Resolved"};
    case Message::Operator:
        return {"作業者", "Operator"};
    case Message::Operation:
        return {"操作", "Operation"};
    case Message::OperationData:
        return {"操作の内容", "Operation data"};
    case Message::Message:
        return {"メッセージ", "Message"};
    case Message::Resolution:
        return {"対応", "Resolution"};
    case Message::ResolvedBy:
        return {"対応者", "Resolved by"};
    case Message::ResolvedAt:
        return {"対応日時", "Resolved at"};
    case Message::Note:
        return {"メモ", "Note"};
    case Message::ResolutionAccept:
        return {"そのまま承認", "Accept as is"};
    case Message::ResolutionAdjust:
        return {"在庫を調整", "Adjust stock"};
    case Message::ResolutionReturn:
        return {"在庫に戻す", "Return to stock"};
    case Message::ResolutionHelp:
        return {"承認: 記録された内容をそのまま確定します。調整: 在庫調整の入出庫を1件記録します（増減は基本単位、マイナスで出庫）。在庫に戻す: ピッキングした数量を元のロケーションに戻します。", "Accept: keep what was recorded. Adjust: post one stock adjustment (base units, negative takes stock out). Return to stock: put the picked quantity back into its bin."};
    case Message::ResolveButton:
        return {"対応を記録", "Record resolution"};
    case Message::Sku:
        return {"SKU", "SKU"};
    // orders and stock pages
    case Message::NavOrders:
        return {"受注", "Orders"};
    case Message::NavSkus:
        return {"SKU一覧", "SKUs"};
    case Message::NavLocations:
        return {"ロケーション", "Locations"};
    case Message::NavStock:
        return {"在庫", "Stock"};
    case Message::OrdersTitle:
        return {"受注一覧", "Orders"};
    case Message::OrderDetailTitle:
        return {"受注詳細", "Order"};
    case Message::OrdersImportTitle:
        return {"受注のCSV取り込み", "Import orders (CSV)"};
    case Message::SkusTitle:
        return {"SKU一覧", "SKUs"};
    case Message::LocationsTitle:
        return {"ロケーション一覧", "Locations"};
    case Message::StockTitle:
        return {"在庫", "Stock"};
    case Message::MovementsTitle:
        return {"入出庫履歴", "Stock movements"};
    case Message::SearchText:
        return {"検索（受注番号・顧客名）", "Search (order number, customer)"};
    case Message::SearchSku:
        return {"検索（SKUコード・名称）", "Search (SKU code, name)"};
    case Message::AnyState:
        return {"すべての状態", "Any state"};
    case Message::StoreCode:
        return {"ストア", "Store"};
    case Message::CreatedFrom:
        return {"作成日（から）", "Created from"};
    case Message::CreatedTo:
        return {"作成日（まで）", "Created to"};
    case Message::ApplyFilter:
        return {"絞り込む", "Filter"};
    case Message::NextPage:
        return {"次のページ", "Next page"};
    case Message::ExportCsv:
        return {"CSVで書き出す", "Export CSV"};
    case Message::ImportCsvLink:
        return {"CSVを取り込む", "Import CSV"};
    case Message::NoOrders:
        return {"該当する受注はありません。", "No orders match."};
    case Message::OrderNumber:
        return {"受注番号", "Order number"};
    case Message::Customer:
        return {"顧客名", "Customer"};
    case Message::Address:
        return {"住所", "Address"};
    case Message::CreatedAt:
        return {"作成日時", "Created"};
    case Message::LineCount:
        return {"明細数", "Lines"};
    case Message::Quantity:
        return {"数量", "Quantity"};
    case Message::LineNumber:
        return {"明細番号", "Line"};
    case Message::QuantityOrdered:
        return {"受注数", "Ordered"};
    case Message::QuantityPicked:
        return {"ピッキング済み", "Picked"};
    case Message::OrderLines:
        return {"明細", "Lines"};
    case Message::Shipment:
        return {"出荷", "Shipment"};
    case Message::TrackingNumber:
        return {"追跡番号", "Tracking number"};
    case Message::Carrier:
        return {"配送業者", "Carrier"};
    case Message::ShippedAt:
        return {"出荷日時", "Shipped at"};
    case Message::NoShipment:
        return {"まだ出荷されていません。", "Not shipped yet."};
    case Message::History:
        return {"履歴", "History"};
    case Message::Event:
        return {"イベント", "Event"};
    case Message::Actor:
        return {"実行者", "Actor"};
    case Message::NoHistory:
        return {"履歴はありません。", "No history."};
    case Message::OrderActions:
        return {"操作", "Actions"};
    case Message::CancelOrder:
        return {"受注をキャンセル", "Cancel order"};
    case Message::ConfirmCancelOrder:
        return {"この受注をキャンセルしますか？", "Cancel this order?"};
    case Message::ReleaseOrder:
        return {"倉庫へ出荷指示", "Release to warehouse"};
    case Message::ReleaseHint:
        return {"在庫が全明細を満たす最初の倉庫に引き当ててから出荷指示します。", "Allocates to the first warehouse whose stock covers every line, then releases it to the floor."};
    case Message::NoActions:
        return {"この状態の受注に行える操作はありません。", "No action is possible in this state."};
    case Message::DoneCancelled:
        return {"受注をキャンセルしました。", "The order was cancelled."};
    case Message::DoneReleased:
        return {"受注を倉庫へ出荷指示しました。", "The order was released to the warehouse."};
    case Message::RefusedState:
        return {"この受注の現在の状態ではその操作はできません。", "The order's current state does not allow this action."};
    case Message::RefusedStock:
        return {"全明細を満たす在庫のある倉庫がありません。", "No warehouse has the stock for every line."};
    case Message::AllocatedNotReleased:
        return {"引き当ては済みましたが出荷指示に失敗しました。", "The order was allocated but could not be released."};
    case Message::BadFilter:
        return {"絞り込み条件が正しくありません", "The filter is not valid"};
    case Message::ImportIntro:
        return {"1行に受注明細1件。先頭行は次のヘッダーと完全に一致する必要があります。まずプレビューで全行を検査し、この時点では何も保存しません。", "One order line per row. The first row must be exactly this header. The preview checks every row and saves nothing."};
    case Message::CsvFile:
        return {"CSVファイル", "CSV file"};
    case Message::CsvText:
        return {"CSVの内容（貼り付け可）", "CSV content (paste here)"};
    case Message::Preview:
        return {"プレビュー", "Preview"};
    case Message::CommitImport:
        return {"この内容で取り込む", "Import exactly this"};
    case Message::PreviewHasErrors:
        return {"エラーのある行があります。修正して再度プレビューしてください。何も保存していません。", "Some rows have errors. Fix them and preview again. Nothing was saved."};
    case Message::PreviewReady:
        return {"すべての行が正しい形式です。まだ何も保存していません。", "Every row is valid. Nothing has been saved yet."};
    case Message::PreviewFileError:
        return {"ファイルを読み込めません", "The file cannot be read"};
    case Message::Column:
        return {"列", "Column"};
    case Message::RowLine:
        return {"行", "Line"};
    case Message::NewOrder:
        return {"新規", "New"};
    case Message::ExistingOrder:
        return {"登録済み（変更なし）", "Already known (unchanged)"};
    case Message::ImportChanged:
        return {"プレビュー後に内容が変わっています。もう一度プレビューしてください。何も保存していません。", "The content changed after the preview. Preview it again. Nothing was saved."};
    case Message::ImportDone:
        return {"取り込みました", "Imported"};
    case Message::ImportedCount:
        return {"新規登録", "New orders"};
    case Message::UnchangedCount:
        return {"変更なし", "Unchanged"};
    case Message::ImportEmpty:
        return {"CSVの内容が空です。", "The CSV content is empty."};
    case Message::ImportNoRows:
        return {"見出し行だけで、取り込む明細行がありません。", "The CSV has the header line but no order lines to import."};
    case Message::ImportTooLarge:
        return {"CSVが大きすぎます（1 MiBまで）。", "The CSV is too large (1 MiB at most)."};
    case Message::CsvBadCode:
        return {"1〜64文字の表示可能な文字が必要です", "needs 1 to 64 printable characters"};
    case Message::CsvBadText:
        return {"空でない表示可能な文字列が必要です", "needs non-empty printable text"};
    case Message::CsvBadLine:
        return {"正の整数が必要です", "must be a positive integer"};
    case Message::CsvDuplicateLine:
        return {"同じ受注で明細番号が重複しています", "appears twice in the same order"};
    case Message::CsvBadQuantity:
        return {"1〜1000000000の整数（半角数字のみ）が必要です", "must be an integer from 1 to 1000000000 (ASCII digits only)"};
    case Message::CsvUnknownSku:
        return {"未登録のSKUです", "unknown SKU"};
    case Message::CsvDiffers:
        return {"同じ受注の先の行と値が異なります", "differs from an earlier row of the same order"};
    case Message::SkuName:
        return {"名称", "Name"};
    case Message::BaseUnit:
        return {"基本単位", "Base unit"};
    case Message::LotControlled:
        return {"ロット管理", "Lot controlled"};
    case Message::Gtins:
        return {"GTIN（JANコード）", "GTINs"};
    case Message::NoSkus:
        return {"該当するSKUはありません。", "No SKUs match."};
    case Message::Zone:
        return {"ゾーン", "Zone"};
    case Message::PickSequence:
        return {"ピッキング順", "Pick sequence"};
    case Message::NoLocations:
        return {"ロケーションはありません。", "No locations."};
    case Message::Location:
        return {"ロケーション", "Location"};
    case Message::Lot:
        return {"ロット", "Lot"};
    case Message::QuantityChange:
        return {"数量の増減（基本単位）", "Quantity change (base units)"};
    case Message::NoteRequired:
        return {"メモは必須です（1〜500文字、改行なし）。", "A note is required (1 to 500 characters, one line)."};
    case Message::ConflictAlreadyResolved:
        return {"この競合はすでに解決済みです。", "This conflict has already been resolved."};
    case Message::ConflictResolvedNotice:
        return {"競合を解決しました。", "Conflict resolved."};
    case Message::AdjustmentInvalid:
        return {"調整内容が正しくありません: 登録済みのSKU、この倉庫のロケーション、ロット管理品はロット、0以外の数量（±1,000,000以内）を指定してください。", "The adjustment is invalid: give a known SKU, a location of this warehouse, a lot for lot-controlled SKUs and a non-zero quantity within ±1,000,000."};
    case Message::ReturnNotApplicable:
        return {"この操作は在庫を減らしていないため、在庫に戻せません。", "This operation took no stock out of a bin, so there is nothing to return."};
    case Message::ResolutionUnknown:
        return {"対応の種類（承認・調整・在庫に戻す）を選んでください。", "Choose accept, adjust or return to stock."};
    case Message::ViewDetails:
        return {"詳細", "Details"};
    case Message::BackToConflicts:
        return {"競合一覧へ戻る", "Back to conflicts"};
    case Message::DevicesTitle:
        return {"端末（ハンディ）", "Devices (terminals)"};
    case Message::AppliedOps:
        return {"反映済み操作", "Applied ops"};
    case Message::ConflictOpsCount:
        return {"競合になった操作", "Ops with conflicts"};
    case Message::SyncRejections:
        return {"同期拒否", "Sync rejections"};
    case Message::SyncLag:
        return {"同期遅延", "Sync lag"};
    case Message::SecondsShort:
        return {"秒", "s"};
    case Message::AppVersion:
        return {"アプリ版", "App version"};
    case Message::NotReported:
        return {"未報告", "not reported"};
    case Message::LastOpRecorded:
        return {"最終操作記録", "Last op recorded"};
    case Message::Actions:
        return {"操作", "Actions"};
    case Message::RevokeDevice:
        return {"無効化", "Revoke"};
    case Message::RevokeConfirm:
        return {"この端末を無効化しますか？次のリクエストから拒否されます。", "Revoke this device? Its next request will be refused."};
    case Message::DeviceRevokedNotice:
        return {"端末を無効化しました。次のリクエストから拒否されます。", "Device revoked: its next request is refused."};
    case Message::DeviceAlreadyRevoked:
        return {"この端末はすでに無効化されています。", "This device is already revoked."};
    case Message::EnrollTitle:
        return {"端末の登録コード", "Enrollment code"};
    case Message::EnrollCreate:
        return {"登録コードを発行", "Create enrollment code"};
    case Message::EnrollIntro:
        return {"端末の登録画面でこのQRコードを読み取るか、コードを入力してください。コードはこの一度だけ表示され、一度だけ使えます。", "Scan this QR code on the terminal's enrollment screen or type the code. It is shown only now and works once."};
    case Message::EnrollCode:
        return {"登録コード", "Enrollment code"};
    case Message::ExpiresAt:
        return {"有効期限", "Expires at"};
    case Message::EnrollInvalid:
        return {"倉庫を選び、ラベル（1〜64文字）を入力してください。", "Choose a warehouse and enter a label of 1 to 64 characters."};
    case Message::BackToDevices:
        return {"端末一覧へ戻る", "Back to devices"};
    case Message::AlertsFiredToday:
        return {"本日のアラート", "Alerts fired today"};
    case Message::UndeliveredAlerts:
        return {"未配信のアラート", "Undelivered alerts"};
    case Message::TodayUtc:
        return {"本日（UTC）", "Today (UTC)"};
    case Message::EnrollmentQrAlt:
        return {"登録コードのQRコード", "QR code of the enrollment code"};
    case Message::NoStock:
        return {"該当する在庫はありません。", "No stock matches."};
    case Message::QuantityDelta:
        return {"増減", "Change"};
    case Message::OperationId:
        return {"操作ID", "Operation id"};
    case Message::NoMovements:
        return {"入出庫の記録はありません。", "No movements."};
    case Message::Yes:
        return {"はい", "Yes"};
    case Message::No:
        return {"いいえ", "No"};
    case Message::AllWarehouses:
        return {"すべての倉庫", "All warehouses"};
    case Message::StockOf:
        return {"在庫", "Stock"};
    case Message::RowsCapped:
        return {"表示は先頭の行までです。条件を絞り込んでください。", "Only the first rows are shown; narrow the filter."};
    // user pages
    case Message::NavUsers:
        return {"ユーザー",
                "Users"};
    case Message::NavApiKeys:
        return {"APIキー",
                "API keys"};
    case Message::NavApprovals:
        return {"承認",
                "Approvals"};
    case Message::UsersTitle:
        return {"ユーザーと権限",
                "Users and roles"};
    case Message::ApiKeysTitle:
        return {"APIキー",
                "API keys"};
    case Message::ApprovalsTitle:
        return {"承認待ちの操作",
                "Pending approvals"};
    case Message::StepUpTitle:
        return {"本人確認",
                "Confirm it is you"};
    case Message::StepUpIntro:
        return {"重要な操作の前に、認証アプリのコードをもう一度入力してください（5分間有効）。",
                "Dangerous actions need your code again (valid for 5 minutes). Enter the code your authenticator app shows."};
    case Message::StepUpCode:
        return {"アプリのコード（6桁）またはリカバリーコード",
                "Code from the app (6 digits) or a recovery code"};
    case Message::StepUpConfirm:
        return {"確認",
                "Confirm"};
    case Message::StepUpLink:
        return {"コードで本人確認する",
                "Confirm with your code"};
    case Message::StepUpFresh:
        return {"本人確認済みです。重要な操作を行えます。",
                "You confirmed it is you: dangerous actions are open for a few minutes."};
    case Message::StepUpWrong:
        return {"コードが違うか、すでに使われています。",
                "The code is wrong or was used already."};
    case Message::ColumnRole:
        return {"権限",
                "Role"};
    case Message::ColumnMfa:
        return {"2段階認証",
                "Two-step sign-in"};
    case Message::MfaOn:
        return {"有効",
                "On"};
    case Message::MfaNotSetUp:
        return {"未設定",
                "Not set up"};
    case Message::MfaLocked:
        return {"ロック中",
                "Locked"};
    case Message::ColumnLastSignIn:
        return {"最終サインイン",
                "Last sign-in"};
    case Message::ColumnActions:
        return {"操作",
                "Actions"};
    case Message::StatusActive:
        return {"有効",
                "Active"};
    case Message::StatusDisabled:
        return {"無効",
                "Disabled"};
    case Message::CreateUser:
        return {"ユーザーを作成",
                "Create user"};
    case Message::ChangeRole:
        return {"権限を変更",
                "Change role"};
    case Message::DisableUser:
        return {"無効にする",
                "Disable"};
    case Message::EnableUser:
        return {"有効にする",
                "Enable"};
    case Message::ResetMfa:
        return {"2段階認証をリセット",
                "Reset two-step sign-in"};
    case Message::InitialPassword:
        return {"初期パスワード（この画面でのみ表示）。本人に安全な方法で渡してください。初回サインインでパスワードの変更と認証アプリの登録が必要です。",
                "One-time initial password (shown only now). Hand it to the user safely; at first sign-in they set up their authenticator app and must change it."};
    case Message::UserCreated:
        return {"ユーザーを作成しました。",
                "The user was created."};
    case Message::RoleChanged:
        return {"権限を変更しました。",
                "The role was changed."};
    case Message::UserDisabled:
        return {"ユーザーを無効にし、セッションを終了しました。",
                "The user was disabled and signed out."};
    case Message::UserEnabled:
        return {"ユーザーを有効にしました。",
                "The user was enabled."};
    case Message::ApprovalRequested:
        return {"申請しました。別の管理者が「承認」画面で承認すると実行されます。",
                "Requested: it takes effect when another administrator approves it on the Approvals page."};
    case Message::LastAdminRefused:
        return {"最後の有効な管理者は、無効化・降格できません。",
                "The last active administrator cannot be disabled or demoted."};
    case Message::UsernameInvalid:
        return {"ユーザー名は空白なしの1〜64文字の英数字・記号にしてください。",
                "The user name must be 1 to 64 printable characters without spaces."};
    case Message::UsernameTaken:
        return {"このユーザー名はすでに使われています。",
                "This user name is taken."};
    case Message::RoleInvalid:
        return {"権限を選んでください。",
                "Choose a role."};
    case Message::OwnMfaRefused:
        return {"自分の2段階認証はリセットできません。別の管理者に依頼してください。",
                "You cannot reset your own two-step sign-in: another administrator must."};
    case Message::UserNotFound:
        return {"ユーザーが見つかりません。",
                "No such user."};
    case Message::OperatorsNote:
        return {"ピッキング担当者は端末の作業者（バッジとPIN）で、管理画面のユーザーではありません。作業者は soko-server operator コマンドで管理します。",
                "Pickers are terminal operators (badge and PIN), not admin users; manage them with the soko-server operator commands."};
    case Message::ColumnAction:
        return {"内容",
                "Action"};
    case Message::ColumnTarget:
        return {"対象",
                "Target"};
    case Message::ColumnRequestedBy:
        return {"申請者",
                "Requested by"};
    case Message::ColumnRequestedAt:
        return {"申請日時",
                "Requested at"};
    case Message::Approve:
        return {"承認",
                "Approve"};
    case Message::Reject:
        return {"却下",
                "Reject"};
    case Message::NoApprovals:
        return {"承認待ちの操作はありません。",
                "Nothing is waiting for approval."};
    case Message::OwnRequest:
        return {"自分の申請です（別の管理者が判断します）",
                "Your request (another administrator decides)"};
    case Message::ApprovalApproved:
        return {"承認し、実行しました。",
                "Approved: it took effect."};
    case Message::ApprovalRejected:
        return {"却下しました。",
                "Rejected."};
    case Message::ApprovalDecidedBefore:
        return {"この申請はすでに判断済みです。",
                "This request was decided already."};
    case Message::OwnAccountApprovalRefused:
        return {"自分のアカウントについての申請は判断できません（4つの目の原則）。",
                "You cannot decide a request about your own account (four eyes)."};
    case Message::AboutYourAccount:
        return {"あなたのアカウントについての申請", "About your account"};
    case Message::OwnApprovalRefused:
        return {"自分の申請は承認できません（4つの目の原則）。",
                "You cannot decide your own request (four eyes)."};
    case Message::ActionGrantAdmin:
        return {"管理者権限の付与",
                "Grant the administrator role"};
    case Message::ActionMfaReset:
        return {"2段階認証のリセット",
                "Reset two-step sign-in"};
    case Message::ActionStockAdjustment:
        return {"在庫調整(上限超え)",
                "Stock adjustment above the limit"};
    case Message::ActionPiiExport:
        return {"個人情報の一括エクスポート",
                "Mass export of personal data"};
    case Message::AdjustmentAwaitingApproval:
        return {"この調整は数量が上限を超えるため、別の管理者の承認待ちです。承認されると在庫に反映されます。",
                "This adjustment is above the four-eyes limit: it waits for another administrator's approval and is posted when approved."};
    case Message::AdjustmentAlreadyPending:
        return {"この競合には承認待ちの調整がすでにあります。承認か却下を待ってください。",
                "An adjustment of this conflict is already waiting for approval: wait until it is approved or rejected."};
    case Message::ApprovalNoLongerApplies:
        return {"この申請はもう実行できません(競合が解決済み、または品目・ロケーションが変わりました)。却下してください。",
                "This request can no longer be carried out (the conflict was resolved meanwhile, or the SKU or location changed): reject it."};
    case Message::ExportNeedsApproval:
        return {"このエクスポートは行数が上限を超えるため、別の管理者の承認が必要です。",
                "This export has more rows than the four-eyes limit: another administrator must approve it first."};
    case Message::RequestExportApproval:
        return {"承認を申請",
                "Request approval"};
    case Message::ExportRequested:
        return {"申請しました。別の管理者が承認すると、下の一覧からダウンロードできます(1回限り、24時間以内)。",
                "Requested. Once another administrator approves it, download it from the list below (once, within 24 hours)."};
    case Message::ExportRequestsTitle:
        return {"あなたのエクスポート申請",
                "Your export requests"};
    case Message::DownloadExport:
        return {"ダウンロード",
                "Download"};
    case Message::ExportUsed:
        return {"ダウンロード済み",
                "Downloaded"};
    case Message::ExportExpired:
        return {"期限切れ",
                "Expired"};
    case Message::ExportGrantInvalid:
        return {"この承認ではダウンロードできません(別の条件、未承認、使用済み、または期限切れ)。",
                "This approval does not allow this download (other filters, not approved, already used or expired)."};
    case Message::ExportGrew:
        return {"承認後に対象の行が増えたため、この承認ではダウンロードできません。もう一度承認を申請してください。",
                "More rows match now than were approved: this approval cannot be used. Request approval again."};
    case Message::ExportAlreadyRequested:
        return {"この条件のエクスポートはすでに申請中か承認済みです。下の一覧を見てください。",
                "An export with these filters is already waiting for approval or approved: see the list below."};
    case Message::ColumnRows:
        return {"行数",
                "Rows"};
    case Message::ColumnFilters:
        return {"条件",
                "Filters"};
    case Message::StatePending:
        return {"承認待ち", "Waiting for approval"};
    case Message::StateApproved:
        return {"承認済み", "Approved"};
    case Message::StateRejected:
        return {"却下", "Rejected"};
    case Message::ColumnKeyId:
        return {"キーID",
                "Key id"};
    case Message::ColumnScope:
        return {"範囲",
                "Scope"};
    case Message::ColumnCreated:
        return {"作成日時",
                "Created"};
    case Message::KeyRevokedState:
        return {"失効",
                "Revoked"};
    case Message::CreateApiKey:
        return {"APIキーを作成",
                "Create API key"};
    case Message::RevokeApiKey:
        return {"失効させる",
                "Revoke"};
    case Message::ApiKeyToken:
        return {"このキーは今だけ表示されます。今すぐコピーして安全に保管してください。",
                "Copy this key now: it is shown only once."};
    case Message::ApiKeyRevoked:
        return {"APIキーを失効させました。",
                "The API key was revoked."};
    case Message::ApiKeyInvalid:
        return {"範囲は admin または store:<店舗コード>、ラベルは1〜64文字にしてください。",
                "The scope must be admin or store:<store code> and the label 1 to 64 characters."};
    case Message::NoApiKeys:
        return {"APIキーはありません。",
                "No API keys yet."};
    case Message::ApiKeyNotFound:
        return {"APIキーが見つかりません。",
                "No such API key."};
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
