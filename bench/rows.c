// SPDX-License-Identifier: GPL-2.0
/* Rows and their statistics. Ratios are paired: each round's sample is
 * divided by the floor's (or xdp-filter's) sample of the same round, and
 * the median of those ratios is reported, so slow phases of a noisy
 * machine hit both sides of a ratio alike.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

int bench_add_row(struct bench_run *r, const char *scenario, const char *group,
		  const char *program, enum bench_unit unit)
{
	struct bench_row *row;

	if (r->nrows >= BENCH_MAX_ROWS)
		return -1;
	row = &r->rows[r->nrows];
	memset(row, 0, sizeof(*row));
	snprintf(row->scenario, sizeof(row->scenario), "%s", scenario);
	snprintf(row->group, sizeof(row->group), "%s", group);
	snprintf(row->program, sizeof(row->program), "%s", program);
	row->unit = unit;
	row->floor_row = -1;
	row->peer_row = -1;
	return r->nrows++;
}

int bench_find_row(struct bench_run *r, const char *scenario, const char *group,
		   const char *program)
{
	int i;

	for (i = 0; i < r->nrows; i++)
		if (!strcmp(r->rows[i].scenario, scenario) &&
		    !strcmp(r->rows[i].group, group) &&
		    !strcmp(r->rows[i].program, program))
			return i;
	return -1;
}

void bench_row_note(struct bench_row *row, enum bench_status st,
		    const char *fmt, ...)
{
	va_list ap;

	row->status = st;
	va_start(ap, fmt);
	vsnprintf(row->note, sizeof(row->note), fmt, ap);
	va_end(ap);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Quantile q of n sorted values, linear interpolation. */
static double quantile(const double *sorted, int n, double q)
{
	double pos = q * (n - 1);
	int lo = (int)pos;

	if (lo + 1 >= n)
		return sorted[n - 1];
	return sorted[lo] + (pos - lo) * (sorted[lo + 1] - sorted[lo]);
}

static double median_of(const double *v, int n)
{
	double s[BENCH_MAX_ROUNDS];

	memcpy(s, v, n * sizeof(*v));
	qsort(s, n, sizeof(*s), cmp_double);
	return quantile(s, n, 0.5);
}

/* Median over the rounds both rows have, of a op b (0: ratio, 1: diff). */
static double paired_median(const struct bench_row *a, const struct bench_row *b,
			    int diff)
{
	double t[BENCH_MAX_ROUNDS];
	int i, n = a->n < b->n ? a->n : b->n;

	for (i = 0; i < n; i++)
		t[i] = diff ? a->v[i] - b->v[i] :
			      (b->v[i] > 0 ? a->v[i] / b->v[i] : 0);
	return n ? median_of(t, n) : 0;
}

void bench_summarize(const struct bench_run *r, const struct bench_row *row,
		     struct bench_summary *s)
{
	double sorted[BENCH_MAX_ROUNDS];
	const struct bench_row *fl = NULL, *peer = NULL;
	int n = row->n;

	memset(s, 0, sizeof(*s));
	if (row->status != BENCH_MEASURED || n == 0)
		return;
	memcpy(sorted, row->v, n * sizeof(double));
	qsort(sorted, n, sizeof(double), cmp_double);
	s->median = quantile(sorted, n, 0.5);
	s->min = sorted[0];
	s->max = sorted[n - 1];
	s->q1 = quantile(sorted, n, 0.25);
	s->q3 = quantile(sorted, n, 0.75);
	s->wall_median = median_of(row->wall, n);
	if (row->unit == BENCH_NS_PER_PKT && s->median > 0)
		s->mpps = 1e3 / s->median;
	if (row->floor_row >= 0)
		fl = &r->rows[row->floor_row];
	if (row->peer_row >= 0)
		peer = &r->rows[row->peer_row];
	if (fl && fl->status == BENCH_MEASURED && fl->n) {
		s->has_floor = true;
		s->ratio_floor = paired_median(row, fl, 0);
		s->excess_floor = paired_median(row, fl, 1);
	}
	if (peer && peer->status == BENCH_MEASURED && peer->n) {
		s->has_peer = true;
		s->ratio_peer = paired_median(row, peer, 0);
		if (fl && fl->status == BENCH_MEASURED)
			s->excess_peer = paired_median(peer, fl, 1);
	}
}
