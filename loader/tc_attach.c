// SPDX-License-Identifier: GPL-2.0
/* Attaching, replacing and detaching xdpgate on TC hooks (tc_attach.h).
 * The steps and the owner record follow the XDP attach (attach.c): the
 * instance directory is made ready and its record written LOADING before
 * anything is loaded, ATTACHED once the hook runs the program.
 */
#include <errno.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "attach_args.h"
#include "attach_target.h"
#include "bpf_usage.h"
#include "fault.h"
#include "log.h"
#include "mem_estimate.h"
#include "owner.h"
#include "pins.h"
#include "tc_attach.h"
#include "tc_hook.h"
#include "util.h"
#include "xdpgate_limits.h"

/* The TC programs parse an Ethernet header first; on an L3 device (tun,
 * wireguard) the packet starts at the IP header and every row would be
 * garbage.
 */
static int check_ethernet(const struct xg_attach_req *req)
{
	struct ifreq ifr = {};
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), err = 0;

	if (fd < 0)
		return 0; /* cannot tell: let the attach go on */
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", req->ifname);
	if (!ioctl(fd, SIOCGIFHWADDR, &ifr) &&
	    ifr.ifr_hwaddr.sa_family != ARPHRD_ETHER) {
		xg_err("interface %s: attach %s: not an Ethernet device (link type "
		       "%u); the TC programs parse Ethernet frames", req->ifname,
		       xg_hook_prog_name(req->hook), ifr.ifr_hwaddr.sa_family);
		err = -1;
	}
	close(fd);
	return err;
}

static const char *where(enum xg_hook hook)
{
	return hook == XG_HOOK_TC_EGRESS ? "tc egress" : "tc ingress";
}

/* tcx first unless told otherwise; note says why clsact was used. */
static int hook_on(const struct xg_attach_req *req, int prog_fd,
		   const char *dir, struct xg_tc_prog *p, char *note,
		   size_t len)
{
	char pin[XG_PATH_MAX + 8];
	bool made_qdisc = false;
	int fd, err;

	memset(p, 0, sizeof(*p));
	note[0] = '\0';
	if (req->tc_via != XG_TC_VIA_REQ_CLSACT) {
		fd = xg_tc_attach_tcx(req->ifindex, req->hook, prog_fd, &p->link_id);
		if (fd >= 0) {
			snprintf(pin, sizeof(pin), "%s/link", dir);
			if (bpf_obj_pin(fd, pin)) {
				err = -errno;
				close(fd); /* the last reference: detaches again */
				xg_err("interface %s: pin the tcx link of %s at %s: %s",
				       req->ifname, xg_hook_prog_name(req->hook), pin,
				       strerror(-err));
				return err;
			}
			close(fd);
			p->via = XG_VIA_TCX;
			snprintf(note, len, "link pinned at %s", pin);
			return 0;
		}
		err = fd;
		if (req->tc_via == XG_TC_VIA_REQ_TCX) {
			xg_err("interface %s: attach %s at %s via tcx: %s%s",
			       req->ifname, xg_hook_prog_name(req->hook),
			       where(req->hook), xg_strerror(err),
			       err == -EINVAL ? " (tcx needs Linux 6.6; try --tc-via clsact)" : "");
			return err;
		}
		snprintf(note, len, "tcx unavailable: %s", xg_strerror(err));
		xg_debug("interface %s: tcx attach failed: %s; trying clsact",
			 req->ifname, xg_strerror(err));
	}
	err = xg_tc_attach_clsact(req->ifindex, req->hook, prog_fd, &made_qdisc, p);
	if (err) {
		xg_err("interface %s: attach %s at %s via clsact: %s", req->ifname,
		       xg_hook_prog_name(req->hook), where(req->hook), xg_strerror(err));
		return err;
	}
	snprintf(note + strlen(note), len - strlen(note), "%sfilter pref %u handle 0x%x%s",
		 *note ? "; " : "", p->prio, p->handle,
		 made_qdisc ? ", clsact qdisc added" : "");
	return 0;
}

