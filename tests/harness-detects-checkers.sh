#!/bin/bash
# On the debug kernel, tests/vm/run fails a run on each kind of checker
# report, even when the command itself succeeds: a module with one
# deliberate bug of each kind (tests/harness/lnvme_checker_bugs.c: a use
# after free, an AB-BA mutex order, msleep under a spinlock, a DMA unmap
# with the wrong size and direction, a leaked allocation) is loaded in one
# guest; the run must exit 125 and the harness must name the KASAN,
# lockdep, atomic-sleep, DMA-API (report and final error count) and
# kmemleak lines.
# debug-kernel-only: needs the debug kernel; listed in tests/debug.list
# timeout: 300
. "$(dirname "$0")/lib/common.sh" || exit 1

build=$("$TOP/scripts/debug-kernel.sh" --print) || fail "no debug kernel (make debug-kernel)"
read -r kver _ kdir <<<"$build"
out=$TOP/.cache/kbuild/$kver/checker-bugs
mkdir -p "$out"
cp -p "$TOP/tests/harness/Kbuild" "$TOP/tests/harness/lnvme_checker_bugs.c" "$out/"
make -C "$kdir" M="$out" modules >"$out/build.log" 2>&1 || { cat "$out/build.log"; fail "building the bug module"; }

r=$TOP/results/harness-detects-checkers
rm -rf "$r"
err=$(vm --kernel debug --results "$r" -- \
	insmod "$out/lnvme_checker_bugs.ko" bugs=kasan,lockdep,sleep,dma,leak 2>&1 >/dev/null)
rc=$?
echo "$err"
[ $rc = 125 ] || fail "expected 125 from the harness, got $rc"
for want in 'BUG: KASAN: slab-use-after-free' 'possible circular locking dependency' \
	'BUG: sleeping function called from invalid context' \
	'DMA-API: platform lnvme_checker_bugs: device driver frees DMA memory with different size' \
	'DMA-API error_count=[1-9]' 'kmemleak: [1-9][0-9]* leak reports name lnvme'; do
	grep -qE -- "$want" <<<"$err" || fail "the harness did not report: $want"
	echo "reported: $want"
done
echo "PASS: every checker report fails the run"
