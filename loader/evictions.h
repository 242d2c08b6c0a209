/* SPDX-License-Identifier: GPL-2.0 */
/* What the per-source rows no longer hold, so they reconcile with the
 * totals exactly. The LRU maps evict the coldest source when full, and its
 * counts leave with it; the data plane counts each new entry it inserts
 * (xg_inserts), so
 *
 *   evicted entries = inserts - entries still in the LRU maps
 *   evicted packets = packets that reached per-source accounting
 *                     - the rows (LRU map plus hot-slot pending counts)
 *                     - packets the admission stage held (in no row)
 *                     - packets lost to src_update_fail
 *
 * where packets that reached per-source accounting are every action's
 * packets minus those of the parse-failure reasons (all reasons but
 * XG_RSN_ACCOUNTED_MASK's); bytes likewise. Read while traffic flows,
 * the pieces are read at slightly different moments and may be off by
 * the packets of that moment; at rest they are exact.
 */
#ifndef XG_EVICTIONS_H
#define XG_EVICTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#include "percpu_read.h"
#include "xdpgate_types.h"

struct xg_evictions {
	bool known;        /* false: an older program without xg_inserts, or
			    * counts read mid-change that do not add up */
	__u64 inserted;    /* entries ever inserted, both families */
	__u64 evicted;     /* of those, no longer in the maps */
	__u64 packets;     /* counted under a source that was evicted */
	__u64 bytes;
};

/* inserted: the sum of xg_inserts (have_inserts false when the program
 * has no such map); lru_entries: entries read from the LRU maps (before
 * the hot slots were merged in); rows: the merged per-source rows; held:
 * what the admission stage held, both families (NULL: none).
 */
void xg_evictions_compute(const struct xg_counter *actions,
			  const struct xg_counter *reasons, bool have_inserts,
			  __u64 inserted, __u64 lru_entries,
			  const struct xg_source_row *rows, size_t n,
			  const struct xg_counter *held,
			  struct xg_evictions *out);

#endif
