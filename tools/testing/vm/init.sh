#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# PID 1 of the gochan test VM.  The kernel command line picks the job:
#   gochan.mode=check  load gochan, run KUnit, kselftests and examples,
#                      check the kernel's health, unload, report
#   gochan.mode=demo   load gochan, run the examples, unload
#   gochan.mode=bench  load gochan and gochan_bench, run the benchmarks
#                      (gochan.bench=ARG|ARG|... adds driver options)
#   gochan.mode=long   the long reliability runs: gochan.fuzz=SECONDS of
#                      fuzzing, gochan.soak=SECONDS of soak,
#                      gochan.seed=N, then teardown and health checks
#
# gochan.fuzz, gochan.soak and gochan.teardown (rmmod/insmod rounds) also
# set the short runs of "check" (defaults 20 s, 20 s and 30 rounds on
# the stock kernel, 15 s, 15 s and 5 rounds on the sanitizer kernels:
# sizes()).
# gochan.only=GLOB (a developer's shortcut) makes "check" run only the
# selftest programs /tests/GLOB, then the health checks; gochan.only=kunit
# runs only the KUnit suites (choose them with kunit.filter_glob=GLOB).  gochan.kernel=K
# names the kernel flavour (stock, debug, kcsan): the suites /manifest
# lists for it and the mode are announced first ("gochan-expect: NAME"),
# so that the host can tell a suite that never ran.  gochan.prog_limit=S
# (default 900) is each guest program's time limit: a program still
# running then gets the goroutine dump and the blocked tasks (sysrq w)
# printed into its section, and is killed.
#
# Results go to the second serial port (/dev/ttyS1) as sections:
#   gochan-suite: NAME
#   ...TAP/KTAP lines...
#   gochan-end: NAME RC
# and "gochan-done" when everything ran.  The host parses them; the
# console (ttyS0) carries only the kernel log and diagnostics.

PATH=/bin
export PATH
/bin/busybox --install -s /bin

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mount -t debugfs debugfs /sys/kernel/debug
mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null
mount -t tmpfs tmpfs /tmp
mkdir -p /dev/shm /dev/mqueue
mount -t tmpfs tmpfs /dev/shm

mode=check
bench_args=
fuzz_s=20
soak_s=20
rounds=100
inflight="2000 500 500"
rounds_set=
fuzz_set=
soak_set=
seed=
only=
kernel=
prog_limit=900
for arg in $(cat /proc/cmdline); do
	case "$arg" in
	gochan.mode=*) mode=${arg#gochan.mode=} ;;
	gochan.fuzz=*) fuzz_s=${arg#gochan.fuzz=}; fuzz_set=1 ;;
	gochan.soak=*) soak_s=${arg#gochan.soak=}; soak_set=1 ;;
	gochan.teardown=*) rounds=${arg#gochan.teardown=}; rounds_set=1 ;;
	gochan.seed=*) seed="--seed ${arg#gochan.seed=}" ;;
	gochan.only=*) only=${arg#gochan.only=} ;;
	gochan.kernel=*) kernel=${arg#gochan.kernel=} ;;
	gochan.prog_limit=*) prog_limit=${arg#gochan.prog_limit=} ;;
	gochan.bench=*) bench_args=$(echo "${arg#gochan.bench=}" | tr '|' ' ') ;;
	esac
done

exec 3>/dev/ttyS1
say() { echo "$*" >&3; }
kmsg() { echo "gochan-vm: $*" >/dev/kmsg; }

# One TAP suite assembled by the shell: t_begin NAME, t_ok/t_fail, t_end.
t_begin() {
	t_name=$1
	t_n=0
	t_bad=0
	kmsg "phase $t_name"
	say "gochan-suite: $t_name"
	say "TAP version 13"
}
t_ok() {
	t_n=$((t_n + 1))
	say "ok $t_n $*"
}
# Diagnostics ("# ..." lines) go before the "not ok" line they explain.
t_fail() {
	t_n=$((t_n + 1))
	t_bad=1
	say "not ok $t_n $*"
}
t_check() {
	# t_check DESCRIPTION COMMAND...: ok when COMMAND succeeds
	desc=$1
	shift
	if "$@" >/tmp/t_out 2>&1; then
		t_ok "$desc"
	else
		sed 's/^/# /' /tmp/t_out >&3
		t_fail "$desc"
	fi
}
t_end() {
	say "1..$t_n"
	say "gochan-end: $t_name $t_bad"
}

