// SPDX-License-Identifier: GPL-2.0
/* The kernel matrix's second XDP program. It counts the frames the matrix
 * sender made (recognised by their source MAC, so the kernel's own
 * traffic never skews the count) and passes everything, so libxdp's
 * dispatcher runs it next to xdpgate and both must see every frame.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>

#include "kmx.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} kmx_seen SEC(".maps");

SEC("xdp")
int kmx_count(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	const __u8 mac[ETH_ALEN] = KMX_SENDER_MAC;
	struct ethhdr *eth = data;
	__u32 key = 0;
	__u64 *n;
	int i;

	if ((void *)(eth + 1) > data_end)
		return XDP_PASS;
	for (i = 0; i < ETH_ALEN; i++)
		if (eth->h_source[i] != mac[i])
			return XDP_PASS;
	n = bpf_map_lookup_elem(&kmx_seen, &key);
	if (n)
		__sync_fetch_and_add(n, 1);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
