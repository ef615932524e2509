#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Install everything lnvme needs to build, lint and test on Debian 12.
# Idempotent: when every package and cached file is present it only checks
# and returns in well under a second, without the network.
#
#   scripts/setup.sh             what make, make lint and make check need
#   scripts/setup.sh --kernels   that and the other target kernels (make
#                                setup-kernels; scripts/kernels.sh runs it
#                                when a kernel asked for is not installed)
#
# The target kernels (scripts/kernels.sh):
#  - 6.12: linux-image/headers-6.12-amd64 (bookworm-security), the default;
#  - 6.1: Debian 12's own, the newest linux-image/headers-6.1.0-N-amd64 of
#    bookworm-security (once; a later ABI is not chased);
#  - the newest 7.x of trixie-backports: its headers need trixie's
#    userland, so they are installed in a trixie chroot made by mmdebstrap
#    ($LNVME_KCACHE/trixie, trixie sources inside it only, never on the
#    host), and its image packages are downloaded there and extracted
#    (dpkg-deb -x, not installed) into $LNVME_KCACHE/kernels/<release>, with
#    /lib/modules/<release> linking to its modules for the guest's modprobe.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cache=${LNVME_CACHE:-$top/.cache}
kcache=${LNVME_KCACHE:-/var/cache/lnvme}

# Packages from the default sources (bookworm, bookworm-security).
base_pkgs=(
	linux-image-6.12-amd64 linux-headers-6.12-amd64
	build-essential bc kmod pciutils xz-utils cpio gzip
	fio nvme-cli busybox-static e2fsprogs xfsprogs btrfs-progs
	sparse gnuplot-nox python3 util-linux socat jq
)
# Packages that must come from bookworm-backports.
bpo_pkgs=(qemu-system-x86)
bpo_list=/etc/apt/sources.list.d/bookworm-backports.sources

say() { printf 'setup: %s\n' "$*"; }

missing() {
	local p out=()

	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
			grep -q 'install ok installed' || out+=("$p")
	done
	echo "${out[@]}"
}

