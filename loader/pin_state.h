/* SPDX-License-Identifier: GPL-2.0 */
/* Whether a pin directory is running, in use elsewhere, or orphaned, and
 * why. Decided on what the kernel says, in this order:
 *
 *   1. The owner record names a program that the hook on the recorded
 *      interface of this network namespace runs: running.
 *   2. A loaded program uses one of the directory's maps, or a bpf_link
 *      pinned there still attaches: in use. If that program runs on the
 *      directory's own interface (an attach killed after attaching, before
 *      it wrote ATTACHED), running; otherwise "elsewhere" (another network
 *      namespace, an interface moved away): never removed from here. A
 *      defunct link pinned in the directory holds its program loaded, so
 *      that program does not count.
 *   3. Otherwise an orphan: no program counts into it any more. Its reason
 *      says why, for people: the record is missing (a killed attach), says
 *      LOADING (a killed attach), the map set is incomplete, the interface
 *      is gone, or the owner no longer runs.
 *
 * The caller holds XG_LOCK_FILE (status shared, attach and detach
 * exclusive), so no attach is under way: a LOADING record is a dead one.
 */
#ifndef XG_PIN_STATE_H
#define XG_PIN_STATE_H

#include "bpf_usage.h"
#include "pins.h"

enum xg_pin_state {
	XG_PIN_RUNNING = 0,
	XG_PIN_ELSEWHERE,
	XG_PIN_ORPHAN,
};

enum xg_orphan_reason {
	XG_ORPHAN_NONE = 0,
	XG_ORPHAN_IFACE_GONE,   /* the recorded interface no longer exists */
	XG_ORPHAN_OWNER_GONE,   /* the interface exists, the owner program does not run */
	XG_ORPHAN_UNFINISHED,   /* record still LOADING: an attach that did not finish */
	XG_ORPHAN_NO_OWNER,     /* no (readable) owner record */
	XG_ORPHAN_INCOMPLETE,   /* the hook's map set is incomplete */
	XG_ORPHAN_OLD_LAYOUT,   /* XG_PIN_ROOT/<ifname> of an older xdpgate */
	XG_ORPHAN_EMPTY,        /* an empty ns<>/ or if<>/ directory */
	XG_ORPHAN_RULES,        /* a policy directory no program uses */
	XG_ORPHAN__MAX,
};

/* Classify d (from xg_pins_list) in place: d->state, d->reason,
 * d->user_prog. u is the program -> map index of this command. 0 or a
 * negative errno (the directory is then left as "elsewhere": unknown is
 * never removable).
 */
int xg_pins_classify(struct xg_pindir *d, const struct xg_netns *self,
		     const struct xg_usage *u);

/* Every directory listed and classified: xg_pins_list + xg_usage_load +
 * xg_pins_classify. *out as for xg_pins_list; returns the count or a
 * negative errno (reported, with what).
 */
int xg_pins_survey(const char *what, struct xg_pindir **out);

/* Does d belong to one of the n interface names? Its recorded name, an
 * old-layout directory's name, or, for an instance directory of this
 * network namespace whose record cannot say, the name its ifindex has now.
 */
bool xg_pindir_matches(const struct xg_pindir *d, const struct xg_netns *self,
		       char *const *names, int n);

/* Does the directory hold counts (any packet in its xg_actions)? 1, 0 */
int xg_pindir_has_counts(const char *dir);

const char *xg_pin_state_name(int state);
const char *xg_orphan_reason_name(int reason);   /* for JSON: interface_gone ... */
const char *xg_orphan_reason_text(int reason);   /* for people */

#endif
