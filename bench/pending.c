// SPDX-License-Identifier: GPL-2.0
/* Rows the issue asks for that need capabilities xdpgate does not have yet.
 * They are listed in every report so nothing is silently missing. When a
 * capability lands, delete its entries here and add the configuration to
 * the program table (programs.c) or the scenario's table.
 */
#include <stdio.h>

#include "bench.h"

struct pending_row {
	const char *scenario;
	const char *group;
	const char *program;
	const char *capability;
};

static const struct pending_row pending[] = {
	{ "live", "redirect", "xdpgate-redirect", "harness: live-frame redirect through a second veth" },
};

void bench_add_pending(struct bench_run *r)
{
	size_t i;
	int id;

	for (i = 0; i < sizeof(pending) / sizeof(pending[0]); i++) {
		id = bench_add_row(r, pending[i].scenario, pending[i].group,
				   pending[i].program, BENCH_NS_PER_PKT);
		if (id < 0)
			return;
		bench_row_note(&r->rows[id], BENCH_NOT_YET,
			       "not yet measured: %s",
			       pending[i].capability);
	}
}
