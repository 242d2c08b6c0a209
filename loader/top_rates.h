/* SPDX-License-Identifier: GPL-2.0 */
/* Rates for `xdpgate top`: packets and bits per second per source, per
 * interface and per cgroup, from two successive collections (metrics.h).
 * Pure bookkeeping, no terminal, so the tests can drive it.
 *
 * A source is matched by interface instance (ifindex and hook), family and
 * address; an interface by ifindex and hook; a cgroup by id. A counter that
 * went down (the source was evicted and came back, the instance was
 * replaced by a fresh one) counts from zero, as Prometheus's rate() does.
 * Nothing has a rate before the second collection.
 */
#ifndef XG_TOP_RATES_H
#define XG_TOP_RATES_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#include "metrics.h"

enum xg_top_view { XG_TOP_SOURCES = 0, XG_TOP_INTERFACES, XG_TOP_CGROUPS, XG_TOP_VIEWS };
enum xg_top_sort { XG_TOP_PPS = 0, XG_TOP_BPS };

/* One line of a view. */
struct xg_top_row {
	char name[48];     /* source address, interface name, cgroup name */
	char where[48];    /* a source's interface; an interface's hook/direction */
	double pps, bps;   /* sources, interfaces: all; cgroups: tx + rx */
	double pps2, bps2; /* interfaces: dropped (drop + limited); cgroups: rx */
	__u64 packets, bytes;
	__u64 count;       /* interfaces: sources; cgroups: 0 */
	bool estimate;     /* counts include an estimate (the admission stage) */
};

struct xg_top {
	struct xg_scrape prev, cur;  /* sources sorted by address */
	bool have_prev;
	double dt;                   /* seconds between them */
	struct xg_top_row *rows[XG_TOP_VIEWS];
	size_t nr_rows[XG_TOP_VIEWS];
	size_t cap[XG_TOP_VIEWS];
};

/* Take ownership of a new collection (s is zeroed) and recompute every
 * view's rows, sorted by key. Returns 0 or -ENOMEM.
 */
int xg_top_push(struct xg_top *t, struct xg_scrape *s, enum xg_top_sort key);

/* Sort the rows of every view again by key. */
void xg_top_sort(struct xg_top *t, enum xg_top_sort key);

void xg_top_free(struct xg_top *t);

#endif
