#include "client/workflows/packingworkflow.h"

#include "client/storage/localdatabase.h"
#include "client/storage/orderrepository.h"
#include "client/storage/outboxrepository.h"
#include "client/storage/transactionguard.h"
#include "client/workflows/session.h"
#include "common/protocol/protocol.h"

PackingWorkflow::PackingWorkflow(LocalDatabase &database, OrderRepository &orders, OutboxRepository &outbox,
                                 Session &session, QObject *parent)
    : QObject(parent)
    , m_database(database)
    , m_orders(orders)
    , m_outbox(outbox)
    , m_session(session)
{
}

QString PackingWorkflow::prompt() const
{
    if (m_step == Step::ScanOrder)
        return tr("Scan the pick slip of a picked order.");
    return tr("Order %1: scan the tracking number label of the carton.").arg(m_order.orderNumber);
}

void PackingWorkflow::reset()
{
    m_step = Step::ScanOrder;
    m_order = {};
    m_sscc.clear();
    Q_EMIT changed();
}

void PackingWorkflow::handleScan(const ClassifiedScan &scan)
{
    if (!m_session.isLoggedIn()) {
        Q_EMIT refused(tr("Log in before packing."));
        return;
    }
    if (m_step == Step::ScanOrder)
        scanOrder(scan.code);
    else
        ship(scan);
}

void PackingWorkflow::enterText(const QString &text)
{
    handleScan(ScanRouter::classify(ScanEvent{text.trimmed(), QString(), ScanOrigin::Fake}));
}

void PackingWorkflow::scanOrder(const QString &number)
{
    auto order = m_orders.findByNumber(number);
    if (!order) {
        Q_EMIT refused(tr("Unknown order %1: scan the pick slip.").arg(number));
        return;
    }
    if (order->state == QLatin1String("shipped")) {
        Q_EMIT refused(tr("Order %1 is already shipped (%2).").arg(order->orderNumber, order->trackingNumber));
        return;
    }
    if (order->state != QLatin1String("picked")) {
        Q_EMIT refused(tr("Order %1 is not picked yet: pick it first.").arg(order->orderNumber));
        return;
    }
    m_order = *order;
    m_step = Step::ScanTracking;
    Q_EMIT accepted(tr("Order %1: scan the tracking number.").arg(m_order.orderNumber));
    Q_EMIT changed();
}

void PackingWorkflow::ship(const ClassifiedScan &scan)
{
    if (scan.code == m_order.orderNumber)
        return; // the slip twice
    if (scan.kind == ScanKind::Container) {
        m_sscc = scan.code;
        Q_EMIT accepted(tr("Carton %1 recorded: scan the tracking number.").arg(m_sscc));
        Q_EMIT changed();
        return;
    }
    if (scan.kind != ScanKind::Tracking && scan.kind != ScanKind::Unknown) {
        Q_EMIT refused(tr("That is not a tracking number: scan the carrier label of order %1.").arg(m_order.orderNumber));
        return;
    }
    if (scan.code.size() < 8 || scan.code.size() > 40 || !scan.error.isEmpty()) {
        Q_EMIT refused(tr("Tracking number %1 is not valid: scan the carrier label.").arg(scan.code));
        return;
    }
    auto failed = [this]() {
        Q_EMIT refused(tr("Could not save the shipment. Nothing was changed; try again."));
    };
    TransactionGuard transaction(m_database);
    if (!transaction.isActive())
        return failed();
    const QString operatorId = m_session.operatorId();
    // Wire shapes of common/protocol (docs/sync-protocol.md).
    Common::Protocol::PackPayload pack;
    pack.orderId = m_order.id;
    pack.orderNumber = m_order.orderNumber.toStdString();
    if (!m_sscc.isEmpty())
        pack.sscc = m_sscc.toStdString();
    Common::Protocol::ShipPayload shipment;
    shipment.orderId = m_order.id;
    shipment.orderNumber = m_order.orderNumber.toStdString();
    shipment.trackingNumber = scan.code.toStdString();
    shipment.carrier = m_carrier.toStdString();
    if (!m_outbox.append(transaction, QStringLiteral("pack"),
                         QByteArray::fromStdString(Common::Protocol::encodePayload(pack)), operatorId)
        || !m_outbox.append(transaction, QStringLiteral("ship"),
                            QByteArray::fromStdString(Common::Protocol::encodePayload(shipment)), operatorId)
        || !m_orders.setTrackingNumber(transaction, m_order.id, scan.code)
        || !m_orders.setState(transaction, m_order.id, QStringLiteral("shipped")) || !transaction.commit())
        return failed();
    const qint64 orderId = m_order.id;
    Q_EMIT accepted(tr("Order %1 shipped with %2.").arg(m_order.orderNumber, scan.code));
    Q_EMIT shipped(orderId, scan.code);
    reset();
}
