// SPDX-License-Identifier: GPL-2.0
/* Scenario "tc": the TC programs' hot path, BPF_PROG_TEST_RUN on
 * BPF_PROG_TYPE_SCHED_CLS with repeat, one packet from one source (so a
 * hot source after the first run), against the empty TC program (the
 * floor) and a bare per-CPU hash counter at TC. Interleaved like the XDP
 * hot path: every round runs every cell once, in a fresh random order.
 * Its own program table: the TC programs are not XDP programs, and the
 * hot-path table's rows compare with xdp-filter.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bench.h"
#include "log.h"
#include "packets.h"
#include "percpu_read.h"
#include "programs.h"
#include "runner.h"
#include "util.h"
#include "xdpgate_types.h"
#include "bench_tc.skel.h"
#include "xdpgate_tc.skel.h"

#define TC_FLOOR "tc-empty"
#define TC_PASS ((__u32)TC_ACT_UNSPEC)

static int empty_load(struct bench_prog *p, const struct bench_load_cfg *cfg)
{
	struct bench_tc *s = bench_tc__open_and_load();

	if (!s)
		return -errno;
	p->skel = s;
	p->bpf = s->obj;
	p->fd = bpf_program__fd(!strcmp(p->name, TC_FLOOR) ? s->progs.tc_empty :
				strstr(p->name, "pull") ? s->progs.tc_pull :
				s->progs.tc_bare);
	return 0;
}

static int bare_packets(struct bench_prog *p, __u64 *out)
{
	struct bench_tc *s = p->skel;
	int fd = bpf_map__fd(s->maps.tc_bare_src), ncpu = xg_nr_cpus();
	__u32 key, next, *prev = NULL;
	__u64 vals[ncpu];

	*out = 0;
	while (!bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, vals))
			return -errno;
		for (int i = 0; i < ncpu; i++)
			*out += vals[i];
	}
	return 0;
}

/* xdpgate's TC object, unpinned, as the loader configures it. */
static int xdpgate_tc_load(struct bench_prog *p, const struct bench_load_cfg *cfg)
{
	struct xdpgate_tc *s = xdpgate_tc__open();
	struct bpf_map *m;
	int err = 0;

	if (!s)
		return -errno;
	bpf_object__for_each_map(m, s->obj)
		if (!err)
			err = bpf_map__set_pin_path(m, NULL);
	/* libbpf 1.1 does not know the "tc/egress" section. */
	bpf_program__set_type(s->progs.xdpgate_egress, BPF_PROG_TYPE_SCHED_CLS);
	if (!err)
		err = xdpgate_tc__load(s);
	if (err) {
		xdpgate_tc__destroy(s);
		return err;
	}
	p->skel = s;
	p->bpf = s->obj;
	p->fd = bpf_program__fd(strstr(p->name, "egress") ? s->progs.xdpgate_egress :
				s->progs.xdpgate_ingress);
	return 0;
}

static int xdpgate_tc_packets(struct bench_prog *p, __u64 *out)
{
	struct xdpgate_tc *s = p->skel;
	struct xg_counter c[XG_ACT__MAX];
	int err = xg_read_counters(bpf_map__fd(s->maps.xg_actions), c, XG_ACT__MAX);

	*out = 0;
	for (int a = 0; !err && a < XG_ACT__MAX; a++)
		*out += c[a].packets;
	return err;
}

static struct bench_prog tc_progs[] = {
	{ .name = TC_FLOOR, .what = "empty TC program (returns TC_ACT_UNSPEC)",
	  .load = empty_load, .verdict = TC_PASS },
	{ .name = "tc-pull-headers",
	  .what = "empty TC program + bpf_skb_pull_data(128) on a linear skb",
	  .load = empty_load, .verdict = TC_PASS },
	{ .name = "tc-bare-percpu-hash",
	  .what = "per-CPU hash counter by IPv4 source at TC", .load = empty_load,
	  .packets = bare_packets, .verdict = TC_PASS },
	{ .name = "xdpgate-tc-ingress", .what = "xdpgate_ingress (counts by source)",
	  .load = xdpgate_tc_load, .packets = xdpgate_tc_packets, .verdict = TC_PASS },
	{ .name = "xdpgate-tc-egress", .what = "xdpgate_egress (counts by destination)",
	  .load = xdpgate_tc_load, .packets = xdpgate_tc_packets, .verdict = TC_PASS },
};
#define NPROGS ((int)(sizeof(tc_progs) / sizeof(tc_progs[0])))

