/* SPDX-License-Identifier: GPL-2.0 */
/* Reading xdpgate's per-CPU maps: every CPU's copy of a value summed into
 * one. These only read; printing, sorting and time conversion live in the
 * stats_* files, so `stats`, `top`, `serve` and the benchmark share them.
 */
#ifndef XG_PERCPU_READ_H
#define XG_PERCPU_READ_H

#include <stddef.h>
#include <linux/types.h>

#include "xdpgate_types.h"

/* One source address with its counters summed over all CPUs. 80 bytes, so
 * a million rows is one 80 MB array. The counters are exact: what the LRU
 * map and the hot slots hold. held_est is the admission stage's estimate
 * of the source's packets it held instead (sketch_read.h), filled only by
 * xg_sketch_annotate(): XG_ROW_ESTIMATE marks a row where it is not zero.
 */
#define XG_ROW_ESTIMATE 0x01
struct xg_source_row {
	__u8 addr[16];      /* IPv4: first 4 bytes, network order, rest zero */
	__u64 packets;      /* summed over CPUs */
	__u64 bytes;
	__u64 drops;
	__u64 redirects;
	__u64 limited;
	__u64 last_seen_ns; /* max over CPUs, CLOCK_MONOTONIC; 0 = never */
	__u8 family;        /* AF_INET or AF_INET6 */
	__u8 flags;         /* XG_ROW_* */
	__u8 _pad[6];
	__u64 held_est;     /* estimated packets held in the sketch, not counted above */
};
_Static_assert(sizeof(struct xg_source_row) == 80, "xg_source_row layout");

/* How xg_read_sources_with() reads a per-source map. */
enum xg_read_backend {
	/* The fastest the kernel allows, probed at run time: split batch
	 * reads on large maps with several CPUs, else one batch walk, else
	 * the key-by-key walk.
	 */
	XG_READ_AUTO = 0,
	/* One thread of BPF_MAP_LOOKUP_BATCH calls. */
	XG_READ_BATCH,
	/* The map's hash buckets split into ranges, one thread each (at
	 * least 2, however small the map): -EOPNOTSUPP where the kernel's
	 * batch token is not the bucket index this relies on.
	 */
	XG_READ_BATCH_SPLIT,
	/* bpf_map_get_next_key + lookup, one syscall pair per key. */
	XG_READ_KEYWALK,
};

/* Read every entry of a per-source map (xg_src_v4 with AF_INET, xg_src_v6
 * with AF_INET6) and sum each entry's per-CPU values: packets, bytes, drops,
 * redirects and limited added, last_seen_ns the latest.
 *
 * Rows are APPENDED to *rows (grown with realloc; start from NULL and 0),
 * so both families can share one array; the caller frees *rows. The map
 * may change while it is read (LRU eviction, new sources): each source
 * then appears at most once, with the values seen when read.
 *
 * Returns the number of rows appended, or a negative errno: -EPROTO when
 * the map's key/value sizes are not xdpgate's, -EOPNOTSUPP when a forced
 * backend is not available. On error *n is unchanged and *rows is still
 * the caller's to free.
 */
int xg_read_sources_with(int map_fd, int family, struct xg_source_row **rows,
			 size_t *n, enum xg_read_backend backend);

/* xg_read_sources_with(..., XG_READ_AUTO). */
int xg_read_sources(int map_fd, int family, struct xg_source_row **rows,
		    size_t *n);

/* Add the pending counts of a hot-source cache (xg_hot_v4 with AF_INET,
 * xg_hot_v6 with AF_INET6) to the family's rows in *rows, appending a row
 * for each source that is only in the cache so far. Call it AFTER reading
 * the family's LRU map: counts only move from the cache to the map, so in
 * that order a concurrent write-back delays a count to the next read but
 * never shows it twice.
 *
 * Returns the number of rows appended, or a negative errno (-EPROTO when
 * the map is not an xdpgate hot cache of that family).
 */
int xg_merge_hot(int hot_fd, int family, struct xg_source_row **rows, size_t *n);

/* One family's sources as the data plane holds them: xg_read_sources() on
 * the LRU map, then xg_merge_hot() with its cache, in that order. Appends
 * to *rows like both; returns 0 or a negative errno.
 */
int xg_read_sources_merged(int src_fd, int hot_fd, int family,
			   struct xg_source_row **rows, size_t *n);

/* How many slots of a hot-source cache hold counts not yet written back
 * (on any CPU), or a negative errno.
 */
int xg_hot_pending(int hot_fd);

/* Sum a per-CPU array of struct xg_counter (xg_actions, xg_reasons) into
 * out[0..nr). Indexes the map does not have (an older, smaller map) read
 * as zero. Returns 0 or a negative errno.
 */
int xg_read_counters(int map_fd, struct xg_counter *out, __u32 nr);

/* The same for a per-CPU array of __u64 (xg_inserts). */
int xg_read_percpu_u64(int map_fd, __u64 *out, __u32 nr);

#endif
