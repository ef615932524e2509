#!/bin/bash
# nvme-cli 2.3 on lnvme's device paths, compared with the in-kernel nvme
# driver on an identical QEMU controller in the same VM (serial numbers,
# subsystem NQNs, device names and volatile counters normalised): id-ctrl,
# id-ns, list-ns, smart-log, error-log, fw-log, get-feature, set-feature,
# read/write, compare, flush, write-zeroes, dsm, io-passthru, admin-passthru,
# reset, ns-rescan, nvme list; and lnvme's sysfs attributes.  (nvme-cli's
# "Unable to find lnvme0" from commands that look the controller up in
# /sys/class/nvme is ignored: lnvme's class is lnvme.)
# timeout: 900
. "$(dirname "$0")/lib/common.sh" || exit 1
. "$TOP/tests/cli/lib.sh" || exit 1
if [ -z "${IN_VM:-}" ]; then
	need_module
	r=$(mktemp -d) || fail "mktemp"
	trap 'rm -rf "$r"' EXIT
	vm --results "$r" --timeout 880 "${CLI_BOTH[@]}" -- "$0" guest
	rc=$?
	[ $rc = 0 ] || [ ! -d "$r/out" ] || cp -r "$r/out" "$TOP/results/cli-nvme-cli.out" 2>/dev/null
	exit $rc
fi

