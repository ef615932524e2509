#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# tests/core/fs-integrity.sh DEV FSTYPE [MIB]
#
# Guest-side filesystem integrity check (run as root): mkfs.FSTYPE on DEV,
# mount, write a tree of files (about MIB MiB, default 48: many small files,
# some medium and a few large ones, random content), record sha256sums,
# sync, umount, fsck read-only (must be clean), remount, verify every
# checksum, umount and fsck again.  FSTYPE: ext4, xfs or btrfs.
# Exit 0 only if every step succeeded.  Destroys DEV's contents.
set -u
dev=${1:?usage: fs-integrity.sh DEV FSTYPE [MIB]}
fs=${2:?usage: fs-integrity.sh DEV FSTYPE [MIB]}
mib=${3:-48}

mnt=
die() {
	echo "fs-integrity: FAIL: $fs on $dev: $*" >&2
	[ -n "$mnt" ] && mountpoint -q "$mnt" && umount "$mnt"
	exit 1
}
step() { echo "fs-integrity: [${SECONDS}s] $fs on $dev: $*"; }

case $fs in
ext4) mkfs=(mkfs.ext4 -q -F) fsck=(e2fsck -fn) ;;
xfs) mkfs=(mkfs.xfs -q -f) fsck=(xfs_repair -n) ;;
btrfs) mkfs=(mkfs.btrfs -q -f) fsck=(btrfs check --readonly) ;;
*) die "unknown filesystem type" ;;
esac
for t in "${mkfs[0]}" "${fsck[0]}" sha256sum mount umount; do
	command -v "$t" >/dev/null || die "$t not installed"
done
[ -b "$dev" ] || die "not a block device"

mnt=$(mktemp -d /tmp/fsint.XXXXXX)
sums=$(mktemp /tmp/fsint-sums.XXXXXX)

run_fsck() {
	local out rc
	out=$("${fsck[@]}" "$dev" 2>&1)
	rc=$?
	echo "$out" | tail -n 3 | sed "s/^/fs-integrity:   ${fsck[0]}: /"
	[ $rc = 0 ] || die "${fsck[*]} exit $rc: $(echo "$out" | tail -n 8)"
}

step "mkfs"
"${mkfs[@]}" "$dev" >/dev/null || die "${mkfs[*]} failed"
mount -t "$fs" "$dev" "$mnt" || die "mount failed"

step "writing a tree of files (~${mib} MiB)"
# 3 levels of directories; small files (1-64 KiB, odd sizes), medium files
# (256 KiB - 2 MiB) and big files written with dd from /dev/urandom.
# Random data pool in tmpfs: 9 MiB (bigger than the biggest file).
pool_kib=9216
pool=$(mktemp /tmp/fsint-pool.XXXXXX)
head -c $((pool_kib * 1024)) /dev/urandom >"$pool" || die "cannot fill $pool"
budget=$((mib * 1024)) # KiB
used=0 n=0
i=0
while [ $used -lt $budget ]; do
	d=$mnt/d$((i % 4))/e$((i % 3))/f$((i % 5))
	mkdir -p "$d" || die "mkdir $d"
	case $((i % 10)) in
	9) kib=$((4096 + (i * 977) % 4096)) ;;      # 4-8 MiB
	7 | 8) kib=$((256 + (i * 331) % 1792)) ;;   # 256 KiB - 2 MiB
	*) kib=$((1 + (i * 37) % 64)) ;;            # 1-64 KiB
	esac
	# Odd byte counts: not a multiple of the block size.
	bytes=$((kib * 1024 - (i % 7) * 13))
	# A unique header, then pool bytes from a file-specific offset (the
	# guest's /dev/urandom is too slow under TCG to feed every file).
	off=$(((i * 7919 * 512 + i * 4) % (pool_kib * 1024 - bytes + 1)))
	{ printf 'lnvme fs-integrity file %d of %s, %d bytes\n' "$i" "$fs" "$bytes"
	  tail -c +$((off + 1)) "$pool" | head -c "$((bytes - 64))"; } >"$d/file$i" ||
		die "writing $d/file$i"
	used=$((used + kib))
	i=$((i + 1))
done
n=$i
# A hard link, a symlink and an empty file too.
ln "$mnt/d0/e0/f0/file0" "$mnt/hardlink" || die "ln"
ln -s d0/e0/f0/file0 "$mnt/symlink" || die "ln -s"
: >"$mnt/empty" || die "touch"
(cd "$mnt" && find . -type f -print0 | sort -z | xargs -0 sha256sum) >"$sums" ||
	die "sha256sum of the tree failed"
nfiles=$(wc -l <"$sums")
step "$n files + 2 ($nfiles checksummed), $((used / 1024)) MiB"
sync || die "sync"
umount "$mnt" || die "umount"

step "fsck (read-only)"
run_fsck

step "remount and verify every checksum"
mount -t "$fs" "$dev" "$mnt" || die "remount failed"
# Drop caches so the reads come from the device, not the page cache.
echo 3 >/proc/sys/vm/drop_caches
(cd "$mnt" && sha256sum --quiet -c "$sums") || die "checksum mismatch after remount"
[ "$(readlink "$mnt/symlink")" = d0/e0/f0/file0 ] || die "symlink lost"
[ "$(stat -c %h "$mnt/hardlink")" = 2 ] || die "hard link count wrong"
got=$(cd "$mnt" && find . -type f | wc -l)
[ "$got" = "$nfiles" ] || die "$got files after remount, want $nfiles"
umount "$mnt" || die "final umount"

step "fsck again"
run_fsck
rm -f "$sums" "$pool"
rmdir "$mnt"
echo "fs-integrity: PASS: $fs on $dev: $nfiles files, $((used / 1024)) MiB, fsck clean, all checksums match"
