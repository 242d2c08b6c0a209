// SPDX-License-Identifier: GPL-2.0
/* A trivial XDP program that is not xdpgate and pins nothing: the
 * end-to-end tests attach it with iproute2 and check that xdpgate leaves
 * it alone.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int xge_foreign(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
