# SPDX-License-Identifier: GPL-2.0
#
# gochan: the toolbox.  "make help" lists the targets.

# The version is written once, in module/Kbuild.
VERSION   := $(shell sed -n 's/^GOCHAN_VERSION := //p' $(CURDIR)/module/Kbuild)
KVER      ?= $(shell uname -r)
KDIR      ?= /lib/modules/$(KVER)/build
O         ?= $(CURDIR)/.build
PREFIX    ?= /usr/local
MANDIR    ?= $(PREFIX)/share/man
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

all: module lib tool selftests

help:
	@echo "make [KDIR=<kernel build dir>]  gochan.ko, libgochan, selftests"
	@echo "make module        gochan.ko"
	@echo "make test-modules  gochan.ko, gochan_ktest.ko, gochan_bench.ko and, if KDIR"
	@echo "                   has KUnit, gochan_kunit.ko"
	@echo "make lib           libgochan.a, libgochan.so and the examples"
	@echo "make tool          gochan(1), the command-line tool"
	@echo "make selftests     the kselftest programs"
	@echo "make check         every test, in the VM, on the stock, debug and kcsan kernels"
	@echo "make quick         the development loop: one kernel (GOCHAN_KERNELS), the"
	@echo "                   selftests matching GOCHAN_ONLY (or kunit), no host checks"
	@echo "make demo          the examples in the VM on the stock kernel"
	@echo "make bench         the benchmarks against their peers: BENCH_BOOTS (3) stock boots, 1 debug"
	@echo "make smp           the scheduler's KUnit suites and benchmarks with 8 vCPUs"
	@echo "make fuzz          the fuzzer for FUZZ_SECONDS (default 3600) in the VM"
	@echo "make soak          the soak for SOAK_SECONDS (default 1800) in the VM"
	@echo "make style         checkpatch --strict"
	@echo "make sparse        sparse (C=2) against KDIR"
	@echo "make install       libgochan, headers, pkg-config file, gochan(1) and the"
	@echo "                   man pages (DESTDIR, PREFIX, LIBDIR, MANDIR)"
	@echo "make dkms-install  register gochan.ko with DKMS (KVER); the udev rule and"
	@echo "                   the modules-load.d file"
	@echo "make deb           Debian packages: gochan-dkms, libgochan0, libgochan-dev"
	@echo "make man           write the section 3 man pages from gochan.h's kernel-doc"
	@echo "make htmldocs      Documentation/ as HTML with Sphinx, in O/htmldocs"

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

tool:
	$(MAKE) -C tools/gochan O=$(O)/tool PREFIX=$(PREFIX)

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

# The scheduler's KUnit suites and benchmarks with 8 vCPUs (GOCHAN_VM_SMP).
smp:
	$(VM)/smp.sh

# The long reliability runs (Documentation/reliability.rst).  SEED=N
# replays a run; GOCHAN_KERNELS picks the kernel (default debug).
fuzz:
	FUZZ_SECONDS=$${FUZZ_SECONDS:-3600} SOAK_SECONDS=$${SOAK_SECONDS:-10} $(VM)/long.sh

soak:
	FUZZ_SECONDS=$${FUZZ_SECONDS:-10} SOAK_SECONDS=$${SOAK_SECONDS:-1800} $(VM)/long.sh

