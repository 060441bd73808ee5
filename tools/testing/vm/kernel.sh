#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Prepare a test kernel for gochan and print the directory that holds it.
#
#   kernel.sh debug   build (once) the debug kernel from linux-source-6.12
#                     (KASAN, lockdep, UBSAN, kmemleak, KUnit)
#   kernel.sh kcsan   build (once) the data-race kernel (KCSAN, lockdep,
#                     UBSAN, kmemleak, KUnit; KCSAN excludes KASAN)
#   kernel.sh stock   fetch (once) Debian's linux-image-amd64 and headers
#   kernel.sh source  unpack (once) linux-source-6.12 and print its path
#
# The directory printed on stdout contains:
#   bzImage   the kernel to boot
#   build     the tree to build out-of-tree modules against (KDIR)
#   release   the kernel release string (uname -r)
#
# Kernels live in $GOCHAN_CACHE (default ~/.cache/gochan), outside the work
# tree, so every clone and every run shares them.  The debug kernel is keyed
# by a hash of its config fragments, the source package version and this
# script, so changing any of them builds a new one.  A lock keeps two runs
# from building or fetching the same kernel at once.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cache=${GOCHAN_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/gochan}
jobs=${GOCHAN_JOBS:-$(($(nproc) + 1))}
# Bump when the recipe below changes in a way the hash cannot see.
recipe=3

log() { echo "kernel.sh: $*" >&2; }
die() { log "error: $*"; exit 1; }

pkg_version() { dpkg-query -W -f='${Version}' "$1" 2>/dev/null; }

# Fragments used by each flavour, in merge order.
fragments_for() {
	case "$1" in
	debug) echo "$here/config/base.config $here/config/debug.config" ;;
	kcsan) echo "$here/config/base.config $here/config/kcsan.config" ;;
	*) die "unknown flavour '$1'" ;;
	esac
}

with_lock() {
	mkdir -p "$cache"
	exec 9>"$cache/lock"
	if ! flock -n 9; then
		log "waiting for another run that holds $cache/lock"
		flock 9
	fi
}

unpack_source_path() {
	local ver
	ver=$(pkg_version linux-source-6.12) ||
		die "linux-source-6.12 is not installed (run tools/testing/vm/install-deps.sh)"
	echo "$cache/src/linux-source-6.12-$ver"
}

# Caller holds the lock.
unpack_source() {
	local tarball=/usr/src/linux-source-6.12.tar.xz dst
	dst=$(unpack_source_path)
	if [ ! -f "$dst/.unpacked" ]; then
		log "unpacking $tarball"
		rm -rf "$dst" "$dst.tmp"
		mkdir -p "$dst.tmp"
		tar -xJf "$tarball" -C "$dst.tmp" --strip-components=1
		touch "$dst.tmp/.unpacked"
		mv "$dst.tmp" "$dst"
	fi
	echo "$dst"
}

build_flavour() {
	local flavour=$1 src ver frags key dir b start
	ver=$(pkg_version linux-source-6.12) || die "linux-source-6.12 is not installed"
	frags=$(fragments_for "$flavour")
	# shellcheck disable=SC2086
	key=$( (echo "recipe=$recipe source=$ver"; cat $frags) | sha256sum | cut -c1-16)
	dir="$cache/kernels/$flavour-$key"
	if [ -f "$dir/.done" ]; then
		echo "$dir"
		return
	fi
	with_lock
	if [ -f "$dir/.done" ]; then
		echo "$dir"
		return
	fi
	src=$(unpack_source)
	rm -rf "$dir"
	mkdir -p "$dir"
	b="$dir/build"
	start=$(date +%s)
	log "building the $flavour kernel in $dir (this takes a few minutes)"
	make -s -C "$src" O="$b" tinyconfig >/dev/null
	# shellcheck disable=SC2086
	(cd "$b" && "$src/scripts/kconfig/merge_config.sh" -m .config $frags) \
		>"$dir/merge.log" 2>&1 || { cat "$dir/merge.log" >&2; die "merge_config failed"; }
	make -s -C "$src" O="$b" olddefconfig >/dev/null
	check_config "$b/.config" $frags
	if ! make -C "$src" O="$b" -j"$jobs" >"$dir/build.log" 2>&1; then
		tail -n 40 "$dir/build.log" >&2
		die "kernel build failed, full log: $dir/build.log"
	fi
	[ -f "$b/Module.symvers" ] || die "no Module.symvers after the build"
	ln -sf build/arch/x86/boot/bzImage "$dir/bzImage"
	make -s -C "$src" O="$b" kernelrelease >"$dir/release"
	touch "$dir/.done"
	# Drop unfinished builds of this flavour (an interrupted run).
	for old in "$cache/kernels/$flavour"-*; do
		[ -f "$old/.done" ] || rm -rf "$old"
	done
	log "built $flavour kernel $(cat "$dir/release") in $(($(date +%s) - start)) s"
	echo "$dir"
}

