// SPDX-License-Identifier: GPL-2.0
/* Loading the programs under test, each fresh and isolated:
 * - floor and bare counter from bench/progs skeletons;
 * - xdp-filter's shipped objects with libbpf, their pinned maps redirected
 *   into the harness's private bpffs (nothing under /sys/fs/bpf is touched);
 * - xdpgate's own skeleton with pinning switched off for every map.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "packets.h"
#include "programs.h"
#include "log.h"
#include "util.h"
#include "xdpgate_types.h"
#include "policy.h"
#include "prog_config.h"
#include "rule_spec.h"
#include "bench_floor.skel.h"
#include "bench_bare.skel.h"
#include "xdpgate_xdp.skel.h"

/* Sum one per-CPU u64-prefixed value (packets first) over all CPUs. */
static int sum_percpu_first(int map_fd, const void *key, size_t value_size,
			    __u64 *out)
{
	int ncpu = xg_nr_cpus();
	size_t stride = (value_size + 7) & ~7UL;
	unsigned char buf[stride * ncpu];
	int i;

	if (bpf_map_lookup_elem(map_fd, key, buf))
		return -errno;
	*out = 0;
	for (i = 0; i < ncpu; i++)
		*out += *(__u64 *)(buf + i * stride);
	return 0;
}

/* ---- floor ---- */

static int floor_load(struct bench_prog *p, const struct bench_load_cfg *cfg)
{
	struct bench_floor *s = bench_floor__open_and_load();

	if (!s)
		return -errno;
	p->skel = s;
	p->bpf = s->obj;
	p->fd = bpf_program__fd(p->verdict == XDP_DROP ? s->progs.floor_drop :
							 s->progs.floor_pass);
	return 0;
}

/* ---- bare per-CPU hash counter ---- */

static int bare_load(struct bench_prog *p, const struct bench_load_cfg *cfg)
{
	struct bench_bare *s = bench_bare__open();
	int err;

	if (!s)
		return -errno;
	if (cfg->max_sources)
		bpf_map__set_max_entries(s->maps.bare_src, cfg->max_sources);
	err = bench_bare__load(s);
	if (err) {
		bench_bare__destroy(s);
		return err;
	}
	p->skel = s;
	p->bpf = s->obj;
	p->fd = bpf_program__fd(s->progs.bench_bare);
	return 0;
}

/* Total packets over every source in the map. */
static int bare_packets(struct bench_prog *p, __u64 *out)
{
	struct bench_bare *s = p->skel;
	int fd = bpf_map__fd(s->maps.bare_src);
	__u32 key, next, *prev = NULL;
	__u64 n = 0;
	int err;

	*out = 0;
	while (!bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		prev = &key;
		err = sum_percpu_first(fd, &key, sizeof(__u64), &n);
		if (err)
			return err;
		*out += n;
	}
	return 0;
}

/* ---- xdpgate ---- */

static int xdpgate_load(struct bench_prog *p, const struct bench_load_cfg *cfg)
{
	struct xdpgate_xdp *s = xdpgate_xdp__open();
	struct bpf_map *m;
	int err;

	if (!s)
		return -errno;
	/* Never reuse or create a live pin: this instance is private. Every
	 * map, whatever its name (the hot-source caches xg_hot_* included),
	 * so a map added later cannot touch /sys/fs/bpf either.
	 */
	err = 0;
	bpf_object__for_each_map(m, s->obj)
		if (!err)
			err = bpf_map__set_pin_path(m, NULL);
	if (!err && cfg->max_sources) {
		bpf_map__set_max_entries(s->maps.xg_src_v4, cfg->max_sources);
		bpf_map__set_max_entries(s->maps.xg_src_v6, cfg->max_sources);
	}
	/* As `xdpgate attach` sets it up (--exact for the exact rows). */
	s->rodata->cfg_exact = p->exact;
	s->rodata->cfg_admit_budget =
		xg_admit_budget(bpf_map__max_entries(s->maps.xg_src_v4), xg_nr_cpus());
	if (!err)
		err = xdpgate_xdp__load(s);
	bpf_object__for_each_map(m, s->obj)
		if (!err && bpf_map__is_pinned(m)) {
			xg_err("xdpgate_xdp: map %s got pinned at %s",
			       bpf_map__name(m), bpf_map__pin_path(m));
			err = -EEXIST;
		}
	if (err) {
		xdpgate_xdp__destroy(s);
		return err;
	}
	p->skel = s;
	p->bpf = s->obj;
	p->fd = bpf_program__fd(s->progs.xdpgate_xdp);
	return 0;
}

