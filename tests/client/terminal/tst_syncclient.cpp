// SyncClient against a scripted HTTPS server on 127.0.0.1 (QSslServer, mutual TLS with throwaway
// certificates made by the openssl tool in a temporary folder): push with a fork answer → new
// incarnation and renumbered re-push; per-op results stored with the server's reason; a pulled
// page and its cursor stored together; a server signed by another CA is never trusted.
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSignalSpy>
#include <QSslKey>
#include <QSqlQuery>
#include <QSslServer>
#include <QSslSocket>
#include <QTest>

#include <functional>

#include "client/scanning/scanrouter.h"
#include "client/sync/syncclient.h"
#include "client/workflows/pickingworkflow.h"
#include "client/workflows/session.h"
#include "common/protocol/protocol.h"
#include "tests/support/terminalfixture.h"

namespace {

const char *const s_epoch = "0e4d1f5c-3b2a-4e6f-8a9b-1c2d3e4f5a6b";

struct Request
{
    QByteArray method;
    QByteArray path;
    QByteArray body;
    bool clientCertificate = false;
    QByteArray userAgent;   // the User-Agent header's value
    QByteArray pendingOps;  // the Soko-Pending-Ops header's value
};

// Minimal HTTP/1.1 over TLS: one request per connection, answered by `handler`.
class FakeServer final : public QObject
{
public:
    using Handler = std::function<QPair<int, QByteArray>(const Request &)>;
    FakeServer(const QSslConfiguration &configuration, Handler handler)
        : m_handler(std::move(handler))
    {
        m_server.setSslConfiguration(configuration);
        QObject::connect(&m_server, &QTcpServer::pendingConnectionAvailable, this, [this] {
            while (auto *socket = qobject_cast<QSslSocket *>(m_server.nextPendingConnection())) {
                socket->setParent(this);
                QObject::connect(socket, &QSslSocket::readyRead, this, [this, socket] { onData(socket); });
            }
        });
    }
    quint16 listen()
    {
        return m_server.listen(QHostAddress::LocalHost, 0) ? m_server.serverPort() : 0;
    }
    QList<Request> requests;

private:
    void onData(QSslSocket *socket)
    {
        QByteArray &buffer = m_buffers[socket];
        buffer += socket->readAll();
        const qsizetype headerEnd = buffer.indexOf("\r\n\r\n");
        if (headerEnd < 0)
            return;
        const QList<QByteArray> lines = buffer.left(headerEnd).split('\n');
        qsizetype length = 0;
        for (const QByteArray &line : lines) {
            if (line.toLower().startsWith("content-length:"))
                length = line.mid(15).trimmed().toLongLong();
        }
        if (buffer.size() < headerEnd + 4 + length)
            return;
        const QList<QByteArray> first = lines.first().trimmed().split(' ');
        Request request{first.value(0), first.value(1), buffer.mid(headerEnd + 4, length),
                        !socket->peerCertificate().isNull(), {}, {}};
        for (const QByteArray &line : lines) {
            if (line.toLower().startsWith("user-agent:"))
                request.userAgent = line.mid(11).trimmed();
            if (line.toLower().startsWith("soko-pending-ops:"))
                request.pendingOps = line.mid(17).trimmed();
        }
        requests.append(request);
        const auto [status, body] = m_handler(request);
        socket->write("HTTP/1.1 " + QByteArray::number(status) + " X\r\nContent-Type: application/json\r\n"
                      "Content-Length: " + QByteArray::number(body.size()) + "\r\nConnection: close\r\n\r\n" + body);
        socket->disconnectFromHost();
        m_buffers.remove(socket);
    }

