// SPDX-License-Identifier: GPL-2.0
/* An XDP program named like xdpgate's (xdpgate_xdp) with a map named like
 * one of its maps but of another shape: xdpgate recognises its programs by
 * their maps, so this one is foreign and detach must leave it alone.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} xg_actions SEC(".maps");

SEC("xdp")
int xdpgate_xdp(struct xdp_md *ctx)
{
	__u32 k = 0;
	__u64 *n = bpf_map_lookup_elem(&xg_actions, &k);

	if (n)
		__sync_fetch_and_add(n, 1);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
