// SPDX-License-Identifier: GPL-2.0
/* Scenario 1, hot path: BPF_PROG_TEST_RUN with repeat, one packet, the
 * same bytes for every program. One instance of each program serves every
 * round; each round runs every (packet, program) cell once, in a freshly
 * shuffled order.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <linux/bpf.h>

#include "bench.h"
#include "packets.h"
#include "programs.h"
#include "runner.h"
#include "log.h"

#define FLOOR "floor-drop"
#define PEER "xdpfilter-dny-ip"
#define PEER_HIT "xdpfilter-alw-ip-hit"

/* Which programs see which packet. The bare counter parses plain IPv4 only. */
static const struct hot_cell {
	enum bench_pkt_kind pkt;
	const char *prog;
} cells[] = {
	{ PKT_IPV4_UDP, "floor-drop" },
	{ PKT_IPV4_UDP, "floor-pass" },
	{ PKT_IPV4_UDP, "xdpfilter-dny-ip" },
	{ PKT_IPV4_UDP, "xdpfilter-alw-ip" },
	{ PKT_IPV4_UDP, "bare-percpu-hash" },
	{ PKT_IPV4_UDP, "xdpgate-count" },
	{ PKT_IPV4_UDP, "xdpgate-policy-10" },
	{ PKT_IPV4_UDP, "xdpgate-policy-1M" },
	{ PKT_IPV4_UDP, "xdpgate-ratelimit" },
	{ PKT_IPV4_UDP, "xdpgate-drop-rule" },
	{ PKT_IPV4_UDP, "xdpfilter-alw-ip-hit" },
	{ PKT_IPV6_UDP, "floor-drop" },
	{ PKT_IPV6_UDP, "floor-pass" },
	{ PKT_IPV6_UDP, "xdpfilter-dny-ip" },
	{ PKT_IPV6_UDP, "xdpfilter-alw-ip" },
	{ PKT_IPV6_UDP, "xdpgate-count" },
	{ PKT_IPV6_UDP, "xdpgate-policy-10" },
	{ PKT_IPV6_UDP, "xdpgate-policy-1M" },
	{ PKT_IPV6_EXT, "floor-drop" },
	{ PKT_IPV6_EXT, "xdpfilter-dny-ip" },
	{ PKT_IPV6_EXT, "xdpgate-count" },
	{ PKT_VLAN_IPV4, "floor-drop" },
	{ PKT_VLAN_IPV4, "xdpfilter-dny-ip" },
	{ PKT_VLAN_IPV4, "xdpgate-count" },
};
#define NCELLS ((int)(sizeof(cells) / sizeof(cells[0])))

/* What each program must answer for each packet under test_run. */
static __u32 want_verdict(const struct bench_prog *p)
{
	return p->verdict;
}

static int selftest(struct bench_run *r, struct bench_pkt *pkts)
{
	const __u32 n = 1000;
	struct bench_sample s;
	__u64 got, expect;
	int i, k, err;

	printf("selftest: hotpath\n");
	for (i = 0; i < bench_nprograms; i++) {
		struct bench_prog *p = &bench_programs[i];
		struct bench_load_cfg cfg = { .bpffs = r->bpffs };

		if (p->live_only)
			continue;
		if (bench_load(p, &cfg)) {
			bench_check(false, p->name, "load failed");
			continue;
		}
		expect = 0;
		for (k = 0; k < PKT__MAX; k++) {
			if (!strcmp(p->name, "bare-percpu-hash") &&
			    k != PKT_IPV4_UDP)
				continue;
			err = bench_test_run(p->fd, pkts[k].data, pkts[k].len,
					     n, NULL, 0, 0, &s);
			bench_check(!err && s.retval == want_verdict(p),
				    p->name, "%s: verdict %u (want %u)%s",
				    pkts[k].name, s.retval, want_verdict(p),
				    err ? " test_run failed" : "");
			expect += n;
			if (!p->packets)
				continue;
			err = p->packets(p, &got);
			bench_check(!err && got == expect, p->name,
				    "%s: %llu packets counted (want %llu)",
				    pkts[k].name, (unsigned long long)got,
				    (unsigned long long)expect);
		}
		if (p->obj) {
			err = bench_peer_check_hit(p, pkts[PKT_IPV4_UDP].data,
						   pkts[PKT_IPV4_UDP].len,
						   htonl(BENCH_SRC_V4));
			bench_check(!err, p->name,
				    "IPv4 source rule hit counted in filter_ipv4");
		}
		bench_prog_unload(p);
	}
	return 0;
}

int bench_hotpath(struct bench_run *r)
{
	struct bench_opts *o = r->opts;
	struct bench_pkt pkts[PKT__MAX];
	struct bench_prog *progs[NCELLS];
	int rowid[NCELLS], order[NCELLS];
	struct bench_load_cfg cfg = { .bpffs = r->bpffs };
	struct bench_sample s;
	__u64 rng = o->seed ^ 0x686f74ULL;
	int i, round, err = 0;

	for (i = 0; i < PKT__MAX; i++)
		bench_pkt_build(i, NULL, &pkts[i]);
	if (o->selftest)
		return selftest(r, pkts);

	for (i = 0; i < bench_nprograms; i++)
		if (bench_programs[i].live_only ||
		    bench_load(&bench_programs[i], &cfg))
			bench_programs[i].fd = -1;

	for (i = 0; i < NCELLS; i++) {
		progs[i] = bench_prog_by_name(cells[i].prog);
		rowid[i] = bench_add_row(r, "hotpath", pkts[cells[i].pkt].name,
					 cells[i].prog, BENCH_NS_PER_PKT);
		order[i] = i;
		if (progs[i]->fd < 0)
			bench_row_note(&r->rows[rowid[i]], BENCH_FAILED,
				       "program did not load");
	}
	for (i = 0; i < NCELLS; i++) {
		struct bench_row *row = &r->rows[rowid[i]];

		row->floor_row = bench_find_row(r, "hotpath", row->group, FLOOR);
		/* A drop by rule compares with xdp-filter dropping by rule. */
		row->peer_row = bench_find_row(r, "hotpath", row->group,
					       !strcmp(row->program, "xdpgate-drop-rule") ?
					       PEER_HIT : PEER);
	}

	/* Round -1 warms caches and fills maps; it is not recorded. */
	for (round = -1; round < o->rounds; round++) {
		bench_shuffle(order, NCELLS, &rng);
		for (i = 0; i < NCELLS; i++) {
			int c = order[i];
			struct bench_row *row = &r->rows[rowid[c]];
			const struct bench_pkt *pk = &pkts[cells[c].pkt];

			if (row->status != BENCH_MEASURED)
				continue;
			err = bench_test_run(progs[c]->fd, pk->data, pk->len,
					     o->repeat, NULL, 0, 0, &s);
			if (err) {
				bench_row_note(row, BENCH_FAILED,
					       "test_run: %s", strerror(-err));
				continue;
			}
			if (round >= 0)
				bench_record(row, &s, want_verdict(progs[c]));
		}
		fprintf(stderr, "\rhotpath: round %d/%d", round + 1, o->rounds);
	}
	fprintf(stderr, "\n");
	for (i = 0; i < bench_nprograms; i++)
		bench_prog_unload(&bench_programs[i]);
	return 0;
}
