#!/bin/bash
# System suspend/resume of the controller under load: 20 cycles (6 on the
# debug kernel) of echo mem > /sys/power/state with pm_test=devices (the
# devices are suspended and resumed, the machine does not sleep: no S3 wake,
# which would reset the 9p root) while fio verify runs at QD32 on every
# queue.  Each suspend shuts the controller down (CC.SHN) and each resume
# re-creates its queues; every fio run must exit 0 with no verify mismatch,
# the disk must be the same device afterwards, the controller live and the
# kernel log clean.
# timeout: 650
. "$(dirname "$0")/../lib/common.sh" || exit 1
# shellcheck source=err/lib.sh
. "$TOP/tests/err/lib.sh" || exit 1
if [ -z "${IN_VM:-}" ]; then
	need_module
	exec "$VM" --timeout 600 --smp 2 --nvme lnvme,backend=file,size=256M -- "$0" guest
fi

dev=${VM_NVME_DISKS_0:-}
ctl=${VM_NVME_CTRL_0:-}
{ [ -b "$dev" ] && [ -c "$ctl" ]; } || fail "no lnvme disk/controller ($dev $ctl)"
echo "power states: $(cat /sys/power/state); mem_sleep: $(cat /sys/power/mem_sleep 2>/dev/null)"
[ -e /sys/power/pm_test ] || fail "no /sys/power/pm_test (kernel without PM_DEBUG)"
# mem (S3, or s2idle where the firmware has no S3); freeze if mem is absent.
sleepstate=mem
grep -qw mem /sys/power/state || sleepstate=freeze
grep -qw $sleepstate /sys/power/state || fail "neither mem nor freeze in /sys/power/state"
echo "cycles: echo $sleepstate > /sys/power/state with pm_test=devices"
echo devices >/sys/power/pm_test
echo 1 >/sys/module/suspend/parameters/pm_test_delay 2>/dev/null
devno=$(cat "/sys/block/${dev#/dev/}/dev")
out=/tmp/pm
mkdir -p $out
{ fio_verify_global "$dev"; cat <<JOB; } >$out/job.fio
[irq0]
ioengine=libaio
cpus_allowed=0
offset=0
size=8m
[irq1]
ioengine=libaio
cpus_allowed=1
offset=32m
size=8m
[poll]
ioengine=io_uring
hipri=1
offset=64m
size=8m
JOB
fio_loop $out
loop=$!
wait_file $out/fio-1.json 120 || sleep 2
sleep 3
n=$(debug_scale 20 6)
failed=0
t0=$(ms_now)
for i in $(seq "$n"); do
	wait_io "$dev" 50 120 || { cat $out/runs; tail -n 5 $out/fio-*.log; cat "/sys/block/${dev#/dev/}/stat"; ps ax | grep -c '[f]io'; fail "no I/O before cycle $i"; }
	if ! timeout 120 sh -c "echo $sleepstate > /sys/power/state"; then
		failed=$((failed + 1))
		echo "cycle $i: suspend failed"
	fi
done
t1=$(ms_now)
wait_io "$dev" 50 120 || fail "no I/O after the last cycle"
touch $out/stop
timeout 120 bash -c "while kill -0 $loop 2>/dev/null; do sleep 1; done" || fail "fio loop did not end within 120 s"
wait $loop
echo none >/sys/power/pm_test
echo "$n cycles in $((t1 - t0)) ms; fio runs (run rc):"
cat $out/runs
for j in "$out"/fio-*.json; do
	jq -r '.jobs[] | "\(.jobname): err \(.error) read \(.read.io_bytes) write \(.write.io_bytes)"' "$j" 2>/dev/null | sed "s|^|${j##*/}: |"
done
bad=$(awk '$2 != 0' $out/runs)
[ -z "$bad" ] || { grep -hE 'verify|err|bad' $out/fio-*.log | head -20; fail "fio runs failed: $bad"; }
grep -hqiE 'verify: bad|mismatch' $out/fio-*.log && fail "verify mismatch"
[ $failed = 0 ] || fail "$failed suspend cycles failed"
[ "$(cat "/sys/block/${dev#/dev/}/dev")" = "$devno" ] || fail "$dev is a different device after resume"
st=$(lnvme_state 0)
[ "$st" = live ] || fail "controller state $st after the cycles"
r=$(dmesg | grep -c 'resumed: controller live in')
echo "resume -> live times (ms): $(dmesg | sed -nE 's/.*resumed: controller live in ([0-9]+) ms.*/\1/p' | tr '\n' ' ')"
[ "$r" -ge "$n" ] || fail "only $r resumes logged for $n cycles"
dmesg | grep -E 'lnvme' | grep -vE 'resumed: controller|taints kernel|signature' | tail -n 15
check_dmesg
echo "PASS: $n suspend/resume cycles (pm_test=devices) under QD32 fio verify, $(wc -l <$out/runs) fio runs clean"
