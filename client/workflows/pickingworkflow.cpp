#include "client/workflows/pickingworkflow.h"


#include "client/storage/localdatabase.h"
#include "client/storage/orderrepository.h"
#include "client/storage/outboxrepository.h"
#include "client/storage/skurepository.h"
#include "client/storage/transactionguard.h"
#include "client/workflows/session.h"
#include "common/protocol/protocol.h"

PickingWorkflow::PickingWorkflow(LocalDatabase &database, OrderRepository &orders, SkuRepository &skus,
                                 OutboxRepository &outbox, Session &session, QObject *parent)
    : QObject(parent)
    , m_database(database)
    , m_orders(orders)
    , m_skus(skus)
    , m_outbox(outbox)
    , m_session(session)
{
}

QString PickingWorkflow::shortReasonLabel(const QString &code)
{
    if (code == QLatin1String("empty_location"))
        return tr("Not found at the location");
    if (code == QLatin1String("damaged"))
        return tr("Damaged");
    if (code == QLatin1String("expired"))
        return tr("Expired");
    return tr("Other");
}

Common::Result<void> PickingWorkflow::startOrder(qint64 orderId)
{
    auto order = m_orders.find(orderId);
    if (!order)
        return tl::unexpected(order.error());
    static const QStringList pickable{QStringLiteral("allocated"), QStringLiteral("released"),
                                      QStringLiteral("picking"), QStringLiteral("picked")};
    if (!pickable.contains(order->state))
        return Common::fail(Common::ErrorCode::Conflict, "order is " + order->state.toStdString());
    m_order = *order;
    m_pending = {};
    m_scannedLocation.clear();
    m_step = Step::ScanLocation;
    reload();
    return {};
}

void PickingWorkflow::closeOrder()
{
    m_scannedLocation.clear();
    m_order = {};
    m_lines.clear();
    m_pending = {};
    m_step = Step::NoOrder;
    Q_EMIT changed();
}

const OrderLineRecord *PickingWorkflow::currentLine() const
{
    for (const OrderLineRecord &line : m_lines) {
        if (!line.isDone())
            return &line;
    }
    return nullptr;
}

QString PickingWorkflow::prompt() const
{
    const OrderLineRecord *line = currentLine();
    switch (m_step) {
    case Step::NoOrder:
        return tr("Choose an order from the pick list.");
    case Step::ScanLocation:
        if (line && line->locationCode.isEmpty())
            return tr("Find %1 (%2) and scan the location label where you take it.").arg(line->skuName, line->skuCode);
        return line ? tr("Go to %1 and scan the location label.").arg(line->locationCode) : QString();
    case Step::ScanItem:
        if (!line)
            return {};
        if (m_pending.quantity > 0)
            return tr("%1 of %2 scanned. Scan the next item or confirm.").arg(m_pending.quantity).arg(line->remaining());
        return tr("Scan %1 (%2): %3 needed.").arg(line->skuName, line->skuCode).arg(line->remaining());
    case Step::OrderDone:
        return tr("Order %1 is picked.").arg(m_order.orderNumber);
    }
    return {};
}

void PickingWorkflow::refuse(const QString &message)
{
    Q_EMIT refused(message);
}

void PickingWorkflow::handleScan(const ClassifiedScan &scan)
{
    const OrderLineRecord *line = currentLine();
    if (m_step == Step::NoOrder || m_step == Step::OrderDone || !line) {
        refuse(m_step == Step::OrderDone ? tr("This order is already picked.") : tr("Choose an order first."));
        return;
    }
    if (!m_session.isLoggedIn()) {
        refuse(tr("Log in before picking."));
        return;
    }
    // A copy: confirming a previous lot reloads m_lines while the scan is being handled.
    const OrderLineRecord current = *line;
    if (m_step == Step::ScanLocation)
        handleLocation(scan, current);
    else
        handleItem(scan, current);
}

void PickingWorkflow::handleLocation(const ClassifiedScan &scan, const OrderLineRecord &line)
{
    if (line.locationCode.isEmpty()) {
        // No stock location was replicated for this SKU: the picker names the bin he takes it from.
        if (scan.kind != ScanKind::Location) {
            refuse(tr("Scan the label of the location you take %1 from.").arg(line.skuCode));
            return;
        }
        m_scannedLocation = scan.code;
        m_step = Step::ScanItem;
        Q_EMIT accepted(tr("Location %1 confirmed.").arg(scan.code));
        Q_EMIT changed();
        return;
    }
    if (scan.code != line.locationCode) {
        if (scan.kind == ScanKind::Item)
            refuse(tr("Scan the location first: expected location %1.").arg(line.locationCode));
        else
            refuse(tr("Wrong location %1: expected %2.").arg(scan.code, line.locationCode));
        return;
    }
    m_step = Step::ScanItem;
    Q_EMIT accepted(tr("Location %1 confirmed.").arg(line.locationCode));
    Q_EMIT changed();
}

