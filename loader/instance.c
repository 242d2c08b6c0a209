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

#include "bpf_usage.h"
#include "instance.h"
#include "xdpgate_sketch.h"
#include "pins.h"
#include "log.h"
#include "tc_hook.h"
#include "xdpgate_limits.h"
#include "xdpgate_policy.h"
#include "util.h"

const char *xg_mode_name(enum xg_xdp_mode mode)
{
	switch (mode) {
	case XG_MODE_NATIVE: return "native";
	case XG_MODE_SKB: return "skb";
	case XG_MODE_HW: return "hw";
	case XG_MODE_NONE: return "-";
	}
	return "?";
}

const char *xg_via_name(enum xg_via via)
{
	switch (via) {
	case XG_VIA_NETLINK: return "netlink";
	case XG_VIA_LINK: return "bpf_link";
	case XG_VIA_DISPATCHER: return "libxdp";
	case XG_VIA_TCX: return "tcx";
	case XG_VIA_CLSACT: return "clsact";
	}
	return "?";
}

const char *xg_hook_name(enum xg_hook hook)
{
	switch (hook) {
	case XG_HOOK_XDP: return "xdp";
	case XG_HOOK_TC_INGRESS:
	case XG_HOOK_TC_EGRESS: return "tc";
	case XG_HOOK_CGROUP: return "cgroup";
	default: return "?";
	}
}

const char *xg_hook_direction(enum xg_hook hook)
{
	return hook == XG_HOOK_TC_EGRESS ? "egress" : "ingress";
}

const char *xg_hook_key(enum xg_hook hook)
{
	return hook == XG_HOOK_TC_EGRESS ? "destination" : "source";
}

