#!/bin/bash
# Module unload against users: with ext4 mounted on lnvme0n1 (files with
# sha256 sums), rmmod lnvme must be refused and the file system must keep
# working.  Then, with fio (libaio randrw, QD32) running on the raw disk, a
# forced unbind (echo BDF > /sys/bus/pci/drivers/lnvme/unbind) must finish,
# fio must end with errors, and rmmod must complete; nothing may hang.
# Finally the module is loaded again and the files must still verify.
# timeout: 240
. "$(dirname "$0")/lib/common.sh" || exit 1
# shellcheck source=err/lib.sh
. "$TOP/tests/err/lib.sh" || exit 1
if [ -z "${IN_VM:-}" ]; then
	need_module
	exec "$VM" --timeout 220 --nvme lnvme,backend=file,size=256M -- "$0" guest
fi

dev=${VM_NVME_DISKS_0:-}
bdf=$VM_NVME_PCI_0
[ -b "$dev" ] || fail "no lnvme disk"
out=/tmp/unload
mnt=/tmp/unload/mnt
mkdir -p $mnt
# A 48 MiB file system, clear of the region fio writes later (64 MiB on).
mkfs.ext4 -q -F -E nodiscard "$dev" 48M || fail "mkfs"
mount "$dev" $mnt || fail "mount"
for i in 1 2 3 4; do head -c 4M /dev/urandom >$mnt/f$i; done
(cd $mnt && sha256sum f* >$out/sums)
sync

log "rmmod with ext4 mounted"
if timeout 30 rmmod lnvme 2>$out/rmmod.err; then
	fail "rmmod lnvme succeeded with a mounted file system"
fi
cat $out/rmmod.err
grep -qw lnvme /proc/modules || fail "lnvme gone after a refused rmmod"
echo 3 >/proc/sys/vm/drop_caches
(cd $mnt && sha256sum -c --quiet $out/sums) || fail "files do not verify after the refused rmmod"
umount $mnt || fail "umount"

log "forced unbind during fio, then rmmod"
fio --name=ul --filename="$dev" --allow_file_create=0 --direct=1 --ioengine=libaio --rw=randrw --bs=4k \
	--iodepth=32 --offset=64m --size=128m --time_based --runtime=120 \
	--output-format=json --output=$out/fio.json >$out/fio.log 2>&1 &
fio=$!
wait_io "$dev" 200 60 || fail "fio did not start I/O"
# (allow_file_create=0: when fio reopens the path after the device node is
# gone, it must fail, not create a regular file in /dev.)
sleep 4
a=$(ms_now)
timeout 60 sh -c "echo $bdf >/sys/bus/pci/drivers/lnvme/unbind" || fail "unbind failed or hung"
echo "unbind took $(($(ms_now) - a)) ms"
timeout 60 bash -c "while kill -0 $fio 2>/dev/null; do sleep 0.2; done" || { dump_stuck $fio $(pgrep -x fio); ls -l /dev/lnvme* 2>&1; fail "fio still running 60 s after the unbind"; }
wait $fio
frc=$?
echo "fio rc $frc, ended $(($(ms_now) - a)) ms after the unbind started"
grep -vE '^$' $out/fio.log | head -n 5
[ $frc != 0 ] || fail "fio saw no error after the unbind"
[ ! -e "$dev" ] || fail "$dev still exists after the unbind"
a=$(ms_now)
ok=0
for _ in $(seq 20); do
	timeout 30 rmmod lnvme 2>$out/rmmod2.err && { ok=1; break; }
	sleep 0.5
done
[ $ok = 1 ] || fail "rmmod after unbind failed: $(cat $out/rmmod2.err)"
echo "rmmod took $(($(ms_now) - a)) ms"

log "reload and verify the files"
insmod "$VM_LNVME_KO" || fail "insmod"
end=$((SECONDS + 30))
while [ ! -b "$dev" ]; do
	[ $SECONDS -ge $end ] && fail "$dev did not come back after insmod"
	sleep 0.2
done
mount -o ro "$dev" $mnt || fail "mount after reload"
(cd $mnt && sha256sum -c --quiet $out/sums) || fail "files do not verify after reload"
umount $mnt
dmesg | grep -E 'lnvme|I/O error' | grep -vE 'taints kernel|signature|lnvme-vm' | tail -n 15
check_dmesg
echo "PASS: rmmod refused while mounted; unbind+rmmod under fio (rc $frc); data intact after reload"
