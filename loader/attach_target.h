/* SPDX-License-Identifier: GPL-2.0 */
/* The instance directory an attach pins into, made ready before anything
 * is loaded, and put back as it was if the attach fails:
 *
 *   - it is XG_PIN_ROOT/ns<netns>/if<ifindex>/xdp of the interface now,
 *     so a renamed or re-created interface never shares another's maps;
 *   - a directory already there is classified (pin_state.h): one in use is
 *     refused, naming its owner; an orphan without counts (a killed
 *     attach) is removed with a note; an orphan with counts is refused
 *     unless --adopt, so counters are never silently reused;
 *   - --adopt moves an orphan of the same interface name (or the one
 *     named, --adopt=DIR) into place, so its maps and counters carry on,
 *     and the rules (policy directory) beside it when the interface has
 *     none yet;
 *   - the owner record is written LOADING before the caller loads.
 */
#ifndef XG_ATTACH_TARGET_H
#define XG_ATTACH_TARGET_H

#include <stdbool.h>

#include "pins.h"
#include "xdp_attach.h"

struct xg_target {
	char path[XG_PATH_MAX];
	struct xg_netns ns;
	struct xg_owner owner;       /* the record written (LOADING) */
	bool made;                   /* path created by this attach */
	char adopted[XG_PATH_MAX];   /* "" or where the adopted orphan was */
	char adopted_policy[XG_PATH_MAX]; /* "" or where its rules were */
	bool adopted_in_place;       /* the orphan was at path already */
	int old_owner_err;           /* the adopted orphan's record: 0 read */
	struct xg_owner old_owner;
};

/* Make the directory ready and write the LOADING record. 0, or the exit
 * status (1) after printing why.
 */
int xg_target_prepare(const struct xg_attach_req *req, struct xg_target *t);

/* After a failed attach: remove what prepare made, or move the adopted
 * orphan back with its own record.
 */
void xg_target_undo(struct xg_target *t);

/* After the program runs: the ATTACHED record (prog and link ids). A
 * failure is reported as a warning: the instance works and status lists
 * it as running.
 */
void xg_target_commit(struct xg_target *t, __u32 prog_id, __u32 link_id);

/* After a --replace: the record of in's instance directory names the new
 * program and link (an instance whose record says LOADING, an attach
 * killed after attaching, or has none gets an ATTACHED one now).
 * Old-layout and iproute2 pins have no record and are left alone; a
 * failure is a warning (the instance runs).
 */
void xg_target_replaced(const struct xg_instance *in, __u32 prog_id,
			__u32 link_id);

#endif
