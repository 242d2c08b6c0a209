/* SPDX-License-Identifier: GPL-2.0 */
/* The goals, evaluated from a run's rows. Reported, never asserted. */
#ifndef XG_BENCH_GOALS_H
#define XG_BENCH_GOALS_H

#include "bench.h"

enum goal_state { GOAL_MET, GOAL_MISSED, GOAL_NOT_MEASURED };

struct bench_goal {
	char name[96];
	char measured[96];
	char limit[64];
	enum goal_state state;
	char margin[96]; /* "by 3.1 ns" / "with 12 ns to spare" */
};

#define BENCH_MAX_GOALS 32
int bench_goals(const struct bench_run *r, struct bench_goal *g, int max);
const char *bench_goal_state(enum goal_state s);

#endif
