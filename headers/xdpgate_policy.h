/* SPDX-License-Identifier: GPL-2.0 */
/* The policy stage's types, limits and map names, shared by the BPF
 * programs (XDP now, TC later), the loader, the tests and the benchmark.
 *
 * A rule set is two LPM tries (IPv4, IPv6) whose keys put a 32-bit VLAN
 * word in front of the address, so one prefix can carry different actions
 * on different VLANs: every key's prefix length covers the VLAN word, VLAN
 * 0 holds the rules for every VLAN. Two sets exist side by side (outer
 * arrays of maps, slots 0 and 1); the low bit of the generation in
 * xg_pol_state says which one is live, so a new set is built beside the
 * live one and switched in by one store. Every source caches its verdict
 * with the generation it was computed under (struct xg_src_stats), so the
 * tries are walked only for a new source or after a change.
 */
#ifndef XDPGATE_POLICY_H
#define XDPGATE_POLICY_H

#include <linux/types.h>

/* What a rule does with a matching source's packets. */
enum xg_pol_action {
	XG_POL_PASS = 0,
	XG_POL_DROP,
	XG_POL_REDIRECT,  /* out of another device (devmap on XDP) */
	XG_POL_LIMIT,     /* token bucket per source, shared by every CPU */
	XG_POL__MAX,
};

/* Rate units of XG_POL_LIMIT. */
enum xg_pol_unit {
	XG_UNIT_PPS = 0,  /* rate in packets/s, burst in packets */
	XG_UNIT_BPS,      /* rate in bits/s, burst in bytes */
};

/* Rule id 0 stands for the set's default action (no rule matched); its
 * hit counter counts those packets. Real rules get ids from 1 on, never
 * reused while the pinned state lives (a u32 counter).
 */
#define XG_RULE_DEFAULT 0

/* A cached verdict that no VLAN rule can change is valid on every VLAN. */
#define XG_VLAN_ANY 0xffff
#define XG_VLAN_MAX 4094

/* Address bits behind the VLAN word in a trie key's prefix length. */
#define XG_LPM_VLAN_BITS 32

/* Per-family rule capacity of one set: LPM tries allocate per entry, so
 * this only bounds memory (about 100-200 bytes a rule in the kernel).
 */
#ifndef XG_POL_MAX_RULES
#define XG_POL_MAX_RULES (1U << 21)
#endif
/* Rules with hit counters: an entry is made on a rule's first hit, so
 * this bounds the rules that can show hits at once (a hash map allocates
 * its bucket array up front: 16 bytes an entry). A hit that finds the map
 * full is not counted under its rule (the source still counts it).
 */
#ifndef XG_POL_MAX_HITS
#define XG_POL_MAX_HITS (1U << 20)
#endif
/* Token buckets of limited sources (LRU: a source that went quiet for
 * long gives its bucket up and gets a full one when it comes back).
 */
#ifndef XG_POL_BUCKETS
#define XG_POL_BUCKETS 65536
#endif
/* Redirect targets per interface (devmap entries, keyed by ifindex). */
#define XG_POL_MAX_TARGETS 64

/* Rate limits: the time unit of the bucket is 2^-XG_GCRA_SHIFT ns, and a
 * burst may hold at most XG_LIMIT_MAX_BURST_S seconds of traffic, which
 * keeps every product below 2^63 (see xdpgate_policy.bpf.h).
 */
#define XG_GCRA_SHIFT 6
#define XG_LIMIT_MIN_PPS 1ULL
#define XG_LIMIT_MAX_PPS 1000000000ULL        /* 10^9 packets/s */
#define XG_LIMIT_MIN_BPS 1000ULL              /* 1 kbit/s */
#define XG_LIMIT_MAX_BPS 10000000000000ULL    /* 10 Tbit/s */
#define XG_LIMIT_MIN_BURST_BYTES 64ULL        /* one minimal frame */
#define XG_LIMIT_MAX_BURST 0xffffffffULL
#define XG_LIMIT_MAX_BURST_S 3600ULL

/* IPv4 trie key: prefixlen counts the VLAN word, so it is
 * XG_LPM_VLAN_BITS + the address prefix length.
 */
