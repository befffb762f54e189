#pragma once
#include <QList>
#include <QObject>
#include <QStringList>
#include "client/scanning/scanrouter.h"
#include "client/storage/records.h"
#include "common/support/result.h"

class LocalDatabase;
class OrderRepository;
class OutboxRepository;
class Session;
class SkuRepository;

// Picking one order, fed by scans (no widgets): the pick list is walked in location pick
// sequence; for the current line the picker scans the location, then the item (JAN/EAN/UPC,
// Code 128 with a GTIN, GS1 with lot/expiry/serial); each item scan adds 1 (or the keypad sets
// the quantity); confirm writes the pick. A line that reaches its quantity confirms itself.
// A wrong location or item is refused with a message naming what was expected and changes
// nothing. A short pick records the missing quantity with a reason. Every confirmation writes
// the order line and its outbox op in one transaction, so a killed app resumes at the first open
// line. Owned by the composition root.
class PickingWorkflow final : public QObject, public ScanConsumer
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(PickingWorkflow)
public:
    enum class Step { NoOrder, ScanLocation, ScanItem, OrderDone };
    Q_ENUM(Step)

    // Why a line is short (the op carries the code; views show translated labels).
    static QStringList shortReasons() { return {QStringLiteral("empty_location"), QStringLiteral("damaged"),
                                                QStringLiteral("expired"), QStringLiteral("other")}; }
    static QString shortReasonLabel(const QString &code);

    PickingWorkflow(LocalDatabase &database, OrderRepository &orders, SkuRepository &skus, OutboxRepository &outbox,
                    Session &session, QObject *parent = nullptr);

    // Loads the order's pick list and resumes at its first open line. Errors: NotFound,
    // Conflict (order not released/picking), Storage.
    Common::Result<void> startOrder(qint64 orderId);
    void closeOrder();

    Step step() const { return m_step; }
    OrderRecord order() const { return m_order; }
    QList<OrderLineRecord> lines() const { return m_lines; }
    // The line to pick now, or nullptr when none is open.
    const OrderLineRecord *currentLine() const;
    qint64 pendingQuantity() const { return m_pending.quantity; }
    // What the picker should do next, translated ("Go to A-01-02-3 and scan the location").
    QString prompt() const;

    void handleScan(const ClassifiedScan &scan) override;
    // Keypad: sets the quantity to confirm for the current item (1..remaining).
    bool setQuantity(qint64 quantity);
    // Writes the pending quantity as one pick op. False when nothing is pending or it failed.
    bool confirm();
    // Confirms what is pending, then records the rest of the line as missing with `reasonCode`.
    bool shortPick(const QString &reasonCode);

Q_SIGNALS:
    void changed();
    void accepted(const QString &message);
    void refused(const QString &message);
    void orderCompleted(qint64 orderId);

private:
    struct Pending
    {
        qint64 quantity = 0;
        QString lot;
        QString expiry;
        QStringList serials;
    };
    void handleLocation(const ClassifiedScan &scan, const OrderLineRecord &line);
    void handleItem(const ClassifiedScan &scan, const OrderLineRecord &line);
    bool writePick(qint64 shortQuantity, const QString &reasonCode);
    void reload();
    void refuse(const QString &message);

    LocalDatabase &m_database;
    OrderRepository &m_orders;
    SkuRepository &m_skus;
    OutboxRepository &m_outbox;
    Session &m_session;
    Step m_step = Step::NoOrder;
    OrderRecord m_order;
    QList<OrderLineRecord> m_lines;
    Pending m_pending;
    QString m_scannedLocation;       // the bin of a line that came without one (no stock known)
};
