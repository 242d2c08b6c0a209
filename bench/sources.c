// SPDX-License-Identifier: GPL-2.0
/* Scenario 2, many sources. Plain test_run with repeat would feed one
 * source over and over; instead every repetition runs bench_driver, which
 * writes the next address of a precomputed stream into the packet and
 * tail-calls the program under test. The floor is the driver tail-calling
 * the empty program, so "excess over the floor" is the program's own cost
 * for a stream of distinct sources.
 *
 * Mixes: uniform over N sources; Zipf (s = 1) over N sources with 5% of
 * packets from sources never seen before (fresh within a stream cycle).
 * xdpgate runs twice: with its default source map (131072 entries, so the
 * 1e5+ mixes overflow it and exercise LRU eviction) and with a map sized
 * to hold every source of the mix, like the bare counter's.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>

#include "bench.h"
#include "packets.h"
#include "programs.h"
#include "runner.h"
#include "log.h"
#include "percpu_read.h"
#include "xdpgate_limits.h"
#include "progs/bench_stream.h"
#include "bench_driver.skel.h"

#define FLOOR "floor-drop"
#define PEER "xdpfilter-dny-ip"
#define NEW_SHARE 0.05
#define ZIPF_S 1.0

enum dist { UNIFORM, ZIPF };

static const struct mix {
	const char *name;
	__u32 sources;
	enum dist dist;
	bool quick;   /* part of --quick */
} mixes[] = {
	{ "uniform-1", 1, UNIFORM, true },
	{ "uniform-1e3", 1000, UNIFORM, false },
	{ "zipf-1e3", 1000, ZIPF, false },
	{ "uniform-1e5", 100000, UNIFORM, false },
	{ "zipf-1e5", 100000, ZIPF, false },
	{ "uniform-1e6", 1000000, UNIFORM, true },
	{ "zipf-1e6", 1000000, ZIPF, false },
};

/* Programs tail-called by the driver; the stateful ones are reloaded for
 * every mix so each mix starts from empty maps.
 */
static const struct target {
	const char *prog;
	bool per_mix;
	bool sized;  /* source map sized to the mix */
} targets[] = {
	{ "floor-drop", false, false },
	{ "xdpfilter-dny-ip", false, false },
	{ "bare-percpu-hash", true, true },
	{ "xdpgate-count", true, false },
	{ "xdpgate-count-sized", true, true },
};
#define NTARGETS ((int)(sizeof(targets) / sizeof(targets[0])))

/* Distinct addresses in 10/8: i * odd constant is a bijection mod 2^24. */
static __u32 source_addr(__u32 i)
{
	return htonl(0x0a000000U | ((i * 2654435761U) & 0xffffffU));
}

/* New sources come from 11/8, never reused within a stream cycle. */
static __u32 new_addr(__u32 j)
{
	return htonl(0x0b000000U | (j & 0xffffffU));
}

static int fill_stream(__u64 *stream, const struct mix *m, __u64 *rng,
		       __u32 *distinct)
{
	__u32 i, fresh = 0;
	double *cdf = NULL;

	if (m->dist == ZIPF) {
		double sum = 0;

		cdf = malloc(sizeof(double) * m->sources);
		if (!cdf)
			return -ENOMEM;
		for (i = 0; i < m->sources; i++) {
			sum += 1.0 / pow(i + 1, ZIPF_S);
			cdf[i] = sum;
		}
		for (i = 0; i < m->sources; i++)
			cdf[i] /= sum;
	}
	for (i = 0; i < BENCH_STREAM_LEN; i++) {
		double u = (bench_rand(rng) >> 11) * (1.0 / 9007199254740992.0);
		__u32 lo = 0, hi = m->sources - 1;

		if (m->dist == UNIFORM) {
			stream[i] = source_addr((__u32)(bench_rand(rng) % m->sources));
			continue;
		}
		if (u < NEW_SHARE) {
			stream[i] = new_addr(fresh++);
			continue;
		}
		u = (u - NEW_SHARE) / (1 - NEW_SHARE);
		while (lo < hi) { /* first rank whose cdf >= u */
			__u32 mid = lo + (hi - lo) / 2;

			if (cdf[mid] < u)
				lo = mid + 1;
			else
				hi = mid;
		}
		stream[i] = source_addr(lo);
	}
	free(cdf);
	*distinct = m->sources + fresh; /* upper bound: Zipf tail may be unseen */
	return 0;
}

