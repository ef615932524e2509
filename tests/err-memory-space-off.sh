#!/bin/bash
# Registers unreachable under load: io_timeout=3, admin_timeout=5.  fio
# (libaio randrw, QD32, 2 jobs) runs, then setpci clears Memory Space
# Enable in the controller's PCI command register and leaves Bus Master
# Enable set: doorbell and CC writes are lost while the controller keeps
# the commands it holds.  (QEMU returns 0, not all ones, for reads of a
# disabled BAR, so CSTS shows RDY = 0 and the driver cannot tell that its
# disable did not happen; the bus master fence for a controller whose
# disable fails is not reached here.)  The commands time out, the reset's
# enable never sees CSTS.RDY = 1, and the controller must end dead: fio
# ends with errors within 90 s, I/O on the dead controller fails fast,
# nothing hangs, and rmmod works.
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
name=${dev#/dev/}
out=/tmp/mse
mkdir -p $out
watch_state $out
stw=$!
fio --name=mse --filename="$dev" --direct=1 --ioengine=libaio --rw=randrw --bs=4k \
	--iodepth=32 --numjobs=2 --offset_increment=32m --size=32m --time_based --runtime=120 \
	--output-format=json --output=$out/fio.json >$out/fio.log 2>&1 &
fio=$!
wait_io "$dev" 200 60 || fail "fio did not start I/O"
sleep 2
cmd0=$(setpci -s "$bdf" COMMAND)
echo "COMMAND before: $cmd0"
[ $((0x$cmd0 & 6)) = 6 ] || fail "memory space and bus mastering not both on before the test ($cmd0)"
t0=$(ms_now)
dmesg_mark "clearing memory space enable"
setpci -s "$bdf" COMMAND=0:2 || fail "setpci failed"
echo "COMMAND after: $(setpci -s "$bdf" COMMAND)"
timeout 90 bash -c "while kill -0 $fio 2>/dev/null; do sleep 0.2; done" ||
	{ dump_stuck $fio $(pgrep -x fio); fail "fio still running 90 s after memory space was cleared (hang?)"; }
wait $fio
frc=$?
t1=$(ms_now)
touch $out/stop
wait $stw
echo "fio rc $frc, ended $((t1 - t0)) ms after memory space was cleared"
grep -vE '^$' $out/fio.log | head -n 6
echo "state timeline (ms since boot; memory space cleared at $t0):"; sed "s/^/  /" $out/states

log "dmesg"
dmesg | sed -n '/lnvme-test: clearing memory space enable/,$p' >$out/dmesg
grep -E 'lnvme|I/O error' $out/dmesg | grep -v lnvme-vm | awk '!seen[substr($0, index($0, "]"))]++' | head -n 30
st=$(lnvme_state 0)
echo "final state: $st; COMMAND now $(setpci -s "$bdf" COMMAND)"
[ "$st" = dead ] || fail "controller state $st, want dead"
[ $frc != 0 ] || fail "fio succeeded although the controller died"
grep -qE "I/O error|$name: (READ|WRITE)" $out/dmesg || fail "no failed request logged after the kill"

a=$(ms_now)
timeout 30 dd if="$dev" of=/dev/null bs=4k count=1 iflag=direct 2>&1 && fail "dead controller, but a read succeeded"
[ $(($(ms_now) - a)) -lt 10000 ] || fail "I/O on the dead controller does not fail fast"
a=$(ms_now)
timeout 60 rmmod lnvme || fail "rmmod lnvme failed or hung"
echo "rmmod took $(($(ms_now) - a)) ms"
check_dmesg
echo "PASS: memory space off: fio rc $frc after $((t1 - t0)) ms, controller dead, I/O fails fast, module unloaded"
