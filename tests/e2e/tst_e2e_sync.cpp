#include <QElapsedTimer>
#include <QSet>
#include <QSslSocket>
#include <QTest>
#include <QThread>

#include "tests/e2e/e2ehelpers.h"

// End-to-end sync through a real soko-server process over real TLS (DESIGN.md "Sync
// protocol", docs/sync-protocol.md): exactly-once on resend and after a lost response, gap and
// fork refusals, concurrent offline picks of the last unit, a pick of an order cancelled
// meanwhile, and pull paging over more than 10,000 changes.
using namespace E2e;

class TestE2eSync : public QObject
{
    Q_OBJECT

private:
    ServerProcess m_server;
    QString m_admin;
    std::optional<Device> m_dev1;
    std::optional<Device> m_dev2;
    std::int64_t m_dev1Seq = 0; // last seq dev1 had acknowledged
    std::int64_t m_dev2Seq = 0;

    QRegularExpression pushLogLine(const Device &device) const
    {
        return QRegularExpression(QStringLiteral("request method=POST path=/api/v1/sync/push status=200 .* device=") +
                                  device.id);
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(seedWorld(m_server, &m_admin));
        QVERIFY(m_server.start());
        m_dev1 = m_server.enrollDevice(QStringLiteral("TKY1"), QStringLiteral("HT-01"));
        m_dev2 = m_server.enrollDevice(QStringLiteral("TKY1"), QStringLiteral("HT-02"));
        QVERIFY(m_dev1 && m_dev2);
        QVERIFY(m_dev1->id != m_dev2->id);
    }

    void cleanupTestCase()
    {
        QVERIFY(m_server.stop());
        QCOMPARE(m_server.exitCode(), 0);
    }

    void resentBatchIsAppliedOnce()
    {
        const auto ops = receiveBatch(1, 1, 500);
        // 500 receipts of S2 into A-2.
        std::vector<Protocol::PushOp> s2Ops;
        for (const auto &op : ops)
            s2Ops.push_back(receiveOp(op.seq, op.opId, 1, "A-2", "S2"));
        const PushOutcome first = push(m_server, *m_dev1, s2Ops);
        QVERIFY2(first.response, first.http.body.constData());
        QCOMPARE(first.response->lastApplied, std::int64_t(500));
        QCOMPARE(first.response->results.size(), std::size_t(500));
        for (const auto &result : first.response->results)
            QCOMPARE(int(result.outcome), int(Protocol::OperationOutcome::Applied));
        QCOMPARE(balance(m_server, m_admin, "S2", "A-2"), std::optional<qint64>(500));

        const PushOutcome again = push(m_server, *m_dev1, s2Ops);
        QVERIFY2(again.response, again.http.body.constData());
        QCOMPARE(again.response->results, first.response->results);
        QCOMPARE(again.response->lastApplied, std::int64_t(500));
        QCOMPARE(balance(m_server, m_admin, "S2", "A-2"), std::optional<qint64>(500));
        QCOMPARE(int(movementOpIds(m_server, m_admin, "S2").size()), 500);
        m_dev1Seq = 500;
    }

    void lostResponseThenResendIsAppliedOnce()
    {
        std::vector<Protocol::PushOp> ops;
        for (int seq = 501; seq <= 1000; ++seq)
            ops.push_back(receiveOp(seq, opId(1, seq), 1, "A-2", "S2"));
        const QByteArray body = pushBody(*m_dev1, ops);
        const int logged = m_server.logCount(pushLogLine(*m_dev1));

        // Send the whole request, then drop the connection without reading the answer.
        auto socket = m_server.connect(m_server.devicesPort(), &*m_dev1);
        QVERIFY2(socket->isEncrypted(), qPrintable(socket->errorString()));
        QVERIFY(ServerProcess::send(*socket, ServerProcess::requestBytes("POST", "/api/v1/sync/push", body, {})));
        socket->waitForReadyRead(20); // session tickets: read them so the close is a FIN, not a reset
        socket->readAll();
        socket->abort();

        // The server committed and answered into a closed connection: its log line says so.
        QVERIFY2(m_server.waitForLog(pushLogLine(*m_dev1), logged + 1), m_server.log().right(2000).constData());
        QCOMPARE(balance(m_server, m_admin, "S2", "A-2"), std::optional<qint64>(1000));

        const PushOutcome resent = push(m_server, *m_dev1, ops);
        QVERIFY2(resent.response, resent.http.body.constData());
        QCOMPARE(resent.response->lastApplied, std::int64_t(1000));
        QCOMPARE(resent.response->results.size(), std::size_t(500));
        for (std::size_t index = 0; index < ops.size(); ++index) {
            QCOMPARE(resent.response->results[index].opId, ops[index].opId);
            QCOMPARE(int(resent.response->results[index].outcome), int(Protocol::OperationOutcome::Applied));
        }
        QCOMPARE(balance(m_server, m_admin, "S2", "A-2"), std::optional<qint64>(1000));
        const QStringList ids = movementOpIds(m_server, m_admin, "S2");
        QCOMPARE(int(ids.size()), 1000);
        QCOMPARE(int(QSet<QString>(ids.begin(), ids.end()).size()), 1000);
        m_dev1Seq = 1000;
    }

