// SPDX-License-Identifier: GPL-2.0
/* Frame generator and mutator for the differential fuzzer: see
 * fuzz_frames.h. Offsets known from the corpus shape (where the IP and L4
 * headers start) are carried along insertions, so length fields can be
 * bent where they are rather than at random.
 */
#include <string.h>

#include "fuzz_frames.h"

const char *const xg_fuzz_kind_names[XG_FUZZ__KINDS] = {
	[XG_FUZZ_MUTATED] = "mutated",
	[XG_FUZZ_SPLICED] = "spliced",
	[XG_FUZZ_BUILT] = "built",
	[XG_FUZZ_RANDOM] = "random",
};

void xg_rng_seed(struct xg_rng *r, __u64 seed)
{
	/* splitmix64 of the seed: never the all-zero state xorshift keeps. */
	__u64 z = seed + 0x9e3779b97f4a7c15ULL;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	r->s = (z ^ (z >> 31)) | 1;
}

__u64 xg_rng_next(struct xg_rng *r)
{
	r->s ^= r->s >> 12;
	r->s ^= r->s << 25;
	r->s ^= r->s >> 27;
	return r->s * 0x2545f4914f6cdd1dULL;
}

__u32 xg_rng_below(struct xg_rng *r, __u32 n)
{
	return n ? (__u32)((xg_rng_next(r) >> 32) % n) : 0;
}

static int chance(struct xg_rng *r, __u32 percent)
{
	return xg_rng_below(r, 100) < percent;
}

/* A frame being mutated, with what is known of its layout. */
struct fz {
	__u8 *b;
	__u32 len;
	__u32 l3;  /* offset of the IP header; 0: none known */
	int ipv;   /* 4, 6, or 0 */
	__u32 l4;  /* offset of the L4 header; 0: none known */
};

static const __u16 ethertypes[] = {
	0x0800, 0x86dd, 0x8100, 0x88a8, 0x9100, 0x9200, 0x0806, 0x88cc,
	0x0000, 0xffff,
};
static const __u8 protos[] = { 0, 1, 6, 17, 43, 44, 47, 50, 51, 58, 59, 60,
			       135, 255 };
static const __u8 ext_types[] = { 0, 43, 44, 51, 60 };
static const __u8 bytes_of_interest[] = { 0x00, 0x01, 0x04, 0x05, 0x06, 0x0f,
					  0x10, 0x11, 0x2c, 0x3b, 0x3c, 0x40,
					  0x45, 0x4f, 0x50, 0x60, 0x7f, 0x80,
					  0x81, 0x86, 0x88, 0x91, 0xa8, 0xdd,
					  0xfe, 0xff };

#define PICK(r, a) ((a)[xg_rng_below((r), sizeof(a) / sizeof((a)[0]))])

static void put16(__u8 *at, __u16 v)
{
	at[0] = v >> 8;
	at[1] = v & 0xff;
}

static __u16 get16(const __u8 *at)
{
	return at[0] << 8 | at[1];
}

/* An offset in the frame, most often in the headers. */
static __u32 header_offset(struct xg_rng *r, const struct fz *f)
{
	__u32 span = f->len < 128 ? f->len : 128;

	if (!f->len)
		return 0;
	return chance(r, 80) ? xg_rng_below(r, span) : xg_rng_below(r, f->len);
}

/* A 16-bit length near the one that would be right. */
static __u16 bent_length(struct xg_rng *r, __u32 right)
{
	switch (xg_rng_below(r, 9)) {
	case 0: return 0;
	case 1: return right - 1;
	case 2: return right + 1;
	case 3: return right + 8;
	case 4: return right - 8;
	case 5: return 0xffff;
	case 6: return xg_rng_below(r, 64);
	case 7: return right;
	default: return xg_rng_next(r);
	}
}

/* Insert n bytes at off (zeros), shifting the rest; false when full. */
static int insert(struct fz *f, __u32 off, __u32 n)
{
	if (off > f->len || f->len + n > XG_FUZZ_LEN_MAX)
		return 0;
	memmove(f->b + off + n, f->b + off, f->len - off);
	memset(f->b + off, 0, n);
	f->len += n;
	if (f->l3 >= off && f->l3)
		f->l3 += n;
	if (f->l4 >= off && f->l4)
		f->l4 += n;
	return 1;
}

/* The IPv6 header's next-header byte, or the one of the extension header
 * that ends the walk at most steps headers in; *at gets the header start.
 */
