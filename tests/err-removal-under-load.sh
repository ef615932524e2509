#!/bin/bash
# Orderly hot removal under load: the guest writes 8 MiB of known blocks
# (tests/err/blockio.py), then runs fio (libaio randrw, QD32, 2 jobs);
# once I/O runs, the host sends QMP device_del for the controller (pciehp
# removes it in the guest).  fio must end with errors, nothing may hang,
# /dev/lnvme0n1 and /dev/lnvme0 must disappear and rmmod lnvme must work.
# Afterwards the host checks in the backing image that the blocks written
# before the removal are intact.
# timeout: 240
. "$(dirname "$0")/lib/common.sh" || exit 1
# shellcheck source=err/lib.sh
. "$TOP/tests/err/lib.sh" || exit 1
if [ -z "${IN_VM:-}" ]; then
	need_module
	r=$(mktemp -d "${TMPDIR:-/tmp}/err-removal.XXXXXX")
	trap 'kill $vmpid 2>/dev/null; rm -rf "$r"' EXIT
	truncate -s 128M "$r/img"
	"$VM" --timeout 200 --results "$r" --qmp "$r/qmp.sock" \
		--nvme "lnvme,backend=file,file=$r/img,size=128M" -- "$0" guest &
	vmpid=$!
	wait_file "$r/io-started" 150 || { wait $vmpid; fail "guest never started I/O"; }
	sleep 3
	log "host: device_del nvme0"
	date +%s.%N >"$r/del-sent"
	qmp_ok "$r/qmp.sock" '{"execute":"device_del","arguments":{"id":"nvme0"}}'
	wait $vmpid
	rc=$?
	vmpid=
	[ $rc = 0 ] || { rm -rf "$TOP/results/err-removal.failed"; cp -r "$r" "$TOP/results/err-removal.failed"; fail "VM run failed ($rc)"; }
	log "host: blocks written before the removal, in the image"
	python3 "$TOP/tests/err/blockio.py" read "$r/img" 0 2048 4096 11 >"$r/check.txt"
	tail -n1 "$r/check.txt"
	grep -q '^DONE ok=2048 ' "$r/check.txt" || fail "pre-removal data damaged: $(grep -vE '^DONE' "$r/check.txt" | head)"
	echo "PASS"
	exit 0
fi

dev=${VM_NVME_DISKS_0:-}
ctl=${VM_NVME_CTRL_0:-}
bdf=$VM_NVME_PCI_0
{ [ -b "$dev" ] && [ -c "$ctl" ]; } || fail "no lnvme disk/controller"
out=/tmp/removal
mkdir -p $out
python3 "$VM_PROJECT/tests/err/blockio.py" write "$dev" 0 2048 4096 11 | tail -n1
sync

fio --name=load --filename="$dev" --allow_file_create=0 --direct=1 --ioengine=libaio --rw=randrw --bs=4k \
	--iodepth=32 --numjobs=2 --offset=16m --size=100m --time_based --runtime=150 \
	--output-format=json --output=$out/fio.json >$out/fio.log 2>&1 &
fio=$!
wait_io "$dev" 200 60 || fail "fio did not start I/O"
# (allow_file_create=0: when fio reopens the path after the device node is
# gone, it must fail, not create a regular file in /dev.)
sleep 2
touch "$VM_RESULTS/io-started"
t0=$(ms_now)
timeout 120 bash -c "while kill -0 $fio 2>/dev/null; do sleep 0.2; done" || { dump_stuck $fio $(pgrep -x fio); ls -l /dev/lnvme* 2>&1; fail "fio still running 120 s after I/O started (hang?)"; }
wait $fio
frc=$?
t1=$(ms_now)
echo "fio rc $frc, ended $((t1 - t0)) ms after I/O started"
cat $out/fio.log | head
jq -r '.jobs[] | "\(.jobname): error \(.error) read \(.read.io_bytes) write \(.write.io_bytes)"' $out/fio.json 2>/dev/null
[ $frc != 0 ] || fail "fio did not see the removal (rc 0)"

end=$((SECONDS + 30))
while [ -e "$dev" ] || [ -e "$ctl" ] || [ -e "/sys/bus/pci/devices/$bdf" ]; do
	[ $SECONDS -ge $end ] && fail "still present 30 s after fio ended: $(ls -d "$dev" "$ctl" "/sys/bus/pci/devices/$bdf" 2>/dev/null)"
	sleep 0.5
done
echo "$dev, $ctl and $bdf are gone"
timeout 30 rmmod lnvme || fail "rmmod lnvme failed"
! grep -qw lnvme /proc/modules || fail "lnvme still loaded"
dmesg | grep -E 'lnvme|pcieport|I/O error' | grep -vE 'taints kernel|signature|lnvme-vm' | tail -n 20
check_dmesg
echo "PASS: removal under QD32 load: fio rc $frc, devices gone, module unloaded"
