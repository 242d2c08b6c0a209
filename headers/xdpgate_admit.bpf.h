/* SPDX-License-Identifier: GPL-2.0 */
/* The admission stage: who gets an entry in the exact per-source LRU map.
 *
 * Every LRU insert costs a kernel call and evicts the coldest entry once
 * the map is full, so a flood of one-off (spoofed) sources would turn the
 * map over, pushing out real talkers, at several hundred ns a packet.
 * Here a source gets an entry only when
 *  - XG_ADMIT_PKTS (cfg_admit_pkts) of its packets gathered in its hot
 *    slot: it proved it is more than a one-off, and the slot's exact counts
 *    go into the new entry; or
 *  - this CPU's budget of new entries (cfg_admit_budget per sketch epoch)
 *    is not spent: without a flood every source gets its entry on its
 *    first packet, as with no admission at all.
 * Otherwise its packets are "held": added to per-CPU totals (xg_cpu) and
 * to the count-min sketch (xdpgate_sketch.h), which estimates them per
 * source, and never to a row. Nothing here makes a kernel call: a held
 * packet costs a few inlined per-CPU array updates.
 *
 * A one-hash filter of the sources this CPU found in (or put into) the
 * map tells the packets of a source that does not own its hot slot
 * whether an LRU lookup can find it: a flood source skips the lookup, a
 * known source is counted in its entry. A false positive costs a lookup
 * and is then treated like any unknown source, so a full filter never
 * admits anyone; a source the filter forgot goes through admission again.
 *
 * cfg_exact turns the stage off: every source gets an entry on its first
 * packet, the LRU map evicts under a flood (attach --exact).
 */
#ifndef XDPGATE_ADMIT_BPF_H
#define XDPGATE_ADMIT_BPF_H

#include "xdpgate_maps.bpf.h"
#include "xdpgate_sketch.h"

/* Set by the loader between open and load (attach --exact; the tests). */
const volatile __u8 cfg_exact = 0;
const volatile __u32 cfg_admit_pkts = XG_ADMIT_PKTS;
/* Entries per CPU per epoch made without proof: the loader sets it from
 * the map size (XG_ADMIT_TURNOVER_S); 0 makes every source prove itself.
 * What iproute2 loads keeps this: the default map's share on 2 CPUs.
 */
const volatile __u32 cfg_admit_budget = XG_SRC_MAP_DEFAULT / XG_ADMIT_TURNOVER_S / 2;
const volatile __u32 cfg_sketch_shift = XG_SKETCH_SHIFT_DEFAULT;

static __always_inline __u64 xg_sketch_epoch(__u64 now)
{
	return now >> (cfg_sketch_shift & 63);
}

static __always_inline __u64 xg_key_hash(const void *addr, __u32 key_len)
{
	if (key_len == 4)
		return xg_sketch_hash4(*(const __u32 *)addr);
	return xg_sketch_hash6(addr);
}

static __always_inline struct xg_sketch_block *xg_sketch_block(__u32 block)
{
	return bpf_map_lookup_elem(&xg_sketch, &block);
}

static __always_inline __u64 *xg_filter_word(__u64 h, __u32 *bit)
{
	struct xg_sketch_block *b = xg_sketch_block(XG_SKETCH_FILTER);
	__u32 i = xg_filter_word_index(h);

	/* Keep the index whole: folded into the byte offset, its bound
	 * (3071 * 8) is lost to the verifier.
	 */
	asm volatile("" : "+r"(i));
	*bit = xg_filter_bit(h);
	return b && i < XG_SKETCH_WORDS ? &b->w[i] : NULL;
}

/* May the map hold this source? Always yes with admission off. */
static __always_inline int xg_known(__u64 h, __u64 now)
{
	__u64 *w;
	__u32 bit;

	if (cfg_exact)
		return 1;
	w = xg_filter_word(h, &bit);
	return w && xg_filter_has(*w, bit, xg_sketch_epoch(now));
}

static __always_inline void xg_filter_set(__u64 h, __u64 now)
{
	__u32 bit;
	__u64 *w = xg_filter_word(h, &bit);

	if (w)
		*w = xg_filter_with(*w, bit, xg_sketch_epoch(now));
}