# What a hang looks like from inside: gochan's goroutines and every
# blocked task (sysrq w), into the results as comments.
hang_report() {
	say "# $1: still running after ${prog_limit}s: goroutines, blocked tasks"
	sed 's/^/# /' /sys/kernel/debug/gochan/goroutines >&3 2>/dev/null
	dmesg -c >/dev/null 2>&1
	echo w >/proc/sysrq-trigger 2>/dev/null
	sleep 1
	dmesg | tail -n 80 | sed 's/^/# /' >&3
}

# Run one program as a suite of its own; its stdout is the TAP stream.
# A watchdog ends it after prog_limit seconds (see hang_report).
run_prog() {
	name=$1
	shift
	kmsg "start $name"
	say "gochan-suite: $name"
	# The program writes into a FIFO; a forwarder copies each line into
	# the results and stamps every finished case into the kernel log
	# ("gochan-vm: case NAME: ok N ..."), whose timestamps give each
	# case's duration (timings.py on the host).
	rm -f /tmp/prog.fifo
	mkfifo /tmp/prog.fifo
	(
		while IFS= read -r line; do
			printf '%s\n' "$line" >&3
			case "$line" in
			"ok "* | "not ok "*) kmsg "case $name: $line" ;;
			esac
		done
	) </tmp/prog.fifo &
	fw=$!
	"$@" >/tmp/prog.fifo 2>&1 &
	pid=$!
	(
		t=0
		while [ -d /proc/$pid ] && [ $t -lt "$prog_limit" ]; do
			sleep 1
			t=$((t + 1))
		done
		if [ -d /proc/$pid ]; then
			hang_report "$name"
			kill -9 $pid
		fi
	) &
	wd=$!
	wait $pid
	rc=$?
	kill $wd 2>/dev/null
	wait $wd 2>/dev/null
	# The forwarder ends at the FIFO's end of file, unless a child the
	# program left behind still holds it: then it is stopped after 10 s.
	( sleep 10; kill $fw 2>/dev/null ) &
	fwd=$!
	wait $fw 2>/dev/null
	kill $fwd 2>/dev/null
	wait $fwd 2>/dev/null
	say "gochan-end: $name $rc"
	kmsg "end $name rc=$rc"
}

# The suites the manifest expects of this mode and kernel, announced.
announce() {
	[ -n "$kernel" ] && [ -r /manifest ] || return 0
	sed 's/#.*//' /manifest | while read -r kind m ks name rest; do
		[ "$kind" = suite ] || continue
		[ "$m" = "$mode" ] || [ "$m" = all ] || continue
		case ",$ks," in
		*",$kernel,"* | *",all,"*) say "gochan-expect: $name" ;;
		esac
	done
}

# One case per feature the tests rely on: present (ok) or absent (skip);
# the manifest says which each kernel must have.
t_feature() {
	if "$@" >/dev/null 2>&1; then
		t_ok "feature: $f"
	else
		t_ok "feature: $f # SKIP absent"
	fi
}
has_memcg() {
	if [ ! -e /sys/fs/cgroup/cgroup.controllers ]; then
		mkdir -p /sys/fs/cgroup
		mount -t cgroup2 cgroup2 /sys/fs/cgroup || return 1
	fi
	grep -qw memory /sys/fs/cgroup/cgroup.controllers
}
features() {
	t_begin vm-features
	f=fault-injection t_feature test -e /proc/thread-self/fail-nth
	f=userfaultfd t_feature test -e /proc/sys/vm/unprivileged_userfaultfd
	f=memcg t_feature has_memcg
	f=kmemleak t_feature test -w /sys/kernel/debug/kmemleak
	f=lockdep t_feature test -r /proc/lockdep_stats
	f=kunit t_feature test -f /lib/gochan/gochan_kunit.ko -a -d /sys/kernel/debug/kunit
	f=ktest t_feature test -f /lib/gochan/gochan_ktest.ko
	f=nproc=$(nproc) t_feature true
	t_end
}

