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
	__u8 addr[16];
	struct xg_src_stats sum; /* over CPUs; packets 0 = empty entry */
	bool claimed;
};

struct pending_set {
	struct pending *e;
	size_t mask;
	size_t used;
	int family;
};

static size_t addr_hash(const __u8 *a)
{
	__u64 x, y;

	memcpy(&x, a, 8);
	memcpy(&y, a + 8, 8);
	x ^= y * 0x9e3779b97f4a7c15ULL;
	return (size_t)((x * 0xbf58476d1ce4e5b9ULL) >> 17);
}

/* Pending counts are never zero packets, so an empty entry is one with
 * none; an all-zero address (0.0.0.0, ::) is a source like any other.
 */
static struct pending *find(struct pending_set *t, const __u8 *addr, bool add)
{
	size_t i = addr_hash(addr) & t->mask;

	for (;; i = (i + 1) & t->mask) {
		struct pending *p = &t->e[i];

		if (!p->sum.packets) {
			if (!add)
				return NULL;
			memcpy(p->addr, addr, 16);
			t->used++;
			return p;
		}
		if (!memcmp(p->addr, addr, 16))
			return p;
	}
}

static void add_counts(__u64 *packets, __u64 *bytes, __u64 *drops,
		       __u64 *redirects, __u64 *limited, __u64 *last_seen,
		       const struct xg_src_stats *s)
{
	*packets += s->packets;
	*bytes += s->bytes;
	*drops += s->drops;
	*redirects += s->redirects;
	*limited += s->limited;
	if (s->last_seen_ns > *last_seen)
		*last_seen = s->last_seen_ns;
}

static void add_to_row(struct xg_source_row *r, const struct xg_src_stats *s)
{
	add_counts(&r->packets, &r->bytes, &r->drops, &r->redirects,
		   &r->limited, &r->last_seen_ns, s);
}

static void add_to_stats(struct xg_src_stats *d, const struct xg_src_stats *s)
{
	add_counts(&d->packets, &d->bytes, &d->drops, &d->redirects,
		   &d->limited, &d->last_seen_ns, s);
}

/* Both slot layouts start with their struct xg_src_stats; the owner's
 * address follows written_ns.
 */
static void slot_owner(const unsigned char *v, int family, __u8 addr[16])
{
	memset(addr, 0, 16);
	if (family == AF_INET)
		memcpy(addr, &((const struct xg_hot_v4 *)(const void *)v)->addr, 4);
	else
		memcpy(addr, ((const struct xg_hot_v6 *)(const void *)v)->addr.addr, 16);
}

/* The map's info, if it is a hot-source cache: a per-CPU array whose values
 * are vsize bytes (any size >= xg_src_stats when vsize is 0).
 */
static int hot_map_info(int fd, size_t vsize, struct bpf_map_info *info)
{
	__u32 len = sizeof(*info);

	memset(info, 0, sizeof(*info));
	if (bpf_obj_get_info_by_fd(fd, info, &len))
		return -errno;
	if (info->type != BPF_MAP_TYPE_PERCPU_ARRAY ||
	    (vsize ? info->value_size != vsize
		   : info->value_size < sizeof(struct xg_src_stats)))
		return -EPROTO;
	return 0;
}

/* Call fn for every slot with its ncpu per-CPU copies, stride bytes apart. */
static int walk_slots(int fd, const struct bpf_map_info *info, int ncpu,
		      void (*fn)(const unsigned char *vals, int ncpu,
				 size_t stride, void *ctx),
		      void *ctx)
{
	size_t stride = XG_PERCPU_STRIDE(info->value_size);
	unsigned char *vals = malloc((size_t)ncpu * stride);
	int err = 0;

	if (!vals)
		return -ENOMEM;
	for (__u32 k = 0; k < info->max_entries; k++) {
		if (bpf_map_lookup_elem(fd, &k, vals)) {
			err = -errno;
			break;
		}
		fn(vals, ncpu, stride, ctx);
	}
	free(vals);
	return err;
}

