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

/* One family: the LRU map, then its hot slots; counts the LRU entries. */
static int read_family(struct xg_stats_snapshot *s, int src, int hot,
		       int family, size_t *lru)
{
	size_t before = s->nr_sources;
	int f = family == AF_INET ? 0 : 1;
	int n = xg_read_sources(src, family, &s->sources, &s->nr_sources);

	if (n < 0)
		return n;
	*lru += (size_t)n;
	s->nr_lru[f] = (size_t)n;
	n = xg_merge_hot(hot, family, &s->sources, &s->nr_sources);
	if (n < 0)
		return n;
	s->nr_family[f] = s->nr_sources - before;
	return 0;
}

int xg_stats_read(const struct xg_instance *in, struct xg_stats_snapshot *s)
{
	__u64 ins[XG_FAM__MAX] = {};
	size_t lru = 0;
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
	err = m.inserts >= 0 ? xg_read_percpu_u64(m.inserts, ins, XG_FAM__MAX) : 0;
	if (!err)
		err = read_family(s, m.src_v4, m.hot_v4, AF_INET, &lru);
	if (!err)
		err = read_family(s, m.src_v6, m.hot_v6, AF_INET6, &lru);
	if (!err)
		err = xg_read_counters(m.actions, s->actions, XG_ACT__MAX);
	if (!err)
		err = xg_read_counters(m.reasons, s->reasons, XG_RSN__MAX);
	if (!err)
		xg_evictions_compute(s->actions, s->reasons, m.inserts >= 0,
				     ins[XG_FAM_V4] + ins[XG_FAM_V6], lru,
				     s->sources, s->nr_sources, &s->ev);
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
	__u64 va = key == XG_SORT_BYTES ? a->bytes : a->packets;
	__u64 vb = key == XG_SORT_BYTES ? b->bytes : b->packets;

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
