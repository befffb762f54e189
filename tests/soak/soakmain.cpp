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
            const int value = arguments[++index].toInt(&ok);
            (argument == QLatin1String("--terminals") ? options.terminals : options.healSeconds) = value;
            ok = ok && value > 0 && value <= 64;
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
    if (!ok || options.seconds < 1) {
        std::fprintf(stderr, "soko-soak: SECONDS must be a positive integer, not %s\n", qPrintable(positional[0]));
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
    if (options.terminals != 6)
        options.reproduceCommand += QStringLiteral(" with SOKO_SOAK_ARGS='--terminals %1'").arg(options.terminals);
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
