// SPDX-License-Identifier: GPL-2.0
/* The per-CPU hot-source cache (xg_hot_v4 / xg_hot_v6) in front of the LRU
 * maps, through the real XDP program and BPF_PROG_TEST_RUN: when a slot's
 * counts are written back (the 256th packet, another source taking the
 * slot), what stays pending, and how the loader's readers see both
 * (xg_merge_hot, xg_hot_pending). The test pins itself to one CPU, since
 * the cache is per CPU and test_run runs on the caller's CPU; one subtest
 * moves between two CPUs on purpose.
 *
 * Time-based write-back (XG_HOT_WRITEBACK_NS after a slot's last write-
 * back) only fires on a packet from the slot's owner, never on a claim.
 * Merged totals hold whichever way it goes, and so does the 256th packet
 * (it writes back either way); the other exact checks of LRU and slot
 * contents rely on a source's runs following each other within a second
 * (a few test_runs of ~50 ms here).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "xdpgate_limits.h"
#include "xdpgate_types.h"
#include "dataplane.h"
#include "percpu_rows.h"
#include "xg_test.h"
#include "xdpgate_xdp.skel.h"

#define WB XG_HOT_WRITEBACK_PKTS

static int ncpu;

struct family {
	int af;
	const char *name;  /* for messages */
	const char *frame; /* corpus entry */
};

static const struct family v4 = { AF_INET, "ipv4", "ipv4_udp" };
static const struct family v6 = { AF_INET6, "ipv6", "ipv6_udp" };

/* Source k of a family: 10.88.x.y or 2001:db8:88:<k>:...:<k>, with k in
 * two words so the IPv6 fold sees more than one of them change.
 */
static void addr_of(const struct family *f, __u32 k, __u8 a[16])
{
	memset(a, 0, 16);
	if (f->af == AF_INET) {
		a[0] = 10;
		a[1] = 88;
		a[2] = k >> 8;
		a[3] = k;
		return;
	}
	a[0] = 0x20;
	a[1] = 0x01;
	a[2] = 0x0d;
	a[3] = 0xb8;
	a[5] = 0x88;
	a[6] = k >> 8;
	a[7] = k;
	a[14] = k >> 3;
	a[15] = k * 7 + 1;
}

static __u32 slot_of(const struct family *f, const __u8 *a)
{
	return f->af == AF_INET ? xg_dp_slot_v4(a) : xg_dp_slot_v6(a);
}

static const struct bpf_map *hot_map(struct xdpgate_xdp *s, const struct family *f)
{
	return f->af == AF_INET ? s->maps.xg_hot_v4 : s->maps.xg_hot_v6;
}

static const struct bpf_map *lru_map(struct xdpgate_xdp *s, const struct family *f)
{
	return f->af == AF_INET ? s->maps.xg_src_v4 : s->maps.xg_src_v6;
}

/* Two distinct sources (index k, and the first later index) that share a
 * slot. Returns false when none is found.
 */
static bool colliding_pair(const struct family *f, __u32 start, __u8 a[16],
			   __u8 b[16])
{
	static __s32 first[XG_HOT_SLOTS];

	for (__u32 s = 0; s < XG_HOT_SLOTS; s++)
		first[s] = -1;
	for (__u32 k = start; k < start + 4 * XG_HOT_SLOTS; k++) {
		__u32 s;

		addr_of(f, k, b);
		s = slot_of(f, b);
		if (first[s] >= 0) {
			addr_of(f, (__u32)first[s], a);
			return true;
		}
		first[s] = (__s32)k;
	}
	return false;
}

/* Slot idx of the cache on one CPU: pending counts and owner. */
struct slot {
	struct xg_src_stats s;
	__u8 addr[16];
};

