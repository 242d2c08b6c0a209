// SPDX-License-Identifier: GPL-2.0
/* Helpers for the tests of the real XDP program: see dataplane.h. */
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "xdpgate_limits.h"
#include "dataplane.h"
#include "prog_config.h"
#include "util.h"
#include "xg_test.h"
#include "xdpgate_xdp.skel.h"

__u64 xg_dp_hot_keep_ns;
__u64 xg_dp_hot_writeback_ns = ~0ULL;
bool xg_dp_exact;
long xg_dp_admit_budget = -1;
__u32 xg_dp_admit_pkts = XG_ADMIT_PKTS;
__u32 xg_dp_sketch_shift = 62;

struct xdpgate_xdp *xg_dp_load(bool drop_unparsed, __u32 v4_max, __u32 v6_max)
{
	struct xdpgate_xdp *skel;
	struct bpf_map *map;
	int err;

	skel = xdpgate_xdp__open();
	if (!ASSERT_PTR_OK(skel, "xdpgate_xdp__open"))
		return NULL;
	/* The maps say LIBBPF_PIN_BY_NAME; without a pin path libbpf
	 * neither reuses nor creates pins. Every map, whatever its name, so
	 * a map added later is covered too.
	 */
	bpf_object__for_each_map(map, skel->obj)
		ASSERT_OK(bpf_map__set_pin_path(map, NULL), bpf_map__name(map));
	skel->rodata->cfg_drop_unparsed = drop_unparsed;
	/* A newcomer always takes the slot, wherever the clock's ticks
	 * fall between test runs; test_hot_cache checks the default rule.
	 */
	skel->rodata->cfg_hot_keep_ns = xg_dp_hot_keep_ns;
	/* Likewise no write-back by age: test runs here are ~50 ms apart. */
	skel->rodata->cfg_hot_writeback_ns = xg_dp_hot_writeback_ns;
	if (v4_max)
		ASSERT_OK(bpf_map__set_max_entries(skel->maps.xg_src_v4, v4_max),
			  "xg_src_v4");
	if (v6_max)
		ASSERT_OK(bpf_map__set_max_entries(skel->maps.xg_src_v6, v6_max),
			  "xg_src_v6");
	/* The admission stage as the loader sets it up for this map size,
	 * unless the test chose; no decay of the sketch during a test.
	 */
	skel->rodata->cfg_exact = xg_dp_exact;
	skel->rodata->cfg_admit_pkts = xg_dp_admit_pkts;
	skel->rodata->cfg_admit_budget = xg_dp_admit_budget >= 0 ?
		(__u32)xg_dp_admit_budget :
		xg_admit_budget(bpf_map__max_entries(skel->maps.xg_src_v4),
				xg_nr_cpus());
	skel->rodata->cfg_sketch_shift = xg_dp_sketch_shift;
	err = xdpgate_xdp__load(skel);
	if (!ASSERT_OK(err, "xdpgate_xdp__load")) {
		xdpgate_xdp__destroy(skel);
		return NULL;
	}
	bpf_object__for_each_map(map, skel->obj)
		ASSERT_TRUE(!bpf_map__is_pinned(map), bpf_map__name(map));
	return skel;
}

const struct xg_case *xg_dp_frame(const char *name)
{
	const struct xg_corpus *cp = xg_corpus_get();

	for (int i = 0; i < cp->n_base; i++)
		if (!strcmp(cp->c[i].name, name))
			return &cp->c[i];
	return NULL;
}

/* Above this, one call with the kernel's own repeat loop is cheaper. */
#define XG_DP_LOOP_MAX 256

int xg_dp_test_run(int prog_fd, struct bpf_test_run_opts *opts)
{
	__u32 repeat = opts->repeat, i;
	int err = 0;

	if (repeat <= 1 || repeat > XG_DP_LOOP_MAX)
		return bpf_prog_test_run_opts(prog_fd, opts);
	opts->repeat = 1;
	for (i = 0; i < repeat && !err; i++)
		err = bpf_prog_test_run_opts(prog_fd, opts);
	opts->repeat = repeat;
	return err;
}

int xg_dp_run(struct xdpgate_xdp *skel, const struct xg_case *c,
	      const __u8 *src, __u32 repeat)
{
	__u8 frame[XG_FRAME_MAX];
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = frame,
		    .data_size_in = c->len, .repeat = repeat);
	int off = xg_case_saddr_off(c);

	memcpy(frame, c->bytes, c->len);
	if (off >= 0)
		memcpy(frame + off, src, c->l3 == XG_L3_V4 ? 4 : 16);
	if (!ASSERT_OK(xg_dp_test_run(bpf_program__fd(skel->progs.xdpgate_xdp),
				      &opts), c->name))
		return -1;
	return (int)opts.retval;
}

int xg_dp_read_merged(struct xdpgate_xdp *skel, int family,
		      struct xg_source_row **rows, size_t *n)
{
	bool v4 = family == AF_INET;

	*rows = NULL;
	*n = 0;
	return xg_read_sources_merged(
		bpf_map__fd(v4 ? skel->maps.xg_src_v4 : skel->maps.xg_src_v6),
		bpf_map__fd(v4 ? skel->maps.xg_hot_v4 : skel->maps.xg_hot_v6),
		family, rows, n);
}

const struct xg_source_row *xg_dp_find(const struct xg_source_row *rows,
				       size_t n, int family, const __u8 *addr)
{
	__u8 want[16] = {};

	memcpy(want, addr, family == AF_INET ? 4 : 16);
	for (size_t i = 0; i < n; i++)
		if (rows[i].family == family && !memcmp(rows[i].addr, want, 16))
			return &rows[i];
	return NULL;
}

long xg_dp_count_keys(int map_fd, size_t key_size)
{
	unsigned char key[16], next[16];
	const void *prev = NULL;
	long n = 0;

	while (!bpf_map_get_next_key(map_fd, prev, next)) {
		memcpy(key, next, key_size);
		prev = key;
		n++;
	}
	return n;
}

/* Mirrors xg_hot_index(): the top XG_HOT_BITS bits of h * 2^32/phi. */
static __u32 hot_index(__u32 h)
{
	return (h * 2654435761U) >> (32 - XG_HOT_BITS);
}

__u32 xg_dp_slot_v4(const __u8 addr[4])
{
	__u32 a;

	memcpy(&a, addr, 4);
	return hot_index(a);
}

/* Mirrors xg_fold6(). */
__u32 xg_dp_slot_v6(const __u8 addr[16])
{
	__u32 a[4];

	memcpy(a, addr, 16);
	return hot_index((a[0] ^ (a[1] * 0x85ebca6bU)) ^
			 ((a[2] ^ (a[3] * 0xc2b2ae35U)) * 0x27d4eb2fU));
}

int xg_dp_pin_cpu(int cpu, cpu_set_t *saved)
{
	cpu_set_t one;

	if (sched_getaffinity(0, sizeof(*saved), saved))
		return -1;
	/* A chosen CPU the kernel checks (it may be outside a mask that is
	 * already pinned); else the first one allowed.
	 */
	if (cpu < 0)
		for (cpu = 0; cpu < CPU_SETSIZE && !CPU_ISSET(cpu, saved); cpu++)
			;
	if (cpu >= CPU_SETSIZE)
		return -1;
	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	if (sched_setaffinity(0, sizeof(one), &one))
		return -1;
	return cpu;
}

void xg_dp_unpin_cpu(const cpu_set_t *saved)
{
	sched_setaffinity(0, sizeof(*saved), saved);
}
