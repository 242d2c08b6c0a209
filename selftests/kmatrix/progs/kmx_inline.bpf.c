// SPDX-License-Identifier: GPL-2.0
/* One per-CPU array lookup and nothing else, so kmx can read back what the
 * verifier made of it: inlined into the program (kernels from about 6.10)
 * or a call to the map's lookup function. xdpgate's hot path rests on the
 * inlined form; the matrix reports which one each kernel gives.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} kmx_pcpu SEC(".maps");

SEC("xdp")
int kmx_inline(struct xdp_md *ctx)
{
	__u32 key = 0;
	__u64 *v = bpf_map_lookup_elem(&kmx_pcpu, &key);

	if (v)
		*v += 1;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
