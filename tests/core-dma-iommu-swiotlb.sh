#!/bin/bash
# Data integrity under DMA checking, two VMs:
#  1. --iommu (intel-iommu, guest intel_iommu=on iommu.strict=1): dmesg shows
#     DMAR / IOMMU enabled, the lnvme PCI function is in an IOMMU group of
#     type DMA (strict), then the fio verify matrix (reduced size) and an
#     ext4 integrity run; no DMAR fault (the harness and check_dmesg scan
#     for faults).
#  2. --append swiotlb=force: dmesg shows the software IO TLB, the swiotlb
#     debugfs counters show bounce slots in use during I/O, then the same
#     verify matrix and ext4 run.
# timeout: 600
. "$(dirname "$0")/lib/common.sh" || exit 1
if [ -z "${IN_VM:-}" ]; then
	need_module
	log "vIOMMU (strict)"
	"$VM" --timeout 280 --iommu --nvme lnvme,backend=file,size=256M -- "$0" guest iommu ||
		fail "vIOMMU run failed"
	log "swiotlb=force"
	"$VM" --timeout 290 --append swiotlb=force --nvme lnvme,backend=file,size=256M -- "$0" guest swiotlb ||
		fail "swiotlb=force run failed"
	exit 0
fi

mode=${2:?}
dev=${VM_NVME_DISKS_0:-}
[ -b "$dev" ] || fail "no lnvme disk"
pci=${VM_NVME_PCI_0:?}
q=/sys/block/${dev#/dev/}/queue
echo "$dev ($pci): max_hw_sectors_kb $(cat $q/max_hw_sectors_kb), max_segments $(cat $q/max_segments), dma_alignment $(cat $q/dma_alignment)"
mountpoint -q /sys/kernel/debug || mount -t debugfs none /sys/kernel/debug || fail "cannot mount debugfs"

case $mode in
iommu)
	dmesg | grep -E 'DMAR: IOMMU enabled|DMAR:.*Intel\(R\) Virtualization Technology for Directed I/O' ||
		fail "dmesg does not show the Intel IOMMU (DMAR) enabled"
	grep -qw 'iommu.strict=1' /proc/cmdline || fail "iommu.strict=1 not on the command line"
	[ -e /sys/bus/pci/devices/$pci/iommu_group ] || fail "$pci is not in an IOMMU group"
	grp=$(readlink -f /sys/bus/pci/devices/$pci/iommu_group)
	type=$(cat "$grp/type")
	echo "$pci: IOMMU group ${grp##*/}, type $type"
	[ "$type" = DMA ] || fail "IOMMU group type $type, want DMA (strict translation)"
	;;
swiotlb)
	grep -qw 'swiotlb=force' /proc/cmdline || fail "swiotlb=force not on the command line"
	dmesg | grep -E 'software IO TLB' || fail "dmesg does not show the software IO TLB"
	sw=/sys/kernel/debug/swiotlb
	[ -r $sw/io_tlb_used_hiwater ] || fail "no $sw/io_tlb_used_hiwater (cannot prove bouncing)"
	echo 0 >$sw/io_tlb_used_hiwater 2>/dev/null
	dd if="$dev" of=/dev/null bs=1M count=16 iflag=direct status=none || fail "read through swiotlb"
	hw=$(cat $sw/io_tlb_used_hiwater)
	echo "swiotlb: $(cat $sw/io_tlb_nslabs) slabs, high water $hw slabs after 16 MiB of O_DIRECT reads"
	[ "$hw" -gt 0 ] || fail "swiotlb high water is 0: lnvme I/O was not bounced"
	# A bounced mapping is at most 256 KiB; larger requests must be split.
	mms=$(cat $q/max_hw_sectors_kb)
	[ "$mms" -le 256 ] || echo "note: max_hw_sectors_kb $mms > swiotlb's 256 KiB mapping limit"
	;;
*) fail "unknown mode $mode" ;;
esac

# Bounded: a mapping failure can leave I/O stuck rather than failed.
if ! timeout -k 10 170 "$VM_PROJECT/tests/core/verify-matrix.sh" -q "$dev" 0.25; then
	dmesg | grep -E 'lnvme|swiotlb|DMAR' | grep -vE 'taints kernel|module verification' | tail -n 12
	fail "verify matrix under $mode failed or hung"
fi
"$VM_PROJECT/tests/core/fs-integrity.sh" "$dev" ext4 16 || fail "ext4 under $mode"
if [ "$mode" = swiotlb ]; then
	echo "swiotlb high water after the matrix: $(cat /sys/kernel/debug/swiotlb/io_tlb_used_hiwater) slabs"
fi
check_dmesg
bad=$(dmesg | grep -E 'lnvme' | grep -vE 'taints kernel|module verification' | grep -iE 'status|timed out|failed|error|swiotlb buffer is full') || true
[ -z "$bad" ] || fail "lnvme errors: $bad"
bad=$(dmesg | grep -iE 'swiotlb buffer is full|DMAR.*fault|DMA-API') || true
[ -z "$bad" ] || fail "DMA errors: $bad"
echo "PASS: integrity under $mode"
