// SPDX-License-Identifier: GPL-2.0
/* xdpgate attach IFACE: load the XDP program with its maps pinned in the
 * interface's instance directory (attach_target.h) and put it on the
 * interface, or with --replace swap the running one atomically, keeping
 * its maps and so its counters. The owner record says LOADING before
 * anything is attached and ATTACHED after, so an attach killed at any
 * point leaves a working instance or an orphan that status lists.
 */
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <xdp/libxdp.h>

#include "attach_args.h"
#include "attach_target.h"
#include "bpffs.h"
#include "caps.h"
#include "commands.h"
#include "container.h"
#include "fault.h"
#include "log.h"
#include "mem_estimate.h"
#include "owner.h"
#include "pins.h"
#include "tc_attach.h"
#include "prog_config.h"
#include "util.h"
#include "xdp_attach.h"
#include "xdpgate_limits.h"

/* Can libxdp's dispatcher host xdpgate next to what is attached? */
static bool dispatcher_can_host(const struct xg_attach_req *req)
{
	struct xdp_multiprog *mp;
	bool ok;

	if (req->via != XG_VIA_REQ_AUTO && req->via != XG_VIA_REQ_LIBXDP)
		return false;
	if (!req->mode_auto && req->mode == XG_MODE_HW)
		return false;
	mp = xdp_multiprog__get_from_ifindex(req->ifindex);
	if (!mp || libxdp_get_error(mp))
		return false;
	ok = !xdp_multiprog__is_legacy(mp);
	xdp_multiprog__close(mp);
	return ok;
}

static void print_via(enum xg_via via, const char *note)
{
	printf(" via %s", via == XG_VIA_DISPATCHER ? "libxdp dispatcher" : xg_via_name(via));
	if (*note)
		printf(" (%s)", note);
}

static const char *accounting_note(const struct xg_attach_req *req)
{
	return req->exact > 0 ? "; exact accounting (no admission stage)" : "";
}

static int do_attach(struct xg_attach_req *req)
{
	struct xg_instance now;
	struct xg_target t;
	struct xg_attached a;
	struct xg_loaded l;
	enum xg_xdp_mode mode = req->mode;
	char mem[32];

	if (xg_target_prepare(req, &t))
		return 1;
	if (req->exact < 0)
		req->exact = 0;
	if (xg_load(req, t.path, NULL, &l)) {
		xg_target_undo(&t);
		return 1;
	}
	xg_fault("loaded");
	if (xg_xdp_attach(req, &l, &a)) {
		xg_load_undo(&l);
		xg_load_close(&l);
		xg_target_undo(&t);
		return 1;
	}
	xg_fault("attached");
	/* a.prog_id: through libxdp, its own copy of the program runs. */
	xg_target_commit(&t, a.prog_id, a.link_id);
	/* Report what the kernel did, not what was asked (auto -> native). */
	if (xg_probe_interface(req->ifindex, &now, NULL) == 1)
		mode = now.mode;
	printf("xdpgate: %s: attached %s (prog id %u) in %s mode", req->ifname,
	       XG_PROG_NAME_XDP, a.prog_id, xg_mode_name(mode));
	print_via(a.via, a.note);
	printf("; maps %s %s (new maps: about %s)%s\n",
	       *t.adopted || t.adopted_in_place ? "adopted with their counters, pinned in"
						 : "pinned in",
	       l.pin_dir, xg_fmt_size(l.new_bytes, mem, sizeof(mem)),
	       accounting_note(req));
	xg_load_close(&l);
	return 0;
}

/* --replace keeps how the instance is attached: changing the mode or the
 * attachment kind means detach-then-attach, which is not atomic.
 */
static int check_replace(const struct xg_attach_req *req, const struct xg_instance *in)
{
	bool via_ok;

	if (!req->mode_auto && req->mode != in->mode) {
		xg_err("interface %s: cannot replace %s (prog id %u) running in %s "
		       "mode with %s mode: a mode change cannot be atomic; run "
		       "'xdpgate detach %s' first", req->ifname, XG_PROG_NAME_XDP,
		       in->prog_id, xg_mode_name(in->mode),
		       xg_mode_name(req->mode), req->ifname);
		return -1;
	}
	switch (req->via) {
	case XG_VIA_REQ_LINK: via_ok = in->via == XG_VIA_LINK; break;
	case XG_VIA_REQ_NETLINK: via_ok = in->via == XG_VIA_NETLINK; break;
	/* libxdp attached it through its dispatcher or its netlink fallback */
	case XG_VIA_REQ_LIBXDP: via_ok = in->via != XG_VIA_LINK; break;
	default: via_ok = true; break;
	}
	if (!via_ok) {
		xg_err("interface %s: cannot replace %s (prog id %u) attached via "
		       "%s with --via %s: changing the attachment kind cannot be "
		       "atomic; run 'xdpgate detach %s' first", req->ifname,
		       XG_PROG_NAME_XDP, in->prog_id, xg_via_name(in->via),
		       xg_via_req_name(req->via), req->ifname);
		return -1;
	}
	return 0;
}

