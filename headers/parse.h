/* SPDX-License-Identifier: GPL-2.0 */
/* The one packet parser of xdpgate.
 *
 * Compiled into the XDP program, the TC program and the host (userspace)
 * reference build used by the tests, so the three cannot disagree. It walks
 * a (data, data_end) cursor: every read is preceded by a bounds check the
 * verifier can follow, every loop is bounded by a named limit, and a packet
 * that is truncated or exceeds a limit returns a reason instead of a guess.
 *
 * pkt_len is the full length of the packet, which can exceed data_end - data
 * when only part of the packet is directly readable (TC on a non-linear skb,
 * XDP multi-buffer). Length fields are checked against it, reads against
 * data_end, and headers after the IP header against the IP length too, so
 * Ethernet padding after a short packet is never parsed as a header.
 */
#ifndef XDPGATE_PARSE_H
#define XDPGATE_PARSE_H

#include <linux/types.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf_endian.h>

#include "xdpgate_limits.h"
#include "xdpgate_types.h"

#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif

/* clang unrolls the bounded loops for the verifier; gcc (host build) does
 * not know the pragma and would fail -Werror=unknown-pragmas.
 */
#ifdef __clang__
#define XG_UNROLL _Pragma("unroll")
#else
#define XG_UNROLL
#endif

/* Numeric protocol values, so this header does not depend on which of
 * linux/in.h or netinet/in.h the including file chose.
 */
#define XG_IPPROTO_HOPOPTS 0
#define XG_IPPROTO_ICMP 1
#define XG_IPPROTO_TCP 6
#define XG_IPPROTO_UDP 17
#define XG_IPPROTO_ROUTING 43
#define XG_IPPROTO_FRAGMENT 44
#define XG_IPPROTO_AH 51
#define XG_IPPROTO_ICMPV6 58
#define XG_IPPROTO_DSTOPTS 60

#define XG_IP_MF 0x2000
#define XG_IP_OFFMASK 0x1fff

struct xg_vlan_hdr {
	__be16 tci;
	__be16 encap_proto;
};

/* Generic IPv6 extension header start: hop-by-hop, routing, dest options
 * and AH share it (AH counts its length in 4-byte units, the others in 8).
 */
struct xg_ipv6_opt_hdr {
	__u8 nexthdr;
	__u8 hdrlen;
};

struct xg_ipv6_frag_hdr {
	__u8 nexthdr;
	__u8 reserved;
	__be16 frag_off; /* offset in 8-byte units << 3 | M flag */
	__be32 identification;
};

struct xg_l4_ports {
	__be16 source;
	__be16 dest;
};

struct xg_icmp_start {
	__u8 type;
	__u8 code;
	__be16 checksum;
	__be32 rest; /* every ICMP and ICMPv6 message has at least 8 bytes */
};

/* How far pos is into the frame, as a plain number. The barrier keeps
 * the compiler from folding "pkt_len - (pos - data)" into pointer
 * arithmetic (pkt_len + data - pos, in 32 bits), which the verifier
 * refuses; whether it folds depends on the code around the inlined
 * parser (the TC programs' did).
 */
static __always_inline __u32 xg_off(void *data, void *pos)
{
	__u32 off = (__u32)(pos - data);

#ifdef __bpf__
	asm volatile("" : "+r"(off));
#endif
	return off;
}

static __always_inline int xg_is_vlan(__u16 proto_host)
{
	return proto_host == ETH_P_8021Q || proto_host == ETH_P_8021AD;
}

/* One shift and mask instead of five compares: every extension header we
 * walk has a protocol number below 64.
 */
#define XG_IPV6_EXT_MASK                                                    \
	((1ULL << XG_IPPROTO_HOPOPTS) | (1ULL << XG_IPPROTO_ROUTING) |      \
	 (1ULL << XG_IPPROTO_FRAGMENT) | (1ULL << XG_IPPROTO_DSTOPTS) |     \
	 (1ULL << XG_IPPROTO_AH))

static __always_inline int xg_is_ipv6_ext(__u8 nexthdr)
{
	return nexthdr < 64 && ((1ULL << nexthdr) & XG_IPV6_EXT_MASK);
}

