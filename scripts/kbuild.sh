#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Build lnvme.ko for another kernel tree, in a separate output place, so the
# modules of several kernels coexist with the one in the top directory.
#
#   scripts/kbuild.sh KDIR OUTDIR [make arguments...]
#
# The sources are copied to OUTDIR (only the files that changed, so make
# rebuilds only what it must), then built there with make -C KDIR M=OUTDIR.
# Prints the path of the module on success.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
kdir=${1:?usage: scripts/kbuild.sh KDIR OUTDIR [make args]}
out=${2:?usage: scripts/kbuild.sh KDIR OUTDIR [make args]}
shift 2

[ -f "$kdir/Makefile" ] || { echo "kbuild: no kernel tree at $kdir" >&2; exit 1; }
mkdir -p "$out"
out=$(cd "$out" && pwd)
(
	cd "$top"
	git ls-files -co --exclude-standard -- Kbuild '*.c' '*.h' |
		grep -v '^tests/'
) | while read -r f; do
	mkdir -p "$out/$(dirname "$f")"
	cmp -s "$top/$f" "$out/$f" || cp -p "$top/$f" "$out/$f"
done
make -C "$kdir" M="$out" "$@" modules >"$out/build.log" 2>&1 ||
	{ cat "$out/build.log" >&2; echo "kbuild: build against $kdir failed" >&2; exit 1; }
echo "$out/lnvme.ko"
