// SPDX-License-Identifier: GPL-2.0
/* Batch reads of the per-source hash maps.
 *
 * Where the time goes (measured on a 2-CPU VM, kernel 6.18): one thread
 * of BPF_MAP_LOOKUP_BATCH costs ~0.3 us per entry on a map that fits in
 * cache (per-bucket lock, two copy_to_user calls) and 0.6-0.9 us at a
 * million entries, the rest being memory: each element and each CPU's
 * copy of its value sit at random places in vmalloc'ed memory, a cache
 * and TLB miss each, and the per-bucket lock serialises one bucket's
 * misses with the next's. Chunk size and syscall count do not matter (a
 * few hundred syscalls per million entries). A bpf_iter program summing
 * inside the kernel walks the same buckets: the kernel copies every CPU's
 * value for it too, at the same cost.
 *
 * What does help is more CPUs missing at once. For hash maps the batch
 * token is the index of the next bucket to read (kernel/bpf/hashtab.c,
 * stable since batch ops appeared in 5.6), so threads can start at
 * different buckets. The UAPI calls the token opaque, so a read only
 * splits after a probe on a scratch hash map has shown that starting at
 * bucket b yields exactly the tail of the full walk.
 *
 * A call returns whole buckets, so the thread reading buckets [s, e) may
 * overshoot e by its last call; the next threads read those buckets too.
 * Such duplicates can only be in that last call and in the later threads'
 * calls that started below where the overshoot stopped; they are removed
 * there, keeping one reading per source.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "percpu_batch.h"
#include "util.h"

/* Values per syscall are capped in bytes so a machine with many CPUs does
 * not allocate nr_cpus * 48 bytes * 8192 per thread.
 */
#define XG_BATCH_KEYS 8192u
#define XG_BATCH_MIN_KEYS 256u
#define XG_BATCH_VALUE_BYTES (4u << 20)
/* A single hash bucket bigger than the chunk gives -ENOSPC; grow up to this. */
#define XG_BATCH_KEYS_MAX (XG_BATCH_KEYS * 64)

/* The kernel's errno for "operation not supported" on old maps; it is not
 * in the UAPI headers (ENOTSUPP, include/linux/errno.h).
 */
#define XG_ENOTSUPP 524

/* Keys asked for beyond the expected rest of a range (see trim_count). */
#define XG_TRIM_SLACK 64u

/* Scratch map for the token probe: enough buckets that some start in the
 * middle of the walk, few enough to check every start.
 */
#define XG_PROBE_BUCKETS 16u
#define XG_PROBE_KEYS 8u

/* The hash map batch token: a u32 bucket index, kept in 8 zeroed bytes.
 * A walk asked to start past the last bucket fails with -ENOENT before
 * the kernel writes the out token or the count: the out token still
 * holding XG_TOKEN_UNSET (never a bucket index) says nothing was read.
 */
#define XG_TOKEN_UNSET UINT32_MAX
union batch_token {
	__u32 bucket;
	__u64 raw;
};

/* Where one batch call's rows start, to find the calls that may hold
 * duplicates after the fact.
 */
struct batch_call {
	__u32 in_bucket;
	size_t row;
};

struct batch_part {
	int fd;
	__u32 start, end;  /* buckets [start, end); end ignored when last */
	bool last;         /* read until the kernel says there is no more */
	struct xg_row_buf rows;
	struct batch_call *calls;
	size_t nr_calls, cap_calls;
	__u32 stop;        /* out token of the last call: buckets read < stop */
	int err;
};

static __u32 batch_chunk(int ncpu)
{
	__u32 keys = XG_BATCH_VALUE_BYTES / ((__u32)ncpu * XG_SRC_STRIDE);

	if (keys > XG_BATCH_KEYS)
		return XG_BATCH_KEYS;
	return keys < XG_BATCH_MIN_KEYS ? XG_BATCH_MIN_KEYS : keys;
}

