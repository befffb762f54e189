#!/usr/bin/env bash
# The demo: a real soko-server with a small demo warehouse and a real soko-terminal picking from
# it. Called by `./scripts/dev.sh demo` with the Release build folder. Works on a fresh machine
# without ../shared: the demo data lives in resources/demo/ and the labels are drawn here.
#   scripts/demo.sh BUILD_DIR [--headless]
# With a display ($DISPLAY or $WAYLAND_DISPLAY) and without --headless, a terminal window opens,
# logged in as the demo picker, until you close it. Otherwise the picker's shift runs offscreen
# through the real window and a summary is printed. Everything runs under a temporary folder that
# is removed at the end, with the processes the demo started.
set -euo pipefail
BUILD="${1:?usage: scripts/demo.sh BUILD_DIR [--headless]}"
shift || true
HEADLESS=0
for argument in "$@"; do
    case "$argument" in
    --headless) HEADLESS=1 ;;
    *) echo "unknown option: $argument (usage: scripts/demo.sh BUILD_DIR [--headless])" >&2; exit 2 ;;
    esac
done
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
    HEADLESS=1
fi
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEMO="$ROOT/resources/demo"
SCAN="$BUILD/client/soko-scan"
TERMINAL="$BUILD/client/soko-terminal"
SERVER="$BUILD/server/app/soko-server"
for binary in "$SCAN" "$TERMINAL" "$SERVER"; do
    if [ ! -x "$binary" ]; then
        echo "$(basename "$binary") is not built in $BUILD (expected $binary)" >&2
        exit 1
    fi
done
for tool in openssl sqlite3; do
    command -v "$tool" >/dev/null || { echo "the demo needs $tool (./scripts/dev.sh deps installs it)" >&2; exit 1; }
done

