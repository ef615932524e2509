#!/bin/bash
# Bus mastering switched off under load (as blktests block/011 does):
# io_timeout=3, admin_timeout=5; fio (libaio randrw, QD32, 2 jobs) runs,
# then setpci clears the Bus Master Enable bit of the controller's PCI
# command register, so the controller can no longer fetch commands or post
# completions.  The driver must recover or fail the I/O, never hang: within
# 90 s either fio ends (with errors) or a reset has re-enabled bus mastering
# and I/O flows again; the controller must end up live or dead (not stuck
# resetting), and lnvme must unload.
# timeout: 240
. "$(dirname "$0")/lib/common.sh" || exit 1
# shellcheck source=err/lib.sh
. "$TOP/tests/err/lib.sh" || exit 1
if [ -z "${IN_VM:-}" ]; then
	need_module
	exec "$VM" --timeout 220 --modparam "io_timeout=3 admin_timeout=5" \
		--nvme lnvme,backend=file,size=128M -- "$0" guest
fi

dev=${VM_NVME_DISKS_0:-}
bdf=$VM_NVME_PCI_0
[ -b "$dev" ] || fail "no lnvme disk"
out=/tmp/bm
mkdir -p $out
watch_state $out
stw=$!
fio --name=bm --filename="$dev" --direct=1 --ioengine=libaio --rw=randrw --bs=4k \
	--iodepth=32 --numjobs=2 --offset_increment=32m --size=32m --time_based --runtime=120 \
	--output-format=json --output=$out/fio.json >$out/fio.log 2>&1 &
fio=$!
wait_io "$dev" 200 60 || fail "fio did not start I/O"
sleep 4
echo "COMMAND before: $(setpci -s "$bdf" COMMAND)"
t0=$(ms_now)
dmesg_mark "clearing bus master"
setpci -s "$bdf" COMMAND=0:4 || fail "setpci failed"
echo "COMMAND after: $(setpci -s "$bdf" COMMAND)"
# Either the driver fails the I/O (fio ends) or it recovers: a reset turns
# bus mastering back on and the controller is live again with I/O flowing.
recovered=0
for _ in $(seq 450); do
	kill -0 $fio 2>/dev/null || break
	if [ "$(lnvme_state 0)" = live ] &&
		dmesg | sed -n '/lnvme-test: clearing bus master/,$p' | grep -q 'reset complete'; then
		recovered=1
		break
	fi
	sleep 0.2
done
if [ $recovered = 1 ]; then
	ios() { awk '{ print $1 + $5 }' "/sys/block/${dev#/dev/}/stat"; }
	i0=$(ios)
	sleep 3
	i1=$(ios)
	echo "recovered after $(($(ms_now) - t0)) ms; $((i1 - i0)) I/Os in the next 3 s"
	[ "$i1" -gt "$i0" ] || fail "controller live again, but no I/O completes"
	kill $fio
fi
timeout 30 bash -c "while kill -0 $fio 2>/dev/null; do sleep 0.2; done" || fail "fio still running 90 s after bus master was cleared (hang?)"
wait $fio
frc=$?
t1=$(ms_now)
sleep 1
touch $out/stop
wait $stw
echo "fio rc $frc, ended $((t1 - t0)) ms after bus master was cleared"
grep -vE '^$' $out/fio.log | head -n 8
jq -r '.jobs[] | "\(.jobname): error \(.error) read \(.read.io_bytes) write \(.write.io_bytes)"' $out/fio.json 2>/dev/null
echo "state timeline (ms since boot; bus master cleared at $t0):"; sed "s/^/  /" $out/states
st=$(lnvme_state 0)
echo "final state: $st; COMMAND now $(setpci -s "$bdf" COMMAND)"
case $st in
live)
	timeout 60 dd if="$dev" of=/dev/null bs=4k count=256 iflag=direct || fail "live after recovery, but reads fail"
	;;
dead)
	a=$(ms_now)
	timeout 30 dd if="$dev" of=/dev/null bs=4k count=1 iflag=direct 2>&1 && fail "dead controller, but a read succeeded"
	echo "read on the dead controller failed after $(($(ms_now) - a)) ms"
	[ $(($(ms_now) - a)) -lt 10000 ] || fail "I/O on the dead controller does not fail fast"
	;;
*) fail "controller stuck in state $st" ;;
esac
log "dmesg"
dmesg | grep -E 'lnvme|I/O error' | grep -vE 'taints kernel|signature|lnvme-vm' | awk '!seen[substr($0, index($0, "]"))]++' | tail -n 30
a=$(ms_now)
timeout 60 rmmod lnvme || fail "rmmod lnvme failed or hung"
echo "rmmod took $(($(ms_now) - a)) ms"
check_dmesg
echo "PASS: bus master off: fio rc $frc after $((t1 - t0)) ms, state $st, module unloaded"
