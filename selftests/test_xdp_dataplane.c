// SPDX-License-Identifier: GPL-2.0
/* The real XDP program (xdp/xdpgate_xdp.bpf.c) over the corpus through
 * BPF_PROG_TEST_RUN: verdicts, and the exact counters read back from its
 * maps. Maps are never pinned here, so the tests leave /sys/fs/bpf alone.
 *
 * Expected counters come from a model kept beside the runs: each run of a
 * frame of len bytes with repeat r adds r packets and r * len bytes (the
 * frame as XDP sees it) to
 *   - xg_actions[pass], or [drop] for a parse failure under
 *     cfg_drop_unparsed (not_ip and frag_l4_trunc are never dropped);
 *   - xg_reasons[result] unless the corpus says XG_PARSE_OK;
 *   - the source's totals when the result is OK or has a source
 *     (XG_RSN_HAS_SOURCE: frag_l4_trunc), read the way `stats`
 *     reads them: xg_src_v4 / xg_src_v6 with the pending counts of the
 *     hot-source caches xg_hot_v4 / xg_hot_v6 merged in (a source's counts
 *     live in its cache slot until written back, see xdpgate_account.bpf.h).
 * The result is the corpus's expectation, not the parser's.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_ether.h>

#include "xdpgate_limits.h"
#include "xdpgate_types.h"
#include "xdpgate_names.h"
#include "corpus.h"
#include "dataplane.h"
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
	bool counted = r == XG_PARSE_OK || XG_RSN_HAS_SOURCE(r);
	bool bad = !counted && r != XG_PARSE_NOT_IP;
	__u64 bytes = (__u64)c->len * repeat;

	memcpy(frame, c->bytes, c->len);
	if (off >= 0) {
		if (counted)
			memcpy(frame + off, src, family == 4 ? 4 : 16);
		else
			memcpy(frame + off, family == 4 ? poison_v4 : poison_v6,
			       family == 4 ? 4 : 16);
	}
	if (!ASSERT_OK(xg_dp_test_run(bpf_program__fd(skel->progs.xdpgate_xdp),
				      &opts), c->name))
		return;
	ASSERT_EQ(opts.retval, bad && drop_unparsed ? XDP_DROP : XDP_PASS,
		  c->name);

	add(&m->actions[bad && drop_unparsed ? XG_ACT_DROP : XG_ACT_PASS],
	    repeat, bytes);
	if (r != XG_PARSE_OK)
		add(&m->reasons[r], repeat, bytes);
	if (counted) {
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
	char what[96];
	__u8 src[16];
	int short_frames = 0;

	for (int i = 0; i < cp->n; i++) {
		const struct xg_case *c = &cp->c[i];

		if ((which == WHOLE_FRAMES && c->base >= 0) ||
		    (which == SAMPLE_FRAMES && !sample_frame(cp, i)))
			continue;
		if (c->len < ETH_HLEN) {
			short_frames++;
			continue;
		}
		source_addr(c->l3 == XG_L3_V4 ? 4 : 6, (i + rotate) % NR_SOURCES,
			    src);
		run_frame(skel, m, c, src, repeat, drop_unparsed);
	}
	if (short_frames) {
		snprintf(what, sizeof(what), "%d cut frames shorter than %d bytes",
			 short_frames, ETH_HLEN);
		xg_skip(what, "test_run refuses XDP frames without an Ethernet header (-EINVAL)");
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

/* Every merged source row must be a source of the model, listed once, with
 * its exact packets and bytes; every source of the model must be there.
 * The LRU map itself only has to stay within its size: how much of a
 * source is in it and how much still pending in the cache depends on
 * collisions and on the CPU each run landed on, not on the totals.
 */
