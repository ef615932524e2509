#!/bin/bash
# --timeout kills the guest, fails the run, and leaves no QEMU behind.
# timeout: 120
. "$TOP/tests/lib/common.sh"
r=$(mktemp -d); trap 'rm -rf "$r"' EXIT

start=$SECONDS
vm --results "$r" --timeout 20 -- sleep 1000
rc=$?
secs=$((SECONDS - start))
echo "rc $rc after ${secs}s"
[ $rc = 124 ] || fail "expected exit 124, got $rc"
[ $secs -le 27 ] || fail "took ${secs}s, more than ~25"
sleep 1
if pgrep -f "qemu-system-x86_64.*$r" >/dev/null; then
	pgrep -af "qemu-system-x86_64.*$r"
	fail "QEMU still running"
fi
