// SPDX-License-Identifier: GPL-2.0
/* The program -> map index behind xg_usage_user(). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "bpf_usage.h"
#include "util.h"

#define XG_USAGE_MAX_MAPS 64 /* per program; xdpgate's use 8 */

static int add(struct xg_usage *u, size_t *cap, __u32 map_id, __u32 prog_id)
{
	if (u->n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 256;
		struct xg_use *v = realloc(u->v, ncap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		u->v = v;
		*cap = ncap;
	}
	u->v[u->n].map_id = map_id;
	u->v[u->n].prog_id = prog_id;
	u->n++;
	return 0;
}

static int by_map(const void *a, const void *b)
{
	const struct xg_use *x = a, *y = b;

	return (x->map_id > y->map_id) - (x->map_id < y->map_id);
}

/* One program's maps; a program gone since its id was listed is skipped. */
static int add_prog(struct xg_usage *u, size_t *cap, __u32 prog_id)
{
	__u32 ids[XG_USAGE_MAX_MAPS];
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);
	int fd = bpf_prog_get_fd_by_id(prog_id), err = 0;

	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	info.nr_map_ids = XG_USAGE_MAX_MAPS;
	info.map_ids = (__u64)(unsigned long)ids;
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		err = -errno;
	for (__u32 i = 0; !err && i < info.nr_map_ids && i < XG_USAGE_MAX_MAPS; i++)
		err = add(u, cap, ids[i], prog_id);
	close(fd);
	return err;
}

int xg_usage_load(struct xg_usage *u)
{
	size_t cap = 0;
	__u32 id = 0;
	int err = 0;

	memset(u, 0, sizeof(*u));
	while (!err) {
		if (bpf_prog_get_next_id(id, &id)) {
			err = errno == ENOENT ? 0 : -errno;
			break;
		}
		err = add_prog(u, &cap, id);
	}
	if (err) {
		xg_usage_free(u);
		return err;
	}
	if (u->n > 1) /* u->v is NULL when no program uses a map */
		xg_qsort(u->v, u->n, sizeof(*u->v), by_map);
	return 0;
}

void xg_usage_free(struct xg_usage *u)
{
	free(u->v);
	u->v = NULL;
	u->n = 0;
}

__u32 xg_usage_user(const struct xg_usage *u, __u32 map_id, __u32 except_prog)
{
	size_t lo = 0, hi = u->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (u->v[mid].map_id < map_id)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < u->n && u->v[lo].map_id == map_id; lo++)
		if (u->v[lo].prog_id != except_prog)
			return u->v[lo].prog_id;
	return 0;
}

__u32 xg_fd_map_id(int fd)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);

	return bpf_obj_get_info_by_fd(fd, &info, &len) ? 0 : info.id;
}

/* bpf fds are anon inodes named after their kind. */
enum xg_fd_kind xg_fd_kind(int fd)
{
	static const struct { const char *name; enum xg_fd_kind kind; } kinds[] = {
		{ "anon_inode:bpf-map", XG_FD_MAP },
		{ "anon_inode:bpf-prog", XG_FD_PROG },
		{ "anon_inode:bpf-link", XG_FD_LINK },
	};
	char path[64], target[64] = "";

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if (readlink(path, target, sizeof(target) - 1) < 0)
		return XG_FD_OTHER;
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (!strcmp(target, kinds[i].name))
			return kinds[i].kind;
	return XG_FD_OTHER;
}
