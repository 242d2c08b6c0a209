// SPDX-License-Identifier: GPL-2.0
/* Runs the BPF build of xg_parse and leaves its result in .bss, where
 * test_parse_bpf compares it with the host build byte for byte.
 * Same call as xdp/xdpgate_xdp.bpf.c: meta on the stack, pkt_len the
 * linear frame length.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "parse.h"

struct xg_pkt_meta probe_meta;
int probe_ret;

SEC("xdp")
int parse_probe(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct xg_pkt_meta m;

	probe_ret = xg_parse(data, data_end, (__u32)(data_end - data), &m);
	probe_meta = m;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