struct xg_lpm_v4 {
	__u32 prefixlen;
	__u32 vlan;       /* network order; 0: every VLAN */
	__u8 addr[4];
};
_Static_assert(sizeof(struct xg_lpm_v4) == 12, "xg_lpm_v4 layout");

struct xg_lpm_v6 {
	__u32 prefixlen;
	__u32 vlan;
	__u8 addr[16];
};
_Static_assert(sizeof(struct xg_lpm_v6) == 24, "xg_lpm_v6 layout");

/* A rule: the value of a trie entry. Immutable once in a set: a change is
 * a new rule with a new id, so a cached verdict, a token bucket and a hit
 * counter always refer to one rule.
 */
struct xg_rule {
	__u32 id;
	__u8 action;      /* enum xg_pol_action */
	__u8 plen;        /* address prefix length, for precedence */
	__u8 unit;        /* enum xg_pol_unit (limit) */
	__u8 _pad0;
	__u32 target;     /* redirect: ifindex */
	__u32 _pad1;
	__u64 rate;       /* limit: pps or bps */
	__u64 burst;      /* limit: packets (pps) or bytes (bps) */
};
_Static_assert(sizeof(struct xg_rule) == 32, "xg_rule layout");

/* Per set: what matches no rule, and whether any rule carries a VLAN. */
struct xg_pol_set {
	__u8 dflt;        /* enum xg_pol_action: XG_POL_PASS or XG_POL_DROP */
	__u8 vlan_v4;     /* 1 when an IPv4 rule of the set has a VLAN */
	__u8 vlan_v6;
	__u8 _pad[5];
	__u32 nr_v4;      /* rules in the set (loader bookkeeping, status) */
	__u32 nr_v6;
};
_Static_assert(sizeof(struct xg_pol_set) == 16, "xg_pol_set layout");

/* The single entry of xg_pol_state, an mmapable array: the loader writes
 * it through its mapping, the generation with one aligned store, so a
 * program never reads half of it.
 */
struct xg_pol_state {
	__u32 gen;        /* bit 0: the live set; += 2 per in-place change */
	__u32 next_id;    /* next rule id to hand out */
	__u64 _pad;
	struct xg_pol_set set[2];
};
_Static_assert(sizeof(struct xg_pol_state) == 48, "xg_pol_state layout");

/* Hits of one rule (xg_pol_hits, keyed by rule id), added with atomics
 * when a hot slot writes back, per packet for sources without a slot.
 */
struct xg_rule_hits {
	__u64 packets;
	__u64 bytes;
};
_Static_assert(sizeof(struct xg_rule_hits) == 16, "xg_rule_hits layout");

/* A limited source's token bucket (xg_pol_bkt), kept as GCRA's
 * theoretical arrival time: one word, updated with compare-and-swap, so
 * every CPU draws from the same bucket without a lock.
 */
struct xg_bucket_key {
	__u8 addr[16];    /* IPv4 in the first 4 bytes */
	__u32 rule;       /* a changed rule starts a fresh bucket */
	__u16 family;     /* 4 or 6 */
	__u16 hook;       /* enum xg_hook: each hook limits its own traffic */
};
_Static_assert(sizeof(struct xg_bucket_key) == 24, "xg_bucket_key layout");

struct xg_bucket {
	__u64 tat;        /* units of 2^-XG_GCRA_SHIFT ns, bpf_ktime_get_ns() */
	__u64 cost;       /* pps: per packet; bps: per byte << 16 */
	__u64 tau;        /* burst tolerance, same unit as tat */
	__u32 unit;       /* enum xg_pol_unit */
	__u32 _pad;
};
_Static_assert(sizeof(struct xg_bucket) == 32, "xg_bucket layout");

/* Map names (the loader finds them by name through the program). */
#define XG_MAP_POL_STATE "xg_pol_state"
#define XG_MAP_POL_V4 "xg_pol_v4"
#define XG_MAP_POL_V6 "xg_pol_v6"
#define XG_MAP_POL_HITS "xg_pol_hits"
#define XG_MAP_POL_BKT "xg_pol_bkt"
#define XG_MAP_POL_TX "xg_pol_tx"

#endif /* XDPGATE_POLICY_H */
