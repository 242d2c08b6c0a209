# xdpgate: one build for the BPF objects, their skeletons, the loader, the
# tests and the benchmark. Out of tree into build/; quiet unless V=1.

.DELETE_ON_ERROR:
.SUFFIXES:

# bpftool, ip and tc live in sbin, which a non-login shell may not have.
export PATH := $(PATH):/usr/local/sbin:/usr/sbin:/sbin

BUILD    ?= build
CLANG    ?= clang-19
LLVM_STRIP ?= llvm-strip-19
BPFTOOL  ?= bpftool
CC       ?= gcc
PYTHON   ?= /usr/bin/python3
ARCH     := $(shell uname -m | sed 's/x86_64/x86/;s/aarch64/arm64/')
# Asked of $(CC) on first use, in a recipe, so after deps.sh installed it:
# on a fresh machine a parse-time $(shell) would get "" and -I/usr/include/.
MULTIARCH = $(eval MULTIARCH := $$(shell $$(CC) -print-multiarch 2>/dev/null))$(MULTIARCH)

ifeq ($(V),1)
Q =
msg =
else
Q = @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

# BPF side: UAPI headers for packet programs, vmlinux.h for CO-RE ones.
BPF_CFLAGS = -g -O2 -target bpf -mcpu=v3 -D__TARGET_ARCH_$(ARCH) \
	-Wall -Werror -Iheaders -I$(BUILD) -I/usr/include/$(MULTIARCH) -MMD -MP

# User side.
CFLAGS   ?= -O2 -g
XG_CFLAGS := $(CFLAGS) -std=gnu11 -Wall -Wextra -Werror -Wno-unused-parameter \
	-Iheaders -Iloader -I$(BUILD)/skel -MMD -MP -D_GNU_SOURCE
LDLIBS   := -lxdp -lbpf -lelf -lz -lmicrohttpd -lncursesw -pthread

