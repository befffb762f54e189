#pragma once
#include <QSqlError>
#include <QSqlQuery>
#include "common/support/result.h"

// Helpers that turn QSqlError into Common::Error at the storage boundary (STYLE.md §4). The raw
// driver text goes to the log; the Error message names only the step, so views never show SQL.
namespace Storage {

Common::Error toError(const QSqlError &error, const char *step);

// Executes a prepared query; Storage error naming `step` on failure.
Common::Result<void> exec(QSqlQuery &query, const char *step);
// Prepares and executes `sql` without bound values (DDL, pragmas).
Common::Result<void> execSql(const QSqlDatabase &db, const QString &sql, const char *step);

} // namespace Storage