/* Every outcome: the policy rows drop, limit or pass. */
int bench_xdpgate_action(struct bench_prog *p, __u32 act, __u64 *out)
{
	struct xdpgate_xdp *s = p->skel;

	return sum_percpu_first(bpf_map__fd(s->maps.xg_actions), &act,
				sizeof(struct xg_counter), out);
}

static int xdpgate_packets(struct bench_prog *p, __u64 *out)
{
	struct xdpgate_xdp *s = p->skel;
	__u64 n = 0;

	*out = 0;
	for (__u32 act = 0; act < XG_ACT__MAX; act++) {
		int err = sum_percpu_first(bpf_map__fd(s->maps.xg_actions), &act,
					   sizeof(struct xg_counter), &n);

		if (err)
			return err;
		*out += n;
	}
	return 0;
}

/* ---- xdp-filter (the peer) ---- */

/* Rules that never match the benchmark packets (sources are 10/8, 11/8 and
 * 2001:db8::/32), so every packet walks the full parse and both lookups
 * (destination, then source) before the default verdict: dny_ip is
 * xdp-filter's default-deny object (drops on a miss), alw_ip its
 * default-allow one (passes on a miss).
 */
#define PEER_RULES 10
#define XDPFILT_FLAG_SRC 1 /* value bit: match as source (bit 1: as dest) */

static int peer_set_flags(struct bpf_object *obj, const char *map,
			  const void *key, __u64 flags)
{
	struct bpf_map *m = bpf_object__find_map_by_name(obj, map);
	int ncpu = xg_nr_cpus(), i;
	__u64 vals[ncpu];

	if (!m)
		return -ENOENT;
	for (i = 0; i < ncpu; i++)
		vals[i] = flags;
	if (bpf_map_update_elem(bpf_map__fd(m), key, vals, BPF_ANY))
		return -errno;
	return 0;
}

static int peer_add_rules(struct bpf_object *obj)
{
	int i, err;

	for (i = 0; i < PEER_RULES; i++) {
		__u32 v4 = htonl(0xc6336400 + i); /* 198.51.100.i */
		__u8 v6[16] = { 0x20, 0x01, 0x0d, 0xb9, [15] = (__u8)i };

		err = peer_set_flags(obj, "filter_ipv4", &v4, XDPFILT_FLAG_SRC);
		if (!err)
			err = peer_set_flags(obj, "filter_ipv6", v6,
					     XDPFILT_FLAG_SRC);
		if (err)
			return err;
	}
	return 0;
}

static int peer_load(struct bench_prog *p, const struct bench_load_cfg *cfg)
{
	char path[256];
	struct bpf_program *prog;
	struct bpf_object *obj;
	int err;

	/* Each instance gets its own pin directory, so two loads never share
	 * maps and nothing outside the private bpffs is written.
	 */
	snprintf(p->pin_dir, sizeof(p->pin_dir), "%s/%s", cfg->bpffs, p->name);
	if (mkdir(p->pin_dir, 0700) && errno != EEXIST)
		return -errno;
	snprintf(path, sizeof(path), "%s/%s", XDPFILT_DIR, p->file);
	LIBBPF_OPTS(bpf_object_open_opts, oo, .pin_root_path = p->pin_dir);
	obj = bpf_object__open_file(path, &oo);
	if (!obj)
		return -errno;
	err = bpf_object__load(obj);
	if (!err)
		err = peer_add_rules(obj);
	if (err) {
		bpf_object__close(obj);
		return err;
	}
	prog = bpf_object__next_program(obj, NULL);
	p->obj = obj;
	p->bpf = obj;
	p->fd = bpf_program__fd(prog);
	return 0;
}

