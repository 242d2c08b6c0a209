// SPDX-License-Identifier: GPL-2.0
/* The host build of headers/parse.h over the whole corpus. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "parse.h"
#include "corpus.h"
#include "expect.h"
#include "xg_test.h"

/* parse.h reads against data_end and checks lengths against pkt_len; as
 * in XDP (linear frames) both are the frame length here.
 */
static void run(const struct xg_case *c)
{
	struct xg_pkt_meta m;
	__u8 *data = (__u8 *)c->bytes;
	int r;

	memset(&m, 0xee, sizeof(m)); /* xg_parse must overwrite all of it */
	r = xg_parse(data, data + c->len, c->len, &m);
	ASSERT_EQ(r, m.result, c->name);
	xg_assert_meta(c, &m);
}

void test_parse_host(void)
{
	const struct xg_corpus *cp = xg_corpus_get();

	xg_subtest_start("whole_frames");
	for (int i = 0; i < cp->n_base; i++)
		run(&cp->c[i]);
	xg_subtest_end();

	xg_subtest_start("cut_at_every_offset");
	for (int i = cp->n_base; i < cp->n; i++)
		run(&cp->c[i]);
	xg_subtest_end();
}