static int set_target(struct bench_driver *d, int prog_fd)
{
	__u32 zero = 0;

	if (bpf_map_update_elem(bpf_map__fd(d->maps.bench_target), &zero,
				&prog_fd, BPF_ANY))
		return -errno;
	return 0;
}

/* Entries in a hash map (selftest only: one syscall per key). */
static __u64 count_keys(int fd, size_t key_size)
{
	unsigned char key[64], next[64];
	void *prev = NULL;
	__u64 n = 0;

	while (!bpf_map_get_next_key(fd, prev, next)) {
		memcpy(key, next, key_size);
		prev = key;
		n++;
	}
	return n;
}

/* xdpgate's IPv4 sources as stats sees them: the LRU map xg_src_v4 with
 * the pending counts of the hot-source cache xg_hot_v4 merged in (a
 * source may be in the cache only). Distinct sources, and their packets.
 */
static int xdpgate_sources(struct bench_prog *p, __u64 *n, __u64 *packets)
{
	int src = bench_prog_map_fd(p, "xg_src_v4");
	int hot = bench_prog_map_fd(p, "xg_hot_v4");
	struct xg_source_row *rows = NULL;
	size_t nr = 0;
	int err = src < 0 || hot < 0 ? -ENOENT : 0;

	if (!err)
		err = xg_read_sources_merged(src, hot, AF_INET, &rows, &nr);
	*n = nr;
	*packets = 0;
	for (size_t i = 0; i < nr; i++)
		*packets += rows[i].packets;
	free(rows);
	return err < 0 ? err : 0;
}

static void selftest_mix(const struct mix *m, struct bench_prog **p,
			 __u32 distinct)
{
	int i;

	for (i = 0; i < NTARGETS; i++) {
		const char *where = NULL;
		__u64 n = 0, merged = 0, counted = 0;
		int fd, err = 0;

		if (!strcmp(p[i]->name, "bare-percpu-hash")) {
			where = "bare_src";
			fd = bench_prog_map_fd(p[i], where);
			n = fd >= 0 ? count_keys(fd, 4) : 0;
		} else if (!strncmp(p[i]->name, "xdpgate-count", 13)) {
			where = "xg_src_v4 + xg_hot_v4";
			err = xdpgate_sources(p[i], &n, &merged);
		}
		if (!where)
			continue;
		bench_check(!err && n > 0 && (m->sources == 1 ? n == 1 : n > 1) &&
			    n <= distinct, p[i]->name,
			    "%s: %llu distinct sources in %s (stream has <= %u)",
			    m->name, (unsigned long long)n, where, distinct);
		if (strncmp(p[i]->name, "xdpgate-count", 13))
			continue;
		/* Every packet passed was counted for its source; only LRU
		 * eviction (the default-sized map) may lose some, never all.
		 */
		err = p[i]->packets(p[i], &counted);
		bench_check(!err && counted > 0 && merged > 0 &&
			    (strcmp(p[i]->name, "xdpgate-count-sized") ?
			     merged <= counted : merged == counted), p[i]->name,
			    "%s: %llu packets over the sources of %s, %llu passed%s",
			    m->name, (unsigned long long)merged, where,
			    (unsigned long long)counted,
			    err ? " (the pass counter could not be read)" : "");
	}
}