# rmmod must be refused while /dev/gochan is held open (the file's owner
# module reference; delete_module() fails with EWOULDBLOCK and kmod's
# rmmod reports the module as in use), and the module must stay loaded.
rmmod_refused_while_open() {
	# A failed "exec" redirection would end this shell, and PID 1 with it.
	[ -c /dev/gochan ] || { echo "no /dev/gochan"; return 1; }
	exec 4</dev/gochan
	if rmmod gochan; then
		exec 4<&-
		echo "rmmod succeeded with /dev/gochan open"
		return 1
	fi
	exec 4<&-
	test -d /sys/module/gochan
}

# With no goroutines, every worker thread must be parked, not spinning.
sched_idle() {
	sleep 1
	line=$(head -n 1 /sys/kernel/debug/gochan/sched)
	echo "$line"
	threads=$(echo "$line" | sed -n 's/.* threads=\([0-9]*\).*/\1/p')
	idle=$(echo "$line" | sed -n 's/.* idlethreads=\([0-9]*\).*/\1/p')
	echo "$line" | grep -q ' spinningthreads=0 ' && [ -n "$threads" ] &&
		[ "$threads" = "$idle" ]
}

# One case: the kernel log has no splat (the first lines of any).
t_splat() {
	if splat_scan; then
		t_ok "kernel log: no splat"
	else
		head -n 40 /tmp/splat | sed 's/^/# /' >&3
		t_fail "kernel log: no splat"
	fi
}

# The patterns of report.py's SPLAT.  A KCSAN report of a race between
# two core-kernel functions (strict mode finds some, in hrtimer) names
# no gochan function and is not counted here; report.py lists it.
splat_scan() {
	dmesg >/tmp/dmesg
	grep -E 'BUG:|WARNING:|Oops|KASAN|UBSAN|kmemleak: [0-9]+ new suspected|kmemleak: .*(disabled|Disabling)|possible circular locking|possible recursive locking|inconsistent lock state|suspicious RCU usage|blocked for more than|soft lockup|ODEBUG|list_add corruption|list_del corruption|kernel BUG at|general protection fault|refcount_t:|rcu: INFO: rcu_|detected stalls on CPUs|Kernel panic|Call Trace' /tmp/dmesg |
		awk '/BUG: KCSAN: / { f = $0; sub(/.* in /, "", f); if (f !~ /(kgo|gochan)_/) next } { print }' >/tmp/splat
	! [ -s /tmp/splat ]
}
taint_clean() {
	# 4096 (O, out of tree), 8192 (E, unsigned), 262144 (N, KUnit ran)
	t=$(cat /proc/sys/kernel/tainted)
	echo "tainted=$t"
	[ $((t & ~(4096 | 8192 | 262144))) -eq 0 ]
}
locks_clean() {
	grep -q 'debug_locks: *1' /proc/lockdep_stats
}
# t_kmemleak WHEN SCANS: one case, "kmemleak: no leaks WHEN", after SCANS
# scans (a scan takes ~15 s on the sanitizer kernels).  Objects younger
# than 5 s are not reported yet, hence the sleep.  The first check runs
# with gochan still loaded, so that backtraces name its functions, with
# one scan; the one after unloading scans twice, as kmemleak's
# documentation advises against transient false reports.
t_kmemleak() {
	kl=/sys/kernel/debug/kmemleak
	if [ ! -e $kl ]; then
		t_ok "kmemleak: no leaks $1 # SKIP kernel without kmemleak"
		return
	fi
	sleep 6
	# A scan that cannot be written (kmemleak off, or disabled itself
	# after an error) is a failure, not "no leaks".
	if ! { echo scan >$kl && { [ "$2" = 1 ] || echo scan >$kl; }; } 2>/tmp/t_out; then
		sed 's/^/# /' /tmp/t_out >&3
		say "# $kl: the scan could not be written"
		t_fail "kmemleak: no leaks $1"
		return
	fi
	cat $kl >/tmp/leaks
	if [ -s /tmp/leaks ]; then
		# The object, who allocated it, and the backtrace; no hex dump.
		grep -v -e 'hex dump' -e '^    [0-9a-f][0-9a-f] ' /tmp/leaks |
			head -n 40 | sed 's/^/# /' >&3
		echo clear >$kl
		t_fail "kmemleak: no leaks $1"
	else
		t_ok "kmemleak: no leaks $1"
	fi
}

