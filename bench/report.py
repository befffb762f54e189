#!/usr/bin/env python3
"""bench/RESULTS.md tables and bench/plots/*.svg from bench/results/*.json (python3 stdlib + gnuplot).

  report.py report                          rewrite the generated part of RESULTS.md (between the
                                            '<!-- report.py begin -->' and '<!-- report.py end -->'
                                            lines; the text around them is kept) and the plots
  report.py merge-terminal OUT IN1 IN2 ...  terminal_scan_bench rounds -> one terminal.json
                                            (median and min-max per figure, every round kept)
"""
import json
import os
import platform
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
# SOKO_BENCH_REPORT_DIR: read <dir>/results, write <dir>/RESULTS.md and <dir>/plots (trying it out).
BASE = os.environ.get("SOKO_BENCH_REPORT_DIR", HERE)
RESULTS = os.path.join(BASE, "results")
PLOTS = os.path.join(BASE, "plots")
MARKDOWN = os.path.join(BASE, "RESULTS.md")
BEGIN = "<!-- report.py begin -->"
END = "<!-- report.py end -->"


def load(name):
    path = os.path.join(RESULTS, name + ".json")
    if not os.path.exists(path):
        return None
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def cpu_model():
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def machine(load_average=None):
    text = "%s, nproc %d" % (cpu_model(), os.cpu_count() or 0)
    if load_average:
        text += ", load %s" % load_average
    return text


def date(value):
    """'2026-11-30T10:40:37Z' -> '2026-11-30 10:40'."""
    if not value:
        return "–"
    return value.replace("T", " ")[:16]


def number(value, digits=None):
    if value is None:
        return "–"
    if isinstance(value, int) and digits is None:
        return "{:,}".format(value)
    if digits is None:
        digits = 0 if abs(value) >= 100 else 1 if abs(value) >= 10 else 2
    return "{:,.{}f}".format(value, digits)


def spread(figure, digits=None):
    """'median (min–max)' of a {median, min, max} object."""
    if not isinstance(figure, dict):
        return number(figure, digits)
    if figure.get("min") == figure.get("max"):
        return number(figure["median"], digits)
    return "%s (%s–%s)" % (number(figure["median"], digits), number(figure["min"], digits),
                           number(figure["max"], digits))


def median(figure):
    return figure["median"] if isinstance(figure, dict) else figure


def ratio(soko, reference):
    if not soko or not reference:
        return "–"
    value = median(soko) / median(reference)
    return "%.2f" % value


def plural(count, noun):
    return "%d %s%s" % (count, noun, "" if count == 1 else "s")


def row(*cells):
    return "| " + " | ".join(str(cell) for cell in cells) + " |"


HEADER = [row("figure", "Soko", "reference", "ratio", "machine", "date (UTC)"), "|---|---|---|---|---|---|"]


def push_section(push, lines):
    if not push:
        return
    where = machine(push.get("load_average_start"))
    when = date(push.get("date_utc"))
    lines += ["## Sync push vs the raw database (bench/push_bench.cpp → push.json)", "",
              "Ops applied per second (higher is better; ratio = Soko ÷ reference, below 1: Soko slower), "
              "%s, durable commits, one transaction per batch. Soko = %s. SQLite: %s; reference %s. "
              "PostgreSQL: %s; reference %s. `./scripts/bench.sh push`." % (
                  plural(push.get("rounds", 1), "round"), push.get("push_path", ""), push.get("sqlite_durable", ""),
                  push.get("sqlite_reference", ""), push.get("postgresql_durable", "not run"),
                  push.get("postgresql_reference", "")), ""]
    lines += HEADER
    for size, figures in sorted(push.get("sqlite", {}).items(), key=lambda item: int(item[0])):
        lines.append(row("SQLite push, batch %s, ops/s (%s ops/run)" % (size, number(figures["ops_per_run"])),
                         spread(figures["soko"]), "sqlite3 " + spread(figures["raw_sqlite3"]),
                         ratio(figures["soko"], figures["raw_sqlite3"]), where, when))
    postgres = push.get("postgresql")
    if isinstance(postgres, dict):
        for size, figures in sorted(postgres.items(), key=lambda item: int(item[0])):
            lines.append(row("PostgreSQL push, batch %s, ops/s (%s ops/run)" % (size, number(figures["ops_per_run"])),
                             spread(figures["soko"]),
                             "pgbench %s; libpqxx %s" % (spread(figures["pgbench"]), spread(figures["raw_libpqxx"])),
                             "%s / %s" % (ratio(figures["soko"], figures["pgbench"]),
                                          ratio(figures["soko"], figures["raw_libpqxx"])), where, when))
    elif postgres:
        lines.append(row("PostgreSQL push", postgres, "–", "–", where, when))
    lines += ["", "![push throughput vs batch size](plots/push_throughput.svg)", ""]