as_root() {
	if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

apt_updated=
apt_update() {
	[ -n "$apt_updated" ] && return 0
	say "apt-get update"
	as_root apt-get update -qq
	apt_updated=1
}

ensure_backports() {
	if grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
		return 0
	fi
	say "adding the bookworm-backports apt source ($bpo_list)"
	as_root tee "$bpo_list" >/dev/null <<'SRC'
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
	apt_updated=
}

install_pkgs() {
	local m

	export DEBIAN_FRONTEND=noninteractive
	m=$(missing "${base_pkgs[@]}")
	if [ -n "$m" ]; then
		apt_update
		say "installing: $m"
		as_root apt-get install -y -qq --no-install-recommends $m >/dev/null
	fi
	m=$(missing "${bpo_pkgs[@]}")
	if [ -n "$m" ] || ! qemu_is_10; then
		ensure_backports
		apt_update
		say "installing from bookworm-backports: ${bpo_pkgs[*]}"
		as_root apt-get install -y -qq --no-install-recommends \
			-t bookworm-backports "${bpo_pkgs[@]}" >/dev/null
	fi
}

qemu_is_10() {
	command -v qemu-system-x86_64 >/dev/null &&
		qemu-system-x86_64 --version | grep -Eq 'version (1[0-9]|[2-9][0-9])\.'
}

# checkpatch.pl and its data files, extracted once from linux-source-6.12.
install_checkpatch() {
	local dir=$cache/checkpatch tarball tmp

	[ -x "$dir/scripts/checkpatch.pl" ] && return 0
	if [ -z "$(missing linux-source-6.12)" ]; then :; else
		apt_update
		say "installing linux-source-6.12 (for checkpatch.pl)"
		as_root apt-get install -y -qq --no-install-recommends linux-source-6.12 >/dev/null
	fi
	tarball=$(ls /usr/src/linux-source-6.12*.tar.* | head -n1)
	say "extracting checkpatch.pl from $tarball into $dir"
	tmp=$(mktemp -d)
	tar -xaf "$tarball" -C "$tmp" --wildcards \
		'*/scripts/checkpatch.pl' '*/scripts/spelling.txt' \
		'*/scripts/const_structs.checkpatch'
	mkdir -p "$dir"
	cp -r "$tmp"/*/scripts "$dir/"
	rm -rf "$tmp"
}

# Debian 12's own kernel: any installed 6.1 image with its headers will do.
have_61() {
	local img v

	for img in /boot/vmlinuz-6.1.0-*-amd64; do
		[ -e "$img" ] || continue
		v=${img#/boot/vmlinuz-}
		[ -f "/usr/src/linux-headers-$v/Makefile" ] && return 0
	done
	return 1
}

install_kernel_61() {
	local v

	have_61 && return 0
	apt_update
	v=$(apt-cache search --names-only '^linux-image-6\.1\.0-[0-9]+-amd64$' |
		awk '{print $1}' | sed 's/^linux-image-//' | sort -V | tail -n1)
	[ -n "$v" ] || { say "no linux-image-6.1.0-*-amd64 in the apt sources"; return 1; }
	say "installing Debian 12's kernel $v (image and headers)"
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		--no-install-recommends "linux-image-$v" "linux-headers-$v" >/dev/null
}

# The trixie chroot with the newest 7.x headers of trixie-backports, and
# that kernel's image extracted for the VM.
install_kernel_7() {
	local root=$kcache/trixie kdir rel dir pkgs p debs=/var/cache/lnvme-debs

	if [ ! -e "$root/.lnvme-chroot" ]; then
		say "making a trixie build chroot in $root (mmdebstrap, a few minutes)"
		as_root rm -rf "$root.tmp"
		as_root mkdir -p "$kcache"
		as_root mmdebstrap --quiet --variant=buildd \
			--include=bc,kmod,sparse,xz-utils,zstd,libelf-dev trixie "$root.tmp" \
			"deb http://deb.debian.org/debian trixie main" \
			"deb http://deb.debian.org/debian trixie-backports main" \
			"deb http://deb.debian.org/debian-security trixie-security main"
		as_root mkdir -p "$root.tmp/mnt/lnvme" "$root.tmp$debs"
		as_root touch "$root.tmp/.lnvme-chroot"
		as_root mv "$root.tmp" "$root"
	fi
	kdir=$(ls -d "$root"/usr/src/linux-headers-[7-9].*-amd64 2>/dev/null | sort -V | tail -n1 || true)
	if [ -z "$kdir" ]; then
		say "installing the newest 7.x headers from trixie-backports in $root"
		as_root chroot "$root" apt-get update -qq
		as_root chroot "$root" env DEBIAN_FRONTEND=noninteractive apt-get install \
			-y -qq --no-install-recommends -t trixie-backports linux-headers-amd64 >/dev/null
		kdir=$(ls -d "$root"/usr/src/linux-headers-[7-9].*-amd64 2>/dev/null | sort -V | tail -n1 || true)
		[ -n "$kdir" ] || { say "no 7.x headers in trixie-backports"; return 1; }
	fi
	rel=${kdir##*/linux-headers-}
	dir=$kcache/kernels/$rel
	if [ ! -f "$dir/ready" ]; then
		# linux-image-<rel> and the packages carrying its files (7.x
		# splits them into linux-base/binary/modules-<rel>).
		pkgs=("linux-image-$rel")
		for p in $(chroot "$root" apt-cache depends "linux-image-$rel" |
			awk '/Depends: linux-(base|binary|modules|image)-/ {print $2}'); do
			pkgs+=("$p")
		done
		say "downloading ${pkgs[*]} into $root$debs"
		as_root chroot "$root" sh -c 'cd "$1" && shift && apt-get download -q "$@"' \
			sh "$debs" "${pkgs[@]}" >/dev/null
		say "extracting them into $dir"
		as_root rm -rf "$dir"
		as_root mkdir -p "$dir"
		for p in "${pkgs[@]}"; do
			as_root dpkg-deb -x "$(ls "$root$debs/${p}_"*.deb | sort -V | tail -n1)" "$dir"
		done
		# Merged /usr: depmod -b looks in <base>/lib/modules.
		[ -e "$dir/lib" ] || as_root ln -s usr/lib "$dir/lib"
		as_root depmod -b "$dir" "$rel"
		p=$dir/lib/modules/$rel/vmlinuz
		[ -f "$p" ] || p=$dir/boot/vmlinuz-$rel
		[ -f "$p" ] || { say "no vmlinuz in the $rel packages"; return 1; }
		echo "$rel $p $kdir" | as_root tee "$dir/ready" >/dev/null
	fi
	# The guest's modprobe (run in the host root) finds the modules there.
	if [ "$(readlink "/lib/modules/$rel")" != "$dir/lib/modules/$rel" ]; then
		as_root ln -sfn "$dir/lib/modules/$rel" "/lib/modules/$rel"
	fi
}

install_pkgs
install_checkpatch
if [ "${1:-}" = --kernels ]; then
	install_kernel_61
	if [ -n "$(missing mmdebstrap)" ]; then
		apt_update
		say "installing mmdebstrap"
		as_root apt-get install -y -qq --no-install-recommends mmdebstrap >/dev/null
	fi
	install_kernel_7
fi
