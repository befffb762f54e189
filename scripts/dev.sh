#!/usr/bin/env bash
# Soko developer commands. The README's two commands live here:
#   ./scripts/dev.sh demo [--headless]   install, build (Release) and show the product working
#   ./scripts/dev.sh test                install, build with ASan/UBSan, run every test through CTest
#                                        (then a short fixed-seed libFuzzer run of every fuzz target)
# Helpers: deps (install Debian packages only), build [release|test], fuzz [SECONDS],
# soak [SECONDS] [SEED], bench [ROUNDS], sbom, clean.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
JOBS="${SOKO_JOBS:-$(nproc)}"

# Debian 12 packages the build, the tests and the demo need.
PACKAGES=(
    build-essential cmake ninja-build pkg-config git ca-certificates
    qt6-base-dev qt6-base-dev-tools qt6-tools-dev qt6-tools-dev-tools qt6-l10n-tools qt6-multimedia-dev
    libqt6sql6-sqlite qt6-svg-dev
    libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
    libzxing-dev libssl-dev openssl libsqlite3-dev sqlite3 libsodium-dev libexpected-dev libpqxx-dev
    postgresql fonts-vlgothic xvfb xauth curl
    testssl.sh devscripts chromium libnss3-tools nodejs python3
    clang libclang-rt-14-dev
)

# More Debian packages for `bench` only (reference decoders, plots, profiles); pgbench comes with
# postgresql, PouchDB from npm (bench/pouchdb/package-lock.json).
BENCH_PACKAGES=(zxing-cpp-tools zbar-tools gnuplot-nox valgrind)

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

install_deps() {
    local missing=()
    for p in "${PACKAGES[@]}" "$@"; do
        # dpkg-query prints "install ok installed" only for packages that are fully installed.
        if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
            missing+=("$p")
        fi
    done
    if [ "${#missing[@]}" -eq 0 ]; then
        log "Debian packages: all present"
        return
    fi
    log "Installing Debian packages: ${missing[*]}"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

# tests/browser's npm packages (playwright-core, pinned in its package-lock.json): `npm ci` when
# node_modules was not installed from this lock file yet; silent otherwise. Without the registry
# it warns and goes on (the browser tests then fail saying so).
install_browser_packages() {
    local dir="$ROOT/tests/browser" stamp="$ROOT/tests/browser/node_modules/.soko-package-lock.sha256" sum
    if ! command -v npm >/dev/null 2>&1; then
        # Debian's nodejs comes without npm; NodeSource's bundles it (and conflicts with this one).
        log "Installing Debian package: npm"
        as_root apt-get update -qq
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends npm
    fi
    sum="$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)"
    [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$sum" ] && return 0
    log "Installing tests/browser npm packages (npm ci)"
    if (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null); then
        echo "$sum" >"$stamp"
    else
        log "npm ci failed in tests/browser: the browser tests will fail until it succeeds"
    fi
}

configure_and_build() {
    local kind="$1" dir="build/$1"
    local args=(-S . -B "$dir" -G Ninja)
    case "$kind" in
    release) args+=(-DCMAKE_BUILD_TYPE=Release -DSOKO_BUILD_TESTS=OFF) ;;
    test)
        args+=(-DCMAKE_BUILD_TYPE=Debug "-DCMAKE_CXX_FLAGS_DEBUG=-g -O1" "-DSOKO_SANITIZE=address;undefined")
        [ "${CI:-}" = "true" ] && args+=(-DSOKO_WARNINGS_AS_ERRORS=ON)
        ;;
    *) echo "unknown build kind: $kind" >&2; exit 2 ;;
    esac
    log "Configuring $dir"
    cmake "${args[@]}" >/dev/null
    log "Building $dir with $JOBS jobs"
    cmake --build "$dir" -j "$JOBS"
}

# The libFuzzer build (tests/fuzz, docs/fuzzing.md): clang with
# -fsanitize=fuzzer-no-link,address,undefined, -O1 with line tables only, and only the fuzz
# targets and the libraries they link are built.
configure_and_build_fuzz() {
    local dir="build/fuzz" launcher=()
    command -v ccache >/dev/null 2>&1 && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
    log "Configuring $dir (clang, libFuzzer)"
    CC=clang CXX=clang++ cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Debug \
        "-DCMAKE_CXX_FLAGS_DEBUG=-O1 -gline-tables-only" "-DCMAKE_CXX_FLAGS=-fsanitize=fuzzer-no-link" \
        "-DSOKO_SANITIZE=address;undefined" -DSOKO_FUZZ_ENGINE=ON -DSOKO_BUILD_BENCH=OFF "${launcher[@]}" >/dev/null
    log "Building the fuzz targets in $dir with $JOBS jobs"
    local started=$SECONDS
    cmake --build "$dir" --target soko_fuzz_targets -j "$JOBS"
    log "Fuzz targets built in $((SECONDS - started)) s"
}

