// SPDX-License-Identifier: GPL-2.0
/* Rates from two collections (top_rates.h). Sources are matched with a
 * merge of the two snapshots sorted by address, so a million sources cost
 * two sorts and a pass, not a lookup each; only the busiest by packets and
 * by bytes become rows, enough for any screen and either sort.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "prom.h"
#include "top_rates.h"
#include "util.h"
#include "xdpgate_types.h"

/* Source rows kept per sort key: more than any terminal has lines. */
#define TOP_SOURCE_ROWS 256

static int cmp_addr(const void *pa, const void *pb)
{
	const struct xg_source_row *a = pa, *b = pb;

	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	return memcmp(a->addr, b->addr, sizeof(a->addr));
}

static int cmp_cg_id(const void *pa, const void *pb)
{
	const struct xg_cg_row *a = pa, *b = pb;

	return (a->id > b->id) - (a->id < b->id);
}

static __u64 delta(__u64 now, __u64 before)
{
	return now >= before ? now - before : now; /* a reset: from zero */
}

static struct xg_top_row *add_row(struct xg_top *t, enum xg_top_view v)
{
	if (t->nr_rows[v] == t->cap[v]) {
		size_t cap = t->cap[v] ? t->cap[v] * 2 : 64;
		struct xg_top_row *r = realloc(t->rows[v], cap * sizeof(*r));

		if (!r)
			return NULL;
		t->rows[v] = r;
		t->cap[v] = cap;
	}
	memset(&t->rows[v][t->nr_rows[v]], 0, sizeof(struct xg_top_row));
	return &t->rows[v][t->nr_rows[v]++];
}

/* The name as tables show it (ifname.h), into a fixed buffer. */
static void put_name(char *dst, size_t len, const char *name)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);

	if (f) {
		xp_label_value(f, name); /* the display form, with \\ for \ */
		fclose(f);
	}
	snprintf(dst, len, "%s", buf ? buf : name);
	free(buf);
}

static const struct xg_scrape_inst *find_inst(const struct xg_scrape *s,
					      const struct xg_instance *in)
{
	for (size_t i = 0; i < s->nr_inst; i++)
		if (s->inst[i].snap.inst.ifindex == in->ifindex &&
		    s->inst[i].snap.inst.hook == in->hook)
			return &s->inst[i];
	return NULL;
}

/* A source's change: which instance and row, and by how much. */
struct src_delta {
	__u32 inst;
	__u32 row;
	__u64 dp, db;
};

static int by_dp(const void *pa, const void *pb)
{
	const struct src_delta *a = pa, *b = pb;

	return (a->dp < b->dp) - (a->dp > b->dp);
}

static int by_db(const void *pa, const void *pb)
{
	const struct src_delta *a = pa, *b = pb;

	return (a->db < b->db) - (a->db > b->db);
}

/* Deltas of every source of one instance against the previous one. */
static void inst_deltas(const struct xg_scrape_inst *cur, const struct xg_scrape_inst *old,
			__u32 idx, struct src_delta *out, size_t *n)
{
	const struct xg_stats_snapshot *c = &cur->snap;
	size_t j = 0;

	for (size_t i = 0; i < c->nr_sources; i++) {
		const struct xg_source_row *r = &c->sources[i];
		__u64 pp = 0, pb = 0;
		int cmp = 1;

		while (old && j < old->snap.nr_sources &&
		       (cmp = cmp_addr(&old->snap.sources[j], r)) < 0)
			j++;
		if (old && j < old->snap.nr_sources && cmp == 0) {
			pp = old->snap.sources[j].packets;
			pb = old->snap.sources[j].bytes;
		}
		out[*n] = (struct src_delta){ idx, (__u32)i, delta(r->packets, pp),
					      delta(r->bytes, pb) };
		(*n)++;
	}
}

static int source_row(struct xg_top *t, const struct src_delta *d)
{
	const struct xg_scrape_inst *si = &t->cur.inst[d->inst];
	const struct xg_source_row *r = &si->snap.sources[d->row];
	struct xg_top_row *row = add_row(t, XG_TOP_SOURCES);

	if (!row)
		return -ENOMEM;
	xg_addr_str(r->family, r->addr, row->name, sizeof(row->name));
	put_name(row->where, sizeof(row->where), si->snap.inst.ifname);
	row->pps = d->dp / t->dt;
	row->bps = d->db * 8.0 / t->dt;
	row->packets = r->packets;
	row->bytes = r->bytes;
	row->estimate = xg_row_is_estimate(r);
	return 0;
}

/* The busiest sources by packets, then by bytes (each once). */
static int source_rows(struct xg_top *t)
{
	size_t total = 0, n = 0, k;
	struct src_delta *d;
	int err = 0;

	for (size_t i = 0; i < t->cur.nr_inst; i++)
		total += t->cur.inst[i].snap.nr_sources;
	d = malloc((total ? total : 1) * sizeof(*d));
	if (!d)
		return -ENOMEM;
	for (size_t i = 0; i < t->cur.nr_inst; i++)
		inst_deltas(&t->cur.inst[i], find_inst(&t->prev, &t->cur.inst[i].snap.inst),
			    (__u32)i, d, &n);
	k = n < TOP_SOURCE_ROWS ? n : TOP_SOURCE_ROWS;
	xg_qsort(d, n, sizeof(*d), by_dp);
	for (size_t i = 0; i < k && !err; i++)
		err = source_row(t, &d[i]);
	/* Then the first k by bytes among the others. */
	xg_qsort(d + k, n - k, sizeof(*d), by_db);
	for (size_t i = k, got = 0; i < n && got < k && !err; i++, got++)
		err = source_row(t, &d[i]);
	free(d);
	return err;
}

