#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run-vm.sh KERNELDIR INITRAMFS OUTDIR MODE [TIMEOUT]
#
# Boot KERNELDIR/bzImage with INITRAMFS under qemu (TCG) in job MODE
# (check, demo).  The console goes to OUTDIR/console.log, the results port
# to OUTDIR/results.log.  A guest still running after TIMEOUT seconds
# (default 900) is killed; the caller sees a results file without
# "gochan-done".  Returns qemu's status (124 on timeout).
set -uo pipefail

kdir=$1 initrd=$2 out=$3 mode=$4 limit=${5:-900}
mem=${GOCHAN_VM_MEM:-2G}
smp=${GOCHAN_VM_SMP:-2}

mkdir -p "$out"
: >"$out/console.log"
: >"$out/results.log"

append="console=ttyS0 panic=-1 oops=panic softlockup_panic=0 nokaslr"
append+=" gochan.mode=$mode ${GOCHAN_VM_APPEND:-}"

start=$(date +%s.%N)
timeout --foreground -k 5 "$limit" \
	qemu-system-x86_64 -accel tcg -cpu max -smp "$smp" -m "$mem" \
		-nodefaults -display none -no-reboot \
		-kernel "$kdir/bzImage" -initrd "$initrd" -append "$append" \
		-serial "file:$out/console.log" -serial "file:$out/results.log" \
		</dev/null
rc=$?
end=$(date +%s.%N)
printf '%.1f\n' "$(echo "$end - $start" | bc)" >"$out/seconds"
exit $rc
