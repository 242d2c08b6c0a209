// SPDX-License-Identifier: GPL-2.0
/* The TC scenario's reference programs (bench/tc.c): the empty TC program
 * (the floor: what a sched_cls program costs under test_run at all), the
 * least per-source accounting can cost at TC, a per-CPU hash keyed by the
 * IPv4 source as bench_bare.bpf.c does at XDP, and the empty program plus
 * one bpf_skb_pull_data of the headers (on a linear skb, where it copies
 * nothing): what pulling every packet would add before any copy, the
 * reason xdpgate's TC programs pull only when a header was cut.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 1 << 16);
	__type(key, __u32);
	__type(value, __u64);
} tc_bare_src SEC(".maps");

SEC("tc")
int tc_empty(struct __sk_buff *skb)
{
	return TC_ACT_UNSPEC;
}

SEC("tc")
int tc_pull(struct __sk_buff *skb)
{
	bpf_skb_pull_data(skb, skb->len < 128 ? skb->len : 128);
	return TC_ACT_UNSPEC;
}

SEC("tc")
int tc_bare(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct iphdr *iph = data + sizeof(*eth);
	__u64 one = 1, *v;
	__u32 key;

	if ((void *)(iph + 1) > data_end)
		return TC_ACT_UNSPEC;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return TC_ACT_UNSPEC;
	key = iph->saddr;
	v = bpf_map_lookup_elem(&tc_bare_src, &key);
	if (v)
		(*v)++;
	else
		bpf_map_update_elem(&tc_bare_src, &key, &one, BPF_NOEXIST);
	return TC_ACT_UNSPEC;
}

char LICENSE[] SEC("license") = "GPL";
