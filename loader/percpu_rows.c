// SPDX-License-Identifier: GPL-2.0
/* Summing per-CPU source values into rows (see percpu_rows.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "percpu_rows.h"
#include "util.h"

void xg_rows_init(struct xg_row_buf *b, int family, int ncpu)
{
	memset(b, 0, sizeof(*b));
	b->family = family;
	b->key_size = family == AF_INET ? 4 : 16;
	b->ncpu = ncpu;
}

int xg_rows_reserve(struct xg_row_buf *b, size_t more)
{
	struct xg_source_row *tmp;
	size_t cap = b->cap;

	if (b->len + more <= b->cap)
		return 0;
	while (cap < b->len + more)
		cap = cap ? cap * 2 : 4096;
	tmp = realloc(b->rows, cap * sizeof(*b->rows));
	if (!tmp)
		return -ENOMEM;
	b->rows = tmp;
	b->cap = cap;
	return 0;
}

void xg_rows_append(struct xg_row_buf *b, const void *key,
		    const unsigned char *vals)
{
	struct xg_source_row *r = &b->rows[b->len++];
	__u64 pk = 0, by = 0, dr = 0, rd = 0, li = 0, last = 0;

	for (int c = 0; c < b->ncpu; c++) {
		const struct xg_src_stats *v =
			(const struct xg_src_stats *)(vals + (size_t)c * XG_SRC_STRIDE);

		pk += v->packets;
		by += v->bytes;
		dr += v->drops;
		rd += v->redirects;
		li += v->limited;
		if (v->last_seen_ns > last)
			last = v->last_seen_ns;
	}
	memset(r->addr, 0, sizeof(r->addr));
	memcpy(r->addr, key, b->key_size);
	r->packets = pk;
	r->bytes = by;
	r->drops = dr;
	r->redirects = rd;
	r->limited = li;
	r->last_seen_ns = last;
	r->family = (__u8)b->family;
	r->flags = 0;
	memset(r->_pad, 0, sizeof(r->_pad));
	r->held_est = 0;
}

int xg_rows_cmp_addr(const void *pa, const void *pb)
{
	const struct xg_source_row *a = pa, *b = pb;

	return memcmp(a->addr, b->addr, sizeof(a->addr));
}

void xg_rows_dedupe(struct xg_row_buf *b)
{
	struct xg_source_row *r = b->rows + b->start;
	size_t n = b->len - b->start, w = 0;

	if (n < 2)
		return;
	xg_qsort(r, n, sizeof(*r), xg_rows_cmp_addr);
	for (size_t i = 1; i < n; i++) {
		if (!xg_rows_cmp_addr(&r[w], &r[i])) {
			if (r[i].packets > r[w].packets)
				r[w] = r[i];
			continue;
		}
		r[++w] = r[i];
	}
	b->len = b->start + w + 1;
}
