#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# mkdeb.sh OUT: "make deb".  Copies the tree's files (those git tracks,
# or all of them outside git) to OUT/gochan-VERSION, adds
# tools/packaging/debian as its debian/ with a changelog for VERSION, and
# builds the binary packages with dpkg-buildpackage: gochan-dkms,
# libgochan0, libgochan-dev and gochan-tools land in OUT.
# Needs debhelper, dh-dkms and dpkg-dev (tools/testing/vm/install-deps.sh).
set -euo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
out=$1
ver=$(make -s -C "$top" version)
src=$out/gochan-$ver

rm -rf "$out"
mkdir -p "$src"
if git -C "$top" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	git -C "$top" ls-files -z | (cd "$top" && tar --null -T - -cf -) | tar -C "$src" -xf -
else
	tar -C "$top" --exclude=.build --exclude=.git -cf - . | tar -C "$src" -xf -
fi
cp -r "$top/tools/packaging/debian" "$src/debian"
cat >"$src/debian/changelog" <<EOC
gochan ($ver) unstable; urgency=medium

  * gochan $ver.

 -- gochan developers <gochan@example.org>  $(date -R -d @"${SOURCE_DATE_EPOCH:-$(git -C "$top" log -1 --format=%ct 2>/dev/null || date +%s)}")
EOC
(cd "$src" && dpkg-buildpackage -us -uc -b)
ls "$out"/*.deb
