#pragma once
#include <QSqlDatabase>
#include "common/support/result.h"

// Versioned schema of the terminal database. Each step runs in its own transaction and bumps
// PRAGMA user_version, so a kill during an upgrade leaves the previous version intact.
namespace Storage {

// The version the code expects after migrate().
int latestSchemaVersion();
// Runs every step above the database's user_version. Errors: Storage naming the step.
Common::Result<void> migrate(const QSqlDatabase &db);

} // namespace Storage
