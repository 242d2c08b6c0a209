/* SPDX-License-Identifier: GPL-2.0 */
/* From a cgroup v2 id to what people call it: the path in the v2
 * hierarchy (wherever it is mounted) and a short name (a systemd unit, a
 * container id, a slice). Ids of removed cgroups are told apart from ids
 * that cannot be resolved for another reason.
 */
#ifndef XG_CGROUPS_RESOLVE_H
#define XG_CGROUPS_RESOLVE_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#define XG_CG_PATH_MAX 4096
#define XG_CG_NAME_MAX 160

/* Where the v2 hierarchy is mounted: /sys/fs/cgroup, /sys/fs/cgroup/unified
 * or wherever /proc/self/mountinfo says. 0 or -ENOENT.
 */
int xg_cg_v2_mount(char *buf, size_t len);

/* The cgroup id of an open cgroup directory (its kernfs node id), 0 on
 * error.
 */
__u64 xg_cg_id_of_fd(int fd);
/* Same for a path; 0 on error. */
__u64 xg_cg_id_of_path(const char *path);

enum xg_cg_state {
	XG_CG_LIVE = 0,    /* path filled */
	XG_CG_REMOVED,     /* the cgroup no longer exists */
	XG_CG_UNKNOWN,     /* cannot tell (no v2 mount, no permission) */
};

/* Resolve id to its path relative to the v2 root ("/" for the root,
 * "/system.slice/nginx.service"). Answers are cached for the process;
 * open_by_handle_at first, a walk of the hierarchy where the kernel or
 * the caller's privileges refuse it.
 */
enum xg_cg_state xg_cg_resolve(__u64 id, char *path, size_t len);

/* Forget cached answers (a long-running reader calls it between reads). */
void xg_cg_resolve_reset(void);

/* The name a user knows the cgroup by: "nginx.service", "docker 3f2a1b4c5d6e",
 * "system.slice", "/" or, for paths systemd and container runtimes did
 * not make, the path itself.
 */
void xg_cg_display_name(const char *path, char *buf, size_t len);

#endif
