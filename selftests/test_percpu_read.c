// SPDX-License-Identifier: GPL-2.0
/* The per-CPU map readers (loader/percpu_read.c) against exact known
 * values. Every map here is private to the test (bpf_map_create, never
 * pinned, no program attached) and filled from user space with one value
 * per possible CPU, different on every CPU, so a reader that skips a CPU,
 * counts one twice or takes the wrong stride gets a wrong sum. Each source
 * row must come back exactly once per read, from every backend.
 */
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "xdpgate_types.h"
#include "percpu_batch.h"
#include "percpu_read.h"
#include "xg_test.h"

/* Large enough that XG_READ_AUTO splits the read (at least 2^16 buckets),
 * with headroom so the LRU never evicts while the test fills it.
 */
#define LARGE_MAX_ENTRIES 131072u
#define LARGE_ENTRIES 100000u
/* Failing rows printed in detail by the aggregated large-map checks. */
#define MAX_ROW_DIFFS 5

static const struct {
	enum xg_read_backend backend;
	const char *name;
} backends[] = {
	{ XG_READ_AUTO, "auto" },
	{ XG_READ_BATCH, "batch" },
	{ XG_READ_BATCH_SPLIT, "batch_split" }, /* index 2, see test_large */
	{ XG_READ_KEYWALK, "keywalk" },
};
#define NR_BACKENDS (sizeof(backends) / sizeof(backends[0]))

static int ncpu;
/* XG_READ_BATCH_SPLIT returned -EOPNOTSUPP somewhere (reported as a skip). */
static bool split_unsupported;

/* ---- the model: key i's address and its value on each CPU ---------- */

static void source_addr(int family, __u32 i, __u8 addr[16])
{
	memset(addr, 0, 16);
	if (family == AF_INET) { /* 10.x.y.z, network order */
		addr[0] = 10;
		addr[1] = i >> 16;
		addr[2] = i >> 8;
		addr[3] = i;
		return;
	}
	/* 2001:db8:a5a5:5a5a:0102:0304:<i> - every byte of the key matters */
	static const __u8 prefix[12] = { 0x20, 0x01, 0x0d, 0xb8, 0xa5, 0xa5,
					 0x5a, 0x5a, 0x01, 0x02, 0x03, 0x04 };
	memcpy(addr, prefix, sizeof(prefix));
	addr[12] = i >> 24;
	addr[13] = i >> 16;
	addr[14] = i >> 8;
	addr[15] = i;
}

/* Distinct per CPU and per field; bytes above 2^32; some zeros; the
 * latest stamp on a different CPU from key to key.
 */
static struct xg_src_stats cpu_value(__u32 i, int c)
{
	return (struct xg_src_stats){
		.packets = (__u64)(i + 1) * 100 + (__u64)c * 7 + 1,
		.bytes = ((__u64)(i + 1) << 33) + (__u64)c * 1000 + 3,
		.drops = i % 3 ? (__u64)i + c : 0,
		.redirects = (__u32)c == i % ncpu ? (__u64)i + 5 : 0,
		.limited = i % 5 ? 0 : (__u64)i * 3 + c,
		.last_seen_ns = 5000000000000ull + (__u64)i * 1000 +
				(__u64)((c + i) % ncpu) * 10,
		.epoch = 0xdead0000u | c,
		.rule = 0xbeef,
		.verdict = 0xef,
	};
}

/* The row a correct reader returns for key i, summed here independently
 * of the reader's code.
 */
static struct xg_source_row expected_row(int family, __u32 i)
{
	struct xg_source_row r;

	memset(&r, 0, sizeof(r));
	source_addr(family, i, r.addr);
	r.family = family;
	for (int c = 0; c < ncpu; c++) {
		struct xg_src_stats v = cpu_value(i, c);

		r.packets += v.packets;
		r.bytes += v.bytes;
		r.drops += v.drops;
		r.redirects += v.redirects;
		r.limited += v.limited;
		if (v.last_seen_ns > r.last_seen_ns)
			r.last_seen_ns = v.last_seen_ns;
	}
	return r;
}

/* Key index of a row's address; -1 when it is not one of ours. */
static long row_index(int family, const struct xg_source_row *r, __u32 n)
{
	__u8 want[16];
	__u32 i;

	if (family == AF_INET)
		i = (__u32)r->addr[1] << 16 | (__u32)r->addr[2] << 8 | r->addr[3];
	else
		i = (__u32)r->addr[12] << 24 | (__u32)r->addr[13] << 16 |
		    (__u32)r->addr[14] << 8 | r->addr[15];
	if (i >= n)
		return -1;
	source_addr(family, i, want);
	return memcmp(want, r->addr, 16) ? -1 : (long)i;
}

