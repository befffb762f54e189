#pragma once
#include <cstdio>
#include <cstdlib>

// FUZZ_CHECK(condition, what): an invariant of a fuzz target. When it does not hold, the input
// is a finding: print what failed and abort, so libFuzzer saves the input as crash-* and the
// replay test fails. Active in every build type (no NDEBUG dependence, unlike assert).
#define FUZZ_CHECK(condition, what)                                                                                    \
    do {                                                                                                               \
        if (!(condition)) {                                                                                            \
            std::fprintf(stderr, "fuzz invariant failed at %s:%d: %s (%s)\n", __FILE__, __LINE__, what, #condition);   \
            std::abort();                                                                                              \
        }                                                                                                              \
    } while (false)
