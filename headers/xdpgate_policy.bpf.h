/* SPDX-License-Identifier: GPL-2.0 */
/* The policy stage, between accounting and the verdict, for every hook.
 *
 * Per packet: find the source's counts (hot slot, else its LRU entry, as
 * in xdpgate_account.bpf.h), make sure they hold a verdict computed under
 * the current rule-set generation for this VLAN (else walk the tries:
 * only a new source or the first packet after a change does), carry the
 * verdict out, and count the outcome under the source. The per-packet
 * cost on a cached verdict is one inlined array read (the generation) and
 * two compares, whatever the number of rules.
 *
 * Rule hits are counted when a slot writes its counts back (every packet
 * of a source without a slot): pending counts in a slot were all judged
 * under the slot's cached verdict, because a slot whose verdict changes
 * writes back first.
 *
 * The including hook defines xg_hook_redirect(ifindex): nonzero when the
 * packet will be redirected there (XDP: bpf_redirect_map on the devmap,
 * xdpgate_policy_xdp.bpf.h; TC: bpf_redirect).
 */
#ifndef XDPGATE_POLICY_BPF_H
#define XDPGATE_POLICY_BPF_H

#include <bpf/bpf_endian.h>

#include "xdpgate_account.bpf.h"
#include "xdpgate_admit.bpf.h"
#include "xdpgate_policy_maps.bpf.h"

static __always_inline int xg_hook_redirect(__u32 ifindex);

/* The live generation: a plain load from an inlined array lookup. */
static __always_inline __u32 xg_pol_gen(void)
{
	__u32 zero = 0;
	struct xg_pol_state *st = bpf_map_lookup_elem(&xg_pol_state, &zero);

	return st ? *(volatile __u32 *)&st->gen : 0;
}

static __always_inline int xg_pol_fresh(const struct xg_src_stats *s,
					__u32 gen, __u32 vlan)
{
	return s->epoch == gen && (s->vlan == vlan || s->vlan == XG_VLAN_ANY);
}

/* The set's default action and whether it has VLAN rules of a family. */
static __always_inline __u8 xg_pol_set_info(__u32 set, int v6, __u8 *by_vlan)
{
	__u32 zero = 0;
	struct xg_pol_state *st = bpf_map_lookup_elem(&xg_pol_state, &zero);

	*by_vlan = 0;
	if (!st)
		return XG_POL_PASS;
	*by_vlan = v6 ? st->set[set & 1].vlan_v6 : st->set[set & 1].vlan_v4;
	return st->set[set & 1].dflt;
}

/* The longest address prefix wins; on a tie the VLAN's own rule beats a
 * rule for every VLAN.
 */
static __always_inline struct xg_rule *xg_pol_pick(struct xg_rule *any,
						   struct xg_rule *own)
{
	return own && (!any || own->plen >= any->plen) ? own : any;
}

/* Judge addr (key_len 4 or 16 bytes) on vlan under generation gen: the
 * matching rule, or the set's default as rule XG_RULE_DEFAULT. Returns
 * the VLAN the verdict holds for (XG_VLAN_ANY when the set has no VLAN
 * rule of the family). Not inlined: every path that may walk shares one
 * copy. An IPv4 key is the first 12 bytes of the IPv6 layout.
 */
static __noinline __u32 xg_pol_walk(__u32 gen, const __u32 *addr,
				    __u32 key_len, __u32 vlan,
				    struct xg_rule *out)
{
	struct xg_lpm_v6 k = {};
	struct xg_rule *r = NULL;
	__u32 set = gen & 1;
	int v6 = key_len != 4;
	__u8 by_vlan, dflt = xg_pol_set_info(set, v6, &by_vlan);
	void *trie = bpf_map_lookup_elem(v6 ? (void *)&xg_pol_v6 : (void *)&xg_pol_v4,
					 &set);

	k.prefixlen = XG_LPM_VLAN_BITS + (v6 ? 128 : 32);
	xg_key_copy(k.addr, addr, v6 ? 16 : 4);
	if (trie) {
		r = bpf_map_lookup_elem(trie, &k);
		if (by_vlan && vlan) {
			k.vlan = bpf_htonl(vlan);
			r = xg_pol_pick(r, bpf_map_lookup_elem(trie, &k));
		}
	}
	if (r) {
		*out = *r;
	} else {
		__builtin_memset(out, 0, sizeof(*out));
		out->action = dflt;
	}
	return by_vlan ? vlan : XG_VLAN_ANY;
}

/* Cache a fresh verdict in s (a hot slot or an LRU entry). */
static __always_inline void xg_pol_judge(struct xg_src_stats *s, __u32 gen,
					 const void *addr, __u32 key_len,
					 __u32 vlan)
{
	struct xg_rule r;
	__u32 cv = xg_pol_walk(gen, addr, key_len, vlan, &r);

	s->epoch = gen;
	s->rule = r.id;
	s->target = r.target;
	s->vlan = (__u16)cv;
	s->verdict = r.action;
}

