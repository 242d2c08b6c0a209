/* SPDX-License-Identifier: GPL-2.0 */
/* Checks of a parser result (struct xg_pkt_meta) against a corpus entry,
 * shared by the host and the BPF parser tests.
 */
#ifndef XG_EXPECT_H
#define XG_EXPECT_H

#include "corpus.h"

/* Assert m against c->exp: the result always; every field when the
 * result is XG_PARSE_OK, XG_PARSE_NOT_IP or one with a source
 * (XG_RSN_HAS_SOURCE).
 */
void xg_assert_meta(const struct xg_case *c, const struct xg_pkt_meta *m);

/* Assert a and b are equal byte for byte; on a mismatch print both field
 * by field, naming the packet.
 */
void xg_assert_meta_same(const struct xg_case *c, const char *what_a,
			 const struct xg_pkt_meta *a, const char *what_b,
			 const struct xg_pkt_meta *b);

#endif /* XG_EXPECT_H */
