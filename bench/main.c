// SPDX-License-Identifier: GPL-2.0
/* xdpgate-bench: run the benchmark scenarios and write results.json and
 * RESULTS.md. bench/run.sh is the front end (`make bench`); see
 * bench/README.md for what each scenario measures.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "env.h"
#include "runner.h"
#include "log.h"
#include "util.h"

static struct bench_run run;

static void usage(FILE *f)
{
	fprintf(f,
"usage: xdpgate-bench [-v] [--quick] [--selftest] [--rounds N] [--repeat N]\n"
"                     [--seed N] [--cpu N]\n"
"                     [--only hotpath|sources|live|readout|socket|rules|tc|scrape]\n"
"                     [--mix NAME]   (sources: one mix, e.g. flood-2^20)\n"
"                     [--json FILE] [--md FILE] [--commit HASH] [--command CMD]\n");
}

static void cleanup(void)
{
	bench_live_cleanup();
	bench_socket_cleanup();
	bench_private_bpffs_remove(run.bpffs);
	run.bpffs[0] = 0;
}

static void on_signal(int sig)
{
	cleanup();
	signal(sig, SIG_DFL);
	raise(sig);
}

static int parse_args(int argc, char **argv, struct bench_opts *o)
{
	static const struct option lo[] = {
		{ "quick", no_argument, 0, 'q' },
		{ "selftest", no_argument, 0, 't' },
		{ "rounds", required_argument, 0, 'r' },
		{ "repeat", required_argument, 0, 'n' },
		{ "seed", required_argument, 0, 's' },
		{ "cpu", required_argument, 0, 'c' },
		{ "only", required_argument, 0, 'o' },
		{ "mix", required_argument, 0, 'M' },
		{ "json", required_argument, 0, 'j' },
		{ "md", required_argument, 0, 'm' },
		{ "commit", required_argument, 0, 'C' },
		{ "command", required_argument, 0, 'X' },
		{ "help", no_argument, 0, 'h' },
		{ 0 },
	};
	unsigned long long v;
	int c, rounds = 0, repeat = 0, seeded = 0;

	while ((c = getopt_long(argc, argv, "vh", lo, NULL)) != -1) {
		switch (c) {
		case 'v': xg_verbose = true; break;
		case 'q': o->quick = true; break;
		case 't': o->selftest = true; break;
		case 'r':
			if (xg_parse_u64(optarg, BENCH_MAX_ROUNDS, &v) || v < 1)
				goto bad;
			rounds = (int)v;
			break;
		case 'n':
			if (xg_parse_u64(optarg, 100000000, &v) || v < 1)
				goto bad;
			repeat = (int)v;
			break;
		case 's':
			if (xg_parse_u64(optarg, ~0ULL, &v))
				goto bad;
			o->seed = v;
			seeded = 1;
			break;
		case 'c':
			if (xg_parse_u64(optarg, 4095, &v))
				goto bad;
			o->cpu = (int)v;
			break;
		case 'o': o->only = optarg; break;
		case 'M': o->mix = optarg; break;
		case 'j': o->json_out = optarg; break;
		case 'm': o->md_out = optarg; break;
		case 'C': o->commit = optarg; break;
		case 'X': o->command = optarg; break;
		case 'h': usage(stdout); exit(0);
		default: goto bad;
		}
	}
	if (optind != argc)
		goto bad;
	o->rounds = rounds ? rounds : (o->quick ? 3 : 11);
	o->repeat = repeat ? (__u32)repeat : (o->quick ? 100000 : 1000000);
	if (!seeded)
		o->seed = (__u64)time(NULL);
	return 0;
bad:
	usage(stderr);
	return -1;
}

static bool want(const struct bench_opts *o, const char *s)
{
	return !o->only || !strcmp(o->only, s);
}

int main(int argc, char **argv)
{
	static struct bench_opts opts = { .cpu = -1 };
	int err = 0;

	if (parse_args(argc, argv, &opts))
		return 2;
	xg_log_setup(xg_verbose);
	if (xg_require_root("xdpgate-bench"))
		return 1;
	if (opts.cpu < 0)
		opts.cpu = xg_nr_cpus() > 1 ? 1 : 0; /* keep off CPU 0's IRQs */
	run.opts = &opts;
	if (bench_pin_cpu(opts.cpu))
		return 1;
	if (bench_private_bpffs(run.bpffs, sizeof(run.bpffs)))
		return 1;
	atexit(cleanup);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);

	printf("xdpgate-bench: cpu %d, %d rounds, repeat %u, seed %llu%s%s\n",
	       opts.cpu, opts.rounds, opts.repeat,
	       (unsigned long long)opts.seed, opts.quick ? ", quick" : "",
	       opts.selftest ? ", selftest" : "");
	if (want(&opts, "hotpath"))
		err |= bench_hotpath(&run);
	if (want(&opts, "sources"))
		err |= bench_sources(&run);
	if (want(&opts, "live"))
		err |= bench_live(&run);
	if (want(&opts, "readout"))
		err |= bench_readout(&run);
	if (want(&opts, "socket"))
		err |= bench_socket(&run);
	if (want(&opts, "rules"))
		err |= bench_rules(&run);
	if (want(&opts, "tc"))
		err |= bench_tc(&run);
	if (want(&opts, "scrape"))
		err |= bench_scrape(&run);

	if (opts.selftest) {
		printf("selftest: %s (%d failed)\n",
		       bench_check_failures ? "FAIL" : "ok",
		       bench_check_failures);
		return bench_check_failures || err ? 1 : 0;
	}
	if (opts.json_out && bench_write_json(&run, opts.json_out))
		err = 1;
	if (opts.md_out && bench_write_md(&run, opts.md_out))
		err = 1;
	if (!opts.md_out)
		bench_write_md(&run, "/dev/stdout");
	return err ? 1 : 0;
}
