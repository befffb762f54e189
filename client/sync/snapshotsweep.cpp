#include "client/sync/snapshotsweep.h"

#include <optional>

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QSet>
#include <QSqlQuery>
#include <QStringList>

#include "client/storage/localdatabase.h"
#include "client/storage/sqlsupport.h"
#include "client/storage/syncstaterepository.h"
#include "client/storage/transactionguard.h"
#include "common/protocol/protocol.h"

Q_LOGGING_CATEGORY(lcSnapshot, "soko.sync.snapshot")

namespace SnapshotSweep {
namespace {

// sync_state keys (free-form keys of the key/value table).
constexpr const char *s_runningKey = "snapshot_running"; // "1" from begin() to the last page
constexpr const char *s_keptKey = "snapshot_kept";       // {"order":[ids],"sku":[codes],"location":[codes]}

// The entities whose rows can be held back for the picker.
const QStringList s_holdable{QStringLiteral("order"), QStringLiteral("sku"), QStringLiteral("location")};

// SQL expression giving a local row's key in the pull protocol's form (docs/sync-protocol.md).
struct Table
{
    const char *entity;
    const char *table;
    const char *key;
};
const Table s_orders{"order", "orders", "CAST(orders.id AS TEXT)"};
const Table s_skus{"sku", "skus", "skus.code"};
const Table s_locations{"location", "locations", "locations.code"};
const Table s_lots{"lot", "lots", "lots.sku_code || '|' || lots.lot"};
const Table s_stock{"stock", "stock", "stock.sku_code || '|' || stock.location_code || '|' || stock.lot"};

QString notNoted(const Table &table)
{
    return QStringLiteral("NOT EXISTS (SELECT 1 FROM temp.snapshot_seen s WHERE s.entity = '%1' AND s.key = %2)")
        .arg(QLatin1String(table.entity), QLatin1String(table.key));
}

Common::Result<void> run(LocalDatabase &database, const QString &sql, const QVariantList &values, const char *step,
                         int *affected = nullptr)
{
    QSqlQuery query(database.database());
    query.prepare(sql);
    for (const QVariant &value : values)
        query.addBindValue(value);
    if (auto done = Storage::exec(query, step); !done)
        return done;
    if (affected)
        *affected = query.numRowsAffected();
    return {};
}

Common::Result<QStringList> column(LocalDatabase &database, const QString &sql, const QVariantList &values,
                                   const char *step)
{
    QSqlQuery query(database.database());
    query.prepare(sql);
    for (const QVariant &value : values)
        query.addBindValue(value);
    if (auto done = Storage::exec(query, step); !done)
        return tl::unexpected(done.error());
    QStringList result;
    while (query.next()) {
        const QString value = query.value(0).toString();
        if (!value.isEmpty())
            result.append(value);
    }
    return result;
}

QString jsonArray(const QSet<QString> &values)
{
    QJsonArray array;
    for (const QString &value : values)
        array.append(value);
    return QString::fromUtf8(QJsonDocument(array).toJson(QJsonDocument::Compact));
}

Common::Result<void> ensureSeenTable(LocalDatabase &database)
{
    // TEMP: private to this connection and gone with it, which is what needsRestart() relies on.
    return Storage::execSql(database.database(),
                            QStringLiteral("CREATE TEMP TABLE IF NOT EXISTS snapshot_seen (entity TEXT NOT NULL,"
                                           " key TEXT NOT NULL, PRIMARY KEY (entity, key)) WITHOUT ROWID"),
                            "create snapshot table");
}

// What the picker's unpushed or unfinished work names: entity → keys.
using Keys = QHash<QString, QSet<QString>>;

Common::Result<Keys> heldKeys(LocalDatabase &database, const QList<qint64> &openOrders)
{
    Keys held;
    auto orders = column(database,
                         QStringLiteral("SELECT DISTINCT json_extract(payload, '$.order_id') FROM outbox"
                                        " WHERE state = 'pending' AND json_valid(payload)"),
                         {}, "orders of pending ops");
    if (!orders)
        return tl::unexpected(orders.error());
    QSet<QString> &heldOrders = held[QStringLiteral("order")];
    for (const QString &id : std::as_const(*orders))
        heldOrders.insert(id);
    for (qint64 id : openOrders) {
        if (id > 0)
            heldOrders.insert(QString::number(id));
    }
    const QString orderList = jsonArray(heldOrders);
    const QString pending = QStringLiteral(" FROM outbox WHERE state = 'pending' AND json_valid(payload)");
    auto skus = column(database,
                       QStringLiteral("SELECT sku_code FROM order_lines WHERE CAST(order_id AS TEXT) IN"
                                      " (SELECT value FROM json_each(?)) UNION SELECT json_extract(payload, '$.sku')") +
                           pending,
                       {orderList}, "SKUs of held work");
    auto locations = column(database,
                            QStringLiteral("SELECT location_code FROM order_lines WHERE CAST(order_id AS TEXT) IN"
                                           " (SELECT value FROM json_each(?))"
                                           " UNION SELECT json_extract(payload, '$.location')") +
                                pending + QStringLiteral(" UNION SELECT json_extract(payload, '$.from')") + pending +
                                QStringLiteral(" UNION SELECT json_extract(payload, '$.to')") + pending,
                            {orderList}, "locations of held work");
    if (!skus || !locations)
        return tl::unexpected(!skus ? skus.error() : locations.error());
    for (const QString &code : std::as_const(*skus))
        held[QStringLiteral("sku")].insert(code);
    for (const QString &code : std::as_const(*locations))
        held[QStringLiteral("location")].insert(code);
    return held;
}

Keys loadKept(LocalDatabase &database)
{
    Keys kept;
    const QJsonObject object =
        QJsonDocument::fromJson(SyncStateRepository(database).value(s_keptKey).toUtf8()).object();
    for (const QString &entity : s_holdable) {
        for (const QJsonValue &key : object.value(entity).toArray())
            kept[entity].insert(key.toString());
    }
    return kept;
}

Common::Result<void> storeKept(TransactionGuard &transaction, LocalDatabase &database, const Keys &kept)
{
    QJsonObject object;
    for (auto it = kept.begin(); it != kept.end(); ++it) {
        if (it.value().isEmpty())
            continue;
        QStringList keys(it.value().begin(), it.value().end());
        keys.sort();
        object.insert(it.key(), QJsonArray::fromStringList(keys));
    }
    return SyncStateRepository(database).setValue(
        transaction, s_keptKey,
        object.isEmpty() ? QString() : QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact)));
}

