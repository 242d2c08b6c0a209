// SPDX-License-Identifier: GPL-2.0
/* Scenario 5, readout: sum 1M per-CPU source entries with xdpgate's own
 * reader (loader/percpu_read.h, batch lookups), against
 * `bpftool map dump id N` of the same map. The map is a private, unpinned
 * xg_src_v4 filled from user space with batch updates.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <sched.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bench.h"
#include "programs.h"
#include "runner.h"
#include "log.h"
#include "percpu_read.h"
#include "util.h"

#define CHUNK 65536

int bench_fill_sources(int fd, __u32 entries)
{
	int ncpu = xg_nr_cpus();
	__u32 *keys = calloc(CHUNK, sizeof(*keys));
	struct xg_src_stats *vals = calloc((size_t)CHUNK * ncpu, sizeof(*vals));
	__u32 done = 0, n, i;
	int err = 0;

	if (!keys || !vals)
		err = -ENOMEM;
	for (i = 0; !err && i < (__u32)CHUNK * ncpu; i++)
		vals[i] = (struct xg_src_stats){ .packets = 1, .bytes = 64,
						 .last_seen_ns = 1 };
	while (!err && done < entries) {
		n = entries - done < CHUNK ? entries - done : CHUNK;
		for (i = 0; i < n; i++)
			keys[i] = htonl(0x0a000000U + done + i);
		LIBBPF_OPTS(bpf_map_batch_opts, bo);
		if (bpf_map_update_batch(fd, keys, vals, &n, &bo))
			err = -errno;
		done += n;
	}
	free(keys);
	free(vals);
	return err;
}


void bench_unpin_all(cpu_set_t *saved)
{
	cpu_set_t all;
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	sched_getaffinity(0, sizeof(*saved), saved);
	CPU_ZERO(&all);
	for (long c = 0; c < n && c < CPU_SETSIZE; c++)
		CPU_SET(c, &all);
	sched_setaffinity(0, sizeof(all), &all);
}

/* What fill() wrote, read back: every key once, each value summed over
 * the CPUs (1 packet and 64 bytes per CPU). Returns the rows that differ
 * and what the first of them was.
 */
static size_t rows_differ(const struct xg_source_row *rows, size_t n,
			  __u32 entries, char *first, size_t first_len)
{
	__u64 ncpu = xg_nr_cpus();
	unsigned char *seen = calloc(entries ? entries : 1, 1);
	size_t bad = 0;

	first[0] = 0;
	if (!seen) {
		snprintf(first, first_len, "out of memory");
		return n ? n : 1;
	}
	for (size_t i = 0; i < n; i++) {
		const struct xg_source_row *r = &rows[i];
		__u32 k;

		memcpy(&k, r->addr, 4);
		k = ntohl(k) - 0x0a000000U;
		if (k < entries && !seen[k] && r->family == AF_INET &&
		    r->packets == ncpu && r->bytes == 64 * ncpu) {
			seen[k] = 1;
			continue;
		}
		if (!bad++)
			snprintf(first, first_len,
				 "row %zu: key 10.0.0.0+%u%s, %llu packets, %llu bytes (want %llu and %llu)",
				 i, k, k < entries && seen[k] ? " twice" : "",
				 (unsigned long long)r->packets,
				 (unsigned long long)r->bytes,
				 (unsigned long long)ncpu,
				 (unsigned long long)(64 * ncpu));
	}
	free(seen);
	return bad;
}

static int row_for(struct bench_run *r, const char *group, const char *prog)
{
	return bench_add_row(r, "readout", group, prog, BENCH_SECONDS);
}

int bench_readout(struct bench_run *r)
{
	struct bench_opts *o = r->opts;
	__u32 entries = o->quick || o->selftest ? 100000 : 1000000;
	struct bench_load_cfg cfg = { .bpffs = r->bpffs,
				      .max_sources = entries + entries / 4 };
	struct bench_prog *p = bench_prog_by_name("xdpgate-count-sized");
	const char *group = entries == 1000000 ? "1M-entries" : "100k-entries";
	int reader, tool, fd, round, err, tool_rounds;
	struct bpf_map_info info = { 0 };
	__u32 info_len = sizeof(info);
	char cmd[128];

	if (bench_load(p, &cfg))
		return -1;
	fd = bench_prog_map_fd(p, "xg_src_v4");
	err = fd < 0 ? -ENOENT : bench_fill_sources(fd, entries);
	if (!err && bpf_obj_get_info_by_fd(fd, &info, &info_len))
		err = -errno;
	if (err) {
		xg_err("readout: fill xg_src_v4 with %u entries: %s", entries,
		       strerror(-err));
		bench_prog_unload(p);
		return -1;
	}
	reader = row_for(r, group, "xdpgate-reader");
	tool = row_for(r, group, "bpftool-map-dump");
	r->rows[reader].floor_row = -1;
	snprintf(r->rows[reader].note, BENCH_NOTE_LEN,
		 "xg_read_sources() on xg_src_v4, %u entries x %d CPUs",
		 entries, xg_nr_cpus());
	snprintf(r->rows[tool].note, BENCH_NOTE_LEN,
		 "bpftool map dump id %u > /dev/null", info.id);
	snprintf(cmd, sizeof(cmd), "bpftool map dump id %u > /dev/null", info.id);
	/* bpftool takes ~20 s per 1M-entry dump: two rounds keep make bench
	 * inside its 5 minutes (one in --quick).
	 */
	tool_rounds = o->quick ? 1 : 2;

	for (round = 0; round < o->rounds; round++) {
		struct xg_source_row *rows = NULL;
		struct bench_sample s = { 0 };
		cpu_set_t pinned;
		size_t n = 0;
		double t0;
		int got;

		/* The reader splits large maps over one thread per CPU, as
		 * `xdpgate stats` does unpinned: lift the benchmark's CPU pin
		 * while it runs, or its threads would share one CPU.
		 */
		bench_unpin_all(&pinned);
		t0 = now_ns();
		got = xg_read_sources(fd, AF_INET, &rows, &n);
		s.ns = (now_ns() - t0) / 1e9;
		sched_setaffinity(0, sizeof(pinned), &pinned);
		s.wall_ns = s.ns;
		if (got != (int)entries) {
			free(rows);
			bench_row_note(&r->rows[reader], BENCH_FAILED,
				       "reader returned %d of %u entries", got,
				       entries);
			break;
		}
		bench_record(&r->rows[reader], &s, 0);
		if (o->selftest) {
			char first[160];
			size_t bad = rows_differ(rows, n, entries, first,
						 sizeof(first));

			bench_check(!bad && n == entries, "xdpgate-reader",
				    "%zu rows read, %zu of them not as written%s%s",
				    n, bad, bad ? "; first: " : "", first);
			free(rows);
			break;
		}
		free(rows);
		if (round < tool_rounds) {
			t0 = now_ns();
			if (system(cmd)) {
				bench_row_note(&r->rows[tool], BENCH_FAILED,
					       "'%s' failed", cmd);
				continue;
			}
			s.ns = (now_ns() - t0) / 1e9;
			s.wall_ns = s.ns;
			bench_record(&r->rows[tool], &s, 0);
		}
		fprintf(stderr, "\rreadout: round %d/%d", round + 1, o->rounds);
	}
	fprintf(stderr, "\n");
	if (o->selftest && r->rows[reader].status != BENCH_MEASURED)
		bench_check(false, "xdpgate-reader", "%s", r->rows[reader].note);
	bench_prog_unload(p);
	return 0;
}
