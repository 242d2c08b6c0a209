// SPDX-License-Identifier: GPL-2.0
/* Loading xdpgate's object for an attach: the embedded XDP or TC object
 * (the skeletons' ELF bytes), or an object file given with --obj (same
 * program and map names). Before the
 * kernel sees it, every map it will share (a pin left by an earlier run, or
 * the running program's map on --replace) is checked, so an incompatible
 * map is reported by name instead of as a bare EINVAL from libbpf.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "log.h"
#include "mem_estimate.h"
#include "policy_dir.h"
#include "prog_config.h"
#include "util.h"
#include "xdp_attach.h"
#include "xdpgate_limits.h"
#include "xdpgate_tc.skel.h"
#include "xdpgate_xdp.skel.h"

#define CFG_DROP_UNPARSED "cfg_drop_unparsed"

static bool path_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

/* Map i's pin in the directory it belongs to. */
static void map_pin_path(const struct xg_loaded *l, int i, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s", xg_map_is_policy(i) ? l->pol_dir : l->pin_dir,
		 xg_map_names[i]);
}

/* " from FILE" for messages about an --obj object, "" for the embedded one. */
static const char *source_of(const struct xg_attach_req *req)
{
	static char buf[XG_PATH_MAX + 8];

	if (!req->obj_path)
		return "";
	snprintf(buf, sizeof(buf), " from %s", req->obj_path);
	return buf;
}

#define PROG(req) xg_hook_prog_name((req)->hook)

static int open_object(const struct xg_attach_req *req, struct xg_loaded *l)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts,
		    .pin_root_path = *l->pin_dir ? l->pin_dir : NULL);
	const void *elf;
	size_t size;
	int err;

	if (!req->obj_path) {
		elf = xg_hook_is_tc(req->hook) ? xdpgate_tc__elf_bytes(&size)
					       : xdpgate_xdp__elf_bytes(&size);
		l->obj = bpf_object__open_mem(elf, size, &opts);
		if (!l->obj) {
			err = -errno;
			xg_err("interface %s: open %s: %s", req->ifname,
			       PROG(req), xg_strerror(err));
			return err;
		}
		return 0;
	}
	if (access(req->obj_path, R_OK)) {
		err = -errno;
		xg_err("interface %s: load %s%s: %s", req->ifname,
		       PROG(req), source_of(req), strerror(errno));
		return err;
	}
	l->obj = bpf_object__open_file(req->obj_path, &opts);
	if (!l->obj) {
		err = -errno;
		xg_err("interface %s: load %s%s: not a usable BPF object: %s",
		       req->ifname, PROG(req), source_of(req),
		       xg_strerror(err));
		return err;
	}
	return 0;
}

/* Load only the hook's program: the TC object has one per direction, and
 * an --obj file may carry others. The egress program's section
 * ("tc/egress") is newer than libbpf 1.1, which leaves its type unset: a
 * TC program is SCHED_CLS whatever its section says.
 */
static int pick_program(const struct xg_attach_req *req, struct bpf_object *obj)
{
	enum bpf_prog_type want = xg_hook_is_tc(req->hook) ? BPF_PROG_TYPE_SCHED_CLS
							   : BPF_PROG_TYPE_XDP;
	struct bpf_program *p, *ours = NULL;

	bpf_object__for_each_program(p, obj) {
		if (!strcmp(bpf_program__name(p), PROG(req)))
			ours = p;
		else
			bpf_program__set_autoload(p, false);
	}
	if (!ours) {
		xg_err("interface %s: load %s%s: the object has no program named %s",
		       req->ifname, PROG(req), source_of(req), PROG(req));
		return -ENOENT;
	}
	if (want == BPF_PROG_TYPE_SCHED_CLS &&
	    bpf_program__type(ours) == BPF_PROG_TYPE_UNSPEC)
		bpf_program__set_type(ours, want);
	if (bpf_program__type(ours) != want) {
		xg_err("interface %s: load %s%s: %s is not %s program",
		       req->ifname, PROG(req), source_of(req), PROG(req),
		       want == BPF_PROG_TYPE_XDP ? "an XDP" : "a TC (sched_cls)");
		return -EINVAL;
	}
	return 0;
}

/* For the libbpf setters that fail only on misuse or memory. */
static int map_setup_failed(const struct xg_attach_req *req,
			    const struct bpf_map *map, const char *what, int err)
{
	xg_err("interface %s: load %s%s: map %s: %s: %s", req->ifname,
	       PROG(req), source_of(req), bpf_map__name(map), what,
	       xg_strerror(err));
	return err;
}

