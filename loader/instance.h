/* SPDX-License-Identifier: GPL-2.0 */
/* Finding where xdpgate runs, whoever attached it (this loader, an earlier
 * run of it, or iproute2), and opening its maps through the program itself
 * so the reader always sees the maps the running program uses.
 */
#ifndef XG_INSTANCE_H
#define XG_INSTANCE_H

#include <net/if.h>
#include <linux/types.h>

#include "util.h"
#include "xdpgate_types.h"

enum xg_xdp_mode {
	XG_MODE_NATIVE = 0,
	XG_MODE_SKB,
	XG_MODE_HW,
	XG_MODE_NONE,        /* a TC hook: no XDP mode */
};

enum xg_via {
	XG_VIA_NETLINK = 0,  /* plain netlink attach (ours, libxdp's fallback, iproute2) */
	XG_VIA_LINK,         /* bpf_link, pinned under the pin directory */
	XG_VIA_DISPATCHER,   /* a component of libxdp's multi-program dispatcher */
	XG_VIA_TCX,          /* TC: in the tcx chain (a bpf_link, or attached without one) */
	XG_VIA_CLSACT,       /* TC: a cls_bpf filter of the clsact qdisc */
};

/* Where a program sits on a TC hook (tc_hook.h). */
struct xg_tc_prog {
	__u32 prog_id;
	enum xg_via via;   /* XG_VIA_TCX or XG_VIA_CLSACT */
	__u32 link_id;     /* tcx: the link, 0 when attached without one */
	__u32 handle;      /* clsact: the filter's handle, priority and */
	__u32 prio;        /* protocol (host order; ETH_P_ALL for ours) */
	__u32 proto;
};

struct xg_maps {
	int src_v4;
	int src_v6;
	int actions;
	int reasons;
	int hot_v4;
	int hot_v6;
	int inserts; /* -1 in a program of an older xdpgate without it */
	/* the policy maps, pinned in the interface's policy directory */
	int pol_state;
	int pol_v4;
	int pol_v6;
	int pol_hits;
	int pol_bkt;
	int pol_tx;
	/* the admission stage's sketch and the per-CPU state (held counts):
	 * -1 in a program of an older xdpgate without them
	 */
	int sketch;
	int cpu;
};

/* The maps in struct xg_maps order, for code that walks all of them. The
 * first XG_NR_CORE_MAPS make a program xdpgate's (see xg_prog_maps);
 * xg_inserts, the policy maps and the admission maps came later: a program
 * without them reads evictions as unknown, the rules commands refuse it,
 * and it reads as one without an admission stage.
 */
enum xg_map_index {
	XG_MAPI_SRC_V4 = 0,
	XG_MAPI_SRC_V6,
	XG_MAPI_ACTIONS,
	XG_MAPI_REASONS,
	XG_MAPI_HOT_V4,
	XG_MAPI_HOT_V6,
	XG_NR_CORE_MAPS,
	XG_MAPI_INSERTS = XG_NR_CORE_MAPS,
	XG_MAPI_POL_STATE,   /* first policy map: see xg_map_is_policy() */
	XG_MAPI_POL_V4,
	XG_MAPI_POL_V6,
	XG_MAPI_POL_HITS,
	XG_MAPI_POL_BKT,
	XG_MAPI_POL_TX,
	XG_MAPI_SKETCH,      /* the admission stage's, see xdpgate_admit.bpf.h */
	XG_MAPI_CPU,
	XG_NR_MAPS,
};

/* Policy maps live in the policy directory, the rest in the hook's. */
static inline int xg_map_is_policy(int i)
{
	return i >= XG_MAPI_POL_STATE && i <= XG_MAPI_POL_TX;
}
extern const char *const xg_map_names[XG_NR_MAPS];
int *xg_maps_slot(struct xg_maps *m, int i);

/* Does this map (by info) have the type, key and value size xdpgate's map
 * number i has? Name aside: the caller matched that.
 */
struct bpf_map_info;
bool xg_map_shape_ok(int i, const struct bpf_map_info *info);

