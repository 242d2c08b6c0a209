/* SPDX-License-Identifier: GPL-2.0 */
/* Map keys, values and enums shared by kernel and user code.
 * One definition each: the loader, the tests and the benchmark include this
 * file rather than keeping copies. Values are 8-byte aligned and use fixed
 * width types so the BPF and host layouts are identical (checked below).
 */
#ifndef XDPGATE_TYPES_H
#define XDPGATE_TYPES_H

#include <linux/types.h>
#include "xdpgate_limits.h"

/* Per-source accounting, one per CPU per source address. The verdict cache
 * (epoch .. verdict) is filled by the policy stage (xdpgate_policy.bpf.h):
 * a value whose epoch is not the current policy generation, or whose VLAN
 * is not the packet's, is judged again.
 */
struct xg_src_stats {
	__u64 packets;
	__u64 bytes;
	__u64 drops;     /* dropped by a drop rule or a drop default */
	__u64 redirects; /* handed to another device */
	__u64 limited;   /* dropped by a rate limit */
	__u64 last_seen_ns; /* CLOCK_MONOTONIC_COARSE, see xdpgate_clock.bpf.h */
	__u32 epoch;     /* policy generation of the cached verdict */
	__u32 rule;      /* id of the rule behind it (0: the default action) */
	__u32 target;    /* redirect: ifindex */
	__u16 vlan;      /* VLAN it holds for, XG_VLAN_ANY: every VLAN */
	__u8 verdict;    /* enum xg_pol_action */
	__u8 flags;      /* XG_SRC_F_*, meaningful in a hot slot only */
};
_Static_assert(sizeof(struct xg_src_stats) == 64, "xg_src_stats layout");

/* A hot slot's owner is known to have an entry in the LRU map (it was
 * found there or admitted): its counts are written back without the
 * admission check. Without it, a slot's counts go to the map only when
 * they prove the source (see xdpgate_admit.bpf.h).
 */
#define XG_SRC_F_KNOWN 0x01

struct xg_in6_key {
	__u8 addr[16];
};
_Static_assert(sizeof(struct xg_in6_key) == 16, "xg_in6_key layout");

/* A slot of the per-CPU hot-source cache (xg_hot_v4 / xg_hot_v6): the
 * source that owns it and its counts not yet in the LRU map. A slot with
 * zero packets holds nothing pending. Readers add the pending counts to
 * the LRU map's, reading the LRU map first: counts only move from a slot
 * to the map, so a concurrent write-back can delay a count to the next
 * read but never show it twice.
 */
struct xg_hot_v4 {
	struct xg_src_stats s;
	__u64 written_ns; /* last write-back, same clock as last_seen_ns */
	__u32 addr;       /* network order */
	__u32 _pad;
};
_Static_assert(sizeof(struct xg_hot_v4) == 80, "xg_hot_v4 layout");

struct xg_hot_v6 {
	struct xg_src_stats s;
	__u64 written_ns;
	struct xg_in6_key addr;
};
_Static_assert(sizeof(struct xg_hot_v6) == 88, "xg_hot_v6 layout");

/* A packets+bytes pair, the value of the per-CPU counter arrays. */
struct xg_counter {
	__u64 packets;
	__u64 bytes;
};
_Static_assert(sizeof(struct xg_counter) == 16, "xg_counter layout");

/* Per-CPU state of the data plane that belongs to no source (map xg_cpu,
 * one entry).
 *
 * held_*: packets counted in no per-source row, refused an entry by the
 * admission stage and counted only in its sketch (xdpgate_admit.bpf.h).
 * Every packet that reaches per-source accounting is in exactly one of: a
 * row (LRU entry or hot slot), held_*, src_update_fail, or an evicted
 * entry.
 *
 * hit_*: rule hits not yet added to xg_pol_hits: consecutive hits of one
 * rule on a CPU gather here, so a flood judged by one rule costs no hash
 * lookup and no atomic per packet. Readers add them to the rule's hits.
 */
struct xg_cpu {
	struct xg_counter held_v4;
	struct xg_counter held_v6;
	__u64 admitted;     /* entries made for a source that proved itself */
	__u64 budgeted;     /* entries made on the budget (cfg_admit_budget) */
	__u64 epoch;        /* sketch epoch of budget_used (now >> shift) */
	__u64 budget_used;  /* entries the budget allowed in that epoch */
	__u32 shift;        /* cfg_sketch_shift, for readers decaying the sketch */
	__u32 hit_rule;     /* rule of hit_pending; none while its packets are 0 */
	struct xg_counter hit_pending;
};
_Static_assert(sizeof(struct xg_cpu) == 88, "xg_cpu layout");

/* Outcomes, index of the xg_actions array; each packet counts in exactly
 * one. LIMITED packets were dropped by a rate limit (not in DROP);
 * REDIRECT_FAIL packets were passed because their redirect target was
 * missing (not in PASS).
 */
enum xg_action {
	XG_ACT_PASS = 0,
	XG_ACT_DROP,
	XG_ACT_REDIRECT,
	XG_ACT_ABORTED,
	XG_ACT_LIMITED,
	XG_ACT_REDIRECT_FAIL,
	XG_ACT__MAX,
};

/* Parse outcomes and accounting failures, index of the xg_reasons array.
 * XG_PARSE_OK is returned by the parser but never counted (hot path).
 * Keep xg_reason_names in xdpgate_names.h in the same order.
 */
