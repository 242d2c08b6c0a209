/* SPDX-License-Identifier: GPL-2.0 */
/* Per-source and per-outcome accounting, shared by the XDP and TC programs:
 * the counters, the LRU entries and the hot slots they are built from.
 *
 * A packet is counted in its source's slot of a per-CPU direct-mapped cache
 * (xg_hot_v4 / xg_hot_v6, an inlined array lookup); the slot's counts are
 * written back to the LRU map (xg_src_v4 / xg_src_v6, a kernel call) only
 * when another source takes the slot or the slot has gathered enough. A
 * source that keeps sending therefore costs no map call per packet.
 * Readers add the pending slot counts to the map's. The per-packet flow,
 * with the verdict and the admission stage (xdpgate_admit.bpf.h) that
 * decides who gets an LRU entry, is xg_police() in xdpgate_policy.bpf.h:
 * every hook counts through it.
 */
#ifndef XDPGATE_ACCOUNT_BPF_H
#define XDPGATE_ACCOUNT_BPF_H

#include "xdpgate_clock.bpf.h"
#include "xdpgate_maps.bpf.h"

#ifndef EEXIST
#define EEXIST 17
#endif

static __always_inline void xg_count_n(void *map, __u32 idx, __u64 packets,
				       __u64 bytes)
{
	struct xg_counter *c = bpf_map_lookup_elem(map, &idx);

	if (c) {
		c->packets += packets;
		c->bytes += bytes;
	}
}

static __always_inline void xg_count(void *map, __u32 idx, __u64 bytes)
{
	xg_count_n(map, idx, 1, bytes);
}

static __always_inline void xg_src_add(struct xg_src_stats *s,
				       const struct xg_src_stats *p)
{
	s->packets += p->packets;
	s->bytes += p->bytes;
	s->drops += p->drops;
	s->redirects += p->redirects;
	s->limited += p->limited;
	if (p->last_seen_ns > s->last_seen_ns)
		s->last_seen_ns = p->last_seen_ns;
	/* The verdict the counts were judged under is the newest one. */
	if (p->epoch) {
		s->epoch = p->epoch;
		s->rule = p->rule;
		s->target = p->target;
		s->vlan = p->vlan;
		s->verdict = p->verdict;
	}
}

/* Count a new entry of a per-source map (xg_inserts), so readers can
 * tell how many were evicted. The lookup is an inlined per-CPU array
 * access: no kernel call beyond the insert itself, no atomic.
 */
static __always_inline void xg_count_insert(__u32 fam)
{
	__u64 *n = bpf_map_lookup_elem(&xg_inserts, &fam);

	if (n)
		(*n)++;
}

/* Insert a source known to be absent. An insert that races with another
 * CPU inserting the same source fails with -EEXIST; the retry finds the
 * entry, so nothing goes uncounted. Any other failure is counted as a
 * reason, with every packet it loses. key_len (4 or 16) is constant after
 * inlining and names the family whose insert is counted. Returns 1 when it
 * made the entry, 0 when it added to one, -1 when the counts were lost.
 */
static __always_inline int xg_src_insert(void *map, const void *key,
					 __u32 key_len,
					 const struct xg_src_stats *p)
{
	struct xg_src_stats *s;
	long err = bpf_map_update_elem(map, key, p, BPF_NOEXIST);

	if (!err) {
		xg_count_insert(key_len == 4 ? XG_FAM_V4 : XG_FAM_V6);
		return 1;
	}
	s = err == -EEXIST ? bpf_map_lookup_elem(map, key) : NULL;
	if (!s) {
		xg_count_n(&xg_reasons, XG_RSN_SRC_UPDATE_FAIL, p->packets,
			   p->bytes);
		return -1;
	}
	xg_src_add(s, p);
	return 0;
}

/* Add pending counts to the source's LRU entry, inserting it when absent.
 * Values are per CPU, so no atomics. Returns as xg_src_insert().
 */
