#pragma once
#include <QByteArray>
#include <QDateTime>
#include <QString>
#include <QStringList>
#include <QtGlobal>

// Rows of the terminal database as the client uses them (Qt strings; the common/domain structs
// are the wire-side vocabulary). Quantities are integers in the SKU's base unit; times UTC.

struct SkuRecord
{
    QString code;
    QString name;
    QString baseUnit = QStringLiteral("piece");
    bool lotControlled = false;
    QStringList gtins;               // GTIN-14, 14 digits each
};

struct LocationRecord
{
    QString code;                    // also the content of the bin label's barcode
    QString warehouse;
    QString zone;
    qint64 pickSequence = 0;         // pick lists walk locations by ascending sequence
};

struct OrderRecord
{
    qint64 id = 0;                   // server-assigned
    QString store;
    QString orderNumber;             // also the content of the pick slip's barcode
    QString customer;
    QString warehouse;
    QString state;                   // common/domain orderStateName(): "released", "picking", …
    QString trackingNumber;
    int lineCount = 0;
    int linesDone = 0;               // picked + shorted == quantity
};

struct OrderLineRecord
{
    qint64 orderId = 0;
    int lineNumber = 0;
    QString skuCode;
    QString skuName;
    bool lotControlled = false;
    QString locationCode;
    qint64 pickSequence = 0;
    qint64 quantity = 0;             // ordered
    qint64 picked = 0;
    qint64 shorted = 0;              // reported missing by a short pick
    QString shortReason;

    qint64 remaining() const { return quantity - picked - shorted; }
    bool isDone() const { return remaining() <= 0; }
};

struct OperatorRecord
{
    QString id;
    QString name;
    QString badge;                   // content of the badge barcode
    QString pinHash;                 // Argon2id PHC string from the server; never a PIN
    bool active = true;
};

enum class OutboxState { Pending, Acked, Conflict, Rejected };

// One operation in the outbox (DESIGN.md "Outbox").
struct OutboxEntry
{
    qint64 localId = 0;
    QString deviceId;
    qint64 incarnation = 1;
    qint64 seq = 0;                  // per incarnation, 1, 2, 3, … without gaps
    QString opId;                    // UUID
    QString type;                    // "pick", "short_pick", "pack", "ship", …
    QByteArray payload;              // compact JSON object
    QString operatorId;
    QString createdAt;               // ISO 8601 UTC, device clock (informational)
    OutboxState state = OutboxState::Pending;
    QString reason;                  // the server's reason for conflict / rejected
};

QString outboxStateName(OutboxState state);