/* xdp_stats_map: per-CPU {packets, bytes} per XDP action. */
static int peer_packets(struct bench_prog *p, __u64 *out)
{
	struct bpf_map *m = bpf_object__find_map_by_name(p->obj, "xdp_stats_map");
	__u32 act;
	__u64 n = 0;
	int err;

	if (!m)
		return -ENOENT;
	*out = 0;
	for (act = 0; act <= XDP_REDIRECT; act++) {
		err = sum_percpu_first(bpf_map__fd(m), &act, 16, &n);
		if (err)
			return err;
		*out += n;
	}
	return 0;
}

int bench_peer_check_hit(struct bench_prog *p, const void *pkt, __u32 len,
			 __u32 saddr_be)
{
	struct bpf_map *m = bpf_object__find_map_by_name(p->obj, "filter_ipv4");
	int ncpu = xg_nr_cpus(), i, err;
	__u64 vals[ncpu], hits = 0;
	const int runs = 100;

	if (!m)
		return -ENOENT;
	err = peer_set_flags(p->obj, "filter_ipv4", &saddr_be, XDPFILT_FLAG_SRC);
	if (err)
		return err;
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = pkt, .data_size_in = len,
		    .repeat = runs);
	err = bpf_prog_test_run_opts(p->fd, &o);
	if (!err && bpf_map_lookup_elem(bpf_map__fd(m), &saddr_be, vals))
		err = -errno;
	/* xdp-filter counts hits in the value above its 6 flag bits. */
	for (i = 0; !err && i < ncpu; i++)
		hits += vals[i] >> 6;
	bpf_map_delete_elem(bpf_map__fd(m), &saddr_be);
	if (err)
		return err;
	return hits == runs ? 0 : -EPROTO;
}

/* ---- the table ---- */

/* ---- xdpgate with rules ---- */

/* The rule for the benchmark sources (10.0.0.1, 2001:db8::1), then
 * `filler` rules that miss them, written by the loader's own library:
 * the filler as one whole-set switch (batch import), the source's rule in
 * place, as `rules add` does.
 */
static int xdpgate_rules(struct bench_prog *p, const char *action, __u32 filler,
			 bool dense)
{
	struct xdpgate_xdp *s = p->skel;
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);
	struct xg_instance in = { .ifindex = 1 };
	struct xg_rule_set set = { .dflt = XG_POL_PASS };
	struct xg_policy pol;
	char err[XG_ERR_LEN] = "", buf[64], *tok[4];
	int ntok = 0, what, e;

	bpf_obj_get_info_by_fd(bpf_program__fd(s->progs.xdpgate_xdp), &info, &len);
	in.prog_id = info.id;
	snprintf(in.ifname, sizeof(in.ifname), "%s", p->name);
	e = xg_policy_open(&in, &pol);
	if (e)
		return e;
	for (__u32 i = 0; i < filler && !e; i++) {
		/* 11.0.0.0/8 and up: never the benchmark's sources; dense:
		 * /32s spread over 10/8 (a bijection of i, 10.0.0.0/24 left to
		 * the source's own rule) that pass, so a flood from 10/8 walks
		 * deep into a full trie and still gets one verdict.
		 */
		struct xg_rule_spec r = { .family = 4, .plen = 32, .action = XG_POL_DROP };
		__u32 a = (i + 256) * 2654435761U & 0xffffffU;

		if (dense && a < 256)
			continue;
		r.addr[0] = (__u8)(dense ? 10 : 11 + (i >> 24));
		r.addr[1] = (__u8)((dense ? a : i) >> 16);
		r.addr[2] = (__u8)((dense ? a : i) >> 8);
		r.addr[3] = (__u8)(dense ? a : i);
		if (dense)
			r.action = XG_POL_PASS;
		e = xg_set_push(&set, &r);
	}
	if (!e)
		e = xg_policy_swap(&pol, &set);
	snprintf(buf, sizeof(buf), "%s", action);
	for (char *t = strtok(buf, " "); t && ntok < 4; t = strtok(NULL, " "))
		tok[ntok++] = t;
	for (int f = 0; f < 2 && !e; f++) {
		struct xg_rule_spec r = {};

		e = xg_parse_cidr(f ? "2001:db8::/32" : "10.0.0.0/24", &r, err, sizeof(err)) ||
		    xg_parse_action(tok, ntok, &r, err, sizeof(err)) ||
		    xg_rule_resolve(&r, NULL, err, sizeof(err)) ||
		    xg_policy_add(&pol, &r, &what) ? -EINVAL : 0;
	}
	if (e && err[0])
		xg_err("%s: rule '%s': %s", p->name, action, err);
	xg_set_free(&set);
	xg_policy_close(&pol);
	return e;
}

