#include "client/storage/orderrepository.h"

#include <QSqlQuery>

#include "client/storage/localdatabase.h"
#include "client/storage/sqlsupport.h"
#include "client/storage/transactionguard.h"

namespace {

#define STATE_RANK(column)                                                                                             \
    "(CASE " column " WHEN 'imported' THEN 0 WHEN 'allocated' THEN 1 WHEN 'released' THEN 2 WHEN 'picking' THEN 3"     \
    " WHEN 'picked' THEN 4 WHEN 'packed' THEN 5 WHEN 'shipped' THEN 6 ELSE 7 END)"

const QString s_orderColumns = QStringLiteral(
    "SELECT o.id, o.store, o.order_number, o.customer, o.warehouse, o.state, o.tracking_number,"
    " (SELECT count(*) FROM order_lines l WHERE l.order_id = o.id),"
    " (SELECT count(*) FROM order_lines l WHERE l.order_id = o.id AND l.picked + l.shorted >= l.quantity)"
    " FROM orders o ");

OrderRecord readOrder(const QSqlQuery &query)
{
    OrderRecord order;
    order.id = query.value(0).toLongLong();
    order.store = query.value(1).toString();
    order.orderNumber = query.value(2).toString();
    order.customer = query.value(3).toString();
    order.warehouse = query.value(4).toString();
    order.state = query.value(5).toString();
    order.trackingNumber = query.value(6).toString();
    order.lineCount = query.value(7).toInt();
    order.linesDone = query.value(8).toInt();
    return order;
}

Common::Result<OrderRecord> findOne(const QSqlDatabase &db, const QString &where, const QVariant &value)
{
    QSqlQuery query(db);
    query.prepare(s_orderColumns + where);
    query.addBindValue(value);
    if (auto done = Storage::exec(query, "find order"); !done)
        return tl::unexpected(done.error());
    if (!query.next())
        return Common::fail(Common::ErrorCode::NotFound, "unknown order " + value.toString().toStdString());
    return readOrder(query);
}

} // namespace

Common::Result<void> OrderRepository::upsert(TransactionGuard &transaction, const OrderImport &import)
{
    Q_ASSERT(transaction.isActive());
    const OrderRecord &order = import.order;
    if (order.id <= 0 || order.orderNumber.isEmpty() || order.state.isEmpty())
        return Common::fail(Common::ErrorCode::InvalidInput, "order needs id, number and state");
    const QSqlDatabase db = m_database.database();
    QSqlQuery query(db);
    query.prepare(QStringLiteral(
        "INSERT INTO orders (id, store, order_number, customer, warehouse, state, tracking_number)"
        " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET store = excluded.store,"
        " order_number = excluded.order_number, customer = excluded.customer, warehouse = excluded.warehouse,"
        // Local progress made offline is not undone by an older server state; cancelled always wins.
        " state = CASE WHEN excluded.state <> 'cancelled' AND " STATE_RANK("excluded.state") " < "
        STATE_RANK("orders.state") " THEN orders.state ELSE excluded.state END, tracking_number = CASE WHEN excluded.tracking_number = '' THEN"
        " orders.tracking_number ELSE excluded.tracking_number END"));
    for (const QVariant &value : {QVariant(order.id), QVariant(order.store), QVariant(order.orderNumber),
                                  QVariant(order.customer), QVariant(order.warehouse), QVariant(order.state),
                                  QVariant(order.trackingNumber)})
        query.addBindValue(value);
    if (auto done = Storage::exec(query, "upsert order"); !done)
        return done;

    QSqlQuery removeGone(db);
    removeGone.prepare(QStringLiteral("DELETE FROM order_lines WHERE order_id = ? AND line_number NOT IN (SELECT value"
                                      " FROM json_each(?))"));
    QStringList numbers;
    for (const OrderLineRecord &line : import.lines)
        numbers.append(QString::number(line.lineNumber));
    removeGone.addBindValue(order.id);
    removeGone.addBindValue(QStringLiteral("[%1]").arg(numbers.join(QLatin1Char(','))));
    if (auto done = Storage::exec(removeGone, "remove order lines"); !done)
        return done;

    QSqlQuery line(db);
    // Local progress survives a re-pull of the same order, clamped if the server lowered quantity.
    line.prepare(QStringLiteral(
        "INSERT INTO order_lines (order_id, line_number, sku_code, location_code, quantity) VALUES (?, ?, ?, ?, ?)"
        " ON CONFLICT(order_id, line_number) DO UPDATE SET sku_code = excluded.sku_code,"
        " location_code = excluded.location_code, quantity = excluded.quantity,"
        " picked = min(order_lines.picked, excluded.quantity),"
        " shorted = min(order_lines.shorted, excluded.quantity - min(order_lines.picked, excluded.quantity))"));
    for (const OrderLineRecord &record : import.lines) {
        if (record.lineNumber <= 0 || record.quantity <= 0 || record.skuCode.isEmpty())
            return Common::fail(Common::ErrorCode::InvalidInput,
                                "order " + order.orderNumber.toStdString() + " has an invalid line");
        line.addBindValue(order.id);
        line.addBindValue(record.lineNumber);
        line.addBindValue(record.skuCode);
        line.addBindValue(record.locationCode);
        line.addBindValue(record.quantity);
        if (auto done = Storage::exec(line, "upsert order line"); !done)
            return done;
    }
    return {};
}

