// SPDX-License-Identifier: GPL-2.0
/* Goals from issue 3:
 * - hot path: xdpgate <= 0.75x xdp-filter dny_ip, and <= floor + 20 ns;
 * - sources: at 1e6 sources, excess over floor <= 1.2x the bare counter's;
 * - readout: 1M entries in <= 0.5 s and >= 10x faster than bpftool;
 * Issue 7: with 10 rules and a cached verdict, the hot path keeps the
 * goals above; 1M rules cost <= 1.10x 10 rules for a hot source; a drop by
 * rule <= 0.75x xdp-filter dropping by its rule; 1M prefixes import in
 * <= 2 s.
 * Issue 10: the tracepoint backend adds <= 10 ns per sendmsg and recvmsg.
 * Issue 9: a hot source at TC <= 20 ns over the empty TC program.
 * Issue 8: a uniform flood over 2^20 sources with default settings costs
 * <= 2x xdp-filter dny_ip per packet; the 1e6 mixes with the default map
 * keep the <= 1.2x excess of issue 3 (the sized rows run with --exact, as
 * the reference for every source counted exactly).
 * Issue 11: a scrape with the top 20 sources at 1M sources <= 0.5 s.
 */
#include <stdio.h>
#include <string.h>

#include "goals.h"

const char *bench_goal_state(enum goal_state s)
{
	return s == GOAL_MET ? "met" : s == GOAL_MISSED ? "MISSED" :
						       "not measured";
}

static struct bench_goal *next_goal(struct bench_goal *g, int *n, int max,
				    const char *name, const char *limit)
{
	struct bench_goal *x;

	if (*n >= max)
		return NULL;
	x = &g[(*n)++];
	memset(x, 0, sizeof(*x));
	snprintf(x->name, sizeof(x->name), "%s", name);
	snprintf(x->limit, sizeof(x->limit), "%s", limit);
	x->state = GOAL_NOT_MEASURED;
	return x;
}

/* measured <= limit: met, with the margin in unit. */
static void judge(struct bench_goal *x, double val, double limit,
		  const char *fmt_unit)
{
	x->state = val <= limit ? GOAL_MET : GOAL_MISSED;
	if (val <= limit)
		snprintf(x->margin, sizeof(x->margin), "%.2f%s to spare",
			 limit - val, fmt_unit);
	else
		snprintf(x->margin, sizeof(x->margin), "over by %.2f%s",
			 val - limit, fmt_unit);
}

static const struct bench_row *row(const struct bench_run *r, const char *sc,
				   const char *group, const char *prog)
{
	int i = bench_find_row((struct bench_run *)r, sc, group, prog);

	if (i < 0 || r->rows[i].status != BENCH_MEASURED)
		return NULL;
	return &r->rows[i];
}

static void hot_goals(const struct bench_run *r, const char *pkt,
		      const char *prog, struct bench_goal *g, int *n, int max)
{
	const struct bench_row *x = row(r, "hotpath", pkt, prog);
	struct bench_summary s;
	struct bench_goal *a, *b;
	const char *what = strcmp(prog, "xdpgate-count") ? " (10 rules)" : "";
	char name[96];

	snprintf(name, sizeof(name), "hot path %s%s: vs xdp-filter dny_ip", pkt, what);
	a = next_goal(g, n, max, name, "<= 0.75x");
	snprintf(name, sizeof(name), "hot path %s%s: over the floor", pkt, what);
	b = next_goal(g, n, max, name, "<= 20 ns");
	if (!x || !a || !b)
		return;
	bench_summarize(r, x, &s);
	if (s.has_peer) {
		snprintf(a->measured, sizeof(a->measured), "%.2fx", s.ratio_peer);
		judge(a, s.ratio_peer, 0.75, "x");
	}
	if (s.has_floor) {
		snprintf(b->measured, sizeof(b->measured), "+%.1f ns",
			 s.excess_floor);
		judge(b, s.excess_floor, 20, " ns");
	}
}

