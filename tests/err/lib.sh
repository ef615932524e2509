# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Helpers for tests/err-*.sh (source after tests/lib/common.sh).

# qmp SOCKET JSON...: send QMP commands (after qmp_capabilities), print the
# replies (one JSON object a line, events included).
qmp() {
	local sock=$1 c
	shift
	{
		echo '{"execute":"qmp_capabilities"}'
		for c in "$@"; do echo "$c"; done
		sleep 0.5
	} | socat -t 2 - "UNIX-CONNECT:$sock" 2>/dev/null
}

# qmp_ok SOCKET JSON: one command; fail the test if its reply is an error.
qmp_ok() {
	local out
	out=$(qmp "$1" "$2")
	echo "qmp: $2 -> $(grep -v '"QMP"' <<<"$out" | grep -v '^{"return": {}}$' | head -n3 | tr '\n' ' ')"
	grep -q '"error"' <<<"$out" && fail "QMP error for $2: $out"
	return 0
}

# wait_file PATH SECS: wait until PATH exists; 1 if it does not in time.
wait_file() {
	local end=$((SECONDS + $2))
	while [ ! -e "$1" ]; do
		[ $SECONDS -ge "$end" ] && return 1
		sleep 0.2
	done
}

# fio_loop DIR: in the background (its pid in $!), run DIR/job.fio back to
# back until DIR/stop exists; run n writes DIR/fio-n.json and .log and
# appends "n status" to DIR/runs.
fio_loop() {
	(
		local n=0
		while [ ! -e "$1/stop" ]; do
			n=$((n + 1))
			fio --output-format=json --output="$1/fio-$n.json" "$1/job.fio" >"$1/fio-$n.log" 2>&1
			echo "$n $?" >>"$1/runs"
		done
	) &
}

# ms_now: monotonic milliseconds (guest or host).
# fio_verify_global DEV: the [global] section of the error tests' fio jobs,
# 4k random writes at QD32 verified with crc32c; add the jobs after it.
# 24 MiB per job (6 MiB on the debug kernel, several times slower).
fio_verify_global() {
	cat <<JOB
[global]
filename=$1
direct=1
bs=4k
iodepth=32
size=$(debug_scale 24 6)m
rw=randwrite
verify=crc32c
verify_backlog=256
do_verify=1
verify_fatal=1
random_generator=lfsr
JOB
}

# fio_3q_job DEV DIR: DIR/job.fio, fio_verify_global with a job on each
# kind of queue: two libaio jobs pinned to CPUs 0 and 1 (interrupt queues)
# and one io_uring hipri job (the poll queue), each on its own region.
fio_3q_job() {
	{ fio_verify_global "$1"; cat <<JOB; } >"$2/job.fio"
[irq0]
ioengine=libaio
cpus_allowed=0
offset=0
[irq1]
ioengine=libaio
cpus_allowed=1
offset=32m
[poll]
ioengine=io_uring
hipri=1
offset=64m
JOB
}

# fio_loop_end DIR PID WHAT: stop fio_loop DIR (pid PID) after its current
# run; fail if it has not ended 120 s after WHAT.
fio_loop_end() {
	touch "$1/stop"
	timeout 120 bash -c "while kill -0 $2 2>/dev/null; do sleep 1; done" ||
		fail "fio loop did not end within 120 s after $3"
	wait "$2"
}

# fio_loop_check DIR: print fio_loop DIR's runs and per-job bytes; fail
# unless there was a run and every run exited 0 with no verify mismatch.
fio_loop_check() {
	local j bad

	cat "$1/runs"
	for j in "$1"/fio-*.json; do
		jq -r '.jobs[] | "\(.jobname): err \(.error) read \(.read.io_bytes) write \(.write.io_bytes)"' "$j" 2>/dev/null | sed "s|^|${j##*/}: |"
	done
	bad=$(awk '$2 != 0' "$1/runs")
	[ -z "$bad" ] || { grep -hE 'verify|err|bad' "$1"/fio-*.log | head -20; fail "fio runs failed: $bad"; }
	[ "$(wc -l <"$1/runs")" -ge 1 ] || fail "no fio run"
	grep -hqiE 'verify: bad|mismatch' "$1"/fio-*.log && fail "verify mismatch"
	return 0
}

# watch_state DIR: in the background (its pid in $!), append "ms state" to
# DIR/states at each change of controller 0's state, until DIR/stop exists.
watch_state() {
	(
		local last= st
		while [ ! -e "$1/stop" ]; do
			st=$(lnvme_state 0)
			[ "$st" != "$last" ] && echo "$(ms_now) $st" >>"$1/states"
			last=$st
			sleep 0.1
		done
	) &
}

ms_now() { awk '{ printf "%d\n", $1 * 1000 }' /proc/uptime; }

# lnvme_state [C]: the state of controller lnvme<C> (default 0), or "gone".
lnvme_state() { cat "/sys/class/lnvme/lnvme${1:-0}/state" 2>/dev/null || echo gone; }

# fio_errs JSON: total errors over the jobs of a fio JSON result.
fio_errs() { jq '[.jobs[].error] | add' "$1" 2>/dev/null; }

# dump_stuck PID...: for a hang report, the kernel stacks and wait channels
# of the threads of each PID, the in-flight counts and the lnvme state.
dump_stuck() {
	local p t
	for p in "$@"; do
		for t in /proc/"$p"/task/*; do
			[ -e "$t/stat" ] || continue
			echo "== ${t#/proc/} $(cut -d' ' -f2-3 "$t/stat") wchan=$(cat "$t/wchan" 2>/dev/null)"
			sed 's/^/   /' "$t/stack" 2>/dev/null
		done
	done
	for t in /sys/block/lnvme*; do
		[ -e "$t/inflight" ] && echo "${t##*/} inflight: $(cat "$t/inflight")"
	done
	echo "lnvme state: $(lnvme_state 0)"
}

# disk_ios DEV: reads + writes completed on DEV so far (/sys/block/*/stat).
disk_ios() { awk '{ print $1 + $5 }' "/sys/block/$(basename "$1")/stat" 2>/dev/null || echo 0; }

# wait_io DEV N SECS: wait until N more I/Os complete on DEV (fio may take
# seconds to start on a loaded TCG host); 1 if they do not within SECS.
wait_io() {
	local base end
	base=$(disk_ios "$1")
	end=$((SECONDS + $3))
	while [ $(($(disk_ios "$1") - base)) -lt "$2" ]; do
		[ $SECONDS -ge "$end" ] && return 1
		sleep 0.2
	done
}
