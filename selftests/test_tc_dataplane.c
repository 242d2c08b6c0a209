// SPDX-License-Identifier: GPL-2.0
/* The real TC programs (tc/xdpgate_tc.bpf.c) over the corpus through
 * BPF_PROG_TEST_RUN on BPF_PROG_TYPE_SCHED_CLS: verdicts, and the exact
 * counters read back from their maps the way `stats` reads them. Maps are
 * never pinned here.
 *
 * xdpgate_ingress must count a parsed frame under its source,
 * xdpgate_egress under its destination; each test run rewrites that
 * address with one of a few test addresses and sets the other one to a
 * poison address that must never show up as a row. A GSO packet (gso_segs
 * set through the test run's __sk_buff) counts as its segments, each with
 * its own headers.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>

#include "corpus.h"
#include "dataplane.h"
#include "percpu_read.h"
#include "xdpgate_names.h"
#include "xg_test.h"
#include "xdpgate_tc.skel.h"

#define NR_KEYS 4
#define MAX_KEYS 16

struct key_count {
	int family;
	__u8 addr[16];
	__u64 packets, bytes;
};

struct model {
	struct xg_counter actions[XG_ACT__MAX];
	struct xg_counter reasons[XG_RSN__MAX];
	struct key_count keys[MAX_KEYS];
	int n;
};

static const __u8 poison[16] = { 0xc0, 0, 2, 98, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x98 };

static void test_addr(int family, int k, __u8 *a)
{
	memset(a, 0, 16);
	if (family == 4) {
		a[0] = 10, a[1] = 88, a[3] = (__u8)(1 + k);
	} else {
		a[0] = 0x20, a[1] = 0x01, a[2] = 0x0d, a[3] = 0xb8;
		a[4] = 0x88, a[15] = (__u8)(1 + k);
	}
}

static struct xdpgate_tc *load(bool drop_unparsed)
{
	struct xdpgate_tc *skel = xdpgate_tc__open();
	struct bpf_map *map;

	if (!ASSERT_PTR_OK(skel, "xdpgate_tc__open"))
		return NULL;
	bpf_object__for_each_map(map, skel->obj)
		ASSERT_OK(bpf_map__set_pin_path(map, NULL), bpf_map__name(map));
	/* libbpf 1.1 does not know the "tc/egress" section. */
	bpf_program__set_type(skel->progs.xdpgate_egress, BPF_PROG_TYPE_SCHED_CLS);
	skel->rodata->cfg_drop_unparsed = drop_unparsed;
	skel->rodata->cfg_hot_keep_ns = xg_dp_hot_keep_ns;
	skel->rodata->cfg_hot_writeback_ns = xg_dp_hot_writeback_ns;
	if (!ASSERT_OK(xdpgate_tc__load(skel), "xdpgate_tc__load")) {
		xdpgate_tc__destroy(skel);
		return NULL;
	}
	return skel;
}

static void add_key(struct model *m, int family, const __u8 *a, __u64 p, __u64 b)
{
	int len = family == 4 ? 4 : 16, i;

	for (i = 0; i < m->n; i++)
		if (m->keys[i].family == family && !memcmp(m->keys[i].addr, a, len))
			break;
	if (i == m->n) {
		if (m->n == MAX_KEYS)
			return;
		m->keys[m->n].family = family;
		memcpy(m->keys[m->n].addr, a, len);
		m->n++;
	}
	m->keys[i].packets += p;
	m->keys[i].bytes += b;
}

/* Run c once (gso_segs segs > 1: as a GSO packet) with the counted
 * address set to key and the other one to the poison; check the verdict
 * and update the model with what the program must count.
 */
