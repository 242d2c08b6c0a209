// SPDX-License-Identifier: GPL-2.0
/* Corpus shapes aimed at the parser's decisions and bounds rather than at
 * everyday traffic: first fragments cut inside their headers, TCP data
 * offsets 0-15, Hop-by-Hop in the wrong place, IPv6 extension chains past
 * the bound, extension lengths larger than the packet, the old 0x9100
 * QinQ tag, and the largest frames BPF_PROG_TEST_RUN takes. Like every
 * corpus entry, each states its expected result from how it was built
 * (the parser decisions are listed in README.md), never from a parser run.
 */
#include <stdio.h>
#include <string.h>

#include <linux/if_ether.h>

#include "corpus_build.h"

#define ETH_P_QINQ1 0x9100 /* pre-802.1ad QinQ outer tag */
#define ETH_P_QINQ2 0x9200 /* never walked: see README */

/* The header just written (len bytes) claims hdrlen instead. */
static void set_hdrlen(struct builder *b, __u32 len, __u8 hdrlen)
{
	b->c->bytes[b->c->len - len + 1] = hdrlen;
}

/* A first fragment cut inside its headers keeps its source and every
 * field but the ports (frag_l4_trunc); an atomic fragment is a whole
 * packet, so the same cut there is l4_trunc.
 */
static void case_first_fragment_cut(void)
{
	static const struct {
		const char *name;
		__u8 proto;
		__u32 bytes;
	} v4[] = {
		{ "ipv4_frag_first_tcp_cut8", P_TCP, 8 },
		{ "ipv4_frag_first_tcp_cut19", P_TCP, 19 },
		{ "ipv4_frag_first_udp_cut4", P_UDP, 4 },
		{ "ipv4_frag_first_udp_cut0", P_UDP, 0 },
		{ "ipv4_frag_first_icmp_cut7", P_ICMP, 7 },
	}, v6[] = {
		{ "ipv6_frag_first_tcp_cut8", P_TCP, 8 },
		{ "ipv6_frag_first_udp_cut7", P_UDP, 7 },
		{ "ipv6_frag_first_icmpv6_cut4", P_ICMPV6, 4 },
	};
	struct builder b;
	struct xg_case *c;
	__u32 at;

	for (size_t i = 0; i < sizeof(v4) / sizeof(v4[0]); i++) {
		begin(&b, v4[i].name);
		b.pad_to = 60;
		put_eth(&b, ETH_P_IP);
		put_ipv4_full(&b, 4, 5, 0x2000);
		set_next(&b, v4[i].proto);
		put_payload(&b, v4[i].bytes);
		c = finish(&b, XG_PARSE_FRAG_L4_TRUNC);
		c->exp.frag = XG_FRAG_FIRST;
	}
	for (size_t i = 0; i < sizeof(v6) / sizeof(v6[0]); i++) {
		begin(&b, v6[i].name);
		put_eth(&b, ETH_P_IPV6);
		put_ipv6(&b);
		put_frag6(&b, 0, true);
		set_next(&b, v6[i].proto);
		put_payload(&b, v6[i].bytes);
		c = finish(&b, XG_PARSE_FRAG_L4_TRUNC);
		c->exp.frag = XG_FRAG_FIRST;
	}

	begin(&b, "ipv6_hop_frag_first_tcp_cut12");
	put_eth(&b, ETH_P_IPV6);
	put_ipv6(&b);
	put_ext(&b, P_HOPOPTS, 8);
	put_frag6(&b, 0, true);
	set_next(&b, P_TCP);
	put_payload(&b, 12);
	c = finish(&b, XG_PARSE_FRAG_L4_TRUNC);
	c->exp.frag = XG_FRAG_FIRST;

	/* The cut falls in an extension header after the fragment header:
	 * l4_proto and l4_off name that header, ext_count stops before it.
	 */
	for (__u32 keep = 1; keep <= 8; keep += 7) {
		char name[XG_NAME_MAX];

		snprintf(name, sizeof(name), "ipv6_frag_first_dstopts_cut%u", keep);
		begin(&b, name);
		b.tot_len = 8 + keep;
		put_eth(&b, ETH_P_IPV6);
		put_ipv6(&b);
		put_frag6(&b, 0, true);
		at = b.c->len;
		put_ext(&b, P_DSTOPTS, 16);
		put_udp(&b, 9, 9, 4);
		c = finish(&b, XG_PARSE_FRAG_L4_TRUNC);
		c->exp.frag = XG_FRAG_FIRST;
		c->exp.l4_proto = P_DSTOPTS;
		c->exp.l4_off = at;
		c->exp.ext_count = 1;
		c->exp.sport = c->exp.dport = 0;
	}

	/* An oversized length after the fragment header reads the same. */
	begin(&b, "ipv6_frag_first_dstopts_len255");
	put_eth(&b, ETH_P_IPV6);
	put_ipv6(&b);
	put_frag6(&b, 0, true);
	at = b.c->len;
	put_ext(&b, P_DSTOPTS, 8);
	set_hdrlen(&b, 8, 255);
	put_udp(&b, 9, 9, 4);
	c = finish(&b, XG_PARSE_FRAG_L4_TRUNC);
	c->exp.frag = XG_FRAG_FIRST;
	c->exp.l4_proto = P_DSTOPTS;
	c->exp.l4_off = at;
	c->exp.ext_count = 1;
	c->exp.sport = c->exp.dport = 0;

	begin(&b, "ipv6_frag_atomic_tcp_cut8");
	put_eth(&b, ETH_P_IPV6);
	put_ipv6(&b);
	put_frag6(&b, 0, false);
	set_next(&b, P_TCP);
	put_payload(&b, 8);
	finish(&b, XG_PARSE_L4_TRUNC);

	/* A whole but malformed TCP header is malformed in a fragment too. */
	begin(&b, "ipv4_frag_first_tcp_doff4");
	put_eth(&b, ETH_P_IP);
	put_ipv4_full(&b, 4, 5, 0x2000);
	put_tcp_doff(&b, 7, 7, 4, 8);
	finish(&b, XG_PARSE_TCP_BAD_DOFF);
}