/* Can the program share this existing map? Source maps adopt its size. */
static int check_existing(const struct xg_attach_req *req, struct bpf_map *map,
			  int fd, const char *where, bool is_src)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	const char *name = bpf_map__name(map);

	if (bpf_obj_get_info_by_fd(fd, &info, &len)) {
		int err = -errno;

		xg_err("interface %s: load %s: map %s %s: %s", req->ifname,
		       PROG(req), name, where, strerror(errno));
		return err;
	}
	if (info.type != bpf_map__type(map) ||
	    info.key_size != bpf_map__key_size(map) ||
	    info.value_size != bpf_map__value_size(map) ||
	    (!is_src && info.max_entries != bpf_map__max_entries(map))) {
		xg_err("interface %s: load %s%s: map %s %s is incompatible "
		       "(type, key, value or size differ: made by another "
		       "xdpgate version); run 'xdpgate detach %s' first",
		       req->ifname, PROG(req), source_of(req), name,
		       where, req->ifname);
		return -EINVAL;
	}
	if (!is_src)
		return 0;
	if (req->max_sources && req->max_sources != info.max_entries) {
		xg_err("interface %s: load %s: map %s %s holds %u sources but "
		       "--max-sources asks for %u; a map cannot be resized: omit "
		       "--max-sources to keep %u, or run 'xdpgate detach %s' first "
		       "(its counters are lost)", req->ifname, PROG(req),
		       name, where, info.max_entries, req->max_sources,
		       info.max_entries, req->ifname);
		return -EINVAL;
	}
	if (bpf_map__set_max_entries(map, info.max_entries))
		return map_setup_failed(req, map, "set max_entries", -errno);
	return 0;
}

/* Size, pin and share the maps. */
static int prepare_maps(const struct xg_attach_req *req, struct xg_loaded *l,
			struct xg_maps *running)
{
	for (int i = 0; i < XG_NR_MAPS; i++) {
		struct bpf_map *map = bpf_object__find_map_by_name(l->obj, xg_map_names[i]);
		char pin[XG_PATH_MAX * 2], where[XG_PATH_MAX * 2 + 16];
		bool is_src = i == XG_MAPI_SRC_V4 || i == XG_MAPI_SRC_V6;
		int fd = -1, err;

		if (!map) {
			xg_err("interface %s: load %s%s: the object has no map %s",
			       req->ifname, PROG(req), source_of(req),
			       xg_map_names[i]);
			return -ENOENT;
		}
		if (is_src && req->max_sources &&
		    (err = bpf_map__set_max_entries(map, req->max_sources)))
			return map_setup_failed(req, map, "set max_entries", err);
		pin[0] = '\0';
		if (*l->pin_dir)
			map_pin_path(l, i, pin, sizeof(pin));
		/* Set explicitly: an --obj file may not mark its maps pinned. */
		err = bpf_map__set_pin_path(map, *pin ? pin : NULL);
		if (err)
			return map_setup_failed(req, map, "set pin path", err);

		if (running) {
			fd = *xg_maps_slot(running, i);
			snprintf(where, sizeof(where), "of the running program");
		} else if (l->had_pin[i]) {
			fd = bpf_obj_get(pin);
			snprintf(where, sizeof(where), "pinned at %s", pin);
			if (fd < 0) {
				err = -errno;
				xg_err("interface %s: load %s: cannot open pinned map %s: %s",
				       req->ifname, PROG(req), pin,
				       strerror(errno));
				return err;
			}
		}
		if (fd < 0)
			continue;
		err = check_existing(req, map, fd, where, is_src);
		/* Share the map by fd, never by libbpf's pin reuse: libbpf 1.1
		 * refuses a pinned devmap (the kernel adds BPF_F_RDONLY_PROG to
		 * its flags), so a pinned xg_pol_tx could not be reused. A map
		 * pinned already needs no pin path; one of the running program
		 * not pinned yet keeps it, so libbpf pins it.
		 */
		if (!err && (err = bpf_map__reuse_fd(map, fd)))
			map_setup_failed(req, map, "reuse the existing map", err);
		if (!err && l->had_pin[i] && (err = bpf_map__set_pin_path(map, NULL)))
			map_setup_failed(req, map, "clear pin path", err);
		if (!running)
			close(fd);
		if (err)
			return err;
	}
	return 0;
}