BPF_SRCS   := $(wildcard xdp/*.bpf.c tc/*.bpf.c sock/*.bpf.c)
BPF_OBJS   := $(patsubst %.bpf.c,$(BUILD)/%.bpf.o,$(BPF_SRCS))
SKELS      := $(patsubst %.bpf.c,$(BUILD)/skel/%.skel.h,$(notdir $(BPF_SRCS)))

# Test and benchmark BPF programs get skeletons too, but are not in xdpgate.
AUX_BPF_SRCS := $(wildcard selftests/progs/*.bpf.c bench/progs/*.bpf.c)
AUX_BPF_OBJS := $(patsubst %.bpf.c,$(BUILD)/%.bpf.o,$(AUX_BPF_SRCS))
AUX_SKELS    := $(patsubst %.bpf.c,$(BUILD)/skel/%.skel.h,$(notdir $(AUX_BPF_SRCS)))

LOADER_SRCS := $(filter-out loader/main.c,$(wildcard loader/*.c))
LOADER_OBJS := $(patsubst %.c,$(BUILD)/%.o,$(LOADER_SRCS))
LIBXG       := $(BUILD)/libxdpgate.a

TEST_SRCS  := $(wildcard selftests/*.c)
TOOL_SRCS  := $(wildcard selftests/tools/*.c selftests/fuzz/corpus_dump.c)
TEST_OBJS  := $(patsubst %.c,$(BUILD)/%.o,$(TEST_SRCS))
BENCH_SRCS := $(wildcard bench/*.c)
BENCH_OBJS := $(patsubst %.c,$(BUILD)/%.o,$(BENCH_SRCS))

DEPS_STAMP := $(BUILD)/.deps-ok

.PHONY: all deps demo test test-c test-e2e test-bench stress bench clean
all: $(BUILD)/xdpgate

deps:
	$(Q)scripts/deps.sh

# Every target that compiles needs the packages; the stamp keeps the
# (quick) check from running on every file.
$(DEPS_STAMP): scripts/deps.sh
	$(Q)mkdir -p $(@D)
	$(Q)scripts/deps.sh
	$(Q)touch $@

# CO-RE programs (sock/) include vmlinux.h, generated from the running
# kernel's BTF into build/ (never committed; `make clean` regenerates it).
VMLINUX_H := $(BUILD)/vmlinux.h
$(VMLINUX_H): | $(DEPS_STAMP)
	$(call msg,GEN,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c > $@
$(patsubst %.bpf.c,$(BUILD)/%.bpf.o,$(wildcard sock/*.bpf.c)): | $(VMLINUX_H)

$(BUILD)/%.bpf.o: %.bpf.c | $(DEPS_STAMP)
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

# bpftool names the skeleton after the object; strip .bpf for C names.
define skel_rule
$(BUILD)/skel/$(notdir $(1:.bpf.c=.skel.h)): $(BUILD)/$(1:.bpf.c=.bpf.o)
	$$(call msg,SKEL,$$@)
	$$(Q)mkdir -p $$(@D)
	$$(Q)$$(BPFTOOL) gen skeleton $$< name $$(basename $$(notdir $(1:.bpf.c=))) > $$@
endef
$(foreach s,$(BPF_SRCS) $(AUX_BPF_SRCS),$(eval $(call skel_rule,$(s))))

$(BUILD)/%.o: %.c | $(DEPS_STAMP)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(XG_CFLAGS) -c $< -o $@

# C files may include any skeleton; generate them before compiling.
$(LOADER_OBJS) $(BUILD)/loader/main.o $(TEST_OBJS) $(BENCH_OBJS) \
$(patsubst %.c,$(BUILD)/%.o,$(TOOL_SRCS)): | $(SKELS) $(AUX_SKELS)

$(LIBXG): $(LOADER_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(BUILD)/xdpgate: $(BUILD)/loader/main.o $(LIBXG)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(XG_CFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/test_xdpgate: $(TEST_OBJS) $(LIBXG)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(XG_CFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/xdpgate-bench: $(BENCH_OBJS) $(LIBXG)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(XG_CFLAGS) -o $@ $^ $(LDLIBS) -lm

demo: $(BUILD)/xdpgate
	$(Q)scripts/demo.sh

TEST_C     = $(BUILD)/test_xdpgate
TEST_E2E   = $(PYTHON) -m pytest -q -rs
# The end-to-end tests on both cores (pytest-xdist), one test file per
# worker: each test makes its own namespaces, interfaces and pins, so two at
# once are also the proof that another xdpgate on the host changes nothing.
E2E_JOBS  ?= 2
TEST_E2E_PAR = $(TEST_E2E) -n $(E2E_JOBS) --dist loadfile
# Smoke check, not a measurement: every benchmark program really processed
# the packets it was timed on.
TEST_BENCH = $(BUILD)/xdpgate-bench --quick --selftest

# One after the other even under make -j (as prerequisites they would run
# at once, the outputs mixed); pytest last so its summary closes the output.
# The C tests and the end-to-end tests run once, on the ASan and UBSan build
# of the loader (SAN_BUILD, below), so one pass finds both wrong results and
# memory errors; valgrind cannot run an ASan binary, so its test takes the
# plain loader. The benchmark's smoke check and the kernel matrix use the
# plain build, as users and the guests run it.
test: $(BUILD)/xdpgate-bench $(BUILD)/test_xdpgate $(BUILD)/xdpgate $(BPF_OBJS) $(AUX_BPF_OBJS) \
      $(BUILD)/verifier_insns san-build
	$(Q)$(TEST_LINT)
	$(Q)$(TEST_VERIFIER)
	$(Q)$(TEST_BENCH)
	$(Q)$(TEST_C_SAN)
	$(Q)$(KMX_RUN) --quick
	$(Q)$(TEST_E2E) $(E2E_PLAIN)
	$(Q)$(TEST_E2E_SAN) $(E2E_SAN)

test-c: $(BUILD)/test_xdpgate $(BPF_OBJS)
	$(Q)$(TEST_C)

test-e2e: $(BUILD)/xdpgate $(BPF_OBJS) $(AUX_BPF_OBJS)
	$(Q)$(TEST_E2E) selftests/e2e

# The state tests' loops, longer: attach/detach races and kill -9 of an
# attach at random moments (see selftests/e2e/test_state_stress.py).
STRESS_ROUNDS ?= 2000
stress: $(BUILD)/xdpgate $(BPF_OBJS) $(AUX_BPF_OBJS)
	$(Q)XG_STRESS_ROUNDS=$(STRESS_ROUNDS) $(TEST_E2E) -k "two_loaders_race or kill9_attach_at_random" selftests/e2e/test_state_stress.py

test-bench: $(BUILD)/xdpgate-bench
	$(Q)$(TEST_BENCH)

bench: $(BUILD)/xdpgate-bench $(BUILD)/xdpgate
	$(Q)bench/run.sh

# ---- hardening: lint, verifier record, sanitizers, fuzzing ----------------

# cppcheck, flags pinned here: the warning, portability and performance
# checks (style is taste); one configuration, the one the build compiles
# (-D makes cppcheck check only that); libbpf's macros spelled out in
# libbpf.cfg; file-wide suppressions with their reasons in suppressions.txt.
# __CPPCHECK__ gives it plain forms of the test harness's ASSERT_* macros.
# The generated skeletons are left out of its include path: they are
# libbpf's code, and their embedded objects (hundreds of KB of string)
# take cppcheck minutes per file that includes one.
CPPCHECK       ?= cppcheck
CPPCHECK_FLAGS := -q --std=c11 --enable=warning,portability,performance \
	--error-exitcode=1 --inline-suppr -D__CPPCHECK__ -D_GNU_SOURCE -D__linux__ \
	-Iheaders -Iloader --library=scripts/cppcheck/libbpf.cfg \
	--suppressions-list=scripts/cppcheck/suppressions.txt
LINT_DIRS      := $(wildcard headers xdp tc sock loader selftests bench)
TEST_LINT       = $(CPPCHECK) $(CPPCHECK_FLAGS) -j2 $(LINT_DIRS) && \
	echo "ok   lint: cppcheck $(CPPCHECK_VERSION) clean on $(LINT_DIRS)"
CPPCHECK_VERSION = $(shell $(CPPCHECK) --version 2>/dev/null | sed 's/^Cppcheck //')

# The verifier's instruction counts of every xdpgate program, recorded in
# the repository so growth shows in review; make test fails while the
# record is stale (on another kernel or clang it says SKIP).
VERIFIER_RECORD := selftests/verifier_insns.md
CLANG_VERSION    = $(shell $(CLANG) --version | head -1)
TEST_VERIFIER    = $(BUILD)/verifier_insns --check $(VERIFIER_RECORD) \
	--clang "$(CLANG_VERSION)" $(BPF_OBJS)

$(BUILD)/verifier_insns: $(BUILD)/selftests/tools/verifier_insns.o
	$(call msg,LINK,$@)
	$(Q)$(CC) $(XG_CFLAGS) -o $@ $^ $(LDLIBS)

# The corpus shapes as files, libFuzzer's seed corpus.
CORPUS_OBJS := $(patsubst %.c,$(BUILD)/%.o,$(wildcard selftests/corpus*.c))
$(BUILD)/selftests/fuzz/corpus_dump.o: XG_CFLAGS += -Iselftests
$(BUILD)/fuzz/corpus_dump: $(BUILD)/selftests/fuzz/corpus_dump.o $(CORPUS_OBJS)
	$(call msg,LINK,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(XG_CFLAGS) -o $@ $^

# libFuzzer on the host build of parse.h, under ASan and UBSan.
FUZZ_CFLAGS := -g -O1 -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=all -Wall -Werror -Iheaders -MMD -MP
$(BUILD)/fuzz/parse_fuzz: selftests/fuzz/parse_fuzz.c | $(DEPS_STAMP)
	$(call msg,FUZZ,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(FUZZ_CFLAGS) $< -o $@

verifier-stats: $(BUILD)/verifier_insns $(BPF_OBJS)
	$(Q)$(BUILD)/verifier_insns --write $(VERIFIER_RECORD) \
		--clang "$(CLANG_VERSION)" $(BPF_OBJS)

lint: | $(DEPS_STAMP)
	$(Q)$(TEST_LINT)

# make fuzz: the differential fuzzer over FUZZ_FRAMES frames (BPF build
# against host build), then libFuzzer for FUZZ_SECONDS. FUZZ_SEED replays.
FUZZ_FRAMES  ?= 10000000
FUZZ_SECONDS ?= 120
fuzz: $(BUILD)/test_xdpgate $(BUILD)/fuzz/parse_fuzz $(BUILD)/fuzz/corpus_dump
	$(Q)XG_FUZZ_FRAMES=$(FUZZ_FRAMES) $(if $(FUZZ_SEED),XG_FUZZ_SEED=$(FUZZ_SEED)) \
		$(TEST_C) fuzz_diff
	$(Q)rm -rf $(BUILD)/fuzz/seeds && mkdir -p $(BUILD)/fuzz/seeds \
		$(BUILD)/fuzz/found $(BUILD)/fuzz/crashes
	$(Q)$(BUILD)/fuzz/corpus_dump $(BUILD)/fuzz/seeds
	$(Q)$(BUILD)/fuzz/parse_fuzz -max_total_time=$(FUZZ_SECONDS) -max_len=4096 \
		-print_final_stats=1 -artifact_prefix=$(BUILD)/fuzz/crashes/ \
		$(BUILD)/fuzz/found $(BUILD)/fuzz/seeds

# The loader and the C tests built with ASan and UBSan into their own
# directory (after the plain build's package check, so two apt-gets never
# race). Any report fails the run (halt_on_error, no recover, leaks at
# exit). make test runs them; test-asan runs only them.
SAN_BUILD  ?= build-asan
SAN_CFLAGS := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
	-fno-sanitize-recover=all
E2E_PLAIN  := selftests/e2e/test_valgrind.py
E2E_SAN    := selftests/e2e --ignore=$(E2E_PLAIN)
SAN_ENV     = ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:halt_on_error=1 \
	LSAN_OPTIONS=suppressions=$(CURDIR)/selftests/lsan.supp:print_suppressions=0 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
TEST_C_SAN   = $(SAN_ENV) $(SAN_BUILD)/test_xdpgate
TEST_E2E_SAN = $(SAN_ENV) XDPGATE=$(CURDIR)/$(SAN_BUILD)/xdpgate \
	XDPGATE_OBJ=$(CURDIR)/$(SAN_BUILD)/xdp/xdpgate_xdp.bpf.o $(TEST_E2E_PAR)
san-build: | $(DEPS_STAMP)
	$(Q)$(MAKE) --no-print-directory BUILD=$(SAN_BUILD) CFLAGS="$(SAN_CFLAGS)" \
		$(SAN_BUILD)/test_xdpgate $(SAN_BUILD)/xdpgate
test-asan: san-build
	$(Q)$(TEST_C_SAN)
	$(Q)$(TEST_E2E_SAN) $(E2E_SAN)

.PHONY: lint fuzz san-build test-asan verifier-stats

clean:
	$(Q)rm -rf $(BUILD) $(SAN_BUILD)

include selftests/kmatrix/kmatrix.mk

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
