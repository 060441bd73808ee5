#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# check-install.sh TOP SCRATCH
#
# Prove that the install steps a user runs work:
# - "make", then "make install" into a DESTDIR with PREFIX=/usr, lays out
#   the library, headers, pkg-config file (saying /usr), gochan(1) and the
#   man pages; LDFLAGS reaches the link and -Werror is not forced; a
#   program built with pkg-config against that tree links and runs;
#   uninstall leaves nothing;
# - a real "make install" into /usr/local, ldconfig, pkg-config and a
#   program that builds and runs with no help, then "make uninstall";
# - DKMS registers and builds gochan.ko alone, from sources alone, in
#   private trees for the stock kernel's headers, and keeps its
#   Module.symvers;
# - "make deb" builds the Debian packages, which install (DKMS builds
#   gochan.ko for the stock kernel), work, and purge without a trace.
set -euo pipefail

top=$1 scratch=$2
# The real install and the packages change the machine (and put it back).
[ "$(id -u)" = 0 ] || { echo "the install check needs root: it installs for real"; exit 1; }
ver=$(make -s -C "$top" version)
[ -n "$ver" ] || { echo "make version printed nothing"; exit 1; }
rm -rf "$scratch"
mkdir -p "$scratch"
dest=$scratch/root

# hello NAME: build examples/hello.c through pkg-config, as a user would,
# and run it: with no module on this host it must load libgochan and
# report that /dev/gochan is missing.
hello() {
	local bin=$scratch/$1 rc
	# shellcheck disable=SC2046
	cc -o "$bin" "$top/tools/lib/gochan/examples/hello.c" \
		$(pkg-config --cflags --libs libgochan)
	set +e
	"$bin" >"$bin.out" 2>&1
	rc=$?
	set -e
	cat "$bin.out"
	[ $rc = 1 ] && grep -q "open /dev/gochan" "$bin.out" ||
		{ echo "$1: the program did not run as expected (status $rc)"; return 1; }
}

# A build with the default prefix first: the install must not keep its
# pkg-config file.  LDFLAGS must reach the shared library's link.
make -s -C "$top" lib tool O="$scratch/build" LDFLAGS=-Wl,-z,now
make -s -C "$top" install DESTDIR="$dest" PREFIX=/usr O="$scratch/build" \
	LDFLAGS=-Wl,-z,now
for f in usr/lib/libgochan.a "usr/lib/libgochan.so.$ver" usr/lib/libgochan.so.0 \
	 usr/lib/libgochan.so usr/lib/pkgconfig/libgochan.pc \
	 usr/include/gochan.h usr/include/gochan/linux/gochan.h usr/bin/gochan \
	 usr/share/man/man1/gochan.1 usr/share/man/man3/gochan_make.3 \
	 usr/share/man/man3/libgochan.3 usr/share/man/man4/gochan.4; do
	[ -e "$dest/$f" ] || { echo "missing after install: $f"; exit 1; }
done
grep -qx 'prefix=/usr' "$dest/usr/lib/pkgconfig/libgochan.pc" &&
	grep -qx 'libdir=/usr/lib' "$dest/usr/lib/pkgconfig/libgochan.pc" ||
	{ echo "pkg-config file does not honour PREFIX after a plain make"; exit 1; }
grep -q 'BIND_NOW' <<<"$(readelf -d "$dest/usr/lib/libgochan.so")" ||
	{ echo "LDFLAGS did not reach the shared library's link"; exit 1; }
dry=$(make -n -B -C "$top/tools/lib/gochan" O="$scratch/dry" libs)
grep -q -- '-c -o .*gochan\.o gochan\.c' <<<"$dry" ||
	{ echo "make -n printed no compile of gochan.c"; exit 1; }
! grep -q -- '-Werror' <<<"$dry" || { echo "-Werror is forced without WERROR=1"; exit 1; }
# The udev rule keeps the mode the module asks for.
grep -q 'MODE="0666"' "$top/tools/packaging/70-gochan.rules" &&
	grep -q '\.mode[[:space:]]*= 0666,' "$top/module/dev.c" ||
	{ echo "the udev rule's mode is not the module's"; exit 1; }