# Fault injection as the tests use it: fail-nth also fails allocations
# that may sleep, and injected failures stay quiet (a stack dump would
# read as a splat).
fault_quiet() {
	for f in failslab fail_usercopy; do
		d=/sys/kernel/debug/$f
		[ -d $d ] || continue
		[ -w $d/ignore-gfp-wait ] && echo N >$d/ignore-gfp-wait
		echo 0 >$d/verbose
	done
}

# The fuzzer, then the soak with kernel relays (gochan_ktest loaded) and,
# where the kernel has fault injection, 1% of its calls failed.
reliability() {
	faults=0
	[ -e /proc/thread-self/fail-nth ] && faults=1
	# shellcheck disable=SC2086 # seed is "--seed N" or nothing
	run_prog fuzz /stress/gochan_fuzz --seconds "$fuzz_s" $seed
	# shellcheck disable=SC2086
	run_prog soak /stress/gochan_soak --seconds "$soak_s" --faults $faults $seed
}

gochan_threads() {
	ps -o comm 2>/dev/null | grep -c '^kgo/' || true
}

# Teardown: thousands of calls in flight when their process is killed,
# exits or closes its channels; then rmmod/insmod rounds, each with
# blocked calls ended one of the three ways, each checking that gochan
# left no object, thread or module behind.  gochan is loaded after.
teardown() {
	t_begin teardown
	# shellcheck disable=SC2086 # three counts
	set -- $inflight
	t_check "$1 calls in flight, SIGKILL: every object freed" \
		/stress/gochan_soak --inflight "$1" --end kill
	t_check "$2 calls in flight, exit: every object freed" \
		/stress/gochan_soak --inflight "$2" --end exit
	t_check "$3 calls in flight, channels closed under them" \
		/stress/gochan_soak --inflight "$3" --end close
	i=0
	why=
	while [ $i -lt "$rounds" ]; do
		# The thread check below must be able to fail.
		if [ "$(gochan_threads)" = 0 ]; then
			why="no kgo/ thread while gochan is loaded"
			break
		fi
		if ! rmmod gochan; then
			why="rmmod failed"
			break
		fi
		if [ -d /sys/module/gochan ] || [ "$(gochan_threads)" != 0 ]; then
			why="gochan or one of its threads is still there after rmmod"
			break
		fi
		if ! insmod /lib/gochan/gochan.ko; then
			why="insmod failed"
			break
		fi
		case $((i % 3)) in
		0) end=kill ;;
		1) end=exit ;;
		*) end=close ;;
		esac
		if ! /stress/gochan_soak --inflight 16 --end $end >/tmp/t_out 2>&1; then
			sed 's/^/# /' /tmp/t_out >&3
			why="calls in flight, end by $end: not clean"
			break
		fi
		i=$((i + 1))
	done
	[ -d /sys/module/gochan ] || insmod /lib/gochan/gochan.ko
	if [ -z "$why" ]; then
		t_ok "rmmod/insmod $rounds times, blocked calls each time"
	else
		say "# round $i: $why"
		t_fail "rmmod/insmod $rounds times, blocked calls each time"
	fi
	t_end
}

# The loop counts of "make check" per kernel.  The sanitizer kernels run
# 10 to 50 times slower than the stock one under TCG: they run fewer
# rounds of the same cases, enough to reach each race window (every race
# test counts its hits and asserts them), so that the whole check stays
# within its time (Documentation/testing.rst, "Time").
sizes() {
	kunit_args=
	case "$kernel" in
	debug | kcsan)
		# rmmod/insmod rounds take ~2.4 s each there.
		[ -n "$rounds_set" ] || rounds=5
		[ -n "$fuzz_set" ] || fuzz_s=15
		[ -n "$soak_set" ] || soak_s=15
		inflight="500 200 200"
		export GOCHAN_RACE_ROUNDS=200 GOCHAN_WAITERS=20000
		export GOCHAN_SELECT_RACE_ROUNDS=600
		;;
	*)
		[ -n "$rounds_set" ] || rounds=30
		inflight="2000 500 500"
		export GOCHAN_PINGPONGS=300000
		;;
	esac
	case "$kernel" in
	debug)
		export GOCHAN_PINGPONGS=15000
		kunit_args="scale=25 cont_mass=5000"
		;;
	kcsan)
		export GOCHAN_PINGPONGS=10000
		kunit_args="scale=25 cont_mass=5000"
		;;
	esac
}

