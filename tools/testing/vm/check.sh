#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# check.sh: everything "make check" runs.
#
#   1. install missing build/test packages (install-deps.sh);
#   2. prepare the stock, debug and kcsan kernels (kernel.sh, cached);
#   3. host checks: libgochan, selftests and examples build; gochan.ko
#      builds W=1 warning-free and sparse-clean against each kernel;
#      checkpatch is clean; "make install" and DKMS produce a working install;
#   4. boot each kernel in qemu and run the guest's checks (init.sh);
#   5. print one line per suite and "N passed, N failed" (report.py).
#
# Environment: GOCHAN_KERNELS (default "stock debug kcsan"), GOCHAN_OUT (build
# and log directory, default .build/check), GOCHAN_VM_TIMEOUT (seconds
# per VM, default 1800), GOCHAN_CACHE (kernel cache).
set -uo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
out=${GOCHAN_OUT:-$top/.build/check}
# shellcheck source=lib.sh
. "$top/tools/testing/vm/lib.sh"

kernels=${GOCHAN_KERNELS:-stock debug kcsan}
limit=${GOCHAN_VM_TIMEOUT:-1800}
prepare check $kernels
ksrc=$("$vm/kernel.sh" source) || die "could not unpack the kernel source"

rm -rf "$out"
mkdir -p "$out/host"
host=$out/host/results.log

# Host checks are a TAP suite like the guest's.
h_n=0
h_begin() { h_n=0; h_bad=0; h_name=$1; echo "gochan-suite: $1" >>"$host"; }
h_case() {
	# h_case DESC LOG COMMAND...: ok when COMMAND succeeds; LOG is kept
	local desc=$1 log=$2
	shift 2
	h_n=$((h_n + 1))
	if "$@" >"$log" 2>&1; then
		echo "ok $h_n $desc" >>"$host"
	else
		h_bad=1
		tail -n 30 "$log" | sed 's/^/# /' >>"$host"
		echo "not ok $h_n $desc" >>"$host"
	fi
}
h_end() { echo "1..$h_n" >>"$host"; echo "gochan-end: $h_name $h_bad" >>"$host"; }

# A build whose log has a compiler warning fails, even if make succeeded.
no_warnings() {
	"$@" 2>&1 | tee /dev/stderr | { ! grep -E 'warning:|error:'; }
}

step "building userspace and gochan.ko"
h_begin build
h_case "libgochan (static, shared), examples and kselftests" \
	"$out/host/user.log" no_warnings build_user
h_case "libgochan's header as C++17 and C++20 (-Wall -Wextra -Wpedantic -Werror)" \
	"$out/host/header-cxx.log" \
	make -C "$top/tools/lib/gochan" O="$out/user/lib" header-check
for k in $kernels; do
	# One compile per kernel: a fresh copy of the sources, so C=1 runs
	# sparse on every file, alongside the W=1 compiler warnings.
	h_case "gochan.ko builds W=1 and sparse clean against $k" \
		"$out/host/module-$k.log" \
		no_warnings build_module "$k" "${kdir[$k]}" W=1 C=1 CHECK=sparse
done
h_end

step "style and install checks"
h_begin style
h_case "checkpatch --strict" "$out/host/checkpatch.log" \
	make -s -C "$top" style KSRC="$ksrc"
h_end

h_begin report
h_case "report.py's rules on made-up logs (test_report.py)" "$out/host/report-test.log" \
	"$vm/test_report.py"
h_case "the benchmark report's verdict rules on made-up samples" \
	"$out/host/bench-report-test.log" "$top/tools/testing/bench/test_report.py"
h_end

# The Python package: its constants are the uapi header's, and pip
# installs it into a virtual environment (offline: Debian's setuptools
# and wheel, --no-build-isolation), from a copy so the tree stays clean.
python_install() {
	local src=$out/python-src venv=$out/python-venv
	rm -rf "$src" "$venv"
	mkdir -p "$src/tools/lib/gochan" "$src/module"
	cp -r "$top/tools/lib/gochan/python" "$src/tools/lib/gochan/" &&
		cp "$top/module/Kbuild" "$src/module/" &&
		/usr/bin/python3 -m venv --system-site-packages "$venv" &&
		(cd "$out" && "$venv/bin/pip" install --no-build-isolation \
			--no-index "$src/tools/lib/gochan/python") &&
		(cd / && "$venv/bin/python" -c 'import gochan, importlib.metadata as m, sys
print(gochan.__file__, m.version("gochan"))
sys.exit(not gochan.__file__.startswith(sys.prefix))')
}

h_begin install
h_case "make install (DESTDIR, PREFIX, LDFLAGS; real, with ldconfig), DKMS, make deb" \
	"$out/host/install.log" "$vm/check-install.sh" "$top" "$out/install"
h_case "a licence text in LICENSES/ for every SPDX id, an SPDX line in every source" \
	"$out/host/licenses.log" "$top/tools/packaging/check-licenses.sh" "$top"
h_case "man pages: section 3 current with gochan.h, all mandoc -W warning clean" \
	"$out/host/man.log" make -s -C "$top" man-check
h_case "make htmldocs: Sphinx with the kernel's kernel-doc, warnings as errors" \
	"$out/host/htmldocs.log" make -s -C "$top" htmldocs KSRC="$ksrc" O="$out"
h_case "the Python package's ioctls and structures are the uapi header's" \
	"$out/host/python-uapi.log" /usr/bin/python3 "$top/tools/lib/gochan/python/tests/check_uapi.py"
h_case "the Python package installs with pip into a venv" \
	"$out/host/python-install.log" python_install
h_end

# A splat the kernel printed while booting, before /init (and so before
# gochan was loaded).  Printed for the record.
boot_splat() {
	awk '/Run \/init as init process/ { exit }
	     /BUG:|WARNING:|KASAN:|UBSAN:|Oops|Kernel panic/ { print; found = 1 }
	     END { exit !found }' "$1"
}

for k in $kernels; do
	step "running the $k kernel in the VM"
	stage_and_boot "$k" "${kdir[$k]}" check "$limit"
	# The kernel itself (seen once in ~12 debug boots under TCG: an
	# early interrupt during identify_cpu) is not what this run tests:
	# boot once more, loudly, but only for a splat printed before /init
	# ran.  Any later splat, or a second one at boot, fails the run, and
	# the summary names the retry (boot-retry).
	if boot_splat "$out/vm-$k/console.log" >"$out/boot-splat-$k.log"; then
		echo "check: WARNING: the $k kernel reported a splat while booting, before gochan was loaded:" >&2
		sed 's/^/check:   /' "$out/boot-splat-$k.log" >&2
		cp "$out/vm-$k/console.log" "$out/boot-splat-$k.console.log"
		step "booting the $k kernel again"
		stage_and_boot "$k" "${kdir[$k]}" check "$limit"
		cp "$out/boot-splat-$k.log" "$out/vm-$k/boot-retry"
	fi
done

step "done"
args=("host:$out/host")
for k in $kernels; do args+=("$k:$out/vm-$k"); done
"$vm/report.py" --manifest "$vm/manifest" --mode check "${args[@]}"
