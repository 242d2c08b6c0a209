/* SPDX-License-Identifier: GPL-2.0 */
/* The policy stage's maps, defined once for every hook (XDP, TC). They
 * live in the interface's policy directory (XG_PIN_ROOT/ns<netns>/
 * if<ifindex>/policy/), shared by that interface's hooks, and outlive the
 * loader and a program replace like the accounting maps. How each hook
 * redirects through xg_pol_tx is in xdpgate_policy_xdp.bpf.h and
 * xdpgate_policy_tc.bpf.h.
 */
#ifndef XDPGATE_POLICY_MAPS_BPF_H
#define XDPGATE_POLICY_MAPS_BPF_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "xdpgate_policy.h"

/* Generation and per-set settings; mmapable so the loader's stores are
 * single aligned writes. An array lookup the verifier inlines: reading the
 * generation costs no kernel call.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, struct xg_pol_state);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xg_pol_state SEC(".maps");

/* The inner maps: one trie per family and set, made by the loader. Sizes
 * rather than BTF types: the key structs appear here only behind pointers,
 * where clang emits them as forward declarations libbpf cannot size.
 */
struct xg_pol_trie_v4 {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, XG_POL_MAX_RULES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(key_size, sizeof(struct xg_lpm_v4));
	__uint(value_size, sizeof(struct xg_rule));
};

struct xg_pol_trie_v6 {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, XG_POL_MAX_RULES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(key_size, sizeof(struct xg_lpm_v6));
	__uint(value_size, sizeof(struct xg_rule));
};

/* Slot = set (0 or 1, bit 0 of the generation); an empty slot is a set
 * without rules. Replacing a slot from user space waits for every running
 * program to finish (the kernel's synchronize_rcu on map-in-map updates),
 * which the loader uses before it rebuilds the set no packet may use.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 2);
	__type(key, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
	__array(values, struct xg_pol_trie_v4);
} xg_pol_v4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 2);
	__type(key, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
	__array(values, struct xg_pol_trie_v6);
} xg_pol_v6 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, XG_POL_MAX_HITS);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u32);
	__type(value, struct xg_rule_hits);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xg_pol_hits SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, XG_POL_BUCKETS);
	__type(key, struct xg_bucket_key);
	__type(value, struct xg_bucket);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xg_pol_bkt SEC(".maps");

/* The rules' redirect targets, keyed by ifindex, filled by the loader. A
 * device that goes away is removed by the kernel, so a hook can tell a
 * live target from a gone one (XDP: bpf_redirect_map falls back; TC:
 * looks the target up before bpf_redirect).
 *
 * Not pinned by name, unlike every other map: the kernel adds
 * BPF_F_RDONLY_PROG to a devmap's flags and refuses that flag at create,
 * so libbpf 1.1 (iproute2's) can neither reuse a pinned devmap (flags
 * differ) nor declare it the way the kernel stores it (create fails).
 * The loader pins it itself (every map gets an explicit pin path) and
 * shares it by fd; under iproute2 each loaded program gets its own.
 */
struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP_HASH);
	__uint(max_entries, XG_POL_MAX_TARGETS);
	__type(key, __u32);
	__type(value, __u32);
} xg_pol_tx SEC(".maps");

#endif /* XDPGATE_POLICY_MAPS_BPF_H */