/* Row i's word and lane for h in the count-min block. */
static __always_inline __u64 *xg_cm_word(struct xg_sketch_block *b, __u64 h,
					 __u32 i, __u32 *lane)
{
	__u32 idx = xg_cm_index(h, i);

	*lane = idx & 1;
	return &b->w[i * XG_CM_ROW_WORDS + ((idx >> 1) & (XG_CM_ROW_WORDS - 1))];
}

static __always_inline void xg_cm_raise(__u64 *w, __u64 v, __u32 lane,
					__u64 to)
{
	__u32 sh = lane * XG_CM_LANE_BITS;

	if (xg_cm_lane(v, lane) < to)
		v = (v & ~((__u64)XG_CM_LANE_MAX << sh)) | to << sh;
	*w = v;
}

/* Conservative update: only the counters at the key's current minimum
 * grow, to min + n, which keeps every row at or above the key's count
 * while adding as little as possible to the other keys sharing them.
 * Each word is first decayed to the current epoch.
 */
static __always_inline void xg_cm_add(__u64 h, __u64 n, __u64 now)
{
	struct xg_sketch_block *b = xg_sketch_block(XG_SKETCH_CM);
	__u64 ep = xg_sketch_epoch(now), v0, v1, v2, m;
	__u32 l0, l1, l2;
	__u64 *w0, *w1, *w2;

	_Static_assert(XG_CM_ROWS == 3, "xg_cm_add updates three rows");
	if (!b)
		return;
	w0 = xg_cm_word(b, h, 0, &l0);
	w1 = xg_cm_word(b, h, 1, &l1);
	w2 = xg_cm_word(b, h, 2, &l2);
	v0 = xg_cm_decay(*w0, ep);
	v1 = xg_cm_decay(*w1, ep);
	v2 = xg_cm_decay(*w2, ep);
	m = xg_cm_lane(v0, l0);
	if (xg_cm_lane(v1, l1) < m)
		m = xg_cm_lane(v1, l1);
	if (xg_cm_lane(v2, l2) < m)
		m = xg_cm_lane(v2, l2);
	m = m + n > XG_CM_LANE_MAX ? XG_CM_LANE_MAX : m + n;
	xg_cm_raise(w0, v0, l0, m);
	xg_cm_raise(w1, v1, l1, m);
	xg_cm_raise(w2, v2, l2, m);
}

static __always_inline struct xg_cpu *xg_cpu_state(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&xg_cpu, &zero);
}

/* Counts no row will hold: the per-CPU totals and the sketch. */
static __always_inline void xg_hold(struct xg_cpu *a, __u32 key_len, __u64 h,
				    const struct xg_src_stats *p, __u64 now)
{
	struct xg_counter *c = key_len == 4 ? &a->held_v4 : &a->held_v6;

	c->packets += p->packets;
	c->bytes += p->bytes;
	xg_cm_add(h, p->packets, now);
}

/* Is this CPU's budget of unproven entries left in the current epoch? */
static __always_inline int xg_budget_left(struct xg_cpu *a, __u64 now)
{
	__u64 ep = xg_sketch_epoch(now);

	if (a->epoch != ep || !a->shift) {
		a->epoch = ep;
		a->budget_used = 0;
		a->shift = cfg_sketch_shift;
	}
	return a->budget_used < cfg_admit_budget;
}

/* Counts p of a source that may have no entry: give it one (or add to the
 * one it has) if admission allows, else hold them. absent: the caller
 * just looked the source up and found nothing. Returns 1 when the counts
 * went to the map.
 */
static __always_inline int xg_admit_or_hold(void *map, const void *key,
					    __u32 key_len, __u64 h,
					    const struct xg_src_stats *p,
					    __u64 now, int absent)
{
	struct xg_cpu *a;
	int proven, made;

	if (cfg_exact) {
		if (absent)
			xg_src_insert(map, key, key_len, p);
		else
			xg_src_write_back(map, key, key_len, p);
		return 1;
	}
	a = xg_cpu_state();
	proven = p->packets >= cfg_admit_pkts;
	if (a && !proven && !xg_budget_left(a, now)) {
		xg_hold(a, key_len, h, p, now);
		return 0;
	}
	made = absent ? xg_src_insert(map, key, key_len, p) : xg_src_write_back(map, key, key_len, p);
	if (made > 0 && a) {
		if (proven) {
			a->admitted++;
		} else {
			a->budgeted++;
			a->budget_used++;
		}
	}
	xg_filter_set(h, now);
	return 1;
}

#endif /* XDPGATE_ADMIT_BPF_H */
