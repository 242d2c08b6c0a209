// SPDX-License-Identifier: GPL-2.0
/* Pin paths, the netns they are keyed by, creating, listing and removing
 * pin directories. Who owns a directory is owner.c; whether it is orphaned
 * is pin_state.c.
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "log.h"
#include "owner.h"
#include "pins.h"
#include "xdpgate_limits.h"
#include "util.h"

#ifndef SO_NETNS_COOKIE
#define SO_NETNS_COOKIE 71 /* Linux 5.14; asm-generic value on every arch */
#endif

int xg_netns_self(struct xg_netns *ns)
{
	socklen_t len = sizeof(ns->cookie);
	struct stat st;
	int fd, err = 0;

	memset(ns, 0, sizeof(*ns));
	if (stat("/proc/thread-self/ns/net", &st) == 0)
		ns->ino = st.st_ino;
	else if (stat("/proc/self/ns/net", &st) == 0)
		ns->ino = st.st_ino;
	else
		err = -errno;
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd >= 0) {
		if (getsockopt(fd, SOL_SOCKET, SO_NETNS_COOKIE, &ns->cookie, &len))
			ns->cookie = 0; /* ENOPROTOOPT before 5.14: use the inode */
		close(fd);
	}
	if (!ns->cookie && !ns->ino)
		return err ? err : -ENOENT;
	return 0;
}

bool xg_netns_eq(const struct xg_netns *a, const struct xg_netns *b)
{
	if (a->cookie && b->cookie)
		return a->cookie == b->cookie;
	return a->ino && a->ino == b->ino;
}

int xg_netns_dirname(const struct xg_netns *ns, char *buf, size_t len)
{
	int n = ns->cookie ? snprintf(buf, len, "ns%" PRIu64, (uint64_t)ns->cookie)
			   : snprintf(buf, len, "nsino%" PRIu64, (uint64_t)ns->ino);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

/* Inverse of xg_netns_dirname; digits only, no sign, no leading zero. */
static int parse_netns(const char *name, struct xg_netns *ns)
{
	const char *digits;
	unsigned long long v;
	char *end;

	memset(ns, 0, sizeof(*ns));
	if (!strncmp(name, "nsino", 5))
		digits = name + 5;
	else if (!strncmp(name, "ns", 2))
		digits = name + 2;
	else
		return -EINVAL;
	if (*digits < '1' || *digits > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(digits, &end, 10);
	if (errno || *end)
		return -EINVAL;
	if (digits == name + 5)
		ns->ino = v;
	else
		ns->cookie = v;
	return 0;
}

static const char *const hook_dirs[XG_HOOK__MAX] = {
	[XG_HOOK_XDP] = "xdp",
	[XG_HOOK_TC_INGRESS] = "tc-ingress",
	[XG_HOOK_TC_EGRESS] = "tc-egress",
	[XG_HOOK_CGROUP] = "cgroup",
};

const char *xg_hook_dir(enum xg_hook hook)
{
	return hook < XG_HOOK__MAX ? hook_dirs[hook] : "?";
}

static int parse_hook(const char *name, enum xg_hook *hook)
{
	for (int h = 0; h < XG_HOOK__MAX; h++) {
		if (h != XG_HOOK_CGROUP && !strcmp(name, hook_dirs[h])) {
			*hook = (enum xg_hook)h;
			return 0;
		}
	}
	return -EINVAL;
}

int xg_if_path(const struct xg_netns *ns, __u32 ifindex, const char *leaf,
	       char *buf, size_t len)
{
	char nsname[32];
	int n;

	if (xg_netns_dirname(ns, nsname, sizeof(nsname)))
		return -ENAMETOOLONG;
	n = snprintf(buf, len, "%s/%s/if%u%s%s", XG_PIN_ROOT, nsname, ifindex,
		     leaf ? "/" : "", leaf ? leaf : "");
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

int xg_inst_path(const struct xg_netns *ns, __u32 ifindex, enum xg_hook hook,
		 char *buf, size_t len)
{
	if (hook == XG_HOOK_CGROUP) {
		int n = snprintf(buf, len, "%s/%s", XG_PIN_ROOT, hook_dirs[hook]);

		return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
	}
	if (hook >= XG_HOOK__MAX)
		return -EINVAL;
	return xg_if_path(ns, ifindex, hook_dirs[hook], buf, len);
}

int xg_pins_mkdir(const char *path)
{
	char buf[XG_PATH_MAX];
	size_t root = strlen(XG_BPFFS);
	int err;

	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf))
		return -ENAMETOOLONG;
	/* Each component below XG_BPFFS, then the whole path. */
	for (char *p = buf + root + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		if (mkdir(buf, 0700) && errno != EEXIST)
			goto fail;
		*p = '/';
	}
	if (mkdir(buf, 0700) && errno != EEXIST)
		goto fail;
	return 0;
fail:
	err = -errno;
	xg_err("cannot create pin directory %s: %s", buf, strerror(errno));
	return err;
}

void xg_pins_prune_parents(const char *dir)
{
	char buf[XG_PATH_MAX];
	char *slash;

	snprintf(buf, sizeof(buf), "%s", dir);
	while ((slash = strrchr(buf, '/')) && slash > buf) {
		*slash = '\0';
		if (strlen(buf) < strlen(XG_PIN_ROOT) || rmdir(buf))
			break;
	}
}

int xg_pins_remove(const char *dir)
{
	char path[XG_PATH_MAX * 2];
	struct dirent *de;
	DIR *d = opendir(dir);
	int err = 0;

	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (xg_link_pin_live(path) > 0) {
			xg_err("%s is a bpf_link still attaching a program: left alone",
			       path);
			err = -EBUSY;
			continue;
		}
		if (de->d_type == DT_DIR)
			err = err ?: xg_pins_remove(path);
		else if (unlink(path) && errno != ENOENT) {
			err = -errno;
			xg_err("cannot remove pin %s: %s", path, strerror(-err));
		}
	}
	closedir(d);
	if (!err && rmdir(dir) && errno != ENOENT) {
		err = -errno;
		xg_err("cannot remove pin directory %s: %s", dir, strerror(-err));
	}
	if (!err)
		xg_pins_prune_parents(dir);
	return err;
}