static int attach_one(struct xg_attach_req *req)
{
	struct xg_target t;
	struct xg_loaded l;
	struct xg_tc_prog p;
	char note[XG_PATH_MAX + 96], mem[32];

	if (xg_target_prepare(req, &t))
		return 1;
	if (xg_load(req, t.path, NULL, &l)) {
		xg_target_undo(&t);
		return 1;
	}
	xg_fault("loaded");
	if (hook_on(req, l.prog_fd, t.path, &p, note, sizeof(note))) {
		xg_load_undo(&l);
		xg_load_close(&l);
		xg_target_undo(&t);
		return 1;
	}
	xg_fault("attached");
	xg_target_commit(&t, l.prog_id, p.link_id);
	printf("xdpgate: %s: attached %s (prog id %u) at %s via %s (%s), counted "
	       "by %s; maps %s %s (new maps: about %s)\n", req->ifname,
	       xg_hook_prog_name(req->hook), l.prog_id, where(req->hook),
	       xg_via_name(p.via), note, xg_hook_key(req->hook),
	       *t.adopted || t.adopted_in_place ? "adopted with their counters, pinned in"
						 : "pinned in",
	       l.pin_dir, xg_fmt_size(l.new_bytes, mem, sizeof(mem)));
	xg_load_close(&l);
	return 0;
}

static int replace_one(struct xg_attach_req *req, const struct xg_instance *in)
{
	struct xg_maps running;
	struct xg_loaded l;
	int err;

	if ((req->tc_via == XG_TC_VIA_REQ_TCX && in->via != XG_VIA_TCX) ||
	    (req->tc_via == XG_TC_VIA_REQ_CLSACT && in->via != XG_VIA_CLSACT)) {
		xg_err("interface %s: cannot replace %s (prog id %u) attached via %s "
		       "with --tc-via %s: changing the attachment kind cannot be "
		       "atomic; run 'xdpgate detach %s --hook tc' first", req->ifname,
		       xg_hook_prog_name(in->hook), in->prog_id, xg_via_name(in->via),
		       xg_tc_via_req_name(req->tc_via), req->ifname);
		return 1;
	}
	if (xg_prog_maps(in->prog_id, &running)) {
		xg_err("interface %s: cannot replace %s (prog id %u): it does not use "
		       "xdpgate's maps, so its counters cannot be carried over",
		       req->ifname, xg_hook_prog_name(in->hook), in->prog_id);
		return 1;
	}
	err = xg_load(req, in->pin_dir, &running, &l);
	xg_maps_close(&running);
	if (err)
		return 1;
	err = xg_tc_replace(in->ifindex, in->hook, &in->tc, l.prog_fd);
	if (err) {
		xg_err("interface %s: replace %s (prog id %u) at %s via %s: %s",
		       req->ifname, xg_hook_prog_name(in->hook), in->prog_id,
		       where(in->hook), xg_via_name(in->via),
		       err == -EOPNOTSUPP ? "it was attached to the tcx chain without "
		       "a link, which cannot be swapped atomically" : xg_strerror(err));
		xg_load_undo(&l);
		xg_load_close(&l);
		return 1;
	}
	xg_fault("replaced");
	xg_target_replaced(in, l.prog_id, in->tc.link_id);
	printf("xdpgate: %s: replaced %s (prog id %u -> %u) at %s via %s; maps kept%s%s\n",
	       req->ifname, xg_hook_prog_name(in->hook), in->prog_id, l.prog_id,
	       where(in->hook), xg_via_name(in->via),
	       *l.pin_dir ? ", pinned in " : " (not pinned)", l.pin_dir);
	xg_load_close(&l);
	return 0;
}

/* One direction: 0 attached (*made set when this call attached anew),
 * 1 after a message.
 */
static int attach_dir(struct xg_attach_req *req, bool replace, bool *made)
{
	struct xg_instance in;
	__u32 other = 0;
	int found = xg_probe_hook(req->ifindex, req->hook, &in, &other);

	*made = false;
	if (found < 0) {
		xg_err("interface %s: cannot query its %s programs: %s", req->ifname,
		       where(req->hook), xg_strerror(found));
		return 1;
	}
	if (found && !replace) {
		xg_err("interface %s: xdpgate is already attached at %s (%s prog id "
		       "%u via %s); use --replace to swap it", req->ifname,
		       where(req->hook), xg_hook_prog_name(req->hook), in.prog_id,
		       xg_via_name(in.via));
		return 1;
	}
	if (found)
		return replace_one(req, &in);
	if (attach_one(req))
		return 1;
	*made = true;
	return 0;
}

