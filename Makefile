# SPDX-License-Identifier: GPL-2.0
#
# gochan: the toolbox.  "make help" lists the targets.

# The version is written once, in module/Kbuild.
VERSION   := $(shell sed -n 's/^GOCHAN_VERSION := //p' $(CURDIR)/module/Kbuild)
KVER      ?= $(shell uname -r)
KDIR      ?= /lib/modules/$(KVER)/build
O         ?= $(CURDIR)/.build
PREFIX    ?= /usr/local
DESTDIR   ?=
VM        := $(CURDIR)/tools/testing/vm

# kselftest_harness.h comes from a kernel source tree: KDIR when it is a
# full tree, otherwise the unpacked linux-source-6.12 of the test setup.
KSFT_DIR  ?= $(firstword $(wildcard $(KDIR)/tools/testing/selftests) \
			 $(shell $(VM)/kernel.sh source 2>/dev/null)/tools/testing/selftests)
# checkpatch.pl comes from the same place.
KSRC      ?= $(patsubst %/tools/testing/selftests,%,$(KSFT_DIR))

KERNEL_SRCS := $(filter-out %.mod.c module/compat.h,$(wildcard module/*.c module/*.h)) \
	       $(wildcard module/include/*.h) uapi/linux/gochan.h \
	       $(filter-out %.mod.c,$(wildcard tools/testing/kernel/*.[ch] \
		 tools/testing/kernel/tests/*.c)) tools/testing/bench/kbench.c
USER_SRCS   := $(wildcard tools/lib/gochan/*.c tools/lib/gochan/*.h \
		 tools/lib/gochan/examples/*.c selftests/gochan/*.c \
		 tools/testing/bench/*.c tools/testing/stress/*.c tools/gochan/*.c)

all: module lib selftests

help:
	@echo "make [KDIR=<kernel build dir>]  gochan.ko, libgochan, selftests"
	@echo "make module        gochan.ko"
	@echo "make test-modules  gochan.ko, gochan_ktest.ko, gochan_bench.ko and, if KDIR"
	@echo "                   has KUnit, gochan_kunit.ko"
	@echo "make lib           libgochan.a, libgochan.so and the examples"
	@echo "make selftests     the kselftest programs"
	@echo "make check         every test, in the VM, on the stock, debug and kcsan kernels"
	@echo "make quick         the development loop: one kernel (GOCHAN_KERNELS), the"
	@echo "                   selftests matching GOCHAN_ONLY, no host checks"
	@echo "make demo          the examples in the VM on the stock kernel"
	@echo "make bench         the benchmarks against their peers: BENCH_BOOTS (3) stock boots, 1 debug"
	@echo "make fuzz          the fuzzer for FUZZ_SECONDS (default 3600) in the VM"
	@echo "make soak          the soak for SOAK_SECONDS (default 1800) in the VM"
	@echo "make style         checkpatch --strict"
	@echo "make sparse        sparse (C=2) against KDIR"
	@echo "make install       libgochan, headers, pkg-config file (DESTDIR, PREFIX)"
	@echo "make dkms-install  register gochan.ko with DKMS (KVER)"

kdir-check:
	@test -f $(KDIR)/Makefile || { \
		echo "No kernel build tree at KDIR=$(KDIR)."; \
		echo "Install the headers (apt-get install linux-headers-$(KVER))"; \
		echo "or point KDIR at a kernel tree."; exit 1; }

module: kdir-check
	$(MAKE) -C $(KDIR) M=$(CURDIR) W=1 modules

# The test and benchmark modules (tools/testing/kernel, tools/testing/bench)
# are built beside gochan.ko only when asked.
test-modules: kdir-check
	$(MAKE) -C $(KDIR) M=$(CURDIR) W=1 GOCHAN_TESTS=y modules

sparse: kdir-check
	$(MAKE) -C $(KDIR) M=$(CURDIR) C=2 CHECK=sparse GOCHAN_TESTS=y modules

lib:
	$(MAKE) -C tools/lib/gochan O=$(O)/lib PREFIX=$(PREFIX)

selftests: lib
	$(MAKE) -C selftests/gochan O=$(O)/selftests LIBDIR=$(O)/lib \
		KSFT_DIR=$(KSFT_DIR)

style:
	@test -x $(KSRC)/scripts/checkpatch.pl || \
		{ echo "checkpatch.pl not found under KSRC=$(KSRC)"; exit 1; }
	$(KSRC)/scripts/checkpatch.pl --strict --no-tree --terse \
		--ignore FILE_PATH_CHANGES -f $(KERNEL_SRCS)
	@# compat.h is the one file that must test LINUX_VERSION_CODE.
	$(KSRC)/scripts/checkpatch.pl --strict --no-tree --terse \
		--ignore FILE_PATH_CHANGES,LINUX_VERSION_CODE -f module/compat.h
	$(KSRC)/scripts/checkpatch.pl --strict --no-tree --terse \
		--ignore FILE_PATH_CHANGES -f $(USER_SRCS)

check:
	$(VM)/check.sh

quick:
	$(VM)/quick.sh

demo:
	$(VM)/demo.sh

bench:
	$(VM)/bench.sh

# The long reliability runs (Documentation/reliability.rst).  SEED=N
# replays a run; GOCHAN_KERNELS picks the kernel (default debug).
fuzz:
	FUZZ_SECONDS=$${FUZZ_SECONDS:-3600} SOAK_SECONDS=$${SOAK_SECONDS:-10} $(VM)/long.sh

soak:
	FUZZ_SECONDS=$${FUZZ_SECONDS:-10} SOAK_SECONDS=$${SOAK_SECONDS:-1800} $(VM)/long.sh

install: lib
	$(MAKE) -C tools/lib/gochan O=$(O)/lib PREFIX=$(PREFIX) DESTDIR=$(DESTDIR) install

uninstall:
	$(MAKE) -C tools/lib/gochan O=$(O)/lib PREFIX=$(PREFIX) DESTDIR=$(DESTDIR) uninstall

DKMS_SRC := $(DESTDIR)/usr/src/gochan-$(VERSION)

version:
	@echo $(VERSION)

dkms-src:
	rm -rf $(DKMS_SRC)
	mkdir -p $(DKMS_SRC)
	cp -r Kbuild Makefile module uapi $(DKMS_SRC)/
	sed 's/@VERSION@/$(VERSION)/' dkms.conf.in >$(DKMS_SRC)/dkms.conf
	find $(DKMS_SRC) \( -name '*.o' -o -name '*.ko' -o -name '*.mod*' \
		-o -name '*.cmd' -o -name 'modules.order' -o -name 'Module.symvers' \) -delete

dkms-install: dkms-src
	dkms add -m gochan -v $(VERSION)
	dkms build -m gochan -v $(VERSION) -k $(KVER)
	dkms install -m gochan -v $(VERSION) -k $(KVER)

dkms-remove:
	dkms remove -m gochan -v $(VERSION) --all
	rm -rf $(DKMS_SRC)

clean:
	test ! -f $(KDIR)/Makefile || $(MAKE) -C $(KDIR) M=$(CURDIR) \
		$(if $(wildcard tools/testing/kernel/Kbuild),GOCHAN_TESTS=y) clean
	rm -rf $(O)

.PHONY: all help version kdir-check module test-modules sparse lib selftests style check quick demo bench fuzz soak \
	install uninstall dkms-src dkms-install dkms-remove clean
