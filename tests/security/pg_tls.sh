#!/usr/bin/env bash
# REQUIREMENTS.md R46: TLS to PostgreSQL. A PostgreSQL cluster of this test's own on loopback,
# configured the way docs/server.md "PostgreSQL over TLS" tells an operator to: ssl = on with a
# certificate from a private CA, pg_hba.conf with `hostssl` lines for the application role and
# `hostnossl … reject` for everything else. Then:
#   1. psql sslmode=disable is rejected by pg_hba ("no encryption");
#   2. psql sslmode=verify-full with the CA connects and the session is encrypted;
#   3. psql sslmode=verify-full with another CA is refused (certificate verify failed);
#   4. soko-server init --db …?sslmode=verify-full&sslrootcert=… migrates over TLS, and
#      `soko-server run` serves with every one of its connections encrypted (pg_stat_ssl);
#   5. soko-server refuses a non-loopback database URI without sslmode=verify-full before
#      connecting, without printing the password.
# 20–40 s. Needs the Debian postgresql and openssl packages.
# shellcheck source=tests/security/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
# shellcheck source=scripts/pg.sh
source "$SOURCE_DIR/scripts/pg.sh"

require_server_binary
require_command openssl openssl
BIN="$(pg_bin_dir)" || fail "PostgreSQL server binaries not found (apt-get install postgresql)"
PSQL="$BIN/psql"

CLUSTER="$SCRATCH/pg"
PKI="$SCRATCH/pki"
mkdir -p "$CLUSTER" "$PKI"
chmod 0700 "$CLUSTER"

stop_cluster() {
    [ -f "$CLUSTER/data/postmaster.pid" ] &&
        pg_as_owner "$BIN/pg_ctl" -D "$CLUSTER/data" -m immediate -w stop >/dev/null 2>&1 || true
}
trap 'rc=$?; set +e; stop_cluster; (exit "$rc"); cleanup' EXIT

# --- a private CA and a server certificate for localhost / 127.0.0.1 ---
pki() { openssl "$@" >/dev/null 2>&1 || fail "openssl $1 failed"; }
pki req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj "/CN=Soko test DB CA" \
    -keyout "$PKI/ca.key" -out "$PKI/ca.pem"
pki req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=localhost" \
    -keyout "$PKI/server.key" -out "$PKI/server.csr"
printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' >"$PKI/server.ext"
pki x509 -req -in "$PKI/server.csr" -CA "$PKI/ca.pem" -CAkey "$PKI/ca.key" -CAcreateserial -days 2 \
    -extfile "$PKI/server.ext" -out "$PKI/server.pem"
pki req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj "/CN=Someone else's CA" \
    -keyout "$PKI/other.key" -out "$PKI/other-ca.pem"
