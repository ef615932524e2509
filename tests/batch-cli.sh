#!/bin/bash
# The passthrough ioctls in one debug-kernel VM (tests/lib/batch.sh):
# nvme-cli against the in-kernel driver's answers, the ioctl fuzzer with
# resets and rescans, and format with rescan.
# debug-kernel-only: a batch of tests that run alone on the stock kernel
# timeout: 1500
. "$(dirname "$0")/lib/common.sh" || exit 1
. "$TOP/tests/cli/lib.sh" || exit 1
. "$TOP/tests/lib/batch.sh" || exit 1
members=(cli-nvme-cli cli-fuzz-ioctl cli-format)
if [ -z "${IN_VM:-}" ]; then
	need_module
	cli_vm_with ioctl-fuzz nvme-pt -- --timeout 1400 "${CLI_BOTH[@]}" \
		-- "${FUZZ_SEED:-$(date +%s)}"
	exit
fi
shift
batch_run "$@" -- "${members[@]}"
check_dmesg
echo "PASS: ${members[*]}"
