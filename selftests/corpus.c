// SPDX-License-Identifier: GPL-2.0
/* The packet corpus: frames built layer by layer, each with the parse
 * result it must give. See corpus.h for where expected values come from.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/if_ether.h>

#include "corpus.h"

/* Protocol numbers spelled out here rather than taken from parse.h, so a
 * wrong constant there cannot make the corpus agree with it.
 */
#define P_HOPOPTS 0
#define P_ICMP 1
#define P_TCP 6
#define P_UDP 17
#define P_ROUTING 43
#define P_FRAGMENT 44
#define P_GRE 47
#define P_AH 51
#define P_ICMPV6 58
#define P_NONE 59
#define P_DSTOPTS 60

#define ETH_LEN 14u
#define VLAN_LEN 4u
#define IPV4_LEN 20u
#define IPV6_LEN 40u
#define UDP_LEN 8u
#define TCP_LEN 20u
#define ICMP_LEN 8u

/* Builder state that does not belong in the finished entry. */
struct builder {
	struct xg_case *c;
	__u32 nh_off;      /* byte to patch with the next protocol, 0: none */
	int tot_len;       /* IPv4 tot_len / IPv6 payload_len override, -1 */
	__u32 pad_to;      /* Ethernet padding / trailer after the L3 packet */
	bool no_l4_csum;
};

static struct xg_corpus corpus;
static int corpus_cap;

static const __u8 src_v4[4] = { 10, 1, 2, 3 };
static const __u8 dst_v4[4] = { 10, 9, 8, 7 };
static const __u8 src_v6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
				 0, 0, 0, 0, 0, 0, 0x12, 0x34 };
static const __u8 dst_v6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0x99,
				 0, 0, 0, 0, 0, 0, 0, 0x01 };

static struct xg_case *grow(void)
{
	if (corpus.n == corpus_cap) {
		corpus_cap = corpus_cap ? corpus_cap * 2 : 256;
		corpus.c = realloc(corpus.c, corpus_cap * sizeof(*corpus.c));
		if (!corpus.c) {
			perror("corpus");
			exit(2);
		}
	}
	return &corpus.c[corpus.n++];
}

static void begin(struct builder *b, const char *name)
{
	struct xg_case *c = grow();

	memset(c, 0, sizeof(*c));
	snprintf(c->name, sizeof(c->name), "%s", name);
	c->base = -1;
	memset(b, 0, sizeof(*b));
	b->c = c;
	b->tot_len = -1;
}

static __u8 *put(struct builder *b, const void *src, __u32 n)
{
	struct xg_case *c = b->c;
	__u8 *at = c->bytes + c->len;

	if (c->len + n > XG_FRAME_MAX) {
		fprintf(stderr, "corpus: %s is longer than %d bytes\n", c->name,
			XG_FRAME_MAX);
		exit(2);
	}
	if (src)
		memcpy(at, src, n);
	else
		memset(at, 0, n);
	c->len += n;
	return at;
}

static void put16(__u8 *at, __u16 v)
{
	at[0] = v >> 8;
	at[1] = v & 0xff;
}

/* Payload bytes that are neither zero nor a header the parser knows. */
static void put_payload(struct builder *b, __u32 n)
{
	__u8 *p = put(b, NULL, n);

	for (__u32 i = 0; i < n; i++)
		p[i] = 0xa0 + (i % 31);
}

/* Every later layer announces itself in the previous one's next-protocol
 * field (ethertype, IPv4 protocol, IPv6 next header).
 */
static void set_next(struct builder *b, __u8 proto)
{
	if (b->nh_off)
		b->c->bytes[b->nh_off] = proto;
	b->c->exp.l4_proto = proto;
}

static void put_eth(struct builder *b, __u16 proto)
{
	static const __u8 dst[6] = { 0x02, 0, 0, 0, 0, 0x02 };
	static const __u8 src[6] = { 0x02, 0, 0, 0, 0, 0x01 };
	__u8 *h = put(b, NULL, ETH_LEN);

	memcpy(h, dst, 6);
	memcpy(h + 6, src, 6);
	put16(h + 12, proto);
	b->c->exp.eth_proto = proto;
	b->c->exp.l3_off = b->c->len; /* whatever the ethertype announces */
}

/* A tag with TCI tci, followed by ethertype next. The parser reports the
 * 12-bit VLAN id of the first VLAN_MAX_DEPTH tags.
 */
static void put_vlan(struct builder *b, __u16 tci, __u16 next)
{
	struct xg_case *c = b->c;
	__u8 *h = put(b, NULL, VLAN_LEN);

	put16(h, tci);
	put16(h + 2, next);
	if (c->vlan_tags < VLAN_MAX_DEPTH) {
		c->exp.vlan_id[c->vlan_tags] = tci & 0x0fff;
		c->exp.vlan_depth = c->vlan_tags + 1;
	}
	c->vlan_tags++;
	c->exp.eth_proto = next;
	c->exp.l3_off = c->len;
}

