/* SPDX-License-Identifier: GPL-2.0 */
/* Which loaded programs use which maps, asked of the kernel once per
 * command: every program id (BPF_PROG_GET_NEXT_ID) and the map ids in its
 * info. A pinned map that no loaded program uses is one nobody counts
 * into any more, whichever network namespace, interface or tool (this
 * loader, iproute2, libxdp) put the program there; the pin directory and
 * iproute2-pin rules are decided on that, never by scanning interfaces.
 */
#ifndef XG_BPF_USAGE_H
#define XG_BPF_USAGE_H

#include <stddef.h>
#include <linux/types.h>

struct xg_use {
	__u32 map_id;
	__u32 prog_id;
};

struct xg_usage {
	struct xg_use *v; /* sorted by map_id */
	size_t n;
};

/* Walk every loaded program. 0, or a negative errno (-EPERM without
 * CAP_SYS_ADMIN: never read as "no program uses anything").
 */
int xg_usage_load(struct xg_usage *u);
void xg_usage_free(struct xg_usage *u);

/* A program other than except_prog (0: none) that uses map_id, or 0. */
__u32 xg_usage_user(const struct xg_usage *u, __u32 map_id, __u32 except_prog);

/* The id of the map behind an fd; 0 on error. */
__u32 xg_fd_map_id(int fd);

/* What a bpf fd (e.g. from bpf_obj_get on a pin) refers to. Object info
 * is filled according to the kind, so ask this before reading it.
 */
enum xg_fd_kind {
	XG_FD_OTHER = 0,
	XG_FD_MAP,
	XG_FD_PROG,
	XG_FD_LINK,
};
enum xg_fd_kind xg_fd_kind(int fd);

#endif