def pull_section(pull, tls, pouch, lines):
    if not pull and not tls:
        return
    lines += ["## Pull catch-up and sync over TLS vs PouchDB", "",
              "pull.json (bench/pull_bench.cpp, single run): a fresh terminal downloads %s changes through "
              "SyncService::pull + JSON encoding, no TLS/HTTP, against the same SELECT through the "
              "database's client library (changes/s; ratio = Soko ÷ reference). sync_tls.json "
              "(bench/sync_bench.cpp `tls`): the same over HTTPS to a soko-server process (SQLite), one "
              "enrolled device on a keep-alive connection. pouchdb.json (bench/pouchdb/pouch_bench.js): "
              "PouchDB %s replication against express-pouchdb %s (memory adapter) over HTTPS on "
              "loopback, server and client in separate Node %s processes, the same N operations as "
              "documents / the same number of changes. `./scripts/bench.sh pull|tls|pouchdb`." % (
                  number(pull.get("changes_in_scope", 0)) if pull else "100,000",
                  (pouch or {}).get("versions", {}).get("pouchdb", "?"),
                  (pouch or {}).get("versions", {}).get("express-pouchdb", "?"), (pouch or {}).get("node", "?")),
              ""]
    lines += HEADER
    if pull:
        # pull.json predates the machine/date fields: the file's modification time stands in.
        when = pull.get("date_utc") or time.strftime(
            "%Y-%m-%dT%H:%M:%SZ", time.gmtime(os.path.getmtime(os.path.join(RESULTS, "pull.json"))))
        for backend in ("sqlite", "postgresql"):
            for page in pull.get(backend, []) if isinstance(pull.get(backend), list) else []:
                lines.append(row("pull %s, page %d, changes/s" % ("SQLite" if backend == "sqlite" else "PostgreSQL",
                                                                  page["page_limit"]),
                                 number(page["pull_changes_per_second"]),
                                 "raw SELECT " + number(page["raw_select_changes_per_second"]),
                                 ratio(page["pull_changes_per_second"], page["raw_select_changes_per_second"]),
                                 machine(pull.get("load_average")), date(when)))
    if tls:
        where = machine(tls.get("load_average"))
        pouch_push = pouch["push"]["ops_per_second"] if pouch else None
        lines.append(row("push over TLS, %s ops in batches of 500, ops/s" % number(tls["push"]["ops"]),
                         spread(tls["push"]["ops_per_second"]),
                         "PouchDB " + spread(pouch_push) if pouch_push else "–", ratio(tls["push"]["ops_per_second"],
                                                                                      pouch_push), where,
                         date(tls.get("date_utc"))))
        for page in tls.get("pull", []):
            reference = None
            for candidate in (pouch or {}).get("pull", []):
                if candidate["batch_size"] == page["page_limit"]:
                    reference = candidate["changes_per_second"]
            lines.append(row("pull over TLS, fresh terminal, %s changes, page %d, changes/s" % (
                number(page["changes"]), page["page_limit"]), spread(page["changes_per_second"]),
                             "PouchDB batch_size %d: %s" % (page["page_limit"], spread(reference)) if reference else "–",
                             ratio(page["changes_per_second"], reference), where, date(tls.get("date_utc"))))
        if pouch:
            lines.append(row("server peak RSS (VmHWM), MiB", number(tls.get("server_vmhwm_mib")),
                             "PouchDB server " + number(pouch.get("server_vmhwm_mib")),
                             ratio(tls.get("server_vmhwm_mib"), pouch.get("server_vmhwm_mib")), where,
                             date(tls.get("date_utc"))))
    lines.append("")


