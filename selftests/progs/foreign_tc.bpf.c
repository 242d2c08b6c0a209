// SPDX-License-Identifier: GPL-2.0
/* A TC program that is not xdpgate: it uses none of xdpgate's maps and
 * counts the packets it sees in its own, then hands them on. The TC
 * tests put it on a hook beside xdpgate to check that xdpgate passes
 * packets on to the next program (not just lets them through) and that
 * detaching xdpgate leaves it in place.
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} foreign_seen SEC(".maps");

SEC("tc")
int foreign_tc(struct __sk_buff *skb)
{
	__u32 k = 0;
	__u64 *n = bpf_map_lookup_elem(&foreign_seen, &k);

	if (n)
		__sync_fetch_and_add(n, 1);
	return TC_ACT_UNSPEC;
}

char LICENSE[] SEC("license") = "GPL";
