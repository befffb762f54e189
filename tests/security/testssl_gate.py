#!/usr/bin/env python3
"""Gate over testssl.sh 3.0.8 --jsonfile results (REQUIREMENTS.md R47, §2.1, §2.5).

Usage: testssl_gate.py --allowlist FILE LISTENER=RESULT.json...   (LISTENER: api, admin, devices)

Fails (exit 1) when
  * a finding has severity MEDIUM, HIGH, CRITICAL or FATAL (testssl's scan errors) and is not in
    the allowlist for that listener, or
  * a finding every complete scan of that listener produces is missing or says something else
    than the Mozilla profile of §2.1 (protocols, cipher categories, groups, suites, certificate
    trust, HSTS, the vulnerability checks) — so a scan that broke off or tested the wrong thing
    cannot pass.
Prints a table of every MEDIUM+ finding (allowed or not) and every failed expectation.

Allowlist lines: `<finding id> <listener>[,<listener>…] <reason>`; `#` starts a comment.
"""
import argparse
import json
import sys

GATED = {"MEDIUM", "HIGH", "CRITICAL", "FATAL"}
KNOWN_LISTENERS = {"api", "admin", "devices"}

# REQUIREMENTS.md §2.1 (Mozilla guidelines 6.0 on OpenSSL 3.0).
TLS13_SUITES = {"TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256"}
INTERMEDIATE_TLS12 = {
    "ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-RSA-AES128-GCM-SHA256", "ECDHE-ECDSA-AES256-GCM-SHA384",
    "ECDHE-RSA-AES256-GCM-SHA384", "ECDHE-ECDSA-CHACHA20-POLY1305", "ECDHE-RSA-CHACHA20-POLY1305",
}
GROUPS = {"X25519", "prime256v1", "secp384r1"}
VULNERABILITY_IDS = [
    "heartbleed", "CCS", "ticketbleed", "ROBOT", "secure_renego", "secure_client_renego", "CRIME_TLS",
    "BREACH", "POODLE_SSL", "fallback_SCSV", "SWEET32", "FREAK", "DROWN", "LOGJAM", "BEAST", "LUCKY13", "RC4",
]


def equals(expected):
    return (lambda value: value == expected), f"= {expected!r}"


def starts(prefix):
    return (lambda value: value.startswith(prefix)), f"starts with {prefix!r}"


def contains(part):
    return (lambda value: part in value), f"contains {part!r}"


def word_set(expected):
    return (lambda value: set(value.split()) == expected), f"exactly {' '.join(sorted(expected))}"


def word_subset(allowed):
    return (lambda value: bool(value.split()) and set(value.split()) <= allowed), \
        f"non-empty subset of {' '.join(sorted(allowed))}"


def present():
    return (lambda value: True), "present"


def expectations(listener):
    """(finding id, (predicate, description)) that a complete scan of this listener must show."""
    modern = listener in ("devices", "admin")  # TLS 1.3 only
    rows = [
        ("SSLv2", equals("not offered")), ("SSLv3", equals("not offered")),
        ("TLS1", equals("not offered")), ("TLS1_1", equals("not offered")),
        ("TLS1_2", equals("not offered") if modern else equals("offered")),
        ("TLS1_3", starts("offered")),
        ("cipherlist_NULL", equals("not offered")), ("cipherlist_aNULL", equals("not offered")),
        ("cipherlist_EXPORT", equals("not offered")), ("cipherlist_LOW", equals("not offered")),
        ("cipherlist_3DES_IDEA", equals("not offered")), ("cipherlist_AVERAGE", equals("not offered")),
        ("cipherlist_STRONG", equals("offered")),
        ("PFS", equals("offered")),
        ("PFS_ciphers", word_subset(TLS13_SUITES if modern else TLS13_SUITES | INTERMEDIATE_TLS12)),
        ("PFS_ECDHE_curves", word_set(GROUPS)),
        ("scanTime", present()),
    ]
    if listener in ("api", "admin"):  # the full scan
        rows += [
            ("protocol_negotiated", equals("Default protocol TLS1.3")),
            ("cert_chain_of_trust", starts("passed")),
            ("cert_trust", starts("Ok")),
            ("cert_keySize", starts("EC ")),
            ("HSTS_time", contains("63072000 seconds")),
            ("HSTS_subdomains", equals("includes subdomains")),
            ("X-Frame-Options", equals("DENY")),
            ("X-Content-Type-Options", equals("nosniff")),
            ("Content-Security-Policy", contains("default-src 'none'")),
        ]
        # testssl 3.0.8 bug: on a TLS 1.3-only server run_sweet32 writes its "not vulnerable" under
        # the previous check's id (a second CRIME_TLS), so SWEET32 is absent there.
        rows += [(identifier, present()) for identifier in VULNERABILITY_IDS
                 if not (modern and identifier == "SWEET32")]
    return rows


