// SPDX-License-Identifier: GPL-2.0
/* The admission stage (headers/xdpgate_admit.bpf.h) through the real XDP
 * program and BPF_PROG_TEST_RUN, read back with the loader's readers:
 *  - one-off sources held (no LRU entry), heavy sources exact, and every
 *    packet in exactly one of rows and held totals (reconcile_*);
 *  - a source that never proves itself: held, its estimate within the
 *    count-min bound (estimate_bound);
 *  - an admitted source without its hot slot counted in its entry through
 *    the admitted filter (known_without_slot);
 *  - the budget of unproven entries (budget);
 *  - cfg_exact: every source exact, nothing held (exact_mode);
 *  - a deny rule against a held flood: every packet dropped and counted
 *    under the rule (deny_rule_flood);
 *  - the sketch's decay and filter generations as pure functions
 *    (sketch_functions).
 * Pinned to one CPU: the hot slots and the sketch are per CPU. Loads use
 * no sketch decay (shift 62) and, unless said, a newcomer always takes
 * its slot (cfg_hot_keep_ns 0) and no write-back by age.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "dataplane.h"
#include "policy.h"
#include "rule_spec.h"
#include "sketch_read.h"
#include "stats_snapshot.h"
#include "xdpgate_sketch.h"
#include "xg_test.h"
#include "xdpgate_xdp.skel.h"

#define ONEOFFS 4000
#define HEAVIES 8

struct fam {
	int af;
	const char *frame;
};

static const struct fam f4 = { AF_INET, "ipv4_udp" };
static const struct fam f6 = { AF_INET6, "ipv6_udp" };

/* Source k: 10.x.y.z (k + 1 in the low 24 bits) or 2001:db8:77::<k>. */
static void addr_of(const struct fam *f, __u32 k, __u8 a[16])
{
	memset(a, 0, 16);
	k++;
	if (f->af == AF_INET) {
		a[0] = 10;
		a[1] = k >> 16;
		a[2] = k >> 8;
		a[3] = k;
		return;
	}
	a[0] = 0x20, a[1] = 0x01, a[2] = 0x0d, a[3] = 0xb8, a[5] = 0x77;
	a[12] = k >> 24, a[13] = k >> 16, a[14] = k >> 8, a[15] = k;
}

static __u32 slot_of(const struct fam *f, const __u8 *a)
{
	return f->af == AF_INET ? xg_dp_slot_v4(a) : xg_dp_slot_v6(a);
}

static void maps_of(struct xdpgate_xdp *s, struct xg_maps *m)
{
	memset(m, -1, sizeof(*m));
	m->src_v4 = bpf_map__fd(s->maps.xg_src_v4);
	m->src_v6 = bpf_map__fd(s->maps.xg_src_v6);
	m->hot_v4 = bpf_map__fd(s->maps.xg_hot_v4);
	m->hot_v6 = bpf_map__fd(s->maps.xg_hot_v6);
	m->sketch = bpf_map__fd(s->maps.xg_sketch);
	m->cpu = bpf_map__fd(s->maps.xg_cpu);
}

/* Everything a check needs, read the way `stats` reads it. */
struct view {
	struct xg_source_row *rows;
	size_t n;
	__u64 bound;
	struct xg_admission adm;
	struct xg_counter act[XG_ACT__MAX];
	struct xg_counter rsn[XG_RSN__MAX];
	long lru_entries;
};

static bool read_view(struct xdpgate_xdp *s, const struct fam *f, struct view *v)
{
	struct xg_maps m;

	memset(v, 0, sizeof(*v));
	maps_of(s, &m);
	if (!ASSERT_OK(xg_read_top_sources(&m, XG_SORT_PACKETS, SIZE_MAX,
					   &v->rows, &v->n, &v->bound),
		       "xg_read_top_sources"))
		return false;
	ASSERT_OK(xg_read_admission(m.cpu, &v->adm), "xg_read_admission");
	ASSERT_OK(xg_read_counters(bpf_map__fd(s->maps.xg_actions), v->act,
				   XG_ACT__MAX), "xg_actions");
	ASSERT_OK(xg_read_counters(bpf_map__fd(s->maps.xg_reasons), v->rsn,
				   XG_RSN__MAX), "xg_reasons");
	v->lru_entries = xg_dp_count_keys(f->af == AF_INET ? m.src_v4 : m.src_v6,
					  f->af == AF_INET ? 4 : 16);
	return true;
}

