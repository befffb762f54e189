#!/usr/bin/env bash
# Static security checks of the source tree and the built binaries. One check per call, so CTest
# reports each on its own:
#   repo_checks.sh secrets            R14: no Slack webhook URL or PEM private key in any tracked file
#                                     outside test fixtures (tests/data/, tests/**/fixtures/) and
#                                     secrets-allowlist.txt. Duration < 2 s.
#   repo_checks.sh weak-crypto        R37: no rand()/srand()/<random> engines, MD5 or ECB (or DES/RC4)
#                                     in server/ and common/crypto/, minus weak-crypto-allowlist.txt.
#                                     Duration < 2 s.
#   repo_checks.sh key-modes          R14: after `soko-server init` and after a `run`, the data folder
#                                     is 0700 and every file in it except the public *.pem
#                                     certificates is 0600 and owned by the user. Duration 5–15 s.
#   repo_checks.sh hardening BIN…     R55: `hardening-check` (PIE, stack protector, FORTIFY, RELRO,
#                                     BIND_NOW) plus, from the DWARF producer strings of our own
#                                     translation units, -fstack-protector-strong,
#                                     -fstack-clash-protection and -fcf-protection, and
#                                     _GLIBCXX_ASSERTIONS (std::__glibcxx_assert_fail imported).
#                                     Same checks on ASan builds; FORTIFY not on -O0 builds
#                                     (docs/security.md). Duration 10–60 s.
#   repo_checks.sh sbom BIN…          R55: scripts/sbom.py writes a CycloneDX SBOM of the Debian
#                                     packages the binaries load; every library must come from a
#                                     package and the security-relevant ones (OpenSSL, libsodium,
#                                     Qt, Boost, SQLite, libpq/libpqxx, ZXing) must be listed with
#                                     their versions. Duration 5–40 s.
# shellcheck source=tests/security/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

