/* SPDX-License-Identifier: GPL-2.0 */
/* Per-source and per-outcome accounting, shared by the XDP and TC programs. */
#ifndef XDPGATE_ACCOUNT_BPF_H
#define XDPGATE_ACCOUNT_BPF_H

#include "xdpgate_clock.bpf.h"
#include "xdpgate_maps.bpf.h"

#ifndef EEXIST
#define EEXIST 17
#endif

static __always_inline void xg_count(void *map, __u32 idx, __u64 bytes)
{
	struct xg_counter *c = bpf_map_lookup_elem(map, &idx);

	if (c) {
		c->packets++;
		c->bytes += bytes;
	}
}

static __always_inline void xg_bump(struct xg_src_stats *s, __u64 bytes,
				    __u64 now)
{
	s->packets++;
	s->bytes += bytes;
	s->last_seen_ns = now;
}

/* Count one packet for the source at key in map (xg_src_v4 or xg_src_v6).
 * Values are per CPU, so no atomics. An insert that races with another CPU
 * inserting the same source fails with -EEXIST; the retry finds the entry,
 * so no packet goes uncounted. Any other failure is counted as a reason.
 *
 * A new source's entry is not looked up again after the insert: nothing
 * needs it (its first packet is in init), and each map call costs ~40 ns
 * here, paid on every packet of a flood of new sources.
 */
static __always_inline void xg_account_source(void *map, const void *key,
					      __u64 bytes)
{
	__u64 now = xg_now_coarse_ns();
	struct xg_src_stats *s;
	long err;

	s = bpf_map_lookup_elem(map, key);
	if (s) {
		xg_bump(s, bytes, now);
		return;
	}

	struct xg_src_stats init = {
		.packets = 1,
		.bytes = bytes,
		.last_seen_ns = now,
	};
	err = bpf_map_update_elem(map, key, &init, BPF_NOEXIST);
	if (!err)
		return;
	if (err == -EEXIST) {
		s = bpf_map_lookup_elem(map, key);
		if (s) {
			xg_bump(s, bytes, now);
			return;
		}
	}
	xg_count(&xg_reasons, XG_RSN_SRC_UPDATE_FAIL, bytes);
}

#endif /* XDPGATE_ACCOUNT_BPF_H */
