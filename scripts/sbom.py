#!/usr/bin/env python3
"""Software bill of materials of Soko's binaries (REQUIREMENTS.md R55), CycloneDX 1.5 JSON.

    scripts/sbom.py [--output FILE] BINARY...

Lists the Debian packages whose shared libraries the binaries load (from `ldd`, each library file
mapped to its package with `dpkg -S`, version and architecture from `dpkg-query`), plus the
header-only libraries compiled into them (Boost.Asio/Beast/JSON/URL headers, tl::expected), as
`pkg:deb/debian/<name>@<version>?arch=<arch>` package URLs, so that a Debian security tracker
(`debsecan`) or any CycloneDX tool can match them against advisories. Libraries loaded from
outside Debian packages are listed as such and make the exit status 1: a release must not carry
them. Needs dpkg (Debian/Ubuntu); no network.
"""
import argparse
import datetime
import json
import os
import re
import subprocess
import sys
import uuid

# Compiled in from headers (no shared object of their own to find with ldd).
HEADER_ONLY_PACKAGES = ("libboost1.81-dev", "libexpected-dev")


def run(arguments):
    return subprocess.run(arguments, capture_output=True, text=True, check=False)


def shared_libraries(binary):
    """Resolved paths of every shared object `binary` loads (ldd), minus the vDSO."""
    result = run(["ldd", binary])
    if result.returncode != 0:
        raise SystemExit(f"sbom: ldd {binary} failed: {result.stderr.strip()}")
    paths = []
    for line in result.stdout.splitlines():
        match = re.search(r"=>\s+(/\S+)\s+\(", line) or re.match(r"\s*(/\S+)\s+\(", line)
        if match:
            paths.append(match.group(1))
    return paths


def owning_packages(paths):
    """{path: Debian package} for the paths some installed package ships, from dpkg's file
    lists (/var/lib/dpkg/info/*.list; what `dpkg -S` reads, in one pass). Each path is tried as
    given, as its real path and, on merged-/usr systems, without or with the /usr prefix."""
    spellings = {}
    for path in paths:
        for candidate in (path, os.path.realpath(path)):
            spellings.setdefault(candidate, path)
            if candidate.startswith("/usr/"):
                spellings.setdefault(candidate[len("/usr"):], path)
            else:
                spellings.setdefault("/usr" + candidate, path)
    found = {}
    info = "/var/lib/dpkg/info"
    for entry in sorted(os.listdir(info)):
        if not entry.endswith(".list"):
            continue
        package = entry[:-len(".list")].split(":")[0]
        with open(os.path.join(info, entry), encoding="utf-8", errors="replace") as listing:
            for line in listing:
                original = spellings.get(line.rstrip("\n"))
                if original is not None:
                    found.setdefault(original, package)
    return found


def package_details(name):
    result = run(["dpkg-query", "-W", "-f=${Package}\t${Version}\t${Architecture}\t${Source}\t${Homepage}", name])
    if result.returncode != 0 or not result.stdout.strip():
        return None
    package, version, architecture, source, homepage = (result.stdout.split("\t") + [""] * 5)[:5]
    return {"name": package, "version": version, "arch": architecture,
            "source": source.split(" ")[0] or package, "homepage": homepage.strip()}


def component(details, scope, binaries):
    purl = f"pkg:deb/debian/{details['name']}@{details['version']}?arch={details['arch']}"
    entry = {"type": "library", "bom-ref": purl, "name": details["name"], "version": details["version"],
             "purl": purl, "scope": scope,
             "properties": [{"name": "debian:source", "value": details["source"]}] +
                           [{"name": "soko:used-by", "value": binary} for binary in sorted(binaries)]}
    if details["homepage"]:
        entry["externalReferences"] = [{"type": "website", "url": details["homepage"]}]
    return entry


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", help="write the JSON here (default: standard output)")
    parser.add_argument("binaries", nargs="+")
    options = parser.parse_args()

    used_by = {}
    unpackaged = []
    libraries = {}
    for binary in options.binaries:
        if not os.path.isfile(binary):
            raise SystemExit(f"sbom: no such binary: {binary}")
        libraries[binary] = shared_libraries(binary)
    owners = owning_packages({library for found in libraries.values() for library in found})
    for binary, found in libraries.items():
        for library in found:
            package = owners.get(library)
            if package is None:
                unpackaged.append(f"{os.path.basename(binary)}: {library}")
                continue
            used_by.setdefault(package, set()).add(os.path.basename(binary))

    components = []
    for name in sorted(used_by):
        details = package_details(name)
        if details is None:
            unpackaged.append(f"{name}: not known to dpkg-query")
            continue
        components.append(component(details, "required", used_by[name]))
    for name in HEADER_ONLY_PACKAGES:
        details = package_details(name)
        if details is not None:
            components.append(component(details, "required", {os.path.basename(b) for b in options.binaries}))

    bom = {
        "bomFormat": "CycloneDX",
        "specVersion": "1.5",
        "serialNumber": f"urn:uuid:{uuid.uuid4()}",
        "version": 1,
        "metadata": {
            "timestamp": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "component": {"type": "application", "name": "soko", "bom-ref": "soko"},
            "properties": [{"name": "soko:binary", "value": os.path.basename(b)} for b in options.binaries],
        },
        "components": components,
    }
    text = json.dumps(bom, indent=2, ensure_ascii=False) + "\n"
    if options.output:
        with open(options.output, "w", encoding="utf-8") as out:
            out.write(text)
    else:
        sys.stdout.write(text)
    print(f"sbom: {len(components)} Debian packages for {len(options.binaries)} binaries", file=sys.stderr)
    if unpackaged:
        print("sbom: loaded from outside Debian packages:\n  " + "\n  ".join(unpackaged), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
