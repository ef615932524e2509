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
#
# A KDIR inside a build chroot (a directory with a .lnvme-chroot file at its
# top, such as the trixie chroot scripts/setup.sh makes for 7.x headers,
# whose tools need a newer userland than the host's) is built there: OUTDIR
# is bind-mounted at /mnt/lnvme (and /proc at /proc) in a private mount
# namespace (a user
# namespace when not root), and make runs chrooted.
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

# The chroot KDIR lives in, if any.
root=$kdir
while [ "$root" != / ] && [ ! -e "$root/.lnvme-chroot" ]; do
	root=$(dirname "$root")
done

if [ "$root" = / ]; then
	make -C "$kdir" M="$out" "$@" modules
else
	userns=()
	[ "$(id -u)" -eq 0 ] || userns=(--map-root-user)
	unshare "${userns[@]}" --mount --propagation private -- sh -c '
		root=$1 out=$2 kdir=$3
		shift 3
		mkdir -p "$root/mnt/lnvme" 2>/dev/null
		# objtool reads /proc (its stack limit).
		mount --rbind /proc "$root/proc" &&
			mount --bind "$out" "$root/mnt/lnvme" &&
			exec chroot "$root" /usr/bin/env -i PATH=/usr/bin:/bin \
			make -C "$kdir" M=/mnt/lnvme "$@" modules
	' sh "$root" "$out" "${kdir#"$root"}" "$@"
fi >"$out/build.log" 2>&1 ||
	{ cat "$out/build.log" >&2; echo "kbuild: build against $kdir failed" >&2; exit 1; }
echo "$out/lnvme.ko"
