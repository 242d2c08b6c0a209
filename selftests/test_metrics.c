// SPDX-License-Identifier: GPL-2.0
/* The metrics model without a kernel: label values in the exposition
 * (escaped, distinct, valid UTF-8), the top N with the rest summed so the
 * rows still add up, families written only with samples, and top's rates
 * from two collections (deltas, counter resets, sort by pps and bps).
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "metrics.h"
#include "prom.h"
#include "prom_metrics.h"
#include "top_rates.h"
#include "xg_test.h"

static char *label_of(const char *v)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);

	xp_label_value(f, v);
	fclose(f);
	return buf;
}

static void labels(void)
{
	static const struct { const char *in, *out; } cases[] = {
		{ "eth0", "eth0" },
		{ "q\"x", "q\\\"x" },            /* a quote, escaped */
		{ "b\\s", "b\\\\x5cs" },         /* a backslash: \x5c, escaped */
		{ "n\xff", "n\\\\xff" },         /* not UTF-8: \xff */
		{ "n\xfe", "n\\\\xfe" },         /* ... kept apart from \xfe */
		{ "l\nf", "l\\\\x0af" },         /* never a raw newline */
		{ "\xc3\xa9t\xc3\xa9", "\xc3\xa9t\xc3\xa9" }, /* UTF-8 as it is */
		{ "\xc3(", "\\\\xc3(" },         /* a cut sequence */
	};

	xg_subtest_start("label_values");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *got = label_of(cases[i].in);

		if (!ASSERT_TRUE(!strcmp(got, cases[i].out), cases[i].in))
			printf("    got '%s', want '%s'\n", got, cases[i].out);
		free(got);
	}
	xg_subtest_end();
}

static void row(struct xg_source_row *r, int family, __u8 last, __u64 packets, __u64 bytes)
{
	memset(r, 0, sizeof(*r));
	r->family = (__u8)family;
	if (family == AF_INET) {
		r->addr[0] = 192, r->addr[1] = 0, r->addr[2] = 2, r->addr[3] = last;
	} else {
		r->addr[0] = 0x20, r->addr[1] = 0x01, r->addr[2] = 0x0d, r->addr[3] = 0xb8;
		r->addr[15] = last;
	}
	r->packets = packets;
	r->bytes = bytes;
	r->drops = packets / 2;
	r->last_seen_ns = 1000 + last;
}

/* One instance on ifindex 7 with the rows of spec (family, last byte,
 * packets, bytes), 4 bytes each.
 */
static void fake(struct xg_scrape *s, const int (*spec)[4], size_t n, __u64 mono_ns)
{
	struct xg_stats_snapshot *sn;

	memset(s, 0, sizeof(*s));
	s->inst = calloc(1, sizeof(*s->inst));
	s->nr_inst = 1;
	s->up[XG_LAYER_XDP] = true;
	s->mono_ns = s->real_ns = mono_ns;
	s->inst[0].rules = s->inst[0].generation = -1; /* no policy maps */
	sn = &s->inst[0].snap;
	snprintf(sn->inst.ifname, sizeof(sn->inst.ifname), "veth7");
	sn->inst.ifindex = 7;
	sn->sources = calloc(n, sizeof(*sn->sources));
	sn->nr_sources = n;
	sn->mono_ns = sn->real_ns = mono_ns;
	for (size_t i = 0; i < n; i++) {
		row(&sn->sources[i], spec[i][0], (__u8)spec[i][1], (__u64)spec[i][2],
		    (__u64)spec[i][3]);
		sn->nr_family[spec[i][0] == AF_INET ? 0 : 1]++;
		sn->actions[XG_ACT_PASS].packets += (__u64)spec[i][2];
		sn->actions[XG_ACT_PASS].bytes += (__u64)spec[i][3];
	}
}

static const int rows5[][4] = {
	{ AF_INET, 1, 10, 1000 }, { AF_INET6, 2, 30, 900 }, { AF_INET, 3, 20, 5000 },
	{ AF_INET, 4, 5, 50 }, { AF_INET6, 5, 1, 10 },
};

static void rank_other(void)
{
	struct xg_scrape s;
	struct xg_scrape_inst *si;

	xg_subtest_start("top_n_and_other");
	fake(&s, rows5, 5, 1);
	si = &s.inst[0];
	xg_scrape_rank(si, XG_SORT_PACKETS, 2);
	ASSERT_EQ(si->shown, 2, "top 2");
	ASSERT_EQ(si->snap.sources[0].packets, 30, "busiest first");
	ASSERT_EQ(si->snap.sources[1].packets, 20, "then");
	ASSERT_EQ(si->other[0].packets, 15, "other ipv4: 10 + 5");
	ASSERT_EQ(si->other[0].bytes, 1050, "other ipv4 bytes");
	ASSERT_EQ(si->other[0].drops, 5 + 2, "other ipv4 drops");
	ASSERT_EQ(si->other_rows[0], 2, "other ipv4 rows");
	ASSERT_EQ(si->other[1].packets, 1, "other ipv6");
	ASSERT_EQ(si->other[0].family, AF_INET, "other family");
	xg_scrape_rank(si, XG_SORT_BYTES, 1);
	ASSERT_EQ(si->snap.sources[0].bytes, 5000, "by bytes");
	ASSERT_EQ(si->other[0].packets + si->other[1].packets, 46, "the rest");
	xg_scrape_rank(si, XG_SORT_PACKETS, SIZE_MAX);
	ASSERT_EQ(si->shown, 5, "all");
	ASSERT_EQ(si->other[0].packets + si->other[1].packets, 0, "nothing left");
	xg_scrape_rank(si, XG_SORT_PACKETS, 0);
	ASSERT_EQ(si->other[0].packets + si->other[1].packets, 66, "all in other");
	xg_scrape_free(&s);
	xg_subtest_end();
}

