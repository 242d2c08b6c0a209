// SPDX-License-Identifier: GPL-2.0
/* Asks the kernel, independently of libxdp, whether it lets one BPF
 * program replace a function of another (freplace): libxdp's dispatcher
 * is built on exactly that. The matrix uses the answer to tell a kernel
 * that refuses the dispatcher (a reasoned SKIP) from a loader that failed
 * to use it where it works (a FAIL).
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

__attribute__((noinline)) int kmx_slot(struct xdp_md *ctx)
{
	/* Depends on the context, so the compiler keeps the call. */
	return ctx->rx_queue_index == 0xffffffff ? XDP_DROP : XDP_PASS;
}

SEC("xdp")
int kmx_target(struct xdp_md *ctx)
{
	return kmx_slot(ctx);
}

SEC("freplace/kmx_slot")
int kmx_ext(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
