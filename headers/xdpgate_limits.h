/* SPDX-License-Identifier: GPL-2.0 */
/* Named bounds shared by the BPF programs, the loader and the tests.
 * Every loop in the data plane is bounded by one of these, and a packet
 * that exceeds a bound is reported with a reason, never misparsed.
 */
#ifndef XDPGATE_LIMITS_H
#define XDPGATE_LIMITS_H

/* 802.1Q inside 802.1ad (QinQ) is the deepest stack we promise to parse. */
#ifndef VLAN_MAX_DEPTH
#define VLAN_MAX_DEPTH 2
#endif

/* Hop-by-hop, routing, fragment, destination options (twice) and AH fit
 * with room to spare; anything longer is almost certainly an evasion attempt.
 */
#ifndef IPV6_EXT_MAX
#define IPV6_EXT_MAX 8
#endif

/* Default capacity of each per-source LRU map (IPv4 and IPv6 each).
 * Per-CPU values cost entries * nr_cpus * sizeof(struct xg_src_stats),
 * so the loader lets the operator change it with --max-sources.
 */
#ifndef XG_SRC_MAP_DEFAULT
#define XG_SRC_MAP_DEFAULT 131072
#endif

/* Per-CPU direct-mapped cache of hot sources in front of each LRU map:
 * 1 << XG_HOT_BITS slots per CPU per family. A slot holds one source's
 * counts not yet written back to the LRU map; it is written back when
 * another source takes the slot, every XG_HOT_WRITEBACK_PKTS packets, or
 * on the source's first packet XG_HOT_WRITEBACK_NS after the last
 * write-back, so the LRU entry of a source that keeps sending is touched
 * often enough to survive a flood that turns the LRU map over.
 */
#ifndef XG_HOT_BITS
#define XG_HOT_BITS 10
#endif
#define XG_HOT_SLOTS (1U << XG_HOT_BITS)
#define XG_HOT_WRITEBACK_PKTS 256
#define XG_HOT_WRITEBACK_NS 10000000ULL /* 10 ms: default of cfg_hot_writeback_ns */

/* The admission stage (xdpgate_admit.bpf.h). A source gets an entry in the
 * LRU map once XG_ADMIT_PKTS of its packets gathered in its hot slot, or
 * while the per-CPU budget of new entries lasts: the map's capacity over
 * XG_ADMIT_TURNOVER_S seconds, shared by the CPUs, so entries made on the
 * budget alone turn the map over no faster than that. The loader sets
 * cfg_admit_pkts and cfg_admit_budget from these.
 */
#define XG_ADMIT_PKTS 2
#define XG_ADMIT_TURNOVER_S 64

/* Where the loader pins state. One directory per instance, keyed by what
 * identifies it, never by a name that can be renamed or reused:
 *
 *   XG_PIN_ROOT/ns<netns>/if<ifindex>/xdp/         XDP instance
 *   XG_PIN_ROOT/ns<netns>/if<ifindex>/tc-ingress/  TC instances
 *   XG_PIN_ROOT/ns<netns>/if<ifindex>/tc-egress/
 *   XG_PIN_ROOT/ns<netns>/if<ifindex>/policy/      rules, shared by the hooks
 *   XG_PIN_ROOT/cgroup/                            the socket layer
 *
 * <netns> is the network namespace cookie (or its inode where the kernel
 * has no cookie). Every instance directory holds XG_MAP_OWNER.
 */
#define XG_BPFFS "/sys/fs/bpf"
#define XG_PIN_ROOT XG_BPFFS "/xdpgate"
#define XG_MAP_OWNER "xg_owner"
/* Where iproute2 pins maps marked LIBBPF_PIN_BY_NAME when it loads the
 * object itself (ip link set dev X xdp obj ...).
 */
#define XG_IPROUTE2_PIN_DIR XG_BPFFS "/xdp/globals"
/* The same for tc (tc filter add ... bpf da obj ...). */
#define XG_IPROUTE2_TC_PIN_DIR XG_BPFFS "/tc/globals"

/* Kernel object names (at most 15 characters). The loader finds xdpgate's
 * programs and maps by these names, whoever loaded them.
 */
#define XG_PROG_NAME_XDP "xdpgate_xdp"
#define XG_PROG_NAME_TC_INGRESS "xdpgate_ingress"
#define XG_PROG_NAME_TC_EGRESS "xdpgate_egress"
#define XG_MAP_SRC_V4 "xg_src_v4"
#define XG_MAP_SRC_V6 "xg_src_v6"
#define XG_MAP_ACTIONS "xg_actions"
#define XG_MAP_REASONS "xg_reasons"
#define XG_MAP_HOT_V4 "xg_hot_v4"
#define XG_MAP_HOT_V6 "xg_hot_v6"
#define XG_MAP_INSERTS "xg_inserts"
#define XG_MAP_SKETCH "xg_sketch"
#define XG_MAP_CPU "xg_cpu"

#endif /* XDPGATE_LIMITS_H */
