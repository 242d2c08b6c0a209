// SPDX-License-Identifier: GPL-2.0
/* The floor: XDP programs that do nothing but return a verdict. Every
 * benchmark row is read against one of these, measured in the same run,
 * so the harness's own overhead (test_run loop, driver, veth) cancels out.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int floor_drop(struct xdp_md *ctx)
{
	return XDP_DROP;
}

SEC("xdp")
int floor_pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
