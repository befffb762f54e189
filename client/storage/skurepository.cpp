#include "client/storage/skurepository.h"

#include <QSqlQuery>

#include "client/storage/localdatabase.h"
#include "client/storage/sqlsupport.h"
#include "client/storage/transactionguard.h"

namespace {

bool isGtin14(const QString &gtin)
{
    if (gtin.size() != 14)
        return false;
    for (QChar c : gtin) {
        if (c < QLatin1Char('0') || c > QLatin1Char('9'))
            return false;
    }
    return true;
}

Common::Result<SkuRecord> loadSku(const QSqlDatabase &db, const QString &code)
{
    QSqlQuery query(db);
    query.prepare(QStringLiteral("SELECT code, name, base_unit, lot_controlled FROM skus WHERE code = ?"));
    query.addBindValue(code);
    if (auto done = Storage::exec(query, "find sku"); !done)
        return tl::unexpected(done.error());
    if (!query.next())
        return Common::fail(Common::ErrorCode::NotFound, "unknown SKU " + code.toStdString());
    SkuRecord sku;
    sku.code = query.value(0).toString();
    sku.name = query.value(1).toString();
    sku.baseUnit = query.value(2).toString();
    sku.lotControlled = query.value(3).toBool();
    QSqlQuery gtins(db);
    gtins.prepare(QStringLiteral("SELECT gtin FROM sku_gtins WHERE sku_code = ? ORDER BY gtin"));
    gtins.addBindValue(code);
    if (auto done = Storage::exec(gtins, "list sku gtins"); !done)
        return tl::unexpected(done.error());
    while (gtins.next())
        sku.gtins.append(gtins.value(0).toString());
    return sku;
}

} // namespace

Common::Result<void> SkuRepository::upsert(TransactionGuard &transaction, const SkuRecord &sku)
{
    return upsertMany(transaction, {sku});
}

Common::Result<void> SkuRepository::upsertMany(TransactionGuard &transaction, const QList<SkuRecord> &skus)
{
    Q_ASSERT(transaction.isActive());
    const QSqlDatabase db = m_database.database();
    QSqlQuery insertSku(db);
    insertSku.prepare(QStringLiteral(
        "INSERT INTO skus (code, name, base_unit, lot_controlled) VALUES (?, ?, ?, ?) ON CONFLICT(code) DO UPDATE"
        " SET name = excluded.name, base_unit = excluded.base_unit, lot_controlled = excluded.lot_controlled"));
    QSqlQuery clearGtins(db);
    clearGtins.prepare(QStringLiteral("DELETE FROM sku_gtins WHERE sku_code = ?"));
    QSqlQuery insertGtin(db);
    // A GTIN moved to another SKU (re-labelled product) follows the latest record.
    insertGtin.prepare(QStringLiteral("INSERT OR REPLACE INTO sku_gtins (gtin, sku_code) VALUES (?, ?)"));
    for (const SkuRecord &sku : skus) {
        if (sku.code.isEmpty())
            return Common::fail(Common::ErrorCode::InvalidInput, "SKU without code");
        for (const QString &gtin : sku.gtins) {
            if (!isGtin14(gtin))
                return Common::fail(Common::ErrorCode::InvalidInput,
                                    "GTIN of SKU " + sku.code.toStdString() + " is not 14 digits");
        }
        insertSku.addBindValue(sku.code);
        insertSku.addBindValue(sku.name);
        insertSku.addBindValue(sku.baseUnit);
        insertSku.addBindValue(sku.lotControlled ? 1 : 0);
        if (auto done = Storage::exec(insertSku, "upsert sku"); !done)
            return done;
        clearGtins.addBindValue(sku.code);
        if (auto done = Storage::exec(clearGtins, "clear sku gtins"); !done)
            return done;
        for (const QString &gtin : sku.gtins) {
            insertGtin.addBindValue(gtin);
            insertGtin.addBindValue(sku.code);
            if (auto done = Storage::exec(insertGtin, "insert sku gtin"); !done)
                return done;
        }
    }
    return {};
}

Common::Result<SkuRecord> SkuRepository::findByGtin(const QString &gtin14) const
{
    QSqlQuery query(m_database.database());
    query.prepare(QStringLiteral("SELECT sku_code FROM sku_gtins WHERE gtin = ?"));
    query.addBindValue(gtin14);
    if (auto done = Storage::exec(query, "find sku by gtin"); !done)
        return tl::unexpected(done.error());
    if (!query.next())
        return Common::fail(Common::ErrorCode::NotFound, "no SKU has GTIN " + gtin14.toStdString());
    return loadSku(m_database.database(), query.value(0).toString());
}

Common::Result<SkuRecord> SkuRepository::find(const QString &code) const
{
    return loadSku(m_database.database(), code);
}

qint64 SkuRepository::count() const
{
    QSqlQuery query(m_database.database());
    if (query.exec(QStringLiteral("SELECT count(*) FROM skus")) && query.next())
        return query.value(0).toLongLong();
    return 0;
}
