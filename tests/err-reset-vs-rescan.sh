#!/bin/bash
# Controller resets racing namespace rescans under a mounted file system.
# One controller, three namespaces (backend=file, 256 MiB each), lnvme
# loaded with admin_timeout=3: ext4 on n1 with fio verify on a file in it
# (libaio QD16 4k randwrite, crc32c), raw fio verify on n2, n3 idle.  Two
# nvme ns-rescan loops and one sysfs rescan_controller loop run throughout.
# Phase 1 (RVR_SECS, default 30 s): resets back to back (sysfs
# reset_controller, every fourth one nvme reset).  Phase 2 (RVR_TIMEOUTS,
# default 6 rounds): Bus Master Enable cleared, so the rescan's Identify
# in flight times out and the reset that follows cancels it: a host-side
# failure, which must not remove the namespace (before the fix, about one
# round in three hit an Identify Namespace and removed that namespace
# under the mounted file system).  Phase 3 (RVR_SECS2, default 15 s):
# resets with poll_queues toggled 0/1 before each (each reset switches the
# I/O queues with the namespace queues frozen) while nvme format of n3 (a
# namespace-changing admin command, run with every namespace queue frozen)
# loops too (before the fix this deadlocked: the format waited for the
# freeze holding ns_lock, the reset's queue switch waited for ns_lock with
# the I/O quiesced).  Then: the three disks are the same gendisks as before
# (diskseq unchanged), the generic nodes are there, every reset succeeded,
# every fio run exited 0 without a verify error, ext4 unmounts and
# e2fsck -fn is clean, the controller is live, and the kernel log has no
# namespace removal, file system or I/O error, Oops or hung task.  Failed
# rescans (-EINTR, -ETIMEDOUT while a reset runs) are counted, not failures.
# timeout: 600
. "$(dirname "$0")/lib/common.sh" || exit 1
# shellcheck source=err/lib.sh
. "$TOP/tests/err/lib.sh" || exit 1
if [ -z "${IN_VM:-}" ]; then
	need_module
	exec "$VM" --timeout 560 --smp 2 --modparam "admin_timeout=3" \
		--nvme lnvme,backend=file,namespaces=3,size=256M -- \
		"$0" guest "${RVR_SECS:-30}" "${RVR_TIMEOUTS:-6}" "${RVR_SECS2:-15}"
fi

