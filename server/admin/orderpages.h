#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>
#include "common/domain/quantity.h"
#include "common/support/result.h"
#include "server/admin/html.h"
#include "server/admin/translations.h"

namespace Server::Storage {
class Store;
class StorePool;
} // namespace Server::Storage

// The back office's order pages on the admin listener (docs/admin.md "Orders"):
// - GET  /admin/orders            list: search (order number / customer, literal), state, store,
//                                 created date range (UTC days), keyset paging (view_orders)
// - GET  /admin/orders.csv        the same list as CSV, formulas neutralised (R35; export_personal_data,
//                                 step-up, audit `export` with the row count; four eyes above a row
//                                 count, see piiExportAction)
// - POST /admin/orders/export-requests   files the four-eyes request of a large export (R27)
// - GET  /admin/orders/{id}       header, lines, shipment, history (the order's audit rows)
// - POST /admin/orders/{id}/cancel, /release   OrderService cancel / allocate + release (manage_orders)
// - GET/POST /admin/orders/import, POST /admin/orders/import/commit   CSV import: a preview that checks
//   every row and writes nothing, then a commit of exactly the previewed text (HMAC under the
//   session's secret) through OrderService::importOrders (import_data; R48).
// Data from the database reaches the page only through Html::text and attributes (R32).
namespace Server::Admin {

class AdminApplication;

// The filters of an export as stored in its approval ("q=%E7%94%B0&state=released") for people:
// "q=田, state=released"; "-" for none (every order).
std::string readableExportFilters(std::string_view filters);

// `fourEyesExportRows`: an orders CSV export of more rows needs a second administrator (R27).
void installOrderPages(AdminApplication &application, Storage::StorePool &pool, int fourEyesExportRows = 500);

// Four-eyes mass export (R27, docs/admin.md "Approvals"): GET /admin/orders.csv of more than
// fourEyesExportRows rows answers 403 with a form that POSTs /admin/orders/export-requests
// (ExportPersonalData, step-up): an approval request (action piiExportAction, target
// "orders.csv?<filters>", details {filters, rows}), 202. Once another administrator approves it,
// the requester downloads /admin/orders.csv?<filters>&approval=<id> once, within exportGrantHours
// of the decision (Store::consumeApproval), never more rows than were approved: orders created
// after the request are left out ("through", the newest order id then), and if more rows match
// than the approver saw (e.g. a state changed) the download is refused; anything else is refused
// and audited (authz_fail).
inline constexpr std::string_view piiExportAction = "pii_export";
inline constexpr std::int64_t exportGrantHours = 24;

struct PageContext;

// Table cells shared by the order and stock pages (the other pieces are in pages.h).
namespace Parts {
Element cell(std::string_view text);    // <td>, escaped
Element numberCell(std::int64_t value); // <td class="number">
} // namespace Parts

// ---- pieces, public for tests ----

// One CSV cell (RFC 4180): quoted when it holds , " CR or LF; a leading = + - @ TAB CR or NUL
// gets a ' in front so spreadsheets show it as text (R35, OWASP "CSV Injection").
std::string csvCell(std::string_view value);

// The import limits of the admin page (smaller than the API's: the preview shows every row).
inline constexpr std::size_t maxImportBytes = 1024 * 1024;
inline constexpr std::size_t maxImportRows = 5000;

// One refused row of a preview: 1-based line, the CSV column ("" = the whole record) and why.
struct ImportRowError
{
    long line = 0;
    std::string column;
    Message reason = Message::Unknown;
    std::string detail; // the offending value or the parser's English message, shown escaped
};

struct ImportPreviewOrder
{
    long line = 0; // first line of the order
    std::string store;
    std::string orderNumber;
    std::string customer;
    int lines = 0;
    Common::Domain::Quantity quantity = 0;
    bool exists = false; // (store, order number) known already: the import leaves it unchanged
};

struct ImportPreview
{
    bool fileError = false; // the CSV itself is malformed (errors has one entry, column "")
    std::vector<ImportRowError> errors;
    std::vector<ImportPreviewOrder> orders;
};

// Line ends made LF (browsers send CRLF from text areas), so preview and commit see the same text.
std::string canonicalImportText(std::string_view text);
// Checks `text` (canonical) the way OrderService::importOrders will, per row and column, reading
// only (SKUs and existing orders). Errors: Storage.
Common::Result<ImportPreview> previewOrderImport(Storage::Store &store, std::string_view text);

} // namespace Server::Admin
