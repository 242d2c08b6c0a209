// SPDX-License-Identifier: GPL-2.0
/* results.json (for scripts) and RESULTS.md (for people) from one run. */
#include <stdio.h>
#include <string.h>

#include "bench.h"
#include "env.h"
#include "goals.h"
#include "json.h"

static const char *status_name(enum bench_status s)
{
	switch (s) {
	case BENCH_MEASURED: return "measured";
	case BENCH_NOT_YET: return "not_yet_measurable";
	case BENCH_TODO: return "todo";
	default: return "failed";
	}
}

static const char *unit_name(enum bench_unit u)
{
	return u == BENCH_SECONDS ? "s" : "ns_per_packet";
}

static void json_header(struct xg_json *j, const struct bench_run *r,
			const struct bench_machine *m)
{
	const struct bench_opts *o = r->opts;

	xj_obj_open(j, "machine");
	xj_str(j, "cpu_model", m->cpu_model);
	xj_str(j, "kernel", m->kernel);
	xj_u64(j, "nr_cpus", m->nr_cpus);
	xj_u64(j, "bench_cpu", o->cpu);
	xj_obj_close(j);
	xj_str(j, "date", m->date);
	if (o->commit)
		xj_str(j, "commit", o->commit);
	else
		xj_null(j, "commit");
	xj_str(j, "command", o->command ? o->command : "xdpgate-bench");
	xj_bool(j, "quick", o->quick);
	xj_u64(j, "seed", o->seed);
	xj_u64(j, "rounds", o->rounds);
	xj_u64(j, "repeat", o->repeat);
}

static void json_row(struct xg_json *j, const struct bench_run *r,
		     const struct bench_row *row)
{
	struct bench_summary s;
	int i;

	bench_summarize(r, row, &s);
	xj_obj_open(j, NULL);
	xj_str(j, "scenario", row->scenario);
	xj_str(j, "group", row->group);
	xj_str(j, "program", row->program);
	xj_str(j, "status", status_name(row->status));
	xj_str(j, "unit", unit_name(row->unit));
	if (row->note[0])
		xj_str(j, "note", row->note);
	if (row->status == BENCH_MEASURED) {
		xj_double(j, "median", s.median, 3);
		xj_double(j, "min", s.min, 3);
		xj_double(j, "max", s.max, 3);
		xj_double(j, "q1", s.q1, 3);
		xj_double(j, "q3", s.q3, 3);
		xj_double(j, "wall_median", s.wall_median, 3);
		if (row->unit == BENCH_NS_PER_PKT)
			xj_double(j, "mpps_per_core", s.mpps, 3);
		if (s.has_floor) {
			xj_double(j, "ratio_to_floor", s.ratio_floor, 3);
			xj_double(j, "excess_over_floor_ns", s.excess_floor, 3);
		}
		if (s.has_peer)
			xj_double(j, "ratio_to_xdpfilter_dny_ip", s.ratio_peer, 3);
		xj_arr_open(j, "samples");
		for (i = 0; i < row->n; i++)
			xj_double(j, NULL, row->v[i], 3);
		xj_arr_close(j);
	}
	xj_obj_close(j);
}

int bench_write_json(const struct bench_run *r, const char *path)
{
	struct bench_goal goals[BENCH_MAX_GOALS];
	struct bench_machine m;
	struct xg_json j;
	int i, ng;
	FILE *f = fopen(path, "w");

	if (!f) {
		perror(path);
		return -1;
	}
	bench_machine_info(&m);
	xj_init(&j, f);
	xj_obj_open(&j, NULL);
	json_header(&j, r, &m);
	xj_arr_open(&j, "rows");
	for (i = 0; i < r->nrows; i++)
		json_row(&j, r, &r->rows[i]);
	xj_arr_close(&j);
	ng = bench_goals(r, goals, BENCH_MAX_GOALS);
	xj_arr_open(&j, "goals");
	for (i = 0; i < ng; i++) {
		xj_obj_open(&j, NULL);
		xj_str(&j, "goal", goals[i].name);
		xj_str(&j, "limit", goals[i].limit);
		xj_str(&j, "measured", goals[i].measured);
		xj_str(&j, "state", bench_goal_state(goals[i].state));
		xj_str(&j, "margin", goals[i].margin);
		xj_obj_close(&j);
	}
	xj_arr_close(&j);
	xj_obj_close(&j);
	xj_end(&j);
	return fclose(f);
}

/* ---- Markdown ---- */

static void md_ns_table(FILE *f, const struct bench_run *r, const char *sc,
			const char *group_title)
{
	struct bench_summary s;
	int i, any = 0;

	for (i = 0; i < r->nrows; i++) {
		const struct bench_row *row = &r->rows[i];

		if (strcmp(row->scenario, sc) || row->status == BENCH_NOT_YET)
			continue;
		if (!any++) {
			fprintf(f, "| %s | program | ns/pkt median | IQR | min–max "
				"| × floor | ns over floor | × xdp-filter "
				"| Mpps/core | note |\n", group_title);
			fprintf(f, "|---|---|---:|---:|---:|---:|---:|---:|---:|---|\n");
		}
		if (row->status != BENCH_MEASURED) {
			fprintf(f, "| %s | %s | – | | | | | | | %s: %s |\n",
				row->group, row->program,
				status_name(row->status), row->note);
			continue;
		}
		bench_summarize(r, row, &s);
		fprintf(f, "| %s | %s | %.1f | %.1f–%.1f | %.1f–%.1f | ",
			row->group, row->program, s.median, s.q1, s.q3, s.min,
			s.max);
		if (s.has_floor)
			fprintf(f, "%.2f | %+.1f | ", s.ratio_floor, s.excess_floor);
		else
			fprintf(f, "– | – | ");
		if (s.has_peer)
			fprintf(f, "%.2f | ", s.ratio_peer);
		else
			fprintf(f, "– | ");
		fprintf(f, "%.1f | %s |\n", s.mpps, row->note);
	}
	if (!any)
		fprintf(f, "(not run)\n");
	fprintf(f, "\n");
}

