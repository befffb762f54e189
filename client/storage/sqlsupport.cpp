#include "client/storage/sqlsupport.h"

#include <QLoggingCategory>
#include <QSqlDatabase>

Q_LOGGING_CATEGORY(lcStorage, "soko.storage")

namespace Storage {

Common::Error toError(const QSqlError &error, const char *step)
{
    qCWarning(lcStorage) << step << "failed:" << error.text();
    return Common::Error::make(Common::ErrorCode::Storage, std::string("database error: ") + step);
}

Common::Result<void> exec(QSqlQuery &query, const char *step)
{
    if (!query.exec())
        return tl::unexpected(toError(query.lastError(), step));
    return {};
}

Common::Result<void> execSql(const QSqlDatabase &db, const QString &sql, const char *step)
{
    QSqlQuery query(db);
    if (!query.exec(sql))
        return tl::unexpected(toError(query.lastError(), step));
    return {};
}

} // namespace Storage
