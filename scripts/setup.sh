#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Install everything lnvme needs to build, lint and test on Debian 12.
# Idempotent: when every package and cached file is present it only checks
# and returns in well under a second.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cache=${LNVME_CACHE:-$top/.cache}

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

install_pkgs
install_checkpatch