/* ---- maps -------------------------------------------------------- */

static int create_map(enum bpf_map_type type, __u32 key_size,
		      __u32 value_size, __u32 max_entries)
{
	int fd = bpf_map_create(type, "xg_test_read", key_size, value_size,
				max_entries, NULL);

	ASSERT_TRUE(fd >= 0, "bpf_map_create");
	return fd;
}

static int create_source_map(int family, __u32 max_entries)
{
	return create_map(BPF_MAP_TYPE_LRU_PERCPU_HASH,
			  family == AF_INET ? sizeof(__u32) : sizeof(struct xg_in6_key),
			  sizeof(struct xg_src_stats), max_entries);
}

/* Fill keys [0, n) and check that all of them are there (an LRU evicting
 * under the fill would make the expectations wrong, not the reader).
 */
static bool fill_source_map(int fd, int family, __u32 n)
{
	struct xg_src_stats *vals = calloc(ncpu, sizeof(*vals));
	__u32 failed = 0, missing = 0;
	__u8 key[16];

	if (!ASSERT_PTR_OK(vals, "calloc"))
		return false;
	for (__u32 i = 0; i < n; i++) {
		source_addr(family, i, key);
		for (int c = 0; c < ncpu; c++)
			vals[c] = cpu_value(i, c);
		failed += !!bpf_map_update_elem(fd, key, vals, BPF_NOEXIST);
	}
	for (__u32 i = 0; i < n; i++) {
		source_addr(family, i, key);
		missing += !!bpf_map_lookup_elem(fd, key, vals);
	}
	free(vals);
	return ASSERT_EQ(failed, 0, "bpf_map_update_elem failures") &&
	       ASSERT_EQ(missing, 0, "keys missing after the fill (LRU eviction?)");
}

/* ---- checking rows ------------------------------------------------ */

static int cmp_row_addr(const void *a, const void *b)
{
	return memcmp(((const struct xg_source_row *)a)->addr,
		      ((const struct xg_source_row *)b)->addr, 16);
}

static void print_row_diff(const char *ctx, const struct xg_source_row *got,
			   const struct xg_source_row *exp)
{
	printf("  row %s: %02x%02x%02x%02x..%02x%02x family %u/%u packets %llu/%llu "
	       "bytes %llu/%llu drops %llu/%llu redirects %llu/%llu limited %llu/%llu "
	       "last_seen %llu/%llu (got/expected)\n", ctx,
	       got->addr[0], got->addr[1], got->addr[2], got->addr[3],
	       got->addr[14], got->addr[15], got->family, exp->family,
	       (unsigned long long)got->packets, (unsigned long long)exp->packets,
	       (unsigned long long)got->bytes, (unsigned long long)exp->bytes,
	       (unsigned long long)got->drops, (unsigned long long)exp->drops,
	       (unsigned long long)got->redirects, (unsigned long long)exp->redirects,
	       (unsigned long long)got->limited, (unsigned long long)exp->limited,
	       (unsigned long long)got->last_seen_ns,
	       (unsigned long long)exp->last_seen_ns);
}

/* rows[0..got) must be exactly keys [0, n) of the model, each once, in any
 * order. With per_row, one check per row (small maps); else one check for
 * the lot, the first differences printed (large maps).
 */
static void check_rows(const char *ctx, int family, struct xg_source_row *rows,
		       size_t got, __u32 n, bool per_row)
{
	unsigned char *seen = calloc(n ? n : 1, 1);
	size_t bad = 0, dups = 0, strangers = 0;

	if (!ASSERT_PTR_OK(seen, "calloc"))
		return;
	ASSERT_EQ(got, n, ctx);
	for (size_t k = 0; k < got; k++) {
		long i = row_index(family, &rows[k], n);
		struct xg_source_row exp;
		bool ok;

		if (i < 0) {
			strangers++;
			continue;
		}
		if (seen[i]++)
			dups++;
		exp = expected_row(family, (__u32)i);
		ok = !memcmp(&rows[k], &exp, sizeof(exp));
		if (per_row)
			ASSERT_TRUE(ok, ctx);
		if (!ok && bad++ < MAX_ROW_DIFFS && xg_fail_shown())
			print_row_diff(ctx, &rows[k], &exp);
	}
	ASSERT_EQ(strangers, 0, ctx);
	ASSERT_EQ(dups, 0, ctx);
	if (!per_row)
		ASSERT_EQ(bad, 0, ctx);
	free(seen);
}

