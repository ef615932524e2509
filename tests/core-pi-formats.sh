#!/bin/bash
# Metadata and T10 protection information through the block layer's
# integrity profile (block/integrity.c).  One namespace, formatted in turn
# (nvme format on /dev/lng0n1) to:
#   512+8 PI type 1, 512+8 PI type 3, 4096+8 PI type 1 (separate metadata:
#   an integrity profile, the PI generated and verified by the block layer
#   and checked by the controller), 512+8 without PI (an opaque, zeroed
#   metadata buffer), 512+8 extended with PI type 1 (PRACT: the controller
#   inserts and strips the PI, no profile).
# For each format, with PRPs (sgl_threshold=0) and with SGLs
# (sgl_threshold=1, the module reloaded): /sys/block/<disk>/integrity/*
# (profile name, tag size, interval, device capable), fio verify with
# libaio (interrupts) and io_uring hipri (the poll queue), 512 B - 128 KiB
# blocks at odd buffer offsets; the bytes each run moved are printed
# ("bytes: FORMAT PATH N").  With separate PI, a block read back through
# passthrough with a metadata buffer carries the ref tag of its LBA (type
# 1) and the CRC16 T10-DIF guard of its data, so the PI really reached the
# controller.  On 512+8 type 1 and 4096+8 type 1: a block written through
# passthrough with PRACT=0, no checks and a wrong guard is an I/O error
# (EILSEQ or EIO) for a direct and a buffered reader, and its data is never
# returned; a metadata buffer shorter than NLB x 8 is refused with EINVAL.
# No file system on PI (QEMU: blocks never written fail their reference
# tag check, see below).  Clean kernel log but for the injected protection
# errors and those reference tag errors.
# timeout: 1500
. "$(dirname "$0")/lib/common.sh" || exit 1
if [ -z "${IN_VM:-}" ]; then
	need_module
	exec "$VM" --timeout 1450 --modparam "poll_queues=1" \
		--nvme lnvme,backend=file,size=256M -- "$0" guest
fi

