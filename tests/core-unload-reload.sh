#!/bin/bash
# rmmod lnvme / insmod lnvme.ko 20 times.  Each cycle: the disk of the
# controller must come back (driver_override is lnvme, so insmod binds
# it), the data written in the previous cycle must read back (sha256), a
# new 1 MiB block is written and read back; rmmod comes right after the
# I/O (no settling).  Every 5th cycle checks that rmmod is refused (module
# in use) while the disk is open and being read, then runs a short fio
# verify job and unloads right after it ends.  dmesg must stay clean.
# timeout: 620
. "$(dirname "$0")/lib/common.sh" || exit 1
if [ -z "${IN_VM:-}" ]; then
	need_module
	exec "$VM" --timeout 600 --nvme lnvme,backend=file,size=128M -- "$0" guest
fi

ko=$VM_LNVME_KO
pci=${VM_NVME_PCI_0:?}
[ -f "$ko" ] || fail "$ko missing"
[ "$(cat /sys/bus/pci/devices/$pci/driver_override)" = lnvme ] || fail "driver_override of $pci is not lnvme"


blk=/tmp/blk pool=/tmp/pool
head -c $((4 << 20)) /dev/urandom >$pool || fail "no random pool"
prev_sum= prev_off=
dev=$(wait_disk_of_pci "$pci") || fail "no disk at start"
for cycle in $(seq 1 20); do
	t0=$SECONDS
	# 1) data from the previous cycle survived the reload
	if [ -n "$prev_sum" ]; then
		got=$(dd if="$dev" bs=64k skip=$prev_off count=16 iflag=direct status=none | sha256sum | cut -d' ' -f1)
		[ "$got" = "$prev_sum" ] || fail "cycle $cycle: data written before the reload changed"
	fi
	# 2) write a new 1 MiB block and read it back
	off=$(((cycle * 37) % 100 * 16)) # in 64 KiB units, < 100 MiB
	dd if=$pool of=$blk bs=64k skip=$((cycle % 48)) count=16 status=none
	dd if=$blk of="$dev" bs=64k seek=$off oflag=direct conv=notrunc status=none || fail "cycle $cycle: write failed"
	sum=$(sha256sum <$blk | cut -d' ' -f1)
	got=$(dd if="$dev" bs=64k skip=$off count=16 iflag=direct status=none | sha256sum | cut -d' ' -f1)
	[ "$got" = "$sum" ] || fail "cycle $cycle: read-back mismatch"
	prev_sum=$sum prev_off=$off
	# 3) every 5th cycle: with the disk held open (and fio running on it),
	# rmmod must be refused; then fio verify, and unload right after it
	if [ $((cycle % 5)) = 0 ]; then
		exec 7<"$dev" || fail "cycle $cycle: cannot open $dev"
		dd if="$dev" of=/dev/null bs=64k count=512 iflag=direct status=none &
		ddpid=$!
		if rmmod lnvme 2>/tmp/rmmod.err; then
			fail "cycle $cycle: rmmod succeeded while $dev was open"
		fi
		echo "cycle $cycle: rmmod refused while $dev is open: $(cat /tmp/rmmod.err)"
		wait $ddpid || fail "cycle $cycle: read during the refused rmmod failed"
		exec 7<&-
		fio --name=busy --filename="$dev" --direct=1 --ioengine=libaio --iodepth=16 \
			--rw=randwrite --bsrange=4k-64k --size=4M --offset=104857600 --verify=crc32c \
			--verify_state_save=0 --do_verify=1 --verify_fatal=1 \
			--output=/tmp/fio-busy.txt || { cat /tmp/fio-busy.txt; fail "cycle $cycle: fio verify failed"; }
	fi
	# 4) unload right after the I/O, reload, the disk comes back
	rmmod lnvme || fail "cycle $cycle: rmmod failed"
	[ ! -d /sys/module/lnvme ] || fail "cycle $cycle: module still loaded after rmmod"
	[ -z "$(disk_of_pci "$pci")" ] || fail "cycle $cycle: disk still present after rmmod"
	[ ! -e /sys/bus/pci/devices/$pci/driver ] || fail "cycle $cycle: $pci still bound after rmmod"
	t1=$SECONDS
	insmod "$ko" || fail "cycle $cycle: insmod failed"
	t2=$SECONDS
	dev=$(wait_disk_of_pci "$pci") || fail "cycle $cycle: no disk 10 s after insmod"
	drv=$(basename "$(readlink /sys/bus/pci/devices/$pci/driver)")
	[ "$drv" = lnvme ] || fail "cycle $cycle: $pci bound to '$drv'"
	check_dmesg
	echo "cycle $cycle: ok ($dev, $((SECONDS - t0))s: I/O+rmmod $((t1 - t0))s, insmod $((t2 - t1))s, disk $((SECONDS - t2))s)"
done
# Final: the last block survived the last reload.
got=$(dd if="$dev" bs=64k skip=$prev_off count=16 iflag=direct status=none | sha256sum | cut -d' ' -f1)
[ "$got" = "$prev_sum" ] || fail "data written before the last reload changed"
n=$(dmesg | grep -cE "lnvme $pci: .*serial") || true
echo "controller probed $n times"
[ "$n" -ge 21 ] || fail "controller probed $n times, want >= 21"
check_dmesg
bad=$(dmesg | grep -E 'lnvme' | grep -vE 'taints kernel|module verification' | grep -iE 'status|timed out|failed|error|leak') || true
[ -z "$bad" ] || fail "lnvme errors: $bad"
echo "PASS: 20 unload/reload cycles"