# Allowlist lines "path | fragment | reason": does a grep hit "path:line:text" have an entry whose
# path matches and whose fragment is part of the text?
trim() {
    local text="$1"
    text="${text#"${text%%[![:space:]]*}"}"
    printf '%s' "${text%"${text##*[![:space:]]}"}"
}
allowed_by() {
    local list="$1" hit="$2" path text entry_path fragment
    path="${hit%%:*}"
    text="${hit#*:*:}"
    while IFS='|' read -r entry_path fragment _; do
        entry_path="$(trim "$entry_path")"
        fragment="$(trim "$fragment")"
        if [ -z "$entry_path" ] || [ -z "$fragment" ]; then
            continue
        fi
        if [ "$entry_path" = "$path" ] && [[ "$text" == *"$fragment"* ]]; then
            return 0
        fi
    done < <(grep -vE '^[[:space:]]*(#|$)' "$list")
    return 1
}

# grep_gate NAME ALLOWLIST PATTERN PATHSPEC…: git grep over tracked files; every hit not in the
# allowlist is printed and fails the check.
grep_gate() {
    local name="$1" list="$2" pattern="$3"
    shift 3
    git -C "$SOURCE_DIR" rev-parse --is-inside-work-tree >/dev/null 2>&1 ||
        fail "$SOURCE_DIR is not a git work tree: $name greps the tracked files"
    local hits bad=0 allowed=0
    hits="$(git -C "$SOURCE_DIR" grep -nIE "$pattern" -- "$@" || true)"
    while IFS= read -r hit; do
        [ -n "$hit" ] || continue
        if allowed_by "$list" "$hit"; then
            allowed=$((allowed + 1))
        else
            echo "  $hit" >&2
            bad=$((bad + 1))
        fi
    done <<<"$hits"
    [ "$bad" -eq 0 ] || fail "$name: $bad hit(s) above (pattern: $pattern); fix them or, if legitimate, add them to $(basename "$list") with a reason"
    note "$name: 0 hits ($allowed allowlisted) for $pattern in $* ($(elapsed))"
}

check_secrets() {
    # REQUIREMENTS.md R14's pattern, widened to every PEM private-key header. Written so that this
    # file does not match itself ([s] and the group).
    grep_gate "secrets (R14)" "$SECURITY_DIR/secrets-allowlist.txt" \
        'hooks.slack.com/service[s]/|BEGIN ((EC|RSA|DSA|OPENSSH|ENCRYPTED) )?PRIVATE KEY' \
        . ':(exclude,glob)tests/data/**' ':(exclude,glob)tests/**/fixtures/**'
}

check_weak_crypto() {
    # REQUIREMENTS.md R37: randomness only from RAND_bytes, no MD5, no ECB (nor DES/RC4) in
    # security code.
    # rand(), random(), [dlm]rand48() take no arguments; srand(seed) does.
    local pattern='(^|[^A-Za-z0-9_])(rand|random|[dlm]rand48)[[:space:]]*\([[:space:]]*\)|(^|[^A-Za-z0-9_])srand[[:space:]]*\('
    pattern+='|mt19937|minstd_rand|default_random_engine|ranlux|knuth_b|random_shuffle'
    pattern+='|[Mm][Dd]5|EVP_[a-z0-9_]+_ecb|EVP_(des|rc4|rc2|bf|cast5|idea)_'
    grep_gate "weak crypto (R37)" "$SECURITY_DIR/weak-crypto-allowlist.txt" "$pattern" server common/crypto
}

# data_folder_modes DIR WHEN: 0700 folder, 0600 files owned by us except public *.pem.
data_folder_modes() {
    local dir="$1" when="$2" bad=0 file mode owner
    mode="$(stat -c %a "$dir")"
    [ "$mode" = 700 ] || {
        echo "  $dir: mode $mode, expected 700" >&2
        bad=$((bad + 1))
    }
    local count=0
    while IFS= read -r -d '' file; do
        count=$((count + 1))
        mode="$(stat -c %a "$file")"
        owner="$(stat -c %u "$file")"
        case "$file" in
        *.pem) [ "$mode" = 600 ] || [ "$mode" = 644 ] || {
            echo "  $file: mode $mode (certificate: 644 or 600)" >&2
            bad=$((bad + 1))
        } ;;
        *) [ "$mode" = 600 ] || {
            echo "  $file: mode $mode, expected 600 (secret or database file)" >&2
            bad=$((bad + 1))
        } ;;
        esac
        [ "$owner" = "$(id -u)" ] || {
            echo "  $file: owner uid $owner, expected $(id -u)" >&2
            bad=$((bad + 1))
        }
    done < <(find "$dir" -mindepth 1 -print0)
    [ "$count" -ge 7 ] || fail "$when: only $count entries in $dir (expected the CAs, keys, configuration and database)"
    [ "$bad" -eq 0 ] || fail "$when: $bad file mode problem(s) above (stat -c %a)"
    for file in server-ca.key server.key device-ca.key soko-server.conf; do
        [ -f "$dir/$file" ] || fail "$when: $dir/$file missing (did init change? update this check)"
    done
    note "$when: $dir is 700, its $count entries 600 (certificates ≤ 644)"
}

check_key_modes() {
    require_server_binary
    local data="$SCRATCH/data"
    init_data "$data" --warehouse TKY1
    data_folder_modes "$data" "after init"
    start_server "$data"
    stop_server
    data_folder_modes "$data" "after run (WAL files)"
    note "key modes ($(elapsed))"
}

