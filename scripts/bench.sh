#!/usr/bin/env bash
# Builds and runs the benchmarks in their own Release build dir (build/bench), only their targets.
# Each writes bench/results/<name>.json; `report` turns them into bench/RESULTS.md tables and
# bench/plots/*.svg (gnuplot).
#   ./scripts/bench.sh all [ROUNDS=3]   build once, run everything below, then report
#   ./scripts/bench.sh push [ROUNDS]     sync push vs sqlite3 / pgbench, batches 1, 50, 500   -> push.json
#   ./scripts/bench.sh pull              pull catch-up of 100,000 changes vs the raw SELECT     -> pull.json
#   ./scripts/bench.sh tls [ROUNDS]      push 20,000 ops and pull 100,000 changes over TLS      -> sync_tls.json
#   ./scripts/bench.sh pouchdb [ROUNDS]  the same through PouchDB replication (bench/pouchdb)   -> pouchdb.json
#   ./scripts/bench.sh load [SECONDS]    10/100/1,000 terminals over TLS + connection storm     -> load.json
#   ./scripts/bench.sh terminal [ROUNDS] wedge scan → screen, 100,000 SKUs, start-up, RSS       -> terminal.json
#   ./scripts/bench.sh barcode [ROUNDS]  ImageDecoder vs ZXingReader and zbarimg                -> barcode.json
#   ./scripts/bench.sh report            RESULTS.md tables + plots from the JSON files
#   ./scripts/bench.sh profile           callgrind of reduced push/pull runs -> bench/profiles/*.txt
# PostgreSQL figures (push, pull) use a throwaway cluster (scripts/pg.sh) unless SOKO_TEST_PG_URL
# and SOKO_TEST_PG_ADMIN_URL are set. Debian packages: zxing-cpp-tools zbar-tools gnuplot-nox
# postgresql (pgbench is in postgresql-client) nodejs npm python3.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
JOBS="${SOKO_JOBS:-2}"
BUILD="${SOKO_BENCH_BUILD:-build/bench}"
RESULTS="$ROOT/bench/results"
STARTED_PG=0

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

# ROUNDS / SECONDS arguments: a whole number in 1..$2, checked before anything is built or run
# (a bad value would otherwise overwrite some results and leave the report unable to merge them).
count_arg() { # value, maximum, what
    case "$1" in
    '' | *[!0-9]* | 0*) echo "bench.sh: $3 must be a whole number from 1 to $2: '$1'" >&2; exit 2 ;;
    esac
    if [ "${#1}" -gt 4 ] || [ "$1" -gt "$2" ]; then
        echo "bench.sh: $3 must be a whole number from 1 to $2: '$1'" >&2
        exit 2
    fi
}

configure() {
    if [ -f /work/team/ccache.env ]; then
        # shellcheck disable=SC1091
        source /work/team/ccache.env
    fi
    local launcher=()
    if command -v ccache >/dev/null; then
        launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
    fi
    if [ ! -f "$BUILD/build.ninja" ]; then
        cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release -DSOKO_BUILD_BENCH=ON \
            -DSOKO_BUILD_TESTS=OFF "${launcher[@]}"
    fi
}

build() {
    configure
    log "Building $*"
    cmake --build "$BUILD" --target "$@" -j"$JOBS"
}

need() {
    for tool in "$@"; do
        command -v "$tool" >/dev/null || { echo "bench.sh: $tool missing (see the Debian packages at the top of $0)" >&2; exit 1; }
    done
}

# A throwaway PostgreSQL cluster for the PostgreSQL figures, unless one is given.
postgres_up() {
    if [ -n "${SOKO_TEST_PG_URL:-}" ] && [ -n "${SOKO_TEST_PG_ADMIN_URL:-}" ]; then
        return
    fi
    # shellcheck disable=SC1091
    source "$ROOT/scripts/pg.sh"
    if pg_throwaway_start; then
        STARTED_PG=1
        trap 'postgres_down' EXIT
    else
        log "PostgreSQL not available: PostgreSQL figures skipped"
    fi
}

postgres_down() {
    if [ "$STARTED_PG" = 1 ]; then
        pg_throwaway_stop || true
        STARTED_PG=0
    fi
}