static __u64 rows_packets(const struct view *v)
{
	__u64 n = 0;

	for (size_t i = 0; i < v->n; i++)
		n += v->rows[i].packets;
	return n;
}

/* Every packet in exactly one place: rows, held, src_update_fail. */
static void check_reconciled(const struct view *v, const struct fam *f,
			     __u64 sent, const char *what)
{
	int i = f->af == AF_INET ? 0 : 1;
	__u64 total = 0;

	for (int a = 0; a < XG_ACT__MAX; a++)
		total += v->act[a].packets;
	ASSERT_EQ(total, sent, what);
	ASSERT_EQ(rows_packets(v) + v->adm.held[i].packets +
		  v->rsn[XG_RSN_SRC_UPDATE_FAIL].packets, sent, what);
	ASSERT_EQ(v->adm.held[1 - i].packets, 0, "other family holds nothing");
}

static const struct xg_source_row *find(const struct view *v,
					const struct fam *f, const __u8 *a)
{
	return xg_dp_find(v->rows, v->n, f->af, a);
}

static struct xdpgate_xdp *load(__u64 keep_ns, long budget, bool exact)
{
	struct xdpgate_xdp *s;

	xg_dp_hot_keep_ns = keep_ns;
	xg_dp_admit_budget = budget;
	xg_dp_exact = exact;
	s = xg_dp_load(false, 0, 0);
	xg_dp_hot_keep_ns = 0;
	xg_dp_admit_budget = -1;
	xg_dp_exact = false;
	return s;
}

/* K heavy sources send i + 2 .. packets each, then ONEOFFS one-off
 * sources flood (many take a heavy's slot, writing it back). Strict
 * admission (no budget).
 */
static void run_reconcile(const struct fam *f, bool exact)
{
	const struct xg_case *c = xg_dp_frame(f->frame);
	struct xdpgate_xdp *s = load(0, 0, exact);
	__u8 a[16];
	__u64 sent = 0, held_est_min = ~0ULL;
	struct view v;
	int held_rows = 0;

	if (!s || !ASSERT_TRUE(c != NULL, f->frame))
		goto out;
	for (__u32 k = 0; k < HEAVIES; k++) {
		addr_of(f, 100000 + k, a);
		xg_dp_run(s, c, a, 2 + 37 * k);
		sent += 2 + 37 * k;
	}
	for (__u32 k = 0; k < ONEOFFS; k++) {
		addr_of(f, k, a);
		xg_dp_run(s, c, a, 1);
		sent++;
	}
	if (!read_view(s, f, &v))
		goto out;
	check_reconciled(&v, f, sent, "actions = rows + held");
	for (__u32 k = 0; k < HEAVIES; k++) {
		const struct xg_source_row *r;

		addr_of(f, 100000 + k, a);
		r = find(&v, f, a);
		ASSERT_TRUE(r && r->packets == 2 + 37 * k, "heavy source exact");
	}
	if (exact) {
		ASSERT_EQ(v.adm.held[0].packets + v.adm.held[1].packets, 0,
			  "exact: nothing held");
		ASSERT_EQ(v.n, HEAVIES + ONEOFFS, "exact: a row per source");
		ASSERT_EQ(v.bound, 0, "exact: no estimates");
		goto done;
	}
	/* Strict admission: the LRU map holds the heavy sources that were
	 * written back, never a one-off.
	 */
	ASSERT_TRUE(v.lru_entries <= HEAVIES, "no one-off in the LRU map");
	ASSERT_EQ(v.adm.budgeted, 0, "no entry on the budget");
	ASSERT_EQ(v.adm.admitted, (__u64)v.lru_entries, "admitted = entries");
	ASSERT_TRUE(v.adm.held[f->af == AF_INET ? 0 : 1].packets > ONEOFFS / 2,
		    "most one-offs held");
	/* A held one-off's estimate: never below its one packet (count-min
	 * never undercounts), and within the bound for at least 95% of them
	 * (the bound holds per source with probability 1 - e^-3).
	 */
	{
		struct xg_sketch_view *sv = malloc(sizeof(*sv));
		int within = 0;

		if (!ASSERT_TRUE(sv != NULL, "malloc") ||
		    !ASSERT_OK(xg_read_sketch(bpf_map__fd(s->maps.xg_sketch),
					      v.adm.shift, sv), "xg_read_sketch")) {
			free(sv);
			goto done;
		}
		for (__u32 k = 0; k < ONEOFFS; k++) {
			struct xg_source_row probe = { .family = (__u8)f->af };

			addr_of(f, k, a);
			if (find(&v, f, a))
				continue;
			memcpy(probe.addr, a, 16);
			xg_sketch_annotate(sv, &probe, 1);
			ASSERT_TRUE(probe.held_est >= 1, "held one-off: estimate >= 1");
			within += probe.held_est <= 1 + xg_sketch_bound(sv);
			if (probe.held_est < held_est_min)
				held_est_min = probe.held_est;
			held_rows++;
		}
		ASSERT_TRUE(within * 100 >= held_rows * 95,
			    "estimates within the bound for >= 95% of held one-offs");
		free(sv);
	}
	ASSERT_EQ(held_est_min, 1, "some estimate exact");
done:
	free(v.rows);
out:
	xdpgate_xdp__destroy(s);
}

