#!/bin/bash
# The I/O queue count changes across controller resets, under I/O.
# lnvme is loaded with poll_queues=1 on 2 CPUs (2 interrupt queues).  fio
# verify (crc32c, verify_fatal) runs at QD32 back to back: two libaio jobs
# pinned to the two CPUs (interrupt queues) and, in a second loop, one
# io_uring hipri job (polled) pinned to CPU 1: with two poll queues it sends
# to the second, the one poll 2->1 removes.  Meanwhile poll_queues and
# write_queues are
# written at run time, each change followed by a reset:
#   poll 1->2, write 0->1, write 1->0, poll 2->1, poll 1->2, poll 2->0,
#   poll 0->1 (on the debug kernel, without the second poll 1->2)
# (2->1 shrinks the poll queues under polled I/O.  Without poll queues the
# kernel fails polled I/O with EOPNOTSUPP, so the polled loop stops before
# poll 2->0 and starts again after poll 0->1.)  After each reset,
# queue_count and the per-map counts in /sys/class/lnvme/lnvme0, the
# /sys/block/<disk>/mq/* directories and the lnvme0qN interrupts must match.
# Out-of-range values (poll_queues=999, write_queues=4096) are refused.
# At the end every fio run exited 0 without a verify error, the controller
# is live and the kernel log is clean.
# timeout: 300
. "$(dirname "$0")/lib/common.sh" || exit 1
# shellcheck source=err/lib.sh
. "$TOP/tests/err/lib.sh" || exit 1
if [ -z "${IN_VM:-}" ]; then
	need_module
	exec "$VM" --timeout 280 --smp 2 --nvme lnvme,backend=file,size=256M \
		--modparam "poll_queues=1" -- "$0" guest
fi

