// SPDX-License-Identifier: GPL-2.0
/* The real XDP program (xdp/xdpgate_xdp.bpf.c) over the corpus through
 * BPF_PROG_TEST_RUN: verdicts, and the exact counters read back from its
 * maps. Maps are never pinned here, so the tests leave /sys/fs/bpf alone.
 *
 * Expected counters come from a model kept beside the runs: each run of a
 * frame of len bytes with repeat r adds r packets and r * len bytes (the
 * frame as XDP sees it) to
 *   - xg_actions[pass], or [drop] for a parse failure under
 *     cfg_drop_unparsed (not_ip is never dropped);
 *   - xg_reasons[result] unless the corpus says XG_PARSE_OK;
 *   - the source's entry in xg_src_v4 / xg_src_v6 when the result is OK.
 * The result is the corpus's expectation, not the parser's.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_ether.h>

#include "xdpgate_types.h"
#include "xdpgate_names.h"
#include "corpus.h"
#include "xg_test.h"
#include "xdpgate_xdp.skel.h"

#define NR_SOURCES 5 /* per family; frames rotate over them */
#define MAX_MODEL_SOURCES 256

struct src_count {
	int family; /* 4 or 6 */
	__u8 addr[16];
	__u64 packets;
	__u64 bytes;
};

struct model {
	struct xg_counter actions[XG_ACT__MAX];
	struct xg_counter reasons[XG_RSN__MAX];
	struct src_count src[MAX_MODEL_SOURCES];
	int n_src;
};

/* Sources of unparsable frames are rewritten to these; they must never
 * show up in a source map.
 */
static const __u8 poison_v4[4] = { 192, 0, 2, 99 };
static const __u8 poison_v6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0xde, 0xad,
				    0, 0, 0, 0, 0, 0, 0, 0, 0xba, 0xd0 };

static int nr_cpus;

static void source_addr(int family, int k, __u8 *addr)
{
	memset(addr, 0, 16);
	if (family == 4) {
		addr[0] = 10;
		addr[1] = 77;
		addr[2] = k >> 8;
		addr[3] = 1 + (k & 0xff);
	} else {
		addr[0] = 0x20;
		addr[1] = 0x01;
		addr[2] = 0x0d;
		addr[3] = 0xb8;
		addr[4] = 0x77;
		addr[14] = k >> 8;
		addr[15] = 1 + (k & 0xff);
	}
}

static struct src_count *model_src(struct model *m, int family,
				   const __u8 *addr)
{
	int len = family == 4 ? 4 : 16;

	for (int i = 0; i < m->n_src; i++)
		if (m->src[i].family == family && !memcmp(m->src[i].addr, addr, len))
			return &m->src[i];
	if (m->n_src == MAX_MODEL_SOURCES) {
		fprintf(stderr, "test_xdp_dataplane: too many sources\n");
		exit(2);
	}
	m->src[m->n_src].family = family;
	memcpy(m->src[m->n_src].addr, addr, len);
	return &m->src[m->n_src++];
}

static void add(struct xg_counter *c, __u64 packets, __u64 bytes)
{
	c->packets += packets;
	c->bytes += bytes;
}

/* ---- loading ------------------------------------------------------ */

static struct xdpgate_xdp *load(bool drop_unparsed, __u32 v4_max_entries)
{
	struct xdpgate_xdp *skel;
	struct bpf_map *map;
	int err;

	skel = xdpgate_xdp__open();
	if (!ASSERT_PTR_OK(skel, "xdpgate_xdp__open"))
		return NULL;
	/* The maps say LIBBPF_PIN_BY_NAME; without a pin path libbpf
	 * neither reuses nor creates pins.
	 */
	bpf_object__for_each_map(map, skel->obj)
		ASSERT_OK(bpf_map__set_pin_path(map, NULL), bpf_map__name(map));
	skel->rodata->cfg_drop_unparsed = drop_unparsed;
	if (v4_max_entries)
		ASSERT_OK(bpf_map__set_max_entries(skel->maps.xg_src_v4,
						   v4_max_entries), "xg_src_v4");
	err = xdpgate_xdp__load(skel);
	if (!ASSERT_OK(err, "xdpgate_xdp__load")) {
		xdpgate_xdp__destroy(skel);
		return NULL;
	}
	bpf_object__for_each_map(map, skel->obj)
		ASSERT_TRUE(!bpf_map__is_pinned(map), bpf_map__name(map));
	return skel;
}

