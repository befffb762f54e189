#pragma once
#include <QJsonArray>
#include <QJsonObject>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include "client/storage/localdatabase.h"
#include "client/storage/locationrepository.h"
#include "client/storage/operatorrepository.h"
#include "client/storage/orderrepository.h"
#include "client/storage/outboxrepository.h"
#include "client/storage/skurepository.h"
#include "client/storage/syncstaterepository.h"
#include "client/storage/transactionguard.h"
#include "client/sync/snapshotimporter.h"

// A terminal database in a temporary folder with a small warehouse: three SKUs (one
// lot-controlled), three locations, one operator (badge OP-0001, PIN 2468) and one released
// order SO-1001 whose pick list walks A-01-01-1 (apple ×3), A-01-02-1 (rice ×2, lot-controlled),
// B-02-01-1 (tea ×1). Real SQLite, real files.
namespace TestSupport {

inline const QString appleGtin = QStringLiteral("04901780188352");  // JAN 4901780188352
inline const QString riceGtin = QStringLiteral("09501101530003");   // GS1 example GTIN-14
inline const QString teaGtin = QStringLiteral("04006381333931");    // EAN-13 4006381333931
inline const QString operatorPin = QStringLiteral("2468");

inline QJsonObject sampleWarehouse()
{
    auto sku = [](const char *code, const char *name, const QString &gtin, bool lot) {
        return QJsonObject{{QStringLiteral("code"), QLatin1String(code)},
                           {QStringLiteral("name"), QLatin1String(name)},
                           {QStringLiteral("lot_controlled"), lot},
                           {QStringLiteral("gtins"), QJsonArray{gtin}}};
    };
    auto location = [](const char *code, int sequence) {
        return QJsonObject{{QStringLiteral("code"), QLatin1String(code)},
                           {QStringLiteral("warehouse"), QStringLiteral("TKY1")},
                           {QStringLiteral("pick_sequence"), sequence}};
    };
    auto line = [](int number, const char *skuCode, const char *locationCode, int quantity) {
        return QJsonObject{{QStringLiteral("line"), number},
                           {QStringLiteral("sku"), QLatin1String(skuCode)},
                           {QStringLiteral("location"), QLatin1String(locationCode)},
                           {QStringLiteral("quantity"), quantity}};
    };
    return QJsonObject{
        {QStringLiteral("skus"),
         QJsonArray{sku("SKU-APPLE", "Apple juice", appleGtin, false), sku("SKU-RICE", "Rice 5kg", riceGtin, true),
                    sku("SKU-TEA", "Green tea", teaGtin, false)}},
        {QStringLiteral("locations"),
         QJsonArray{location("B-02-01-1", 30), location("A-01-01-1", 10), location("A-01-02-1", 20)}},
        {QStringLiteral("operators"),
         QJsonArray{QJsonObject{{QStringLiteral("id"), QStringLiteral("op-1")},
                                {QStringLiteral("name"), QStringLiteral("Sato")},
                                {QStringLiteral("badge"), QStringLiteral("OP-0001")},
                                {QStringLiteral("pin"), operatorPin}}}},
        {QStringLiteral("orders"),
         QJsonArray{QJsonObject{{QStringLiteral("id"), 1001},
                                {QStringLiteral("store"), QStringLiteral("shop-a")},
                                {QStringLiteral("order_number"), QStringLiteral("SO-1001")},
                                {QStringLiteral("customer"), QStringLiteral("Tanaka")},
                                {QStringLiteral("warehouse"), QStringLiteral("TKY1")},
                                {QStringLiteral("state"), QStringLiteral("released")},
                                {QStringLiteral("lines"),
                                 QJsonArray{line(1, "SKU-TEA", "B-02-01-1", 1), line(2, "SKU-APPLE", "A-01-01-1", 3),
                                            line(3, "SKU-RICE", "A-01-02-1", 2)}}}}}};
}

// Opens (or reopens) a terminal database in `folder`, creating the device identity.
inline bool openDatabase(LocalDatabase &database, const QString &folder)
{
    auto opened = database.open(folder + QStringLiteral("/terminal.sqlite"));
    if (!opened) {
        qWarning("open failed: %s", opened.error().message.c_str());
        return false;
    }
    return SyncStateRepository(database).ensureIdentity().has_value();
}

inline bool importSample(LocalDatabase &database)
{
    TransactionGuard transaction(database);
    auto applied = SnapshotImporter::apply(transaction, database, sampleWarehouse());
    if (!applied) {
        qWarning("import failed: %s", applied.error().message.c_str());
        return false;
    }
    return transaction.commit().has_value();
}

// The first column of the first row of `sql` on the terminal database; -1 when the query fails
// or returns no row.
inline qint64 scalar(LocalDatabase &database, const QString &sql)
{
    QSqlQuery query(database.database());
    if (query.exec(sql) && query.next())
        return query.value(0).toLongLong();
    return -1;
}

} // namespace TestSupport