secs=$2 nbme=$3 secs2=$4
set -- ${VM_NVME_DISKS_0:-}
[ $# = 3 ] || fail "want 3 lnvme disks, got: ${VM_NVME_DISKS_0:-none}"
ctl=${VM_NVME_CTRL_0:-}
[ -c "$ctl" ] || fail "no controller node ($ctl)"
ctlname=${ctl#/dev/}
cls=/sys/class/lnvme/$ctlname
par=/sys/module/lnvme/parameters
disks=("$@")
out=/tmp/rvr
mnt=/mnt/rvr
mkdir -p $out $mnt

# The gendisk behind each name: diskseq changes when a disk is re-created.
seqs() {
	local d
	for d in "${disks[@]}"; do
		echo "${d##*/} $(cat "/sys/block/${d##*/}/diskseq" 2>/dev/null || echo gone)"
	done
}
seqs >$out/seq.before
cat $out/seq.before

mkfs.ext4 -q -F "$1" || fail "mkfs.ext4 $1"
mount -t ext4 "$1" $mnt || fail "mount $1"

job() {
	cat <<JOB
[global]
direct=1
bs=4k
iodepth=16
ioengine=libaio
size=32m
rw=randwrite
verify=crc32c
verify_backlog=256
do_verify=1
verify_fatal=1
random_generator=lfsr
[fs]
filename=$mnt/verify.dat
cpus_allowed=0
[raw]
filename=$2
cpus_allowed=1
JOB
}
job "$@" >$out/job.fio

# fio back to back until $out/stop exists.
fio_loop $out
fioloop=$!
wait_io "$2" 200 60 || fail "fio did not start within 60 s"

# rescan_loop NAME CMD...: run CMD until $out/end exists; count outcomes.
rescan_loop() {
	local name=$1 ok=0 bad=0
	shift
	while [ ! -e $out/end ]; do
		if "$@" >/dev/null 2>>$out/$name.err; then
			ok=$((ok + 1))
		else
			bad=$((bad + 1))
		fi
	done
	echo "$name $ok $bad" >>$out/rescans
}

# sysfs_rescans: rescan through sysfs, without a process per rescan.
sysfs_rescans() {
	local ok=0 bad=0
	while [ ! -e $out/end ]; do
		if echo 1 2>>$out/sysfs-rescan.err >"$cls/rescan_controller"; then
			ok=$((ok + 1))
		else
			bad=$((bad + 1))
		fi
	done
	echo "sysfs-rescan $ok $bad" >>$out/rescans
}

# start_loops [FORMAT-NODE]: the rescan loops (and formats of FORMAT-NODE).
loops=()
start_loops() {
	rm -f $out/end
	loops=()
	rescan_loop ns-rescan-a nvme ns-rescan "$ctl" &
	loops+=($!)
	rescan_loop ns-rescan-b nvme ns-rescan "$ctl" &
	loops+=($!)
	sysfs_rescans &
	loops+=($!)
	if [ -n "${1:-}" ]; then
		rescan_loop format-n3 nvme format "$1" --lbaf=0 --force &
		loops+=($!)
	fi
}

stop_loops() {
	local p
	touch $out/end
	for p in "${loops[@]}"; do
		timeout 120 bash -c "while kill -0 $p 2>/dev/null; do sleep 0.5; done" ||
			{ dump_stuck "$p"; fail "a rescan/format loop did not end within 120 s"; }
	done
}

alive() { [ "$(lnvme_state "${ctlname#lnvme}")" != dead ]; }

# reset_once I: one reset, through sysfs (a shell builtin: quick on a
# loaded guest), every fourth time through nvme-cli (the reset ioctl).
reset_once() {
	local r
	if [ $(($1 % 4)) = 0 ]; then
		r=$(timeout 60 nvme reset "$ctl" 2>&1)
	else
		r=$( (echo 1 >"$cls/reset_controller") 2>&1)
	fi || {
		echo "reset $1 failed ($r), state $(lnvme_state "${ctlname#lnvme}")"
		echo "$1" >>$out/failed-resets
	}
}

# resets SECS [TOGGLE]: resets back to back for SECS seconds; with TOGGLE,
# poll_queues alternates between 0 and 1 before each, so each reset
# switches the I/O queues.
resets() {
	local end=$((SECONDS + $1)) i=0 pq=1
	while [ $SECONDS -lt "$end" ] && alive; do
		i=$((i + 1))
		if [ -n "${2:-}" ]; then
			pq=$((1 - pq))
			echo $pq >$par/poll_queues
		fi
		reset_once $i
	done
	echo "$i resets"
	echo "$i" >>$out/resets
}

# timeout_resets N: N times, clear Bus Master Enable so that the controller
# can no longer fetch commands: the admin command in flight (an Identify of
# a rescan) times out after admin_timeout, and the reset that follows
# cancels it and turns bus mastering back on.
timeout_resets() {
	local i n0 end
	for i in $(seq "$1"); do
		alive || break
		n0=$(dmesg | grep -c 'reset complete in')
		dmesg_mark "bus master off $i"
		setpci -s "$VM_NVME_PCI_0" COMMAND=0:4 || fail "setpci failed"
		end=$((SECONDS + 60))
		while [ "$(dmesg | grep -c 'reset complete in')" = "$n0" ]; do
			[ $SECONDS -ge $end ] && { echo "$i" >>$out/failed-resets; echo "no reset within 60 s of bus master off ($i)"; break; }
			alive || break
			sleep 1
		done
	done
	echo "$i timeout resets"
	echo "$i" >>$out/resets
}

pq0=$(cat $par/poll_queues)
log "phase 1: resets against rescans for $secs s"
dmesg_mark "phase 1"
start_loops
resets "$secs"
stop_loops
log "phase 2: $nbme resets after admin timeouts (bus master off) against rescans"
dmesg_mark "phase 2"
start_loops
timeout_resets "$nbme"
stop_loops
log "phase 3: resets switching poll queues against rescans and formats of n3 for $secs2 s"
dmesg_mark "phase 3"
start_loops "/dev/lng${ctlname#lnvme}n3"
resets "$secs2" toggle
stop_loops
echo "$pq0" >$par/poll_queues

touch $out/stop
timeout 180 bash -c "while kill -0 $fioloop 2>/dev/null; do sleep 1; done" ||
	{ dump_stuck "$fioloop" $(pgrep fio); fail "fio did not end within 180 s after the resets"; }
wait $fioloop

echo "resets per phase: $(tr '\n' ' ' <$out/resets)"
echo "rescan loops (name ok failed):"
cat $out/rescans
for f in $out/*.err; do
	[ -s "$f" ] && { echo "${f##*/}:"; sort "$f" | uniq -c | sort -rn | head -n 5; }
done
echo "fio runs (run rc):"
cat $out/runs
for j in "$out"/fio-*.json; do
	jq -r '.jobs[] | "\(.jobname): err \(.error) read \(.read.io_bytes) write \(.write.io_bytes)"' "$j" 2>/dev/null | sed "s|^|${j##*/}: |"
done

seqs >$out/seq.after
diff $out/seq.before $out/seq.after ||
	fail "namespace disks removed or re-created (diskseq before/after above)"
for n in 1 2 3; do
	[ -c "/dev/lng${ctlname#lnvme}n$n" ] || fail "generic node /dev/lng${ctlname#lnvme}n$n gone"
done
st=$(lnvme_state "${ctlname#lnvme}")
[ "$st" = live ] || fail "controller state $st after the resets"
[ -s $out/failed-resets ] && fail "resets failed: $(tr '\n' ' ' <$out/failed-resets)"
bad=$(awk '$2 != 0' $out/runs)
[ -z "$bad" ] || { grep -hE 'verify|err|bad' $out/fio-*.log | head -20; fail "fio runs failed: $bad"; }
grep -hqiE 'verify: bad|mismatch' $out/fio-*.log && fail "verify mismatch"
umount $mnt || fail "umount $mnt"
e2fsck -fn "$1" || fail "e2fsck -fn $1 after the resets"
dmesg | grep -E 'lnvme' | grep -vE 'reset complete|taints kernel|signature|lnvme-test' |
	sort | uniq -c | sort -rn | head -n 20
check_dmesg 'namespace [0-9]+: removed|EXT4-fs (error|warning)|Buffer I/O error|I/O error, dev|lnvme[0-9]+n[0-9]+: .*status'
check_dmesg
echo "PASS: $(tr '\n' ' ' <$out/resets)resets against rescans (and formats, poll queue switches); disks, ext4 and fio verify intact"
