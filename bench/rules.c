// SPDX-License-Identifier: GPL-2.0
/* Scenario rules: how long the loader takes to put a large rule set in
 * place, through the library `xdpgate apply` uses (xg_policy_swap): a
 * first import of N IPv4 /32 rules into an empty instance, then a switch
 * to a different N-rule set (the old one live until the switch, then
 * freed). Wall-clock seconds, one sample per round, on an unpinned
 * instance of xdpgate_xdp.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bench.h"
#include "policy.h"
#include "programs.h"
#include "runner.h"
#include "xdpgate_xdp.skel.h"

static void make_set(struct xg_rule_set *s, __u32 n, __u8 first_octet)
{
	memset(s, 0, sizeof(*s));
	s->dflt = XG_POL_PASS;
	for (__u32 i = 0; i < n; i++) {
		struct xg_rule_spec r = { .family = 4, .plen = 32, .action = XG_POL_DROP };

		r.addr[0] = (__u8)(first_octet + (i >> 24));
		r.addr[1] = (__u8)(i >> 16);
		r.addr[2] = (__u8)(i >> 8);
		r.addr[3] = (__u8)i;
		xg_set_push(s, &r);
	}
}

/* One round: import set a, switch to set b. Seconds of each into t[]. */
static int one_round(struct bench_prog *p, const struct bench_load_cfg *cfg,
		     struct xg_rule_set *a, struct xg_rule_set *b, double t[2],
		     __u32 want, bool check)
{
	struct xg_instance in = { .ifindex = 1 };
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);
	struct xg_policy pol;
	struct xg_rule_set *sets[2] = { a, b };
	int err = p->load(p, cfg);

	if (err)
		return err;
	bpf_obj_get_info_by_fd(p->fd, &info, &len);
	in.prog_id = info.id;
	snprintf(in.ifname, sizeof(in.ifname), "bench");
	err = xg_policy_open(&in, &pol);
	for (int k = 0; k < 2 && !err; k++) {
		double t0 = now_ns();

		err = xg_policy_swap(&pol, sets[k]);
		t[k] = (now_ns() - t0) / 1e9;
		if (!err && check) {
			__u32 gen = xg_policy_gen(&pol);

			bench_check(pol.st->set[gen & 1].nr_v4 == want, "xdpgate-rules",
				    "%s: %u rules live (want %u)", k ? "swap" : "import",
				    pol.st->set[gen & 1].nr_v4, want);
		}
	}
	if (!err)
		xg_policy_close(&pol);
	bench_prog_unload(p);
	return err;
}

int bench_rules(struct bench_run *r)
{
	struct bench_opts *o = r->opts;
	__u32 n = o->quick ? 100000 : 1000000;
	struct bench_prog *p = bench_prog_by_name("xdpgate-count");
	struct bench_load_cfg cfg = { .bpffs = r->bpffs };
	struct xg_rule_set a, b;
	int rounds = o->quick || o->selftest ? 1 : 3, rows[2] = { -1, -1 }, err = 0;
	char group[2][32];

	make_set(&a, n, 11);
	make_set(&b, n, 60);
	snprintf(group[0], sizeof(group[0]), "import-%s", o->quick ? "100k" : "1M");
	snprintf(group[1], sizeof(group[1]), "swap-%s", o->quick ? "100k" : "1M");
	if (o->selftest)
		printf("selftest: rules\n");
	for (int k = 0; k < 2 && !o->selftest; k++)
		rows[k] = bench_add_row(r, "rules", group[k], "xdpgate-rules", BENCH_SECONDS);
	for (int i = 0; i < rounds && !err; i++) {
		double t[2];

		err = one_round(p, &cfg, &a, &b, t, n, o->selftest);
		for (int k = 0; k < 2 && !err && !o->selftest; k++) {
			struct bench_row *row = &r->rows[rows[k]];

			row->v[row->n] = t[k];
			row->wall[row->n++] = t[k];
		}
		fprintf(stderr, "\rrules: round %d/%d", i + 1, rounds);
	}
	fprintf(stderr, "\n");
	if (err && o->selftest)
		bench_check(false, "xdpgate-rules", "import failed: %s", strerror(-err));
	else if (err)
		for (int k = 0; k < 2; k++)
			bench_row_note(&r->rows[rows[k]], BENCH_FAILED, "%s", strerror(-err));
	xg_set_free(&a);
	xg_set_free(&b);
	return 0;
}
