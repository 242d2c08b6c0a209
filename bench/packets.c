// SPDX-License-Identifier: GPL-2.0
/* Benchmark packets, built field by field so their layout is plain to see.
 * Checksums are left zero: none of the programs under test verify them.
 */
#include <arpa/inet.h>
#include <string.h>

#include "packets.h"

static __u8 *put(__u8 *pos, const void *src, size_t n)
{
	memcpy(pos, src, n);
	return pos + n;
}

static __u8 *put16(__u8 *pos, __u16 v)
{
	v = htons(v);
	return put(pos, &v, 2);
}

static __u8 *put_eth(__u8 *pos, const __u8 *dst, __u16 proto)
{
	static const __u8 def_dst[6] = { 0x02, 0, 0, 0, 0, 0x02 };
	static const __u8 src[6] = { 0x02, 0, 0, 0, 0, 0x01 };

	pos = put(pos, dst ? dst : def_dst, 6);
	pos = put(pos, src, 6);
	return put16(pos, proto);
}

/* IPv4 header (20 B) + UDP header; payload zeros to fill len. */
static __u8 *put_ipv4_udp(__u8 *pos, __u16 l3_len)
{
	__u32 saddr = htonl(BENCH_SRC_V4), daddr = htonl(0xc6336401);

	*pos++ = 0x45;
	*pos++ = 0;
	pos = put16(pos, l3_len);
	pos = put16(pos, 1);      /* id */
	pos = put16(pos, 0);      /* no fragment */
	*pos++ = 64;              /* ttl */
	*pos++ = 17;              /* UDP */
	pos = put16(pos, 0);      /* checksum */
	pos = put(pos, &saddr, 4);
	pos = put(pos, &daddr, 4);
	pos = put16(pos, 40000);
	pos = put16(pos, 9);
	pos = put16(pos, l3_len - 20);
	return put16(pos, 0);
}

static __u8 *put_ipv6(__u8 *pos, __u16 payload_len, __u8 nexthdr)
{
	static const __u8 saddr[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
	static const __u8 daddr[16] = { 0x20, 0x01, 0x0d, 0xb8, [14] = 1, 1 };

	*pos++ = 0x60;
	*pos++ = 0;
	pos = put16(pos, 0);
	pos = put16(pos, payload_len);
	*pos++ = nexthdr;
	*pos++ = 64;
	pos = put(pos, saddr, 16);
	return put(pos, daddr, 16);
}

/* An 8-byte option header: next header, length 0, PadN filling the rest. */
static __u8 *put_ext8(__u8 *pos, __u8 nexthdr)
{
	static const __u8 padn[6] = { 1, 4, 0, 0, 0, 0 };

	*pos++ = nexthdr;
	*pos++ = 0;
	return put(pos, padn, 6);
}

static __u8 *put_udp(__u8 *pos, __u16 len)
{
	pos = put16(pos, 40000);
	pos = put16(pos, 9);
	pos = put16(pos, len);
	return put16(pos, 0);
}

void bench_pkt_build(enum bench_pkt_kind kind, const __u8 *dst_mac,
		     struct bench_pkt *p)
{
	__u8 *pos = p->data;

	memset(p, 0, sizeof(*p));
	switch (kind) {
	case PKT_IPV4_UDP:
		p->name = "ipv4-udp-64";
		p->what = "Ethernet + IPv4 + UDP, 64 B";
		p->len = 64;
		pos = put_eth(pos, dst_mac, 0x0800);
		put_ipv4_udp(pos, p->len - 14);
		break;
	case PKT_IPV6_UDP:
		p->name = "ipv6-udp-78";
		p->what = "Ethernet + IPv6 + UDP, 78 B";
		p->len = 78;
		pos = put_eth(pos, dst_mac, 0x86dd);
		pos = put_ipv6(pos, p->len - 54, 17);
		put_udp(pos, p->len - 54);
		break;
	case PKT_IPV6_EXT:
		p->name = "ipv6-ext-94";
		p->what = "IPv6 + hop-by-hop + destination options + UDP, 94 B";
		p->len = 94;
		pos = put_eth(pos, dst_mac, 0x86dd);
		pos = put_ipv6(pos, p->len - 54, 0);
		pos = put_ext8(pos, 60);
		pos = put_ext8(pos, 17);
		put_udp(pos, p->len - 70);
		break;
	case PKT_VLAN_IPV4:
		p->name = "vlan-ipv4-68";
		p->what = "Ethernet + 802.1Q (VID 100) + IPv4 + UDP, 68 B";
		p->len = 68;
		pos = put_eth(pos, dst_mac, 0x8100);
		pos = put16(pos, 100);
		pos = put16(pos, 0x0800);
		put_ipv4_udp(pos, p->len - 18);
		break;
	default:
		break;
	}
}
