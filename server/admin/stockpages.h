#pragma once

namespace Server::Storage {
class StorePool;
}

// The back office's read-only stock pages on the admin listener (docs/admin.md "SKUs, locations
// and stock"), all with permission view_stock:
// - GET /admin/skus?q=&after=&limit=          SKUs (code, name, base unit, lot control, GTINs);
//                                             `q` matches code or name literally (R31); keyset paging by code
// - GET /admin/locations?warehouse=           bins of one warehouse by pick sequence
// - GET /admin/stock?warehouse=&location=&lot=&sku=   balances by warehouse / location / lot,
//                                             filtered by SKU; at most 500 rows shown
// - GET /admin/stock/movements?sku=&after=    the append-only ledger of one SKU, 100 per page
// Every datum is escaped by the Html builder (R32). Stock changes are not made here.
namespace Server::Admin {

class AdminApplication;

void installStockPages(AdminApplication &application, Storage::StorePool &pool);

} // namespace Server::Admin
