#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# scripts/bench/footprint.sh [RESULTS_DIR]: memory of one bound controller,
# lnvme against the in-kernel nvme driver, at several vCPU counts.  Part of
# make bench (BENCH_TABLES=footprint runs it alone there), and runnable alone.
#
# One VM per vCPU count (tests/vm/run --smp N) with one QEMU NVMe controller
# (null-co, 1 GiB) bound to no driver; scripts/bench/footprint-guest.sh binds
# it to lnvme and to nvme in turn and reads /proc/meminfo around each bind.
# scripts/bench/footprint-report.py prints the table (median [min-max] of
# the rounds) and writes the plot data.
#
# Environment:
#   FOOTPRINT_CPUS="2 8 16"   vCPU counts, one VM each
#   FOOTPRINT_ROUNDS=5        binds per driver per VM (after one warm-up)
#   FOOTPRINT_KO=PATH         the lnvme.ko to measure (default: the tree's)
# Output in RESULTS_DIR (default results/footprint-<timestamp>):
# footprint/cpus-N/ (the VM's results: footprint.csv, console.log),
# footprint.csv (every row), footprint.txt (the table), footprint.png.
# Exit status: 0, or 1 if a VM failed or a result is missing.
set -uo pipefail
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
ME=footprint
say() { echo "$ME: $*"; }

cpus=${FOOTPRINT_CPUS:-2 8 16}
rounds=${FOOTPRINT_ROUNDS:-5}
ko=${FOOTPRINT_KO:-$TOP/lnvme.ko}
[[ $rounds =~ ^[1-9][0-9]*$ ]] || { say "FOOTPRINT_ROUNDS must be >= 1 (got '$rounds')"; exit 2; }
for n in $cpus; do
	[[ $n =~ ^[1-9][0-9]*$ ]] || { say "FOOTPRINT_CPUS must be numbers (got '$cpus')"; exit 2; }
done
[ -f "$ko" ] || { say "$ko is not built (run make)"; exit 1; }
ko=$(cd "$(dirname "$ko")" && pwd -P)/$(basename "$ko")

out=${1:-$TOP/results/footprint-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$out/footprint" || exit 1
out=$(cd "$out" && pwd -P)

failed=0
for n in $cpus; do
	say "$n vCPUs: $rounds round(s) of binds to lnvme and nvme"
	# TCG boots more vCPUs more slowly; each bind takes seconds to minutes
	# on a busy host.
	limit=$((900 + 60 * n + rounds * 180))
	"$TOP/tests/vm/run" --smp "$n" --timeout $limit --results "$out/footprint/cpus-$n" \
		--nvme none,backend=null,size=1G,lbs=512 -- \
		"$TOP/scripts/bench/footprint-guest.sh" "$rounds" "$ko"
	rc=$?
	if [ $rc != 0 ]; then
		say "the $n-vCPU VM failed (status $rc; see $out/footprint/cpus-$n/console.log)"
		failed=1
	fi
done

python3 "$TOP/scripts/bench/footprint-report.py" "$out" || failed=1
if [ -s "$out/plot/footprint.dat" ]; then
	gnuplot -e "dat='$out/plot/footprint.dat'; out='$out/footprint.png'" \
		"$TOP/scripts/bench/footprint.gp" || { say "gnuplot failed"; failed=1; }
fi
[ $failed = 0 ] || say "FAILED: a VM failed or results are missing (see above)"
exit $failed