static void run_one(struct xdpgate_tc *skel, bool egress, struct model *m,
		    const struct xg_case *c, const __u8 *key, __u32 segs,
		    __u64 seg_hdr, bool drop_unparsed)
{
	__u8 frame[XG_FRAME_MAX];
	struct __sk_buff ctx = { .gso_segs = segs, .gso_size = segs > 1 ? 100 : 0 };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = frame,
		    .data_size_in = c->len, .repeat = 1);
	enum xg_reason r = c->exp.result;
	int family = c->l3 == XG_L3_V4 ? 4 : 6, alen = family == 4 ? 4 : 16;
	int off = xg_case_saddr_off(c);
	bool bad = r != XG_PARSE_OK && r != XG_PARSE_NOT_IP;
	__u64 pkts = segs > 1 ? segs : 1, bytes = c->len + (pkts - 1) * seg_hdr;
	struct bpf_program *prog = egress ? skel->progs.xdpgate_egress :
					    skel->progs.xdpgate_ingress;

	if (segs > 1) {
		opts.ctx_in = &ctx;
		opts.ctx_size_in = sizeof(ctx);
	}
	memcpy(frame, c->bytes, c->len);
	if (off >= 0 && off + 2 * alen <= (int)c->len) {
		bool ok = r == XG_PARSE_OK;

		memcpy(frame + off, ok && !egress ? key : poison, alen);
		memcpy(frame + off + alen, ok && egress ? key : poison, alen);
	}
	if (!ASSERT_OK(bpf_prog_test_run_opts(bpf_program__fd(prog), &opts), c->name))
		return;
	ASSERT_EQ(opts.retval, bad && drop_unparsed ? TC_ACT_SHOT : (__u32)TC_ACT_UNSPEC,
		  c->name);
	m->actions[bad && drop_unparsed ? XG_ACT_DROP : XG_ACT_PASS].packets += pkts;
	m->actions[bad && drop_unparsed ? XG_ACT_DROP : XG_ACT_PASS].bytes += bytes;
	if (r != XG_PARSE_OK) {
		m->reasons[r].packets += pkts;
		m->reasons[r].bytes += bytes;
	} else {
		add_key(m, family, key, pkts, bytes);
	}
}

/* Frames test_run will not make an skb of: shorter than an Ethernet
 * header, or than the IPv4/IPv6 header their ethertype announces (the
 * kernel checks since it fills a socket from it). The XDP and host parser
 * tests cover those cuts; a real skb reaching TC would be parsed the same.
 */
static bool refused(const struct xg_case *c)
{
	__u16 proto = c->len >= ETH_HLEN ? (__u16)(c->bytes[12] << 8 | c->bytes[13]) : 0;

	return c->len < ETH_HLEN ||
	       (proto == ETH_P_IP && c->len < ETH_HLEN + 20) ||
	       (proto == ETH_P_IPV6 && c->len < ETH_HLEN + 40);
}

/* Every frame, or (whole_only) the uncut ones. */
static void run_corpus(struct xdpgate_tc *skel, bool egress, struct model *m,
		       bool drop_unparsed, bool whole_only)
{
	const struct xg_corpus *cp = xg_corpus_get();
	int skipped = 0;
	__u8 key[16];

	for (int i = 0; i < cp->n; i++) {
		const struct xg_case *c = &cp->c[i];

		if (whole_only && c->base >= 0)
			continue;
		if (refused(c)) {
			skipped++;
			continue;
		}
		test_addr(c->l3 == XG_L3_V4 ? 4 : 6, i % NR_KEYS, key);
		run_one(skel, egress, m, c, key, 1, 0, drop_unparsed);
	}
	if (skipped)
		printf("SKIP %s/%s_short_frames: %d cut frames shorter than their Ethernet or IP "
	       "header (test_run makes no skb of them; the XDP and parser tests "
	       "cover them)\n", xg_t.test, xg_t.subtest, skipped);
}

static void check_counters(int fd, const struct xg_counter *exp, int n,
			   const char *const *names)
{
	struct xg_counter got[XG_RSN__MAX];

	if (!ASSERT_OK(xg_read_counters(fd, got, (__u32)n), "xg_read_counters"))
		return;
	for (int k = 0; k < n; k++) {
		ASSERT_EQ(got[k].packets, exp[k].packets, names[k]);
		ASSERT_EQ(got[k].bytes, exp[k].bytes, names[k]);
	}
}

