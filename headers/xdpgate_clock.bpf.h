/* SPDX-License-Identifier: GPL-2.0 */
/* The data plane's clock: bpf_ktime_get_coarse_ns(), read once per tick.
 *
 * A helper call is not cheap here: on CPUs with the SRSO return thunk every
 * kernel return costs ~10 ns, and bpf_ktime_get_coarse_ns() is two of them,
 * ~20 ns per packet measured on test_run. bpf_jiffies64() is inlined by the
 * verifier (a load), and the coarse clock only moves when jiffies does, so
 * each CPU keeps the stamp it read at the last jiffy and calls the helper
 * again only when jiffies has moved on.
 *
 * The result is still CLOCK_MONOTONIC_COARSE ns, so readers need no change.
 * It can lag the coarse clock by one more tick: the tick bumps jiffies a
 * moment before it updates the coarse clock, and a read in between keeps the
 * old stamp for that jiffy.
 */
#ifndef XDPGATE_CLOCK_BPF_H
#define XDPGATE_CLOCK_BPF_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct xg_clock {
	__u64 jiffies; /* bpf_jiffies64() when ns was read */
	__u64 ns;      /* bpf_ktime_get_coarse_ns() at that jiffy */
};

/* Per CPU, so the cache is never shared and its two fields never torn.
 * Not pinned: a scratch value, refilled within a tick after any reload.
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xg_clock);
} xg_clock SEC(".maps");

static __always_inline __u64 xg_now_coarse_ns(void)
{
	__u32 zero = 0;
	struct xg_clock *c = bpf_map_lookup_elem(&xg_clock, &zero);
	__u64 j = bpf_jiffies64();

	if (!c)
		return bpf_ktime_get_coarse_ns();
	if (c->jiffies != j) {
		c->ns = bpf_ktime_get_coarse_ns();
		c->jiffies = j;
	}
	return c->ns;
}

#endif /* XDPGATE_CLOCK_BPF_H */
