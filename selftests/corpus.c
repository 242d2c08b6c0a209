// SPDX-License-Identifier: GPL-2.0
/* The packet corpus: frames built layer by layer, each with the parse
 * result it must give. See corpus.h for where expected values come from;
 * the builder is corpus_build.c, the hostile shapes corpus_hostile.c.
 */
#include <stdio.h>
#include <string.h>

#include <linux/if_ether.h>

#include "corpus_build.h"

/* ---- the cases ---------------------------------------------------- */

static void case_eth_only(void)
{
	struct builder b;

	/* An Ethernet header announcing IPv4 and nothing after it. */
	begin(&b, "eth_only_ipv4");
	put_eth(&b, ETH_P_IP);
	finish(&b, XG_PARSE_IPV4_TRUNC);

	begin(&b, "eth_only_vlan");
	put_eth(&b, ETH_P_8021Q);
	finish(&b, XG_PARSE_VLAN_TRUNC);

	begin(&b, "arp");
	put_eth(&b, ETH_P_ARP);
	put_payload(&b, 28);
	finish(&b, XG_PARSE_NOT_IP);

	begin(&b, "lldp");
	put_eth(&b, 0x88cc);
	put_payload(&b, 46);
	finish(&b, XG_PARSE_NOT_IP);
}

static void case_ipv4(void)
{
	struct builder b;
	struct xg_case *c;
	char name[XG_NAME_MAX];

	begin(&b, "ipv4_udp");
	put_eth(&b, ETH_P_IP);
	put_ipv4(&b);
	put_udp(&b, 5353, 53, 20);
	finish(&b, XG_PARSE_OK);

	begin(&b, "ipv4_udp_empty_padded");
	b.pad_to = 60; /* a 42-byte frame padded to the Ethernet minimum */
	put_eth(&b, ETH_P_IP);
	put_ipv4(&b);
	put_udp(&b, 40000, 9, 0);
	finish(&b, XG_PARSE_OK);

	/* A full 1500-byte MTU frame (1514 bytes without FCS). */
	begin(&b, "ipv4_udp_mtu");
	put_eth(&b, ETH_P_IP);
	put_ipv4(&b);
	put_udp(&b, 6000, 6001, 1500 - IPV4_LEN - UDP_LEN);
	finish(&b, XG_PARSE_OK);

	begin(&b, "ipv4_tcp");
	put_eth(&b, ETH_P_IP);
	put_ipv4(&b);
	put_tcp(&b, 43210, 443, 12);
	finish(&b, XG_PARSE_OK);

	begin(&b, "ipv4_icmp_echo");
	put_eth(&b, ETH_P_IP);
	put_ipv4(&b);
	put_icmp(&b, 8, 0, 16);
	finish(&b, XG_PARSE_OK);

	begin(&b, "ipv4_icmp_unreach");
	put_eth(&b, ETH_P_IP);
	put_ipv4(&b);
	put_icmp(&b, 3, 3, 28);
	finish(&b, XG_PARSE_OK);

	/* A protocol without ports: only the addresses and protocol. */
	begin(&b, "ipv4_gre");
	put_eth(&b, ETH_P_IP);
	put_ipv4(&b);
	set_next(&b, P_GRE);
	put_payload(&b, 12);
	finish(&b, XG_PARSE_OK);

	for (int ihl = 6; ihl <= 15; ihl++) {
		snprintf(name, sizeof(name), "ipv4_opts_ihl%d_udp", ihl);
		begin(&b, name);
		put_eth(&b, ETH_P_IP);
		put_ipv4_full(&b, 4, ihl, 0);
		put_udp(&b, 1000 + ihl, 2000 + ihl, 4);
		finish(&b, XG_PARSE_OK);
	}

	for (int ihl = 0; ihl <= 4; ihl++) {
		snprintf(name, sizeof(name), "ipv4_ihl%d", ihl);
		begin(&b, name);
		put_eth(&b, ETH_P_IP);
		put_ipv4_full(&b, 4, ihl, 0);
		put_udp(&b, 7, 7, 8);
		finish(&b, XG_PARSE_IPV4_BAD_IHL);
	}

	begin(&b, "ipv4_totlen_below_hdr");
	b.tot_len = 19;
	put_eth(&b, ETH_P_IP);
	put_ipv4(&b);
	put_udp(&b, 7, 7, 8);
	finish(&b, XG_PARSE_IPV4_BAD_LEN);

	begin(&b, "ipv4_totlen_below_opts");
	b.tot_len = 28; /* ihl 8 is 32 bytes */
	put_eth(&b, ETH_P_IP);
	put_ipv4_full(&b, 4, 8, 0);
	put_udp(&b, 7, 7, 8);
	finish(&b, XG_PARSE_IPV4_BAD_LEN);

	/* tot_len promises more than the frame holds: a cut packet. */
	begin(&b, "ipv4_totlen_past_frame");
	b.tot_len = 200;
	put_eth(&b, ETH_P_IP);
	put_ipv4(&b);
	put_udp(&b, 7, 7, 8);
	finish(&b, XG_PARSE_IPV4_TRUNC);

	for (int ver = 0; ver <= 15; ver += 5) { /* 0, 5, 10, 15 and 6 */
		snprintf(name, sizeof(name), "ipv4_bad_version%d", ver);
		begin(&b, name);
		put_eth(&b, ETH_P_IP);
		put_ipv4_full(&b, ver, 5, 0);
		put_udp(&b, 7, 7, 8);
		finish(&b, XG_PARSE_IPV4_BAD_VER);
	}
	begin(&b, "ipv4_bad_version6");
	put_eth(&b, ETH_P_IP);
	put_ipv4_full(&b, 6, 5, 0);
	put_udp(&b, 7, 7, 8);
	finish(&b, XG_PARSE_IPV4_BAD_VER);

	/* The L4 header must fit in the IP packet, not just in the frame:
	 * tot_len ends the packet inside the header.
	 */
	begin(&b, "ipv4_tcp_cut_in_packet");
	put_eth(&b, ETH_P_IP);
	put_ipv4(&b);
	set_next(&b, P_TCP);
	put_payload(&b, 10);
	finish(&b, XG_PARSE_L4_TRUNC);

	begin(&b, "ipv4_icmp_cut_in_packet");
	put_eth(&b, ETH_P_IP);
	put_ipv4(&b);
	set_next(&b, P_ICMP);
	put_payload(&b, 4);
	finish(&b, XG_PARSE_L4_TRUNC);

	/* Same, in a frame padded to the Ethernet minimum: the padding must
	 * not be read as the rest of the UDP/TCP header.
	 */
	begin(&b, "ipv4_udp_hdr_in_padding");
	b.pad_to = 60;
	put_eth(&b, ETH_P_IP);
	put_ipv4(&b);
	set_next(&b, P_UDP);
	put_payload(&b, 4);
	finish(&b, XG_PARSE_L4_TRUNC);

	begin(&b, "ipv4_tcp_no_hdr_padded");
	b.pad_to = 60;
	put_eth(&b, ETH_P_IP);
	put_ipv4(&b);
	set_next(&b, P_TCP);
	finish(&b, XG_PARSE_L4_TRUNC);

	/* First fragment: offset 0 with MF, the UDP header is there. */
	begin(&b, "ipv4_frag_first_udp");
	put_eth(&b, ETH_P_IP);
	put_ipv4_full(&b, 4, 5, 0x2000);
	put_udp(&b, 4500, 4501, 32);
	c = finish(&b, XG_PARSE_OK);
	c->exp.frag = XG_FRAG_FIRST;

	/* Later fragments: bytes at the L4 position look like ports. */
	begin(&b, "ipv4_frag_later_mf");
	put_eth(&b, ETH_P_IP);
	put_ipv4_full(&b, 4, 5, 0x2000 | 185);
	put_fake_ports(&b, P_UDP, 24);
	c = finish(&b, XG_PARSE_OK);
	c->exp.frag = XG_FRAG_LATER;

	begin(&b, "ipv4_frag_last");
	put_eth(&b, ETH_P_IP);
	put_ipv4_full(&b, 4, 5, 1);
	put_fake_ports(&b, P_TCP, 16);
	c = finish(&b, XG_PARSE_OK);
	c->exp.frag = XG_FRAG_LATER;

	/* Too short for any L4 header: fine for a later fragment. */
	begin(&b, "ipv4_frag_later_tiny");
	put_eth(&b, ETH_P_IP);
	put_ipv4_full(&b, 4, 5, 0x2000 | 3);
	put_fake_ports(&b, P_UDP, 3);
	c = finish(&b, XG_PARSE_OK);
	c->exp.frag = XG_FRAG_LATER;

	/* DF set, no fragment. */
	begin(&b, "ipv4_df_udp");
	put_eth(&b, ETH_P_IP);
	put_ipv4_full(&b, 4, 5, 0x4000);
	put_udp(&b, 123, 123, 48);
	finish(&b, XG_PARSE_OK);
}