int xg_tc_attach_iface(struct xg_attach_req *req, bool replace)
{
	static const enum xg_hook hooks[] = { XG_HOOK_TC_INGRESS, XG_HOOK_TC_EGRESS };
	static const unsigned int bits[] = { XG_TC_DIR_INGRESS, XG_TC_DIR_EGRESS };
	bool made[2] = { false, false };
	int ret = 0;

	req->mode_auto = true;
	if (check_ethernet(req))
		return 1;
	for (int i = 0; i < 2 && !ret; i++) {
		if (!(req->tc_dirs & bits[i]))
			continue;
		req->hook = hooks[i];
		ret = attach_dir(req, replace, &made[i]);
	}
	if (!ret || !made[0])
		return ret;
	/* All or nothing: the ingress instance this call made goes again. */
	{
		struct xg_instance in;
		char msg[XG_PATH_MAX * 2];

		if (xg_probe_hook(req->ifindex, XG_HOOK_TC_INGRESS, &in, NULL) == 1 &&
		    !xg_tc_detach_instance(&in, msg, sizeof(msg)))
			xg_info("interface %s: took %s off tc ingress again (%s)",
				req->ifname, XG_PROG_NAME_TC_INGRESS, msg);
	}
	return ret;
}

int xg_remove_iproute2_pins(const char *dir, char *msg, size_t len)
{
	__u32 ids[XG_NR_MAPS] = {}, user = 0;
	char path[XG_PATH_MAX * 2];
	struct xg_usage u;
	int err = xg_usage_load(&u);

	if (err) {
		snprintf(msg, len, "kept its maps in %s: cannot tell whether "
			 "another program uses them (%s)", dir, xg_strerror(err));
		return 1;
	}
	for (int i = 0; i < XG_NR_MAPS; i++) {
		int fd;

		snprintf(path, sizeof(path), "%s/%s", dir, xg_map_names[i]);
		fd = bpf_obj_get(path);
		if (fd < 0)
			continue;
		ids[i] = xg_fd_map_id(fd);
		close(fd);
		if (!user && ids[i])
			user = xg_usage_user(&u, ids[i], 0);
	}
	xg_usage_free(&u);
	if (user) {
		snprintf(msg, len, "kept its maps in %s: prog id %u still uses them",
			 dir, user);
		return 0;
	}
	for (int i = 0; i < XG_NR_MAPS; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, xg_map_names[i]);
		if (ids[i] && unlink(path) && errno != ENOENT) {
			xg_err("cannot remove pin %s: %s", path, strerror(errno));
			err = 1;
		}
	}
	snprintf(msg, len, "removed its xg_* pins in %s", dir);
	return err;
}

/* A deleted cls_bpf filter lets go of its program after an RCU grace
 * period, from a work queue: wait (a second at most) until the kernel has
 * freed it, so its maps no longer count as used by it.
 */
static void wait_released(__u32 prog_id)
{
	for (int i = 0; i < 100; i++) {
		int fd = bpf_prog_get_fd_by_id(prog_id);

		if (fd < 0)
			return;
		close(fd);
		usleep(10000);
	}
}

int xg_tc_detach_instance(const struct xg_instance *in, char *msg, size_t len)
{
	int err = xg_tc_detach(in->ifindex, in->hook, &in->tc);

	snprintf(msg, len, "no pins to remove");
	if (err) {
		xg_err("interface %s: detach %s (prog id %u) from %s via %s: %s",
		       in->ifname, xg_hook_prog_name(in->hook), in->prog_id,
		       where(in->hook), xg_via_name(in->via), xg_strerror(err));
		return 1;
	}
	xg_fault("detached");
	if (!strcmp(in->pin_dir, XG_IPROUTE2_TC_PIN_DIR)) {
		wait_released(in->prog_id);
		return xg_remove_iproute2_pins(in->pin_dir, msg, len);
	}
	if (!*in->pin_dir)
		return 0;
	/* Its maps were the program's (xg_pin_dir_matches), which no longer
	 * runs: the directory is this instance's alone.
	 */
	snprintf(msg, len, "removed pins in %s", in->pin_dir);
	return xg_pins_remove(in->pin_dir) ? 1 : 0;
}

int xg_iface_runs_xdpgate(int ifindex)
{
	struct xg_instance in;

	for (int h = XG_HOOK_XDP; h <= XG_HOOK_TC_EGRESS; h++) {
		int r = xg_probe_hook(ifindex, (enum xg_hook)h, &in, NULL);

		if (r)
			return r == -ENODEV ? 0 : r;
	}
	return 0;
}
