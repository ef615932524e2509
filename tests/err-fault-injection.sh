#!/bin/bash
# Fault injection on the debug kernel (always: the stock kernel has none).
# failslab and fail_page_alloc, restricted by their stack filter to
# allocations with lnvme in the call chain (require-start/end = the
# module's address range), fail 1 in 4 of those allocations during:
#   probe (unbind/bind, 4 times), namespace rescans (4), controller resets
#   (4), passthrough commands (nvme-cli admin and I/O, 20);
# fail_function makes lnvme_list_alloc() (descriptor lists, the I/O path)
# fail 1 in 5 calls under fio verify with 64k-256k blocks, lnvme_sg_alloc()
# (the pooled scatterlist table of a many-segment request) likewise, and
# lnvme_ns_add_disk() (device_add_disk) fail once in a probe; make-it-fail
# with fail_make_request makes the disk's bios fail.
# Every injected failure must end in a clean error or a retry: after each
# round, with injection off, the controller is bound (bound again by hand
# if the injected failure made probe or reset give up), its namespaces are
# disks, and data written before reads back intact; the I/O path sees no
# error at all (a failed list allocation is a retry); make-it-fail errors
# reach the caller and nothing else.  Finally lnvme unloads, and the
# harness's kmemleak scan and DMA-API error count must be clean.
# The allocation-failure warnings the page allocator prints (with a Call
# Trace) are expected here and allowed; every checker report is not.
# debug-kernel-only: needs the debug kernel; listed in tests/debug.list
# timeout: 900
# debug-timeout: 900
. "$(dirname "$0")/lib/common.sh" || exit 1
if [ -z "${IN_VM:-}" ]; then
	need_module
	exec "$VM" --kernel debug --timeout 280 --smp 2 \
		--allow 'Call Trace' --allow 'page allocation failure' \
		--nvme lnvme,backend=file,size=128M,namespaces=2 -- "$0" guest
fi

dbg=/sys/kernel/debug
pci=$VM_NVME_PCI_0
ctl=$VM_NVME_CTRL_0
drv=/sys/bus/pci/drivers/lnvme
[ -d $dbg/failslab ] && [ -d $dbg/fail_page_alloc ] && [ -d $dbg/fail_function ] &&
	[ -e $dbg/fail_make_request ] || fail "this kernel has no fault injection (run it with --kernel debug)"
[ -e $dbg/failslab/require-start ] || fail "no stack filter (FAULT_INJECTION_STACKTRACE_FILTER) in this kernel"

injected() { dmesg | grep -c 'FAULT_INJECTION: forcing a failure'; }
disks() { for d in /sys/block/lnvme*; do [ -e "$d" ] && echo "${d##*/}"; done; }

# knob DIR PROB: fail PROB % of the allocations lnvme makes (0: off).
knob() {
	local d=$dbg/$1 range
	if [ "$2" = 0 ]; then
		echo 0 >"$d/probability"
		return
	fi
	# "lnvme SIZE REFS DEPS STATE ADDR": the module's memory.  Hex in and
	# out (debugfs takes 0x...): the addresses do not fit a signed number.
	range=$(awk '$1 == "lnvme" { print $6, $2 }' /proc/modules)
	[ -n "$range" ] || fail "lnvme is not loaded"
	set -- "$1" "$2" $range
	# Every filter must be in place before any failure is injected: an
	# unfiltered failslab fails the whole guest.
	{
		echo "$3" >"$d/require-start" &&
			printf '%#x\n' "$(($3 + $4))" >"$d/require-end" &&
			echo 32 >"$d/stacktrace-depth" &&
			echo N >"$d/task-filter" &&
			echo N >"$d/ignore-gfp-wait" &&
			echo 1 >"$d/interval" &&
			echo -1 >"$d/times" &&
			echo 0 >"$d/space" &&
			echo 1 >"$d/verbose"
	} || fail "cannot set up $1's filters"
	echo "$2" >"$d/probability"
}
inject() { knob failslab "$1"; knob fail_page_alloc "$1"; }

