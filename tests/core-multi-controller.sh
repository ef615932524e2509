#!/bin/bash
# Three lnvme controllers (backend=file) in one VM: disks lnvme0n1,
# lnvme1n1, lnvme2n1 (any order), one per controller, distinct serials, and
# a concurrent fio verify job on all three at once (zero mismatches).
# timeout: 240
. "$(dirname "$0")/lib/common.sh" || exit 1
if [ -z "${IN_VM:-}" ]; then
	need_module
	exec "$VM" --timeout 220 --nvme lnvme,backend=file,size=128M,serial=mc-a \
		--nvme lnvme,backend=file,size=128M,serial=mc-b \
		--nvme lnvme,backend=file,size=128M,serial=mc-c -- "$0" guest
fi

[ "${VM_NVME_COUNT:-0}" = 3 ] || fail "VM_NVME_COUNT=${VM_NVME_COUNT:-}"
disks=()
for i in 0 1 2; do
	v=VM_NVME_DISKS_$i p=VM_NVME_PCI_$i
	d=${!v}
	[ -b "$d" ] || fail "controller $i: no disk ($d)"
	drv=$(basename "$(readlink /sys/bus/pci/devices/${!p}/driver)")
	[ "$drv" = lnvme ] || fail "controller $i (${!p}) bound to $drv"
	echo "controller $i: ${!p} -> $d"
	disks+=("$d")
done
names=$(printf '%s\n' "${disks[@]##*/}" | sort | tr '\n' ' ')
[ "$names" = "lnvme0n1 lnvme1n1 lnvme2n1 " ] || fail "disk names: $names"
for s in mc-a mc-b mc-c; do
	dmesg | grep -E "lnvme .*serial $s," || fail "no controller with serial $s in dmesg"
done

args=(--direct=1 --ioengine=libaio --verify=crc32c --verify_backlog=32 --do_verify=1
	--verify_fatal=1 --verify_state_save=0 --rw=randwrite --bsrange=512-256k --iodepth=16 --size=24M)
jobs=()
for d in "${disks[@]}"; do jobs+=(--name="${d##*/}" --filename="$d"); done
fio "${args[@]}" "${jobs[@]}" --output-format=json --output=/tmp/mc.json || fail "fio failed"
sed -n '/^{/,$p' /tmp/mc.json >/tmp/mc.clean.json
jq -r '.jobs[] | "\(.jobname): error \(.error), wrote \(.write.io_bytes) read(verified) \(.read.io_bytes)"' /tmp/mc.clean.json
[ "$(jq '[.jobs[] | select(.error == 0 and .read.io_bytes > 0 and .write.io_bytes > 0)] | length' /tmp/mc.clean.json)" = 3 ] ||
	fail "not all 3 fio jobs wrote and verified without errors"
check_dmesg
echo "PASS: 3 controllers, fio verify on each"