# Runs every fuzz target for SECONDS with the seed corpus and a fixed seed; new inputs go to
# build/fuzz/corpus-<name>/ (never into the repository), findings to build/fuzz/findings/<name>/.
# Prints executions per target; fails naming the input of every target that crashed.
run_fuzz_targets() {
    local seconds="$1" dir="$ROOT/build/fuzz" status=0 name
    local summary=() crashes=()
    for binary in "$dir"/tests/fuzz/fuzz_*; do
        [ -f "$binary" ] && [ -x "$binary" ] || continue # not the fuzz_*_autogen folders
        name="${binary##*/fuzz_}"
        mkdir -p "$dir/corpus-$name" "$dir/findings/$name"
        log "Fuzzing $name for $seconds s"
        local logfile="$dir/findings/$name/last-run.log" regressions=()
        [ -d "$ROOT/tests/fuzz/regressions/$name" ] && regressions=("$ROOT/tests/fuzz/regressions/$name")
        if QT_QPA_PLATFORM=offscreen "$binary" -max_total_time="$seconds" -seed=1 -timeout=30 -rss_limit_mb=4096 \
            -print_final_stats=1 -artifact_prefix="$dir/findings/$name/" \
            "$dir/corpus-$name" "$ROOT/tests/fuzz/corpus/$name" "${regressions[@]}" >"$logfile" 2>&1; then
            result=ok
        else
            result=CRASH
            status=1
            local input
            input="$(grep -o 'Test unit written to .*' "$logfile" | tail -1 | cut -d' ' -f5- || true)"
            crashes+=("$name: ${input:-no input saved} (log: $logfile)")
        fi
        local executions corpus
        executions="$(grep -o 'stat::number_of_executed_units: [0-9]*' "$logfile" | tail -1 | grep -o '[0-9]*$' || true)"
        corpus="$(find "$dir/corpus-$name" -type f | wc -l)"
        summary+=("$(printf '%-10s %12s %10s %8s  %s' "$name" "${executions:-?}" \
            "$(( ${executions:-0} / (seconds > 0 ? seconds : 1) ))" "$corpus" "$result")")
    done
    printf '%-10s %12s %10s %8s  %s\n' target executions exec/s corpus result
    printf '%s\n' "${summary[@]}"
    if [ "${#crashes[@]}" -gt 0 ]; then
        printf 'crashing input: %s\n' "${crashes[@]}" >&2
    fi
    return "$status"
}

cmd_fuzz() {
    local seconds="${1:-60}"
    install_deps
    configure_and_build_fuzz
    run_fuzz_targets "$seconds"
}

cmd_test() {
    install_deps
    install_browser_packages
    configure_and_build test
    # A throwaway PostgreSQL on loopback for the tests that run against both backends; removed
    # again on exit, also when tests fail.
    # shellcheck source=scripts/pg.sh
    source "$ROOT/scripts/pg.sh"
    trap pg_throwaway_stop EXIT
    pg_throwaway_start
    log "Running tests"
    local started=$SECONDS status=0
    (cd build/test && ctest --output-on-failure -j "$JOBS" --timeout 900 "$@") || status=$?
    log "Tests finished in $((SECONDS - started)) s"
    # A full run (no ctest arguments) also fuzzes every target briefly with a fixed seed.
    if [ "$#" -eq 0 ]; then
        started=$SECONDS
        { configure_and_build_fuzz && run_fuzz_targets "${SOKO_FUZZ_SHORT_SECONDS:-20}"; } || status=1
        log "Short fuzz run finished in $((SECONDS - started)) s"
    fi
    return "$status"
}

# The randomized soak (tests/soak/README.md): SECONDS (300) with SEED (random, printed).
cmd_soak() {
    SOKO_SOAK_CHECK_ONLY=1 "$ROOT/scripts/soak.sh" "$@" || exit $? # bad arguments: before any install
    install_deps
    exec "$ROOT/scripts/soak.sh" "$@"
}

# Every benchmark side by side (bench/RESULTS.md), ROUNDS rounds each (3); npm for PouchDB.
cmd_bench() {
    case "${1:-3}" in # checked before anything is installed or built
    '' | *[!0-9]* | 0*) echo "dev.sh: bench ROUNDS must be a whole number from 1 to 20: '${1:-}'" >&2; exit 2 ;;
    esac
    if [ "${#1}" -gt 2 ] || [ "${1:-3}" -gt 20 ]; then
        echo "dev.sh: bench ROUNDS must be a whole number from 1 to 20: '$1'" >&2
        exit 2
    fi
    install_deps "${BENCH_PACKAGES[@]}"
    if ! command -v npm >/dev/null 2>&1; then
        log "Installing Debian package: npm"
        as_root apt-get update -qq
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends npm
    fi
    exec "$ROOT/scripts/bench.sh" all "${1:-3}"
}

cmd_demo() {
    install_deps
    configure_and_build release
    exec "$ROOT/scripts/demo.sh" "$ROOT/build/release" "$@"
}

case "${1:-}" in
test) shift; cmd_test "$@" ;;
demo) shift; cmd_demo "$@" ;;
deps) install_deps; install_browser_packages ;;
build) install_deps; configure_and_build "${2:-test}" ;;
fuzz) shift; cmd_fuzz "$@" ;;
soak) shift; cmd_soak "$@" ;;
bench) shift; cmd_bench "$@" ;;
sbom)
    install_deps
    configure_and_build release
    python3 "$ROOT/scripts/sbom.py" --output "$ROOT/build/release/sbom.cdx.json" \
        "$ROOT/build/release/server/app/soko-server" "$ROOT/build/release/client/soko-terminal"
    log "SBOM written to build/release/sbom.cdx.json (CycloneDX 1.5)"
    ;;
clean) rm -rf build ;;
*)
    [ -n "${1:-}" ] && echo "dev.sh: unknown command '$1'" >&2
    cat >&2 <<USAGE
usage: $0 COMMAND
  demo [--headless]   install what is missing, build Release and run the demo
  test [ctest args]   install what is missing, build with ASan+UBSan and run every test
  deps                install the Debian packages only
  build [release|test]
  fuzz [SECONDS]      build the libFuzzer targets with clang (build/fuzz) and run each for SECONDS (60)
  soak [SECONDS] [SEED]  the randomized soak: terminals, 2 servers on PostgreSQL, faults (300 s, random seed)
  bench [ROUNDS]      every benchmark side by side → bench/RESULTS.md, bench/plots/ (3 rounds, ~15 min)
  sbom                build Release and write build/release/sbom.cdx.json (Debian packages it loads)
  clean               remove build/
USAGE
    exit 2
    ;;
esac