static __u8 *ipv6_nexthdr(struct fz *f, __u32 steps, __u32 *at)
{
	__u8 *nh = f->b + f->l3 + 6;
	__u32 pos = f->l3 + 40;

	for (__u32 i = 0; i < steps; i++) {
		__u32 len;

		if (pos + 2 > f->len || !memchr(ext_types, *nh, sizeof(ext_types)))
			break;
		len = *nh == 44 ? 8 : *nh == 51 ? (f->b[pos + 1] + 2u) * 4 :
						  (f->b[pos + 1] + 1u) * 8;
		nh = f->b + pos;
		*at = pos;
		pos += len;
	}
	return nh;
}

static void bend_ipv4(struct xg_rng *r, struct fz *f)
{
	__u8 *h = f->b + f->l3;

	switch (xg_rng_below(r, 5)) {
	case 0:
		put16(h + 2, bent_length(r, f->len - f->l3));
		break;
	case 1:
		h[0] = (h[0] & 0xf0) | xg_rng_below(r, 16);
		break;
	case 2: /* MF, offset 0 or not */
		put16(h + 6, (chance(r, 50) ? 0x2000 : 0) |
			     (chance(r, 50) ? 0 : xg_rng_below(r, 0x2000)));
		break;
	case 3:
		h[9] = PICK(r, protos);
		break;
	default:
		h[0] = xg_rng_below(r, 16) << 4 | (h[0] & 0x0f);
		break;
	}
}

static void bend_ipv6(struct xg_rng *r, struct fz *f)
{
	__u32 at = 0;
	__u8 *nh;

	switch (xg_rng_below(r, 4)) {
	case 0:
		put16(f->b + f->l3 + 4, bent_length(r, f->len - f->l3 - 40));
		break;
	case 1:
		nh = ipv6_nexthdr(f, xg_rng_below(r, 12), &at);
		*nh = chance(r, 60) ? PICK(r, ext_types) : PICK(r, protos);
		break;
	case 2: /* an extension header's length */
		ipv6_nexthdr(f, 1 + xg_rng_below(r, 12), &at);
		if (at && at + 1 < f->len)
			f->b[at + 1] = chance(r, 50) ? xg_rng_below(r, 4) :
						       xg_rng_next(r);
		break;
	default: /* offset and M flag, if it is a fragment header */
		ipv6_nexthdr(f, 1 + xg_rng_below(r, 12), &at);
		if (at && at + 4 <= f->len)
			put16(f->b + at + 2, chance(r, 50) ? 1 :
					     (__u16)xg_rng_next(r));
		break;
	}
}

static void insert_vlan(struct xg_rng *r, struct fz *f)
{
	__u32 at = 12 + 4 * xg_rng_below(r, 3);

	/* TPID and TCI go in front of the ethertype they now encapsulate. */
	if (at + 2 > f->len || !insert(f, at, 4))
		return;
	if (chance(r, 80))
		put16(f->b + at, chance(r, 34) ? 0x9100 :
				 chance(r, 50) ? 0x88a8 : 0x8100);
	else
		put16(f->b + at, PICK(r, ethertypes));
	put16(f->b + at + 2, xg_rng_next(r));
}

/* An 8-byte extension header right after the IPv6 header. */
static void insert_ext(struct xg_rng *r, struct fz *f)
{
	__u8 type = PICK(r, ext_types);
	__u8 *h;

	if (f->ipv != 6 || f->l3 + 40 > f->len || !insert(f, f->l3 + 40, 8))
		return;
	h = f->b + f->l3 + 40;
	h[0] = f->b[f->l3 + 6];
	h[1] = 0; /* 8 bytes for every kind: AH (0 + 2) * 4, others (0 + 1) * 8 */
	if (type == 44 && chance(r, 50))
		put16(h + 2, chance(r, 50) ? 1 : (__u16)xg_rng_next(r));
	f->b[f->l3 + 6] = type;
	if (chance(r, 80))
		put16(f->b + f->l3 + 4, get16(f->b + f->l3 + 4) + 8);
}