static bool read_slot(struct xdpgate_xdp *skel, const struct family *f,
		      __u32 idx, int cpu, struct slot *out)
{
	size_t vsize = f->af == AF_INET ? sizeof(struct xg_hot_v4) :
					  sizeof(struct xg_hot_v6);
	size_t stride = XG_PERCPU_STRIDE(vsize);
	unsigned char vals[ncpu * stride];
	const unsigned char *v = vals + (size_t)cpu * stride;

	if (!ASSERT_OK(bpf_map_lookup_elem(bpf_map__fd(hot_map(skel, f)), &idx,
					   vals) ? -errno : 0, "read hot slot"))
		return false;
	memset(out, 0, sizeof(*out));
	if (f->af == AF_INET) {
		const struct xg_hot_v4 *h = (const void *)v;

		out->s = h->s;
		memcpy(out->addr, &h->addr, 4);
	} else {
		const struct xg_hot_v6 *h = (const void *)v;

		out->s = h->s;
		memcpy(out->addr, h->addr.addr, 16);
	}
	return true;
}

/* A source's LRU entry summed over CPUs: 0, or -ENOENT when absent. */
static int lru_sum(struct xdpgate_xdp *skel, const struct family *f,
		   const __u8 *addr, struct xg_src_stats *sum)
{
	struct xg_src_stats vals[ncpu];

	memset(sum, 0, sizeof(*sum));
	if (bpf_map_lookup_elem(bpf_map__fd(lru_map(skel, f)), addr, vals))
		return -errno;
	for (int c = 0; c < ncpu; c++) {
		sum->packets += vals[c].packets;
		sum->bytes += vals[c].bytes;
		if (vals[c].last_seen_ns > sum->last_seen_ns)
			sum->last_seen_ns = vals[c].last_seen_ns;
	}
	return 0;
}

/* The merged packets of addr (0 when it has no row); *rows_out counts the
 * family's rows.
 */
static __u64 merged_packets(struct xdpgate_xdp *skel, const struct family *f,
			    const __u8 *addr, __u64 *bytes, size_t *rows_out)
{
	struct xg_source_row *rows;
	const struct xg_source_row *r;
	size_t n;
	__u64 p = 0;

	*bytes = 0;
	*rows_out = 0;
	if (!ASSERT_OK(xg_dp_read_merged(skel, f->af, &rows, &n), "merged read"))
		return 0;
	r = xg_dp_find(rows, n, f->af, addr);
	if (r) {
		p = r->packets;
		*bytes = r->bytes;
	}
	*rows_out = n;
	free(rows);
	return p;
}

static void check_merged(struct xdpgate_xdp *skel, const struct family *f,
			 const __u8 *addr, __u64 packets, __u32 len,
			 const char *what)
{
	__u64 bytes;
	size_t n;

	ASSERT_EQ(merged_packets(skel, f, addr, &bytes, &n), packets, what);
	ASSERT_EQ(bytes, packets * len, what);
}

static bool run(struct xdpgate_xdp *skel, const struct xg_case *c,
		const __u8 *src, __u32 repeat)
{
	return ASSERT_EQ(xg_dp_run(skel, c, src, repeat), XDP_PASS, c->name);
}

/* Load, find the frame, pin to a CPU; false (and reported) on failure. */
static bool setup(const struct family *f, struct xdpgate_xdp **skel,
		  const struct xg_case **c, int *cpu, cpu_set_t *saved)
{
	*c = xg_dp_frame(f->frame);
	if (!ASSERT_TRUE(*c != NULL, f->frame))
		return false;
	*cpu = xg_dp_pin_cpu(-1, saved);
	if (!ASSERT_TRUE(*cpu >= 0 && *cpu < ncpu, "pin to one CPU"))
		return false;
	*skel = xg_dp_load(false, 0, 0);
	if (!*skel) {
		xg_dp_unpin_cpu(saved);
		return false;
	}
	return true;
}

static void teardown(struct xdpgate_xdp *skel, const cpu_set_t *saved)
{
	xdpgate_xdp__destroy(skel);
	xg_dp_unpin_cpu(saved);
}

/* ---- subtests ----------------------------------------------------- */

/* 255 packets stay in the slot; the 256th writes all 256 back and leaves
 * the slot owned but empty; the 257th is pending again, added to the LRU
 * row by the reader.
 */
