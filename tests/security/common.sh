# shellcheck shell=bash
# Helpers shared by the tests/security scripts (sourced, bash). They start a real soko-server
# on loopback the way tests/support/serverprocess.cpp does: a fresh data folder made by
# `soko-server init`, `soko-server run` on 127.0.0.1 port 0, the ports read from --ports-file.
# Every wait is bounded; a script that sources this fails with a message on the first problem
# (`fail`), and its scratch folder and server are removed on exit, also after a failure.
#
# Environment: SOKO_SERVER_BINARY (required; CTest passes the built target), TMPDIR (optional).

set -euo pipefail

SECURITY_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck disable=SC2034 # used by the scripts that source this
SOURCE_DIR="$(cd "$SECURITY_DIR/../.." && pwd)"

fail() {
    echo "FAIL: $*" >&2
    exit 1
}
note() { echo "-- $*"; }

# Seconds since the script started, for the duration lines every test prints.
SCRIPT_STARTED=$SECONDS
elapsed() { echo "$((SECONDS - SCRIPT_STARTED)) s"; }

require_command() {
    local command="$1" package="$2"
    command -v "$command" >/dev/null 2>&1 ||
        fail "'$command' not found: install the Debian package '$package' (./scripts/dev.sh deps)"
}

require_server_binary() {
    [ -n "${SOKO_SERVER_BINARY:-}" ] || fail "SOKO_SERVER_BINARY is not set (CTest sets it to the built soko-server)"
    [ -x "$SOKO_SERVER_BINARY" ] || fail "soko-server binary not found or not executable: $SOKO_SERVER_BINARY (build the soko-server target)"
}

SCRATCH="$(mktemp -d "${TMPDIR:-/tmp}/soko-security.XXXXXX")"
SERVER_PID=""
SERVER_DATA=""
SERVER_LOG=""
DEVICES_PORT=""
API_PORT=""
ADMIN_PORT=""
CLEANUP_PIDS=() # more background processes to end on exit (e.g. scans)

cleanup() {
    local status=$? pid
    for pid in "${CLEANUP_PIDS[@]}"; do
        kill -TERM "$pid" 2>/dev/null || true
    done
    if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -KILL "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    if [ "$status" -ne 0 ] && [ -n "$SERVER_LOG" ] && [ -s "$SERVER_LOG" ]; then
        echo "-- last lines of the server log ($SERVER_LOG):" >&2
        tail -n 25 "$SERVER_LOG" >&2 || true
    fi
    if [ "${SOKO_KEEP_SCRATCH:-0}" = 1 ]; then
        echo "-- scratch folder kept: $SCRATCH" >&2
    else
        rm -rf "$SCRATCH"
    fi
    exit "$status"
}
trap cleanup EXIT

# True when this soko-server has the admin listener (`run --admin-listen`, added by the admin
# work). Tests then must cover it: a missing admin port or a failing check is a failure.
server_has_admin_listener() {
    local help
    help="$("$SOKO_SERVER_BINARY" run --help 2>&1 || true)"
    [[ "$help" == *"--admin-listen"* ]]
}

# init_data DIR [init arguments…]: `soko-server init --data DIR --hostname localhost …`.
init_data() {
    local dir="$1"
    shift
    local output
    output="$(timeout 120 "$SOKO_SERVER_BINARY" init --data "$dir" --hostname localhost "$@" 2>&1)" ||
        fail "soko-server init failed: $output"
}

# admin_command ARGS…: a local admin command on the server's data folder; prints its stdout.
admin_command() {
    local command="$1"
    shift
    timeout 120 "$SOKO_SERVER_BINARY" "$command" --data "$SERVER_DATA" "$@" </dev/null
}

