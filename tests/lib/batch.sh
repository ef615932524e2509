# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Batches: the guest halves of several tests in one VM (source after
# tests/lib/common.sh).  On the debug kernel a boot and the checkers' end
# of run (kmemleak scans) cost minutes under TCG, so tests that boot the
# same VM configuration share one: the host half of a batch test boots it
# once with the union of what its members need, and the guest half runs
# each member's guest half ("tests/NAME.sh guest ARGS...") in turn, with a
# freshly loaded lnvme (the VM's --modparam values) before each.  Each
# member still asserts its own outcomes and reads the kernel log; the
# harness then scans the whole run's log for checker reports.

# batch_reload: unload lnvme and load it again with the VM's parameters;
# wait until controller 0's disks are back (driver_override rebinds it).
batch_reload() {
	local want=${VM_NVME_DISKS_0%% *} end

	if [ -d /sys/module/lnvme ]; then
		rmmod lnvme || fail "batch: rmmod lnvme"
	fi
	# shellcheck disable=SC2086 # parameters are words
	insmod "$VM_LNVME_KO" ${VM_MODPARAMS:-} || fail "batch: insmod lnvme.ko ${VM_MODPARAMS:-}"
	end=$((SECONDS + 60))
	until [ -b "$want" ]; do
		[ $SECONDS -ge $end ] && fail "batch: $want did not come back after insmod"
		sleep 0.2
	done
	udevadm settle 2>/dev/null || true
}

# batch_run ARGS -- TEST...: in the guest, each member's guest half in turn,
# called as "tests/TEST.sh guest ARGS..."; stops at the first that fails.
batch_run() {
	local args=() t rc start total=$SECONDS

	while [ $# -gt 0 ] && [ "$1" != -- ]; do args+=("$1"); shift; done
	shift
	for t in "$@"; do
		batch_reload
		dmesg_mark "batch: $t starts"
		echo "=== $t"
		start=$SECONDS
		"$TOP/tests/$t.sh" guest "${args[@]}"
		rc=$?
		echo "=== $t: exit $rc after $((SECONDS - start)) s"
		dmesg_mark "batch: $t ends with exit $rc"
		[ $rc = 0 ] || fail "$t failed in the batch (exit $rc)"
	done
	echo "batch: $# tests in $((SECONDS - total)) s"
}
