#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# scripts/bench.sh (make bench): lnvme against the in-kernel nvme driver, side
# by side, with null_blk as the blk-mq ceiling.
#
# Each VM (tests/vm/run) has two identical QEMU NVMe controllers on null-co
# (backend=null, 1 GiB, 512-byte LBAs): controller 0 bound to lnvme (default
# parameters: 1 poll queue), controller 1 to nvme (nvme.poll_queues=1 on the
# kernel command line, which modprobe applies).  scripts/bench/guest.sh loads
# null_blk (irqmode=0, poll_queues=1) and runs fio (io_uring, direct=1).
#
#   1. Cost per I/O: a 1-vCPU VM under -icount shift=0,sleep=off, 4k randread
#      and randwrite QD32, 1 job.  Shows fio's IOPS and the busy guest CPU
#      time per I/O (= thousands of instructions per I/O under icount), which
#      does not depend on host load: when the host is busy, QEMU's device
#      emulation lags, the guest idles and icount skips the idle time, which
#      lowers fio's IOPS but not the instructions per I/O.
#   2. Latency and bandwidth: a 2-vCPU VM in wall-clock time, 4k randread QD1
#      (interrupts; p50/p99/p99.9), 4k randread QD1 polled (hipri), 4k
#      randread and randwrite QD32 x 2 jobs, 128k read and write QD16, 4k
#      70/30 randrw QD16, with fio's system CPU per I/O.
#   3. Footprint: memory of one bound controller, lnvme vs nvme, at 2, 8
#      and 16 vCPUs (scripts/bench/footprint.sh, which runs alone too; its
#      FOOTPRINT_* variables apply).
# Each round runs every job on lnvme, nvme and null_blk in turn (nvme first
# on odd rounds); results are the median [min-max] over the rounds.
#
# Environment:
#   BENCH_ROUNDS=7          wall-clock rounds (after a warm-up round)
#   BENCH_RUNTIME=3         seconds per wall-clock job (plus 0.5 s ramp)
#   BENCH_WARMUP=1          seconds per job in the discarded warm-up round (0: none)
#   BENCH_ICOUNT_ROUNDS=3   icount rounds
#   BENCH_ICOUNT_RUNTIME=2  guest seconds per icount job
#   BENCH_TABLES="icount wall footprint"   which tables to run
#   BENCH_RAMP=500ms        fio ramp_time before each job's measurement
#   BENCH_QUICK=1           smoke test: 1 round of 1 s, no warm-up, no ramp;
#                           footprint at 2 vCPUs, 1 round
#   BENCH_RESULTS=DIR       results dir (default results/bench-<timestamp>)
# Output in the results dir: tables.txt, summary.csv (median/min/max per
# table, job, metric and driver), runs.csv (every run), *.png,
# {icount,wall}/raw/*.json (fio JSON), {icount,wall}/jobs/*.fio (the job
# files), guest-env.txt (driver and queue parameters seen in the guest),
# console.log/dmesg.txt of each VM; footprint.{txt,csv,png} and
# footprint/cpus-N/ (see scripts/bench/footprint.sh).
# Exit status: 0, or 1 if a VM or any fio run failed or a result is missing.
set -uo pipefail
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ME=bench
say() { echo "$ME: $*"; }

rounds=${BENCH_ROUNDS:-7}
runtime=${BENCH_RUNTIME:-3}
warmup=${BENCH_WARMUP:-1}
irounds=${BENCH_ICOUNT_ROUNDS:-3}
iruntime=${BENCH_ICOUNT_RUNTIME:-2}
tables=${BENCH_TABLES:-icount wall footprint}
ramp=${BENCH_RAMP:-500ms}
if [ "${BENCH_QUICK:-0}" = 1 ]; then
	rounds=${BENCH_ROUNDS:-1} runtime=${BENCH_RUNTIME:-1} warmup=${BENCH_WARMUP:-0} ramp=${BENCH_RAMP:-0}
	irounds=${BENCH_ICOUNT_ROUNDS:-1} iruntime=${BENCH_ICOUNT_RUNTIME:-1}
	export FOOTPRINT_CPUS=${FOOTPRINT_CPUS:-2} FOOTPRINT_ROUNDS=${FOOTPRINT_ROUNDS:-1}
fi
for v in rounds runtime warmup irounds iruntime; do
	[[ ${!v} =~ ^[0-9]+$ ]] || { say "$v must be a whole number (got '${!v}')"; exit 2; }
done
[[ $ramp =~ ^[0-9]+(ms|s)?$ ]] || { say "BENCH_RAMP must be like 500ms or 1s (got '$ramp')"; exit 2; }
if [ "$rounds" -lt 1 ] || [ "$irounds" -lt 1 ] || [ "$runtime" -lt 1 ] || [ "$iruntime" -lt 1 ]; then
	say "rounds and runtimes must be >= 1"
	exit 2
fi

