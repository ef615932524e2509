#!/bin/bash
# nvme format on lnvme (and on the in-kernel nvme as the reference, same QEMU
# model): to the 4096-byte LBA format (index found from id-ns) and back to
# 512; each time the disk's logical_block_size and capacity follow, the
# namespace reads back zeroes where data was, and new data verifies with
# fio and dd + cmp.
# timeout: 480
. "$(dirname "$0")/lib/common.sh" || exit 1
. "$TOP/tests/cli/lib.sh" || exit 1
if [ -z "${IN_VM:-}" ]; then
	need_module
	exec "$VM" --timeout 460 "${CLI_BOTH[@]}" -- "$0" guest
fi

SIZE=$((256 << 20))
cd /tmp || fail "cd /tmp"

# lbaf_index DEV DS: index of the LBA format with 2^DS-byte blocks, no metadata
lbaf_index() {
	nvme id-ns "$1" -o json | jq -e --argjson ds "$2" \
		'[.lbafs | to_entries[] | select(.value.ds == $ds and .value.ms == 0) | .key][0]'
}

# settle DISK LBS: wait until the kernel shows LBS-byte blocks
settle() {
	local _
	for _ in $(seq 100); do
		[ "$(cat "/sys/block/${1#/dev/}/queue/logical_block_size")" = "$2" ] && return 0
		sleep 0.1
	done
	return 1
}

verify_disk() { # DISK LBS
	local d=$1 lbs=$2 sb=/sys/block/${1#/dev/}
	settle "$d" "$lbs" || fail "$d: logical_block_size $(cat "$sb/queue/logical_block_size") after format, want $lbs"
	[ "$(blockdev --getss "$d")" = "$lbs" ] || fail "$d: blockdev --getss $(blockdev --getss "$d"), want $lbs"
	[ "$(cat "$sb/queue/physical_block_size")" -ge "$lbs" ] || fail "$d: physical_block_size < $lbs"
	[ "$(blockdev --getsize64 "$d")" = $SIZE ] || fail "$d: capacity $(blockdev --getsize64 "$d"), want $SIZE"
	[ "$(cat "$sb/size")" = $((SIZE / 512)) ] || fail "$d: size $(cat "$sb/size") sectors"
	nvme id-ns "$d" -o json >idns.json || fail "nvme id-ns $d"
	[ $(($(jq .nsze idns.json) * lbs)) = $SIZE ] || fail "$d: nsze $(jq .nsze idns.json) for $lbs-byte blocks"
	# A format erases: the data written before reads back as zeroes.
	dd if="$d" of=old bs=1M count=1 skip=8 iflag=direct status=none || fail "dd $d"
	cmp -s old <(head -c 1M /dev/zero) || fail "$d: old data survived the format"
	if [ "$lbs" = 4096 ] && dd if="$d" of=/dev/null bs=512 count=1 iflag=direct 2>/dev/null; then
		fail "$d: a 512-byte O_DIRECT read worked with 4096-byte blocks"
	fi
	head -c 1M /dev/urandom >pat
	dd if=pat of="$d" bs=1M seek=8 oflag=direct conv=notrunc status=none || fail "dd to $d"
	dd if="$d" of=rd bs=1M count=1 skip=8 iflag=direct status=none || fail "dd from $d"
	cmp pat rd || fail "$d: dd round trip differs"
	fio --name=fmt --filename="$d" --direct=1 --ioengine=libaio --iodepth=16 --rw=randwrite \
		--bsrange="$lbs-64k" --bs_unaligned=0 --blockalign="$lbs" --size=32M --offset=16M \
		--verify=crc32c --verify_fatal=1 --do_verify=1 --randrepeat=0 --output-format=terse \
		>fio.out 2>&1 || { cat fio.out; fail "$d: fio verify with $lbs-byte blocks"; }
	dd if="$d" of=rd bs=1M count=1 skip=8 iflag=direct status=none || fail "dd from $d"
	cmp pat rd || fail "$d: data at 8 MiB changed"
	# fill a marker for the next format to erase
	dd if=pat of="$d" bs=1M seek=8 oflag=direct conv=notrunc status=none
	echo "  $d: $lbs-byte blocks, $(blockdev --getsize64 "$d") bytes, data verified"
}

declare -A result
for c in 1 0; do # the reference first
	drv=VM_NVME_DRV_$c disk=VM_NVME_DISKS_$c ctrl=VM_NVME_CTRL_$c
	drv=${!drv} disk=${!disk} ctrl=${!ctrl}
	log "$drv: $disk"
	i4k=$(lbaf_index "$disk" 12) || fail "$drv: no 4096-byte LBA format without metadata"
	i512=$(lbaf_index "$disk" 9) || fail "$drv: no 512-byte LBA format without metadata"
	echo "  lbaf: 4096 -> $i4k, 512 -> $i512"
	verify_disk "$disk" 512
	for step in "$i4k 4096" "$i512 512" "$i4k 4096" "$i512 512"; do
		read -r -a st <<<"$step"
		set -- "${st[@]}"
		log "$drv: nvme format $disk --lbaf=$1 ($2-byte blocks)"
		t0=$(date +%s%N)
		nvme format "$disk" --lbaf="$1" --force >fmt.out 2>&1 || { cat fmt.out; fail "$drv: nvme format $disk --lbaf=$1"; }
		cat fmt.out
		verify_disk "$disk" "$2"
		result[$drv]+="$(jq -c '{flbas, nsze}' idns.json) "
		echo "  format + verify: $((($(date +%s%N) - t0) / 1000000)) ms"
	done
	# The format through the controller node with an explicit nsid works too.
	nvme format "$ctrl" -n 1 --lbaf="$i512" --force >fmt.out 2>&1 || { cat fmt.out; fail "$drv: nvme format $ctrl -n 1"; }
	verify_disk "$disk" 512
done
echo "nvme:  ${result[nvme]}"
echo "lnvme: ${result[lnvme]}"
[ "${result[nvme]}" = "${result[lnvme]}" ] || fail "lnvme and nvme report different namespaces after formats"
check_dmesg
echo "PASS: nvme format on lnvme"