static void case_ipv6(void)
{
	struct builder b;
	struct xg_case *c;
	char name[XG_NAME_MAX];

	begin(&b, "ipv6_udp");
	put_eth(&b, ETH_P_IPV6);
	put_ipv6(&b);
	put_udp(&b, 546, 547, 24);
	finish(&b, XG_PARSE_OK);

	begin(&b, "ipv6_tcp_mtu");
	put_eth(&b, ETH_P_IPV6);
	put_ipv6(&b);
	put_tcp(&b, 6002, 443, 1500 - IPV6_LEN - TCP_LEN);
	finish(&b, XG_PARSE_OK);

	begin(&b, "ipv6_tcp");
	put_eth(&b, ETH_P_IPV6);
	put_ipv6(&b);
	put_tcp(&b, 51000, 22, 8);
	finish(&b, XG_PARSE_OK);

	begin(&b, "icmpv6_echo");
	put_eth(&b, ETH_P_IPV6);
	put_ipv6(&b);
	put_icmp(&b, 128, 0, 16);
	finish(&b, XG_PARSE_OK);

	begin(&b, "icmpv6_ns");
	put_eth(&b, ETH_P_IPV6);
	put_ipv6(&b);
	put_icmp(&b, 135, 0, 16);
	finish(&b, XG_PARSE_OK);

	begin(&b, "ipv6_no_next_header");
	put_eth(&b, ETH_P_IPV6);
	put_ipv6(&b);
	set_next(&b, P_NONE);
	finish(&b, XG_PARSE_OK);

	begin(&b, "ipv6_hopopts_udp");
	put_eth(&b, ETH_P_IPV6);
	put_ipv6(&b);
	put_ext(&b, P_HOPOPTS, 8);
	put_udp(&b, 1001, 1002, 8);
	finish(&b, XG_PARSE_OK);

	begin(&b, "ipv6_routing_tcp");
	put_eth(&b, ETH_P_IPV6);
	put_ipv6(&b);
	put_ext(&b, P_ROUTING, 24);
	put_tcp(&b, 1003, 1004, 0);
	finish(&b, XG_PARSE_OK);

	begin(&b, "ipv6_dstopts_udp");
	put_eth(&b, ETH_P_IPV6);
	put_ipv6(&b);
	put_ext(&b, P_DSTOPTS, 16);
	put_udp(&b, 1005, 1006, 4);
	finish(&b, XG_PARSE_OK);

	begin(&b, "ipv6_ah_tcp");
	put_eth(&b, ETH_P_IPV6);
	put_ipv6(&b);
	put_ext(&b, P_AH, 24);
	put_tcp(&b, 1007, 1008, 4);
	finish(&b, XG_PARSE_OK);

	/* The smallest AH (no ICV): its length unit is 4 bytes, not 8. */
	begin(&b, "ipv6_ah12_udp");
	put_eth(&b, ETH_P_IPV6);
	put_ipv6(&b);
	put_ext(&b, P_AH, 12);
	put_udp(&b, 1009, 1010, 4);
	finish(&b, XG_PARSE_OK);

	begin(&b, "ipv6_frag_first_udp");
	put_eth(&b, ETH_P_IPV6);
	put_ipv6(&b);
	put_frag6(&b, 0, true);
	put_udp(&b, 1011, 1012, 32);
	c = finish(&b, XG_PARSE_OK);
	c->exp.frag = XG_FRAG_FIRST;

	/* Offset 0 and no M flag (an atomic fragment): not fragmented. */
	begin(&b, "ipv6_frag_atomic_udp");
	put_eth(&b, ETH_P_IPV6);
	put_ipv6(&b);
	put_frag6(&b, 0, false);
	put_udp(&b, 1013, 1014, 8);
	finish(&b, XG_PARSE_OK);

	begin(&b, "ipv6_frag_later_mf");
	put_eth(&b, ETH_P_IPV6);
	put_ipv6(&b);
	put_frag6(&b, 100, true);
	put_fake_ports(&b, P_UDP, 24);
	c = finish(&b, XG_PARSE_OK);
	c->exp.frag = XG_FRAG_LATER;

	begin(&b, "ipv6_frag_last_tiny");
	put_eth(&b, ETH_P_IPV6);
	put_ipv6(&b);
	put_frag6(&b, 1, false);
	put_fake_ports(&b, P_TCP, 2);
	c = finish(&b, XG_PARSE_OK);
	c->exp.frag = XG_FRAG_LATER;

	/* A later fragment whose next header claims to be another extension
	 * header: what follows is payload, so the walk stops anyway.
	 */
	begin(&b, "ipv6_frag_later_next_dstopts");
	put_eth(&b, ETH_P_IPV6);
	put_ipv6(&b);
	put_frag6(&b, 7, true);
	put_fake_ports(&b, P_DSTOPTS, 16);
	c = finish(&b, XG_PARSE_OK);
	c->exp.frag = XG_FRAG_LATER;

	/* Every kind in one chain, in RFC 8200 order. */
	begin(&b, "ipv6_chain_all_udp");
	put_eth(&b, ETH_P_IPV6);
	put_ipv6(&b);
	put_ext(&b, P_HOPOPTS, 8);
	put_ext(&b, P_DSTOPTS, 8);
	put_ext(&b, P_ROUTING, 24);
	put_frag6(&b, 0, true);
	put_ext(&b, P_AH, 16);
	put_ext(&b, P_DSTOPTS, 8);
	put_udp(&b, 1015, 1016, 8);
	c = finish(&b, XG_PARSE_OK);
	c->exp.frag = XG_FRAG_FIRST;

	begin(&b, "ipv6_chain_hop_frag_later");
	put_eth(&b, ETH_P_IPV6);
	put_ipv6(&b);
	put_ext(&b, P_HOPOPTS, 8);
	put_ext(&b, P_ROUTING, 16);
	put_frag6(&b, 64, false);
	put_fake_ports(&b, P_UDP, 12);
	c = finish(&b, XG_PARSE_OK);
	c->exp.frag = XG_FRAG_LATER;

	/* Exactly IPV6_EXT_MAX headers is allowed, one more is not. */
	for (int n = IPV6_EXT_MAX; n <= IPV6_EXT_MAX + 1; n++) {
		snprintf(name, sizeof(name), "ipv6_ext%d_%s", n,
			 n > IPV6_EXT_MAX ? "too_many" : "max_udp");
		begin(&b, name);
		put_eth(&b, ETH_P_IPV6);
		put_ipv6(&b);
		for (int i = 0; i < n; i++)
			put_ext(&b, P_DSTOPTS, 8);
		put_udp(&b, 1017, 1018, 4);
		finish(&b, n > IPV6_EXT_MAX ? XG_PARSE_IPV6_EXT_TOO_MANY :
					      XG_PARSE_OK);
	}

	begin(&b, "ipv6_bad_version4");
	put_eth(&b, ETH_P_IPV6);
	put_ipv6_full(&b, 4);
	put_udp(&b, 7, 7, 8);
	finish(&b, XG_PARSE_IPV6_BAD_VER);

	begin(&b, "ipv6_payload_len_past_frame");
	b.tot_len = 100;
	put_eth(&b, ETH_P_IPV6);
	put_ipv6(&b);
	put_udp(&b, 7, 7, 8);
	finish(&b, XG_PARSE_IPV6_TRUNC);

	/* The payload length ends the packet inside an extension header;
	 * the frame goes on (padding or trailer) and must not be read as
	 * the rest of the header.
	 */
	begin(&b, "ipv6_ext_past_payload");
	b.tot_len = 8;
	put_eth(&b, ETH_P_IPV6);
	put_ipv6(&b);
	put_ext(&b, P_HOPOPTS, 16);
	put_udp(&b, 7, 7, 8);
	finish(&b, XG_PARSE_IPV6_EXT_TRUNC);

	begin(&b, "ipv6_frag_hdr_past_payload");
	b.tot_len = 4;
	put_eth(&b, ETH_P_IPV6);
	put_ipv6(&b);
	put_frag6(&b, 0, true);
	put_udp(&b, 7, 7, 8);
	finish(&b, XG_PARSE_IPV6_EXT_TRUNC);

	begin(&b, "ipv6_udp_hdr_past_payload");
	b.tot_len = 4;
	put_eth(&b, ETH_P_IPV6);
	put_ipv6(&b);
	put_udp(&b, 7, 7, 8);
	finish(&b, XG_PARSE_L4_TRUNC);

	begin(&b, "ipv6_empty_udp_padded");
	b.tot_len = 0;
	b.pad_to = 80;
	put_eth(&b, ETH_P_IPV6);
	put_ipv6(&b);
	set_next(&b, P_UDP);
	finish(&b, XG_PARSE_L4_TRUNC);
}

