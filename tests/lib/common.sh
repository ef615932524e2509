# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Helpers for tests/*.sh (source it: . "$TOP/tests/lib/common.sh").
# Works on the host (tests run by tests/run) and inside the VM (IN_VM=1).

: "${TOP:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
: "${VM:=$TOP/tests/vm/run}"
export TOP VM

# fail MSG: print MSG and end the test as failed.
fail() {
	echo "FAIL: $*" >&2
	exit 1
}

# skip REASON: end the test as skipped.  Only for an explicit request (an
# environment variable), never to hide a missing tool.
skip() {
	echo "SKIP: $*"
	exit 77
}

# log MSG: a progress line in the test log.
log() { echo "--- $*"; }

# vm [OPTIONS] -- CMD...: tests/vm/run.
vm() { "$VM" "$@"; }

# need_module: the test needs $TOP/lnvme.ko built.
need_module() {
	[ -f "$TOP/lnvme.ko" ] || fail "$TOP/lnvme.ko is not built (run make)"
}

# debug_scale N [M]: in the guest, N on the default kernel, M (default
# N/4) on the debug kernel, which runs several times slower: for sizes and
# iteration counts that would not fit the debug pass's time otherwise.
debug_scale() {
	if [ "${VM_KERNEL:-default}" = debug ]; then
		awk -v n="$1" -v m="${2:-}" 'BEGIN { print (m != "" ? m : n / 4) }'
	else
		echo "$1"
	fi
}

# expect_rc WANT CMD...: run CMD, fail unless it exits with WANT.
expect_rc() {
	local want=$1 rc
	shift
	"$@"
	rc=$?
	[ "$rc" = "$want" ] || fail "expected exit $want, got $rc from: $*"
}

# check_dmesg [REGEX]: in the guest, fail if the kernel log has an Oops,
# BUG, WARNING, panic, IOMMU fault, hung task or Call Trace (the same scan
# tests/vm/run does at the end), or lines matching REGEX if given.  The
# second part is what the debug kernel's checkers print (KASAN, lockdep,
# atomic sleep, DMA-API debugging and its final error count, debug objects,
# list debugging, RCU checks, and the leak count guest-stage2 logs): most
# come after a BUG:/WARNING: line, but not all.
VM_DMESG_BAD='Oops|BUG:|WARNING:|general protection|Kernel panic|Call Trace|kernel BUG at|UBSAN:|DMAR: DRHD: handling fault|DMAR: \[(DMA|INTR)|DMAR:.*[Ff]ault|AMD-Vi: Event logged|IO_PAGE_FAULT|hung task|hung_task|blocked for more than'
VM_DMESG_BAD+='|BUG: KASAN|possible circular locking|inconsistent lock state|possible recursive locking|possible irq lock inversion|lock held when returning|trying to register non-static key|suspicious RCU usage|sleeping function called from invalid context|DMA-API: [^ ]+ [^ ]+: |DMA-API: debugging out of memory|DMA-API error_count=[1-9]|the kernel log wrapped|checking was turned off during the run|ODEBUG:|list_(add|del) corruption|kmemleak: [1-9][0-9]* leak reports name lnvme'
# DMA-API debugging's "cacheline tracking EEXIST, overlapping mappings
# aren't supported" is about the caller's buffers, not the driver: two
# in-flight O_DIRECT reads into one cache line (fio packs small buffers
# so), harmless on cache-coherent x86, and the in-kernel driver gets the
# same.  Its whole WARN block (cut here ... end trace) is left out of the
# scan; guest-stage2 leaves it out of the error count.
# Reads a kernel log on stdin.
drop_eexist() {
	awk '/-+\[ cut here \]-+/ { held = $0; next }
		held != "" { if ($0 ~ /cacheline tracking EEXIST/) skip = 1; else print held; held = "" }
		skip { if ($0 ~ /---\[ end trace/) skip = 0; next }
		{ print }'
}
check_dmesg() {
	local bad
	bad=$(dmesg | drop_eexist | grep -aE "${1:-$VM_DMESG_BAD}") || true
	[ -z "$bad" ] || fail "kernel log: $bad"
}

# disk_of_pci PCI: in the guest, the disk of the controller at PCI address
# PCI (/dev/...), or nothing.
disk_of_pci() {
	local b
	for b in /sys/block/*; do
		[[ $(readlink -f "$b") == "$(readlink -f "/sys/bus/pci/devices/$1")"/* ]] &&
			{ echo "/dev/${b##*/}"; return; }
	done
}

# wait_disk_of_pci PCI: wait up to 10 s for that disk's node; print it.
wait_disk_of_pci() {
	local i d
	for i in $(seq 1 100); do
		d=$(disk_of_pci "$1")
		[ -n "$d" ] && [ -b "$d" ] && { echo "$d"; return 0; }
		sleep 0.1
	done
	return 1
}

# dmesg_mark TEXT: put a marker line in the guest kernel log.
dmesg_mark() { echo "lnvme-test: $*" >/dev/kmsg; }