man3=$(find "$dest/usr/share/man/man3" -name '*.3' | wc -l)
[ "$man3" -ge 30 ] || { echo "only $man3 section 3 pages installed"; exit 1; }
# The uapi copy stays out of the distribution's include/linux/.
[ ! -e "$dest/usr/include/linux" ] ||
	{ echo "make install wrote into include/linux/"; exit 1; }

# Only the exported API is visible in the shared library.
nm -D --defined-only "$dest/usr/lib/libgochan.so" | awk '$2 == "T" { print $3 }' |
	grep -v '^gochan_' && { echo "libgochan.so exports non-gochan_ symbols"; exit 1; }
PKG_CONFIG_SYSROOT_DIR=$dest PKG_CONFIG_LIBDIR=$dest/usr/lib/pkgconfig \
	LD_LIBRARY_PATH=$dest/usr/lib hello hello-destdir

make -s -C "$top" uninstall DESTDIR="$dest" PREFIX=/usr O="$scratch/build"
left=$(find "$dest" -type f -o -type l)
[ -z "$left" ] || { echo "left behind by uninstall: $left"; exit 1; }

# A real install, as a user does it: make install, ldconfig, pkg-config,
# and a program that builds and runs with no LD_LIBRARY_PATH.
real_cleanup() {
	make -s -C "$top" uninstall O="$scratch/real" >/dev/null 2>&1 || true
	ldconfig
}
# Nothing of ours may be there already: the cleanup removes what it finds.
make -s -C "$top" install DESTDIR="$scratch/probe" O="$scratch/real"
while read -r f; do
	[ ! -e "${f#"$scratch/probe"}" ] ||
		{ echo "${f#"$scratch/probe"} exists already: not touching it"; exit 1; }
done < <(find "$scratch/probe" -type f -o -type l)
trap real_cleanup EXIT
make -s -C "$top" install O="$scratch/real"
ldconfig
libs=$(pkg-config --libs libgochan | xargs)
echo "pkg-config --libs libgochan: $libs"
[ "$libs" = "-L/usr/local/lib -lgochan" ] || { echo "unexpected pkg-config --libs"; exit 1; }
hello hello-real
# Never "cmd | grep -q" under pipefail: grep's early exit can kill cmd
# with SIGPIPE and fail the pipeline although it matched.
loaded=$(ldd "$scratch/hello-real")
grep -q '/usr/local/lib/libgochan.so.0' <<<"$loaded" ||
	{ echo "the program does not load the installed libgochan:"; echo "$loaded"; exit 1; }
/usr/local/bin/gochan ls >/dev/null || { echo "the installed gochan(1) does not run"; exit 1; }
real_cleanup
trap - EXIT
cache=$(ldconfig -p)
[ ! -e /usr/local/lib/libgochan.so.0 ] && ! grep -q '/usr/local/lib/libgochan' <<<"$cache" ||
	{ echo "make uninstall left libgochan in /usr/local"; exit 1; }
echo "real install: make install, ldconfig, pkg-config, build and run: ok"

