// SPDX-License-Identifier: GPL-2.0
/* Scenario 2 driver: makes every BPF_PROG_TEST_RUN repetition a different
 * source. Per run it takes the next address of a precomputed stream (an
 * mmapable array the harness fills with a uniform or Zipf mix), writes it
 * into the IPv4 source of the frame, and tail-calls the program under
 * test. The floor is this same driver tail-calling an empty program, so
 * the driver's cost cancels out of the reported excess.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>

#include "bench_stream.h"

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} bench_target SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, BENCH_STREAM_LEN);
	__type(key, __u32);
	/* IPv4 source, network order, in the low 32 bits: array elements
	 * are 8-byte aligned, so a u64 keeps the mmap'd layout a plain array.
	 */
	__type(value, __u64);
} bench_stream SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} bench_pos SEC(".maps");

SEC("xdp")
int bench_driver(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct iphdr *iph = data + sizeof(struct ethhdr);
	__u32 zero = 0, idx;
	__u64 *pos, *addr;

	if ((void *)(iph + 1) > data_end)
		return XDP_ABORTED;
	pos = bpf_map_lookup_elem(&bench_pos, &zero);
	if (!pos)
		return XDP_ABORTED;
	idx = (__u32)(*pos & (BENCH_STREAM_LEN - 1));
	(*pos)++;
	addr = bpf_map_lookup_elem(&bench_stream, &idx);
	if (!addr)
		return XDP_ABORTED;
	iph->saddr = (__u32)*addr;
	bpf_tail_call(ctx, &bench_target, 0);
	return XDP_ABORTED; /* target missing: shows up as a wrong verdict */
}

char LICENSE[] SEC("license") = "GPL";
