#!/bin/bash
# tests/vm/run fails when the guest kernel crashes or logs an Oops/WARNING,
# even when the command itself succeeds.
# timeout: 120
. "$TOP/tests/lib/common.sh"

log "sysrq crash"
r=$(mktemp -d); trap 'rm -rf "$r"' EXIT
vm --results "$r" -- sh -c 'echo c > /proc/sysrq-trigger'
rc=$?
[ $rc = 125 ] || fail "sysrq crash: expected 125, got $rc"

log "fake WARNING: and Oops lines in the kernel log"
err=$(vm --results "$r" -- sh -c 'echo "WARNING: CPU: 0 PID: 1 at fake/harness.c:1" > /dev/kmsg; echo "Oops: fake harness oops" > /dev/kmsg; true' 2>&1 >/dev/null)
rc=$?
echo "$err"
[ $rc = 125 ] || fail "fake WARNING: expected 125, got $rc"
grep -q 'WARNING: CPU: 0 PID: 1 at fake/harness.c:1' <<<"$err" || fail "WARNING line not reported"
grep -q 'Oops: fake harness oops' <<<"$err" || fail "Oops line not reported"
