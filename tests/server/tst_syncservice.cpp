#include <QTest>

#include <set>
#include <thread>

#include "server/sync/syncservice.h"
#include "tests/server/serverfixture.h"

using namespace TestSupport;
using namespace Common::Protocol;
using Server::Sync::SyncService;

namespace {

const PushResponse &applied(const Common::Result<Server::Sync::PushAnswer> &answer)
{
    if (!answer)
        qFatal("push failed: %s", answer.error().message.c_str());
    if (!std::holds_alternative<PushResponse>(*answer))
        qFatal("push refused: %s", std::get<Refusal>(*answer).message.c_str());
    return std::get<PushResponse>(*answer);
}

const Refusal &refused(const Common::Result<Server::Sync::PushAnswer> &answer)
{
    if (!answer)
        qFatal("push failed: %s", answer.error().message.c_str());
    if (!std::holds_alternative<Refusal>(*answer))
        qFatal("push was not refused");
    return std::get<Refusal>(*answer);
}

std::size_t movementCount(ServerWorld &world, const char *sku = "S1")
{
    auto rows = world.store->movements(sku, 0, 100000);
    return rows ? rows->size() : 0;
}

} // namespace

class TestSyncService : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase_data() { addBackendRows(); }
    void init() { SOKO_CHECK_BACKEND(); }

    void pushTwiceAppliesOnce()
    {
        ServerWorld world(true); // durable commits, as in production
        SyncService sync(*world.store);
        const auto request =
            makePush(dev1, {makeOp(1, opId(1, 1), receive("A-1", 10)), makeOp(2, opId(1, 2), receive("A-2", 5))});
        const auto first = sync.push(world.device(dev1), request);
        const PushResponse firstResponse = applied(first);
        QCOMPARE(firstResponse.lastApplied, std::int64_t(2));
        QCOMPARE(firstResponse.results.size(), std::size_t(2));
        QCOMPARE(firstResponse.results[0].outcome, OperationOutcome::Applied);

        const auto second = sync.push(world.device(dev1), request);
        QVERIFY(applied(second) == firstResponse); // identical answer (J15)
        QCOMPARE(world.balance("A-1"), Quantity(10));
        QCOMPARE(world.balance("A-2"), Quantity(5));
        QCOMPARE(movementCount(world), std::size_t(2));
    }

    void responseLostResendWithNewOps()
    {
        ServerWorld world;
        SyncService sync(*world.store);
        applied(sync.push(world.device(dev1), makePush(dev1, {makeOp(1, opId(1, 1), receive("A-1", 3)),
                                                              makeOp(2, opId(1, 2), receive("A-1", 4))})));
        // The terminal never saw the answer and resends 1..2 together with a new op 3.
        const auto answer = sync.push(world.device(dev1), makePush(dev1, {makeOp(1, opId(1, 1), receive("A-1", 3)),
                                                                          makeOp(2, opId(1, 2), receive("A-1", 4)),
                                                                          makeOp(3, opId(1, 3), receive("A-1", 5))}));
        const PushResponse &response = applied(answer);
        QCOMPARE(response.lastApplied, std::int64_t(3));
        QCOMPARE(response.results.size(), std::size_t(3));
        QCOMPARE(world.balance("A-1"), Quantity(12));
        QCOMPARE(movementCount(world), std::size_t(3));
    }

    void gapRefusedWithLastApplied()
    {
        ServerWorld world;
        SyncService sync(*world.store);
        applied(sync.push(world.device(dev1), makePush(dev1, {makeOp(1, opId(1, 1), receive("A-1", 3))})));
        const auto answer = sync.push(world.device(dev1), makePush(dev1, {makeOp(3, opId(1, 3), receive("A-1", 4)),
                                                                          makeOp(4, opId(1, 4), receive("A-1", 4))}));
        const Refusal &refusal = refused(answer);
        QCOMPARE(refusal.error, RefusalCode::Gap);
        QCOMPARE(refusal.lastApplied, std::int64_t(1));
        QCOMPARE(world.balance("A-1"), Quantity(3));
        QCOMPARE(*world.store->lastApplied(dev1, 1), std::int64_t(1));
    }

    void forkRefusedThenNewIncarnation()
    {
        ServerWorld world;
        SyncService sync(*world.store);
        applied(sync.push(world.device(dev1), makePush(dev1, {makeOp(1, opId(1, 1), receive("A-1", 3)),
                                                              makeOp(2, opId(1, 2), receive("A-1", 4))})));
        // A terminal restored from a backup made its own seq 2 and 3: different op ids.
        const auto answer = sync.push(world.device(dev1), makePush(dev1, {makeOp(2, opId(9, 2), receive("A-1", 100)),
                                                                          makeOp(3, opId(9, 3), receive("A-1", 100))}));
        const Refusal &refusal = refused(answer);
        QCOMPARE(refusal.error, RefusalCode::Fork);
        QCOMPARE(refusal.lastApplied, std::int64_t(2));
        QCOMPARE(world.balance("A-1"), Quantity(7)); // nothing of the forked batch

        const auto incarnation = sync.newIncarnation(world.device(dev1));
        QVERIFY(incarnation);
        QCOMPARE(incarnation->incarnation, std::int64_t(2));
        QCOMPARE(incarnation->lastApplied, std::int64_t(0));
        auto conflicts = world.store->conflicts(std::string("TKY1"), 10);
        QVERIFY(conflicts && conflicts->size() == 1 && conflicts->front().reason == "device_fork");

        // The old incarnation is retired for everyone still using it (the clone).
        const auto stale = sync.push(world.device(dev1), makePush(dev1, {makeOp(3, opId(1, 3), receive("A-1", 1))}));
        QCOMPARE(refused(stale).error, RefusalCode::IncarnationRetired);

        // Renumbered from 1: op 9/2 is new, op 1/2 (already applied at incarnation 1) is not applied again.
        const auto renumbered = sync.push(world.device(dev1), makePush(dev1,
                                                                       {makeOp(1, opId(1, 2), receive("A-1", 4)),
                                                                        makeOp(2, opId(9, 2), receive("A-1", 100)),
                                                                        makeOp(3, opId(9, 3), receive("A-1", 100))},
                                                                       2));
        const PushResponse &response = applied(renumbered);
        QCOMPARE(response.incarnation, std::int64_t(2));
        QCOMPARE(response.lastApplied, std::int64_t(3));
        QCOMPARE(world.balance("A-1"), Quantity(207));
        QCOMPARE(movementCount(world), std::size_t(4));
    }

    void forkInsideBatchAppliesNothing()
    {
        ServerWorld world;
        SyncService sync(*world.store);
        applied(sync.push(world.device(dev1), makePush(dev1, {makeOp(1, opId(1, 1), receive("A-1", 3))})));
        const auto answer = sync.push(world.device(dev1), makePush(dev1, {makeOp(1, opId(7, 1), receive("A-1", 1)),
                                                                          makeOp(2, opId(7, 2), receive("A-1", 1))}));
        QCOMPARE(refused(answer).error, RefusalCode::Fork);
        QCOMPARE(world.balance("A-1"), Quantity(3));
        QCOMPARE(*world.store->lastApplied(dev1, 1), std::int64_t(1));
    }

    void twoDevicesPickTheLastUnit()
    {
        ServerWorld world;
        SyncService sync(*world.store);
        applied(sync.push(world.device(dev2), makePush(dev2, {makeOp(1, opId(2, 1), receive("A-1", 1))})));
        const std::int64_t first = world.releasedOrder("R-1", 1);
        const std::int64_t second = world.releasedOrder("R-2", 1);
        // Both terminals were offline and each picked "the last unit".
        const auto a = sync.push(world.device(dev1), makePush(dev1, {makeOp(1, opId(1, 1), pick(first, "A-1", 1))}));
        const auto b = sync.push(world.device(dev2), makePush(dev2, {makeOp(2, opId(2, 2), pick(second, "A-1", 1))}));
        const OpResult &resultA = applied(a).results.at(0);
        const OpResult &resultB = applied(b).results.at(0);
        QCOMPARE(resultA.outcome, OperationOutcome::Applied);
        QCOMPARE(resultB.outcome, OperationOutcome::Conflict);
        QCOMPARE(resultB.reason.value_or(""), std::string("negative_stock"));
        QVERIFY(resultB.conflictId.has_value());
        QCOMPARE(world.balance("A-1"), Quantity(-1));
        auto conflicts = world.store->conflicts(std::string("TKY1"), 10);
        QVERIFY(conflicts);
        QCOMPARE(conflicts->size(), std::size_t(1));
        QCOMPARE(conflicts->front().id, *resultB.conflictId);
        // Both orders progressed: the physical picks happened.
        QCOMPARE((*world.store->order(first))->state, Common::Domain::OrderState::Picked);
        QCOMPARE((*world.store->order(second))->state, Common::Domain::OrderState::Picked);
    }

    void concurrentPicksOfTheLastUnit()
    {
        // R54: many terminals push a pick of the last unit at the same moment from worker threads.
        ServerWorld world(true);
        SyncService sync(*world.store);
        applied(sync.push(world.device(dev1), makePush(dev1, {makeOp(1, opId(1, 1), receive("A-1", 1))})));
        constexpr int pickers = 8;
        std::vector<Server::Storage::DeviceRecord> devices;
        std::vector<std::int64_t> orders;
        for (int i = 0; i < pickers; ++i) {
            const std::string id = opId(100 + i, 0);
            QVERIFY(world.store->insertDevice({id,
                                               "TKY1",
                                               "P" + std::to_string(i),
                                               "B" + std::to_string(i),
                                               Server::Storage::DeviceStatus::Active,
                                               1,
                                               {}}));
            devices.push_back(*(*world.store->device(id)));
            orders.push_back(world.releasedOrder("P-" + std::to_string(i), 1));
        }
        std::vector<Common::Result<Server::Sync::PushAnswer>> answers(
            pickers, Common::fail(Common::ErrorCode::Internal, "not run"));
        std::vector<std::thread> threads;
        for (int i = 0; i < pickers; ++i)
            threads.emplace_back([&, i] {
                // Each request on its own leased connection, as the api does it.
                auto lease = world.pool->acquire();
                if (!lease)
                    qFatal("lease: %s", lease.error().message.c_str());
                SyncService worker(**lease);
                answers[static_cast<std::size_t>(i)] = worker.push(
                    devices[static_cast<std::size_t>(i)],
                    makePush(devices[static_cast<std::size_t>(i)].id.c_str(),
                             {makeOp(1, opId(200 + i, 1), pick(orders[static_cast<std::size_t>(i)], "A-1", 1))}));
            });
        for (auto &thread : threads)
            thread.join();
        int clean = 0;
        int conflicts = 0;
        for (const auto &answer : answers) {
            const OpResult &result = applied(answer).results.at(0);
            clean += result.outcome == OperationOutcome::Applied;
            conflicts += result.outcome == OperationOutcome::Conflict;
        }
        QCOMPARE(clean, 1);
        QCOMPARE(conflicts, pickers - 1);
        QCOMPARE(world.balance("A-1"), Quantity(1 - pickers));
        QCOMPARE(movementCount(world), std::size_t(pickers + 1));
    }

    void pickForCancelledOrder()
    {
        ServerWorld world;
        SyncService sync(*world.store);
        applied(sync.push(world.device(dev1), makePush(dev1, {makeOp(1, opId(1, 1), receive("A-1", 5))})));
        const std::int64_t order = world.releasedOrder("R-9", 2);
        QVERIFY(world.store->setOrderState(order, Common::Domain::OrderState::Cancelled, "TKY1"));
        const auto answer =
            sync.push(world.device(dev1), makePush(dev1, {makeOp(2, opId(1, 2), pick(order, "A-1", 2))}));
        const OpResult &result = applied(answer).results.at(0);
        QCOMPARE(result.outcome, OperationOutcome::Conflict);
        QCOMPARE(result.reason.value_or(""), std::string("order_cancelled"));
        QCOMPARE(world.balance("A-1"), Quantity(3)); // the movement is kept
        QCOMPARE(movementCount(world), std::size_t(2));
        QCOMPARE((*world.store->order(order))->state, Common::Domain::OrderState::Cancelled);
    }

    void rejectionsAreKept_data()
    {
        QTest::addColumn<int>("kind");
        QTest::addColumn<QString>("reason");
        QTest::newRow("unknown SKU") << 0 << QStringLiteral("unknown_sku");
        QTest::newRow("unknown location") << 1 << QStringLiteral("unknown_location");
        QTest::newRow("lot required") << 2 << QStringLiteral("lot_required");
        QTest::newRow("other warehouse's order") << 3 << QStringLiteral("unknown_order");
        QTest::newRow("unknown operator") << 4 << QStringLiteral("unknown_operator");
    }
    void rejectionsAreKept()
    {
        QFETCH(int, kind);
        QFETCH(QString, reason);
        ServerWorld world;
        SyncService sync(*world.store);
        Payload payload = receive("A-1", 1);
        if (kind == 0)
            payload = receive("A-1", 1, "NOPE");
        else if (kind == 1)
            payload = receive("Z-9", 1);
        else if (kind == 2)
            payload = receive("A-1", 1, "S2");
        std::int64_t osakaOrder = 0;
        if (kind == 3) {
            Common::Domain::Order order;
            order.store = "shop";
            order.orderNumber = "OSA-1";
            order.lines.push_back({1, "S1", 1, 0});
            osakaOrder = *world.store->insertOrder(order);
            QVERIFY(world.store->setOrderState(osakaOrder, Common::Domain::OrderState::Released, "OSA1"));
            payload = pick(osakaOrder, "A-1", 1);
        }
        PushOp op = makeOp(1, opId(1, 1), payload);
        if (kind == 4)
            op.operatorId = "OP-404";
        const auto answer =
            sync.push(world.device(dev1), makePush(dev1, {op, makeOp(2, opId(1, 2), receive("A-2", 1))}));
        const PushResponse &response = applied(answer);
        QCOMPARE(response.results.at(0).outcome, OperationOutcome::Rejected);
        QCOMPARE(QString::fromStdString(response.results.at(0).reason.value_or("")), reason);
        QCOMPARE(response.results.at(1).outcome, OperationOutcome::Applied); // the rest of the batch goes on
        QCOMPARE(response.lastApplied, std::int64_t(2));
        auto rejections = world.store->rejections(dev1, 10);
        QVERIFY(rejections);
        QCOMPARE(rejections->size(), std::size_t(1));
        QCOMPARE(QString::fromStdString(rejections->front().reason), reason);
        QVERIFY(!rejections->front().payloadJson.empty());
        QCOMPARE(world.balance("A-1"), Quantity(0)); // nothing of the rejected op
        if (kind == 3)
            QCOMPARE((*world.store->order(osakaOrder))->state, Common::Domain::OrderState::Released);
    }

    void opsOfAnotherDeviceRefused()
    {
        ServerWorld world;
        SyncService sync(*world.store);
        const auto answer = sync.push(world.device(dev1), makePush(dev2, {makeOp(1, opId(1, 1), receive("A-1", 5))}));
        QVERIFY(!answer);
        QCOMPARE(answer.error().code, Common::ErrorCode::Forbidden);
        QCOMPARE(world.balance("A-1"), Quantity(0));
        QCOMPARE(*world.store->lastApplied(dev2, 1), std::int64_t(0));
    }

    void revokedDeviceStopsTheBatch()
    {
        ServerWorld world;
        SyncService sync(*world.store);
        const auto device = world.device(dev1); // authenticated a moment ago
        QVERIFY(world.store->setDeviceStatus(dev1, Server::Storage::DeviceStatus::Revoked));
        const auto answer = sync.push(device, makePush(dev1, {makeOp(1, opId(1, 1), receive("A-1", 5))}));
        QVERIFY(!answer);
        QCOMPARE(answer.error().code, Common::ErrorCode::Unauthorized);
        QCOMPARE(world.balance("A-1"), Quantity(0));
    }

    void epochChangedRefused()
    {
        ServerWorld world;
        SyncService sync(*world.store);
        auto request = makePush(dev1, {makeOp(1, opId(1, 1), receive("A-1", 5))});
        request.epoch = *world.store->epoch();
        applied(sync.push(world.device(dev1), request));
        const std::string restored = *world.store->rotateEpoch();
        request.ops = {makeOp(2, opId(1, 2), receive("A-1", 5))};
        const auto answer = sync.push(world.device(dev1), request);
        const Refusal &refusal = refused(answer);
        QCOMPARE(refusal.error, RefusalCode::EpochChanged);
        QCOMPARE(refusal.epoch, restored);
        QCOMPARE(refusal.lastApplied, std::int64_t(1));
        QCOMPARE(world.balance("A-1"), Quantity(5));
    }

    void countBecomesAdjustment()
    {
        ServerWorld world;
        SyncService sync(*world.store);
        applied(sync.push(world.device(dev1), makePush(dev1, {makeOp(1, opId(1, 1), receive("A-1", 10))})));
        // Another terminal picked 2 the counter had not seen: the count (8 found, 10 expected)
        // must still only adjust by −2.
        const std::int64_t order = world.releasedOrder("R-1", 2);
        applied(sync.push(world.device(dev2), makePush(dev2, {makeOp(1, opId(2, 1), pick(order, "A-1", 2))})));
        const auto answer = sync.push(
            world.device(dev1), makePush(dev1, {makeOp(2, opId(1, 2), CountPayload{"A-1", "S1", std::nullopt, 8, 10}),
                                                makeOp(3, opId(1, 3), CountPayload{"A-2", "S1", std::nullopt, 0, 0})}));
        const PushResponse &response = applied(answer);
        QCOMPARE(response.results[0].outcome, OperationOutcome::Conflict);
        QCOMPARE(response.results[0].reason.value_or(""), std::string("count_difference"));
        QCOMPARE(response.results[1].outcome, OperationOutcome::Applied);
        QCOMPARE(world.balance("A-1"), Quantity(6));
        auto movements = world.store->movements("S1", 0, 100);
        QVERIFY(movements);
        QCOMPARE(movements->back().movement.quantityDelta, Quantity(-2));
        QCOMPARE(movements->back().movement.reason, Common::Domain::MovementReason::CountAdjustment);
    }

    void moveAndShipFlow()
    {
        ServerWorld world;
        SyncService sync(*world.store);
        const std::int64_t order = world.releasedOrder("R-5", 2);
        const auto answer =
            sync.push(world.device(dev1),
                      makePush(dev1, {makeOp(1, opId(1, 1), receive("DOCK", 4)),
                                      makeOp(2, opId(1, 2), PutawayPayload{{"S1", "DOCK", "A-1", std::nullopt, 4}}),
                                      makeOp(3, opId(1, 3), MovePayload{"S1", "A-1", "A-2", std::nullopt, 1}),
                                      makeOp(4, opId(1, 4), pick(order, "A-1", 2)),
                                      makeOp(5, opId(1, 5), PackPayload{order, std::nullopt, std::nullopt}),
                                      makeOp(6, opId(1, 6), ShipPayload{order, std::nullopt, "TRK-1", "yamato"})}));
        const PushResponse &response = applied(answer);
        for (const OpResult &result : response.results)
            QCOMPARE(result.outcome, OperationOutcome::Applied);
        QCOMPARE(world.balance("DOCK"), Quantity(0));
        QCOMPARE(world.balance("A-1"), Quantity(1));
        QCOMPARE(world.balance("A-2"), Quantity(1));
        QCOMPARE((*world.store->order(order))->state, Common::Domain::OrderState::Shipped);
        // Shipping twice is an order-state conflict, not a crash.
        const auto again =
            sync.push(world.device(dev1),
                      makePush(dev1, {makeOp(7, opId(1, 7), ShipPayload{order, std::nullopt, "TRK-2", "sagawa"})}));
        QCOMPARE(applied(again).results[0].reason.value_or(""), std::string("order_state"));
    }

    void pullPagesEachChangeOnce()
    {
        ServerWorld world;
        SyncService sync(*world.store);
        // 10,000 changes in three scopes: TKY1, OSA1 and global.
        {
            Server::Storage::Transaction transaction(*world.store);
            QVERIFY(transaction.started());
            for (int i = 0; i < 10000; ++i) {
                std::optional<std::string> scope;
                if (i % 3 == 0)
                    scope = "TKY1";
                else if (i % 3 == 1)
                    scope = "OSA1";
                const std::string data = R"({"n":)" + std::to_string(i) + "}";
                QVERIFY(world.store->appendChange({0, scope, "test", "k" + std::to_string(i), data}));
            }
            QVERIFY(transaction.commit());
        }
        bool more = false;
        auto all = world.store->changes("TKY1", 0, 100000, 1u << 30, more);
        QVERIFY(all);
        const std::size_t expected = all->size();
        QVERIFY(expected > 6666); // fixture rows + the TKY1 and global test rows

        for (const int pageSize : {1, 333, 1000, 5000}) {
            std::string cursor = "0";
            std::set<std::int64_t> seen;
            std::int64_t previous = 0;
            int pages = 0;
            for (;;) {
                const auto answer = sync.pull(world.device(dev1), cursor, pageSize, std::nullopt);
                QVERIFY(answer && std::holds_alternative<PullResponse>(*answer));
                const PullResponse &page = std::get<PullResponse>(*answer);
                ++pages;
                QVERIFY(page.changes.size() <= static_cast<std::size_t>(pageSize));
                for (const Change &change : page.changes) {
                    QVERIFY(change.version > previous);
                    previous = change.version;
                    QVERIFY(seen.insert(change.version).second);
                    QVERIFY(change.key != "k1"); // an OSA1 row never reaches a TKY1 device
                }
                if (!page.changes.empty())
                    QCOMPARE(page.nextCursor, std::to_string(page.changes.back().version));
                cursor = page.nextCursor;
                if (!page.hasMore)
                    break;
                QCOMPARE(page.changes.size(), static_cast<std::size_t>(pageSize));
            }
            QCOMPARE(seen.size(), expected);
            QCOMPARE(pages, static_cast<int>((expected + pageSize - 1) / pageSize));
        }
        // An empty page after the end keeps the cursor.
        const std::string end = std::to_string(*world.store->latestVersion());
        const auto after = sync.pull(world.device(dev1), end, 10, std::nullopt);
        QVERIFY(after && std::get<PullResponse>(*after).changes.empty());
        QCOMPARE(std::get<PullResponse>(*after).nextCursor, end);
    }

    void pullByteLimit()
    {
        ServerWorld world;
        Server::Sync::SyncLimits limits;
        limits.maxPageBytes = 4096;
        SyncService sync(*world.store, limits);
        for (int i = 0; i < 20; ++i)
            QVERIFY(world.store->appendChange({0, std::string("TKY1"), "test", "big" + std::to_string(i),
                                               R"({"blob":")" + std::string(1000, 'x') + R"("})"}));
        const auto answer =
            sync.pull(world.device(dev1), std::to_string(*world.store->latestVersion() - 20), 1000, std::nullopt);
        QVERIFY(answer);
        const PullResponse &page = std::get<PullResponse>(*answer);
        QVERIFY(page.hasMore);
        QVERIFY(page.changes.size() >= 1 && page.changes.size() <= 4);
    }

    void snapshotRequired()
    {
        ServerWorld world;
        SyncService sync(*world.store);
        const std::int64_t order = world.releasedOrder("R-1", 1);
        QVERIFY(world.store->setOrderState(order, Common::Domain::OrderState::Allocated, "OSA1")); // tombstone in TKY1
        const std::int64_t latest = *world.store->latestVersion();
        auto removed = world.store->compactChangeLog(latest);
        QVERIFY(removed && *removed > 0);
        QVERIFY(*world.store->compactedThrough() > 1);

        auto answer = sync.pull(world.device(dev1), "1", 10, std::nullopt);
        QVERIFY(answer && std::holds_alternative<Refusal>(*answer));
        QCOMPARE(std::get<Refusal>(*answer).error, RefusalCode::SnapshotRequired);
        // From scratch always works and still holds the latest state of every key.
        answer = sync.pull(world.device(dev1), "0", 1000, std::nullopt);
        QVERIFY(answer && std::holds_alternative<PullResponse>(*answer));
        QVERIFY(!std::get<PullResponse>(*answer).changes.empty());
        // A stale epoch or a garbage cursor.
        answer = sync.pull(world.device(dev1), "0", 10, std::string("00000000-0000-4000-8000-000000000000"));
        QVERIFY(answer && std::holds_alternative<Refusal>(*answer));
        QVERIFY(!sync.pull(world.device(dev1), "-1", 10, std::nullopt));
        QVERIFY(!sync.pull(world.device(dev1), "01", 10, std::nullopt));
        QVERIFY(!sync.pull(world.device(dev1), "0", 5001, std::nullopt));
    }
};

QTEST_GUILESS_MAIN(TestSyncService)
#include "tst_syncservice.moc"