Common::Result<QList<OrderRecord>> OrderRepository::orders(const QStringList &states) const
{
    QSqlQuery query(m_database.database());
    if (states.isEmpty()) {
        query.prepare(s_orderColumns + QStringLiteral("ORDER BY o.order_number"));
    } else {
        query.prepare(s_orderColumns
                      + QStringLiteral("WHERE o.state IN (SELECT value FROM json_each(?)) ORDER BY o.order_number"));
        QStringList quoted;
        for (const QString &state : states)
            quoted.append(QLatin1Char('"') + state + QLatin1Char('"'));
        query.addBindValue(QLatin1Char('[') + quoted.join(QLatin1Char(',')) + QLatin1Char(']'));
    }
    if (auto done = Storage::exec(query, "list orders"); !done)
        return tl::unexpected(done.error());
    QList<OrderRecord> result;
    while (query.next())
        result.append(readOrder(query));
    return result;
}

Common::Result<OrderRecord> OrderRepository::find(qint64 orderId) const
{
    return findOne(m_database.database(), QStringLiteral("WHERE o.id = ?"), orderId);
}

Common::Result<OrderRecord> OrderRepository::findByNumber(const QString &orderNumber) const
{
    return findOne(m_database.database(), QStringLiteral("WHERE o.order_number = ?"), orderNumber);
}

Common::Result<QList<OrderLineRecord>> OrderRepository::pickList(qint64 orderId) const
{
    QSqlQuery query(m_database.database());
    query.prepare(QStringLiteral(
        "SELECT l.order_id, l.line_number, l.sku_code, coalesce(s.name, ''), coalesce(s.lot_controlled, 0),"
        " l.location_code, coalesce(loc.pick_sequence, 0), l.quantity, l.picked, l.shorted, l.short_reason"
        " FROM order_lines l LEFT JOIN skus s ON s.code = l.sku_code"
        " LEFT JOIN locations loc ON loc.code = l.location_code WHERE l.order_id = ?"
        " ORDER BY coalesce(loc.pick_sequence, 0), l.location_code, l.line_number"));
    query.addBindValue(orderId);
    if (auto done = Storage::exec(query, "load pick list"); !done)
        return tl::unexpected(done.error());
    QList<OrderLineRecord> lines;
    while (query.next()) {
        OrderLineRecord line;
        line.orderId = query.value(0).toLongLong();
        line.lineNumber = query.value(1).toInt();
        line.skuCode = query.value(2).toString();
        line.skuName = query.value(3).toString();
        line.lotControlled = query.value(4).toBool();
        line.locationCode = query.value(5).toString();
        line.pickSequence = query.value(6).toLongLong();
        line.quantity = query.value(7).toLongLong();
        line.picked = query.value(8).toLongLong();
        line.shorted = query.value(9).toLongLong();
        line.shortReason = query.value(10).toString();
        lines.append(line);
    }
    return lines;
}

