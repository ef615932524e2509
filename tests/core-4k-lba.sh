#!/bin/bash
# A 4096-byte-LBA namespace through lnvme: logical_block_size is 4096, the
# fio verify matrix (smallest block 4k) and an ext4 + xfs integrity run.
# timeout: 300
. "$(dirname "$0")/lib/common.sh" || exit 1
if [ -z "${IN_VM:-}" ]; then
	need_module
	exec "$VM" --timeout 280 --nvme lnvme,backend=file,lbs=4096,size=512M -- "$0" guest
fi

dev=${VM_NVME_DISKS_0:-}
[ -b "$dev" ] || fail "no lnvme disk"
q=/sys/block/${dev#/dev/}/queue
lbs=$(cat "$q/logical_block_size")
pbs=$(cat "$q/physical_block_size")
echo "$dev: logical_block_size $lbs, physical_block_size $pbs, $(blockdev --getsz "$dev") sectors"
[ "$lbs" = 4096 ] || fail "$dev: logical_block_size $lbs, want 4096"
[ "$(blockdev --getss "$dev")" = 4096 ] || fail "blockdev --getss is not 4096"
[ "$(blockdev --getsize64 "$dev")" = $((512 << 20)) ] || fail "size $(blockdev --getsize64 "$dev"), want 512 MiB"

# A 512-byte O_DIRECT read must be refused by the block layer on a 4k device.
if dd if="$dev" of=/dev/null bs=512 count=1 iflag=direct 2>/dev/null; then
	fail "512-byte O_DIRECT read succeeded on a 4096-byte-LBA device"
fi

"$VM_PROJECT/tests/core/verify-matrix.sh" -q "$dev" 0.75 || fail "verify matrix on $dev"
"$VM_PROJECT/tests/core/fs-integrity.sh" "$dev" ext4 32 || fail "ext4 on $dev"
"$VM_PROJECT/tests/core/fs-integrity.sh" "$dev" xfs 32 || fail "xfs on $dev"
check_dmesg
echo "PASS: 4096-byte LBA $dev"