/* ---- running ------------------------------------------------------ */

/* Run frame c (its source replaced by src, when it has one in the frame)
 * repeat times; check the verdict and update the model.
 */
static void run_frame(struct xdpgate_xdp *skel, struct model *m,
		      const struct xg_case *c, const __u8 *src, __u32 repeat,
		      bool drop_unparsed)
{
	__u8 frame[XG_FRAME_MAX];
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = frame,
		    .data_size_in = c->len, .repeat = repeat);
	enum xg_reason r = c->exp.result;
	int off = xg_case_saddr_off(c);
	int family = c->l3 == XG_L3_V4 ? 4 : 6;
	bool bad = r != XG_PARSE_OK && r != XG_PARSE_NOT_IP;
	__u64 bytes = (__u64)c->len * repeat;

	memcpy(frame, c->bytes, c->len);
	if (off >= 0) {
		if (r == XG_PARSE_OK)
			memcpy(frame + off, src, family == 4 ? 4 : 16);
		else
			memcpy(frame + off, family == 4 ? poison_v4 : poison_v6,
			       family == 4 ? 4 : 16);
	}
	if (!ASSERT_OK(bpf_prog_test_run_opts(bpf_program__fd(skel->progs.xdpgate_xdp),
					      &opts), c->name))
		return;
	ASSERT_EQ(opts.retval, bad && drop_unparsed ? XDP_DROP : XDP_PASS,
		  c->name);

	add(&m->actions[bad && drop_unparsed ? XG_ACT_DROP : XG_ACT_PASS],
	    repeat, bytes);
	if (r != XG_PARSE_OK)
		add(&m->reasons[r], repeat, bytes);
	else {
		struct src_count *s = model_src(m, family, src);

		s->packets += repeat;
		s->bytes += bytes;
	}
}

/* One whole frame per (outcome, network layer) pair: what runs with
 * repeat > 1. Such a run costs ~50 ms here (the kernel swaps the XDP
 * dispatcher in and out around the loop), so not the whole corpus.
 */
static bool sample_frame(const struct xg_corpus *cp, int i)
{
	const struct xg_case *c = &cp->c[i];

	if (c->base >= 0)
		return false;
	for (int j = 0; j < i; j++)
		if (cp->c[j].exp.result == c->exp.result && cp->c[j].l3 == c->l3)
			return false;
	return true;
}

enum which { ALL_FRAMES, WHOLE_FRAMES, SAMPLE_FRAMES };

/* Frames the kernel accepts (at least an Ethernet header) of the chosen
 * set; SAMPLE_FRAMES for repeat > 1. Source k rotates over NR_SOURCES per
 * family.
 */
static void run_corpus(struct xdpgate_xdp *skel, struct model *m,
		       enum which which, __u32 repeat, int rotate,
		       bool drop_unparsed)
{
	const struct xg_corpus *cp = xg_corpus_get();
	__u8 src[16];

	for (int i = 0; i < cp->n; i++) {
		const struct xg_case *c = &cp->c[i];

		if (c->len < ETH_HLEN ||
		    (which == WHOLE_FRAMES && c->base >= 0) ||
		    (which == SAMPLE_FRAMES && !sample_frame(cp, i)))
			continue;
		source_addr(c->l3 == XG_L3_V4 ? 4 : 6, (i + rotate) % NR_SOURCES,
			    src);
		run_frame(skel, m, c, src, repeat, drop_unparsed);
	}
}

/* ---- reading back ------------------------------------------------- */

static void check_counters(int map_fd, const struct xg_counter *exp, int n,
			   const char *const *names, const char *map_name)
{
	struct xg_counter vals[nr_cpus];
	char what[96];

	for (__u32 k = 0; k < (__u32)n; k++) {
		__u64 packets = 0, bytes = 0;

		snprintf(what, sizeof(what), "%s[%s]", map_name, names[k]);
		if (!ASSERT_OK(bpf_map_lookup_elem(map_fd, &k, vals) ? -errno : 0,
			       what))
			continue;
		/* test_run may run on any CPU: sum them all. */
		for (int cpu = 0; cpu < nr_cpus; cpu++) {
			packets += vals[cpu].packets;
			bytes += vals[cpu].bytes;
		}
		ASSERT_EQ(packets, exp[k].packets, what);
		ASSERT_EQ(bytes, exp[k].bytes, what);
	}
}

