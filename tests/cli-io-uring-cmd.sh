#!/bin/bash
# io_uring passthrough on lnvme's generic namespace node: fio io_uring_cmd
# (cmd_type=nvme) random-write + verify jobs on /dev/lng0n1, interrupt driven
# and polled (--hipri; lnvme has one poll queue by default), with 512-byte
# and 4 KiB LBA namespaces; the in-kernel nvme on the same QEMU model (with
# one poll queue) runs the same jobs as the reference.
# timeout: 480
. "$(dirname "$0")/lib/common.sh" || exit 1
. "$TOP/tests/cli/lib.sh" || exit 1
if [ -z "${IN_VM:-}" ]; then
	need_module
	spec=backend=file,namespaces=2,lbs=512:4096,size=256M
	exec "$VM" --timeout 460 --append nvme.poll_queues=1 \
		--nvme "lnvme,$spec" --nvme "nvme,$spec" -- "$0" guest
fi

{ [ "$VM_NVME_DRV_0" = lnvme ] && [ "$VM_NVME_DRV_1" = nvme ]; } || fail "unexpected drivers"
pq=$(cat "/sys/class/lnvme/${VM_NVME_CTRL_0#/dev/}/poll_queues") || fail "no poll_queues attribute"
echo "lnvme poll queues: $pq"
[ "$pq" -ge 1 ] || fail "lnvme has no poll queue"
cd /tmp || fail "cd /tmp"
fails=()
job() { # NODE NAME FIO-ARGS...
	local node=$1 name=$2
	shift 2
	[ -c "$node" ] || fail "$node is not a character device"
	log "$name on $node"
	if timeout 200 fio --name="$name" --filename="$node" --ioengine=io_uring_cmd --cmd_type=nvme \
		--rw=randwrite --size=48M --iodepth=16 --verify=crc32c --verify_fatal=1 \
		--do_verify=1 --randrepeat=0 --output-format=terse "$@" >"$name.out" 2>&1; then
		# terse v3: field 6 read KiB, field 47 write KiB
		awk -F';' '{print "  ok: read " $6 " KiB, written " $47 " KiB"}' "$name.out" | tail -n1
		[ "$(awk -F';' '{print $47}' "$name.out" | tail -n1)" -gt 0 ] 2>/dev/null ||
			fails+=("$name on $node: nothing written")
		[ "$(awk -F';' '{print $6}' "$name.out" | tail -n1)" -gt 0 ] 2>/dev/null ||
			fails+=("$name on $node: nothing verified")
	else
		grep -av '^3;' "$name.out" | head -n 8
		fails+=("$name on $node")
	fi
}
ref=/dev/ng${VM_NVME_CTRL_1#/dev/nvme}
for n in 1 2; do
	bs=4k
	[ $n = 2 ] && bs=16k
	job "$ref"n$n ref-irq-ns$n --bs=$bs
	job "$ref"n$n ref-poll-ns$n --bs=$bs --hipri=1
	job /dev/lng0n$n lnvme-irq-ns$n --bs=$bs
	job /dev/lng0n$n lnvme-poll-ns$n --bs=$bs --hipri=1
	job /dev/lng0n$n lnvme-mixed-ns$n --bsrange=4k-128k --rw=randrw --iodepth=32 --verify=md5
done
check_dmesg
[ ${#fails[@]} = 0 ] || fail "io_uring_cmd jobs failed: $(printf '[%s] ' "${fails[@]}")"
echo "PASS: io_uring_cmd on lnvme"
