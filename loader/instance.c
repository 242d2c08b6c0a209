// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_link.h>
#include <xdp/libxdp.h>

#include "instance.h"
#include "log.h"
#include "xdpgate_limits.h"
#include "xdpgate_policy.h"

const char *xg_mode_name(enum xg_xdp_mode mode)
{
	switch (mode) {
	case XG_MODE_NATIVE: return "native";
	case XG_MODE_SKB: return "skb";
	case XG_MODE_HW: return "hw";
	}
	return "?";
}

const char *xg_via_name(enum xg_via via)
{
	switch (via) {
	case XG_VIA_NETLINK: return "netlink";
	case XG_VIA_LINK: return "bpf_link";
	case XG_VIA_DISPATCHER: return "libxdp";
	}
	return "?";
}

const char *xg_hook_name(enum xg_hook hook)
{
	return hook == XG_HOOK_XDP ? "xdp" : "?";
}

static int prog_info_by_id(__u32 id, struct bpf_prog_info *info)
{
	__u32 len = sizeof(*info);
	int fd = bpf_prog_get_fd_by_id(id), err;

	if (fd < 0)
		return -errno;
	memset(info, 0, sizeof(*info));
	err = bpf_obj_get_info_by_fd(fd, info, &len);
	close(fd);
	return err ? -errno : 0;
}

static bool is_xdpgate_prog(__u32 id)
{
	struct bpf_prog_info info;

	return id && !prog_info_by_id(id, &info) &&
	       !strcmp(info.name, XG_PROG_NAME_XDP);
}

/* xdpgate as one component of libxdp's dispatcher, 0 if it is not there. */
static __u32 find_in_dispatcher(int ifindex)
{
	struct xdp_multiprog *mp = xdp_multiprog__get_from_ifindex(ifindex);
	struct xdp_program *p;
	__u32 id = 0;

	if (libxdp_get_error(mp))
		return 0;
	for (p = xdp_multiprog__next_prog(NULL, mp); p;
	     p = xdp_multiprog__next_prog(p, mp)) {
		if (!strcmp(xdp_program__name(p), XG_PROG_NAME_XDP)) {
			id = xdp_program__id(p);
			break;
		}
	}
	xdp_multiprog__close(mp);
	return id;
}

/* Does the pinned map at dir/name belong to prog_id's maps? */
static bool pin_matches(const char *dir, __u32 prog_id)
{
	struct bpf_map_info minfo = {};
	__u32 len = sizeof(minfo);
	char path[XG_PATH_MAX * 2];
	struct xg_maps m;
	bool ok = false;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, XG_MAP_ACTIONS);
	fd = bpf_obj_get(path);
	if (fd < 0)
		return false;
	if (!bpf_obj_get_info_by_fd(fd, &minfo, &len) &&
	    !xg_prog_maps(prog_id, &m)) {
		struct bpf_map_info pinfo = {};
		__u32 plen = sizeof(pinfo);

		ok = !bpf_obj_get_info_by_fd(m.actions, &pinfo, &plen) &&
		     pinfo.id == minfo.id;
		xg_maps_close(&m);
	}
	close(fd);
	return ok;
}

void xg_prog_name_by_id(__u32 id, char *buf, size_t len)
{
	struct bpf_prog_info info;

	snprintf(buf, len, "%s", prog_info_by_id(id, &info) ? "?" : info.name);
}

int xg_xdp_link_fd(int ifindex)
{
	__u32 id = 0;

	/* Ask the kernel rather than trusting a pin: a link created by
	 * another tool, or whose pin was removed, still owns the hook.
	 */
	while (!bpf_link_get_next_id(id, &id)) {
		struct bpf_link_info info = {};
		__u32 len = sizeof(info);
		int fd = bpf_link_get_fd_by_id(id);

		if (fd < 0)
			continue;
		if (!bpf_obj_get_info_by_fd(fd, &info, &len) &&
		    info.type == BPF_LINK_TYPE_XDP &&
		    (int)info.xdp.ifindex == ifindex)
			return fd;
		close(fd);
	}
	return -ENOENT;
}

int xg_pin_dir_owner(const char *dir, int ifindex)
{
	struct bpf_link_info info = {};
	__u32 len = sizeof(info);
	char path[XG_PATH_MAX + 8];
	int fd, owner = 0;

	snprintf(path, sizeof(path), "%s/link", dir);
	fd = bpf_obj_get(path);
	if (fd < 0)
		return 0;
	/* A detached link, or one whose device went away, reads ifindex 0. */
	if (!bpf_obj_get_info_by_fd(fd, &info, &len) &&
	    info.type == BPF_LINK_TYPE_XDP && (int)info.xdp.ifindex != ifindex)
		owner = (int)info.xdp.ifindex;
	close(fd);
	return owner;
}