static void mark_l3(struct builder *b, enum xg_l3_kind kind, __u8 version)
{
	struct xg_case *c = b->c;

	c->l3 = kind;
	c->l3_off = c->len;
	c->exp.l3_off = c->len;
	c->exp.ip_version = version;
}

/* IPv4 header with ihl words (option bytes are NOPs ending in EOL) and the
 * given version nibble; tot_len and the checksum are filled by finish().
 */
static void put_ipv4_full(struct builder *b, __u8 version, __u8 ihl,
			  __u16 frag_off)
{
	struct xg_case *c = b->c;
	__u32 hlen = ihl >= 5 ? ihl * 4u : IPV4_LEN;
	__u8 *h;

	mark_l3(b, XG_L3_V4, 4);
	h = put(b, NULL, hlen);
	h[0] = version << 4 | ihl;
	h[1] = 0;                 /* DSCP/ECN */
	put16(h + 4, 0x1234);     /* id */
	put16(h + 6, frag_off);
	h[8] = 64;                /* ttl */
	memcpy(h + 12, src_v4, 4);
	memcpy(h + 16, dst_v4, 4);
	for (__u32 i = IPV4_LEN; i < hlen; i++)
		h[i] = i + 1 == hlen ? 0 /* EOL */ : 1 /* NOP */;
	b->nh_off = c->l3_off + 9;
	memcpy(c->exp.saddr, src_v4, 4);
	memcpy(c->exp.daddr, dst_v4, 4);
	c->exp.l4_off = c->len;
}

static void put_ipv4(struct builder *b)
{
	put_ipv4_full(b, 4, 5, 0);
}

static void put_ipv6_full(struct builder *b, __u8 version)
{
	struct xg_case *c = b->c;
	__u8 *h;

	mark_l3(b, XG_L3_V6, 6);
	h = put(b, NULL, IPV6_LEN);
	h[0] = version << 4;
	h[1] = 0x0a;              /* flow label bits, not parsed */
	h[7] = 64;                /* hop limit */
	memcpy(h + 8, src_v6, 16);
	memcpy(h + 24, dst_v6, 16);
	b->nh_off = c->l3_off + 6;
	memcpy(c->exp.saddr, src_v6, 16);
	memcpy(c->exp.daddr, dst_v6, 16);
	c->exp.l4_off = c->len;
}

static void put_ipv6(struct builder *b)
{
	put_ipv6_full(b, 6);
}

/* Hop-by-hop, routing or destination options of len bytes (a multiple of
 * 8, hdrlen counts 8-byte units beyond the first), or AH of len bytes
 * (hdrlen counts 4-byte units minus 2).
 */
static void put_ext(struct builder *b, __u8 type, __u32 len)
{
	struct xg_case *c = b->c;
	__u8 *h;

	set_next(b, type);
	h = put(b, NULL, len);
	if (type == P_AH) {
		h[1] = len / 4 - 2;
		put16(h + 4, 0x0000); /* SPI high */
		put16(h + 6, 0x0100); /* SPI low */
		h[11] = 1;            /* sequence number */
	} else {
		h[1] = len / 8 - 1;
		if (type == P_ROUTING) {
			h[2] = 4; /* segment routing, segments left 0 */
		} else {
			h[2] = 1; /* PadN covering the rest */
			h[3] = len - 4;
		}
	}
	b->nh_off = c->len - len;
	c->exp.ext_count++;
	c->exp.l4_off = c->len;
}

/* IPv6 fragment header: offset in 8-byte units, M flag. */
static void put_frag6(struct builder *b, __u16 offset, bool more)
{
	struct xg_case *c = b->c;
	__u8 *h;

	set_next(b, P_FRAGMENT);
	h = put(b, NULL, 8);
	put16(h + 2, offset << 3 | (more ? 1 : 0));
	h[7] = 0x42; /* identification */
	b->nh_off = c->len - 8;
	c->exp.ext_count++;
	c->exp.l4_off = c->len;
}

static void put_udp(struct builder *b, __u16 sport, __u16 dport,
		    __u32 payload)
{
	struct xg_case *c = b->c;
	__u8 *h;

	set_next(b, P_UDP);
	c->l4_at = c->len;
	h = put(b, NULL, UDP_LEN);
	put16(h, sport);
	put16(h + 2, dport);
	put16(h + 4, UDP_LEN + payload);
	put_payload(b, payload);
	c->exp.sport = sport;
	c->exp.dport = dport;
}

static void put_tcp(struct builder *b, __u16 sport, __u16 dport,
		    __u32 payload)
{
	struct xg_case *c = b->c;
	__u8 *h;

	set_next(b, P_TCP);
	c->l4_at = c->len;
	h = put(b, NULL, TCP_LEN);
	put16(h, sport);
	put16(h + 2, dport);
	h[7] = 1;            /* seq */
	h[12] = 5 << 4;      /* data offset */
	h[13] = 0x02;        /* SYN */
	put16(h + 14, 65535); /* window */
	put_payload(b, payload);
	c->exp.sport = sport;
	c->exp.dport = dport;
}

