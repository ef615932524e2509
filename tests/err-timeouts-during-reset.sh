#!/bin/bash
# Timeouts on several namespaces at once, and timeouts while a reset runs:
# backend=throttle, 3 namespaces, io_timeout=3.  fio verify (randwrite,
# QD16, one job per namespace, 40 s) runs; the host throttles the backend to
# 2 IOPS for 12 s, then lifts the limit.  Every namespace's requests time
# out in the same second (each namespace has its own blk-mq timeout work),
# the first second timeout resets the controller, and the others' handlers
# run while it is resetting.  Recovery must be invisible to the user: every
# fio job ends with rc 0 (no I/O error, no verify mismatch), the kernel
# logs no I/O error and no lnvme request failure, each request is
# completed once (no WARNING/BUG/list corruption), the controller is live,
# and a verify pass over every namespace succeeds afterwards.
# timeout: 360
. "$(dirname "$0")/lib/common.sh" || exit 1
# shellcheck source=err/lib.sh
. "$TOP/tests/err/lib.sh" || exit 1
HOLD=12
NS=3
if [ -z "${IN_VM:-}" ]; then
	need_module
	r=$(mktemp -d "${TMPDIR:-/tmp}/err-tdr.XXXXXX")
	trap 'kill $vmpid 2>/dev/null; rm -rf "$r"' EXIT
	"$VM" --timeout 330 --results "$r" --qmp "$r/qmp.sock" --modparam "io_timeout=3 admin_timeout=10" \
		--nvme "lnvme,backend=throttle,size=32M,namespaces=$NS" -- "$0" guest &
	vmpid=$!
	wait_file "$r/io-started" 240 || { wait $vmpid; fail "guest never started I/O"; }
	sleep 2
	log "host: stall (2 IOPS) for $HOLD s"
	qmp_ok "$r/qmp.sock" '{"execute":"qom-set","arguments":{"path":"/objects/tg0","property":"limits","value":{"iops-total":2}}}'
	touch "$r/stalled"
	sleep $HOLD
	log "host: restore"
	qmp_ok "$r/qmp.sock" '{"execute":"qom-set","arguments":{"path":"/objects/tg0","property":"limits","value":{"iops-total":0}}}'
	touch "$r/restored"
	wait $vmpid
	rc=$?
	vmpid=
	[ $rc = 0 ] || { rm -rf "$TOP/results/err-timeouts-during-reset.failed"; cp -r "$r" "$TOP/results/err-timeouts-during-reset.failed"; fail "VM run failed ($rc)"; }
	echo "PASS"
	exit 0
fi

read -r -a disks <<<"${VM_NVME_DISKS_0:-}"
[ ${#disks[@]} = $NS ] || fail "want $NS lnvme disks, have '${VM_NVME_DISKS_0:-}'"
out=/tmp/tdr
mkdir -p $out
job="--direct=1 --ioengine=libaio --bs=4k --iodepth=16 --rw=randwrite --verify=crc32c --verify_backlog=64 --do_verify=1 --verify_fatal=1 --verify_state_save=0 --random_generator=lfsr"
watch_state $out
stw=$!

pids=()
for d in "${disks[@]}"; do
	n=${d##*/}
	# shellcheck disable=SC2086
	fio --name="$n" --filename="$d" $job --size=16m --time_based --runtime=40 --output-format=json --output=$out/$n.json >$out/$n.log 2>&1 &
	pids+=($!)
done
wait_io "${disks[0]}" 100 60 || fail "fio did not start I/O"
touch "$VM_RESULTS/io-started"
wait_file "$VM_RESULTS/stalled" 60 || fail "host never stalled the backend"
dmesg_mark "backend stalled"
wait_file "$VM_RESULTS/restored" 120 || fail "host never restored the backend"
dmesg_mark "backend restored"
rcs=()
for p in "${pids[@]}"; do
	timeout 150 bash -c "while kill -0 $p 2>/dev/null; do sleep 0.5; done" ||
		{ dump_stuck "$p"; fail "fio $p still running 150 s after the restore (hang?)"; }
	wait "$p"
	rcs+=($?)
done
touch $out/stop
wait $stw
echo "state timeline (ms since boot):"; sed "s/^/  /" $out/states
for d in "${disks[@]}"; do
	n=${d##*/}
	jq -r '.jobs[] | "\(.jobname): error \(.error) total_err \(.total_err) write \(.write.io_bytes) read \(.read.io_bytes)"' $out/$n.json 2>/dev/null
done
echo "fio rcs: ${rcs[*]}"

log "dmesg: timeouts and recovery"
dmesg | sed -n '/lnvme-test: backend stalled/,$p' | grep -E 'lnvme|I/O error|lnvme0n' | grep -v lnvme-vm | awk '!seen[substr($0, index($0, "]"))]++' | head -n 50
nto=$(dmesg | grep -c 'timed out')
nreset=$(dmesg | grep -c 'reset complete')
echo "timeouts: $nto, aborts: $(dmesg | grep -c 'Abort of queue'), resets: $nreset"
[ "$nto" -ge 2 ] || fail "want timeouts on several namespaces, saw $nto timeout lines"
[ "$nreset" -ge 1 ] || fail "no reset completed"

i=0
for d in "${disks[@]}"; do
	n=${d##*/}
	grep -qiE 'verify: bad|bad magic|crc32c.*mismatch|verify failed' $out/$n.log && fail "$n: fio verify mismatch: data corrupted"
	[ "${rcs[i]}" = 0 ] || { grep -E 'error|err=' $out/$n.log | head -n 5; fail "$n: fio rc ${rcs[i]}: a timeout during recovery became a user-visible error"; }
	i=$((i + 1))
done
dmesg | grep -E 'I/O error|lnvme0n[0-9]+: (READ|WRITE)' && fail "the kernel logged failed I/O during recovery"
st=$(lnvme_state 0)
[ "$st" = live ] || fail "controller state $st after recovery"

log "verify pass after recovery"
for d in "${disks[@]}"; do
	# shellcheck disable=SC2086
	fio --name=after --filename="$d" $job --size=4m >$out/after.log 2>&1 || { tail -n 20 $out/after.log; fail "verify pass on $d after recovery failed"; }
done
check_dmesg
echo "PASS: $NS namespaces, stall ${HOLD}s: $nto timeouts, $nreset resets, no user-visible error"