/* Sources k with slot == want, from start on. */
static __u32 next_in_slot(const struct fam *f, __u32 start, __u32 want, __u8 a[16])
{
	for (__u32 k = start;; k++) {
		addr_of(f, k, a);
		if (slot_of(f, a) == want)
			return k;
	}
}

/* A source that keeps losing its slot to one-offs before its second
 * packet: every packet held; the estimate never under, at most the bound
 * over.
 */
static void subtest_estimate_bound(const struct fam *f)
{
	const struct xg_case *c = xg_dp_frame(f->frame);
	struct xdpgate_xdp *s = load(0, 0, false);
	__u8 h[16], x[16];
	__u32 k = 0, slot;
	const struct xg_source_row *r;
	struct view v;
	__u64 sent = 0;

	if (!s)
		return;
	addr_of(f, 500000, h);
	slot = slot_of(f, h);
	for (int i = 0; i < 300; i++) {
		xg_dp_run(s, c, h, 1);
		k = next_in_slot(f, k + 1, slot, x);
		xg_dp_run(s, c, x, 1);
		/* background: one-offs elsewhere */
		for (int j = 0; j < 5; j++) {
			addr_of(f, 700000 + i * 5 + j, x);
			xg_dp_run(s, c, x, 1);
		}
		sent += 7;
	}
	if (read_view(s, f, &v)) {
		check_reconciled(&v, f, sent, "actions = rows + held");
		r = find(&v, f, h);
		ASSERT_TRUE(!r, "never admitted, not in a slot: no row");
		ASSERT_EQ(v.lru_entries, 0, "nothing admitted");
		{
			struct xg_source_row probe = { .family = (__u8)f->af };
			struct xg_sketch_view *sv = malloc(sizeof(*sv));

			memcpy(probe.addr, h, 16);
			if (ASSERT_TRUE(sv != NULL, "malloc") &&
			    ASSERT_OK(xg_read_sketch(bpf_map__fd(s->maps.xg_sketch),
						     v.adm.shift, sv), "sketch")) {
				xg_sketch_annotate(sv, &probe, 1);
				ASSERT_TRUE(probe.held_est >= 300, "estimate >= 300 held");
				ASSERT_TRUE(probe.held_est <= 300 + xg_sketch_bound(sv),
					    "estimate <= 300 + bound");
				ASSERT_TRUE(xg_sketch_bound(sv) <= 6,
					    "bound = e * N / 2048 for N = 2100 held");
			}
			free(sv);
		}
		free(v.rows);
	}
	xdpgate_xdp__destroy(s);
}

/* Admitted by 256 packets, then its slot held by a one-off that keeps
 * it (cfg_hot_keep_ns ~0): its later packets are found through the
 * filter and counted in its entry; unknown sources in that slot are held.
 */
