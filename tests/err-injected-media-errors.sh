#!/bin/bash
# Media errors from blkdebug (backend=blkdebug, errno 5, once off, so the
# error repeats on every retry): reads of 4 KiB blocks 100, 777 and 3001 and
# writes of blocks 300 and 2500 fail.  Per-block O_DIRECT writes then reads
# of the whole 16 MiB disk (tests/err/blockio.py) must see EIO (ENODATA, the errno of
# BLK_STS_MEDIUM) on exactly
# those blocks, every other block must hold its pattern (blocks whose write
# failed still hold zeros), and fio (continue_on_error=all) must report
# errors at exactly the bad read offsets.  dmesg must show lnvme's
# rate-limited error line with the LBA and status (0x281 read, 0x280 write).
# timeout: 240
. "$(dirname "$0")/lib/common.sh" || exit 1
# shellcheck source=err/lib.sh
. "$TOP/tests/err/lib.sh" || exit 1
BAD_READ="100 777 3001"
BAD_WRITE="300 2500"
if [ -z "${IN_VM:-}" ]; then
	need_module
	r=$(mktemp -d "${TMPDIR:-/tmp}/err-media.XXXXXX")
	trap 'rm -rf "$r"' EXIT
	conf=$r/blkdebug.conf
	: >"$conf"
	for b in $BAD_READ; do
		printf '[inject-error]\nevent = "read_aio"\niotype = "read"\nerrno = "5"\nsector = "%d"\nonce = "off"\n\n' $((b * 8)) >>"$conf"
	done
	for b in $BAD_WRITE; do
		printf '[inject-error]\nevent = "write_aio"\niotype = "write"\nerrno = "5"\nsector = "%d"\nonce = "off"\n\n' $((b * 8)) >>"$conf"
	done
	cat "$conf"
	"$VM" --timeout 220 --results "$r" --nvme "lnvme,backend=blkdebug,blkdebug=$conf,size=16M" -- "$0" guest
	rc=$?
	[ $rc = 0 ] || { rm -rf "$TOP/results/err-injected-media-errors.failed"; cp -r "$r" "$TOP/results/err-injected-media-errors.failed" 2>/dev/null; fail "VM run failed ($rc)"; }
	echo "PASS"
	exit 0
fi

dev=${VM_NVME_DISKS_0:-}
[ -b "$dev" ] || fail "no lnvme disk"
name=${dev#/dev/}
nblk=$(($(blockdev --getsize64 "$dev") / 4096))
io=$VM_PROJECT/tests/err/blockio.py
out=/tmp/media
mkdir -p $out
echo "retries: max_retries=$(cat /sys/module/lnvme/parameters/max_retries)"

sorted() { tr ' ' '\n' | grep . | sort -n | tr '\n' ' '; }

log "write pass over $nblk blocks"
t0=$(ms_now)
python3 "$io" write "$dev" 0 "$nblk" 4096 7 >$out/w.txt || fail "blockio write crashed"
t1=$(ms_now)
tail -n1 $out/w.txt
echo "write pass: $((t1 - t0)) ms"
got=$(awk '$1 == "ERR" { print $2 }' $out/w.txt | sorted)
[ "$got" = "$(echo "$BAD_WRITE" | sorted)" ] || fail "write errors on blocks '$got', want '$BAD_WRITE'"
# BLK_STS_MEDIUM reaches user space as ENODATA (61) (blk_errors[] in
# block/blk-core.c), BLK_STS_IOERR as EIO (5): accept both, report which.
awk '$1 == "ERR" && $3 != 5 && $3 != 61 { exit 1 }' $out/w.txt || fail "a write failed with an errno other than EIO/ENODATA: $(grep ERR $out/w.txt)"
echo "write errnos: $(awk '$1 == "ERR" { print $3 }' $out/w.txt | sort -u | tr '\n' ' ')"

log "read pass"
t0=$(ms_now)
python3 "$io" read "$dev" 0 "$nblk" 4096 7 >$out/r.txt || fail "blockio read crashed"
t1=$(ms_now)
tail -n1 $out/r.txt
echo "read pass: $((t1 - t0)) ms"
grep -E '^(ERR|BAD|OLD)' $out/r.txt
got=$(awk '$1 == "ERR" { print $2 }' $out/r.txt | sorted)
[ "$got" = "$(echo "$BAD_READ" | sorted)" ] || fail "read errors on blocks '$got', want '$BAD_READ'"
awk '$1 == "ERR" && $3 != 5 && $3 != 61 { exit 1 }' $out/r.txt || fail "a read failed with an errno other than EIO/ENODATA"
echo "read errnos: $(awk '$1 == "ERR" { print $3 }' $out/r.txt | sort -u | tr '\n' ' ')"
got=$(awk '$1 == "OLD" { print $2 }' $out/r.txt | sorted)
[ "$got" = "$(echo "$BAD_WRITE" | sorted)" ] || fail "unwritten (zero) blocks '$got', want '$BAD_WRITE'"
! grep -q '^BAD' $out/r.txt || fail "blocks with wrong contents: $(grep '^BAD' $out/r.txt | tr '\n' ' ')"
want_ok=$((nblk - $(echo "$BAD_READ $BAD_WRITE" | wc -w)))
grep -q "^DONE ok=$want_ok " $out/r.txt || fail "want $want_ok good blocks: $(tail -n1 $out/r.txt)"

log "dmesg: error lines with LBA and status"
dmesg | grep -E "$name: (READ|WRITE)" | tee $out/errlines.txt
for b in $BAD_READ; do
	grep -qE "$name: READ \(opcode 0x2\) LBA $((b * 8)), 8 blocks: status 0x281" $out/errlines.txt ||
		fail "no read error line for LBA $((b * 8))"
done
for b in $BAD_WRITE; do
	grep -qE "$name: WRITE \(opcode 0x1\) LBA $((b * 8)), 8 blocks: status 0x280" $out/errlines.txt ||
		fail "no write error line for LBA $((b * 8))"
done

# fio treats only EIO and EILSEQ as non-fatal by default: add ENODATA.
log "fio read, continue_on_error=all"
sleep 5 # let the rate limit recover
fio --name=scan --filename="$dev" --rw=read --bs=4k --direct=1 --ioengine=libaio \
	--iodepth=8 --continue_on_error=all --ignore_error=5:61,5:61 --error_dump=1 --output-format=json --output=$out/fio.json 2>$out/fio.err
frc=$?
grep 'io_u error' $out/fio.err | head
terr=$(jq '.jobs[0].total_err' $out/fio.json)
rbytes=$(jq '.jobs[0].read.io_bytes' $out/fio.json)
echo "fio rc $frc, total_err $terr, read $rbytes bytes, first error at $(jq '.jobs[0].first_error' $out/fio.json 2>/dev/null)"
nbad=$(echo "$BAD_READ" | wc -w)
[ "$terr" = "$nbad" ] || fail "fio saw $terr errors, want $nbad"
[ "$rbytes" = $(((nblk - nbad) * 4096)) ] || fail "fio read $rbytes bytes, want $(((nblk - nbad) * 4096))"
got=$(sed -nE 's/.*io_u error.*read offset=([0-9]+).*/\1/p' $out/fio.err | awk '{ print $1 / 4096 }' | sorted)
case " $(echo "$BAD_READ" | sorted)" in
*" $got"*) ;;
*) fail "fio reported an error at blocks '$got', not among '$BAD_READ'" ;;
esac

check_dmesg
dmesg | grep -E 'lnvme|I/O error' | tail -n 12
echo "PASS: EIO on exactly blocks $BAD_READ (read), $BAD_WRITE (write); $want_ok blocks verified"
