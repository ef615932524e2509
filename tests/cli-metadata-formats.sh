#!/bin/bash
# Metadata formats through the generic node.  On lnvme, through
# /dev/lng0n1: nvme format to 512+8 with separate metadata and PI type 1,
# then 512+8 extended (metadata inline, no PI), then back to 512.
#  - separate metadata with PI: /dev/lnvme0n1 stays, with a T10-DIF type 1
#    integrity profile (tests/core-pi-formats.sh tests it); /dev/lng0n1
#    answers id-ns, flush and write zeroes; a read or write without a
#    metadata buffer is refused with EINVAL (the metadata pointer would be
#    0), unless PRACT has the controller make and strip the 8 bytes of PI;
#    with a metadata buffer (nvme-cli, NVME_IOCTL_IO_CMD) 8 blocks and their
#    64 bytes of metadata are written and read back equal;
#  - extended without PI, a format the block layer cannot serve: the block
#    device goes, the generic node stays; 520-byte blocks written and read
#    back through io passthrough and SUBMIT_IO match, and a buffer smaller
#    than NLB x 520 is refused with EINVAL;
#  - back to 512: the disk is there again and passes fio verify.
# Also, on the plain 512-byte namespace: a read, Identify or Get Log Page
# whose buffer is smaller than the transfer is refused with EINVAL; and a
# format that takes the block device away from a mounted, dirty ext4
# returns (the disk is marked dead first, nothing waits on a flush): to
# 512+8 extended without PI, which has no block device.
# timeout: 480
. "$(dirname "$0")/lib/common.sh" || exit 1
. "$TOP/tests/cli/lib.sh" || exit 1
if [ -z "${IN_VM:-}" ]; then
	need_module
	cli_vm_with nvme-pt -- --timeout 450 --nvme lnvme,backend=file,size=64M
	exit
fi

pt=$2/nvme-pt
C=$VM_NVME_CTRL_0 B=$VM_NVME_DISKS_0 G=/dev/lng0n1
cd /tmp || fail "cd /tmp"
[ -b "$B" ] && [ -c "$G" ] || fail "$B or $G missing"

# lbaf DS MS: index of the LBA format with 2^DS-byte blocks and MS bytes of metadata
lbaf() {
	nvme id-ns "$G" -o json | jq -e --argjson ds "$1" --argjson ms "$2" \
		'[.lbafs | to_entries[] | select(.value.ds == $ds and .value.ms == $ms) | .key][0]'
}
# expect_errno WANT CMD...: nvme-pt must fail with errno WANT (e.g. EINVAL)
expect_errno() {
	local want=$1 out
	shift
	out=$("$pt" "$@" 2>&1) && fail "succeeded, want $want: nvme-pt $*"
	case $out in *"($want)"*) echo "  refused as expected: $out" ;;
	*) fail "nvme-pt $*: $out, want $want" ;; esac
}
# wait_for COND DESC: poll up to 10 s
wait_for() {
	local _
	for _ in $(seq 100); do
		eval "$1" && return 0
		sleep 0.1
	done
	fail "timed out waiting for $2"
}
format() { # LBAF MS(0 separate, 1 extended) [PI type]
	nvme format "$G" --lbaf="$1" --ms="$2" --pi="${3:-0}" --force >fmt.out 2>&1 ||
		{ cat fmt.out; fail "nvme format $G --lbaf=$1 --ms=$2 --pi=${3:-0}"; }
	wait_for "[ -c $G ]" "$G after format"
}

log "buffers smaller than the transfer, on the 512-byte namespace"
expect_errno EINVAL "$G" rw io 2 1 0 7 512 rd.bin		# read of 8 blocks into 512 bytes
expect_errno EINVAL "$G" rw io 1 1 0 1 512 /dev/zero	# write of 2 blocks from 512 bytes
expect_errno EINVAL "$C" rw admin 6 0 1 0 100 id.bin	# Identify into 100 bytes
# Get Log Page, SMART (2), NUMDL 127 (512 bytes) into 256 bytes
expect_errno EINVAL "$C" rw admin 2 0xffffffff $(((127 << 16) | 2)) 0 256 log.bin
run_ok "read of 8 blocks into 4096 bytes" "$pt" "$G" rw io 2 1 0 7 4096 rd.bin >/dev/null
run_ok "Identify into 4096 bytes" "$pt" "$C" rw admin 6 0 1 0 4096 id.bin >/dev/null
run_ok "SMART log into 512 bytes" "$pt" "$C" rw admin 2 0xffffffff $(((127 << 16) | 2)) 0 512 log.bin >/dev/null

i512=$(lbaf 9 0) || fail "no 512+0 LBA format"
imd=$(lbaf 9 8) || fail "no 512+8 LBA format"

log "nvme format to 512+8 extended under a mounted, dirty ext4: returns, the disk goes"
mkfs.ext4 -q "$B" || fail "mkfs.ext4 $B"
mkdir -p m && mount "$B" m || fail "mount $B"
dd if=/dev/urandom of=m/f bs=1M count=8 status=none || fail "write to the file system"
timeout 60 nvme format "$G" --lbaf="$imd" --ms=1 --force >fmt.out 2>&1 ||
	{ cat fmt.out; fail "nvme format under a mounted file system (exit $?)"; }