# check_hardening BIN…
check_hardening() {
    require_command hardening-check devscripts
    require_command readelf binutils
    [ "$#" -gt 0 ] || fail "hardening: no binaries given"
    local binary bad=0
    for binary in "$@"; do
        [ -x "$binary" ] || fail "hardening: $binary not built"
        echo "== $binary"
        # Compiler flags of our own translation units (DW_AT_producer records -f options).
        local units flags missing
        units="$(readelf --debug-dump=info --dwarf-depth=1 "$binary" 2>/dev/null | awk '
            function value() { sub(/^.*DW_AT_[a-z]+[[:space:]]*:[[:space:]]*/, ""); sub(/^\(indirect[^)]*\): /, "") }
            /DW_AT_producer/ { value(); producer = $0 }
            /DW_AT_name/ {
                value()
                if (producer != "" && $0 ~ /(^|\/)(server|common|client)\// && $0 !~ /libsanitizer/)
                    print $0 "\t" producer
                producer = ""
            }')"
        if [ -z "$units" ]; then
            echo "  no DWARF producer strings for server/, common/ or client/ sources: build with -g (Debug/RelWithDebInfo) to verify the compiler flags"
            bad=$((bad + 1))
        else
            for flags in -fstack-protector-strong -fstack-clash-protection -fcf-protection; do
                missing="$(awk -F'\t' -v flag="$flags" 'index($2, flag) == 0 { print $1 }' <<<"$units" | sort -u)"
                if [ -n "$missing" ]; then
                    echo "  $flags: missing in $(wc -l <<<"$missing") of $(wc -l <<<"$units") translation units, e.g. $(head -n 1 <<<"$missing")"
                    bad=$((bad + 1))
                else
                    echo "  $flags: in all $(wc -l <<<"$units") translation units"
                fi
            done
        fi
        # Control flow integrity is judged above from the compiler flags instead: hardening-check
        # wants the IBT/SHSTK property note, which Debian 12's glibc start files (Scrt1.o, crti.o,
        # crtn.o, no CET) make the linker drop from every program, hardened or not.
        # _FORTIFY_SOURCE does nothing without optimisation (glibc), so an -O0 build is not
        # asked for it; the tested builds (CI, ./scripts/dev.sh test) use -O1.
        local options=(--nocfprotection)
        if [ -n "$units" ] && ! awk -F'\t' '$2 ~ / -O([1-3sgz]|fast)?( |$)/ && $2 !~ / -O0( |$)/ { found = 1 } END { exit !found }' <<<"$units"; then
            echo "  FORTIFY: not checked, unoptimised build (-O0): _FORTIFY_SOURCE needs -O1 or more"
            options+=(--nofortify)
        fi
        if ! hardening-check "${options[@]}" "$binary"; then
            echo "  hardening-check: FAILED (the 'no' lines above)"
            bad=$((bad + 1))
        fi
        local symbols
        symbols="$(readelf --dyn-syms -W "$binary")"
        if [[ "$symbols" == *__glibcxx_assert_fail* ]]; then
            echo "  _GLIBCXX_ASSERTIONS: yes (std::__glibcxx_assert_fail imported)"
        else
            echo "  _GLIBCXX_ASSERTIONS: no (std::__glibcxx_assert_fail not imported)"
            bad=$((bad + 1))
        fi
    done
    [ "$bad" -eq 0 ] || fail "hardening (R55): $bad problem(s) above; the build needs -D_FORTIFY_SOURCE=3 -D_GLIBCXX_ASSERTIONS -fstack-protector-strong -fstack-clash-protection -fcf-protection and -Wl,-z,relro,-z,now -pie for every build type (docs/security.md)"
    note "hardening: all checks pass ($(elapsed))"
}

check_sbom() {
    [ "$#" -gt 0 ] || fail "sbom: give the binaries"
    local sbom="$SCRATCH/sbom.cdx.json" package
    python3 "$SOURCE_DIR/scripts/sbom.py" --output "$sbom" "$@" || fail "sbom (R55): scripts/sbom.py failed (see above)"
    for package in libssl3 libsodium23 libsqlite3-0 libpq5 libpqxx-6.4 libboost-json1.81.0 libboost1.81-dev \
        libqt6core6 libzxing2 libexpected-dev; do
        python3 -c 'import json,sys; names={c["name"]: c["version"] for c in json.load(open(sys.argv[1]))["components"]}
sys.exit(0 if sys.argv[2] in names and names[sys.argv[2]] else 1)' "$sbom" "$package" ||
            fail "sbom (R55): $package is not in the SBOM"
    done
    note "sbom: $(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["components"]))' "$sbom") Debian packages listed, the required ones with versions ($(elapsed))"
}

case "${1:-}" in
secrets) check_secrets ;;
weak-crypto) check_weak_crypto ;;
key-modes) check_key_modes ;;
hardening)
    shift
    check_hardening "$@"
    ;;
sbom)
    shift
    check_sbom "$@"
    ;;
*) fail "usage: $0 secrets|weak-crypto|key-modes|hardening BINARY…|sbom BINARY…" ;;
esac
