#!/bin/bash
# I/O timeouts from a stalled backend: backend=throttle, io_timeout=3.
# While fio verify (randwrite, QD16 x 2 jobs) runs, the host sets the
# throttle group to 2 IOPS over QMP (qom-set /objects/tg0 limits),
# holds it for 15 s, then lifts the limit.  Timeouts must fire and recovery
# run (Abort, then reset); afterwards every outstanding I/O either completes
# and verifies or fails visibly (fio error, never a verify mismatch), the
# controller is live, and a full verify pass over the region succeeds.
# Meanwhile the guest must stay responsive: a probe (timeout 20 on a
# command that does not touch the disk) runs every second.
# timeout: 300
. "$(dirname "$0")/lib/common.sh" || exit 1
# shellcheck source=err/lib.sh
. "$TOP/tests/err/lib.sh" || exit 1
HOLD=15
if [ -z "${IN_VM:-}" ]; then
	need_module
	r=$(mktemp -d "${TMPDIR:-/tmp}/err-timeout.XXXXXX")
	trap 'kill $vmpid 2>/dev/null; rm -rf "$r"' EXIT
	"$VM" --timeout 280 --results "$r" --qmp "$r/qmp.sock" --modparam "io_timeout=3 admin_timeout=10" \
		--nvme "lnvme,backend=throttle,size=128M" -- "$0" guest &
	vmpid=$!
	wait_file "$r/io-started" 200 || { wait $vmpid; fail "guest never started I/O"; }
	sleep 2
	log "host: stall (2 IOPS) for $HOLD s"
	qmp_ok "$r/qmp.sock" '{"execute":"qom-set","arguments":{"path":"/objects/tg0","property":"limits","value":{"iops-total":2}}}'
	touch "$r/stalled"
	s=$SECONDS
	sleep $HOLD
	log "host: restore"
	qmp_ok "$r/qmp.sock" '{"execute":"qom-set","arguments":{"path":"/objects/tg0","property":"limits","value":{"iops-total":0}}}'
	echo "host: restore QMP answered $((SECONDS - s)) s after the stall began"
	touch "$r/restored"
	wait $vmpid
	rc=$?
	vmpid=
	[ $rc = 0 ] || { rm -rf "$TOP/results/err-timeout.failed"; cp -r "$r" "$TOP/results/err-timeout.failed"; fail "VM run failed ($rc)"; }
	echo "PASS"
	exit 0
fi

dev=${VM_NVME_DISKS_0:-}
[ -b "$dev" ] || fail "no lnvme disk"
echo "io_timeout=$(cat /sys/module/lnvme/parameters/io_timeout) admin_timeout=$(cat /sys/module/lnvme/parameters/admin_timeout)"
out=/tmp/timeout
mkdir -p $out
job="--filename=$dev --direct=1 --ioengine=libaio --bs=4k --iodepth=16 --numjobs=2 --offset_increment=32m --size=32m --rw=randwrite --verify=crc32c --verify_backlog=128 --do_verify=1 --verify_fatal=1 --verify_state_save=0 --random_generator=lfsr"

# Responsiveness probe: every second, a command with a 20 s deadline (longer
# than the 15 s stall; trivial commands take 2-5 s on a loaded TCG host).
(
	while [ ! -e $out/stop ]; do
		a=$(ms_now)
		timeout 20 sh -c 'cat /proc/uptime >/dev/null; ls /sys/class/lnvme >/dev/null' || echo "PROBE TIMEOUT" >>$out/probe
		echo $(($(ms_now) - a)) >>$out/probe
		sleep 1
	done
) &
probe=$!

# Timeline of the controller state.
watch_state $out
stw=$!

# shellcheck disable=SC2086
fio --name=stall $job --loops=4 --output-format=json --output=$out/fio.json >$out/fio.log 2>&1 &
fio=$!
wait_io "$dev" 200 60 || fail "fio did not start I/O"
touch "$VM_RESULTS/io-started"
wait_file "$VM_RESULTS/stalled" 60 || fail "host never stalled the backend"
ts=$(ms_now)
dmesg_mark "backend stalled"
wait_file "$VM_RESULTS/restored" 120 || fail "host never restored the backend"
tr=$(ms_now)
dmesg_mark "backend restored"
echo "stall seen for $((tr - ts)) ms in the guest"
timeout 150 bash -c "while kill -0 $fio 2>/dev/null; do sleep 0.5; done" || fail "fio still running 150 s after the restore (hang?)"
wait $fio
frc=$?
tf=$(ms_now)
touch $out/stop
wait $probe $stw
echo "fio rc $frc, ended $((tf - tr)) ms after the restore"
grep -vE '^$' $out/fio.log | head -n 12
jq -r '.jobs[] | "\(.jobname): error \(.error) total_err \(.total_err) write \(.write.io_bytes) read \(.read.io_bytes)"' $out/fio.json 2>/dev/null
echo "state timeline (ms since boot):"; sed "s/^/  /" $out/states
echo "probe: $(wc -l <$out/probe) runs, ms: $(tr '\n' ' ' <$out/probe)"
grep -q 'PROBE TIMEOUT' $out/probe && fail "the guest was unresponsive (probe timed out)"
grep -qiE 'verify: bad|bad magic|crc32c.*mismatch|verify failed' $out/fio.log && fail "fio verify mismatch: data corrupted"
if [ $frc != 0 ]; then
	grep -qiE 'error' $out/fio.log || fail "fio rc $frc without an error message"
	echo "outstanding I/O failed visibly (fio rc $frc)"
fi

log "dmesg: timeouts and recovery"
dmesg | sed -n '/lnvme-test: backend stalled/,$p' | grep -E 'lnvme|I/O error' | grep -v lnvme-vm | head -n 60
echo "timeouts: $(dmesg | grep -c 'timed out'), aborts: $(dmesg | grep -c 'Abort of queue') ($(dmesg | grep -c 'not aborted') not aborted), resets: $(dmesg | grep -c 'reset complete'), suppressed: $(dmesg | sed -nE 's/.*: ([0-9]+) callbacks suppressed/\1/p' | paste -sd+ | bc 2>/dev/null)"
dmesg | grep -qE 'timed out' || fail "no command timeout in dmesg"
dmesg | grep -qE 'Abort of queue' || echo "NOTE: no Abort completion logged"
dmesg | grep -qE 'resetting controller' || echo "NOTE: no reset logged"
st=$(lnvme_state 0)
[ "$st" = live ] || fail "controller state $st after recovery"

log "full verify pass after recovery"
# shellcheck disable=SC2086
fio --name=after $job --loops=1 >$out/after.log 2>&1 || { tail -n 20 $out/after.log; fail "verify pass after recovery failed"; }
check_dmesg
echo "PASS: stall ${HOLD}s, fio rc $frc, recovered; state live"
