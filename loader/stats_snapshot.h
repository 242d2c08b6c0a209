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

/* Put the best min(top, n) rows first, in order: descending by key, ties
 * by family (IPv4 first) then address bytes. Rows past top are left in no
 * particular order. top = SIZE_MAX sorts everything.
 */
void xg_sources_rank(struct xg_source_row *rows, size_t n,
		     enum xg_sort_key key, size_t top);

/* A monotonic stamp (bpf_ktime_get_coarse_ns) as Unix epoch seconds:
 * real - (mono - stamp). 0 for a stamp of 0 (never seen).
 */
double xg_stamp_epoch(const struct xg_stats_snapshot *s, __u64 stamp_ns);

/* Seconds between the stamp and the snapshot, never negative. */
double xg_stamp_age(const struct xg_stats_snapshot *s, __u64 stamp_ns);

#endif