Common::Result<void> OrderRepository::recordPick(TransactionGuard &transaction, const PickRecord &record)
{
    Q_ASSERT(transaction.isActive());
    if (record.quantity <= 0)
        return Common::fail(Common::ErrorCode::InvalidInput, "pick quantity must be positive");
    const QSqlDatabase db = m_database.database();
    QSqlQuery update(db);
    update.prepare(QStringLiteral("UPDATE order_lines SET picked = picked + ? WHERE order_id = ? AND line_number = ?"
                                  " AND picked + shorted + ? <= quantity"));
    update.addBindValue(record.quantity);
    update.addBindValue(record.orderId);
    update.addBindValue(record.lineNumber);
    update.addBindValue(record.quantity);
    if (auto done = Storage::exec(update, "record pick"); !done)
        return done;
    if (update.numRowsAffected() != 1)
        return Common::fail(Common::ErrorCode::Conflict, "pick exceeds the open quantity of the line");
    QSqlQuery insert(db);
    insert.prepare(QStringLiteral("INSERT INTO pick_records (order_id, line_number, quantity, lot, expiry, serial,"
                                  " op_id) VALUES (?, ?, ?, ?, ?, ?, ?)"));
    for (const QVariant &value : {QVariant(record.orderId), QVariant(record.lineNumber), QVariant(record.quantity),
                                  QVariant(record.lot), QVariant(record.expiry), QVariant(record.serial),
                                  QVariant(record.opId)})
        insert.addBindValue(value);
    return Storage::exec(insert, "insert pick record");
}

Common::Result<void> OrderRepository::recordShort(TransactionGuard &transaction, qint64 orderId, int lineNumber,
                                                  qint64 quantity, const QString &reason)
{
    Q_ASSERT(transaction.isActive());
    if (quantity <= 0)
        return Common::fail(Common::ErrorCode::InvalidInput, "short quantity must be positive");
    QSqlQuery update(m_database.database());
    update.prepare(QStringLiteral("UPDATE order_lines SET shorted = shorted + ?, short_reason = ? WHERE order_id = ?"
                                  " AND line_number = ? AND picked + shorted + ? <= quantity"));
    update.addBindValue(quantity);
    update.addBindValue(reason);
    update.addBindValue(orderId);
    update.addBindValue(lineNumber);
    update.addBindValue(quantity);
    if (auto done = Storage::exec(update, "record short pick"); !done)
        return done;
    if (update.numRowsAffected() != 1)
        return Common::fail(Common::ErrorCode::Conflict, "short pick exceeds the open quantity of the line");
    return {};
}

Common::Result<void> OrderRepository::setState(TransactionGuard &transaction, qint64 orderId, const QString &state)
{
    Q_ASSERT(transaction.isActive());
    QSqlQuery update(m_database.database());
    update.prepare(QStringLiteral("UPDATE orders SET state = ? WHERE id = ?"));
    update.addBindValue(state);
    update.addBindValue(orderId);
    if (auto done = Storage::exec(update, "set order state"); !done)
        return done;
    if (update.numRowsAffected() != 1)
        return Common::fail(Common::ErrorCode::NotFound, "unknown order");
    return {};
}

Common::Result<void> OrderRepository::setTrackingNumber(TransactionGuard &transaction, qint64 orderId,
                                                        const QString &tracking)
{
    Q_ASSERT(transaction.isActive());
    QSqlQuery update(m_database.database());
    update.prepare(QStringLiteral("UPDATE orders SET tracking_number = ? WHERE id = ?"));
    update.addBindValue(tracking);
    update.addBindValue(orderId);
    return Storage::exec(update, "set tracking number");
}

Common::Result<QList<PickRecord>> OrderRepository::pickRecords(qint64 orderId) const
{
    QSqlQuery query(m_database.database());
    query.prepare(QStringLiteral("SELECT order_id, line_number, quantity, lot, expiry, serial, op_id FROM pick_records"
                                 " WHERE order_id = ? ORDER BY id"));
    query.addBindValue(orderId);
    if (auto done = Storage::exec(query, "list pick records"); !done)
        return tl::unexpected(done.error());
    QList<PickRecord> records;
    while (query.next())
        records.append(PickRecord{query.value(0).toLongLong(), query.value(1).toInt(), query.value(2).toLongLong(),
                                  query.value(3).toString(), query.value(4).toString(), query.value(5).toString(),
                                  query.value(6).toString()});
    return records;
}
