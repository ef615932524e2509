#!/bin/bash
# The event work and a reset never both send an event request.
# backend=throttle, two namespaces, QEMU's Asynchronous Event Request Limit
# at 1 (aerl=0), so a second outstanding event request is refused with
# status "AER Limit Exceeded".  Namespace 2 is detached (nvme detach-ns);
# then, with the backend throttled to 500 bytes/s, it is attached again: the
# attach ioctl's rescan and the event work's rescan (after the Namespace
# Attribute Changed event) both want ns_lock, and one of them adds the disk,
# whose partition scan waits for the throttled backend.  So the event work
# is between handling its event and sending the next event request when the
# test resets the controller (nvme reset).  The reset sends its event
# request; the event work, once its rescan ends, must not send another.
# Afterwards: no "async event request failed" in the kernel log, the reset
# and the attach succeed, the controller is live, lnvme0n2 is back, and a
# further detach is still reported by an async event (an event request is
# outstanding).
# timeout: 240
. "$(dirname "$0")/lib/common.sh" || exit 1
# shellcheck source=err/lib.sh
. "$TOP/tests/err/lib.sh" || exit 1
if [ -z "${IN_VM:-}" ]; then
	need_module
	r=$(mktemp -d "${TMPDIR:-/tmp}/err-aer.XXXXXX")
	rm -rf "$TOP/results/err-events-during-reset.failed"
	trap 'kill $vmpid 2>/dev/null; rm -rf "$r"' EXIT
	"$VM" --timeout 220 --results "$r" --qmp "$r/qmp.sock" \
		--nvme lnvme,backend=throttle,size=16M,namespaces=2,aerl=0 -- "$0" guest &
	vmpid=$!
	wait_file "$r/stall" 180 || { wait $vmpid; cp -r "$r" "$TOP/results/err-events-during-reset.failed"; fail "guest never asked for the stall"; }
	log "host: throttle to 500 bytes/s"
	qmp_ok "$r/qmp.sock" '{"execute":"qom-set","arguments":{"path":"/objects/tg0","property":"limits","value":{"bps-total":500}}}'
	touch "$r/stalled"
	wait_file "$r/restore" 120 || { wait $vmpid; cp -r "$r" "$TOP/results/err-events-during-reset.failed"; fail "guest never asked to restore"; }
	log "host: restore"
	qmp_ok "$r/qmp.sock" '{"execute":"qom-set","arguments":{"path":"/objects/tg0","property":"limits","value":{"bps-total":0}}}'
	touch "$r/restored"
	wait $vmpid
	rc=$?
	vmpid=
	[ $rc = 0 ] || { cp -r "$r" "$TOP/results/err-events-during-reset.failed"; fail "VM run failed ($rc)"; }
	echo "PASS"
	exit 0
fi

ctl=${VM_NVME_CTRL_0:-}
[ -c "$ctl" ] || fail "no lnvme controller"
read -r -a disks <<<"${VM_NVME_DISKS_0:-}"
[ ${#disks[@]} = 2 ] || fail "want 2 namespaces, have '${VM_NVME_DISKS_0:-}'"
ns2=${disks[1]}
cntlid=$(nvme id-ctrl "$ctl" -o json | jq .cntlid) || fail "nvme id-ctrl"
echo "cntlid $cntlid"
nev() { dmesg | grep -c 'async event: type 2 info 0x0 log page 0x4'; }
wait_nev() { # N SECS: wait for at least N namespace-change events
	local end=$((SECONDS + $2))
	while [ "$(nev)" -lt "$1" ]; do
		[ $SECONDS -ge $end ] && return 1
		sleep 0.2
	done
}

log "detach namespace 2"
nvme detach-ns "$ctl" -n 2 -c "$cntlid" || fail "detach-ns"
wait_nev 1 20 || fail "no async event for the detach"
for _ in $(seq 50); do [ -b "$ns2" ] || break; sleep 0.2; done
[ -b "$ns2" ] && fail "$ns2 still there after the detach"

log "attach it again with the backend throttled, and reset meanwhile"
touch "$VM_RESULTS/stall"
wait_file "$VM_RESULTS/stalled" 60 || fail "host never throttled the backend"
dmesg_mark "attach"
nvme attach-ns "$ctl" -n 2 -c "$cntlid" >/tmp/attach.log 2>&1 &
attach=$!
wait_nev 2 20 || fail "no async event for the attach"
# The event work now reads the log page and rescans: it waits for ns_lock or
# for the new disk's partition scan.
sleep 2
dmesg_mark "reset"
nvme reset "$ctl" >/tmp/reset.log 2>&1 &
reset=$!
for _ in $(seq 100); do
	dmesg | sed -n '/lnvme-test: reset/,$p' | grep -q 'reset complete' && break
	sleep 0.2
done
dmesg | sed -n '/lnvme-test: reset/,$p' | grep -q 'reset complete' || fail "the reset did not complete in 20 s"
sleep 2
touch "$VM_RESULTS/restore"
wait_file "$VM_RESULTS/restored" 60 || fail "host never restored the backend"
for p in $attach $reset; do
	timeout 90 bash -c "while kill -0 $p 2>/dev/null; do sleep 0.5; done" || { dump_stuck $p; fail "nvme attach-ns or reset still running 90 s after the restore"; }
done
wait $attach || { cat /tmp/attach.log; fail "attach-ns failed"; }
wait $reset || { cat /tmp/reset.log; fail "nvme reset failed"; }
sleep 3
dmesg | sed -n '/lnvme-test: attach/,$p' | grep -E lnvme | grep -v lnvme-vm
dmesg | grep -E 'async event request failed' && fail "the event work sent a second event request after the reset sent one"
st=$(lnvme_state 0)
[ "$st" = live ] || fail "controller state $st, want live"
for _ in $(seq 50); do [ -b "$ns2" ] && break; sleep 0.2; done
[ -b "$ns2" ] || fail "$ns2 not back after the attach"

log "an event request is still outstanding: detach again"
n=$(nev)
nvme detach-ns "$ctl" -n 2 -c "$cntlid" || fail "second detach-ns"
wait_nev $((n + 1)) 20 || fail "no async event for the second detach: no event request outstanding"
sleep 1
dmesg | grep -E 'async event request failed' && fail "async event request failed after the second detach"
check_dmesg
echo "PASS: event request and reset raced; one event request outstanding throughout ($(nev) namespace events)"
