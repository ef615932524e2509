#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The debug test kernel: Debian's linux-source-6.12 (the same 6.12.x as the
# headers lnvme is built against) with KASAN, lockdep, DMA-API debugging,
# kmemleak, debug objects, UBSAN and fault injection, for the test VM.
#
#   scripts/debug-kernel.sh           build it unless cached (shows progress)
#   scripts/debug-kernel.sh --print   print "KVER IMAGE KDIR" of the cached
#                                     build; exit 1 if there is none
#
# Config: x86_64_defconfig + kvm_guest.config + debug.config (all from the
# source tree, merged by its own scripts/kconfig/merge_config.sh) and then
# scripts/kconfig/lnvme-debug.config, whose every =y/=m line is checked in
# the result.  The build is cached outside the clone, in
# $LNVME_KCACHE (default /var/cache/lnvme)/debug-<version>-<key>, keyed by
# the source package version and the config inputs, so every clone on the
# machine shares it.  Its modules are installed there too, and
# /lib/modules/<release> links to them so the guest's modprobe finds them.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
kcache=${LNVME_KCACHE:-/var/cache/lnvme}
fragment=$top/scripts/kconfig/lnvme-debug.config
# Bump when the way the config is put together changes.
recipe=1

say() { printf 'debug-kernel: %s\n' "$*"; }
die() { printf 'debug-kernel: %s\n' "$*" >&2; exit 1; }

src_version() {
	dpkg-query -W -f='${Version}' linux-source-6.12 2>/dev/null || true
}

# The cache directory for the installed source version and config.
cache_dir() {
	local ver key

	ver=$(src_version)
	[ -n "$ver" ] || return 1
	key=$( { echo "$ver $recipe"; cat "$fragment"; } | sha256sum | cut -c1-12)
	echo "$kcache/debug-${ver%%-*}-$key"
}

print_build() {
	local dir

	dir=$(cache_dir) || exit 1
	[ -f "$dir/ready" ] || exit 1
	echo "$(cat "$dir/ready") $dir/vmlinuz $dir/src"
}

if [ "${1:-}" = --print ]; then
	print_build
	exit 0
fi

as_root() {
	if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

install_deps() {
	local p missing=()

	for p in linux-source-6.12 build-essential flex bison bc libelf-dev \
		libssl-dev cpio xz-utils kmod python3; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
			grep -q 'install ok installed' || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	say "installing: ${missing[*]}"
	as_root apt-get update -qq
	DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq \
		--no-install-recommends "${missing[@]}" >/dev/null
}

# The required options of the fragment, as they must appear in .config.
check_config() {
	local cfg=$1 line bad=0

	while read -r line; do
		grep -qxF "$line" "$cfg" || { say "not in the final .config: $line"; bad=1; }
	done < <(grep -E '^CONFIG_[A-Z0-9_]+=[ym]$' "$fragment")
	return $bad
}

# make, with a progress line each minute instead of the full output.
make_progress() {
	local log=$1 what=$2 start=$SECONDS next=60 pid
	shift 2

	"$@" >"$log" 2>&1 &
	pid=$!
	while kill -0 $pid 2>/dev/null; do
		sleep 2
		[ $((SECONDS - start)) -ge $next ] || continue
		next=$((next + 60))
		say "$what: $(((SECONDS - start) / 60)) min, $(grep -c '^  CC' "$log") files compiled"
	done
	wait $pid || { tail -n 40 "$log" >&2; die "$what failed (log: $log)"; }
}

build() {
	local dir=$1 src=$dir/src tarball kver jobs

	tarball=$(ls /usr/src/linux-source-6.12.tar.* | head -n1)
	rm -rf "$dir"
	mkdir -p "$dir"
	say "extracting $tarball into $src"
	tar -xaf "$tarball" -C "$dir"
	mv "$dir"/linux-source-6.12 "$src"

	say "configuring: x86_64_defconfig + kvm_guest.config + debug.config + ${fragment#"$top"/}"
	make -s -C "$src" x86_64_defconfig >/dev/null
	(cd "$src" && KCONFIG_CONFIG=.config scripts/kconfig/merge_config.sh -m -Q .config \
		kernel/configs/kvm_guest.config kernel/configs/debug.config "$fragment") \
		>"$dir/merge.log" 2>&1 || { cat "$dir/merge.log" >&2; die "merge_config failed"; }
	make -s -C "$src" olddefconfig >/dev/null
	check_config "$src/.config" || die "the debug config lacks required options"

	jobs=$(nproc)
	say "building with $jobs jobs (log: $dir/build.log)"
	make_progress "$dir/build.log" build make -C "$src" -j"$jobs" bzImage modules
	kver=$(make -s -C "$src" kernelrelease)
	cp "$src/arch/x86/boot/bzImage" "$dir/vmlinuz"
	make -s -C "$src" INSTALL_MOD_PATH="$dir/modules" modules_install >"$dir/modules.log" 2>&1 ||
		die "modules_install failed (log: $dir/modules.log)"
	# The guest's modprobe runs in the host root: point it at the modules.
	as_root ln -sfn "$dir/modules/lib/modules/$kver" "/lib/modules/$kver"
	echo "$kver" >"$dir/ready"
}

main() {
	local dir start=$SECONDS old

	install_deps
	dir=$(cache_dir) || die "linux-source-6.12 is not installed"
	mkdir -p "$kcache"
	exec 9>"$kcache/debug.lock"
	flock 9
	if [ -f "$dir/ready" ]; then
		kver=$(cat "$dir/ready")
		[ -e "/lib/modules/$kver" ] ||
			as_root ln -sfn "$dir/modules/lib/modules/$kver" "/lib/modules/$kver"
		say "cached: $kver in $dir"
		return 0
	fi
	build "$dir"
	# Builds of other sources or configs are stale now.
	for old in "$kcache"/debug-*; do
		[ -d "$old" ] && [ "$old" != "$dir" ] && rm -rf "$old"
	done
	say "built $(cat "$dir/ready") in $(((SECONDS - start) / 60)) min $(((SECONDS - start) % 60)) s"
}

main
