#!/bin/bash
# The data path and its recovery in one debug-kernel VM (tests/lib/batch.sh):
# the queue-count change across resets, the verify matrix with default
# thresholds, 20 resets under QD32 verify load, the PRP and SGL forced
# matrices with one-segment and polled I/O, and rmmod under load; each
# member as its own test does, at the debug kernel's scale.
# debug-kernel-only: a batch of tests that run alone on the stock kernel
# timeout: 1500
. "$(dirname "$0")/lib/common.sh" || exit 1
. "$TOP/tests/lib/batch.sh" || exit 1
members=(err-queue-count-change core-fio-verify err-resets-under-load fast-paths err-unload-under-load)
if [ -z "${IN_VM:-}" ]; then
	need_module
	exec "$VM" --timeout 1400 --smp 2 --nvme lnvme,backend=file,size=256M \
		--modparam "poll_queues=1" -- "$0" guest
fi
batch_run -- "${members[@]}"
check_dmesg
echo "PASS: ${members[*]}"
