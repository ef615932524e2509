#!/bin/bash
# Scatterlists: requests of 2-3 segments use the entries inline in the
# request, longer ones a table from the controller's sg_pool.  A kprobe on
# lnvme_sg_alloc() counts the pooled tables while tests/core/sgvec.py does
# O_DIRECT vectored writes and read-backs whose every iovec is a page of its
# own (so NSEGS iovecs are NSEGS segments), first and last at a 512-byte
# offset, every byte compared, 2 threads:
#  - 2 and 3 segments take no table;
#  - 4, 17 and 128 segments take one per request (at least half do);
# with PRPs (sgl_threshold=0) and with SGLs (sgl_threshold=1), plus a fio
# verify of 64 KiB-256 KiB random writes at odd buffer offsets; then 4
# threads of 17-segment I/O across a controller reset (the cancel pass hands
# back requests holding tables, which are freed and taken again) verify.
# The module unloads at the end (mempool_destroy) with a clean kernel log.
# timeout: 600
. "$(dirname "$0")/lib/common.sh" || exit 1
if [ -z "${IN_VM:-}" ]; then
	need_module
	exec "$VM" --timeout 570 --nvme lnvme,backend=file,size=256M -- "$0" guest
fi

dev=${VM_NVME_DISKS_0:-}
[ -b "$dev" ] || fail "no lnvme disk (VM_NVME_DISKS_0=$dev)"
name=${dev#/dev/}
ctl=${name%n*}
sys=/sys/class/lnvme/$ctl
ko=$VM_LNVME_KO
T=/sys/kernel/tracing

reload() {
	if [ -d /sys/module/lnvme ]; then rmmod lnvme || fail "rmmod lnvme"; fi
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

# sgvec OPS THREADS NSEGS...: vectored I/O of NSEGS scattered pages,
# verified, with the pooled tables counted and checked.
sgvec() {
	python3 "$VM_PROJECT/tests/core/sgvec.py" "$dev" "$1" "$2" "$seed" "${@:3}" \
		--tables $T/kprobe_profile:sg_alloc 3 || fail "sgvec.py $* failed"
}
seed=${SGVEC_SEED:-$(date +%s)}
echo "seed $seed (SGVEC_SEED)"

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

ops=$(debug_scale 20 5)
for t in 0 1; do
	log "sgl_threshold=$t"
	probe_off
	reload sgl_threshold=$t
	[ "$(cat "$sys/sgl_threshold")" = "$t" ] || fail "sgl_threshold is $(cat "$sys/sgl_threshold"), want $t"

	sgvec "$ops" 2 2 3 4 17 128
	vfio odd-64k-256k 64k-256k 520 32 "$(debug_scale 4 1)M" --bs_unaligned
done

log "pooled tables across a controller reset"
a=$(tables)
sgvec "$((ops * 4))" 4 17 &
pid=$!
sleep 3
echo 1 >"$sys/reset_controller" || fail "reset_controller"
wait $pid || fail "vectored I/O across the reset failed"
[ "$(cat "$sys/state")" = live ] || fail "controller state $(cat "$sys/state") after the reset"
b=$(tables)
echo "across the reset: $((b - a)) pooled tables"
[ "$b" -gt "$a" ] || fail "no pooled table across the reset"

probe_off
rmmod lnvme || fail "rmmod lnvme"
check_dmesg
bad=$(dmesg | grep -E 'lnvme' | grep -vE 'taints kernel|module verification|reset' | grep -iE 'status|timed out|failed|error') || true
[ -z "$bad" ] || fail "lnvme errors: $bad"
echo "PASS: inline scatterlists up to 3 segments, pooled tables beyond, data verified (PRP, SGL, reset)"