/* Every row is a key of the model with its exact counts, and back. */
static void check_rows(struct xdpgate_tc *skel, int family, const struct model *m)
{
	int af = family == 4 ? AF_INET : AF_INET6, want = 0;
	const struct bpf_map *src = family == 4 ? skel->maps.xg_src_v4 : skel->maps.xg_src_v6;
	const struct bpf_map *hot = family == 4 ? skel->maps.xg_hot_v4 : skel->maps.xg_hot_v6;
	struct xg_source_row *rows = NULL;
	char name[INET6_ADDRSTRLEN];
	size_t n = 0;

	if (!ASSERT_OK(xg_read_sources_merged(bpf_map__fd(src), bpf_map__fd(hot), af,
					      &rows, &n), "read rows"))
		return;
	for (size_t i = 0; i < n; i++) {
		int k = 0;

		inet_ntop(af, rows[i].addr, name, sizeof(name));
		while (k < m->n && !(m->keys[k].family == family &&
				     !memcmp(m->keys[k].addr, rows[i].addr, family == 4 ? 4 : 16)))
			k++;
		if (!ASSERT_TRUE(k < m->n, name)) /* the poison, or a stray */
			continue;
		ASSERT_EQ(rows[i].packets, m->keys[k].packets, name);
		ASSERT_EQ(rows[i].bytes, m->keys[k].bytes, name);
	}
	for (int k = 0; k < m->n; k++)
		want += m->keys[k].family == family;
	ASSERT_EQ(n, want, family == 4 ? "IPv4 rows" : "IPv6 rows");
	free(rows);
}

static void check_all(struct xdpgate_tc *skel, const struct model *m)
{
	check_counters(bpf_map__fd(skel->maps.xg_actions), m->actions, XG_ACT__MAX,
		       xg_action_names);
	check_counters(bpf_map__fd(skel->maps.xg_reasons), m->reasons, XG_RSN__MAX,
		       xg_reason_names);
	check_rows(skel, 4, m);
	check_rows(skel, 6, m);
}

static void subtest_corpus(const char *name, bool egress, bool drop_unparsed,
			   bool whole_only)
{
	static struct model m;
	struct xdpgate_tc *skel;

	memset(&m, 0, sizeof(m));
	xg_subtest_start(name);
	skel = load(drop_unparsed);
	if (skel) {
		run_corpus(skel, egress, &m, drop_unparsed, whole_only);
		if (drop_unparsed)
			ASSERT_TRUE(m.actions[XG_ACT_DROP].packets > 0, "drop counted");
		check_all(skel, &m);
		xdpgate_tc__destroy(skel);
	}
	xg_subtest_end();
}

/* A GSO packet: gso_segs segments, each with the headers up to the end
 * of its TCP (data offset * 4) or UDP (8) header.
 */
static void subtest_gso(void)
{
	static const struct { const char *frame; __u32 segs; } runs[] = {
		{ "ipv4_tcp", 5 }, { "ipv6_tcp", 44 }, { "ipv4_udp", 3 },
		{ "ipv6_udp", 2 }, { "ipv4_tcp", 1 },
	};
	static struct model m;
	struct xdpgate_tc *skel;
	__u8 key[16];

	memset(&m, 0, sizeof(m));
	xg_subtest_start("gso_segments");
	skel = load(false);
	for (size_t i = 0; skel && i < sizeof(runs) / sizeof(runs[0]); i++) {
		const struct xg_case *c = xg_dp_frame(runs[i].frame);
		__u64 hdr;

		if (!ASSERT_PTR_OK(c, runs[i].frame))
			continue;
		hdr = c->exp.l4_off + (c->exp.l4_proto == 6 ?
				       (c->bytes[c->exp.l4_off + 12] >> 4) * 4 : 8);
		test_addr(c->l3 == XG_L3_V4 ? 4 : 6, (int)i, key);
		run_one(skel, i % 2, &m, c, key, runs[i].segs, hdr, false);
	}
	if (skel) {
		check_all(skel, &m);
		xdpgate_tc__destroy(skel);
	}
	xg_subtest_end();
}

void test_tc_dataplane(void)
{
	/* Cut frames once (the parser's reasons); the egress key on whole ones. */
	subtest_corpus("ingress_by_source", false, false, false);
	subtest_corpus("egress_by_destination", true, false, true);
	subtest_corpus("drop_unparsed", true, true, false);
	subtest_gso();
}
