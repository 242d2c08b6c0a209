// SPDX-License-Identifier: GPL-2.0
/* The corpus builder: frames written layer by layer with correct lengths
 * and checksums, recording what each layer promises the parser will
 * report (see corpus.h). The cases themselves are in corpus.c and
 * corpus_hostile.c.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/if_ether.h>

#include "corpus_build.h"

struct xg_corpus corpus;
static int corpus_cap;

static const __u8 src_v4[4] = { 10, 1, 2, 3 };
static const __u8 dst_v4[4] = { 10, 9, 8, 7 };
static const __u8 src_v6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
				 0, 0, 0, 0, 0, 0, 0x12, 0x34 };
static const __u8 dst_v6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0x99,
				 0, 0, 0, 0, 0, 0, 0, 0x01 };

struct xg_case *grow(void)
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

void begin(struct builder *b, const char *name)
{
	struct xg_case *c = grow();

	memset(c, 0, sizeof(*c));
	snprintf(c->name, sizeof(c->name), "%s", name);
	c->base = -1;
	memset(b, 0, sizeof(*b));
	b->c = c;
	b->tot_len = -1;
}

__u8 *put(struct builder *b, const void *src, __u32 n)
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

void put16(__u8 *at, __u16 v)
{
	at[0] = v >> 8;
	at[1] = v & 0xff;
}

/* Payload bytes that are neither zero nor a header the parser knows. */
void put_payload(struct builder *b, __u32 n)
{
	__u8 *p = put(b, NULL, n);

	for (__u32 i = 0; i < n; i++)
		p[i] = 0xa0 + (i % 31);
}

/* Every later layer announces itself in the previous one's next-protocol
 * field (ethertype, IPv4 protocol, IPv6 next header).
 */
void set_next(struct builder *b, __u8 proto)
{
	if (b->nh_off)
		b->c->bytes[b->nh_off] = proto;
	b->c->exp.l4_proto = proto;
}

void put_eth(struct builder *b, __u16 proto)
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
void put_vlan(struct builder *b, __u16 tci, __u16 next)
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
void put_ipv4_full(struct builder *b, __u8 version, __u8 ihl,
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

void put_ipv4(struct builder *b)
{
	put_ipv4_full(b, 4, 5, 0);
}

void put_ipv6_full(struct builder *b, __u8 version)
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

void put_ipv6(struct builder *b)
{
	put_ipv6_full(b, 6);
}

/* Hop-by-hop, routing or destination options of len bytes (a multiple of
 * 8, hdrlen counts 8-byte units beyond the first), or AH of len bytes
 * (hdrlen counts 4-byte units minus 2).
 */
void put_ext(struct builder *b, __u8 type, __u32 len)
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
void put_frag6(struct builder *b, __u16 offset, bool more)
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

void put_udp(struct builder *b, __u16 sport, __u16 dport,
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

void put_tcp_doff(struct builder *b, __u16 sport, __u16 dport, __u8 doff,
		  __u32 payload)
{
	struct xg_case *c = b->c;
	__u32 opts = doff > 5 ? (doff - 5) * 4u : 0;
	__u8 *h;

	set_next(b, P_TCP);
	c->l4_at = c->len;
	h = put(b, NULL, TCP_LEN + opts);
	put16(h, sport);
	put16(h + 2, dport);
	h[7] = 1;            /* seq */
	h[12] = doff << 4;   /* data offset */
	h[13] = 0x02;        /* SYN */
	put16(h + 14, 65535); /* window */
	memset(h + TCP_LEN, 1, opts); /* NOP options */
	put_payload(b, payload);
	c->exp.sport = sport;
	c->exp.dport = dport;
}

void put_tcp(struct builder *b, __u16 sport, __u16 dport, __u32 payload)
{
	put_tcp_doff(b, sport, dport, 5, payload);
}

/* ICMP for IPv4, ICMPv6 for IPv6. */
void put_icmp(struct builder *b, __u8 type, __u8 code, __u32 payload)
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
void put_fake_ports(struct builder *b, __u8 proto, __u32 n)
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
struct xg_case *finish(struct builder *b, enum xg_reason result)
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
