#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# quick.sh: "make quick", the development loop.  Builds userspace and
# gochan.ko for one kernel (no sparse, no checkpatch, no install check),
# boots it once, runs the selftest programs matching GOCHAN_ONLY with
# the kernel's loop counts of "make check", checks the kernel log, and
# prints each suite, the total and where the time went (timings.py).
#
# Environment: GOCHAN_KERNELS (default stock; one or more kernels),
# GOCHAN_ONLY (a glob over the selftest programs, default
# "gochan_*_test": every 64-bit program), GOCHAN_OUT (default
# .build/quick), GOCHAN_VM_TIMEOUT (default 900 s).  Extra guest options
# go in GOCHAN_VM_APPEND as for "make check".
set -uo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
out=${GOCHAN_OUT:-$top/.build/quick}
# shellcheck source=lib.sh
. "$top/tools/testing/vm/lib.sh"

kernels=${GOCHAN_KERNELS:-stock}
only=${GOCHAN_ONLY:-gochan_*_test}
limit=${GOCHAN_VM_TIMEOUT:-900}
# shellcheck disable=SC2086 # a list
prepare quick $kernels

rm -rf "$out"
mkdir -p "$out"
step "building"
# shellcheck disable=SC2086 # a list
build_all "$out/build.log" $kernels
args=()
for k in $kernels; do
	step "running $only on the $k kernel"
	GOCHAN_VM_APPEND="gochan.only=$only ${GOCHAN_VM_APPEND:-}" \
		stage_and_boot "$k" "${kdir[$k]}" check "$limit"
	args+=("$k:$out/vm-$k")
done
step "done"
"$vm/timings.py" "${args[@]}"
"$vm/report.py" "${args[@]}"
