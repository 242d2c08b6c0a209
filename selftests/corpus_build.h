/* SPDX-License-Identifier: GPL-2.0 */
/* The corpus builder, shared by the files that hold corpus cases
 * (corpus.c, corpus_hostile.c): begin() a frame, put_*() its layers in
 * order (each patches the previous layer's next-protocol field and records
 * what the parser must report), finish() it with the expected result.
 */
#ifndef XG_CORPUS_BUILD_H
#define XG_CORPUS_BUILD_H

#include <stdbool.h>
#include <linux/types.h>

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

/* Every entry so far, whole frames and cuts. */
extern struct xg_corpus corpus;

/* A new zeroed entry at the end of the corpus. */
struct xg_case *grow(void);
void begin(struct builder *b, const char *name);
/* n bytes from src (zeros when src is NULL) at the end of the frame. */
__u8 *put(struct builder *b, const void *src, __u32 n);
void put16(__u8 *at, __u16 v);
void put_payload(struct builder *b, __u32 n);
void set_next(struct builder *b, __u8 proto);
void put_eth(struct builder *b, __u16 proto);
void put_vlan(struct builder *b, __u16 tci, __u16 next);
void put_ipv4_full(struct builder *b, __u8 version, __u8 ihl, __u16 frag_off);
void put_ipv4(struct builder *b);
void put_ipv6_full(struct builder *b, __u8 version);
void put_ipv6(struct builder *b);
void put_ext(struct builder *b, __u8 type, __u32 len);
void put_frag6(struct builder *b, __u16 offset, bool more);
void put_udp(struct builder *b, __u16 sport, __u16 dport, __u32 payload);
void put_tcp(struct builder *b, __u16 sport, __u16 dport, __u32 payload);
/* TCP with data offset doff (any 0-15); words beyond 5 are NOP options. */
void put_tcp_doff(struct builder *b, __u16 sport, __u16 dport, __u8 doff,
		  __u32 payload);
void put_icmp(struct builder *b, __u8 type, __u8 code, __u32 payload);
void put_fake_ports(struct builder *b, __u8 proto, __u32 n);
struct xg_case *finish(struct builder *b, enum xg_reason result);

/* The cases of corpus_hostile.c. */
void xg_corpus_add_hostile(void);

#endif /* XG_CORPUS_BUILD_H */
