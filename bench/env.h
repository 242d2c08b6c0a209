/* SPDX-License-Identifier: GPL-2.0 */
/* The environment a run needs and records: one pinned CPU, a private bpffs,
 * and a description of the machine for the report.
 */
#ifndef XG_BENCH_ENV_H
#define XG_BENCH_ENV_H

#include <stddef.h>

int bench_pin_cpu(int cpu);
/* Mount a bpffs on a fresh /tmp/xgbench.XXXXXX; dir receives its path. */
int bench_private_bpffs(char *dir, size_t len);
void bench_private_bpffs_remove(const char *dir);

struct bench_machine {
	char cpu_model[128];
	char kernel[160];
	int nr_cpus;
	char date[32];   /* UTC, ISO 8601 */
};
void bench_machine_info(struct bench_machine *m);

#endif