int keptCount(const Keys &kept)
{
    int count = 0;
    for (const QSet<QString> &keys : kept)
        count += int(keys.size());
    return count;
}

Common::Result<void> removeOne(LocalDatabase &database, const QString &entity, const QString &key)
{
    if (entity == QLatin1String("order"))
        return run(database, QStringLiteral("DELETE FROM orders WHERE id = ?"), {key.toLongLong()}, "remove order");
    if (entity == QLatin1String("sku"))
        return run(database, QStringLiteral("DELETE FROM skus WHERE code = ?"), {key}, "remove SKU");
    return run(database, QStringLiteral("DELETE FROM locations WHERE code = ?"), {key}, "remove location");
}

// The end of a snapshot: everything it did not carry goes, except what held work names.
Common::Result<Removed> sweep(TransactionGuard &transaction, LocalDatabase &database, const QList<qint64> &openOrders)
{
    if (auto table = ensureSeenTable(database); !table)
        return tl::unexpected(table.error());
    auto held = heldKeys(database, openOrders);
    if (!held)
        return tl::unexpected(held.error());
    Removed removed;
    // Orders first: their lines go with them (ON DELETE CASCADE), then SKUs (and their GTINs).
    const std::pair<const Table *, int *> holdable[] = {
        {&s_orders, &removed.orders}, {&s_skus, &removed.skus}, {&s_locations, &removed.locations}};
    Keys kept;
    for (const auto &[table, counter] : holdable) {
        const QString entity = QLatin1String(table->entity);
        const QString heldList = jsonArray(held->value(entity));
        const QString where = QStringLiteral(" WHERE ") + notNoted(*table);
        if (auto done = run(
                database,
                QStringLiteral("DELETE FROM %1").arg(QLatin1String(table->table)) + where +
                    QStringLiteral(" AND %1 NOT IN (SELECT value FROM json_each(?))").arg(QLatin1String(table->key)),
                {heldList}, "remove rows the snapshot did not carry", counter);
            !done)
            return tl::unexpected(done.error());
        auto remaining = column(
            database,
            QStringLiteral("SELECT %1 FROM %2").arg(QLatin1String(table->key), QLatin1String(table->table)) + where, {},
            "rows kept for held work");
        if (!remaining)
            return tl::unexpected(remaining.error());
        for (const QString &key : std::as_const(*remaining))
            kept[entity].insert(key);
    }
    for (const auto &[table, counter] : {std::pair{&s_lots, &removed.lots}, std::pair{&s_stock, &removed.stock}}) {
        if (auto done = run(database,
                            QStringLiteral("DELETE FROM %1 WHERE ").arg(QLatin1String(table->table)) + notNoted(*table),
                            {}, "remove rows the snapshot did not carry", counter);
            !done)
            return tl::unexpected(done.error());
    }
    // Operators are deactivated, never deleted: ops already written name them.
    if (auto done =
            run(database,
                QStringLiteral("UPDATE operators SET active = 0 WHERE active = 1 AND NOT EXISTS (SELECT 1 FROM"
                               " temp.snapshot_seen s WHERE s.entity = 'operator' AND s.key = operators.badge)"),
                {}, "deactivate operators the snapshot did not carry", &removed.operators);
        !done)
        return tl::unexpected(done.error());
    removed.kept = keptCount(kept);
    if (auto stored = storeKept(transaction, database, kept); !stored)
        return tl::unexpected(stored.error());
    if (auto done = Storage::execSql(database.database(), QStringLiteral("DELETE FROM temp.snapshot_seen"),
                                     "clear snapshot table");
        !done)
        return tl::unexpected(done.error());
    if (auto done = SyncStateRepository(database).setValue(transaction, s_runningKey, QString()); !done)
        return tl::unexpected(done.error());
    qCInfo(lcSnapshot) << "snapshot complete; removed" << removed.orders << "orders," << removed.skus << "SKUs,"
                       << removed.locations << "locations," << removed.lots << "lots," << removed.stock
                       << "stock rows; deactivated" << removed.operators << "operators; kept" << removed.kept;
    return removed;
}

