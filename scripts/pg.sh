#!/usr/bin/env bash
# A throwaway PostgreSQL cluster on loopback for tests and benchmarks. Source it, then:
#   pg_throwaway_start          initdb in a temporary folder, start on a free 127.0.0.1 port,
#                               create role + database, export SOKO_TEST_PG_URL
#   pg_throwaway_stop           stop the server and remove the folder (safe to call twice)
# Run as root, the cluster runs as the unprivileged `postgres` user (initdb refuses root).

pg_bin_dir() {
    local d
    for d in /usr/lib/postgresql/*/bin; do
        [ -x "$d/initdb" ] && { echo "$d"; return 0; }
    done
    echo "pg.sh: PostgreSQL server binaries not found (apt-get install postgresql)" >&2
    return 1
}

pg_free_port() {
    local p
    for p in $(seq 55432 55631); do
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
            echo "$p"; return 0
        fi
    done
    return 1
}

pg_as_owner() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

pg_throwaway_start() {
    local bin port password
    bin="$(pg_bin_dir)" || return 1
    PG_THROWAWAY_DIR="$(mktemp -d /tmp/soko-pg.XXXXXX)"
    chmod 0700 "$PG_THROWAWAY_DIR"
    [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$PG_THROWAWAY_DIR"
    port="$(pg_free_port)" || { echo "pg.sh: no free port" >&2; return 1; }
    password="$(head -c 18 /dev/urandom | base64 | tr -d '/+=')"
    pg_as_owner "$bin/initdb" -D "$PG_THROWAWAY_DIR/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$PG_THROWAWAY_DIR/initdb.log" 2>&1 \
        || { cat "$PG_THROWAWAY_DIR/initdb.log" >&2; return 1; }
    pg_as_owner "$bin/pg_ctl" -D "$PG_THROWAWAY_DIR/data" -l "$PG_THROWAWAY_DIR/server.log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -p $port -k $PG_THROWAWAY_DIR -c max_connections=200 -c fsync=on" start >/dev/null \
        || { cat "$PG_THROWAWAY_DIR/server.log" >&2; return 1; }
    PG_THROWAWAY_BIN="$bin"
    pg_as_owner "$bin/psql" -q -h 127.0.0.1 -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 \
        -c "CREATE ROLE soko LOGIN PASSWORD '$password'" -c "CREATE DATABASE soko_test OWNER soko" >/dev/null || return 1
    export SOKO_TEST_PG_URL="postgresql://soko:$password@127.0.0.1:$port/soko_test"
    export SOKO_TEST_PG_ADMIN_URL="postgresql://postgres@127.0.0.1:$port/postgres"
    export PG_THROWAWAY_DIR PG_THROWAWAY_BIN
    echo "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port ($PG_THROWAWAY_DIR)" >&2
}

pg_throwaway_stop() {
    [ -n "${PG_THROWAWAY_DIR:-}" ] && [ -d "$PG_THROWAWAY_DIR" ] || return 0
    pg_as_owner "$PG_THROWAWAY_BIN/pg_ctl" -D "$PG_THROWAWAY_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$PG_THROWAWAY_DIR"
    unset PG_THROWAWAY_DIR SOKO_TEST_PG_URL SOKO_TEST_PG_ADMIN_URL
}