static int record_call(struct batch_part *p, __u32 in_bucket)
{
	if (p->nr_calls == p->cap_calls) {
		size_t cap = p->cap_calls ? p->cap_calls * 2 : 64;
		struct batch_call *tmp = realloc(p->calls, cap * sizeof(*tmp));

		if (!tmp)
			return -ENOMEM;
		p->calls = tmp;
		p->cap_calls = cap;
	}
	p->calls[p->nr_calls++] = (struct batch_call){ in_bucket, p->rows.len };
	return 0;
}

/* Near the end of its range, a part asks for about as many keys as the
 * buckets left hold at the density seen so far, plus some slack: its last
 * call then overshoots into the next range by a few keys, not a chunk.
 */
static __u32 trim_count(const struct batch_part *p, __u32 at, size_t rows,
			__u32 chunk)
{
	__u64 done = at - p->start, left = p->end - at, want;

	if (!done || at >= p->end)
		return chunk;
	want = rows * left / done + XG_TRIM_SLACK;
	return want < chunk ? (__u32)want : chunk;
}

/* Read buckets from p->start until a call's out token reaches p->end (or
 * the end of the map). Returns -EOPNOTSUPP when the very first call finds
 * no batch support, so the caller can fall back.
 */
static int walk_part(struct batch_part *p)
{
	struct xg_row_buf *b = &p->rows;
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	__u32 chunk = batch_chunk(b->ncpu), count;
	unsigned char *keys = NULL, *vals = NULL;
	union batch_token in = { .raw = 0 }, out = { .raw = 0 };
	size_t row0 = b->len;
	bool first = true, trim = true;
	int err;

	in.bucket = p->start;
	for (;;) {
		if (!keys) {
			keys = malloc((size_t)chunk * b->key_size);
			vals = malloc((size_t)chunk * b->ncpu * XG_SRC_STRIDE);
			if (!keys || !vals) {
				err = -ENOMEM;
				break;
			}
		}
		err = xg_rows_reserve(b, chunk);
		if (!err)
			err = record_call(p, in.bucket);
		if (err)
			break;
		count = chunk;
		if (trim && !first && !p->last)
			count = trim_count(p, in.bucket, b->len - row0, chunk);
		out.bucket = XG_TOKEN_UNSET;
		/* The first part starts the documented way, without a token. */
		err = bpf_map_lookup_batch(p->fd, first && !p->start ? NULL : &in,
					   &out, keys, vals, &count, &opts);
		if (err == -ENOENT && out.bucket == XG_TOKEN_UNSET)
			count = 0; /* started past the last bucket */
		if (err && err != -ENOENT) {
			p->nr_calls--;
			/* The next bucket holds more keys than asked for. */
			if (err == -ENOSPC && count == 0 && trim) {
				trim = false;
				continue;
			}
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
			xg_rows_append(b, keys + (size_t)i * b->key_size,
				       vals + (size_t)i * b->ncpu * XG_SRC_STRIDE);
		if (err == -ENOENT) {
			p->stop = UINT32_MAX;
			err = 0;
			break;
		}
		in = out;
		first = false;
		if (!p->last && out.bucket >= p->end) {
			p->stop = out.bucket;
			break;
		}
	}
	free(keys);
	free(vals);
	return err;
}

static void *walk_thread(void *arg)
{
	struct batch_part *p = arg;

	p->err = walk_part(p);
	return NULL;
}

static int cmp_addr16(const void *a, const void *b)
{
	return memcmp(a, b, 16);
}

/* Drop from part k's last call the sources that a later part read again
 * (its calls that started below parts[k].stop). Either reading is one the
 * map held; keeping the later part's keeps that part contiguous.
 */
static int drop_overlap(struct batch_part *parts, int nparts, int k)
{
	struct batch_part *prev = &parts[k];
	struct xg_row_buf *pb = &prev->rows;
	size_t from, nseen = 0, w;
	__u8 (*seen)[16];

	if (!prev->nr_calls)
		return 0;
	for (int j = k + 1; j < nparts && parts[j].start < prev->stop; j++)
		nseen += parts[j].rows.len;
	if (!nseen)
		return 0;
	seen = malloc(nseen * sizeof(*seen));
	if (!seen)
		return -ENOMEM;
	nseen = 0;
	for (int j = k + 1; j < nparts && parts[j].start < prev->stop; j++) {
		const struct batch_part *next = &parts[j];

		for (size_t c = 0; c < next->nr_calls &&
				   next->calls[c].in_bucket < prev->stop; c++) {
			size_t end = c + 1 < next->nr_calls ?
					     next->calls[c + 1].row : next->rows.len;

			for (size_t i = next->calls[c].row; i < end; i++)
				memcpy(seen[nseen++], next->rows.rows[i].addr, 16);
		}
	}
	xg_qsort(seen, nseen, sizeof(*seen), cmp_addr16);
	from = prev->calls[prev->nr_calls - 1].row;
	for (w = from; from < pb->len; from++) {
		if (nseen && bsearch(pb->rows[from].addr, seen, nseen,
				     sizeof(*seen), cmp_addr16))
			continue;
		pb->rows[w++] = pb->rows[from];
	}
	pb->len = w;
	free(seen);
	return 0;
}

/* Append parts[1..] to parts[0] (the caller's buffer), then free them. */
static int merge_parts(struct batch_part *parts, int nparts)
{
	struct xg_row_buf *dst = &parts[0].rows;
	size_t more = 0;
	int err = 0;

	for (int k = 0; !err && k + 1 < nparts; k++)
		err = drop_overlap(parts, nparts, k);
	for (int k = 1; k < nparts; k++)
		more += parts[k].rows.len;
	if (!err)
		err = xg_rows_reserve(dst, more);
	for (int k = 1; k < nparts; k++) {
		if (!err) {
			memcpy(dst->rows + dst->len, parts[k].rows.rows,
			       parts[k].rows.len * sizeof(*dst->rows));
			dst->len += parts[k].rows.len;
		}
		free(parts[k].rows.rows);
	}
	return err;
}

/* Hash maps have a power-of-two bucket count of at least max_entries. A
 * wrong guess only unbalances the threads: the last one reads to the end
 * and one starting past the end reads nothing.
 */
static __u32 est_buckets(const struct bpf_map_info *info)
{
	__u32 n = 1;

	while (n < info->max_entries && n < (1u << 31))
		n <<= 1;
	return n;
}

int xg_batch_read(int fd, const struct bpf_map_info *info,
		  struct xg_row_buf *b, int threads)
{
	struct batch_part parts[XG_SPLIT_THREADS_MAX] = { 0 };
	pthread_t tid[XG_SPLIT_THREADS_MAX];
	bool started[XG_SPLIT_THREADS_MAX] = { false };
	__u32 buckets = est_buckets(info);
	int err = 0;

	if (threads < 1)
		threads = 1;
	if (threads > XG_SPLIT_THREADS_MAX)
		threads = XG_SPLIT_THREADS_MAX;
	for (int k = 0; k < threads; k++) {
		struct batch_part *p = &parts[k];

		p->fd = fd;
		p->start = (__u32)((__u64)buckets * k / threads);
		p->end = (__u32)((__u64)buckets * (k + 1) / threads);
		p->last = k == threads - 1;
		if (k)
			xg_rows_init(&p->rows, b->family, b->ncpu);
		else
			p->rows = *b;
	}
	/* The calling thread reads the last range; a thread that cannot be
	 * started has its range read here too, one after the other.
	 */
	for (int k = 0; k + 1 < threads; k++)
		started[k] = !pthread_create(&tid[k], NULL, walk_thread, &parts[k]);
	for (int k = threads - 1; k >= 0; k--)
		if (!started[k])
			parts[k].err = walk_part(&parts[k]);
	for (int k = 0; k + 1 < threads; k++)
		if (started[k])
			pthread_join(tid[k], NULL);
	for (int k = 0; k < threads && !err; k++)
		err = parts[k].err;
	if (!err) {
		err = merge_parts(parts, threads);
	} else {
		for (int k = 1; k < threads; k++)
			free(parts[k].rows.rows);
	}
	*b = parts[0].rows;
	for (int k = 0; k < threads; k++)
		free(parts[k].calls);
	return err;
}

/* Keys read by one walk starting at bucket `start` (0: no token). */
static int probe_walk(int fd, __u32 start, size_t val_size,
		      unsigned char *keys, __u32 *count)
{
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	union batch_token in = { .raw = 0 }, out = { .raw = 0 };
	unsigned char *vals = malloc(XG_PROBE_BUCKETS * val_size);
	int err;

	if (!vals)
		return -ENOMEM;
	in.bucket = start;
	out.bucket = XG_TOKEN_UNSET;
	*count = XG_PROBE_BUCKETS;
	err = bpf_map_lookup_batch(fd, start ? &in : NULL, &out, keys, vals,
				   count, &opts);
	if (err == -ENOENT && out.bucket == XG_TOKEN_UNSET)
		*count = 0;
	free(vals);
	return err == -ENOENT ? 0 : (err ? err : -EPROTO);
}

/* Does starting a batch walk at bucket b give exactly the tail of the full
 * walk, for every b, with at least one start strictly inside it? The
 * scratch map is a plain PERCPU_HASH: the kernel's batch walk is the same
 * code for every hash flavour, and an LRU map this small could evict.
 */
static bool probe_split(const struct bpf_map_info *info, int ncpu)
{
	unsigned char full[XG_PROBE_BUCKETS * 16], part[XG_PROBE_BUCKETS * 16];
	size_t val_size = (size_t)ncpu * XG_PERCPU_STRIDE(info->value_size);
	__u32 key_size = info->key_size, nfull = 0, n, prev;
	bool inside = false, ok = true;
	unsigned char *vals;
	int fd;

	if (key_size > 16 || ncpu <= 0)
		return false;
	fd = bpf_map_create(BPF_MAP_TYPE_PERCPU_HASH, "xg_split_probe",
			    key_size, info->value_size, XG_PROBE_BUCKETS, NULL);
	if (fd < 0)
		return false;
	vals = calloc(1, val_size);
	ok = vals != NULL;
	for (__u32 i = 0; ok && i < XG_PROBE_KEYS; i++) {
		unsigned char key[16] = { 0 };

		key[0] = (unsigned char)(i + 1);
		ok = !bpf_map_update_elem(fd, key, vals, BPF_NOEXIST);
	}
	ok = ok && !probe_walk(fd, 0, val_size, full, &nfull) &&
	     nfull == XG_PROBE_KEYS;
	prev = nfull;
	for (__u32 s = 1; ok && s <= XG_PROBE_BUCKETS; s++) {
		ok = !probe_walk(fd, s, val_size, part, &n) && n <= prev &&
		     !memcmp(part, full + (size_t)(nfull - n) * key_size,
			     (size_t)n * key_size);
		inside |= n > 0 && n < nfull;
		prev = n;
	}
	free(vals);
	close(fd);
	return ok && inside && prev == 0;
}

static int usable_cpus(void)
{
	cpu_set_t set;

	if (!sched_getaffinity(0, sizeof(set), &set))
		return CPU_COUNT(&set);
	return (int)sysconf(_SC_NPROCESSORS_ONLN);
}

int xg_batch_split_threads(const struct bpf_map_info *info, bool force)
{
	/* Probed once: 0 unknown, 1 yes, -1 no. */
	static int probed;
	int threads = usable_cpus();

	if (!force && (threads < 2 || est_buckets(info) < XG_SPLIT_MIN_BUCKETS))
		return 1;
	if (!probed)
		probed = probe_split(info, libbpf_num_possible_cpus()) ? 1 : -1;
	if (probed < 0)
		return 1;
	if (threads < 2)
		threads = 2;
	return threads > XG_SPLIT_THREADS_MAX ? XG_SPLIT_THREADS_MAX : threads;
}
