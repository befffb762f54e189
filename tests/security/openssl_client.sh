#!/usr/bin/env bash
# REQUIREMENTS.md §2.5 `openssl s_client` table against a real soko-server (R47), the rows that
# no other test covers. Already covered elsewhere, so not repeated here:
#   devices without a client certificate → alert 116, certificate from a foreign CA → alert 48,
#   revoked device certificate: fresh handshake → alert 44, resumed session → HTTP 401
#   (tests/e2e/tst_e2e_security.cpp on the soko-server binary; tests/server/net/tst_httpsserver.cpp
#   in-process).
# Added here, on every listener the binary has (devices, api, admin):
#   TLS 1.1 → alert 70; TLS 1.2 on the TLS 1.3-only listeners → alert 70; TLS 1.2 suites outside
#   Mozilla intermediate (AES128-SHA, ECDHE-ECDSA-AES128-SHA) → alert 40; groups outside
#   X25519/P-256/P-384 (secp521r1, ffdhe2048, TLS 1.2 and 1.3) → alert 40; TLS 1.3 suite outside
#   the three (TLS_AES_128_CCM_SHA256) → alert 40. Each refusal must also appear in the server log
#   as `tls_handshake_failed listener=<name>` (the server refused it, not the local openssl).
# Positive controls (the same client, allowed parameters): each Mozilla group and TLS 1.2 suite
# on api → HTTP 200, certificate verified against server-ca.pem for 127.0.0.1; an enrolled device
# certificate on devices → `GET /api/v1/sync/pull` 200 with `Protocol: TLSv1.3`; admin → an HTTP
# answer over TLSv1.3 (openssl -brief: `Protocol version: TLSv1.3`, `Verification: OK`).
# Duration: 10–30 s (about 30 s-bounded openssl runs of < 1 s each, plus init/start/enroll).
# shellcheck source=tests/security/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

require_server_binary
require_command openssl openssl
require_command curl curl
require_command python3 python3

init_data "$SCRATCH/data" --warehouse TKY1
start_server "$SCRATCH/data"
CA="$SCRATCH/data/server-ca.pem"

# --- an enrolled device (common.sh enroll_device): $SCRATCH/device.{key,pem} ---
enroll_device SEC-01

failures=0
checks=0
report_failure() {
    echo "FAIL: $1" >&2
    echo "$2" | tail -n 15 | sed 's/^/    | /' >&2
    failures=$((failures + 1))
}

# s_client_run PORT REQUEST-PATH ARGS…: one connection, one request. The HTTP answer goes to
# $SCRATCH/s_client.out; the -brief summary (protocol, verification) and errors (alerts) to
# $SCRATCH/s_client.err.
s_client_run() {
    local port="$1" path="$2"
    shift 2
    printf 'GET %s HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n' "$path" |
        timeout 30 openssl s_client -connect "127.0.0.1:$port" -CAfile "$CA" -brief -ign_eof "$@" \
            >"$SCRATCH/s_client.out" 2>"$SCRATCH/s_client.err" || true
}
s_client_output() { cat "$SCRATCH/s_client.err" "$SCRATCH/s_client.out"; }

# refused NAME LISTENER PORT ALERT ARGS…: the server answers the handshake with TLS alert ALERT,
# sends no HTTP, and logs tls_handshake_failed for that listener.
refused() {
    local name="$1" listener="$2" port="$3" alert="$4"
    shift 4
    checks=$((checks + 1))
    local pattern="tls_handshake_failed listener=$listener " before output waited=0
    before="$(server_log_count "$pattern")"
    s_client_run "$port" /healthz "$@"
    output="$(s_client_output)"
    if [[ "$output" != *"SSL alert number $alert"* ]]; then
        report_failure "$name: expected TLS alert $alert from the server (openssl s_client $*)" "$output"
        return
    fi
    if grep -q 'HTTP/1.1 ' "$SCRATCH/s_client.out"; then
        report_failure "$name: an HTTP answer came through after alert $alert" "$output"
        return
    fi
    while [ "$(server_log_count "$pattern")" -le "$before" ]; do
        if [ "$waited" -ge 50 ]; then
            report_failure "$name: alert $alert but no new '$pattern' line in the server log within 5 s" "$output"
            return
        fi
        sleep 0.1
        waited=$((waited + 1))
    done
    echo "ok   $name: alert $alert"
}

