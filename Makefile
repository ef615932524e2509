# SPDX-License-Identifier: GPL-2.0
#
# lnvme: an NVMe PCIe blk-mq driver for Linux 6.12.
#
#   make            build lnvme.ko against KDIR (default: the guest test kernel)
#   make setup      install every package the project uses (idempotent)
#   make lint       W=1 build, sparse (C=2) and checkpatch --strict
#   make check      build, lint and run every test; T=name runs one
#   make check-long make check plus tests/debug-long.list on the debug kernel
#   make check-kernels  tests/kernels.list on the other target kernels (6.1,
#                   7.x; CHECK_KERNELS="6.1 7"), installing them if need be
#   make setup-kernels  install those kernels (make setup leaves them out)
#   make demo       the main job: lnvme on a 1 GiB QEMU NVMe disk, ext4, fio
#   make bench      lnvme against the in-kernel nvme driver, side by side
#   make debug-kernel  the debug test kernel (KASAN, lockdep, DMA-API debug,
#                   kmemleak, fault injection), cached in /var/cache/lnvme

TOP := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))

# The guest test kernel is Debian's 6.12 amd64 flavour; its headers live in
# /usr/src/linux-headers-<version>.  Override KDIR for any other kernel.
KVER ?= $(shell $(TOP)/scripts/kver.sh)
KDIR ?= /usr/src/linux-headers-$(KVER)

SETUP_STAMP := $(TOP)/.cache/setup.ok

.PHONY: all modules setup setup-kernels lint check check-long check-kernels demo bench clean \
	debug-kernel

all: modules

$(SETUP_STAMP): $(TOP)/scripts/setup.sh
	$(TOP)/scripts/setup.sh
	@mkdir -p $(dir $@) && touch $@

setup:
	$(TOP)/scripts/setup.sh
	@mkdir -p $(dir $(SETUP_STAMP)) && touch $(SETUP_STAMP)

# Debian 12's 6.1 and the newest 7.x (scripts/kernels.sh): not needed by
# make, make lint or make check, so installed only here or on first use.
setup-kernels: setup
	$(TOP)/scripts/setup.sh --kernels

modules: $(SETUP_STAMP)
	$(MAKE) -C $(KDIR) M=$(TOP) modules

# make lint KERNEL=6.1: the W=1/sparse build against another target kernel.
lint: $(SETUP_STAMP)
	$(TOP)/scripts/lint.sh $(KERNEL)

# A failed build removes lnvme.ko, so the tests fail rather than run a stale
# module; the build-lint test reports why.
# tests/run builds the debug kernel (cached) when a debug/ test is to run;
# if that fails, the debug/ tests fail.
check: $(SETUP_STAMP)
	@$(MAKE) --no-print-directory modules >/dev/null 2>&1 || rm -f $(TOP)/lnvme.ko
	$(TOP)/tests/run $(T)

# The debug-kernel runs that do not fit in CI's time (see tests/debug.list).
check-long: $(SETUP_STAMP)
	@$(MAKE) --no-print-directory modules >/dev/null 2>&1 || rm -f $(TOP)/lnvme.ko
	LNVME_CHECK_LONG=1 $(TOP)/tests/run $(T)

# tests/kernels.list as kSERIES/NAME on each of CHECK_KERNELS, all of it
# (setup-kernels first: ~6 min and ~1 GiB, cacheable).  make check runs
# only its "ci" entries (build-lint and core-fio-verify per kernel), and
# only with LNVME_CHECK_KERNELS set (CI: "6.1 7"); make check-long all.
# Measured figures: Documentation/testing.rst.  T=k6.1/NAME runs one.
CHECK_KERNELS ?= 6.1 7

check-kernels: $(SETUP_STAMP)
	$(TOP)/tests/run $(or $(T),$(foreach k,$(CHECK_KERNELS),$(addprefix k$(k)/,\
		$(shell sed -e 's/[[:space:]].*//' -e '/^\#/d' -e '/^$$/d' $(TOP)/tests/kernels.list))))

debug-kernel: $(SETUP_STAMP)
	$(TOP)/scripts/debug-kernel.sh

demo: $(SETUP_STAMP) modules
	$(TOP)/scripts/demo.sh

bench: $(SETUP_STAMP) modules
	$(TOP)/scripts/bench.sh

clean:
	$(MAKE) -C $(KDIR) M=$(TOP) clean
