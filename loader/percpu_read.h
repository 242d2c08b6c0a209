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

/* One source address with its counters summed over all CPUs. 64 bytes, so
 * a million rows is one 64 MB array and a row is one cache line.
 */
struct xg_source_row {
	__u8 addr[16];      /* IPv4: first 4 bytes, network order, rest zero */
	__u64 packets;      /* summed over CPUs */
	__u64 bytes;
	__u64 drops;
	__u64 redirects;
	__u64 last_seen_ns; /* max over CPUs, CLOCK_MONOTONIC; 0 = never */
	__u8 family;        /* AF_INET or AF_INET6 */
	__u8 _pad[7];
};
_Static_assert(sizeof(struct xg_source_row) == 64, "xg_source_row layout");

/* Read every entry of a per-source map (xg_src_v4 with AF_INET, xg_src_v6
 * with AF_INET6) and sum each entry's per-CPU values: packets, bytes, drops
 * and redirects added, last_seen_ns the latest.
 *
 * Rows are APPENDED to *rows (grown with realloc; start from NULL and 0),
 * so both families can share one array; the caller frees *rows. Uses batch
 * lookups, and falls back to xg_read_sources_iter() on kernels without
 * them. The map may change while it is read (LRU eviction, new sources):
 * each source then appears at most once, with the values seen when read.
 *
 * Returns the number of rows appended, or a negative errno: -EPROTO when
 * the map's key/value sizes are not xdpgate's. On error *n is unchanged
 * and *rows is still the caller's to free.
 */
int xg_read_sources(int map_fd, int family, struct xg_source_row **rows,
		    size_t *n);

/* Same contract, one key at a time (bpf_map_get_next_key + lookup): the
 * fallback for kernels without batch ops, exported for tests and benchmarks.
 */
int xg_read_sources_iter(int map_fd, int family, struct xg_source_row **rows,
			 size_t *n);

/* Sum a per-CPU array of struct xg_counter (xg_actions, xg_reasons) into
 * out[0..nr). Indexes the map does not have (an older, smaller map) read
 * as zero. Returns 0 or a negative errno.
 */
int xg_read_counters(int map_fd, struct xg_counter *out, __u32 nr);

#endif
