#!/bin/bash
# The controller's health, through nvme-cli and hwmon, on QEMU's emulated
# temperature (323 K, over-temperature threshold 343 K):
# - the lnvme hwmon device's temp1_input, temp1_max, temp1_min and
#   temp1_crit match nvme smart-log, get-feature 4 (both thresholds) and
#   id-ctrl's cctemp; writing temp1_max sets the threshold (get-feature 4
#   reads it back);
# - SMART/health async events: setting the over-temperature threshold below
#   the current temperature (nvme set-feature -f 4 on /dev/lnvme0) raises
#   a SMART event; the driver logs the critical warning once, reads the
#   SMART log (clearing the event) and re-arms: a second crossing while the
#   warning is still set is handled (one more "async event" line) without a
#   second warning line; after the threshold is restored a read of
#   temp1_alarm sees the warning clear, and the next crossing logs it again;
# - hwmon reads while the controller resets answer a value or -EBUSY,
#   never hang; the kernel log is clean.
# timeout: 300
. "$(dirname "$0")/lib/common.sh" || exit 1
if [ -z "${IN_VM:-}" ]; then
	need_module
	exec "$VM" --timeout 280 --nvme lnvme,backend=file,size=64M -- "$0" guest
fi

ctl=${VM_NVME_CTRL_0:-}
[ -c "$ctl" ] || fail "no lnvme controller"
hw=
for h in /sys/class/hwmon/hwmon*; do
	[ "$(cat "$h/name" 2>/dev/null)" = lnvme ] && hw=$h
done
[ -n "$hw" ] || fail "no hwmon device named lnvme"
echo "hwmon: $hw ($(readlink -f "$hw/device"))"
ls "$hw"

kelvin() { nvme smart-log "$ctl" | sed -nE 's/^temperature[^(]*\(([0-9]+) Kelvin\).*/\1/p'; }
feat4() { # [under]: the threshold in Kelvin from nvme get-feature
	local v=0
	[ "${1:-}" = under ] && v=$((1 << 20))
	printf '%d\n' "$(nvme get-feature "$ctl" -f 4 --cdw11=$v | sed -nE 's/.*Current value: *(0x[0-9a-fA-F]+).*/\1/p')"
}
mc() { echo $(($1 * 1000 - 273150)); }
warnings() { dmesg | grep -c 'SMART critical warning: temperature threshold crossed'; }
events() { dmesg | grep -c 'async event: type 1 info 0x1 log page 0x2'; }
wait_events() { # N: wait up to 20 s for N SMART events handled
	local end=$((SECONDS + 20))
	while [ "$(events)" -lt "$1" ]; do
		[ $SECONDS -ge $end ] && return 1
		sleep 0.2
	done
	sleep 1
}

log "hwmon against nvme-cli"
k=$(kelvin)
[ -n "$k" ] || fail "no temperature in nvme smart-log: $(nvme smart-log "$ctl" 2>&1 | head -5)"
t=$(cat "$hw/temp1_input") || fail "temp1_input read failed"
echo "smart-log: $k K; temp1_input: $t"
[ "$t" = "$(mc "$k")" ] || fail "temp1_input $t, smart-log says $k K = $(mc "$k")"
hi=$(feat4) lo=$(feat4 under)
max=$(cat "$hw/temp1_max") min=$(cat "$hw/temp1_min")
echo "thresholds: over $hi K, under $lo K; temp1_max $max, temp1_min $min"
[ "$max" = "$(mc "$hi")" ] || fail "temp1_max $max, get-feature 4 says $hi K"
[ "$min" = "$(mc "$lo")" ] || fail "temp1_min $min, get-feature 4 (under) says $lo K"
cc=$(nvme id-ctrl "$ctl" | sed -nE 's/^cctemp *: *([0-9]+).*/\1/p')
if [ -n "$cc" ] && [ "$cc" != 0 ]; then
	crit=$(cat "$hw/temp1_crit") || fail "temp1_crit read failed"
	echo "cctemp $cc K; temp1_crit $crit"
	[ "$crit" = "$(mc "$cc")" ] || fail "temp1_crit $crit, cctemp $cc K"