/* The replaced instance's record names the new program (and its link). */
static void update_owner(const struct xg_instance *in, __u32 prog_id)
{
	__u32 link_id = 0;
	int link;

	if (in->via == XG_VIA_LINK && (link = xg_xdp_link_fd(in->ifindex)) >= 0) {
		struct bpf_link_info info = {};
		__u32 len = sizeof(info);

		if (!bpf_obj_get_info_by_fd(link, &info, &len))
			link_id = info.id;
		close(link);
	}
	xg_target_replaced(in, prog_id, link_id);
}

static int do_replace(struct xg_attach_req *req, const struct xg_instance *in)
{
	struct xg_instance now;
	struct xg_maps running;
	struct xg_loaded l;
	int err;

	if (check_replace(req, in))
		return 1;
	if (xg_prog_maps(in->prog_id, &running)) {
		xg_err("interface %s: cannot replace %s (prog id %u): it does not "
		       "use xdpgate's maps, so its counters cannot be carried over; "
		       "run 'xdpgate detach %s' first", req->ifname,
		       XG_PROG_NAME_XDP, in->prog_id, req->ifname);
		return 1;
	}
	req->mode_auto = false;
	req->mode = in->mode;
	if (req->exact < 0) {
		struct xg_prog_cfg cfg;

		/* Keep the running program's choice; unreadable: the default. */
		req->exact = !xg_prog_config(in->prog_id, &cfg) && cfg.exact;
	}
	err = xg_load(req, in->pin_dir, &running, &l);
	xg_maps_close(&running);
	if (err)
		return 1;
	if (xg_xdp_replace(in, req, &l)) {
		xg_load_undo(&l);
		xg_load_close(&l);
		return 1;
	}
	xg_fault("replaced");
	/* libxdp runs its own copy of the program: record what runs now. */
	if (xg_probe_interface(req->ifindex, &now, NULL) != 1)
		now.prog_id = l.prog_id;
	update_owner(in, now.prog_id);
	printf("xdpgate: %s: replaced %s (prog id %u -> %u) in %s mode", req->ifname,
	       XG_PROG_NAME_XDP, in->prog_id, now.prog_id, xg_mode_name(in->mode));
	print_via(in->via, "");
	if (*l.pin_dir)
		printf("; maps kept, pinned in %s%s\n", l.pin_dir, accounting_note(req));
	else
		printf("; maps kept (not pinned)%s\n", accounting_note(req));
	xg_load_close(&l);
	return 0;
}

static int attach_locked(struct xg_attach_req *req, bool replace)
{
	struct xg_instance in;
	__u32 other = 0;
	char name[64];
	int found = xg_probe_interface(req->ifindex, &in, &other);

	if (found < 0) {
		xg_err("interface %s: cannot query its XDP programs: %s",
		       req->ifname, xg_strerror(found));
		return 1;
	}
	if (found && !replace) {
		xg_err("interface %s: xdpgate is already attached (%s prog id %u, "
		       "%s mode via %s); use --replace to swap it", req->ifname,
		       XG_PROG_NAME_XDP, in.prog_id, xg_mode_name(in.mode),
		       xg_via_name(in.via));
		return 1;
	}
	if (found)
		return do_replace(req, &in);
	if (other) {
		if (!dispatcher_can_host(req)) {
			xg_prog_name_by_id(other, name, sizeof(name));
			xg_err("interface %s: another XDP program is attached "
			       "(prog id %u, name %s); xdpgate will not replace "
			       "it: detach it first", req->ifname, other, name);
			return 1;
		}
		req->via = XG_VIA_REQ_LIBXDP; /* only the dispatcher can share */
	}
	return do_attach(req);
}

int cmd_attach(int argc, char **argv)
{
	struct xg_attach_req req;
	char what[64];
	bool replace;
	int status, lock, ret;

	if (xg_attach_parse(argc, argv, &req, &replace, &status))
		return status;
	if (req.netns)
		snprintf(what, sizeof(what), "network namespace %s: attach", req.netns);
	else
		snprintf(what, sizeof(what), "interface %s: attach %s", req.ifname,
			 xg_hook_is_tc(req.hook) ? "xdpgate (tc)" : XG_PROG_NAME_XDP);
	if (xg_require_caps(what, XG_NEED_SYS_ADMIN | XG_NEED_NET_ADMIN))
		return 1;
	if (!req.netns) {
		req.ifindex = (int)if_nametoindex(req.ifname);
		if (!req.ifindex) {
			xg_err("%s: no such interface", what);
			return 1;
		}
	}
	/* Lock first: two loaders mounting bpffs at once would stack two. */
	lock = xg_lock("attach");
	if (lock < 0)
		return 1;
	if (xg_bpffs_ready(what, XG_BPFFS_MOUNT))
		ret = 1;
	else if (req.netns)
		ret = xg_container_attach(&req, replace);
	else if (xg_hook_is_tc(req.hook))
		ret = xg_tc_attach_iface(&req, replace);
	else
		ret = attach_locked(&req, replace);
	xg_unlock(lock);
	return ret;
}
