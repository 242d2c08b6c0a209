// SPDX-License-Identifier: GPL-2.0
/* The socket layer: per-cgroup bytes and calls for TCP and UDP, IPv4 and
 * IPv6, sent and received. One object holds every backend; the loader
 * switches all but one off with bpf_program__set_autoload, best first:
 *
 *   fentry     fexit on tcp/udp/udpv6 sendmsg and recvmsg (+ tcp/udp
 *              sendpage before 6.5): the return value is what the
 *              application sent or received.
 *   kprobe     kprobe + kretprobe on the same functions.
 *   tracepoint sock:sock_send_length / sock:sock_recv_length (6.3+), as
 *              tp_btf (direct loads) or raw_tp (probe reads).
 *   cgroup_skb ingress/egress on the cgroup v2 root: IP packets as they
 *              cross the stack, so receive is counted in softirq, when
 *              the packet reaches the socket.
 *
 * Every backend counts the socket's cgroup (the cgroup of the task that
 * created the socket, inherited by accepted sockets from their listener),
 * not the cgroup of whoever makes the call.
 */
#include "sock_account.bpf.h"
#include <bpf/bpf_endian.h>

char LICENSE[] SEC("license") = "GPL";

/* recvmsg's parameters changed twice (tcp_recvmsg, udp_recvmsg and
 * udpv6_recvmsg together): `nonblock` went in 5.19, `addr_len` in 6.17 or
 * so, which moves flags and, for fexit, the slot of the return value:
 *   6: (sk, msg, len, nonblock, flags, addr_len)   flags is argument 4
 *   5: (sk, msg, len, flags, addr_len)             flags is argument 3
 *   4: (sk, msg, len, flags)                       flags is argument 3
 * fexit asks the trampoline (bpf_get_func_arg_cnt/_arg/_ret) wherever
 * CO-RE finds those helpers in the kernel (5.17+, before `nonblock` went:
 * without them the shape is the first). kprobes have no such helpers:
 * the loader reads the count from the kernel's BTF into xg_recv_nargs.
 * (bpf_core_type_matches on struct proto::recvmsg would say it directly,
 * but libbpf 1.1 only matches whole top-level structs.)
 */
const volatile __u32 xg_recv_nargs = 0;

/* What CO-RE decided on this kernel, for the tests (xg_core_probe). */
__u32 xg_core_func_args;   /* 1: fexit reads arguments through helpers */
__u32 xg_core_cgroup_ptr;  /* 1: sock_cgroup_data holds a cgroup pointer */

SEC("syscall")
int xg_core_probe(void *ctx)
{
	xg_core_func_args = bpf_core_enum_value_exists(enum bpf_func_id,
						       BPF_FUNC_get_func_arg_cnt);
	xg_core_cgroup_ptr = bpf_core_field_exists(struct sock_cgroup_data, cgroup);
	return 0;
}

/* ---- fentry backend (fexit: arguments and return value at once) ---- */

SEC("fexit/tcp_sendmsg")
int BPF_PROG(xg_fx_tcp_send, struct sock *sk, struct msghdr *msg, size_t len,
	     int ret)
{
	xg_sock_call(sk, true, XG_CG_TX, ret, 0);
	return 0;
}

/* udpv6_sendmsg hands IPv4-mapped destinations to udp_sendmsg: an IPv6
 * socket is counted once, there.
 */
SEC("fexit/udp_sendmsg")
int BPF_PROG(xg_fx_udp_send, struct sock *sk, struct msghdr *msg, size_t len,
	     int ret)
{
	if (sk->__sk_common.skc_family == XG_AF_INET)
		xg_sock_call(sk, true, XG_CG_TX, ret, 0);
	return 0;
}

SEC("fexit/udpv6_sendmsg")
int BPF_PROG(xg_fx_udp6_send, struct sock *sk, struct msghdr *msg, size_t len,
	     int ret)
{
	xg_sock_call(sk, true, XG_CG_TX, ret, 0);
	return 0;
}