/* Data offsets 0-4 put the payload inside the fixed header (tcp_bad_doff);
 * 5-15 are valid. Options running past the packet are not checked: the
 * ports are read all the same.
 */
static void case_tcp_doff(void)
{
	char name[XG_NAME_MAX];
	struct builder b;

	for (__u8 doff = 0; doff <= 15; doff++) {
		snprintf(name, sizeof(name), "ipv4_tcp_doff%u", doff);
		begin(&b, name);
		put_eth(&b, ETH_P_IP);
		put_ipv4(&b);
		put_tcp_doff(&b, 2000 + doff, 80, doff, 6);
		finish(&b, doff < 5 ? XG_PARSE_TCP_BAD_DOFF : XG_PARSE_OK);
	}
	for (__u8 doff = 0; doff <= 5; doff += doff == 0 ? 4 : 1) {
		snprintf(name, sizeof(name), "ipv6_tcp_doff%u", doff);
		begin(&b, name);
		put_eth(&b, ETH_P_IPV6);
		put_ipv6(&b);
		put_tcp_doff(&b, 2100 + doff, 80, doff, 0);
		finish(&b, doff < 5 ? XG_PARSE_TCP_BAD_DOFF : XG_PARSE_OK);
	}

	begin(&b, "ipv4_tcp_doff15_past_packet");
	put_eth(&b, ETH_P_IP);
	put_ipv4(&b);
	put_tcp(&b, 2200, 80, 0);
	b.c->bytes[b.c->len - TCP_LEN + 12] = 15 << 4;
	finish(&b, XG_PARSE_OK);
}

