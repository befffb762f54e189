#pragma once
#include <QJsonObject>
#include "common/support/result.h"

class LocalDatabase;
class TransactionGuard;

// Applies a batch of master data and orders to the local database: a pulled page's changes, a
// scope snapshot, or a demo file (--import). Shape (all arrays optional, ≤ 100,000 rows each):
//   {"skus":[{"code","name","base_unit","lot_controlled","gtins":["GTIN-14",…]}],
//    "locations":[{"code","warehouse","zone","pick_sequence"}],
//    "operators":[{"id","name","badge","pin_hash","active"}],
//    "orders":[{"id","store","order_number","customer","warehouse","state",
//               "lines":[{"line","sku","location","quantity"}]}]}
// A demo file may give "pin" instead of "pin_hash": it is hashed with Argon2id at once and never
// stored. Everything is written in the caller's transaction (a page and its cursor commit together).
namespace SnapshotImporter {

struct Counts
{
    int skus = 0;
    int locations = 0;
    int operators = 0;
    int orders = 0;
};

// Errors: InvalidInput naming the array and row, TooLarge, Storage. Nothing is applied on error
// once the caller's guard rolls back.
Common::Result<Counts> apply(TransactionGuard &transaction, LocalDatabase &database, const QJsonObject &changes);

} // namespace SnapshotImporter

namespace Common::Protocol {
struct Change;
}

namespace SnapshotImporter {

// Applies one pulled page's changes (docs/sync-protocol.md "Pull": sku, location, lot, stock,
// order, operator; `deleted` removes). Order lines get their pick location from the replicated
// stock: FEFO (earliest lot expiry first, blocked lots skipped), then pick sequence; a line
// without stock gets no location and the picker scans the bin he takes it from.
// Errors: InvalidInput naming the change (entity and key), Storage.
Common::Result<int> applyChanges(TransactionGuard &transaction, LocalDatabase &database,
                                 const std::vector<Common::Protocol::Change> &changes);

} // namespace SnapshotImporter
