// SPDX-License-Identifier: GPL-2.0
/* Scenario 3 (live frames): the traffic source and the redirect floor.
 *
 * bench_tx runs under BPF_F_TEST_XDP_LIVE_FRAMES with the first veth as
 * ingress device and returns XDP_TX, so every frame is transmitted into the
 * veth and received by the peer, where the program under test is attached
 * natively. floor_redirect is the peer-side redirect floor: it forwards the
 * frame through a devmap to a second veth pair, whose far end drops it.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} live_out SEC(".maps");

SEC("xdp")
int bench_tx(struct xdp_md *ctx)
{
	return XDP_TX;
}

SEC("xdp")
int floor_redirect(struct xdp_md *ctx)
{
	return bpf_redirect_map(&live_out, 0, XDP_DROP);
}

char LICENSE[] SEC("license") = "GPL";