# bound: the controller is bound to lnvme, live, and has its 2 disks.
bound() {
	local i
	for i in $(seq 100); do
		[ -e "$drv/$pci" ] && [ "$(disks | wc -l)" = 2 ] &&
			[ "$(cat /sys/class/lnvme/lnvme*/state 2>/dev/null)" = live ] && return 0
		sleep 0.2
	done
	return 1
}

# recover WHAT: with injection off, bring the controller back if the
# injected failure made it give up (clean error), then check the data.
recovered=0
recover() {
	inject 0
	sleep 1
	if ! bound; then
		recovered=$((recovered + 1))
		echo "$1: controller gave up (state $(cat /sys/class/lnvme/lnvme*/state 2>/dev/null || echo unbound)), binding again"
		[ -e "$drv/$pci" ] && echo "$pci" >"$drv/unbind"
		echo "$pci" >"$drv/bind" || fail "$1: bind without injection failed"
		bound || fail "$1: controller not live with 2 disks after a clean bind"
	fi
	check_data "$1"
}

ref=/tmp/ref.bin
head -c 1M /dev/urandom >$ref
write_ref() { dd if=$ref of=/dev/lnvme0n1 bs=1M count=1 oflag=direct status=none || fail "write ref"; }
check_data() {
	cmp <(dd if=/dev/"$(disks | head -n1)" bs=1M count=1 iflag=direct status=none) $ref ||
		fail "$1: data written before does not read back"
}

bound || fail "controller not bound at start"
write_ref
declare -A count

n0=$(injected)
for i in $(seq 4); do
	echo "$pci" >"$drv/unbind" || fail "unbind $i"
	inject 25
	echo "$pci" >"$drv/bind" 2>/dev/null || echo "probe $i: bind failed: clean error"
	sleep 2
	recover "probe $i"
done
count[probe]=$(($(injected) - n0))

n0=$(injected)
for i in $(seq 4); do
	inject 25
	nvme ns-rescan "$ctl" 2>/dev/null || echo "rescan $i: error (clean)"
	sleep 1
	inject 0
	nvme ns-rescan "$ctl" || fail "rescan without injection"
	recover "rescan $i"
done
count[rescan]=$(($(injected) - n0))

n0=$(injected)
for i in $(seq 4); do
	inject 25
	timeout 60 nvme reset "$ctl" 2>/dev/null || echo "reset $i: error (clean)"
	recover "reset $i"
done
count[reset]=$(($(injected) - n0))

n0=$(injected)
pt_err=0
inject 25
for i in $(seq 10); do
	nvme id-ctrl "$ctl" >/dev/null 2>&1 || pt_err=$((pt_err + 1))
	nvme read /dev/lnvme0n1 -s 0 -c 7 -z 4096 -d /dev/null >/dev/null 2>&1 || pt_err=$((pt_err + 1))
done
recover passthrough
nvme id-ctrl "$ctl" >/dev/null || fail "id-ctrl without injection"
count[passthrough]=$(($(injected) - n0))
echo "passthrough: $pt_err of 20 commands failed under injection"

# device_add_disk() failing (fail_function on lnvme_ns_add_disk) during a
# probe: that namespace gets no disk and nothing leaks; a rescan adds it.
n0=$(injected)
echo "$pci" >"$drv/unbind" || fail "unbind before add_disk injection"
echo lnvme_ns_add_disk >$dbg/fail_function/inject
printf '%#x\n' -12 >$dbg/fail_function/lnvme_ns_add_disk/retval
echo 100 >$dbg/fail_function/probability
echo 1 >$dbg/fail_function/interval
echo 1 >$dbg/fail_function/times
echo 1 >$dbg/fail_function/verbose
echo "$pci" >"$drv/bind" || fail "bind with add_disk injection"
sleep 2
echo "add_disk: $(disks | wc -l) of 2 disks after the injected failure"
echo >$dbg/fail_function/inject
nvme ns-rescan "$ctl" || fail "rescan after add_disk injection"
recover add_disk
count[add_disk]=$(($(injected) - n0))
[ "${count[add_disk]}" = 1 ] || fail "add_disk: ${count[add_disk]} injections, want 1"