/* Read with one backend into a fresh array. Returns the reader's result;
 * *rows is the caller's to free. A split read the kernel cannot do is
 * remembered, not failed: the caller reports it as a skip.
 */
static int read_fresh(int fd, int family, size_t b, struct xg_source_row **rows,
		      size_t *n)
{
	int ret;

	*rows = NULL;
	*n = 0;
	ret = xg_read_sources_with(fd, family, rows, n, backends[b].backend);
	if (ret == -EOPNOTSUPP && backends[b].backend == XG_READ_BATCH_SPLIT) {
		split_unsupported = true;
		return ret;
	}
	ASSERT_OK(ret < 0 ? ret : 0, backends[b].name);
	if (ret >= 0)
		ASSERT_EQ(*n, (size_t)ret, backends[b].name);
	return ret;
}

#define SPLIT_SKIP_WHY \
	"XG_READ_BATCH_SPLIT returned -EOPNOTSUPP (the batch token is not a bucket index on this kernel)"

/* ---- subtests ----------------------------------------------------- */

static void test_empty(void)
{
	static const int families[] = { AF_INET, AF_INET6 };

	xg_subtest_start("empty");
	for (size_t f = 0; f < 2; f++) {
		int fd = create_source_map(families[f], 64);

		if (fd < 0)
			continue;
		for (size_t b = 0; b < NR_BACKENDS; b++) {
			struct xg_source_row *rows;
			size_t n;
			int ret = read_fresh(fd, families[f], b, &rows, &n);

			if (ret != -EOPNOTSUPP) {
				ASSERT_EQ(ret, 0, backends[b].name);
				ASSERT_EQ(n, 0, backends[b].name);
			}
			free(rows);
		}
		close(fd);
	}
	xg_subtest_end();
}

static void test_small(const char *name, int family)
{
	static const __u32 sizes[] = { 1, 7, 1000 };
	char ctx[64];

	xg_subtest_start(name);
	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		/* Twice the entries: a common-LRU map can evict before full. */
		int fd = create_source_map(family, 2 * sizes[s] + 64);

		if (fd < 0)
			continue;
		if (!fill_source_map(fd, family, sizes[s])) {
			close(fd);
			continue;
		}
		for (size_t b = 0; b < NR_BACKENDS; b++) {
			struct xg_source_row *rows;
			size_t n;
			int ret = read_fresh(fd, family, b, &rows, &n);

			snprintf(ctx, sizeof(ctx), "%s, %u entries",
				 backends[b].name, sizes[s]);
			if (ret >= 0)
				check_rows(ctx, family, rows, n, sizes[s], true);
			free(rows);
		}
		close(fd);
	}
	xg_subtest_end();
}

/* Rows sorted by address; exact equality with a reference read. */
static void check_same_rows(const char *ctx, struct xg_source_row *rows,
			    size_t n, struct xg_source_row *ref, size_t nref)
{
	size_t diffs = 0, dups = 0;

	qsort(rows, n, sizeof(*rows), cmp_row_addr);
	for (size_t k = 1; k < n; k++)
		dups += !cmp_row_addr(&rows[k - 1], &rows[k]);
	ASSERT_EQ(dups, 0, ctx);
	if (!ASSERT_EQ(n, nref, ctx))
		return;
	for (size_t k = 0; k < n; k++) {
		if (!memcmp(&rows[k], &ref[k], sizeof(*rows)))
			continue;
		if (diffs++ < MAX_ROW_DIFFS && xg_fail_shown())
			print_row_diff(ctx, &rows[k], &ref[k]);
	}
	ASSERT_EQ(diffs, 0, ctx);
}

/* One batch walk of the large map, itself checked against the model:
 * the reference the other backends must equal. Returns the rows sorted by
 * address (NULL on failure).
 */
static struct xg_source_row *large_reference(int fd, size_t *nref)
{
	struct xg_source_row *ref = NULL;
	int ret;

	*nref = 0;
	ret = xg_read_sources_with(fd, AF_INET, &ref, nref, XG_READ_BATCH);
	if (!ASSERT_EQ(ret, LARGE_ENTRIES, "batch")) {
		free(ref);
		return NULL;
	}
	check_rows("batch", AF_INET, ref, *nref, LARGE_ENTRIES, false);
	qsort(ref, *nref, sizeof(*ref), cmp_row_addr);
	return ref;
}

/* Equal rows cannot tell whether auto really split the read: ask the
 * (internal) policy it follows, which must split this map wherever the
 * kernel allows the split and the process may run on two CPUs.
 */
