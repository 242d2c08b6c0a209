# The kernel matrix (selftests/kmatrix): static builds of everything a
# guest runs, the helper kmx and its BPF programs, and the two entry
# points: `make kernel-matrix` (every kernel, every group, rewrites
# selftests/kernel-matrix.md) and `make test-kmatrix` (the quick matrix
# make test runs). Included by the Makefile after its own rules.

KMX_DIR      := selftests/kmatrix
KMX_BIN      := $(BUILD)/kmatrix/bin
KMX_BPF_SRCS := $(wildcard $(KMX_DIR)/progs/*.bpf.c)
KMX_SKELS    := $(patsubst %.bpf.c,$(BUILD)/skel/%.skel.h,$(notdir $(KMX_BPF_SRCS)))
KMX_OBJS     := $(patsubst %.c,$(BUILD)/%.o,$(wildcard $(KMX_DIR)/*.c))
KMX_BINS     := $(addprefix $(KMX_BIN)/,xdpgate test_xdpgate xdpgate-bench kmx)

$(foreach s,$(KMX_BPF_SRCS),$(eval $(call skel_rule,$(s))))
$(BUILD)/$(KMX_DIR)/progs/%.bpf.o: BPF_CFLAGS += -I$(KMX_DIR)
# kmx sends the benchmark's own frames (bench/packets.c).
$(KMX_OBJS): XG_CFLAGS += -I$(KMX_DIR) -Ibench
$(KMX_OBJS): | $(SKELS) $(AUX_SKELS) $(KMX_SKELS)

# Static, so a guest needs nothing but the kernel and busybox.
KMX_LINK = $(CC) $(XG_CFLAGS) -static -o $@ $^ $(LDLIBS)

# serve and top stay out of the static xdpgate (static/no_ui.c).
KMX_NO_UI := $(BUILD)/$(KMX_DIR)/static/no_ui.o
$(KMX_BIN)/xdpgate: $(BUILD)/loader/main.o $(KMX_NO_UI) $(LIBXG)
	$(call msg,STATIC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(KMX_LINK)

$(KMX_BIN)/test_xdpgate: $(TEST_OBJS) $(LIBXG)
	$(call msg,STATIC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(KMX_LINK)

$(KMX_BIN)/xdpgate-bench: $(BENCH_OBJS) $(LIBXG)
	$(call msg,STATIC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(KMX_LINK) -lm

$(KMX_BIN)/kmx: $(KMX_OBJS) $(BUILD)/bench/packets.o
	$(call msg,STATIC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(KMX_LINK)

KMX_RUN = $(PYTHON) $(KMX_DIR)/matrix.py --build $(BUILD)

.PHONY: kernel-matrix test-kmatrix
kernel-matrix: $(KMX_BINS)
	$(Q)$(KMX_RUN) --table selftests/kernel-matrix.md

test-kmatrix: $(KMX_BINS)
	$(Q)$(KMX_RUN) --quick

test: $(KMX_BINS)