/* One row's median over another's, both of one scenario and group. */
static void ratio_goal(const struct bench_run *r, const char *sc,
		       const char *group, const char *prog, const char *ref,
		       const char *name, double limit, struct bench_goal *g,
		       int *n, int max)
{
	const struct bench_row *x = row(r, sc, group, prog);
	const struct bench_row *y = row(r, sc, group, ref);
	struct bench_summary sx, sy;
	struct bench_goal *a;
	char lim[32];

	snprintf(lim, sizeof(lim), "<= %.2fx", limit);
	a = next_goal(g, n, max, name, lim);
	if (!a || !x || !y)
		return;
	bench_summarize(r, x, &sx);
	bench_summarize(r, y, &sy);
	if (sy.median <= 0)
		return;
	snprintf(a->measured, sizeof(a->measured), "%.2fx (%.1f vs %.1f ns)",
		 sx.median / sy.median, sx.median, sy.median);
	judge(a, sx.median / sy.median, limit, "x");
}

/* Bulk import of 1M prefixes (issue 7). */
static void import_goal(const struct bench_run *r, struct bench_goal *g,
			int *n, int max)
{
	const struct bench_row *x = row(r, "rules", "import-1M", "xdpgate-rules");
	struct bench_goal *a = next_goal(g, n, max, "rules: import 1M prefixes",
					 "<= 2 s");
	struct bench_summary s;

	if (!a || !x)
		return;
	bench_summarize(r, x, &s);
	snprintf(a->measured, sizeof(a->measured), "%.2f s", s.median);
	judge(a, s.median, 2.0, " s");
}

static void source_goal(const struct bench_run *r, const char *mix,
			const char *prog, struct bench_goal *g, int *n, int max)
{
	const struct bench_row *x = row(r, "sources", mix, prog);
	const struct bench_row *b = row(r, "sources", mix, "bare-percpu-hash");
	struct bench_summary sx, sb;
	struct bench_goal *a;
	char name[96];
	double ratio;

	snprintf(name, sizeof(name), "sources %s: %s excess vs bare counter's",
		 mix, prog);
	a = next_goal(g, n, max, name, "<= 1.2x");
	if (!a || !x || !b)
		return;
	bench_summarize(r, x, &sx);
	bench_summarize(r, b, &sb);
	if (!sx.has_floor || !sb.has_floor || sb.excess_floor <= 0)
		return;
	ratio = sx.excess_floor / sb.excess_floor;
	snprintf(a->measured, sizeof(a->measured), "%.2fx (+%.1f vs +%.1f ns)",
		 ratio, sx.excess_floor, sb.excess_floor);
	judge(a, ratio, 1.2, "x");
}

/* Per packet, ns/pkt against xdp-filter's: the flood goal. */
static void flood_goal(const struct bench_run *r, struct bench_goal *g, int *n,
		       int max)
{
	const struct bench_row *x = row(r, "sources", "flood-2^20", "xdpgate-count");
	struct bench_goal *a = next_goal(g, n, max,
					 "flood 2^20 uniform sources: xdpgate vs xdp-filter dny_ip",
					 "<= 2.0x");
	struct bench_summary s;

	if (!a || !x)
		return;
	bench_summarize(r, x, &s);
	if (!s.has_peer)
		return;
	snprintf(a->measured, sizeof(a->measured), "%.2fx (%.0f ns)",
		 s.ratio_peer, s.median);
	judge(a, s.ratio_peer, 2.0, "x");
}

static void readout_goals(const struct bench_run *r, struct bench_goal *g,
			  int *n, int max)
{
	const struct bench_row *x = row(r, "readout", "1M-entries", "xdpgate-reader");
	const struct bench_row *b = row(r, "readout", "1M-entries", "bpftool-map-dump");
	struct bench_goal *a = next_goal(g, n, max, "readout 1M entries: time",
					 "<= 0.5 s");
	struct bench_goal *c = next_goal(g, n, max,
					 "readout 1M entries: speedup vs bpftool",
					 ">= 10x");
	struct bench_summary sx, sb;

	if (!x || !a || !c)
		return;
	bench_summarize(r, x, &sx);
	snprintf(a->measured, sizeof(a->measured), "%.3f s", sx.median);
	judge(a, sx.median, 0.5, " s");
	if (!b)
		return;
	bench_summarize(r, b, &sb);
	if (sx.median <= 0)
		return;
	snprintf(c->measured, sizeof(c->measured), "%.1fx", sb.median / sx.median);
	/* judged as 10/speedup <= 1 so "over by" reads in the same unit */
	c->state = sb.median / sx.median >= 10 ? GOAL_MET : GOAL_MISSED;
	snprintf(c->margin, sizeof(c->margin), "bpftool %.2f s", sb.median);
}