    QSslServer m_server;
    Handler m_handler;
    QHash<QSslSocket *, QByteArray> m_buffers;
};

bool openssl(const QString &folder, const QStringList &arguments)
{
    QProcess process;
    process.setWorkingDirectory(folder);
    process.start(QStringLiteral("openssl"), arguments);
    return process.waitForFinished(30000) && process.exitCode() == 0;
}

// CA + a certificate for `name` with the given extensions file, P-256 keys.
bool makeCertificates(const QString &folder)
{
    const QStringList ec{QStringLiteral("-newkey"), QStringLiteral("ec"), QStringLiteral("-pkeyopt"),
                         QStringLiteral("ec_paramgen_curve:prime256v1"), QStringLiteral("-nodes")};
    QFile server(folder + QStringLiteral("/server.ext"));
    QFile device(folder + QStringLiteral("/device.ext"));
    if (!server.open(QIODevice::WriteOnly) || !device.open(QIODevice::WriteOnly))
        return false;
    server.write("subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n");
    device.write("extendedKeyUsage=clientAuth\n");
    server.close();
    device.close();
    for (const char *ca : {"ca", "otherca"}) {
        if (!openssl(folder, QStringList{QStringLiteral("req"), QStringLiteral("-x509")} + ec
                                 + QStringList{QStringLiteral("-keyout"), QLatin1String(ca) + QStringLiteral(".key"),
                                               QStringLiteral("-out"), QLatin1String(ca) + QStringLiteral(".pem"),
                                               QStringLiteral("-days"), QStringLiteral("2"), QStringLiteral("-subj"),
                                               QStringLiteral("/CN=Soko test ") + QLatin1String(ca)}))
            return false;
    }
    for (const char *name : {"server", "device"}) {
        const QString base = QLatin1String(name);
        if (!openssl(folder, QStringList{QStringLiteral("req")} + ec
                                 + QStringList{QStringLiteral("-keyout"), base + QStringLiteral(".key"), QStringLiteral("-out"),
                                               base + QStringLiteral(".csr"), QStringLiteral("-subj"),
                                               QStringLiteral("/CN=") + base})
            || !openssl(folder, {QStringLiteral("x509"), QStringLiteral("-req"), QStringLiteral("-in"), base + QStringLiteral(".csr"),
                                 QStringLiteral("-CA"), QStringLiteral("ca.pem"), QStringLiteral("-CAkey"),
                                 QStringLiteral("ca.key"), QStringLiteral("-CAcreateserial"), QStringLiteral("-out"),
                                 base + QStringLiteral(".pem"), QStringLiteral("-days"), QStringLiteral("2"),
                                 QStringLiteral("-extfile"), base + QStringLiteral(".ext")}))
            return false;
    }
    return true;
}

QByteArray readFile(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

} // namespace

class TestSyncClient : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_certificates.isValid());
        QVERIFY(makeCertificates(m_certificates.path()));
    }

    void init()
    {
        m_folder = std::make_unique<QTemporaryDir>();
        m_database = std::make_unique<LocalDatabase>(QStringLiteral("tst_syncclient"));
        QVERIFY(TestSupport::openDatabase(*m_database, m_folder->path()));
        QVERIFY(TestSupport::importSample(*m_database));
    }
    void cleanup()
    {
        m_database.reset();
        m_folder.reset();
    }

    void forkThenResultsThenPull()
    {
        makeTwoPicks();
        QString incarnationSeen;
        int pushes = 0;
        FakeServer server(serverConfiguration(), [&](const Request &request) -> QPair<int, QByteArray> {
            const QJsonObject body = QJsonDocument::fromJson(request.body).object();
            if (request.path == "/api/v1/sync/push") {
                if (++pushes == 1)
                    return {409, QByteArray("{\"protocol\":1,\"error\":\"fork\",\"message\":\"restored\",\"epoch\":\"") + s_epoch
                                     + "\",\"incarnation\":1,\"last_applied\":2}"};
                incarnationSeen = QString::number(body.value(QStringLiteral("incarnation")).toInt());
                const QJsonArray ops = body.value(QStringLiteral("ops")).toArray();
                QJsonArray results;
                for (const QJsonValue &op : ops) {
                    const int seq = op.toObject().value(QStringLiteral("seq")).toInt();
                    QJsonObject result{{QStringLiteral("seq"), seq},
                                       {QStringLiteral("op_id"), op.toObject().value(QStringLiteral("op_id"))},
                                       {QStringLiteral("outcome"), seq == 2 ? QStringLiteral("rejected")
                                                                            : QStringLiteral("applied")}};
                    if (seq == 2) {
                        result.insert(QStringLiteral("reason"), QStringLiteral("lot_required"));
                        result.insert(QStringLiteral("message"), QStringLiteral("SKU-RICE needs a lot"));
                    }
                    results.append(result);
                }
                const QJsonObject answer{{QStringLiteral("protocol"), 1}, {QStringLiteral("epoch"), QLatin1String(s_epoch)},
                                         {QStringLiteral("incarnation"), 2}, {QStringLiteral("last_applied"), ops.size()},
                                         {QStringLiteral("results"), results}};
                return {200, QJsonDocument(answer).toJson(QJsonDocument::Compact)};
            }
            if (request.path == "/api/v1/sync/incarnation")
                return {200, QByteArray("{\"protocol\":1,\"epoch\":\"") + s_epoch + "\",\"incarnation\":2,\"last_applied\":0}"};
            if (request.path.startsWith("/api/v1/sync/pull"))
                return {200, QByteArray("{\"protocol\":1,\"epoch\":\"") + s_epoch
                                 + "\",\"changes\":[{\"version\":101,\"entity\":\"sku\",\"key\":\"SKU-MISO\",\"data\":{\"code\":\"SKU-MISO\",\"name\":\"Miso 1kg\",\"gtins\":[\"04901234567894\"],\"base_unit\":\"piece\",\"lot_controlled\":false}}],\"next_cursor\":\"101\",\"has_more\":false}"};
            return {404, QByteArray("{\"error\":\"not_found\"}")};
        });
        const quint16 port = server.listen();
        QVERIFY(port != 0);
        enroll(port, QStringLiteral("ca.pem"));

        SyncClient client(*m_database, m_folder->path());
        QVERIFY(client.isEnrolled());
        QSignalSpy finished(&client, &SyncClient::roundFinished);
        QSignalSpy problems(&client, &SyncClient::problemsReceived);
        client.syncNow();
        QVERIFY(finished.wait(30000));
        QCOMPARE(finished.at(0).at(0).toBool(), true);
        QCOMPARE(client.state(), SyncClient::State::Idle);

        QStringList paths;
        for (const Request &request : std::as_const(server.requests)) {
            paths << QString::fromLatin1(request.path.left(request.path.indexOf('?') < 0 ? request.path.size()
                                                                                        : request.path.indexOf('?')));
            QVERIFY(request.clientCertificate); // mutual TLS: the device certificate was presented
        }
        QCOMPARE(paths, QStringList({QStringLiteral("/api/v1/sync/push"), QStringLiteral("/api/v1/sync/incarnation"),
                                     QStringLiteral("/api/v1/sync/push"), QStringLiteral("/api/v1/sync/pull")}));
        QCOMPARE(incarnationSeen, QStringLiteral("2"));
        QVERIFY(server.requests.at(3).path.contains("cursor=0"));
        // The terminal's report of itself (docs/sync-protocol.md "Terminal report") on every request:
        // its version, and the ops still in its outbox — two before the first push, none after.
        for (const Request &request : std::as_const(server.requests))
            QCOMPARE(request.userAgent, QByteArray("soko-terminal/" SOKO_VERSION));
        QCOMPARE(server.requests.at(0).pendingOps, QByteArray("2"));
        QCOMPARE(server.requests.at(3).pendingOps, QByteArray("0"));

        OutboxRepository outbox(*m_database);
        const auto all = outbox.all();
        QCOMPARE(all->size(), 2);
        QCOMPARE(all->at(0).incarnation, 2);
        QCOMPARE(all->at(0).seq, 1);
        QCOMPARE(all->at(0).state, OutboxState::Acked);
        QCOMPARE(all->at(1).state, OutboxState::Rejected);
        QVERIFY(all->at(1).reason.contains(QStringLiteral("lot_required")));
        QCOMPARE(problems.size(), 1);
        SyncStateRepository state(*m_database);
        QCOMPARE(state.value(SyncStateRepository::Cursor), QStringLiteral("101"));
        QCOMPARE(state.value(SyncStateRepository::Epoch), QLatin1String(s_epoch));
        QVERIFY(client.lastSync().isValid());
        QCOMPARE(SkuRepository(*m_database).findByGtin(QStringLiteral("04901234567894"))->code, QStringLiteral("SKU-MISO"));
    }

    void gapAndEpochChangeResendFromLastApplied_data()
    {
        QTest::addColumn<QString>("refusal");
        QTest::addColumn<QString>("expectedCursor");
        QTest::newRow("gap") << QStringLiteral("gap") << QStringLiteral("55");
        QTest::newRow("epoch changed (server restored)") << QStringLiteral("epoch_changed") << QStringLiteral("0");
    }
    void gapAndEpochChangeResendFromLastApplied()
    {
        QFETCH(QString, refusal);
        QFETCH(QString, expectedCursor);
        makeTwoPicks();
        {
            // Op 1 was acknowledged by the server before it lost it; the pull cursor is at 55.
            TransactionGuard transaction(*m_database);
            QVERIFY(OutboxRepository(*m_database).ackThrough(transaction, 1));
            QVERIFY(SyncStateRepository(*m_database).setValue(transaction, SyncStateRepository::Cursor, QStringLiteral("55")));
            QVERIFY(transaction.commit());
        }
        QList<QList<int>> pushedSeqs;
        FakeServer server(serverConfiguration(), [&](const Request &request) -> QPair<int, QByteArray> {
            const QJsonObject body = QJsonDocument::fromJson(request.body).object();
            if (request.path == "/api/v1/sync/push") {
                QList<int> seqs;
                QJsonArray results;
                for (const QJsonValue &op : body.value(QStringLiteral("ops")).toArray()) {
                    seqs.append(op.toObject().value(QStringLiteral("seq")).toInt());
                    results.append(QJsonObject{{QStringLiteral("seq"), seqs.back()},
                                               {QStringLiteral("op_id"), op.toObject().value(QStringLiteral("op_id"))},
                                               {QStringLiteral("outcome"), QStringLiteral("applied")}});
                }
                pushedSeqs.append(seqs);
                if (pushedSeqs.size() == 1)
                    return {409, "{\"protocol\":1,\"error\":\"" + refusal.toLatin1() + "\",\"message\":\"x\",\"epoch\":\""
                                     + QByteArray(s_epoch) + "\",\"incarnation\":1,\"last_applied\":0}"};
                const QJsonObject answer{{QStringLiteral("protocol"), 1}, {QStringLiteral("epoch"), QLatin1String(s_epoch)},
                                         {QStringLiteral("incarnation"), 1}, {QStringLiteral("last_applied"), seqs.back()},
                                         {QStringLiteral("results"), results}};
                return {200, QJsonDocument(answer).toJson(QJsonDocument::Compact)};
            }
            if (request.path.startsWith("/api/v1/sync/pull"))
                return {200, "{\"protocol\":1,\"epoch\":\"" + QByteArray(s_epoch)
                                 + "\",\"changes\":[],\"next_cursor\":\"" + expectedCursor.toLatin1() + "\",\"has_more\":false}"};
            return {404, "{}"};
        });
        const quint16 port = server.listen();
        QVERIFY(port != 0);
        enroll(port, QStringLiteral("ca.pem"));
        SyncClient client(*m_database, m_folder->path());
        QSignalSpy finished(&client, &SyncClient::roundFinished);
        client.syncNow();
        QVERIFY(finished.wait(30000));
        QVERIFY(finished.at(0).at(0).toBool());
        QCOMPARE(pushedSeqs, (QList<QList<int>>{{2}, {1, 2}})); // resent from last_applied + 1
        QCOMPARE(OutboxRepository(*m_database).pendingCount(), 0);
        const Request &pull = server.requests.back();
        QVERIFY2(pull.path.contains("cursor=" + expectedCursor.toLatin1()), pull.path.constData());
    }

    // A terminal restored from an older copy of its database (DESIGN.md "fork"): the server holds
    // seqs 1..5 of incarnation 1, but only seq 1 is this copy's op; seq 2 here is a new op under a
    // seq the server holds for another op id. The first batch (seq 1 only) is a resend the server
    // answers 200 with last_applied = 5. Seq 2 was not in that batch and must not be acked by it:
    // the next push finds the fork, the terminal takes a new incarnation and seq 2 reaches the
    // server (soak seed 20261130 lost three ops this way).
    void resendAnsweredWithHigherLastAppliedAcksOnlyWhatItCarried()
    {
        makeTwoPicks();
        OutboxRepository outbox(*m_database);
        const auto before = outbox.all();
        QCOMPARE(before->size(), 2);
        const QString restoredOp = before->at(0).opId;
        const QString newOp = before->at(1).opId;
        QList<QStringList> pushedOpIds;
        int incarnation = 1;
        FakeServer server(serverConfiguration(), [&](const Request &request) -> QPair<int, QByteArray> {
            const QJsonObject body = QJsonDocument::fromJson(request.body).object();
            if (request.path == "/api/v1/sync/incarnation") {
                incarnation = 2;
                return {200, QByteArray("{\"protocol\":1,\"epoch\":\"") + s_epoch + "\",\"incarnation\":2,\"last_applied\":0}"};
            }
            if (request.path.startsWith("/api/v1/sync/pull"))
                return {200, pullPage({}, "0", false)};
            if (request.path != "/api/v1/sync/push")
                return {404, "{}"};
            QStringList ids;
            for (const QJsonValue &op : body.value(QStringLiteral("ops")).toArray())
                ids << op.toObject().value(QStringLiteral("op_id")).toString();
            pushedOpIds.append(ids);
            if (body.value(QStringLiteral("incarnation")).toInt() != incarnation)
                return {409, "{\"protocol\":1,\"error\":\"incarnation_retired\",\"message\":\"x\",\"epoch\":\""
                                 + QByteArray(s_epoch) + "\",\"incarnation\":1,\"last_applied\":5}"};
            if (incarnation == 1) {
                // What the server holds for incarnation 1: seq 1 is `restoredOp`, seqs 2..5 others.
                for (const QJsonValue &op : body.value(QStringLiteral("ops")).toArray()) {
                    if (op.toObject().value(QStringLiteral("op_id")).toString() != restoredOp)
                        return {409, "{\"protocol\":1,\"error\":\"fork\",\"message\":\"restored\",\"epoch\":\""
                                         + QByteArray(s_epoch) + "\",\"incarnation\":1,\"last_applied\":5}"};
                }
                QJsonObject answer = QJsonDocument::fromJson(acknowledgeAll(request.body)).object();
                answer.insert(QStringLiteral("last_applied"), 5);
                return {200, QJsonDocument(answer).toJson(QJsonDocument::Compact)};
            }
            QJsonObject answer = QJsonDocument::fromJson(acknowledgeAll(request.body)).object();
            answer.insert(QStringLiteral("incarnation"), 2);
            return {200, QJsonDocument(answer).toJson(QJsonDocument::Compact)};
        });
        const quint16 port = server.listen();
        QVERIFY(port != 0);
        enroll(port, QStringLiteral("ca.pem"));
        SyncClient client(*m_database, m_folder->path());
        SyncClient::Settings settings;
        settings.maxBatchOps = 1; // the resend batch carries seq 1 only
        client.setSettings(settings);
        QSignalSpy finished(&client, &SyncClient::roundFinished);
        client.syncNow();
        QVERIFY(finished.wait(30000));
        QVERIFY(finished.at(0).at(0).toBool());

        // Seq 1 resent and answered; seq 2 pushed next (fork), then again under incarnation 2.
        QCOMPARE(pushedOpIds, (QList<QStringList>{{restoredOp}, {newOp}, {newOp}}));
        QCOMPARE(incarnation, 2);
        const auto after = outbox.all();
        QCOMPARE(after->size(), 2);
        for (const OutboxEntry &entry : *after)
            QCOMPARE(entry.state, OutboxState::Acked);
        QCOMPARE(outbox.pendingCount(), 0);
    }

    // snapshot_required: the terminal downloads its scope again from cursor 0; what the snapshot
    // no longer carries (an order moved to another warehouse, a removed SKU, location, lot, stock
    // row, operator) is removed locally when the last page is stored — except an order with ops
    // not yet pushed (the pick made while the snapshot downloaded), which stays with its local
    // progress until its ops are pushed and is removed by the next round.
    void snapshotRemovesWhatTheServerNoLongerHas()
    {
        addRowsTheServerWillDrop();
        {
            TransactionGuard transaction(*m_database);
            QVERIFY(SyncStateRepository(*m_database).setValue(transaction, SyncStateRepository::Cursor, QStringLiteral("55")));
            QVERIFY(transaction.commit());
        }
        int pulls = 0;
        int pushes = 0;
        FakeServer server(serverConfiguration(), [&](const Request &request) -> QPair<int, QByteArray> {
            if (request.path == "/api/v1/sync/push") {
                ++pushes;
                return {200, acknowledgeAll(request.body)};
            }
            if (!request.path.startsWith("/api/v1/sync/pull"))
                return {404, "{}"};
            ++pulls;
            if (request.path.contains("cursor=55"))
                return {409, QByteArray("{\"protocol\":1,\"error\":\"snapshot_required\",\"message\":\"compacted\",\"epoch\":\"")
                                 + s_epoch + "\",\"incarnation\":1,\"last_applied\":0}"};
            if (request.path.contains("cursor=0&")) {
                // The picker keeps working while the snapshot downloads: one pick of SO-1001,
                // an order the server has meanwhile moved to another warehouse.
                makePickOfApples();
                return {200, snapshotPage(1)};
            }
            if (request.path.contains("cursor=10&"))
                return {200, snapshotPage(2)};
            return {200, pullPage({}, "20", false)};
        });
        const quint16 port = server.listen();
        QVERIFY(port != 0);
        enroll(port, QStringLiteral("ca.pem"));

        SyncClient client(*m_database, m_folder->path());
        QSignalSpy finished(&client, &SyncClient::roundFinished);
        client.syncNow();
        QVERIFY(finished.wait(30000));
        QVERIFY(finished.at(0).at(0).toBool());
        QCOMPARE(pulls, 3);
        QCOMPARE(SyncStateRepository(*m_database).value(SyncStateRepository::Cursor), QStringLiteral("20"));

        // Carried by the snapshot: still there (and the new order arrived).
        QVERIFY(SkuRepository(*m_database).findByGtin(TestSupport::appleGtin));
        QVERIFY(SkuRepository(*m_database).findByGtin(TestSupport::riceGtin));
        QVERIFY(LocationRepository(*m_database).find(QStringLiteral("A-01-01-1")));
        QVERIFY(OrderRepository(*m_database).find(1003));
        QVERIFY(OperatorRepository(*m_database).findByBadge(QStringLiteral("OP-0007")));
        QCOMPARE(count(QStringLiteral("SELECT count(*) FROM stock")), 1);
        QCOMPARE(count(QStringLiteral("SELECT count(*) FROM lots")), 1);
        // Gone from the server's scope: gone here.
        QVERIFY(!SkuRepository(*m_database).find(QStringLiteral("SKU-OLD")));
        QVERIFY(!SkuRepository(*m_database).findByGtin(QStringLiteral("04912345678904")));
        QCOMPARE(count(QStringLiteral("SELECT count(*) FROM sku_gtins WHERE sku_code = 'SKU-OLD'")), 0);
        QVERIFY(!LocationRepository(*m_database).find(QStringLiteral("Q-01-01-1")));
        QVERIFY(!LocationRepository(*m_database).find(QStringLiteral("Z-09-09-9")));
        QVERIFY(!OrderRepository(*m_database).find(1002));
        QCOMPARE(count(QStringLiteral("SELECT count(*) FROM order_lines WHERE order_id = 1002")), 0);
        QVERIFY(!OperatorRepository(*m_database).findByBadge(QStringLiteral("OP-0001")));
        QCOMPARE(count(QStringLiteral("SELECT count(*) FROM stock WHERE sku_code = 'SKU-OLD'")), 0);
        QCOMPARE(count(QStringLiteral("SELECT count(*) FROM lots WHERE lot = 'OLD'")), 0);
        // The unpushed pick and the order it belongs to are intact.
        OutboxRepository outbox(*m_database);
        QCOMPARE(outbox.pendingCount(), 1);
        const auto order = OrderRepository(*m_database).find(1001);
        QVERIFY(order);
        QCOMPARE(order->state, QStringLiteral("picking"));
        const auto lines = OrderRepository(*m_database).pickList(1001);
        QVERIFY(lines);
        QCOMPARE(lines->size(), 3);
        QCOMPARE(lines->at(0).skuCode, QStringLiteral("SKU-APPLE"));
        QCOMPARE(lines->at(0).picked, 3);
        QCOMPARE(OrderRepository(*m_database).pickRecords(1001)->size(), 1);
        // Its SKUs and bins too (tea in B-02-01-1 is its last line): the picker can finish it.
        QVERIFY(SkuRepository(*m_database).findByGtin(TestSupport::teaGtin));
        QVERIFY(LocationRepository(*m_database).find(QStringLiteral("B-02-01-1")));

        // Next round: the pick goes out, and then the order the server no longer has goes.
        client.syncNow();
        QVERIFY(finished.wait(30000));
        QVERIFY(finished.at(1).at(0).toBool());
        QCOMPARE(pushes, 1);
        QCOMPARE(outbox.pendingCount(), 0);
        QCOMPARE(outbox.all()->size(), 1);
        QVERIFY(!OrderRepository(*m_database).find(1001));
        QVERIFY(!SkuRepository(*m_database).find(QStringLiteral("SKU-TEA")));
        QVERIFY(!LocationRepository(*m_database).find(QStringLiteral("B-02-01-1")));
        QVERIFY(OrderRepository(*m_database).find(1003));
        QVERIFY(SkuRepository(*m_database).find(QStringLiteral("SKU-APPLE")));
    }

    // A snapshot cut short (network gone, app killed) is never finished from the middle: the
    // rows of the pages before the cut cannot tell what the server dropped, so the next round
    // downloads the scope again from cursor 0, and only then removes what is gone.
    void interruptedSnapshotStartsAgainFromZero()
    {
        addRowsTheServerWillDrop();
        {
            TransactionGuard transaction(*m_database);
            QVERIFY(SyncStateRepository(*m_database).setValue(transaction, SyncStateRepository::Cursor, QStringLiteral("55")));
            QVERIFY(transaction.commit());
        }
        bool serverDown = true;
        QList<QByteArray> pullPaths;
        FakeServer server(serverConfiguration(), [&](const Request &request) -> QPair<int, QByteArray> {
            if (!request.path.startsWith("/api/v1/sync/pull"))
                return {200, acknowledgeAll(request.body)};
            pullPaths.append(request.path);
            if (request.path.contains("cursor=55"))
                return {409, QByteArray("{\"protocol\":1,\"error\":\"snapshot_required\",\"message\":\"compacted\",\"epoch\":\"")
                                 + s_epoch + "\",\"incarnation\":1,\"last_applied\":0}"};
            if (request.path.contains("cursor=0&"))
                return {200, snapshotPage(1)};
            if (request.path.contains("cursor=10&"))
                return serverDown ? QPair<int, QByteArray>{503, "{}"} : QPair<int, QByteArray>{200, snapshotPage(2)};
            return {200, pullPage({}, "20", false)};
        });
        const quint16 port = server.listen();
        QVERIFY(port != 0);
        enroll(port, QStringLiteral("ca.pem"));
        {
            SyncClient client(*m_database, m_folder->path());
            QSignalSpy finished(&client, &SyncClient::roundFinished);
            client.syncNow();
            QVERIFY(finished.wait(30000));
            QCOMPARE(finished.at(0).at(0).toBool(), false);
        }
        // Page 1 is stored with its cursor; nothing was removed yet.
        QCOMPARE(SyncStateRepository(*m_database).value(SyncStateRepository::Cursor), QStringLiteral("10"));
        QVERIFY(OrderRepository(*m_database).find(1002));

        serverDown = false;
        // The app is killed and started again: a new connection to the same database file.
        QVERIFY(TestSupport::openDatabase(*m_database, m_folder->path()));
        SyncClient restarted(*m_database, m_folder->path());
        QSignalSpy finished(&restarted, &SyncClient::roundFinished);
        restarted.syncNow();
        QVERIFY(finished.wait(30000));
        QVERIFY(finished.at(0).at(0).toBool());
        QCOMPARE(pullPaths.size(), 5);
        QVERIFY2(pullPaths.at(3).contains("cursor=0&"), pullPaths.at(3).constData());
        QVERIFY2(pullPaths.at(4).contains("cursor=10&"), pullPaths.at(4).constData());
        QVERIFY(!OrderRepository(*m_database).find(1002));
        QVERIFY(!OrderRepository(*m_database).find(1001)); // no unpushed ops: removed at once
        QVERIFY(!SkuRepository(*m_database).find(QStringLiteral("SKU-TEA")));
        QVERIFY(OrderRepository(*m_database).find(1003));
        QCOMPARE(SyncStateRepository(*m_database).value(SyncStateRepository::Cursor), QStringLiteral("20"));
    }

    void serverOfAnotherCaIsNotTrusted()
    {
        makeTwoPicks();
        FakeServer server(serverConfiguration(), [](const Request &) -> QPair<int, QByteArray> {
            return {200, QByteArray("{}")};
        });
        const quint16 port = server.listen();
        QVERIFY(port != 0);
        enroll(port, QStringLiteral("otherca.pem")); // pinned CA did not sign the server
        SyncClient client(*m_database, m_folder->path());
        QSignalSpy finished(&client, &SyncClient::roundFinished);
        client.syncNow();
        QVERIFY(finished.wait(30000));
        QCOMPARE(finished.at(0).at(0).toBool(), false);
        QCOMPARE(client.state(), SyncClient::State::Offline);
        QVERIFY(server.requests.isEmpty()); // no request got through the handshake
        QCOMPARE(OutboxRepository(*m_database).pendingCount(), 2);
    }