{ [ "$VM_NVME_DRV_0" = lnvme ] && [ "$VM_NVME_DRV_1" = nvme ]; } || fail "unexpected drivers"
LC=$VM_NVME_CTRL_0 LB=$VM_NVME_DISKS_0 LG=/dev/lng${VM_NVME_CTRL_0#/dev/lnvme}n1
KC=$VM_NVME_CTRL_1 KB=$VM_NVME_DISKS_1 KG=/dev/ng${VM_NVME_CTRL_1#/dev/nvme}n1
for n in "$LC" "$LB" "$LG" "$KC" "$KB" "$KG"; do [ -e "$n" ] || fail "$n missing"; done
O=$VM_RESULTS/out
mkdir -p "$O"
cd /tmp || fail "cd /tmp"
errs=()
bad() { echo "MISMATCH: $*"; errs+=("$*"); }

# Normalise what legitimately differs between the two controllers.
norm() {
	sed -E -e 's/lnvme-ctl[0-9]+/SERIAL/g' -e 's/lnvme-subsys[0-9]+/SUBSYS/g' \
		-e 's#/dev/lng[0-9]+n#/dev/GENn#g; s#/dev/ng[0-9]+n#/dev/GENn#g' \
		-e 's#lnvme[0-9]+#DEV#g; s#nvme[0-9]+#DEV#g' \
		-e '/^Unable to find (l?nvme|DEV)/d' \
		-e '/^(temperature|Temperature Sensor|power_on_hours|unsafe_shutdowns|power_cycles|data_units_(read|written)|host_(read|write)_commands|controller_busy_time|Thermal Management)/s/:.*/: X/'
}

# both NAME NVME-ARGS...: run nvme on both drivers (@C controller, @B block
# device, @G generic node); exit status and normalised output must match.
both() {
	local name=$1 drv c b g a
	shift
	for drv in lnvme nvme; do
		if [ $drv = lnvme ]; then c=$LC b=$LB g=$LG; else c=$KC b=$KB g=$KG; fi
		local args=()
		for a in "$@"; do
			a=${a//@C/$c}
			a=${a//@B/$b}
			a=${a//@G/$g}
			args+=("$a")
		done
		nvme "${args[@]}" >"$O/$name.$drv.raw" 2>&1
		echo "rc=$?" >>"$O/$name.$drv.raw"
		norm <"$O/$name.$drv.raw" >"$O/$name.$drv"
	done
	if ! diff -u "$O/$name.nvme" "$O/$name.lnvme" >"$O/$name.diff"; then
		bad "$name: nvme $* differs (nvme -> lnvme):"
		head -n 30 "$O/$name.diff"
		return 1
	fi
	echo "  same: nvme $* ($(tail -n1 "$O/$name.lnvme"))"
}
# both_ok NAME ARGS...: like both, and nvme must succeed.
both_ok() {
	both "$@"
	grep -qx 'rc=0' "$O/$1.lnvme" || bad "$1: nvme $* failed on lnvme: $(tail -n3 "$O/$1.lnvme.raw" | tr '\n' ' ')"
}

log "identify"
both_ok id-ctrl id-ctrl @C
both_ok id-ctrl-blk id-ctrl @B
both_ok id-ctrl-gen id-ctrl @G
both_ok id-ns id-ns @B
both_ok id-ns-gen id-ns @G
both_ok id-ns-ctrl id-ns @C -n 1
both_ok id-ns-json id-ns @B -o json
both_ok list-ns list-ns @C
both_ok list-ns-all list-ns @C -a
both_ok ns-descs ns-descs @B
both id-ns-missing id-ns @C -n 7
log "logs"
both_ok error-log error-log @C -e 16
both_ok fw-log fw-log @C
both_ok smart-log smart-log @C
both_ok smart-log-ns smart-log @B
both_ok effects-log effects-log @C
log "features"
for f in 1 2 4 6 7 8 9 0xa; do
	both_ok "get-feature-$f" get-feature @C -f "$f"
done
# Async Event Configuration: lnvme also turns on the SMART critical
# warnings (bits 4:0, hw/events.c), which nvme leaves off.
aen_value() { nvme get-feature "$1" -f 0xb 2>&1 | sed -nE 's/.*Current value: *(0x[0-9a-fA-F]+).*/\1/p'; }
for d in C B; do
	[ $d = C ] && l=$(aen_value "$LC") k=$(aen_value "$KC")
	[ $d = B ] && l=$(aen_value "$LB") k=$(aen_value "$KB")
	if [ -n "$l" ] && [ -n "$k" ] && [ $((l)) = $((k | 0x1f)) ]; then
		echo "  as meant: get-feature @$d -f 0xb: lnvme $l, nvme $k"
	else
		bad "get-feature @$d -f 0xb: lnvme '$l', nvme '$k' (want nvme's | 0x1f)"
	fi
done
# not supported by QEMU's controller: the same error from both
for f in 5 0x10 0x11; do
	both "get-feature-$f" get-feature @C -f "$f"
done
log "set-feature: interrupt coalescing"
both set-feature-8 set-feature @C -f 8 -v 0x0a03
both get-feature-8-after get-feature @C -f 8
both set-feature-4 set-feature @C -f 4 -v 0x160
both get-feature-4-after get-feature @C -f 4
both set-feature-4-back set-feature @C -f 4 -v 0x157
both set-feature-bad set-feature @C -f 0x7e -v 1

log "I/O commands"
head -c $((16 * 4096)) /dev/urandom >pat
head -c $((16 * 4096)) /dev/zero >zero
both_ok write write @B -s 64 -c 127 -z 65536 -d pat
both_ok read read @B -s 64 -c 127 -z 65536 -d rd
for drv in lnvme nvme; do
	if [ $drv = lnvme ]; then g=$LG b=$LB; else g=$KG b=$KB; fi
	nvme read "$b" -s 64 -c 127 -z 65536 -d "rd.$drv" >/dev/null || bad "$drv: nvme read"
	cmp pat "rd.$drv" || bad "$drv: nvme read data differs from what nvme write wrote"
	dd if="$b" of="dd.$drv" bs=512 skip=64 count=128 iflag=direct status=none
	cmp pat "dd.$drv" || bad "$drv: block device data differs from what nvme write wrote"
	nvme read "$g" -s 64 -c 127 -z 65536 -d "rdg.$drv" >/dev/null || bad "$drv: nvme read $g"
	cmp pat "rdg.$drv" || bad "$drv: generic node read differs"
done
both_ok compare compare @B -s 64 -c 127 -z 65536 -d pat
both compare-miss compare @B -s 64 -c 127 -z 65536 -d zero
grep -qx 'rc=0' "$O/compare-miss.lnvme" && bad "compare with wrong data succeeded on lnvme"
both_ok flush flush @B
both_ok flush-ctrl flush @C -n 1
both_ok write-zeroes write-zeroes @B -s 64 -c 63
for drv in lnvme nvme; do
	[ $drv = lnvme ] && b=$LB || b=$KB
	nvme read "$b" -s 64 -c 127 -z 65536 -d "wz.$drv" >/dev/null || bad "$drv: read after write-zeroes"
	cmp <(head -c 32768 zero) <(head -c 32768 "wz.$drv") || bad "$drv: write-zeroes range not zero"
	cmp <(tail -c 32768 pat) <(tail -c 32768 "wz.$drv") || bad "$drv: write-zeroes went past its range"
done
both_ok dsm dsm @B --ad -s 64 -b 64
both_ok dsm-multi dsm @B --ad -s 1000,3000 -b 8,16
log "io-passthru / admin-passthru"
head -c 4096 /dev/urandom >pat4k
both_ok io-pt-write io-passthru @G -o 1 -n 1 --cdw10=200 --cdw12=7 -l 4096 -w -i pat4k
both_ok io-pt-read-len io-passthru @G -o 2 -n 1 --cdw10=200 --cdw12=7 -l 4096 -r
for drv in lnvme nvme; do
	if [ $drv = lnvme ]; then b=$LB g=$LG c=$LC; else b=$KB g=$KG c=$KC; fi
	nvme io-passthru "$g" -o 2 -n 1 --cdw10=200 --cdw12=7 -l 4096 -r -b >"iop.$drv" 2>/dev/null ||
		bad "$drv: io-passthru read"
	cmp pat4k "iop.$drv" || bad "$drv: io-passthru read returned other data than io-passthru wrote"
	nvme io-passthru "$b" -o 2 -n 1 --cdw10=200 --cdw12=7 -l 4096 -r -b >"iopb.$drv" 2>/dev/null ||
		bad "$drv: io-passthru read on the block device"
	cmp pat4k "iopb.$drv" || bad "$drv: io-passthru read via the block device differs"
	nvme id-ctrl "$c" -b >"idc.$drv" || bad "$drv: id-ctrl -b"
	nvme admin-passthru "$c" -o 6 --cdw10=1 -l 4096 -r -b >"ap.$drv" 2>/dev/null || bad "$drv: admin-passthru identify"
	cmp "idc.$drv" "ap.$drv" || bad "$drv: admin-passthru identify bytes differ from id-ctrl -b"
	nvme id-ns "$b" -b >"idn.$drv" || bad "$drv: id-ns -b"
	nvme admin-passthru "$c" -o 6 -n 1 --cdw10=0 -l 4096 -r -b >"apn.$drv" 2>/dev/null || bad "$drv: admin-passthru id-ns"
	cmp "idn.$drv" "apn.$drv" || bad "$drv: admin-passthru identify namespace differs from id-ns -b"
done
cmp <(sed 's/lnvme-ctl[0-9]/SERIAL/; s/lnvme-subsys[0-9]/SUBSYS/' idc.lnvme) \
	<(sed 's/lnvme-ctl[0-9]/SERIAL/; s/lnvme-subsys[0-9]/SUBSYS/' idc.nvme) ||
	bad "identify controller bytes differ between lnvme and nvme"
cmp idn.lnvme idn.nvme || bad "identify namespace bytes differ between lnvme and nvme"
both_ok admin-pt-getlog admin-passthru @C -o 2 --cdw10=0x007f0002 --namespace-id=0xffffffff -l 512 -r
both admin-pt-badop admin-passthru @C -o 0xc7 -l 0
both io-pt-badop io-passthru @G -o 0x7e -n 1
both io-pt-oor io-passthru @G -o 2 -n 1 --cdw10=0xfffffff0 --cdw12=15 -l 8192 -r

log "sysfs"
s=/sys/class/lnvme/${LC#/dev/}
[ -d "$s" ] || fail "no $s"
for a in model serial firmware_rev state queue_count default_queues read_queues poll_queues \
	io_queue_depth admin_queue_depth interrupt_vectors max_hw_kb sgl_supported sgl_threshold \
	shadow_doorbells; do
	v=$(cat "$s/$a" 2>&1) || { bad "sysfs $a not readable: $v"; continue; }
	echo "  $a: $v"
	case $a in
	model | serial | firmware_rev | state) [ -n "$v" ] || bad "sysfs $a is empty" ;;
	*) [[ $v =~ ^[0-9]+$ ]] || bad "sysfs $a is not a number: '$v'" ;;
	esac
	printf -v "sys_$a" %s "$v"
done
# shellcheck disable=SC2154
{
	mn=$(nvme id-ctrl "$LC" -o json | jq -r .mn | sed 's/ *$//')
	sn=$(nvme id-ctrl "$LC" -o json | jq -r .sn | sed 's/ *$//')
	fr=$(nvme id-ctrl "$LC" -o json | jq -r .fr | sed 's/ *$//')
	mdts=$(nvme id-ctrl "$LC" -o json | jq -r .mdts)
	sgls=$(nvme id-ctrl "$LC" -o json | jq -r .sgls)
	[ "$sys_model" = "$mn" ] || bad "sysfs model '$sys_model' != id-ctrl mn '$mn'"
	[ "$sys_serial" = "$sn" ] || bad "sysfs serial '$sys_serial' != id-ctrl sn '$sn'"
	[ "$sys_serial" = lnvme-ctl0 ] || bad "sysfs serial '$sys_serial' != lnvme-ctl0"
	[ "$sys_firmware_rev" = "$fr" ] || bad "sysfs firmware_rev '$sys_firmware_rev' != id-ctrl fr '$fr'"
	[ "$sys_state" = live ] || bad "sysfs state '$sys_state'"
	[ "$sys_queue_count" -ge 1 ] || bad "queue_count $sys_queue_count"
	[ "$sys_queue_count" = $((sys_default_queues + sys_read_queues + sys_poll_queues)) ] ||
		bad "queue_count $sys_queue_count != default+read+poll"
	{ [ "$sys_io_queue_depth" -ge 2 ] && [ "$sys_admin_queue_depth" -ge 2 ]; } || bad "queue depths"
	[ "$sys_interrupt_vectors" -ge 1 ] || bad "interrupt_vectors $sys_interrupt_vectors"
	# MDTS 2^mdts pages of 4 KiB (0: no limit)
	[ "$mdts" = 0 ] || [ "$sys_max_hw_kb" -le $((4 << mdts)) ] || bad "max_hw_kb $sys_max_hw_kb > MDTS"
	[ "$sys_max_hw_kb" -gt 0 ] || bad "max_hw_kb 0"
	[ $(((sgls & 3) != 0)) = "$sys_sgl_supported" ] || bad "sgl_supported $sys_sgl_supported, id-ctrl sgls $sgls"
	[ "$(cat "/sys/block/${LB#/dev/}/queue/max_hw_sectors_kb")" = "$sys_max_hw_kb" ] ||
		bad "max_hw_kb != queue/max_hw_sectors_kb"
}
for a in reset_controller rescan_controller; do
	[ -e "$s/$a" ] || { bad "no $s/$a"; continue; }
	cat "$s/$a" >/dev/null 2>&1 && bad "$a is readable"
done
echo 1 >"$s/rescan_controller" || bad "write to rescan_controller failed"
echo 1 >"$s/reset_controller" || bad "write to reset_controller failed"
for _ in $(seq 50); do [ "$(cat "$s/state")" = live ] && break; sleep 0.1; done
[ "$(cat "$s/state")" = live ] || bad "state after reset_controller: $(cat "$s/state")"

log "reset / ns-rescan"
both_ok reset reset @C
[ "$(cat "$s/state")" = live ] || bad "state after nvme reset: $(cat "$s/state")"
both_ok ns-rescan ns-rescan @C
both_ok id-ns-after-reset id-ns @B
nvme read "$LB" -s 64 -c 127 -z 65536 -d rd2 >/dev/null || bad "read after reset"
cmp wz.lnvme rd2 || bad "data changed across reset"
both reset-ns reset @B
both subsystem-reset subsystem-reset @C
grep -qx 'rc=0' "$O/subsystem-reset.lnvme" && bad "subsystem-reset succeeded on lnvme"

log "nvme list"
nvme list >list.txt 2>&1 || bad "nvme list failed"
cat list.txt
grep -q "$KB" list.txt || bad "nvme list lost the in-kernel device"
nvme list -o json >list.json 2>&1 || bad "nvme list -o json failed"
jq -e . list.json >/dev/null || bad "nvme list -o json is not JSON"
nvme list -v >/dev/null 2>&1 || bad "nvme list -v failed"
nvme list-subsys >/dev/null 2>&1 || bad "nvme list-subsys failed"

check_dmesg
[ ${#errs[@]} = 0 ] || fail "${#errs[@]} differences: $(printf '[%s] ' "${errs[@]}")"
echo "PASS: nvme-cli on lnvme matches the in-kernel driver"
