#include <QTest>

#include "tests/soak/soakrun.h"

// The short, fixed-seed soak (issue 7 "Nothing lost"; tests/soak/README.md): six terminals with
// the real sync engine and SQLite files, two soko-server processes on the throwaway PostgreSQL
// (SOKO_TEST_PG_URL / SOKO_TEST_PG_ADMIN_URL; without them the test FAILS), fault proxies,
// server SIGKILLs and terminal kills for 60 s, then heal and check every invariant.
class TestSoakShort : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void fixedSeedSoakLosesNothing()
    {
        Soak::Options options;
        options.seconds = 60;
        options.seed = 20261130;
        options.terminals = 6;
        options.healSeconds = 90;
        options.reproduceCommand = QStringLiteral("ctest -R tst_soak_short (or scripts/soak.sh 60 20261130)");
        const Soak::Report report = Soak::run(options, [](const QString &line) { qInfo("%s", qPrintable(line)); });
        QVERIFY2(report.ok(), qPrintable(report.violations.mid(0, 20).join(QLatin1Char('\n'))));
        // The run did real work under real faults (a soak that injected nothing proves nothing).
        QVERIFY2(report.figures.size() >= 7, "no figures");
    }
};

QTEST_GUILESS_MAIN(TestSoakShort)
#include "tst_soak_short.moc"
