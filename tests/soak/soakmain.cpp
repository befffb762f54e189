// soko-soak: the randomized soak of issue 7 "Nothing lost" (tests/soak/README.md).
//   soko-soak [SECONDS] [SEED] [--terminals N] [--heal SECONDS]
// Needs SOKO_TEST_PG_URL / SOKO_TEST_PG_ADMIN_URL (scripts/soak.sh starts a throwaway
// PostgreSQL). Exit status: 0 = every invariant holds, 1 = a violation (named on stderr, with the
// seed and the command to reproduce), 2 = bad arguments.
#include <QCoreApplication>
#include <QStringList>

#include <cstdio>
#include <random>

#include "tests/soak/soakrun.h"

int main(int argc, char **argv)
{
    QCoreApplication application(argc, argv);
    QStringList arguments = QCoreApplication::arguments().mid(1);
    Soak::Options options;
    options.seed = std::random_device()();
    QStringList positional;
    for (qsizetype index = 0; index < arguments.size(); ++index) {
        const QString &argument = arguments[index];
        bool ok = true;
        if ((argument == QLatin1String("--terminals") || argument == QLatin1String("--heal")) &&
            index + 1 < arguments.size()) {
            const bool terminals = argument == QLatin1String("--terminals");
            const int value = arguments[++index].toInt(&ok);
            (terminals ? options.terminals : options.healSeconds) = value;
            ok = ok && value > 0 && value <= (terminals ? 64 : 3600); // terminals 1..64, heal 1 s..1 h
        } else if (argument.startsWith(QLatin1Char('-'))) {
            ok = false;
        } else {
            positional << argument;
        }
        if (!ok || positional.size() > 2) {
            std::fprintf(stderr,
                         "usage: soko-soak [SECONDS] [SEED] [--terminals N] [--heal SECONDS]\n"
                         "bad argument: %s\n",
                         qPrintable(argument));
            return 2;
        }
    }
    bool ok = true;
    if (!positional.isEmpty())
        options.seconds = positional[0].toInt(&ok);
    if (!ok || options.seconds < 1 || options.seconds > 7 * 24 * 3600) {
        std::fprintf(stderr, "soko-soak: SECONDS must be a whole number from 1 to 604800 (a week), not %s\n",
                     qPrintable(positional[0]));
        return 2;
    }
    if (positional.size() > 1)
        options.seed = positional[1].toULongLong(&ok);
    if (!ok) {
        std::fprintf(stderr, "soko-soak: SEED must be an unsigned integer, not %s\n", qPrintable(positional[1]));
        return 2;
    }
    options.reproduceCommand = QStringLiteral("./scripts/dev.sh soak %1 %2   (or scripts/soak.sh %1 %2)")
                                   .arg(options.seconds)
                                   .arg(options.seed);
    QStringList extra; // non-default options, so the line reproduces exactly this run
    if (options.terminals != Soak::Options().terminals)
        extra << QStringLiteral("--terminals %1").arg(options.terminals);
    if (options.healSeconds != Soak::Options().healSeconds)
        extra << QStringLiteral("--heal %1").arg(options.healSeconds);
    if (!extra.isEmpty())
        options.reproduceCommand += QStringLiteral(" with SOKO_SOAK_ARGS='%1'").arg(extra.join(QLatin1Char(' ')));
    const Soak::Report report = Soak::run(options, [](const QString &line) {
        std::fprintf(stderr, "%s\n", qPrintable(line));
        std::fflush(stderr);
    });
    if (!report.ok()) {
        std::fprintf(stderr, "soko-soak: %lld violation(s); first: %s\n", qlonglong(report.violations.size()),
                     qPrintable(report.violations.first()));
        return 1;
    }
    return 0;
}