# The KUnit suites run inside insmod, which waits on each case for up to
# KUnit's own limit of 300 s; afterwards the kernel's default of 120 s
# applies (the debug kernel is built with 30 s).
kunit() {
	local d s krc n

	[ -f /lib/gochan/gochan_kunit.ko ] || return 0
	echo 300 >/proc/sys/kernel/hung_task_timeout_secs 2>/dev/null
	kmsg "kunit start"
	# shellcheck disable=SC2086 # a list of parameters
	insmod /lib/gochan/gochan_kunit.ko $kunit_args
	krc=$?
	n=0
	for d in /sys/kernel/debug/kunit/gochan*; do
		[ -d "$d" ] || continue
		s=${d##*/}
		say "gochan-suite: kunit:$s"
		cat "$d/results" >&3
		say "gochan-end: kunit:$s $krc"
		n=$((n + 1))
	done
	rmmod gochan_kunit
	echo 120 >/proc/sys/kernel/hung_task_timeout_secs 2>/dev/null
	# A filter that matched nothing must not pass as a clean run.
	if [ "$n" = 0 ]; then
		t_begin kunit
		t_fail "KUnit: no gochan suite ran (kunit.filter_glob matched none?)"
		t_end
	fi
}

check() {
	[ -w /sys/kernel/debug/kmemleak ] && echo clear >/sys/kernel/debug/kmemleak
	kmsg "check start"
	sizes
	features
	if [ -n "$only" ]; then
		fault_quiet
		insmod /lib/gochan/gochan.ko
		if [ "$only" = kunit ]; then
			kunit
		else
			for t in /tests/$only; do
				[ -x "$t" ] && run_prog "selftest:${t##*/}" "$t"
			done
		fi
		rmmod gochan
		t_begin vm-health
		t_splat
		t_end
		return
	fi

	t_begin vm-load
	t_check "insmod gochan.ko" insmod /lib/gochan/gochan.ko
	t_check "/dev/gochan is a character device" test -c /dev/gochan
	t_check "debugfs: schedtrace line" \
		grep -q '^SCHED .*gomaxprocs=' /sys/kernel/debug/gochan/sched
	t_check "scheduler idle: every M parked, none spinning" sched_idle
	t_check "debugfs: goroutine dump readable" \
		cat /sys/kernel/debug/gochan/goroutines
	t_check "tracepoints: gochan:gochan_start" \
		test -d /sys/kernel/tracing/events/gochan/gochan_start
	t_end

	fault_quiet
	kunit

	# In-kernel tests that need no KUnit; the million continuations
	# run here, on the stock kernel (too slow under KASAN and kmemleak).
	if [ -f /lib/gochan/gochan_ktest.ko ]; then
		kmsg "ktest start"
		say "gochan-suite: ktest"
		if [ -d /sys/kernel/debug/kunit ]; then
			insmod /lib/gochan/gochan_ktest.ko conts=2000 close_rounds=200
		else
			insmod /lib/gochan/gochan_ktest.ko
		fi
		rc=$?
		cat /sys/kernel/debug/gochan_ktest/results >&3
		say "gochan-end: ktest $rc"
	fi

	# The 32-bit builds run with spin_ns=0: blocked operations then
	# sleep at once, so that both wait paths run every time.
	spin=/sys/module/gochan/parameters/spin_ns
	spin_default=$(cat $spin)
	# The 32-bit programs differ from the 64-bit ones in the compat
	# ioctl layer, a translation, not in how gochan's threads interleave:
	# the stock kernel runs them all, the debug kernel (KASAN) those that
	# cover the ioctl surface (chan, dev, fault), the kcsan kernel none.
	for t in /tests/*; do
		[ -x "$t" ] || continue
		case "$kernel:${t##*/}" in
		kcsan:*_32 | debug:gochan_race_test_32 | debug:gochan_safety_test_32 | \
			debug:gochan_limits_test_32 | debug:gochan_obs_test_32 | \
			debug:gochan_selector_test_32) continue ;;
		esac
		case "$t" in
		*_32) echo 0 >$spin ;;
		*) echo "$spin_default" >$spin ;;
		esac
		run_prog "selftest:${t##*/}" "$t"
	done
	echo "$spin_default" >$spin

	reliability

	# gochan_ktest stayed loaded for the selftests' kernel_shares_* cases.
	[ -d /sys/module/gochan_ktest ] && rmmod gochan_ktest

	# The benchmarks with tiny counts: each one runs and checks its
	# results; nothing is timed ("make bench" does the measuring).
	# On the stock kernel only: the benchmark module is test code.
	if [ -x /bench/gochan_bench ] && [ "$kernel" = stock ]; then
		t_begin bench-smoke
		t_check "insmod gochan_bench.ko" insmod /lib/gochan/gochan_bench.ko
		t_check "gochan_bench --smoke user" /bench/gochan_bench --smoke user
		t_check "gochan_bench --smoke kernel" /bench/gochan_bench --smoke kernel
		t_check "rmmod gochan_bench" rmmod gochan_bench
		t_end
	fi

	t_begin examples
	for e in /examples/*; do
		# A hung example fails in 300 s, not at the VM's limit.
		[ -x "$e" ] && t_check "example ${e##*/}" timeout 300 "$e"
	done
	t_end

	# The Python package's tests: a real interpreter, the real device
	# (not packed for kcsan: see lib.sh; the manifest knows).
	if [ -x /usr/bin/python3 ]; then
		run_prog python /usr/bin/python3 -m pytest -p no:terminal \
			-p no:cacheprovider --tap /python/tests
	fi

	teardown

	t_begin vm-unload
	t_kmemleak "with gochan loaded" 1
	t_check "rmmod refused while /dev/gochan is open" rmmod_refused_while_open
	t_check "rmmod gochan" rmmod gochan
	t_check "/dev/gochan removed" test ! -e /dev/gochan
	t_end

	t_begin vm-health
	t_kmemleak "after unload" 2
	t_splat
	t_check "taint: only out-of-tree/unsigned/test bits" taint_clean
	if [ -r /proc/lockdep_stats ]; then
		t_check "lockdep: debug_locks still 1" locks_clean
	else
		t_ok "lockdep: debug_locks still 1 # SKIP kernel without lockdep"
	fi
	t_end
}

