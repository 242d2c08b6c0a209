// SPDX-License-Identifier: GPL-2.0
/* Scenario 4's floor for the tracepoint backend: empty programs on the
 * same tracepoints. What they add to a sendmsg or recvmsg is the price of
 * the hook itself (the tracepoint's static call, the BPF dispatch), which
 * no program attached there can avoid; the backend's row over this one is
 * what xdpgate's program costs.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("tp_btf/sock_send_length")
int floor_send(void *ctx)
{
	return 0;
}

SEC("tp_btf/sock_recv_length")
int floor_recv(void *ctx)
{
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
