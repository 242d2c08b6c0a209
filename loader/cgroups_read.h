/* SPDX-License-Identifier: GPL-2.0 */
/* Reading the socket layer's counters: one row per cgroup, every CPU's
 * cells summed, the id resolved to a path and a name. Removed cgroups are
 * reported by the read that finds them removed and then dropped from the
 * map (xg_cg_drop_removed), so the map never fills with the dead.
 */
#ifndef XG_CGROUPS_READ_H
#define XG_CGROUPS_READ_H

#include <stddef.h>
#include <linux/types.h>

#include "cgroups_resolve.h"
#include "xdpgate_cgroup.h"

struct xg_cg_row {
	__u64 id;
	struct xg_cg_stats sum;    /* summed over CPUs */
	__u64 bytes, packets;      /* every cell */
	__u64 tx_bytes, tx_packets, rx_bytes, rx_packets;
	enum xg_cg_state state;
	char *path;                /* malloc'd; "" when removed or unknown */
	char name[XG_CG_NAME_MAX];
};

/* Every row of xg_cg_stats, summed and totalled, each id once even if
 * the map changes meanwhile. *rows is malloc'd (xg_cg_rows_free).
 * Returns 0 or -errno (-EPROTO: not an xg_cg_stats map).
 */
int xg_cg_read(int stats_fd, struct xg_cg_row **rows, size_t *n);

/* Fill state, path and name of every row (cached per process). */
void xg_cg_rows_resolve(struct xg_cg_row *rows, size_t n);

void xg_cg_rows_free(struct xg_cg_row *rows, size_t n);

enum xg_cg_sort { XG_CG_SORT_BYTES = 0, XG_CG_SORT_PACKETS };
/* Busiest first, ties by id. */
void xg_cg_rows_sort(struct xg_cg_row *rows, size_t n, enum xg_cg_sort key);

/* After rows were reported: delete the map rows of removed cgroups whose
 * counters have not moved since they were read (counts a surviving socket
 * added meanwhile stay for the next read). Returns how many were dropped.
 */
int xg_cg_drop_removed(int stats_fd, const struct xg_cg_row *rows, size_t n);

/* Sum the per-CPU xg_cg_misc array into out[XG_CG_EV__MAX]. */
int xg_cg_read_misc(int misc_fd, struct xg_counter *out);

#endif