int bench_sources(struct bench_run *r)
{
	struct bench_opts *o = r->opts;
	struct bench_prog *progs[NTARGETS];
	struct bench_driver *drv;
	struct bench_pkt pkt;
	struct bench_sample s;
	__u64 rng = o->seed ^ 0x737263ULL;
	__u64 *stream;
	__u32 repeat, warm, distinct;
	size_t stream_bytes = BENCH_STREAM_LEN * sizeof(__u64);
	int order[NTARGETS], rowid[NTARGETS];
	size_t mi;
	int i, round, err;

	bench_pkt_build(PKT_IPV4_UDP, NULL, &pkt);
	/* A sample covers a quarter of the stream; warm-up one full cycle. */
	repeat = o->quick ? (1U << 16) : (BENCH_STREAM_LEN / 4);
	warm = o->quick ? (1U << 18) : BENCH_STREAM_LEN;
	if (o->selftest)
		repeat = 1U << 14, warm = 1U << 18;

	drv = bench_driver__open_and_load();
	if (!drv) {
		xg_err("load bench_driver: %s", strerror(errno));
		return -1;
	}
	stream = mmap(NULL, stream_bytes, PROT_READ | PROT_WRITE, MAP_SHARED,
		      bpf_map__fd(drv->maps.bench_stream), 0);
	if (stream == MAP_FAILED) {
		xg_err("mmap bench_stream: %s", strerror(errno));
		bench_driver__destroy(drv);
		return -1;
	}
	if (o->selftest)
		printf("selftest: sources\n");
	for (i = 0; i < NTARGETS; i++) {
		struct bench_load_cfg cfg = { .bpffs = r->bpffs };

		progs[i] = bench_prog_by_name(targets[i].prog);
		if (!targets[i].per_mix && bench_load(progs[i], &cfg))
			progs[i]->fd = -1;
	}

	for (mi = 0; mi < sizeof(mixes) / sizeof(mixes[0]); mi++) {
		const struct mix *m = &mixes[mi];

		if (o->quick && !m->quick)
			continue;
		if (fill_stream(stream, m, &rng, &distinct))
			break;
		for (i = 0; i < NTARGETS; i++) {
			struct bench_load_cfg cfg = { .bpffs = r->bpffs };
			struct bench_row *row;

			rowid[i] = bench_add_row(r, "sources", m->name,
						 targets[i].prog, BENCH_NS_PER_PKT);
			row = &r->rows[rowid[i]];
			order[i] = i;
			if (targets[i].sized) {
				/* room for every source, rounded up */
				cfg.max_sources = distinct + distinct / 8 + 1024;
				bench_row_note(row, BENCH_MEASURED,
					       "source map %u entries",
					       cfg.max_sources);
			} else if (!strcmp(targets[i].prog, "xdpgate-count")) {
				bench_row_note(row, BENCH_MEASURED,
					       "source map %u entries%s",
					       XG_SRC_MAP_DEFAULT,
					       distinct > XG_SRC_MAP_DEFAULT ?
					       " (LRU evicting)" : "");
			}
			if (targets[i].per_mix && bench_load(progs[i], &cfg))
				progs[i]->fd = -1;
			if (progs[i]->fd < 0)
				bench_row_note(row, BENCH_FAILED,
					       "program did not load");
		}
		for (i = 0; i < NTARGETS; i++) {
			struct bench_row *row = &r->rows[rowid[i]];

			row->floor_row = bench_find_row(r, "sources", m->name, FLOOR);
			row->peer_row = bench_find_row(r, "sources", m->name, PEER);
		}
		/* Warm-up: fill the maps to their steady state, not timed. */
		for (i = 0; i < NTARGETS; i++) {
			if (progs[i]->fd < 0 || set_target(drv, progs[i]->fd))
				continue;
			bench_test_run(bpf_program__fd(drv->progs.bench_driver),
				       pkt.data, pkt.len, warm, NULL, 0, 0, &s);
		}
		for (round = 0; round < o->rounds; round++) {
			bench_shuffle(order, NTARGETS, &rng);
			for (i = 0; i < NTARGETS; i++) {
				int t = order[i];
				struct bench_row *row = &r->rows[rowid[t]];

				if (row->status != BENCH_MEASURED)
					continue;
				err = set_target(drv, progs[t]->fd);
				if (!err)
					err = bench_test_run(
						bpf_program__fd(drv->progs.bench_driver),
						pkt.data, pkt.len, repeat, NULL, 0,
						0, &s);
				if (err) {
					bench_row_note(row, BENCH_FAILED,
						       "test_run: %s",
						       strerror(-err));
					continue;
				}
				bench_record(row, &s, progs[t]->verdict);
			}
			fprintf(stderr, "\rsources %s: round %d/%d   ", m->name,
				round + 1, o->rounds);
		}
		fprintf(stderr, "\n");
		if (o->selftest) {
			for (i = 0; i < NTARGETS; i++)
				bench_check(r->rows[rowid[i]].status ==
					    BENCH_MEASURED, targets[i].prog,
					    "%s: verdict through the driver %s",
					    m->name, r->rows[rowid[i]].note);
			selftest_mix(m, progs, distinct);
		}
		for (i = 0; i < NTARGETS; i++)
			if (targets[i].per_mix)
				bench_prog_unload(progs[i]);
	}
	for (i = 0; i < NTARGETS; i++)
		bench_prog_unload(progs[i]);
	munmap(stream, stream_bytes);
	bench_driver__destroy(drv);
	return 0;
}
