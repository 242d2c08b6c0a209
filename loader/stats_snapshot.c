// SPDX-License-Identifier: GPL-2.0
/* Reading one instance into a snapshot, ranking its sources, and turning
 * the data plane's monotonic stamps into wall-clock time.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "log.h"
#include "stats_snapshot.h"

/* A program replaced between discovery and read is re-probed; a loader
 * replacing it in a loop could keep us chasing, so give up eventually.
 */
#define XG_REPROBE_TRIES 3

static __u64 clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (__u64)ts.tv_sec * 1000000000ull + (__u64)ts.tv_nsec;
}

/* Open the maps of the program in s->inst, following a replace. */
static int open_maps(struct xg_stats_snapshot *s, struct xg_maps *m)
{
	for (int tries = 0;; tries++) {
		struct xg_instance now;
		int err = xg_prog_maps(s->inst.prog_id, m), r;

		if (err != -ENOENT || tries == XG_REPROBE_TRIES)
			return err;
		/* The program is gone, or it is not ours: ask the interface. */
		r = xg_probe_hook(s->inst.ifindex, s->inst.hook, &now, NULL);
		if (r <= 0)
			return -ESRCH;
		if (now.prog_id == s->inst.prog_id)
			return -ENOENT; /* still there, but without our maps */
		xg_debug("interface %s: program %u replaced by %u while reading",
			 s->inst.ifname, s->inst.prog_id, now.prog_id);
		s->inst = now;
	}
}

/* Both families' rows, and what the admission stage held, in the order
 * that never counts a packet twice: counts move from a hot slot to the LRU
 * map or to the held totals, never back, so both destinations are read
 * before the slots (a move in between shows one read late).
 */
static int read_rows(const struct xg_maps *m, struct xg_source_row **rows,
		     size_t *n, struct xg_admission *adm, __u64 *bound,
		     size_t lru[2])
{
	struct xg_sketch_view *v = NULL;
	int err = xg_read_sources(m->src_v4, AF_INET, rows, n);

	lru[0] = err > 0 ? (size_t)err : 0;
	if (err >= 0)
		err = xg_read_sources(m->src_v6, AF_INET6, rows, n);
	lru[1] = err > 0 ? (size_t)err : 0;
	memset(adm, 0, sizeof(*adm));
	if (err >= 0 && m->cpu >= 0)
		err = xg_read_admission(m->cpu, adm);
	if (err >= 0)
		err = xg_merge_hot(m->hot_v4, AF_INET, rows, n);
	if (err >= 0)
		err = xg_merge_hot(m->hot_v6, AF_INET6, rows, n);
	if (err >= 0 && adm->shift && m->sketch >= 0) {
		v = malloc(sizeof(*v));
		err = v ? xg_read_sketch(m->sketch, adm->shift, v) : -ENOMEM;
	}
	if (err >= 0 && v) {
		xg_sketch_annotate(v, *rows, *n);
		*bound = xg_sketch_bound(v);
	}
	free(v);
	return err < 0 ? err : 0;
}

int xg_read_top_sources(const struct xg_maps *m, enum xg_sort_key key,
			size_t top, struct xg_source_row **rows, size_t *n,
			__u64 *bound)
{
	struct xg_admission adm;
	size_t lru[2];
	__u64 b = 0;
	int err;

	*rows = NULL;
	*n = 0;
	err = read_rows(m, rows, n, &adm, &b, lru);
	if (err) {
		free(*rows);
		*rows = NULL;
		*n = 0;
		return err;
	}
	xg_sources_rank(*rows, *n, key, top);
	if (bound)
		*bound = b;
	return 0;
}