/* Recorded, never asserted: a row's excess over its scenario's floor. */
static void floor_goal(const struct bench_run *r, const char *sc,
		       const char *group, const char *prog, const char *name,
		       double limit_ns, struct bench_goal *g, int *n, int max)
{
	const struct bench_row *x = row(r, sc, group, prog);
	struct bench_summary s;
	struct bench_goal *a;
	char limit[32];

	snprintf(limit, sizeof(limit), "<= %.0f ns%s", limit_ns,
		 strcmp(sc, "socket") ? "" : "/call");
	a = next_goal(g, n, max, name, limit);
	if (!a || !x)
		return;
	bench_summarize(r, x, &s);
	if (!s.has_floor)
		return;
	snprintf(a->measured, sizeof(a->measured), "+%.1f ns", s.excess_floor);
	judge(a, s.excess_floor, limit_ns, " ns");
}

/* The socket layer over the no-program loop (issue 10). */
static void socket_goal(const struct bench_run *r, const char *call,
			struct bench_goal *g, int *n, int max)
{
	char name[96];

	snprintf(name, sizeof(name), "socket layer: tracepoint backend, per %s", call);
	floor_goal(r, "socket", call, "xdpgate-sock-tracepoint", name, 10, g, n, max);
}

/* A hot source at TC over the empty TC program (issue 9). */
static void tc_goal(const struct bench_run *r, const char *pkt, const char *dir,
		    struct bench_goal *g, int *n, int max)
{
	char name[96], prog[32];

	snprintf(name, sizeof(name), "TC %s %s: over the empty TC program", pkt, dir);
	snprintf(prog, sizeof(prog), "xdpgate-tc-%s", dir);
	floor_goal(r, "tc", pkt, prog, name, 20, g, n, max);
}

/* Recorded, never asserted: one exporter collection of 1M sources. */
static void scrape_goal(const struct bench_run *r, struct bench_goal *g, int *n, int max)
{
	const struct bench_row *x = row(r, "scrape", "1M-sources", "serve-top20");
	const struct bench_row *j = row(r, "scrape", "1M-sources", "stats-json");
	struct bench_goal *a = next_goal(g, n, max, "scrape 1M sources, top 20: time",
					 "<= 0.5 s");
	struct bench_summary sx, sj;

	if (!a || !x)
		return;
	bench_summarize(r, x, &sx);
	snprintf(a->measured, sizeof(a->measured), "%.3f s", sx.median);
	if (j) {
		bench_summarize(r, j, &sj);
		snprintf(a->measured, sizeof(a->measured), "%.3f s (stats --json %.2f s)",
			 sx.median, sj.median);
	}
	judge(a, sx.median, 0.5, " s");
}

int bench_goals(const struct bench_run *r, struct bench_goal *g, int max)
{
	int n = 0;

	hot_goals(r, "ipv4-udp-64", "xdpgate-count", g, &n, max);
	hot_goals(r, "ipv6-udp-78", "xdpgate-count", g, &n, max);
	hot_goals(r, "ipv4-udp-64", "xdpgate-policy-10", g, &n, max);
	hot_goals(r, "ipv6-udp-78", "xdpgate-policy-10", g, &n, max);
	source_goal(r, "uniform-1e6", "xdpgate-count", g, &n, max);
	source_goal(r, "uniform-1e6", "xdpgate-count-sized", g, &n, max);
	source_goal(r, "zipf-1e6", "xdpgate-count", g, &n, max);
	source_goal(r, "zipf-1e6", "xdpgate-count-sized", g, &n, max);
	flood_goal(r, g, &n, max);
	readout_goals(r, g, &n, max);
	ratio_goal(r, "hotpath", "ipv4-udp-64", "xdpgate-policy-1M",
		   "xdpgate-policy-10", "rules: hot source, 1M rules vs 10 rules",
		   1.10, g, &n, max);
	ratio_goal(r, "hotpath", "ipv4-udp-64", "xdpgate-drop-rule",
		   "xdpfilter-alw-ip-hit",
		   "drop by rule: xdpgate vs xdp-filter dropping by its rule",
		   0.75, g, &n, max);
	import_goal(r, g, &n, max);
	socket_goal(r, "sendmsg", g, &n, max);
	socket_goal(r, "recvmsg", g, &n, max);
	tc_goal(r, "ipv4-udp-64", "ingress", g, &n, max);
	tc_goal(r, "ipv4-udp-64", "egress", g, &n, max);
	tc_goal(r, "ipv6-udp-78", "ingress", g, &n, max);
	scrape_goal(r, g, &n, max);
	return n;
}
