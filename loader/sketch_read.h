/* SPDX-License-Identifier: GPL-2.0 */
/* Reading the admission stage: the per-CPU state (what it held, how many
 * sources it let in) and the count-min sketch of held packets, summed
 * over CPUs and decayed to now exactly as the data plane would, so each
 * source's held packets can be estimated (headers/xdpgate_sketch.h has the
 * layout and the error bound).
 */
#ifndef XG_SKETCH_READ_H
#define XG_SKETCH_READ_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#include "percpu_read.h"
#include "xdpgate_sketch.h"
#include "xdpgate_types.h"

/* xg_cpu summed over CPUs. */
struct xg_admission {
	struct xg_counter held[2];  /* IPv4, IPv6: packets in no row */
	__u64 admitted;             /* entries made for proven sources */
	__u64 budgeted;             /* entries made on the budget */
	__u32 shift;                /* sketch epoch: 2^shift ns; 0 = never used */
};

/* The count-min sketch summed over CPUs, each CPU's words decayed to the
 * current epoch first.
 */
struct xg_sketch_view {
	__u64 row[XG_CM_ROWS][XG_CM_WIDTH];
	__u64 mass;    /* what row 0 holds in all: N of the error bound */
};

/* Sum xg_cpu. 0 or a negative errno (-EPROTO: not xdpgate's layout). */
int xg_read_admission(int cpu_fd, struct xg_admission *out);

/* Read xg_sketch decayed to now (shift from xg_read_admission; 0 reads an
 * all-zero sketch). 0 or a negative errno.
 */
int xg_read_sketch(int sketch_fd, __u32 shift, struct xg_sketch_view *v);

/* The estimate of a source's held packets (family AF_INET / AF_INET6,
 * addr as in struct xg_source_row): never below the true (decayed) count.
 */
__u64 xg_sketch_estimate(const struct xg_sketch_view *v, int family,
			 const __u8 addr[16]);

/* How much an estimate may exceed the true count (e/width * N), which
 * holds for each source with probability 1 - exp(-XG_CM_ROWS) (95%).
 */
__u64 xg_sketch_bound(const struct xg_sketch_view *v);

/* Add each row's held-packet estimate (held_est) and mark it
 * XG_ROW_ESTIMATE when it is not zero. rows as from xg_read_sources*.
 */
void xg_sketch_annotate(const struct xg_sketch_view *v,
			struct xg_source_row *rows, size_t n);

#endif
