// SPDX-License-Identifier: GPL-2.0
/* XG_CG_PIN_DIR: creating it, reading its owner, telling a live layer
 * from an orphan, removing it. See cgroups_pins.h for the rules.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "cgroups_pins.h"
#include "log.h"
#include "util.h"
#include "xdpgate_sock.skel.h"

#define LINK_PREFIX "link_"

static int pin_path(char *buf, size_t len, const char *name)
{
	int n = snprintf(buf, len, "%s/%.255s", XG_CG_PIN_DIR, name);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

static int write_owner(__u32 state, __u32 prog_id, __u32 link_id)
{
	struct xg_owner o = {
		.version = XG_OWNER_VERSION,
		.state = state,
		.hook = XG_HOOK_CGROUP,
		.prog_id = prog_id,
		.link_id = link_id,
	};
	char path[XG_PATH_MAX * 2], ns[64];
	struct timespec ts;
	struct stat st;
	__u32 key = 0;
	int fd, err = 0;

	clock_gettime(CLOCK_REALTIME, &ts);
	o.created_ns = (__u64)ts.tv_sec * 1000000000ull + ts.tv_nsec;
	snprintf(ns, sizeof(ns), "/proc/self/ns/net");
	if (!stat(ns, &st))
		o.netns_ino = st.st_ino;
	snprintf(o.ifname, sizeof(o.ifname), "cgroup");
	pin_path(path, sizeof(path), XG_MAP_OWNER);
	fd = bpf_obj_get(path);
	if (fd < 0) {
		fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, XG_MAP_OWNER, sizeof(key),
				    sizeof(o), 1, NULL);
		if (fd < 0)
			return -errno;
		if (bpf_obj_pin(fd, path))
			err = -errno;
	}
	if (!err && bpf_map_update_elem(fd, &key, &o, BPF_ANY))
		err = -errno;
	close(fd);
	return err;
}

int xg_cg_pins_begin(void)
{
	int err = xg_ensure_bpffs();

	if (err)
		return err;
	if (mkdir(XG_PIN_ROOT, 0700) && errno != EEXIST)
		return -errno;
	if (mkdir(XG_CG_PIN_DIR, 0700))
		return -errno;
	return write_owner(XG_OWNER_LOADING, 0, 0);
}

static int pin_map(const struct bpf_map *m)
{
	char path[XG_PATH_MAX * 2];
	int err = pin_path(path, sizeof(path), bpf_map__name(m));

	return err ? err : bpf_map__pin((struct bpf_map *)m, path);
}

static __u32 link_id(const struct bpf_link *l, __u32 *prog_id)
{
	struct bpf_link_info info = {};
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(bpf_link__fd(l), &info, &len))
		return 0;
	*prog_id = info.prog_id;
	return info.id;
}

int xg_cg_pins_commit(const struct xg_cg_session *s)
{
	const struct bpf_map *maps[] = { s->skel->maps.xg_cg_stats,
		s->skel->maps.xg_cg_misc, s->skel->maps.xg_cg_info };
	char path[XG_PATH_MAX * 2], name[64];
	__u32 key = 0, prog_id = 0, first_link = 0;
	int err;

	for (size_t i = 0; i < sizeof(maps) / sizeof(maps[0]); i++) {
		err = pin_map(maps[i]);
		if (err) {
			xg_err("cgroups: cannot pin map %s in %s: %s",
			       bpf_map__name(maps[i]), XG_CG_PIN_DIR, xg_strerror(err));
			return err;
		}
	}
	if (bpf_map_update_elem(bpf_map__fd(s->skel->maps.xg_cg_info), &key,
				&s->info, BPF_ANY))
		return -errno;
	for (int i = 0; i < s->nr_links; i++) {
		snprintf(name, sizeof(name), LINK_PREFIX "%s", s->link_prog[i]);
		pin_path(path, sizeof(path), name);
		err = bpf_link__pin(s->links[i], path);
		if (err) {
			xg_err("cgroups: backend %s: cannot pin the link of program "
			       "%s: %s", xg_cg_backend_name(s->backend),
			       s->link_prog[i], xg_strerror(err));
			return err;
		}
		if (!first_link)
			first_link = link_id(s->links[i], &prog_id);
	}
	return write_owner(XG_OWNER_ATTACHED, prog_id, first_link);
}

static int read_map_value(const char *name, void *val)
{
	char path[XG_PATH_MAX * 2];
	__u32 key = 0;
	int fd, err = 0;

	pin_path(path, sizeof(path), name);
	fd = bpf_obj_get(path);
	if (fd < 0)
		return -errno;
	if (bpf_map_lookup_elem(fd, &key, val))
		err = -errno;
	close(fd);
	return err;
}

static int open_pin(const char *name)
{
	char path[XG_PATH_MAX * 2];

	pin_path(path, sizeof(path), name);
	return bpf_obj_get(path);
}

/* Every link pin opens and is a link; how many there are. */
static int count_links(char *why, size_t len)
{
	struct dirent *de;
	DIR *d = opendir(XG_CG_PIN_DIR);
	int n = 0;

	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		struct bpf_link_info info = {};
		__u32 ilen = sizeof(info);
		int fd;

		if (strncmp(de->d_name, LINK_PREFIX, strlen(LINK_PREFIX)))
			continue;
		fd = open_pin(de->d_name);
		if (fd < 0 || bpf_obj_get_info_by_fd(fd, &info, &ilen)) {
			snprintf(why, len, "link pin %.64s cannot be opened", de->d_name);
			n = -EBADF;
		}
		if (fd >= 0)
			close(fd);
		if (n < 0)
			break;
		n++;
	}
	closedir(d);
	return n;
}

