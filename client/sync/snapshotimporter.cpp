#include "client/sync/snapshotimporter.h"

#include <QJsonArray>

#include "client/storage/localdatabase.h"
#include "client/storage/locationrepository.h"
#include "client/storage/operatorrepository.h"
#include "client/storage/orderrepository.h"
#include "client/storage/skurepository.h"
#include "client/storage/transactionguard.h"

namespace SnapshotImporter {
namespace {

constexpr qsizetype s_maxRows = 100000;

Common::Result<QJsonArray> rows(const QJsonObject &changes, const char *name)
{
    const QJsonValue value = changes.value(QLatin1String(name));
    if (value.isUndefined())
        return QJsonArray();
    if (!value.isArray())
        return Common::fail(Common::ErrorCode::InvalidInput, std::string(name) + " is not an array");
    if (value.toArray().size() > s_maxRows)
        return Common::fail(Common::ErrorCode::TooLarge, std::string(name) + " has too many rows");
    return value.toArray();
}

Common::Error rowError(const char *name, qsizetype row, const char *why)
{
    return Common::Error::make(Common::ErrorCode::InvalidInput, std::string(name) + "[" + std::to_string(row) + "]: " + why,
                               static_cast<long>(row));
}

} // namespace

Common::Result<Counts> apply(TransactionGuard &transaction, LocalDatabase &database, const QJsonObject &changes)
{
    Counts counts;
    auto skuRows = rows(changes, "skus");
    auto locationRows = rows(changes, "locations");
    auto operatorRows = rows(changes, "operators");
    auto orderRows = rows(changes, "orders");
    for (const auto *result : {&skuRows, &locationRows, &operatorRows, &orderRows}) {
        if (!*result)
            return tl::unexpected(result->error());
    }

    QList<SkuRecord> skus;
    for (qsizetype i = 0; i < skuRows->size(); ++i) {
        const QJsonObject row = skuRows->at(i).toObject();
        SkuRecord sku;
        sku.code = row.value(QLatin1String("code")).toString();
        sku.name = row.value(QLatin1String("name")).toString();
        sku.baseUnit = row.value(QLatin1String("base_unit")).toString(QStringLiteral("piece"));
        sku.lotControlled = row.value(QLatin1String("lot_controlled")).toBool();
        for (const QJsonValue &gtin : row.value(QLatin1String("gtins")).toArray())
            sku.gtins.append(gtin.toString());
        if (sku.code.isEmpty() || sku.code.size() > 64)
            return tl::unexpected(rowError("skus", i, "code missing or too long"));
        skus.append(sku);
    }
    if (auto done = SkuRepository(database).upsertMany(transaction, skus); !done)
        return tl::unexpected(done.error());
    counts.skus = int(skus.size());

    QList<LocationRecord> locations;
    for (qsizetype i = 0; i < locationRows->size(); ++i) {
        const QJsonObject row = locationRows->at(i).toObject();
        LocationRecord location{row.value(QLatin1String("code")).toString(),
                                row.value(QLatin1String("warehouse")).toString(),
                                row.value(QLatin1String("zone")).toString(),
                                row.value(QLatin1String("pick_sequence")).toInteger()};
        if (location.code.isEmpty() || location.code.size() > 64)
            return tl::unexpected(rowError("locations", i, "code missing or too long"));
        locations.append(location);
    }
    if (auto done = LocationRepository(database).upsertMany(transaction, locations); !done)
        return tl::unexpected(done.error());
    counts.locations = int(locations.size());

    QList<OperatorRecord> operators;
    for (qsizetype i = 0; i < operatorRows->size(); ++i) {
        const QJsonObject row = operatorRows->at(i).toObject();
        OperatorRecord record{row.value(QLatin1String("id")).toString(), row.value(QLatin1String("name")).toString(),
                              row.value(QLatin1String("badge")).toString(),
                              row.value(QLatin1String("pin_hash")).toString(),
                              row.value(QLatin1String("active")).toBool(true)};
        if (record.pinHash.isEmpty() && row.contains(QLatin1String("pin")))
            record.pinHash = OperatorRepository::hashPin(row.value(QLatin1String("pin")).toString());
        if (record.id.isEmpty() || record.badge.isEmpty() || record.pinHash.isEmpty())
            return tl::unexpected(rowError("operators", i, "id, badge and pin_hash are required"));
        operators.append(record);
    }
    if (auto done = OperatorRepository(database).upsertMany(transaction, operators); !done)
        return tl::unexpected(done.error());
    counts.operators = int(operators.size());

    OrderRepository orders(database);
    for (qsizetype i = 0; i < orderRows->size(); ++i) {
        const QJsonObject row = orderRows->at(i).toObject();
        OrderImport import;
        import.order.id = row.value(QLatin1String("id")).toInteger();
        import.order.store = row.value(QLatin1String("store")).toString();
        import.order.orderNumber = row.value(QLatin1String("order_number")).toString();
        import.order.customer = row.value(QLatin1String("customer")).toString();
        import.order.warehouse = row.value(QLatin1String("warehouse")).toString();
        import.order.state = row.value(QLatin1String("state")).toString();
        import.order.trackingNumber = row.value(QLatin1String("tracking_number")).toString();
        const QJsonArray lines = row.value(QLatin1String("lines")).toArray();
        if (lines.size() > 10000)
            return tl::unexpected(rowError("orders", i, "too many lines"));
        for (const QJsonValue &value : lines) {
            const QJsonObject line = value.toObject();
            OrderLineRecord record;
            record.lineNumber = int(line.value(QLatin1String("line")).toInteger());
            record.skuCode = line.value(QLatin1String("sku")).toString();
            record.locationCode = line.value(QLatin1String("location")).toString();
            record.quantity = line.value(QLatin1String("quantity")).toInteger();
            import.lines.append(record);
        }
        if (auto done = orders.upsert(transaction, import); !done)
            return tl::unexpected(rowError("orders", i, done.error().message.c_str()));
    }
    counts.orders = int(orderRows->size());
    return counts;
}

} // namespace SnapshotImporter