static void subtest_writeback_at_256(const struct family *f)
{
	char name[64];
	const struct xg_case *c;
	struct xdpgate_xdp *skel;
	struct xg_src_stats sum;
	struct slot sl;
	cpu_set_t saved;
	__u8 a[16];
	__u32 idx;
	__u64 bytes;
	size_t n;
	int cpu, hot_fd;

	snprintf(name, sizeof(name), "writeback_at_256_%s", f->name);
	xg_subtest_start(name);
	if (!setup(f, &skel, &c, &cpu, &saved))
		goto out;
	hot_fd = bpf_map__fd(hot_map(skel, f));
	addr_of(f, 1, a);
	idx = slot_of(f, a);

	run(skel, c, a, WB - 1);
	ASSERT_EQ(lru_sum(skel, f, a, &sum), -ENOENT, "255: no LRU entry yet");
	if (read_slot(skel, f, idx, cpu, &sl)) {
		ASSERT_TRUE(!memcmp(sl.addr, a, 16), "255: slot owned (hash as BPF)");
		ASSERT_EQ(sl.s.packets, WB - 1, "255: slot pending");
		ASSERT_EQ(sl.s.bytes, (__u64)(WB - 1) * c->len, "255: slot bytes");
	}
	ASSERT_EQ(merged_packets(skel, f, a, &bytes, &n), WB - 1, "255: merged");
	ASSERT_EQ(bytes, (__u64)(WB - 1) * c->len, "255: merged bytes");
	ASSERT_EQ(n, 1, "255: one row");
	ASSERT_EQ(xg_hot_pending(hot_fd), 1, "255: one slot pending");

	run(skel, c, a, 1);
	ASSERT_OK(lru_sum(skel, f, a, &sum), "256: LRU entry");
	ASSERT_EQ(sum.packets, WB, "256: LRU packets");
	ASSERT_EQ(sum.bytes, (__u64)WB * c->len, "256: LRU bytes");
	ASSERT_TRUE(sum.last_seen_ns > 0, "256: LRU last_seen");
	if (read_slot(skel, f, idx, cpu, &sl)) {
		ASSERT_TRUE(!memcmp(sl.addr, a, 16), "256: slot still owned");
		ASSERT_EQ(sl.s.packets, 0, "256: slot pending");
		ASSERT_EQ(sl.s.bytes, 0, "256: slot bytes");
	}
	check_merged(skel, f, a, WB, c->len, "256: merged");
	ASSERT_EQ(xg_hot_pending(hot_fd), 0, "256: no slot pending");

	run(skel, c, a, 1);
	ASSERT_OK(lru_sum(skel, f, a, &sum), "257: LRU entry");
	ASSERT_EQ(sum.packets, WB, "257: LRU unchanged");
	ASSERT_EQ(merged_packets(skel, f, a, &bytes, &n), WB + 1, "257: merged");
	ASSERT_EQ(n, 1, "257: still one row");
	ASSERT_EQ(xg_hot_pending(hot_fd), 1, "257: one slot pending");
	teardown(skel, &saved);
out:
	xg_subtest_end();
}

/* Two sources of one slot, alternating: each claim writes the previous
 * owner's counts back, so the LRU map holds every earlier run and the
 * slot the last one.
 */
