# SPDX-License-Identifier: GPL-2.0
#
# nvemu: emulated non-volatile memory on DRAM for Linux 6.12 (x86_64, arm64)
#
#   make run   [ARCH=x86_64|arm64]   build, boot a QEMU guest with nvemu=, demo
#   make check                       build both architectures, run every test
#   make build [ARCH=...]            kernel, tools, selftests, guest initramfs
#   make bench                       benchmarks (not tests), prints ratios
#   make tools-test                  host tests of the nvemu tool (no VM)
#   make vlt-test                    host tests of the vlt plugin (no VM)
#   make patches                     export the series for vendor trees
#   make clean                       remove build/ (keeps downloaded packages)
#
# Outputs live under build/.  See README.md and Documentation/.

ARCH		?= x86_64
PAGE_SIZE	?= 4k
T		:= tools/testing/nvemu
B		:= build
TREE		:= $(B)/linux

ifeq ($(ARCH),arm64)
CROSS		:= aarch64-linux-gnu-
KFLAVOUR	?= $(if $(filter 64k,$(PAGE_SIZE)),arm64-64k,arm64)
else ifeq ($(ARCH),x86_64)
CROSS		:=
KFLAVOUR	?= x86_64
else
$(error ARCH must be x86_64 or arm64, not '$(ARCH)')
endif

OUT		:= $(B)/$(ARCH)
TARGET_CC	:= $(CROSS)gcc

.PHONY: all build deps tree kernel tools tools-test selftests initramfs run \
	check bench patches clean help vlt vlt-test

all: build

help:
	@sed -n '3,14p' Makefile | sed 's/^# \{0,1\}//'

deps:
	@$(T)/install-deps

tree: deps
	@$(T)/assemble-tree . $(TREE)

kernel: tree
	@$(T)/build-kernel $(TREE) $(B)/kernel-$(KFLAVOUR) $(KFLAVOUR)

