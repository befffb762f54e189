#include "client/sync/snapshotimporter.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSqlQuery>

#include "client/storage/localdatabase.h"
#include "client/storage/locationrepository.h"
#include "client/storage/operatorrepository.h"
#include "client/storage/orderrepository.h"
#include "client/storage/skurepository.h"
#include "client/storage/sqlsupport.h"
#include "client/storage/transactionguard.h"
#include "common/protocol/protocol.h"

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

namespace SnapshotImporter {
namespace {

Common::Result<void> run(LocalDatabase &database, const QString &sql, const QVariantList &values, const char *step)
{
    QSqlQuery query(database.database());
    query.prepare(sql);
    for (const QVariant &value : values)
        query.addBindValue(value);
    return Storage::exec(query, step);
}

// FEFO location for a SKU from the replicated stock, or "" when none has stock.
QString pickLocation(LocalDatabase &database, const QString &skuCode)
{
    QSqlQuery query(database.database());
    query.prepare(QStringLiteral(
        "SELECT s.location_code FROM stock s LEFT JOIN lots l ON l.sku_code = s.sku_code AND l.lot = s.lot"
        " LEFT JOIN locations loc ON loc.code = s.location_code"
        " WHERE s.sku_code = ? AND s.quantity > 0 AND coalesce(l.blocked, 0) = 0"
        " ORDER BY coalesce(nullif(l.expiry, ''), '9999-12-31'), coalesce(loc.pick_sequence, 0), s.location_code"
        " LIMIT 1"));
    query.addBindValue(skuCode);
    if (query.exec() && query.next())
        return query.value(0).toString();
    return {};
}

} // namespace

Common::Result<int> applyChanges(TransactionGuard &transaction, LocalDatabase &database,
                                 const std::vector<Common::Protocol::Change> &changes)
{
    // Stock and lots first: order lines choose their location from them.
    std::vector<const Common::Protocol::Change *> ordered;
    for (const auto &change : changes) {
        if (change.entity == "stock" || change.entity == "lot")
            ordered.push_back(&change);
    }
    for (const auto &change : changes) {
        if (change.entity != "stock" && change.entity != "lot")
            ordered.push_back(&change);
    }
    int applied = 0;
    for (const Common::Protocol::Change *change : ordered) {
        const QString entity = QString::fromStdString(change->entity);
        const QString key = QString::fromStdString(change->key);
        auto bad = [&](const char *why) {
            return Common::fail(Common::ErrorCode::InvalidInput,
                                "change " + change->entity + " " + change->key + ": " + why);
        };
        QJsonObject data;
        if (change->data) {
            const QJsonDocument document = QJsonDocument::fromJson(QByteArray::fromStdString(*change->data));
            if (!document.isObject())
                return bad("data is not an object");
            data = document.object();
        }
        Common::Result<void> done;
        if (entity == QLatin1String("sku")) {
            if (!change->data)
                done = run(database, QStringLiteral("DELETE FROM skus WHERE code = ?"), {key}, "delete sku");
            else if (auto counted = apply(transaction, database, QJsonObject{{QStringLiteral("skus"), QJsonArray{data}}});
                     !counted)
                return tl::unexpected(counted.error());
        } else if (entity == QLatin1String("location")) {
            if (!change->data)
                done = run(database, QStringLiteral("DELETE FROM locations WHERE code = ?"), {key}, "delete location");
            else if (auto counted =
                         apply(transaction, database, QJsonObject{{QStringLiteral("locations"), QJsonArray{data}}});
                     !counted)
                return tl::unexpected(counted.error());
        } else if (entity == QLatin1String("operator")) {
            if (!change->data) {
                done = run(database, QStringLiteral("UPDATE operators SET active = 0 WHERE badge = ?"), {key},
                           "deactivate operator");
            } else {
                // Operators are known by badge; ops name them by it (operator_id).
                QJsonObject row = data;
                row.insert(QStringLiteral("id"), data.value(QStringLiteral("badge")));
                if (auto counted = apply(transaction, database, QJsonObject{{QStringLiteral("operators"), QJsonArray{row}}});
                    !counted)
                    return tl::unexpected(counted.error());
            }
        } else if (entity == QLatin1String("stock")) {
            if (!change->data) {
                const QStringList parts = key.split(QLatin1Char('|'));
                done = run(database, QStringLiteral("DELETE FROM stock WHERE sku_code = ? AND location_code = ? AND lot = ?"),
                           {parts.value(0), parts.value(1), parts.value(2)}, "delete stock");
            } else {
                done = run(database,
                           QStringLiteral("INSERT OR REPLACE INTO stock (sku_code, location_code, lot, quantity)"
                                          " VALUES (?, ?, ?, ?)"),
                           {data.value(QStringLiteral("sku")).toString(), data.value(QStringLiteral("location")).toString(),
                            data.value(QStringLiteral("lot")).toString(),
                            data.value(QStringLiteral("quantity")).toInteger()},
                           "upsert stock");
            }
        } else if (entity == QLatin1String("lot")) {
            if (!change->data) {
                const QStringList parts = key.split(QLatin1Char('|'));
                done = run(database, QStringLiteral("DELETE FROM lots WHERE sku_code = ? AND lot = ?"),
                           {parts.value(0), parts.value(1)}, "delete lot");
            } else {
                done = run(database,
                           QStringLiteral("INSERT OR REPLACE INTO lots (sku_code, lot, expiry, blocked) VALUES (?, ?, ?, ?)"),
                           {data.value(QStringLiteral("sku")).toString(), data.value(QStringLiteral("lot")).toString(),
                            data.value(QStringLiteral("expiry")).toString(),
                            data.value(QStringLiteral("blocked")).toBool() ? 1 : 0},
                           "upsert lot");
            }
        } else if (entity == QLatin1String("order")) {
            if (!change->data) {
                done = run(database, QStringLiteral("DELETE FROM orders WHERE id = ?"), {key.toLongLong()}, "delete order");
            } else {
                QJsonObject order = data;
                QJsonArray lines;
                for (const QJsonValue &value : data.value(QStringLiteral("lines")).toArray()) {
                    QJsonObject line = value.toObject();
                    if (!line.contains(QStringLiteral("location")))
                        line.insert(QStringLiteral("location"),
                                    pickLocation(database, line.value(QStringLiteral("sku")).toString()));
                    lines.append(line);
                }
                order.insert(QStringLiteral("lines"), lines);
                if (auto counted = apply(transaction, database, QJsonObject{{QStringLiteral("orders"), QJsonArray{order}}});
                    !counted)
                    return tl::unexpected(counted.error());
                // Progress other terminals made (the server's picked) is kept if ahead of ours.
                for (const QJsonValue &value : data.value(QStringLiteral("lines")).toArray()) {
                    const QJsonObject line = value.toObject();
                    done = run(database,
                               QStringLiteral("UPDATE order_lines SET picked = max(picked, min(?, quantity - shorted))"
                                              " WHERE order_id = ? AND line_number = ?"),
                               {line.value(QStringLiteral("picked")).toInteger(), data.value(QStringLiteral("id")).toInteger(),
                                line.value(QStringLiteral("line")).toInteger()},
                               "merge picked");
                    if (!done)
                        return tl::unexpected(done.error());
                }
            }
        } else {
            continue; // an entity this terminal does not replicate (forward compatible)
        }
        if (!done)
            return tl::unexpected(done.error());
        ++applied;
    }
    return applied;
}

} // namespace SnapshotImporter
