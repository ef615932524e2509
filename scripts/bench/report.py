#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""scripts/bench/report.py RESULTS_DIR: tables, CSV and plot data of a bench.

Reads RESULTS_DIR/{icount,wall}/raw/round-N.json (fio JSON written by
scripts/bench/guest.sh; job names are JOB@TARGET) and writes into RESULTS_DIR:
  runs.csv      one row per fio job run (table, job, target, round, ...)
  summary.csv   one row per table, job, metric and target: median, min, max
  tables.txt    the two tables as printed
  plot/*.dat    data for scripts/bench/bars.gp
Prints the tables.  Exit status 1 if a run is missing, failed or did no I/O.
"""
import csv
import json
import os
import re
import statistics
import sys

TARGETS = ["lnvme", "nvme", "null_blk"]

# table -> [(job, label, [(metric, unit, plot group)])]
# metric: iops | mbps | p50 | p99 | p99.9 (latency, us)
TABLES = {
    "icount": [
        ("randread-4k-qd32", "4k randread QD32",
         [("iops", "IOPS", "icount"), ("busy_us_per_io", "kinstr/IO", "instr")]),
        ("randwrite-4k-qd32", "4k randwrite QD32",
         [("iops", "IOPS", "icount"), ("busy_us_per_io", "kinstr/IO", "instr")]),
    ],
    "wall": [
        ("randread-4k-qd1", "4k randread QD1 irq",
         [("p50", "us", "lat"), ("p99", "us", "lat"), ("p99.9", "us", "lat")]),
        ("randread-4k-qd1-poll", "4k randread QD1 poll",
         [("p50", "us", "lat"), ("p99", "us", "lat"), ("p99.9", "us", "lat")]),
        ("randread-4k-qd32x2", "4k randread QD32x2", [("iops", "IOPS", "iops")]),
        ("randwrite-4k-qd32x2", "4k randwrite QD32x2", [("iops", "IOPS", "iops")]),
        ("read-128k-qd16", "128k seq read QD16", [("mbps", "MB/s", "bw")]),
        ("write-128k-qd16", "128k seq write QD16", [("mbps", "MB/s", "bw")]),
        ("randrw70-4k-qd16", "4k randrw 70/30 QD16", [("iops", "IOPS", "iops")]),
    ],
}
TITLES = {
    "icount": "Cost per I/O (guest under -icount shift=0: 1 ns = 1 instruction; "
              "kinstr/IO = busy CPU time (all CPUs, IRQs included) per I/O)",
    "wall": "Latency and bandwidth (wall clock, TCG)",
}
PCTS = {"p50": "50.000000", "p99": "99.000000", "p99.9": "99.900000"}

problems = []


def load_json(path):
    """fio may print warnings before the JSON document."""
    with open(path, encoding="utf-8", errors="replace") as f:
        text = f.read()
    start = text.find("{")
    if start < 0:
        raise ValueError("no JSON object")
    return json.JSONDecoder().raw_decode(text[start:])[0]


def lat_us(side, key):
    pct = (side.get("lat_ns") or {}).get("percentile") or \
          (side.get("clat_ns") or {}).get("percentile") or {}
    v = pct.get(PCTS[key])
    return v / 1000.0 if v is not None else None


def read_snap(path):
    """(uptime s, idle+iowait s summed over CPUs, ncpu, completed I/Os)"""
    with open(path) as f:
        lines = f.read().split("\n")
    up = float(lines[0].split()[0])
    idle = 0.0
    ncpu = 0
    ios = None
    for ln in lines[1:]:
        p = ln.split()
        if not p:
            continue
        if p[0] == "cpu":
            idle = (int(p[4]) + int(p[5])) / 100.0   # USER_HZ
        elif re.fullmatch(r"cpu\d+", p[0]):
            ncpu += 1
        elif len(p) >= 11 and all(x.isdigit() for x in p):
            ios = int(p[0]) + int(p[4])              # reads + writes completed
    return up, idle, ncpu, ios


def busy_per_io(snapdir, name):
    """Busy CPU time (all CPUs, not idle or iowait; interrupts count) per
    completed I/O over the job, from the exec_prerun/postrun snapshots, in us.
    Under -icount shift=0 that is thousands of guest instructions per I/O."""
    try:
        a = read_snap(os.path.join(snapdir, name + ".pre"))
        b = read_snap(os.path.join(snapdir, name + ".post"))
    except (OSError, ValueError, IndexError):
        return None, None
    if a[3] is None or b[3] is None or b[3] <= a[3]:
        return None, None
    busy = b[2] * (b[0] - a[0]) - (b[1] - a[1])
    return busy * 1e6 / (b[3] - a[3]), b[0] - a[0]


def parse_job(j):
    rd, wr = j["read"], j["write"]
    ios = rd["total_ios"] + wr["total_ios"]
    runtime_ms = j.get("job_runtime") or max(rd["runtime"], wr["runtime"])
    # fio's sys_cpu is sys time / job run time (both summed over a group).
    sys_us = j["sys_cpu"] / 100.0 * runtime_ms * 1000.0
    side = rd if rd["total_ios"] >= wr["total_ios"] else wr
    return {
        "iops": rd["iops"] + wr["iops"],
        "read_iops": rd["iops"],
        "write_iops": wr["iops"],
        "mbps": (rd["bw_bytes"] + wr["bw_bytes"]) / 1e6,
        "p50": lat_us(side, "p50"),
        "p99": lat_us(side, "p99"),
        "p99.9": lat_us(side, "p99.9"),
        "sys_cpu_pct": j["sys_cpu"],
        "usr_cpu_pct": j["usr_cpu"],
        "runtime_ms": runtime_ms,
        "total_ios": ios,
        "sys_us_per_io": sys_us / ios if ios else None,
        "error": j.get("error", 0),
    }


def collect(top, table):
    """runs[(job, target)] = [parsed run per round]"""
    d = os.path.join(top, table)
    runs = {}
    rounds = []
    status = {}
    try:
        with open(os.path.join(d, "status")) as f:
            for line in f:
                p = line.split()
                if len(p) == 2:
                    status[p[0]] = p[1]
    except OSError:
        problems.append(f"{table}: no status file (the guest did not run)")
    rawdir = os.path.join(d, "raw")
    names = sorted((n for n in (os.listdir(rawdir) if os.path.isdir(rawdir) else [])
                    if re.fullmatch(r"round-\d+\.json", n)),
                   key=lambda n: int(re.findall(r"\d+", n)[0]))
    for n in names:
        r = int(re.findall(r"\d+", n)[0])
        rounds.append(r)
        label = n[:-5]
        if status.get(label, "0") != "0":
            problems.append(f"{table} {label}: fio exited with {status[label]}")
        try:
            doc = load_json(os.path.join(rawdir, n))
        except (OSError, ValueError) as e:
            problems.append(f"{table} {label}: bad fio JSON: {e}")
            continue
        for j in doc.get("jobs", []):
            job, _, target = j["jobname"].partition("@")
            p = parse_job(j)
            p["round"] = r
            p["busy_us_per_io"], p["window_s"] = busy_per_io(
                os.path.join(d, "snap", label), j["jobname"])
            if p["busy_us_per_io"] is None and table == "icount":
                problems.append(f"{table} {label} {job}@{target}: no CPU snapshots")
            if p["error"]:
                problems.append(f"{table} {label} {job}@{target}: fio error {p['error']}")
            elif p["total_ios"] == 0:
                problems.append(f"{table} {label} {job}@{target}: no I/O done")
            runs.setdefault((job, target), []).append(p)
    for label in status:
        if label != "warmup" and f"{label}.json" not in names:
            problems.append(f"{table} {label}: no fio JSON")
    if not names and os.path.isdir(d):
        problems.append(f"{table}: no fio results in {rawdir}")
    for job, _, _ in TABLES[table]:
        for t in TARGETS:
            got = len(runs.get((job, t), []))
            if got < len(names):
                problems.append(f"{table} {job}@{t}: {got} of {len(names)} rounds")
    return runs, len(names)


def stats(vals):
    vals = [v for v in vals if v is not None]
    if not vals:
        return None
    return statistics.median(vals), min(vals), max(vals), len(vals)


def fmt(v, metric):
    if v is None:
        return "-"
    if metric == "iops":
        return f"{v / 1000:.1f}k"
    if metric == "mbps":
        return f"{v:.0f}"
    if metric == "busy_us_per_io":
        return f"{v:.2f}"
    return f"{v:.1f}" if v < 100 else f"{v:.0f}"


def cell(s, metric):
    if s is None:
        return "-"
    med, lo, hi, n = s
    if n == 1:
        return fmt(med, metric)
    return f"{fmt(med, metric)} [{fmt(lo, metric)}-{fmt(hi, metric)}]"


def main():
    top = sys.argv[1]
    summary = []
    runrows = []
    out_lines = []
    plotdata = {}
    for table, jobs in TABLES.items():
        if not os.path.isdir(os.path.join(top, table)):
            continue
        runs, nrounds = collect(top, table)
        for (job, target), lst in sorted(runs.items()):
            for p in lst:
                runrows.append({"table": table, "job": job, "target": target, **p})
        hdr = ["job", "metric", "lnvme", "nvme", "lnvme/nvme", "null_blk"]
        if table == "wall":
            hdr += ["sys us/IO lnvme", "nvme", "null_blk"]
        else:
            hdr += ["busy CPU%  lnvme", "nvme", "null_blk"]
        rows = []
        for job, label, metrics in jobs:
            sysc = {t: stats([p["sys_us_per_io"] for p in runs.get((job, t), [])])
                    for t in TARGETS}
            for metric, unit, group in metrics:
                st = {t: stats([p[metric] for p in runs.get((job, t), [])]) for t in TARGETS}
                ratio = None
                if st["lnvme"] and st["nvme"] and st["nvme"][0]:
                    ratio = st["lnvme"][0] / st["nvme"][0]
                row = [label, f"{metric} ({unit})" if metric.startswith("p") else unit,
                       cell(st["lnvme"], metric), cell(st["nvme"], metric),
                       f"{ratio:.3f}" if ratio is not None else "-",
                       cell(st["null_blk"], metric)]
                if table == "wall":
                    row += [f"{sysc[t][0]:.2f}" if sysc[t] else "-" for t in TARGETS]
                else:
                    # CPU busy share while fio ran: below ~100% the guest
                    # waited for the emulated device, and fio's IOPS count
                    # the idle time icount skipped over (host load dependent).
                    for t in TARGETS:
                        b = stats([p["busy_us_per_io"] * p["iops"] / 1e4
                                   for p in runs.get((job, t), [])
                                   if p["busy_us_per_io"] is not None])
                        row.append(f"{b[0]:.0f}%" if b else "-")
                rows.append(row)
                for t in TARGETS:
                    s = st[t]
                    summary.append({
                        "table": table, "job": job, "metric": metric, "unit": unit,
                        "target": t,
                        "median": s[0] if s else "", "min": s[1] if s else "",
                        "max": s[2] if s else "", "n": s[3] if s else 0,
                        "ratio_lnvme_nvme": ratio if ratio is not None else "",
                        "sys_us_per_io_median": sysc[t][0] if sysc[t] else "",
                    })
                    plotdata.setdefault(group, {}).setdefault(
                        f"{label} {metric}" if metric.startswith("p") else label, {})[t] = s
            if table == "wall":
                for t in TARGETS:
                    plotdata.setdefault("sys", {}).setdefault(label, {})[t] = sysc[t]
        widths = [max(len(str(r[i])) for r in rows + [hdr]) for i in range(len(hdr))]
        out_lines.append(f"== {TITLES[table]}; median [min-max] of {nrounds} round(s)")
        out_lines.append("  ".join(h.ljust(w) if i < 2 else h.rjust(w)
                                   for i, (h, w) in enumerate(zip(hdr, widths))))
        for r in rows:
            out_lines.append("  ".join(str(c).ljust(w) if i < 2 else str(c).rjust(w)
                                       for i, (c, w) in enumerate(zip(r, widths))))
        out_lines.append("")

    if runrows:
        keys = ["table", "job", "target", "round", "iops", "read_iops", "write_iops", "mbps",
                "p50", "p99", "p99.9", "sys_cpu_pct", "usr_cpu_pct", "runtime_ms",
                "total_ios", "sys_us_per_io", "busy_us_per_io", "window_s", "error"]
        with open(os.path.join(top, "runs.csv"), "w", newline="") as f:
            w = csv.DictWriter(f, fieldnames=keys, extrasaction="ignore")
            w.writeheader()
            w.writerows(sorted(runrows, key=lambda r: (r["table"], r["job"], r["round"],
                                                      TARGETS.index(r["target"])
                                                      if r["target"] in TARGETS else 9)))
    with open(os.path.join(top, "summary.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=["table", "job", "metric", "unit", "target", "median",
                                          "min", "max", "n", "ratio_lnvme_nvme",
                                          "sys_us_per_io_median"])
        w.writeheader()
        w.writerows(summary)

    # Plot data: label, then median min max for each target ("?" = missing).
    os.makedirs(os.path.join(top, "plot"), exist_ok=True)
    for group, entries in plotdata.items():
        with open(os.path.join(top, "plot", f"{group}.dat"), "w") as f:
            f.write("# label " + " ".join(f"{t} {t}_min {t}_max" for t in TARGETS) + "\n")
            for label, st in entries.items():
                vals = []
                for t in TARGETS:
                    s = st.get(t)
                    vals += [f"{x:.6g}" for x in s[:3]] if s else ["?"] * 3
                f.write(f'"{label}" ' + " ".join(vals) + "\n")

    if problems:
        out_lines.append("PROBLEMS:")
        out_lines += [f"  {p}" for p in problems]
    text = "\n".join(out_lines) + "\n"
    with open(os.path.join(top, "tables.txt"), "w") as f:
        f.write(text)
    sys.stdout.write(text)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