/* Ports for TCP/UDP, type and code for ICMP; other protocols carry neither.
 * Never called for a later fragment, which has no L4 header. room is what
 * is left of the IP packet: the header must fit in it, not only in the
 * frame, or Ethernet padding after a short packet would be read as ports.
 */
static __always_inline int xg_parse_l4(void *pos, void *data_end, __u32 room,
				       struct xg_pkt_meta *m)
{
	switch (m->l4_proto) {
	case XG_IPPROTO_TCP:
	case XG_IPPROTO_UDP: {
		struct xg_l4_ports *p = pos;
		/* A whole header, not just the ports: a cut TCP/UDP
		 * header is a malformed packet, not a short one.
		 */
		int need = m->l4_proto == XG_IPPROTO_TCP ? 20 : 8;

		if ((__u32)need > room || pos + need > data_end)
			return XG_PARSE_L4_TRUNC;
		m->sport = bpf_ntohs(p->source);
		m->dport = bpf_ntohs(p->dest);
		return XG_PARSE_OK;
	}
	case XG_IPPROTO_ICMP:
	case XG_IPPROTO_ICMPV6: {
		struct xg_icmp_start *ic = pos;

		if (sizeof(*ic) > room || (void *)(ic + 1) > data_end)
			return XG_PARSE_L4_TRUNC;
		m->icmp_type = ic->type;
		m->icmp_code = ic->code;
		return XG_PARSE_OK;
	}
	default:
		return XG_PARSE_OK;
	}
}

static __always_inline int xg_parse_ipv4(void *data, void *pos, void *data_end,
					 __u32 pkt_len, struct xg_pkt_meta *m)
{
	struct iphdr *iph = pos;
	__u32 hlen, tot_len, avail;
	__u16 frag_off;

	if ((void *)(iph + 1) > data_end)
		return XG_PARSE_IPV4_TRUNC;
	if (iph->version != 4)
		return XG_PARSE_IPV4_BAD_VER;
	if (iph->ihl < 5)
		return XG_PARSE_IPV4_BAD_IHL;
	hlen = iph->ihl * 4;
	tot_len = bpf_ntohs(iph->tot_len);
	if (tot_len < hlen)
		return XG_PARSE_IPV4_BAD_LEN;
	if (pos + hlen > data_end)
		return XG_PARSE_IPV4_TRUNC;
	avail = pkt_len - xg_off(data, pos);
	if (tot_len > avail)
		return XG_PARSE_IPV4_TRUNC;

	m->ip_version = 4;
	m->l3_len = tot_len;
	m->l4_proto = iph->protocol;
	__builtin_memcpy(m->saddr, &iph->saddr, 4);
	__builtin_memcpy(m->daddr, &iph->daddr, 4);

	frag_off = bpf_ntohs(iph->frag_off);
	if (frag_off & XG_IP_OFFMASK)
		m->frag = XG_FRAG_LATER;
	else if (frag_off & XG_IP_MF)
		m->frag = XG_FRAG_FIRST;

	pos += hlen;
	m->l4_off = (__u16)(pos - data);
	if (m->frag == XG_FRAG_LATER)
		return XG_PARSE_OK;
	return xg_parse_l4(pos, data_end, tot_len - hlen, m);
}

