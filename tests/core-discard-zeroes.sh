#!/bin/bash
# Discard (DSM deallocate) and Write Zeroes through lnvme, backend=file.
#  - blkdiscard -z (BLKZEROOUT -> Write Zeroes) on small, unaligned and
#    large (> write_zeroes_max_bytes, so split) ranges: the range reads back
#    as zeroes, the 64 KiB guards either side are unchanged.
#  - blkdiscard (BLKDISCARD -> DSM) on the same kinds of ranges: succeeds,
#    discard_max_bytes > 0, guards unchanged; the range reads as zeroes if
#    the range must read as either the old data or zeroes (DSM deallocate
#    is a hint, whatever DLFEAT says), and a 1 MiB discard must end the same
#    way as on a second, identical controller on the in-kernel nvme driver
#    (which also reports the namespace's DLFEAT via nvme id-ns, as lnvme has
#    no character device yet).
#  - fstrim on ext4 (mounted nodiscard): trims > 0 bytes, fsck clean and the
#    surviving files keep their checksums.
# timeout: 240
. "$(dirname "$0")/lib/common.sh" || exit 1
if [ -z "${IN_VM:-}" ]; then
	need_module
	exec "$VM" --timeout 220 --nvme lnvme,backend=file,size=256M \
		--nvme nvme,backend=file,size=64M -- "$0" guest
fi

dev=${VM_NVME_DISKS_0:-}
[ -b "$dev" ] || fail "no lnvme disk"
for t in blkdiscard fstrim cmp dd nvme jq mkfs.ext4 e2fsck; do
	command -v $t >/dev/null || fail "$t not installed"
