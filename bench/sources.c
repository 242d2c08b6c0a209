// SPDX-License-Identifier: GPL-2.0
/* Scenario 2, many sources. Plain test_run with repeat would feed one
 * source over and over; instead every repetition runs bench_driver, which
 * writes the next address of a precomputed stream into the packet and
 * tail-calls the program under test. The floor is the driver tail-calling
 * the empty program, so "excess over the floor" is the program's own cost
 * for a stream of distinct sources.
 *
 * Mixes: uniform over N sources; Zipf (s = 1) over N sources with 5% of
 * packets from sources never seen before (fresh within a stream cycle);
 * the flood: uniform over 2^20 sources, the spoofed-source attack.
 * xdpgate runs with its default settings (admission stage on, 131072-entry
 * source map), with --exact (no admission: every new source an LRU insert
 * evicting the coldest, as before the admission stage), and with --exact
 * and a map sized to hold every source of the mix, like the bare
 * counter's. In the flood, xdpgate also runs with 10 rules, with 10^6
 * rules outside the flood's /8 and with 10^6 /32 rules spread over it
 * (programs.c): a held source's verdict is not cached, so it pays the walk
 * of the tries, which the kernel's LPM trie makes as deep as the rules
 * around the address are dense.
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
#include "sketch_read.h"
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
	bool flood;   /* also runs the flood_only targets */
} mixes[] = {
	{ "uniform-1", 1, UNIFORM, true, false },
	{ "uniform-1e3", 1000, UNIFORM, false, false },
	{ "zipf-1e3", 1000, ZIPF, false, false },
	{ "uniform-1e5", 100000, UNIFORM, false, false },
	{ "zipf-1e5", 100000, ZIPF, false, false },
	{ "uniform-1e6", 1000000, UNIFORM, true, false },
	{ "zipf-1e6", 1000000, ZIPF, false, false },
	{ "flood-2^20", 1U << 20, UNIFORM, false, true },
};

/* Programs tail-called by the driver; the stateful ones are reloaded for
 * every mix so each mix starts from empty maps.
 */
static const struct target {
	const char *prog;
	bool per_mix;
	bool sized;      /* source map sized to the mix */
	bool flood_only; /* only in the flood mix */
} targets[] = {
	{ "floor-drop", false, false, false },
	{ "xdpfilter-dny-ip", false, false, false },
	{ "bare-percpu-hash", true, true, false },
	{ "xdpgate-count", true, false, false },
	{ "xdpgate-exact", true, false, false },
	{ "xdpgate-count-sized", true, true, false },
	{ "xdpgate-policy-10", true, false, true },
	{ "xdpgate-policy-1M", true, false, true },
	{ "xdpgate-policy-1M-dense", true, false, true },
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
 * source may be in the cache only). Distinct sources, their packets, the
 * entries evicted and the packets the admission stage held.
 */
static int xdpgate_sources(struct bench_prog *p, __u64 *n, __u64 *packets,
			   __u64 *evicted, __u64 *held)
{
	int src = bench_prog_map_fd(p, "xg_src_v4");
	int hot = bench_prog_map_fd(p, "xg_hot_v4");
	int cpu = bench_prog_map_fd(p, "xg_cpu");
	int ins = bench_prog_map_fd(p, "xg_inserts");
	struct xg_source_row *rows = NULL;
	struct xg_admission adm;
	__u64 inserted[XG_FAM__MAX] = {};
	size_t nr = 0;
	int err = src < 0 || hot < 0 || cpu < 0 || ins < 0 ? -ENOENT : 0;

	if (!err)
		err = xg_read_percpu_u64(ins, inserted, XG_FAM__MAX);
	if (!err)
		err = xg_read_sources(src, AF_INET, &rows, &nr);
	/* Entries evicted so far: inserts minus what the map holds. */
	*evicted = err < 0 ? 0 : inserted[XG_FAM_V4] - (__u64)err;
	if (err >= 0)
		err = xg_read_admission(cpu, &adm);
	if (err >= 0)
		err = xg_merge_hot(hot, AF_INET, &rows, &nr);
	*n = nr;
	*packets = 0;
	*held = err >= 0 ? adm.held[0].packets : 0;
	for (size_t i = 0; i < nr; i++)
		*packets += rows[i].packets;
	free(rows);
	return err < 0 ? err : 0;
}

/* Every packet is counted for its source or held by the admission stage;
 * only LRU eviction (the default-sized map, once full) may lose some.
 */
static void selftest_xdpgate(const struct mix *m, struct bench_prog *p,
			     __u32 distinct)
{
	__u64 n = 0, merged = 0, counted = 0, evicted = 0, held = 0;
	int err = xdpgate_sources(p, &n, &merged, &evicted, &held);

	bench_check(!err && n > 0 && (m->sources == 1 ? n == 1 : n > 1) &&
		    n <= distinct, p->name,
		    "%s: %llu distinct sources in xg_src_v4 + xg_hot_v4 (stream has <= %u)",
		    m->name, (unsigned long long)n, distinct);
	if (err || p->packets(p, &counted))
		return;
	bench_check((p->exact ? !held : 1) &&
		    (evicted ? merged + held <= counted : merged + held == counted),
		    p->name, "%s: %llu packets over the sources + %llu held, %llu "
		    "passed (%llu entries evicted)%s", m->name,
		    (unsigned long long)merged, (unsigned long long)held,
		    (unsigned long long)counted, (unsigned long long)evicted,
		    p->exact ? ", --exact: nothing held" : "");
}