static void subtest_collision(const struct family *f)
{
	/* A, B, A, B: runs of these sizes, all below 256. */
	static const __u32 runs[4] = { 3, 5, 7, 11 };
	char name[64], an[INET6_ADDRSTRLEN], bn[INET6_ADDRSTRLEN];
	const struct xg_case *c;
	struct xdpgate_xdp *skel;
	struct xg_src_stats sum;
	struct slot sl;
	cpu_set_t saved;
	__u8 a[16], b[16];
	int cpu;

	snprintf(name, sizeof(name), "collision_%s", f->name);
	xg_subtest_start(name);
	if (!ASSERT_TRUE(colliding_pair(f, 0, a, b), "two sources, one slot"))
		goto out;
	ASSERT_TRUE(memcmp(a, b, 16) != 0, "distinct sources");
	inet_ntop(f->af, a, an, sizeof(an));
	inet_ntop(f->af, b, bn, sizeof(bn));
	if (!setup(f, &skel, &c, &cpu, &saved))
		goto out;

	for (int i = 0; i < 4; i++)
		run(skel, c, i % 2 ? b : a, runs[i]);
	/* A: both runs written back (the second when B took the slot). */
	if (ASSERT_OK(lru_sum(skel, f, a, &sum), an)) {
		ASSERT_EQ(sum.packets, runs[0] + runs[2], an);
		ASSERT_EQ(sum.bytes, (__u64)(runs[0] + runs[2]) * c->len, an);
	}
	/* B: its first run written back, the second pending. */
	if (ASSERT_OK(lru_sum(skel, f, b, &sum), bn)) {
		ASSERT_EQ(sum.packets, runs[1], bn);
		ASSERT_EQ(sum.bytes, (__u64)runs[1] * c->len, bn);
	}
	if (read_slot(skel, f, slot_of(f, a), cpu, &sl)) {
		ASSERT_TRUE(!memcmp(sl.addr, b, 16), "slot owned by the last");
		ASSERT_EQ(sl.s.packets, runs[3], "slot pending");
	}
	check_merged(skel, f, a, runs[0] + runs[2], c->len, an);
	check_merged(skel, f, b, runs[1] + runs[3], c->len, bn);
	ASSERT_EQ(xg_hot_pending(bpf_map__fd(hot_map(skel, f))), 1,
		  "one slot pending");
	ASSERT_EQ(xg_dp_count_keys(bpf_map__fd(lru_map(skel, f)),
				   f->af == AF_INET ? 4 : 16), 2, "LRU entries");
	teardown(skel, &saved);
out:
	xg_subtest_end();
}

/* cfg_hot_keep_ns = ~0: an owner with pending counts always keeps its slot,
 * so a colliding newcomer is counted straight into the LRU map (the rule
 * that keeps a scan of one-off sources from flushing busy slots). Once the
 * owner's counts are written back (at 256), the next newcomer claims it.
 */
static void subtest_keep_owner(const struct family *f)
{
	char name[64], an[INET6_ADDRSTRLEN], bn[INET6_ADDRSTRLEN];
	const struct xg_case *c;
	struct xdpgate_xdp *skel;
	struct xg_src_stats sum;
	struct slot sl;
	cpu_set_t saved;
	__u8 a[16], b[16];
	int cpu;

	snprintf(name, sizeof(name), "keep_owner_%s", f->name);
	xg_subtest_start(name);
	if (!ASSERT_TRUE(colliding_pair(f, 0, a, b), "two sources, one slot"))
		goto out;
	inet_ntop(f->af, a, an, sizeof(an));
	inet_ntop(f->af, b, bn, sizeof(bn));
	xg_dp_hot_keep_ns = ~0ULL;
	if (!setup(f, &skel, &c, &cpu, &saved)) {
		xg_dp_hot_keep_ns = 0;
		goto out;
	}
	xg_dp_hot_keep_ns = 0;

	run(skel, c, a, 3);
	run(skel, c, b, 5);
	/* B bypassed the slot: all 5 in the LRU map, A's 3 still pending. */
	ASSERT_EQ(lru_sum(skel, f, a, &sum), -ENOENT, "owner not written back");
	if (ASSERT_OK(lru_sum(skel, f, b, &sum), bn))
		ASSERT_EQ(sum.packets, 5, "newcomer counted in the LRU map");
	if (read_slot(skel, f, slot_of(f, a), cpu, &sl)) {
		ASSERT_TRUE(!memcmp(sl.addr, a, 16), "owner kept the slot");
		ASSERT_EQ(sl.s.packets, 3, "owner's counts pending");
	}
	check_merged(skel, f, a, 3, c->len, an);
	check_merged(skel, f, b, 5, c->len, bn);

	/* A reaches 256: written back, slot empty; B then claims it. */
	run(skel, c, a, WB - 3);
	run(skel, c, b, 2);
	if (ASSERT_OK(lru_sum(skel, f, a, &sum), an))
		ASSERT_EQ(sum.packets, WB, "owner written back at 256");
	if (read_slot(skel, f, slot_of(f, a), cpu, &sl)) {
		ASSERT_TRUE(!memcmp(sl.addr, b, 16), "newcomer claimed the emptied slot");
		ASSERT_EQ(sl.s.packets, 2, "newcomer pending");
	}
	check_merged(skel, f, a, WB, c->len, an);
	check_merged(skel, f, b, 7, c->len, bn);
	teardown(skel, &saved);
out:
	xg_subtest_end();
}

