#!/usr/bin/env bash
# Builds and runs a benchmark in its own Release build dir (build/bench), only its targets.
#   ./scripts/bench.sh barcode [ROUNDS]   Soko's ImageDecoder vs ZXingReader and zbarimg on
#                                         ../shared/testdata/barcodes -> bench/results/barcode.json
# Needs the Debian packages zxing-cpp-tools and zbar-tools for the reference decoders.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
JOBS="${SOKO_JOBS:-2}"
BUILD="${SOKO_BENCH_BUILD:-build/bench}"

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

case "${1:-}" in
    barcode)
        for tool in ZXingReader zbarimg; do
            command -v "$tool" >/dev/null || { echo "bench.sh: $tool missing (apt-get install zxing-cpp-tools zbar-tools)" >&2; exit 1; }
        done
        configure
        cmake --build "$BUILD" --target barcode_bench soko-scan -j"$JOBS"
        "$BUILD/bench/barcode_bench" "${2:-5}"
        ;;
    *)
        echo "usage: $0 barcode [ROUNDS]" >&2
        exit 2
        ;;
esac
