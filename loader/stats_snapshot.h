/* SPDX-License-Identifier: GPL-2.0 */
/* A snapshot of one running xdpgate instance's counters, read once and
 * then printed (stats), exported (serve) or diffed (top) without touching
 * the maps again.
 */
#ifndef XG_STATS_SNAPSHOT_H
#define XG_STATS_SNAPSHOT_H

#include <stddef.h>
#include <stdint.h> /* SIZE_MAX for xg_sources_rank */
#include <linux/types.h>

#include "evictions.h"
#include "instance.h"
#include "percpu_read.h"
#include "prog_config.h"
#include "sketch_read.h"
#include "xdpgate_types.h"

enum xg_sort_key {
	XG_SORT_PACKETS = 0,
	XG_SORT_BYTES,
};

struct xg_stats_snapshot {
	struct xg_instance inst;   /* refreshed if the program was replaced */
	struct xg_counter actions[XG_ACT__MAX];
	struct xg_counter reasons[XG_RSN__MAX];
	struct xg_source_row *sources; /* IPv4 then IPv6 until ranked */
	size_t nr_sources;
	struct xg_prog_cfg cfg;        /* admission on or off (exact) */
	struct xg_admission adm;       /* what the admission stage held */
	__u64 est_bound;  /* a row's held_est may exceed the truth by this (95%) */
	size_t nr_family[2];       /* rows of IPv4, IPv6 */
	size_t nr_lru[2];          /* of those, entries of the LRU maps (fill) */
	struct xg_evictions ev;    /* what the rows no longer hold */
	__u64 mono_ns; /* CLOCK_MONOTONIC when the maps were read */
	__u64 real_ns; /* CLOCK_REALTIME at the same moment */
};

/* Read everything for one instance into *s (zeroed first). When the
 * program was replaced between discovery and this call, the interface is
 * probed again and the new program read (s->inst says which).
 * Returns 0; -ESRCH when xdpgate no longer runs on the interface; -ENOENT
 * when the program lacks xdpgate's maps; -EPROTO for maps of another
 * layout; other negative errno from the kernel. Free with xg_stats_free().
 */
int xg_stats_read(const struct xg_instance *in, struct xg_stats_snapshot *s);
void xg_stats_free(struct xg_stats_snapshot *s);

/* Put the best min(top, n) rows first, in order: descending by key (for
 * packets: the exact packets plus the held estimate, held_est), ties by
 * family (IPv4 first) then address bytes. Rows past top are left in no
 * particular order. top = SIZE_MAX sorts everything.
 */
void xg_sources_rank(struct xg_source_row *rows, size_t n,
		     enum xg_sort_key key, size_t top);

/* The busiest sources of one instance's maps, both families: the exact
 * rows (LRU maps, then the hot slots merged in) with the admission stage's
 * estimate of each source's held packets (held_est, flag XG_ROW_ESTIMATE),
 * ranked by xg_sources_rank(key, top). What `stats --top`, `top` and the
 * exporter show. *rows is malloc'd (free it); *bound (may be NULL) gets how
 * far a held_est may exceed the truth (95%). 0 or a negative errno.
 */
int xg_read_top_sources(const struct xg_maps *m, enum xg_sort_key key,
			size_t top, struct xg_source_row **rows, size_t *n,
			__u64 *bound);

/* A monotonic stamp (bpf_ktime_get_coarse_ns) as Unix epoch seconds:
 * real - (mono - stamp). 0 for a stamp of 0 (never seen).
 */
double xg_stamp_epoch(const struct xg_stats_snapshot *s, __u64 stamp_ns);

/* Seconds between the stamp and the snapshot, never negative. */
double xg_stamp_age(const struct xg_stats_snapshot *s, __u64 stamp_ns);

#endif
