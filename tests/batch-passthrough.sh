#!/bin/bash
# io_uring passthrough in one debug-kernel VM (tests/lib/batch.sh): plain
# and vectored commands, interrupt driven and polled, two rings on one poll
# queue, and fio's io_uring_cmd engine against the in-kernel nvme driver.
# debug-kernel-only: a batch of tests that run alone on the stock kernel
# timeout: 1200
. "$(dirname "$0")/lib/common.sh" || exit 1
. "$TOP/tests/cli/lib.sh" || exit 1
. "$TOP/tests/lib/batch.sh" || exit 1
members=(cli-io-uring-vec cli-io-uring-cmd)
if [ -z "${IN_VM:-}" ]; then
	need_module
	spec=backend=file,namespaces=2,lbs=512:4096,size=128M
	cli_vm_with uring-vec -- --timeout 1100 --modparam "poll_queues=1" \
		--append nvme.poll_queues=1 --nvme "lnvme,$spec" --nvme "nvme,$spec" \
		-- "${URING_VEC_SEED:-$(date +%s)}"
	exit
fi
shift
batch_run "$@" -- "${members[@]}"
check_dmesg
echo "PASS: ${members[*]}"
