#!/usr/bin/env bash
# The demo: shows what Soko does with what is built so far. Called by `./scripts/dev.sh demo`
# with the Release build folder. Must work on a fresh machine without ../shared.
#   scripts/demo.sh BUILD_DIR [--headless]
set -euo pipefail
BUILD="${1:?usage: scripts/demo.sh BUILD_DIR [--headless]}"
shift || true
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
echo "Soko demo (build: $BUILD)"

SCAN="$BUILD/client/soko-scan"
if [ ! -x "$SCAN" ]; then
    echo "soko-scan is not built in $BUILD (expected $SCAN)" >&2
    exit 1
fi
WORK="$(mktemp -d "${TMPDIR:-/tmp}/soko-demo.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

section() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
say() { printf '   %s\n' "$*"; }
# Runs soko-scan, shows the command, and keeps going when it reports a problem on purpose.
run() {
    printf '\033[2m$ soko-scan %s\033[0m\n' "$*"
    local status=0
    "$SCAN" "$@" || status=$?
    [ "$status" -eq 0 ] || printf '\033[2m(exit status %s)\033[0m\n' "$status"
}

section "soko-scan: checking supplier labels"
say "soko-scan reads barcodes from pictures and text from wedge scanners, and prints one JSON"
say "line per barcode: the symbology, the text, and for GS1 symbols the parsed Application"
say "Identifiers (GTIN, lot, expiry, serial, SSCC) with their check digits and dates verified."

section "1. Draw five labels (make-label, ZXing-cpp's writer)"
say "A JAN (EAN-13) on a product, an EAN-8, a GS1-128 with GTIN + expiry + lot + serial, a"
say "GS1-128 pallet label with an SSCC and an NW-7 (Codabar) carrier tracking number."
run make-label EAN-13 4901780188352 "$WORK/1-jan.png"
run make-label EAN-8 49123456 "$WORK/2-ean8.png"
run make-label GS1-128 '(01)04912345678904(17)271231(10)LOT42(21)SN0001' "$WORK/3-gs1-product.png"
run make-label GS1-128 '(00)349123450000000010' "$WORK/4-sscc.png"
run make-label Codabar A123456789012B "$WORK/5-tracking.png"
say "A GS1 DataMatrix cannot be drawn: ZXing-cpp 1.4 writes no FNC1 in DataMatrix. soko-scan"
say "says so instead of drawing a symbol that would not announce GS1 data:"
run make-label GS1-DataMatrix '(01)04912345678904(17)271231(10)LOT42(21)SN0001' "$WORK/6-refused.png"

section "2. Decode them back (decode)"
say "Every barcode of every image; \"gs1\" holds the parsed AIs, \"gtin\" the GTIN-14 of EAN/JAN."
run decode "$WORK"/1-jan.png "$WORK"/2-ean8.png "$WORK"/3-gs1-product.png "$WORK"/4-sscc.png \
    "$WORK"/5-tracking.png

section "3. Text from a keyboard-wedge scanner (parse)"
say "With AIM identifiers on, GS as \\x1d; a JAN; a supplier label whose GTIN check digit is"
say "wrong (the line carries the error and its position; the exit status is 1); a scanner"
say "configured to send '|' instead of GS."
run parse ']C10104912345678904\x1d10ABC123' 4901780188352 '(01)04912345678905(17)271231'
run parse --gs-substitute '|' '010491234567890417271231|21SN9'

SAMPLES="$(cd "$ROOT/.." && pwd)/shared/testdata/barcodes"
if [ -d "$SAMPLES" ]; then
    section "4. Three real photos from ../shared/testdata/barcodes"
    say "A JAN photographed on a product, GS1's DataMatrix example (GTIN, serial, lot, expiry, URL)"
    say "and a UPC-A photographed on a box."
    run decode "$SAMPLES/ean-13/ean13-1/26.png" \
        "$SAMPLES/datamatrix/datamatrix-1/gs1-figure-4.15.1-2-32x32.png" \
        "$SAMPLES/upca/upca-1/2.png"
fi

section "Done"
say "Usage for warehouse staff: docs/soko-scan.md (soko-scan --help for the short form)."
