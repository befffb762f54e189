#!/usr/bin/env python3
"""The bad-input catalogue of REQUIREMENTS.md §9, sent to a running soko-server on every listener a
row applies to (badinput.sh starts the server, enrolls a device and makes an admin API key).

Each row is sent as raw bytes over TLS (Python's ssl, certificates verified against the server CA;
the device certificate on the devices listener) and its answer compared with the catalogue's
expected outcome. After every row the server must still answer /healthz, and rows that must not
write anything are checked against row counts of the database (read-only SQLite connection):
nothing partially written. Prints one line per check; exit status 1 when any failed.

Environment: SOKO_CA, SOKO_DEVICE_CERT, SOKO_DEVICE_KEY, SOKO_DEVICE_ID, SOKO_API_KEY,
SOKO_DEVICES_PORT, SOKO_API_PORT, SOKO_ADMIN_PORT, SOKO_DB (the SQLite file).
Rows not sent here and why: docs/security.md "Bad-input catalogue".
"""
import json
import os
import select
import socket
import sqlite3
import ssl
import sys
import threading
import time
import uuid

HOST = "127.0.0.1"
CA = os.environ["SOKO_CA"]
PORTS = {
    "devices": int(os.environ["SOKO_DEVICES_PORT"]),
    "api": int(os.environ["SOKO_API_PORT"]),
    "admin": int(os.environ["SOKO_ADMIN_PORT"]),
}
API_KEY = os.environ["SOKO_API_KEY"]
DEVICE_ID = os.environ["SOKO_DEVICE_ID"]
DB = os.environ["SOKO_DB"]
LISTENERS = ("devices", "api", "admin")
# A route that exists on each listener (GET) and a state-changing route with a body limit (POST).
GET_ROUTE = {"devices": "/api/v1/operators", "api": "/api/v1/skus", "admin": "/admin/login"}
POST_ROUTE = {"devices": "/api/v1/sync/push", "api": "/api/v1/orders", "admin": "/admin/login"}

failures = []
checks = 0


def context_for(listener):
    context = ssl.create_default_context(cafile=CA)
    context.check_hostname = False  # the certificate names localhost; we connect to 127.0.0.1
    if listener == "devices":
        context.load_cert_chain(os.environ["SOKO_DEVICE_CERT"], os.environ["SOKO_DEVICE_KEY"])
    return context


def auth_headers(listener):
    return f"Authorization: Bearer {API_KEY}\r\n" if listener == "api" else ""


class Answer:
    def __init__(self, raw, closed):
        self.raw = raw
        self.closed = closed
        head, _, self.body = raw.partition(b"\r\n\r\n")
        lines = head.split(b"\r\n")
        parts = lines[0].split(b" ", 2) if lines and lines[0] else []
        self.status = int(parts[1]) if len(parts) >= 2 and parts[1].isdigit() else None
        self.headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            self.headers[name.strip().lower().decode("latin-1")] = value.strip().decode("latin-1")

    def __repr__(self):
        return f"status={self.status} closed={self.closed} body={self.body[:160]!r}"


def send(listener, data, read_timeout=15.0, half_close=False):
    """Sends raw bytes, reads until the server closes or read_timeout passes. `closed` tells
    whether the server closed the connection after its answer."""
    raw = socket.create_connection((HOST, PORTS[listener]), timeout=read_timeout)
    tls = context_for(listener).wrap_socket(raw, server_hostname="localhost")
    try:
        # In slices, looking for an early answer between them: a server that refuses a body before
        # reading it (413) answers and closes while we still send; reading it first keeps the
        # answer from being lost to the reset our further writes would cause.
        early = b""
        for offset in range(0, len(data), 65536):
            try:
                tls.sendall(data[offset:offset + 65536])
            except (ssl.SSLError, OSError):
                break
            if offset + 65536 >= len(data):
                break
            # Anything from the server yet? (Non-blocking; TLS 1.3 session tickets are read
            # and dropped by OpenSSL, SSLWantReadError means no application data.)
            tls.setblocking(False)
            try:
                early = tls.recv(65536)
            except (ssl.SSLWantReadError, BlockingIOError):
                early = b""
            except (ssl.SSLError, OSError):
                early = b""
            finally:
                tls.settimeout(read_timeout)
            if early:
                break
        received = early
        closed = False
        deadline = time.monotonic() + read_timeout
        while time.monotonic() < deadline:
            try:
                chunk = tls.recv(65536)
            except socket.timeout:
                break
            except (ssl.SSLError, ConnectionResetError, BrokenPipeError):
                closed = True
                break
            if not chunk:
                closed = True
                break
            received += chunk
            answer = Answer(received, False)
            length = answer.headers.get("content-length")
            if answer.status and length is not None and len(answer.body) >= int(length):
                # Whole answer in: does the server close now? Wait briefly for EOF.
                tls.settimeout(1.0)
                try:
                    closed = tls.recv(1) == b""
                except (socket.timeout, ssl.SSLError):
                    closed = False
                except (ConnectionResetError, BrokenPipeError):
                    closed = True
                break
        return Answer(received, closed)
    finally:
        tls.close()


