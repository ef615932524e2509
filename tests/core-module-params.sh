#!/bin/bash
# lnvme module parameters.
# Host: modinfo lnvme.ko describes every parameter (each parm: line has a
# description, not just a type).
# Guest: after rmmod, out-of-range values (io_queue_depth=1, max_retries=1000,
# ...) make insmod fail with EINVAL and a dmesg line naming the parameter;
# max_io_queues=1 gives one interrupt-driven I/O queue ("1 I/O queues" or
# "(1 default" in dmesg, one lnvme0qN I/O interrupt); io_queue_depth=64 works
# and fio-verified I/O passes.
# timeout: 240
. "$(dirname "$0")/lib/common.sh" || exit 1
if [ -z "${IN_VM:-}" ]; then
	need_module
	out=$(modinfo "$TOP/lnvme.ko") || fail "modinfo failed"
	parms=$(grep '^parm:' <<<"$out")
	echo "$parms"
	[ "$(grep -c . <<<"$parms")" -ge 5 ] || fail "fewer than 5 parm: lines"
	# "parm: NAME:DESCRIPTION (TYPE)"; without a description modinfo
	# prints "parm: NAME:TYPE".
	nodesc=$(grep -vE '^parm:[[:space:]]+[a-z_0-9]+:.*[[:alpha:]].*[[:space:]]\([a-z]+\)$' <<<"$parms") || true
	[ -z "$nodesc" ] || fail "parameters without a description: $nodesc"
	for p in max_io_queues io_queue_depth admin_timeout io_timeout max_retries; do
		grep -qE "^parm:[[:space:]]+$p:" <<<"$parms" || fail "no parm: line for $p"
	done
	exec "$VM" --timeout 220 --nvme lnvme,backend=file,size=128M -- "$0" guest
fi

ko=$VM_LNVME_KO
pci=${VM_NVME_PCI_0:?}
rmmod lnvme || fail "rmmod lnvme"


# Out-of-range values: insmod fails with EINVAL, dmesg names the parameter.
for bad in io_queue_depth=1 io_queue_depth=0 io_queue_depth=65537 max_retries=1000 max_retries=256 \
	admin_timeout=0 admin_timeout=3601 io_timeout=0 io_timeout=100000 max_io_queues=4096; do
	name=${bad%%=*} val=${bad#*=}
	dmesg_mark "insmod $bad"
	if insmod "$ko" "$bad" 2>/tmp/insmod.err; then
		rmmod lnvme
		fail "insmod lnvme.ko $bad succeeded"
	fi
	err=$(cat /tmp/insmod.err)
	grep -qiE 'Invalid (argument|parameters)' /tmp/insmod.err || fail "insmod $bad: not EINVAL: $err"
	[ ! -d /sys/module/lnvme ] || fail "insmod $bad: module loaded anyway"
	line=$(dmesg | sed -n "/lnvme-test: insmod $bad\$/,\$p" | grep -E "lnvme.*$name.*$val") ||
		fail "insmod $bad: no dmesg line naming $name=$val"
	echo "$bad: refused ($err); dmesg: ${line##*] }"
done
# Every parameter whose description gives a range "(MIN-MAX": MAX+1 and,
# if MIN > 0, MIN-1 must be refused too.
modinfo "$ko" | sed -nE 's/^parm:[[:space:]]+([a-z_0-9]+):.*\(([0-9]+)-([0-9]+)[,;)].*/\1 \2 \3/p' >/tmp/ranges
[ -s /tmp/ranges ] || fail "no parameter description gives a (MIN-MAX) range"
while read -r name lo hi; do
	vals=($((hi + 1)))
	[ "$lo" -gt 0 ] && vals+=($((lo - 1)))
	for val in "${vals[@]}"; do
		if insmod "$ko" "$name=$val" 2>/dev/null; then
			rmmod lnvme
			fail "insmod $name=$val accepted (description says $lo-$hi)"
		fi
		echo "$name=$val: refused (documented range $lo-$hi)"
	done
done </tmp/ranges
# Non-numeric values are refused by the kernel's parameter parser.
insmod "$ko" io_queue_depth=abc 2>/dev/null && { rmmod lnvme; fail "io_queue_depth=abc accepted"; }

# max_io_queues=1 io_queue_depth=64
extra=
# With poll queues (if the driver has them) off, the count is exactly 1.
modinfo -p "$ko" | grep -q '^poll_queues:' && extra=poll_queues=0
dmesg_mark "insmod max_io_queues=1 io_queue_depth=64"
insmod "$ko" max_io_queues=1 io_queue_depth=64 $extra || fail "insmod max_io_queues=1 io_queue_depth=64 $extra failed"
dev=$(wait_disk_of_pci "$pci") || fail "no disk after insmod max_io_queues=1 io_queue_depth=64"
[ "$(cat /sys/module/lnvme/parameters/max_io_queues)" = 1 ] || fail "parameters/max_io_queues"
[ "$(cat /sys/module/lnvme/parameters/io_queue_depth)" = 64 ] || fail "parameters/io_queue_depth"
qline=$(dmesg | sed -n '/lnvme-test: insmod max_io_queues=1 io_queue_depth=64$/,$p' | grep -E 'lnvme .*I/O queues') ||
	fail "no 'I/O queues' line in dmesg"
echo "dmesg: ${qline##*] }"
grep -qE ': 1 I/O queues' <<<"$qline" || fail "max_io_queues=1 did not give 1 I/O queue: $qline"
grep -qE 'depth 64\b' <<<"$qline" || fail "io_queue_depth=64 not applied: $qline"
nirq=$(grep -cE 'lnvme[0-9]+q[1-9][0-9]*$' /proc/interrupts) || true
grep -E 'lnvme' /proc/interrupts
[ "$nirq" = 1 ] || fail "$nirq I/O queue interrupts, want 1"
# Hardware tags per hctx (nr_requests may be 2x with an I/O scheduler).
tags=$(cat /sys/block/${dev#/dev/}/mq/0/nr_tags)
echo "hctx 0 nr_tags $tags, nr_requests $(cat /sys/block/${dev#/dev/}/queue/nr_requests), scheduler $(cat /sys/block/${dev#/dev/}/queue/scheduler)"
[ "$tags" -le 64 ] && [ "$tags" -ge 32 ] || fail "nr_tags $tags does not match io_queue_depth 64"
fio --name=qd64 --filename="$dev" --direct=1 --ioengine=libaio --iodepth=128 --numjobs=2 \
	--offset_increment=32M --size=16M --rw=randwrite --bsrange=4k-128k --verify=crc32c \
	--verify_backlog=64 --do_verify=1 --verify_fatal=1 --verify_state_save=0 \
	--cpus_allowed=0-1 --cpus_allowed_policy=split --output=/tmp/qd64.txt ||
	{ cat /tmp/qd64.txt; fail "fio verify with io_queue_depth=64 failed"; }
grep -E 'err=|WRITE:|READ:' /tmp/qd64.txt
grep -qE 'err= *[1-9]' /tmp/qd64.txt && fail "fio errors"
rmmod lnvme || fail "final rmmod"
check_dmesg
echo "PASS: module parameters"
