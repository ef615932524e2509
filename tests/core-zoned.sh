#!/bin/bash
# Zoned namespaces (ZNS): one controller with a conventional namespace (1)
# and a zoned one (2: 32 zones of 16 MiB with a capacity of 12 MiB, at most
# 14 open and 16 active, zone append limit 128 KiB).  Asserts the zoned
# queue limits, blkzone report/reset/open/close/finish (conditions, write
# pointers, capacities), fio --zonemode=zbd write+verify with io_uring and
# libaio, btrfs in zoned mode (its data goes as Zone Append) with sha256
# after a remount, zone write pointers across a controller reset, and a
# fio verify on the conventional namespace beside the zoned one; clean
# kernel log.
# timeout: 900
. "$(dirname "$0")/lib/common.sh" || exit 1
if [ -z "${IN_VM:-}" ]; then
	need_module
	exec "$VM" --timeout 840 --nvme lnvme,backend=file,namespaces=2,size=128M:512M,zoned.zasl=5,ns2.zoned=on,ns2.zoned.zone_size=16M,ns2.zoned.zone_capacity=12M,ns2.zoned.max_open=14,ns2.zoned.max_active=16 -- "$0" guest
fi

read -r -a disks <<<"${VM_NVME_DISKS_0:-}"
[ "${#disks[@]}" = 2 ] || fail "want 2 disks, have: ${VM_NVME_DISKS_0:-}"
conv= zdev=
for d in "${disks[@]}"; do
	case $d in *n1) conv=$d ;; *n2) zdev=$d ;; esac
