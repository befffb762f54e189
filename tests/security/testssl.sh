#!/usr/bin/env bash
# TLS scan of every soko-server listener with Debian's testssl.sh 3.0.8 (REQUIREMENTS.md R47,
# §2.1, §2.5). One server on loopback, the listeners scanned in parallel:
#   api      https://127.0.0.1:<api>/healthz       protocols, cipher categories, forward secrecy
#            and groups, server preference, server defaults (certificate), HTTP headers,
#            vulnerabilities (-p -s -f -P -S -h -U)
#   admin    https://127.0.0.1:<admin>/admin/login the same, when this soko-server has
#            `run --admin-listen` (detected from `run --help`; from then on it is scanned and
#            gated like api, never skipped)
#   devices  https://127.0.0.1:<devices>/          protocols, cipher categories, forward secrecy
#            and groups only (-p -s -f): testssl 3.0.8 cannot present a client certificate; the
#            server certificate is the same file as on api, so -S on api covers it (docs/security.md)
# Gate (testssl_gate.py): severity MEDIUM/HIGH/CRITICAL/FATAL minus testssl-allowlist.txt, plus
# findings every scan must contain (so a scan that broke off cannot pass).
# Usage: testssl.sh  (SOKO_SERVER_BINARY set; SOKO_TESTSSL_TIMEOUT = seconds per scan, 600)
# Duration: 100–200 s on an idle 2-core machine (the three scans run at once); each scan is
# killed after SOKO_TESTSSL_TIMEOUT, which fails the test.
# shellcheck source=tests/security/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

require_server_binary
require_command testssl testssl.sh
require_command python3 python3
version="$(testssl --version 2>/dev/null | grep -oE 'testssl +3\.[0-9.]+' | head -n 1 || true)"
[[ "$version" == *" 3.0."* ]] || fail "testssl 3.0.x expected (Debian 12 package testssl.sh), found: ${version:-nothing}"
note "$version, $(openssl version)"

init_data "$SCRATCH/data" --warehouse TKY1
# Three scanners at once from 127.0.0.1 open far more connections than the per-IP cap (20) allows;
# a refused connection makes testssl give up on a listener. The cap has its own tests
# (security_badinput H17, tst_httpsserver); here it is raised so that the scans see TLS only.
echo "max_connections_per_ip = 1000" >>"$SCRATCH/data/soko-server.conf"
start_server "$SCRATCH/data"

FULL_CHECKS=(-p -s -f -P -S -h -U)
DEVICE_CHECKS=(-p -s -f)
TIMEOUT_SECONDS="${SOKO_TESTSSL_TIMEOUT:-600}"

declare -A SCAN_PID SCAN_STARTED
SCANNED=() # in start order; devices (the shortest scan) first, so durations are measured right
scan() {
    local listener="$1" uri="$2"
    shift 2
    # --warnings batch: never wait for an answer on stdin; --nodns none: loopback only.
    timeout --kill-after=10 "$TIMEOUT_SECONDS" \
        testssl --quiet --color 0 --warnings batch --nodns none --connect-timeout 10 --openssl-timeout 10 \
        --add-ca "$SCRATCH/data/server-ca.pem" "$@" --jsonfile "$SCRATCH/$listener.json" "$uri" \
        >"$SCRATCH/$listener.log" 2>&1 </dev/null &
    SCAN_PID[$listener]=$!
    CLEANUP_PIDS+=($!)
    SCAN_STARTED[$listener]=$SECONDS
    [[ " ${SCANNED[*]} " == *" $listener "* ]] || SCANNED+=("$listener")
    note "scanning $listener: testssl $* $uri"
}

scan devices "https://127.0.0.1:$DEVICES_PORT/" "${DEVICE_CHECKS[@]}"
scan api "https://127.0.0.1:$API_PORT/healthz" "${FULL_CHECKS[@]}"
if [ -n "$ADMIN_PORT" ]; then
    scan admin "https://127.0.0.1:$ADMIN_PORT/admin/login" "${FULL_CHECKS[@]}"
else
    note "this soko-server has no --admin-listen yet: admin listener not scanned"
fi

gate_arguments=()
scan_failed=0
RETRY=()
# Waits for the scan of $1 and judges its exit status: 0 = a report to gate, 1 = timed out (a
# failure), 2 = testssl stopped on a fatal error (240-255: no connection, ...) and scanned nothing.
finish_scan() {
    local listener="$1" status=0 took
    wait "${SCAN_PID[$listener]}" || status=$?
    took=$((SECONDS - SCAN_STARTED[$listener]))
    # testssl's own exit status counts findings; only a timeout (124/137) is a failure here.
    if [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then
        echo "FAIL: the $listener scan did not finish within $TIMEOUT_SECONDS s; its output:" >&2
        tail -n 40 "$SCRATCH/$listener.log" >&2
        return 1
    fi
    if [ "$status" -ge 240 ]; then
        note "$listener scan stopped with testssl error $status after ${took} s: $(tail -n 3 "$SCRATCH/$listener.log" | tr '\n' ' ')"
        return 2
    fi
    note "$listener scan finished after ${took} s or less (testssl exit status $status)"
    gate_arguments+=("$listener=$SCRATCH/$listener.json")
}
for listener in "${SCANNED[@]}"; do
    result=0
    finish_scan "$listener" || result=$?
    case "$result" in
    1) scan_failed=1 ;;
    2) RETRY+=("$listener") ;;
    esac
done
# A scan that broke off on a fatal error (seen on a loaded 2-core CI machine: "Your OpenSSL cannot
# connect" while three scans ran at once) is run again once the others are done, alone, with its
# half-written files moved aside (testssl refuses to write over an existing JSON file). A second
# fatal error is a failure: the gate gets no report for it and says so.
for listener in "${RETRY[@]}"; do
    mv -f "$SCRATCH/$listener.log" "$SCRATCH/$listener.first.log"
    rm -f "$SCRATCH/$listener.json"
    case "$listener" in
    devices) checks=("${DEVICE_CHECKS[@]}") uri="https://127.0.0.1:$DEVICES_PORT/" ;;
    api) checks=("${FULL_CHECKS[@]}") uri="https://127.0.0.1:$API_PORT/healthz" ;;
    admin) checks=("${FULL_CHECKS[@]}") uri="https://127.0.0.1:$ADMIN_PORT/admin/login" ;;
    esac
    scan "$listener" "$uri" "${checks[@]}"
    result=0
    finish_scan "$listener" || result=$?
    if [ "$result" -ne 0 ]; then
        echo "FAIL: the $listener scan failed twice; the second output:" >&2
        tail -n 40 "$SCRATCH/$listener.log" >&2
        scan_failed=1
    fi
done

# The server must have survived the scans (and stop cleanly: no sanitizer report).
stop_server

gate_status=0
python3 "$SECURITY_DIR/testssl_gate.py" --allowlist "$SECURITY_DIR/testssl-allowlist.txt" "${gate_arguments[@]}" ||
    gate_status=$?
if [ "$gate_status" -ne 0 ] || [ "$scan_failed" -ne 0 ]; then
    for listener in "${SCANNED[@]}"; do
        echo "-- full testssl output: $SCRATCH/$listener.log (SOKO_KEEP_SCRATCH=1 keeps it)" >&2
        [ ! -e "$SCRATCH/$listener.first.log" ] ||
            echo "-- first, broken-off scan: $SCRATCH/$listener.first.log" >&2
    done
    fail "testssl gate failed (see the table above)"
fi
note "testssl: all listeners pass ($(elapsed))"