/* cfg_hot_writeback_ns = 1: the first packet of a later tick writes the
 * slot back, however few packets it holds. Sleeping several ticks makes
 * the outcome independent of where ticks fall within the first run.
 */
static void subtest_writeback_by_age(const struct family *f)
{
	char name[64];
	const struct xg_case *c;
	struct xdpgate_xdp *skel;
	struct xg_src_stats sum;
	struct slot sl;
	cpu_set_t saved;
	struct timespec nap = { 0, 50 * 1000 * 1000 };
	__u8 a[16];
	int cpu;

	snprintf(name, sizeof(name), "writeback_by_age_%s", f->name);
	xg_subtest_start(name);
	addr_of(f, 3, a);
	xg_dp_hot_writeback_ns = 1;
	if (!setup(f, &skel, &c, &cpu, &saved)) {
		xg_dp_hot_writeback_ns = ~0ULL;
		goto out;
	}
	xg_dp_hot_writeback_ns = ~0ULL;

	run(skel, c, a, 3);
	nanosleep(&nap, NULL);
	run(skel, c, a, 1);
	if (ASSERT_OK(lru_sum(skel, f, a, &sum), "written back after a tick"))
		ASSERT_EQ(sum.packets, 4, "all four in the LRU map");
	if (read_slot(skel, f, slot_of(f, a), cpu, &sl)) {
		ASSERT_TRUE(!memcmp(sl.addr, a, 16), "slot still owned");
		ASSERT_EQ(sl.s.packets, 0, "nothing pending");
	}
	check_merged(skel, f, a, 4, c->len, "merged");
	teardown(skel, &saved);
out:
	xg_subtest_end();
}

static int cmp_rows(const void *x, const void *y)
{
	return xg_rows_cmp_addr(x, y);
}

/* Read both families into one array the way stats does; sorted. */
static int read_all(struct xdpgate_xdp *skel, struct xg_source_row **rows,
		    size_t *n, int *appended_v4)
{
	int err;

	*rows = NULL;
	*n = 0;
	err = xg_read_sources(bpf_map__fd(skel->maps.xg_src_v6), AF_INET6, rows, n);
	if (err >= 0)
		err = xg_merge_hot(bpf_map__fd(skel->maps.xg_hot_v6), AF_INET6,
				   rows, n);
	if (err >= 0)
		err = xg_read_sources(bpf_map__fd(skel->maps.xg_src_v4), AF_INET,
				      rows, n);
	if (err >= 0)
		err = *appended_v4 = xg_merge_hot(bpf_map__fd(skel->maps.xg_hot_v4),
						  AF_INET, rows, n);
	if (err >= 0)
		qsort(*rows, *n, sizeof(**rows), cmp_rows);
	return err < 0 ? err : 0;
}

/* xg_merge_hot adds a slot's pending counts to the source's LRU row,
 * appends sources only the cache has, leaves the other family's rows
 * alone, and reading changes nothing: twice without traffic, same rows.
 *   A: 256 written back + 10 pending  -> one row, 266
 *   B: 5, cache only                   -> appended
 *   C: 4, written back when D took its slot; D: 6 pending
 *   6: one IPv6 source, 9 pending, read into the same array first
 */