out=${BENCH_RESULTS:-$TOP/results/bench-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$out" || exit 1
out=$(cd "$out" && pwd -P)
[ -f "$TOP/lnvme.ko" ] || { say "$TOP/lnvme.ko is not built (run make)"; exit 1; }
for c in python3 gnuplot fio; do
	command -v $c >/dev/null || { say "$c is not installed (run make setup)"; exit 1; }
done

# Two identical controllers; only the driver differs.
ctl=backend=null,size=1G,lbs=512
vmargs=(--nvme "lnvme,$ctl" --nvme "nvme,$ctl" --append nvme.poll_queues=1)

{
	echo "date=$(date -Is) host=$(uname -r) cpus=$(nproc)"
	echo "lnvme=$(git -C "$TOP" describe --always --dirty 2>/dev/null) ko_sha256=$(sha256sum "$TOP/lnvme.ko" | cut -c1-16)"
	echo "qemu=$(qemu-system-x86_64 --version | head -n1)"
	echo "rounds=$rounds runtime=$runtime warmup=$warmup ramp=$ramp icount_rounds=$irounds icount_runtime=$iruntime"
	echo "loadavg_start=$(cut -d' ' -f1-3 /proc/loadavg)"
} >"$out/host-env.txt"

failed=0
start=$SECONDS
for table in $tables; do
	case $table in
	icount)
		# Boot ~1 min; a guest second takes a few host seconds.
		limit=$((300 + irounds * 6 * (iruntime * 6 + 15)))
		say "cost per I/O: 1 vCPU under -icount, $irounds round(s) of ${iruntime}s per job"
		"$TOP/tests/vm/run" --icount --smp 1 --timeout $limit --results "$out/icount" \
			"${vmargs[@]}" -- "$TOP/scripts/bench/guest.sh" icount "$irounds" "$iruntime" 0 "$ramp"
		;;
	wall)
		limit=$((300 + (rounds + 1) * 21 * (runtime + 12)))
		say "latency and bandwidth: 2 vCPUs, warm-up + $rounds round(s) of ${runtime}s per job"
		"$TOP/tests/vm/run" --smp 2 --timeout $limit --results "$out/wall" \
			"${vmargs[@]}" -- "$TOP/scripts/bench/guest.sh" wall "$rounds" "$runtime" "$warmup" "$ramp"
		;;
	footprint)
		"$TOP/scripts/bench/footprint.sh" "$out"
		;;
	*) say "unknown table '$table' in BENCH_TABLES"; exit 2 ;;
	esac
	rc=$?
	if [ $rc != 0 ] && [ "$table" = footprint ]; then
		say "the footprint table failed (see $out/footprint/)"
		failed=1
	elif [ $rc != 0 ]; then
		say "the $table VM failed (status $rc; see $out/$table/console.log)"
		failed=1
	fi
	cp "$out/$table/guest-env.txt" "$out/guest-env-$table.txt" 2>/dev/null
done
echo "loadavg_end=$(cut -d' ' -f1-3 /proc/loadavg) elapsed_s=$((SECONDS - start))" >>"$out/host-env.txt"

echo
if [[ " $tables " == *" icount "* || " $tables " == *" wall "* ]]; then
	python3 "$TOP/scripts/bench/report.py" "$out" || failed=1
fi

# Plots: bars per job and driver with min-max error bars.
plot() { # DAT PNG TITLE YLABEL [LOGY]
	[ -s "$out/plot/$1" ] || return 0
	gnuplot -e "dat='$out/plot/$1'; out='$out/$2'; ttl='$3'; ylab='$4'; logy=${5:-0}" \
		"$TOP/scripts/bench/bars.gp" || { say "gnuplot failed for $2"; failed=1; }
}
n="median, min-max bars"
plot icount.dat icount-iops.png "Cost per I/O under -icount: fio IOPS, QD32 1 job ($n; higher is better)" "IOPS (guest time)"
plot instr.dat icount-kinstr-per-io.png "Cost per I/O under -icount: busy guest instructions per I/O ($n; lower is better)" "thousand instructions / I/O"
plot lat.dat wall-latency.png "4k randread QD1 latency percentiles, interrupts and polled ($n; lower is better)" "latency (us)" 1
plot iops.dat wall-iops.png "4k random I/O, wall clock ($n; higher is better)" "IOPS"
plot bw.dat wall-bandwidth.png "128k sequential QD16, wall clock ($n; higher is better)" "MB/s"
plot sys.dat wall-sys-cpu.png "fio system CPU per I/O, wall clock ($n; lower is better)" "sys CPU us / I/O"

echo
pngs=$(cd "$out" && find . -maxdepth 1 -name '*.png' -printf '%f\n' | sort | tr '\n' ' ')
say "results: $out"
say "  tables.txt summary.csv runs.csv $pngs"
say "  raw fio JSON: $out/icount/raw/ $out/wall/raw/"
if [ $failed != 0 ]; then
	say "FAILED: a VM or fio run failed or results are missing (see above)"
	exit 1
fi
exit 0
