/* SPDX-License-Identifier: GPL-2.0 */
/* Putting xdpgate's XDP program on an interface and taking it off again:
 * loading the object with its maps pinned per interface (xdp_attach_load.c),
 * the three attach paths libxdp -> bpf_link -> netlink (xdp_attach.c), and
 * the atomic replace and the detach of a running instance
 * (xdp_attach_swap.c). Every function reports its own errors, naming the
 * interface, the program and the reason.
 */
#ifndef XG_XDP_ATTACH_H
#define XG_XDP_ATTACH_H

#include <stdbool.h>
#include <linux/types.h>
#include <xdp/libxdp.h>

#include "instance.h"

/* --max-sources bounds: an LRU smaller than a few entries per CPU thrashes,
 * and per-CPU values make a larger one cost gigabytes.
 */
#define XG_SRC_MAP_MIN 16
#define XG_SRC_MAP_MAX (1U << 24)

enum xg_via_req {
	XG_VIA_REQ_AUTO = 0, /* libxdp, then bpf_link, then netlink */
	XG_VIA_REQ_LIBXDP,
	XG_VIA_REQ_LINK,
	XG_VIA_REQ_NETLINK,
};

#define XG_TC_DIR_INGRESS 1U
#define XG_TC_DIR_EGRESS 2U

/* --tc-via: how onto a TC hook. */
enum xg_tc_via_req {
	XG_TC_VIA_REQ_AUTO = 0, /* tcx where the kernel has it, else clsact */
	XG_TC_VIA_REQ_TCX,
	XG_TC_VIA_REQ_CLSACT,
};

/* What `xdpgate attach` was asked for. */
struct xg_attach_req {
	const char *ifname;
	int ifindex;
	enum xg_hook hook;       /* XDP, or one TC direction per load */
	enum xg_tc_via_req tc_via;
	unsigned int tc_dirs;    /* --hook tc: XG_TC_DIR_* wanted */
	const char *netns;       /* --netns NAME|PID: its veths' host sides */
	bool mode_auto;          /* let the kernel choose (native where it can) */
	enum xg_xdp_mode mode;   /* when !mode_auto */
	enum xg_via_req via;
	const char *obj_path;    /* NULL: the embedded object */
	__u32 max_sources;       /* 0: default, or the size already pinned */
	bool drop_unparsed;
	/* 1: admission stage off (--exact), 0: on (--no-exact, the default
	 * of a new attach), -1: keep what the running program does (replace)
	 */
	int exact;
	bool force;              /* allocate past the memory limit */
	bool adopt;              /* take over an orphan's maps */
	const char *adopt_dir;   /* that orphan, or NULL: the one of ifname */
};

/* A loaded (not yet attached) program and the pins this call made. */
struct xg_loaded {
	struct bpf_object *obj;    /* the embedded object for the hook, or --obj */
	int prog_fd;
	__u32 prog_id;
	char pin_dir[XG_PATH_MAX]; /* "" when the maps are not pinned */
	char pol_dir[XG_PATH_MAX]; /* where the policy maps are pinned */
	bool made_pol_dir;         /* pol_dir was created by this call */
	int req_ifindex;
	bool had_pin[XG_NR_MAPS];  /* the map pin existed before this call */
	__u64 new_bytes;           /* estimated memory of the maps it made */
};

/* Open, configure and load the hook's program (req->hook: xdpgate_xdp,
 * or xdpgate_ingress / xdpgate_egress of the TC object). Its maps are
 * pinned in pin_dir
 * ("" for none; the directory must exist) and its policy maps in the
 * interface's policy directory (policy_dir.h; in pin_dir too when that is
 * iproute2's shared one), reusing pins already there; with running != NULL
 * the running program's maps are reused instead (--replace), so counters
 * carry over. The memory of the maps it would create is estimated first:
 * above xg_mem_limit() it refuses unless req->force. On failure nothing
 * created by this call is left behind.
 */
int xg_load(const struct xg_attach_req *req, const char *pin_dir,
	    struct xg_maps *running, struct xg_loaded *l);
/* Remove the pins this call created. */
void xg_load_undo(struct xg_loaded *l);
/* Close the object; attachments and pins stay. */
void xg_load_close(struct xg_loaded *l);

/* How the program ended up attached. */
struct xg_attached {
	enum xg_via via;
	__u32 prog_id;      /* xdpgate's program that runs (libxdp loads its own copy) */
	__u32 link_id;      /* the bpf_link's id when via a link */
	__u32 attached_id;  /* what the hook runs: ours, or libxdp's dispatcher */
	char note[XG_PATH_MAX + 64]; /* why this path, e.g. "libxdp dispatcher unavailable" */
};

/* Attach the loaded program to a hook where nothing of ours runs yet. A
 * bpf_link is pinned as <pin_dir>/link so it outlives the loader.
 */
int xg_xdp_attach(const struct xg_attach_req *req, const struct xg_loaded *l,
		  struct xg_attached *out);

/* Swap the running instance's program for the loaded one without a gap,
 * keeping its mode and attachment kind.
 */
int xg_xdp_replace(const struct xg_instance *in, const struct xg_attach_req *req,
		   const struct xg_loaded *l);

/* For libxdp, which must load a program itself to put it in its
 * dispatcher: an unloaded copy of l's object sharing all of l's maps, and
 * the program in it. Close *copy once libxdp is done (the attachment
 * stays). Returns 0 or a negative error.
 */
int xg_libxdp_copy(const struct xg_attach_req *req, const struct xg_loaded *l,
		   struct xdp_program **prog, struct bpf_object **copy);

/* Remove the running instance's program, and nothing else. */
int xg_xdp_detach(const struct xg_instance *in);

/* XDP_FLAGS_*_MODE, and libxdp's name, for a mode. */
__u32 xg_mode_flags(enum xg_xdp_mode mode);
enum xdp_attach_mode xg_libxdp_mode(enum xg_xdp_mode mode);

#endif
