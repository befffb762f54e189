#pragma once
#include <QRandomGenerator>
#include <QtGlobal>

// The one seed of a fault test's randomness: SOKO_FAULT_SEED when set (to replay a run), else
// random; the same value for the whole process (tests print it at start).
inline quint64 faultSeed()
{
    static const quint64 seed = [] {
        bool ok = false;
        const quint64 fromEnv = qEnvironmentVariable("SOKO_FAULT_SEED").toULongLong(&ok);
        return ok ? fromEnv : QRandomGenerator::system()->generate64() % 1000000000ULL;
    }();
    return seed;
}