static void subtest_merge(void)
{
	const struct xg_case *c, *c6 = xg_dp_frame(v6.frame);
	struct xg_source_row *r1 = NULL, *r2 = NULL, *rows;
	struct xdpgate_xdp *skel;
	__u8 a[16], b[16], cc[16], d[16], s6[16];
	size_t n1, n2, n;
	int cpu, app1 = -1, app2 = -1, err;
	cpu_set_t saved;
	struct {
		const __u8 *addr;
		int af;
		__u64 packets;
		__u32 len;
	} want[5];

	xg_subtest_start("merge");
	if (!ASSERT_TRUE(c6 != NULL, v6.frame) ||
	    !ASSERT_TRUE(colliding_pair(&v4, 100, cc, d), "C and D share a slot"))
		goto out;
	addr_of(&v4, 1, a);
	addr_of(&v4, 2, b);
	addr_of(&v6, 1, s6);
	ASSERT_TRUE(slot_of(&v4, a) != slot_of(&v4, b) &&
		    slot_of(&v4, a) != slot_of(&v4, cc) &&
		    slot_of(&v4, b) != slot_of(&v4, cc), "A, B, C: own slots");
	if (!setup(&v4, &skel, &c, &cpu, &saved))
		goto out;
	run(skel, c, a, WB + 10);
	run(skel, c, b, 5);
	run(skel, c, cc, 4);
	run(skel, c, d, 6);
	run(skel, c6, s6, 9);

	ASSERT_OK(read_all(skel, &r1, &n1, &app1), "first read");
	ASSERT_OK(read_all(skel, &r2, &n2, &app2), "second read");
	ASSERT_EQ(app1, 2, "v4 rows appended from the cache (B, D)");
	ASSERT_EQ(app2, 2, "v4 rows appended, second read");
	ASSERT_EQ(n1, 5, "rows: A, B, C, D and the IPv6 source");
	ASSERT_TRUE(n1 == n2 && r1 && r2 && !memcmp(r1, r2, n1 * sizeof(*r1)),
		    "two reads without traffic are identical");
	want[0] = (typeof(want[0])){ a, AF_INET, WB + 10, c->len };
	want[1] = (typeof(want[0])){ b, AF_INET, 5, c->len };
	want[2] = (typeof(want[0])){ cc, AF_INET, 4, c->len };
	want[3] = (typeof(want[0])){ d, AF_INET, 6, c->len };
	want[4] = (typeof(want[0])){ s6, AF_INET6, 9, c6->len };
	for (int i = 0; i < 5; i++) {
		char name[INET6_ADDRSTRLEN];
		const struct xg_source_row *r = xg_dp_find(r1, n1, want[i].af,
							   want[i].addr);

		inet_ntop(want[i].af, want[i].addr, name, sizeof(name));
		if (!ASSERT_TRUE(r != NULL, name))
			continue;
		ASSERT_EQ(r->packets, want[i].packets, name);
		ASSERT_EQ(r->bytes, want[i].packets * want[i].len, name);
	}

	/* Wrong map or family: refused, rows untouched. */
	n = n2;
	rows = r2;
	err = xg_merge_hot(bpf_map__fd(skel->maps.xg_hot_v6), AF_INET, &rows, &n);
	ASSERT_EQ(err, -EPROTO, "xg_hot_v6 merged as IPv4");
	err = xg_merge_hot(bpf_map__fd(skel->maps.xg_src_v4), AF_INET, &rows, &n);
	ASSERT_EQ(err, -EPROTO, "an LRU map merged as a cache");
	ASSERT_TRUE(n == n2 && rows == r2 && !memcmp(r1, r2, n1 * sizeof(*r1)),
		    "rows unchanged after -EPROTO");
	free(r1);
	free(r2);
	teardown(skel, &saved);
out:
	xg_subtest_end();
}

/* xg_hot_pending counts slots, not sources or CPUs: a shared slot once,
 * a written-back slot not at all, one source pending on two CPUs once.
 * The reader adds both CPUs' pending counts to the source's row.
 */