WORK="$(mktemp -d "${TMPDIR:-/tmp}/soko-demo.XXXXXX")"
SERVER_PID=""
cleanup() {
    if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -TERM "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

section() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
say() { printf '   %s\n' "$*"; }
# Runs soko-scan, shows the command, and keeps going when it reports a problem on purpose.
scan() {
    printf '\033[2m$ soko-scan %s\033[0m\n' "$*"
    local status=0
    "$SCAN" "$@" || status=$?
    [ "$status" -eq 0 ] || printf '\033[2m(exit status %s)\033[0m\n' "$status"
}
admin() { "$SERVER" "$@" --data "$WORK/server"; }

# HTTPS to the demo server, pinned to its CA (curl when installed, else openssl s_client).
#   https PORT METHOD PATH [BODY] [TOKEN] [CERT KEY]   → prints the response body
https() {
    local port="$1" method="$2" path="$3" body="${4:-}" token="${5:-}" cert="${6:-}" key="${7:-}"
    if command -v curl >/dev/null; then
        local args=(-sS --max-time 30 --cacert "$WORK/server/server-ca.pem" -X "$method"
            -H 'Content-Type: application/json')
        [ -n "$token" ] && args+=(-H "Authorization: Bearer $token")
        [ -n "$cert" ] && args+=(--cert "$cert" --key "$key")
        [ -n "$body" ] && args+=(--data-binary "$body")
        curl "${args[@]}" "https://localhost:$port$path"
        return
    fi
    local request="$method $path HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
    [ -n "$token" ] && request+="Authorization: Bearer $token\r\n"
    [ -n "$body" ] && request+="Content-Type: application/json\r\nContent-Length: ${#body}\r\n"
    local tls=(-quiet -connect "127.0.0.1:$port" -servername localhost -verify_return_error
        -CAfile "$WORK/server/server-ca.pem")
    [ -n "$cert" ] && tls+=(-cert "$cert" -key "$key")
    { printf '%b\r\n' "$request"; printf '%s' "$body"; } | timeout 30 openssl s_client "${tls[@]}" 2>/dev/null \
        | sed '1,/^\r$/d'
}
# Tiny JSON readers for the server's compact answers (no jq on a fresh machine).
json_string() { grep -o "\"$1\":\"[^\"]*\"" | head -n1 | sed "s/^\"$1\":\"//; s/\"\$//"; }
json_ids() { grep -o '"ids":\[[0-9,]*\]' | grep -o '[0-9]\+'; }
# "sku location quantity" rows of /api/v1/stock/balances.
balances() {
    https "$API_PORT" GET "/api/v1/stock/balances?warehouse=TKY1" "" "$TOKEN" \
        | grep -o '{[^{}]*}' \
        | sed -E 's/.*"sku":"([^"]*)".*"location":"([^"]*)".*"lot":"([^"]*)".*"quantity":(-?[0-9]+).*/\1 \2 \3 \4/' \
        | sort
}

echo "Soko demo (build: $BUILD)"

section "1. soko-scan: the labels of the demo warehouse (make-label, then decode)"
say "A JAN (EAN-13) on the Pocky box, an EAN-8 on green tea, a GS1-128 with GTIN + expiry + lot on"
say "matcha, a JAN on miso and an NW-7 (Codabar) carrier tracking label, drawn with ZXing-cpp."
LABELS="$WORK/labels"
mkdir -p "$LABELS"
scan make-label EAN-13 4901780188352 "$LABELS/jan-pocky.png"
scan make-label EAN-8 49123456 "$LABELS/ean8-green-tea.png"
scan make-label GS1-128 '(01)04912345678904(17)271231(10)LOT42' "$LABELS/gs1-128-matcha.png"
scan make-label EAN-13 4901234567894 "$LABELS/ean13-miso.png"
scan make-label Codabar A123456789012B "$LABELS/nw7-tracking-1.png"
scan decode "$LABELS/gs1-128-matcha.png" "$LABELS/nw7-tracking-1.png"
say "Wedge text with a wrong GTIN check digit is refused with its position (exit status 1):"
scan parse '(01)04912345678905(17)271231'

section "2. soko-server: a fresh data folder with the demo warehouse"
admin_quiet() { admin "$@" >/dev/null; }
SETUP_PASSWORD="$("$SERVER" init --data "$WORK/server" --hostname localhost --warehouse TKY1 \
    | sed -n 's/^setup password: //p')"
admin_quiet import skus "$DEMO/skus.csv"
admin_quiet import locations "$DEMO/locations.csv"
printf '2468\n' | admin operator add --warehouse TKY1 --badge OP-0001 --name "Demo Picker" --role picker \
    --pin-stdin >/dev/null
TOKEN="$(admin api-key create --admin --label demo | sed -n 's/^token: //p')"
"$SERVER" run --data "$WORK/server" --devices-listen 127.0.0.1:0 --api-listen 127.0.0.1:0 \
    --admin-listen 127.0.0.1:0 --ports-file "$WORK/ports" >"$WORK/server.out" 2>"$WORK/server.log" &
SERVER_PID=$!
for _ in $(seq 1 300); do
    [ -s "$WORK/ports" ] && break
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/server.log" >&2; exit 1; }
    sleep 0.1
done
DEVICES_PORT="$(sed -n 's/^devices=//p' "$WORK/ports")"
API_PORT="$(sed -n 's/^api=//p' "$WORK/ports")"
ADMIN_PORT="$(sed -n 's/^admin=//p' "$WORK/ports")"
[ -n "$DEVICES_PORT" ] && [ -n "$API_PORT" ] && [ -n "$ADMIN_PORT" ] \
    || { echo "soko-server did not start" >&2; exit 1; }
say "soko-server runs (pid $SERVER_PID): devices listener 127.0.0.1:$DEVICES_PORT, api listener 127.0.0.1:$API_PORT,"
say "admin listener 127.0.0.1:$ADMIN_PORT (back office, loopback only)."
say "SKUs and bins imported from resources/demo/; operator OP-0001 (PIN 2468); an admin API key."

section "3. The receiving dock books the goods in (a device, mutual TLS)"
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$WORK/dock.key" 2>/dev/null
openssl req -new -key "$WORK/dock.key" -subj "/CN=dock" -out "$WORK/dock.csr" 2>/dev/null
DOCK_CODE="$(admin enroll-code --warehouse TKY1 --label dock | sed -n 's/^code: //p')"
CSR_JSON="$(sed ':a;N;$!ba;s/\n/\\n/g' "$WORK/dock.csr")"
ENROLLED="$(https "$API_PORT" POST /api/v1/enroll "{\"code\":\"$DOCK_CODE\",\"csr\":\"$CSR_JSON\"}")"
DOCK_ID="$(printf '%s' "$ENROLLED" | json_string device_id)"
[ -n "$DOCK_ID" ] || { echo "dock enrollment failed: $ENROLLED" >&2; exit 1; }
printf '%s' "$ENROLLED" | json_string certificate | sed 's/\\n/\n/g' >"$WORK/dock.pem"
PUSHED="$(https "$DEVICES_PORT" POST /api/v1/sync/push "$(sed "s/@DEVICE_ID@/$DOCK_ID/" "$DEMO/receipts.json")" \
    "" "$WORK/dock.pem" "$WORK/dock.key")"
case "$PUSHED" in *'"last_applied":4'*) ;; *) echo "receipts not applied: $PUSHED" >&2; exit 1 ;; esac
say "Dock device $DOCK_ID enrolled (POST /api/v1/enroll) and pushed 4 receive ops."

