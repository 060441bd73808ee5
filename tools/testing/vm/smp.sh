#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# smp.sh: "make smp", the scheduler with more Ps than the host has cores.
# Boots the debug kernel with GOCHAN_VM_SMP vCPUs (default 8, TCG) and
# runs the KUnit scheduler and run-queue suites, then boots the stock
# kernel with as many vCPUs and runs the scheduler benchmarks once
# (spawn, chain, kernel ping-pong, yield, imbalance, balanced).  Under
# TCG the vCPUs share the host's cores, so only the ratios of the
# benchmark report mean anything; they are in $GOCHAN_OUT/bench
# (default .build/smp).
#
# Environment: GOCHAN_VM_SMP (default 8), GOCHAN_OUT (default .build/smp),
# GOCHAN_VM_TIMEOUT (default 1800 s per boot).
set -uo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
out=${GOCHAN_OUT:-$top/.build/smp}
export GOCHAN_VM_SMP=${GOCHAN_VM_SMP:-8}
export GOCHAN_VM_TIMEOUT=${GOCHAN_VM_TIMEOUT:-1800}

case "$GOCHAN_VM_SMP" in
'' | *[!0-9]* | 0) echo "smp.sh: GOCHAN_VM_SMP must be a positive number" >&2; exit 2 ;;
esac

rc=0
echo "smp.sh: KUnit gochan_sched and gochan_runq with $GOCHAN_VM_SMP vCPUs (debug kernel)"
# One glob (KUnit takes one): gochan_runq and gochan_sched, not _select.
GOCHAN_KERNELS=debug GOCHAN_ONLY=kunit GOCHAN_OUT=$out/kunit \
	GOCHAN_VM_APPEND="kunit.filter_glob=gochan_[rs][uc]* ${GOCHAN_VM_APPEND:-}" \
	"$top/tools/testing/vm/quick.sh" || rc=1
echo "smp.sh: scheduler benchmarks with $GOCHAN_VM_SMP vCPUs (stock kernel, one boot)"
GOCHAN_KERNELS=stock BENCH_BOOTS=1 GOCHAN_OUT=$out/bench \
	GOCHAN_BENCH_ARGS="--only spawn,chain,kpingpong,yield,imbalance,balanced ${GOCHAN_BENCH_ARGS:-}" \
	"$top/tools/testing/vm/bench.sh" || rc=1
exit $rc
