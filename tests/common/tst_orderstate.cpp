#include <QTest>

#include "common/domain/order.h"

using Common::Domain::OrderState;

Q_DECLARE_METATYPE(OrderState)

// The order life cycle of DESIGN.md: every allowed and a sample of refused transitions.
class TestOrderState : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void transitions_data()
    {
        QTest::addColumn<OrderState>("from");
        QTest::addColumn<OrderState>("to");
        QTest::addColumn<bool>("allowed");
        QTest::newRow("import→allocate") << OrderState::Imported << OrderState::Allocated << true;
        QTest::newRow("allocate→release") << OrderState::Allocated << OrderState::Released << true;
        QTest::newRow("release→picking") << OrderState::Released << OrderState::Picking << true;
        QTest::newRow("picking→picked") << OrderState::Picking << OrderState::Picked << true;
        QTest::newRow("picked→packed") << OrderState::Picked << OrderState::Packed << true;
        QTest::newRow("packed→shipped") << OrderState::Packed << OrderState::Shipped << true;
        QTest::newRow("picking→cancelled") << OrderState::Picking << OrderState::Cancelled << true;
        QTest::newRow("shipped→cancelled") << OrderState::Shipped << OrderState::Cancelled << false;
        QTest::newRow("cancelled→released") << OrderState::Cancelled << OrderState::Released << false;
        QTest::newRow("imported→shipped") << OrderState::Imported << OrderState::Shipped << false;
        QTest::newRow("picked→picking") << OrderState::Picked << OrderState::Picking << false;
    }
    void transitions()
    {
        QFETCH(OrderState, from);
        QFETCH(OrderState, to);
        QFETCH(bool, allowed);
        QCOMPARE(Common::Domain::isValidTransition(from, to), allowed);
    }
    void namesRoundTrip()
    {
        for (int i = 0; i <= static_cast<int>(OrderState::Cancelled); ++i) {
            const auto state = static_cast<OrderState>(i);
            const auto name = Common::Domain::orderStateName(state);
            QVERIFY(name != "unknown");
            QCOMPARE(Common::Domain::orderStateFromName(name), std::optional<OrderState>(state));
        }
        QVERIFY(!Common::Domain::orderStateFromName("Shipped").has_value());
    }
};

QTEST_GUILESS_MAIN(TestOrderState)
#include "tst_orderstate.moc"
