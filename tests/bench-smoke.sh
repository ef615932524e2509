#!/bin/bash
# make bench in quick mode (BENCH_QUICK=1: 1 round of 1 s, no warm-up): both
# VMs run, every fio job passes on lnvme, nvme and null_blk, and the results
# dir has the tables, the CSVs with a number for every job and target, and
# the PNG plots.  The footprint table is left to make bench: with one round
# its MemAvailable readings were seen to go negative (memory freed during
# the bind) here, so one round proves nothing.
# timeout: 600
. "$(dirname "$0")/lib/common.sh" || exit 1
need_module
r=$(mktemp -d "${TMPDIR:-/tmp}/lnvme-bench-smoke.XXXXXX") || fail "mktemp"
trap 'rm -rf "$r"' EXIT

log "BENCH_QUICK=1 scripts/bench.sh"
BENCH_QUICK=1 BENCH_TABLES="icount wall" BENCH_RESULTS=$r "$TOP/scripts/bench.sh" || fail "scripts/bench.sh failed (status $?)"

for f in tables.txt summary.csv runs.csv icount-iops.png icount-kinstr-per-io.png \
	wall-latency.png wall-iops.png wall-bandwidth.png wall-sys-cpu.png; do
	[ -s "$r/$f" ] || fail "no $f in the results dir"
done
for f in "$r"/*.png; do
	[ "$(head -c 8 "$f" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] || fail "$f is not a PNG"
done
ls "$r"/icount/raw/round-1.json "$r"/wall/raw/round-1.json >/dev/null || fail "no raw fio JSON"

# Every table/job/metric has a positive median for each of the three targets.
python3 - "$r/summary.csv" <<'EOF' || fail "summary.csv is incomplete"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
want = {"lnvme", "nvme", "null_blk"}
keys = {}
bad = []
for r in rows:
    keys.setdefault((r["table"], r["job"], r["metric"]), set())
    try:
        ok = float(r["median"]) > 0
    except ValueError:
        ok = False
    if ok:
        keys[(r["table"], r["job"], r["metric"])].add(r["target"])
    else:
        bad.append(f"{r['table']} {r['job']} {r['metric']} {r['target']}: median '{r['median']}'")
for k, got in keys.items():
    if got != want:
        bad.append(f"{' '.join(k)}: numbers for {sorted(got)} only")
tables = {k[0] for k in keys}
if tables != {"icount", "wall"}:
    bad.append(f"tables: {sorted(tables)}")
if len(keys) < 13:
    bad.append(f"only {len(keys)} job/metric rows")
for b in bad:
    print("summary.csv:", b)
print(f"summary.csv: {len(keys)} job/metric rows, {len(rows)} values")
sys.exit(1 if bad else 0)
EOF
for t in 'Cost per I/O' 'Latency and bandwidth'; do
	grep -q "$t" "$r/tables.txt" || fail "tables.txt lacks the table '$t'"
done
echo "PASS: quick bench produced tables, CSVs and plots"
