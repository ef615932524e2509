#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make lint: a W=1 build under sparse (C=2), which must print no warning,
# then checkpatch --strict on every source file.  Exits non-zero on any
# finding.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
kdir=${KDIR:-/usr/src/linux-headers-$("$top/scripts/kver.sh")}
checkpatch=$top/.cache/checkpatch/scripts/checkpatch.pl
status=0

[ -x "$checkpatch" ] || "$top/scripts/setup.sh" >&2
[ -x "$checkpatch" ] || { echo "lint: checkpatch.pl missing" >&2; exit 1; }
command -v sparse >/dev/null || { echo "lint: sparse missing" >&2; exit 1; }

log=$(mktemp)
trap 'rm -f "$log"' EXIT

echo "lint: W=1 C=2 build against $kdir"
if ! make -C "$kdir" M="$top" W=1 C=2 modules >"$log" 2>&1; then
	cat "$log"
	echo "lint: build failed"
	exit 1
fi
# Anything but kbuild's progress lines is a compiler or sparse finding.
findings=$(grep -vE '^(make(\[[0-9]+\])?:|  (CC|CHECK|LD|MODPOST|BTF|AR|SYMLINK) )' "$log" |
	grep -vE "^Skipping BTF generation|^ *$" || true)
if [ -n "$findings" ]; then
	echo "$findings"
	echo "lint: W=1/sparse findings above"
	status=1
else
	echo "lint: W=1 and sparse clean"
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
