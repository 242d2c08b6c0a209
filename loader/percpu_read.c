// SPDX-License-Identifier: GPL-2.0
/* Per-CPU map readers. The source maps can hold a million entries, so the
 * hot loop here is: one batch syscall per chunk of keys into buffers
 * allocated once, then sum the CPUs' values straight into the output rows
 * (no allocation per entry, rows grow geometrically). Large maps are read
 * by several threads at once (percpu_batch.c says why that is the lever).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <bpf/bpf.h>
#include <linux/bpf.h>

#include "percpu_batch.h"
#include "percpu_read.h"
#include "percpu_rows.h"
#include "util.h"

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

/* get_next_key restarts from the first key when the current one was
 * deleted under it, so this walk can see a source twice: the rows are
 * deduplicated at the end, keeping the later (larger) reading of each.
 */
static int read_keywalk(int fd, struct xg_row_buf *a, __u32 max_entries)
{
	/* Under heavy churn every delete restarts the walk; stop somewhere. */
	size_t steps = 0, limit = (size_t)max_entries * 4 + 1024;
	unsigned char cur[16], next[16], *vals;
	int err;

	vals = malloc((size_t)a->ncpu * XG_SRC_STRIDE);
	if (!vals)
		return -ENOMEM;
	err = bpf_map_get_next_key(fd, NULL, next);
	while (!err && steps++ < limit) {
		int lerr = bpf_map_lookup_elem(fd, next, vals);

		if (!lerr) {
			err = xg_rows_reserve(a, 1);
			if (err)
				break;
			xg_rows_append(a, next, vals);
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
		xg_rows_dedupe(a);
	return err;
}

/* Batch lookups with the threads the map and the machine allow (forced
 * backends skip the size threshold, or the split altogether).
 */
static int read_batch(int fd, const struct bpf_map_info *info,
		      struct xg_row_buf *a, enum xg_read_backend backend)
{
	int threads = 1;

	if (backend != XG_READ_BATCH) {
		threads = xg_batch_split_threads(info,
						 backend == XG_READ_BATCH_SPLIT);
		if (threads < 2 && backend == XG_READ_BATCH_SPLIT)
			return -EOPNOTSUPP;
	}
	return xg_batch_read(fd, info, a, threads);
}

int xg_read_sources_with(int map_fd, int family, struct xg_source_row **rows,
			 size_t *n, enum xg_read_backend backend)
{
	struct bpf_map_info info;
	struct xg_row_buf a;
	int ncpu = xg_nr_cpus(), err;

	err = check_source_map(map_fd, family, &info);
	if (err)
		return err;
	if (ncpu <= 0)
		return ncpu ? ncpu : -EINVAL;
	xg_rows_init(&a, family, ncpu);
	a.rows = *rows;
	a.start = a.len = a.cap = *n;
	err = -EOPNOTSUPP;
	if (backend != XG_READ_KEYWALK)
		err = read_batch(map_fd, &info, &a, backend);
	if (err == -EOPNOTSUPP &&
	    (backend == XG_READ_AUTO || backend == XG_READ_KEYWALK)) {
		a.len = a.start;
		err = read_keywalk(map_fd, &a, info.max_entries);
	}
	*rows = a.rows; /* may have moved, even on error */
	if (err)
		return err;
	*n = a.len;
	return (int)(a.len - a.start);
}

int xg_read_sources(int map_fd, int family, struct xg_source_row **rows,
		    size_t *n)
{
	return xg_read_sources_with(map_fd, family, rows, n, XG_READ_AUTO);
}

/* Sum a per-CPU array whose values are `words` u64s into out[nr * words]. */
static int sum_percpu_words(int map_fd, __u32 words, __u64 *out, __u32 nr)
{
	size_t stride = XG_PERCPU_STRIDE(words * sizeof(__u64));
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	unsigned char *vals;
	int ncpu = xg_nr_cpus(), err = 0;

	memset(out, 0, (size_t)nr * words * sizeof(*out));
	if (ncpu <= 0)
		return ncpu ? ncpu : -EINVAL;
	if (bpf_obj_get_info_by_fd(map_fd, &info, &len))
		return -errno;
	if (info.type != BPF_MAP_TYPE_PERCPU_ARRAY ||
	    info.value_size != words * sizeof(__u64))
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
			const __u64 *v = (const __u64 *)(vals + (size_t)c * stride);

			for (__u32 w = 0; w < words; w++)
				out[i * words + w] += v[w];
		}
	}
	free(vals);
	return err;
}

int xg_read_counters(int map_fd, struct xg_counter *out, __u32 nr)
{
	_Static_assert(sizeof(struct xg_counter) == 2 * sizeof(__u64),
		       "xg_counter is two u64 words");
	return sum_percpu_words(map_fd, 2, (__u64 *)out, nr);
}

int xg_read_percpu_u64(int map_fd, __u64 *out, __u32 nr)
{
	return sum_percpu_words(map_fd, 1, out, nr);
}