/* ----- the walk ----- */

struct walk {
	struct xg_pindir *v;
	int n, cap;
};

static struct xg_pindir *push(struct walk *w, const char *path,
			      enum xg_pindir_kind kind)
{
	struct xg_pindir *d;

	if (w->n == w->cap) {
		int cap = w->cap ? w->cap * 2 : 16;
		struct xg_pindir *v = realloc(w->v, cap * sizeof(*v));

		if (!v)
			return NULL;
		w->v = v;
		w->cap = cap;
	}
	d = &w->v[w->n++];
	memset(d, 0, sizeof(*d));
	snprintf(d->path, sizeof(d->path), "%s", path);
	d->kind = kind;
	d->owner_err = -ENOENT;
	if (kind == XG_PD_INSTANCE || kind == XG_PD_LEGACY)
		d->owner_err = xg_owner_read(path, &d->owner);
	return d;
}

/* dir/name into buf; false when it does not fit. */
static bool join(char *buf, size_t len, const char *dir, const char *name)
{
	int n = snprintf(buf, len, "%s/%s", dir, name);

	return n >= 0 && (size_t)n < len;
}

static bool is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Subdirectory names of dir, sorted; NULL-terminated, free with free_names. */
static char **subdirs(const char *dir, int *err)
{
	struct dirent **list = NULL;
	char **out, path[XG_PATH_MAX * 2];
	int n = scandir(dir, &list, NULL, alphasort), k = 0;

	*err = 0;
	if (n < 0) {
		*err = errno == ENOENT ? 0 : -errno;
		return NULL;
	}
	out = calloc(n + 1, sizeof(*out));
	for (int i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, list[i]->d_name);
		if (out && strcmp(list[i]->d_name, ".") && strcmp(list[i]->d_name, "..") &&
		    is_dir(path))
			out[k++] = strdup(list[i]->d_name);
		free(list[i]);
	}
	free(list);
	if (!out)
		*err = -ENOMEM;
	return out;
}

static void free_names(char **names)
{
	for (int i = 0; names && names[i]; i++)
		free(names[i]);
	free(names);
}

/* Give the policy directory of an if<N> (if any, pushed from index first)
 * the name a hook directory beside it recorded.
 */