/* Hop-by-Hop is only allowed right after the IPv6 header (RFC 8200). */
static void case_hbh_not_first(void)
{
	static const __u8 before[][2] = {
		{ P_DSTOPTS, 8 }, { P_HOPOPTS, 8 }, { P_ROUTING, 24 }, { P_AH, 16 },
	};
	char name[XG_NAME_MAX];
	struct builder b;
	struct xg_case *c;

	for (size_t i = 0; i < sizeof(before) / sizeof(before[0]); i++) {
		snprintf(name, sizeof(name), "ipv6_hbh_after_%u", before[i][0]);
		begin(&b, name);
		put_eth(&b, ETH_P_IPV6);
		put_ipv6(&b);
		put_ext(&b, before[i][0], before[i][1]);
		put_ext(&b, P_HOPOPTS, 8);
		put_udp(&b, 9, 9, 4);
		finish(&b, XG_PARSE_IPV6_HBH_NOT_FIRST);
	}

	begin(&b, "ipv6_frag_first_then_hbh");
	put_eth(&b, ETH_P_IPV6);
	put_ipv6(&b);
	put_frag6(&b, 0, true);
	put_ext(&b, P_HOPOPTS, 8);
	put_udp(&b, 9, 9, 4);
	finish(&b, XG_PARSE_IPV6_HBH_NOT_FIRST);

	/* The last header the walk allows. */
	snprintf(name, sizeof(name), "ipv6_ext%d_hbh_last", IPV6_EXT_MAX);
	begin(&b, name);
	put_eth(&b, ETH_P_IPV6);
	put_ipv6(&b);
	for (int i = 0; i < IPV6_EXT_MAX - 1; i++)
		put_ext(&b, P_DSTOPTS, 8);
	put_ext(&b, P_HOPOPTS, 8);
	put_udp(&b, 9, 9, 4);
	finish(&b, XG_PARSE_IPV6_HBH_NOT_FIRST);

	/* A later fragment whose next header says Hop-by-Hop: payload, never
	 * read as a header.
	 */
	begin(&b, "ipv6_frag_later_next_hbh");
	put_eth(&b, ETH_P_IPV6);
	put_ipv6(&b);
	put_frag6(&b, 9, true);
	put_fake_ports(&b, P_HOPOPTS, 16);
	c = finish(&b, XG_PARSE_OK);
	c->exp.frag = XG_FRAG_LATER;
}

/* Chains of 1 to IPV6_EXT_MAX + 3 headers, every kind mixed: up to the
 * bound they are walked, past it ipv6_ext_too_many.
 */
static void case_ext_chains(void)
{
	static const __u8 kinds[][2] = {
		{ P_ROUTING, 24 }, { P_DSTOPTS, 8 }, { P_AH, 16 },
		{ P_FRAGMENT, 8 }, { P_DSTOPTS, 16 }, { P_AH, 12 },
	};
	char name[XG_NAME_MAX];
	struct builder b;

	for (int n = 1; n <= IPV6_EXT_MAX + 3; n++) {
		snprintf(name, sizeof(name), "ipv6_chain%d_mixed%s", n,
			 n > IPV6_EXT_MAX ? "_too_many" : "");
		begin(&b, name);
		put_eth(&b, ETH_P_IPV6);
		put_ipv6(&b);
		put_ext(&b, P_HOPOPTS, 8);
		for (int i = 1; i < n; i++) {
			const __u8 *k = kinds[(i - 1) % 6];

			if (k[0] == P_FRAGMENT)
				put_frag6(&b, 0, false); /* atomic */
			else
				put_ext(&b, k[0], k[1]);
		}
		put_udp(&b, 3000 + n, 53, 4);
		finish(&b, n > IPV6_EXT_MAX ? XG_PARSE_IPV6_EXT_TOO_MANY :
					      XG_PARSE_OK);
	}
}

/* Extension lengths claiming more than the packet holds. */
static void case_ext_oversized(void)
{
	static const struct {
		const char *name;
		__u8 type;
		__u32 len;
		__u8 hdrlen;
	} big[] = {
		{ "ipv6_hbh_len255", P_HOPOPTS, 8, 255 },
		{ "ipv6_dstopts_len_plus8", P_DSTOPTS, 16, 2 },
		{ "ipv6_routing_len255", P_ROUTING, 24, 255 },
		{ "ipv6_ah_len255", P_AH, 12, 255 },
		{ "ipv6_ah_len_plus4", P_AH, 16, 3 },
	};
	struct builder b;

	for (size_t i = 0; i < sizeof(big) / sizeof(big[0]); i++) {
		begin(&b, big[i].name);
		put_eth(&b, ETH_P_IPV6);
		put_ipv6(&b);
		put_ext(&b, big[i].type, big[i].len);
		set_hdrlen(&b, big[i].len, big[i].hdrlen);
		set_next(&b, P_NONE);
		finish(&b, XG_PARSE_IPV6_EXT_TRUNC);
	}

	/* Claims 2 KB inside a full-size frame: still past the packet. */
	begin(&b, "ipv6_hbh_len255_mtu");
	put_eth(&b, ETH_P_IPV6);
	put_ipv6(&b);
	put_ext(&b, P_HOPOPTS, 8);
	set_hdrlen(&b, 8, 255);
	put_udp(&b, 9, 9, 1500 - IPV6_LEN - 8 - UDP_LEN);
	finish(&b, XG_PARSE_IPV6_EXT_TRUNC);

	/* A header that ends exactly at the payload length is whole. */
	begin(&b, "ipv6_dstopts_exact_fit");
	put_eth(&b, ETH_P_IPV6);
	put_ipv6(&b);
	put_ext(&b, P_DSTOPTS, 16);
	set_next(&b, P_NONE);
	finish(&b, XG_PARSE_OK);

	begin(&b, "ipv6_dstopts_exact_fit_udp_missing");
	b.pad_to = 100;
	b.tot_len = 16;
	put_eth(&b, ETH_P_IPV6);
	put_ipv6(&b);
	put_ext(&b, P_DSTOPTS, 16);
	set_next(&b, P_UDP);
	finish(&b, XG_PARSE_L4_TRUNC);
}

