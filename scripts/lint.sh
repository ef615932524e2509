#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make lint: a W=1 build under sparse (C=2), which must print no warning,
# then checkpatch --strict on every source file.  Exits non-zero on any
# finding.
#
#   scripts/lint.sh [KERNEL]
#
# KERNEL (or $VM_KERNEL) other than default or debug is a target kernel
# (scripts/kernels.sh: 6.1, 7, a release): only the W=1/sparse build
# against its headers (in .cache/kbuild/lint-<release>), checkpatch being
# the same on every kernel.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
[ $# -gt 0 ] && VM_KERNEL=$1
kdir=${KDIR:-/usr/src/linux-headers-$("$top/scripts/kver.sh")}
checkpatch=$top/.cache/checkpatch/scripts/checkpatch.pl
status=0

[ -x "$checkpatch" ] || "$top/scripts/setup.sh" >&2
[ -x "$checkpatch" ] || { echo "lint: checkpatch.pl missing" >&2; exit 1; }
command -v sparse >/dev/null || { echo "lint: sparse missing" >&2; exit 1; }

log=$(mktemp)
trap 'rm -f "$log"' EXIT

# Anything but kbuild's progress lines is a compiler or sparse finding.
findings() {
	grep -vE '^(make(\[[0-9]+\])?:|  (CC|CHECK|LD|MODPOST|BTF|AR|SYMLINK|PROBE|GEN) )' "$1" |
		grep -vE "^Skipping BTF generation|^ *$" || true
}

# lint_build KDIR [OUTDIR]: a W=1 C=2 build against KDIR, in the tree or,
# for another kernel, in OUTDIR (scripts/kbuild.sh).
lint_build() {
	local f

	echo "lint: W=1 C=2 build against $1"
	if [ -z "${2:-}" ]; then
		make -C "$1" M="$top" W=1 C=2 modules >"$log" 2>&1
	else
		rm -rf "$2"
		"$top/scripts/kbuild.sh" "$1" "$2" W=1 C=2 >/dev/null 2>&1
		cp "$2/build.log" "$log" 2>/dev/null
	fi || { cat "$log"; echo "lint: build against $1 failed"; status=1; return; }
	# 7.x kernels turn sparse off when it lacks __typeof_unqual__ (their
	# scripts/checker-valid.sh, which Debian's headers do not even ship):
	# Debian's sparse 0.6.4 does, so against them only W=1 is checked.
	if grep -q 'C=2 specified, but .* is not available or not up to date' "$log"; then
		echo "lint: sparse NOT run: the kernel at $1 refuses Debian's sparse 0.6.4 (no __typeof_unqual__); W=1 only"
		sed -i '/C=2 specified, but .* is not available or not up to date/d' "$log"
	fi
	f=$(findings "$log")
	if [ -n "$f" ]; then
		echo "$f"
		echo "lint: W=1/sparse findings above"
		status=1
	else
		echo "lint: W=1 and sparse clean"
	fi
}

# VM_KERNEL=debug (make check's debug pass): against the debug kernel,
# which must be built.  Otherwise the stock headers, and the debug kernel
# too when it is built (make debug-kernel).
case ${VM_KERNEL:-default} in
default | debug) ;;
*)
	build=$("$top/scripts/kernels.sh" print "$VM_KERNEL") || exit 1
	read -r kv _ kd <<<"$build"
	lint_build "$kd" "$top/.cache/kbuild/lint-$kv"
	exit $status
	;;
esac
if [ "${VM_KERNEL:-default}" = debug ]; then
	build=$("$top/scripts/debug-kernel.sh" --print) ||
		{ echo "lint: no debug kernel (make debug-kernel)"; exit 1; }
	read -r dkver _ dkdir <<<"$build"
	lint_build "$dkdir" "$top/.cache/kbuild/lint-$dkver"
else
	lint_build "$kdir"
	if build=$("$top/scripts/debug-kernel.sh" --print 2>/dev/null); then
		read -r dkver _ dkdir <<<"$build"
		lint_build "$dkdir" "$top/.cache/kbuild/lint-$dkver"
	fi
fi

mapfile -t files < <(cd "$top" && git ls-files -co --exclude-standard -- '*.c' '*.h' | sort)
echo "lint: checkpatch --strict on ${#files[@]} files"
for f in "${files[@]}"; do
	out=$(cd "$top" && perl "$checkpatch" --no-tree --strict --quiet \
		--ignore SPDX_LICENSE_TAG --show-types --file "$f" 2>&1)
	if [ -n "$out" ]; then
		echo "$out"
		status=1
	fi
done
[ $status -eq 0 ] && echo "lint: checkpatch clean"
exit $status
