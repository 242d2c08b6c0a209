/* SPDX-License-Identifier: GPL-2.0 */
/* The admission stage's sketch: its layout, its hash and its decay, in
 * plain C so the BPF programs (which update it) and the loader (which reads
 * estimates out of it) compute the same indexes and the same decayed
 * values. No BPF or XDP types: every hook includes it.
 *
 * Per CPU, one map (xg_sketch) of XG_SKETCH_BLOCKS blocks of
 * XG_SKETCH_WORDS u64 words (24 KiB), each found with one inlined lookup:
 *
 *  - block 0: the light part, a count-min sketch of the packets "held"
 *    (counted in no per-source row, see xdpgate_admit.bpf.h): XG_CM_ROWS
 *    rows of XG_CM_WIDTH counters, two 20-bit counters a word under a
 *    24-bit epoch tag. Updated conservatively (only counters at the key's
 *    current minimum grow). A word whose tag is k epochs old reads as its
 *    counters halved k times, and is rewritten that way on its next
 *    update: the sketch decays on the data plane's own clock and never
 *    needs a sweep.
 *  - block 1: the admitted filter, a one-hash Bloom filter of the sources
 *    this CPU recently found in (or put into) the exact map, in two
 *    generations: a word is [tag 32][this epoch 16][last epoch 16]. A
 *    source stays in it one to two epochs after it was last set.
 *
 * Memory: 48 KiB per CPU (a 49152-bit filter generation).
 *
 * Count-min error bound (no decay): for a source with h held packets, the
 * estimate e satisfies h <= e, and e <= h + (e_const / XG_CM_WIDTH) * N
 * with probability at least 1 - exp(-XG_CM_ROWS), where N is the number of
 * held packets in the sketch (e_const = 2.718...). With 2048 counters and 3
 * rows: e <= h + N/753 with probability >= 95%. Halving divides both sides
 * by the same power of two per word, up to rounding down.
 */
#ifndef XDPGATE_SKETCH_H
#define XDPGATE_SKETCH_H

#include <linux/types.h>

/* Inlined in the data plane: a BPF-to-BPF call per counter would cost
 * more than the arithmetic.
 */
#define XG_SKETCH_FN static inline __attribute__((always_inline))

#define XG_SKETCH_WORDS 3072U            /* u64 words a block (24 KiB) */
#define XG_CM_ROWS 3U                    /* count-min rows (hash functions) */
#define XG_CM_WIDTH_BITS 11
#define XG_CM_WIDTH (1U << XG_CM_WIDTH_BITS) /* counters a row: 2 a word */
#define XG_CM_ROW_WORDS (XG_CM_WIDTH / 2)
#define XG_CM_LANE_BITS 20
#define XG_CM_LANE_MAX ((1U << XG_CM_LANE_BITS) - 1) /* counters saturate */
#define XG_CM_TAG_MASK 0xffffffULL       /* 24-bit epoch tag, bits 63..40 */
#define XG_FILTER_WORD_BITS 16           /* bits per generation a word */
#define XG_FILTER_BITS (XG_SKETCH_WORDS * XG_FILTER_WORD_BITS)
#define XG_SKETCH_CM 0U                  /* block of the count-min rows */
#define XG_SKETCH_FILTER 1U              /* block of the filter */
#define XG_SKETCH_BLOCKS 2U

/* Default epoch: 2^30 ns, about 1.07 s (cfg_sketch_shift). */
#define XG_SKETCH_SHIFT_DEFAULT 30

struct xg_sketch_block {
	__u64 w[XG_SKETCH_WORDS];
};
_Static_assert(sizeof(struct xg_sketch_block) == 24576, "xg_sketch_block layout");
_Static_assert(XG_CM_ROWS * XG_CM_ROW_WORDS == XG_SKETCH_WORDS, "count-min fills block 0");

