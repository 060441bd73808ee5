#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bench.sh: "make bench".  For each kernel (stock, then debug), VM boots
# that each run every benchmark and every peer (tools/testing/bench),
# then report.py turns the samples of all boots into tables, JSON, CSV
# and a chart.
#
# Environment: GOCHAN_KERNELS (default "stock debug"), BENCH_BOOTS (stock
# kernel boots, default 3), GOCHAN_OUT (default .build/bench),
# GOCHAN_BENCH_ARGS (extra driver options, e.g. "--reps 9" or "--only
# pingpong,select"), GOCHAN_VM_TIMEOUT (default 900 s per boot).
set -uo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
out=${GOCHAN_OUT:-$top/.build/bench}
# shellcheck source=lib.sh
. "$top/tools/testing/vm/lib.sh"

kernels=${GOCHAN_KERNELS:-stock debug}
limit=${GOCHAN_VM_TIMEOUT:-900}
prepare bench $kernels

rm -rf "$out"
mkdir -p "$out"
step "building"
# shellcheck disable=SC2086 # a list
build_all "$out/build.log" $kernels

# One VM boot runs every benchmark once.  The stock kernel boots
# BENCH_BOOTS times (default 3): its figures decide the verdicts, a row
# is MET only when it is met in every boot, and the spread across boots
# is printed beside each figure.  The debug kernel boots once; its
# figures are information.
boots=${BENCH_BOOTS:-3}
case "$boots" in
'' | *[!0-9]* | 0) die "BENCH_BOOTS must be a positive number, not '$boots'" ;;
esac
bad=0
for k in $kernels; do
	args=${GOCHAN_BENCH_ARGS:-}
	# KASAN and kmemleak slow everything: a tenth of the counts,
	# fewer parked continuations (~1 ms each there) and close-wake
	# receivers (--debug).
	n=$boots
	if [ "$k" = debug ]; then
		args="--debug --scale 0.1 $args"
		n=1
	fi
	csvs=()
	for b in $(seq 1 "$n"); do
		step "running the benchmarks on the $k kernel (boot $b of $n)"
		GOCHAN_VM_APPEND="gochan.bench=$(echo $args | tr ' ' '|')" \
			stage_and_boot "$k" "${kdir[$k]}" bench "$limit"
		rm -rf "$out/vm-$k-$b"
		mv "$out/vm-$k" "$out/vm-$k-$b"
		vmd=$out/vm-$k-$b
		res=$vmd/results.log
		csv=$out/$k-$b.csv
		# The configuration, recorded beside the guest's own metadata.
		cfg=${kdir[$k]}/config
		[ -f "$cfg" ] || cfg=${kdir[$k]}/build/.config
		{
			echo "# config $k: $(sha256sum "$cfg" | cut -c1-16)" \
				"($(grep -cE '^CONFIG_[A-Z0-9_]+=' "$cfg") options;" \
				"$(grep -E '^CONFIG_(PREEMPT|PREEMPT_DYNAMIC|PREEMPT_VOLUNTARY|HZ|KASAN|PROVE_LOCKING|DEBUG_KMEMLEAK)=' "$cfg" | tr '\n' ' '| sed 's/ $//'))"
			echo "# placement: userspace pairs pinned same-cpu (CPU 0) and cross-cpu (CPUs 0, 1); kernel runs placed by the scheduler under test"
		} >"$csv"
		awk '{ sub(/\r$/, "") }
		     /^gochan-suite: bench$/ { on = 1; next }
		     /^gochan-end: bench / { on = 0; print "# exit " $3; next }
		     on' "$res" >>"$csv"
		# The same judge as "make check": the VM's status, its suites
		# (bench-health: the kernel log), splats, gochan-done.
		"$top/tools/testing/vm/report.py" --manifest "$top/tools/testing/vm/manifest" \
			--mode bench "$k:$vmd" || bad=1
		if ! grep -q '^# done' "$csv" || ! grep -q '^gochan-done' "$res"; then
			echo "bench: the $k run (boot $b) did not finish; its last lines:" >&2
			tail -n 20 "$csv" >&2
			tail -n 20 "$vmd/console.log" >&2
			bad=1
			continue
		fi
		csvs+=("$csv")
	done
	if [ ${#csvs[@]} -ne "$n" ]; then
		echo "bench: $k: ${#csvs[@]} of $n boots finished; no report" >&2
		bad=1
		continue
	fi
	"$top/tools/testing/bench/report.py" "$out/$k" "${csvs[@]}" || bad=1
	step "$k: $out/$k/table.txt, $out/$k/results.json, $out/$k/chart.png"
done
step "done"
for k in $kernels; do
	[ -f "$out/$k/table.txt" ] && { echo; cat "$out/$k/table.txt"; }
done
exit $bad