static void mutate_once(struct xg_rng *r, struct fz *f)
{
	__u32 off, n;

	switch (xg_rng_below(r, 11)) {
	case 0: /* bit flip */
		if (f->len)
			f->b[header_offset(r, f)] ^= 1 << xg_rng_below(r, 8);
		break;
	case 1:
		if (f->len)
			f->b[header_offset(r, f)] = PICK(r, bytes_of_interest);
		break;
	case 2:
	case 3: /* length fields, where they are */
		if (f->ipv == 4 && f->l3 + 20 <= f->len)
			bend_ipv4(r, f);
		else if (f->ipv == 6 && f->l3 + 40 <= f->len)
			bend_ipv6(r, f);
		break;
	case 4: /* TCP data offset, UDP length */
		if (f->l4 && f->l4 + 13 <= f->len)
			f->b[f->l4 + 12] = xg_rng_below(r, 16) << 4;
		break;
	case 5: /* cut, near a layer boundary */
		off = chance(r, 30) ? f->l3 : chance(r, 50) ? f->l4 : 0;
		n = off + xg_rng_below(r, chance(r, 70) ? 24 : f->len + 1);
		if (n < f->len)
			f->len = n;
		break;
	case 6: /* padding or trailer */
		n = xg_rng_below(r, 64);
		if (f->len + n <= XG_FUZZ_LEN_MAX) {
			for (__u32 i = 0; i < n; i++)
				f->b[f->len + i] = chance(r, 50) ? 0 : xg_rng_next(r);
			f->len += n;
		}
		break;
	case 7:
		insert_vlan(r, f);
		break;
	case 8:
		insert_ext(r, f);
		break;
	case 9: /* ethertype, outer or inner */
		off = 12 + 4 * xg_rng_below(r, 3);
		if (off + 2 <= f->len)
			put16(f->b + off, PICK(r, ethertypes));
		break;
	default: /* a run of random bytes */
		n = 1 + xg_rng_below(r, 8);
		off = header_offset(r, f);
		for (__u32 i = 0; i < n && off + i < f->len; i++)
			f->b[off + i] = xg_rng_next(r);
		break;
	}
}

static void from_case(struct fz *f, __u8 *buf, const struct xg_case *c)
{
	f->b = buf;
	f->len = c->len < XG_FUZZ_LEN_MAX ? c->len : XG_FUZZ_LEN_MAX;
	memcpy(buf, c->bytes, f->len);
	f->ipv = c->l3 == XG_L3_V4 ? 4 : c->l3 == XG_L3_V6 ? 6 : 0;
	f->l3 = f->ipv ? c->l3_off : 0;
	f->l4 = c->l4_at;
}

static const struct xg_case *any_shape(struct xg_rng *r,
				       const struct xg_corpus *cp)
{
	return &cp->c[xg_rng_below(r, cp->n_base)];
}

/* The layers of a up to a boundary, then b's from the same boundary. */
static void splice(struct xg_rng *r, const struct xg_corpus *cp, struct fz *f)
{
	const struct xg_case *a = any_shape(r, cp), *b = any_shape(r, cp);
	__u32 cut_a, cut_b, n;

	from_case(f, f->b, a);
	if (a->l4_at && b->l4_at && chance(r, 50)) {
		cut_a = a->l4_at;
		cut_b = b->l4_at;
	} else {
		cut_a = a->exp.l3_off;
		cut_b = b->exp.l3_off;
		/* Most often announce what now follows. */
		if (chance(r, 70) && cut_a >= 2)
			put16(f->b + cut_a - 2, b->exp.eth_proto);
		f->ipv = b->l3 == XG_L3_V4 ? 4 : b->l3 == XG_L3_V6 ? 6 : 0;
		f->l3 = f->ipv ? cut_a : 0;
	}
	f->l4 = b->l4_at ? cut_a + (b->l4_at - cut_b) : 0;
	n = b->len > cut_b ? b->len - cut_b : 0;
	if (cut_a + n > XG_FUZZ_LEN_MAX)
		n = XG_FUZZ_LEN_MAX - cut_a;
	memcpy(f->b + cut_a, b->bytes + cut_b, n);
	f->len = cut_a + n;
	if (f->ipv == 4 && f->l3 + 4 <= f->len && chance(r, 60))
		put16(f->b + f->l3 + 2, f->len - f->l3);
	if (f->ipv == 6 && f->l3 + 6 <= f->len && chance(r, 60))
		put16(f->b + f->l3 + 4, f->len - f->l3 - 40);
}

static void random_bytes(struct xg_rng *r, __u8 *p, __u32 n)
{
	for (__u32 i = 0; i < n; i++)
		p[i] = xg_rng_next(r);
}

/* Ethernet, 0-3 tags, IPv4 or IPv6 with a random extension chain of
 * 0-12 headers, an L4 header and payload; lengths mostly right.
 */