/* ---- rate limits: GCRA on one word per source, shared by all CPUs ---- */

/* x * c where c has 16 fraction bits, rounded up; x < 2^32 and
 * c < 2^45 by the limits in xdpgate_policy.h, so nothing overflows.
 */
static __always_inline __u64 xg_mul_fix16(__u64 x, __u64 c)
{
	return x * (c >> 16) + ((x * (c & 0xffff) + 0xffff) >> 16);
}

static __always_inline __u64 xg_div_ceil(__u64 a, __u64 b)
{
	return b ? (a + b - 1) / b : ~0ULL;
}

/* Emission interval and tolerance of a limit rule, in bucket units
 * (2^-XG_GCRA_SHIFT ns), rounded so the bucket never lets more through
 * than burst + rate * elapsed.
 */
static __always_inline void xg_bucket_init(struct xg_bucket *b,
					   const struct xg_rule *r, __u64 now)
{
	b->tat = now;
	b->unit = r->unit;
	b->_pad = 0;
	if (r->unit == XG_UNIT_BPS) {
		b->cost = xg_div_ceil((8000000000ULL << XG_GCRA_SHIFT) << 16, r->rate);
		b->tau = (r->burst * (b->cost >> 16)) + ((r->burst * (b->cost & 0xffff)) >> 16);
	} else {
		b->cost = xg_div_ceil(1000000000ULL << XG_GCRA_SHIFT, r->rate);
		b->tau = r->burst * b->cost;
	}
}

#define XG_GCRA_TRIES 8

/* 1 when the packet is over the limit. A bucket missing (first packet, or
 * evicted from the LRU map) is made from the rule, found again by a walk.
 * Contention beyond XG_GCRA_TRIES compare-and-swap rounds counts as over
 * the limit, never as a free pass.
 */
static __noinline int xg_pol_limited(const struct xg_bucket_key *k,
				     __u32 pkts, __u64 bytes, __u32 gen,
				     __u32 vlan)
{
	struct xg_bucket *b = bpf_map_lookup_elem(&xg_pol_bkt, k);
	__u64 now = bpf_ktime_get_ns() << XG_GCRA_SHIFT, cost;
	int i;

	if (!b) {
		struct xg_bucket nb;
		struct xg_rule r;

		xg_pol_walk(gen, (const __u32 *)k->addr, k->family == 4 ? 4 : 16,
			    vlan, &r);
		/* The rule changed since the verdict was cached: this
		 * packet's verdict is the old set's, judge it by that bucket
		 * no more; the next packet walks again.
		 */
		if (r.action != XG_POL_LIMIT || r.id != k->rule)
			return 0;
		xg_bucket_init(&nb, &r, now);
		bpf_map_update_elem(&xg_pol_bkt, k, &nb, BPF_NOEXIST);
		b = bpf_map_lookup_elem(&xg_pol_bkt, k);
		if (!b)
			return 1;
	}
	cost = b->unit == XG_UNIT_BPS ? xg_mul_fix16(bytes, b->cost) :
					b->cost * pkts;
	for (i = 0; i < XG_GCRA_TRIES; i++) {
		__u64 old = *(volatile __u64 *)&b->tat;
		__u64 next = ((__s64)(old - now) > 0 ? old : now) + cost;

		if ((__s64)(next - now) > (__s64)b->tau)
			return 1;
		if (__sync_val_compare_and_swap(&b->tat, old, next) == old)
			return 0;
	}
	return 1;
}

/* ---- verdict and counting ---- */

static __always_inline int xg_pol_act(const struct xg_src_stats *s,
				      const void *addr, __u32 key_len,
				      __u32 pkts, __u64 bytes, __u32 gen,
				      __u32 vlan, __u32 hook)
{
	struct xg_bucket_key k = {};

	switch (s->verdict) {
	case XG_POL_DROP:
		return XG_ACT_DROP;
	case XG_POL_REDIRECT:
		return xg_hook_redirect(s->target) ? XG_ACT_REDIRECT :
						     XG_ACT_REDIRECT_FAIL;
	case XG_POL_LIMIT:
		xg_key_copy(k.addr, addr, key_len);
		k.rule = s->rule;
		k.family = key_len == 4 ? 4 : 6;
		k.hook = (__u16)hook;
		return xg_pol_limited(&k, pkts, bytes, gen, vlan) ?
			XG_ACT_LIMITED : XG_ACT_PASS;
	default:
		return XG_ACT_PASS;
	}
}