demo() {
	insmod /lib/gochan/gochan.ko || say "demo: insmod failed"
	for e in /examples/*; do
		[ -x "$e" ] || continue
		say "\$ ${e##*/}"
		"$e" >&3 2>&3
		say "(exit status $?)"
	done
	if [ -x /usr/bin/python3 ]; then
		say "\$ python3 hello.py"
		PYTHONPATH=/python /usr/bin/python3 /python/examples/hello.py >&3 2>&3
		say "(exit status $?)"
	fi
	rmmod gochan
}

# The benchmark run: raw CSV in section "bench", then the kernel's health.
bench() {
	insmod /lib/gochan/gochan.ko || say "bench: insmod gochan failed"
	insmod /lib/gochan/gochan_bench.ko || say "bench: insmod gochan_bench failed"
	kmsg "bench start"
	say "gochan-suite: bench"
	# shellcheck disable=SC2086 # bench_args is a list
	/bench/gochan_bench $bench_args all >&3 2>&3
	say "gochan-end: bench $?"
	kmsg "bench end"
	rmmod gochan_bench
	rmmod gochan
	t_begin bench-health
	t_splat
	t_check "taint: only out-of-tree/unsigned/test bits" taint_clean
	t_end
}

# The long runs: fuzz, soak (with faults where possible), teardown.
long() {
	[ -w /sys/kernel/debug/kmemleak ] && echo clear >/sys/kernel/debug/kmemleak
	features
	fault_quiet
	insmod /lib/gochan/gochan.ko || say "long: insmod gochan failed"
	insmod /lib/gochan/gochan_ktest.ko conts=2000 close_rounds=20 ||
		say "long: insmod gochan_ktest failed"
	kmsg "long start"
	reliability
	rmmod gochan_ktest
	teardown
	t_begin long-health
	t_kmemleak "after the long runs" 2
	t_check "rmmod gochan" rmmod gochan
	t_splat
	t_check "taint: only out-of-tree/unsigned/test bits" taint_clean
	if [ -r /proc/lockdep_stats ]; then
		t_check "lockdep: debug_locks still 1" locks_clean
	fi
	t_end
}

announce
case "$mode" in
check) check ;;
long) long ;;
demo) demo ;;
bench) bench ;;
*) say "unknown gochan.mode=$mode" ;;
esac

say "gochan-done"
sync
reboot -f