void PickingWorkflow::handleItem(const ClassifiedScan &scan, const OrderLineRecord &line)
{
    const QString expected = tr("expected %1 (%2)").arg(line.skuName, line.skuCode);
    const QString location = line.locationCode.isEmpty() ? m_scannedLocation : line.locationCode;
    if (scan.kind == ScanKind::Location || scan.code == location) {
        if (scan.code == location)
            return; // the same bin twice: harmless
        refuse(tr("Finish this line first: %1 at %2.").arg(expected, location));
        return;
    }
    QString skuCode;
    if (scan.kind == ScanKind::Item) {
        auto sku = m_skus.findByGtin(scan.gtin);
        if (!sku) {
            refuse(tr("Unknown item %1: %2.").arg(scan.gtin, expected));
            return;
        }
        if (sku->code != line.skuCode) {
            refuse(tr("Wrong item %1 (%2): %3.").arg(sku->name, sku->code, expected));
            return;
        }
        skuCode = sku->code;
    } else if (scan.code == line.skuCode) {
        skuCode = line.skuCode; // Code 128 label carrying the SKU code
    } else {
        refuse(scan.error.isEmpty() ? tr("Not this item: %1.").arg(expected)
                                    : tr("Unreadable label (%1): %2.").arg(scan.error, expected));
        return;
    }
    if (line.lotControlled && scan.lot.isEmpty()) {
        refuse(tr("%1 is lot-controlled: scan the GS1 label with the lot.").arg(line.skuCode));
        return;
    }
    if (!scan.serial.isEmpty() && m_pending.serials.contains(scan.serial)) {
        refuse(tr("Serial %1 was already scanned.").arg(scan.serial));
        return;
    }
    if (m_pending.quantity > 0 && (scan.lot != m_pending.lot || scan.expiry != m_pending.expiry)) {
        // One op per lot: a new lot closes what was counted for the previous one.
        if (!confirm())
            return;
        if (!currentLine() || currentLine()->lineNumber != line.lineNumber || m_step != Step::ScanItem)
            return;
    }
    const OrderLineRecord open = *currentLine();
    const qint64 add = scan.count > 0 ? scan.count : 1;
    if (m_pending.quantity + add > open.remaining()) {
        refuse(tr("Too many: only %1 more needed for this line.").arg(open.remaining() - m_pending.quantity));
        return;
    }
    m_pending.quantity += add;
    m_pending.lot = scan.lot;
    m_pending.expiry = scan.expiry;
    if (!scan.serial.isEmpty())
        m_pending.serials.append(scan.serial);
    Q_EMIT accepted(tr("%1: %2 of %3.").arg(open.skuCode).arg(m_pending.quantity).arg(open.remaining()));
    if (m_pending.quantity == open.remaining())
        confirm();
    else
        Q_EMIT changed();
}

bool PickingWorkflow::setQuantity(qint64 quantity)
{
    const OrderLineRecord *line = currentLine();
    if (m_step != Step::ScanItem || !line) {
        refuse(tr("Scan the location before entering a quantity."));
        return false;
    }
    if (quantity < 0 || quantity > line->remaining()) {
        refuse(tr("Quantity must be between 0 and %1.").arg(line->remaining()));
        return false;
    }
    if (line->lotControlled && m_pending.lot.isEmpty() && quantity > 0) {
        refuse(tr("%1 is lot-controlled: scan the GS1 label with the lot.").arg(line->skuCode));
        return false;
    }
    m_pending.quantity = quantity;
    Q_EMIT changed();
    return true;
}

bool PickingWorkflow::confirm()
{
    if (m_step != Step::ScanItem || m_pending.quantity <= 0) {
        refuse(tr("Nothing to confirm: scan the item first."));
        return false;
    }
    return writePick(0, {});
}

bool PickingWorkflow::shortPick(const QString &reasonCode)
{
    const OrderLineRecord *line = currentLine();
    if (!line || (m_step != Step::ScanItem && m_step != Step::ScanLocation)) {
        refuse(tr("There is no open line to short."));
        return false;
    }
    if (line->locationCode.isEmpty() && m_scannedLocation.isEmpty()) {
        refuse(tr("Scan the label of the location you take %1 from.").arg(line->skuCode));
        return false;
    }
    if (!shortReasons().contains(reasonCode)) {
        refuse(tr("Choose why the item is short."));
        return false;
    }
    return writePick(line->remaining() - m_pending.quantity, reasonCode);
}

