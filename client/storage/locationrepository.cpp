#include "client/storage/locationrepository.h"

#include <QSqlQuery>

#include "client/storage/localdatabase.h"
#include "client/storage/sqlsupport.h"
#include "client/storage/transactionguard.h"

Common::Result<void> LocationRepository::upsertMany(TransactionGuard &transaction,
                                                    const QList<LocationRecord> &locations)
{
    Q_ASSERT(transaction.isActive());
    QSqlQuery query(m_database.database());
    query.prepare(QStringLiteral(
        "INSERT INTO locations (code, warehouse, zone, pick_sequence) VALUES (?, ?, ?, ?) ON CONFLICT(code) DO UPDATE"
        " SET warehouse = excluded.warehouse, zone = excluded.zone, pick_sequence = excluded.pick_sequence"));
    for (const LocationRecord &location : locations) {
        if (location.code.isEmpty())
            return Common::fail(Common::ErrorCode::InvalidInput, "location without code");
        query.addBindValue(location.code);
        query.addBindValue(location.warehouse);
        query.addBindValue(location.zone);
        query.addBindValue(location.pickSequence);
        if (auto done = Storage::exec(query, "upsert location"); !done)
            return done;
    }
    return {};
}

Common::Result<LocationRecord> LocationRepository::find(const QString &code) const
{
    QSqlQuery query(m_database.database());
    query.prepare(QStringLiteral("SELECT code, warehouse, zone, pick_sequence FROM locations WHERE code = ?"));
    query.addBindValue(code);
    if (auto done = Storage::exec(query, "find location"); !done)
        return tl::unexpected(done.error());
    if (!query.next())
        return Common::fail(Common::ErrorCode::NotFound, "unknown location " + code.toStdString());
    return LocationRecord{query.value(0).toString(), query.value(1).toString(), query.value(2).toString(),
                          query.value(3).toLongLong()};
}
