// SPDX-License-Identifier: GPL-2.0
/* The BPF build of headers/parse.h (selftests/progs/parse_probe.bpf.c)
 * against the host build, byte for byte, over the whole corpus.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_ether.h>

#include "parse.h"
#include "corpus.h"
#include "expect.h"
#include "xg_test.h"
#include "parse_probe.skel.h"

/* BPF_PROG_TEST_RUN refuses XDP frames shorter than an Ethernet header
 * (-EINVAL), so frames cut below 14 bytes are checked on the host only.
 */
static bool runnable(const struct xg_case *c)
{
	return c->len >= ETH_HLEN;
}

static void run(struct parse_probe *skel, int prog_fd, const struct xg_case *c)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = c->bytes,
		    .data_size_in = c->len, .repeat = 1);
	struct xg_pkt_meta host;
	__u8 *data = (__u8 *)c->bytes;

	/* A stale result from the previous frame must not pass for this one. */
	memset(&skel->bss->probe_meta, 0xee, sizeof(skel->bss->probe_meta));
	skel->bss->probe_ret = -1;
	if (!ASSERT_OK(bpf_prog_test_run_opts(prog_fd, &opts), c->name))
		return;
	ASSERT_EQ(opts.retval, XDP_PASS, c->name);
	ASSERT_EQ(skel->bss->probe_ret, skel->bss->probe_meta.result, c->name);

	xg_parse(data, data + c->len, c->len, &host);
	xg_assert_meta_same(c, "bpf", &skel->bss->probe_meta, "host", &host);
	/* And against the corpus, so both builds cannot agree on a wrong
	 * answer unnoticed.
	 */
	xg_assert_meta(c, &skel->bss->probe_meta);
}

void test_parse_bpf(void)
{
	const struct xg_corpus *cp = xg_corpus_get();
	struct parse_probe *skel;
	int prog_fd, host_only = 0;

	xg_subtest_start("load");
	skel = parse_probe__open_and_load();
	ASSERT_PTR_OK(skel, "parse_probe__open_and_load");
	xg_subtest_end();
	if (!skel)
		return;
	prog_fd = bpf_program__fd(skel->progs.parse_probe);

	xg_subtest_start("whole_frames");
	for (int i = 0; i < cp->n_base; i++)
		run(skel, prog_fd, &cp->c[i]);
	xg_subtest_end();

	xg_subtest_start("cut_at_every_offset");
	for (int i = cp->n_base; i < cp->n; i++) {
		if (runnable(&cp->c[i]))
			run(skel, prog_fd, &cp->c[i]);
		else
			host_only++;
	}
	if (host_only) {
		char what[96];

		snprintf(what, sizeof(what), "%d cuts shorter than %d bytes on the BPF side",
			 host_only, ETH_HLEN);
		xg_skip(what, "test_run refuses XDP frames without an Ethernet header (-EINVAL); parse_host checks them");
	}
	xg_subtest_end();

	parse_probe__destroy(skel);
}