static void exposition(void)
{
	struct xg_scrape s;
	char *text = NULL;
	size_t n = 0;
	FILE *f;

	xg_subtest_start("exposition");
	fake(&s, rows5, 5, 1);
	xg_scrape_rank(&s.inst[0], XG_SORT_PACKETS, 2);
	f = open_memstream(&text, &n);
	xg_prom_write(f, &s);
	fclose(f);
	ASSERT_TRUE(strstr(text, "# TYPE xdpgate_source_packets_total counter\n"), "type");
	ASSERT_TRUE(strstr(text, "xdpgate_source_packets_total{ifname=\"veth7\",hook=\"xdp\","
			   "direction=\"ingress\",source=\"2001:db8::2\",family=\"ipv6\"} 30\n"),
		    "top source");
	ASSERT_TRUE(strstr(text, "source=\"other\",family=\"ipv4\"} 15\n"), "other ipv4");
	ASSERT_TRUE(strstr(text, "xdpgate_up{layer=\"xdp\"} 1\n"), "up");
	/* No samples, no family: nothing was read of the socket layer. */
	ASSERT_TRUE(!strstr(text, "xdpgate_cgroup"), "no cgroup family");
	ASSERT_TRUE(!strstr(text, "layer=\"cgroup\""), "cgroup not looked at");
	ASSERT_TRUE(!strstr(text, "xdpgate_sources_evicted_total"), "evictions unknown");
	ASSERT_TRUE(!strstr(text, "xdpgate_rules"), "no policy maps");
	free(text);
	xg_scrape_free(&s);
	xg_subtest_end();
}

static const struct xg_top_row *find(const struct xg_top *t, const char *name)
{
	for (size_t i = 0; i < t->nr_rows[XG_TOP_SOURCES]; i++)
		if (!strcmp(t->rows[XG_TOP_SOURCES][i].name, name))
			return &t->rows[XG_TOP_SOURCES][i];
	return NULL;
}

static void rates(void)
{
	/* Two seconds later: .1 +20, .3 reset (fewer than before), .6 new. */
	static const int later[][4] = {
		{ AF_INET, 1, 30, 3000 }, { AF_INET6, 2, 34, 1300 }, { AF_INET, 3, 4, 400 },
		{ AF_INET, 4, 5, 50 }, { AF_INET6, 5, 1, 10 }, { AF_INET, 6, 8, 16000 },
	};
	struct xg_top t = { 0 };
	const struct xg_top_row *r;
	struct xg_scrape s;

	xg_subtest_start("top_rates");
	fake(&s, rows5, 5, 1000000000ull);
	ASSERT_OK(xg_top_push(&t, &s, XG_TOP_PPS), "first push");
	ASSERT_EQ(t.nr_rows[XG_TOP_SOURCES], 0, "no rate before the second reading");
	fake(&s, later, 6, 3000000000ull);
	ASSERT_OK(xg_top_push(&t, &s, XG_TOP_PPS), "second push");
	ASSERT_EQ(t.nr_rows[XG_TOP_SOURCES], 6, "every source");
	r = find(&t, "192.0.2.1");
	ASSERT_TRUE(r && r->pps == 10 && r->bps == 2000 * 8 / 2, "192.0.2.1: 20 packets in 2 s");
	r = find(&t, "192.0.2.3");
	ASSERT_TRUE(r && r->pps == 2, "192.0.2.3: reset counts from zero");
	r = find(&t, "192.0.2.6");
	ASSERT_TRUE(r && r->pps == 4 && r->bps == 64000, "192.0.2.6: new");
	r = find(&t, "192.0.2.4");
	ASSERT_TRUE(r && r->pps == 0, "192.0.2.4: idle");
	ASSERT_TRUE(!strcmp(t.rows[XG_TOP_SOURCES][0].name, "192.0.2.1"), "pps: busiest first");
	xg_top_sort(&t, XG_TOP_BPS);
	ASSERT_TRUE(!strcmp(t.rows[XG_TOP_SOURCES][0].name, "192.0.2.6"), "bps: busiest first");
	ASSERT_TRUE(!strcmp(t.rows[XG_TOP_SOURCES][0].where, "veth7"), "its interface");
	ASSERT_EQ(t.nr_rows[XG_TOP_INTERFACES], 1, "one interface");
	/* 66 -> 82 packets in all: +16 in 2 s (the reset source counts 4). */
	ASSERT_TRUE(t.rows[XG_TOP_INTERFACES][0].pps == 8, "interface pps");
	xg_top_free(&t);
	xg_subtest_end();
}

void test_metrics(void)
{
	labels();
	rank_other();
	exposition();
	rates();
}
