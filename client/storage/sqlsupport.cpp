#include "client/storage/sqlsupport.h"

#include <QLoggingCategory>
#include <QSqlDatabase>

Q_LOGGING_CATEGORY(lcStorage, "soko.storage")

namespace Storage {

Common::Error toError(const QSqlError &error, const char *step)
{
    qCWarning(lcStorage) << step << "failed:" << error.text();
    // SQLITE_FULL (13): the disk, or the database's size limit, is full. Named apart in the log so
    // a support engineer sees why a terminal refuses to save (the workflows refuse the action).
    if (error.nativeErrorCode() == QLatin1String("13"))
        return Common::Error::make(Common::ErrorCode::Storage, std::string("storage full: ") + step);
    return Common::Error::make(Common::ErrorCode::Storage, std::string("database error: ") + step);
}

Common::Result<void> exec(QSqlQuery &query, const char *step)
{
    // A default-constructed QString binds as NULL; our text columns are NOT NULL DEFAULT ''.
    const QVariantList values = query.boundValues();
    for (qsizetype i = 0; i < values.size(); ++i) {
        if (values[i].typeId() == QMetaType::QString && values[i].toString().isNull())
            query.bindValue(int(i), QStringLiteral(""));
    }
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