static void case_vlan(void)
{
	struct builder b;

	begin(&b, "vlan_ipv4_udp");
	put_eth(&b, ETH_P_8021Q);
	put_vlan(&b, 100, ETH_P_IP);
	put_ipv4(&b);
	put_udp(&b, 3000, 3001, 8);
	finish(&b, XG_PARSE_OK);

	/* PCP and DEI bits are not part of the id. */
	begin(&b, "vlan_pcp_ipv6_tcp");
	put_eth(&b, ETH_P_8021Q);
	put_vlan(&b, 0xe000 | 0x1000 | 4094, ETH_P_IPV6);
	put_ipv6(&b);
	put_tcp(&b, 3002, 3003, 0);
	finish(&b, XG_PARSE_OK);

	begin(&b, "qinq_ipv4_icmp");
	put_eth(&b, ETH_P_8021AD);
	put_vlan(&b, 10, ETH_P_8021Q);
	put_vlan(&b, 20, ETH_P_IP);
	put_ipv4(&b);
	put_icmp(&b, 0, 0, 8);
	finish(&b, XG_PARSE_OK);

	begin(&b, "qinq_ipv6_udp");
	put_eth(&b, ETH_P_8021AD);
	put_vlan(&b, 4095, ETH_P_8021Q);
	put_vlan(&b, 1, ETH_P_IPV6);
	put_ipv6(&b);
	put_udp(&b, 3004, 3005, 8);
	finish(&b, XG_PARSE_OK);

	/* Two 802.1Q tags (old-style double tagging). */
	begin(&b, "vlan_8100_8100_ipv4_tcp");
	put_eth(&b, ETH_P_8021Q);
	put_vlan(&b, 5, ETH_P_8021Q);
	put_vlan(&b, 6, ETH_P_IP);
	put_ipv4(&b);
	put_tcp(&b, 3006, 3007, 0);
	finish(&b, XG_PARSE_OK);

	begin(&b, "vlan_arp");
	put_eth(&b, ETH_P_8021Q);
	put_vlan(&b, 7, ETH_P_ARP);
	put_payload(&b, 28);
	finish(&b, XG_PARSE_NOT_IP);

	begin(&b, "vlan3_too_deep");
	put_eth(&b, ETH_P_8021AD);
	put_vlan(&b, 1, ETH_P_8021Q);
	put_vlan(&b, 2, ETH_P_8021Q);
	put_vlan(&b, 3, ETH_P_IP);
	put_ipv4(&b);
	put_udp(&b, 7, 7, 8);
	finish(&b, XG_PARSE_VLAN_TOO_DEEP);
}