struct xg_instance {
	char ifname[IF_NAMESIZE];
	int ifindex;
	enum xg_hook hook;
	enum xg_xdp_mode mode;
	enum xg_via via;
	__u32 prog_id;       /* xdpgate's own program */
	__u32 attached_id;   /* what the interface runs: ours or the dispatcher */
	char pin_dir[XG_PATH_MAX]; /* "" when the maps are not pinned */
	struct xg_tc_prog tc; /* TC hooks: where it sits */
};

const char *xg_mode_name(enum xg_xdp_mode mode);
const char *xg_via_name(enum xg_via via);
/* "xdp", "tc" (either direction), "cgroup". */
const char *xg_hook_name(enum xg_hook hook);
/* "ingress" or "egress": where the hook sees packets (XDP: ingress). */
const char *xg_hook_direction(enum xg_hook hook);
/* What the per-address rows are keyed by: "source", or "destination" at
 * TC egress.
 */
const char *xg_hook_key(enum xg_hook hook);
/* xdpgate's program for the hook: xdpgate_xdp, xdpgate_ingress, ... */
const char *xg_hook_prog_name(enum xg_hook hook);
/* Is it one of the TC hooks? */
static inline bool xg_hook_is_tc(enum xg_hook hook)
{
	return hook == XG_HOOK_TC_INGRESS || hook == XG_HOOK_TC_EGRESS;
}

/* Instances of xdpgate in this network namespace, one per interface and
 * hook (XDP, TC ingress, TC egress): on every interface (names NULL), or
 * on those among the n names given (a name that is no interface is
 * skipped). *out is malloc'd (free it), sorted by ifindex then hook;
 * returns the count or a negative errno (-EPERM included: an error, never
 * "nothing attached").
 */
int xg_find_instances(char *const *names, int n, struct xg_instance **out);

/* Keep the first instance of each interface (v sorted as
 * xg_find_instances sorts it: XDP before TC); returns the new count.
 */
int xg_instances_per_iface(struct xg_instance *v, int n);

/* Look at one interface: 1 and *in filled when xdpgate runs there, 0 when
 * it does not, negative on error. other_id gets the id of a non-xdpgate
 * program attached there (0 if none), so callers can refuse to touch it.
 * A program is xdpgate when it uses xdpgate's maps (names, types, key and
 * value sizes), whatever its own name.
 */
int xg_probe_interface(int ifindex, struct xg_instance *in, __u32 *other_id);

/* The same for any hook (XG_HOOK_XDP: xg_probe_interface). On a TC hook
 * other_id is the first program there that is not xdpgate (which xdpgate
 * runs beside, never replaces).
 */
int xg_probe_hook(int ifindex, enum xg_hook hook, struct xg_instance *in,
		  __u32 *other_id);

/* 1 when the program with this id uses xdpgate's maps, 0 when it does not
 * (or is gone), negative errno when the kernel would not say.
 */
int xg_prog_is_xdpgate(__u32 id);

/* Name of the program with this id into buf ("?" if it is gone). */
void xg_prog_name_by_id(__u32 id, char *buf, size_t len);

/* fd of the bpf_link that attaches an XDP program to ifindex (whoever
 * created it, pinned or not), or -ENOENT when the attachment is not a link.
 */
int xg_xdp_link_fd(int ifindex);

/* Does the map pinned at dir/xg_actions belong to prog_id? 1 yes, 0 no,
 * negative errno when the kernel would not say.
 */
int xg_pin_dir_matches(const char *dir, __u32 prog_id);

/* Open the program's xg_* maps by walking its map ids. Every fd is -1 on
 * failure. Returns 0, or -ENOENT when a core map is missing or has the
 * wrong shape (not an xdpgate program, or an incompatible version), or
 * another negative errno from the kernel. m->inserts, the policy maps and
 * the admission maps may stay -1 (a program of an older xdpgate: it reads
 * as one without an admission stage).
 */
int xg_prog_maps(__u32 prog_id, struct xg_maps *m);
void xg_maps_close(struct xg_maps *m);

#endif