static int policy_load(struct bench_prog *p, const struct bench_load_cfg *cfg)
{
	int err = xdpgate_load(p, cfg);

	if (!err)
		err = xdpgate_rules(p, p->rule, p->filler, p->filler_dense);
	if (err && p->skel) {
		xdpgate_xdp__destroy(p->skel);
		p->skel = NULL;
	}
	return err;
}

/* xdp-filter dropping the benchmark's sources by a rule: alw_ip (default
 * allow) with the source listed.
 */
static int peer_hit_load(struct bench_prog *p, const struct bench_load_cfg *cfg)
{
	__u32 v4 = htonl(BENCH_SRC_V4);
	__u8 v6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
	int err = peer_load(p, cfg);

	if (!err)
		err = peer_set_flags(p->obj, "filter_ipv4", &v4, XDPFILT_FLAG_SRC);
	if (!err)
		err = peer_set_flags(p->obj, "filter_ipv6", v6, XDPFILT_FLAG_SRC);
	return err;
}

struct bench_prog bench_programs[] = {
	{ .name = "floor-drop", .what = "empty XDP program, returns XDP_DROP",
	  .load = floor_load, .verdict = XDP_DROP },
	{ .name = "floor-pass", .what = "empty XDP program, returns XDP_PASS",
	  .load = floor_load, .verdict = XDP_PASS },
	{ .name = "xdpfilter-dny-ip",
	  .what = "xdp-tools xdpfilt_dny_ip.o as Debian ships it: default "
		  "deny (allow-list), 10 IPv4 + 10 IPv6 source rules, all "
		  "miss, so XDP_DROP after the full parse and both lookups",
	  .file = "xdpfilt_dny_ip.o", .load = peer_load,
	  .packets = peer_packets, .verdict = XDP_DROP },
	{ .name = "xdpfilter-alw-ip",
	  .what = "xdp-tools xdpfilt_alw_ip.o: default allow (deny-list), "
		  "same rules, all miss, so XDP_PASS",
	  .file = "xdpfilt_alw_ip.o", .load = peer_load,
	  .packets = peer_packets, .verdict = XDP_PASS },
	{ .name = "bare-percpu-hash",
	  .what = "PERCPU_HASH keyed by IPv4 source, packets++, minimal parse",
	  .load = bare_load, .packets = bare_packets, .verdict = XDP_PASS },
	{ .name = "xdpgate-count",
	  .what = "xdpgate_xdp count-only (parse, hot slot, admission stage, "
		  "per-source LRU per-CPU hash, action counter), default "
		  "settings, no pins",
	  .load = xdpgate_load, .packets = xdpgate_packets,
	  .verdict = XDP_PASS },
	{ .name = "xdpgate-exact",
	  .what = "xdpgate_xdp count-only with attach --exact (no admission "
		  "stage: every new source an LRU insert), default map size",
	  .load = xdpgate_load, .packets = xdpgate_packets, .exact = true,
	  .verdict = XDP_PASS },
	{ .name = "xdpgate-policy-10",
	  .what = "xdpgate_xdp with 10 rules, the source's (pass) among them: "
		  "cached verdict, per-packet policy cost",
	  .load = policy_load, .packets = xdpgate_packets, .rule = "pass",
	  .filler = 8, .verdict = XDP_PASS },
	{ .name = "xdpgate-policy-1M",
	  .what = "xdpgate_xdp with 10^6 IPv4 rules, the source's (pass) among "
		  "them: cached verdict",
	  .load = policy_load, .packets = xdpgate_packets, .rule = "pass",
	  .filler = 1000000, .verdict = XDP_PASS },
	{ .name = "xdpgate-policy-1M-dense",
	  .what = "xdpgate_xdp with 10^6 IPv4 /32 pass rules spread over "
		  "10/8, where the sources scenario's sources live: a held "
		  "source walks a full trie",
	  .load = policy_load, .packets = xdpgate_packets, .rule = "pass",
	  .filler = 1000000, .filler_dense = true, .verdict = XDP_PASS },
	{ .name = "xdpgate-drop-rule",
	  .what = "xdpgate_xdp dropping the source by its rule (10 rules)",
	  .load = policy_load, .packets = xdpgate_packets, .rule = "drop",
	  .filler = 8, .verdict = XDP_DROP },
	{ .name = "xdpgate-ratelimit",
	  .what = "xdpgate_xdp with the source under a limit it never reaches "
		  "(10^9 pps): the shared token bucket on every packet",
	  .load = policy_load, .packets = xdpgate_packets,
	  .rule = "limit 1Gpps burst 1G", .filler = 8, .verdict = XDP_PASS },
	{ .name = "xdpgate-redirect",
	  .what = "xdpgate_xdp redirecting the source by its rule (redirect "
		  "xgb2, 10 rules) through its devmap; live frames only",
	  .load = policy_load, .packets = xdpgate_packets,
	  .rule = "redirect xgb2", .filler = 8, .verdict = XDP_REDIRECT,
	  .live_only = true },
	{ .name = "xdpfilter-alw-ip-hit",
	  .what = "xdp-tools xdpfilt_alw_ip.o with a rule for the source: "
		  "drops it by its rule",
	  .file = "xdpfilt_alw_ip.o", .load = peer_hit_load,
	  .packets = peer_packets, .verdict = XDP_DROP },
	{ .name = "xdpgate-count-sized",
	  .what = "xdpgate_xdp count-only with --exact, source map sized by "
		  "the scenario to hold every source (like the bare counter)",
	  .load = xdpgate_load, .packets = xdpgate_packets, .exact = true,
	  .verdict = XDP_PASS },
};
const int bench_nprograms = sizeof(bench_programs) / sizeof(bench_programs[0]);

struct bench_prog *bench_prog_by_name(const char *name)
{
	int i;

	for (i = 0; i < bench_nprograms; i++)
		if (!strcmp(bench_programs[i].name, name))
			return &bench_programs[i];
	return NULL;
}

int bench_prog_map_fd(const struct bench_prog *p, const char *map)
{
	struct bpf_map *m;

	m = p->bpf ? bpf_object__find_map_by_name(p->bpf, map) : NULL;
	return m ? bpf_map__fd(m) : -1;
}

void bench_prog_unload(struct bench_prog *p)
{
	if (p->load == floor_load && p->skel)
		bench_floor__destroy(p->skel);
	else if (p->load == bare_load && p->skel)
		bench_bare__destroy(p->skel);
	else if ((p->load == xdpgate_load || p->load == policy_load) && p->skel)
		xdpgate_xdp__destroy(p->skel);
	if (p->obj) {
		/* Pins live only in the private bpffs; remove them anyway so
		 * the next instance starts from empty maps.
		 */
		bpf_object__unpin_maps(p->obj, NULL);
		bpf_object__close(p->obj);
		rmdir(p->pin_dir);
	}
	p->skel = NULL;
	p->obj = NULL;
	p->bpf = NULL;
	p->fd = -1;
}
