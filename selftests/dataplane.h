/* SPDX-License-Identifier: GPL-2.0 */
/* Helpers for the tests that run the real XDP program (xdpgate_xdp) with
 * BPF_PROG_TEST_RUN: a private, unpinned load; frames from the corpus with
 * a chosen source; per-source totals read back the way `stats` reads them
 * (the LRU map, then the hot-source cache merged in); the cache slot a
 * source hashes to; and pinning the test to one CPU, since the cache is
 * per CPU and test_run runs on the caller's CPU.
 */
#ifndef XG_SELFTEST_DATAPLANE_H
#define XG_SELFTEST_DATAPLANE_H

#include <sched.h>
#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#include "corpus.h"
#include "percpu_read.h"

struct xdpgate_xdp;

/* Open and load xdpgate_xdp with every map's pin path cleared (so nothing
 * under /sys/fs/bpf is reused or created), cfg_drop_unparsed set, and the
 * source maps sized when v4_max / v6_max are non-zero. NULL on failure
 * (already reported as a failed check).
 */
struct xdpgate_xdp *xg_dp_load(bool drop_unparsed, __u32 v4_max, __u32 v6_max);

/* cfg_hot_keep_ns for the next xg_dp_load(): 0 (the default here) hands a
 * slot to every newcomer; the data plane's own default is 1 (keep an owner
 * that sent within the current tick).
 */
extern __u64 xg_dp_hot_keep_ns;

/* cfg_hot_writeback_ns for the next xg_dp_load(): ~0 (the default here)
 * writes back only at 256 packets and on claims; the data plane's default
 * is XG_HOT_WRITEBACK_NS.
 */
extern __u64 xg_dp_hot_writeback_ns;

/* The admission stage for the next xg_dp_load(): cfg_exact (false here
 * and in the data plane), cfg_admit_pkts (XG_ADMIT_PKTS), cfg_admit_budget
 * (-1: what the loader sets for the map size; 0 makes every source prove
 * itself) and cfg_sketch_shift (62 here: no decay within a test; the data
 * plane's default is XG_SKETCH_SHIFT_DEFAULT).
 */
extern bool xg_dp_exact;
extern long xg_dp_admit_budget;
extern __u32 xg_dp_admit_pkts;
extern __u32 xg_dp_sketch_shift;

/* The whole corpus frame with this name (e.g. "ipv4_udp"), or NULL. */
const struct xg_case *xg_dp_frame(const char *name);

/* Run frame c with its source address replaced by src (4 or 16 bytes by
 * the frame's family) repeat times. Returns the XDP verdict, or -1 after
 * a failed check.
 */
/* bpf_prog_test_run_opts, with a small repeat count run one run at a
 * time: on the kernels measured here (6.18) one BPF_PROG_TEST_RUN call
 * with repeat > 1 takes 15-20 ms whatever the count (bpftool prog run
 * shows it too), one with repeat 1 a few microseconds. The program sees
 * the same frame either way; retval is the last run's.
 */
int xg_dp_test_run(int prog_fd, struct bpf_test_run_opts *opts);

int xg_dp_run(struct xdpgate_xdp *skel, const struct xg_case *c,
	      const __u8 *src, __u32 repeat);

/* Per-source rows of one family (AF_INET / AF_INET6) as the loader reads
 * them: xg_read_sources() on the LRU map, then xg_merge_hot() with the
 * family's cache. *rows is malloc'ed (free it). 0 or a negative errno.
 */
int xg_dp_read_merged(struct xdpgate_xdp *skel, int family,
		      struct xg_source_row **rows, size_t *n);

/* The row for addr (4 or 16 bytes by family), or NULL. */
const struct xg_source_row *xg_dp_find(const struct xg_source_row *rows,
				       size_t n, int family, const __u8 *addr);

/* Keys in a hash map (one syscall per key). */
long xg_dp_count_keys(int map_fd, size_t key_size);

/* The cache slot of a source: the same hash as xg_hot_index() and
 * xg_fold6() in headers/xdpgate_account.bpf.h, on the address words as the
 * BPF program loads them (network-order bytes read as a host u32).
 */
__u32 xg_dp_slot_v4(const __u8 addr[4]);
__u32 xg_dp_slot_v6(const __u8 addr[16]);

/* Run on one CPU from now on (cpu when >= 0, else the first allowed);
 * saved gets the old mask for xg_dp_unpin_cpu(). Returns the CPU or -1.
 */
int xg_dp_pin_cpu(int cpu, cpu_set_t *saved);
void xg_dp_unpin_cpu(const cpu_set_t *saved);

#endif