def load_section(data, lines):
    if not data:
        return
    where = machine(data.get("load_average"))
    when = date(data.get("date_utc"))
    phases = data.get("phases", [])
    lines += ["## Load: simulated terminals over TLS (bench/sync_bench.cpp `load` → load.json)", "",
              "%s. Loop per terminal: %s. Server: %s. No external reference: the ratio column is the "
              "figure ÷ the same figure at %d terminals (scaling), and for the storm the time until all "
              "succeeded ÷ the time the same terminals took to connect at the start of their phase. The bench process (TLS clients) "
              "shares the 2 cores with the server. `./scripts/bench.sh load [SECONDS]`." % (
                  data.get("transport", ""), data.get("loop", ""), data.get("server", ""),
                  phases[0]["terminals"] if phases else 10), ""]
    lines += ["| terminals | ops/s (offered) | push p50 / p99 ms | pull p50 / p99 ms | server / bench-client CPU (cores) "
              "| server CPU ms/op "
              "| server VmRSS / VmHWM MiB | errors | ops/s ÷ first | push p99 ÷ first | machine | date (UTC) |",
              "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    first = phases[0] if phases else None
    for phase in phases:
        client = phase.get("bench_client_cpu_cores")
        lines.append(row(phase["terminals"], "%s (%s)" % (number(phase["ops_per_second"]),
                                                          number(phase.get("offered_ops_per_second"))),
                         "%s / %s" % (number(phase["push_ms_p50"]), number(phase["push_ms_p99"])),
                         "%s / %s" % (number(phase["pull_ms_p50"]), number(phase["pull_ms_p99"]))
                         if phase.get("pull_requests", 1) and phase["pull_ms_p99"] > 0 else "none finished in the window",
                         "%s / %s" % (number(phase["server_cpu_cores"], 2), number(client, 2)),
                         number(phase["server_cpu_ms_per_op"], 3),
                         "%s / %s" % (number(phase["server_vmrss_mib"]), number(phase["server_vmhwm_mib"])),
                         phase["request_errors"] + phase.get("connect_failures", 0),
                         ratio(phase["ops_per_second"], first["ops_per_second"]),
                         ratio(phase["push_ms_p99"], first["push_ms_p99"]), where, when))
    storm = data.get("storm")
    if storm and phases:
        last = phases[-1]
        lines += ["", HEADER[0], HEADER[1]]
        lines.append(row("connection storm: %d terminals reconnect at once (TLS + first pull), seconds until all "
                         "succeeded" % storm["terminals"], number(storm["seconds_until_all_succeeded"], 2),
                         "steady connect of %d: %s s" % (last["terminals"], number(last["connect_seconds"], 2)),
                         ratio(storm["seconds_until_all_succeeded"], last["connect_seconds"]), where, when))
        lines.append(row("storm: failed attempts (retried after 100 ms)", storm["failures"], "0", "–", where, when))
        lines.append(row("storm: first pull p50 / p99 ms after the drop", "%s / %s" % (
            number(storm["first_pull_ms_p50"]), number(storm["first_pull_ms_p99"])),
                         "steady pull p99 %s" % number(last["pull_ms_p99"]) if last["pull_ms_p99"] > 0 else "–",
                         ratio(storm["first_pull_ms_p99"], last["pull_ms_p99"]), where, when))
        lines.append(row("storm: server CPU time, ms per reconnecting terminal (TLS handshake + first pull)",
                         number(1000 * storm["server_cpu_seconds"] / storm["terminals"], 2), "–", "–", where, when))
        lines.append(row("enrollment (CSR → certificate), s per device", number(data.get("enroll_seconds_per_device"), 3),
                         "–", "–", where, when))
    lines += ["", "![latency vs terminal count](plots/load_latency.svg)", ""]


def terminal_section(data, lines):
    if not data:
        return
    where = machine(data.get("load_average"))
    when = date(data.get("date_utc"))
    lines += ["## Terminal (bench/terminal_scan_bench.cpp → terminal.json)", "",
              "soko-terminal offscreen on a local database of %s SKUs and %s open order lines; %d scans per "
              "round (pick slips, bin labels, JANs through WedgeScanSource), %s: wedge → screen "
              "updated (workflow + SQLite commit + repaint). No external reference. "
              "`./scripts/bench.sh terminal`." % (number(data.get("skus")), number(data.get("open_order_lines")),
                                                  data.get("scans", 0), plural(data.get("rounds", 1), "round")), ""]
    lines += ["| figure | Soko | machine | date (UTC) |", "|---|---|---|---|"]
    scan = data.get("scan_to_ui_ms", {})
    for key in ("p50", "p99", "max"):
        lines.append(row("wedge → screen %s, ms" % key, spread(scan.get(key)), where, when))
    lines.append(row("start-up to first frame, ms", spread(data.get("startup_ms")), where, when))
    lines.append(row("RSS after start-up, MiB", spread(data.get("rss_after_start_mib")), where, when))
    lines.append(row("RSS after the scans, MiB", spread(data.get("rss_after_scans_mib")), where, when))
    lines.append(row("peak RSS (VmHWM), MiB", spread(data.get("peak_rss_mib")), where, when))
    lines.append("")


def barcode_section(data, lines):
    if not data:
        return
    info = data.get("machine", {})
    where = "%s, nproc %s" % (info.get("cpu", cpu_model()), info.get("nproc", "?"))
    if info.get("load_average"):
        where += ", load %s" % info["load_average"]
    when = date(info.get("date_utc"))
    lines += ["## Barcode decoding, summary (bench/barcode_bench.cpp → barcode.json)", "",
              "%s over %d images; ms per image (lower is better; ratio = Soko ÷ reference, below 1: "
              "Soko faster), reference = ZXingReader / zbarimg processes. The per-format tables and notes in "
              "the hand-written section below are from the run it names. `./scripts/bench.sh barcode`." % (
                  plural(data.get("rounds", 1), "round"), data.get("images", 0)), ""]
    lines += HEADER
    for mode in ("expected", "any"):
        result = data["results"][mode]
        soko, scan, zxing, zbar = result["soko"], result["soko-scan"], result["ZXingReader"], result["zbarimg"]

        def pair(key, figure):
            return "%s / %s" % (ratio(figure, zxing[key]), ratio(figure, zbar[key]))

        lines.append(row("ms/image, Soko in-process vs reference process minus start-up [%s]" % mode,
                         number(soko["ms_per_image_median"]), "%s / %s" % (
                             number(zxing["ms_per_image_startup_corrected"]),
                             number(zbar["ms_per_image_startup_corrected"])),
                         pair("ms_per_image_startup_corrected", soko["ms_per_image_median"]), where, when))
        lines.append(row("ms/image, process to process, raw [%s]" % mode,
                         "soko-scan " + number(scan["ms_per_image_median"]), "%s / %s" % (
                             number(zxing["ms_per_image_median"]), number(zbar["ms_per_image_median"])),
                         pair("ms_per_image_median", scan["ms_per_image_median"]), where, when))
        lines.append(row("ms/image, process minus start-up [%s]" % mode,
                         "soko-scan " + number(scan["ms_per_image_startup_corrected"]), "%s / %s" % (
                             number(zxing["ms_per_image_startup_corrected"]),
                             number(zbar["ms_per_image_startup_corrected"])),
                         pair("ms_per_image_startup_corrected", scan["ms_per_image_startup_corrected"]), where, when))
        lines.append(row("process start-up (1×1 PNG), ms [%s]" % mode,
                         "soko-scan %s (%s–%s)" % (number(scan["startup_ms_median"]), number(scan["startup_ms_min"]),
                                                  number(scan["startup_ms_max"])),
                         "%s / %s" % (number(zxing["startup_ms_median"]), number(zbar["startup_ms_median"])),
                         pair("startup_ms_median", scan["startup_ms_median"]), where, when))
        lines.append(row("read [%s]" % mode, "%d/%d" % (soko["read"], soko["images"]), "%d/%d / %d/%d" % (
            zxing["read"], zxing["images"], zbar["read"], zbar["images"]), "–", where, when))
    lines.append("")


def gnuplot(script, output):
    if not shutil.which("gnuplot"):
        print("report.py: gnuplot missing, %s not drawn" % output, file=sys.stderr)
        return
    subprocess.run(["gnuplot"], input=script, text=True, check=True)


def plots(push, data):
    os.makedirs(PLOTS, exist_ok=True)
    if push:
        table = os.path.join(PLOTS, "push_throughput.dat")
        with open(table, "w", encoding="utf-8") as handle:
            handle.write("# batch soko_sqlite raw_sqlite3 soko_postgresql pgbench\n")
            postgres = push.get("postgresql") if isinstance(push.get("postgresql"), dict) else {}
            for size, figures in sorted(push.get("sqlite", {}).items(), key=lambda item: int(item[0])):
                pg = postgres.get(size)
                handle.write("%s %f %f %s %s\n" % (size, median(figures["soko"]), median(figures["raw_sqlite3"]),
                                                   median(pg["soko"]) if pg else "NaN",
                                                   median(pg["pgbench"]) if pg else "NaN"))
        gnuplot("""set terminal svg size 720,440 font 'sans,11'
set output '%s'
set title 'Sync push throughput vs batch size (durable commits)'
set xlabel 'ops per batch (transaction)'
set ylabel 'ops applied per second'
set logscale xy
set xtics (1, 50, 500)
set key top left
set grid
plot '%s' using 1:2 with linespoints lw 2 title 'Soko push, SQLite', \\
     '' using 1:3 with linespoints lw 2 dt 2 title 'raw sqlite3 INSERTs', \\
     '' using 1:4 with linespoints lw 2 title 'Soko push, PostgreSQL', \\
     '' using 1:5 with linespoints lw 2 dt 2 title 'pgbench INSERTs'
""" % (os.path.join(PLOTS, "push_throughput.svg"), table), "push_throughput.svg")
    if data and data.get("phases"):
        table = os.path.join(PLOTS, "load_latency.dat")
        with open(table, "w", encoding="utf-8") as handle:
            handle.write("# terminals push_p50 push_p99 pull_p50 pull_p99 ops_per_second\n")
            for phase in data["phases"]:
                handle.write("%d %f %f %f %f %f\n" % (phase["terminals"], phase["push_ms_p50"], phase["push_ms_p99"],
                                                      phase["pull_ms_p50"], phase["pull_ms_p99"],
                                                      phase["ops_per_second"]))
        gnuplot("""set terminal svg size 720,440 font 'sans,11'
set output '%s'
set title 'Request latency and throughput vs simulated terminals (TLS, a round per second each)'
set xlabel 'terminals'
set ylabel 'latency, ms'
set y2label 'ops applied per second'
set logscale x
set logscale y
set y2tics
set ytics nomirror
set key top left
set grid
plot '%s' using 1:2 with linespoints lw 2 title 'push p50', \\
     '' using 1:3 with linespoints lw 2 dt 2 title 'push p99', \\
     '' using 1:4 with linespoints lw 2 title 'pull p50', \\
     '' using 1:5 with linespoints lw 2 dt 2 title 'pull p99', \\
     '' using 1:6 axes x1y2 with linespoints lw 3 title 'ops/s (right axis)'
""" % (os.path.join(PLOTS, "load_latency.svg"), table), "load_latency.svg")


def report():
    push = load("push")
    lines = [BEGIN, "",
             "_Generated by `bench/report.py` from bench/results/*.json on %s UTC (machine now: %s, load %s); "
             "edit the text outside the markers only._" % (
                 time.strftime("%Y-%m-%d %H:%M", time.gmtime()), machine(),
                 " ".join("%.2f" % value for value in os.getloadavg())), ""]
    push_section(push, lines)
    pull_section(load("pull"), load("sync_tls"), load("pouchdb"), lines)
    load_data = load("load")
    load_section(load_data, lines)
    terminal_section(load("terminal"), lines)
    barcode_section(load("barcode"), lines)
    lines.append(END)
    generated = "\n".join(lines) + "\n"
    with open(MARKDOWN, encoding="utf-8") as handle:
        text = handle.read()
    if BEGIN in text and END in text:
        text = text[:text.index(BEGIN)] + generated + text[text.index(END) + len(END) + 1:]
    else:
        marker = "## Barcode decoding"
        at = text.index(marker) if marker in text else len(text)
        text = text[:at] + generated + "\n" + text[at:]
    with open(MARKDOWN, "w", encoding="utf-8") as handle:
        handle.write(text)
    plots(push, load_data)
    print("report.py: wrote %s and %s" % (MARKDOWN, PLOTS))


def merge_terminal(output, inputs):
    rounds = []
    for path in inputs:
        with open(path, encoding="utf-8") as handle:
            rounds.append(json.load(handle))

    def figure(values):
        ordered = sorted(values)
        return {"median": ordered[len(ordered) // 2], "min": ordered[0], "max": ordered[-1], "values": values}

    merged = {key: value for key, value in rounds[0].items() if not isinstance(value, (int, float)) or
              key in ("skus", "open_order_lines", "scans", "orders_picked")}
    for key in ("startup_ms", "rss_after_start_mib", "rss_after_scans_mib", "peak_rss_mib", "database_fill_ms"):
        merged[key] = figure([r[key] for r in rounds])
    merged["scan_to_ui_ms"] = {key: figure([r["scan_to_ui_ms"][key] for r in rounds]) for key in ("p50", "p99", "max")}
    merged["rounds"] = len(rounds)
    merged["date_utc"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    merged["load_average"] = " ".join("%.2f" % value for value in os.getloadavg())
    with open(output, "w", encoding="utf-8") as handle:
        json.dump(merged, handle, indent=1, sort_keys=True)
        handle.write("\n")


def main():
    if len(sys.argv) >= 2 and sys.argv[1] == "report":
        report()
    elif len(sys.argv) >= 4 and sys.argv[1] == "merge-terminal":
        merge_terminal(sys.argv[2], sys.argv[3:])
    else:
        print(__doc__, file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