static bool has_xdp_link(int ifindex)
{
	int fd = xg_xdp_link_fd(ifindex);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

static void fill_pins(struct xg_instance *in)
{
	char dir[XG_PATH_MAX];

	in->pin_dir[0] = '\0';
	if (!xg_pin_dir(in->ifname, dir, sizeof(dir)) &&
	    pin_matches(dir, in->prog_id)) {
		snprintf(in->pin_dir, sizeof(in->pin_dir), "%s", dir);
		return;
	}
	if (pin_matches(XG_IPROUTE2_PIN_DIR, in->prog_id))
		snprintf(in->pin_dir, sizeof(in->pin_dir), "%s",
			 XG_IPROUTE2_PIN_DIR);
}

int xg_probe_interface(int ifindex, struct xg_instance *in, __u32 *other_id)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	struct {
		__u32 id;
		enum xg_xdp_mode mode;
	} slots[3];
	int err, i;

	if (other_id)
		*other_id = 0;
	err = bpf_xdp_query(ifindex, 0, &q);
	if (err)
		return err;
	slots[0].id = q.drv_prog_id, slots[0].mode = XG_MODE_NATIVE;
	slots[1].id = q.skb_prog_id, slots[1].mode = XG_MODE_SKB;
	slots[2].id = q.hw_prog_id, slots[2].mode = XG_MODE_HW;

	for (i = 0; i < 3; i++) {
		__u32 id = slots[i].id, ours = 0;
		enum xg_via via = XG_VIA_NETLINK;

		if (!id)
			continue;
		if (is_xdpgate_prog(id)) {
			ours = id;
		} else if ((ours = find_in_dispatcher(ifindex))) {
			via = XG_VIA_DISPATCHER;
		} else {
			if (other_id && !*other_id)
				*other_id = id;
			continue;
		}
		memset(in, 0, sizeof(*in));
		in->ifindex = ifindex;
		if (!if_indextoname(ifindex, in->ifname))
			snprintf(in->ifname, sizeof(in->ifname), "if%d", ifindex);
		in->hook = XG_HOOK_XDP;
		in->mode = slots[i].mode;
		in->via = via;
		in->prog_id = ours;
		in->attached_id = id;
		if (via == XG_VIA_NETLINK && has_xdp_link(ifindex))
			in->via = XG_VIA_LINK;
		fill_pins(in);
		return 1;
	}
	return 0;
}

int xg_find_instances(const char *ifname, struct xg_instance **out)
{
	struct if_nameindex *ifs, *it;
	struct xg_instance *arr = NULL, in;
	int n = 0, cap = 0, err;

	*out = NULL;
	if (ifname) {
		int idx = xg_ifindex(ifname);

		if (idx < 0)
			return idx;
		err = xg_probe_interface(idx, &in, NULL);
		if (err <= 0)
			return err;
		*out = malloc(sizeof(in));
		if (!*out)
			return -ENOMEM;
		**out = in;
		return 1;
	}

	ifs = if_nameindex();
	if (!ifs)
		return -errno;
	for (it = ifs; it->if_index; it++) {
		if (xg_probe_interface(it->if_index, &in, NULL) != 1)
			continue;
		if (n == cap) {
			struct xg_instance *tmp;

			cap = cap ? cap * 2 : 8;
			tmp = realloc(arr, cap * sizeof(*arr));
			if (!tmp) {
				free(arr);
				if_freenameindex(ifs);
				return -ENOMEM;
			}
			arr = tmp;
		}
		arr[n++] = in;
	}
	if_freenameindex(ifs);
	*out = arr;
	return n;
}

void xg_maps_close(struct xg_maps *m)
{
	for (int i = 0; i < XG_NR_MAPS; i++) {
		int *fd = xg_maps_slot(m, i);

		if (*fd >= 0)
			close(*fd);
		*fd = -1;
	}
}

const char *const xg_map_names[XG_NR_MAPS] = {
	XG_MAP_SRC_V4, XG_MAP_SRC_V6, XG_MAP_ACTIONS, XG_MAP_REASONS,
	XG_MAP_HOT_V4, XG_MAP_HOT_V6, XG_MAP_POL_STATE, XG_MAP_POL_V4,
	XG_MAP_POL_V6, XG_MAP_POL_HITS, XG_MAP_POL_BKT, XG_MAP_POL_TX,
	XG_MAP_SKETCH, XG_MAP_CPU,
};

int *xg_maps_slot(struct xg_maps *m, int i)
{
	int *fds[XG_NR_MAPS] = { &m->src_v4, &m->src_v6, &m->actions,
				 &m->reasons, &m->hot_v4, &m->hot_v6,
				 &m->pol_state, &m->pol_v4, &m->pol_v6,
				 &m->pol_hits, &m->pol_bkt, &m->pol_tx,
				 &m->sketch, &m->cpu };

	return i >= 0 && i < XG_NR_MAPS ? fds[i] : NULL;
}

static int *map_slot(struct xg_maps *m, const char *name)
{
	for (int i = 0; i < XG_NR_MAPS; i++)
		if (!strcmp(name, xg_map_names[i]))
			return xg_maps_slot(m, i);
	return NULL;
}

int xg_prog_maps(__u32 prog_id, struct xg_maps *m)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info), ids[64], i;
	int fd, err = 0;

	for (i = 0; i < XG_NR_MAPS; i++)
		*xg_maps_slot(m, (int)i) = -1;
	fd = bpf_prog_get_fd_by_id(prog_id);
	if (fd < 0)
		return -errno;
	info.nr_map_ids = sizeof(ids) / sizeof(ids[0]);
	info.map_ids = (__u64)(unsigned long)ids;
	if (bpf_obj_get_info_by_fd(fd, &info, &len)) {
		err = -errno;
		goto out;
	}
	for (i = 0; i < info.nr_map_ids && i < sizeof(ids) / sizeof(ids[0]); i++) {
		struct bpf_map_info minfo = {};
		__u32 mlen = sizeof(minfo);
		int mfd = bpf_map_get_fd_by_id(ids[i]), *slot;

		if (mfd < 0)
			continue;
		if (bpf_obj_get_info_by_fd(mfd, &minfo, &mlen) ||
		    !(slot = map_slot(m, minfo.name)) || *slot >= 0) {
			close(mfd);
			continue;
		}
		*slot = mfd;
	}
	for (i = 0; i < XG_NR_REQUIRED_MAPS; i++) {
		if (*xg_maps_slot(m, (int)i) < 0) {
			xg_maps_close(m);
			err = -ENOENT;
			break;
		}
	}
out:
	close(fd);
	return err;
}
