#!/bin/bash
# 20 controller resets (6 on the debug kernel; nvme reset, 2 s apart) while fio
# verify runs at QD32 on every queue: two libaio jobs pinned to the two
# CPUs (interrupt queues) and one io_uring hipri=1 job (the poll queue),
# each on its own region.  fio runs back to back until the resets are
# done; every run must exit 0 with no verify failure, every reset must
# succeed, and the controller must be live afterwards.
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
cat "/sys/class/lnvme/$ctlname/queues" 2>/dev/null
dmesg | grep -E 'I/O queues' | tail -n1
grep -q 'poll' /sys/block/"${dev#/dev/}"/queue/io_poll 2>/dev/null
echo "io_poll=$(cat /sys/block/"${dev#/dev/}"/queue/io_poll)"
out=/tmp/resets
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
	if ! timeout 60 nvme reset "$ctl"; then
		failed_resets=$((failed_resets + 1))
		echo "reset $i failed, state $(lnvme_state "${ctlname#lnvme}")"
	fi
	sleep 2
done
t1=$(ms_now)
fio_loop_end $out $loop "the resets"

echo "$nres resets in $((t1 - t0)) ms; fio runs (run rc):"
fio_loop_check $out
[ $failed_resets = 0 ] || fail "$failed_resets resets failed"
st=$(lnvme_state "${ctlname#lnvme}")
[ "$st" = live ] || fail "controller state $st after the resets"
n=$(dmesg | grep -c 'reset complete in')
echo "reset times (ms): $(dmesg | sed -nE 's/.*reset complete in ([0-9]+) ms.*/\1/p' | tr '\n' ' ')"
[ "$n" -ge "$nres" ] || fail "only $n 'reset complete' lines"
dmesg | grep -E 'lnvme' | grep -vE 'reset complete|taints kernel|signature' | tail -n 15
check_dmesg
echo "PASS: $nres resets under QD32 fio verify (libaio x2 + io_uring hipri), $(wc -l <$out/runs) fio runs clean"