enum xg_reason xg_corpus_cut_reason(const struct xg_case *base, __u32 n)
{
	__u32 tags = base->vlan_tags < VLAN_MAX_DEPTH ? base->vlan_tags :
							VLAN_MAX_DEPTH;

	if (n >= base->len)
		return base->exp.result;
	if (n < ETH_LEN)
		return XG_PARSE_ETH_TRUNC;
	/* Each tag the parser walks must be whole; a tag past the limit is
	 * refused before it is read.
	 */
	for (__u32 i = 1; i <= tags; i++)
		if (n < ETH_LEN + i * VLAN_LEN)
			return XG_PARSE_VLAN_TRUNC;
	if (base->vlan_tags > VLAN_MAX_DEPTH)
		return XG_PARSE_VLAN_TOO_DEEP;

	switch (base->l3) {
	case XG_L3_V4:
		/* The fixed 20 bytes first, then what they alone decide
		 * (version, ihl < 5, tot_len < header); any other cut inside
		 * the IP packet is a cut packet.
		 */
		if (n < base->l3_off + IPV4_LEN)
			return XG_PARSE_IPV4_TRUNC;
		if (base->l3_hdr_bad)
			return base->exp.result;
		if (n < base->l3_end)
			return XG_PARSE_IPV4_TRUNC;
		return base->exp.result;
	case XG_L3_V6:
		if (n < base->l3_off + IPV6_LEN)
			return XG_PARSE_IPV6_TRUNC;
		if (base->l3_hdr_bad)
			return base->exp.result;
		if (n < base->l3_end)
			return XG_PARSE_IPV6_TRUNC;
		return base->exp.result;
	default:
		/* Not IP: nothing past the ethertype is read. */
		return base->exp.result;
	}
}

