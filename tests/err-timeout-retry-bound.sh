#!/bin/bash
# A command that always times out fails after max_retries instead of going
# round timeout, reset and retry for ever.  backend=throttle, io_timeout=1,
# max_retries=1.  Once the guest is up, the host throttles the backend to
# 500 bytes/s: every 4 KiB read then takes about 8 s in QEMU, so it times
# out, is aborted (QEMU answers "not aborted"), times out again and makes
# lnvme reset the controller, which hands it back; that hand-back must
# count as a retry.  A direct read must fail with EIO after exactly
# max_retries + 1 resets and be logged as a timed out request "after
# retries"; the controller must stay live, and once the host lifts the
# limit the same block must read fine.
# timeout: 240
. "$(dirname "$0")/lib/common.sh" || exit 1
# shellcheck source=err/lib.sh
. "$TOP/tests/err/lib.sh" || exit 1
RETRIES=1
if [ -z "${IN_VM:-}" ]; then
	need_module
	r=$(mktemp -d "${TMPDIR:-/tmp}/err-retry-bound.XXXXXX")
	trap 'kill $vmpid 2>/dev/null; rm -rf "$r"' EXIT
	"$VM" --timeout 220 --results "$r" --qmp "$r/qmp.sock" \
		--modparam "io_timeout=1 admin_timeout=5 max_retries=$RETRIES" \
		--nvme lnvme,backend=throttle,size=16M -- "$0" guest &
	vmpid=$!
	wait_file "$r/ready" 180 || { wait $vmpid; fail "guest never got ready"; }
	log "host: throttle to 500 bytes/s"
	qmp_ok "$r/qmp.sock" '{"execute":"qom-set","arguments":{"path":"/objects/tg0","property":"limits","value":{"bps-total":500}}}'
	touch "$r/throttled"
	# (dd waits uninterruptibly for its I/O: a read retried for ever never ends.)
	wait_file "$r/read-done" 120 || fail "the guest's read did not end within 120 s: a command that always times out is retried for ever"

	log "host: lift the limit"
	qmp_ok "$r/qmp.sock" '{"execute":"qom-set","arguments":{"path":"/objects/tg0","property":"limits","value":{"bps-total":0}}}'
	touch "$r/unthrottled"
	wait $vmpid
	rc=$?
	vmpid=
	[ $rc = 0 ] || { rm -rf "$TOP/results/err-timeout-retry-bound.failed"; cp -r "$r" "$TOP/results/err-timeout-retry-bound.failed"; fail "VM run failed ($rc)"; }
	echo "PASS"
	exit 0
fi

dev=${VM_NVME_DISKS_0:-}
[ -b "$dev" ] || fail "no lnvme disk"
name=${dev#/dev/}
[ "$(cat /sys/module/lnvme/parameters/max_retries)" = $RETRIES ] || fail "max_retries not $RETRIES"
touch "$VM_RESULTS/ready"
wait_file "$VM_RESULTS/throttled" 60 || fail "host never throttled the backend"
# The throttle's bucket lets one request through at once; later ones wait.
dd if="$dev" of=/dev/null bs=4k count=1 skip=100 iflag=direct 2>/dev/null
dmesg_mark "read"
a=$(ms_now)
timeout 90 dd if="$dev" of=/dev/null bs=4k count=1 iflag=direct 2>/tmp/dd.err
rc=$?
took=$(($(ms_now) - a))
touch "$VM_RESULTS/read-done"
cat /tmp/dd.err
echo "dd rc $rc after $took ms"
dmesg | sed -n '/lnvme-test: read/,$p' >/tmp/read.log
grep -E 'lnvme|I/O error' /tmp/read.log | grep -v lnvme-test
[ $rc != 124 ] || fail "read still waiting after 90 s: a timed-out command is retried for ever"
[ $rc != 0 ] || fail "the read of a block that never completes in time succeeded"
grep -q 'Input/output error' /tmp/dd.err || fail "the read did not fail with EIO"
nreset=$(grep -c 'resetting controller' /tmp/read.log)
[ "$nreset" = $((RETRIES + 1)) ] || fail "$nreset resets for one read, want max_retries + 1 = $((RETRIES + 1))"
grep -qE "$name: READ \(opcode 0x2\) LBA 0, 8 blocks: status 0x371 \(timed out\), after retries" /tmp/read.log ||
	fail "no 'timed out, after retries' error line for the read"
st=$(lnvme_state 0)
[ "$st" = live ] || fail "controller state $st, want live"
wait_file "$VM_RESULTS/unthrottled" 60 || fail "host never lifted the limit"
timeout 30 dd if="$dev" of=/dev/null bs=4k count=1 iflag=direct || fail "the block does not read once the backend is fast again"
check_dmesg
echo "PASS: read failed with EIO after $took ms and $nreset resets (max_retries=$RETRIES); controller live"
