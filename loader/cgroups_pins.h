/* SPDX-License-Identifier: GPL-2.0 */
/* The socket layer's pinned state, XG_CG_PIN_DIR: xg_owner (struct
 * xg_owner, hook XG_HOOK_CGROUP, ifindex 0), the maps, and one link pin per
 * attached program so the programs outlive the loader. The rules are the
 * pinned-state model's (issue 6): the owner says LOADING before anything
 * is attached and ATTACHED after; a directory whose programs no longer run
 * is an orphan, listed by status and removed by detach, never reused.
 * Kept behind this narrow interface so it can move onto the shared
 * pin/owner library without touching the callers. Callers that change
 * state hold XG_LOCK_FILE.
 */
#ifndef XG_CGROUPS_PINS_H
#define XG_CGROUPS_PINS_H

#include <stdbool.h>

#include "cgroups_backend.h"
#include "xdpgate_types.h"

enum xg_cg_pin_state {
	XG_CG_PINS_NONE = 0,  /* nothing pinned: not attached */
	XG_CG_PINS_ATTACHED,  /* owner ATTACHED and every link alive */
	XG_CG_PINS_ORPHAN,    /* anything else: why says what is wrong */
};

struct xg_cg_pinned {
	enum xg_cg_pin_state state;
	char why[160];
	bool have_owner, have_info;
	struct xg_owner owner;
	struct xg_cg_info info;
	int stats_fd;   /* -1 when not pinned */
	int misc_fd;
};

/* Look at XG_CG_PIN_DIR without changing it. Returns 0 (p filled; fds
 * to close with xg_cg_pinned_close) or -errno when it cannot be read.
 */
int xg_cg_pins_inspect(struct xg_cg_pinned *p);
void xg_cg_pinned_close(struct xg_cg_pinned *p);

/* Create XG_CG_PIN_DIR (mounting bpffs if needed) with an owner that
 * says LOADING. -EEXIST when the directory is there already.
 */
int xg_cg_pins_begin(void);

/* Pin the session's maps and links, record its info, and mark the owner
 * ATTACHED. On error the caller removes the directory.
 */
int xg_cg_pins_commit(const struct xg_cg_session *s);

/* Unpin everything (each link detaches as its last reference goes) and
 * remove the directory. 0 when nothing is left.
 */
int xg_cg_pins_remove(void);

#endif