MAN1 := Documentation/man/man1/gochan.1
MAN3 := $(wildcard Documentation/man/man3/*.3)
MAN4 := Documentation/man/man4/gochan.4

install: tool
	$(MAKE) -C tools/lib/gochan O=$(O)/lib PREFIX=$(PREFIX) DESTDIR=$(DESTDIR) install
	$(MAKE) -C tools/gochan O=$(O)/tool PREFIX=$(PREFIX) DESTDIR=$(DESTDIR) install
	install -d $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man3 $(DESTDIR)$(MANDIR)/man4
	install -m 644 $(MAN1) $(DESTDIR)$(MANDIR)/man1/
	install -m 644 $(MAN3) $(DESTDIR)$(MANDIR)/man3/
	install -m 644 $(MAN4) $(DESTDIR)$(MANDIR)/man4/

uninstall:
	$(MAKE) -C tools/lib/gochan O=$(O)/lib PREFIX=$(PREFIX) DESTDIR=$(DESTDIR) uninstall
	$(MAKE) -C tools/gochan O=$(O)/tool PREFIX=$(PREFIX) DESTDIR=$(DESTDIR) uninstall
	rm -f $(DESTDIR)$(MANDIR)/man1/gochan.1 $(DESTDIR)$(MANDIR)/man4/gochan.4 \
	      $(addprefix $(DESTDIR)$(MANDIR)/man3/,$(notdir $(MAN3)))

# The section 3 pages are generated from gochan.h and committed, so that
# an install needs no generator; "make check" proves they are current
# and lints every page with mandoc.
man:
	python3 tools/lib/gochan/mkman.py tools/lib/gochan/gochan.h \
		Documentation/man/man3 $(VERSION)

man-check:
	python3 tools/lib/gochan/mkman.py --check tools/lib/gochan/gochan.h \
		Documentation/man/man3 $(VERSION)
	@for p in $(MAN1) $(MAN4); do grep -q '^\.TH .* "gochan $(VERSION)"' $$p || \
		{ echo "$$p: its .TH does not say gochan $(VERSION)"; exit 1; }; done
	@out=$$(mandoc -T lint -W warning $(MAN1) $(MAN3) $(MAN4)); \
		if [ -n "$$out" ]; then echo "$$out"; exit 1; fi
	@echo "mandoc: $(words $(MAN1) $(MAN3) $(MAN4)) pages, no warnings"

# Sphinx with the kernel's kernel-doc extension (from KSRC), warnings
# as errors.
htmldocs:
	@test -f $(KSRC)/Documentation/sphinx/kerneldoc.py || \
		{ echo "kerneldoc.py not found under KSRC=$(KSRC)"; exit 1; }
	GOCHAN_KSRC=$(KSRC) GOCHAN_VERSION=$(VERSION) sphinx-build -W --keep-going \
		-q -b html -d $(O)/htmldocs/.doctrees Documentation $(O)/htmldocs
	@echo "Documentation in $(O)/htmldocs/index.html"

# Debian packages, built with dpkg-buildpackage from a copy of the tree
# (tools/packaging/debian is the debian/ directory) in O/deb.
deb:
	tools/packaging/mkdeb.sh $(O)/deb

DKMS_SRC := $(DESTDIR)/usr/src/gochan-$(VERSION)

version:
	@echo $(VERSION)

# gochan.ko's sources and nothing else: no build products, no test
# modules, no top-level Makefile (DKMS runs the kernel's "make M=").
DKMS_FILES := Kbuild module/Kbuild $(wildcard module/*.c) \
	      $(filter-out %.mod.c,$(wildcard module/*.h module/include/*.h)) \
	      uapi/linux/gochan.h $(wildcard LICENSES/*/*)

dkms-src:
	rm -rf $(DKMS_SRC)
	mkdir -p $(DKMS_SRC)
	tar -cf - $(filter-out %.mod.c,$(DKMS_FILES)) | tar -C $(DKMS_SRC) -xf -
	install -m 755 tools/packaging/dkms-post-build.sh $(DKMS_SRC)/
	sed 's/@VERSION@/$(VERSION)/' dkms.conf.in >$(DKMS_SRC)/dkms.conf

UDEV_RULES := $(DESTDIR)/usr/lib/udev/rules.d/70-gochan.rules
MODULES_LOAD := $(DESTDIR)/usr/lib/modules-load.d/gochan.conf

dkms-install: dkms-src
	dkms add -m gochan -v $(VERSION)
	dkms build -m gochan -v $(VERSION) -k $(KVER)
	dkms install -m gochan -v $(VERSION) -k $(KVER)
	install -D -m 644 tools/packaging/70-gochan.rules $(UDEV_RULES)
	install -D -m 644 tools/packaging/gochan.modules-load.conf $(MODULES_LOAD)

dkms-remove:
	dkms remove -m gochan -v $(VERSION) --all
	rm -rf $(DKMS_SRC)
	rm -f $(UDEV_RULES) $(MODULES_LOAD)

clean:
	test ! -f $(KDIR)/Makefile || $(MAKE) -C $(KDIR) M=$(CURDIR) \
		$(if $(wildcard tools/testing/kernel/Kbuild),GOCHAN_TESTS=y) clean
	rm -rf $(O)

.PHONY: all help version kdir-check module test-modules sparse lib tool selftests style check quick demo \
	bench smp fuzz soak install uninstall man man-check htmldocs deb dkms-src dkms-install \
	dkms-remove clean