    void gapIsRefusedWithLastApplied()
    {
        const PushOutcome gap = push(m_server, *m_dev1, {receiveOp(m_dev1Seq + 2, opId(2, 1), 1, "A-2", "S2")});
        QCOMPARE(gap.http.status, 409);
        QVERIFY2(gap.refusal, gap.http.body.constData());
        QCOMPARE(gap.refusal->error, Protocol::RefusalCode::Gap);
        QCOMPARE(gap.refusal->lastApplied, m_dev1Seq);
        QCOMPARE(balance(m_server, m_admin, "S2", "A-2"), std::optional<qint64>(1000));
    }

    void forkIsRefused()
    {
        // seq 1000 again with another op id: a restored or cloned terminal.
        const PushOutcome fork = push(m_server, *m_dev1, {receiveOp(m_dev1Seq, opId(3, 1), 1, "A-2", "S2")});
        QCOMPARE(fork.http.status, 409);
        QVERIFY2(fork.refusal, fork.http.body.constData());
        QCOMPARE(fork.refusal->error, Protocol::RefusalCode::Fork);
        QCOMPARE(fork.refusal->lastApplied, m_dev1Seq);
        QCOMPARE(balance(m_server, m_admin, "S2", "A-2"), std::optional<qint64>(1000));
    }

    void twoDevicesPickTheLastUnitOffline()
    {
        // Two units of S1 in A-1, two released orders of one unit each; then one unit moves away.
        QVERIFY(push(m_server, *m_dev1, {receiveOp(++m_dev1Seq, opId(4, 1), 2, "A-1", "S1")}).response);
        const qint64 order1 = createOrder(m_server, m_admin, QStringLiteral("LAST-1"), 1);
        const qint64 order2 = createOrder(m_server, m_admin, QStringLiteral("LAST-2"), 1);
        QVERIFY(order1 > 0 && order2 > 0);
        Protocol::MovePayload move;
        move.sku = "S1";
        move.from = "A-1";
        move.to = "DOCK";
        move.quantity = 1;
        QVERIFY(push(m_server, *m_dev1, {makeOp(++m_dev1Seq, opId(4, 2), move)}).response);
        QCOMPARE(balance(m_server, m_admin, "S1", "A-1"), std::optional<qint64>(1));
        const qint64 conflictsBefore =
            databaseCount(m_server, QStringLiteral("SELECT COUNT(*) FROM conflicts WHERE reason = 'negative_stock'"));
        QCOMPARE(conflictsBefore, qint64(0));

        // Both terminals saw one unit in A-1 and each picked it while offline.
        const auto pick1 = pickOp(++m_dev1Seq, opId(5, 1), order1);
        const auto pick2 = pickOp(++m_dev2Seq, opId(5, 2), order2);
        const PushOutcome first = push(m_server, *m_dev1, {pick1});
        const PushOutcome second = push(m_server, *m_dev2, {pick2});
        QVERIFY2(first.response && second.response, second.http.body.constData());
        QCOMPARE(int(first.response->results.at(0).outcome), int(Protocol::OperationOutcome::Applied));
        const Protocol::OpResult &late = second.response->results.at(0);
        QCOMPARE(int(late.outcome), int(Protocol::OperationOutcome::Conflict));
        QCOMPARE(late.reason, std::optional<std::string>("negative_stock"));
        QVERIFY(late.conflictId.has_value());

        QCOMPARE(balance(m_server, m_admin, "S1", "A-1"), std::optional<qint64>(-1));
        const QStringList ids = movementOpIds(m_server, m_admin, "S1");
        QVERIFY(ids.contains(QString::fromStdString(pick1.opId)));
        QVERIFY(ids.contains(QString::fromStdString(pick2.opId)));
        QCOMPARE(
            databaseCount(m_server, QStringLiteral("SELECT COUNT(*) FROM conflicts WHERE reason = 'negative_stock'")),
            qint64(1));
        QCOMPARE(orderState(m_server, m_admin, order1), QStringLiteral("picked"));
        QCOMPARE(orderState(m_server, m_admin, order2), QStringLiteral("picked"));
    }