static void orphan_check(struct xg_cg_pinned *p)
{
	int links, fd;

	p->state = XG_CG_PINS_ORPHAN;
	if (!p->have_owner) {
		snprintf(p->why, sizeof(p->why), "no readable %s record", XG_MAP_OWNER);
		return;
	}
	if (p->owner.state != XG_OWNER_ATTACHED) {
		snprintf(p->why, sizeof(p->why),
			 "an attach did not finish (owner still LOADING)");
		return;
	}
	if (!p->have_info || p->stats_fd < 0) {
		snprintf(p->why, sizeof(p->why), "maps missing from %s", XG_CG_PIN_DIR);
		return;
	}
	links = count_links(p->why, sizeof(p->why));
	if (links < 0)
		return;
	if ((__u32)links != p->info.nr_links) {
		snprintf(p->why, sizeof(p->why),
			 "%d of %u program links left: the programs no longer run",
			 links, p->info.nr_links);
		return;
	}
	fd = bpf_prog_get_fd_by_id(p->owner.prog_id);
	if (fd < 0) {
		snprintf(p->why, sizeof(p->why), "program %u is gone",
			 p->owner.prog_id);
		return;
	}
	close(fd);
	p->state = XG_CG_PINS_ATTACHED;
}

int xg_cg_pins_inspect(struct xg_cg_pinned *p)
{
	struct stat st;

	memset(p, 0, sizeof(*p));
	p->stats_fd = p->misc_fd = -1;
	if (stat(XG_CG_PIN_DIR, &st)) {
		if (errno == ENOENT)
			return 0; /* XG_CG_PINS_NONE */
		return -errno;
	}
	p->have_owner = !read_map_value(XG_MAP_OWNER, &p->owner) &&
			p->owner.hook == XG_HOOK_CGROUP;
	p->have_info = !read_map_value(XG_CG_MAP_INFO, &p->info) &&
		       p->info.version == XG_CG_INFO_VERSION;
	p->stats_fd = open_pin(XG_CG_MAP_STATS);
	p->misc_fd = open_pin(XG_CG_MAP_MISC);
	orphan_check(p);
	return 0;
}

void xg_cg_pinned_close(struct xg_cg_pinned *p)
{
	if (p->stats_fd >= 0)
		close(p->stats_fd);
	if (p->misc_fd >= 0)
		close(p->misc_fd);
	p->stats_fd = p->misc_fd = -1;
}

int xg_cg_pins_remove(void)
{
	return xg_remove_pin_dir(XG_CG_PIN_DIR);
}