done
q=/sys/block/${dev#/dev/}/queue
dmax=$(cat $q/discard_max_bytes) dgran=$(cat $q/discard_granularity)
wzmax=$(cat $q/write_zeroes_max_bytes)
echo "$dev: discard_max_bytes $dmax, discard_granularity $dgran, write_zeroes_max_bytes $wzmax"
[ "$dmax" -gt 0 ] || fail "discard_max_bytes is 0: discard not supported"
[ "$wzmax" -gt 0 ] || fail "write_zeroes_max_bytes is 0: Write Zeroes not used"

# What the same QEMU namespace promises about deallocated blocks.
ref=${VM_NVME_DISKS_1:-}
[ -b "$ref" ] || fail "no reference disk on the in-kernel nvme driver"
dlfeat=$(nvme id-ns "$ref" -o json | jq -r .dlfeat) || fail "nvme id-ns $ref"
[[ $dlfeat =~ ^[0-9]+$ ]] || fail "no dlfeat in nvme id-ns output"
dlfeat_read=$((dlfeat & 7)) # 1: deallocated blocks read as zeroes
echo "reference namespace (same QEMU backend config): DLFEAT $dlfeat (read behaviour $dlfeat_read)"

pat=/tmp/pat
head -c $((8 << 20)) /dev/urandom >$pat || fail "cannot make a pattern"
G=65536

# fill OFF LEN: write the pattern (repeated) to [OFF, OFF+LEN).
fill() {
	local off=$1 len=$2 n
	while [ "$len" -gt 0 ]; do
		n=$((len > (8 << 20) ? (8 << 20) : len))
		dd if=$pat of="$dev" bs=1M iflag=count_bytes,fullblock count=$n \
			oflag=direct,seek_bytes seek=$off conv=notrunc status=none ||
			fail "writing $n bytes at $off"
		off=$((off + n)) len=$((len - n))
	done
}
# readback OFF LEN: the bytes at [OFF, OFF+LEN), O_DIRECT.
readback() {
	dd if="$dev" bs=1M iflag=direct,skip_bytes,count_bytes skip=$1 count=$2 status=none
}
# pattern_from START LEN: the LEN bytes fill writes at START bytes into its
# range (the pattern repeats every 8 MiB).
pattern_from() {
	{ tail -c +$(($1 % (8 << 20) + 1)) $pat; while cat $pat 2>/dev/null; do :; done; } | head -c $2
}
# same_as_pattern OFF LEN [START]: [OFF, OFF+LEN) holds what a fill that
# began at OFF-START wrote there.
same_as_pattern() {
	cmp -s <(readback $1 $2) <(pattern_from ${3:-0} $2)
}
is_zero() { cmp -s <(readback $1 $2) <(head -c $2 /dev/zero); }

# zcase MODE OFF LEN: MODE is -z (write zeroes) or plain (discard).
zcase() {
	local mode=$1 off=$2 len=$3 args=()
	[ "$mode" = -z ] && args=(-z)
	fill $((off - G)) $((len + 2 * G))
	same_as_pattern $((off - G)) $((len + 2 * G)) || fail "pattern did not read back before blkdiscard $mode at $off+$len"
	blkdiscard "${args[@]}" -o $off -l $len "$dev" || fail "blkdiscard ${args[*]} -o $off -l $len failed"
	same_as_pattern $((off - G)) $G || fail "blkdiscard $mode $off+$len: guard before the range changed"
	same_as_pattern $((off + len)) $G $((G + len)) ||
		fail "blkdiscard $mode $off+$len: guard after the range changed"
	if [ "$mode" = -z ]; then
		is_zero $off $len || fail "blkdiscard $mode -o $off -l $len: range does not read back as zeroes"
		echo "blkdiscard $mode -o $off -l $len: zeroes, guards intact"
	elif is_zero $off $len; then
		echo "blkdiscard -o $off -l $len: reads zeroes, guards intact"
		last=zeroes
	elif same_as_pattern $off $len $G; then
		echo "blkdiscard -o $off -l $len: old data kept (DSM deallocate is a hint), guards intact"
		last=old
	else
		fail "blkdiscard -o $off -l $len: range is neither zeroes nor the old data"
	fi
}

MiB=$((1 << 20))
for mode in -z plain; do
	zcase $mode $MiB 512                                   # one sector
	zcase $mode $((2 * MiB + 7 * 512)) $((3 * MiB + 5 * 512)) # unaligned
	zcase $mode $((8 * MiB)) $((wzmax + 3 * MiB))          # > one Write Zeroes
done
# The same 1 MiB discard through the in-kernel nvme driver on an identical
# QEMU namespace must end the same way (zeroes or old data).
zcase plain $MiB $MiB; lnvme_result=$last
lnvme_dev=$dev dev=$ref
zcase plain $MiB $MiB; nvme_result=$last
dev=$lnvme_dev
[ "$lnvme_result" = "$nvme_result" ] ||
	fail "1 MiB discard: lnvme gives $lnvme_result, in-kernel nvme gives $nvme_result"
echo "1 MiB discard: lnvme and in-kernel nvme both read back $nvme_result"

blkdiscard "$dev" || fail "whole-device blkdiscard failed"
blkdiscard -z -o 0 -l $((48 * MiB)) "$dev" || fail "blkdiscard -z of 48 MiB failed"
is_zero 0 $((48 * MiB)) || fail "48 MiB write zeroes: not zeroes"
echo "whole-device discard and 48 MiB write zeroes: ok"

# fstrim on ext4.
mnt=/tmp/mnt; mkdir -p $mnt
mkfs.ext4 -q -F -E nodiscard "$dev" || fail "mkfs.ext4"
mount -o nodiscard "$dev" $mnt || fail "mount"
for i in $(seq 0 23); do
	tail -c +$((i * 4096 + 1)) $pat | head -c $((MiB + i * 1000)) >$mnt/f$i || fail "write f$i"
done
sync
(cd $mnt && sha256sum f*) >/tmp/sums
rm -f $mnt/f1? $mnt/f2?
sync
out=$(fstrim -v $mnt) || fail "fstrim failed: $out"
echo "$out"
trimmed=$(echo "$out" | sed -nE 's/.*\(([0-9]+) bytes\) trimmed.*/\1/p')
[ -n "$trimmed" ] || trimmed=$(echo "$out" | sed -nE 's/^.*: ([0-9]+) bytes trimmed.*/\1/p')
[ -n "$trimmed" ] && [ "$trimmed" -gt 0 ] || fail "fstrim trimmed nothing: $out"
umount $mnt || fail "umount"
e2fsck -fn "$dev" >/tmp/fsck.log 2>&1 || { cat /tmp/fsck.log; fail "e2fsck not clean after fstrim"; }
mount "$dev" $mnt || fail "remount"
echo 3 >/proc/sys/vm/drop_caches
(cd $mnt && grep -E ' f[0-9]$' /tmp/sums | sha256sum --quiet -c -) || fail "checksums of surviving files after fstrim"
umount $mnt
echo "fstrim: $trimmed bytes trimmed, fsck clean, 10 surviving files intact"

check_dmesg
bad=$(dmesg | grep -E 'lnvme' | grep -vE 'taints kernel|module verification' | grep -iE 'status|timed out|failed|error') || true
[ -z "$bad" ] && echo "no lnvme errors in dmesg" || fail "lnvme errors: $bad"
echo "PASS: discard, write zeroes and fstrim on $dev"