static void check_sources(struct xdpgate_xdp *skel, int family,
			  const struct model *m, __u64 t0)
{
	const struct bpf_map *lru = family == 4 ? skel->maps.xg_src_v4 :
						  skel->maps.xg_src_v6;
	const char *what = family == 4 ? "xg_src_v4 + xg_hot_v4" :
					 "xg_src_v6 + xg_hot_v6";
	int af = family == 4 ? AF_INET : AF_INET6, want = 0;
	bool seen[MAX_MODEL_SOURCES] = { false };
	char name[INET6_ADDRSTRLEN];
	struct xg_source_row *rows;
	size_t n;
	__u64 t1;

	if (!ASSERT_OK(xg_dp_read_merged(skel, af, &rows, &n), what))
		return;
	t1 = now_ns();
	for (size_t i = 0; i < n; i++) {
		const struct xg_source_row *r = &rows[i];
		int k = 0;

		inet_ntop(af, r->addr, name, sizeof(name));
		ASSERT_EQ(r->family, af, name);
		while (k < m->n_src && !(m->src[k].family == family &&
					 !memcmp(m->src[k].addr, r->addr,
						 family == 4 ? 4 : 16)))
			k++;
		if (!ASSERT_TRUE(k < m->n_src, name))
			continue; /* a source nobody sent from (the poison) */
		ASSERT_TRUE(!seen[k], name); /* never listed twice */
		seen[k] = true;
		ASSERT_EQ(r->packets, m->src[k].packets, name);
		ASSERT_EQ(r->bytes, m->src[k].bytes, name);
		ASSERT_EQ(r->drops, 0, name);
		ASSERT_EQ(r->redirects, 0, name);
		/* Coarse clock read once per jiffy (xdpgate_clock.bpf.h):
		 * within the run, up to two ticks early.
		 */
		ASSERT_TRUE(r->last_seen_ns + 2 * tick_ns() >= t0 &&
			    r->last_seen_ns <= t1, name);
	}
	for (int k = 0; k < m->n_src; k++)
		want += m->src[k].family == family;
	ASSERT_EQ(n, want, family == 4 ? "distinct IPv4 sources (merged)" :
					 "distinct IPv6 sources (merged)");
	ASSERT_TRUE(xg_dp_count_keys(bpf_map__fd(lru), family == 4 ? 4 : 16) <=
		    (long)bpf_map__max_entries(lru),
		    family == 4 ? "xg_src_v4 entries <= max_entries" :
				  "xg_src_v6 entries <= max_entries");
	free(rows);
}

/* The poison addresses were only ever in frames that failed to parse:
 * neither in an LRU map nor (checked by check_sources) in a cache.
 */
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

/* The rule README documents for reconciling the totals with the rows:
 * packets in source rows = actions - reasons + reasons with a source
 * (XG_RSN_HAS_SOURCE), read from the maps alone. Holds while nothing was
 * evicted, as here.
 */
static void check_reconcile(struct xdpgate_xdp *skel)
{
	struct xg_counter act[XG_ACT__MAX], rsn[XG_RSN__MAX];
	__u64 want = 0, got = 0;

	if (!ASSERT_OK(xg_read_counters(bpf_map__fd(skel->maps.xg_actions), act,
					XG_ACT__MAX), "xg_actions") ||
	    !ASSERT_OK(xg_read_counters(bpf_map__fd(skel->maps.xg_reasons), rsn,
					XG_RSN__MAX), "xg_reasons"))
		return;
	for (int a = 0; a < XG_ACT__MAX; a++)
		want += act[a].packets;
	for (int r = 0; r < XG_RSN__MAX; r++)
		if (!XG_RSN_HAS_SOURCE(r))
			want -= rsn[r].packets;
	for (int f = 0; f < 2; f++) {
		struct xg_source_row *rows;
		size_t n;

		if (!ASSERT_OK(xg_dp_read_merged(skel, f ? AF_INET6 : AF_INET,
						 &rows, &n), "merged rows"))
			return;
		for (size_t i = 0; i < n; i++)
			got += rows[i].packets;
		free(rows);
	}
	ASSERT_EQ(got, want, "rows = actions - reasons + reasons with a source");
	ASSERT_TRUE(rsn[XG_PARSE_FRAG_L4_TRUNC].packets > 0,
		    "frag_l4_trunc frames were part of the run");
}

static void check_all(struct xdpgate_xdp *skel, const struct model *m, __u64 t0)
{
	check_reconcile(skel);
	check_counters(bpf_map__fd(skel->maps.xg_actions), m->actions,
		       XG_ACT__MAX, xg_action_names, "xg_actions");
	check_counters(bpf_map__fd(skel->maps.xg_reasons), m->reasons,
		       XG_RSN__MAX, xg_reason_names, "xg_reasons");
	check_sources(skel, 4, m, t0);
	check_sources(skel, 6, m, t0);
	check_poison_absent(skel);
}

/* ---- subtests ----------------------------------------------------- */