static void md_seconds_table(FILE *f, const struct bench_run *r, const char *sc)
{
	struct bench_summary s;
	int i, any = 0;

	for (i = 0; i < r->nrows; i++) {
		const struct bench_row *row = &r->rows[i];

		if (strcmp(row->scenario, sc) || row->status == BENCH_NOT_YET)
			continue;
		if (!any++) {
			fprintf(f, "| what | program | seconds median | min–max | note |\n");
			fprintf(f, "|---|---|---:|---:|---|\n");
		}
		bench_summarize(r, row, &s);
		if (row->status == BENCH_MEASURED)
			fprintf(f, "| %s | %s | %.3f | %.3f–%.3f | %s |\n",
				row->group, row->program, s.median, s.min,
				s.max, row->note);
		else
			fprintf(f, "| %s | %s | – | | %s: %s |\n", row->group,
				row->program, status_name(row->status),
				row->note);
	}
	if (!any)
		fprintf(f, "(not run)\n");
	fprintf(f, "\n");
}

static void md_pending(FILE *f, const struct bench_run *r)
{
	int i;

	fprintf(f, "| scenario | row | program | status |\n|---|---|---|---|\n");
	for (i = 0; i < r->nrows; i++) {
		const struct bench_row *row = &r->rows[i];

		if (row->status == BENCH_NOT_YET)
			fprintf(f, "| %s | %s | %s | %s |\n", row->scenario,
				row->group, row->program, row->note);
	}
	fprintf(f, "\n");
}

static void md_goals(FILE *f, const struct bench_run *r)
{
	struct bench_goal g[BENCH_MAX_GOALS];
	int i, n = bench_goals(r, g, BENCH_MAX_GOALS);

	fprintf(f, "| goal | limit | measured | verdict | margin |\n"
		   "|---|---|---|---|---|\n");
	for (i = 0; i < n; i++)
		fprintf(f, "| %s | %s | %s | %s | %s |\n", g[i].name, g[i].limit,
			g[i].measured[0] ? g[i].measured : "–",
			bench_goal_state(g[i].state), g[i].margin);
	fprintf(f, "\n");
}

extern const char bench_method_text[];

int bench_write_md(const struct bench_run *r, const char *path)
{
	const struct bench_opts *o = r->opts;
	struct bench_machine m;
	FILE *f = fopen(path, "w");

	if (!f) {
		perror(path);
		return -1;
	}
	bench_machine_info(&m);
	fprintf(f, "# xdpgate benchmark results\n\n");
	fprintf(f, "- date: %s\n- machine: %s, %d CPUs, kernel %s; benchmark "
		   "pinned to CPU %d\n", m.date, m.cpu_model, m.nr_cpus,
		m.kernel, o->cpu);
	fprintf(f, "- commit: %s\n- command: `%s`\n", o->commit ? o->commit : "?",
		o->command ? o->command : "xdpgate-bench");
	fprintf(f, "- %d interleaved rounds, programs in a random order each "
		   "round (seed %llu); scenario 1 repeat %u per sample%s\n\n",
		o->rounds, (unsigned long long)o->seed, o->repeat,
		o->quick ? "; QUICK MODE (smoke test, not a result)" : "");
	fprintf(f, "ns/pkt is BPF_PROG_TEST_RUN's own duration (integer ns per "
		   "repetition, so ±1 ns resolution). Ratios and excesses are "
		   "medians of per-round pairs from the same run. × xdp-filter is "
		   "against xdpfilt_dny_ip, except in live-frame pass rows, where "
		   "it is against xdpfilt_alw_ip (dny_ip drops on a miss). "
		   "Mpps/core = 1e3 / median ns.\n\n");
	fprintf(f, "## Goals\n\n");
	md_goals(f, r);
	fprintf(f, "## Scenario 1: hot path\n\n");
	md_ns_table(f, r, "hotpath", "packet");
	fprintf(f, "## Scenario 2: many sources (IPv4/UDP 64 B, each run a "
		   "different source)\n\n");
	md_ns_table(f, r, "sources", "mix");
	fprintf(f, "## Scenario 3: live frames into a veth pair "
		   "(peer-side verdict)\n\n");
	md_ns_table(f, r, "live", "peer verdict");
	fprintf(f, "## Scenario 4: socket layer (ns per UDP sendmsg/recvmsg "
		   "call on IPv4 loopback; \"ns over floor\" is what the "
		   "backend adds; ns/pkt reads ns/call)\n\n");
	md_ns_table(f, r, "socket", "call");
	fprintf(f, "## Scenario 5: readout\n\n");
	md_seconds_table(f, r, "readout");
	fprintf(f, "## Scenario 6: TC hot path (test_run on sched_cls, one "
		   "source; floor: the empty TC program)\n\n");
	md_ns_table(f, r, "tc", "packet");
	fprintf(f, "## Scenario 7: scrape (one instance, seconds per scrape)\n\n");
	md_seconds_table(f, r, "scrape");
	fprintf(f, "## Not yet measurable\n\n");
	md_pending(f, r);
	fprintf(f, "%s", bench_method_text);
	return fclose(f);
}
