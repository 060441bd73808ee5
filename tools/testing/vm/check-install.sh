#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# check-install.sh TOP SCRATCH
#
# Prove that the install steps a user runs work, without touching the
# machine: "make install" into a DESTDIR with PREFIX=/usr lays out the
# library, headers and pkg-config file; a program built with pkg-config
# against that tree links to the shared library and runs; DKMS registers
# and builds gochan.ko in private trees for the stock kernel's headers.
set -euo pipefail

top=$1 scratch=$2
ver=$(make -s -C "$top" version)
[ -n "$ver" ] || { echo "make version printed nothing"; exit 1; }
rm -rf "$scratch"
mkdir -p "$scratch"
dest=$scratch/root

make -s -C "$top" install DESTDIR="$dest" PREFIX=/usr O="$scratch/build"
for f in usr/lib/libgochan.a "usr/lib/libgochan.so.$ver" usr/lib/libgochan.so.0 \
	 usr/lib/libgochan.so usr/lib/pkgconfig/libgochan.pc \
	 usr/include/gochan.h usr/include/gochan/linux/gochan.h; do
	[ -e "$dest/$f" ] || { echo "missing after install: $f"; exit 1; }
done
grep -qx 'prefix=/usr' "$dest/usr/lib/pkgconfig/libgochan.pc" ||
	{ echo "pkg-config file does not honour PREFIX"; exit 1; }
# The uapi copy stays out of the distribution's include/linux/.
[ ! -e "$dest/usr/include/linux" ] ||
	{ echo "make install wrote into include/linux/"; exit 1; }

# Build the example the way a user would, through pkg-config.
export PKG_CONFIG_SYSROOT_DIR=$dest PKG_CONFIG_LIBDIR=$dest/usr/lib/pkgconfig
# shellcheck disable=SC2046
cc -o "$scratch/hello" "$top/tools/lib/gochan/examples/hello.c" \
	$(pkg-config --cflags --libs libgochan)
# Only the exported API is visible in the shared library.
nm -D --defined-only "$dest/usr/lib/libgochan.so" | awk '$2 == "T" { print $3 }' |
	grep -v '^gochan_' && { echo "libgochan.so exports non-gochan_ symbols"; exit 1; }
# No module on this host: the example must load the library and report it.
set +e
LD_LIBRARY_PATH=$dest/usr/lib "$scratch/hello" >"$scratch/hello.out" 2>&1
rc=$?
set -e
cat "$scratch/hello.out"
[ $rc = 1 ] && grep -q "open /dev/gochan" "$scratch/hello.out" ||
	{ echo "the installed example did not run as expected (status $rc)"; exit 1; }

make -s -C "$top" uninstall DESTDIR="$dest" PREFIX=/usr O="$scratch/build"
left=$(find "$dest" -type f -o -type l)
[ -z "$left" ] || { echo "left behind by uninstall: $left"; exit 1; }

# DKMS, in private trees, for the stock kernel's headers.
hdr=$(dpkg-query -W -f='${Depends}' linux-headers-amd64)
kver=${hdr%% *}
kver=${kver#linux-headers-}
make -s -C "$top" dkms-src DESTDIR="$scratch/dkms-src-root"
src=$scratch/dkms-src-root/usr/src
# DKMS ships gochan.ko's sources only: no test or benchmark module.
extra=$(find "$src" -name '*_kunit.c' -o -name 'ktest*' -o -name 'kbench*' -o -name tools)
[ -z "$extra" ] || { echo "dkms-src ships test sources: $extra"; exit 1; }
mkdir -p "$scratch/dkms" "$scratch/dkms-install"
dkms=(--sourcetree "$src" --dkmstree "$scratch/dkms" --installtree "$scratch/dkms-install")
dkms add "${dkms[@]}" -m gochan -v "$ver"
dkms build "${dkms[@]}" -m gochan -v "$ver" -k "$kver" \
	--kernelsourcedir "/usr/src/linux-headers-$kver"
ko=$(find "$scratch/dkms/gochan/$ver/$kver" -name 'gochan.ko*' | head -n 1)
[ -n "$ko" ] || { echo "dkms build produced no gochan.ko"; exit 1; }
kos=$(find "$scratch/dkms/gochan/$ver/$kver" -name '*.ko*' | wc -l)
[ "$kos" = 1 ] || { echo "dkms built $kos modules, not gochan.ko alone"; exit 1; }
modinfo "$ko" | grep -q "vermagic: *$kver " ||
	{ echo "dkms built gochan.ko for the wrong kernel"; exit 1; }
modinfo -F version "$ko" | grep -qx "$ver" ||
	{ echo "gochan.ko's version is not $ver"; exit 1; }
echo "dkms built $ko"
