/* SPDX-License-Identifier: GPL-2.0 */
/* Batch readers of the per-source hash maps: one walk, or the map's
 * buckets split into ranges read by several threads at once. Internal to
 * percpu_read.c.
 */
#ifndef XG_PERCPU_BATCH_H
#define XG_PERCPU_BATCH_H

#include <stdbool.h>
#include <linux/bpf.h>

#include "percpu_rows.h"

/* Most threads a split read uses. */
#define XG_SPLIT_THREADS_MAX 8
/* Below this many buckets one thread is quick enough (a few ms). */
#define XG_SPLIT_MIN_BUCKETS (1u << 16)

/* How many threads a split read of this map would use: 1 when splitting
 * does not pay or the kernel's batch token is not the bucket index we
 * rely on (probed once per map type). `force` asks for at least 2 when
 * the kernel allows it, however small the map or the machine.
 */
int xg_batch_split_threads(const struct bpf_map_info *info, bool force);

/* Append every entry of the hash map to b, reading with `threads`
 * threads (1: one plain walk from the first bucket). Each source appears
 * once even when the map changes meanwhile. Returns 0, -EOPNOTSUPP when
 * the kernel has no batch ops for the map, or a negative errno; on error
 * b->len is meaningless but b->rows is still valid (the caller frees it).
 */
int xg_batch_read(int fd, const struct bpf_map_info *info,
		  struct xg_row_buf *b, int threads);

#endif
