#!/bin/bash
# io_uring NVMe passthrough data check on /dev/lng0n1 and /dev/lng0n2 (512 B
# and 4 KiB LBAs) with our raw-syscall tool (tests/cli/uring-vec.c, built
# here): writes and read-backs with NVME_URING_CMD_IO_VEC (3-8 iovecs of
# 512 B..64 KiB, page aligned or at odd offsets) and NVME_URING_CMD_IO,
# every byte verified; interrupt driven, polled (IOPOLL ring) and polled
# with two processes' rings sharing the one poll queue at queue depth 8, so
# one ring's poll reaps the other's completions; polled runs raise no I/O
# interrupt.  Refusals: more iovecs than segments, an iovec total shorter
# than the command (buffer untouched), a bad iovec array pointer.  The
# kernel log stays clean.  URING_VEC_SEED=N repeats a run.
# timeout: 420
. "$(dirname "$0")/lib/common.sh" || exit 1
. "$TOP/tests/cli/lib.sh" || exit 1
if [ -z "${IN_VM:-}" ]; then
	need_module
	cli_vm_with uring-vec -- --timeout 400 --modparam "poll_queues=1" \
		--nvme lnvme,backend=file,namespaces=2,lbs=512:4096,size=128M \
		-- "${URING_VEC_SEED:-$(date +%s)}"
	exit
fi

bin=$2 seed=$3
[ "$VM_NVME_DRV_0" = lnvme ] || fail "controller 0 is not on lnvme"
C=$VM_NVME_CTRL_0
sys=/sys/class/lnvme/${C#/dev/}
read -r -a disks <<<"$VM_NVME_DISKS_0"
[ ${#disks[@]} = 2 ] || fail "want 2 disks, have: ${disks[*]}"
maxkb=$(cat "$sys/max_hw_kb") || fail "no $sys/max_hw_kb"
pq=$(cat "$sys/poll_queues") || fail "no $sys/poll_queues"
[ "$pq" = 1 ] || fail "lnvme has $pq poll queues, want 1"
log "seed $seed, max transfer ${maxkb} KiB, $pq poll queue"

# Interrupts of the I/O queue vectors (lnvme0q1..), summed.
io_irqs() { awk '$NF ~ /^lnvme0q[1-9]/ { for (i = 2; i <= NF && $i ~ /^[0-9]+$/; i++) s += $i } END { print s + 0 }' /proc/interrupts; }

run() { # NS-INDEX DESC ARGS...
	local d=${disks[$1]} desc=$2 lbs blocks n
	shift 2
	n=${d##*n}
	lbs=$(blockdev --getss "$d") || fail "blockdev --getss $d"
	blocks=$(($(blockdev --getsize64 "$d") / lbs))
	log "$desc on /dev/lng0n$n (lbs $lbs)"
	dmesg_mark "uring-vec $desc ns$n"
	timeout -s KILL "$(debug_scale 150 450)" "$bin/uring-vec" -s "$seed" -b "$lbs" -z "$blocks" \
		-m $((maxkb * 1024)) -N "$n" "$@" "/dev/lng0n$n" ||
		fail "uring-vec $desc on /dev/lng0n$n failed (exit $?)"
}

# Commands per ring: a quarter on the debug kernel.
start=$SECONDS
run 0 "interrupt driven, with refusals" -e -n "$(debug_scale 1500)"
run 1 "interrupt driven, 4 KiB LBAs" -n "$(debug_scale 600)"
before=$(io_irqs)
run 0 "polled, one ring" -p -n "$(debug_scale 1500)"
run 0 "polled, two rings on one poll queue" -p -r 2 -n "$(debug_scale 2000)"
run 1 "polled, two rings, 4 KiB LBAs" -p -r 2 -n "$(debug_scale 600)"
after=$(io_irqs)
echo "polled runs: $((after - before)) I/O queue interrupts"
[ "$after" = "$before" ] || fail "polled io_uring passthrough raised $((after - before)) interrupts"
log "done in $((SECONDS - start)) s"
check_dmesg
echo "PASS: vectored and plain io_uring passthrough verify, interrupt driven and polled"