# xxHash (libxxhash-dev) is used header-only.  The arm64 cross compiler does
# not search /usr/include (nor should it: that holds x86_64 glibc headers),
# so the one header is offered through a directory of its own.
XXH_INC		:= $(B)/xxhash-include
LIBNVEMU	:= tools/lib/nvemu
NVEMU_SRC	:= $(filter-out %/testhooks.c,$(wildcard tools/nvemu/*.c))
NVEMU_CFLAGS	:= -std=gnu11 -O2 -Wall -Wextra -Iinclude/uapi -I$(LIBNVEMU) \
		   -I$(XXH_INC)
NVEMU_TT	:= $(B)/tools-test

$(XXH_INC)/xxhash.h:
	@test -f /usr/include/xxhash.h || { echo "/usr/include/xxhash.h" \
		"is missing: apt-get install libxxhash-dev (or make deps)" >&2; \
		exit 1; }
	@mkdir -p $(XXH_INC) && ln -sf /usr/include/xxhash.h $@

# libnvemu into $(1) with the compiler prefix $(2): its targets $(3)
libnvemu = @$(MAKE) -s --no-print-directory -C $(LIBNVEMU) \
	O=$(CURDIR)/$(1) CROSS_COMPILE=$(2) \
	EXTRA_CFLAGS=-I$(CURDIR)/$(XXH_INC) $(3)

# nvemu linked with libnvemu.a: $(1) the binary, $(2) the compiler,
# $(3) more flags and sources
nvemu_cc = @echo "  CC      $(1)" && $(2) $(NVEMU_CFLAGS) $(3) -o $(1) \
	$(NVEMU_SRC) $(dir $(1))../libnvemu/libnvemu.a -lpthread

# The guest programs of $(T)/guest, one .c file each.  -ffp-contract=off:
# persist's double arithmetic must not be fused into FMAs (arm64 would, by
# default), so that both architectures compute the same bits.
GUEST_PROGS	:= daxcheck blkstamp gatecheck persist pblock
GUEST_CFLAGS	:= -std=gnu11 -O2 -Wall -Wextra -ffp-contract=off -static \
		   -Iinclude/uapi

# User-space programs are linked statically: the guest has only what
# mkinitramfs puts there, and arm64 ones are cross-built.  nvemu-test is
# nvemu with the NVEMU_TEST_* hooks, for the guest tests only.
tools: deps $(XXH_INC)/xxhash.h vlt
	@mkdir -p $(OUT)/bin
	$(call libnvemu,$(OUT)/libnvemu,$(CROSS),static)
	$(call nvemu_cc,$(OUT)/bin/nvemu,$(TARGET_CC),-static)
	$(call nvemu_cc,$(OUT)/bin/nvemu-test,$(TARGET_CC),-static \
		-DNVEMU_TEST_HOOKS tools/nvemu/testhooks.c)
	@$(TARGET_CC) -O2 -Wall -Wextra -static \
		-o $(OUT)/bin/membw $(T)/bench/membw.c
	@$(TARGET_CC) -O2 -Wall -Wextra -static \
		-o $(OUT)/bin/statebench $(T)/bench/statebench.c
	@echo "  CC      $(OUT)/bin/vltwork (vlt plugin), vltwork-plain"
	@$(TARGET_CC) $(GUEST_CFLAGS) -Itools/vlt/include \
		-fplugin=$(CURDIR)/$(B)/vlt/$(shell $(TARGET_CC) -dumpmachine)/nvemu_vlt.so \
		-o $(OUT)/bin/vltwork $(T)/guest/vltwork.c $(OUT)/libnvemu/libnvemu.a
	@$(TARGET_CC) $(GUEST_CFLAGS) -Itools/vlt/include -DNVEMU_VLT_OFF \
		-o $(OUT)/bin/vltwork-plain $(T)/guest/vltwork.c
	@for p in $(GUEST_PROGS); do \
		echo "  CC      $(OUT)/bin/$$p"; \
		$(TARGET_CC) $(GUEST_CFLAGS) -o $(OUT)/bin/$$p \
			$(T)/guest/$$p.c || exit 1; \
	done

# Host (x86_64) tests of the nvemu tool: libnvemu static and shared (its
# exported symbols against libnvemu.map), unit tests of the image format
# (linked with the shared object) and of the worker split,
# save/restore/verify end to end on regular files, with the test hooks, and
# run/ps/resume/discard with a missing or a faked /dev/nvemu_proc, and the
# determinism of the guest program persist.
tools-test: $(XXH_INC)/xxhash.h
	@mkdir -p $(NVEMU_TT)/bin
	$(call libnvemu,$(NVEMU_TT)/libnvemu,,all)
	$(call nvemu_cc,$(NVEMU_TT)/bin/nvemu,gcc,-DNVEMU_TEST_HOOKS \
		tools/nvemu/testhooks.c)
	@echo "  CC      $(NVEMU_TT)/bin/test-image"
	@gcc $(NVEMU_CFLAGS) -o $(NVEMU_TT)/bin/test-image \
		tools/nvemu/tests/test-image.c -L$(NVEMU_TT)/libnvemu -lnvemu \
		-Wl,-rpath,$(CURDIR)/$(NVEMU_TT)/libnvemu
	@echo "  CC      $(NVEMU_TT)/bin/test-split"
	@gcc $(NVEMU_CFLAGS) -Itools/nvemu -o $(NVEMU_TT)/bin/test-split \
		tools/nvemu/tests/test-split.c tools/nvemu/split.c \
		tools/nvemu/numa.c tools/nvemu/util.c \
		$(NVEMU_TT)/libnvemu/libnvemu.a
	@for p in persist pblock; do \
		echo "  CC      $(NVEMU_TT)/bin/$$p"; \
		gcc $(GUEST_CFLAGS) -o $(NVEMU_TT)/bin/$$p $(T)/guest/$$p.c || \
			exit 1; \
	done
	@tools/nvemu/tests/run.sh $(NVEMU_TT)

# The vlt GCC plugin for gcc and aarch64-linux-gnu-gcc, each with the
# runtime (libnvemu.a) and nvemu-vlt.pc, in $(B)/vlt/MACHINE; nvemu-cc
# (tools/vlt) finds them there.  vlt-test: its host tests.
VLT_MAKE	= @$(MAKE) -s --no-print-directory -C tools/vlt O=$(CURDIR)/$(B)/vlt \
		  EXTRA_CFLAGS=-I$(CURDIR)/$(XXH_INC)

vlt: $(XXH_INC)/xxhash.h
	$(VLT_MAKE) plugins

vlt-test: $(XXH_INC)/xxhash.h
	$(VLT_MAKE) test

# One kselftest program per tools/testing/selftests/nvemu/*_test.c; the
# initramfs has them all in /usr/lib/kselftests/nvemu/.
NVEMU_SELFTESTS	:= $(notdir $(basename \
			$(wildcard tools/testing/selftests/nvemu/*_test.c)))

selftests: tree
	@mkdir -p $(OUT)/selftests
	@for t in $(NVEMU_SELFTESTS); do echo "  CC      $(OUT)/selftests/$$t"; done
	@$(MAKE) -s -C $(TREE)/tools/testing/selftests/nvemu \
		OUTPUT=$(CURDIR)/$(OUT)/selftests CC=$(TARGET_CC) \
		KHDR_INCLUDES="-isystem $(CURDIR)/include/uapi" \
		LDFLAGS=-static all

# INITRAMFS_ADD: more mkinitramfs --add options (bench/criu adds criu);
# INITRAMFS: the image to write.
INITRAMFS	?= $(B)/initramfs-$(ARCH).cpio
INITRAMFS_ADD	?=

initramfs: tools selftests
	@$(T)/mkinitramfs --arch $(ARCH) --out $(INITRAMFS) $(INITRAMFS_ADD) \
		--add $(OUT)/bin/nvemu:/usr/bin/nvemu \
		--add $(OUT)/bin/nvemu-test:/usr/bin/nvemu-test \
		--add $(OUT)/bin/membw:/usr/bin/membw \
		--add $(OUT)/bin/statebench:/usr/bin/statebench \
		--add $(OUT)/bin/vltwork:/usr/bin/vltwork \
		--add $(OUT)/bin/vltwork-plain:/usr/bin/vltwork-plain \
		$(foreach p,$(GUEST_PROGS),--add $(OUT)/bin/$(p):/usr/bin/$(p)) \
		$(foreach t,$(NVEMU_SELFTESTS),--add \
			$(OUT)/selftests/$(t):/usr/lib/kselftests/nvemu/$(t))

build: kernel initramfs

run: build
	@$(T)/demo --arch $(ARCH)

check:
	@$(T)/check

bench:
	@$(T)/bench/run
	@$(T)/bench/save-restore
	@$(T)/bench/save-restore-host
	@$(T)/bench/persist
	@$(T)/bench/criu
	@$(T)/bench/vlt

patches: tree
	@$(T)/export-patches $(TREE) $(B)/patches

clean:
	rm -rf $(B)/linux $(B)/linux.tmp $(B)/kernel-* $(B)/x86_64 $(B)/arm64 \
		$(B)/patches $(B)/logs $(B)/initramfs-* $(B)/vlt