// Rows kept by an earlier snapshot or deferred deletion that nothing holds any more.
Common::Result<Removed> removeReleased(TransactionGuard &transaction, LocalDatabase &database,
                                       const QList<qint64> &openOrders)
{
    Removed removed;
    Keys kept = loadKept(database);
    if (keptCount(kept) == 0)
        return removed;
    // Orders first: the SKUs and bins they name are held only while they stay.
    for (const QString &entity : s_holdable) {
        auto held = heldKeys(database, openOrders);
        if (!held)
            return tl::unexpected(held.error());
        QSet<QString> &keys = kept[entity];
        for (auto it = keys.begin(); it != keys.end();) {
            if (held->value(entity).contains(*it)) {
                ++it;
                continue;
            }
            if (auto done = removeOne(database, entity, *it); !done)
                return tl::unexpected(done.error());
            int &counter = entity == QLatin1String("order") ? removed.orders
                           : entity == QLatin1String("sku") ? removed.skus
                                                            : removed.locations;
            ++counter;
            it = keys.erase(it);
        }
    }
    removed.kept = keptCount(kept);
    if (auto stored = storeKept(transaction, database, kept); !stored)
        return tl::unexpected(stored.error());
    return removed;
}

} // namespace

Common::Result<void> begin(TransactionGuard &transaction, LocalDatabase &database)
{
    if (auto table = ensureSeenTable(database); !table)
        return table;
    if (auto cleared = Storage::execSql(database.database(), QStringLiteral("DELETE FROM temp.snapshot_seen"),
                                        "clear snapshot table");
        !cleared)
        return cleared;
    SyncStateRepository state(database);
    if (auto done = state.setValue(transaction, SyncStateRepository::Cursor, QStringLiteral("0")); !done)
        return done;
    return state.setValue(transaction, s_runningKey, QStringLiteral("1"));
}