static void subtest_pass_and_count(void)
{
	static struct model m;
	struct xdpgate_xdp *skel;
	__u64 t0 = now_ns();

	xg_subtest_start("pass_and_count");
	skel = xg_dp_load(false, 0, 0);
	if (skel) {
		/* Sources rotated differently in each pass, so every whole
		 * frame meets both a new source (insert) and a known one
		 * (update), and each source sums frames of all passes.
		 */
		run_corpus(skel, &m, ALL_FRAMES, 1, 0, false);
		run_corpus(skel, &m, WHOLE_FRAMES, 1, 1, false);
		/* Past XG_HOT_WRITEBACK_PKTS in one run: those sources are
		 * written back to the LRU map with a remainder left in their
		 * slot, so the reader has to add the two.
		 */
		run_corpus(skel, &m, SAMPLE_FRAMES, XG_HOT_WRITEBACK_PKTS + 1, 3,
			   false);
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
	skel = xg_dp_load(true, 0, 0);
	if (skel) {
		run_corpus(skel, &m, ALL_FRAMES, 1, 1, true);
		run_corpus(skel, &m, SAMPLE_FRAMES, 3, 3, true);
		ASSERT_TRUE(m.actions[XG_ACT_DROP].packets > 0, "drop counted");
		check_all(skel, &m, t0);
		xdpgate_xdp__destroy(skel);
	}
	xg_subtest_end();
}

/* More IPv4 sources than xg_src_v4 holds (8 entries, 200 sources), laid
 * out so the LRU map really fills and evicts. Sources only reach the LRU
 * map when written back from their cache slot, so the plan forces write-
 * backs, computing slot indexes with the hash the BPF program uses
 * (xg_dp_slot_v4() mirrors xg_hot_index(): (addr * 2654435761) >> 22 on
 * the network-order address loaded as a little-endian u32):
 *  - phase 1: 32 slots shared by 5 sources each, one packet per source,
 *    round robin, so each packet claims the slot and writes the previous
 *    owner's packet back: 128 LRU inserts; the 32 last owners stay pending;
 *  - phase 2: 40 sources with a slot each send 256 packets in one run,
 *    written back at the 256th (XG_HOT_WRITEBACK_PKTS): 40 more inserts.
 * Each source's count thus moves to the LRU map in one piece, so a source
 * reads back either exactly what it sent or nothing (evicted); the cache
 * owners were never written back and must all be there. Pinned to one CPU:
 * the cache is per CPU, and the plan assumes one cache.
 */
#define FULL_LRU 8
#define FULL_GROUPS 32
#define FULL_PER_GROUP 5
#define FULL_BIG 40

struct full_plan {
	__u8 grp[FULL_GROUPS][FULL_PER_GROUP][16];
	__u8 big[FULL_BIG][16];
};

static bool plan_full(struct full_plan *p)
{
	static int cand[XG_HOT_SLOTS][FULL_PER_GROUP];
	int ncand[XG_HOT_SLOTS] = { 0 }, g = 0, b = 0;
	__u8 a[16];

	for (int k = 0; k < 65536; k++) {
		__u32 s;

		source_addr(4, k, a);
		s = xg_dp_slot_v4(a);
		if (ncand[s] < FULL_PER_GROUP)
			cand[s][ncand[s]++] = k;
	}
	for (__u32 s = 0; s < XG_HOT_SLOTS; s++) {
		if (g < FULL_GROUPS && ncand[s] == FULL_PER_GROUP) {
			for (int r = 0; r < FULL_PER_GROUP; r++)
				source_addr(4, cand[s][r], p->grp[g][r]);
			g++;
		} else if (b < FULL_BIG && ncand[s]) {
			source_addr(4, cand[s][0], p->big[b++]);
		}
	}
	return g == FULL_GROUPS && b == FULL_BIG;
}

static __u64 lru_packets(int fd, const __u8 *key, int *err)
{
	struct xg_src_stats vals[nr_cpus];
	__u64 packets = 0;

	*err = bpf_map_lookup_elem(fd, key, vals) ? -errno : 0;
	for (int cpu = 0; !*err && cpu < nr_cpus; cpu++)
		packets += vals[cpu].packets;
	return packets;
}

static void check_full_phase1(struct xdpgate_xdp *skel,
			      const struct full_plan *p)
{
	int fd = bpf_map__fd(skel->maps.xg_src_v4), err;
	long entries = xg_dp_count_keys(fd, 4);

	ASSERT_EQ(xg_hot_pending(bpf_map__fd(skel->maps.xg_hot_v4)), FULL_GROUPS,
		  "phase 1: slots pending = shared slots");
	ASSERT_TRUE(entries >= 1 && entries <= FULL_LRU,
		    "phase 1: xg_src_v4 entries <= max_entries");
	/* The newest write-back was just inserted: it cannot be the coldest. */
	ASSERT_EQ(lru_packets(fd, p->grp[FULL_GROUPS - 1][FULL_PER_GROUP - 2],
			      &err), 1, "phase 1: newest write-back in xg_src_v4");
	ASSERT_OK(err, "phase 1: newest write-back in xg_src_v4");
	for (int g = 0; g < FULL_GROUPS; g++) {
		lru_packets(fd, p->grp[g][FULL_PER_GROUP - 1], &err);
		ASSERT_TRUE(err == -ENOENT, "phase 1: slot owner not written back");
	}
}

static void check_full_phase2(struct xdpgate_xdp *skel,
			      const struct full_plan *p, const struct model *m)
{
	int fd = bpf_map__fd(skel->maps.xg_src_v4), err;
	long entries = xg_dp_count_keys(fd, 4);
	__u64 merged = 0, lru = 0, sent = 0;
	char name[INET_ADDRSTRLEN];
	struct xg_source_row *rows;
	const struct xg_source_row *r;
	size_t n;

	check_counters(bpf_map__fd(skel->maps.xg_actions), m->actions,
		       XG_ACT__MAX, xg_action_names, "xg_actions");
	/* src_update_fail stays 0: LRU makes room instead of failing. */
	check_counters(bpf_map__fd(skel->maps.xg_reasons), m->reasons,
		       XG_RSN__MAX, xg_reason_names, "xg_reasons");
	ASSERT_TRUE(entries >= 1 && entries <= FULL_LRU,
		    "xg_src_v4 entries <= max_entries");
	ASSERT_EQ(xg_hot_pending(bpf_map__fd(skel->maps.xg_hot_v4)), FULL_GROUPS,
		  "slots pending: the shared slots' owners only");
	if (!ASSERT_OK(xg_dp_read_merged(skel, AF_INET, &rows, &n), "merged read"))
		return;
	/* The owners' rows are appended from the cache, the rest are the
	 * LRU map's entries.
	 */
	ASSERT_EQ(n, FULL_GROUPS + entries, "merged rows = owners + LRU entries");
	ASSERT_TRUE(n < (size_t)m->n_src, "some sources evicted");
	for (size_t i = 0; i < n; i++) {
		const struct src_count *s = NULL;

		inet_ntop(AF_INET, rows[i].addr, name, sizeof(name));
		for (int k = 0; k < m->n_src; k++)
			if (!memcmp(m->src[k].addr, rows[i].addr, 4))
				s = &m->src[k];
		if (!ASSERT_TRUE(s != NULL, name))
			continue;
		/* All or nothing: never more than sent, never a part. */
		ASSERT_EQ(rows[i].packets, s->packets, name);
		ASSERT_EQ(rows[i].bytes, s->bytes, name);
		merged += rows[i].packets;
		err = 0;
		lru += lru_packets(fd, rows[i].addr, &err);
		ASSERT_TRUE(!err || err == -ENOENT, name);
	}
	for (int k = 0; k < m->n_src; k++)
		sent += m->src[k].packets;
	/* What the cache holds is exactly one packet per owner; the rest of
	 * the merged total is the LRU map's; what is missing was evicted.
	 */
	ASSERT_EQ(merged - lru, FULL_GROUPS, "pending in the cache");
	ASSERT_EQ(sent, m->actions[XG_ACT_PASS].packets, "sent = passed");
	ASSERT_TRUE(merged < sent, "evicted counts are lost, none invented");
	for (int g = 0; g < FULL_GROUPS; g++) {
		r = xg_dp_find(rows, n, AF_INET, p->grp[g][FULL_PER_GROUP - 1]);
		ASSERT_TRUE(r && r->packets == 1, "slot owner pending, exact");
	}
	r = xg_dp_find(rows, n, AF_INET, p->big[FULL_BIG - 1]);
	ASSERT_TRUE(r && r->packets == XG_HOT_WRITEBACK_PKTS,
		    "newest 256-packet write-back present");
	ASSERT_EQ(lru_packets(fd, p->big[FULL_BIG - 1], &err),
		  XG_HOT_WRITEBACK_PKTS, "newest write-back in xg_src_v4");
	free(rows);
}

static void subtest_src_map_full(void)
{
	const struct xg_case *udp = xg_dp_frame("ipv4_udp");
	static struct full_plan plan;
	static struct model m;
	struct xdpgate_xdp *skel;
	cpu_set_t saved;

	xg_subtest_start("src_map_full_lru");
	if (!ASSERT_TRUE(udp != NULL, "corpus entry ipv4_udp") ||
	    !ASSERT_TRUE(plan_full(&plan), "colliding sources found"))
		goto out;
	if (!ASSERT_TRUE(xg_dp_pin_cpu(-1, &saved) >= 0, "pin to one CPU"))
		goto out;
	/* One-off sources each with an entry, evicting: the map's own LRU
	 * behaviour, so with the admission stage off (attach --exact). The
	 * admission stage's side is test_admission.
	 */
	xg_dp_exact = true;
	skel = xg_dp_load(false, FULL_LRU, 0);
	xg_dp_exact = false;
	if (!skel)
		goto unpin;
	for (int r = 0; r < FULL_PER_GROUP; r++)
		for (int g = 0; g < FULL_GROUPS; g++)
			run_frame(skel, &m, udp, plan.grp[g][r], 1, false);
	check_full_phase1(skel, &plan);
	for (int b = 0; b < FULL_BIG; b++)
		run_frame(skel, &m, udp, plan.big[b], XG_HOT_WRITEBACK_PKTS, false);
	check_full_phase2(skel, &plan, &m);
	xdpgate_xdp__destroy(skel);
unpin:
	xg_dp_unpin_cpu(&saved);
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