/* 0x9100 is walked like 802.1Q and 802.1ad, and counts towards
 * VLAN_MAX_DEPTH; 0x9200 is not a tag.
 */
static void case_qinq_9100(void)
{
	struct builder b;

	begin(&b, "qinq9100_ipv4_udp");
	put_eth(&b, ETH_P_QINQ1);
	put_vlan(&b, 30, ETH_P_8021Q);
	put_vlan(&b, 40, ETH_P_IP);
	put_ipv4(&b);
	put_udp(&b, 3100, 3101, 8);
	finish(&b, XG_PARSE_OK);

	begin(&b, "vlan9100_ipv6_tcp");
	put_eth(&b, ETH_P_QINQ1);
	put_vlan(&b, 0x2000 | 50, ETH_P_IPV6);
	put_ipv6(&b);
	put_tcp(&b, 3102, 3103, 0);
	finish(&b, XG_PARSE_OK);

	begin(&b, "qinq9100_9100_ipv4_icmp");
	put_eth(&b, ETH_P_QINQ1);
	put_vlan(&b, 1, ETH_P_QINQ1);
	put_vlan(&b, 2, ETH_P_IP);
	put_ipv4(&b);
	put_icmp(&b, 8, 0, 8);
	finish(&b, XG_PARSE_OK);

	begin(&b, "qinq9100_3tags_too_deep");
	put_eth(&b, ETH_P_QINQ1);
	put_vlan(&b, 1, ETH_P_8021Q);
	put_vlan(&b, 2, ETH_P_8021Q);
	put_vlan(&b, 3, ETH_P_IP);
	put_ipv4(&b);
	put_udp(&b, 7, 7, 8);
	finish(&b, XG_PARSE_VLAN_TOO_DEEP);

	begin(&b, "qinq88a8_9100_8100_too_deep");
	put_eth(&b, ETH_P_8021AD);
	put_vlan(&b, 1, ETH_P_QINQ1);
	put_vlan(&b, 2, ETH_P_8021Q);
	put_vlan(&b, 3, ETH_P_IPV6);
	put_ipv6(&b);
	put_udp(&b, 7, 7, 8);
	finish(&b, XG_PARSE_VLAN_TOO_DEEP);

	begin(&b, "vlan9100_arp");
	put_eth(&b, ETH_P_QINQ1);
	put_vlan(&b, 60, ETH_P_ARP);
	put_payload(&b, 28);
	finish(&b, XG_PARSE_NOT_IP);

	begin(&b, "ethertype9200");
	put_eth(&b, ETH_P_QINQ2);
	put_payload(&b, 46);
	finish(&b, XG_PARSE_NOT_IP);
}

/* The largest frames: a 1514-byte one whose length field is one byte too
 * long, and the largest linear frame test_run takes (jumbo, XG_FRAME_MAX).
 * The zero-length frame is every shape's cut at 0.
 */
static void case_sizes(void)
{
	struct builder b;

	begin(&b, "ipv4_mtu_totlen_plus1");
	b.tot_len = 1501;
	put_eth(&b, ETH_P_IP);
	put_ipv4(&b);
	put_udp(&b, 7, 7, 1500 - IPV4_LEN - UDP_LEN);
	finish(&b, XG_PARSE_IPV4_TRUNC);

	begin(&b, "ipv6_udp_jumbo");
	put_eth(&b, ETH_P_IPV6);
	put_ipv6(&b);
	put_udp(&b, 9000, 9001, XG_FRAME_MAX - ETH_LEN - IPV6_LEN - UDP_LEN);
	finish(&b, XG_PARSE_OK);
}

void xg_corpus_add_hostile(void)
{
	case_first_fragment_cut();
	case_tcp_doff();
	case_hbh_not_first();
	case_ext_chains();
	case_ext_oversized();
	case_qinq_9100();
	case_sizes();
}
