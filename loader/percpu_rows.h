/* SPDX-License-Identifier: GPL-2.0 */
/* Building source rows: each entry's per-CPU values summed into one
 * struct xg_source_row, appended to a growing array. Shared by the map
 * readers (percpu_read.c, percpu_batch.c); not a public API.
 */
#ifndef XG_PERCPU_ROWS_H
#define XG_PERCPU_ROWS_H

#include <stddef.h>
#include <linux/types.h>

#include "percpu_read.h"

/* Per-CPU values are laid out with each CPU's copy rounded up to 8 bytes. */
#define XG_PERCPU_STRIDE(sz) (((size_t)(sz) + 7) & ~(size_t)7)
#define XG_SRC_STRIDE XG_PERCPU_STRIDE(sizeof(struct xg_src_stats))

/* Rows appended during one read; the caller publishes len only on success. */
struct xg_row_buf {
	struct xg_source_row *rows;
	size_t start;   /* rows before this belong to earlier reads */
	size_t len;     /* rows in use, start included */
	size_t cap;
	int family;     /* AF_INET or AF_INET6 */
	__u32 key_size; /* 4 or 16 */
	int ncpu;       /* per-CPU copies in each value */
};

/* An empty buffer for the family (rows NULL, grown on demand). */
void xg_rows_init(struct xg_row_buf *b, int family, int ncpu);

/* Room for `more` rows past len. 0 or -ENOMEM (rows left as they were). */
int xg_rows_reserve(struct xg_row_buf *b, size_t more);

/* Sum one key's per-CPU values (ncpu copies, XG_SRC_STRIDE apart) into
 * the next row; space must be reserved.
 */
void xg_rows_append(struct xg_row_buf *b, const void *key,
		    const unsigned char *vals);

/* Compare two rows' addresses (for qsort/bsearch). */
int xg_rows_cmp_addr(const void *a, const void *b);

/* Keep one row per address in rows[start, len): the one with more
 * packets (the later reading). Sorts that range by address.
 */
void xg_rows_dedupe(struct xg_row_buf *b);

#endif
