/* SPDX-License-Identifier: GPL-2.0 */
/* One timed BPF_PROG_TEST_RUN, and the checks --selftest makes. */
#ifndef XG_BENCH_RUNNER_H
#define XG_BENCH_RUNNER_H

#include <linux/types.h>
#include <sched.h>
#include <stdbool.h>

#include "bench.h"
#include "programs.h"

struct bench_sample {
	__u32 retval;
	double ns;       /* test_run's own duration: ns per repetition */
	double wall_ns;  /* wall clock around the syscall / repetitions */
};

/* CLOCK_MONOTONIC in ns. */
double now_ns(void);

/* ctx may be NULL; flags 0 or BPF_F_TEST_XDP_LIVE_FRAMES. */
int bench_test_run(int prog_fd, const void *pkt, __u32 len, __u32 repeat,
		   const void *ctx, __u32 ctx_len, __u32 flags,
		   struct bench_sample *out);

/* Record a sample into row, refusing silently wrong verdicts. */
int bench_record(struct bench_row *row, const struct bench_sample *s,
		 __u32 want_verdict);

/* --selftest: report a check. Returns 0 when ok. */
int bench_check(bool ok, const char *what, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
extern int bench_check_failures;

/* Allow every online CPU (readers split large maps over one thread per
 * CPU, as the loader does unpinned); the previous mask goes to *saved.
 */
void bench_unpin_all(cpu_set_t *saved);

/* Load p or report why not (returns the error). */
int bench_load(struct bench_prog *p, const struct bench_load_cfg *cfg);

#endif
