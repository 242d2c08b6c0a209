// SPDX-License-Identifier: GPL-2.0
/* Per-CPU map readers. The source maps can hold a million entries, so the
 * hot loop here is: one batch syscall per XG_BATCH_KEYS keys into buffers
 * allocated once, then sum the CPUs' values straight into the output rows
 * (no allocation per entry, rows grow geometrically).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <bpf/bpf.h>
#include <linux/bpf.h>

#include "percpu_read.h"
#include "util.h"

/* Keys per batch syscall. Larger chunks cut syscalls but not kernel work
 * (the kernel copies bucket by bucket); 8192 keeps the buffers at
 * 8192 * nr_cpus * 48 bytes, well under a few MB on common machines.
 */
#define XG_BATCH_KEYS 8192u
/* A single hash bucket bigger than the chunk gives -ENOSPC; grow up to this. */
#define XG_BATCH_KEYS_MAX (XG_BATCH_KEYS * 64)

/* The kernel's errno for "operation not supported" on old maps; it is not
 * in the UAPI headers (ENOTSUPP, include/linux/errno.h).
 */
#define XG_ENOTSUPP 524

/* Per-CPU values are laid out with each CPU's copy rounded up to 8 bytes. */
#define XG_PERCPU_STRIDE(sz) (((size_t)(sz) + 7) & ~(size_t)7)

/* Rows appended during one call; *n is only published on success. */
struct appender {
	struct xg_source_row **rows;
	size_t start;   /* *n on entry */
	size_t len;     /* rows in use, start included */
	size_t cap;
	int family;
	__u32 key_size;
};

static int appender_reserve(struct appender *a, size_t more)
{
	struct xg_source_row *tmp;
	size_t cap = a->cap;

	if (a->len + more <= a->cap)
		return 0;
	while (cap < a->len + more)
		cap = cap ? cap * 2 : 4096;
	tmp = realloc(*a->rows, cap * sizeof(**a->rows));
	if (!tmp)
		return -ENOMEM;
	*a->rows = tmp;
	a->cap = cap;
	return 0;
}

/* Sum one key's per-CPU values into the next row (space reserved). */
static void append_one(struct appender *a, const void *key,
		       const unsigned char *vals, int ncpu, size_t stride)
{
	struct xg_source_row *r = &(*a->rows)[a->len++];
	__u64 pk = 0, by = 0, dr = 0, rd = 0, last = 0;

	for (int c = 0; c < ncpu; c++) {
		const struct xg_src_stats *v =
			(const struct xg_src_stats *)(vals + (size_t)c * stride);

		pk += v->packets;
		by += v->bytes;
		dr += v->drops;
		rd += v->redirects;
		if (v->last_seen_ns > last)
			last = v->last_seen_ns;
	}
	memset(r->addr, 0, sizeof(r->addr));
	memcpy(r->addr, key, a->key_size);
	r->packets = pk;
	r->bytes = by;
	r->drops = dr;
	r->redirects = rd;
	r->last_seen_ns = last;
	r->family = (__u8)a->family;
	memset(r->_pad, 0, sizeof(r->_pad));
}

/* Is this one of xdpgate's per-source maps for the family? */
static int check_source_map(int fd, int family, struct bpf_map_info *info)
{
	__u32 len = sizeof(*info);
	__u32 want_key = family == AF_INET ? 4 : 16;

	if (family != AF_INET && family != AF_INET6)
		return -EINVAL;
	memset(info, 0, sizeof(*info));
	if (bpf_obj_get_info_by_fd(fd, info, &len))
		return -errno;
	if (info->key_size != want_key ||
	    info->value_size != sizeof(struct xg_src_stats) ||
	    (info->type != BPF_MAP_TYPE_LRU_PERCPU_HASH &&
	     info->type != BPF_MAP_TYPE_PERCPU_HASH))
		return -EPROTO;
	return 0;
}

static int appender_init(struct appender *a, struct xg_source_row **rows,
			 size_t *n, int family)
{
	a->rows = rows;
	a->start = a->len = a->cap = *n;
	a->family = family;
	a->key_size = family == AF_INET ? 4 : 16;
	return xg_nr_cpus();
}

/* Batch walk. Returns -EOPNOTSUPP when the kernel has no batch ops for
 * this map, so the caller can fall back.
 */
static int read_batch(int fd, struct appender *a, int ncpu)
{
	size_t stride = XG_PERCPU_STRIDE(sizeof(struct xg_src_stats));
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	__u32 chunk = XG_BATCH_KEYS, count;
	unsigned char *keys = NULL, *vals = NULL;
	__u64 in_tok = 0, out_tok = 0;
	bool first = true;
	int err;

	for (;;) {
		if (!keys) {
			keys = malloc((size_t)chunk * a->key_size);
			vals = malloc((size_t)chunk * ncpu * stride);
			if (!keys || !vals) {
				err = -ENOMEM;
				break;
			}
		}
		err = appender_reserve(a, chunk);
		if (err)
			break;
		count = chunk;
		err = bpf_map_lookup_batch(fd, first ? NULL : &in_tok, &out_tok,
					   keys, vals, &count, &opts);
		if (err && err != -ENOENT) {
			/* One bucket holds more keys than the chunk. */
			if (err == -ENOSPC && count == 0 &&
			    chunk < XG_BATCH_KEYS_MAX) {
				chunk *= 2;
				free(keys);
				free(vals);
				keys = vals = NULL;
				continue;
			}
			if (first && (err == -EINVAL || err == -XG_ENOTSUPP ||
				      err == -EOPNOTSUPP))
				err = -EOPNOTSUPP;
			break;
		}
		/* -ENOENT means "no more", but may come with a last few keys. */
		for (__u32 i = 0; i < count && i < chunk; i++)
			append_one(a, keys + (size_t)i * a->key_size,
				   vals + (size_t)i * ncpu * stride, ncpu, stride);
		if (err == -ENOENT) {
			err = 0;
			break;
		}
		in_tok = out_tok;
		first = false;
	}
	free(keys);
	free(vals);
	return err;
}