# start_server DATA [run arguments…]: `run` on 127.0.0.1 port 0 for every listener this binary
# has; sets SERVER_PID, DEVICES_PORT, API_PORT and ADMIN_PORT (empty without an admin listener).
start_server() {
    SERVER_DATA="$1"
    shift
    local ports="$SCRATCH/ports" arguments
    SERVER_LOG="$SCRATCH/server.log"
    arguments=(run --data "$SERVER_DATA" --devices-listen 127.0.0.1:0 --api-listen 127.0.0.1:0 --ports-file "$ports")
    if server_has_admin_listener; then
        arguments+=(--admin-listen 127.0.0.1:0)
    fi
    rm -f "$ports"
    "$SOKO_SERVER_BINARY" "${arguments[@]}" "$@" >"$SCRATCH/server.out" 2>>"$SERVER_LOG" </dev/null &
    SERVER_PID=$!
    local waited=0
    while [ ! -s "$ports" ]; do
        kill -0 "$SERVER_PID" 2>/dev/null || fail "soko-server run exited at start"
        [ "$waited" -lt 600 ] || fail "soko-server did not write its ports file within 60 s"
        sleep 0.1
        waited=$((waited + 1))
    done
    DEVICES_PORT="$(sed -n 's/^devices=//p' "$ports")"
    API_PORT="$(sed -n 's/^api=//p' "$ports")"
    ADMIN_PORT="$(sed -n 's/^admin=//p' "$ports")"
    if [ -z "$DEVICES_PORT" ] || [ -z "$API_PORT" ]; then
        fail "ports file without devices/api lines: $(cat "$ports")"
    fi
    if server_has_admin_listener && [ -z "$ADMIN_PORT" ]; then
        fail "soko-server has --admin-listen but its ports file has no admin= line: $(cat "$ports")"
    fi
    note "soko-server pid $SERVER_PID: devices=$DEVICES_PORT api=$API_PORT admin=${ADMIN_PORT:-none}"
}

# stop_server: SIGTERM, wait ≤ 30 s, require exit status 0 (a sanitizer report or a crash under
# the load of the test would show here).
stop_server() {
    [ -n "$SERVER_PID" ] || return 0
    kill -0 "$SERVER_PID" 2>/dev/null || {
        local status=0
        wait "$SERVER_PID" || status=$?
        SERVER_PID=""
        fail "soko-server died during the test (exit status $status)"
    }
    kill -TERM "$SERVER_PID"
    local waited=0
    while kill -0 "$SERVER_PID" 2>/dev/null; do
        [ "$waited" -lt 300 ] || fail "soko-server did not stop within 30 s of SIGTERM"
        sleep 0.1
        waited=$((waited + 1))
    done
    local status=0
    wait "$SERVER_PID" || status=$?
    SERVER_PID=""
    [ "$status" -eq 0 ] || fail "soko-server exited with status $status after SIGTERM"
}

# server_log_count PATTERN: lines of the server log matching the extended regular expression.
server_log_count() {
    grep -cE "$1" "$SERVER_LOG" 2>/dev/null || true
}

# enroll_device LABEL: a terminal enrolled the way soko-terminal does it: `enroll-code` for the
# server's first warehouse (TKY1), a P-256 key and CSR made here, the certificate from
# POST /api/v1/enroll on the api listener. Writes $SCRATCH/device.key, device.pem and sets
# DEVICE_ID. Needs CA (the server CA file), API_PORT, openssl, curl and python3.
enroll_device() {
    local label="$1" code status
    code="$(admin_command enroll-code --warehouse TKY1 --label "$label" | sed -n 's/^code: *//p')"
    [ -n "$code" ] || fail "enroll-code printed no code"
    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$SCRATCH/device.key" 2>/dev/null
    openssl req -new -key "$SCRATCH/device.key" -subj "/CN=$label" -out "$SCRATCH/device.csr"
    python3 -c 'import json,sys; print(json.dumps({"code": sys.argv[1], "csr": open(sys.argv[2]).read()}))' \
        "$code" "$SCRATCH/device.csr" >"$SCRATCH/enroll.json"
    status="$(curl -sS --max-time 30 --cacert "$CA" -o "$SCRATCH/enrolled.json" -w '%{http_code}' \
        -H 'Content-Type: application/json' --data-binary "@$SCRATCH/enroll.json" \
        "https://127.0.0.1:$API_PORT/api/v1/enroll")" || fail "enrollment request failed"
    [ "$status" = 201 ] || fail "POST /api/v1/enroll answered $status: $(head -c 300 "$SCRATCH/enrolled.json")"
    python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["certificate"])' "$SCRATCH/enrolled.json" \
        >"$SCRATCH/device.pem"
    DEVICE_ID="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["device_id"])' "$SCRATCH/enrolled.json")"
    note "device $DEVICE_ID enrolled: $(openssl x509 -in "$SCRATCH/device.pem" -noout -serial)"
}