/* The 64-bit mix of a source: IPv4 by its address (network order as a u32),
 * IPv6 by its 16 bytes folded. Double hashing (h1 + i * h2) derives every
 * row's index and the filter's from it.
 */
XG_SKETCH_FN __u64 xg_sketch_mix(__u64 x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

XG_SKETCH_FN __u64 xg_sketch_hash4(__u32 a)
{
	return xg_sketch_mix((__u64)a | 0x400000000ULL);
}

XG_SKETCH_FN __u64 xg_sketch_hash6(const __u32 *a)
{
	__u64 lo = (__u64)a[0] | (__u64)a[1] << 32;
	__u64 hi = (__u64)a[2] | (__u64)a[3] << 32;

	return xg_sketch_mix(lo ^ xg_sketch_mix(hi ^ 0x600000000ULL));
}

/* Counter index (0 .. XG_CM_WIDTH-1) of row i (word i * XG_CM_ROW_WORDS +
 * index / 2 of block 0, lane index & 1).
 */
XG_SKETCH_FN __u32 xg_cm_index(__u64 h, __u32 i)
{
	__u32 h1 = (__u32)h, h2 = (__u32)(h >> 32) | 1;

	return (h1 + i * h2) >> (32 - XG_CM_WIDTH_BITS);
}

/* A source's place in the filter: its word (0 .. XG_SKETCH_WORDS-1, by
 * multiply-shift: the size is no power of two) and its bit in the word's
 * generations (0 .. XG_FILTER_WORD_BITS-1).
 */
XG_SKETCH_FN __u32 xg_filter_word_index(__u64 h)
{
	__u32 h1 = (__u32)h, h2 = (__u32)(h >> 32) | 1;

	return (__u32)(((__u64)(h1 + XG_CM_ROWS * h2) * XG_SKETCH_WORDS) >> 32);
}

XG_SKETCH_FN __u32 xg_filter_bit(__u64 h)
{
	return (__u32)(h >> 40) & (XG_FILTER_WORD_BITS - 1);
}

XG_SKETCH_FN __u32 xg_cm_lane(__u64 w, __u32 lane)
{
	return (__u32)(w >> (lane * XG_CM_LANE_BITS)) & XG_CM_LANE_MAX;
}

/* A count-min word as of epoch `now`: its counters halved once per epoch
 * since it was last written (and the tag moved on).
 */
XG_SKETCH_FN __u64 xg_cm_decay(__u64 w, __u64 now)
{
	__u64 age = (now - (w >> 40)) & XG_CM_TAG_MASK;
	__u64 l0 = w & XG_CM_LANE_MAX, l1 = (w >> XG_CM_LANE_BITS) & XG_CM_LANE_MAX;

	if (!age)
		return w;
	if (age >= XG_CM_LANE_BITS)
		l0 = l1 = 0;
	else
		l0 >>= age, l1 >>= age;
	return (now & XG_CM_TAG_MASK) << 40 | l1 << XG_CM_LANE_BITS | l0;
}

/* Is the filter bit (0-15 of its word) set in epoch `now`? */
XG_SKETCH_FN int xg_filter_has(__u64 w, __u32 bit, __u64 now)
{
	__u32 tag = (__u32)(w >> 32), cur = (__u32)now;

	if (tag == cur)
		return (((__u32)w >> 16 | (__u32)w) >> bit) & 1;
	if (tag == cur - 1)
		return ((__u32)w >> (16 + bit)) & 1;
	return 0;
}

XG_SKETCH_FN __u64 xg_filter_with(__u64 w, __u32 bit, __u64 now)
{
	__u32 tag = (__u32)(w >> 32), cur = (__u32)now;
	__u64 mine = 1ULL << (16 + bit);

	if (tag == cur)
		return w | mine;
	if (tag == cur - 1)
		return (__u64)cur << 32 | mine | ((w >> 16) & 0xffff);
	return (__u64)cur << 32 | mine;
}

#endif /* XDPGATE_SKETCH_H */