static void selftest_mix(const struct mix *m, struct bench_prog **p,
			 const int *act, int nt, __u32 distinct)
{
	for (int k = 0; k < nt; k++) {
		struct bench_prog *x = p[act[k]];
		__u64 n;
		int fd;

		if (!strncmp(x->name, "xdpgate-", 8)) {
			selftest_xdpgate(m, x, distinct);
			continue;
		}
		if (strcmp(x->name, "bare-percpu-hash"))
			continue;
		fd = bench_prog_map_fd(x, "bare_src");
		n = fd >= 0 ? count_keys(fd, 4) : 0;
		bench_check(n > 0 && (m->sources == 1 ? n == 1 : n > 1) &&
			    n <= distinct, x->name,
			    "%s: %llu distinct sources in bare_src (stream has <= %u)",
			    m->name, (unsigned long long)n, distinct);
	}
}

/* The note of a row: its source map and accounting. */
static void note_row(struct bench_row *row, const struct target *t,
		     const struct bench_prog *p, const struct bench_load_cfg *cfg,
		     __u32 distinct)
{
	__u32 size = cfg->max_sources ? cfg->max_sources : XG_SRC_MAP_DEFAULT;

	if (!strcmp(t->prog, "bare-percpu-hash"))
		bench_row_note(row, BENCH_MEASURED, "source map %u entries", size);
	else if (!strncmp(t->prog, "xdpgate-", 8))
		bench_row_note(row, BENCH_MEASURED, "source map %u entries%s, %s",
			       size, p->exact && !t->sized && distinct > size ?
			       " (LRU evicting)" : "",
			       p->exact ? "--exact" : "admission");
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
	int act[NTARGETS], rowid[NTARGETS], nt;
	size_t mi;
	int i, k, round, err;

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

		if (o->mix ? strcmp(o->mix, m->name) : o->quick && !m->quick)
			continue;
		if (fill_stream(stream, m, &rng, &distinct))
			break;
		for (i = 0, nt = 0; i < NTARGETS; i++)
			if (!targets[i].flood_only || m->flood)
				act[nt++] = i;
		for (k = 0; k < nt; k++) {
			struct bench_load_cfg cfg = { .bpffs = r->bpffs };
			const struct target *t = &targets[act[k]];
			struct bench_prog *p = progs[act[k]];
			struct bench_row *row;

			rowid[k] = bench_add_row(r, "sources", m->name, t->prog,
						 BENCH_NS_PER_PKT);
			row = &r->rows[rowid[k]];
			if (t->sized) /* room for every source, rounded up */
				cfg.max_sources = distinct + distinct / 8 + 1024;
			note_row(row, t, p, &cfg, distinct);
			if (t->per_mix && bench_load(p, &cfg))
				p->fd = -1;
			if (p->fd < 0)
				bench_row_note(row, BENCH_FAILED,
					       "program did not load");
		}
		for (k = 0; k < nt; k++) {
			struct bench_row *row = &r->rows[rowid[k]];

			row->floor_row = bench_find_row(r, "sources", m->name, FLOOR);
			row->peer_row = bench_find_row(r, "sources", m->name, PEER);
		}
		/* Warm-up: fill the maps to their steady state, not timed. */
		for (k = 0; k < nt; k++) {
			if (progs[act[k]]->fd < 0 || set_target(drv, progs[act[k]]->fd))
				continue;
			bench_test_run(bpf_program__fd(drv->progs.bench_driver),
				       pkt.data, pkt.len, warm, NULL, 0, 0, &s);
		}
		for (round = 0; round < o->rounds; round++) {
			int order[NTARGETS];

			for (k = 0; k < nt; k++)
				order[k] = k;
			bench_shuffle(order, nt, &rng);
			for (k = 0; k < nt; k++) {
				int t = order[k];
				struct bench_prog *p = progs[act[t]];
				struct bench_row *row = &r->rows[rowid[t]];

				if (row->status != BENCH_MEASURED)
					continue;
				err = set_target(drv, p->fd);
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
				bench_record(row, &s, p->verdict);
			}
			fprintf(stderr, "\rsources %s: round %d/%d   ", m->name,
				round + 1, o->rounds);
		}
		fprintf(stderr, "\n");
		if (o->selftest) {
			for (k = 0; k < nt; k++)
				bench_check(r->rows[rowid[k]].status ==
					    BENCH_MEASURED, targets[act[k]].prog,
					    "%s: verdict through the driver %s",
					    m->name, r->rows[rowid[k]].note);
			selftest_mix(m, progs, act, nt, distinct);
		}
		for (k = 0; k < nt; k++)
			if (targets[act[k]].per_mix)
				bench_prog_unload(progs[act[k]]);
	}
	for (i = 0; i < NTARGETS; i++)
		bench_prog_unload(progs[i]);
	munmap(stream, stream_bytes);
	bench_driver__destroy(drv);
	return 0;
}
