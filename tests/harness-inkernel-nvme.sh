#!/bin/bash
# --nvme with the in-kernel driver: binding by driver_override, VM_NVME_*
# variables, namespaces with their own block sizes, module autoload (xfs).
# timeout: 180
# debug-timeout: 900
. "$TOP/tests/lib/common.sh"
r=$(mktemp -d); trap 'rm -rf "$r"' EXIT

log "--nvme nvme --nvme none: nvme list shows one controller"
vm --results "$r" --nvme nvme --nvme none -- bash -c '
	set -e
	. "$VM_PROJECT/tests/lib/common.sh"
	cat "$VM_RESULTS/devices.env"
	[ "$VM_NVME_COUNT" = 2 ] || fail "VM_NVME_COUNT=$VM_NVME_COUNT"
	[ "$VM_NVME_DRV_0" = nvme ] && [ "$VM_NVME_DRV_1" = none ] || fail "VM_NVME_DRV_*"
	[ "$(readlink -f /sys/bus/pci/devices/$VM_NVME_PCI_0/..)" = "$(readlink -f /sys/bus/pci/devices/0000:00:10.0)" ] ||
		fail "controller 0 is not behind 00:10.0"
	[ "$(basename "$(readlink /sys/bus/pci/devices/$VM_NVME_PCI_0/driver)")" = nvme ] || fail "ctl 0 not on nvme"
	[ ! -e /sys/bus/pci/devices/$VM_NVME_PCI_1/driver ] || fail "ctl 1 is bound"
	[ -b "$VM_NVME_DISKS_0" ] || fail "VM_NVME_DISKS_0=$VM_NVME_DISKS_0"
	[ "$VM_NVME_DISKS" = "$VM_NVME_DISKS_0" ] || fail "VM_NVME_DISKS=$VM_NVME_DISKS"
	[ -z "$VM_NVME_DISKS_1" ] && [ -z "$VM_NVME_CTRL_1" ] || fail "none controller has devices"
	[ -c "$VM_NVME_CTRL_0" ] || fail "VM_NVME_CTRL_0=$VM_NVME_CTRL_0"
	nvme list -o json | tee /tmp/list.json
	[ "$(jq ".Devices | length" /tmp/list.json)" = 1 ] || fail "nvme list: not exactly one device"
	[ "$(jq -r ".Devices[0].DevicePath" /tmp/list.json)" = "$VM_NVME_DISKS_0" ] || fail "nvme list: wrong device"
	[ "$(jq -r ".Devices[0].SerialNumber" /tmp/list.json)" = lnvme-ctl0 ] || fail "nvme list: wrong serial"
' || fail "first VM run failed"

log "3 namespaces 512:4096:512 on the second of two controllers; xfs"
vm --results "$r" --nvme none --nvme nvme,backend=file,namespaces=3,lbs=512:4096:512,size=512M -- bash -c '
	set -e
	. "$VM_PROJECT/tests/lib/common.sh"
	cat "$VM_RESULTS/devices.env"
	set -- $VM_NVME_DISKS_1
	[ $# = 3 ] || fail "expected 3 disks, got: $VM_NVME_DISKS_1"
	[ "$VM_NVME_DISKS" = "$1" ] || fail "VM_NVME_DISKS=$VM_NVME_DISKS"
	want=(512 4096 512)
	for i in 0 1 2; do
		d=${*:i+1:1}
		ss=$(blockdev --getss "$d")
		echo "$d nsid $(cat /sys/block/${d#/dev/}/nsid) lbs $ss"
		[ "$(cat /sys/block/${d#/dev/}/nsid)" = $((i + 1)) ] || fail "$d is not nsid $((i + 1))"
		[ "$ss" = "${want[i]}" ] || fail "$d: logical block size $ss, want ${want[i]}"
	done
	! grep -qw xfs /proc/modules || fail "xfs already loaded"
	mkfs.xfs -q -f "$2"
	mkdir /tmp/m
	mount -t xfs "$2" /tmp/m
	echo data >/tmp/m/f
	umount /tmp/m
	grep -w xfs /proc/modules
	check_dmesg
' || fail "second VM run failed"
