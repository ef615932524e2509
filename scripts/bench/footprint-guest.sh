#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# scripts/bench/footprint-guest.sh ROUNDS KO: run inside a VM started by
# scripts/bench/footprint.sh, with one QEMU NVMe controller bound to no
# driver (tests/vm/run --nvme none,...).  Loads KO (lnvme.ko) and nvme
# (poll_queues=1, like lnvme's default), then binds the controller to each
# driver in turn through driver_override and drivers_probe, and measures
# what binding costs: /proc/meminfo before the bind and once its disk is
# there, both after sync, drop_caches, shrinking every slab cache, filling
# every CPU's free page lists alike (fill_pcp) and folding the per-CPU
# vmstat counters.  One warm-up bind per driver first
# (caches created on first use are not the controller's cost); then ROUNDS
# rounds, lnvme first on odd rounds, nvme first on even ones.
#
# Output: $VM_RESULTS/footprint.csv, one row per round and driver: the
# MemAvailable and MemFree drop and the Slab, SUnreclaim, Percpu, PageTables
# and VmallocUsed growth in KiB, the probe time (drivers_probe to the disk
# in /sys/block) in ms, the disk's hardware queues and nr_requests.
set -u
rounds=${1:?rounds} ko=${2:?lnvme.ko}
out=${VM_RESULTS:?not in the footprint VM}
bdf=${VM_NVME_PCI_0:?no controller}
dev=/sys/bus/pci/devices/$bdf
devpath=$(readlink -f "$dev")

say() { echo "footprint-guest: $*"; }
die() { say "ERROR: $*"; exit 2; }

[ -e "$dev/driver" ] && die "$bdf is bound to $(basename "$(readlink "$dev/driver")")"
for dep in $(modinfo -F depends "$ko" 2>/dev/null | tr , ' '); do
	modprobe "$dep" || die "modprobe $dep failed"
done
insmod "$ko" || die "insmod $ko failed"
modprobe nvme poll_queues=1 || die "modprobe nvme failed"

# Free pages on a CPU's per-CPU lists are not in MemFree, and by default
# those lists grow with frees (an unbind frees tens of MiB) up to 1/8 of
# the zone: tens of MiB of noise.  So the lists get a small fixed size
# (percpu_pagelist_high_fraction, which also turns the auto-tuning off),
# and each reading first fills every CPU's lists the same way (32 MiB of
# tmpfs pages written and freed on that CPU, more than a list holds).
echo 100000 >/proc/sys/vm/percpu_pagelist_high_fraction ||
	die "cannot set percpu_pagelist_high_fraction"
fill_pcp() {
	local c
	for ((c = 0; c < $(nproc); c++)); do
		taskset -c $c sh -c "dd if=/dev/zero of=$pcpfs/f bs=1M count=32 status=none; rm -f $pcpfs/f"
	done
}
pcpfs=/run/footprint-pcp
mkdir -p $pcpfs && mount -t tmpfs -o size=64m none $pcpfs || die "cannot mount a tmpfs on $pcpfs"

settle() {
	local s
	sync
	echo 3 >/proc/sys/vm/drop_caches
	for s in /sys/kernel/slab/*/shrink; do echo 1 >"$s" 2>/dev/null; done
	sleep 1
	fill_pcp
	echo 1 >/proc/sys/vm/stat_refresh 2>/dev/null
}

# MemAvailable MemFree Slab SUnreclaim Percpu PageTables VmallocUsed (KiB)
meminfo() {
	awk '{ v[$1] = $2 } END {
		print v["MemAvailable:"], v["MemFree:"], v["Slab:"], v["SUnreclaim:"],
		      v["Percpu:"], v["PageTables:"], v["VmallocUsed:"] }' /proc/meminfo
}

# The block device of the controller, if it has one.
disk() {
	local b p
	for b in /sys/block/*; do
		p=$(readlink -f "$b")
		[[ $p == "$devpath"/* ]] && { echo "${b##*/}"; return 0; }
	done
	return 1
}

now_ms() { echo $(($(date +%s%N) / 1000000)); }

# bind DRIVER: prints the probe time in ms once the disk is there.
bind() {
	local t0 i
	echo "$1" >"$dev/driver_override" || die "driver_override $1"
	t0=$(now_ms)
	echo "$bdf" >/sys/bus/pci/drivers_probe 2>/dev/null
	for ((i = 0; i < 3000; i++)); do
		disk >/dev/null && { echo $(($(now_ms) - t0)); return 0; }
		sleep 0.01
	done
	die "no disk 30 s after binding $bdf to $1"
}

unbind() {
	local i
	echo "$bdf" >"$dev/driver/unbind" || die "unbind $1"
	echo >"$dev/driver_override"
	for ((i = 0; i < 1000; i++)); do
		disk >/dev/null || return 0
		sleep 0.01
	done
	die "the disk of $bdf is still there after unbinding $1"
}

# measure ROUND DRIVER: one bind, one CSV row.
measure() {
	local r=$1 drv=$2 before after probe d hwq nrq
	settle
	read -ra before < <(meminfo)
	probe=$(bind "$drv") || exit 2
	sleep 2
	d=$(disk)
	hwq=$(find "/sys/block/$d/mq" -mindepth 1 -maxdepth 1 | wc -l)
	nrq=$(cat "/sys/block/$d/queue/nr_requests")
	settle
	read -ra after < <(meminfo)
	unbind "$drv"
	[ "$r" = 0 ] && return 0
	echo "$(nproc),$r,$drv,$probe,$((before[0] - after[0])),$((before[1] - after[1])),$((after[2] - before[2])),$((after[3] - before[3])),$((after[4] - before[4])),$((after[5] - before[5])),$((after[6] - before[6])),$hwq,$nrq" >>"$out/footprint.csv"
	say "round $r $drv: MemAvailable -$((before[0] - after[0])) KiB, Slab +$((after[2] - before[2])) KiB, probe $probe ms, $hwq hw queues x $nrq"
}

echo "cpus,round,driver,probe_ms,memavail_kib,memfree_kib,slab_kib,sunreclaim_kib,percpu_kib,pagetables_kib,vmalloc_kib,hw_queues,nr_requests" >"$out/footprint.csv"
measure 0 lnvme
measure 0 nvme
for ((r = 1; r <= rounds; r++)); do
	if ((r % 2)); then order="lnvme nvme"; else order="nvme lnvme"; fi
	for drv in $order; do
		measure "$r" "$drv"
	done
done
exit 0
