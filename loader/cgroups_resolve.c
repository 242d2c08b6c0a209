// SPDX-License-Identifier: GPL-2.0
/* Cgroup v2 ids to paths. The id of a v2 cgroup is its kernfs node id,
 * which is also its file handle: open_by_handle_at() on the v2 mount opens
 * the cgroup directly (ESTALE once it is removed) and /proc/self/fd names
 * it. Where handles are refused (no CAP_DAC_READ_SEARCH, an old kernel),
 * one walk of the hierarchy per read maps every directory's id to its
 * path; the walk happens after the counters were read, so an id it does
 * not find belongs to a cgroup removed meanwhile.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>
#include <linux/magic.h>

#include "cgroups_resolve.h"

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

static bool is_cgroup2(const char *path)
{
	struct statfs st;

	return statfs(path, &st) == 0 && st.f_type == CGROUP2_SUPER_MAGIC;
}

/* A cgroup2 mount of the whole hierarchy (root "/") in mountinfo. */
static int mountinfo_v2(char *buf, size_t len)
{
	char line[1024], root[512], mnt[512], *dash;
	FILE *f = fopen("/proc/self/mountinfo", "re");
	int err = -ENOENT;

	if (!f)
		return -errno;
	while (err && fgets(line, sizeof(line), f)) {
		dash = strstr(line, " - cgroup2 ");
		if (!dash || sscanf(line, "%*s %*s %*s %511s %511s", root, mnt) != 2)
			continue;
		if (!strcmp(root, "/") && strlen(mnt) < len && is_cgroup2(mnt)) {
			snprintf(buf, len, "%s", mnt);
			err = 0;
		}
	}
	fclose(f);
	return err;
}

int xg_cg_v2_mount(char *buf, size_t len)
{
	static const char *const usual[] = { "/sys/fs/cgroup", "/sys/fs/cgroup/unified" };
	static char found[512];

	if (!*found) {
		for (size_t i = 0; i < sizeof(usual) / sizeof(usual[0]) && !*found; i++)
			if (is_cgroup2(usual[i]))
				snprintf(found, sizeof(found), "%s", usual[i]);
		if (!*found && mountinfo_v2(found, sizeof(found)))
			found[0] = '\0';
	}
	if (!*found)
		return -ENOENT;
	if (strlen(found) >= len)
		return -ENAMETOOLONG;
	snprintf(buf, len, "%s", found);
	return 0;
}

/* A kernfs file handle: 8 bytes, the node id (the room after fh). */
struct cg_handle {
	struct file_handle fh;
	__u64 room;
};

static int handle_type = -1; /* as name_to_handle_at reports it */

static __u64 id_by_handle(int dirfd, const char *path, int flags)
{
	struct cg_handle h = { .fh.handle_bytes = sizeof(__u64) };
	int mnt_id;
	__u64 id;

	if (name_to_handle_at(dirfd, path, &h.fh, &mnt_id, flags) ||
	    h.fh.handle_bytes != sizeof(__u64))
		return 0;
	handle_type = h.fh.handle_type;
	memcpy(&id, h.fh.f_handle, sizeof(id));
	return id;
}

__u64 xg_cg_id_of_fd(int fd)
{
	struct stat st;
	__u64 id = id_by_handle(fd, "", AT_EMPTY_PATH);

	if (!id && !fstat(fd, &st))
		id = st.st_ino; /* the same number on 64-bit kernels */
	return id;
}

__u64 xg_cg_id_of_path(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	__u64 id;

	if (fd < 0)
		return 0;
	id = xg_cg_id_of_fd(fd);
	close(fd);
	return id;
}

/* ---- the cache: id -> state and path, chained hash ---- */

struct cg_entry {
	struct cg_entry *next;
	__u64 id;
	enum xg_cg_state state;
	char path[];
};

#define CACHE_BUCKETS 1024
static struct cg_entry *cache[CACHE_BUCKETS];
static bool walked;   /* the walk below filled the cache since the reset */
static bool no_handles; /* open_by_handle_at refused: walk instead */

static struct cg_entry *cache_get(__u64 id)
{
	for (struct cg_entry *e = cache[id % CACHE_BUCKETS]; e; e = e->next)
		if (e->id == id)
			return e;
	return NULL;
}

static void cache_put(__u64 id, enum xg_cg_state state, const char *path)
{
	struct cg_entry *e;

	if (cache_get(id))
		return;
	e = malloc(sizeof(*e) + strlen(path) + 1);
	if (!e)
		return;
	e->id = id;
	e->state = state;
	strcpy(e->path, path);
	e->next = cache[id % CACHE_BUCKETS];
	cache[id % CACHE_BUCKETS] = e;
}

void xg_cg_resolve_reset(void)
{
	for (int b = 0; b < CACHE_BUCKETS; b++) {
		while (cache[b]) {
			struct cg_entry *e = cache[b];

			cache[b] = e->next;
			free(e);
		}
	}
	walked = false;
}

/* path under the mount point, "/" for the root itself. */
static const char *relative(const char *abs, const char *mnt)
{
	size_t n = strlen(mnt);

	if (strncmp(abs, mnt, n) || (abs[n] && abs[n] != '/'))
		return NULL;
	return abs[n] ? abs + n : "/";
}

static size_t walk_mnt_len;

static int walk_one(const char *fpath, const struct stat *sb, int type,
		    struct FTW *ftw)
{
	if (type == FTW_D)
		cache_put(sb->st_ino, XG_CG_LIVE,
			  fpath[walk_mnt_len] ? fpath + walk_mnt_len : "/");
	return 0;
}