def request(listener, method, path, headers="", body=b"", version="HTTP/1.1"):
    head = f"{method} {path} {version}\r\nHost: localhost\r\n{auth_headers(listener)}{headers}"
    if body or method == "POST":
        head += f"Content-Length: {len(body)}\r\n"
    return send(listener, head.encode() + b"Connection: close\r\n\r\n" + body)


def check(row, what, condition, answer=None):
    global checks
    checks += 1
    if condition:
        print(f"ok   {row} {what}")
    else:
        failures.append(f"{row} {what}")
        print(f"FAIL {row} {what}: {answer!r}")


def counts():
    connection = sqlite3.connect(f"file:{DB}?mode=ro", uri=True, timeout=30)
    try:
        return {table: connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                for table in ("orders", "order_lines", "skus", "locations", "stock_movements", "applied_ops",
                              "admin_users", "api_keys", "devices")}
    finally:
        connection.close()


def alive(row):
    answer = send("api", b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
    check(row, "server still answers /healthz", answer.status == 200, answer)


def nothing_written(row, before):
    after = counts()
    check(row, "nothing written", after == before, {"before": before, "after": after})


def row(name, listeners, sender, expected, must_close=False, allow_header=None, unchanged=True):
    """Sends the row on each listener; `expected` is a status or a set of acceptable ones."""
    acceptable = expected if isinstance(expected, (set, frozenset)) else {expected}
    for listener in listeners:
        before = counts() if unchanged else None
        try:
            answer = sender(listener)
        except (ssl.SSLError, OSError) as error:
            answer = Answer(b"", True)
            answer.error = error
        what = f"[{listener}] → {sorted(acceptable)}{' + close' if must_close else ''}"
        good = answer.status in acceptable and (not must_close or answer.closed)
        if allow_header and good:
            good = "allow" in answer.headers
        check(name, what, good, answer)
        if answer.status is not None and answer.status >= 500 and answer.status not in acceptable:
            check(name, f"[{listener}] no 5xx", False, answer)
        if unchanged:
            nothing_written(f"{name} [{listener}]", before)
    alive(name)


def raw_get(version_line_path):
    return lambda listener: send(listener, f"GET {GET_ROUTE[listener]} HTTP/1.1\r\nHost: localhost\r\n"
                                 f"{auth_headers(listener)}".encode() + version_line_path + b"\r\n")


def post_raw(extra_headers, body=b""):
    def sender(listener):
        head = (f"POST {POST_ROUTE[listener]} HTTP/1.1\r\nHost: localhost\r\n{auth_headers(listener)}"
                f"Content-Type: application/json\r\n").encode()
        return send(listener, head + extra_headers + b"\r\n" + body)
    return sender


# ---------------------------------------------------------------- raw HTTP (H) ---------------
def raw_http_rows():
    row("H1 CL + TE", LISTENERS, post_raw(b"Content-Length: 4\r\nTransfer-Encoding: chunked\r\n", b"0\r\n\r\n"),
        400, must_close=True)
    row("H1 TE + CL", LISTENERS, post_raw(b"Transfer-Encoding: chunked\r\nContent-Length: 4\r\n", b"0\r\n\r\n"),
        400, must_close=True)
    row("H2 two Content-Length", LISTENERS, post_raw(b"Content-Length: 2\r\nContent-Length: 3\r\n", b"{}"),
        400, must_close=True)
    for value in (b"+2", b"-1", b"0x10"):
        row(f"H4 Content-Length {value.decode()}", LISTENERS, post_raw(b"Content-Length: " + value + b"\r\n", b"{}"), 400)
    row("H5 space before colon", LISTENERS, post_raw(b"Content-Length : 2\r\n", b"{}"), 400)
    row("H6 bare LF", LISTENERS,
        lambda listener: send(listener, f"GET {GET_ROUTE[listener]} HTTP/1.1\nHost: localhost\n\n".encode()), 400)
    row("H7 NUL in header value", LISTENERS, raw_get(b"X-Note: a\x00b\r\n"), 400)
    row("H7 lone CR in header value", LISTENERS, raw_get(b"X-Note: a\rb\r\n"), 400)
    row("H8 huge chunk size", LISTENERS,
        post_raw(b"Transfer-Encoding: chunked\r\n", b"FFFFFFFFFFFFFFFFF\r\n{}\r\n0\r\n\r\n"), 400, must_close=True)
    row("H9 9 KB header block", LISTENERS, raw_get(b"X-Fill: " + b"a" * 9216 + b"\r\n"), 431, must_close=True)
    row("H10 Content-Length 2000000", LISTENERS, post_raw(b"Content-Length: 2000000\r\n", b"{"), 413, must_close=True)
    row("H12 absolute form", LISTENERS,
        lambda listener: send(listener, b"GET http://evil/x HTTP/1.1\r\nHost: evil\r\n\r\n"), 400)
    row("H13 HTTP/1.2", LISTENERS,
        lambda listener: send(listener, f"GET {GET_ROUTE[listener]} HTTP/1.2\r\nHost: localhost\r\n\r\n".encode()), 400)
    row("H13 HTTP/0.9", LISTENERS, lambda listener: send(listener, f"GET {GET_ROUTE[listener]}\r\n".encode()), 400)
    for method in ("get", "FOO", "TRACE"):
        row(f"H14 {method} on a route", LISTENERS,
            lambda listener, m=method: request(listener, m, GET_ROUTE[listener]), {405, 501}, allow_header=True)
    row("H15 GET with a body", LISTENERS,
        lambda listener: request(listener, "GET", GET_ROUTE[listener], "Content-Type: application/json\r\n", b"{}"), 400)


def slowloris_row():
    """H16: one header byte every 5 s on every listener at once: each closed within ≤ 10 s of the
    first byte (the header timeout), while a normal client is served meanwhile."""
    results = {}

    def slow(listener):
        raw = socket.create_connection((HOST, PORTS[listener]), timeout=30)
        tls = context_for(listener).wrap_socket(raw, server_hostname="localhost")
        started = time.monotonic()
        request_bytes = f"GET {GET_ROUTE[listener]} HTTP/1.1\r\nHost: localhost\r\n".encode()
        closed_after = None
        try:
            for byte in request_bytes:
                tls.sendall(bytes([byte]))
                tls.settimeout(5.0)
                try:
                    if tls.recv(65536) == b"":
                        closed_after = time.monotonic() - started
                        break
                except socket.timeout:
                    continue
                except (ssl.SSLError, OSError):
                    closed_after = time.monotonic() - started
                    break
                if time.monotonic() - started > 20:
                    break
        except (ssl.SSLError, OSError):
            closed_after = time.monotonic() - started
        finally:
            tls.close()
        results[listener] = closed_after

    threads = [threading.Thread(target=slow, args=(listener,)) for listener in LISTENERS]
    for thread in threads:
        thread.start()
    time.sleep(2)
    served = send("api", b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
    check("H16 slowloris", "another client served meanwhile", served.status == 200, served)
    for thread in threads:
        thread.join(60)
    for listener in LISTENERS:
        closed_after = results.get(listener)
        # ≤ 10 s header timeout, measured from the handshake; +2 s for the 5 s send cadence and ASan.
        check("H16 slowloris", f"[{listener}] closed within 12 s (after {closed_after})",
              closed_after is not None and closed_after <= 12.0, closed_after)
    alive("H16")


def connection_cap_row():
    """H17: 200 idle keep-alive connections from one IP: refused beyond the per-IP cap; once
    they are gone a new client is served."""
    opened, refused = [], 0
    for _ in range(200):
        try:
            raw = socket.create_connection((HOST, PORTS["api"]), timeout=10)
            tls = context_for("api").wrap_socket(raw, server_hostname="localhost")
            tls.sendall(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
            tls.settimeout(10)
            if tls.recv(65536)[:12] != b"HTTP/1.1 200":
                refused += 1
                tls.close()
                continue
            opened.append(tls)
        except (ssl.SSLError, OSError):
            refused += 1
    check("H17 200 idle connections", f"refused beyond the cap ({len(opened)} kept, {refused} refused)",
          refused > 0 and len(opened) < 200 and len(opened) >= 1, None)
    for tls in opened:
        tls.close()
    time.sleep(1)
    alive("H17")


# ---------------------------------------------------------------- paths and queries (U) -------
def path_rows():
    static_prefix = {"devices": "/static", "api": "/static", "admin": "/admin/static"}
    for path in ("/..%2f..%2fetc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/..\\..\\x"):
        row(f"U1 {path}", LISTENERS, lambda listener, p=path: request(listener, "GET", static_prefix[listener] + p),
            {400, 404})
    row("U2 NUL in path", ("api",), lambda listener: request(listener, "GET", "/api/v1/orders/1%00.json"), 400)
    row("U2 NUL in path", ("admin",), lambda listener: request(listener, "GET", "/admin/static/admin.css%00.json"),
        {400, 404})
    row("U3 repeated query parameter", ("api",),
        lambda listener: request(listener, "GET", "/api/v1/orders?state=imported&state=shipped"), 400)
    row("U3 repeated query parameter", ("admin",),
        lambda listener: request(listener, "GET", "/admin/login?next=/admin/&next=/admin/x"), 400)
    row("U5 SQL in a query value", ("api",),
        lambda listener: request(listener, "GET", "/api/v1/skus?after=name%3BDROP%20TABLE%20skus--"), 200)
    row("U5 undeclared sort parameter", ("admin",),
        lambda listener: request(listener, "GET", "/admin/login?sort=(SELECT%201)"), 400)
    row("U5 percent literals", ("api",), lambda listener: request(listener, "GET", "/api/v1/skus?after=%25%25%25"), 200)
    for query in ("limit=-1", "limit=1000000", "after=9223372036854775808"):
        row(f"U6 {query}", ("api",), lambda listener, q=query: request(listener, "GET", f"/api/v1/orders?{q}"), 400)
    for path in ("/.git/HEAD", "/.env", "/backup.sql", "/server.key"):
        row(f"U7 {path}", LISTENERS, lambda listener, p=path: request(listener, "GET", p), 404)


# ---------------------------------------------------------------- JSON (J) --------------------
def json_post(listener, path, body, content_type="application/json"):
    data = body if isinstance(body, bytes) else body.encode()
    return request(listener, "POST", path, f"Content-Type: {content_type}\r\n", data)


def order_json(**overrides):
    order = {"store": "shop", "order_number": f"BAD-{uuid.uuid4().hex[:8]}", "customer": "Tanaka",
             "address": "Tokyo", "lines": [{"sku": "SKU-1", "quantity": 1}]}
    order.update(overrides)
    return order


def push_json(ops, seq_start=1):
    return {"protocol": 1, "device_id": DEVICE_ID, "incarnation": 1,
            "ops": [dict(op, seq=seq_start + index) for index, op in enumerate(ops)]}


def receive_op(quantity, location="A-01-01"):
    return {"op_id": str(uuid.uuid4()), "type": "receive", "operator_id": "OP-0001",
            "created_at": "2026-11-29T21:40:00Z",
            "payload": {"sku": "SKU-1", "location": location, "quantity": quantity}}


def json_rows():
    big = "123456789012345678901234567890"
    row("J2 huge quantity (REST)", ("api",),
        lambda listener: json_post(listener, "/api/v1/orders",
                                   json.dumps(order_json()).replace('"quantity": 1', f'"quantity": {big}')), 400)
    row("J2 huge quantity (sync)", ("devices",),
        lambda listener: json_post(listener, "/api/v1/sync/push",
                                   json.dumps(push_json([receive_op(1)])).replace('"quantity": 1', f'"quantity": {big}')),
        400)
    for value in ("-1", "0", "1.5", '"5"', "true", "null"):
        row(f"J4 quantity {value} (REST)", ("api",),
            lambda listener, v=value: json_post(listener, "/api/v1/orders",
                                                json.dumps(order_json()).replace('"quantity": 1', f'"quantity": {v}')), 400)
        row(f"J4 quantity {value} (sync)", ("devices",),
            lambda listener, v=value: json_post(listener, "/api/v1/sync/push",
                                                json.dumps(push_json([receive_op(1)])).replace('"quantity": 1',
                                                                                               f'"quantity": {v}')), 400)
    for depth in (17, 33):
        nested = "[" * depth + "]" * depth
        row(f"J5 nesting depth {depth}", ("api", "devices"),
            lambda listener, n=nested: json_post(listener, POST_ROUTE[listener],
                                                 '{"protocol":1,"x":' + n + "}" if listener == "devices"
                                                 else '{"store":' + n + "}"), 400)
    lines = ",".join(['{"sku":"SKU-1","quantity":1}'] * 100001)
    row("J6 100 001 lines (REST)", ("api",),
        lambda listener: json_post(listener, "/api/v1/orders", json.dumps(order_json()).replace(
            '[{"sku": "SKU-1", "quantity": 1}]', "[" + lines + "]")), {400, 413})
    row("J6 1 001 ops (sync)", ("devices",),
        lambda listener: json_post(listener, "/api/v1/sync/push",
                                   json.dumps(push_json([receive_op(1) for _ in range(1001)]))), {400, 413})
    for name, data in (("\\xff\\xfe", b'{"store":"\xff\xfe"}'), ("overlong \\xC0\\xAF", b'{"store":"\xc0\xaf"}'),
                       ("lone surrogate", b'{"store":"\\ud800"}')):
        row(f"J7 {name}", ("api",), lambda listener, d=data: json_post(listener, "/api/v1/orders", d), 400)
    for field in ('"tenant_id":2', '"role":"admin"', '"__proto__":{}'):
        row(f"J9 extra {field}", ("api",),
            lambda listener, f=field: json_post(listener, "/api/v1/orders", json.dumps(order_json())[:-1] + "," + f + "}"),
            400)
        row(f"J9 extra {field} (sync)", ("devices",),
            lambda listener, f=field: json_post(listener, "/api/v1/sync/push",
                                                json.dumps(push_json([receive_op(1)]))[:-1] + "," + f + "}"), 400)
    for name, data in (("{}{}", b"{}{}"), ("trailing garbage", b'{"store":"s"} x'), ("UTF-8 BOM", b'\xef\xbb\xbf{}')):
        row(f"J17 {name}", ("api", "devices"),
            lambda listener, d=data: json_post(listener, POST_ROUTE[listener], d), 400)
    for content_type in ("text/plain", "application/json; charset=latin1"):
        row(f"J18 Content-Type {content_type}", ("api", "devices"),
            lambda listener, c=content_type: json_post(listener, POST_ROUTE[listener],
                                                       json.dumps(order_json()), c), 415)


def stored_literally_rows():
    """J10, J11, J12: hostile text in names is refused by pattern or stored byte for byte."""
    for row_name, text in (("J10", "x'); DROP TABLE stock;--"), ("J11", "<script>alert(1)</script>"),
                           ("J12", '=HYPERLINK("http://evil","x")')):
        answer = json_post("api", "/api/v1/orders", json.dumps(order_json(customer=text)))
        if answer.status == 400:
            check(row_name, "refused by pattern", True)
            continue
        check(row_name, "order with hostile customer created", answer.status == 201, answer)
        order_id = json.loads(answer.body)["id"]
        fetched = request("api", "GET", f"/api/v1/orders/{order_id}")
        stored = json.loads(fetched.body).get("customer") if fetched.status == 200 else None
        check(row_name, "stored literally", stored == text, fetched)
    answer = json_post("api", "/api/v1/orders", json.dumps(order_json(lines=[{"sku": "' OR 1=1--", "quantity": 1}])))
    check("J10", "SKU code with SQL refused by pattern or unknown", answer.status in (400, 422), answer)
    alive("J10-J12")


def sync_replay_rows():
    """J15: the same batch twice → identical answer, applied once. J16: an op on another
    warehouse's order → refused, nothing applied."""
    batch = json.dumps(push_json([receive_op(5)], seq_start=1)).encode()
    before = counts()
    first = json_post("devices", "/api/v1/sync/push", batch)
    second = json_post("devices", "/api/v1/sync/push", batch)
    after = counts()
    check("J15", "first push accepted", first.status == 200, first)
    check("J15", "second push answered identically", second.status == first.status and
          json.loads(second.body).get("results") == json.loads(first.body).get("results"), second)
    check("J15", "applied once", after["stock_movements"] - before["stock_movements"] == 1, (before, after))
    foreign = counts()
    other = json_post("api", "/api/v1/orders", json.dumps(order_json(store="other")))
    order_id = json.loads(other.body)["id"] if other.status in (200, 201) else 999999
    pick = {"op_id": str(uuid.uuid4()), "type": "pick", "operator_id": "OP-0001", "created_at": "2026-11-29T21:41:00Z",
            "payload": {"order_id": order_id, "line": 1, "sku": "SKU-1", "location": "A-01-01", "quantity": 1}}
    answer = json_post("devices", "/api/v1/sync/push", json.dumps(push_json([pick], seq_start=2)))
    result = (json.loads(answer.body).get("results") or [{}])[0] if answer.status == 200 else {}
    check("J16", "an op on an order not released to this warehouse is not applied",
          answer.status == 404 or result.get("outcome") == "rejected", answer)
    check("J16", "no stock movement from it", counts()["stock_movements"] == foreign["stock_movements"],
          counts())
    alive("J15-J16")


# ---------------------------------------------------------------- auth (A) --------------------
def auth_rows():
    row("A1 session id in ?sid=", ("admin",),
        lambda listener: request(listener, "GET", "/admin/api/session?sid=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
        {400, 401})
    row("A2 flipped session cookie", ("admin",),
        lambda listener: request(listener, "GET", "/admin/api/session",
                                 "Cookie: __Host-sid=BAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\r\n"), 401)
    form = "Content-Type: application/x-www-form-urlencoded\r\nOrigin: https://localhost\r\nSec-Fetch-Site: same-origin\r\n"
    for length, expected in ((129, {401, 422}), (1 << 20, 413)):
        started = time.monotonic()
        row(f"A5 {length}-byte password", ("admin",),
            lambda listener, n=length: request(listener, "POST", "/admin/login", form,
                                               b"username=chief&password=" + b"p" * n + b"&csrf=x"), expected)
        check(f"A5 {length}-byte password", "answered fast (no hashing)", time.monotonic() - started < 5.0)
    row("A8 X-Forwarded-For from an untrusted peer", ("api",),
        lambda listener: request(listener, "GET", "/healthz", "X-Forwarded-For: 1.2.3.4\r\n"), 200)
    row("A9 admin POST with a foreign Origin", ("admin",),
        lambda listener: request(listener, "POST", "/admin/login",
                                 "Content-Type: application/x-www-form-urlencoded\r\nOrigin: https://evil.example\r\n",
                                 b"username=chief&password=x&csrf=x"), 403)


# ---------------------------------------------------------------- CSV import (C) ---------------
def csv_post(body, content_type="text/csv"):
    return lambda listener: request(listener, "POST", "/api/v1/orders/import", f"Content-Type: {content_type}\r\n", body)


HEADER = b"store,order_number,customer,address,line,sku,quantity\r\n"


def csv_rows():
    row("C1 11 MiB file", ("api",), csv_post(HEADER + b"x" * (11 << 20)), 413, must_close=True)
    hundred_thousand = HEADER + b"".join(b"shop,C1-%d,A,B,1,SKU-1,1\r\n" % n for n in range(100001))
    row("C1 100 001 rows", ("api",), csv_post(hundred_thousand), {413, 422})
    row("C2 PNG bytes", ("api",), csv_post(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64), {415, 422})
    row("C2 NUL byte", ("api",), csv_post(HEADER + b"shop,C2,A\x00,B,1,SKU-1,1\r\n"), 422)
    row("C2 zip", ("api",), csv_post(b"PK\x03\x04" + b"\x00" * 64), {415, 422})
    row("C4 unbalanced quote", ("api",), csv_post(HEADER + b'shop,C4,"abc,def,B,1,SKU-1,1\r\n'), 422)
    row("C5 wrong header column", ("api",), csv_post(b"store,order_number,customer,address,line,sku,qty\r\n"
                                                     b"shop,C5,A,B,1,SKU-1,1\r\n"), 422)
    row("C5 extra header column", ("api",), csv_post(HEADER.rstrip() + b",extra\r\nshop,C5,A,B,1,SKU-1,1,x\r\n"), 422)
    for value in (b"1e3", b"0x10", "１０".encode()):
        row(f"C8 quantity {value.decode()}", ("api",), csv_post(HEADER + b"shop,C8,A,B,1,SKU-1," + value + b"\r\n"), 422)
    wide = HEADER + b"".join(b"shop,C9-%d," % n + b"a" * 1024 + b",B,1,SKU-1,1\r\n" for n in range(50000))
    row("C9 50 000 rows with 1 KiB fields", ("api",), csv_post(wide), {200, 413, 422}, unchanged=False)


def main():
    started = time.monotonic()
    for section in (raw_http_rows, path_rows, json_rows, stored_literally_rows, sync_replay_rows, auth_rows, csv_rows,
                    slowloris_row, connection_cap_row):
        section_started = time.monotonic()
        section()
        print(f"-- {section.__name__}: {time.monotonic() - section_started:.1f} s")
    print(f"{checks - len(failures)} of {checks} checks passed in {time.monotonic() - started:.1f} s")
    if failures:
        print("failed:\n  " + "\n  ".join(failures))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