wait_for "[ ! -e $B ]" "$B to go away"
timeout 30 umount m || fail "umount after the disk went away"
echo "  format returned, $B gone, file system unmounted"
log "nvme format $G --lbaf=$imd --ms=0 --pi=1: 512 + 8 bytes of separate protection information"
format "$imd" 0 1
wait_for "[ -b $B ]" "$B with protection information"
[ "$(cat "/sys/block/${B#/dev/}/integrity/format")" = T10-DIF-TYPE1-CRC ] ||
	fail "${B#/dev/}: integrity profile $(cat "/sys/block/${B#/dev/}/integrity/format")"
nvme id-ns "$G" -o json >idns.json || fail "nvme id-ns $G with metadata"
[ "$(jq '.flbas % 16' idns.json)" = "$imd" ] || fail "flbas $(jq .flbas idns.json), want $imd"
# QEMU keeps the metadata in the same image: (64 MiB / 520) blocks
[ "$(jq .nsze idns.json)" = $(((64 << 20) / 520)) ] || fail "nsze $(jq .nsze idns.json)"
[ "$(blockdev --getsz "$B")" = $(((64 << 20) / 520)) ] || fail "$B: $(blockdev --getsz "$B") sectors"
echo "  $G: flbas $(jq .flbas idns.json), nsze $(jq .nsze idns.json), $B with a T10-DIF-TYPE1-CRC profile"
dmesg | grep -q "namespace 1: 512+8-byte blocks, separate metadata, PI type 1" ||
	fail "no kernel log line about the namespace with PI"
run_ok "flush through $G" "$pt" "$G" rw io 0 1 0 0 0 >/dev/null
run_ok "write zeroes through $G" "$pt" "$G" rw io 8 1 0 7 0 >/dev/null
expect_errno EINVAL "$G" rw io 2 1 0 0 520 rd.bin		# would need a metadata buffer
expect_errno EINVAL "$G" rw io 1 1 0 0 520 /dev/zero
# With PRACT the controller makes and strips the PI: data only moves.
pract=$((1 << 29))
head -c 4096 /dev/urandom >pat4k.bin
run_ok "PRACT write of 8 blocks" "$pt" "$G" rw io 1 1 200 $((pract | 7)) 4096 pat4k.bin >/dev/null
run_ok "PRACT read of 8 blocks" "$pt" "$G" rw io 2 1 200 $((pract | 7)) 4096 rd4k.bin >/dev/null
cmp pat4k.bin rd4k.bin || fail "PRACT round trip differs"
expect_errno EINVAL "$G" rw io 2 1 200 $((pract | 7)) 2048 rd4k.bin
echo "  PRACT: 8 blocks written and read back equal"
# A metadata buffer: no checks (PRINFO 0), so any 64 bytes go and come back.
head -c 64 /dev/urandom >md.bin
run_ok "write of 8 blocks with 64 bytes of metadata" nvme write "$G" --start-block=300 \
	--block-count=7 --data-size=4096 --data=pat4k.bin --metadata-size=64 --metadata=md.bin
rm -f rd4k.bin rdmd.bin
run_ok "read of 8 blocks with 64 bytes of metadata" nvme read "$G" --start-block=300 \
	--block-count=7 --data-size=4096 --data=rd4k.bin --metadata-size=64 --metadata=rdmd.bin
cmp pat4k.bin rd4k.bin || fail "data written and read with metadata differs"
cmp md.bin rdmd.bin || fail "metadata written and read back differs"
echo "  8 blocks and their 64 bytes of metadata written and read back equal"

log "nvme format $G --lbaf=$imd --ms=1: 520-byte extended blocks"
format "$imd" 1
wait_for "[ ! -e $B ]" "$B to go away"
[ "$(cat "/sys/block/${B#/dev/}/hidden")" = 1 ] || fail "${B#/dev/} is not a hidden disk"
dmesg | grep -q "namespace 1: 8 bytes of inline metadata per block are not supported, no block device" ||
	fail "no kernel log line about the namespace without a block device"
head -c $((520 * 8)) /dev/urandom >pat.bin
run_ok "write 8 x 520 bytes" "$pt" "$G" rw io 1 1 100 7 $((520 * 8)) pat.bin >/dev/null
run_ok "read 8 x 520 bytes" "$pt" "$G" rw io 2 1 100 7 $((520 * 8)) rd.bin >/dev/null
cmp pat.bin rd.bin || fail "520-byte blocks read back differ"
run_ok "SUBMIT_IO read of 8 x 520 bytes" "$pt" "$G" rw submit 2 1 100 7 $((520 * 8)) rd2.bin >/dev/null
cmp pat.bin rd2.bin || fail "520-byte blocks read back with SUBMIT_IO differ"
echo "  8 blocks of 520 bytes written and read back equal"
expect_errno EINVAL "$G" rw io 2 1 100 7 4096 rd.bin	# 512 x 8 is too small

log "nvme format $G --lbaf=$i512: back to 512-byte blocks"
format "$i512" 0
wait_for "[ -b $B ]" "$B to come back"
[ "$(blockdev --getss "$B")" = 512 ] || fail "$B: $(blockdev --getss "$B")-byte blocks"
[ "$(blockdev --getsize64 "$B")" = $((64 << 20)) ] || fail "$B: capacity $(blockdev --getsize64 "$B")"
fio --name=back --filename="$B" --direct=1 --ioengine=libaio --iodepth=16 --rw=randwrite \
	--bs=4k --size=32M --verify=crc32c --verify_fatal=1 --do_verify=1 --randrepeat=0 \
	--output-format=terse >fio.out 2>&1 || { cat fio.out; fail "fio verify on $B"; }
echo "  $B back: 512-byte blocks, 64 MiB, fio verify passed"
[ "$(cat /sys/class/lnvme/${C#/dev/}/state)" = live ] || fail "controller not live"
check_dmesg
echo "PASS: a namespace without a block device is served by $G"
