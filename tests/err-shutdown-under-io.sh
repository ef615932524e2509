#!/bin/bash
# Power-off with I/O in flight: fio (libaio randwrite, QD32, 2 jobs) runs,
# then the guest powers off at once (busybox poweroff -f: reboot(2), no
# user-space shutdown), so the kernel's device shutdown runs lnvme's
# .shutdown with requests outstanding.  The harness only accepts a guest
# that reports its exit status, so the guest saves dmesg and rc itself
# just before the power-off (as guest-stage2's finish does); the harness
# still scans the whole console log for oopses, warnings and hung tasks.
# The host then checks the console: the controller shut down (lnvme's
# "shut down" line, no shutdown timeout) and the guest powered down.
# timeout: 180
. "$(dirname "$0")/lib/common.sh" || exit 1
# shellcheck source=err/lib.sh
. "$TOP/tests/err/lib.sh" || exit 1
if [ -z "${IN_VM:-}" ]; then
	need_module
	r=$(mktemp -d "${TMPDIR:-/tmp}/err-shutdown.XXXXXX")
	trap 'rm -rf "$r"' EXIT
	"$VM" --timeout 160 --results "$r" --nvme lnvme,backend=file,size=128M -- "$0" guest
	rc=$?
	[ $rc = 0 ] || { rm -rf "$TOP/results/err-shutdown.failed"; cp -r "$r" "$TOP/results/err-shutdown.failed"; fail "VM run failed ($rc)"; }
	con=$(tr -d '\r' <"$r/console.log")
	echo "console after the power-off request:"
	sed -n '/lnvme-test: powering off/,$p' <<<"$con" | grep -vE 'lnvme-vm' | tail -n 20
	after=$(sed -n '/lnvme-test: powering off/,$p' <<<"$con")
	[ -n "$after" ] || fail "no power-off marker on the console"
	grep -qE "lnvme [0-9a-f:.]+: shut down" <<<"$after" ||
		fail "no lnvme shutdown line on the console"
	grep -qE 'timed out waiting for shutdown|device gone while waiting for shutdown|fatal status while waiting for shutdown' <<<"$after" &&
		fail "the controller did not shut down cleanly"
	grep -qE 'reboot: Power down' <<<"$after" || fail "the guest did not power down"
	echo "PASS"
	exit 0
fi

dev=${VM_NVME_DISKS_0:-}
[ -b "$dev" ] || fail "no lnvme disk"
fio --name=sd --filename="$dev" --direct=1 --ioengine=libaio --rw=randwrite --bs=4k \
	--iodepth=32 --numjobs=2 --offset_increment=32m --size=32m --time_based --runtime=120 \
	>/tmp/fio.log 2>&1 &
wait_io "$dev" 200 60 || fail "fio did not start I/O"
sleep 5
kill -0 $! || fail "fio is not running"
inflight=$(cat "/sys/block/${dev#/dev/}/inflight")
echo "in flight (read write): $inflight; fio: $(head -c 300 /tmp/fio.log)"
check_dmesg
# What guest-stage2's finish would do; it will not get to run.
dmesg >"$VM_RESULTS/dmesg.txt" 2>&1
echo 0 >"$VM_RESULTS/rc.tmp" && mv -f "$VM_RESULTS/rc.tmp" "$VM_RESULTS/rc"
sync
dmesg_mark "powering off"
busybox poweroff -f
sleep 60
fail "still running 60 s after poweroff -f"
