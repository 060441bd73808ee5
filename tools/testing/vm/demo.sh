#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# demo.sh: boot Debian's stock kernel in qemu, load gochan.ko and run the
# example programs, showing their output.  "make demo" runs this.
set -uo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
out=${GOCHAN_OUT:-$top/.build/demo}
# shellcheck source=lib.sh
. "$top/tools/testing/vm/lib.sh"

"$vm/install-deps.sh" || exit 1
kdir=$("$vm/kernel.sh" stock) || exit 1
echo "demo: building gochan.ko for $(cat "$kdir/release") and the examples" >&2
mkdir -p "$out"
{ build_user && build_module stock "$kdir"; } >"$out/build.log" 2>&1 ||
	{ tail -n 30 "$out/build.log"; echo "demo: build failed, log: $out/build.log"; exit 1; }
echo "demo: booting the VM" >&2
stage_and_boot stock "$kdir" demo "${GOCHAN_VM_TIMEOUT:-300}"
echo
grep -v '^gochan-' "$out/vm-stock/results.log"
grep -q '^gochan-done' "$out/vm-stock/results.log" || {
	echo "demo: the VM did not finish; console tail:"
	tail -n 30 "$out/vm-stock/console.log"
	exit 1
}
! grep -q 'exit status [1-9]' "$out/vm-stock/results.log"