private:
    QSslConfiguration serverConfiguration() const
    {
        const QString folder = m_certificates.path();
        QSslConfiguration configuration = QSslConfiguration::defaultConfiguration();
        configuration.setLocalCertificate(QSslCertificate(readFile(folder + QStringLiteral("/server.pem"))));
        configuration.setPrivateKey(QSslKey(readFile(folder + QStringLiteral("/server.key")), QSsl::Ec));
        configuration.setCaCertificates(QSslCertificate::fromData(readFile(folder + QStringLiteral("/ca.pem"))));
        configuration.setPeerVerifyMode(QSslSocket::VerifyPeer);
        return configuration;
    }

    // What enrollment leaves behind: server address, pinned CA, device certificate and key.
    void enroll(quint16 port, const QString &caFile)
    {
        const QString folder = m_certificates.path();
        {
            TransactionGuard transaction(*m_database);
            SyncStateRepository state(*m_database);
            QVERIFY(state.setValue(transaction, SyncStateRepository::ServerUrl,
                                   QStringLiteral("https://127.0.0.1:%1").arg(port)));
            QVERIFY(state.setValue(transaction, SyncStateRepository::CaCertificate,
                                   QString::fromLatin1(readFile(folder + QLatin1Char('/') + caFile))));
            QVERIFY(state.setValue(transaction, SyncStateRepository::ClientCertificate,
                                   QString::fromLatin1(readFile(folder + QStringLiteral("/device.pem")))));
            QVERIFY(transaction.commit());
        }
        QVERIFY(QFile::copy(folder + QStringLiteral("/device.key"), m_folder->path() + QStringLiteral("/device.key")));
    }

    // Two ops made by the real picking workflow: apples (3) and one rice with its lot.
    void makeTwoPicks()
    {
        OrderRepository orders(*m_database);
        SkuRepository skus(*m_database);
        OutboxRepository outbox(*m_database);
        Session session;
        session.logIn(QStringLiteral("OP-0001"), QStringLiteral("Sato"));
        PickingWorkflow picking(*m_database, orders, skus, outbox, session);
        QVERIFY(picking.startOrder(1001));
        auto scan = [&picking](const char *text) {
            picking.handleScan(ScanRouter::classify(ScanEvent{QLatin1String(text), {}, ScanOrigin::Fake}));
        };
        scan("A-01-01-1");
        QVERIFY(picking.setQuantity(3));
        QVERIFY(picking.confirm());
        scan("A-01-02-1");
        scan("(01)09501101530003(10)L1");
        QVERIFY(picking.confirm());
        QCOMPARE(outbox.pendingCount(), 2);
    }

    // Rows the server will not send in the snapshot: a second order, a SKU with stock in a bin of
    // its own, a stale lot. SO-1001 (and tea, its SKU) will not be sent either: moved elsewhere.
    void addRowsTheServerWillDrop()
    {
        QJsonObject extra{
            {QStringLiteral("skus"),
             QJsonArray{QJsonObject{{QStringLiteral("code"), QStringLiteral("SKU-OLD")},
                                    {QStringLiteral("name"), QStringLiteral("Discontinued")},
                                    {QStringLiteral("gtins"), QJsonArray{QStringLiteral("04912345678904")}}}}},
            {QStringLiteral("locations"),
             QJsonArray{QJsonObject{{QStringLiteral("code"), QStringLiteral("Z-09-09-9")},
                                    {QStringLiteral("warehouse"), QStringLiteral("TKY1")}}}},
            {QStringLiteral("orders"),
             QJsonArray{QJsonObject{{QStringLiteral("id"), 1002},
                                    {QStringLiteral("store"), QStringLiteral("shop-a")},
                                    {QStringLiteral("order_number"), QStringLiteral("SO-1002")},
                                    {QStringLiteral("state"), QStringLiteral("released")},
                                    {QStringLiteral("lines"),
                                     QJsonArray{QJsonObject{{QStringLiteral("line"), 1},
                                                            {QStringLiteral("sku"), QStringLiteral("SKU-RICE")},
                                                            {QStringLiteral("location"), QStringLiteral("Z-09-09-9")},
                                                            {QStringLiteral("quantity"), 1}}}}}}}};
        TransactionGuard transaction(*m_database);
        QVERIFY(SnapshotImporter::apply(transaction, *m_database, extra));
        auto change = [](const char *entity, const char *key, const char *data) {
            Common::Protocol::Change result;
            result.version = 1;
            result.entity = entity;
            result.key = key;
            result.data = std::string(data);
            return result;
        };
        QVERIFY(SnapshotImporter::applyChanges(
            transaction, *m_database,
            {change("lot", "SKU-RICE|OLD", R"({"sku":"SKU-RICE","lot":"OLD","expiry":"2026-01-31","blocked":false})"),
             change("stock", "SKU-OLD|Z-09-09-9|", R"({"sku":"SKU-OLD","location":"Z-09-09-9","lot":"","quantity":4})"),
             change("stock", "SKU-APPLE|A-01-01-1|", R"({"sku":"SKU-APPLE","location":"A-01-01-1","lot":"","quantity":1})")}));
        QVERIFY(transaction.commit());
        QCOMPARE(count(QStringLiteral("SELECT count(*) FROM stock")), 2);
    }

    // The scope as the server has it now, in two pages: SKUs apple and rice, the bins A-01-01-1
    // and A-01-02-1, lot L1 of rice, the apple stock, operator OP-0007 and a new order SO-1003;
    // not SO-1001, SO-1002, tea, SKU-OLD, Z-09-09-9, B-02-01-1, lot OLD, operator OP-0001.
    static QByteArray snapshotPage(int page)
    {
        if (page == 1)
            return pullPage(
                {R"({"version":2,"entity":"sku","key":"SKU-APPLE","data":{"code":"SKU-APPLE","name":"Apple juice","gtins":["04901780188352"],"base_unit":"piece","lot_controlled":false}})",
                 R"({"version":3,"entity":"sku","key":"SKU-RICE","data":{"code":"SKU-RICE","name":"Rice 5kg","gtins":["09501101530003"],"base_unit":"piece","lot_controlled":true}})",
                 R"({"version":4,"entity":"location","key":"A-01-01-1","data":{"code":"A-01-01-1","zone":"ambient","pick_sequence":10}})",
                 R"({"version":5,"entity":"location","key":"A-01-02-1","data":{"code":"A-01-02-1","zone":"ambient","pick_sequence":20}})",
                 R"({"version":6,"entity":"lot","key":"SKU-RICE|L1","data":{"sku":"SKU-RICE","lot":"L1","expiry":"2027-05-31","blocked":false}})",
                 R"({"version":7,"entity":"location","key":"Q-01-01-1","data":{"code":"Q-01-01-1","zone":"ambient","pick_sequence":5}})",
                 R"({"version":10,"entity":"stock","key":"SKU-APPLE|A-01-01-1|","data":{"sku":"SKU-APPLE","location":"A-01-01-1","lot":"","quantity":7}})"},
                "10", true);
        return pullPage(
            {R"({"version":12,"entity":"operator","key":"OP-0007","data":{"badge":"OP-0007","name":"Ito","role":"picker","pin_hash":"$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2g","active":true}})",
             // Deleted before the horizon of this snapshot: applied as a deletion, as in any page.
             R"({"version":14,"entity":"location","key":"Q-01-01-1","deleted":true})",
             R"({"version":20,"entity":"order","key":"1003","data":{"id":1003,"store":"shop-b","order_number":"SO-1003","customer":"Mori","state":"released","lines":[{"line":1,"sku":"SKU-RICE","quantity":1,"picked":0}]}})"},
            "20", false);
    }

    static QByteArray pullPage(const QList<const char *> &changes, const char *nextCursor, bool hasMore)
    {
        QByteArray joined;
        for (const char *change : changes)
            joined += (joined.isEmpty() ? "" : ",") + QByteArray(change);
        return "{\"protocol\":1,\"epoch\":\"" + QByteArray(s_epoch) + "\",\"changes\":[" + joined + "],\"next_cursor\":\""
            + nextCursor + "\",\"has_more\":" + (hasMore ? "true" : "false") + "}";
    }

    static QByteArray acknowledgeAll(const QByteArray &pushBody)
    {
        const QJsonArray ops = QJsonDocument::fromJson(pushBody).object().value(QStringLiteral("ops")).toArray();
        QJsonArray results;
        int last = 0;
        for (const QJsonValue &op : ops) {
            last = op.toObject().value(QStringLiteral("seq")).toInt();
            results.append(QJsonObject{{QStringLiteral("seq"), last},
                                       {QStringLiteral("op_id"), op.toObject().value(QStringLiteral("op_id"))},
                                       {QStringLiteral("outcome"), QStringLiteral("applied")}});
        }
        const QJsonObject answer{{QStringLiteral("protocol"), 1}, {QStringLiteral("epoch"), QLatin1String(s_epoch)},
                                 {QStringLiteral("incarnation"), 1}, {QStringLiteral("last_applied"), last},
                                 {QStringLiteral("results"), results}};
        return QJsonDocument(answer).toJson(QJsonDocument::Compact);
    }

    int count(const QString &sql) const
    {
        QSqlQuery query(m_database->database());
        return query.exec(sql) && query.next() ? query.value(0).toInt() : -1;
    }

    // The first line of SO-1001 (apple ×3) picked by the real workflow: one pending pick op.
    void makePickOfApples()
    {
        OrderRepository orders(*m_database);
        SkuRepository skus(*m_database);
        OutboxRepository outbox(*m_database);
        Session session;
        session.logIn(QStringLiteral("OP-0001"), QStringLiteral("Sato"));
        PickingWorkflow picking(*m_database, orders, skus, outbox, session);
        QVERIFY(picking.startOrder(1001));
        picking.handleScan(ScanRouter::classify(ScanEvent{QStringLiteral("A-01-01-1"), {}, ScanOrigin::Fake}));
        QVERIFY(picking.setQuantity(3));
        QVERIFY(picking.confirm());
        QCOMPARE(outbox.pendingCount(), 1);
    }

    QTemporaryDir m_certificates;
    std::unique_ptr<QTemporaryDir> m_folder;
    std::unique_ptr<LocalDatabase> m_database;
};

QTEST_GUILESS_MAIN(TestSyncClient)
#include "tst_syncclient.moc"
