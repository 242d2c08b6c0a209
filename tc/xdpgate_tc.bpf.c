// SPDX-License-Identifier: GPL-2.0
/* xdpgate's TC programs: parse, account, policy, verdict, as the XDP
 * program does, for what the XDP hook cannot see: traffic the host (or a
 * container behind a veth) sends, and skbs after GRO.
 *
 * Two programs, one per direction, so the direction is a property of the
 * program and needs no load-time setting (iproute2 cannot set one):
 *   SEC("tc")        xdpgate_ingress  counts and judges by source;
 *   SEC("tc/egress") xdpgate_egress   by destination.
 * Either way the key is the remote end: where a packet comes from at
 * ingress, where it goes at egress. The rules (xdpgate_policy.bpf.h) match
 * that key too, so "10.0.0.0/8 drop" drops what comes from 10/8 at ingress
 * and what goes to 10/8 at egress.
 *
 * A packet counts as what it is on the wire: a GSO/GRO packet as its
 * gso_segs segments, each with its own copy of the headers, and a VLAN tag
 * the skb holds as metadata as the 4 bytes it takes on the wire, so TC
 * counts a frame with the bytes XDP counts for it.
 *
 * Passing hands the packet to the next filter or tcx program
 * (TC_ACT_UNSPEC, tcx's "next"), never ends the chain: xdpgate runs
 * beside other TC programs without deciding for them.
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

#include "parse.h"
#include "xdpgate_policy_tc.bpf.h"

/* Set by the loader between open and load (as in the XDP program). */
const volatile __u8 cfg_drop_unparsed = 0;

/* Headers found beyond the linear part of an skb are made linear, up to
 * this many bytes (Ethernet, two tags, IPv6 and its extension headers,
 * TCP: a few hundred at most in practice). Only then: a pull is a helper
 * call that may copy, and nearly every skb has its headers linear.
 */
#define XG_TC_PULL_MAX 512

#define XG_VLAN_HLEN 4

/* The reasons a header was cut short by data_end (or by the packet). */
static __always_inline int xg_tc_truncated(int r)
{
	return r == XG_PARSE_ETH_TRUNC || r == XG_PARSE_VLAN_TRUNC ||
	       r == XG_PARSE_IPV4_TRUNC || r == XG_PARSE_IPV6_TRUNC ||
	       r == XG_PARSE_IPV6_EXT_TRUNC || r == XG_PARSE_L4_TRUNC;
}

/* Parse what is linear; if a header was cut at the end of the linear part
 * of a longer skb, pull and parse once more.
 */
static __always_inline int xg_tc_parse(struct __sk_buff *skb,
				       struct xg_pkt_meta *m)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	__u32 len = skb->len;
	int r = xg_parse(data, data_end, len, m);

	if (!xg_tc_truncated(r) || (__u64)(data_end - data) >= len)
		return r;
	if (bpf_skb_pull_data(skb, len < XG_TC_PULL_MAX ? len : XG_TC_PULL_MAX))
		return r;
	data = (void *)(long)skb->data;
	data_end = (void *)(long)skb->data_end;
	return xg_parse(data, data_end, len, m);
}

/* The headers every segment of a GSO packet carries: up to the L4 header
 * and, for TCP and UDP, that header too (other protocols: up to L4).
 */
static __always_inline __u32 xg_tc_seg_hdr(struct __sk_buff *skb,
					   const struct xg_pkt_meta *m)
{
	__u8 doff = 0;

	if (m->l4_proto == XG_IPPROTO_UDP)
		return m->l4_off + 8;
	if (m->l4_proto != XG_IPPROTO_TCP ||
	    bpf_skb_load_bytes(skb, m->l4_off + 12, &doff, 1))
		return m->l4_off;
	return m->l4_off + (doff >> 4) * 4;
}

/* Packets and bytes on the wire (without the FCS). */
static __always_inline void xg_tc_size(struct __sk_buff *skb,
				       const struct xg_pkt_meta *m, int parsed,
				       __u32 *pkts, __u64 *bytes)
{
	__u32 segs = skb->gso_segs;
	__u32 tag = skb->vlan_present ? XG_VLAN_HLEN : 0;
	__u32 hdr = 0;

	if (segs <= 1) {
		*pkts = 1;
		*bytes = (__u64)skb->len + tag;
		return;
	}
	if (parsed)
		hdr = xg_tc_seg_hdr(skb, m);
	*pkts = segs;
	*bytes = (__u64)skb->len + (__u64)(segs - 1) * hdr + (__u64)segs * tag;
}

/* Every outcome is counted once in xg_actions. */
static __always_inline int xg_tc_verdict(__u32 outcome, __u32 pkts,
					 __u64 bytes)
{
	xg_count_n(&xg_actions, outcome, pkts, bytes);
	switch (outcome) {
	case XG_ACT_DROP:
	case XG_ACT_LIMITED:
		return TC_ACT_SHOT;
	case XG_ACT_REDIRECT:
		return TC_ACT_REDIRECT;
	default:
		return TC_ACT_UNSPEC;
	}
}

/* hook is XG_HOOK_TC_INGRESS or XG_HOOK_TC_EGRESS, a constant after
 * inlining.
 */
static __always_inline int xg_tc_run(struct __sk_buff *skb, __u32 hook)
{
	struct xg_pkt_meta m;
	const __u8 *addr;
	__u32 pkts, vlan;
	__u64 bytes;
	int r = xg_tc_parse(skb, &m);

	xg_tc_size(skb, &m, r == XG_PARSE_OK, &pkts, &bytes);
	if (r != XG_PARSE_OK) {
		xg_count_n(&xg_reasons, r, pkts, bytes);
		if (cfg_drop_unparsed && r != XG_PARSE_NOT_IP)
			return xg_tc_verdict(XG_ACT_DROP, pkts, bytes);
		return xg_tc_verdict(XG_ACT_PASS, pkts, bytes);
	}

	/* Rules key on the outer tag: the one the skb holds, if it does
	 * (the stack took it out of the frame), else the frame's first.
	 */
	if (skb->vlan_present)
		vlan = skb->vlan_tci & 0x0fff;
	else
		vlan = m.vlan_depth ? m.vlan_id[0] : 0;
	addr = hook == XG_HOOK_TC_EGRESS ? m.daddr : m.saddr;
	if (m.ip_version == 4) {
		__u32 a4;

		__builtin_memcpy(&a4, addr, 4);
		r = xg_police_v4(a4, vlan, pkts, bytes, hook);
	} else {
		r = xg_police_v6((const __u32 *)addr, vlan, pkts, bytes, hook);
	}
	return xg_tc_verdict(r, pkts, bytes);
}

SEC("tc")
int xdpgate_ingress(struct __sk_buff *skb)
{
	return xg_tc_run(skb, XG_HOOK_TC_INGRESS);
}

SEC("tc/egress")
int xdpgate_egress(struct __sk_buff *skb)
{
	return xg_tc_run(skb, XG_HOOK_TC_EGRESS);
}

char LICENSE[] SEC("license") = "GPL";