# Every option a fragment asks for must survive olddefconfig: a silently
# dropped option (a missing dependency) would make the tests weaker.
check_config() {
	local config=$1 frag line name want have bad=0
	shift
	for frag in "$@"; do
		while IFS= read -r line; do
			case "$line" in
			CONFIG_*=*) ;;
			*) continue ;;
			esac
			name=${line%%=*}
			want=${line#*=}
			have=$(grep -E "^$name=|^# $name is not set" "$config" || true)
			if [ "$want" = n ]; then
				case "$have" in "$name="*) log "$name should be off: $have"; bad=1 ;; esac
			elif [ "$have" != "$line" ]; then
				log "$name: asked for '$want', got '${have:-nothing}'"
				bad=1
			fi
		done <"$frag"
	done
	[ $bad = 0 ] || die "the kernel config lost options from the fragments"
}

fetch_stock() {
	local hdrdep abi ver dir deb tmp
	hdrdep=$(dpkg-query -W -f='${Depends}' linux-headers-amd64 2>/dev/null) ||
		die "linux-headers-amd64 is not installed (run tools/testing/vm/install-deps.sh)"
	# "linux-headers-6.1.0-56-amd64 (= 6.1.192-2)"
	abi=${hdrdep%% *}
	abi=${abi#linux-headers-}
	ver=$(pkg_version "linux-headers-$abi")
	[ -d "/usr/src/linux-headers-$abi" ] || die "/usr/src/linux-headers-$abi is missing"
	dir="$cache/kernels/stock-$abi-$ver"
	if [ -f "$dir/.done" ]; then
		echo "$dir"
		return
	fi
	with_lock
	if [ -f "$dir/.done" ]; then
		echo "$dir"
		return
	fi
	rm -rf "$dir"
	mkdir -p "$dir"
	tmp=$(mktemp -d)
	chmod 755 "$tmp"
	log "downloading linux-image-$abi $ver"
	(cd "$tmp" && apt-get download "linux-image-$abi=$ver" >&2) ||
		die "apt-get download linux-image-$abi failed (run apt-get update?)"
	deb=$(ls "$tmp"/linux-image-"$abi"_*.deb)
	dpkg-deb -x "$deb" "$tmp/x"
	cp "$tmp/x/boot/vmlinuz-$abi" "$dir/bzImage"
	cp "$tmp/x/boot/config-$abi" "$dir/config"
	rm -rf "$tmp"
	ln -s "/usr/src/linux-headers-$abi" "$dir/build"
	echo "$abi" >"$dir/release"
	touch "$dir/.done"
	echo "$dir"
}

case "${1:-}" in
debug | kcsan) build_flavour "$1" ;;
stock) fetch_stock ;;
source)
	dir=$(unpack_source_path)
	if [ ! -f "$dir/.unpacked" ]; then
		with_lock
		dir=$(unpack_source)
	fi
	echo "$dir"
	;;
*) echo "usage: $0 debug|kcsan|stock|source" >&2; exit 2 ;;
esac
