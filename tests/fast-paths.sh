#!/bin/bash
# The fast paths, through lnvme: the verify matrix with PRPs forced
# (sgl_threshold=0) and with SGLs forced (sgl_threshold=1; the default is
# covered by core-fio-verify); polled I/O (io_uring and pvsync2 with
# hipri) verifies, io_uring's without a single I/O interrupt; shadow
# doorbells are in use; interrupt coalescing, which QEMU refuses, is
# reported and the driver carries on.  On the debug kernel the matrix
# moves a quarter of the data.
# timeout: 600
. "$(dirname "$0")/lib/common.sh" || exit 1
if [ -z "${IN_VM:-}" ]; then
	need_module
	exec "$VM" --timeout 560 --nvme lnvme,backend=file,size=256M -- "$0" guest
fi

dev=${VM_NVME_DISKS_0:-}
[ -b "$dev" ] || fail "no lnvme disk (VM_NVME_DISKS_0=$dev)"
sys=/sys/class/lnvme/lnvme0
ko=$VM_LNVME_KO

reload() {
	rmmod lnvme || fail "rmmod lnvme"
	insmod "$ko" "$@" || fail "insmod lnvme.ko $*"
	for _ in $(seq 100); do [ -b "$dev" ] && break; sleep 0.1; done
	[ -b "$dev" ] || fail "$dev did not come back after insmod $*"
}

# Interrupts of the I/O queue vectors (lnvme0q1..), summed.
io_irqs() { awk '$NF ~ /^lnvme0q[1-9]/ { for (i = 2; i <= NF && $i ~ /^[0-9]+$/; i++) s += $i } END { print s + 0 }' /proc/interrupts; }

for t in 0 1; do
	log "verify matrix with sgl_threshold=$t"
	reload sgl_threshold=$t
	[ "$(cat $sys/sgl_threshold)" = "$t" ] || fail "sysfs sgl_threshold is $(cat $sys/sgl_threshold), want $t"
	"$VM_PROJECT/tests/core/verify-matrix.sh" -q "$dev" "$(debug_scale 0.5 0.125)" ||
		fail "verify matrix failed with sgl_threshold=$t"
done
[ "$(cat $sys/sgl_supported)" = 1 ] || fail "QEMU's controller should report SGL support"

log "polled I/O: io_uring and pvsync2 with hipri"
reload
[ "$(cat /sys/block/lnvme0n1/queue/io_poll)" = 1 ] || fail "io_poll is not 1"
[ "$(cat $sys/poll_queues)" -ge 1 ] || fail "no poll queue"
[ "$(cat $sys/shadow_doorbells)" = 1 ] || fail "shadow doorbells not in use"
# io_uring with IORING_SETUP_IOPOLL completes on the poll queue.  Linux
# 6.12 no longer polls synchronous RWF_HIPRI I/O (pvsync2 --hipri) on any
# driver (the in-kernel nvme takes interrupts there too): it must verify.
for engine in io_uring pvsync2; do
	before=$(io_irqs)
	fio --name=poll-$engine --filename="$dev" --direct=1 --ioengine=$engine \
		--hipri=1 --iodepth=1 --rw=randwrite --bs=4k --size=8M \
		--verify=crc32c --do_verify=1 --output-format=terse >/tmp/fio.out 2>&1 ||
		{ cat /tmp/fio.out; fail "polled fio ($engine) failed"; }
	after=$(io_irqs)
	echo "$engine --hipri=1: $((after - before)) I/O queue interrupts"
	[ $engine = pvsync2 ] || [ "$after" = "$before" ] ||
		fail "polled io_uring I/O raised $((after - before)) interrupts"
done

log "interrupt coalescing: QEMU refuses it, lnvme carries on"
reload irq_coalesce_thr=7 irq_coalesce_time=2
dmesg | grep -q 'interrupt coalescing not set' ||
	fail "no interrupt coalescing message in dmesg"
fio --name=after-coalesce --filename="$dev" --direct=1 --ioengine=libaio \
	--iodepth=8 --rw=randwrite --bs=4k --size=4M --verify=crc32c \
	--output-format=terse >/tmp/fio.out 2>&1 || { cat /tmp/fio.out; fail "I/O after coalescing refusal"; }
check_dmesg
echo "PASS: PRP and SGL matrices verify, polled I/O without interrupts, shadow doorbells, coalescing refusal handled"