# bench/pouchdb's npm packages from its package-lock.json (npm ci), when not installed from it yet.
pouchdb_packages() {
    need node npm
    local dir="$ROOT/bench/pouchdb" stamp="$ROOT/bench/pouchdb/node_modules/.soko-package-lock.sha256" sum
    sum="$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)"
    [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$sum" ] && return 0
    log "Installing bench/pouchdb npm packages (npm ci)"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
    echo "$sum" >"$stamp"
}

run_push() { postgres_up; "$BUILD/bench/push_bench" "${1:-3}" "${SOKO_BENCH_SCALE:-1}" "$RESULTS/push.json"; }
run_pull() { postgres_up; "$BUILD/bench/pull_bench" 100000 "$RESULTS/pull.json"; }
run_tls() { "$BUILD/bench/sync_bench" tls "${1:-3}" 20000 100000 "$RESULTS/sync_tls.json"; }
run_pouchdb() { pouchdb_packages; node "$ROOT/bench/pouchdb/pouch_bench.js" "${1:-3}" 20000 100000 "$RESULTS/pouchdb.json"; }
run_load() { "$BUILD/bench/sync_bench" load "${1:-10}" 10,100,1000 "$RESULTS/load.json"; }
run_terminal() {
    local rounds="${1:-3}" files=() i
    for ((i = 1; i <= rounds; i++)); do
        QT_QPA_PLATFORM=offscreen "$BUILD/bench/terminal_scan_bench" 1200 "$RESULTS/terminal-$i.tmp" \
            2> >(grep -v "does not support propagateSizeHints" >&2)
        files+=("$RESULTS/terminal-$i.tmp")
    done
    python3 "$ROOT/bench/report.py" merge-terminal "$RESULTS/terminal.json" "${files[@]}"
    rm -f "${files[@]}"
}
run_barcode() {
    need ZXingReader zbarimg
    "$BUILD/bench/barcode_bench" "${1:-5}"
}
run_report() { need python3 gnuplot; python3 "$ROOT/bench/report.py" report; }

# Callgrind profiles of reduced runs (perf has no hardware counters on this VM), top functions by
# inclusive cost into bench/profiles/*.txt: push batch 500 on SQLite and on PostgreSQL (with system
# call counts and times: round trips), pull catch-up of 20,000 changes on SQLite.
run_profile() {
    need valgrind callgrind_annotate
    local out="$ROOT/bench/profiles" tmp
    tmp="$(mktemp -d /tmp/soko-profile.XXXXXX)"
    mkdir -p "$out"
    profile() { # name, then the command
        local name="$1"
        shift
        log "callgrind: $name"
        valgrind --tool=callgrind --collect-systime=nsec --callgrind-out-file="$tmp/$name.out" "$@" >/dev/null 2>"$tmp/$name.log" \
            || { cat "$tmp/$name.log" >&2; return 1; }
        callgrind_annotate --inclusive=yes --threshold=99 "$tmp/$name.out" >"$tmp/$name.inclusive" 2>/dev/null
        callgrind_annotate --inclusive=no --threshold=99 "$tmp/$name.out" >"$tmp/$name.self" 2>/dev/null
        sed -n '1,80p' "$tmp/$name.inclusive" >"$out/$name.txt"
        sed -n '1,60p' "$tmp/$name.self" >"$out/$name.self.txt"
    }
    SOKO_PUSH_BENCH_BATCHES=500 SOKO_PUSH_BENCH_BACKENDS=sqlite \
        profile push_sqlite "$BUILD/bench/push_bench" 1 0.1 "$tmp/push.json"
    (unset SOKO_TEST_PG_URL SOKO_TEST_PG_ADMIN_URL; profile pull_sqlite "$BUILD/bench/pull_bench" 20000 "$tmp/pull.json")
    postgres_up
    SOKO_PUSH_BENCH_BATCHES=500 SOKO_PUSH_BENCH_BACKENDS=postgresql \
        profile push_postgresql "$BUILD/bench/push_bench" 1 0.1 "$tmp/push.json"
    rm -rf "$tmp"
}

case "${1:-}" in
    all)
        ROUNDS="${2:-3}"
        count_arg "$ROUNDS" 20 ROUNDS
        need python3 gnuplot pgbench node npm ZXingReader zbarimg
        build push_bench pull_bench sync_bench terminal_scan_bench barcode_bench soko-scan soko-server
        pouchdb_packages
        log "push (rounds $ROUNDS)"; run_push "$ROUNDS"
        log "pull"; run_pull
        postgres_down
        log "sync over TLS (rounds $ROUNDS)"; run_tls "$ROUNDS"
        log "PouchDB (rounds $ROUNDS)"; run_pouchdb "$ROUNDS"
        log "load"; run_load 20
        log "terminal (rounds $ROUNDS)"; run_terminal "$ROUNDS"
        log "barcode (rounds $ROUNDS)"; run_barcode "$ROUNDS"
        log "report"; run_report
        ;;
    push) count_arg "${2:-3}" 20 ROUNDS; build push_bench; need pgbench; run_push "${2:-3}" ;;
    pull) build pull_bench; run_pull ;;
    tls) count_arg "${2:-3}" 20 ROUNDS; build sync_bench soko-server; run_tls "${2:-3}" ;;
    pouchdb) count_arg "${2:-3}" 20 ROUNDS; run_pouchdb "${2:-3}" ;;
    load) count_arg "${2:-10}" 600 SECONDS; build sync_bench soko-server; run_load "${2:-10}" ;;
    terminal) count_arg "${2:-3}" 20 ROUNDS; build terminal_scan_bench; run_terminal "${2:-3}" ;;
    barcode) count_arg "${2:-5}" 20 ROUNDS; build barcode_bench soko-scan; run_barcode "${2:-5}" ;;
    report) run_report ;;
    profile) build push_bench pull_bench; run_profile ;;
    *)
        [ -n "${1:-}" ] && echo "bench.sh: unknown benchmark '$1'" >&2
        sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//' >&2
        exit 2
        ;;
esac
