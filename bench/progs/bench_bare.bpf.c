// SPDX-License-Identifier: GPL-2.0
/* The least per-source accounting can cost: a plain per-CPU hash keyed by
 * the IPv4 source, one counter, a minimal parse (no VLAN, no IPv6, no
 * bounds beyond what the verifier demands). xdpgate's accounting is judged
 * by its excess over this program's excess over the floor.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 1 << 20); /* resized by the harness before load */
	__type(key, __u32);
	__type(value, __u64);
} bare_src SEC(".maps");

SEC("xdp")
int bench_bare(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *iph = data + sizeof(*eth);
	__u64 one = 1, *v;
	__u32 key;

	if ((void *)(iph + 1) > data_end)
		return XDP_PASS;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	key = iph->saddr;
	v = bpf_map_lookup_elem(&bare_src, &key);
	if (v)
		(*v)++;
	else
		bpf_map_update_elem(&bare_src, &key, &one, BPF_NOEXIST);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
