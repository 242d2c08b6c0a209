/* SPDX-License-Identifier: GPL-2.0 */
/* The packet corpus shared by the C tests.
 *
 * Every entry is a frame built byte by byte with correct lengths (and the
 * IPv4, ICMP, TCP and UDP checksums), together with what the parser must
 * report for it. Expected values come from the builder (what it wrote into
 * the frame) and from the case itself (the outcome the parse.h contract and
 * the xg_reason comments promise) - never from running the parser.
 *
 * Each base frame is also cut at every byte offset 0..len-1; the reason a
 * cut frame must give is derived from the layer boundaries the builder
 * recorded (xg_corpus_cut_reason), again without the parser.
 */
#ifndef XG_CORPUS_H
#define XG_CORPUS_H

#include <stdbool.h>
#include <linux/types.h>

#include "xdpgate_types.h"

/* The largest linear frame BPF_PROG_TEST_RUN takes for XDP: a page less
 * the 256-byte headroom and the 320-byte skb_shared_info (x86-64).
 * Longer frames need a multi-buffer (xdp.frags) program.
 */
#define XG_FRAME_MAX 3520
#define XG_NAME_MAX 64

enum xg_l3_kind {
	XG_L3_NONE = 0, /* not IP (ARP) or no network header written */
	XG_L3_V4,
	XG_L3_V6,
};

/* What the parser must report. When result is XG_PARSE_OK,
 * XG_PARSE_FRAG_L4_TRUNC or XG_PARSE_NOT_IP every field is asserted; for a
 * parse failure only the result is part of the contract ("the source
 * address must not be used").
 */
struct xg_expect {
	enum xg_reason result;
	__u16 eth_proto;
	__u8 vlan_depth;
	__u16 vlan_id[VLAN_MAX_DEPTH];
	__u8 ip_version;
	__u16 l3_off;
	__u16 l4_off;
	__u32 l3_len;
	__u8 l4_proto;
	__u8 frag;      /* enum xg_frag */
	__u8 ext_count;
	__u8 icmp_type;
	__u8 icmp_code;
	__u16 sport;
	__u16 dport;
	__u8 saddr[16];
	__u8 daddr[16];
};

struct xg_case {
	char name[XG_NAME_MAX];
	/* Frames start 2 bytes past a 4-byte boundary (NET_IP_ALIGN, as in
	 * a driver's receive buffer), so the IP and L4 headers the host build
	 * of the parser reads through struct pointers are aligned, which
	 * UBSan checks in make test-asan.
	 */
	__u8 net_ip_align[2];
	__u8 bytes[XG_FRAME_MAX];
	__u32 len;
	struct xg_expect exp;

	/* Layer boundaries, for the expected reason of a cut frame. */
	__u8 vlan_tags;         /* tags written, including one too many */
	enum xg_l3_kind l3;
	__u16 l3_off;
	__u32 l3_end;           /* l3_off + IPv4 tot_len / 40 + payload_len */
	__u16 l4_at;            /* where the L4 header was written, 0: none */
	bool l3_hdr_bad;        /* the fixed L3 header itself is rejected */

	/* Cut entries: index of the base entry, and where it was cut. */
	int base;               /* -1 for a base entry */
};

_Static_assert(__builtin_offsetof(struct xg_case, bytes) % 4 == 2,
	       "xg_case.bytes is NET_IP_ALIGN'ed");

struct xg_corpus {
	struct xg_case *c;
	int n;
	int n_base; /* entries [0, n_base) are whole frames, the rest cuts */
};

/* Built once, on first use; never freed (the process exits). */
const struct xg_corpus *xg_corpus_get(void);

/* The reason a frame of base cut to n bytes must give (n < base->len). */
enum xg_reason xg_corpus_cut_reason(const struct xg_case *base, __u32 n);

/* Offset of the source address in the frame, or -1 when the frame has no
 * IP header (or the cut removed it).
 */
int xg_case_saddr_off(const struct xg_case *c);

#endif /* XG_CORPUS_H */
