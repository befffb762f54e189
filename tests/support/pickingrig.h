#pragma once
#include "client/scanning/scanrouter.h"
#include "client/storage/localdatabase.h"
#include "client/storage/orderrepository.h"
#include "client/storage/outboxrepository.h"
#include "client/storage/skurepository.h"
#include "client/workflows/pickingworkflow.h"
#include "client/workflows/session.h"
#include "tests/support/fakescansource.h"

namespace TestSupport {

// The picking screen's parts on `database`, as the terminal wires them: operator op-1 (Sato)
// logged in, scans injected through `source` reach `picking` by the scan router.
struct PickingRig
{
    explicit PickingRig(LocalDatabase &database)
        : orders(database)
        , skus(database)
        , outbox(database)
        , picking(database, orders, skus, outbox, session)
    {
        session.logIn(QStringLiteral("op-1"), QStringLiteral("Sato"));
        router.addSource(&source);
        router.setConsumer(&picking);
    }

    OrderRepository orders;
    SkuRepository skus;
    OutboxRepository outbox;
    Session session;
    PickingWorkflow picking;
    ScanRouter router;
    FakeScanSource source;
};

} // namespace TestSupport
