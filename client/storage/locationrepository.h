#pragma once
#include <QList>
#include "client/storage/records.h"
#include "common/support/result.h"

class LocalDatabase;
class TransactionGuard;

// Storage locations (bins) of the terminal's warehouse, with their pick sequence.
class LocationRepository final
{
public:
    explicit LocationRepository(LocalDatabase &database) : m_database(database) {}

    Common::Result<void> upsertMany(TransactionGuard &transaction, const QList<LocationRecord> &locations);
    // Errors: NotFound, Storage.
    Common::Result<LocationRecord> find(const QString &code) const;

private:
    LocalDatabase &m_database;
};
