// SPDX-License-Identifier: GPL-2.0
/* The corpus checks itself before anything trusts it: lengths and
 * checksums as built, and every parse reason reached by some frame.
 */
#include <errno.h>
#include <string.h>

#include "xdpgate_names.h"
#include "corpus.h"
#include "xg_test.h"

static __u16 sum16(const __u8 *p, __u32 n)
{
	__u32 sum = 0;

	for (__u32 i = 0; i + 1 < n; i += 2)
		sum += (__u32)p[i] << 8 | p[i + 1];
	if (n & 1)
		sum += (__u32)p[n - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum;
}

static void subtest_lengths(const struct xg_corpus *cp)
{
	xg_subtest_start("lengths_and_checksums");
	for (int i = 0; i < cp->n_base; i++) {
		const struct xg_case *c = &cp->c[i];
		const __u8 *l3 = c->bytes + c->l3_off;

		ASSERT_TRUE(c->len >= 14, c->name);
		if (c->l3 == XG_L3_V4 && !c->l3_hdr_bad) {
			__u32 hlen = (l3[0] & 0xf) * 4;

			/* A header with a valid checksum sums to 0xffff. */
			ASSERT_EQ(sum16(l3, hlen), 0xffff, c->name);
			ASSERT_EQ(c->l3_end, c->l3_off + (l3[2] << 8 | l3[3]), c->name);
		}
		if (c->l3 == XG_L3_V6 && !c->l3_hdr_bad)
			ASSERT_EQ(c->l3_end, c->l3_off + 40u + (l3[4] << 8 | l3[5]),
				  c->name);
		/* Well-formed IP packets fit their frame exactly or padded. */
		if (c->exp.result == XG_PARSE_OK)
			ASSERT_TRUE(c->l3_end <= c->len, c->name);
		if (c->l4_at && c->exp.result == XG_PARSE_OK &&
		    c->exp.l4_proto == 17) {
			const __u8 *udp = c->bytes + c->l4_at;

			ASSERT_EQ(udp[4] << 8 | udp[5], c->l3_end - c->l4_at, c->name);
		}
	}
	xg_subtest_end();
}

/* Each reason the parser can return must be exercised, or a test of it
 * is missing (XG_RSN_SRC_UPDATE_FAIL is the data plane's, not the
 * parser's).
 */
static void subtest_reasons_covered(const struct xg_corpus *cp)
{
	int seen_base[XG_RSN__MAX] = {}, seen_cut[XG_RSN__MAX] = {};

	xg_subtest_start("every_reason_covered");
	for (int i = 0; i < cp->n; i++) {
		if (cp->c[i].base < 0)
			seen_base[cp->c[i].exp.result]++;
		else
			seen_cut[cp->c[i].exp.result]++;
	}
	for (int r = 0; r < XG_RSN_SRC_UPDATE_FAIL; r++)
		ASSERT_TRUE(seen_base[r] + seen_cut[r] > 0, xg_reason_names[r]);
	printf("     corpus: %d shapes, each also cut at every byte offset: %d cut frames (%d of them zero-length), %d frames in all\n",
	       cp->n_base, cp->n - cp->n_base, cp->n_base, cp->n);
	xg_subtest_end();
}

void test_corpus(void)
{
	const struct xg_corpus *cp = xg_corpus_get();

	subtest_lengths(cp);
	subtest_reasons_covered(cp);
}
