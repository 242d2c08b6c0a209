/* SPDX-License-Identifier: GPL-2.0 */
/* The benchmark packets. Every program of a scenario is fed the same bytes.
 * Sources: IPv4 10.0.0.1, IPv6 2001:db8::1; the destinations match no rule.
 */
#ifndef XG_BENCH_PACKETS_H
#define XG_BENCH_PACKETS_H

#include <linux/types.h>

#define BENCH_PKT_MAX 128
#define BENCH_SRC_V4 0x0a000001U /* 10.0.0.1, host order */

struct bench_pkt {
	const char *name;  /* ipv4-udp-64, ... */
	const char *what;
	__u32 len;
	__u8 data[BENCH_PKT_MAX];
};

enum bench_pkt_kind {
	PKT_IPV4_UDP = 0,  /* 64 B */
	PKT_IPV6_UDP,      /* 78 B */
	PKT_IPV6_EXT,      /* hop-by-hop + destination options, 94 B */
	PKT_VLAN_IPV4,     /* 802.1Q tag, IPv4/UDP, 68 B */
	PKT__MAX,
};

/* Build packet kind into p; dst_mac may be NULL (02:00:00:00:00:02). */
void bench_pkt_build(enum bench_pkt_kind kind, const __u8 *dst_mac,
		     struct bench_pkt *p);

#endif
