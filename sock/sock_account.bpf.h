/* SPDX-License-Identifier: GPL-2.0 */
/* What every socket-layer backend does with one send or receive: find the
 * socket's cgroup v2 id, its protocol and family, and add the call to the
 * cgroup's per-CPU cell. The backends differ only in how they reach the
 * socket and the return value (BTF pointers they may load from directly,
 * or raw pointers read with bpf_probe_read), so there are two readers and
 * one counter.
 */
#ifndef XG_SOCK_ACCOUNT_BPF_H
#define XG_SOCK_ACCOUNT_BPF_H

#include "xdpgate_vmlinux.bpf.h"
#include "xdpgate_cgroup_maps.bpf.h"

#define XG_AF_INET 2
#define XG_AF_INET6 10
#define XG_IPPROTO_TCP 6
#define XG_IPPROTO_UDP 17
#define XG_SOCK_STREAM 1
#define XG_SOCK_DGRAM 2
#define XG_MSG_PEEK 2

/* Before 5.15 sock_cgroup_data packed v1 data and the cgroup pointer into
 * one word: the pointer unless bit 0 says it holds net_cls/net_prio data,
 * in which case the socket counts under the root cgroup (id 1).
 */
struct sock_cgroup_data___old {
	__u64 val;
};

#define XG_ROOT_CGROUP_ID 1

/* The socket's cgroup v2 id. `btf`: the socket is a BTF pointer (fexit,
 * tp_btf), so plain loads, which the verifier makes fault-safe, and no
 * helper call on the hot path of the preferred backends; otherwise
 * (kprobes, raw_tp) bpf_probe_read. A compile-time constant at every call.
 */
static __always_inline __u64 xg_sk_cgroup_id(struct sock *sk, bool btf)
{
	struct sock_cgroup_data___old *d = (void *)&sk->sk_cgrp_data;
	__u64 v;

	if (bpf_core_field_exists(sk->sk_cgrp_data.cgroup)) {
		if (btf)
			return sk->sk_cgrp_data.cgroup->kn->id;
		return BPF_CORE_READ(sk, sk_cgrp_data.cgroup, kn, id);
	}
	v = BPF_CORE_READ(d, val);
	return v & 1 ? XG_ROOT_CGROUP_ID : BPF_CORE_READ((struct cgroup *)v, kn, id);
}

/* Which cell family a socket's traffic goes to: -1 for anything but TCP
 * stream and UDP datagram sockets of IPv4 and IPv6. The family is the
 * socket's: an IPv6 socket talking to an IPv4-mapped peer counts as IPv6.
 */
static __always_inline int xg_sk_cell(struct sock *sk, bool btf, int dir)
{
	__u16 family, protocol, type;
	__u32 proto, fam;

	if (btf) {
		family = sk->__sk_common.skc_family;
		protocol = sk->sk_protocol;
		type = sk->sk_type;
	} else {
		family = BPF_CORE_READ(sk, __sk_common.skc_family);
		protocol = BPF_CORE_READ(sk, sk_protocol);
		type = BPF_CORE_READ(sk, sk_type);
	}
	if (family == XG_AF_INET)
		fam = XG_CG_IPV4;
	else if (family == XG_AF_INET6)
		fam = XG_CG_IPV6;
	else
		return -1;
	if (protocol == XG_IPPROTO_TCP && type == XG_SOCK_STREAM)
		proto = XG_CG_TCP;
	else if (protocol == XG_IPPROTO_UDP && type == XG_SOCK_DGRAM)
		proto = XG_CG_UDP;
	else
		return -1;
	return XG_CG_CELL(proto, fam, dir);
}

static __always_inline void xg_cg_event(__u32 ev, __u64 bytes)
{
	struct xg_counter *c = bpf_map_lookup_elem(&xg_cg_misc, &ev);

	if (c) {
		c->packets++;
		c->bytes += bytes;
	}
}

/* Add one call (or skb) of `bytes` to cell of cgroup cgid. A cgroup's
 * first count inserts its row; two CPUs inserting at once is fine (the
 * loser's BPF_NOEXIST fails and its lookup then finds the winner's row).
 */
static __always_inline void xg_cg_add(__u64 cgid, __u32 cell, __u64 packets,
				      __u64 bytes)
{
	struct xg_cg_stats *s = bpf_map_lookup_elem(&xg_cg_stats, &cgid);

	if (!s) {
		struct xg_cg_stats zero = {};

		bpf_map_update_elem(&xg_cg_stats, &cgid, &zero, BPF_NOEXIST);
		s = bpf_map_lookup_elem(&xg_cg_stats, &cgid);
		if (!s) {
			xg_cg_event(XG_CG_EV_MAP_FULL, bytes);
			return;
		}
	}
	cell &= XG_CG_CELLS - 1;
	s->c[cell].packets += packets;
	s->c[cell].bytes += bytes;
}

/* One send/recv call that returned ret on sk: counted when it did not
 * fail; a receive with MSG_PEEK consumed nothing and is not counted.
 */
static __always_inline void xg_sock_call(struct sock *sk, bool btf, int dir,
					 long ret, __u64 flags)
{
	int cell;

	if (ret < 0 || (dir == XG_CG_RX && (flags & XG_MSG_PEEK)))
		return;
	cell = xg_sk_cell(sk, btf, dir);
	if (cell < 0)
		return;
	xg_cg_add(xg_sk_cgroup_id(sk, btf), cell, 1, (__u64)ret);
}

#endif /* XG_SOCK_ACCOUNT_BPF_H */
