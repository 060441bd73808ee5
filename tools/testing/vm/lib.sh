# SPDX-License-Identifier: GPL-2.0
#
# Shared by check.sh, demo.sh, bench.sh and long.sh: build gochan for a kernel and
# stage a VM.  Source it with $top and $out set.

vm=$top/tools/testing/vm

# prepare TAG KERNELS...: install the packages, then build or fetch each
# kernel into kdir[K].  step/die print as "TAG: ...".
prepare() {
	local k
	tag=$1
	shift
	t0=$(date +%s)
	"$vm/install-deps.sh" || die "could not install the dependencies"
	declare -gA kdir
	for k in "$@"; do
		step "preparing the $k kernel"
		kdir[$k]=$("$vm/kernel.sh" "$k") ||
			die "could not prepare the $k kernel"
	done
}
step() { echo "$tag: [$(($(date +%s) - t0))s] $*" >&2; }
die() { echo "$tag: error: $*" >&2; exit 1; }

# build_user: libgochan, examples, selftests, the benchmark driver and
# the stress tools into $out/user.  The
# selftests are built twice: 64-bit, and 32-bit (NAME_32) so that they
# also run through the kernel's compat_ioctl path.
build_user() {
	local ksft t
	ksft=$("$vm/kernel.sh" source)/tools/testing/selftests || return 1
	make -C "$top/tools/lib/gochan" O="$out/user/lib" WERROR=1 &&
		make -C "$top/selftests/gochan" O="$out/user/selftests" \
			LIBDIR="$out/user/lib" KSFT_DIR="$ksft" &&
		make -C "$top/tools/testing/bench" O="$out/user/bench" \
			LIBDIR="$out/user/lib" &&
		make -C "$top/tools/testing/stress" O="$out/user/stress" &&
		make -C "$top/tools/gochan" O="$out/user/tools" STATIC=1 WERROR=1 &&
		make -C "$top/tools/lib/gochan" O="$out/user/lib32" WERROR=1 \
			CC="gcc -m32" "$out/user/lib32/libgochan.a" &&
		make -C "$top/selftests/gochan" O="$out/user/selftests32" \
			CC="gcc -m32" LIBDIR="$out/user/lib32" KSFT_DIR="$ksft" ||
		return 1
	for t in "$out/user/selftests32/"*; do
		cp "$t" "$out/user/selftests/${t##*/}_32" || return 1
	done
}

# copy_sources K: a private copy of the module sources for kernel K, so
# objects built for two kernels never mix: gochan.ko's, and those of the
# test and benchmark modules (tools/testing/kernel, the Kbuild half of
# tools/testing/bench).  Prints its path.
copy_sources() {
	local src=$out/mod-$1/src
	rm -rf "$src"
	mkdir -p "$src/tools/testing/bench"
	cp -r "$top/Kbuild" "$top/module" "$top/uapi" "$src/"
	cp -r "$top/tools/testing/kernel" "$src/tools/testing/"
	cp "$top/tools/testing/bench/Kbuild" "$top/tools/testing/bench/kbench.c" \
		"$src/tools/testing/bench/"
	find "$src" \( -name '*.ko' -o -name '*.o' \) -delete
	echo "$src"
}

# build_module K KDIR [make args...]: gochan.ko and the test and
# benchmark modules (GOCHAN_TESTS=y).
build_module() {
	local k=$1 kdir=$2 src
	shift 2
	src=$(copy_sources "$k")
	make -C "$kdir/build" M="$src" GOCHAN_TESTS=y "$@" modules
}

# built_modules K: every .ko built for kernel K.
built_modules() {
	find "$out/mod-$1/src" -name '*.ko'
}

# build_all LOG KERNEL...: userspace, then gochan.ko for each kernel;
# dies with the log's name on failure.
build_all() {
	local log=$1 k
	shift
	build_user >"$log" 2>&1 || die "userspace build failed: $log"
	for k in "$@"; do
		build_module "$k" "${kdir[$k]}" >>"$log" 2>&1 ||
			die "gochan.ko build for $k failed: $log"
	done
}

# stage K MODE TIMEOUT: pack the initramfs for kernel K and boot it.
stage_and_boot() {
	local k=$1 kdir=$2 mode=$3 limit=$4 st=$out/vm-$1 rc
	rm -rf "$st"
	mkdir -p "$st/mod" "$st/bin/selftests" "$st/bin/examples" "$st/bin/bench" \
		"$st/bin/stress" "$st/bin/tools"
	# shellcheck disable=SC2046 # paths without blanks
	cp $(built_modules "$k") "$st/mod/"
	[ "$mode" = check ] && cp "$out/user/selftests/"* "$st/bin/selftests/"
	[ "$mode" = demo ] || cp "$out/user/bench/gochan_bench" "$st/bin/bench/"
	case "$mode" in check | long) cp "$out/user/stress/"* "$st/bin/stress/" ;; esac
	cp "$out/user/lib/examples/"* "$st/bin/examples/"
	cp "$out/user/tools/gochan" "$st/bin/tools/"
	# Python (the package's tests, the demo's hello.py) for check and
	# demo, not on kcsan: under KCSAN unpacking the interpreter alone
	# keeps PID 1 waiting past the 30 s hung-task limit.
	py=0
	case "$mode" in check | demo) [ "$k" = kcsan ] || py=1 ;; esac
	if ! GOCHAN_PYTHON=$py "$vm/mkinitramfs.sh" "$st/initrd.gz" "$st/mod" "$st/bin"; then
		echo "could not pack the initramfs" >"$st/status"
		return 1
	fi
	GOCHAN_VM_APPEND="gochan.kernel=$k ${GOCHAN_VM_APPEND:-}" \
		"$vm/run-vm.sh" "$kdir" "$st/initrd.gz" "$st" "$mode" "$limit"
	rc=$?
	# report.py fails a VM whose status is not 0 (124: the timeout).
	echo $rc >"$st/status"
	[ $rc = 124 ] && echo "the $k VM hit the ${limit}s timeout" >&2
	echo "$k VM: $(cat "$st/seconds") s from qemu start to exit (status $rc)" >&2
	return $rc
}