    void pickOfAnOrderCancelledMeanwhile()
    {
        QVERIFY(push(m_server, *m_dev2, {receiveOp(++m_dev2Seq, opId(6, 1), 5, "A-2", "S1")}).response);
        const qint64 order = createOrder(m_server, m_admin, QStringLiteral("CANCEL-1"), 1);
        QVERIFY(order > 0);
        // The store cancels through the api listener while the picker is offline.
        const QString storeKey = m_server.createApiKey(QStringLiteral("shop"));
        QVERIFY(!storeKey.isEmpty());
        const HttpResult cancelled =
            m_server.api("POST", "/api/v1/orders/" + QByteArray::number(order) + "/cancel", storeKey);
        QCOMPARE(cancelled.status, 200);
        QCOMPARE(orderState(m_server, m_admin, order), QStringLiteral("cancelled"));

        const auto pick = pickOp(++m_dev2Seq, opId(6, 2), order, 1, "A-2");
        const PushOutcome pushed = push(m_server, *m_dev2, {pick});
        QVERIFY2(pushed.response, pushed.http.body.constData());
        const Protocol::OpResult &result = pushed.response->results.at(0);
        QCOMPARE(int(result.outcome), int(Protocol::OperationOutcome::Conflict));
        QCOMPARE(result.reason, std::optional<std::string>("order_cancelled"));
        QVERIFY(result.conflictId.has_value());
        // The physical pick is kept: the movement is there and the bin went down.
        QCOMPARE(balance(m_server, m_admin, "S1", "A-2"), std::optional<qint64>(4));
        QVERIFY(movementOpIds(m_server, m_admin, "S1").contains(QString::fromStdString(pick.opId)));
        QCOMPARE(databaseCount(m_server, QStringLiteral("SELECT COUNT(*) FROM conflicts WHERE op_id = ?"),
                               {QString::fromStdString(pick.opId)}),
                 qint64(1));
        QCOMPARE(orderState(m_server, m_admin, order), QStringLiteral("cancelled"));
    }

    void pullPagesOverTenThousandChanges()
    {
        QByteArray csv = "code,name,base_unit,lot_controlled,gtins\r\n";
        for (int index = 0; index < 10000; ++index)
            csv += "BULK-" + QByteArray::number(index).rightJustified(5, '0') + ",Bulk item,piece,0,\r\n";
        QVERIFY(m_server.importFile(QStringLiteral("skus"), QStringLiteral("bulk.csv"), csv));

        QMap<QString, int> seenBulk;
        QSet<qint64> versions;
        qint64 lastVersion = 0;
        QString cursor = QStringLiteral("0");
        int pages = 0;
        bool addedLate = false;
        for (;;) {
            const HttpResult page =
                m_server.sync(*m_dev1, "GET", "/api/v1/sync/pull?limit=997&cursor=" + cursor.toUtf8());
            QCOMPARE(page.status, 200);
            auto decoded = Protocol::decodePullResponse(page.body.toStdString());
            QVERIFY2(decoded, page.body.left(300).constData());
            ++pages;
            QVERIFY(decoded->changes.size() <= 997);
            QVERIFY(!decoded->changes.empty() || !decoded->hasMore);
            for (const auto &change : decoded->changes) {
                QVERIFY2(change.version > lastVersion, "versions ascend across pages");
                lastVersion = change.version;
                QVERIFY(!versions.contains(change.version));
                versions.insert(change.version);
                if (change.entity == "sku" && (change.key.starts_with("BULK-") || change.key.starts_with("LATE-")))
                    ++seenBulk[QString::fromStdString(change.key)];
            }
            if (!decoded->changes.empty())
                QCOMPARE(decoded->nextCursor, std::to_string(decoded->changes.back().version));
            cursor = QString::fromStdString(decoded->nextCursor);
            if (pages == 3 && !addedLate) {
                // Changes made while a terminal is paging arrive after the ones it already has.
                QVERIFY(m_server.importFile(QStringLiteral("skus"), QStringLiteral("late.csv"),
                                            "code,name,base_unit,lot_controlled,gtins\r\n"
                                            "LATE-1,Late item,piece,0,\r\nLATE-2,Late item,piece,0,\r\n"));
                addedLate = true;
            }
            if (!decoded->hasMore)
                break;
            QVERIFY(pages < 100);
        }
        QVERIFY(pages >= 11);
        QCOMPARE(int(seenBulk.size()), 10002);
        for (auto it = seenBulk.cbegin(); it != seenBulk.cend(); ++it)
            QVERIFY2(it.value() == 1, qPrintable(it.key()));

        // Caught up: the next pull from the last cursor is empty, then holds only what is new.
        const HttpResult empty = m_server.sync(*m_dev1, "GET", "/api/v1/sync/pull?cursor=" + cursor.toUtf8());
        auto nothing = Protocol::decodePullResponse(empty.body.toStdString());
        QVERIFY(nothing && nothing->changes.empty() && !nothing->hasMore);
        QVERIFY(push(m_server, *m_dev1, {receiveOp(++m_dev1Seq, opId(7, 1), 1, "DOCK", "S2")}).response);
        const HttpResult fresh = m_server.sync(*m_dev1, "GET", "/api/v1/sync/pull?cursor=" + cursor.toUtf8());
        auto next = Protocol::decodePullResponse(fresh.body.toStdString());
        QVERIFY(next && !next->changes.empty());
        QVERIFY(next->changes.front().version > lastVersion);
        QCOMPARE(next->changes.back().entity, std::string("stock"));
        QCOMPARE(next->changes.back().key, std::string("S2|DOCK|"));
    }
};

QTEST_GUILESS_MAIN(TestE2eSync)
#include "tst_e2e_sync.moc"