chmod 0644 "$PKI"/*.pem
chmod 0755 "$PKI" "$SCRATCH"

# --- the cluster: TLS on, hostssl only ---
[ "$(id -u)" -eq 0 ] && chown postgres:postgres "$CLUSTER"
port="$(pg_free_port)" || fail "no free port for PostgreSQL"
pg_as_owner "$BIN/initdb" -D "$CLUSTER/data" -U postgres --auth-local=trust --auth-host=reject -E UTF8 \
    --locale=C.UTF-8 >"$SCRATCH/initdb.log" 2>&1 || fail "initdb failed: $(tail -5 "$SCRATCH/initdb.log")"
install -m 0600 "$PKI/server.key" "$CLUSTER/data/server.key"
install -m 0644 "$PKI/server.pem" "$CLUSTER/data/server.crt"
[ "$(id -u)" -eq 0 ] && chown postgres:postgres "$CLUSTER/data/server.key" "$CLUSTER/data/server.crt"
cat >"$SCRATCH/pg_hba.conf" <<'HBA'
# docs/server.md "PostgreSQL over TLS": the application role only over TLS, nothing in clear text.
local     all  postgres                 trust
hostssl   all  soko      127.0.0.1/32   scram-sha-256
hostssl   all  soko      ::1/128        scram-sha-256
hostnossl all  all       0.0.0.0/0      reject
hostnossl all  all       ::/0           reject
HBA
install -m 0600 "$SCRATCH/pg_hba.conf" "$CLUSTER/data/pg_hba.conf"
[ "$(id -u)" -eq 0 ] && chown postgres:postgres "$CLUSTER/data/pg_hba.conf"
pg_as_owner "$BIN/pg_ctl" -D "$CLUSTER/data" -l "$CLUSTER/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $CLUSTER -c ssl=on -c ssl_min_protocol_version=TLSv1.2 -c password_encryption=scram-sha-256" \
    start >/dev/null || fail "PostgreSQL did not start: $(tail -5 "$CLUSTER/server.log" 2>/dev/null)"
password="$(head -c 18 /dev/urandom | base64 | tr -d '/+=')"
superuser() { pg_as_owner "$PSQL" -qAtX -h "$CLUSTER" -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 "$@"; }
superuser -c "CREATE ROLE soko LOGIN PASSWORD '$password'" -c "CREATE DATABASE soko_tls OWNER soko" >/dev/null ||
    fail "cannot create the role and database"
note "PostgreSQL with TLS on 127.0.0.1:$port ($(elapsed))"

# 1. Clear text is refused by pg_hba.
if out="$(PGPASSWORD="$password" "$PSQL" -qAtX "host=127.0.0.1 port=$port user=soko dbname=soko_tls sslmode=disable" \
    -c 'SELECT 1' 2>&1)"; then
    fail "a connection with sslmode=disable was accepted"
fi
[[ "$out" == *"pg_hba.conf rejects connection"*"no encryption"* ]] ||
    fail "sslmode=disable failed, but not by pg_hba's hostnossl reject: $out"
note "1. sslmode=disable rejected by pg_hba: no encryption"

# 2. verify-full with the CA: connected, encrypted.
verified="host=localhost port=$port user=soko dbname=soko_tls sslmode=verify-full sslrootcert=$PKI/ca.pem"
ssl="$(PGPASSWORD="$password" "$PSQL" -qAtX "$verified" \
    -c 'SELECT ssl, version FROM pg_stat_ssl WHERE pid = pg_backend_pid()' 2>&1)" ||
    fail "sslmode=verify-full with the right CA failed: $ssl"
[[ "$ssl" == t\|TLSv1.[23] ]] || fail "the verify-full session is not TLS 1.2+: $ssl"
note "2. sslmode=verify-full connected: $ssl"

# 3. verify-full against someone else's CA: refused.
if out="$(PGPASSWORD="$password" "$PSQL" -qAtX \
    "host=localhost port=$port user=soko dbname=soko_tls sslmode=verify-full sslrootcert=$PKI/other-ca.pem" \
    -c 'SELECT 1' 2>&1)"; then
    fail "verify-full accepted a server certificate from another CA"
fi
[[ "$out" == *"certificate verify failed"* ]] || fail "wrong-CA connection failed for another reason: $out"
note "3. verify-full with another CA refused: certificate verify failed"

# 4. soko-server over TLS: init migrates, run serves; every soko connection is encrypted.
url="postgresql://soko:$password@localhost:$port/soko_tls?sslmode=verify-full&sslrootcert=$PKI/ca.pem"
init_data "$SCRATCH/data" --db "$url"
grep -q 'sslmode=verify-full' "$SCRATCH/data/soko-server.conf" || fail "soko-server.conf lost the sslmode"
start_server "$SCRATCH/data"
curl -sk --max-time 10 "https://127.0.0.1:$API_PORT/healthz" -o /dev/null || true # a request that reads the database
counts="$(superuser -c "SELECT count(*) FILTER (WHERE s.ssl), count(*) FILTER (WHERE NOT s.ssl)
    FROM pg_stat_activity a JOIN pg_stat_ssl s USING (pid) WHERE a.usename = 'soko'")"
encrypted="${counts%%|*}"
clear="${counts##*|}"
[ "$encrypted" -ge 1 ] || fail "soko-server holds no encrypted connection (encrypted|clear = $counts)"
[ "$clear" -eq 0 ] || fail "soko-server holds $clear connections in clear text"
stop_server
note "4. soko-server init + run over TLS: $encrypted encrypted connection(s), 0 in clear text"

# 5. A database on another host without verify-full: refused before any connection, no password.
if out="$(timeout 60 "$SOKO_SERVER_BINARY" init --data "$SCRATCH/remote" --hostname localhost \
    --db "postgresql://soko:$password@db.example.invalid:5432/soko?sslmode=require" 2>&1)"; then
    fail "init accepted a remote database with sslmode=require"
fi
[[ "$out" == *"sslmode=verify-full"* ]] || fail "the refusal does not say what to add: $out"
[[ "$out" != *"$password"* ]] || fail "the refusal printed the database password"
[ ! -e "$SCRATCH/remote/soko-server.conf" ] || fail "init wrote a configuration after refusing"
note "5. remote database with sslmode=require refused: $(printf '%s' "$out" | head -1 | cut -c1-120)…"

note "pg_tls: all checks passed ($(elapsed))"