section "4. The web shop sends five orders (api listener); the back office releases them"
IMPORTED="$(https "$API_PORT" POST /api/v1/orders/import "$(cat "$DEMO/orders.json")" "$TOKEN")"
ORDER_IDS=()
while read -r id; do ORDER_IDS+=("$id"); done < <(printf '%s' "$IMPORTED" | json_ids)
[ "${#ORDER_IDS[@]}" -eq 5 ] || { echo "order import failed: $IMPORTED" >&2; exit 1; }
for id in "${ORDER_IDS[@]}"; do
    for step in allocate release; do
        https "$API_PORT" POST "/api/v1/orders/$id/$step" "" "$TOKEN" | grep -q '"state"' \
            || { echo "order $id: $step failed" >&2; exit 1; }
    done
done
say "SO-2001 … SO-2005 imported, allocated to TKY1 and released to the floor."
BEFORE="$(balances)"

# The back office: where it is and how the first admin signs in (the setup password is shown once).
admin_instructions() {
    say "Back office (admin pages): https://localhost:$ADMIN_PORT/admin/ (CA $WORK/server/server-ca.pem)."
    say "First login: open https://localhost:$ADMIN_PORT/admin/setup, enter the one-time setup password"
    say "  ${SETUP_PASSWORD:-(none: an admin exists)}, choose a name and a password (12+ characters), and enrol"
    say "  TOTP with an authenticator app; keep the 10 recovery codes it shows. Metrics: /metrics there."
}

section "5. soko-terminal"
TERMINAL_DATA="$WORK/terminal"
CODE="$(admin enroll-code --warehouse TKY1 --label demo-terminal | sed -n 's/^code: //p')"
TERMINAL_ARGS=(--data "$TERMINAL_DATA" --server "https://localhost:$API_PORT"
    --devices "https://localhost:$DEVICES_PORT" --ca "$WORK/server/server-ca.pem" --mute)
