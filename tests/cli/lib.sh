# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Helpers for tests/cli-*.sh (source after tests/lib/common.sh).

# cli_build NAME DIR: compile tests/cli/NAME.c to DIR/NAME on the host (the
# guest sees DIR when it is the --results dir).  Fails the test on error.
cli_build() {
	command -v gcc >/dev/null || fail "gcc is not installed"
	gcc -O2 -Wall -Wextra -Werror -o "$2/$1" "$TOP/tests/cli/$1.c" ||
		fail "building tests/cli/$1.c failed"
}

# cli_vm_both ARGS...: both controllers the same QEMU model with file
# backends: #0 on lnvme, #1 on the in-kernel nvme driver.
# shellcheck disable=SC2034,SC2054
CLI_BOTH=(--nvme lnvme,backend=file,size=256M --nvme nvme,backend=file,size=256M)

# as_nobody CMD...: run CMD as uid/gid 65534 without any capability.
as_nobody() {
	setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
		--bounding-set=-all -- "$@"
}

# run_ok DESC CMD...: run CMD, fail the test with DESC if it fails.
run_ok() {
	local desc=$1
	shift
	"$@" || fail "$desc (exit $?): $*"
}
