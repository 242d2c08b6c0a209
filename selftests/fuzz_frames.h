/* SPDX-License-Identifier: GPL-2.0 */
/* Frames for differential fuzzing of headers/parse.h: random and mutated,
 * 0 to XG_FUZZ_LEN_MAX bytes, biased toward headers the parser walks far
 * into. Most start from a corpus shape (corpus.h) and get a few mutations:
 * bit flips, interesting byte values, length fields bent (IPv4 tot_len and
 * ihl, IPv6 payload length, extension header lengths, TCP data offset),
 * cuts near layer boundaries, padding, VLAN tags and extension headers
 * inserted, ethertypes swapped, and headers of one shape spliced onto
 * another. A few are built from scratch (random VLAN stacks and extension
 * chains) or are plain random bytes. Deterministic for a seed.
 */
#ifndef XG_FUZZ_FRAMES_H
#define XG_FUZZ_FRAMES_H

#include <linux/types.h>

#include "corpus.h"

#define XG_FUZZ_LEN_MAX 1514 /* a full Ethernet frame without FCS */

/* xorshift64*: small, fast, and the same sequence everywhere. */
struct xg_rng {
	__u64 s;
};

void xg_rng_seed(struct xg_rng *r, __u64 seed);
__u64 xg_rng_next(struct xg_rng *r);
/* Uniform in [0, n); 0 when n is 0. */
__u32 xg_rng_below(struct xg_rng *r, __u32 n);

/* How a frame was made, for the counts a run prints. */
enum xg_fuzz_kind {
	XG_FUZZ_MUTATED = 0, /* a corpus shape with 1-4 mutations */
	XG_FUZZ_SPLICED,     /* two shapes joined at layer boundaries */
	XG_FUZZ_BUILT,       /* random VLAN stack, IP header and chain */
	XG_FUZZ_RANDOM,      /* random bytes */
	XG_FUZZ__KINDS,
};

extern const char *const xg_fuzz_kind_names[XG_FUZZ__KINDS];

/* Write one frame into buf (XG_FRAME_MAX bytes); returns its length,
 * 0..XG_FUZZ_LEN_MAX. *kind says how it was made.
 */
__u32 xg_fuzz_frame(struct xg_rng *r, const struct xg_corpus *cp, __u8 *buf,
		    enum xg_fuzz_kind *kind);

#endif /* XG_FUZZ_FRAMES_H */
