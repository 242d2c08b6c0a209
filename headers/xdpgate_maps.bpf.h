/* SPDX-License-Identifier: GPL-2.0 */
/* The data plane's maps, defined once for every program that uses them.
 *
 * All are pinned by name: the loader points libbpf's pin_root_path at the
 * interface's directory (XG_PIN_ROOT/<ifname>), iproute2 at its own globals
 * directory, and either way a program replace reuses the pinned maps, so
 * counters survive the loader exiting and the program being swapped.
 */
#ifndef XDPGATE_MAPS_BPF_H
#define XDPGATE_MAPS_BPF_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "xdpgate_limits.h"
#include "xdpgate_sketch.h"
#include "xdpgate_types.h"

/* LRU so a flood of spoofed sources evicts the coldest entries instead of
 * failing inserts; per-CPU so the hot path never takes an atomic.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_PERCPU_HASH);
	__uint(max_entries, XG_SRC_MAP_DEFAULT);
	__type(key, __u32); /* IPv4 source, network order */
	__type(value, struct xg_src_stats);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xg_src_v4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_PERCPU_HASH);
	__uint(max_entries, XG_SRC_MAP_DEFAULT);
	__type(key, struct xg_in6_key);
	__type(value, struct xg_src_stats);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xg_src_v6 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XG_ACT__MAX);
	__type(key, __u32);
	__type(value, struct xg_counter);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xg_actions SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XG_RSN__MAX);
	__type(key, __u32);
	__type(value, struct xg_counter);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xg_reasons SEC(".maps");

/* The hot-source caches: per-CPU arrays, whose lookups the verifier
 * inlines, so a packet from a source that already owns its slot costs no
 * kernel call (each call is ~10-40 ns where returns go through the SRSO
 * thunk). Pinned like the rest: a --replace keeps the pending counts.
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XG_HOT_SLOTS);
	__type(key, __u32);
	__type(value, struct xg_hot_v4);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xg_hot_v4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XG_HOT_SLOTS);
	__type(key, __u32);
	__type(value, struct xg_hot_v6);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xg_hot_v6 SEC(".maps");

/* New entries inserted into xg_src_v4 / xg_src_v6 (index enum
 * xg_src_family), per CPU. Bumped only after an insert succeeded, which is
 * a kernel call already; the lookup here is an inlined per-CPU array
 * access, so counting costs no further call and no atomic. Readers report
 * evicted entries as the sum over CPUs minus the entries still live.
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XG_FAM__MAX);
	__type(key, __u32);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xg_inserts SEC(".maps");

/* The admission stage's sketch (layout in xdpgate_sketch.h) and the
 * per-CPU state that belongs to no source (struct xg_cpu). Per-CPU arrays:
 * every access is an inlined lookup and plain loads and stores, no
 * atomics. Pinned: a --replace keeps the held totals and the sketch.
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XG_SKETCH_BLOCKS);
	__type(key, __u32);
	__type(value, struct xg_sketch_block);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xg_sketch SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xg_cpu);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xg_cpu SEC(".maps");

#endif /* XDPGATE_MAPS_BPF_H */
