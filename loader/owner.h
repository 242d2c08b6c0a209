/* SPDX-License-Identifier: GPL-2.0 */
/* The owner record of an instance directory: XG_MAP_OWNER, a 1-entry
 * array map (BPF_F_RDONLY_PROG: no program can write it) whose value is
 * struct xg_owner (xdpgate_types.h). An attach creates it LOADING before
 * it loads or attaches anything and rewrites it ATTACHED, with the program
 * and link ids, once the hook runs the program; a replace rewrites the
 * program id. The map is created, filled and only then pinned, so a record
 * is either all there or not there at all.
 */
#ifndef XG_OWNER_H
#define XG_OWNER_H

#include <stdbool.h>
#include <linux/types.h>

#include "pins.h"
#include "xdpgate_types.h"

/* A LOADING record for an instance about to be made (created_ns now). */
void xg_owner_init(struct xg_owner *o, const struct xg_netns *ns,
		   __u32 ifindex, const char *ifname, enum xg_hook hook);

/* Write the record into dir/XG_MAP_OWNER, creating and pinning the map if
 * it is not there yet. 0 or a negative errno (reported).
 */
int xg_owner_write(const char *dir, const struct xg_owner *o);

/* Read dir's record: 0; -ENOENT when there is none; -EPROTO when the map
 * there is not an owner record; another negative errno from the kernel.
 */
int xg_owner_read(const char *dir, struct xg_owner *o);

/* Remove dir/XG_MAP_OWNER (undoing a write on a directory that had none). */
void xg_owner_remove(const char *dir);

enum xg_owner_run {
	XG_OWNER_GONE = 0,    /* the program (or its link) is gone or detached */
	XG_OWNER_HERE = 1,    /* the hook on the recorded interface of this
			       * network namespace runs the recorded program */
	XG_OWNER_UNKNOWN = 2, /* the program is loaded, but not where recorded
			       * as far as this namespace can see: another
			       * netns, or an interface moved away */
};

/* Is the recorded owner (an ATTACHED record) still running? A LOADING
 * record has no program yet and reads XG_OWNER_GONE: callers hold the
 * lock, so no attach is under way, and one that was killed left it.
 * Returns an enum xg_owner_run or a negative errno.
 */
int xg_owner_running(const struct xg_owner *o, const struct xg_netns *self);

/* 1 when the bpf_link pinned at path still attaches a program (to an
 * interface or cgroup), 0 when it is defunct or path is not a link,
 * negative errno when the kernel would not say. *prog_id (if not NULL)
 * gets the link's program.
 */
int xg_link_pin_live_prog(const char *path, __u32 *prog_id);
int xg_link_pin_live(const char *path);

const char *xg_owner_state_name(__u32 state);

#endif
