/* SPDX-License-Identifier: GPL-2.0 */
/* The socket layer (per-cgroup attribution): what its BPF programs and the
 * loader share. One counter cell per {TCP, UDP} x {IPv4, IPv6} x {tx, rx}
 * for each cgroup v2 id, per CPU; the backends that fill them; the record
 * the loader pins beside them saying which backend runs and why the better
 * ones were refused. Fixed-width, 8-byte aligned, sizes asserted: the BPF
 * and host builds must agree byte for byte.
 */
#ifndef XDPGATE_CGROUP_H
#define XDPGATE_CGROUP_H

#include "xdpgate_types.h" /* struct xg_counter */

enum xg_cg_proto {
	XG_CG_TCP = 0,
	XG_CG_UDP,
	XG_CG_PROTO__MAX,
};

enum xg_cg_family {
	XG_CG_IPV4 = 0,
	XG_CG_IPV6,
	XG_CG_FAMILY__MAX,
};

enum xg_cg_dir {
	XG_CG_TX = 0,
	XG_CG_RX,
	XG_CG_DIR__MAX,
};

#define XG_CG_CELLS (XG_CG_PROTO__MAX * XG_CG_FAMILY__MAX * XG_CG_DIR__MAX)
#define XG_CG_CELL(proto, family, dir) \
	((((proto) * XG_CG_FAMILY__MAX) + (family)) * XG_CG_DIR__MAX + (dir))

/* Value of xg_cg_stats (key: __u64 cgroup v2 id), one per CPU. packets
 * counts send/receive calls on the socket backends and skbs on cgroup_skb;
 * bytes what the call returned, or the IP packet length on cgroup_skb.
 */
struct xg_cg_stats {
	struct xg_counter c[XG_CG_CELLS];
};
_Static_assert(sizeof(struct xg_cg_stats) == 128, "xg_cg_stats layout");

/* Outcomes that reach no cgroup row, index of the xg_cg_misc array. */
enum xg_cg_event {
	XG_CG_EV_MAP_FULL = 0, /* xg_cg_stats refused a new cgroup: counts lost */
	XG_CG_EV_NO_SOCK,      /* cgroup_skb: skb without a full socket */
	XG_CG_EV__MAX,
};

/* Best first: the loader tries them in this order. */
enum xg_cg_backend {
	XG_CG_BACKEND_FENTRY = 0, /* fexit on tcp/udp/udpv6 send/recvmsg */
	XG_CG_BACKEND_KPROBE,     /* kprobe + kretprobe on the same */
	XG_CG_BACKEND_TRACEPOINT, /* sock:sock_send_length/sock_recv_length */
	XG_CG_BACKEND_CGROUP_SKB, /* cgroup_skb ingress/egress on the v2 root */
	XG_CG_BACKEND__MAX,
};

#define XG_CG_INFO_VERSION 1
#define XG_CG_WHY_LEN 176

/* The single entry of xg_cg_info, written by the loader only: which
 * backend runs (and how: "tp_btf" or "raw_tp" for the tracepoints) and,
 * for every better backend, the error and message that refused it.
 */
struct xg_cg_info {
	__u32 version;      /* XG_CG_INFO_VERSION */
	__u32 backend;      /* enum xg_cg_backend */
	__u32 nr_links;     /* links pinned beside the maps */
	__s32 refused_err[XG_CG_BACKEND__MAX]; /* -errno; 0: not tried or used */
	__u32 _pad;
	__u64 root_cgroup_id; /* where cgroup_skb is attached; 0 otherwise */
	char variant[16];
	char why[XG_CG_BACKEND__MAX][XG_CG_WHY_LEN];
};
_Static_assert(sizeof(struct xg_cg_info) == 760, "xg_cg_info layout");

/* Default number of cgroups xg_cg_stats holds. Per-CPU values cost
 * entries * nr_cpus * 128 bytes (2 MiB on 4 CPUs, 64 MiB on 128), so the
 * loader takes --max-cgroups. A full map is counted (XG_CG_EV_MAP_FULL).
 */
#ifndef XG_CG_MAP_DEFAULT
#define XG_CG_MAP_DEFAULT 4096
#endif
/* kprobe backend: send/recv calls in flight between entry and return. */
#define XG_CG_INFLIGHT_MAX 16384

#define XG_CG_PIN_DIR XG_PIN_ROOT "/cgroup"
#define XG_CG_MAP_STATS "xg_cg_stats"
#define XG_CG_MAP_MISC "xg_cg_misc"
#define XG_CG_MAP_INFO "xg_cg_info"

#endif /* XDPGATE_CGROUP_H */