fill() { sed -e "s|@CODE@|$CODE|" -e "s|@LABELS@|$LABELS|" "$1" >"$2"; }
if [ "$HEADLESS" -eq 0 ]; then
    fill "$DEMO/window.script" "$WORK/window.script"
    say "A terminal window opens, enrolled and logged in as OP-0001 (PIN 2468). Try it with a"
    say "wedge scanner, or type fast + Enter: SO-2004, then A-01-01-1, then 4901780188352."
    say "Labels to scan from the screen: $LABELS"
    say "The api listener: https://localhost:$API_PORT (CA $WORK/server/server-ca.pem), e.g."
    say "  curl --cacert $WORK/server/server-ca.pem -H 'Authorization: Bearer $TOKEN' \\"
    say "       https://localhost:$API_PORT/api/v1/orders"
    admin_instructions
    say "To stop: close the terminal window (or Ctrl+C here); the server stops and $WORK is removed."
    status=0
    "$TERMINAL" "${TERMINAL_ARGS[@]}" --script "$WORK/window.script" 2>"$WORK/terminal.log" || status=$?
    [ "$status" -eq 0 ] || { tail -n 20 "$WORK/terminal.log" >&2; exit "$status"; }
    section "Done"
    say "Server stopped and demo folder removed."
    exit 0
fi

say "No display (or --headless): the picker's shift runs offscreen through the real window"
say "(resources/demo/shift.script): enroll, pull, log in, pick SO-2001 (with a wrong item),"
say "SO-2002 (GS1 lot label) and SO-2003 (short pick), pack and ship two, sync."
say "The api listener stays up while it runs: https://localhost:$API_PORT (Ctrl+C stops everything)."
fill "$DEMO/shift.script" "$WORK/shift.script"
status=0
QT_QPA_PLATFORM=offscreen "$TERMINAL" "${TERMINAL_ARGS[@]}" --script "$WORK/shift.script" \
    2>"$WORK/terminal.log" | sed 's/^/   terminal: /' || status=$?
[ "${PIPESTATUS[0]}" -eq 0 ] || status="${PIPESTATUS[0]}"
if [ "$status" -ne 0 ]; then
    echo "the scripted shift failed ($status):" >&2
    tail -n 20 "$WORK/terminal.log" >&2
    exit 1
fi
say "What the script fed the terminal (wedge = typed by a scanner, image = a label photo):"
grep -E 'script [0-9]+: (wedge|image|short)' "$WORK/terminal.log" | sed 's/^/   /' | head -n 8
say "…"

section "6. Summary (read back from the server's api listener)"
AFTER="$(balances)"
count_state() { https "$API_PORT" GET "/api/v1/orders?state=$1&warehouse=TKY1" "" "$TOKEN" | grep -o '"order_number"' | wc -l; }
SYNCED="$(sqlite3 "$TERMINAL_DATA/terminal.sqlite" "SELECT count(*) FROM outbox WHERE state = 'acked'")"
say "Orders shipped: $(count_state shipped)   short-picked, waiting for a supervisor: $(count_state picking)   still released: $(count_state released)"
say "Ops synced from the terminal: $SYNCED (every one applied exactly once; none pending)"
say "Stock per SKU and bin (before → after):"
while read -r sku location lot quantity; do
    before="$(printf '%s\n' "$BEFORE" | awk -v s="$sku" -v l="$location" '$1 == s && $2 == l { print $NF }')"
    printf '     %-11s %-10s %-6s %3s → %3s\n' "$sku" "$location" "${lot:--}" "${before:-0}" "$quantity"
done < <(printf '%s\n' "$AFTER" | awk 'NF == 3 { print $1, $2, "-", $3; next } { print }')
# At a terminal, the server stays up for the back office until Enter; piped or in CI it stops.
if [ -t 0 ] && [ -t 1 ]; then
    section "7. Back office"
    admin_instructions
    say "The server keeps running for it. Press Enter to stop it and remove $WORK."
    read -r _ || true
else
    say "(Run the demo at a terminal to keep the server up afterwards and sign in to the back office.)"
fi
say "The server is stopped and $WORK removed on exit."
section "Done"
say "Usage: docs/terminal.md (soko-terminal), docs/server.md (soko-server), docs/soko-scan.md."
