// SPDX-License-Identifier: GPL-2.0
/* Timed test runs. test_run reports its own duration (ns per repetition,
 * with the time it spent rescheduling taken out); the wall clock around
 * the syscall is kept beside it as a cross-check with sub-ns resolution.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <bpf/bpf.h>

#include "runner.h"
#include "log.h"

int bench_check_failures;

double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

int bench_test_run(int prog_fd, const void *pkt, __u32 len, __u32 repeat,
		   const void *ctx, __u32 ctx_len, __u32 flags,
		   struct bench_sample *out)
{
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = pkt, .data_size_in = len,
		    .ctx_in = ctx, .ctx_size_in = ctx_len, .repeat = repeat,
		    .flags = flags);
	double t0, t1;
	int err;

	t0 = now_ns();
	err = bpf_prog_test_run_opts(prog_fd, &o);
	t1 = now_ns();
	if (err)
		return -errno;
	out->retval = o.retval;
	out->ns = o.duration;
	out->wall_ns = (t1 - t0) / repeat;
	return 0;
}

int bench_record(struct bench_row *row, const struct bench_sample *s,
		 __u32 want_verdict)
{
	if (s->retval != want_verdict) {
		bench_row_note(row, BENCH_FAILED,
			       "verdict %u, expected %u", s->retval,
			       want_verdict);
		return -EPROTO;
	}
	if (row->n >= BENCH_MAX_ROUNDS)
		return -E2BIG;
	row->v[row->n] = s->ns;
	row->wall[row->n] = s->wall_ns;
	row->n++;
	return 0;
}

int bench_check(bool ok, const char *what, const char *fmt, ...)
{
	va_list ap;

	printf("  %-4s %s", ok ? "ok" : "FAIL", what);
	if (fmt) {
		printf(": ");
		va_start(ap, fmt);
		vprintf(fmt, ap);
		va_end(ap);
	}
	printf("\n");
	if (!ok)
		bench_check_failures++;
	return ok ? 0 : -1;
}

int bench_load(struct bench_prog *p, const struct bench_load_cfg *cfg)
{
	int err;

	p->fd = -1;
	err = p->load(p, cfg);
	if (err)
		xg_err("load %s: %s", p->name, xg_strerror(err));
	return err;
}