def read_allowlist(path):
    allowed = {}
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            parts = line.split(None, 2)
            if len(parts) < 3:
                sys.exit(f"{path}:{number}: expected '<finding id> <listeners> <reason>'")
            identifier, listeners, reason = parts
            scope = set(listeners.split(","))
            if not scope <= KNOWN_LISTENERS or "*" in identifier:
                sys.exit(f"{path}:{number}: listeners must be among {sorted(KNOWN_LISTENERS)} and ids exact")
            for listener in scope:
                allowed[(identifier, listener)] = f"{path.rsplit('/', 1)[-1]}:{number}"
    return allowed


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--allowlist", required=True)
    parser.add_argument("results", nargs="+", help="LISTENER=RESULT.json")
    arguments = parser.parse_args()
    allowed = read_allowlist(arguments.allowlist)
    used = set()
    failures, table = [], []

    for argument in arguments.results:
        listener, _, path = argument.partition("=")
        if listener not in KNOWN_LISTENERS:
            sys.exit(f"unknown listener {listener!r}")
        try:
            with open(path, encoding="utf-8") as handle:
                findings = json.load(handle)
        except (OSError, ValueError) as error:
            failures.append((listener, "-", "FATAL", f"no usable testssl JSON: {error}"))
            table.append((listener, "-", "FATAL", f"no usable testssl JSON: {error}", "FAILED"))
            continue
        by_id = {}
        for finding in findings:
            identifier, severity = finding.get("id", "?"), finding.get("severity", "?")
            text = " ".join(str(finding.get("finding", "")).split())
            by_id.setdefault(identifier, text)
            if severity not in GATED:
                continue
            reason = allowed.get((identifier, listener))
            if reason:
                used.add((identifier, listener))
                table.append((listener, identifier, severity, text, "allowed by " + reason))
            else:
                table.append((listener, identifier, severity, text, "NOT ALLOWED"))
                failures.append((listener, identifier, severity, text))
        for identifier, (predicate, description) in expectations(listener):
            if identifier not in by_id:
                failures.append((listener, identifier, "MISSING", f"expected a finding that is {description}"))
                table.append((listener, identifier, "MISSING", f"expected {description}", "FAILED"))
            elif not predicate(by_id[identifier]):
                failures.append((listener, identifier, "UNEXPECTED", by_id[identifier]))
                table.append((listener, identifier, "UNEXPECTED", by_id[identifier], f"FAILED: expected {description}"))

    if table:
        width = max(len(row[1]) for row in table)
        print(f"{'listener':8}  {'finding id':{width}}  {'severity':10}  finding -> verdict")
        for listener, identifier, severity, text, verdict in table:
            print(f"{listener:8}  {identifier:{width}}  {severity:10}  {text[:110]} -> {verdict}")
    scanned = {argument.partition("=")[0] for argument in arguments.results}
    for (identifier, listener), reason in sorted(allowed.items()):
        if listener in scanned and (identifier, listener) not in used:
            print(f"note: allowlist entry {identifier} for {listener} matched nothing (stale?)")
    if failures:
        print(f"{len(failures)} finding(s) fail the gate", file=sys.stderr)
        return 1
    print(f"gate passed for {', '.join(sorted(scanned))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