int xg_stats_read(const struct xg_instance *in, struct xg_stats_snapshot *s)
{
	__u64 ins[XG_FAM__MAX] = {};
	struct xg_maps m;
	int err;

	memset(s, 0, sizeof(*s));
	s->inst = *in;
	err = open_maps(s, &m);
	if (err)
		return err;
	/* Holding the map fds keeps the maps alive even if the program is
	 * replaced or detached now: we read a consistent set of maps.
	 */
	/* Inserts before the maps, the maps before the totals: a source
	 * inserted meanwhile then shows in the totals rather than as an
	 * entry evicted before it existed.
	 */
	err = xg_prog_config(s->inst.prog_id, &s->cfg);
	if (!err && m.inserts >= 0)
		err = xg_read_percpu_u64(m.inserts, ins, XG_FAM__MAX);
	if (!err)
		err = read_rows(&m, &s->sources, &s->nr_sources, &s->adm,
				&s->est_bound, s->nr_lru);
	for (size_t i = 0; !err && i < s->nr_sources; i++)
		s->nr_family[s->sources[i].family == AF_INET ? 0 : 1]++;
	if (!err)
		err = xg_read_counters(m.actions, s->actions, XG_ACT__MAX);
	if (!err)
		err = xg_read_counters(m.reasons, s->reasons, XG_RSN__MAX);
	if (!err) {
		struct xg_counter held = {
			s->adm.held[0].packets + s->adm.held[1].packets,
			s->adm.held[0].bytes + s->adm.held[1].bytes,
		};

		xg_evictions_compute(s->actions, s->reasons, m.inserts >= 0,
				     ins[XG_FAM_V4] + ins[XG_FAM_V6],
				     s->nr_lru[0] + s->nr_lru[1],
				     s->sources, s->nr_sources, &held, &s->ev);
	}
	s->mono_ns = clock_ns(CLOCK_MONOTONIC);
	s->real_ns = clock_ns(CLOCK_REALTIME);
	xg_maps_close(&m);
	if (err)
		xg_stats_free(s);
	return err;
}

void xg_stats_free(struct xg_stats_snapshot *s)
{
	free(s->sources);
	s->sources = NULL;
	s->nr_sources = 0;
}

/* < 0 when a ranks before b. */
static int cmp_rank(const void *pa, const void *pb, void *ctx)
{
	const struct xg_source_row *a = pa, *b = pb;
	enum xg_sort_key key = *(const enum xg_sort_key *)ctx;
	__u64 va = key == XG_SORT_BYTES ? a->bytes : a->packets + a->held_est;
	__u64 vb = key == XG_SORT_BYTES ? b->bytes : b->packets + b->held_est;

	if (va != vb)
		return va > vb ? -1 : 1;
	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	return memcmp(a->addr, b->addr, sizeof(a->addr));
}

static void swap_rows(struct xg_source_row *a, struct xg_source_row *b)
{
	struct xg_source_row t = *a;

	*a = *b;
	*b = t;
}

/* Heap of the k best seen so far, the worst of them at the root. */
static void sift_down(struct xg_source_row *h, size_t k, size_t i,
		      enum xg_sort_key *key)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, worst = i;

		if (l < k && cmp_rank(&h[l], &h[worst], key) > 0)
			worst = l;
		if (r < k && cmp_rank(&h[r], &h[worst], key) > 0)
			worst = r;
		if (worst == i)
			return;
		swap_rows(&h[i], &h[worst]);
		i = worst;
	}
}

void xg_sources_rank(struct xg_source_row *rows, size_t n,
		     enum xg_sort_key key, size_t top)
{
	size_t k = top < n ? top : n;

	if (k == 0)
		return;
	/* For a short --top over many sources, selecting with a k-heap
	 * (n log k) beats sorting everything (n log n).
	 */
	if (k < n / 4) {
		for (size_t i = k / 2; i-- > 0;)
			sift_down(rows, k, i, &key);
		for (size_t i = k; i < n; i++) {
			if (cmp_rank(&rows[i], &rows[0], &key) < 0) {
				swap_rows(&rows[i], &rows[0]);
				sift_down(rows, k, 0, &key);
			}
		}
		qsort_r(rows, k, sizeof(*rows), cmp_rank, &key);
		return;
	}
	qsort_r(rows, n, sizeof(*rows), cmp_rank, &key);
}

double xg_stamp_epoch(const struct xg_stats_snapshot *s, __u64 stamp_ns)
{
	__u64 age;

	if (!stamp_ns)
		return 0;
	age = stamp_ns < s->mono_ns ? s->mono_ns - stamp_ns : 0;
	return (double)(s->real_ns - age) / 1e9;
}

double xg_stamp_age(const struct xg_stats_snapshot *s, __u64 stamp_ns)
{
	return stamp_ns < s->mono_ns ? (double)(s->mono_ns - stamp_ns) / 1e9 : 0;
}
