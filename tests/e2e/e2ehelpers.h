#pragma once
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

#include <optional>
#include <string>
#include <vector>

#include "common/protocol/protocol.h"
#include "tests/support/serverprocess.h"

// Shared by the end-to-end suites: a small warehouse world seeded through soko-server's admin
// commands (warehouse TKY1 with bins, DOCK; SKUs S1, S2; operator OP-1; an admin API
// key), and sync messages built and read with the real protocol codec (common/protocol).
namespace E2e {

using TestSupport::CommandResult;
using TestSupport::Device;
using TestSupport::HttpResult;
using TestSupport::ServerProcess;
namespace Protocol = Common::Protocol;

inline std::string opId(int tag, int number)
{
    char text[40];
    std::snprintf(text, sizeof text, "%08x-0000-4000-8000-%012x", tag, number);
    return text;
}

inline Protocol::PushOp makeOp(std::int64_t seq, std::string id, Protocol::Payload payload)
{
    Protocol::PushOp op;
    op.seq = seq;
    op.opId = std::move(id);
    op.payload = std::move(payload);
    op.operatorId = "OP-1";
    op.createdAt = "2026-11-29T21:40:00Z";
    return op;
}

inline Protocol::PushOp receiveOp(std::int64_t seq, std::string id, Protocol::Quantity quantity = 1,
                                  std::string location = "A-1", std::string sku = "S1")
{
    Protocol::ReceivePayload payload;
    payload.sku = std::move(sku);
    payload.location = std::move(location);
    payload.quantity = quantity;
    return makeOp(seq, std::move(id), payload);
}

inline Protocol::PushOp pickOp(std::int64_t seq, std::string id, std::int64_t orderId, Protocol::Quantity quantity = 1,
                               std::string location = "A-1", std::string sku = "S1")
{
    Protocol::PickPayload payload;
    payload.orderId = orderId;
    payload.line = 1;
    payload.sku = std::move(sku);
    payload.location = std::move(location);
    payload.quantity = quantity;
    return makeOp(seq, std::move(id), payload);
}

inline QByteArray pushBody(const Device &device, std::vector<Protocol::PushOp> ops, std::int64_t incarnation = 1)
{
    Protocol::PushRequest request;
    request.deviceId = device.id.toStdString();
    request.incarnation = incarnation;
    request.ops = std::move(ops);
    return QByteArray::fromStdString(Protocol::encode(request));
}

// Ops seq first…first+count-1 receiving one unit each, op ids (tag, seq).
inline std::vector<Protocol::PushOp> receiveBatch(int tag, std::int64_t first, int count)
{
    std::vector<Protocol::PushOp> ops;
    for (int index = 0; index < count; ++index)
        ops.push_back(receiveOp(first + index, opId(tag, int(first + index))));
    return ops;
}

struct PushOutcome
{
    HttpResult http;
    std::optional<Protocol::PushResponse> response; // 200
    std::optional<Protocol::Refusal> refusal;       // 409
};

inline PushOutcome readPush(const HttpResult &http)
{
    PushOutcome outcome{http, std::nullopt, std::nullopt};
    if (http.status == 200) {
        auto decoded = Protocol::decodePushResponse(http.body.toStdString());
        if (decoded)
            outcome.response = *decoded;
    } else if (http.status == 409) {
        auto decoded = Protocol::decodeRefusal(http.body.toStdString());
        if (decoded)
            outcome.refusal = *decoded;
    }
    return outcome;
}

inline PushOutcome push(const ServerProcess &server, const Device &device, std::vector<Protocol::PushOp> ops,
                        std::int64_t incarnation = 1)
{
    return readPush(server.sync(device, "POST", "/api/v1/sync/push", pushBody(device, std::move(ops), incarnation)));
}

// Balance of SKU × bin in TKY1 through the api listener (admin key); nullopt when absent.
inline std::optional<qint64> balance(const ServerProcess &server, const QString &token, const char *sku,
                                     const char *location)
{
    const HttpResult answer = server.api("GET", QByteArray("/api/v1/stock/balances?warehouse=TKY1&sku=") + sku, token);
    if (answer.status != 200)
        return std::nullopt;
    for (const QJsonValue &value : answer.json().value(QStringLiteral("balances")).toArray()) {
        const QJsonObject row = value.toObject();
        if (row.value(QStringLiteral("location")).toString() == QLatin1String(location) &&
            row.value(QStringLiteral("lot")).toString().isEmpty())
            return qint64(row.value(QStringLiteral("quantity")).toDouble());
    }
    return 0;
}

// Every stock movement of a SKU (all pages), as op ids.
inline QStringList movementOpIds(const ServerProcess &server, const QString &token, const char *sku)
{
    QStringList ids;
    qint64 after = 0;
    for (;;) {
        const HttpResult answer = server.api(
            "GET", QByteArray("/api/v1/stock/movements?limit=1000&sku=") + sku + "&after=" + QByteArray::number(after),
            token);
        if (answer.status != 200)
            return {QStringLiteral("error %1").arg(answer.status)};
        const QJsonArray movements = answer.json().value(QStringLiteral("movements")).toArray();
        for (const QJsonValue &value : movements)
            ids << value.toObject().value(QStringLiteral("op_id")).toString();
        if (movements.isEmpty())
            return ids;
        after = qint64(movements.last().toObject().value(QStringLiteral("id")).toDouble());
    }
}

// Creates an order of `quantity` × S1 (store "shop") and, when `release`, allocates and
// releases it to the floor. Returns the order id, or 0.
inline qint64 createOrder(const ServerProcess &server, const QString &adminToken, const QString &number, int quantity,
                          bool release = true)
{
    const QJsonObject order{
        {QStringLiteral("store"), QStringLiteral("shop")},
        {QStringLiteral("order_number"), number},
        {QStringLiteral("customer"), QStringLiteral("Yamada")},
        {QStringLiteral("address"), QStringLiteral("Tokyo")},
        {QStringLiteral("lines"), QJsonArray{QJsonObject{{QStringLiteral("sku"), QStringLiteral("S1")},
                                                         {QStringLiteral("quantity"), quantity}}}}};
    const HttpResult created =
        server.api("POST", "/api/v1/orders", adminToken, QJsonDocument(order).toJson(QJsonDocument::Compact));
    if (created.status != 201) {
        qWarning("order create: %d %s", created.status, created.body.constData());
        return 0;
    }
    const qint64 id = qint64(created.json().value(QStringLiteral("id")).toDouble());
    if (!release)
        return id;
    for (const char *step : {"allocate", "release"}) {
        const HttpResult answer =
            server.api("POST", "/api/v1/orders/" + QByteArray::number(id) + "/" + step, adminToken);
        if (answer.status != 200) {
            qWarning("order %s: %d %s", step, answer.status, answer.body.constData());
            return 0;
        }
    }
    return id;
}

inline QString orderState(const ServerProcess &server, const QString &token, qint64 id)
{
    return server.api("GET", "/api/v1/orders/" + QByteArray::number(id), token)
        .json()
        .value(QStringLiteral("state"))
        .toString();
}

// init + master data + operator + admin key; the server is not started.
inline bool seedWorld(ServerProcess &server, QString *adminToken)
{
    if (!server.init(QStringLiteral("TKY1")))
        return false;
    if (!server.importFile(QStringLiteral("skus"), QStringLiteral("skus.csv"),
                           "code,name,base_unit,lot_controlled,gtins\r\n"
                           "S1,Green tea,piece,0,4901234567894\r\n"
                           "S2,Miso,piece,0,\r\n"))
        return false;
    if (!server.importFile(QStringLiteral("locations"), QStringLiteral("locations.csv"),
                           "warehouse,code,zone,pick_sequence\r\n"
                           "TKY1,A-1,ambient,10\r\nTKY1,A-2,ambient,20\r\nTKY1,DOCK,dock,0\r\n"))
        return false;
    if (!server.addOperator(QStringLiteral("TKY1"), QStringLiteral("OP-1")))
        return false;
    *adminToken = server.createApiKey();
    return !adminToken->isEmpty();
}

} // namespace E2e

#include <QSqlDatabase>
#include <QSqlQuery>
#include <QUuid>

namespace E2e {

// A number from the server's database, read-only beside the running server (for facts no API
// shows yet, such as conflict records). -1 on error.
inline qint64 databaseCount(const ServerProcess &server, const QString &sql, const QVariantList &bindings = {})
{
    const QString name = QUuid::createUuid().toString();
    qint64 value = -1;
    {
        QSqlDatabase database = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
        database.setDatabaseName(server.dataPath() + QStringLiteral("/soko.db"));
        database.setConnectOptions(QStringLiteral("QSQLITE_OPEN_READONLY;QSQLITE_BUSY_TIMEOUT=5000"));
        if (database.open()) {
            QSqlQuery query(database);
            query.prepare(sql);
            for (const QVariant &binding : bindings)
                query.addBindValue(binding);
            if (query.exec() && query.next())
                value = query.value(0).toLongLong();
        }
    }
    QSqlDatabase::removeDatabase(name);
    return value;
}

} // namespace E2e