/* The length of a tick: the coarse clock's resolution. */
static __u64 tick_ns(void)
{
	struct timespec ts;

	clock_getres(CLOCK_MONOTONIC_COARSE, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static __u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/* Every entry of the source map must be a source of the model, with its
 * exact packets and bytes; every source of the model must be there.
 */
static void check_sources(int map_fd, int family, const struct model *m,
			  __u64 t0)
{
	struct xg_src_stats vals[nr_cpus];
	__u8 key[16], next[16];
	char name[INET6_ADDRSTRLEN];
	const void *prev = NULL;
	int klen = family == 4 ? 4 : 16, entries = 0, want = 0;
	__u64 t1 = now_ns();

	while (!bpf_map_get_next_key(map_fd, prev, next)) {
		const struct src_count *s = NULL;
		struct xg_src_stats sum = {};
		__u64 last = 0;

		memcpy(key, next, klen);
		prev = key;
		entries++;
		inet_ntop(family == 4 ? AF_INET : AF_INET6, key, name,
			  sizeof(name));
		for (int i = 0; i < m->n_src; i++)
			if (m->src[i].family == family &&
			    !memcmp(m->src[i].addr, key, klen))
				s = &m->src[i];
		if (!ASSERT_TRUE(s != NULL, name))
			continue; /* a source nobody sent from (the poison) */
		if (!ASSERT_OK(bpf_map_lookup_elem(map_fd, key, vals) ? -errno : 0,
			       name))
			continue;
		for (int cpu = 0; cpu < nr_cpus; cpu++) {
			sum.packets += vals[cpu].packets;
			sum.bytes += vals[cpu].bytes;
			sum.drops += vals[cpu].drops;
			sum.redirects += vals[cpu].redirects;
			if (vals[cpu].last_seen_ns > last)
				last = vals[cpu].last_seen_ns;
		}
		ASSERT_EQ(sum.packets, s->packets, name);
		ASSERT_EQ(sum.bytes, s->bytes, name);
		ASSERT_EQ(sum.drops, 0, name);
		ASSERT_EQ(sum.redirects, 0, name);
		/* Coarse clock read once per jiffy (xdpgate_clock.bpf.h):
		 * within the run, up to two ticks early.
		 */
		ASSERT_TRUE(last + 2 * tick_ns() >= t0 && last <= t1, name);
	}
	for (int i = 0; i < m->n_src; i++)
		want += m->src[i].family == family;
	ASSERT_EQ(entries, want, family == 4 ? "xg_src_v4 entries" :
					      "xg_src_v6 entries");
}

static void check_poison_absent(struct xdpgate_xdp *skel)
{
	struct xg_src_stats vals[nr_cpus];
	int err;

	err = bpf_map_lookup_elem(bpf_map__fd(skel->maps.xg_src_v4), poison_v4,
				  vals);
	ASSERT_TRUE(err && errno == ENOENT, "192.0.2.99 (unparsable only)");
	err = bpf_map_lookup_elem(bpf_map__fd(skel->maps.xg_src_v6), poison_v6,
				  vals);
	ASSERT_TRUE(err && errno == ENOENT, "2001:db8:dead::bad0 (unparsable only)");
}

static void check_all(struct xdpgate_xdp *skel, const struct model *m, __u64 t0)
{
	check_counters(bpf_map__fd(skel->maps.xg_actions), m->actions,
		       XG_ACT__MAX, xg_action_names, "xg_actions");
	check_counters(bpf_map__fd(skel->maps.xg_reasons), m->reasons,
		       XG_RSN__MAX, xg_reason_names, "xg_reasons");
	check_sources(bpf_map__fd(skel->maps.xg_src_v4), 4, m, t0);
	check_sources(bpf_map__fd(skel->maps.xg_src_v6), 6, m, t0);
	check_poison_absent(skel);
}

/* ---- subtests ----------------------------------------------------- */

static void subtest_pass_and_count(void)
{
	static struct model m;
	struct xdpgate_xdp *skel;
	__u64 t0 = now_ns();

	xg_subtest_start("pass_and_count");
	skel = load(false, 0);
	if (skel) {
		/* Sources rotated differently in each pass, so every whole
		 * frame meets both a new source (insert) and a known one
		 * (update), and each source sums frames of all passes.
		 */
		run_corpus(skel, &m, ALL_FRAMES, 1, 0, false);
		run_corpus(skel, &m, WHOLE_FRAMES, 1, 1, false);
		run_corpus(skel, &m, SAMPLE_FRAMES, 7, 2, false);
		check_all(skel, &m, t0);
		xdpgate_xdp__destroy(skel);
	}
	xg_subtest_end();
}

static void subtest_drop_unparsed(void)
{
	static struct model m;
	struct xdpgate_xdp *skel;
	__u64 t0 = now_ns();

	xg_subtest_start("drop_unparsed");
	skel = load(true, 0);
	if (skel) {
		run_corpus(skel, &m, ALL_FRAMES, 1, 1, true);
		run_corpus(skel, &m, SAMPLE_FRAMES, 3, 3, true);
		ASSERT_TRUE(m.actions[XG_ACT_DROP].packets > 0, "drop counted");
		check_all(skel, &m, t0);
		xdpgate_xdp__destroy(skel);
	}
	xg_subtest_end();
}

/* More IPv4 sources than xg_src_v4 holds: the LRU evicts, no insert
 * fails, every packet is still counted in xg_actions, and the entries
 * left hold exact counts.
 */
static void subtest_src_map_full(void)
{
	const int max = 8, nsrc = 200, repeat = 1;
	const struct xg_corpus *cp = xg_corpus_get();
	const struct xg_case *udp = NULL;
	static struct model m;
	struct xdpgate_xdp *skel;
	struct xg_src_stats vals[nr_cpus];
	__u8 src[16], key[4], next[4];
	const void *prev = NULL;
	int entries = 0, fd;

	xg_subtest_start("src_map_full_lru");
	for (int i = 0; i < cp->n_base; i++)
		if (!strcmp(cp->c[i].name, "ipv4_udp"))
			udp = &cp->c[i];
	if (!ASSERT_TRUE(udp != NULL, "corpus entry ipv4_udp"))
		goto out;
	skel = load(false, max);
	if (!skel)
		goto out;
	for (int k = 0; k < nsrc; k++) {
		source_addr(4, k, src);
		run_frame(skel, &m, udp, src, repeat, false);
	}
	check_counters(bpf_map__fd(skel->maps.xg_actions), m.actions,
		       XG_ACT__MAX, xg_action_names, "xg_actions");
	/* src_update_fail stays 0: LRU makes room instead of failing. */
	check_counters(bpf_map__fd(skel->maps.xg_reasons), m.reasons,
		       XG_RSN__MAX, xg_reason_names, "xg_reasons");

	fd = bpf_map__fd(skel->maps.xg_src_v4);
	while (!bpf_map_get_next_key(fd, prev, next)) {
		__u64 packets = 0;

		memcpy(key, next, 4);
		prev = key;
		entries++;
		if (!ASSERT_OK(bpf_map_lookup_elem(fd, key, vals) ? -errno : 0,
			       "xg_src_v4 entry"))
			continue;
		for (int cpu = 0; cpu < nr_cpus; cpu++)
			packets += vals[cpu].packets;
		ASSERT_EQ(packets, repeat, "xg_src_v4 entry");
	}
	ASSERT_TRUE(entries >= 1 && entries <= max, "xg_src_v4 entries <= max_entries");
	/* The newest source was just inserted: it cannot be the coldest. */
	ASSERT_OK(bpf_map_lookup_elem(fd, src, vals) ? -errno : 0,
		  "last source present");
	xdpgate_xdp__destroy(skel);
out:
	xg_subtest_end();
}

void test_xdp_dataplane(void)
{
	nr_cpus = libbpf_num_possible_cpus();
	if (nr_cpus <= 0) {
		xg_subtest_start("setup");
		ASSERT_OK(nr_cpus, "libbpf_num_possible_cpus");
		xg_subtest_end();
		return;
	}
	subtest_pass_and_count();
	subtest_drop_unparsed();
	subtest_src_map_full();
}