B=${VM_NVME_DISKS_0:-} G=/dev/lng0n1
[ -b "$B" ] && [ -c "$G" ] || fail "$B or $G missing"
name=${B#/dev/}
ko=$VM_LNVME_KO
cd /tmp || fail "cd /tmp"
for t in nvme fio jq python3; do command -v $t >/dev/null || fail "$t is not installed"; done
scale=$(debug_scale 1 0.125)
mib=$(awk -v s="$scale" 'BEGIN { m = int(8 * s); print (m < 4 ? 4 : m) }')
size=${mib}M

# wait_for COND DESC: poll up to 10 s
wait_for() {
	local _
	for _ in $(seq 100); do
		eval "$1" && return 0
		sleep 0.1
	done
	fail "timed out waiting for $2"
}
reload() { # sgl_threshold
	if [ -d /sys/module/lnvme ]; then rmmod lnvme || fail "rmmod lnvme"; fi
	insmod "$ko" poll_queues=1 sgl_threshold="$1" || fail "insmod lnvme.ko sgl_threshold=$1"
	wait_for "[ -b $B ] && [ -c $G ]" "$B after insmod"
}
# lbaf DS MS: index of the LBA format with 2^DS-byte blocks and MS bytes of metadata
lbaf() {
	nvme id-ns "$G" -o json | jq -e --argjson ds "$1" --argjson ms "$2" \
		'[.lbafs | to_entries[] | select(.value.ds == $ds and .value.ms == $ms) | .key][0]'
}
format() { # DS MS MSET PI
	local i
	i=$(lbaf "$1" "$2") || fail "no LBA format with 2^$1 + $2 bytes"
	nvme format "$G" --lbaf="$i" --ms="$3" --pi="$4" --force >fmt.out 2>&1 ||
		{ cat fmt.out; fail "nvme format $G --lbaf=$i --ms=$3 --pi=$4"; }
	wait_for "[ -b $B ] && [ \"\$(blockdev --getss $B 2>/dev/null)\" = $((1 << $1)) ]" \
		"$B with 2^$1-byte blocks"
	nvme id-ns "$G" -o json >idns.json || fail "nvme id-ns $G"
	[ "$(jq '.flbas % 16' idns.json)" = "$i" ] || fail "flbas $(jq .flbas idns.json), want $i"
	[ "$(jq '.dps % 8' idns.json)" = "$4" ] || fail "dps $(jq .dps idns.json), want PI type $4"
}
# integrity FORMAT TAG_SIZE INTERVAL CAPABLE: the disk's integrity sysfs
integrity() {
	local d=/sys/block/$name/integrity got
	[ -d "$d" ] || fail "no $d"
	got="$(cat $d/format) $(cat $d/tag_size) $(cat $d/protection_interval_bytes) $(cat $d/device_is_integrity_capable)"
	[ "$got" = "$1 $2 $3 $4" ] || fail "$d: format, tag_size, interval, capable: $got, want $1 $2 $3 $4"
	[ "$(cat $d/read_verify) $(cat $d/write_generate)" = "1 1" ] ||
		fail "$d: read_verify $(cat $d/read_verify), write_generate $(cat $d/write_generate)"
	echo "  $d: $got"
}
# fio_verify TAG PATH: write and verify $size; print the bytes moved
fio_verify() {
	local opts=(--ioengine=libaio) align=520
	# PI: buffers aligned to the block (the block layer checks each
	# segment as whole blocks); otherwise odd offsets
	[ "$pi" != 0 ] && [ "$ext" = 0 ] && align=$lbs
	[ "$2" = polled ] && opts=(--ioengine=io_uring --hipri=1)
	fio --name="$1-$2" --filename="$B" --direct=1 "${opts[@]}" --iodepth=16 \
		--rw=randwrite --bsrange="$lbs"-128k --bs_unaligned=0 --size="$size" \
		--iomem_align=$align --verify=crc32c --verify_fatal=1 --do_verify=1 \
		--randrepeat=0 --output-format=json --output=fio.json >fio.out 2>&1 ||
		{ cat fio.out fio.json; fail "fio verify $1 $2"; }
	jq -e '[.jobs[] | .error] | add == 0' fio.json >/dev/null || fail "fio $1 $2: job error"
	echo "bytes: $1 $2 $(jq '[.jobs[] | .write.io_bytes + .read.io_bytes] | add' fio.json)"
}
# pi_check LBA TYPE: read LBA with its 8 bytes of PI through passthrough;
# the guard must be the CRC of the data, the ref tag (type 1) the LBA
pi_check() {
	rm -f d.bin m.bin
	nvme read "$G" --start-block="$1" --block-count=0 --data-size="$lbs" --data=d.bin \
		--metadata-size=8 --metadata=m.bin >rd.out 2>&1 || { cat rd.out; fail "nvme read LBA $1 with metadata"; }
	python3 - "$1" "$2" <<'EOF' || fail "PI of LBA $1"
import struct, sys
lba, pitype = int(sys.argv[1]), int(sys.argv[2])
data, meta = open("d.bin", "rb").read(), open("m.bin", "rb").read()
crc = 0
for b in data:
    crc ^= b << 8
    for _ in range(8):
        crc = ((crc << 1) ^ 0x8BB7 if crc & 0x8000 else crc << 1) & 0xFFFF
guard, app, ref = struct.unpack(">HHI", meta[:8])
print(f"  LBA {lba}: guard {guard:#06x} (CRC {crc:#06x}), app tag {app:#x}, ref tag {ref}")
if guard != crc or (pitype in (1, 2) and ref != lba & 0xFFFFFFFF):
    sys.exit(1)
EOF
}
# corrupt LBA: a block of random data with a zero guard, through passthrough
# with PRACT=0 and no checks; a reader must get an error, never the data
corrupt() {
	local lba=$1 out
	head -c "$lbs" /dev/urandom >bad.bin
	python3 -c "import struct,sys; sys.stdout.buffer.write(struct.pack('>HHI', 0, 0, $lba))" >badm.bin
	nvme write "$G" --start-block="$lba" --block-count=0 --data-size="$lbs" --data=bad.bin \
		--metadata-size=8 --metadata=badm.bin --prinfo=0 >wr.out 2>&1 ||
		{ cat wr.out; fail "passthrough write of a bad guard at LBA $lba"; }
	echo 3 >/proc/sys/vm/drop_caches
	if out=$(dd if="$B" of=rdbad.bin bs="$lbs" skip="$lba" count=1 iflag=direct 2>&1); then
		fail "direct read of LBA $lba with a bad guard succeeded"
	fi
	case $out in *"Invalid or incomplete multibyte"* | *"Input/output error"*) ;;
	*) fail "direct read of LBA $lba: $out, want EILSEQ or EIO" ;; esac
	if dd if="$B" of=rdbad2.bin bs=4096 skip=$((lba * lbs / 4096)) count=1 2>/dev/null; then
		fail "buffered read of LBA $lba with a bad guard succeeded"
	fi
	for f in rdbad.bin rdbad2.bin; do
		python3 -c "import sys; sys.exit(open('bad.bin','rb').read() in open('$f','rb').read())" ||
			fail "the corrupted data of LBA $lba was returned ($f)"
	done
	echo "  LBA $lba with a bad guard: direct read: ${out##*: }; buffered read failed"
	# a metadata buffer shorter than NLB x 8 is refused (NVME_IOCTL_IO_CMD)
	python3 - "$G" "$lba" "$lbs" <<'EOF' || fail "short metadata buffer not refused with EINVAL"
