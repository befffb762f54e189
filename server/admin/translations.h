#pragma once
#include <optional>
#include <string_view>

// The admin pages' own string catalogue, Japanese and English (every message has both; the
// server's log and API texts stay English). The page language comes from, in this order: the
// `lang` query parameter (ja|en, which also sets the `__Host-lang` cookie), that cookie, the
// Accept-Language header (RFC 9110 §12.5.4: highest q among ja/en, first wins on ties), English.
namespace Server::Admin {

enum class Language { Japanese, English };

enum class Message {
    // layout
    AppName,
    NavDashboard,
    SignedInAs,
    LanguageJapanese,
    LanguageEnglish,
    RoleAdmin,
    RoleBackOffice,
    RoleSupervisor,
    RoleViewer,
    // login and first-run setup
    LoginTitle,
    LoginIntro,
    Username,
    Password,
    SignIn,
    SetupTitle,
    SetupIntro,
    SetupToken,
    NewPassword,
    ConfirmPassword,
    PasswordRule,
    CreateAdministrator,
    // errors
    ErrorTitle,
    ErrorBadRequest,
    ErrorSignInRequired,
    ErrorForbidden,
    ErrorStepUpRequired,
    ErrorNotFound,
    ErrorMethodNotAllowed,
    ErrorInternal,
    ErrorUnavailable,
    ErrorReference,
    BackToDashboard,
    // dashboard
    DashboardTitle,
    GeneratedAt,
    OrdersByState,
    State,
    Count,
    Shipments,
    ShippedOrders,
    OpenConflicts,
    NoConflicts,
    Time,
    Warehouse,
    Terminal,
    Reason,
    Details,
    Terminals,
    NoTerminals,
    Label,
    Status,
    LastSync,
    LastAppliedSeq,
    PendingOps,
    Never,
    Unknown,
    DeviceActive,
    DeviceRevoked,
    Alerts,
    NoAlerts,
    AlertTerminalSilent,
    AlertConflictsOpen,
    AlertWebhookBacklog,
    OrderImported,
    OrderAllocated,
    OrderReleased,
    OrderPicking,
    OrderPicked,
    OrderPacked,
    OrderShipped,
    OrderCancelled, // keep last (lastMessage)
    // terminals pages (conflicts, devices, dashboard)
    NavConflicts,
    NavDevices,
    ConflictsTitle,
    ConflictTitle,
    ConflictStateOpen,
    ConflictStateResolved,
    Operator,
    Operation,
    OperationData,
    Message,
    Resolution,
    ResolvedBy,
    ResolvedAt,
    Note,
    ResolutionAccept,
    ResolutionAdjust,
    ResolutionReturn,
    ResolutionHelp,
    ResolveButton,
    Sku,
    Location,
    Lot,
    Quantity,
    QuantityChange,
    NoteRequired,
    ConflictAlreadyResolved,
    ConflictResolvedNotice,
    AdjustmentInvalid,
    ReturnNotApplicable,
    ResolutionUnknown,
    ViewDetails,
    BackToConflicts,
    DevicesTitle,
    AppliedOps,
    ConflictOpsCount,
    SyncRejections,
    SyncLag,
    SecondsShort,
    AppVersion,
    NotReported,
    LastOpRecorded,
    Actions,
    RevokeDevice,
    RevokeConfirm,
    DeviceRevokedNotice,
    DeviceAlreadyRevoked,
    EnrollTitle,
    EnrollCreate,
    EnrollIntro,
    EnrollCode,
    ExpiresAt,
    EnrollInvalid,
    BackToDevices,
    AlertsFiredToday,
    UndeliveredAlerts,
    TodayUtc,
    EnrollmentQrAlt,
};
inline constexpr Message lastMessage = Message::OrderCancelled;

std::string_view translate(Message message, Language language);

std::string_view languageCode(Language language); // "ja", "en"
std::optional<Language> languageFromCode(std::string_view code);
// Query value, cookie value and Accept-Language header, each optional (see above).
Language negotiateLanguage(std::optional<std::string_view> query, std::optional<std::string_view> cookie,
                           std::optional<std::string_view> acceptLanguage);

inline constexpr std::string_view languageCookieName = "__Host-lang";

} // namespace Server::Admin