bool isRunning(LocalDatabase &database)
{
    return SyncStateRepository(database).value(s_runningKey) == QLatin1String("1");
}

bool needsRestart(LocalDatabase &database)
{
    if (!isRunning(database))
        return false;
    QSqlQuery query(database.database());
    return !query.exec(QStringLiteral("SELECT 1 FROM temp.sqlite_master WHERE name = 'snapshot_seen'")) ||
           !query.next();
}

Common::Result<std::vector<Common::Protocol::Change>> notePage(TransactionGuard &transaction, LocalDatabase &database,
                                                               const std::vector<Common::Protocol::Change> &changes,
                                                               const QList<qint64> &openOrders)
{
    const bool running = isRunning(database);
    if (running) {
        if (auto table = ensureSeenTable(database); !table)
            return tl::unexpected(table.error());
    }
    Keys kept = loadKept(database);
    bool keptChanged = false;
    std::optional<Keys> held; // read only when a page deletes something holdable
    std::vector<Common::Protocol::Change> toApply;
    toApply.reserve(changes.size());
    QSqlQuery noteSeen(database.database());
    QSqlQuery forgetSeen(database.database());
    if (running) {
        noteSeen.prepare(QStringLiteral("INSERT OR IGNORE INTO temp.snapshot_seen (entity, key) VALUES (?, ?)"));
        forgetSeen.prepare(QStringLiteral("DELETE FROM temp.snapshot_seen WHERE entity = ? AND key = ?"));
    }
    for (const Common::Protocol::Change &change : changes) {
        const QString entity = QString::fromStdString(change.entity);
        const QString key = QString::fromStdString(change.key);
        if (running) {
            QSqlQuery &query = change.data ? noteSeen : forgetSeen;
            query.addBindValue(entity);
            query.addBindValue(key);
            if (auto done = Storage::exec(query, "note snapshot key"); !done)
                return tl::unexpected(done.error());
        }
        if (s_holdable.contains(entity)) {
            if (change.data) {
                // Back in scope: no longer waiting to be removed.
                keptChanged = kept[entity].remove(key) || keptChanged;
            } else {
                if (!held) {
                    auto keys = heldKeys(database, openOrders);
                    if (!keys)
                        return tl::unexpected(keys.error());
                    held = *keys;
                }
                if (held->value(entity).contains(key)) {
                    kept[entity].insert(key);
                    keptChanged = true;
                    continue; // deleted later, once the work that holds it is pushed
                }
            }
        }
        toApply.push_back(change);
    }
    if (keptChanged) {
        if (auto stored = storeKept(transaction, database, kept); !stored)
            return tl::unexpected(stored.error());
    }
    return toApply;
}

Common::Result<Removed> finishPull(TransactionGuard &transaction, LocalDatabase &database,
                                   const QList<qint64> &openOrders)
{
    if (isRunning(database))
        return sweep(transaction, database, openOrders);
    return removeReleased(transaction, database, openOrders);
}

} // namespace SnapshotSweep