static void subtest_known_without_slot(const struct fam *f)
{
	const struct xg_case *c = xg_dp_frame(f->frame);
	struct xdpgate_xdp *s = load(~0ULL, 0, false);
	const struct xg_source_row *r;
	__u8 h[16], x[16];
	__u32 slot, k;
	struct view v;

	if (!s)
		return;
	addr_of(f, 600000, h);
	slot = slot_of(f, h);
	xg_dp_run(s, c, h, XG_HOT_WRITEBACK_PKTS);
	k = next_in_slot(f, 0, slot, x);
	xg_dp_run(s, c, x, 1);   /* takes the emptied slot, keeps it */
	xg_dp_run(s, c, h, 40);  /* direct: filter, then its entry */
	k = next_in_slot(f, k + 1, slot, x);
	xg_dp_run(s, c, x, 3);   /* direct, unknown: held */
	if (read_view(s, f, &v)) {
		check_reconciled(&v, f, XG_HOT_WRITEBACK_PKTS + 44,
				 "actions = rows + held");
		r = find(&v, f, h);
		ASSERT_TRUE(r && r->packets == XG_HOT_WRITEBACK_PKTS + 40,
			    "admitted source exact without its slot");
		ASSERT_EQ(v.adm.held[f->af == AF_INET ? 0 : 1].packets, 3,
			  "unknown source in a kept slot: held");
		ASSERT_EQ(v.lru_entries, 1, "one entry");
		free(v.rows);
	}
	xdpgate_xdp__destroy(s);
}

/* A budget of 3 unproven entries: the first three one-offs written back
 * get entries, the rest are held.
 */
static void subtest_budget(void)
{
	const struct fam *f = &f4;
	const struct xg_case *c = xg_dp_frame(f->frame);
	struct xdpgate_xdp *s;
	struct view v;
	__u8 a[16];

	xg_dp_admit_pkts = 1000;
	s = load(0, 3, false);
	xg_dp_admit_pkts = XG_ADMIT_PKTS;
	if (!s)
		return;
	for (__u32 k = 0; k < 2000; k++) {
		addr_of(f, k, a);
		xg_dp_run(s, c, a, 1);
	}
	if (read_view(s, f, &v)) {
		check_reconciled(&v, f, 2000, "actions = rows + held");
		ASSERT_EQ(v.adm.budgeted, 3, "three entries on the budget");
		ASSERT_EQ(v.lru_entries, 3, "three entries");
		ASSERT_EQ(v.adm.admitted, 0, "none proven");
		free(v.rows);
	}
	xdpgate_xdp__destroy(s);
}

/* The main use: a deny rule against a spoofed flood that is held. */
static void subtest_deny_rule_flood(void)
{
	const struct fam *f = &f4;
	const struct xg_case *c = xg_dp_frame(f->frame);
	struct xdpgate_xdp *s = load(1, 0, false);
	struct xg_instance in = { .ifindex = 1 };
	struct bpf_prog_info info = {};
	struct xg_rule_hits hits[2] = {}, dflt;
	struct xg_rule_set set;
	struct xg_rule_spec r = {};
	char *tok[] = { "drop" };
	char err[XG_ERR_LEN];
	__u32 len = sizeof(info);
	struct xg_policy pol;
	struct view v;
	int what;
	__u8 a[16];

	if (!s)
		return;
	bpf_obj_get_info_by_fd(bpf_program__fd(s->progs.xdpgate_xdp), &info, &len);
	in.prog_id = info.id;
	snprintf(in.ifname, sizeof(in.ifname), "test");
	if (!ASSERT_OK(xg_policy_open(&in, &pol), "xg_policy_open"))
		goto out;
	ASSERT_OK(xg_parse_cidr("10.0.0.0/8", &r, err, sizeof(err)), "cidr");
	ASSERT_OK(xg_parse_action(tok, 1, &r, err, sizeof(err)), "action");
	ASSERT_OK(xg_policy_add(&pol, &r, &what), "add 10.0.0.0/8 drop");
	for (__u32 k = 0; k < ONEOFFS; k++) {
		addr_of(f, k, a);
		ASSERT_EQ(xg_dp_run(s, c, a, 1), XDP_DROP, "flood source dropped");
	}
	if (read_view(s, f, &v)) {
		check_reconciled(&v, f, ONEOFFS, "actions = rows + held");
		ASSERT_EQ(v.act[XG_ACT_DROP].packets, ONEOFFS, "every packet dropped");
		ASSERT_EQ(v.lru_entries, 0, "no entry for a one-off");
		free(v.rows);
	}
	if (ASSERT_OK(xg_policy_read(&pol, &set), "rules")) {
		if (ASSERT_EQ(set.n, 1, "one rule") &&
		    ASSERT_OK(xg_policy_hits(&pol, &set, hits, &dflt), "hits"))
			ASSERT_EQ(hits[0].packets, ONEOFFS, "every packet under the rule");
		xg_set_free(&set);
	}
	xg_policy_close(&pol);
out:
	xdpgate_xdp__destroy(s);
}

