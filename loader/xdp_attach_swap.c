// SPDX-License-Identifier: GPL-2.0
/* Operations on a running instance: swap its program atomically, or take
 * it off. Both name the program they expect to find, so a program someone
 * else attached in the meantime is never replaced or removed by accident.
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

static int replace_netlink(const struct xg_instance *in, int prog_fd, int old_fd)
{
	LIBBPF_OPTS(bpf_xdp_attach_opts, opts, .old_prog_fd = old_fd);

	/* The kernel swaps only if old_fd is still what runs there. */
	return bpf_xdp_attach(in->ifindex, prog_fd,
			      XDP_FLAGS_REPLACE | xg_mode_flags(in->mode), &opts);
}

static int replace_link(const struct xg_instance *in, int prog_fd, int old_fd)
{
	LIBBPF_OPTS(bpf_link_update_opts, opts,
		    .flags = BPF_F_REPLACE, .old_prog_fd = old_fd);
	int link = xg_xdp_link_fd(in->ifindex), err;

	if (link < 0)
		return link;
	err = bpf_link_update(link, prog_fd, &opts);
	close(link);
	return err;
}

/* Best effort: libxdp has no atomic swap of one dispatcher component, so
 * the new program is added first and the old one removed after; for that
 * moment both run and share the maps, so a packet may be counted twice.
 * If removing the old one fails, the new one is taken off again.
 */
static int replace_dispatcher(const struct xg_instance *in,
			      const struct xg_attach_req *req,
			      const struct xg_loaded *l)
{
	enum xdp_attach_mode mode = xg_libxdp_mode(in->mode);
	struct xdp_program *old_prog = xdp_program__from_id(in->prog_id);
	struct xdp_program *new_prog = NULL;
	struct bpf_object *copy = NULL;
	int err = libxdp_get_error(old_prog);

	if (!err)
		err = xg_libxdp_copy(req, l, &new_prog, &copy);
	if (!err)
		err = xdp_program__attach(new_prog, in->ifindex, mode, 0);
	if (!err) {
		err = xdp_program__detach(old_prog, in->ifindex, mode, 0);
		if (err)
			xdp_program__detach(new_prog, in->ifindex, mode, 0);
	}
	if (new_prog)
		xdp_program__close(new_prog);
	bpf_object__close(copy);
	if (!libxdp_get_error(old_prog))
		xdp_program__close(old_prog);
	return err;
}

static int old_prog_fd(const struct xg_instance *in, const char *what)
{
	int fd = bpf_prog_get_fd_by_id(in->prog_id), err = -errno;

	if (fd >= 0)
		return fd;
	xg_err("interface %s: %s %s (prog id %u): the program is gone: %s",
	       in->ifname, what, XG_PROG_NAME_XDP, in->prog_id, strerror(-err));
	return err;
}

static int report(const struct xg_instance *in, const char *what, int err)
{
	if (err)
		xg_err("interface %s: %s %s (prog id %u) in %s mode via %s: %s",
		       in->ifname, what, XG_PROG_NAME_XDP, in->prog_id,
		       xg_mode_name(in->mode), xg_via_name(in->via),
		       xg_strerror(err));
	return err;
}

int xg_xdp_replace(const struct xg_instance *in, const struct xg_attach_req *req,
		   const struct xg_loaded *l)
{
	int prog_fd = l->prog_fd;
	int old_fd = -1, err;

	if (in->via != XG_VIA_DISPATCHER && (old_fd = old_prog_fd(in, "replace")) < 0)
		return old_fd;
	switch (in->via) {
	case XG_VIA_LINK:
		err = replace_link(in, prog_fd, old_fd);
		break;
	case XG_VIA_DISPATCHER:
		err = replace_dispatcher(in, req, l);
		break;
	default:
		err = replace_netlink(in, prog_fd, old_fd);
		break;
	}
	if (old_fd >= 0)
		close(old_fd);
	return report(in, "replace", err);
}

static int detach_netlink(const struct xg_instance *in)
{
	LIBBPF_OPTS(bpf_xdp_attach_opts, opts);
	int err;

	opts.old_prog_fd = old_prog_fd(in, "detach");
	if (opts.old_prog_fd < 0)
		return opts.old_prog_fd;
	/* With REPLACE the kernel removes the program only if it is ours. */
	err = bpf_xdp_detach(in->ifindex,
			     XDP_FLAGS_REPLACE | xg_mode_flags(in->mode), &opts);
	close(opts.old_prog_fd);
	return err;
}

static int detach_link(const struct xg_instance *in)
{
	int link = xg_xdp_link_fd(in->ifindex), err;

	if (link < 0)
		return link;
	/* Detach explicitly: a pin or another process may hold the link. */
	err = bpf_link_detach(link);
	close(link);
	return err;
}

static int detach_dispatcher(const struct xg_instance *in)
{
	struct xdp_program *prog = xdp_program__from_id(in->prog_id);
	int err = libxdp_get_error(prog);

	if (err)
		return err;
	err = xdp_program__detach(prog, in->ifindex, xg_libxdp_mode(in->mode), 0);
	xdp_program__close(prog);
	return err;
}

int xg_xdp_detach(const struct xg_instance *in)
{
	int err;

	switch (in->via) {
	case XG_VIA_LINK:
		err = detach_link(in);
		break;
	case XG_VIA_DISPATCHER:
		err = detach_dispatcher(in);
		break;
	default:
		err = detach_netlink(in);
		break;
	}
	return report(in, "detach", err);
}