const char *xg_hook_prog_name(enum xg_hook hook)
{
	switch (hook) {
	case XG_HOOK_TC_INGRESS: return XG_PROG_NAME_TC_INGRESS;
	case XG_HOOK_TC_EGRESS: return XG_PROG_NAME_TC_EGRESS;
	default: return XG_PROG_NAME_XDP;
	}
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

int xg_prog_is_xdpgate(__u32 id)
{
	struct xg_maps m;
	int err;

	if (!id)
		return 0;
	err = xg_prog_maps(id, &m);
	if (!err) {
		xg_maps_close(&m);
		return 1;
	}
	return err == -ENOENT ? 0 : err;
}

/* The freplace links whose target is the dispatcher, asked of the kernel
 * (bpf_link_info.tracing.target_obj_id, Linux 5.13+): the first that is
 * xdpgate's into *id. 0 found or not; -ENOTSUP when the kernel does not
 * say which program a link extends; negative errno.
 */
static int dispatcher_links(__u32 dispatcher, __u32 *id)
{
	bool told = false, any = false;
	__u32 lid = 0;

	for (;;) {
		struct bpf_link_info li = {};
		__u32 len = sizeof(li);
		int fd, ok, r;

		if (bpf_link_get_next_id(lid, &lid))
			break;
		fd = bpf_link_get_fd_by_id(lid);
		if (fd < 0) {
			if (errno == ENOENT)
				continue;
			return -errno;
		}
		ok = !bpf_obj_get_info_by_fd(fd, &li, &len) &&
		     li.type == BPF_LINK_TYPE_TRACING;
		close(fd);
		if (!ok)
			continue;
		any = true;
		told |= li.tracing.target_obj_id != 0;
		if (li.tracing.target_obj_id != dispatcher)
			continue;
		r = xg_prog_is_xdpgate(li.prog_id);
		if (r < 0)
			return r;
		if (r) {
			*id = li.prog_id;
			return 0;
		}
	}
	if (errno != ENOENT)
		return -errno;
	return any && !told ? -ENOTSUP : 0;
}

/* xdpgate as one component of libxdp's dispatcher (attached as id): its
 * id, 0 if it is not there, negative errno. Only a program named
 * xdp_dispatcher can hold components (libxdp's own test), and those are
 * found through the kernel's links: libxdp 1.3.1's lookup leaks a
 * program fd per call, which a long-running exporter would pile up.
 * Kernels that do not name a link's target get libxdp's lookup.
 */
static int find_in_dispatcher(int ifindex, __u32 attached, __u32 *id)
{
	struct bpf_prog_info info;
	struct xdp_multiprog *mp;
	struct xdp_program *p;
	int r;

	*id = 0;
	r = prog_info_by_id(attached, &info);
	if (r)
		return r == -ENOENT ? 0 : r;
	if (strcmp(info.name, "xdp_dispatcher"))
		return 0;
	r = dispatcher_links(attached, id);
	if (r != -ENOTSUP)
		return r;
	mp = xdp_multiprog__get_from_ifindex(ifindex);
	if (libxdp_get_error(mp))
		return 0;
	for (p = xdp_multiprog__next_prog(NULL, mp), r = 0; p && r == 0;
	     p = xdp_multiprog__next_prog(p, mp)) {
		r = xg_prog_is_xdpgate(xdp_program__id(p));
		if (r == 1)
			*id = xdp_program__id(p);
	}
	xdp_multiprog__close(mp);
	return r < 0 ? r : 0;
}

int xg_pin_dir_matches(const char *dir, __u32 prog_id)
{
	char path[XG_PATH_MAX * 2];
	struct xg_maps m;
	__u32 pinned, ours;
	int fd, err;

	snprintf(path, sizeof(path), "%s/%s", dir, XG_MAP_ACTIONS);
	fd = bpf_obj_get(path);
	if (fd < 0)
		return errno == ENOENT || errno == ENOTDIR ? 0 : -errno;
	pinned = xg_fd_map_id(fd);
	close(fd);
	err = xg_prog_maps(prog_id, &m);
	if (err)
		return err == -ENOENT ? 0 : err;
	ours = xg_fd_map_id(m.actions);
	xg_maps_close(&m);
	return pinned && pinned == ours;
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
	for (;;) {
		struct bpf_link_info info = {};
		__u32 len = sizeof(info);
		int fd;

		if (bpf_link_get_next_id(id, &id))
			return errno == ENOENT ? -ENOENT : -errno;
		fd = bpf_link_get_fd_by_id(id);
		if (fd < 0) {
			if (errno == ENOENT)
				continue; /* gone since it was listed */
			return -errno;
		}
		if (!bpf_obj_get_info_by_fd(fd, &info, &len) &&
		    info.type == BPF_LINK_TYPE_XDP &&
		    (int)info.xdp.ifindex == ifindex)
			return fd;
		close(fd);
	}
}

/* Where the maps of the instance are pinned: its directory in the ns/if
 * layout, an old-layout directory named after the interface (XDP), or
 * iproute2's shared directory (ip's for XDP, tc's for TC). 0 (pin_dir ""
 * when none) or negative errno.
 */
static int fill_pins(struct xg_instance *in)
{
	char dirs[3][XG_PATH_MAX];
	struct xg_netns self;
	int n = 0, r;

	in->pin_dir[0] = '\0';
	r = xg_netns_self(&self);
	if (r)
		return r;
	if (!xg_inst_path(&self, in->ifindex, in->hook, dirs[n], XG_PATH_MAX))
		n++;
	if (in->hook == XG_HOOK_XDP &&
	    snprintf(dirs[n], XG_PATH_MAX, "%s/%s", XG_PIN_ROOT, in->ifname) < XG_PATH_MAX)
		n++;
	snprintf(dirs[n++], XG_PATH_MAX, "%s", in->hook == XG_HOOK_XDP ?
		 XG_IPROUTE2_PIN_DIR : XG_IPROUTE2_TC_PIN_DIR);
	for (int i = 0; i < n; i++) {
		r = xg_pin_dir_matches(dirs[i], in->prog_id);
		if (r < 0)
			return r;
		if (r) {
			memcpy(in->pin_dir, dirs[i], sizeof(in->pin_dir));
			return 0;
		}
	}
	return 0;
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
		int link;

		if (!id)
			continue;
		err = xg_prog_is_xdpgate(id);
		if (err < 0)
			return err;
		if (err) {
			ours = id;
		} else {
			err = find_in_dispatcher(ifindex, id, &ours);
			if (err < 0)
				return err;
			via = XG_VIA_DISPATCHER;
		}
		if (!ours) {
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
		if (via == XG_VIA_NETLINK) {
			link = xg_xdp_link_fd(ifindex);
			if (link >= 0) {
				in->via = XG_VIA_LINK;
				close(link);
			} else if (link != -ENOENT) {
				return link;
			}
		}
		err = fill_pins(in);
		return err ? err : 1;
	}
	return 0;
}

/* xdpgate on a TC hook: the first program there that uses xdpgate's
 * maps (one per hook is all xdpgate attaches; another one beside it,
 * e.g. from iproute2, is left to a later listing).
 */
static int probe_tc(int ifindex, enum xg_hook hook, struct xg_instance *in,
		    __u32 *other_id)
{
	struct xg_tc_prog *v;
	int n = xg_tc_list(ifindex, hook, &v), found = -1, err = 0;

	if (other_id)
		*other_id = 0;
	if (n < 0)
		return n;
	for (int i = 0; i < n && found < 0; i++) {
		err = xg_prog_is_xdpgate(v[i].prog_id);
		if (err < 0)
			break;
		if (err)
			found = i;
		else if (other_id && !*other_id)
			*other_id = v[i].prog_id;
	}
	if (err >= 0 && found >= 0) {
		memset(in, 0, sizeof(*in));
		in->ifindex = ifindex;
		if (!if_indextoname(ifindex, in->ifname))
			snprintf(in->ifname, sizeof(in->ifname), "if%d", ifindex);
		in->hook = hook;
		in->mode = XG_MODE_NONE;
		in->via = v[found].via;
		in->prog_id = in->attached_id = v[found].prog_id;
		in->tc = v[found];
		err = fill_pins(in);
	}
	free(v);
	if (err < 0)
		return err;
	return found >= 0;
}

int xg_probe_hook(int ifindex, enum xg_hook hook, struct xg_instance *in,
		  __u32 *other_id)
{
	if (xg_hook_is_tc(hook))
		return probe_tc(ifindex, hook, in, other_id);
	return xg_probe_interface(ifindex, in, other_id);
}

static int by_ifindex(const void *a, const void *b)
{
	const struct xg_instance *x = a, *y = b;

	if (x->ifindex != y->ifindex)
		return (x->ifindex > y->ifindex) - (x->ifindex < y->ifindex);
	return (x->hook > y->hook) - (x->hook < y->hook);
}

static int append(struct xg_instance **arr, int *n, int *cap,
		  const struct xg_instance *in)
{
	for (int i = 0; i < *n; i++)
		if ((*arr)[i].ifindex == in->ifindex && (*arr)[i].hook == in->hook)
			return 0; /* a name given twice */
	if (*n == *cap) {
		int ncap = *cap ? *cap * 2 : 8;
		struct xg_instance *tmp = realloc(*arr, ncap * sizeof(**arr));

		if (!tmp)
			return -ENOMEM;
		*arr = tmp;
		*cap = ncap;
	}
	(*arr)[(*n)++] = *in;
	return 0;
}

int xg_find_instances(char *const *names, int nnames, struct xg_instance **out)
{
	struct if_nameindex *ifs = NULL;
	struct xg_instance *arr = NULL, in;
	int n = 0, cap = 0, err = 0;

	*out = NULL;
	if (!names) {
		ifs = if_nameindex();
		if (!ifs)
			return -errno;
	}
	for (int i = 0; !err && (names ? i < nnames : ifs[i].if_index != 0); i++) {
		int idx = names ? (int)if_nametoindex(names[i]) : (int)ifs[i].if_index;

		if (!idx)
			continue;
		for (int h = XG_HOOK_XDP; !err && h <= XG_HOOK_TC_EGRESS; h++) {
			err = xg_probe_hook(idx, (enum xg_hook)h, &in, NULL);
			if (err == -ENODEV || err == 0) {
				err = 0; /* gone since listed, or not ours */
				continue;
			}
			if (err > 0)
				err = append(&arr, &n, &cap, &in);
		}
	}
	if (ifs)
		if_freenameindex(ifs);
	if (err < 0) {
		free(arr);
		return err;
	}
	if (n)
		xg_qsort(arr, n, sizeof(*arr), by_ifindex);
	*out = arr;
	return n;
}

int xg_instances_per_iface(struct xg_instance *v, int n)
{
	int k = 0;

	for (int i = 0; i < n; i++)
		if (!k || v[k - 1].ifindex != v[i].ifindex)
			v[k++] = v[i];
	return k;
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
	XG_MAP_HOT_V4, XG_MAP_HOT_V6, XG_MAP_INSERTS, XG_MAP_POL_STATE,
	XG_MAP_POL_V4, XG_MAP_POL_V6, XG_MAP_POL_HITS, XG_MAP_POL_BKT,
	XG_MAP_POL_TX, XG_MAP_SKETCH, XG_MAP_CPU,
};

/* What makes a map xdpgate's, besides its name (the policy maps are
 * matched by name only; type 0 here).
 */
static const struct {
	__u32 type;
	__u32 key_size;
	__u32 value_size;
} map_shapes[XG_NR_MAPS] = {
	[XG_MAPI_SRC_V4] = { BPF_MAP_TYPE_LRU_PERCPU_HASH, 4, sizeof(struct xg_src_stats) },
	[XG_MAPI_SRC_V6] = { BPF_MAP_TYPE_LRU_PERCPU_HASH, sizeof(struct xg_in6_key),
			     sizeof(struct xg_src_stats) },
	[XG_MAPI_ACTIONS] = { BPF_MAP_TYPE_PERCPU_ARRAY, 4, sizeof(struct xg_counter) },
	[XG_MAPI_REASONS] = { BPF_MAP_TYPE_PERCPU_ARRAY, 4, sizeof(struct xg_counter) },
	[XG_MAPI_HOT_V4] = { BPF_MAP_TYPE_PERCPU_ARRAY, 4, sizeof(struct xg_hot_v4) },
	[XG_MAPI_HOT_V6] = { BPF_MAP_TYPE_PERCPU_ARRAY, 4, sizeof(struct xg_hot_v6) },
	[XG_MAPI_INSERTS] = { BPF_MAP_TYPE_PERCPU_ARRAY, 4, sizeof(__u64) },
	[XG_MAPI_SKETCH] = { BPF_MAP_TYPE_PERCPU_ARRAY, 4, sizeof(struct xg_sketch_block) },
	[XG_MAPI_CPU] = { BPF_MAP_TYPE_PERCPU_ARRAY, 4, sizeof(struct xg_cpu) },
};

bool xg_map_shape_ok(int i, const struct bpf_map_info *info)
{
	if (i < 0 || i >= XG_NR_MAPS)
		return false;
	return !map_shapes[i].type ||
	       (info->type == map_shapes[i].type &&
		info->key_size == map_shapes[i].key_size &&
		info->value_size == map_shapes[i].value_size);
}

int *xg_maps_slot(struct xg_maps *m, int i)
{
	int *fds[XG_NR_MAPS] = { &m->src_v4, &m->src_v6, &m->actions,
				 &m->reasons, &m->hot_v4, &m->hot_v6,
				 &m->inserts, &m->pol_state, &m->pol_v4,
				 &m->pol_v6, &m->pol_hits, &m->pol_bkt,
				 &m->pol_tx, &m->sketch, &m->cpu };

	return i >= 0 && i < XG_NR_MAPS ? fds[i] : NULL;
}

static int map_index(const char *name)
{
	for (int i = 0; i < XG_NR_MAPS; i++)
		if (!strcmp(name, xg_map_names[i]))
			return i;
	return -1;
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
		return errno == ENOENT ? -ENOENT : -errno;
	info.nr_map_ids = sizeof(ids) / sizeof(ids[0]);
	info.map_ids = (__u64)(unsigned long)ids;
	if (bpf_obj_get_info_by_fd(fd, &info, &len)) {
		err = -errno;
		goto out;
	}
	for (i = 0; i < info.nr_map_ids && i < sizeof(ids) / sizeof(ids[0]); i++) {
		struct bpf_map_info minfo = {};
		__u32 mlen = sizeof(minfo);
		int mfd = bpf_map_get_fd_by_id(ids[i]), k, *slot;

		if (mfd < 0) {
			if (errno == ENOENT)
				continue;
			err = -errno; /* EPERM is an error, not "not ours" */
			xg_maps_close(m);
			goto out;
		}
		if (bpf_obj_get_info_by_fd(mfd, &minfo, &mlen)) {
			err = -errno;
			close(mfd);
			xg_maps_close(m);
			goto out;
		}
		k = map_index(minfo.name);
		slot = xg_maps_slot(m, k);
		if (!slot || *slot >= 0 || !xg_map_shape_ok(k, &minfo)) {
			close(mfd);
			continue;
		}
		*slot = mfd;
	}
	for (i = 0; i < XG_NR_CORE_MAPS; i++) {
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