static void check_auto_splits(int fd)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	cpu_set_t set;

	if (!ASSERT_OK(bpf_obj_get_info_by_fd(fd, &info, &len), "map info") ||
	    sched_getaffinity(0, sizeof(set), &set) || CPU_COUNT(&set) < 2 ||
	    xg_batch_split_threads(&info, true) < 2)
		return;
	ASSERT_TRUE(xg_batch_split_threads(&info, false) >= 2,
		    "auto splits a map of 2^17 buckets");
}

/* A map with enough buckets that XG_READ_AUTO splits the read over
 * threads: auto and the forced split must equal one plain batch walk.
 */
static void test_large(void)
{
	struct xg_source_row *ref = NULL, *rows;
	size_t nref = 0, n;
	int fd, ret;

	xg_subtest_start("large");
	fd = create_source_map(AF_INET, LARGE_MAX_ENTRIES);
	if (fd >= 0 && fill_source_map(fd, AF_INET, LARGE_ENTRIES))
		ref = large_reference(fd, &nref);
	if (ref) {
		check_auto_splits(fd);
		ret = read_fresh(fd, AF_INET, 0, &rows, &n); /* auto */
		if (ret >= 0)
			check_same_rows("auto vs batch", rows, n, ref, nref);
		free(rows);
	}
	xg_subtest_end();

	/* Its own subtest, so that a kernel without it shows as a skip. */
	if (ref) {
		xg_subtest_start("large_split");
		ret = read_fresh(fd, AF_INET, 2, &rows, &n); /* batch_split */
		if (ret == -EOPNOTSUPP)
			xg_skip("batch_split reader", SPLIT_SKIP_WHY);
		else if (ret >= 0)
			check_same_rows("batch_split vs batch", rows, n, ref, nref);
		free(rows);
		xg_subtest_end();
	}
	if (fd >= 0)
		close(fd);
	free(ref);
}

/* Reading the IPv4 map, then the IPv6 map into the same array: the second
 * read appends and leaves the first rows as they were.
 */
static void test_append(void)
{
	int fd4 = -1, fd6 = -1;
	char ctx[64];

	xg_subtest_start("append");
	fd4 = create_source_map(AF_INET, 64);
	fd6 = create_source_map(AF_INET6, 2048);
	if (fd4 < 0 || fd6 < 0 || !fill_source_map(fd4, AF_INET, 7) ||
	    !fill_source_map(fd6, AF_INET6, 1000))
		goto out;
	for (size_t b = 0; b < NR_BACKENDS; b++) {
		struct xg_source_row *rows = NULL, first[7];
		size_t n = 0;
		int ret;

		ret = xg_read_sources_with(fd4, AF_INET, &rows, &n,
					   backends[b].backend);
		if (ret == -EOPNOTSUPP &&
		    backends[b].backend == XG_READ_BATCH_SPLIT) {
			split_unsupported = true;
			free(rows);
			continue;
		}
		snprintf(ctx, sizeof(ctx), "%s, ipv4 first", backends[b].name);
		if (!ASSERT_EQ(ret, 7, ctx) || !ASSERT_EQ(n, 7, ctx)) {
			free(rows);
			continue;
		}
		memcpy(first, rows, sizeof(first));
		ret = xg_read_sources_with(fd6, AF_INET6, &rows, &n,
					   backends[b].backend);
		snprintf(ctx, sizeof(ctx), "%s, ipv6 appended", backends[b].name);
		ASSERT_EQ(ret, 1000, ctx);
		ASSERT_EQ(n, 1007, ctx);
		ASSERT_TRUE(!memcmp(rows, first, sizeof(first)), ctx);
		if (n == 1007) {
			check_rows(ctx, AF_INET, rows, 7, 7, true);
			check_rows(ctx, AF_INET6, rows + 7, 1000, 1000, true);
		}
		free(rows);
	}
out:
	if (fd4 >= 0)
		close(fd4);
	if (fd6 >= 0)
		close(fd6);
	xg_subtest_end();
}

static struct xg_counter counter_value(__u32 i, int c)
{
	return (struct xg_counter){
		.packets = (__u64)(i + 1) * 1000 + (__u64)c * 3 + 1,
		.bytes = ((__u64)(i + 3) << 34) + (__u64)c * 77,
	};
}