int xg_case_saddr_off(const struct xg_case *c)
{
	__u32 at, len;

	if (c->l3 == XG_L3_V4) {
		at = c->l3_off + 12;
		len = 4;
	} else if (c->l3 == XG_L3_V6) {
		at = c->l3_off + 8;
		len = 16;
	} else {
		return -1;
	}
	return at + len <= c->len ? (int)at : -1;
}

/* Each base frame cut at every length 0..len-1. */
static void add_cuts(void)
{
	int n_base = corpus.n;

	for (int i = 0; i < n_base; i++) {
		for (__u32 n = 0; n < corpus.c[i].len; n++) {
			struct xg_case *c = grow();
			const struct xg_case *base = &corpus.c[i];

			*c = *base;
			snprintf(c->name, sizeof(c->name), "%.40s/cut%u",
				 base->name, n);
			c->len = n;
			memset(c->bytes + n, 0, XG_FRAME_MAX - n);
			c->base = i;
			c->exp.result = xg_corpus_cut_reason(base, n);
		}
	}
}

const struct xg_corpus *xg_corpus_get(void)
{
	if (corpus.n)
		return &corpus;
	case_eth_only();
	case_ipv4();
	case_ipv6();
	case_vlan();
	xg_corpus_add_hostile();
	corpus.n_base = corpus.n;
	add_cuts();
	return &corpus;
}