static int walk(const char *mnt)
{
	walk_mnt_len = strlen(mnt);
	walked = true;
	return nftw(mnt, walk_one, 32, FTW_PHYS | FTW_MOUNT);
}

/* open_by_handle_at: LIVE with path, REMOVED, or UNKNOWN (fall back). */
static enum xg_cg_state by_handle(__u64 id, const char *mnt, char *path, size_t len)
{
	struct cg_handle h = { .fh.handle_bytes = sizeof(__u64) };
	char link[64], abs[XG_CG_PATH_MAX];
	int mfd, fd, err;
	ssize_t n;

	mfd = open(mnt, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (mfd < 0)
		return XG_CG_UNKNOWN;
	if (handle_type < 0)
		id_by_handle(mfd, "", AT_EMPTY_PATH);
	h.fh.handle_type = handle_type;
	memcpy(h.fh.f_handle, &id, sizeof(id));
	fd = open_by_handle_at(mfd, &h.fh, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	err = errno;
	close(mfd);
	if (fd < 0) {
		if (err == ESTALE || err == ENOENT)
			return XG_CG_REMOVED;
		no_handles = true;
		return XG_CG_UNKNOWN;
	}
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, abs, sizeof(abs) - 1);
	close(fd);
	if (n <= 0)
		return XG_CG_UNKNOWN;
	abs[n] = '\0';
	if (!relative(abs, mnt)) /* " (deleted)" or outside our view */
		return XG_CG_UNKNOWN;
	snprintf(path, len, "%s", relative(abs, mnt));
	return XG_CG_LIVE;
}

enum xg_cg_state xg_cg_resolve(__u64 id, char *path, size_t len)
{
	char mnt[512];
	struct cg_entry *e = cache_get(id);
	enum xg_cg_state st;

	if (!e && xg_cg_v2_mount(mnt, sizeof(mnt)))
		return XG_CG_UNKNOWN;
	if (!e && !no_handles) {
		st = by_handle(id, mnt, path, len);
		if (st != XG_CG_UNKNOWN) {
			cache_put(id, st, st == XG_CG_LIVE ? path : "");
			return st;
		}
	}
	if (!e && !walked) {
		if (walk(mnt))
			return XG_CG_UNKNOWN;
		e = cache_get(id);
	}
	if (!e) { /* not in a walk made after the counters were read */
		cache_put(id, XG_CG_REMOVED, "");
		return XG_CG_REMOVED;
	}
	snprintf(path, len, "%s", e->path);
	return e->state;
}

/* ---- names people use ---- */

static bool all_hex(const char *s, size_t n)
{
	if (n < 12)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!strchr("0123456789abcdef", s[i]))
			return false;
	return true;
}

/* A container runtime's scope ("docker-<id>.scope") or, with the cgroupfs
 * driver, a bare 64-hex directory under docker/ or kubepods: the runtime
 * and the 12-character short id docker and crictl print.
 */
static bool container_of(const char *comp, size_t n, const char *parent,
			 char *buf, size_t len)
{
	static const struct { const char *prefix, *name; } scopes[] = {
		{ "docker-", "docker" },
		{ "cri-containerd-", "containerd" },
		{ "crio-conmon-", "crio conmon" },
		{ "crio-", "crio" },
		{ "libpod-conmon-", "podman conmon" },
		{ "libpod-", "podman" },
	};

	for (size_t i = 0; i < sizeof(scopes) / sizeof(scopes[0]); i++) {
		size_t p = strlen(scopes[i].prefix);

		if (n > p + 6 && !strncmp(comp, scopes[i].prefix, p) &&
		    !strncmp(comp + n - 6, ".scope", 6) &&
		    all_hex(comp + p, n - p - 6)) {
			snprintf(buf, len, "%s %.12s", scopes[i].name, comp + p);
			return true;
		}
	}
	if (n == 64 && all_hex(comp, n)) {
		snprintf(buf, len, "%s %.12s",
			 parent && !strncmp(parent, "docker", 6) ? "docker" : "container",
			 comp);
		return true;
	}
	return false;
}

static bool systemd_unit(const char *comp)
{
	static const char *const sfx[] = { ".service", ".scope", ".slice",
					   ".socket", ".mount", ".swap" };
	size_t n = strlen(comp);

	for (size_t i = 0; i < sizeof(sfx) / sizeof(sfx[0]); i++) {
		size_t k = strlen(sfx[i]);

		if (n > k && !strcmp(comp + n - k, sfx[i]))
			return true;
	}
	return false;
}

void xg_cg_display_name(const char *path, char *buf, size_t len)
{
	const char *comp = path, *parent = NULL, *last;
	char name[XG_CG_NAME_MAX];

	if (!path || !*path || !strcmp(path, "/")) {
		snprintf(buf, len, "/");
		return;
	}
	while (*comp) {
		size_t n;

		while (*comp == '/')
			comp++;
		n = strcspn(comp, "/");
		if (!n)
			break;
		if (container_of(comp, n, parent, name, sizeof(name))) {
			/* what a container made below its own cgroup */
			snprintf(buf, len, "%s%s", name, comp[n] ? comp + n : "");
			return;
		}
		parent = comp;
		comp += n;
	}
	last = strrchr(path, '/');
	last = last ? last + 1 : path;
	snprintf(buf, len, "%s", systemd_unit(last) ? last : path);
}