static __always_inline void xg_fx_recv(__u64 *ctx)
{
	struct sock *sk = (void *)ctx[0];
	__u64 ret = 0, flags = 0;

	if (bpf_core_enum_value_exists(enum bpf_func_id, BPF_FUNC_get_func_arg_cnt)) {
		int n = bpf_get_func_arg_cnt(ctx);

		bpf_get_func_ret(ctx, &ret);
		bpf_get_func_arg(ctx, n == 6 ? 4 : 3, &flags);
	} else {
		flags = ctx[4];
		ret = ctx[6];
	}
	xg_sock_call(sk, true, XG_CG_RX, (int)ret, flags);
}

SEC("fexit/tcp_recvmsg")
int xg_fx_tcp_recv(__u64 *ctx)
{
	xg_fx_recv(ctx);
	return 0;
}

SEC("fexit/udp_recvmsg")
int xg_fx_udp_recv(__u64 *ctx)
{
	xg_fx_recv(ctx);
	return 0;
}

SEC("fexit/udpv6_recvmsg")
int xg_fx_udp6_recv(__u64 *ctx)
{
	xg_fx_recv(ctx);
	return 0;
}

/* sendfile/splice before 6.5; the loader leaves these off where the
 * kernel has no such function.
 */
SEC("fexit/tcp_sendpage")
int BPF_PROG(xg_fx_tcp_page, struct sock *sk, struct page *page, int offset,
	     size_t size, int flags, int ret)
{
	xg_sock_call(sk, true, XG_CG_TX, ret, 0);
	return 0;
}

SEC("fexit/udp_sendpage")
int BPF_PROG(xg_fx_udp_page, struct sock *sk, struct page *page, int offset,
	     size_t size, int flags, int ret)
{
	xg_sock_call(sk, true, XG_CG_TX, ret, 0);
	return 0;
}

/* ---- kprobe backend: entry stashes the socket, return counts ---- */

enum xg_kfn {
	XG_KFN_TCP_SEND = 1, XG_KFN_TCP_RECV, XG_KFN_UDP_SEND, XG_KFN_UDP_RECV,
	XG_KFN_UDP6_SEND, XG_KFN_UDP6_RECV, XG_KFN_TCP_PAGE, XG_KFN_UDP_PAGE,
};

static __always_inline __u64 xg_kp_key(enum xg_kfn fn)
{
	return bpf_get_current_pid_tgid() | ((__u64)fn << 56);
}

static __always_inline void xg_kp_enter(enum xg_kfn fn, struct sock *sk,
					__u64 flags)
{
	struct xg_cg_call c = { .sk = (__u64)sk, .flags = flags };
	__u64 key = xg_kp_key(fn);

	bpf_map_update_elem(&xg_cg_inflight, &key, &c, BPF_ANY);
}

static __always_inline void xg_kp_leave(enum xg_kfn fn, int dir, long ret)
{
	__u64 key = xg_kp_key(fn);
	struct xg_cg_call *c = bpf_map_lookup_elem(&xg_cg_inflight, &key);
	struct sock *sk;
	__u64 flags;

	if (!c)
		return;
	sk = (struct sock *)c->sk;
	flags = c->flags;
	bpf_map_delete_elem(&xg_cg_inflight, &key);
	xg_sock_call(sk, false, dir, ret, flags);
}

static __always_inline __u64 xg_kp_recv_flags(struct pt_regs *ctx)
{
	return xg_recv_nargs == 6 ? PT_REGS_PARM5_CORE(ctx) :
				    PT_REGS_PARM4_CORE(ctx);
}

/* udp_sendmsg: IPv4 sockets only, as for fexit. */
static __always_inline bool xg_kp_wanted(enum xg_kfn fn, struct sock *sk)
{
	return fn != XG_KFN_UDP_SEND ||
	       BPF_CORE_READ(sk, __sk_common.skc_family) == XG_AF_INET;
}