static __always_inline void xg_pol_count(struct xg_src_stats *s, int res,
					 __u32 pkts, __u64 bytes, __u64 now)
{
	s->packets += pkts;
	s->bytes += bytes;
	s->last_seen_ns = now;
	if (res == XG_ACT_DROP)
		s->drops += pkts;
	else if (res == XG_ACT_REDIRECT)
		s->redirects += pkts;
	else if (res == XG_ACT_LIMITED)
		s->limited += pkts;
}

/* Add to a rule's hits, making its counter on the first hit. */
static __always_inline void xg_pol_hit_map(__u32 rule, __u64 packets,
					   __u64 bytes)
{
	struct xg_rule_hits *h = bpf_map_lookup_elem(&xg_pol_hits, &rule);

	if (!h) {
		struct xg_rule_hits z = {};

		bpf_map_update_elem(&xg_pol_hits, &rule, &z, BPF_NOEXIST);
		h = bpf_map_lookup_elem(&xg_pol_hits, &rule);
		if (!h)
			return;
	}
	__sync_fetch_and_add(&h->packets, packets);
	__sync_fetch_and_add(&h->bytes, bytes);
}

/* Hits of one rule gather in this CPU's xg_cpu until another rule's come
 * (emptied before they are added to the map, so a reader adding both sees
 * them late, never twice).
 */
static __always_inline void xg_pol_hit(__u32 rule, __u64 packets, __u64 bytes)
{
	struct xg_cpu *c = xg_cpu_state();
	struct xg_counter was;
	__u32 was_rule;

	if (!c) {
		xg_pol_hit_map(rule, packets, bytes);
		return;
	}
	if (c->hit_rule == rule) {
		c->hit_pending.packets += packets;
		c->hit_pending.bytes += bytes;
		return;
	}
	was = c->hit_pending;
	was_rule = c->hit_rule;
	c->hit_rule = rule;
	c->hit_pending.packets = packets;
	c->hit_pending.bytes = bytes;
	if (was.packets)
		xg_pol_hit_map(was_rule, was.packets, was.bytes);
}

/* Pending counts p of a slot whose owner is key: to their rule's hits,
 * and to the owner's LRU entry when it has one (a known owner) or admission
 * gives it one, else held. Returns 1 when the owner has an entry now.
 */
static __always_inline int xg_pol_flush(void *src_map, const void *key,
					__u32 key_len,
					const struct xg_src_stats *p, __u64 now)
{
	int known = p->flags & XG_SRC_F_KNOWN;
	struct xg_src_stats *s;
	__u64 h;

	xg_pol_hit(p->rule, p->packets, p->bytes);
	if (cfg_exact) {
		xg_src_write_back(src_map, key, key_len, p);
		return 1;
	}
	h = xg_key_hash(key, key_len);
	if (known) {
		s = bpf_map_lookup_elem(src_map, key);
		if (s) {
			xg_src_add(s, p);
			xg_filter_set(h, now);
			return 1;
		}
	}
	return xg_admit_or_hold(src_map, key, key_len, h, p, now, known);
}

/* After a flush: an owner whose counts were held has no entry (it was
 * evicted, or the filter was wrong), so it gathers counts until it proves
 * itself again rather than look its entry up at every flush.
 */
static __always_inline void xg_hot_known(struct xg_src_stats *s, int known)
{
	if (known)
		s->flags |= XG_SRC_F_KNOWN;
	else
		s->flags &= ~XG_SRC_F_KNOWN;
}

/* May the owner's counts leave the slot on age alone? An owner that has
 * not proven itself yet keeps gathering them (until XG_HOT_WRITEBACK_PKTS
 * or another source takes the slot), so a source sending a few packets
 * now and then can still reach cfg_admit_pkts.
 */
static __always_inline int xg_hot_settled(const struct xg_src_stats *s)
{
	return cfg_exact || (s->flags & XG_SRC_F_KNOWN) ||
	       s->packets >= cfg_admit_pkts;
}

/* One packet from addr (key_len 4 or 16) on vlan (0: untagged): judge,
 * act, count. hs, written_ns and owner are the source's hot slot (hs NULL
 * when there is none). pkts is what the packet is on the wire (a TC GSO
 * packet: its segments; XDP: 1), bytes their length; hook (enum xg_hook)
 * keeps each hook's rate-limit buckets apart, so a packet seen by XDP
 * and then by TC ingress is not charged twice. Returns the outcome, an
 * enum xg_action.
 *
 * The slot's owner counts in the slot. Another source takes the slot when
 * its owner is idle; otherwise it is counted in its LRU entry if the
 * admitted filter says it may have one and it does, else it goes through
 * admission (xdpgate_admit.bpf.h) with this one packet: an entry on the
 * budget, or held. Only the slot and the LRU entry cache a verdict; a
 * held packet is judged afresh (a walk of the tries, skipped when the set
 * has no rule of its family).
 */
