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
	{ "hotpath", "ipv4-udp-64", "xdpgate-policy-10-hit", "policy (LPM rules)" },
	{ "hotpath", "ipv4-udp-64", "xdpgate-policy-10-miss", "policy (LPM rules)" },
	{ "hotpath", "ipv4-udp-64", "xdpgate-policy-10k-hit", "policy (LPM rules)" },
	{ "hotpath", "ipv4-udp-64", "xdpgate-policy-10k-miss", "policy (LPM rules)" },
	{ "hotpath", "ipv4-udp-64", "xdpgate-policy-1M-hit", "policy (LPM rules)" },
	{ "hotpath", "ipv4-udp-64", "xdpgate-policy-1M-miss", "policy (LPM rules)" },
	{ "hotpath", "ipv6-udp-78", "xdpgate-policy-1M-hit", "policy (LPM rules)" },
	{ "hotpath", "ipv6-udp-78", "xdpgate-policy-1M-miss", "policy (LPM rules)" },
	{ "hotpath", "ipv4-udp-64", "xdpgate-redirect", "redirect (devmap verdict)" },
	{ "hotpath", "ipv4-udp-64", "xdpgate-ratelimit", "rate limit" },
	{ "live", "drop", "xdpgate-drop", "policy drop verdict" },
	{ "live", "redirect", "xdpgate-redirect", "redirect (devmap verdict)" },
	{ "rules", "import-1M", "xdpgate-rules", "rule import (rules commands)" },
	{ "rules", "swap", "xdpgate-rules", "rule set swap" },
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
			       "not yet measurable: %s not built",
			       pending[i].capability);
	}
}