static void subtest_pending(void)
{
	const struct xg_case *c;
	struct xdpgate_xdp *skel;
	struct xg_src_stats sum;
	__u8 s[3][16], x[16], y[16];
	cpu_set_t saved, tmp;
	int cpu, cpu2 = -1, hot_fd;

	xg_subtest_start("pending_slots");
	if (!ASSERT_TRUE(colliding_pair(&v4, 200, x, y), "X and Y share a slot"))
		goto out;
	for (int i = 0; i < 3; i++)
		addr_of(&v4, 10 + i, s[i]);
	ASSERT_TRUE(slot_of(&v4, s[0]) != slot_of(&v4, s[1]) &&
		    slot_of(&v4, s[0]) != slot_of(&v4, s[2]) &&
		    slot_of(&v4, s[1]) != slot_of(&v4, s[2]), "own slots");
	if (!setup(&v4, &skel, &c, &cpu, &saved))
		goto out;
	hot_fd = bpf_map__fd(skel->maps.xg_hot_v4);
	ASSERT_EQ(xg_hot_pending(hot_fd), 0, "fresh cache");
	for (int i = 0; i < 3; i++)
		run(skel, c, s[i], 1 + i);
	ASSERT_EQ(xg_hot_pending(hot_fd), 3, "three sources, three slots");
	run(skel, c, s[0], WB - 1);
	ASSERT_EQ(xg_hot_pending(hot_fd), 2, "written back at 256: not pending");
	run(skel, c, x, 2);
	run(skel, c, y, 2);
	ASSERT_EQ(xg_hot_pending(hot_fd), 3, "X and Y: one slot");
	ASSERT_EQ(xg_hot_pending(bpf_map__fd(skel->maps.xg_hot_v6)), 0,
		  "IPv6 cache untouched");
	ASSERT_EQ(xg_hot_pending(bpf_map__fd(skel->maps.xg_src_v4)), -EPROTO,
		  "not a cache");

	/* The same source pending on a second CPU. */
	for (int i = 0; i < CPU_SETSIZE && cpu2 < 0; i++)
		if (i != cpu && i < ncpu && CPU_ISSET(i, &saved))
			cpu2 = i;
	if (cpu2 < 0) {
		xg_skip("the same source pending on two CPUs",
			"this process may run on one CPU only");
	} else if (ASSERT_EQ(xg_dp_pin_cpu(cpu2, &tmp), cpu2, "pin to a second CPU")) {
		run(skel, c, s[1], 5);
		ASSERT_EQ(xg_hot_pending(hot_fd), 3, "same slot on two CPUs: once");
		check_merged(skel, &v4, s[1], 2 + 5, c->len, "pending on two CPUs");
		/* 5 + 251 = 256 on this CPU: written back; 2 still pending on
		 * the first CPU, added to the LRU row.
		 */
		run(skel, c, s[1], WB - 5);
		ASSERT_OK(lru_sum(skel, &v4, s[1], &sum), "LRU entry");
		ASSERT_EQ(sum.packets, WB, "written back on the second CPU");
		ASSERT_EQ(xg_hot_pending(hot_fd), 3, "still pending on the first");
		check_merged(skel, &v4, s[1], 2 + WB, c->len,
			     "LRU row + the other CPU's slot");
	}
	teardown(skel, &saved);
out:
	xg_subtest_end();
}

void test_hot_cache(void)
{
	ncpu = libbpf_num_possible_cpus();
	if (ncpu <= 0) {
		xg_subtest_start("setup");
		ASSERT_OK(ncpu, "libbpf_num_possible_cpus");
		xg_subtest_end();
		return;
	}
	subtest_writeback_at_256(&v4);
	subtest_writeback_at_256(&v6);
	subtest_collision(&v4);
	subtest_collision(&v6);
	subtest_keep_owner(&v4);
	subtest_keep_owner(&v6);
	subtest_writeback_by_age(&v4);
	subtest_writeback_by_age(&v6);
	subtest_merge();
	subtest_pending();
}
