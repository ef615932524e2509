#!/bin/bash
# Our own ioctl fuzzer (tests/cli/ioctl-fuzz.c, built here) sends >= 100,000
# malformed NVMe ioctls (random ioctl numbers, bad/NULL/kernel pointers,
# huge data_len, flags/metadata, bidirectional and destructive opcodes in a
# form the driver must reject, wrong nsids) plus a few thousand well-formed
# commands that reach the device, in 2 processes, to /dev/lnvme0,
# /dev/lnvme0n1 and /dev/lng0n1.  Every call must return in bounded time
# with the documented error, the kernel log must stay clean, and afterwards
# reset and rescan work, `nvme id-ctrl` works and the disk passes fio verify.
# The in-kernel nvme controller in the same VM is only the reference for
# `nvme id-ctrl`.  FUZZ_SEED=N repeats a run.
# timeout: 300
. "$(dirname "$0")/lib/common.sh" || exit 1
. "$TOP/tests/cli/lib.sh" || exit 1
if [ -z "${IN_VM:-}" ]; then
	need_module
	cli_vm_with ioctl-fuzz nvme-pt -- --timeout 280 "${CLI_BOTH[@]}" -- "${FUZZ_SEED:-$(date +%s)}"
	exit
fi

bin=$2 seed=$3
[ "$VM_NVME_DRV_0" = lnvme ] || fail "controller 0 is not on lnvme"
C=$VM_NVME_CTRL_0 B=$VM_NVME_DISKS_0 G=/dev/lng0n1
for n in "$C" "$B" "$G"; do [ -c "$n" ] || [ -b "$n" ] || fail "$n missing"; done
sys=/sys/class/lnvme/${C#/dev/}
maxkb=$(cat "$sys/max_hw_kb") || fail "no $sys/max_hw_kb"
lbs=$(blockdev --getss "$B") || fail "blockdev --getss $B"
blocks=$(($(blockdev --getsize64 "$B") / lbs))
nvme id-ctrl "$C" -b >"$VM_RESULTS/id-before.bin" || fail "nvme id-ctrl $C before fuzzing"

log "fuzzing $C $B $G, seed $seed (max transfer ${maxkb} KiB, lbs $lbs, $blocks blocks)"
dmesg_mark "fuzz start seed $seed"
start=$SECONDS
timeout -s KILL 200 "$bin/ioctl-fuzz" -n 120000 -D 3000 -j 2 -t 180 -s "$seed" \
	-m $((maxkb * 1024)) -b "$lbs" -z "$blocks" "$C" "$B" "$G"
rc=$?
log "fuzzer exit $rc after $((SECONDS - start)) s"
dmesg_mark "fuzz end"
case $rc in
0) ;;
1) fail "the fuzzer saw unexpected results (seed $seed)" ;;
3 | 137) fail "ioctl calls hung (seed $seed)" ;;
*) fail "fuzzer failed with status $rc (seed $seed)" ;;
esac
check_dmesg
grep -c . <(dmesg | sed -n '/lnvme-test: fuzz start/,/lnvme-test: fuzz end/p' | grep -i lnvme) |
	sed 's/^/--- lnvme kernel log lines during fuzzing: /'
dmesg | sed -n '/lnvme-test: fuzz start/,/lnvme-test: fuzz end/p' | grep -i lnvme | sort | uniq -c |
	sort -rn | head -20

st=$(cat "$sys/state")
[ "$st" = live ] || fail "controller state after fuzzing: $st"

log "reset and rescan ioctls, each followed by identify and a read"
for i in 1 2 3 4 5; do
	run_ok "NVME_IOCTL_RESET #$i" "$bin/nvme-pt" "$C" rw reset >/dev/null
	run_ok "identify after reset #$i" "$bin/nvme-pt" "$C" rw admin 6 0 1 0 4096 /tmp/id >/dev/null
	run_ok "NVME_IOCTL_RESCAN #$i" "$bin/nvme-pt" "$C" rw rescan >/dev/null
	run_ok "read after rescan #$i" "$bin/nvme-pt" "$G" rw io 2 1 0 7 4096 /tmp/rd >/dev/null
done
[ "$(cat "$sys/state")" = live ] || fail "controller not live after resets"

log "nvme id-ctrl still works and gives the same answer"
nvme id-ctrl "$C" -b >"$VM_RESULTS/id-after.bin" || fail "nvme id-ctrl $C after fuzzing"
cmp "$VM_RESULTS/id-before.bin" "$VM_RESULTS/id-after.bin" || fail "identify controller data changed"
nvme id-ns "$G" >/dev/null || fail "nvme id-ns $G after fuzzing"

log "fio verify on $B"
cd /tmp || fail "cd /tmp"
fio --name=after-fuzz --filename="$B" --direct=1 --ioengine=libaio --iodepth=16 \
	--rw=randwrite --bs=4k --size=128M --verify=crc32c --verify_fatal=1 \
	--do_verify=1 --randrepeat=0 --output-format=terse >fio.out 2>&1 ||
	{ cat fio.out; fail "fio verify on $B after fuzzing"; }
tail -n 3 fio.out | cut -c1-200
check_dmesg
echo "PASS: ioctl fuzzing of $C $B $G (seed $seed)"
