// SPDX-License-Identifier: GPL-2.0
/* Owner records, and asking the kernel whether their owner still runs. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_link.h>
#include <xdp/libxdp.h>

#include "bpf_usage.h"
#include "instance.h"
#include "log.h"
#include "owner.h"
#include "tc_hook.h"
#include "tcx_compat.h"
#include "xdpgate_limits.h"

void xg_owner_init(struct xg_owner *o, const struct xg_netns *ns,
		   __u32 ifindex, const char *ifname, enum xg_hook hook)
{
	struct timespec ts;

	memset(o, 0, sizeof(*o));
	clock_gettime(CLOCK_REALTIME, &ts);
	o->netns_cookie = ns->cookie;
	o->netns_ino = ns->ino;
	o->created_ns = (__u64)ts.tv_sec * 1000000000ULL + (__u64)ts.tv_nsec;
	o->version = XG_OWNER_VERSION;
	o->state = XG_OWNER_LOADING;
	o->ifindex = ifindex;
	o->hook = hook;
	snprintf(o->ifname, sizeof(o->ifname), "%s", ifname ? ifname : "");
}

static void owner_path(const char *dir, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s", dir, XG_MAP_OWNER);
}

static int create_pinned(const char *path, const struct xg_owner *o)
{
	LIBBPF_OPTS(bpf_map_create_opts, opts, .map_flags = BPF_F_RDONLY_PROG);
	__u32 key = 0;
	int fd, err = 0;

	fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, XG_MAP_OWNER, sizeof(key),
			    sizeof(*o), 1, &opts);
	if (fd < 0)
		return -errno;
	if (bpf_map_update_elem(fd, &key, o, BPF_ANY) || bpf_obj_pin(fd, path))
		err = -errno;
	close(fd);
	return err;
}

int xg_owner_write(const char *dir, const struct xg_owner *o)
{
	char path[XG_PATH_MAX + 16];
	__u32 key = 0;
	int fd, err;

	owner_path(dir, path, sizeof(path));
	fd = bpf_obj_get(path);
	if (fd < 0 && errno == ENOENT)
		err = create_pinned(path, o);
	else if (fd < 0)
		err = -errno;
	else
		err = bpf_map_update_elem(fd, &key, o, BPF_ANY) ? -errno : 0;
	if (fd >= 0)
		close(fd);
	if (err)
		xg_err("cannot write the owner record %s: %s", path, xg_strerror(err));
	return err;
}

int xg_owner_read(const char *dir, struct xg_owner *o)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info), key = 0;
	char path[XG_PATH_MAX + 16];
	int fd, err = 0;

	memset(o, 0, sizeof(*o));
	owner_path(dir, path, sizeof(path));
	fd = bpf_obj_get(path);
	if (fd < 0)
		return -errno;
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		err = -errno;
	else if (info.type != BPF_MAP_TYPE_ARRAY || info.key_size != 4 ||
		 info.value_size != sizeof(*o) || info.max_entries != 1)
		err = -EPROTO;
	else if (bpf_map_lookup_elem(fd, &key, o))
		err = -errno;
	else if (o->version != XG_OWNER_VERSION)
		err = -EPROTO;
	close(fd);
	o->ifname[sizeof(o->ifname) - 1] = '\0';
	return err;
}

void xg_owner_remove(const char *dir)
{
	char path[XG_PATH_MAX + 16];

	owner_path(dir, path, sizeof(path));
	unlink(path);
}

const char *xg_owner_state_name(__u32 state)
{
	switch (state) {
	case XG_OWNER_LOADING: return "loading";
	case XG_OWNER_ATTACHED: return "attached";
	}
	return "?";
}

/* 1 live, 0 defunct, from a link's info. */
static int link_info_live(const struct bpf_link_info *info)
{
	switch (info->type) {
	case BPF_LINK_TYPE_XDP:
	case XG_LINK_TYPE_TCX:
	case XG_LINK_TYPE_NETKIT:
		/* The device went away (or the link was detached). Their info
		 * starts with the ifindex, as BPF_LINK_TYPE_XDP's does.
		 */
		return info->xdp.ifindex != 0;
	case BPF_LINK_TYPE_CGROUP:
		return info->cgroup.cgroup_id != 0;
	}
	return 1;
}

static int link_fd_live(int fd, __u32 *prog_id)
{
	struct bpf_link_info info = {};
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -errno;
	if (prog_id)
		*prog_id = info.prog_id;
	return link_info_live(&info);
}

int xg_link_pin_live_prog(const char *path, __u32 *prog_id)
{
	int fd, r = 0;

	if (prog_id)
		*prog_id = 0;
	fd = bpf_obj_get(path);
	if (fd < 0)
		return errno == ENOENT || errno == EINVAL ? 0 : -errno;
	if (xg_fd_kind(fd) == XG_FD_LINK)
		r = link_fd_live(fd, prog_id);
	close(fd);
	return r;
}

int xg_link_pin_live(const char *path)
{
	return xg_link_pin_live_prog(path, NULL);
}

/* Does the XDP hook of ifindex (this netns) run prog_id, alone or as a
 * component of libxdp's dispatcher? 1, 0, or -ENODEV.
 */
static int xdp_runs(__u32 ifindex, __u32 prog_id)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	struct xdp_multiprog *mp;
	struct xdp_program *p;
	int found = 0;

	if (bpf_xdp_query((int)ifindex, 0, &q))
		return -ENODEV;
	if (q.drv_prog_id == prog_id || q.skb_prog_id == prog_id ||
	    q.hw_prog_id == prog_id)
		return 1;
	mp = xdp_multiprog__get_from_ifindex((int)ifindex);
	if (libxdp_get_error(mp))
		return 0;
	for (p = xdp_multiprog__next_prog(NULL, mp); p && !found;
	     p = xdp_multiprog__next_prog(p, mp))
		found = xdp_program__id(p) == prog_id;
	xdp_multiprog__close(mp);
	return found;
}

int xg_owner_running(const struct xg_owner *o, const struct xg_netns *self)
{
	struct xg_netns ns = { o->netns_cookie, o->netns_ino };
	int fd, r;

	if (o->state != XG_OWNER_ATTACHED || !o->prog_id)
		return XG_OWNER_GONE;
	fd = bpf_prog_get_fd_by_id(o->prog_id);
	if (fd < 0)
		return errno == ENOENT ? XG_OWNER_GONE : -errno;
	close(fd);
	if (o->link_id) {
		__u32 lprog = 0;

		fd = bpf_link_get_fd_by_id(o->link_id);
		if (fd < 0)
			return errno == ENOENT ? XG_OWNER_GONE : -errno;
		r = link_fd_live(fd, &lprog);
		close(fd);
		if (r < 0)
			return r;
		if (!r || lprog != o->prog_id)
			return XG_OWNER_GONE;
	}
	if (!xg_netns_eq(&ns, self))
		return XG_OWNER_UNKNOWN;
	/* The TC and cgroup layers add their hook's check here. */
	if (xg_hook_is_tc(o->hook)) {
		r = xg_tc_runs((int)o->ifindex, o->hook, o->prog_id);
		if (r < 0 && r != -ENODEV)
			return r;
		return r == 1 ? XG_OWNER_HERE : XG_OWNER_UNKNOWN;
	}
	if (o->hook != XG_HOOK_XDP)
		return XG_OWNER_UNKNOWN;
	r = xdp_runs(o->ifindex, o->prog_id);
	return r == 1 ? XG_OWNER_HERE : XG_OWNER_UNKNOWN;
}
