#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# scripts/demo.sh (make demo): lnvme on a 1 GiB QEMU NVMe disk.
# Boots the test VM with one QEMU NVMe controller (file-backed, 1 GiB) bound
# to lnvme, prints the controller's identity and the namespace size, runs
# ext4 (mkfs, a tree of files, fsck, remount, checksums) and a short fio
# latency (4k QD1 p50/p99) and bandwidth (128k sequential read and write)
# run, and prints a summary table.  Exit status non-zero if any step fails.
set -uo pipefail
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export TOP

if [ -z "${IN_VM:-}" ]; then
	[ -f "$TOP/lnvme.ko" ] || { echo "demo: $TOP/lnvme.ko is not built (run make)" >&2; exit 1; }
	echo "demo: booting the test VM (QEMU NVMe controller, 1 GiB file backend, lnvme driver)..."
	start=$SECONDS
	"$TOP/tests/vm/run" --timeout 300 --nvme lnvme,backend=file,size=1G,serial=lnvme-demo \
		-- "$TOP/scripts/demo.sh" guest
	rc=$?
	echo "demo: $([ $rc = 0 ] && echo PASSED || echo "FAILED (exit $rc)") in $((SECONDS - start)) s"
	exit $rc
fi

# ---- in the guest ----------------------------------------------------------
results=()   # "step|result|detail"
failed=0
row() { results+=("$1|$2|$3"); [ "$2" = ok ] || failed=1; }
summary() {
	echo
	echo "==================== lnvme demo summary ===================="
	printf '%-22s %-6s %s\n' STEP RESULT DETAIL
	printf '%-22s %-6s %s\n' ---------------------- ------ ------------------------------
	local r
	for r in "${results[@]}"; do
		IFS='|' read -r s res d <<<"$r"
		printf '%-22s %-6s %s\n' "$s" "$res" "$d"
	done
	echo "============================================================="
}
abort() { row "$1" FAIL "$2"; summary; exit 1; }

dev=${VM_NVME_DISKS_0:-}
[ -b "$dev" ] || abort "controller bind" "no lnvme disk"
name=${dev#/dev/}
pci=${VM_NVME_PCI_0:-?}

# Identity from the driver's probe line:
# "lnvme 0000:01:00.0: <model>, serial <s>, firmware <f>, NVMe x.y, ..."
idl=$(dmesg | grep -E "lnvme $pci: .*, serial .*, firmware .*, NVMe [0-9]+\.[0-9]+" | tail -n1)
[ -n "$idl" ] || abort "controller identity" "no identify line in dmesg"
idl=${idl#*"lnvme $pci: "}
model=${idl%%, serial *}
serial=$(sed -E 's/.*, serial ([^,]*),.*/\1/' <<<"$idl")
fw=$(sed -E 's/.*, firmware ([^,]*),.*/\1/' <<<"$idl")
ver=$(sed -E 's/.*, NVMe ([0-9]+\.[0-9]+).*/\1/' <<<"$idl")
sectors=$(cat /sys/block/$name/size)
lbs=$(cat /sys/block/$name/queue/logical_block_size)
qline=$(dmesg | grep -E "lnvme $pci: .*I/O queues" | tail -n1)
qline=${qline#*"lnvme $pci: "}
echo
echo "Controller $pci (driver $(basename "$(readlink /sys/bus/pci/devices/$pci/driver)"))"
echo "  model     : $model"
echo "  serial    : $serial"
echo "  firmware  : $fw"
echo "  NVMe      : $ver"
echo "  queues    : $qline"
echo "Namespace $dev"
echo "  size      : $sectors sectors of 512 B = $((sectors * 512 / 1048576)) MiB (LBA size $lbs B)"
row "controller" ok "$model, serial $serial, fw $fw, NVMe $ver"
[ $((sectors * 512)) = $((1 << 30)) ] && row "namespace" ok "$dev, $((sectors * 512 >> 20)) MiB, $lbs B LBA" ||
	row "namespace" FAIL "$dev is $((sectors * 512)) bytes, want 1 GiB"

# ---- ext4 ------------------------------------------------------------------
echo
echo "--- ext4: mkfs, write a tree of files, fsck, remount, verify checksums"
t0=$SECONDS
if out=$("$TOP/tests/core/fs-integrity.sh" "$dev" ext4 16 2>&1); then
	echo "$out" | grep -E '^fs-integrity: (\[|PASS)'
	files=$(sed -nE 's/.*PASS: .*: ([0-9]+) files, ([0-9]+) MiB.*/\1 files, \2 MiB/p' <<<"$out")
	row "ext4 integrity" ok "$files, fsck clean, checksums match ($((SECONDS - t0)) s)"
else
	echo "$out" | tail -n 15
	row "ext4 integrity" FAIL "see output above"
fi

# ---- fio ---------------------------------------------------------------------
echo
echo "--- fio: 4k random read QD1 latency, 128k sequential read/write bandwidth"
fioj() { # NAME ARGS...: run fio, JSON to /tmp/NAME.json
	local n=$1
	shift
	fio --name="$n" --filename="$dev" --direct=1 --ioengine=libaio --time_based=1 \
		--output-format=json --output=/tmp/$n.raw "$@" >/dev/null 2>/tmp/$n.err &&
		sed -n '/^{/,$p' /tmp/$n.raw >/tmp/$n.json &&
		jq -e '.jobs[0].error == 0' /tmp/$n.json >/dev/null
}
if fioj lat --rw=randread --bs=4k --iodepth=1 --runtime=6 --ramp_time=1 --size=1g \
	--percentile_list=50:99; then
	read -r p50 p99 iops < <(jq -r '.jobs[0].read | [(.clat_ns.percentile["50.000000"]/1000),
		(.clat_ns.percentile["99.000000"]/1000), (.iops|floor)] | @tsv' /tmp/lat.json)
	printf '  4k randread QD1: p50 %.0f us, p99 %.0f us, %s IOPS\n' "$p50" "$p99" "$iops"
	row "latency 4k QD1" ok "$(printf 'p50 %.0f us, p99 %.0f us, %s IOPS' "$p50" "$p99" "$iops")"
else
	cat /tmp/lat.err
	row "latency 4k QD1" FAIL "fio failed"
fi
for rw in read write; do
	if fioj bw$rw --rw=$rw --bs=128k --iodepth=16 --runtime=6 --ramp_time=1 --size=512m; then
		bw=$(jq -r ".jobs[0].$rw.bw_bytes / 1048576 | floor" /tmp/bw$rw.json)
		echo "  128k sequential $rw QD16: $bw MiB/s"
		row "bandwidth 128k $rw" ok "$bw MiB/s (QD16)"
	else
		cat /tmp/bw$rw.err
		row "bandwidth 128k $rw" FAIL "fio failed"
	fi
done

bad=$(. "$TOP/tests/lib/common.sh" && dmesg | grep -aE "$VM_DMESG_BAD") || true
[ -z "$bad" ] && row "kernel log" ok "no Oops/WARNING/BUG" || row "kernel log" FAIL "$(head -n1 <<<"$bad")"
echo "(numbers come from QEMU's emulated NVMe controller in a VM: they show the driver works, not hardware speed)"
summary
exit $failed
