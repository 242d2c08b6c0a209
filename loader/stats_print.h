/* SPDX-License-Identifier: GPL-2.0 */
/* Printing snapshots: an aligned table for people, one JSON document for
 * scripts. Both take snapshots whose sources are already ranked with
 * xg_sources_rank(..., top) and print the first min(top, n) rows.
 */
#ifndef XG_STATS_PRINT_H
#define XG_STATS_PRINT_H

#include <stddef.h>
#include <stdio.h>

#include "json.h"
#include "stats_snapshot.h"

/* {"interfaces":[...]} as in the CLI contract; exact integers. */
void xg_stats_print_json(FILE *f, const struct xg_stats_snapshot *snaps,
			 size_t n, size_t top);

/* Per interface: header, actions, non-zero parse outcomes, sources. */
void xg_stats_print_table(FILE *f, const struct xg_stats_snapshot *snaps,
			  size_t n, size_t top);

/* "evictions": {"inserted","evicted","packets","bytes"} (null when
 * unknown), as stats and status both write it.
 */
void xg_evictions_json(struct xg_json *j, const struct xg_evictions *ev);

/* The same for a table: "1234 of 5678 inserted, 12.3K packets (1.2 MiB)". */
const char *xg_evictions_text(const struct xg_evictions *ev, char *buf,
			      size_t len);

#endif
