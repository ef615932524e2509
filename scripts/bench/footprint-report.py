#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""scripts/bench/footprint-report.py RESULTS_DIR: the footprint table.

Reads RESULTS_DIR/footprint/cpus-N/footprint.csv (scripts/bench/
footprint-guest.sh) and writes into RESULTS_DIR:
  footprint.csv       every row of every VM
  footprint.txt       the table as printed
  plot/footprint.dat  vCPUs, then median MemAvailable drop (MiB) and KiB
                      per vCPU for lnvme and nvme, for footprint.gp
Exit status 1 if a VM has no rows for a driver.
"""
import csv
import glob
import os
import re
import statistics
import sys

DRIVERS = ["lnvme", "nvme"]


def med(rows, key):
    vals = [float(r[key]) for r in rows]
    return statistics.median(vals), min(vals), max(vals)


def mib(t):
    return f"{t[0] / 1024:.1f} [{t[1] / 1024:.1f}-{t[2] / 1024:.1f}]"


def main():
    top = sys.argv[1]
    rows = []
    for f in glob.glob(os.path.join(top, "footprint", "cpus-*", "footprint.csv")):
        with open(f) as fh:
            rows += list(csv.DictReader(fh))
    problems = []
    cpus = sorted({int(r["cpus"]) for r in rows})
    for d in glob.glob(os.path.join(top, "footprint", "cpus-*")):
        n = int(re.findall(r"\d+$", d)[0])
        if n not in cpus:
            problems.append(f"{n} vCPUs: no results")

    if rows:
        with open(os.path.join(top, "footprint.csv"), "w", newline="") as fh:
            w = csv.DictWriter(fh, fieldnames=list(rows[0].keys()))
            w.writeheader()
            w.writerows(rows)

    hdr = (f"{'vCPUs':>5} {'driver':<6} {'queues x depth':>14} "
           f"{'MemAvailable MiB':>22} {'KiB/vCPU':>9} {'Slab MiB':>18} "
           f"{'probe ms':>16}")
    lines = ["Footprint of one bound controller (QEMU NVMe, null-co 1 GiB; "
             "both drivers with 1 poll queue)",
             "memory lost to the bind, median [min-max] over the rounds, "
             "page cache dropped; ratio = lnvme / nvme MemAvailable",
             hdr]
    os.makedirs(os.path.join(top, "plot"), exist_ok=True)
    dat = []
    for n in cpus:
        meds = {}
        for drv in DRIVERS:
            rs = [r for r in rows if int(r["cpus"]) == n and r["driver"] == drv]
            if not rs:
                problems.append(f"{n} vCPUs: no rows for {drv}")
                continue
            avail = med(rs, "memavail_kib")
            slab = med(rs, "slab_kib")
            probe = med(rs, "probe_ms")
            meds[drv] = avail[0]
            qd = f"{rs[0]['hw_queues']} x {rs[0]['nr_requests']}"
            lines.append(f"{n:>5} {drv:<6} {qd:>14} {mib(avail):>22} "
                         f"{avail[0] / n:>9.0f} {mib(slab):>18} "
                         f"{probe[0]:>6.0f} [{probe[1]:.0f}-{probe[2]:.0f}]")
        if len(meds) == 2 and meds["nvme"] > 0:
            lines.append(f"{'':>5} ratio  {meds['lnvme'] / meds['nvme']:.2f}")
            dat.append(f"{n} {meds['lnvme'] / 1024:.2f} {meds['nvme'] / 1024:.2f} "
                       f"{meds['lnvme'] / n:.0f} {meds['nvme'] / n:.0f}")
    if problems:
        lines.append("PROBLEMS:")
        lines += [f"  {p}" for p in problems]
    if not rows:
        lines.append("PROBLEMS: no footprint results")
        problems.append("none")
    text = "\n".join(lines) + "\n"
    print(text, end="")
    with open(os.path.join(top, "footprint.txt"), "w") as fh:
        fh.write(text)
    with open(os.path.join(top, "plot", "footprint.dat"), "w") as fh:
        fh.write("# vcpus lnvme_mib nvme_mib lnvme_kib_per_vcpu nvme_kib_per_vcpu\n")
        fh.write("\n".join(dat) + ("\n" if dat else ""))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