import ctypes, errno, fcntl, os, struct, sys
dev, lba, lbs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
data, meta = ctypes.create_string_buffer(2 * lbs), ctypes.create_string_buffer(16)
fd = os.open(dev, os.O_RDWR)
for mlen in (4, 15, 0):
    # struct nvme_passthru_cmd: Write of 2 blocks, metadata_len mlen
    cmd = bytearray(struct.pack("<BBHIIIQQII6III", 1, 0, 0, 1, 0, 0,
                                ctypes.addressof(meta) if mlen else 0,
                                ctypes.addressof(data), mlen, 2 * lbs,
                                lba & 0xffffffff, lba >> 32, 1, 0, 0, 0, 0, 0))
    try:
        fcntl.ioctl(fd, 0xC0484E43, cmd, True)
        print(f"  metadata_len {mlen}: accepted")
        sys.exit(1)
    except OSError as e:
        print(f"  Write of 2 blocks with metadata_len {mlen}: {errno.errorcode[e.errno]}")
        if e.errno != errno.EINVAL:
            sys.exit(1)
EOF
	# put a good block back: the format test at the end reads everything
	dd if=/dev/zero of="$B" bs="$lbs" seek="$lba" count=1 oflag=direct status=none ||
		fail "rewrite of LBA $lba"
	dd if="$B" of=/dev/null bs="$lbs" skip="$lba" count=1 iflag=direct status=none ||
		fail "read of the rewritten LBA $lba"
}

run_format() { # TAG DS MS MSET PI PROFILE TAG_SIZE
	local tag=$1 path
	log "$tag (sgl_threshold=$sgl)"
	format "$2" "$3" "$4" "$5"
	lbs=$((1 << $2)) ext=$4 pi=$5
	if [ "$4" = 1 ]; then
		[ "$(cat /sys/block/$name/integrity/format)" = none ] ||
			fail "extended LBAs: profile $(cat /sys/block/$name/integrity/format), want none"
		dmesg | grep -q "PRACT" || fail "no kernel log line about PRACT"
	else
		integrity "$6" "$7" "$lbs" "$([ "$5" = 0 ] && echo 0 || echo 1)"
		a=$(cat "/sys/block/$name/queue/dma_alignment")
		[ "$a" = "$([ "$5" = 0 ] && echo 3 || echo $((lbs - 1)))" ] ||
			fail "dma_alignment $a with PI type $5"
	fi
	for path in irq polled; do
		fio_verify "$tag-$([ "$sgl" = 0 ] && echo prp || echo sgl)" "$path"
	done
	if [ "$4" = 0 ] && [ "$5" != 0 ]; then
		pi_check 7 "$5"
		pi_check $(((mib << 20) / lbs / 3)) "$5"
	fi
}

pq=$(cat "/sys/class/lnvme/${VM_NVME_CTRL_0#/dev/}/poll_queues") || fail "no poll_queues attribute"
[ "$pq" -ge 1 ] || fail "no poll queue"
for sgl in 0 1; do
	reload $sgl
	[ "$(cat /sys/block/$name/queue/io_poll)" = 1 ] || fail "$B: io_poll is off"
	run_format 512+8-pi1 9 8 0 1 T10-DIF-TYPE1-CRC 2
	run_format 512+8-pi3 9 8 0 3 T10-DIF-TYPE3-CRC 6
	run_format 4096+8-pi1 12 8 0 1 T10-DIF-TYPE1-CRC 2
	run_format 512+8-nopi 9 8 0 0 nop 0
	run_format 512+8-ext-pi1 9 8 1 1
done

log "a bad guard is an error for the reader, 4096+8 type 1 and 512+8 type 1"
format 12 8 0 1
lbs=4096
corrupt 100
format 9 8 0 1
lbs=512
corrupt 1000
corrupt 1001

# No file system here: QEMU leaves the PI of blocks never written zeroed,
# so reading one fails its reference tag check (status 0x284), and
# mkfs.ext4 and blkid read such blocks.  The in-kernel nvme driver fails
# the same way on the same namespace (checked in session 6).

log "back to 512 without metadata"
format 9 0 0 0
[ "$(cat /sys/block/$name/integrity/format)" = none ] || fail "profile left after the format to 512+0"
[ "$(cat /sys/block/$name/queue/dma_alignment)" = 3 ] || fail "dma_alignment $(cat /sys/block/$name/queue/dma_alignment) after the format to 512+0"
pi=0 ext=0
fio_verify 512 irq
[ "$(cat "/sys/class/lnvme/${VM_NVME_CTRL_0#/dev/}/state")" = live ] || fail "controller not live"
rmmod lnvme || fail "rmmod lnvme"
# the injected bad guards, and only those, were reported, apart from
# reference tag errors (0x284) of reads of blocks never written (see above:
# readahead next to the corrupted blocks, blkid after a format)
bad=$(dmesg | grep -E "lnvme0n1: (READ|WRITE|passthrough).*status" | grep -vE "status 0x28[124]" || true)
[ -z "$bad" ] || fail "unexpected I/O errors: $bad"
n=$(dmesg | grep -cE "lnvme0n1: READ .*status 0x28[12]")
[ "$n" -ge 3 ] || fail "$n protection errors logged, want at least 3"
check_dmesg
echo "PASS: metadata and PI formats through the integrity profile"
