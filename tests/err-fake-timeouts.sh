#!/bin/bash
# Injected timeouts (the block layer's fail_io_timeout) under fio verify.
# Needs the debug kernel (CONFIG_FAIL_IO_TIMEOUT, with lnvme built for it):
# run with tests/vm/run --kernel debug.  On a kernel without the knobs the
# test fails, it does not skip.  io_timeout=2.  With
# /sys/block/lnvme0n1/io-timeout-fail set and fail_io_timeout at
# probability 100, interval 150, times 10, every 150th completion of the
# disk's requests (reads and writes) is dropped by lnvme_complete_cqe() as
# if its interrupt were lost: the request times out, is aborted (the
# controller no longer knows it: "not aborted"), times out again, and the
# reset hands it back to be sent again.  fio (randwrite with verify reads,
# QD32, 2 jobs) must end with rc 0 and no verify error; then, injection off,
# a verify-only pass over everything fio wrote must find every
# acknowledged write.  The test reports how many timeouts were injected
# (from the times counter) and the timeouts, aborts and resets they caused.
# debug-kernel-only: needs the debug kernel; listed in tests/debug.list
# timeout: 300
. "$(dirname "$0")/lib/common.sh" || exit 1
# shellcheck source=err/lib.sh
. "$TOP/tests/err/lib.sh" || exit 1
TIMES=10
if [ -z "${IN_VM:-}" ]; then
	need_module
	exec "$VM" --kernel debug --timeout 280 --modparam "io_timeout=2 admin_timeout=10" \
		--nvme lnvme,backend=file,size=128M -- "$0" guest
fi

dev=${VM_NVME_DISKS_0:-}
[ -b "$dev" ] || fail "no lnvme disk"
name=${dev#/dev/}
dbg=/sys/kernel/debug
mountpoint -q $dbg || mount -t debugfs none $dbg || fail "cannot mount debugfs"
fit=$dbg/fail_io_timeout
for f in probability interval times verbose; do
	[ -w "$fit/$f" ] || fail "kernel $(uname -r) has no $fit/$f: it lacks CONFIG_FAIL_IO_TIMEOUT (run under the debug kernel: tests/vm/run --kernel debug)"
done
[ -w "/sys/block/$name/io-timeout-fail" ] || fail "no /sys/block/$name/io-timeout-fail: the kernel lacks CONFIG_FAIL_IO_TIMEOUT"
echo "io_timeout=$(cat /sys/module/lnvme/parameters/io_timeout) max_retries=$(cat /sys/module/lnvme/parameters/max_retries)"

out=/tmp/fake
mkdir -p $out
job="--filename=$dev --direct=1 --ioengine=libaio --bs=4k --iodepth=16 --numjobs=2 --offset_increment=32m --size=24m --rw=randwrite --verify=crc32c --verify_backlog=64 --verify_fatal=1 --verify_state_save=0 --random_generator=lfsr"

log "inject: every 150th completion lost, $TIMES times"
echo 100 >$fit/probability
echo 150 >$fit/interval
echo $TIMES >$fit/times
echo 1 >$fit/verbose
echo 1 >"/sys/block/$name/io-timeout-fail"
dmesg_mark "injection on"
a=$(ms_now)
# shellcheck disable=SC2086
timeout 200 fio --name=fake $job --do_verify=1 --output-format=json --output=$out/fio.json >$out/fio.log 2>&1
frc=$?
took=$(($(ms_now) - a))
echo 0 >"/sys/block/$name/io-timeout-fail"
left=$(cat $fit/times)
injected=$((TIMES - left))
dmesg_mark "injection off"
jq -r '.jobs[] | "\(.jobname): error \(.error) write \(.write.io_bytes) read \(.read.io_bytes)"' $out/fio.json 2>/dev/null
echo "fio rc $frc in $took ms"

dmesg | sed -n '/lnvme-test: injection on/,/lnvme-test: injection off/p' >$out/dmesg
grep -E 'lnvme|I/O error|FAULT_INJECTION' $out/dmesg | awk '!seen[substr($0, index($0, "]"))]++' | head -n 40
nto=$(grep -c 'timed out' $out/dmesg)
nab=$(grep -c 'Abort of queue' $out/dmesg)
nreset=$(grep -c 'reset complete' $out/dmesg)
echo "injected timeouts: $injected (times counter $TIMES -> $left; $(grep -c 'FAULT_INJECTION: forcing a failure' $out/dmesg) logged, rate limited)"
echo "caused: $nto timeout lines, $nab aborts, $nreset resets"
[ $frc = 124 ] && fail "fio still running after 200 s (hang?)"
grep -qiE 'verify: bad|bad magic|crc32c.*mismatch|verify failed' $out/fio.log && fail "fio verify mismatch: data corrupted"
[ $frc = 0 ] || { grep -E 'error|err=' $out/fio.log | head -n 5; fail "fio rc $frc: an injected timeout became a user-visible error"; }
[ "$injected" -ge 1 ] || fail "no timeout was injected (times still $left)"
[ "$nto" -ge 1 ] || fail "injected timeouts, but no timeout handled"
[ "$nab" -ge 1 ] || fail "no Abort sent for a timed out command"
[ "$nreset" -ge 1 ] || fail "no reset recovered a timed out command"
grep -E "I/O error|$name: (READ|WRITE)" $out/dmesg && fail "the kernel logged failed I/O"
st=$(lnvme_state 0)
[ "$st" = live ] || fail "controller state $st after the injected timeouts"

log "verify-only pass, injection off: every acknowledged write is there"
# shellcheck disable=SC2086
fio --name=fake $job --verify_only >$out/verify.log 2>&1 || { tail -n 20 $out/verify.log; fail "verify-only pass failed: an acknowledged write was lost"; }
check_dmesg
echo "PASS: $injected injected timeouts -> $nto timeouts, $nab aborts, $nreset resets; fio verify clean, all acknowledged writes present"
