#pragma once
#include <QList>
#include <QStringList>
#include "client/storage/records.h"
#include "common/support/result.h"

class LocalDatabase;
class TransactionGuard;

// An order with its lines as it arrives from the server (pull) or the demo import.
struct OrderImport
{
    OrderRecord order;
    QList<OrderLineRecord> lines;    // orderId/skuName/pickSequence/lotControlled are ignored
};

// What one confirmed item scan (or keypad entry) picked; lot/expiry/serial from GS1 labels.
struct PickRecord
{
    qint64 orderId = 0;
    int lineNumber = 0;
    qint64 quantity = 0;
    QString lot;
    QString expiry;                  // ISO date "2027-03-31", empty if unknown
    QString serial;
    QString opId;                    // the outbox op that carries it
};

// Orders, order lines and pick records. Writes take the caller's TransactionGuard so the change
// and its outbox op commit together.
class OrderRepository final
{
public:
    explicit OrderRepository(LocalDatabase &database) : m_database(database) {}

    // Inserts or updates an order and replaces its lines; progress (picked/shorted) already
    // recorded locally is kept for lines that still exist. Errors: InvalidInput, Storage.
    Common::Result<void> upsert(TransactionGuard &transaction, const OrderImport &import);
    // Orders in the given states ("released", …), by order number; all when `states` is empty.
    Common::Result<QList<OrderRecord>> orders(const QStringList &states = {}) const;
    Common::Result<OrderRecord> find(qint64 orderId) const;
    Common::Result<OrderRecord> findByNumber(const QString &orderNumber) const;
    // The pick list: lines sorted by their location's pick sequence, then location, then line.
    Common::Result<QList<OrderLineRecord>> pickList(qint64 orderId) const;

    // Adds `record.quantity` to the line's picked count and stores the record. Errors: Conflict
    // (more than remains), NotFound, Storage.
    Common::Result<void> recordPick(TransactionGuard &transaction, const PickRecord &record);
    // Marks `quantity` of the line as missing. Errors: Conflict, NotFound, Storage.
    Common::Result<void> recordShort(TransactionGuard &transaction, qint64 orderId, int lineNumber, qint64 quantity,
                                     const QString &reason);
    Common::Result<void> setState(TransactionGuard &transaction, qint64 orderId, const QString &state);
    Common::Result<void> setTrackingNumber(TransactionGuard &transaction, qint64 orderId, const QString &tracking);
    Common::Result<QList<PickRecord>> pickRecords(qint64 orderId) const;

private:
    LocalDatabase &m_database;
};
