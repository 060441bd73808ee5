#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# long.sh: the long reliability runs, "make fuzz" and "make soak".  One
# VM boot per kernel runs the fuzzer for FUZZ_SECONDS, then the soak for
# SOAK_SECONDS (1% of its calls fault-injected where the kernel can),
# then the teardown rounds, then the health checks (kmemleak, kernel
# log, lockdep).  See Documentation/reliability.rst.
#
# Environment: GOCHAN_KERNELS (default "debug": KASAN; "kcsan" for data
# races, "stock"), FUZZ_SECONDS (default 3600), SOAK_SECONDS (default
# 1800), SEED (replay a fuzz or soak seed), TEARDOWN_ROUNDS (default 100),
# GOCHAN_OUT (default .build/long).
set -uo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
out=${GOCHAN_OUT:-$top/.build/long}
# shellcheck source=lib.sh
. "$top/tools/testing/vm/lib.sh"

kernels=${GOCHAN_KERNELS:-debug}
fuzz=${FUZZ_SECONDS:-3600}
soak=${SOAK_SECONDS:-1800}
rounds=${TEARDOWN_ROUNDS:-100}
prepare long $kernels

rm -rf "$out"
mkdir -p "$out"
step "building"
# shellcheck disable=SC2086 # a list
build_all "$out/build.log" $kernels

append="gochan.fuzz=$fuzz gochan.soak=$soak gochan.teardown=$rounds"
[ -n "${SEED:-}" ] && append+=" gochan.seed=$SEED"
# The runs, the fuzzer's and soak's wind-down, and the teardown rounds.
limit=$((fuzz + soak + 1200))
bad=0
for k in $kernels; do
	step "fuzz ${fuzz}s and soak ${soak}s on the $k kernel (VM limit ${limit}s)"
	GOCHAN_VM_APPEND="$append" stage_and_boot "$k" "${kdir[$k]}" long "$limit" ||
		bad=1
	grep -v -e '^gochan-' -e '^TAP version' "$out/vm-$k/results.log"
done
step "done: results in $out"
# The same judge as "make check": exit codes, the manifest's suites,
# splats in the console, taint, gochan-done.
args=()
for k in $kernels; do args+=("$k:$out/vm-$k"); done
"$vm/report.py" --manifest "$vm/manifest" --mode long "${args[@]}" || bad=1
exit $bad