/* kprobe + kretprobe on one function: xg_kp_<name> and xg_kr_<name>. */
#define XG_KPROBE_PAIR(func, name, fn, dir, flags)                        \
	SEC("kprobe/" #func)                                              \
	int BPF_KPROBE(xg_kp_##name, struct sock *sk)                     \
	{                                                                 \
		if (xg_kp_wanted(fn, sk))                                 \
			xg_kp_enter(fn, sk, flags);                       \
		return 0;                                                 \
	}                                                                 \
	SEC("kretprobe/" #func)                                           \
	int BPF_KRETPROBE(xg_kr_##name, int ret)                          \
	{                                                                 \
		xg_kp_leave(fn, dir, ret);                                \
		return 0;                                                 \
	}

XG_KPROBE_PAIR(tcp_sendmsg, tcp_send, XG_KFN_TCP_SEND, XG_CG_TX, 0)
XG_KPROBE_PAIR(tcp_recvmsg, tcp_recv, XG_KFN_TCP_RECV, XG_CG_RX, xg_kp_recv_flags(ctx))
XG_KPROBE_PAIR(udp_sendmsg, udp_send, XG_KFN_UDP_SEND, XG_CG_TX, 0)
XG_KPROBE_PAIR(udp_recvmsg, udp_recv, XG_KFN_UDP_RECV, XG_CG_RX, xg_kp_recv_flags(ctx))
XG_KPROBE_PAIR(udpv6_sendmsg, udp6_send, XG_KFN_UDP6_SEND, XG_CG_TX, 0)
XG_KPROBE_PAIR(udpv6_recvmsg, udp6_recv, XG_KFN_UDP6_RECV, XG_CG_RX, xg_kp_recv_flags(ctx))
XG_KPROBE_PAIR(tcp_sendpage, tcp_page, XG_KFN_TCP_PAGE, XG_CG_TX, 0)
XG_KPROBE_PAIR(udp_sendpage, udp_page, XG_KFN_UDP_PAGE, XG_CG_TX, 0)

/* ---- tracepoint backend: fired by sock_sendmsg/sock_recvmsg for every
 * socket; xg_sock_call keeps TCP and UDP of IPv4 and IPv6 ----
 */

SEC("tp_btf/sock_send_length")
int BPF_PROG(xg_tb_send, struct sock *sk, int ret, int flags)
{
	xg_sock_call(sk, true, XG_CG_TX, ret, flags);
	return 0;
}

SEC("tp_btf/sock_recv_length")
int BPF_PROG(xg_tb_recv, struct sock *sk, int ret, int flags)
{
	xg_sock_call(sk, true, XG_CG_RX, ret, flags);
	return 0;
}

SEC("raw_tp/sock_send_length")
int BPF_PROG(xg_rt_send, struct sock *sk, int ret, int flags)
{
	xg_sock_call(sk, false, XG_CG_TX, ret, flags);
	return 0;
}

SEC("raw_tp/sock_recv_length")
int BPF_PROG(xg_rt_recv, struct sock *sk, int ret, int flags)
{
	xg_sock_call(sk, false, XG_CG_RX, ret, flags);
	return 0;
}

/* ---- cgroup_skb backend: attached to the v2 root, so it runs for every
 * socket's packets, as the kernel attributes them to the socket's cgroup.
 * packets are wire packets (a GSO skb counts as its segments); bytes the
 * IP length of the skb (headers included, once per skb) ----
 */

#define XG_ETH_P_IP 0x0800
#define XG_ETH_P_IPV6 0x86DD

static __always_inline int xg_skb(struct __sk_buff *skb, int dir)
{
	struct bpf_sock *sk = skb->sk;
	__u32 fam, proto;

	if (sk)
		sk = bpf_sk_fullsock(sk);
	if (!sk) {
		xg_cg_event(XG_CG_EV_NO_SOCK, skb->len);
		return 1;
	}
	if (skb->protocol == bpf_htons(XG_ETH_P_IP))
		fam = XG_CG_IPV4;
	else if (skb->protocol == bpf_htons(XG_ETH_P_IPV6))
		fam = XG_CG_IPV6;
	else
		return 1;
	if (sk->protocol == XG_IPPROTO_TCP && sk->type == XG_SOCK_STREAM)
		proto = XG_CG_TCP;
	else if (sk->protocol == XG_IPPROTO_UDP && sk->type == XG_SOCK_DGRAM)
		proto = XG_CG_UDP;
	else
		return 1;
	xg_cg_add(bpf_skb_cgroup_id(skb), XG_CG_CELL(proto, fam, dir),
		  skb->gso_segs > 1 ? skb->gso_segs : 1, skb->len);
	return 1; /* count, never filter */
}

SEC("cgroup_skb/egress")
int xg_cs_egress(struct __sk_buff *skb)
{
	return xg_skb(skb, XG_CG_TX);
}

SEC("cgroup_skb/ingress")
int xg_cs_ingress(struct __sk_buff *skb)
{
	return xg_skb(skb, XG_CG_RX);
}