static void unload(struct bench_prog *p)
{
	if (p->load == empty_load && p->skel)
		bench_tc__destroy(p->skel);
	else if (p->load == xdpgate_tc_load && p->skel)
		xdpgate_tc__destroy(p->skel);
	p->skel = NULL;
	p->bpf = NULL;
	p->fd = -1;
}

static const struct tc_cell {
	enum bench_pkt_kind pkt;
	int prog;
} cells[] = {
	{ PKT_IPV4_UDP, 0 }, { PKT_IPV4_UDP, 1 }, { PKT_IPV4_UDP, 2 },
	{ PKT_IPV4_UDP, 3 }, { PKT_IPV4_UDP, 4 }, { PKT_IPV6_UDP, 0 },
	{ PKT_IPV6_UDP, 3 }, { PKT_IPV6_UDP, 4 },
};
#define NCELLS ((int)(sizeof(cells) / sizeof(cells[0])))

/* Every program answers the verdict and counts every packet it ran. */
static int selftest(struct bench_run *r, struct bench_pkt *pkts)
{
	const __u32 n = 1000;
	struct bench_sample s;
	__u64 got, expect;
	int err;

	printf("selftest: tc\n");
	for (int i = 0; i < NPROGS; i++) {
		struct bench_prog *p = &tc_progs[i];
		struct bench_load_cfg cfg = { .bpffs = r->bpffs };

		if (bench_load(p, &cfg)) {
			bench_check(false, p->name, "load failed");
			continue;
		}
		expect = 0;
		for (int c = 0; c < NCELLS; c++) {
			const struct bench_pkt *pk = &pkts[cells[c].pkt];

			if (cells[c].prog != i)
				continue;
			err = bench_test_run(p->fd, pk->data, pk->len, n, NULL, 0, 0, &s);
			bench_check(!err && s.retval == (__u32)p->verdict, p->name,
				    "%s: verdict %d (want %d)%s", pk->name,
				    (int)s.retval, (int)p->verdict,
				    err ? " test_run failed" : "");
			expect += n;
			if (!p->packets)
				continue;
			err = p->packets(p, &got);
			bench_check(!err && got == expect, p->name,
				    "%s: %llu packets counted (want %llu)", pk->name,
				    (unsigned long long)got, (unsigned long long)expect);
		}
		unload(p);
	}
	return 0;
}

int bench_tc(struct bench_run *r)
{
	struct bench_opts *o = r->opts;
	struct bench_pkt pkts[PKT__MAX];
	struct bench_load_cfg cfg = { .bpffs = r->bpffs };
	int rowid[NCELLS], order[NCELLS];
	struct bench_sample s;
	__u64 rng = o->seed ^ 0x7463ULL;
	int i, round, err;

	for (i = 0; i < PKT__MAX; i++)
		bench_pkt_build(i, NULL, &pkts[i]);
	if (o->selftest)
		return selftest(r, pkts);
	for (i = 0; i < NPROGS; i++)
		if (bench_load(&tc_progs[i], &cfg))
			tc_progs[i].fd = -1;
	for (i = 0; i < NCELLS; i++) {
		rowid[i] = bench_add_row(r, "tc", pkts[cells[i].pkt].name,
					 tc_progs[cells[i].prog].name, BENCH_NS_PER_PKT);
		order[i] = i;
		if (tc_progs[cells[i].prog].fd < 0)
			bench_row_note(&r->rows[rowid[i]], BENCH_FAILED,
				       "program did not load");
	}
	for (i = 0; i < NCELLS; i++) {
		struct bench_row *row = &r->rows[rowid[i]];

		row->floor_row = bench_find_row(r, "tc", row->group, TC_FLOOR);
		row->peer_row = -1;
	}
	/* Round -1 warms caches and makes the source hot; not recorded. */
	for (round = -1; round < o->rounds; round++) {
		bench_shuffle(order, NCELLS, &rng);
		for (i = 0; i < NCELLS; i++) {
			int c = order[i];
			struct bench_row *row = &r->rows[rowid[c]];
			const struct bench_pkt *pk = &pkts[cells[c].pkt];
			struct bench_prog *p = &tc_progs[cells[c].prog];

			if (row->status != BENCH_MEASURED)
				continue;
			err = bench_test_run(p->fd, pk->data, pk->len, o->repeat,
					     NULL, 0, 0, &s);
			if (err) {
				bench_row_note(row, BENCH_FAILED, "test_run: %s",
					       strerror(-err));
				continue;
			}
			if (round >= 0)
				bench_record(row, &s, p->verdict);
		}
		fprintf(stderr, "\rtc: round %d/%d", round + 1, o->rounds);
	}
	fprintf(stderr, "\n");
	for (i = 0; i < NPROGS; i++)
		unload(&tc_progs[i]);
	return 0;
}