# accepted NAME PORT PATH STATUS PROTOCOL ARGS…: handshake verified against the server CA for
# 127.0.0.1, negotiated PROTOCOL, HTTP STATUS for PATH.
accepted() {
    local name="$1" port="$2" path="$3" status="$4" protocol="$5"
    shift 5
    checks=$((checks + 1))
    s_client_run "$port" "$path" -verify_return_error -verify_ip 127.0.0.1 "$@"
    local output
    output="$(s_client_output)"
    if ! grep -qx 'Verification: OK' "$SCRATCH/s_client.err"; then
        report_failure "$name: server certificate not verified against server-ca.pem" "$output"
    elif ! grep -qx "Protocol version: $protocol" "$SCRATCH/s_client.err"; then
        report_failure "$name: expected 'Protocol version: $protocol'" "$output"
    elif [[ "$(head -n 1 "$SCRATCH/s_client.out")" != "HTTP/1.1 $status "* ]]; then
        report_failure "$name: expected HTTP $status for $path" "$output"
    else
        echo "ok   $name: $protocol, HTTP $status"
    fi
}

listeners=(devices api)
[ -n "$ADMIN_PORT" ] && listeners+=(admin)
port_of() {
    case "$1" in
    devices) echo "$DEVICES_PORT" ;;
    api) echo "$API_PORT" ;;
    admin) echo "$ADMIN_PORT" ;;
    esac
}

for listener in "${listeners[@]}"; do
    port="$(port_of "$listener")"
    # SECLEVEL=0 so the local openssl really offers TLS 1.1 whatever its configuration says.
    refused "$listener TLS 1.1" "$listener" "$port" 70 -tls1_1 -cipher 'DEFAULT@SECLEVEL=0'
    refused "$listener TLS 1.3 group secp521r1 only" "$listener" "$port" 40 -tls1_3 -groups secp521r1
    refused "$listener TLS 1.3 group ffdhe2048 only" "$listener" "$port" 40 -tls1_3 -groups ffdhe2048
    refused "$listener TLS 1.3 suite TLS_AES_128_CCM_SHA256 only" "$listener" "$port" 40 \
        -tls1_3 -ciphersuites TLS_AES_128_CCM_SHA256
done
for listener in devices admin; do
    port="$(port_of "$listener")"
    [ -n "$port" ] || continue
    refused "$listener TLS 1.2 (TLS 1.3 only)" "$listener" "$port" 70 -tls1_2
done
refused "api TLS 1.2 AES128-SHA" api "$API_PORT" 40 -tls1_2 -cipher AES128-SHA
refused "api TLS 1.2 ECDHE-ECDSA-AES128-SHA (CBC)" api "$API_PORT" 40 -tls1_2 -cipher ECDHE-ECDSA-AES128-SHA
refused "api TLS 1.2 group secp521r1 only" api "$API_PORT" 40 -tls1_2 -groups secp521r1

for group in X25519 prime256v1 secp384r1; do
    accepted "api TLS 1.3 group $group" "$API_PORT" /healthz 200 TLSv1.3 -tls1_3 -groups "$group"
done
for cipher in ECDHE-ECDSA-AES128-GCM-SHA256 ECDHE-ECDSA-AES256-GCM-SHA384 ECDHE-ECDSA-CHACHA20-POLY1305; do
    accepted "api TLS 1.2 $cipher" "$API_PORT" /healthz 200 TLSv1.2 -tls1_2 -cipher "$cipher"
done
accepted "devices enrolled device certificate" "$DEVICES_PORT" "/api/v1/sync/pull?cursor=0&limit=1" 200 TLSv1.3 \
    -tls1_3 -cert "$SCRATCH/device.pem" -key "$SCRATCH/device.key"
if [ -n "$ADMIN_PORT" ]; then
    accepted "admin TLS 1.3 login page" "$ADMIN_PORT" /admin/login 200 TLSv1.3 -tls1_3
fi

stop_server
[ "$failures" -eq 0 ] || fail "$failures of $checks s_client checks failed"
note "openssl s_client: $checks checks passed ($(elapsed))"