static __always_inline int xg_parse_ipv6(void *data, void *pos, void *data_end,
					 __u32 pkt_len, struct xg_pkt_meta *m)
{
	struct ipv6hdr *ip6 = pos;
	__u32 l3_len, avail, left;
	__u8 nexthdr;
	int i;

	if ((void *)(ip6 + 1) > data_end)
		return XG_PARSE_IPV6_TRUNC;
	if (ip6->version != 6)
		return XG_PARSE_IPV6_BAD_VER;
	l3_len = sizeof(*ip6) + bpf_ntohs(ip6->payload_len);
	avail = pkt_len - xg_off(data, pos);
	if (l3_len > avail)
		return XG_PARSE_IPV6_TRUNC;

	m->ip_version = 6;
	m->l3_len = l3_len;
	__builtin_memcpy(m->saddr, &ip6->saddr, 16);
	__builtin_memcpy(m->daddr, &ip6->daddr, 16);
	nexthdr = ip6->nexthdr;
	pos += sizeof(*ip6);
	/* Headers must fit in the payload length, not only in the frame. */
	left = l3_len - sizeof(*ip6);

	XG_UNROLL
	for (i = 0; i < IPV6_EXT_MAX; i++) {
		struct xg_ipv6_opt_hdr *oh = pos;
		__u32 len;

		if (!xg_is_ipv6_ext(nexthdr))
			break;
		if (sizeof(*oh) > left || (void *)(oh + 1) > data_end)
			return XG_PARSE_IPV6_EXT_TRUNC;
		if (nexthdr == XG_IPPROTO_FRAGMENT) {
			struct xg_ipv6_frag_hdr *fh = pos;
			__u16 fo;

			if (sizeof(*fh) > left || (void *)(fh + 1) > data_end)
				return XG_PARSE_IPV6_EXT_TRUNC;
			fo = bpf_ntohs(fh->frag_off);
			nexthdr = fh->nexthdr;
			pos += sizeof(*fh);
			left -= sizeof(*fh);
			m->ext_count++;
			if (fo & 0xfff8) {
				/* What follows is the middle of a payload:
				 * stop before reading it as headers.
				 */
				m->frag = XG_FRAG_LATER;
				m->l4_proto = nexthdr;
				m->l4_off = (__u16)(pos - data);
				return XG_PARSE_OK;
			}
			if (fo & 1)
				m->frag = XG_FRAG_FIRST;
			continue;
		}
		if (nexthdr == XG_IPPROTO_AH)
			len = ((__u32)oh->hdrlen + 2) * 4;
		else
			len = ((__u32)oh->hdrlen + 1) * 8;
		if (len > left || pos + len > data_end)
			return XG_PARSE_IPV6_EXT_TRUNC;
		nexthdr = oh->nexthdr;
		pos += len;
		left -= len;
		m->ext_count++;
	}
	if (xg_is_ipv6_ext(nexthdr))
		return XG_PARSE_IPV6_EXT_TOO_MANY;

	m->l4_proto = nexthdr;
	m->l4_off = (__u16)(pos - data);
	return xg_parse_l4(pos, data_end, left, m);
}

static __always_inline int xg_parse_frame(void *data, void *data_end,
					  __u32 pkt_len, struct xg_pkt_meta *m)
{
	struct ethhdr *eth = data;
	void *pos = data;
	__u16 proto;
	int i;

	if ((void *)(eth + 1) > data_end)
		return XG_PARSE_ETH_TRUNC;
	proto = bpf_ntohs(eth->h_proto);
	pos += sizeof(*eth);

	XG_UNROLL
	for (i = 0; i < VLAN_MAX_DEPTH; i++) {
		struct xg_vlan_hdr *vh = pos;

		if (!xg_is_vlan(proto))
			break;
		if ((void *)(vh + 1) > data_end)
			return XG_PARSE_VLAN_TRUNC;
		m->vlan_id[i] = bpf_ntohs(vh->tci) & 0x0fff;
		m->vlan_depth++;
		proto = bpf_ntohs(vh->encap_proto);
		pos += sizeof(*vh);
	}
	if (xg_is_vlan(proto))
		return XG_PARSE_VLAN_TOO_DEEP;

	m->eth_proto = proto;
	m->l3_off = (__u16)(pos - data);
	if (proto == ETH_P_IP)
		return xg_parse_ipv4(data, pos, data_end, pkt_len, m);
	if (proto == ETH_P_IPV6)
		return xg_parse_ipv6(data, pos, data_end, pkt_len, m);
	return XG_PARSE_NOT_IP;
}

/* Parse one frame into m, which is fully overwritten. Returns m->result:
 * XG_PARSE_OK, XG_PARSE_NOT_IP, or the reason the packet could not be
 * parsed. On anything but XG_PARSE_OK the source address must not be used.
 */
static __always_inline int xg_parse(void *data, void *data_end, __u32 pkt_len,
				    struct xg_pkt_meta *m)
{
	int r;

	__builtin_memset(m, 0, sizeof(*m));
	r = xg_parse_frame(data, data_end, pkt_len, m);
	m->result = r;
	return r;
}

#endif /* XDPGATE_PARSE_H */