static void build(struct xg_rng *r, struct fz *f)
{
	__u32 tags = xg_rng_below(r, 4), ext, pos, l3, plen;
	int v6 = chance(r, 50);
	__u8 *nh;

	random_bytes(r, f->b, 12);
	pos = 12;
	for (__u32 i = 0; i < tags; i++, pos += 4) {
		put16(f->b + pos, chance(r, 90) ? (i ? 0x8100 : chance(r, 50) ?
						   0x88a8 : 0x9100) :
				  PICK(r, ethertypes));
		put16(f->b + pos + 2, xg_rng_next(r));
	}
	put16(f->b + pos, v6 ? 0x86dd : 0x0800);
	l3 = pos + 2;
	f->l3 = l3;
	f->ipv = v6 ? 6 : 4;
	if (v6) {
		memset(f->b + l3, 0, 40);
		f->b[l3] = chance(r, 95) ? 0x60 : xg_rng_next(r);
		random_bytes(r, f->b + l3 + 8, 32);
		nh = f->b + l3 + 6;
		pos = l3 + 40;
		ext = chance(r, 30) ? 0 : xg_rng_below(r, 13);
		for (__u32 i = 0; i < ext; i++) {
			__u8 type = PICK(r, ext_types);
			__u32 units = chance(r, 80) ? xg_rng_below(r, 3) :
						      xg_rng_below(r, 256);
			__u32 len = type == 44 ? 8 : type == 51 ? (units + 2) * 4 :
								  (units + 1) * 8;

			if (pos + len > XG_FUZZ_LEN_MAX - 64)
				break;
			*nh = type;
			nh = f->b + pos;
			random_bytes(r, f->b + pos, len);
			if (type != 44)
				f->b[pos + 1] = units;
			else if (chance(r, 60))
				put16(f->b + pos + 2, chance(r, 50) ? 1 : 0);
			pos += len;
		}
	} else {
		__u32 ihl = chance(r, 70) ? 5 : xg_rng_below(r, 16);

		random_bytes(r, f->b + l3, 60);
		f->b[l3] = 0x40 | ihl;
		put16(f->b + l3 + 6, chance(r, 60) ? 0 : chance(r, 50) ? 0x2000 :
				     (__u16)xg_rng_next(r));
		nh = f->b + l3 + 9;
		pos = l3 + (ihl >= 5 ? ihl * 4 : 20);
	}
	*nh = chance(r, 80) ? PICK(r, protos) : xg_rng_next(r);
	f->l4 = pos;
	plen = xg_rng_below(r, chance(r, 80) ? 48 : XG_FUZZ_LEN_MAX - pos + 1);
	random_bytes(r, f->b + pos, plen);
	if (*nh == 6 && plen > 12 && chance(r, 70))
		f->b[pos + 12] = xg_rng_below(r, 16) << 4;
	f->len = pos + plen;
	if (v6)
		put16(f->b + l3 + 4, chance(r, 80) ? f->len - l3 - 40 :
				     bent_length(r, f->len - l3 - 40));
	else
		put16(f->b + l3 + 2, chance(r, 80) ? f->len - l3 :
				     bent_length(r, f->len - l3));
}

__u32 xg_fuzz_frame(struct xg_rng *r, const struct xg_corpus *cp, __u8 *buf,
		    enum xg_fuzz_kind *kind)
{
	struct fz f = { .b = buf };
	__u32 pick = xg_rng_below(r, 100), n;

	if (pick < 70) {
		*kind = XG_FUZZ_MUTATED;
		from_case(&f, buf, any_shape(r, cp));
	} else if (pick < 80) {
		*kind = XG_FUZZ_SPLICED;
		splice(r, cp, &f);
	} else if (pick < 95) {
		*kind = XG_FUZZ_BUILT;
		build(r, &f);
	} else {
		*kind = XG_FUZZ_RANDOM;
		f.len = xg_rng_below(r, chance(r, 50) ? 100 : XG_FUZZ_LEN_MAX + 1);
		random_bytes(r, buf, f.len);
		if (f.len >= 14 && chance(r, 50))
			put16(buf + 12, PICK(r, ethertypes));
		return f.len;
	}
	n = *kind == XG_FUZZ_MUTATED ? 1 + xg_rng_below(r, 4) :
				       xg_rng_below(r, 3);
	for (__u32 i = 0; i < n; i++)
		mutate_once(r, &f);
	return f.len;
}