static int cmp_addr(const void *pa, const void *pb)
{
	const struct xg_source_row *a = pa, *b = pb;

	return memcmp(a->addr, b->addr, sizeof(a->addr));
}

/* get_next_key restarts from the first key when the current one was
 * deleted under it, so the key-by-key walk can see a source twice. Keep
 * the later (larger) reading of each.
 */
static void dedupe(struct appender *a)
{
	struct xg_source_row *r = *a->rows + a->start;
	size_t n = a->len - a->start, w = 0;

	if (n < 2)
		return;
	qsort(r, n, sizeof(*r), cmp_addr);
	for (size_t i = 1; i < n; i++) {
		if (!cmp_addr(&r[w], &r[i])) {
			if (r[i].packets > r[w].packets)
				r[w] = r[i];
			continue;
		}
		r[++w] = r[i];
	}
	a->len = a->start + w + 1;
}

static int read_iter(int fd, struct appender *a, int ncpu, __u32 max_entries)
{
	size_t stride = XG_PERCPU_STRIDE(sizeof(struct xg_src_stats));
	/* Under heavy churn every delete restarts the walk; stop somewhere. */
	size_t steps = 0, limit = (size_t)max_entries * 4 + 1024;
	unsigned char cur[16], next[16], *vals;
	int err;

	vals = malloc((size_t)ncpu * stride);
	if (!vals)
		return -ENOMEM;
	err = bpf_map_get_next_key(fd, NULL, next);
	while (!err && steps++ < limit) {
		int lerr = bpf_map_lookup_elem(fd, next, vals);

		if (!lerr) {
			err = appender_reserve(a, 1);
			if (err)
				break;
			append_one(a, next, vals, ncpu, stride);
		} else if (lerr != -ENOENT) { /* -ENOENT: evicted meanwhile */
			err = lerr;
			break;
		}
		memcpy(cur, next, a->key_size);
		err = bpf_map_get_next_key(fd, cur, next);
	}
	free(vals);
	if (err == -ENOENT || (!err && steps > limit))
		err = 0;
	if (!err)
		dedupe(a);
	return err;
}

static int read_sources(int map_fd, int family, struct xg_source_row **rows,
			size_t *n, bool batch)
{
	struct bpf_map_info info;
	struct appender a;
	int ncpu, err;

	err = check_source_map(map_fd, family, &info);
	if (err)
		return err;
	ncpu = appender_init(&a, rows, n, family);
	if (ncpu <= 0)
		return ncpu ? ncpu : -EINVAL;
	err = batch ? read_batch(map_fd, &a, ncpu) : -EOPNOTSUPP;
	if (err == -EOPNOTSUPP) {
		a.len = a.start;
		err = read_iter(map_fd, &a, ncpu, info.max_entries);
	}
	if (err)
		return err;
	*n = a.len;
	return (int)(a.len - a.start);
}

int xg_read_sources(int map_fd, int family, struct xg_source_row **rows,
		    size_t *n)
{
	return read_sources(map_fd, family, rows, n, true);
}

int xg_read_sources_iter(int map_fd, int family, struct xg_source_row **rows,
			 size_t *n)
{
	return read_sources(map_fd, family, rows, n, false);
}

int xg_read_counters(int map_fd, struct xg_counter *out, __u32 nr)
{
	size_t stride = XG_PERCPU_STRIDE(sizeof(struct xg_counter));
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	unsigned char *vals;
	int ncpu = xg_nr_cpus(), err = 0;

	memset(out, 0, (size_t)nr * sizeof(*out));
	if (ncpu <= 0)
		return ncpu ? ncpu : -EINVAL;
	if (bpf_obj_get_info_by_fd(map_fd, &info, &len))
		return -errno;
	if (info.type != BPF_MAP_TYPE_PERCPU_ARRAY ||
	    info.value_size != sizeof(struct xg_counter))
		return -EPROTO;
	vals = malloc((size_t)ncpu * stride);
	if (!vals)
		return -ENOMEM;
	/* A handful of indexes: one lookup each is simpler than a batch and
	 * works on every kernel.
	 */
	for (__u32 i = 0; i < nr && i < info.max_entries; i++) {
		err = bpf_map_lookup_elem(map_fd, &i, vals);
		if (err)
			break;
		for (int c = 0; c < ncpu; c++) {
			const struct xg_counter *v =
				(const struct xg_counter *)(vals + (size_t)c * stride);

			out[i].packets += v->packets;
			out[i].bytes += v->bytes;
		}
	}
	free(vals);
	return err;
}