# DKMS, in private trees, for the stock kernel's headers.
hdr=$(dpkg-query -W -f='${Depends}' linux-headers-amd64)
kver=${hdr%% *}
kver=${kver#linux-headers-}
# From a tree that has been built in: no build product may be shipped.
make -s -C "$top" dkms-src DESTDIR="$scratch/dkms-src-root"
src=$scratch/dkms-src-root/usr/src
# DKMS ships gochan.ko's sources only: no test or benchmark module, no
# build files, no top-level Makefile.
extra=$(find "$src" -name '*_kunit.c' -o -name 'ktest*' -o -name 'kbench*' -o -name tools)
[ -z "$extra" ] || { echo "dkms-src ships test sources: $extra"; exit 1; }
other=$(find "$src" -type f ! -name '*.c' ! -name '*.h' ! -name Kbuild ! -name dkms.conf \
	! -name dkms-post-build.sh ! -path '*/LICENSES/*')
[ -z "$other" ] || { echo "dkms-src ships files that are not sources: $other"; exit 1; }
grep -q '^BUILD_EXCLUSIVE_KERNEL=' "$src/gochan-$ver/dkms.conf" ||
	{ echo "dkms.conf has no BUILD_EXCLUSIVE_KERNEL"; exit 1; }
mkdir -p "$scratch/dkms" "$scratch/dkms-install"
dkms=(--sourcetree "$src" --dkmstree "$scratch/dkms" --installtree "$scratch/dkms-install")
dkms add "${dkms[@]}" -m gochan -v "$ver"
dkms build "${dkms[@]}" -m gochan -v "$ver" -k "$kver" \
	--kernelsourcedir "/usr/src/linux-headers-$kver"
ko=$(find "$scratch/dkms/gochan/$ver/$kver" -name 'gochan.ko*' -print -quit)
[ -n "$ko" ] || { echo "dkms build produced no gochan.ko"; exit 1; }
kos=$(find "$scratch/dkms/gochan/$ver/$kver" -name '*.ko*' | wc -l)
[ "$kos" = 1 ] || { echo "dkms built $kos modules, not gochan.ko alone"; exit 1; }
grep -q "vermagic: *$kver " <<<"$(modinfo "$ko")" ||
	{ echo "dkms built gochan.ko for the wrong kernel"; exit 1; }
grep -qx "$ver" <<<"$(modinfo -F version "$ko")" ||
	{ echo "gochan.ko's version is not $ver"; exit 1; }
symvers=$scratch/dkms/gochan/$ver/$kver/$(uname -m)/Module.symvers
grep -q '	__kgo_go	' "$symvers" ||
	{ echo "dkms kept no Module.symvers with gochan's exports"; exit 1; }
echo "dkms built $ko, kept $symvers"

# The Debian packages: build, install, use, purge.
pkgs=(gochan-dkms gochan-tools libgochan-dev libgochan0)
for p in "${pkgs[@]}"; do
	if grep -q 'installed' <<<"$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)"; then
		echo "$p is installed already: not touching it"; exit 1
	fi
done
multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
deb_cleanup() { dpkg --purge "${pkgs[@]}" >/dev/null 2>&1 || true; }
trap deb_cleanup EXIT
make -s -C "$top" deb O="$scratch"
debs=("$scratch"/deb/gochan-dkms_"$ver"_all.deb "$scratch"/deb/gochan-tools_"$ver"_*.deb \
      "$scratch"/deb/libgochan-dev_"$ver"_*.deb "$scratch"/deb/libgochan0_"$ver"_*.deb)
dpkg -i "${debs[@]}"
grep -q "gochan/$ver, $kver, .*: installed" <<<"$(dkms status gochan)" ||
	{ echo "the gochan-dkms package did not build gochan.ko for $kver"; dkms status; exit 1; }
grep -qx "$ver" <<<"$(modinfo -F version "/lib/modules/$kver/updates/dkms/gochan.ko")" ||
	{ echo "the package's gochan.ko is not installed for $kver"; exit 1; }
for f in /usr/lib/udev/rules.d/70-gochan.rules /usr/lib/modules-load.d/gochan.conf \
	 /usr/share/man/man3/gochan_select.3.gz /usr/share/man/man4/gochan.4.gz /usr/bin/gochan \
	 "/var/lib/dkms/gochan/$ver/$kver/$(uname -m)/Module.symvers"; do
	[ -e "$f" ] || { echo "missing after the packages' install: $f"; exit 1; }
done
hello hello-deb
dpkg --purge "${pkgs[@]}"
trap - EXIT
for f in /usr/lib/udev/rules.d/70-gochan.rules /usr/src/gochan-"$ver" \
	 /var/lib/dkms/gochan "/lib/modules/$kver/updates/dkms/gochan.ko" \
	 "/usr/lib/$multiarch/libgochan.so.0"; do
	[ ! -e "$f" ] || { echo "left behind by the packages' purge: $f"; exit 1; }
done
echo "Debian packages: built, installed, used and purged: ${debs[*]##*/}"
