#pragma once
#include <QList>
#include <vector>
#include "common/support/result.h"

class LocalDatabase;
class TransactionGuard;

namespace Common::Protocol {
struct Change;
}

// Removes what a scope snapshot no longer carries (docs/sync-protocol.md "Pull": after
// `snapshot_required` or an epoch change the terminal downloads its scope again from cursor 0,
// and a compacted history has no deletions to send for rows that left the scope meanwhile).
//
// While a snapshot downloads, the (entity, key) of every row a page carries is noted in a
// temporary table of the connection. In the transaction of the last page (the one that stores
// its cursor), every replicated row the snapshot did not carry is removed: SKUs (with their
// GTINs), locations, lots, stock rows and orders (with their lines); operators are deactivated,
// as a pulled deletion does. The outbox is never touched.
//
// Held back ("kept"): an order named by an op not pushed yet or open on a screen (`openOrders`),
// and the SKUs and locations such orders and ops name — the picker's unpushed work stays intact
// and he can finish what is in his hands. Kept rows are remembered in sync_state and removed at
// the end of a later pull once nothing holds them, unless a page has brought them back. A pulled
// deletion of a held order, SKU or location is deferred the same way.
//
// A snapshot cut short (offline, or the app killed) is finished only by a connection that saw
// all its pages: after a restart it starts again from cursor 0 (needsRestart()). Every write is
// in the caller's transaction, together with the page and its cursor. GUI thread only.
namespace SnapshotSweep {

struct Removed
{
    int skus = 0;
    int locations = 0;
    int lots = 0;
    int stock = 0;
    int orders = 0;
    int operators = 0; // deactivated
    int kept = 0;      // held back for later (orders, SKUs, locations)
};

// Starts a snapshot: pull cursor "0", the running mark, an empty set of noted keys. Errors: Storage.
Common::Result<void> begin(TransactionGuard &transaction, LocalDatabase &database);
// A snapshot was begun and its last page is not stored yet.
bool isRunning(LocalDatabase &database);
// Running, but this connection did not note its earlier pages (the app was restarted): begin() again.
bool needsRestart(LocalDatabase &database);

// Call for every pulled page before applying it. Notes its keys while a snapshot runs, forgets
// kept rows the page brings back, and returns the changes to apply: deletions of held rows are
// taken out and kept for later. Errors: Storage.
Common::Result<std::vector<Common::Protocol::Change>> notePage(TransactionGuard &transaction, LocalDatabase &database,
                                                               const std::vector<Common::Protocol::Change> &changes,
                                                               const QList<qint64> &openOrders);

// Call with the last page of a pull (has_more false), after applying it: removes what the snapshot
// did not carry when one is running (and ends it), else what was kept earlier and is held no more.
// Errors: Storage.
Common::Result<Removed> finishPull(TransactionGuard &transaction, LocalDatabase &database,
                                   const QList<qint64> &openOrders);

} // namespace SnapshotSweep