enum xg_reason {
	XG_PARSE_OK = 0,
	XG_PARSE_NOT_IP,         /* ARP, LLDP, ...: passed, not an error */
	XG_PARSE_ETH_TRUNC,      /* shorter than an Ethernet header */
	XG_PARSE_VLAN_TRUNC,     /* VLAN tag cut short */
	XG_PARSE_VLAN_TOO_DEEP,  /* more than VLAN_MAX_DEPTH tags */
	XG_PARSE_IPV4_TRUNC,     /* header, options or tot_len past what arrived */
	XG_PARSE_IPV4_BAD_VER,   /* ethertype IPv4, version field not 4 */
	XG_PARSE_IPV4_BAD_IHL,   /* ihl < 5 */
	XG_PARSE_IPV4_BAD_LEN,   /* tot_len smaller than the header (ihl * 4) */
	XG_PARSE_IPV6_TRUNC,     /* header or payload_len past what arrived */
	XG_PARSE_IPV6_BAD_VER,   /* ethertype IPv6, version field not 6 */
	XG_PARSE_IPV6_EXT_TRUNC, /* an extension header past payload_len or the frame */
	XG_PARSE_IPV6_EXT_TOO_MANY, /* more than IPV6_EXT_MAX headers */
	XG_PARSE_L4_TRUNC,       /* TCP/UDP/ICMP header past the IP length or frame */
	XG_RSN_SRC_UPDATE_FAIL,  /* per-source map refused an insert */
	XG_RSN__MAX,
};

/* The reasons counted for packets that reached per-source accounting:
 * counted under their source, or lost there (src_update_fail). Every
 * other reason is a packet no source row holds. Readers reconcile the
 * per-source rows with the totals through this: a reason added for
 * packets that are also counted under their source belongs in it.
 */
#define XG_RSN_ACCOUNTED_MASK (1ULL << XG_RSN_SRC_UPDATE_FAIL)

/* Index of xg_inserts: new entries the data plane put into each per-source
 * LRU map. Nothing but LRU eviction removes an entry, so the entries that
 * were evicted are the inserts minus the entries still there.
 */
enum xg_src_family {
	XG_FAM_V4 = 0,
	XG_FAM_V6,
	XG_FAM__MAX,
};

enum xg_frag {
	XG_FRAG_NONE = 0,
	XG_FRAG_FIRST,    /* offset 0, more fragments follow: ports readable */
	XG_FRAG_LATER,    /* offset > 0: no L4 header, never read ports */
};

/* What the parser found. Filled completely (zeroed first), so the host and
 * BPF builds of parse.h can be compared byte for byte.
 */
struct xg_pkt_meta {
	__u32 result;      /* enum xg_reason */
	__u16 eth_proto;   /* innermost ethertype, host order */
	__u8 vlan_depth;
	__u8 ip_version;   /* 4, 6 or 0 */
	__u16 vlan_id[VLAN_MAX_DEPTH];
	__u16 l3_off;      /* offsets from the start of the frame */
	__u16 l4_off;
	__u8 l4_proto;     /* IPPROTO_*, after IPv6 extension headers */
	__u8 frag;         /* enum xg_frag */
	__u8 ext_count;    /* IPv6 extension headers walked */
	__u8 icmp_type;
	__u8 icmp_code;
	__u8 _pad0[1];
	__u16 sport;       /* host order, 0 when not TCP/UDP or a later frag */
	__u16 dport;
	__u16 _pad1;
	__u32 l3_len;      /* IPv4 tot_len or 40 + IPv6 payload_len */
	__u8 saddr[16];    /* IPv4 in the first 4 bytes, network order */
	__u8 daddr[16];
};
#if VLAN_MAX_DEPTH == 2
_Static_assert(sizeof(struct xg_pkt_meta) == 64, "xg_pkt_meta layout");
#endif

/* Where a data plane runs. Every pinned instance directory records one
 * (see struct xg_owner); the TC and cgroup layers add theirs here, so the
 * loader, the tests and the exporter share one list.
 */
enum xg_hook {
	XG_HOOK_XDP = 0,
	XG_HOOK_TC_INGRESS,
	XG_HOOK_TC_EGRESS,
	XG_HOOK_CGROUP,      /* the socket layer: host-wide, ifindex 0 */
	XG_HOOK__MAX,
};

enum xg_owner_state {
	XG_OWNER_LOADING = 1,  /* written before anything is attached */
	XG_OWNER_ATTACHED = 2, /* written once the hook runs prog_id */
};

#define XG_OWNER_VERSION 1

/* Who a pin directory belongs to: the single entry of the array map
 * XG_MAP_OWNER pinned in it, written by the loader only (programs never
 * read it). Counters must never pass from one interface instance to
 * another, so an instance is the interface's ifindex in its network
 * namespace plus the program (or bpf_link) attached there; a directory
 * whose owner no longer runs is an orphan, listed and removable, never
 * silently reused.
 */
struct xg_owner {
	__u64 netns_cookie;    /* SO_NETNS_COOKIE; 0 where the kernel lacks it */
	__u64 netns_ino;       /* inode of /proc/self/ns/net at attach */
	__u64 created_ns;      /* CLOCK_REALTIME of the attach */
	__u32 version;         /* XG_OWNER_VERSION */
	__u32 state;           /* enum xg_owner_state */
	__u32 ifindex;         /* 0 for host-wide layers */
	__u32 hook;            /* enum xg_hook */
	__u32 prog_id;         /* 0 while LOADING */
	__u32 link_id;         /* 0 unless attached through a bpf_link */
	char ifname[16];       /* the name at attach, for messages only */
};
_Static_assert(sizeof(struct xg_owner) == 64, "xg_owner layout");

#endif /* XDPGATE_TYPES_H */
