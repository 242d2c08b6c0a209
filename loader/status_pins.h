/* SPDX-License-Identifier: GPL-2.0 */
/* The pin-directory half of `xdpgate status`: every directory under
 * XG_PIN_ROOT, classified (pin_state.h). Directories of the instances
 * status lists are claimed by them; the rest are listed as orphans or as
 * in use elsewhere, so nothing pinned goes unlisted.
 */
#ifndef XG_STATUS_PINS_H
#define XG_STATUS_PINS_H

#include <stdbool.h>

#include "json.h"
#include "pin_state.h"

struct xg_status_dirs {
	struct xg_pindir *v;
	int n;
	bool *claimed;
	struct xg_netns self;
};

/* Survey and keep the directories of the named interfaces (all when names
 * is NULL). 0, or 1 after reporting an error.
 */
int xg_status_dirs_read(struct xg_status_dirs *d, char *const *names, int n);
void xg_status_dirs_free(struct xg_status_dirs *d);

/* The entry for an instance's pin path (marked as shown), or NULL; the
 * policy directory beside it, in use, is claimed too (*policy, or NULL).
 */
const struct xg_pindir *xg_status_dirs_claim(struct xg_status_dirs *d,
					     const char *pin_dir,
					     const struct xg_pindir **policy);

/* "orphans": [...], "elsewhere": [...] */
void xg_status_dirs_json(struct xg_json *j, const struct xg_status_dirs *d);
/* The same as two tables, each only when it has rows. */
void xg_status_dirs_table(const struct xg_status_dirs *d);

/* An owner record as a JSON object under key. */
void xg_status_owner_json(struct xg_json *j, const char *key,
			  const struct xg_owner *o);

#endif