static __always_inline int xg_src_write_back(void *map, const void *key,
					     __u32 key_len,
					     const struct xg_src_stats *p)
{
	struct xg_src_stats *s = bpf_map_lookup_elem(map, key);

	if (!s)
		return xg_src_insert(map, key, key_len, p);
	xg_src_add(s, p);
	return 0;
}

/* Every write-back below first copies the slot's pending counts (and, on a
 * claim, the old owner) to the stack and empties or re-claims the slot, and
 * only then adds the copy to the LRU map. A reader (LRU map first, then the
 * slots) that races with a write-back stalled in between then sees those
 * counts one read late, never twice.
 */

/* Multiplicative (Fibonacci) hashing: the top bits of addr * 2^32/phi. */
static __always_inline __u32 xg_hot_index(__u32 h)
{
	return (h * 2654435761U) >> (32 - XG_HOT_BITS);
}

static __always_inline __u32 xg_fold6(const __u32 *a)
{
	return (a[0] ^ (a[1] * 0x85ebca6bU)) ^ ((a[2] ^ (a[3] * 0xc2b2ae35U)) * 0x27d4eb2fU);
}

static __always_inline int xg_in6_eq(const __u32 *a, const __u32 *b)
{
	return ((a[0] ^ b[0]) | (a[1] ^ b[1]) | (a[2] ^ b[2]) | (a[3] ^ b[3])) == 0;
}

/* How long (ns) a slot may hold a source's counts before its next packet
 * writes them back: keeps the LRU entry of a moderately busy source fresh
 * enough to survive a flood that turns the LRU map over. Set by the loader
 * between open and load; the tests set ~0 so only the packet threshold and
 * claims write back, wherever the clock's ticks fall.
 */
const volatile __u64 cfg_hot_writeback_ns = XG_HOT_WRITEBACK_NS;

static __always_inline void xg_hot_claim(struct xg_src_stats *s, __u64 bytes,
					 __u64 now)
{
	s->packets = 1;
	s->bytes = bytes;
	s->drops = 0;
	s->redirects = 0;
	s->limited = 0;
	s->last_seen_ns = now;
	s->epoch = 0;
	s->verdict = 0;
	s->flags = 0;
}

static __always_inline void xg_hot_reset(struct xg_src_stats *s)
{
	s->packets = 0;
	s->bytes = 0;
	s->drops = 0;
	s->redirects = 0;
	s->limited = 0;
}

/* A slot whose owner sent within the current tick stays its owner: the
 * newcomer is counted in its LRU entry (or held, see xdpgate_admit.bpf.h)
 * instead. Without this, each
 * packet of a rare source would write back a busy owner and later be
 * written back itself (two LRU calls where counting it directly costs one),
 * and a scan of one-off sources would flush every hot slot. An owner idle
 * for a tick (~4 ms) gives the slot up, so a new heavy source gets a slot
 * as soon as the old owner pauses.
 */
/* How recently (ns) an owner must have sent to keep its slot. The clock
 * moves a tick at a time, so the default 1 means "within the current
 * tick". Set by the loader between open and load; the tests set 0 (always
 * hand the slot over) or ~0 (never, while counts are pending) to make the
 * split between slot and LRU map independent of where ticks fall.
 */
const volatile __u64 cfg_hot_keep_ns = 1;

static __always_inline int xg_hot_keep_owner(const struct xg_src_stats *s,
					     __u64 now)
{
	return s->packets && now - s->last_seen_ns < cfg_hot_keep_ns;
}

static __always_inline int xg_key_eq(const void *a, const void *b,
				     __u32 key_len)
{
	if (key_len == 4)
		return *(const __u32 *)a == *(const __u32 *)b;
	return xg_in6_eq(a, b);
}

/* Word copies: both sides are 4-byte aligned, and a plain memcpy through
 * void * would be done byte by byte.
 */
static __always_inline void xg_key_copy(void *dst, const void *src,
				       __u32 key_len)
{
	__u32 *d = dst;
	const __u32 *v = src;

	d[0] = v[0];
	if (key_len == 16) {
		d[1] = v[1];
		d[2] = v[2];
		d[3] = v[3];
	}
}

#endif /* XDPGATE_ACCOUNT_BPF_H */
