#!/usr/bin/env bash
# The randomized soak of issue 7 "Nothing lost" (tests/soak/README.md):
#   scripts/soak.sh [SECONDS] [SEED]      (./scripts/dev.sh soak [SECONDS] [SEED] calls this)
# Builds soko-soak (and soko-server) in the ASan+UBSan test build, starts a throwaway PostgreSQL
# on loopback unless SOKO_TEST_PG_URL / SOKO_TEST_PG_ADMIN_URL are already set, and runs the soak
# for SECONDS (default 300) with SEED (default: random, printed). Exit status is soko-soak's: 0 =
# every invariant holds, 1 = a violation (the seed and the command to reproduce it are printed).
# Environment: SOKO_SOAK_BUILD_DIR (default build/test, the build of `dev.sh test`),
# SOKO_SOAK_ARGS (more soko-soak options, e.g. "--terminals 12 --heal 180"), JOBS.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
SECONDS_TO_RUN="${1:-300}"
SEED="${2:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}"
BUILD_DIR="${SOKO_SOAK_BUILD_DIR:-build/test}"
JOBS="${JOBS:-$(nproc)}"

# Checked here, before the build and the database start (soko-soak checks them again).
case "$SECONDS_TO_RUN" in
'' | *[!0-9]* | 0*) echo "soak.sh: SECONDS must be a whole number from 1 to 604800: '$SECONDS_TO_RUN'" >&2; exit 2 ;;
esac
if [ "${#SECONDS_TO_RUN}" -gt 6 ] || [ "$SECONDS_TO_RUN" -gt 604800 ]; then
    echo "soak.sh: SECONDS must be a whole number from 1 to 604800: '$SECONDS_TO_RUN'" >&2
    exit 2
fi
case "$SEED" in '' | *[!0-9]*) echo "soak.sh: SEED must be a whole number (0 to 18446744073709551615): '$SEED'" >&2; exit 2 ;; esac
if [ "${#SEED}" -gt 20 ] || { [ "${#SEED}" -eq 20 ] && [[ "$SEED" > "18446744073709551615" ]]; }; then
    echo "soak.sh: SEED must be a whole number (0 to 18446744073709551615): '$SEED'" >&2
    exit 2
fi
# dev.sh checks the arguments this way before it installs anything.
[ "${SOKO_SOAK_CHECK_ONLY:-0}" = 1 ] && exit 0

# Reuse the shared compiler cache when the machine has one.
[ -f /work/team/ccache.env ] && source /work/team/ccache.env
if [ ! -f "$BUILD_DIR/CMakeCache.txt" ]; then
    launcher=()
    command -v ccache >/dev/null 2>&1 && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
    echo "soak.sh: configuring $BUILD_DIR (Debug, ASan+UBSan)" >&2
    cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Debug "-DCMAKE_CXX_FLAGS_DEBUG=-g -O1" \
        "-DSOKO_SANITIZE=address;undefined" "${launcher[@]}" >/dev/null
fi
echo "soak.sh: building soko-soak in $BUILD_DIR" >&2
cmake --build "$BUILD_DIR" --target soko-soak soko-server -j "$JOBS"

if [ -z "${SOKO_TEST_PG_URL:-}" ] || [ -z "${SOKO_TEST_PG_ADMIN_URL:-}" ]; then
    # shellcheck source=scripts/pg.sh
    source "$ROOT/scripts/pg.sh"
    trap pg_throwaway_stop EXIT
    pg_throwaway_start
fi

export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
export QT_QPA_PLATFORM=offscreen
echo "soak.sh: soko-soak $SECONDS_TO_RUN s, seed $SEED (reproduce: ./scripts/dev.sh soak $SECONDS_TO_RUN $SEED)" >&2
status=0
# shellcheck disable=SC2086 # SOKO_SOAK_ARGS is a list of options
"$BUILD_DIR/tests/soak/soko-soak" "$SECONDS_TO_RUN" "$SEED" ${SOKO_SOAK_ARGS:-} || status=$?
case "$status" in
0) ;;
2) echo "soak.sh: soko-soak refused its arguments (exit 2): nothing ran" >&2 ;;
*) echo "soak.sh: FAILED (exit $status); reproduce: ./scripts/dev.sh soak $SECONDS_TO_RUN $SEED${SOKO_SOAK_ARGS:+ with SOKO_SOAK_ARGS='$SOKO_SOAK_ARGS'}" >&2 ;;
esac
exit "$status"