static void test_counters(void)
{
	struct xg_counter *vals = calloc(ncpu, sizeof(*vals));
	struct xg_counter out[XG_RSN__MAX + 2];
	int fd;

	xg_subtest_start("counters");
	fd = create_map(BPF_MAP_TYPE_PERCPU_ARRAY, sizeof(__u32),
			sizeof(struct xg_counter), XG_RSN__MAX);
	if (fd < 0 || !ASSERT_PTR_OK(vals, "calloc"))
		goto out;
	for (__u32 i = 0; i < XG_RSN__MAX; i++) {
		for (int c = 0; c < ncpu; c++)
			vals[c] = counter_value(i, c);
		ASSERT_OK(bpf_map_update_elem(fd, &i, vals, BPF_ANY),
			  "bpf_map_update_elem");
	}
	/* Two indexes past the map's end read as zero; garbage must go. */
	memset(out, 0xa5, sizeof(out));
	if (!ASSERT_OK(xg_read_counters(fd, out, XG_RSN__MAX + 2),
		       "xg_read_counters"))
		goto out;
	for (__u32 i = 0; i < XG_RSN__MAX + 2; i++) {
		struct xg_counter exp = { 0, 0 };

		for (int c = 0; c < ncpu && i < XG_RSN__MAX; c++) {
			exp.packets += counter_value(i, c).packets;
			exp.bytes += counter_value(i, c).bytes;
		}
		ASSERT_EQ(out[i].packets, exp.packets, "counter packets");
		ASSERT_EQ(out[i].bytes, exp.bytes, "counter bytes");
	}
out:
	if (fd >= 0)
		close(fd);
	free(vals);
	xg_subtest_end();
}

/* A source read that fails leaves the caller's rows and count alone. */
static void check_eproto(int fd, int family, const char *what)
{
	struct xg_source_row sentinel;
	char ctx[96];

	memset(&sentinel, 0x5a, sizeof(sentinel));
	for (size_t b = 0; b < NR_BACKENDS; b++) {
		struct xg_source_row *rows = malloc(sizeof(*rows));
		size_t n = 1;
		int ret;

		if (!ASSERT_PTR_OK(rows, "malloc"))
			return;
		rows[0] = sentinel;
		snprintf(ctx, sizeof(ctx), "%s, %s", what, backends[b].name);
		ret = xg_read_sources_with(fd, family, &rows, &n,
					   backends[b].backend);
		ASSERT_EQ(ret, -EPROTO, ctx);
		ASSERT_EQ(n, 1, ctx);
		ASSERT_TRUE(!memcmp(&rows[0], &sentinel, sizeof(sentinel)), ctx);
		free(rows);
	}
}

/* Documented in percpu_read.h: -EPROTO when a map's key or value size
 * (or type) is not xdpgate's.
 */
static void test_eproto(void)
{
	struct xg_counter out[2];
	int fd;

	xg_subtest_start("eproto");
	/* Value smaller than struct xg_src_stats: an older or foreign map. */
	fd = create_map(BPF_MAP_TYPE_LRU_PERCPU_HASH, sizeof(__u32),
			sizeof(struct xg_src_stats) - 8, 64);
	if (fd >= 0) {
		__u32 key = 1;
		void *vals = calloc(ncpu, sizeof(struct xg_src_stats));

		/* Not empty, so nothing reads "no rows" by luck. */
		if (ASSERT_PTR_OK(vals, "calloc"))
			ASSERT_OK(bpf_map_update_elem(fd, &key, vals, BPF_ANY),
				  "bpf_map_update_elem");
		free(vals);
		check_eproto(fd, AF_INET, "value size 40");
		close(fd);
	}
	/* The IPv6 map read as IPv4 (key size 16, not 4). */
	fd = create_source_map(AF_INET6, 64);
	if (fd >= 0) {
		check_eproto(fd, AF_INET, "ipv6 map as AF_INET");
		ASSERT_EQ(xg_read_counters(fd, out, 2), -EPROTO,
			  "xg_read_counters on a source map");
		close(fd);
	}
	/* A counter array with the wrong value size. */
	fd = create_map(BPF_MAP_TYPE_PERCPU_ARRAY, sizeof(__u32), sizeof(__u64), 4);
	if (fd >= 0) {
		ASSERT_EQ(xg_read_counters(fd, out, 2), -EPROTO,
			  "xg_read_counters, value size 8");
		close(fd);
	}
	xg_subtest_end();
}

void test_percpu_read(void)
{
	ncpu = libbpf_num_possible_cpus();
	if (ncpu <= 0) {
		xg_subtest_start("nr_cpus");
		ASSERT_TRUE(ncpu > 0, "libbpf_num_possible_cpus");
		xg_subtest_end();
		return;
	}

	test_empty();
	test_small("small_ipv4", AF_INET);
	test_small("small_ipv6", AF_INET6);
	test_append();
	test_counters();
	test_eproto();
	test_large();
	if (split_unsupported) {
		xg_subtest_start("batch_split");
		xg_skip("batch_split reader on the empty, small and append maps",
			SPLIT_SKIP_WHY);
		xg_subtest_end();
	}
}