static void collect_slot(const unsigned char *vals, int ncpu, size_t stride,
			 void *ctx)
{
	struct pending_set *t = ctx;
	__u8 addr[16];

	for (int c = 0; c < ncpu; c++) {
		const unsigned char *v = vals + (size_t)c * stride;
		const struct xg_src_stats *s = (const void *)v;

		if (!s->packets)
			continue;
		slot_owner(v, t->family, addr);
		add_to_stats(&find(t, addr, true)->sum, s);
	}
}

int xg_merge_hot(int hot_fd, int family, struct xg_source_row **rows, size_t *n)
{
	size_t vsize = family == AF_INET ? sizeof(struct xg_hot_v4)
					 : sizeof(struct xg_hot_v6);
	struct pending_set t = { .family = family };
	struct bpf_map_info info;
	size_t cap = 16, added = 0;
	int ncpu = xg_nr_cpus(), err;

	if (ncpu <= 0)
		return ncpu ? ncpu : -EINVAL;
	if (family != AF_INET && family != AF_INET6)
		return -EPROTO;
	err = hot_map_info(hot_fd, vsize, &info);
	if (err)
		return err;
	/* At most half full, so probing always ends at an empty entry. */
	while (cap < 2 * (size_t)info.max_entries * (size_t)ncpu)
		cap <<= 1;
	t.e = calloc(cap, sizeof(*t.e));
	if (!t.e)
		return -ENOMEM;
	t.mask = cap - 1;
	err = walk_slots(hot_fd, &info, ncpu, collect_slot, &t);
	if (err)
		goto out;

	for (size_t i = 0; i < *n && t.used; i++) {
		struct xg_source_row *r = &(*rows)[i];
		struct pending *p;

		if (r->family != family || !(p = find(&t, r->addr, false)))
			continue;
		add_to_row(r, &p->sum);
		p->claimed = true;
	}
	for (size_t i = 0; i < cap; i++)
		added += t.e[i].sum.packets && !t.e[i].claimed;
	if (added) {
		struct xg_source_row *grown =
			realloc(*rows, (*n + added) * sizeof(**rows));

		if (!grown) {
			err = -ENOMEM;
			goto out;
		}
		*rows = grown;
		for (size_t i = 0; i < cap; i++) {
			struct xg_source_row *r;

			if (!t.e[i].sum.packets || t.e[i].claimed)
				continue;
			r = &(*rows)[(*n)++];
			memset(r, 0, sizeof(*r));
			memcpy(r->addr, t.e[i].addr, 16);
			r->family = (__u8)family;
			add_to_row(r, &t.e[i].sum);
		}
	}
	err = (int)added;
out:
	free(t.e);
	return err;
}

int xg_read_sources_merged(int src_fd, int hot_fd, int family,
			   struct xg_source_row **rows, size_t *n)
{
	int err = xg_read_sources(src_fd, family, rows, n);

	if (err >= 0)
		err = xg_merge_hot(hot_fd, family, rows, n);
	return err < 0 ? err : 0;
}

static void count_pending(const unsigned char *vals, int ncpu, size_t stride,
			  void *ctx)
{
	for (int c = 0; c < ncpu; c++) {
		if (((const struct xg_src_stats *)(const void *)
		     (vals + (size_t)c * stride))->packets) {
			++*(int *)ctx;
			return;
		}
	}
}

int xg_hot_pending(int hot_fd)
{
	struct bpf_map_info info;
	int ncpu = xg_nr_cpus(), pending = 0, err;

	if (ncpu <= 0)
		return ncpu ? ncpu : -EINVAL;
	err = hot_map_info(hot_fd, 0, &info);
	if (!err)
		err = walk_slots(hot_fd, &info, ncpu, count_pending, &pending);
	return err ? err : pending;
}
