#pragma once
#include <QObject>
#include "client/scanning/scanrouter.h"
#include "client/storage/records.h"

class LocalDatabase;
class OrderRepository;
class OutboxRepository;
class Session;

// Pack & ship, fed by scans: scan the order's pick slip, optionally the carton's SSCC label, then
// the tracking-number label (Codabar/NW-7 or Code 128) → the order is packed and shipped. The
// pack and ship ops and the order change are written in one transaction. Owned by the
// composition root.
class PackingWorkflow final : public QObject, public ScanConsumer
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(PackingWorkflow)
public:
    enum class Step { ScanOrder, ScanTracking };
    Q_ENUM(Step)

    PackingWorkflow(LocalDatabase &database, OrderRepository &orders, OutboxRepository &outbox, Session &session,
                    QObject *parent = nullptr);

    Step step() const { return m_step; }
    OrderRecord order() const { return m_order; }
    QString prompt() const;
    void handleScan(const ClassifiedScan &scan) override;
    // Typed order number or tracking number (damaged label); same rules as a scan.
    void enterText(const QString &text);
    void reset();
    // Carrier code sent with every shipment (ship op `carrier`), e.g. "yamato".
    void setCarrier(const QString &carrier) { m_carrier = carrier; }
    QString carrier() const { return m_carrier; }

Q_SIGNALS:
    void changed();
    void accepted(const QString &message);
    void refused(const QString &message);
    void shipped(qint64 orderId, const QString &trackingNumber);

private:
    void scanOrder(const QString &number);
    void ship(const ClassifiedScan &scan);

    LocalDatabase &m_database;
    OrderRepository &m_orders;
    OutboxRepository &m_outbox;
    Session &m_session;
    Step m_step = Step::ScanOrder;
    OrderRecord m_order;
    QString m_sscc;                  // carton SSCC scanned before the tracking label, if any
    QString m_carrier = QStringLiteral("yamato");
};