done
[ -b "$conv" ] && [ -b "$zdev" ] || fail "disks: ${disks[*]}"
z=${zdev#/dev/}
ctl=${z%n*}
sys=/sys/class/lnvme/$ctl
q=/sys/block/$z/queue
MiB=$((1 << 20))

log "queue limits"
[ "$(cat /sys/block/"${conv#/dev/}"/queue/zoned)" = none ] || fail "$conv is zoned"
want() { [ "$(cat "$q/$1")" = "$2" ] || fail "$q/$1 = $(cat "$q/$1"), want $2"; echo "$1 = $2"; }
want zoned host-managed
want chunk_sectors 32768
want nr_zones 32
want max_open_zones 14
want max_active_zones 16
want zone_append_max_bytes 131072

# report FIELD ZONE: one field (start, cap, wptr in sectors, or the
# condition's short name) of zone ZONE.
report() {
	local f
	read -r -a f < <(blkzone report -o $(($2 * 32768)) -c 1 "$zdev" |
		sed -nE "s/.*start: 0x([0-9a-f]+), len 0x[0-9a-f]+, cap 0x([0-9a-f]+), wptr 0x([0-9a-f]+).*cond:[ ]*[0-9]+\(([a-z]+)\).*/\1 \2 \3 \4/p")
	[ "${#f[@]}" = 4 ] || { echo "?"; return; }
	case $1 in
	start) echo $((16#${f[0]})) ;;
	cap) echo $((16#${f[1]})) ;;
	wptr) echo $((16#${f[2]})) ;;
	cond) echo "${f[3]}" ;;
	esac
}

log "blkzone report, reset, open, close, finish"
n=$(blkzone report "$zdev" | grep -c 'start:')
[ "$n" = 32 ] || fail "blkzone report lists $n zones, want 32"
blkzone report -c 2 "$zdev"
[ "$(report cap 5)" = 24576 ] || fail "zone 5 capacity $(report cap 5) sectors, want 24576 (12 MiB)"
[ "$(report start 5)" = $((5 * 32768)) ] || fail "zone 5 start $(report start 5)"
blkzone reset "$zdev" || fail "blkzone reset (all)"
[ "$(report cond 0)" = em ] || fail "zone 0 not empty after reset: $(report cond 0)"
head -c $((3 * MiB)) /dev/urandom >/tmp/z0
dd if=/tmp/z0 of="$zdev" bs=1M oflag=direct status=none || fail "sequential write to zone 0"
[ "$(report wptr 0)" = 6144 ] || fail "zone 0 write pointer $(report wptr 0) sectors, want 6144"
cmp <(dd if="$zdev" bs=1M count=3 iflag=direct status=none) /tmp/z0 || fail "zone 0 reads back different data"
if dd if=/tmp/z0 of="$zdev" bs=4k count=1 seek=$((32768 / 8 + 8)) oflag=direct status=none 2>/dev/null; then
	fail "a write off the write pointer of zone 1 succeeded"
fi
blkzone open -o 32768 -c 1 "$zdev" || fail "blkzone open"
[ "$(report cond 1)" = oe ] || fail "zone 1 after open: $(report cond 1)"
blkzone close -o 32768 -c 1 "$zdev" || fail "blkzone close"
[ "$(report cond 1)" = cl ] || fail "zone 1 after close: $(report cond 1)"
blkzone finish -o 32768 -c 1 "$zdev" || fail "blkzone finish"
[ "$(report cond 1)" = fu ] || fail "zone 1 after finish: $(report cond 1)"
blkzone reset -o 0 -c 2 "$zdev" || fail "blkzone reset zones 0-1"
for i in 0 1; do
	[ "$(report cond $i)" = em ] && [ "$(report wptr $i)" = 0 ] ||
		fail "zone $i after reset: $(report cond $i) wp $(report wptr $i)"
done
echo "zone ops: report 32 zones, capacity 12 MiB, write pointer, open/close/finish/reset OK"

log "fio --zonemode=zbd write + verify"
for eng in io_uring libaio; do
	blkzone reset "$zdev" || fail "reset before fio $eng"
	fio --eta=never --name="zbd-$eng" --filename="$zdev" --direct=1 --zonemode=zbd --ioengine=$eng \
		--rw=write --bsrange=4k-256k --iodepth=16 --max_open_zones=8 --size=$((64 * MiB)) \
		--verify=crc32c --do_verify=1 --verify_fatal=1 --verify_state_save=0 \
		--output-format=json --output=/tmp/zbd-$eng.json || { cat /tmp/zbd-$eng.json; fail "fio zbd $eng"; }
	sed -n '/^{/,$p' /tmp/zbd-$eng.json >/tmp/zbd.clean.json
	jq -r '.jobs[] | "\(.jobname): error \(.error), wrote \(.write.io_bytes), read(verified) \(.read.io_bytes)"' /tmp/zbd.clean.json
	[ "$(jq '[.jobs[] | select(.error == 0 and .write.io_bytes > 0 and .read.io_bytes == .write.io_bytes)] | length' /tmp/zbd.clean.json)" = 1 ] ||
		fail "fio zbd $eng did not write and verify everything"
done

log "btrfs in zoned mode (data written as Zone Append)"
blkzone reset "$zdev" || fail "reset before mkfs"
mkfs.btrfs -q -f -O zoned -d single -m single "$zdev" || fail "mkfs.btrfs -O zoned"
mkdir -p /mnt/z
mount -t btrfs "$zdev" /mnt/z || fail "mount zoned btrfs"
for i in $(seq 1 12); do
	head -c $(((i % 4 + 1) * MiB + i * 4096)) /dev/urandom >/mnt/z/f$i || fail "write /mnt/z/f$i"
done
sync
(cd /mnt/z && sha256sum f*) >/tmp/sums
umount /mnt/z || fail "umount"
echo 3 >/proc/sys/vm/drop_caches
mount -t btrfs "$zdev" /mnt/z || fail "remount zoned btrfs"
(cd /mnt/z && sha256sum -c --quiet /tmp/sums) || fail "btrfs checksums differ after remount"
echo "btrfs: $(wc -l </tmp/sums) files, $(du -sm /mnt/z | cut -f1) MiB, checksums match after remount"
btrfs scrub start -B /mnt/z || fail "btrfs scrub"
umount /mnt/z || fail "umount"

log "zone state across a controller reset, beside I/O on the conventional namespace"
blkzone report "$zdev" >/tmp/zones.before
fio --eta=never --name=conv --filename="$conv" --direct=1 --ioengine=libaio --rw=randwrite --bsrange=4k-128k \
	--iodepth=16 --size=32M --verify=crc32c --do_verify=1 --verify_fatal=1 --verify_state_save=0 \
	--output-format=json --output=/tmp/conv.json &
pid=$!
sleep 2
echo 1 >"$sys/reset_controller" || fail "reset_controller"
wait $pid || { cat /tmp/conv.json; fail "fio verify on $conv across the reset"; }
[ "$(cat "$sys/state")" = live ] || fail "controller state $(cat "$sys/state") after the reset"
sed -n '/^{/,$p' /tmp/conv.json >/tmp/conv.clean.json
jq -r '.jobs[] | "\(.jobname): error \(.error), wrote \(.write.io_bytes), read(verified) \(.read.io_bytes)"' /tmp/conv.clean.json
blkzone report "$zdev" >/tmp/zones.after
# An open zone may be closed by the reset; start, write pointer and capacity stay.
diff <(awk '{ print $2, $6, $8 }' /tmp/zones.before) <(awk '{ print $2, $6, $8 }' /tmp/zones.after) ||
	fail "zone write pointers changed across the controller reset"
echo "zones across the reset: $(grep -vc '(em)' /tmp/zones.after) non-empty zones, write pointers unchanged"
mount -t btrfs "$zdev" /mnt/z || fail "mount zoned btrfs after the reset"
(cd /mnt/z && sha256sum -c --quiet /tmp/sums) || fail "btrfs checksums differ after the reset"
head -c $((8 * MiB)) /dev/urandom >/mnt/z/after-reset && sync || fail "write after the reset"
umount /mnt/z || fail "umount"

check_dmesg
dmesg | grep -E 'lnvme' | grep -vE 'taints kernel|signature' | tail -n 8
echo "PASS: zoned namespace $zdev (limits, zone ops, fio zbd io_uring+libaio, btrfs zoned, reset) beside $conv"
