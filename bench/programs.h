/* SPDX-License-Identifier: GPL-2.0 */
/* The programs under test, one table entry each: how to load one fresh
 * instance, and how to read back how many packets it processed (for the
 * --selftest check). Adding a configuration later is one entry.
 */
#ifndef XG_BENCH_PROGRAMS_H
#define XG_BENCH_PROGRAMS_H

#include <stdbool.h>
#include <linux/types.h>
#include <bpf/libbpf.h>

struct bench_load_cfg {
	const char *bpffs;   /* private bpffs root for programs that pin */
	__u32 max_sources;   /* source map size; 0 = the program's default */
};

struct bench_prog {
	const char *name;    /* row name: floor-drop, xdpgate-count, ... */
	const char *what;    /* one line for RESULTS.md */
	int (*load)(struct bench_prog *p, const struct bench_load_cfg *cfg);
	/* Packets it counted since load; -EOPNOTSUPP when it keeps none. */
	int (*packets)(struct bench_prog *p, __u64 *out);
	const char *file;    /* object file, for programs loaded from one */
	const char *rule;    /* xdpgate with rules: the source's action */
	__u32 filler;        /* and how many rules miss it */
	bool filler_dense;   /* filler as /32 pass rules spread over 10/8 (the
			      * sources scenario's space), else drops in 11/8 */
	bool exact;          /* xdpgate: admission stage off (attach --exact) */
	bool live_only;      /* its rule names the live scenario's devices */
	int verdict;         /* what test_run must return for the IPv4 packet */
	/* filled by load */
	int fd;
	void *skel;
	struct bpf_object *obj;   /* opened from a file (the peer) */
	struct bpf_object *bpf;   /* the loaded object, whichever way */
	char pin_dir[128];
};

extern struct bench_prog bench_programs[];
extern const int bench_nprograms;

struct bench_prog *bench_prog_by_name(const char *name);
void bench_prog_unload(struct bench_prog *p);
/* fd of one of the loaded program's maps, or -1. */
int bench_prog_map_fd(const struct bench_prog *p, const char *map);

/* One of xdpgate's action totals (XG_ACT_*), over all CPUs. */
int bench_xdpgate_action(struct bench_prog *p, __u32 act, __u64 *out);

/* xdp-filter's objects as Debian ships them. */
#define XDPFILT_DIR "/usr/lib/x86_64-linux-gnu/bpf"

/* Peer path check: with a rule for the source of the packet, xdp-filter
 * must count a hit in its IPv4 map (proves its parse/lookup path runs).
 */
int bench_peer_check_hit(struct bench_prog *p, const void *pkt, __u32 len,
			 __u32 saddr_be);

#endif
