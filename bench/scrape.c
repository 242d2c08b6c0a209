// SPDX-License-Identifier: GPL-2.0
/* Scenario 7, scrape: what one Prometheus scrape of an instance with 10k,
 * 100k and 1M sources costs (`serve` with --top-sources 20: read the maps,
 * rank the top 20, write the exposition), against `stats --json` of the
 * same maps (read, sort every source, write every row). The instance is a
 * private, unattached xdpgate program whose xg_src_v4 is filled from user
 * space; both are read through its program id, as the loader does.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "bench.h"
#include "log.h"
#include "metrics.h"
#include "programs.h"
#include "prom_metrics.h"
#include "runner.h"
#include "stats_print.h"
#include "util.h"

#define SCRAPE_TOP 20

/* The exposition of one instance, top 20; its text into *out (malloc'd). */
static int scrape(const struct xg_instance *in, char **out, size_t *len)
{
	struct xg_scrape_opts so = { .top_sources = SCRAPE_TOP };
	struct xg_scrape s = { .nr_inst = 1 };
	struct xg_scrape_inst si;
	int err = xg_scrape_instance(in, &so, &si);
	FILE *f;

	if (err)
		return err;
	s.inst = &si;
	s.up[XG_LAYER_XDP] = true;
	f = open_memstream(out, len);
	if (!f) {
		err = -ENOMEM;
	} else {
		xg_prom_write(f, &s);
		fclose(f);
	}
	xg_stats_free(&si.snap);
	return err;
}

/* stats --json of the instance, every source, to /dev/null. */
static int json(const struct xg_instance *in, FILE *devnull)
{
	struct xg_stats_snapshot snap;
	int err = xg_stats_read(in, &snap);

	if (err)
		return err;
	xg_sources_rank(snap.sources, snap.nr_sources, XG_SORT_PACKETS, SIZE_MAX);
	xg_stats_print_json(devnull, &snap, 1, SIZE_MAX);
	xg_stats_free(&snap);
	return 0;
}

/* --selftest: 20 sources and two "other" series, the packets adding up. */
static void check_text(const char *text, __u32 entries)
{
	unsigned long long v, sum = 0, ncpu = (unsigned)xg_nr_cpus();
	const char *p = text, *key = "xdpgate_source_packets_total{";
	int series = 0, other = 0;

	while ((p = strstr(p, key))) {
		const char *end = strchr(p, '}');

		if (!end || sscanf(end + 1, " %llu", &v) != 1)
			break;
		other += !!memmem(p, end - p, "source=\"other\"", 14);
		series++;
		sum += v;
		p = end;
	}
	bench_check(series == SCRAPE_TOP + 2 && other == 2 && sum == entries * ncpu,
		    "scrape", "%d source series (%d other), %llu packets of %llu",
		    series, other, sum, (unsigned long long)entries * ncpu);
}

static int one_size(struct bench_run *r, __u32 entries, const char *group, FILE *devnull)
{
	struct bench_opts *o = r->opts;
	struct bench_load_cfg cfg = { .bpffs = r->bpffs, .max_sources = entries + entries / 4 };
	struct bench_prog *p = bench_prog_by_name("xdpgate-count-sized");
	struct bpf_prog_info info = {};
	__u32 ilen = sizeof(info);
	struct xg_instance in = { .ifname = "bench", .hook = XG_HOOK_XDP };
	int rows[2], fd, err, rounds = entries >= 1000000 && o->rounds > 5 ? 5 : o->rounds;

	if (bench_load(p, &cfg))
		return -1;
	fd = bench_prog_map_fd(p, "xg_src_v4");
	err = fd < 0 ? -ENOENT : bench_fill_sources(fd, entries);
	if (!err && bpf_obj_get_info_by_fd(p->fd, &info, &ilen))
		err = -errno;
	if (err) {
		xg_err("scrape: fill %u sources: %s", entries, strerror(-err));
		bench_prog_unload(p);
		return -1;
	}
	in.prog_id = in.attached_id = info.id;
	rows[0] = bench_add_row(r, "scrape", group, "serve-top20", BENCH_SECONDS);
	rows[1] = bench_add_row(r, "scrape", group, "stats-json", BENCH_SECONDS);
	snprintf(r->rows[rows[0]].note, BENCH_NOTE_LEN,
		 "read, rank the top %d, write the exposition (xg_scrape_instance + "
		 "xg_prom_write), %u sources x %d CPUs", SCRAPE_TOP, entries, xg_nr_cpus());
	snprintf(r->rows[rows[1]].note, BENCH_NOTE_LEN,
		 "read, sort all, write every row (xg_stats_read + xg_stats_print_json)");
	r->rows[rows[0]].floor_row = r->rows[rows[1]].floor_row = -1;
	for (int round = 0; round < rounds; round++) {
		for (int k = 0; k < 2; k++) {
			int which = (round + k) % 2; /* alternate who goes first */
			struct bench_sample s = { 0 };
			char *text = NULL;
			size_t len = 0;
			cpu_set_t pinned;
			double t0;

			bench_unpin_all(&pinned);
			t0 = now_ns();
			err = which == 0 ? scrape(&in, &text, &len) : json(&in, devnull);
			s.ns = s.wall_ns = (now_ns() - t0) / 1e9;
			sched_setaffinity(0, sizeof(pinned), &pinned);
			if (err) {
				bench_row_note(&r->rows[rows[which]], BENCH_FAILED, "%s",
					       strerror(-err));
			} else {
				bench_record(&r->rows[rows[which]], &s, 0);
				if (which == 0 && o->selftest && round == 0)
					check_text(text, entries);
			}
			free(text);
		}
		fprintf(stderr, "\rscrape %s: round %d/%d", group, round + 1, rounds);
	}
	fprintf(stderr, "\n");
	bench_prog_unload(p);
	return 0;
}

int bench_scrape(struct bench_run *r)
{
	static const struct { __u32 n; const char *group; } sizes[] = {
		{ 10000, "10k-sources" }, { 100000, "100k-sources" }, { 1000000, "1M-sources" },
	};
	int nsizes = r->opts->selftest ? 1 : r->opts->quick ? 2 : 3, err = 0;
	FILE *devnull = fopen("/dev/null", "w");

	if (!devnull)
		return -1;
	for (int i = 0; i < nsizes && !err; i++)
		err = one_size(r, sizes[i].n, sizes[i].group, devnull);
	fclose(devnull);
	return err;
}
