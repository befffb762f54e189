// Keyboard-wedge scanner input: fast bursts become one scan and never reach the focused field;
// slow human typing does.
#include <QLineEdit>
#include <QSignalSpy>
#include <QTest>

#include "client/scanning/wedgescansource.h"

class TestWedgeScanSource : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init()
    {
        m_field = std::make_unique<QLineEdit>();
        m_field->show();
        m_field->setFocus();
        QVERIFY(QTest::qWaitForWindowExposed(m_field.get()));
        m_source = std::make_unique<WedgeScanSource>(WedgeScanSource::Settings{80, 4, QLatin1Char('~')}, nullptr);
        qApp->installEventFilter(m_source.get());
    }
    void cleanup()
    {
        qApp->removeEventFilter(m_source.get());
        m_source.reset();
        m_field.reset();
    }

    void fastBurstIsOneScan_data()
    {
        QTest::addColumn<QString>("typed");
        QTest::addColumn<int>("terminator");
        QTest::addColumn<QString>("expected");
        QTest::newRow("JAN + Enter") << QStringLiteral("4901780188352") << int(Qt::Key_Return)
                                     << QStringLiteral("4901780188352");
        QTest::newRow("location + Tab") << QStringLiteral("A-01-02-1") << int(Qt::Key_Tab) << QStringLiteral("A-01-02-1");
        QTest::newRow("GS1 with GS") << QStringLiteral("0109501101530003") + QChar(0x1d) + QStringLiteral("10LOT7")
                                     << int(Qt::Key_Enter)
                                     << QStringLiteral("0109501101530003") + QChar(0x1d) + QStringLiteral("10LOT7");
        QTest::newRow("GS1 with substitute") << QStringLiteral("10LOT7~17270331") << int(Qt::Key_Return)
                                             << QStringLiteral("10LOT7") + QChar(0x1d) + QStringLiteral("17270331");
    }
    void fastBurstIsOneScan()
    {
        QFETCH(QString, typed);
        QFETCH(int, terminator);
        QFETCH(QString, expected);
        QSignalSpy spy(m_source.get(), &WedgeScanSource::scanned);
        typeFast(typed);
        QTest::keyClick(m_field.get(), Qt::Key(terminator));
        QCOMPARE(spy.size(), 1);
        QCOMPARE(spy.at(0).at(0).value<ScanEvent>().text, expected);
        QCOMPARE(spy.at(0).at(0).value<ScanEvent>().origin, ScanOrigin::Wedge);
        QTest::qWait(200); // nothing is replayed later either
        QCOMPARE(m_field->text(), QString());
    }

    void twoScansInARow()
    {
        QSignalSpy spy(m_source.get(), &WedgeScanSource::scanned);
        typeFast(QStringLiteral("OP-0001"));
        QTest::keyClick(m_field.get(), Qt::Key_Return);
        typeFast(QStringLiteral("SO-1001"));
        QTest::keyClick(m_field.get(), Qt::Key_Return);
        QCOMPARE(spy.size(), 2);
        QCOMPARE(spy.at(1).at(0).value<ScanEvent>().text, QStringLiteral("SO-1001"));
        QCOMPARE(m_field->text(), QString());
    }

    void slowTypingReachesTheField()
    {
        QSignalSpy spy(m_source.get(), &WedgeScanSource::scanned);
        QTest::keyClicks(m_field.get(), QStringLiteral("2468~"), Qt::NoModifier, 150);
        QTest::qWait(150);
        QCOMPARE(m_field->text(), QStringLiteral("2468~"));
        QTest::keyClick(m_field.get(), Qt::Key_Return);
        QCOMPARE(spy.size(), 0);
    }

    void shortBurstIsTyping()
    {
        QSignalSpy spy(m_source.get(), &WedgeScanSource::scanned);
        typeFast(QStringLiteral("12"));
        QTest::keyClick(m_field.get(), Qt::Key_Return);
        QCOMPARE(spy.size(), 0);
        QCOMPARE(m_field->text(), QStringLiteral("12")); // replayed in order before the Enter
    }

    void pauseInsideBurstIsTyping()
    {
        QSignalSpy spy(m_source.get(), &WedgeScanSource::scanned);
        typeFast(QStringLiteral("49017"));
        QTest::qWait(200);
        typeFast(QStringLiteral("80188352"));
        QTest::qWait(200);
        QCOMPARE(spy.size(), 0);
        QCOMPARE(m_field->text(), QStringLiteral("4901780188352"));
    }

private:
    void typeFast(const QString &text)
    {
        // QTest::keyClicks with no delay sends every key at once: a scanner's burst.
        for (QChar c : text) {
            if (c == QChar(0x1d)) // GS as a scanner sends it: no key code, text ASCII 29
                QTest::sendKeyEvent(QTest::Click, m_field.get(), Qt::Key_unknown, QString(c), Qt::NoModifier);
            else
                QTest::keyClicks(m_field.get(), QString(c));
        }
    }

    std::unique_ptr<QLineEdit> m_field;
    std::unique_ptr<WedgeScanSource> m_source;
};

QTEST_MAIN(TestWedgeScanSource)
#include "tst_wedgescansource.moc"
