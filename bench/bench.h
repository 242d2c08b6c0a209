/* SPDX-License-Identifier: GPL-2.0 */
/* xdpgate-bench: shared types of the benchmark harness.
 *
 * A run measures scenarios; each scenario fills rows. A row holds one
 * sample per round (rounds interleave every program of a scenario, in a
 * seeded random order), so medians, spreads and ratios to the floor and to
 * xdp-filter all come from the same run. Rows this kernel cannot run are
 * listed as not measurable, with the reason, never silently left out.
 */
#ifndef XG_BENCH_H
#define XG_BENCH_H

#include <linux/types.h>
#include <stdbool.h>
#include <stddef.h>

#define BENCH_MAX_ROUNDS 64
#define BENCH_MAX_ROWS 160
#define BENCH_NAME_LEN 48
#define BENCH_NOTE_LEN 200

struct bench_opts {
	bool quick;        /* smoke-test sizes: whole run in < 30 s */
	bool selftest;     /* check every program really processed packets */
	int rounds;
	__u32 repeat;      /* test_run repetitions per sample, scenario 1 */
	__u64 seed;
	int cpu;           /* the one CPU the benchmark runs on */
	const char *only;  /* run one scenario: hotpath|sources|live|readout|socket */
	const char *mix;   /* sources: run this mix only (with --quick too) */
	const char *json_out;
	const char *md_out;
	const char *commit;
	const char *command;
};

/* How a row's samples read. */
enum bench_unit {
	BENCH_NS_PER_PKT = 0,  /* test_run duration, ns per packet */
	BENCH_SECONDS,
};

enum bench_status {
	BENCH_MEASURED = 0,
	BENCH_NOT_YET,     /* needs a capability that is not built */
	BENCH_TODO,        /* could be measured; harness part missing */
	BENCH_FAILED,      /* tried and failed: note says why */
};

struct bench_row {
	char scenario[16];           /* hotpath, sources, live, readout, ... */
	char group[BENCH_NAME_LEN];  /* packet or mix: ipv4-udp-64, zipf-1e6 */
	char program[BENCH_NAME_LEN];
	enum bench_unit unit;
	enum bench_status status;
	char note[BENCH_NOTE_LEN];
	/* Reference rows in the same scenario and group (-1: none). */
	int floor_row;
	int peer_row;
	int n;
	double v[BENCH_MAX_ROUNDS];  /* kernel duration, ns/pkt (or s) */
	double wall[BENCH_MAX_ROUNDS]; /* wall clock ns/pkt, cross-check */
};

struct bench_run {
	struct bench_opts *opts;
	int nrows;
	struct bench_row rows[BENCH_MAX_ROWS];
	char bpffs[64];              /* private bpffs for the peer's pins */
};

/* Summary of one row's samples. */
struct bench_summary {
	double median, min, max, q1, q3;
	double wall_median;
	bool has_floor, has_peer;
	double ratio_floor;   /* median of per-round ratios to the floor */
	double excess_floor;  /* median of per-round differences, ns */
	double ratio_peer;    /* median of per-round ratios to xdp-filter */
	double excess_peer;   /* excess over floor of the peer, same rounds */
	double mpps;          /* 1e3 / median */
};

/* rows.c */
int bench_add_row(struct bench_run *r, const char *scenario, const char *group,
		  const char *program, enum bench_unit unit);
int bench_find_row(struct bench_run *r, const char *scenario, const char *group,
		   const char *program);
void bench_row_note(struct bench_row *row, enum bench_status st,
		    const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void bench_summarize(const struct bench_run *r, const struct bench_row *row,
		     struct bench_summary *s);

/* rng.c: seeded, so an order can be replayed. */
__u64 bench_rand(__u64 *state);
void bench_shuffle(int *idx, int n, __u64 *state);


/* scenarios */
int bench_hotpath(struct bench_run *r);
int bench_sources(struct bench_run *r);
int bench_live(struct bench_run *r);
void bench_live_cleanup(void); /* remove the netns; safe to call twice */
int bench_readout(struct bench_run *r);
/* Fill an xg_src_v4 map with entries sources 10.0.0.0 and up, each with
 * one packet of 64 bytes on every CPU.
 */
int bench_fill_sources(int fd, __u32 entries);
int bench_scrape(struct bench_run *r);
int bench_socket(struct bench_run *r);
void bench_socket_cleanup(void); /* leave and remove the bench cgroup */
int bench_rules(struct bench_run *r);
int bench_tc(struct bench_run *r);

/* report.c */
int bench_write_json(const struct bench_run *r, const char *path);
int bench_write_md(const struct bench_run *r, const char *path);

#endif
