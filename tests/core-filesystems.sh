#!/bin/bash
# ext4, xfs and btrfs on lnvme (one controller, three 512 MiB namespaces,
# backend=file): mkfs, mount, write a tree of files with sha256 checksums,
# sync, umount, read-only fsck (e2fsck -fn, xfs_repair -n, btrfs check),
# remount, verify every checksum (tests/core/fs-integrity.sh).
# timeout: 300
. "$(dirname "$0")/lib/common.sh" || exit 1
if [ -z "${IN_VM:-}" ]; then
	need_module
	exec "$VM" --timeout 280 --nvme lnvme,backend=file,namespaces=3,size=512M -- "$0" guest
fi

set -- ${VM_NVME_DISKS_0:-}
[ $# = 3 ] || fail "want 3 lnvme disks, got: ${VM_NVME_DISKS_0:-none}"
fsi=$VM_PROJECT/tests/core/fs-integrity.sh
"$fsi" "$1" ext4 32 || fail "ext4 on $1"
"$fsi" "$2" xfs 32 || fail "xfs on $2"
"$fsi" "$3" btrfs 24 || fail "btrfs on $3"
check_dmesg
echo "PASS: ext4, xfs, btrfs on $*"
