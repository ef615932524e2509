#!/bin/bash
# Scatterlists: requests of 2-3 segments use the entries inline in the
# request, longer ones a table from the controller's sg_pool.  With
# transparent huge pages off (fio's buffers are then scattered 4 KiB pages)
# and merging off, a kprobe on lnvme_sg_alloc() counts the pooled tables:
#  - 8 KiB at page offset 520 and 12 KiB page-aligned (3 pages) verify and
#    take no table;
#  - 16 KiB-256 KiB at page offsets 4/520 and 64/128 KiB (up to 65
#    segments) verify with PRPs (sgl_threshold=0) and with SGLs
#    (sgl_threshold=1), and take tables;
#  - the same with a controller reset in the middle (the cancel pass hands
#    back requests holding tables, which are freed and taken again);
#  - passthrough: nvme-cli writes and reads 64 KiB through /dev/lng0n1
#    (user pages, many segments), the data compares and takes tables.
# The module unloads at the end (mempool_destroy) with a clean kernel log.
# timeout: 500
. "$(dirname "$0")/lib/common.sh" || exit 1
if [ -z "${IN_VM:-}" ]; then
	need_module
	exec "$VM" --timeout 470 --nvme lnvme,backend=file,size=256M -- "$0" guest
fi

dev=${VM_NVME_DISKS_0:-}
[ -b "$dev" ] || fail "no lnvme disk (VM_NVME_DISKS_0=$dev)"
name=${dev#/dev/}
ctl=${name%n*}
sys=/sys/class/lnvme/$ctl
ko=$VM_LNVME_KO
T=/sys/kernel/tracing

reload() {
	rmmod lnvme || fail "rmmod lnvme"
	insmod "$ko" "$@" || fail "insmod lnvme.ko $*"
	for _ in $(seq 100); do [ -b "$dev" ] && break; sleep 0.1; done
	[ -b "$dev" ] || fail "$dev did not come back after insmod $*"
	echo 2 >"/sys/block/$name/queue/nomerges" || fail "cannot turn merging off"
	probe_on
}

# A kprobe counts lnvme_sg_alloc() calls (kprobe_profile's hit count);
# re-armed after each insmod.  Nothing is recorded in the trace buffer.
mountpoint -q $T || mount -t tracefs none $T || fail "cannot mount tracefs"
echo 0 >$T/tracing_on
probe_on() {
	echo 'p:lnvme_mseg/sg_alloc lnvme_sg_alloc' >>$T/kprobe_events ||
		fail "cannot put a kprobe on lnvme_sg_alloc"
	echo 1 >$T/events/lnvme_mseg/sg_alloc/enable || fail "cannot enable the kprobe"
}
probe_off() {
	[ -d $T/events/lnvme_mseg ] || return 0
	echo 0 >$T/events/lnvme_mseg/sg_alloc/enable
	echo '-:lnvme_mseg/sg_alloc' >>$T/kprobe_events
}
tables() { awk '$1 == "sg_alloc" { print $2 }' $T/kprobe_profile; }

echo never >/sys/kernel/mm/transparent_hugepage/enabled ||
	fail "cannot turn transparent huge pages off"

# vfio NAME BS ALIGN QD SIZE [fio options]: random writes with crc32c
# verify, read back.
vfio() {
	local n=$1 bs=$2 align=$3 qd=$4 size=$5
	shift 5
	fio --name="$n" --filename="$dev" --direct=1 --ioengine=io_uring \
		--rw=randwrite --bs="$bs" --iomem_align="$align" --iodepth="$qd" \
		--size="$size" --verify=crc32c --do_verify=1 --verify_fatal=1 \
		--verify_backlog=32 --verify_state_save=0 --output-format=terse \
		"$@" >/tmp/fio.out 2>&1 || { cat /tmp/fio.out; fail "fio $n failed"; }
}

rmmod lnvme 2>/dev/null
probe_off
for t in 0 1; do
	log "sgl_threshold=$t"
	probe_off
	reload sgl_threshold=$t
	[ "$(cat "$sys/sgl_threshold")" = "$t" ] || fail "sgl_threshold is $(cat "$sys/sgl_threshold"), want $t"

	a=$(tables)
	vfio inline-8k 8k 520 16 8M
	vfio inline-12k 12k 0 16 8M
	b=$(tables)
	echo "2-3 segment requests: $((b - a)) pooled tables"
	[ "$b" = "$a" ] || fail "requests of at most 3 segments took $((b - a)) pooled tables"

	vfio pooled-64k 64k 4 32 32M
	vfio pooled-128k 128k 520 32 32M
	vfio pooled-range 16k-256k 520 32 32M --bs_unaligned
	c=$(tables)
	echo "16-256 KiB requests: $((c - b)) pooled tables"
	[ "$c" -gt "$b" ] || fail "many-segment requests took no pooled table (THP or merging?)"
done

log "pooled tables across a controller reset"
a=$(tables)
vfio reset-128k 128k 4 32 64M --time_based --runtime=20 &
fio_pid=$!
sleep 5
echo 1 >"$sys/reset_controller" || fail "reset_controller"
wait $fio_pid || fail "fio across the reset failed"
[ "$(cat "$sys/state")" = live ] || fail "controller state $(cat "$sys/state") after the reset"
b=$(tables)
echo "across the reset: $((b - a)) pooled tables"
[ "$b" -gt "$a" ] || fail "no pooled table across the reset"

log "passthrough: 64 KiB nvme-cli write and read on /dev/lng${ctl#lnvme}n1"
gen=/dev/lng${ctl#lnvme}n1
[ -c "$gen" ] || fail "no $gen"
head -c 65536 /dev/urandom >/tmp/pt.in
a=$(tables)
nvme write "$gen" --start-block=4096 --block-count=127 --data-size=65536 --data=/tmp/pt.in >/dev/null ||
	fail "nvme write"
nvme read "$gen" --start-block=4096 --block-count=127 --data-size=65536 --data=/tmp/pt.out >/dev/null ||
	fail "nvme read"
cmp /tmp/pt.in /tmp/pt.out || fail "passthrough data differs"
b=$(tables)
echo "passthrough: $((b - a)) pooled tables"
[ "$b" -gt "$a" ] || fail "64 KiB passthrough took no pooled table"

probe_off
rmmod lnvme || fail "rmmod lnvme"
check_dmesg
bad=$(dmesg | grep -E 'lnvme' | grep -vE 'taints kernel|module verification|reset' | grep -iE 'status|timed out|failed|error') || true
[ -z "$bad" ] || fail "lnvme errors: $bad"
echo "PASS: inline scatterlists for <= 3 segments, pooled tables beyond, data verified (PRP, SGL, reset, passthrough)"