dev=${VM_NVME_DISKS_0:-}
ctl=${VM_NVME_CTRL_0:-}
{ [ -b "$dev" ] && [ -c "$ctl" ]; } || fail "no lnvme disk/controller ($dev $ctl)"
ctlname=${ctl#/dev/}
cls=/sys/class/lnvme/$ctlname
par=/sys/module/lnvme/parameters
disk=${dev#/dev/}
out=/tmp/qcount
mkdir -p $out

# counts: "total default read poll mq-dirs irqs" as the driver shows them.
counts() {
	local mq irqs
	mq=$(find /sys/block/"$disk"/mq -mindepth 1 -maxdepth 1 -type d | wc -l)
	irqs=$(grep -cE "${ctlname}q[1-9][0-9]*\$" /proc/interrupts) || true
	echo "$(cat "$cls"/queue_count) $(cat "$cls"/default_queues) $(cat "$cls"/read_queues) $(cat "$cls"/poll_queues) $mq $irqs"
}

# expect DEFAULT READ POLL: the counts after a reset.
expect() {
	local d=$1 r=$2 p=$3 got want
	got=$(counts)
	want="$((d + r + p)) $d $r $p $((d + r + p)) $((d + r))"
	echo "    queues (total default read poll mq-dirs irqs): $got"
	[ "$got" = "$want" ] || fail "queue counts '$got', want '$want'"
}

log "start: poll_queues=$(cat $par/poll_queues) write_queues=$(cat $par/write_queues)"
expect 2 0 1

# Run-time writable, and refused out of range.
[ "$(stat -c %a $par/poll_queues)" = 644 ] || fail "poll_queues is not 0644"
[ "$(stat -c %a $par/write_queues)" = 644 ] || fail "write_queues is not 0644"
for bad in poll_queues=999 poll_queues=129 poll_queues=abc write_queues=4096; do
	name=${bad%%=*}
	before=$(cat $par/"$name")
	if echo "${bad#*=}" 2>/dev/null >$par/"$name"; then
		fail "$bad accepted"
	fi
	[ "$(cat $par/"$name")" = "$before" ] || fail "$bad changed $name"
	echo "$bad: refused"
done

{ fio_verify_global "$dev"; cat <<JOB; } >$out/irq.fio
ioengine=libaio
[irq0]
cpus_allowed=0
offset=0
[irq1]
cpus_allowed=1
offset=32m
JOB
{ fio_verify_global "$dev"; cat <<JOB; } >$out/poll.fio
[poll]
ioengine=io_uring
hipri=1
cpus_allowed=1
offset=64m
JOB

# fio_loop NAME RUN: run NAME.fio back to back until $out/NAME.stop exists;
# results in RUN-<n>.json.
fio_loop() {
	local n=0
	while [ ! -e $out/"$1".stop ]; do
		n=$((n + 1))
		fio --output-format=json --output=$out/"$2"-$n.json $out/"$1".fio >$out/"$2"-$n.log 2>&1
		echo "$2-$n $?" >>$out/runs
	done
}

# stop_loop NAME PID: stop a loop after its current run.
stop_loop() {
	touch $out/"$1".stop
	timeout 120 bash -c "while kill -0 $2 2>/dev/null; do sleep 0.5; done" ||
		{ dump_stuck "$2"; fail "fio loop $1 did not end within 120 s"; }
	wait "$2"
}

# step PARAM VALUE DEFAULT READ POLL: set, reset, check the counts.
nsteps=0
step() {
	nsteps=$((nsteps + 1))
	log "reset $nsteps: $1=$2"
	echo "$2" >$par/"$1" || fail "cannot set $1=$2"
	timeout 60 nvme reset "$ctl" || fail "reset after $1=$2 failed, state $(lnvme_state "${ctlname#lnvme}")"
	[ "$(lnvme_state "${ctlname#lnvme}")" = live ] || fail "not live after $1=$2"
	expect "$3" "$4" "$5"
	sleep 2
}

fio_loop irq irq &
irq_loop=$!
fio_loop poll poll &
poll_loop=$!
wait_file $out/irq-1.json 60 || sleep 2
sleep 2

step poll_queues 2 2 0 2
step write_queues 1 1 1 2
step write_queues 0 2 0 2
step poll_queues 1 2 0 1
# The debug kernel takes about a minute a step (three fio jobs starve the
# shell): it goes 1->0 instead of 1->2->0.
[ "${VM_KERNEL:-default}" = debug ] || step poll_queues 2 2 0 2
stop_loop poll $poll_loop
step poll_queues 0 2 0 0
# For the record: what the kernel does with polled I/O and no poll queue.
fio --name=nopoll --filename="$dev" --direct=1 --ioengine=io_uring --hipri=1 \
	--rw=randread --bs=4k --size=1m --offset=64m --output=$out/nopoll.txt >/dev/null 2>&1
echo "    polled I/O without poll queues: fio exit $?, $(grep -oE 'err= *[0-9]+[^)]*' $out/nopoll.txt | head -n1)"
step poll_queues 1 2 0 1
rm -f $out/poll.stop
fio_loop poll poll-again &
poll_loop=$!
sleep 4
stop_loop poll $poll_loop
stop_loop irq $irq_loop

echo "fio runs (run rc):"
cat $out/runs
for j in "$out"/*.json; do
	jq -r '.jobs[] | "\(.jobname): err \(.error) read \(.read.io_bytes) write \(.write.io_bytes)"' "$j" 2>/dev/null | sed "s|^|${j##*/}: |"
done
bad=$(awk '$2 != 0' $out/runs)
[ -z "$bad" ] || { grep -hE 'verify|err|bad' $out/*.log | head -20; fail "fio runs failed: $bad"; }
grep -c '^poll' $out/runs | grep -qv '^0$' || fail "no polled fio run"
grep -hqiE 'verify: bad|mismatch' $out/*.log && fail "verify mismatch"
st=$(lnvme_state "${ctlname#lnvme}")
[ "$st" = live ] || fail "controller state $st after the resets"
echo "reset times (ms): $(dmesg | sed -nE 's/.*reset complete in ([0-9]+) ms.*/\1/p' | tr '\n' ' ')"
n=$(dmesg | grep -c 'reset complete in')
[ "$n" = "$nsteps" ] || fail "$n 'reset complete' lines, want $nsteps"
n=$(dmesg | grep -c 'lnvme.*I/O queues: .*were')
[ "$n" = "$nsteps" ] || fail "$n 'I/O queues: ... were' lines, want $nsteps"
dmesg | grep -E 'lnvme' | grep -vE 'reset complete|taints kernel|signature' | tail -n 20
check_dmesg
echo "PASS: $nsteps queue count changes across resets under fio verify (libaio x2 + io_uring hipri), $(wc -l <$out/runs) fio runs clean"