/* An offloaded program is verified and JITed for the device, so it and its
 * maps must be loaded for that ifindex; the device refuses what it cannot
 * run (per-CPU LRU maps on every NIC known today) at load time, with the
 * interface and reason in the message.
 */
static void offload_to(int ifindex, struct bpf_object *obj)
{
	struct bpf_program *prog;
	struct bpf_map *map;

	bpf_object__for_each_program(prog, obj)
		bpf_program__set_ifindex(prog, ifindex);
	bpf_object__for_each_map(map, obj)
		bpf_map__set_ifindex(map, ifindex);
}

/* Is a map of the object going to be shared rather than made? */
static bool map_reused(const struct xg_loaded *l, struct xg_maps *running,
		       const struct bpf_map *map)
{
	for (int i = 0; i < XG_NR_MAPS; i++) {
		if (strcmp(bpf_map__name(map), xg_map_names[i]))
			continue;
		return running ? *xg_maps_slot(running, i) >= 0 : l->had_pin[i];
	}
	return false;
}

/* Estimate what the maps this load creates will cost, and refuse above
 * the limit unless --force: before a single byte is allocated.
 */
static int check_memory(const struct xg_attach_req *req, struct xg_loaded *l,
			struct xg_maps *running)
{
	__u64 limit = xg_mem_limit();
	char a[32], b[32];
	struct bpf_map *map;

	l->new_bytes = 0;
	bpf_object__for_each_map(map, l->obj) {
		if (bpf_map__is_internal(map) || map_reused(l, running, map))
			continue;
		l->new_bytes += xg_map_mem_bytes(bpf_map__type(map),
						 bpf_map__key_size(map),
						 bpf_map__value_size(map),
						 bpf_map__max_entries(map),
						 xg_nr_cpus());
	}
	if (!limit || l->new_bytes <= limit)
		return 0;
	if (req->force) {
		xg_warn("interface %s: maps of %s need about %s of kernel memory, "
			"over the limit of %s (1/%d of this machine's memory): "
			"going on (--force)", req->ifname, PROG(req),
			xg_fmt_size(l->new_bytes, a, sizeof(a)),
			xg_fmt_size(limit, b, sizeof(b)), XG_MEM_LIMIT_DIVISOR);
		return 0;
	}
	xg_err("interface %s: load %s: its maps would need about %s of kernel "
	       "memory (%u sources per family x %d possible CPUs), over the "
	       "limit of %s (1/%d of this machine's memory); lower "
	       "--max-sources, or add --force", req->ifname, PROG(req),
	       xg_fmt_size(l->new_bytes, a, sizeof(a)),
	       bpf_map__max_entries(bpf_object__find_map_by_name(l->obj, XG_MAP_SRC_V4)),
	       xg_nr_cpus(), xg_fmt_size(limit, b, sizeof(b)), XG_MEM_LIMIT_DIVISOR);
	return -E2BIG;
}

static int set_cfg(const struct xg_attach_req *req, struct bpf_object *obj,
		   const char *var, const void *val, size_t size)
{
	int err = xg_obj_set_rodata(obj, var, val, size);

	if (err)
		xg_err("interface %s: load %s%s: cannot set %s: %s%s", req->ifname,
		       PROG(req), source_of(req), var, xg_strerror(err),
		       err == -ENOENT ? " (an object without it: another xdpgate version?)" : "");
	return err;
}

/* The admission stage: on unless --exact; its budget of unproven entries
 * follows the source map's size (known once prepare_maps() sized it).
 */
static int configure_admission(const struct xg_attach_req *req,
			       struct bpf_object *obj)
{
	struct bpf_map *src = bpf_object__find_map_by_name(obj, XG_MAP_SRC_V4);
	__u8 exact = req->exact > 0;
	__u32 budget;
	int err;

	if (!src)
		return -ENOENT;
	budget = xg_admit_budget(bpf_map__max_entries(src), xg_nr_cpus());
	err = set_cfg(req, obj, XG_CFG_EXACT, &exact, sizeof(exact));
	if (!err && !exact)
		err = set_cfg(req, obj, XG_CFG_ADMIT_BUDGET, &budget, sizeof(budget));
	return err;
}

static int configure(const struct xg_attach_req *req, struct xg_loaded *l,
		     struct xg_maps *running)
{
	__u8 one = 1;
	int err = pick_program(req, l->obj);

