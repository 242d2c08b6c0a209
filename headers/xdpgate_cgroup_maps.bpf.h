/* SPDX-License-Identifier: GPL-2.0 */
/* The socket layer's maps, defined once (sock/xdpgate_sock.bpf.c is the
 * only object that includes this). Not pinned by name: the loader pins
 * them itself in XG_CG_PIN_DIR after checking nobody's state is there, so
 * an attach never silently reuses an earlier one's counters.
 */
#ifndef XDPGATE_CGROUP_MAPS_BPF_H
#define XDPGATE_CGROUP_MAPS_BPF_H

#include "xdpgate_cgroup.h"

/* Per-CPU so the hot path never takes an atomic; preallocated because
 * tracing programs on older kernels may not use anything else. Sized by
 * the loader (--max-cgroups); the loader deletes the rows of removed
 * cgroups once they have been reported.
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, XG_CG_MAP_DEFAULT);
	__type(key, __u64); /* cgroup v2 id */
	__type(value, struct xg_cg_stats);
} xg_cg_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XG_CG_EV__MAX);
	__type(key, __u32);
	__type(value, struct xg_counter);
} xg_cg_misc SEC(".maps");

/* Written by the loader, never by a program: kept with the maps so
 * `status` reads the backend from the same place as the counters.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xg_cg_info);
} xg_cg_info SEC(".maps");

/* kprobe backend only: the socket and flags of a call between its
 * kprobe and its kretprobe, by thread and function (udpv6_sendmsg calls
 * udp_sendmsg for IPv4-mapped peers). LRU: a return the kernel missed
 * (more threads blocked in recvmsg than kretprobe instances) leaves an
 * entry behind that must not fill the map.
 */
struct xg_cg_call {
	__u64 sk;
	__u64 flags;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, XG_CG_INFLIGHT_MAX);
	__type(key, __u64); /* pid_tgid | function << 56 */
	__type(value, struct xg_cg_call);
} xg_cg_inflight SEC(".maps");

#endif /* XDPGATE_CGROUP_MAPS_BPF_H */