static __always_inline int xg_police(void *src_map, struct xg_src_stats *hs,
				     __u64 *written_ns, void *owner,
				     const void *addr, __u32 key_len,
				     __u32 vlan, __u32 pkts, __u64 bytes,
				     __u32 hook)
{
	__u64 now = xg_now_coarse_ns();
	__u32 gen = xg_pol_gen();
	/* A packet takes one path: out (a slot's counts on their way to the
	 * LRU map, paths 0 and 1) and fresh (a source with neither slot nor
	 * entry, path 3) are never both in use, so they share stack: the
	 * verifier allows 512 bytes for a program and its calls together,
	 * and the TC program with xg_pol_limited -> xg_pol_walk needs them.
	 */
	union {
		struct xg_src_stats out;
		struct xg_src_stats fresh;
	} u = {};
	struct xg_src_stats *s;
	struct xg_in6_key old;
	int res, path, known = 0; /* path: 0 slot owner, 1 claimed slot, 2 LRU entry, 3 none */
	__u64 h = 0;

	if (hs && xg_key_eq(owner, addr, key_len)) {
		s = hs;
		path = 0;
		if (!xg_pol_fresh(s, gen, vlan)) {
			if (s->packets) {
				u.out = *s;
				xg_hot_reset(s);
				*written_ns = now;
				xg_hot_known(s, xg_pol_flush(src_map, addr,
							    key_len, &u.out, now));
			}
			xg_pol_judge(s, gen, addr, key_len, vlan);
		}
	} else {
		if (!cfg_exact)
			h = xg_key_hash(addr, key_len);
		known = xg_known(h, now);
		if (hs && !xg_hot_keep_owner(hs, now)) {
			u.out = *hs;
			xg_key_copy(&old, owner, key_len);
			xg_key_copy(owner, addr, key_len);
			*written_ns = now;
			xg_hot_claim(hs, 0, now);
			hs->packets = 0;
			if (known)
				hs->flags = XG_SRC_F_KNOWN;
			s = hs;
			path = 1;
			xg_pol_judge(s, gen, addr, key_len, vlan);
		} else {
			s = known ? bpf_map_lookup_elem(src_map, addr) : NULL;
			path = 2;
			if (!s) {
				s = &u.fresh;
				path = 3;
			}
			if (!xg_pol_fresh(s, gen, vlan) || path == 3)
				xg_pol_judge(s, gen, addr, key_len, vlan);
		}
	}

	res = xg_pol_act(s, addr, key_len, pkts, bytes, gen, vlan, hook);
	xg_pol_count(s, res, pkts, bytes, now);

	if (path >= 2) {
		if (path == 3)
			xg_admit_or_hold(src_map, addr, key_len, h, &u.fresh, now,
					 known);
		else if (!cfg_exact)
			xg_filter_set(h, now);
		xg_pol_hit(s->rule, pkts, bytes);
	} else if (path == 1) {
		if (u.out.packets)
			xg_pol_flush(src_map, &old, key_len, &u.out, now);
	} else if (s->packets >= XG_HOT_WRITEBACK_PKTS ||
		   (now - *written_ns >= cfg_hot_writeback_ns &&
		    xg_hot_settled(s))) {
		u.out = *s;
		xg_hot_reset(s);
		*written_ns = now;
		xg_hot_known(s, xg_pol_flush(src_map, addr, key_len, &u.out, now));
	}
	return res;
}

static __always_inline int xg_police_v4(__u32 addr, __u32 vlan, __u32 pkts,
					__u64 bytes, __u32 hook)
{
	__u32 idx = xg_hot_index(addr);
	struct xg_hot_v4 *h = bpf_map_lookup_elem(&xg_hot_v4, &idx);

	if (!h)
		return xg_police(&xg_src_v4, NULL, NULL, NULL, &addr, 4, vlan,
				 pkts, bytes, hook);
	return xg_police(&xg_src_v4, &h->s, &h->written_ns, &h->addr, &addr, 4,
			 vlan, pkts, bytes, hook);
}

static __always_inline int xg_police_v6(const __u32 *addr, __u32 vlan,
					__u32 pkts, __u64 bytes, __u32 hook)
{
	__u32 idx = xg_hot_index(xg_fold6(addr));
	struct xg_hot_v6 *h = bpf_map_lookup_elem(&xg_hot_v6, &idx);

	if (!h)
		return xg_police(&xg_src_v6, NULL, NULL, NULL, addr, 16, vlan,
				 pkts, bytes, hook);
	return xg_police(&xg_src_v6, &h->s, &h->written_ns, h->addr.addr, addr,
			 16, vlan, pkts, bytes, hook);
}

#endif /* XDPGATE_POLICY_BPF_H */