fi
[ "$(cat "$hw/temp1_alarm")" = 0 ] || fail "temp1_alarm set before any threshold change"
echo 60000 >"$hw/temp1_max" || fail "temp1_max write failed"
[ "$(feat4)" = 333 ] || fail "temp1_max=60000 gave a threshold of $(feat4) K, not 333"
[ "$(cat "$hw/temp1_max")" = "$(mc 333)" ] || fail "temp1_max reads $(cat "$hw/temp1_max") after writing 60000"
nvme set-feature "$ctl" -f 4 -v "$hi" >/dev/null || fail "restoring the threshold failed"
[ "$(events)" = 0 ] || fail "a SMART event without a threshold crossing"

log "threshold below the temperature: one warning"
nvme set-feature "$ctl" -f 4 -v $((k - 20)) || fail "set-feature 4 failed"
wait_events 1 || fail "no SMART event after the threshold crossing"
[ "$(warnings)" = 1 ] || fail "$(warnings) warning lines after the first crossing"
dmesg | grep -E 'SMART critical warning' | tail -n 2
[ "$(cat "$hw/temp1_alarm")" = 1 ] || fail "temp1_alarm not set while the threshold is crossed"
nvme smart-log "$ctl" | grep -E '^critical_warning'

log "crossing again while the warning is set: handled, not logged again"
nvme set-feature "$ctl" -f 4 -v $((k - 21)) || fail "set-feature 4 failed"
wait_events 2 || fail "no second SMART event: the event request was not re-armed"
[ "$(warnings)" = 1 ] || fail "the warning was logged again while still set"

log "threshold restored: the warning clears; the next crossing is logged"
nvme set-feature "$ctl" -f 4 -v "$hi" || fail "set-feature 4 failed"
[ "$(cat "$hw/temp1_alarm")" = 0 ] || fail "temp1_alarm still set after the threshold was restored"
dmesg | grep -q 'SMART critical warning 0x2 cleared' || fail "no 'cleared' line"
nvme set-feature "$ctl" -f 4 -v $((k - 20)) || fail "set-feature 4 failed"
wait_events 3 || fail "no third SMART event"
[ "$(warnings)" = 2 ] || fail "$(warnings) warning lines after the second episode, expected 2"
nvme set-feature "$ctl" -f 4 -v "$hi" >/dev/null || fail "restoring the threshold failed"
cat "$hw/temp1_alarm" >/dev/null

log "hwmon reads during controller resets"
bad=0 ok=0 busy=0
nvme reset "$ctl" &
rp=$!
for _ in $(seq 40); do
	if v=$(timeout 20 cat "$hw/temp1_input" 2>/tmp/err); then
		ok=$((ok + 1))
		[ "$v" = "$(mc "$k")" ] || bad=$((bad + 1))
	elif grep -q 'busy' /tmp/err; then
		busy=$((busy + 1))
	else
		echo "read failed: $(cat /tmp/err)"
		bad=$((bad + 1))
	fi
	kill -0 $rp 2>/dev/null || break
done
wait $rp || fail "nvme reset failed"
echo "reads during the reset: $ok values, $busy EBUSY, $bad bad"
[ $bad = 0 ] || fail "$bad bad hwmon reads during the reset"
[ "$(cat "$hw/temp1_input")" = "$(mc "$k")" ] || fail "temp1_input wrong after the reset"
dmesg | grep -E 'lnvme' | grep -vE 'taints kernel|signature' | tail -n 12
check_dmesg
echo "PASS: hwmon matches nvme-cli (temp $(mc "$k"), max/min/crit), temp1_max written; SMART events: $(events) handled, $(warnings) warnings logged (once per episode); reads during a reset: $ok ok, $busy busy"
