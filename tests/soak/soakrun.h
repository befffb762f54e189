#pragma once
#include <QString>
#include <QStringList>

#include <cstdint>
#include <functional>

// The randomized soak of issue 7 "Nothing lost" (tests/soak/README.md): N simulated terminals in
// this process — each the REAL client sync engine (client/sync SyncClient) on its REAL SQLite file
// (client/storage) — doing picks, receipts, moves and cycle counts against two soko-server
// processes on one PostgreSQL database, each server behind a fault proxy (tests/fault), with
// random fault plans, SIGKILLed and restarted servers, load-balancer switches and terminal
// "kills" (engine objects dropped mid-work, reopened from the SQLite files as a SIGKILL leaves
// them). Then the network heals, everything syncs to quiescence and the invariant checker
// compares every terminal's outbox with the server's applied_ops, the ledger with the balances,
// and every terminal's local view with the server's.
//
// All randomness of the schedule comes from one std::mt19937_64 seeded with `seed`; timing on a
// loaded machine still varies, so a seed replays the same schedule of actions and faults, not
// the same interleaving to the millisecond. Needs a QCoreApplication (the engine's event loop
// runs inside run()) and SOKO_TEST_PG_URL / SOKO_TEST_PG_ADMIN_URL (a missing variable is a
// violation, never a skip).
namespace Soak {

struct Options
{
    int seconds = 60; // length of the chaos phase
    std::uint64_t seed = 1;
    int terminals = 6;
    int healSeconds = 120;    // bound on heal + quiescence
    QString reproduceCommand; // printed on failure, e.g. "scripts/soak.sh 60 7"
};

struct Report
{
    QStringList violations; // empty = every invariant holds
    QStringList figures;    // the printed summary lines
    bool ok() const { return violations.isEmpty(); }
};

// Runs one soak; `log` receives progress and the summary lines as they happen (may be empty).
Report run(const Options &options, const std::function<void(const QString &)> &log = {});

} // namespace Soak