static void sum_actions(const struct xg_stats_snapshot *s, __u64 *p, __u64 *b, __u64 *dropped)
{
	*p = *b = 0;
	for (int a = 0; a < XG_ACT__MAX; a++) {
		*p += s->actions[a].packets;
		*b += s->actions[a].bytes;
	}
	*dropped = s->actions[XG_ACT_DROP].packets + s->actions[XG_ACT_LIMITED].packets;
}

static int interface_rows(struct xg_top *t)
{
	for (size_t i = 0; i < t->cur.nr_inst; i++) {
		const struct xg_scrape_inst *si = &t->cur.inst[i];
		const struct xg_scrape_inst *old = find_inst(&t->prev, &si->snap.inst);
		struct xg_top_row *row = add_row(t, XG_TOP_INTERFACES);
		__u64 p, b, dr, op = 0, ob = 0, odr = 0;

		if (!row)
			return -ENOMEM;
		sum_actions(&si->snap, &p, &b, &dr);
		if (old)
			sum_actions(&old->snap, &op, &ob, &odr);
		put_name(row->name, sizeof(row->name), si->snap.inst.ifname);
		snprintf(row->where, sizeof(row->where), "%s/%s",
			 xg_hook_name(si->snap.inst.hook),
			 xg_hook_direction(si->snap.inst.hook));
		row->pps = delta(p, op) / t->dt;
		row->bps = delta(b, ob) * 8.0 / t->dt;
		row->pps2 = delta(dr, odr) / t->dt;
		row->packets = p;
		row->bytes = b;
		row->count = si->snap.nr_sources;
	}
	return 0;
}

static void cg_dir(const struct xg_cg_row *r, __u64 *txp, __u64 *txb, __u64 *rxp, __u64 *rxb)
{
	*txp = r ? r->tx_packets : 0;
	*txb = r ? r->tx_bytes : 0;
	*rxp = r ? r->rx_packets : 0;
	*rxb = r ? r->rx_bytes : 0;
}

static int cgroup_rows(struct xg_top *t)
{
	const struct xg_scrape_cg *c = &t->cur.cg, *o = &t->prev.cg;
	size_t j = 0;

	for (size_t i = 0; i < c->nr_rows; i++) {
		const struct xg_cg_row *r = &c->rows[i], *old = NULL;
		struct xg_top_row *row = add_row(t, XG_TOP_CGROUPS);
		__u64 tp, tb, rp, rb, otp, otb, orp, orb;

		if (!row)
			return -ENOMEM;
		while (j < o->nr_rows && o->rows[j].id < r->id)
			j++;
		if (j < o->nr_rows && o->rows[j].id == r->id)
			old = &o->rows[j];
		cg_dir(r, &tp, &tb, &rp, &rb);
		cg_dir(old, &otp, &otb, &orp, &orb);
		put_name(row->name, sizeof(row->name), r->name);
		row->pps2 = delta(rp, orp) / t->dt;
		row->bps2 = delta(rb, orb) * 8.0 / t->dt;
		row->pps = delta(tp, otp) / t->dt + row->pps2;
		row->bps = delta(tb, otb) * 8.0 / t->dt + row->bps2;
		row->packets = r->packets;
		row->bytes = r->bytes;
	}
	return 0;
}

static enum xg_top_sort sort_key;

static int busiest(const void *pa, const void *pb)
{
	const struct xg_top_row *a = pa, *b = pb;
	double x = sort_key == XG_TOP_BPS ? a->bps : a->pps;
	double y = sort_key == XG_TOP_BPS ? b->bps : b->pps;

	if (x != y)
		return x < y ? 1 : -1;
	if (a->bytes != b->bytes)
		return a->bytes < b->bytes ? 1 : -1;
	return strcmp(a->name, b->name);
}

void xg_top_sort(struct xg_top *t, enum xg_top_sort key)
{
	sort_key = key;
	for (int v = 0; v < XG_TOP_VIEWS; v++)
		xg_qsort(t->rows[v], t->nr_rows[v], sizeof(struct xg_top_row), busiest);
}

int xg_top_push(struct xg_top *t, struct xg_scrape *s, enum xg_top_sort key)
{
	int err = 0;

	xg_scrape_free(&t->prev);
	t->prev = t->cur;
	t->have_prev = t->cur.mono_ns != 0;
	t->cur = *s;
	memset(s, 0, sizeof(*s));
	for (size_t i = 0; i < t->cur.nr_inst; i++)
		xg_qsort(t->cur.inst[i].snap.sources, t->cur.inst[i].snap.nr_sources,
		      sizeof(struct xg_source_row), cmp_addr);
	xg_qsort(t->cur.cg.rows, t->cur.cg.nr_rows, sizeof(struct xg_cg_row), cmp_cg_id);
	for (int v = 0; v < XG_TOP_VIEWS; v++)
		t->nr_rows[v] = 0;
	if (!t->have_prev)
		return 0;
	t->dt = (double)(t->cur.mono_ns - t->prev.mono_ns) / 1e9;
	if (t->dt <= 0)
		t->dt = 1e-9;
	err = source_rows(t);
	if (!err)
		err = interface_rows(t);
	if (!err)
		err = cgroup_rows(t);
	xg_top_sort(t, key);
	return err;
}

void xg_top_free(struct xg_top *t)
{
	xg_scrape_free(&t->prev);
	xg_scrape_free(&t->cur);
	for (int v = 0; v < XG_TOP_VIEWS; v++)
		free(t->rows[v]);
	memset(t, 0, sizeof(*t));
}
