#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# dkms-post-build.sh DIR: DKMS's POST_BUILD step, run in the build tree
# before DKMS cleans it.  Keeps the Module.symvers of gochan.ko in DIR,
# DKMS's per-kernel directory (removed with "dkms remove"), so that client
# modules can resolve kgo_* symbols with
#   KBUILD_EXTRA_SYMBOLS=/var/lib/dkms/gochan/VERSION/KVER/ARCH/Module.symvers
set -e
[ $# = 1 ] || { echo "usage: dkms-post-build.sh DIR" >&2; exit 2; }
mkdir -p "$1"
cp Module.symvers "$1/Module.symvers"
