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

# cli_vm_with TOOL... -- VM-OPTION... [-- GUEST-ARG...]: build each
# tests/cli/TOOL.c into a temporary results dir, boot the VM with it and
# run this test's guest half as: $0 guest DIR GUEST-ARG...; the directory
# is removed afterwards.  Returns the VM's status.
cli_vm_with() {
	local r rc tools=() opts=()
	while [ $# -gt 0 ] && [ "$1" != -- ]; do tools+=("$1"); shift; done
	shift
	while [ $# -gt 0 ] && [ "$1" != -- ]; do opts+=("$1"); shift; done
	[ $# -gt 0 ] && shift
	r=$(mktemp -d) || fail "mktemp"
	for t in "${tools[@]}"; do cli_build "$t" "$r"; done
	vm --results "$r" "${opts[@]}" -- "$0" guest "$r" "$@"
	rc=$?
	rm -rf "$r"
	return $rc
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