bool PickingWorkflow::writePick(qint64 shortQuantity, const QString &reasonCode)
{
    const OrderLineRecord line = *currentLine();
    const QString operatorId = m_session.operatorId();
    const QString location = line.locationCode.isEmpty() ? m_scannedLocation : line.locationCode;
    auto failed = [this](const Common::Error &error) {
        // A full disk does not pass with another try (Storage::toError names it "storage full").
        if (error.message.rfind("storage full", 0) == 0)
            refuse(tr("The terminal's storage is full: the pick was not saved. Everything confirmed before is kept. "
                      "Call your supervisor."));
        else
            refuse(tr("Could not save the pick. Nothing was changed; try again."));
        return false;
    };
    TransactionGuard transaction(m_database);
    if (!transaction.isActive())
        return failed(transaction.beginError());
    auto optional = [](const QString &text) {
        return text.isEmpty() ? std::optional<std::string>() : std::optional<std::string>(text.toStdString());
    };
    // Payloads in the wire shape of common/protocol (docs/sync-protocol.md): a short pick is one
    // short_pick op carrying what was picked with it; a full or partial pick is a pick op.
    QByteArray payload;
    QString type;
    if (shortQuantity > 0) {
        Common::Protocol::ShortPickPayload shortPick;
        shortPick.orderId = m_order.id;
        shortPick.orderNumber = m_order.orderNumber.toStdString();
        shortPick.line = line.lineNumber;
        shortPick.sku = line.skuCode.toStdString();
        shortPick.location = location.toStdString();
        shortPick.lot = optional(m_pending.lot);
        shortPick.quantityPicked = m_pending.quantity;
        shortPick.reason = reasonCode.toStdString();
        payload = QByteArray::fromStdString(Common::Protocol::encodePayload(shortPick));
        type = QStringLiteral("short_pick");
    } else {
        Common::Protocol::PickPayload pick;
        pick.orderId = m_order.id;
        pick.orderNumber = m_order.orderNumber.toStdString();
        pick.line = line.lineNumber;
        pick.sku = line.skuCode.toStdString();
        pick.location = location.toStdString();
        pick.lot = optional(m_pending.lot);
        pick.quantity = m_pending.quantity;
        payload = QByteArray::fromStdString(Common::Protocol::encodePayload(pick));
        type = QStringLiteral("pick");
    }
    auto op = m_outbox.append(transaction, type, payload, operatorId);
    if (!op)
        return failed(op.error());
    if (m_pending.quantity > 0) {
        // Expiry and serials stay in the local pick record (traceability); the wire has no field.
        auto picked = m_orders.recordPick(transaction, PickRecord{m_order.id, line.lineNumber, m_pending.quantity,
                                                                  m_pending.lot, m_pending.expiry,
                                                                  m_pending.serials.join(QLatin1Char(',')), op->opId});
        if (!picked)
            return failed(picked.error());
    }
    if (shortQuantity > 0) {
        if (auto shorted = m_orders.recordShort(transaction, m_order.id, line.lineNumber, shortQuantity, reasonCode);
            !shorted)
            return failed(shorted.error());
    }
    // The order is picked when this was the last open line.
    bool lastLine = true;
    for (const OrderLineRecord &other : std::as_const(m_lines)) {
        if (other.lineNumber != line.lineNumber && !other.isDone())
            lastLine = false;
    }
    const bool lineDone = m_pending.quantity + shortQuantity >= line.remaining();
    const QString newState = lastLine && lineDone ? QStringLiteral("picked") : QStringLiteral("picking");
    if (newState != m_order.state) {
        if (auto set = m_orders.setState(transaction, m_order.id, newState); !set)
            return failed(set.error());
    }
    if (auto committed = transaction.commit(); !committed)
        return failed(committed.error());

    const qint64 confirmed = m_pending.quantity;
    m_pending = {};
    if (confirmed > 0)
        Q_EMIT accepted(tr("Picked %1 × %2.").arg(confirmed).arg(line.skuCode));
    if (shortQuantity > 0)
        Q_EMIT accepted(tr("Short pick recorded: %1 × %2 missing.").arg(shortQuantity).arg(line.skuCode));
    const QString previousLocation = location;
    if (lineDone)
        m_scannedLocation.clear();
    reload();
    // Next line in the same bin: no need to scan the location again.
    if (m_step == Step::ScanLocation && currentLine() && currentLine()->locationCode == previousLocation)
        m_step = Step::ScanItem;
    Q_EMIT changed();
    if (m_step == Step::OrderDone)
        Q_EMIT orderCompleted(m_order.id);
    return true;
}

void PickingWorkflow::reload()
{
    if (auto order = m_orders.find(m_order.id))
        m_order = *order;
    if (auto lines = m_orders.pickList(m_order.id))
        m_lines = *lines;
    if (!currentLine())
        m_step = Step::OrderDone;
    else if (m_step != Step::ScanItem || m_pending.quantity == 0)
        m_step = Step::ScanLocation;
    Q_EMIT changed();
}
