#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install, on Debian 12, every package gochan's build, tests, demo and
# benchmarks need.  Does nothing when all are present, so it is cheap to
# call before every run.
set -euo pipefail

pkgs=(
	# module and userspace build
	build-essential make gcc libc6-dev pkg-config
	# the io_uring example
	liburing-dev
	# the Python package: its tests in the VM, its pip install on the host
	python3 python3-pytest python3-venv python3-setuptools python3-wheel
	# 32-bit builds of the kselftests, for compat_ioctl
	gcc-multilib
	linux-headers-amd64
	# the debug kernel build
	linux-source-6.12 bc bison flex libelf-dev libssl-dev xz-utils
	dwarves kmod cpio rsync python3 gawk
	# style and static checks
	sparse perl
	# the test VM
	qemu-system-x86 busybox-static
	# DKMS registration, and the Debian packages (make deb)
	dkms debhelper dh-dkms dpkg-dev
	# the man pages' lint, the HTML documentation
	mandoc python3-sphinx
	# the benchmark chart
	gnuplot-nox
)

missing=()
for p in "${pkgs[@]}"; do
	if ! grep -q 'install ok installed' <<<"$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)"; then
		missing+=("$p")
	fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=
[ "$(id -u)" -eq 0 ] || sudo=sudo
echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q >&2
$sudo apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
