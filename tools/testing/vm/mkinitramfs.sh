#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# mkinitramfs.sh OUT.cpio.gz MODDIR BINDIR
#
# Pack the test VM's initramfs: busybox, init.sh as /init, the modules in
# MODDIR (*.ko) under /lib/gochan, the selftests in BINDIR/selftests under
# /tests, the examples in BINDIR/examples under /examples and the
# benchmark driver in BINDIR/bench under /bench, the gochan tool in
# BINDIR/tools under /bin, and, unless
# GOCHAN_PYTHON=0, Debian's Python with pytest and the gochan Python
# package under /python (python-files.py).
# The archive is written with the kernel's gen_init_cpio, so device nodes
# need no root.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out=$1 moddir=$2 bindir=$3
cache=${GOCHAN_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/gochan}

src=$("$here/kernel.sh" source)
gen="$cache/bin/gen_init_cpio"
if [ ! -x "$gen" ] || [ "$src/usr/gen_init_cpio.c" -nt "$gen" ]; then
	mkdir -p "$cache/bin"
	cc -O2 -o "$gen.tmp" "$src/usr/gen_init_cpio.c"
	mv "$gen.tmp" "$gen"
fi

busybox=/bin/busybox
dpkg-query -W busybox-static >/dev/null 2>&1 ||
	{ echo "busybox-static is not installed" >&2; exit 1; }

list=$(mktemp)
trap 'rm -f "$list"' EXIT
{
	for d in /bin /dev /proc /sys /tmp /lib /lib/gochan /tests /examples /bench /stress; do
		echo "dir $d 0755 0 0"
	done
	echo "nod /dev/console 0600 0 0 c 5 1"
	echo "nod /dev/null 0666 0 0 c 1 3"
	echo "file /bin/busybox $busybox 0755 0 0"
	echo "slink /bin/sh busybox 0777 0 0"
	echo "file /init $here/init.sh 0755 0 0"
	echo "file /manifest $here/manifest 0644 0 0"
	for f in "$moddir"/*.ko; do
		[ -e "$f" ] && echo "file /lib/gochan/${f##*/} $f 0644 0 0"
	done
	for f in "$bindir"/selftests/*; do
		[ -f "$f" ] && [ -x "$f" ] && echo "file /tests/${f##*/} $f 0755 0 0"
	done
	for f in "$bindir"/examples/*; do
		[ -f "$f" ] && [ -x "$f" ] && echo "file /examples/${f##*/} $f 0755 0 0"
	done
	for f in "$bindir"/bench/*; do
		[ -f "$f" ] && [ -x "$f" ] && echo "file /bench/${f##*/} $f 0755 0 0"
	done
	for f in "$bindir"/tools/*; do
		[ -f "$f" ] && [ -x "$f" ] && echo "file /bin/${f##*/} $f 0755 0 0"
	done
	for f in "$bindir"/stress/*; do
		[ -f "$f" ] && [ -x "$f" ] && echo "file /stress/${f##*/} $f 0755 0 0"
	done
	if [ "${GOCHAN_PYTHON:-1}" = 1 ]; then
		"$here/python-files.py" "$here/../../lib/gochan/python" ||
			{ echo "mkinitramfs: Debian's python3 and python3-pytest are needed" >&2; exit 1; }
	fi
} >"$list"
# A directory both lists name is listed once.
awk '!seen[$0]++' "$list" >"$list.uniq"
"$gen" "$list.uniq" | gzip -1 >"$out"
rm -f "$list.uniq"