/* ICMP for IPv4, ICMPv6 for IPv6. */
static void put_icmp(struct builder *b, __u8 type, __u8 code, __u32 payload)
{
	struct xg_case *c = b->c;
	__u8 *h;

	set_next(b, c->l3 == XG_L3_V6 ? P_ICMPV6 : P_ICMP);
	c->l4_at = c->len;
	h = put(b, NULL, ICMP_LEN);
	h[0] = type;
	h[1] = code;
	put16(h + 4, 0x0777); /* echo id */
	put16(h + 6, 1);      /* echo sequence */
	put_payload(b, payload);
	c->exp.icmp_type = type;
	c->exp.icmp_code = code;
}

/* Bytes shaped like a UDP header (ports 1111 -> 2222) where no L4 header
 * is: a later fragment. The parser must not report them as ports.
 */
static void put_fake_ports(struct builder *b, __u8 proto, __u32 n)
{
	static const __u8 look[8] = { 0x04, 0x57, 0x08, 0xae, 0, 8, 0, 0 };
	__u8 *p;

	set_next(b, proto);
	p = put(b, NULL, n);
	memcpy(p, look, n < sizeof(look) ? n : sizeof(look));
}

static __u32 csum_add(__u32 sum, const __u8 *p, __u32 n)
{
	for (__u32 i = 0; i + 1 < n; i += 2)
		sum += (__u32)p[i] << 8 | p[i + 1];
	if (n & 1)
		sum += (__u32)p[n - 1] << 8;
	return sum;
}

static __u16 csum_fold(__u32 sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ~sum & 0xffff;
}

/* The TCP/UDP/ICMPv6 checksum over the pseudo header, or the plain ICMP
 * one; only for an L4 header that runs to the end of the IP packet.
 */
static void fill_l4_csum(struct builder *b)
{
	struct xg_case *c = b->c;
	__u32 l4_len = c->l3_end - c->l4_at, sum = 0;
	__u8 proto = c->exp.l4_proto;
	__u8 *l4 = c->bytes + c->l4_at;
	__u32 at = proto == P_UDP ? 6 : proto == P_TCP ? 16 : 2;

	if (!c->l4_at || b->no_l4_csum || c->l3_end > c->len ||
	    c->l4_at > c->l3_end || l4_len < at + 2)
		return;
	if (proto != P_ICMP) {
		if (c->l3 == XG_L3_V4) {
			sum = csum_add(sum, c->bytes + c->l3_off + 12, 8);
		} else {
			sum = csum_add(sum, c->bytes + c->l3_off + 8, 32);
			sum += l4_len >> 16;
		}
		sum += proto + (l4_len & 0xffff);
	}
	put16(l4 + at, 0);
	put16(l4 + at, csum_fold(csum_add(sum, l4, l4_len)));
}

/* Lengths, checksums and padding; then the case states its outcome. */
static struct xg_case *finish(struct builder *b, enum xg_reason result)
{
	struct xg_case *c = b->c;
	__u8 *l3 = c->bytes + c->l3_off;

	if (c->l3 == XG_L3_V4) {
		__u32 hlen = (l3[0] & 0xf) >= 5 ? (l3[0] & 0xf) * 4u : IPV4_LEN;
		__u32 tot = b->tot_len >= 0 ? (__u32)b->tot_len :
					      c->len - c->l3_off;

		put16(l3 + 2, tot);
		put16(l3 + 10, 0);
		put16(l3 + 10, csum_fold(csum_add(0, l3, hlen)));
		c->l3_end = c->l3_off + tot;
		c->exp.l3_len = tot;
		c->l3_hdr_bad = result == XG_PARSE_IPV4_BAD_VER ||
				result == XG_PARSE_IPV4_BAD_IHL ||
				result == XG_PARSE_IPV4_BAD_LEN;
	} else if (c->l3 == XG_L3_V6) {
		__u32 plen = b->tot_len >= 0 ? (__u32)b->tot_len :
					       c->len - c->l3_off - IPV6_LEN;

		put16(l3 + 4, plen);
		c->l3_end = c->l3_off + IPV6_LEN + plen;
		c->exp.l3_len = IPV6_LEN + plen;
		c->l3_hdr_bad = result == XG_PARSE_IPV6_BAD_VER;
	}
	if (c->l3 != XG_L3_NONE)
		fill_l4_csum(b);
	if (b->pad_to > c->len)
		put(b, NULL, b->pad_to - c->len);
	c->exp.result = result;
	return c;
}

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
	corpus.n_base = corpus.n;
	add_cuts();
	return &corpus;
}