	if (!err)
		err = prepare_maps(req, l, running);
	if (!err)
		err = check_memory(req, l, running);
	if (!err && req->hook == XG_HOOK_XDP && !req->mode_auto &&
	    req->mode == XG_MODE_HW)
		offload_to(req->ifindex, l->obj);
	if (!err && req->drop_unparsed)
		err = set_cfg(req, l->obj, CFG_DROP_UNPARSED, &one, sizeof(one));
	if (!err)
		err = configure_admission(req, l->obj);
	return err;
}

static int load_object(const struct xg_attach_req *req, struct xg_loaded *l)
{
	struct bpf_program *prog;
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);
	int err = bpf_object__load(l->obj);

	if (err) {
		bool hw = !req->mode_auto && req->mode == XG_MODE_HW;

		xg_err("interface %s: load %s%s%s: %s%s", req->ifname,
		       PROG(req), source_of(req),
		       hw ? " for hw offload (the device refused the program or its per-CPU LRU maps)" : "",
		       xg_strerror(err),
		       xg_verbose ? "" : " (run 'xdpgate -v attach ...' for libbpf's log)");
		return err;
	}
	prog = bpf_object__find_program_by_name(l->obj, PROG(req));
	l->prog_fd = bpf_program__fd(prog);
	if (!bpf_obj_get_info_by_fd(l->prog_fd, &info, &len))
		l->prog_id = info.id;
	return 0;
}

/* The rules outlive the hook's own pins (shared by the interface's
 * hooks); iproute2's globals directory keeps everything in one place.
 */
static int pick_policy_dir(const struct xg_attach_req *req, struct xg_loaded *l)
{
	int err;

	if (!strcmp(l->pin_dir, XG_IPROUTE2_PIN_DIR) ||
	    !strcmp(l->pin_dir, XG_IPROUTE2_TC_PIN_DIR)) {
		snprintf(l->pol_dir, sizeof(l->pol_dir), "%s", l->pin_dir);
		return 0;
	}
	err = xg_policy_dir(req->ifindex, l->pol_dir, sizeof(l->pol_dir));
	if (!err && !path_exists(l->pol_dir)) {
		err = xg_make_policy_dir(req->ifindex, l->pol_dir, sizeof(l->pol_dir));
		l->made_pol_dir = !err;
	}
	if (err)
		xg_err("interface %s: load %s: no policy pin directory: %s",
		       req->ifname, PROG(req), xg_strerror(err));
	return err;
}

int xg_load(const struct xg_attach_req *req, const char *pin_dir,
	    struct xg_maps *running, struct xg_loaded *l)
{
	int err;

	memset(l, 0, sizeof(*l));
	l->prog_fd = -1;
	l->req_ifindex = req->ifindex;
	snprintf(l->pin_dir, sizeof(l->pin_dir), "%s", pin_dir ? pin_dir : "");
	err = *l->pin_dir ? pick_policy_dir(req, l) : 0;
	if (err) {
		xg_load_undo(l);
		return err;
	}
	/* Before anything can fail: undo must know every pin that was here. */
	for (int i = 0; *l->pin_dir && i < XG_NR_MAPS; i++) {
		char pin[XG_PATH_MAX * 2];

		map_pin_path(l, i, pin, sizeof(pin));
		l->had_pin[i] = path_exists(pin);
	}
	err = open_object(req, l);
	if (!err)
		err = configure(req, l, running);
	if (!err)
		err = load_object(req, l);
	if (err) {
		xg_load_undo(l);
		xg_load_close(l);
	}
	return err;
}

void xg_load_undo(struct xg_loaded *l)
{
	char pin[XG_PATH_MAX * 2];

	if (!*l->pin_dir)
		return;
	if (l->made_pol_dir)
		xg_remove_policy_dir(l->req_ifindex);
	/* The directory may hold pins of before: remove only what this call
	 * added (the caller removes a directory it made).
	 */
	for (int i = 0; i < XG_NR_MAPS; i++) {
		if (l->had_pin[i] || (l->made_pol_dir && xg_map_is_policy(i)))
			continue;
		map_pin_path(l, i, pin, sizeof(pin));
		if (unlink(pin) && errno != ENOENT)
			xg_warn("cannot remove pin %s: %s", pin, strerror(errno));
	}
}

void xg_load_close(struct xg_loaded *l)
{
	if (l->obj)
		bpf_object__close(l->obj);
	l->obj = NULL;
	l->prog_fd = -1;
}
