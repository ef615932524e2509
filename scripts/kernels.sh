#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The target kernels lnvme is built and tested on (make setup installs the
# default, make setup-kernels the others, or this script on first use):
# Debian 12's 6.1 and the 6.12 default from bookworm-security, both
# installed on the host, and the newest 7.x of trixie-backports, whose
# headers are installed in a trixie build chroot and whose image is
# extracted (not installed) under $LNVME_KCACHE/kernels (scripts/setup.sh).
#
#   scripts/kernels.sh list          "KVER IMAGE KDIR" of each installed target
#   scripts/kernels.sh print NAME    the same for one kernel; NAME is a full
#                                    release or a series prefix (6.1, 6.12,
#                                    7, 7.3), the newest installed matching;
#                                    "default" is scripts/kver.sh's 6.12
#
# A NAME of 6.1 or 7.x not installed yet is installed first (scripts/setup.sh
# --kernels, several minutes).  Exit 1 (and a message on stderr) when NAME
# matches no installed kernel.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
kcache=${LNVME_KCACHE:-/var/cache/lnvme}

list() {
	local img v

	# Host kernels with their headers (Debian's amd64 flavour only).
	for img in /boot/vmlinuz-*-amd64; do
		[ -e "$img" ] || continue
		v=${img#/boot/vmlinuz-}
		[ -f "/usr/src/linux-headers-$v/Makefile" ] || continue
		[ -d "/lib/modules/$v" ] || continue
		echo "$v $img /usr/src/linux-headers-$v"
	done
	# Extracted kernels, headers in the build chroot.
	for img in "$kcache"/kernels/*/ready; do
		[ -e "$img" ] || continue
		cat "$img"
	done
}

if [ "${1:-}" = list ]; then
	list | sort -V -k1,1
	exit 0
fi
[ "${1:-}" = print ] && [ $# -eq 2 ] || {
	echo "usage: scripts/kernels.sh list | print NAME" >&2
	exit 2
}
name=$2
[ "$name" = default ] && name=$("$top/scripts/kver.sh")
# A prefix matches at a version boundary: 6.1 matches 6.1.0-57-amd64, not
# 6.12.117+deb12-amd64.
match() {
	list | sort -V -k1,1 | awk -v n="$name" '
	$1 == n || (index($1, n) == 1 && substr($1, length(n) + 1, 1) ~ /[.+-]/) { l = $0 }
	END { if (l != "") print l }'
}
line=$(match)
# 6.1 and 7.x are installed on first use (make setup leaves them out: the
# default make check does not need them), unless LNVME_NO_KERNEL_SETUP is set.
if [ -z "$line" ] && [ -z "${LNVME_NO_KERNEL_SETUP:-}" ] &&
	[[ $name =~ ^(6\.1|7)([.+-]|$) ]]; then
	echo "kernels: $name is not installed; installing the target kernels (scripts/setup.sh --kernels)" >&2
	"$top/scripts/setup.sh" --kernels >&2 || true
	line=$(match)
fi
if [ -z "$line" ]; then
	echo "kernels: no installed target kernel matches '$name' (make setup-kernels installs 6.1 and 7.x; installed: $(list | awk '{print $1}' | xargs))" >&2
	exit 1
fi
echo "$line"