static void name_policy(struct walk *w, int first)
{
	const char *name = "";

	for (int i = first; i < w->n; i++)
		if (w->v[i].kind == XG_PD_INSTANCE && !w->v[i].owner_err)
			name = w->v[i].owner.ifname;
	for (int i = first; i < w->n; i++)
		if (w->v[i].kind == XG_PD_POLICY)
			snprintf(w->v[i].sibling_ifname,
				 sizeof(w->v[i].sibling_ifname), "%s", name);
}

static int walk_if(struct walk *w, const char *ifdir, const struct xg_netns *ns,
		   __u32 ifindex)
{
	char path[XG_PATH_MAX];
	int err, found = 0, first = w->n;
	char **hooks = subdirs(ifdir, &err);

	for (int i = 0; hooks && hooks[i]; i++) {
		enum xg_pindir_kind kind = XG_PD_INSTANCE;
		enum xg_hook hook = XG_HOOK_XDP;
		struct xg_pindir *d;

		found++; /* anything unknown keeps the directory */
		if (!strcmp(hooks[i], "policy"))
			kind = XG_PD_POLICY;
		else if (parse_hook(hooks[i], &hook))
			continue;
		if (!join(path, sizeof(path), ifdir, hooks[i]))
			continue;
		d = push(w, path, kind);
		if (!d) {
			err = -ENOMEM;
			break;
		}
		d->ns = *ns;
		d->ifindex = ifindex;
		d->hook = hook;
	}
	free_names(hooks);
	name_policy(w, first);
	if (!err && !found) {
		struct xg_pindir *d = push(w, ifdir, XG_PD_EMPTY);

		if (!d)
			return -ENOMEM;
		d->ns = *ns;
		d->ifindex = ifindex;
	}
	return err;
}

static int walk_ns(struct walk *w, const char *nsdir, const struct xg_netns *ns)
{
	char path[XG_PATH_MAX];
	int err, found = 0;
	char **ifs = subdirs(nsdir, &err);

	for (int i = 0; !err && ifs && ifs[i]; i++) {
		unsigned long idx;
		char *end;

		found++;
		if (strncmp(ifs[i], "if", 2) || ifs[i][2] < '1' || ifs[i][2] > '9')
			continue;
		errno = 0;
		idx = strtoul(ifs[i] + 2, &end, 10);
		if (errno || *end || idx > UINT32_MAX)
			continue;
		if (join(path, sizeof(path), nsdir, ifs[i]))
			err = walk_if(w, path, ns, (__u32)idx);
	}
	free_names(ifs);
	if (!err && !found) {
		struct xg_pindir *d = push(w, nsdir, XG_PD_EMPTY);

		if (!d)
			return -ENOMEM;
		d->ns = *ns;
	}
	return err;
}

static int by_path(const void *a, const void *b)
{
	return strcmp(((const struct xg_pindir *)a)->path,
		      ((const struct xg_pindir *)b)->path);
}

int xg_pins_list(struct xg_pindir **out)
{
	struct walk w = {};
	char path[XG_PATH_MAX];
	int err;
	char **top = subdirs(XG_PIN_ROOT, &err);

	for (int i = 0; !err && top && top[i]; i++) {
		struct xg_netns ns;
		struct xg_pindir *d;

		if (!join(path, sizeof(path), XG_PIN_ROOT, top[i]))
			continue;
		if (!strcmp(top[i], xg_hook_dir(XG_HOOK_CGROUP))) {
			/* The socket layer lists and removes its own (cgroups
			 * status / detach) until it moves onto this library.
			 */
			(void)d;
			continue;
		} else if (!parse_netns(top[i], &ns)) {
			err = walk_ns(&w, path, &ns);
		} else if (!push(&w, path, XG_PD_LEGACY)) {
			err = -ENOMEM;
		}
	}
	free_names(top);
	if (err) {
		free(w.v);
		*out = NULL;
		return err;
	}
	if (w.n)
		xg_qsort(w.v, w.n, sizeof(*w.v), by_path);
	*out = w.v;
	return w.n;
}

const char *xg_pindir_ifname(const struct xg_pindir *d)
{
	const char *slash;

	if (d->kind == XG_PD_LEGACY) {
		slash = strrchr(d->path, '/');
		return slash ? slash + 1 : d->path;
	}
	if (d->kind == XG_PD_POLICY)
		return d->sibling_ifname;
	return d->owner_err ? "" : d->owner.ifname;
}
