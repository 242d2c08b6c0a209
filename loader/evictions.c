// SPDX-License-Identifier: GPL-2.0
/* Reconciling per-source rows with the totals (see evictions.h). */
#include <string.h>

#include "evictions.h"

void xg_evictions_compute(const struct xg_counter *actions,
			  const struct xg_counter *reasons, bool have_inserts,
			  __u64 inserted, __u64 lru_entries,
			  const struct xg_source_row *rows, size_t n,
			  const struct xg_counter *held,
			  struct xg_evictions *out)
{
	/* Signed: read mid-change, the parts may not add up. */
	long long pk = 0, by = 0, lost_p, lost_b;

	memset(out, 0, sizeof(*out));
	for (int a = 0; a < XG_ACT__MAX; a++) {
		pk += actions[a].packets;
		by += actions[a].bytes;
	}
	for (int r = XG_PARSE_OK + 1; r < XG_RSN__MAX; r++) {
		if (XG_RSN_ACCOUNTED_MASK & (1ULL << r))
			continue;
		pk -= reasons[r].packets;
		by -= reasons[r].bytes;
	}
	lost_p = reasons[XG_RSN_SRC_UPDATE_FAIL].packets;
	lost_b = reasons[XG_RSN_SRC_UPDATE_FAIL].bytes;
	if (held) {
		lost_p += held->packets;
		lost_b += held->bytes;
	}
	for (size_t i = 0; i < n; i++) {
		lost_p += rows[i].packets;
		lost_b += rows[i].bytes;
	}
	out->inserted = inserted;
	/* Unsigned: anything that would be negative was read mid-change. */
	out->known = have_inserts && inserted >= lru_entries &&
		     pk - lost_p >= 0 && by - lost_b >= 0;
	if (!out->known)
		return;
	out->evicted = inserted - lru_entries;
	out->packets = (__u64)(pk - lost_p);
	out->bytes = (__u64)(by - lost_b);
}
