# SPDX-License-Identifier: GPL-2.0
#
# veil: top-level build. `make help` lists the targets.
#
# KDIR: kernel build tree for the module; default the newest Debian -amd64
# headers, /lib/modules/<ver>/build (scripts/kver). W=1 / C=1 are passed to
# the module build (make module W=1 C=1). KSFT_INC: directory with
# kselftest.h and kselftest_harness.h (default: extracted from linux-source-6.1
# into ~/.cache/veil by scripts/ksrc.sh).

KVER ?= $(shell scripts/kver 2>/dev/null)
KDIR ?= $(if $(KVER),/lib/modules/$(KVER)/build)
# The kernel release of KDIR (for install/depmod), whatever KDIR is.
# (UTS_RELEASE: Debian's include/config/kernel.release says only "6.1.192".)
KREL = $(or $(shell sed -n 's/^\#define UTS_RELEASE "\(.*\)"/\1/p' $(KDIR)/include/generated/utsrelease.h 2>/dev/null),$(KVER))
VERSION := $(shell sed -n 's/^PACKAGE_VERSION="\{0,1\}\([^"]*\)"\{0,1\}$$/\1/p' dkms.conf)
KSFT_INC ?=
DESTDIR ?=

MODULE_MAKE = $(MAKE) -C $(KDIR) M=$(CURDIR) $(if $(W),W=$(W)) $(if $(C),C=$(C))

all: module userspace selftests

help:
	@echo 'make [all]        build module/veil.ko, userspace/veil and the selftests'
	@echo 'make module       the kernel module only (W=1, C=1, KDIR=... honoured)'
	@echo 'make userspace    the veil tool'
	@echo 'make selftests    the selftest programs (KSFT_INC=... optional)'
	@echo 'make deps         install the missing Debian packages (root)'
	@echo 'make check        everything: deps, build, host checks, tests in a VM (TAP)'
	@echo 'make check-host   only the host-side checks (W=1 build, DKMS, checkpatch, sparse)'
	@echo 'make check-debug  the VM tests + KUnit on the debug kernel (KASAN, UBSAN, lockdep, kmemleak)'
	@echo 'make debug-kernel print the unpacked debug kernel dir (prebuilt, cached, else built: 20-40 min)'
	@echo 'make checkpatch   checkpatch.pl --strict on the module sources'
	@echo 'make fuzz         libFuzzer fuzzers (clang, ASan+UBSan), FUZZ_TIME s each (60)'
	@echo 'make demo         two namespaces with a veil device each, in a VM'
	@echo 'make bench        veil vs wireguard vs veth data-path benchmark in a VM (docs/bench.md)'
	@echo 'make shell        a root shell in the VM with the module loaded'
	@echo 'make install      modules_install + depmod, and the tool + man page'
	@echo 'make dkms-install / dkms-uninstall   register the module with DKMS'
	@echo 'make clean'

# ---- dependency guards ------------------------------------------------------
build-deps:
	@if [ -z "$(KDIR)" ] || [ ! -e "$(KDIR)/Makefile" ]; then \
		echo "veil: no kernel build tree (KDIR='$(KDIR)'): install Debian's headers with" >&2; \
		echo "      make deps   (or: apt-get install linux-headers-amd64), or pass KDIR=<tree>" >&2; \
		scripts/deps.sh --check build || true; \
		exit 1; \
	fi
	@scripts/deps.sh --check build

require-%:
	@if [ ! -e "$*/Makefile" ]; then \
		echo "veil: $*/Makefile does not exist yet: nothing to build in $*/" >&2; \
		exit 1; \
	fi

# ---- builds ----------------------------------------------------------------
module: build-deps
	@[ -e module/Kbuild ] || { echo "veil: module/Kbuild missing" >&2; exit 1; }
	$(MODULE_MAKE) modules

userspace: build-deps require-userspace
	$(MAKE) -C userspace

selftests: build-deps require-selftests
	@inc='$(KSFT_INC)'; [ -n "$$inc" ] || inc=$$(scripts/ksrc.sh)/tools/testing/selftests || exit 1; \
	echo "$(MAKE) -C selftests KSFT_INC=$$inc"; \
	$(MAKE) -C selftests KSFT_INC="$$inc"

checkpatch:
	scripts/checkpatch.sh

# ---- fuzzing (fuzz/README.md) -------------------------------------------------
FUZZ_TIME ?= 60
fuzz:
	@scripts/deps.sh --check fuzz
	$(MAKE) -C fuzz run FUZZ_TIME=$(FUZZ_TIME)

# ---- tests, VM ---------------------------------------------------------------
deps:
	scripts/deps.sh

check:
	@scripts/check.sh

check-host:
	@scripts/check.sh --host-only

check-debug:
	@scripts/check.sh --debug

debug-kernel:
	@scripts/debug-kernel.sh

demo:
	@scripts/demo.sh

bench:
	@scripts/bench.sh

shell: deps all
	scripts/vm-run --interactive 'scripts/load-module'

# ---- installation --------------------------------------------------------------
install: module userspace
	$(MODULE_MAKE) modules_install $(if $(DESTDIR),INSTALL_MOD_PATH=$(DESTDIR))
	depmod $(if $(DESTDIR),-b $(DESTDIR)) $(KREL)
	$(MAKE) -C userspace install $(if $(DESTDIR),DESTDIR=$(DESTDIR))

dkms-install:
	rm -rf /usr/src/veil-$(VERSION)
	mkdir -p /usr/src/veil-$(VERSION)
	cp -r Kbuild dkms.conf module uapi /usr/src/veil-$(VERSION)/
	find /usr/src/veil-$(VERSION) \( -name '*.o' -o -name '*.ko' -o -name '*.mod*' \
		-o -name '.*.cmd' -o -name '*.order' -o -name Module.symvers \) -delete
	dkms status veil/$(VERSION) | grep -q . || dkms add veil/$(VERSION)
	dkms install veil/$(VERSION) $(if $(KREL),-k $(KREL))

dkms-uninstall:
	-dkms remove veil/$(VERSION) --all
	rm -rf /usr/src/veil-$(VERSION)

clean:
	-[ -z "$(KDIR)" ] || [ ! -e "$(KDIR)/Makefile" ] || $(MAKE) -C $(KDIR) M=$(CURDIR) clean
	-[ ! -e userspace/Makefile ] || $(MAKE) -C userspace clean
	-[ ! -e selftests/Makefile ] || $(MAKE) -C selftests clean
	-$(MAKE) -C fuzz clean
	rm -rf build

.PHONY: all help build-deps module userspace selftests checkpatch fuzz deps check \
	check-host check-debug debug-kernel demo bench shell install dkms-install \
	dkms-uninstall clean
