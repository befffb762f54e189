#pragma once
#include <QList>
#include <QString>
#include "client/storage/records.h"
#include "common/support/result.h"

class LocalDatabase;
class TransactionGuard;

// SKUs and their GTIN-14s. Lookups by GTIN use the sku_gtins primary key (one B-tree probe), so
// they stay fast with 100,000 SKUs; bulk loads reuse one prepared statement per table.
class SkuRepository final
{
public:
    explicit SkuRepository(LocalDatabase &database) : m_database(database) {}

    // Inserts or replaces the SKU and its GTIN set. Errors: InvalidInput (GTIN not 14 digits), Storage.
    Common::Result<void> upsert(TransactionGuard &transaction, const SkuRecord &sku);
    // Same for many SKUs (pull pages, demo import).
    Common::Result<void> upsertMany(TransactionGuard &transaction, const QList<SkuRecord> &skus);
    // Errors: NotFound, Storage.
    Common::Result<SkuRecord> findByGtin(const QString &gtin14) const;
    Common::Result<SkuRecord> find(const QString &code) const;
    qint64 count() const;

private:
    LocalDatabase &m_database;
};
