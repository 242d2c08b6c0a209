// SPDX-License-Identifier: GPL-2.0
/* The three ways onto an XDP hook, best first: libxdp (its multi-program
 * dispatcher where the kernel allows it), a bpf_link pinned so it outlives
 * the loader, and a plain netlink attach. libxdp gets its own copy of the
 * object to load (xdp_libxdp_copy.c). Where the kernel refuses the
 * dispatcher (freplace), libxdp itself falls back to a single-program
 * netlink attach; we find out which one we got by asking libxdp what now
 * sits on the hook.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_link.h>
#include <xdp/libxdp.h>

#include "log.h"
#include "xdp_attach.h"
#include "xdpgate_limits.h"

__u32 xg_mode_flags(enum xg_xdp_mode mode)
{
	switch (mode) {
	case XG_MODE_NATIVE: return XDP_FLAGS_DRV_MODE;
	case XG_MODE_SKB: return XDP_FLAGS_SKB_MODE;
	case XG_MODE_HW: return XDP_FLAGS_HW_MODE;
	case XG_MODE_NONE: break;
	}
	return 0;
}

static __u32 req_flags(const struct xg_attach_req *req)
{
	return req->mode_auto ? 0 : xg_mode_flags(req->mode);
}

static const char *req_mode_name(const struct xg_attach_req *req)
{
	return req->mode_auto ? "auto" : xg_mode_name(req->mode);
}

enum xdp_attach_mode xg_libxdp_mode(enum xg_xdp_mode mode)
{
	switch (mode) {
	case XG_MODE_NATIVE: return XDP_MODE_NATIVE;
	case XG_MODE_SKB: return XDP_MODE_SKB;
	case XG_MODE_HW: return XDP_MODE_HW;
	case XG_MODE_NONE: break;
	}
	return XDP_MODE_UNSPEC;
}

static enum xdp_attach_mode libxdp_mode(const struct xg_attach_req *req)
{
	return req->mode_auto ? XDP_MODE_UNSPEC : xg_libxdp_mode(req->mode);
}

static int attach_libxdp(const struct xg_attach_req *req,
			 const struct xg_loaded *l, struct xg_attached *out)
{
	struct xdp_program *prog;
	struct xdp_multiprog *mp;
	struct bpf_object *copy;
	int err;

	/* libxdp offloads by loading the program for the device itself; the
	 * loader has already loaded it for the device (--mode hw) instead.
	 */
	if (!req->mode_auto && req->mode == XG_MODE_HW)
		return -EOPNOTSUPP;
	err = xg_libxdp_copy(req, l, &prog, &copy);
	if (err)
		return err;
	err = xdp_program__attach(prog, req->ifindex, libxdp_mode(req), 0);
	if (!err)
		out->prog_id = xdp_program__id(prog);
	xdp_program__close(prog);
	bpf_object__close(copy);
	if (err)
		return err;

	mp = xdp_multiprog__get_from_ifindex(req->ifindex);
	if (mp && !libxdp_get_error(mp) && !xdp_multiprog__is_legacy(mp)) {
		out->via = XG_VIA_DISPATCHER;
		out->attached_id = xdp_program__id(xdp_multiprog__main_prog(mp));
		snprintf(out->note, sizeof(out->note), "dispatcher prog id %u",
			 out->attached_id);
	} else {
		out->via = XG_VIA_NETLINK;
		out->attached_id = out->prog_id;
		snprintf(out->note, sizeof(out->note),
			 "libxdp dispatcher unavailable");
	}
	if (mp && !libxdp_get_error(mp))
		xdp_multiprog__close(mp);
	return 0;
}

static int attach_link(const struct xg_attach_req *req, int prog_fd,
		       const char *pin_dir, struct xg_attached *out)
{
	LIBBPF_OPTS(bpf_link_create_opts, opts, .flags = req_flags(req));
	struct bpf_link_info info = {};
	__u32 len = sizeof(info);
	char pin[XG_PATH_MAX + 8];
	int fd, err;

	if (!*pin_dir)
		return -EINVAL; /* an unpinned link would die with the loader */
	fd = bpf_link_create(prog_fd, req->ifindex, BPF_XDP, &opts);
	if (fd < 0)
		return fd;
	snprintf(pin, sizeof(pin), "%s/link", pin_dir);
	if (bpf_obj_pin(fd, pin)) {
		err = -errno;
		xg_err("interface %s: pin the bpf_link of %s at %s: %s",
		       req->ifname, XG_PROG_NAME_XDP, pin, strerror(errno));
		close(fd); /* the last reference: this detaches again */
		return err;
	}
	if (!bpf_obj_get_info_by_fd(fd, &info, &len))
		out->link_id = info.id;
	close(fd);
	out->via = XG_VIA_LINK;
	snprintf(out->note, sizeof(out->note), "link pinned at %s", pin);
	return 0;
}

static int attach_netlink(const struct xg_attach_req *req, int prog_fd,
			  struct xg_attached *out)
{
	int err = bpf_xdp_attach(req->ifindex, prog_fd,
				 XDP_FLAGS_UPDATE_IF_NOEXIST | req_flags(req), NULL);

	if (!err)
		out->via = XG_VIA_NETLINK;
	return err;
}

/* --via auto: each failure is shown with -v, the last one is reported. */
static int attach_auto(const struct xg_attach_req *req, const struct xg_loaded *l,
		       struct xg_attached *out)
{
	int err = attach_libxdp(req, l, out);

	if (!err)
		return 0;
	xg_debug("interface %s: libxdp attach failed: %s; trying bpf_link",
		 req->ifname, xg_strerror(err));
	err = attach_link(req, l->prog_fd, l->pin_dir, out);
	if (!err) {
		snprintf(out->note, sizeof(out->note), "libxdp attach failed");
		return 0;
	}
	xg_debug("interface %s: bpf_link attach failed: %s; trying netlink",
		 req->ifname, xg_strerror(err));
	err = attach_netlink(req, l->prog_fd, out);
	if (!err)
		snprintf(out->note, sizeof(out->note),
			 "libxdp and bpf_link attach failed");
	return err;
}

int xg_xdp_attach(const struct xg_attach_req *req, const struct xg_loaded *l,
		  struct xg_attached *out)
{
	const char *how = "";
	int err;

	memset(out, 0, sizeof(*out));
	switch (req->via) {
	case XG_VIA_REQ_LIBXDP:
		how = " via libxdp";
		err = attach_libxdp(req, l, out);
		if (err == -EOPNOTSUPP && req->mode == XG_MODE_HW && !req->mode_auto)
			how = " via libxdp (it cannot offload a loaded program; "
			      "use --via netlink)";
		break;
	case XG_VIA_REQ_LINK:
		how = " via bpf_link";
		err = attach_link(req, l->prog_fd, l->pin_dir, out);
		break;
	case XG_VIA_REQ_NETLINK:
		how = " via netlink";
		err = attach_netlink(req, l->prog_fd, out);
		break;
	default:
		err = attach_auto(req, l, out);
		break;
	}
	/* Every path but libxdp's runs the program l loaded. */
	if (!err && !out->prog_id)
		out->prog_id = l->prog_id;
	if (err)
		xg_err("interface %s: attach %s in %s mode%s: %s", req->ifname,
		       XG_PROG_NAME_XDP, req_mode_name(req), how, xg_strerror(err));
	return err;
}
