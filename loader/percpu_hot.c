// SPDX-License-Identifier: GPL-2.0
/* Adding the hot-source caches' pending counts to rows read from the LRU
 * maps. The caches are small (XG_HOT_SLOTS per CPU), so their pending
 * entries go into a little open-addressing table, and one pass over the
 * rows finds each row's pending counts in it; what no row claimed is a
 * source that is only in the cache so far, appended as a new row.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <bpf/bpf.h>

#include "percpu_read.h"
#include "percpu_rows.h"
#include "util.h"

struct pending {
	struct xg_source_row row; /* sums over CPUs; family 0 = empty */
	bool claimed;
};

struct pending_set {
	struct pending *e;
	size_t mask;
	size_t used;
};

static size_t addr_hash(const __u8 *a)
{
	__u64 x, y;

	memcpy(&x, a, 8);
	memcpy(&y, a + 8, 8);
	x ^= y * 0x9e3779b97f4a7c15ULL;
	return (size_t)((x * 0xbf58476d1ce4e5b9ULL) >> 17);
}

static struct pending *find(struct pending_set *t, const __u8 *addr, bool add)
{
	size_t i = addr_hash(addr) & t->mask;

	for (;; i = (i + 1) & t->mask) {
		struct pending *p = &t->e[i];

		if (!p->row.family) {
			if (!add)
				return NULL;
			memcpy(p->row.addr, addr, 16);
			t->used++;
			return p;
		}
		if (!memcmp(p->row.addr, addr, 16))
			return p;
	}
}

static void add_counts(struct xg_source_row *r, const struct xg_src_stats *s)
{
	r->packets += s->packets;
	r->bytes += s->bytes;
	r->drops += s->drops;
	r->redirects += s->redirects;
	if (s->last_seen_ns > r->last_seen_ns)
		r->last_seen_ns = s->last_seen_ns;
}

/* The slot's pending stats and its owner's address as 16 bytes. */
static const struct xg_src_stats *slot_view(const unsigned char *v, int family,
					    __u8 addr[16])
{
	memset(addr, 0, 16);
	if (family == AF_INET) {
		const struct xg_hot_v4 *h = (const void *)v;

		memcpy(addr, &h->addr, 4);
		return &h->s;
	}
	memcpy(addr, ((const struct xg_hot_v6 *)(const void *)v)->addr.addr, 16);
	return &((const struct xg_hot_v6 *)(const void *)v)->s;
}

static int collect(int fd, int family, __u32 slots, size_t vsize,
		   struct pending_set *t)
{
	size_t stride = XG_PERCPU_STRIDE(vsize);
	int ncpu = xg_nr_cpus();
	unsigned char *vals = malloc((size_t)ncpu * stride);
	__u8 addr[16];

	if (!vals)
		return -ENOMEM;
	for (__u32 k = 0; k < slots; k++) {
		if (bpf_map_lookup_elem(fd, &k, vals)) {
			free(vals);
			return -errno;
		}
		for (int c = 0; c < ncpu; c++) {
			const struct xg_src_stats *s =
				slot_view(vals + (size_t)c * stride, family, addr);
			struct pending *p;

			if (!s->packets)
				continue;
			p = find(t, addr, true);
			p->row.family = (__u8)family;
			add_counts(&p->row, s);
		}
	}
	free(vals);
	return 0;
}

int xg_merge_hot(int hot_fd, int family, struct xg_source_row **rows, size_t *n)
{
	size_t vsize = family == AF_INET ? sizeof(struct xg_hot_v4)
					 : sizeof(struct xg_hot_v6);
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	struct pending_set t = {};
	size_t cap = 16, added = 0;
	int ncpu = xg_nr_cpus(), err;

	if (ncpu <= 0)
		return ncpu ? ncpu : -EINVAL;
	if (bpf_obj_get_info_by_fd(hot_fd, &info, &len))
		return -errno;
	if (info.type != BPF_MAP_TYPE_PERCPU_ARRAY || info.value_size != vsize ||
	    (family != AF_INET && family != AF_INET6))
		return -EPROTO;
	while (cap < 2 * (size_t)info.max_entries * (size_t)ncpu)
		cap <<= 1;
	t.e = calloc(cap, sizeof(*t.e));
	if (!t.e)
		return -ENOMEM;
	t.mask = cap - 1;
	err = collect(hot_fd, family, info.max_entries, vsize, &t);
	if (err)
		goto out;

	for (size_t i = 0; i < *n && t.used; i++) {
		struct xg_source_row *r = &(*rows)[i];
		struct pending *p;

		if (r->family != family || !(p = find(&t, r->addr, false)))
			continue;
		r->packets += p->row.packets;
		r->bytes += p->row.bytes;
		r->drops += p->row.drops;
		r->redirects += p->row.redirects;
		if (p->row.last_seen_ns > r->last_seen_ns)
			r->last_seen_ns = p->row.last_seen_ns;
		p->claimed = true;
	}
	for (size_t i = 0; i < cap; i++)
		added += t.e[i].row.family && !t.e[i].claimed;
	if (added) {
		struct xg_source_row *grown =
			realloc(*rows, (*n + added) * sizeof(**rows));

		if (!grown) {
			err = -ENOMEM;
			goto out;
		}
		*rows = grown;
		for (size_t i = 0; i < cap; i++)
			if (t.e[i].row.family && !t.e[i].claimed)
				(*rows)[(*n)++] = t.e[i].row;
	}
	err = (int)added;
out:
	free(t.e);
	return err;
}

int xg_hot_pending(int hot_fd)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	int ncpu = xg_nr_cpus(), pending = 0;
	size_t stride;
	unsigned char *vals;

	if (ncpu <= 0)
		return ncpu ? ncpu : -EINVAL;
	if (bpf_obj_get_info_by_fd(hot_fd, &info, &len))
		return -errno;
	if (info.type != BPF_MAP_TYPE_PERCPU_ARRAY ||
	    info.value_size < sizeof(struct xg_src_stats))
		return -EPROTO;
	stride = XG_PERCPU_STRIDE(info.value_size);
	vals = malloc((size_t)ncpu * stride);
	if (!vals)
		return -ENOMEM;
	for (__u32 k = 0; k < info.max_entries; k++) {
		if (bpf_map_lookup_elem(hot_fd, &k, vals)) {
			free(vals);
			return -errno;
		}
		/* Both slot layouts start with their struct xg_src_stats. */
		for (int c = 0; c < ncpu; c++) {
			const struct xg_src_stats *st =
				(const void *)(vals + (size_t)c * stride);

			if (st->packets) {
				pending++;
				break;
			}
		}
	}
	free(vals);
	return pending;
}