static void subtest_sketch_functions(void)
{
	__u64 w = (5ULL << 40) | (64ULL << XG_CM_LANE_BITS) | 100;
	__u64 d = xg_cm_decay(w, 7), f = 0;
	__u32 seen[XG_CM_WIDTH] = { 0 }, distinct = 0;

	ASSERT_EQ(xg_cm_decay(w, 5), w, "same epoch: unchanged");
	ASSERT_EQ(xg_cm_lane(d, 0), 25, "two epochs: lane 0 quartered");
	ASSERT_EQ(xg_cm_lane(d, 1), 16, "two epochs: lane 1 quartered");
	ASSERT_EQ(d >> 40, 7, "tag moved on");
	ASSERT_EQ(xg_cm_decay(w, 5 + XG_CM_LANE_BITS) & ~(XG_CM_TAG_MASK << 40), 0,
		  "20 epochs: empty");
	f = xg_filter_with(f, 3, 10);
	ASSERT_TRUE(xg_filter_has(f, 3, 10), "set: seen this epoch");
	ASSERT_TRUE(!xg_filter_has(f, 4, 10), "other bit clear");
	ASSERT_TRUE(xg_filter_has(f, 3, 11), "seen the next epoch");
	ASSERT_TRUE(!xg_filter_has(f, 3, 12), "forgotten two epochs later");
	f = xg_filter_with(f, 5, 11);
	ASSERT_TRUE(xg_filter_has(f, 3, 11) && xg_filter_has(f, 5, 11),
		    "both generations in the next epoch");
	ASSERT_TRUE(!xg_filter_has(f, 3, 12) && xg_filter_has(f, 5, 12),
		    "the older generation goes first");
	for (__u32 k = 0; k < 1000; k++) {
		__u8 a[16];
		__u32 i;

		addr_of(&f4, k, a);
		memcpy(&i, a, 4);
		i = xg_cm_index(xg_sketch_hash4(i), 1);
		distinct += !seen[i]++;
	}
	/* 1000 keys into 2048 counters: about 790 distinct if uniform */
	ASSERT_TRUE(distinct > 700, "row index spreads sources");
}

void test_admission(void)
{
	cpu_set_t saved;

	if (xg_dp_pin_cpu(-1, &saved) < 0) {
		xg_subtest_start("setup");
		ASSERT_TRUE(false, "pin to one CPU");
		xg_subtest_end();
		return;
	}
	xg_subtest_start("sketch_functions");
	subtest_sketch_functions();
	xg_subtest_end();
	xg_subtest_start("reconcile_ipv4");
	run_reconcile(&f4, false);
	xg_subtest_end();
	xg_subtest_start("reconcile_ipv6");
	run_reconcile(&f6, false);
	xg_subtest_end();
	xg_subtest_start("exact_mode");
	run_reconcile(&f4, true);
	xg_subtest_end();
	xg_subtest_start("estimate_bound_ipv4");
	subtest_estimate_bound(&f4);
	xg_subtest_end();
	xg_subtest_start("estimate_bound_ipv6");
	subtest_estimate_bound(&f6);
	xg_subtest_end();
	xg_subtest_start("known_without_slot_ipv4");
	subtest_known_without_slot(&f4);
	xg_subtest_end();
	xg_subtest_start("known_without_slot_ipv6");
	subtest_known_without_slot(&f6);
	xg_subtest_end();
	xg_subtest_start("budget");
	subtest_budget();
	xg_subtest_end();
	xg_subtest_start("deny_rule_flood");
	subtest_deny_rule_flood();
	xg_subtest_end();
	xg_dp_unpin_cpu(&saved);
}
