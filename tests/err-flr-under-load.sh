#!/bin/bash
# 20 function-level resets (6 on the debug kernel; echo 1 > the PCI
# function's sysfs reset, 2 s apart), each an orderly controller reset
# through reset_prepare/reset_done, while fio verify runs at QD32 on every
# queue: two libaio jobs pinned to the two
# CPUs (interrupt queues) and one io_uring hipri=1 job (the poll queue),
# each on its own region.  fio runs back to back until the resets are
# done; every run must exit 0 with no verify failure (no I/O error,
# no mismatch), every FLR must leave the controller live again.
# timeout: 300
. "$(dirname "$0")/lib/common.sh" || exit 1
# shellcheck source=err/lib.sh
. "$TOP/tests/err/lib.sh" || exit 1
if [ -z "${IN_VM:-}" ]; then
	need_module
	exec "$VM" --timeout 280 --smp 2 --nvme lnvme,backend=file,size=256M -- "$0" guest
fi

dev=${VM_NVME_DISKS_0:-}
ctl=${VM_NVME_CTRL_0:-}
{ [ -b "$dev" ] && [ -c "$ctl" ]; } || fail "no lnvme disk/controller ($dev $ctl)"
ctlname=${ctl#/dev/}
bdf=${VM_NVME_PCI_0:-}
[ -e "/sys/bus/pci/devices/$bdf/reset" ] || fail "no reset file for PCI function '$bdf'"
cat "/sys/bus/pci/devices/$bdf/reset_method" 2>/dev/null
cat "/sys/class/lnvme/$ctlname/queues" 2>/dev/null
dmesg | grep -E 'I/O queues' | tail -n1
grep -q 'poll' /sys/block/"${dev#/dev/}"/queue/io_poll 2>/dev/null
echo "io_poll=$(cat /sys/block/"${dev#/dev/}"/queue/io_poll)"
out=/tmp/flr
mkdir -p $out
fio_3q_job "$dev" $out

# fio back to back until $out/stop exists.
fio_loop $out
loop=$!
wait_file $out/fio-1.json 60 || sleep 2
sleep 3
t0=$(ms_now)
failed_resets=0
nres=$(debug_scale 20 6)
for i in $(seq "$nres"); do
	if ! timeout 60 sh -c "echo 1 > /sys/bus/pci/devices/$bdf/reset" ||
		[ "$(lnvme_state "${ctlname#lnvme}")" != live ]; then
		failed_resets=$((failed_resets + 1))
		echo "FLR $i failed, state $(lnvme_state "${ctlname#lnvme}")"
	fi
	sleep 2
done
t1=$(ms_now)
fio_loop_end $out $loop "the FLRs"

echo "$nres FLRs in $((t1 - t0)) ms; fio runs (run rc):"
fio_loop_check $out
[ $failed_resets = 0 ] || fail "$failed_resets FLRs failed"
st=$(lnvme_state "${ctlname#lnvme}")
[ "$st" = live ] || fail "controller state $st after the FLRs"
n=$(dmesg | grep -c 'function reset: controller live again in')
echo "FLR -> live times (ms): $(dmesg | sed -nE 's/.*live again in ([0-9]+) ms.*/\1/p' | tr '\n' ' ')"
[ "$n" -ge "$nres" ] || fail "only $n 'live again' lines for $nres FLRs"
dmesg | grep -E 'lnvme' | grep -vE 'reset complete|function reset|taints kernel|signature' | tail -n 15
check_dmesg
echo "PASS: $nres FLRs under QD32 fio verify (libaio x2 + io_uring hipri), $(wc -l <$out/runs) fio runs clean"
