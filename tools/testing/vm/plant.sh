#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# plant.sh FAULT...: show that "make check" fails, and says where, for
# each planted harness fault (Documentation/testing.rst, "What runs").  Each FAULT is planted in a private copy of the tree
# (git's tracked files as they are in the work tree), "make check" runs
# there on one kernel, and the run must exit non-zero with the message
# that names the fault.  The work tree is never touched.
#
#   binary      a selftest binary deleted from the VM's image
#   early-exit  the VM powers off after vm-load, before gochan-done
#   segv        a guest program dies of SIGSEGV before it prints
#   rcu-stall   an RCU stall report written into the kernel log
#   kmemleak    the kmemleak scan made unwritable (debug kernel)
#
# FAULT+FAULT... plants several in one copy and one run, which must name
# each.  With no argument: "binary+segv+rcu-stall+kmemleak" (debug) and
# "early-exit".  Environment: GOCHAN_KERNELS (the kernel, default stock;
# a group with kmemleak always uses debug), GOCHAN_PLANT_DIR (default
# .build/plant).
set -uo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
base=${GOCHAN_PLANT_DIR:-$top/.build/plant}
faults=("$@")
[ ${#faults[@]} -gt 0 ] || faults=(binary+segv+rcu-stall+kmemleak early-exit)

# plant FAULT DIR: edit the copy in DIR; prints the message to expect.
plant() {
	local f=$1 d=$2 vm=$2/tools/testing/vm
	case "$f" in
	binary)
		sed -i 's|^\t\[ "$mode" = check \] && cp "$out/user/selftests/"\* "$st/bin/selftests/"$|&\n\trm -f "$st/bin/selftests/gochan_dev_test"|' \
			"$vm/lib.sh"
		grep -q 'rm -f "$st/bin/selftests/gochan_dev_test"' "$vm/lib.sh" &&
			echo "expected suite selftest:gochan_dev_test did not run"
		;;
	early-exit)
		sed -i '/^\t# The KUnit suites run inside insmod/i\	poweroff -f' \
			"$vm/init.sh"
		grep -q '^	poweroff -f$' "$vm/init.sh" &&
			echo "guest did not finish (no gochan-done"
		;;
	segv)
		sed -i 's|^\t\[ "$mode" = check \] && cp "$out/user/selftests/"\* "$st/bin/selftests/"$|&\n\tprintf "#!/bin/sh\\nkill -SEGV \\$\\$\\n" >"$st/bin/selftests/gochan_limits_test"|' \
			"$vm/lib.sh"
		grep -q 'kill -SEGV' "$vm/lib.sh" &&
			echo "exit status 139 (killed by SIGSEGV)"
		;;
	rcu-stall)
		sed -i '/^\tt_begin vm-load$/i\	echo "rcu: INFO: rcu_sched detected stalls on CPUs/tasks: (planted)" >/dev/kmsg' \
			"$vm/init.sh"
		grep -q 'detected stalls on CPUs/tasks: (planted)' "$vm/init.sh" &&
			echo "rcu: INFO: rcu_sched detected stalls on CPUs/tasks: (planted)"
		;;
	kmemleak)
		sed -i '/^\tt_begin vm-unload$/i\	echo off >/sys/kernel/debug/kmemleak' "$vm/init.sh"
		grep -q '^	echo off >/sys/kernel/debug/kmemleak$' "$vm/init.sh" &&
			echo "the scan could not be written"
		;;
	*)
		echo "plant.sh: unknown fault $f" >&2
		return 1
		;;
	esac
}

bad=0
for group in "${faults[@]}"; do
	d=$base/${group//+/-}
	rm -rf "$d"
	mkdir -p "$d"
	git -C "$top" ls-files -z | (cd "$top" && tar --null -T - -cf -) |
		tar -xf - -C "$d" || exit 1
	wants=()
	k=${GOCHAN_KERNELS:-stock}
	for f in ${group//+/ }; do
		want=$(plant "$f" "$d") || { echo "plant.sh: $f: could not plant" >&2; exit 1; }
		[ -n "$want" ] || { echo "plant.sh: $f: the edit did not apply" >&2; exit 1; }
		wants+=("$f:$want")
		[ "$f" = kmemleak ] && k=debug
	done
	echo "plant.sh: $group on $k: make check must fail and say each of:"
	printf '    %s\n' "${wants[@]}"
	GOCHAN_KERNELS=$k GOCHAN_OUT=$d/.build/check make -s -C "$d" check \
		>"$d/check.log" 2>&1
	rc=$?
	grep -E '^[0-9]+ passed, [0-9]+ failed' "$d/check.log" | sed 's/^/    /'
	[ $rc -ne 0 ] || { echo "plant.sh: $group: make check passed" >&2; bad=1; }
	for w in "${wants[@]}"; do
		f=${w%%:*} want=${w#*:}
		if grep -qF -- "$want" "$d/check.log"; then
			echo "plant.sh: $f: caught (exit $rc); the report says:"
			grep -F -B3 -- "$want" "$d/check.log" | sed -n '1,8s/^/    /p'
		else
			echo "plant.sh: $f: NOT caught (exit $rc); see $d/check.log" >&2
			bad=1
		fi
	done
done
exit $bad