# The I/O path: a failed descriptor-list allocation is a retry, not an error.
echo lnvme_list_alloc >$dbg/fail_function/inject
echo 0 >$dbg/fail_function/lnvme_list_alloc/retval
echo 20 >$dbg/fail_function/probability
echo 1 >$dbg/fail_function/interval
echo -1 >$dbg/fail_function/times
echo 1 >$dbg/fail_function/verbose
n0=$(injected)
fio --name=lists --filename=/dev/lnvme0n2 --direct=1 --ioengine=libaio --iodepth=16 \
	--rw=randwrite --bsrange=64k-256k --size=32m --verify=crc32c --verify_fatal=1 \
	--do_verify=1 --random_generator=lfsr --output=/tmp/fio-lists.log ||
	{ cat /tmp/fio-lists.log; fail "fio verify with failing list allocations"; }
count[list_alloc]=$(($(injected) - n0))
echo >$dbg/fail_function/inject
[ "${count[list_alloc]}" -gt 0 ] || fail "fail_function injected nothing into lnvme_list_alloc"

# The same for the pooled scatterlist table of a request with more segments
# than the iod holds inline (fio's buffers are pages scattered in memory).
echo lnvme_sg_alloc >$dbg/fail_function/inject
echo 0 >$dbg/fail_function/lnvme_sg_alloc/retval
n0=$(injected)
fio --name=tables --filename=/dev/lnvme0n2 --direct=1 --ioengine=libaio --iodepth=16 \
	--rw=randwrite --bsrange=64k-256k --size=32m --verify=crc32c --verify_fatal=1 \
	--do_verify=1 --random_generator=lfsr --output=/tmp/fio-tables.log ||
	{ cat /tmp/fio-tables.log; fail "fio verify with failing scatterlist tables"; }
count[sg_alloc]=$(($(injected) - n0))
echo >$dbg/fail_function/inject
[ "${count[sg_alloc]}" -gt 0 ] || fail "fail_function injected nothing into lnvme_sg_alloc"

# make-it-fail: bios of the disk fail at submission; the caller sees EIO.
echo 1 >/sys/block/lnvme0n1/make-it-fail
echo 100 >$dbg/fail_make_request/probability
echo 1 >$dbg/fail_make_request/interval
echo 10 >$dbg/fail_make_request/times
echo 1 >$dbg/fail_make_request/verbose
n0=$(injected)
mif_err=0
for i in $(seq 10); do
	dd if=/dev/lnvme0n1 of=/dev/null bs=4k count=1 iflag=direct status=none 2>/dev/null ||
		mif_err=$((mif_err + 1))
done
count[make_it_fail]=$(($(injected) - n0))
echo 0 >/sys/block/lnvme0n1/make-it-fail
[ $mif_err -gt 0 ] || fail "make-it-fail: no read saw an error"
check_data make-it-fail

for k in "${!count[@]}"; do echo "injected $k: ${count[$k]}"; done
echo "controller given up and bound again: $recovered"
[ "${count[probe]}" -gt 0 ] && [ "${count[reset]}" -gt 0 ] ||
	fail "injection did not reach probe/reset (probe ${count[probe]}, reset ${count[reset]})"
check_dmesg 'BUG:|WARNING:|KASAN|DMA-API: [^ ]+ [^ ]+: |circular locking|inconsistent lock|sleeping function'
rmmod lnvme || fail "rmmod lnvme after fault injection"
echo "PASS: fault injection (reads: $mif_err of 10 failed under make-it-fail)"
