// SPDX-License-Identifier: GPL-2.0
/* xdpgate status [--json]: every interface where xdpgate runs, however it
 * got there, with how it is attached and how full its maps are.
 */
#include <getopt.h>
#include <sys/socket.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "cgroups.h"
#include "commands.h"
#include "instance.h"
#include "json.h"
#include "percpu_read.h"
#include "prog_config.h"
#include "log.h"
#include "util.h"
#include "xdpgate_policy.h"

struct map_fill {
	bool ok;
	__u32 entries;
	__u32 max_entries;
};

struct status_row {
	struct xg_instance in;
	struct map_fill maps[XG_NR_MAPS];
	long sources[2]; /* distinct IPv4, IPv6 sources; -1 if unreadable */
	long rules;      /* rules of the live set; -1 if unreadable */
	long gen;        /* policy generation; -1 if unreadable */
	int exact;       /* admission stage off (--exact); -1 if unreadable */
};

/* Rule count and generation from the policy state. */
static void fill_policy(int state_fd, struct status_row *r)
{
	struct xg_pol_state st;
	__u32 zero = 0;

	if (bpf_map_lookup_elem(state_fd, &zero, &st))
		return;
	r->gen = st.gen;
	r->rules = (long)st.set[st.gen & 1].nr_v4 + st.set[st.gen & 1].nr_v6;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: xdpgate status [--json]\n"
		"\n"
		"List every interface where xdpgate runs: hook, mode, how it is\n"
		"attached, program id, pin path, distinct sources and map fill\n"
		"(entries/max_entries; for the hot-source caches, slots holding\n"
		"counts not yet written back to the LRU maps), and the accounting:\n"
		"admission (sources get an entry once they proved themselves) or\n"
		"exact (attach --exact).\n"
		"  --json   one JSON object for scripts\n");
}

static bool is_array(__u32 type)
{
	return type == BPF_MAP_TYPE_ARRAY || type == BPF_MAP_TYPE_PERCPU_ARRAY;
}

/* Walk the keys; bounded by max_entries because an LRU map evicting under
 * traffic can restart the walk.
 */
static __u32 count_keys(int fd, const struct bpf_map_info *info)
{
	void *key = calloc(1, info->key_size), *next = calloc(1, info->key_size);
	__u32 n = 0;
	void *cur = NULL;

	while (key && next && n < info->max_entries &&
	       !bpf_map_get_next_key(fd, cur, next)) {
		void *tmp = key;

		key = next;
		next = tmp;
		cur = key;
		n++;
	}
	free(key);
	free(next);
	return n;
}

static void fill_map(int fd, struct map_fill *f)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);

	memset(f, 0, sizeof(*f));
	if (fd < 0 || bpf_obj_get_info_by_fd(fd, &info, &len))
		return;
	f->ok = true;
	f->max_entries = info.max_entries;
	f->entries = is_array(info.type) ? info.max_entries : count_keys(fd, &info);
}

static void fill_hot(int fd, struct map_fill *f)
{
	int pending = xg_hot_pending(fd);

	f->entries = pending > 0 ? (__u32)pending : 0;
	f->ok = f->ok && pending >= 0;
}

/* Distinct sources of one family: the LRU map merged with its cache. */
static long count_sources(int src_fd, int hot_fd, int family)
{
	struct xg_source_row *rows = NULL;
	size_t n = 0;
	int err = xg_read_sources_merged(src_fd, hot_fd, family, &rows, &n);

	free(rows);
	return err < 0 ? -1 : (long)n;
}

static void fill_row(const struct xg_instance *in, struct status_row *r)
{
	struct xg_maps m;

	r->in = *in;
	memset(r->maps, 0, sizeof(r->maps));
	r->sources[0] = r->sources[1] = -1;
	r->rules = r->gen = -1;
	r->exact = -1;
	{
		struct xg_prog_cfg cfg;

		if (!xg_prog_config(in->prog_id, &cfg))
			r->exact = cfg.exact;
	}
	if (xg_prog_maps(in->prog_id, &m))
		return;
	fill_policy(m.pol_state, r);
	for (int i = 0; i < XG_NR_MAPS; i++)
		fill_map(*xg_maps_slot(&m, i), &r->maps[i]);
	fill_hot(m.hot_v4, &r->maps[XG_MAPI_HOT_V4]);
	fill_hot(m.hot_v6, &r->maps[XG_MAPI_HOT_V6]);
	r->sources[0] = count_sources(m.src_v4, m.hot_v4, AF_INET);
	r->sources[1] = count_sources(m.src_v6, m.hot_v6, AF_INET6);
	xg_maps_close(&m);
}

/* How sources get an entry: admission stage on, or every source (exact). */
static const char *acct_name(int exact)
{
	return exact ? "exact" : "admission";
}

static void print_json(const struct status_row *rows, int n)
{
	struct xg_json j;

	xj_init(&j, stdout);
	xj_obj_open(&j, NULL);
	xj_arr_open(&j, "instances");
	for (int i = 0; i < n; i++) {
		const struct xg_instance *in = &rows[i].in;

		xj_obj_open(&j, NULL);
		xj_str(&j, "ifname", in->ifname);
		xj_i64(&j, "ifindex", in->ifindex);
		xj_str(&j, "hook", xg_hook_name(in->hook));
		xj_str(&j, "mode", xg_mode_name(in->mode));
		xj_str(&j, "via", xg_via_name(in->via));
		xj_u64(&j, "prog_id", in->prog_id);
		xj_u64(&j, "attached_prog_id", in->attached_id);
		if (*in->pin_dir)
			xj_str(&j, "pin_path", in->pin_dir);
		else
			xj_null(&j, "pin_path");
		xj_obj_open(&j, "sources");
		for (int f = 0; f < 2; f++) {
			const char *k = f ? "ipv6" : "ipv4";

			if (rows[i].sources[f] >= 0)
				xj_u64(&j, k, (unsigned long long)rows[i].sources[f]);
			else
				xj_null(&j, k);
		}
		xj_obj_close(&j);
		if (rows[i].exact >= 0)
			xj_str(&j, "accounting", acct_name(rows[i].exact));
		else
			xj_null(&j, "accounting");
		if (rows[i].rules >= 0) {
			xj_u64(&j, "rules", (unsigned long long)rows[i].rules);
			xj_u64(&j, "generation", (unsigned long long)rows[i].gen);
		} else {
			xj_null(&j, "rules");
			xj_null(&j, "generation");
		}
		xj_obj_open(&j, "maps");
		for (int m = 0; m < XG_NR_MAPS; m++) {
			if (!rows[i].maps[m].ok)
				continue;
			xj_obj_open(&j, xg_map_names[m]);
			xj_u64(&j, "entries", rows[i].maps[m].entries);
			xj_u64(&j, "max_entries", rows[i].maps[m].max_entries);
			xj_obj_close(&j);
		}
		xj_obj_close(&j);
		xj_obj_close(&j);
	}
	xj_arr_close(&j);
	xg_cgroups_status_json(&j);
	xj_obj_close(&j);
	xj_end(&j);
}

/* The table shows the accounting maps' fill; the policy maps are in the
 * JSON (RULES and GEN say what matters about them).
 */
enum { COL_IFACE, COL_HOOK, COL_MODE, COL_VIA, COL_PROG, COL_PINS,
       COL_SOURCES, COL_ACCT, COL_RULES, COL_GEN, COL_MAP0,
       NR_COLS = COL_MAP0 + XG_MAPI_POL_STATE };

#define CELL_MAX (XG_PATH_MAX + 32)

static void row_cells(const struct status_row *r, char cells[NR_COLS][CELL_MAX])
{
	const struct xg_instance *in = &r->in;

	snprintf(cells[COL_IFACE], CELL_MAX, "%s", in->ifname);
	snprintf(cells[COL_HOOK], CELL_MAX, "%s", xg_hook_name(in->hook));
	snprintf(cells[COL_MODE], CELL_MAX, "%s", xg_mode_name(in->mode));
	snprintf(cells[COL_VIA], CELL_MAX, "%s", xg_via_name(in->via));
	if (in->attached_id != in->prog_id)
		snprintf(cells[COL_PROG], CELL_MAX, "%u (in %u)", in->prog_id,
			 in->attached_id);
	else
		snprintf(cells[COL_PROG], CELL_MAX, "%u", in->prog_id);
	snprintf(cells[COL_PINS], CELL_MAX, "%s", *in->pin_dir ? in->pin_dir : "-");
	if (r->sources[0] >= 0 && r->sources[1] >= 0)
		snprintf(cells[COL_SOURCES], CELL_MAX, "%ld v4, %ld v6",
			 r->sources[0], r->sources[1]);
	else
		snprintf(cells[COL_SOURCES], CELL_MAX, "?"); /* unreadable */
	snprintf(cells[COL_ACCT], CELL_MAX, "%s",
		 r->exact >= 0 ? acct_name(r->exact) : "?");
	if (r->rules >= 0) {
		snprintf(cells[COL_RULES], CELL_MAX, "%ld", r->rules);
		snprintf(cells[COL_GEN], CELL_MAX, "%ld", r->gen);
	} else {
		snprintf(cells[COL_RULES], CELL_MAX, "?");
		snprintf(cells[COL_GEN], CELL_MAX, "?");
	}
	for (int m = 0; m < XG_MAPI_POL_STATE; m++) {
		if (r->maps[m].ok)
			snprintf(cells[COL_MAP0 + m], CELL_MAX, "%u/%u",
				 r->maps[m].entries, r->maps[m].max_entries);
		else
			snprintf(cells[COL_MAP0 + m], CELL_MAX, "?");
	}
}

static void print_cells(char cells[NR_COLS][CELL_MAX], const int *width)
{
	for (int c = 0; c < NR_COLS - 1; c++)
		printf("%-*s  ", width[c], cells[c]);
	printf("%s\n", cells[NR_COLS - 1]);
}

static void print_table(const struct status_row *rows, int n)
{
	char (*cells)[NR_COLS][CELL_MAX];
	char head[NR_COLS][CELL_MAX] = { "IFACE", "HOOK", "MODE", "VIA", "PROG",
					 "PIN PATH", "SOURCES", "ACCOUNTING", "RULES",
					 "GEN" };
	int width[NR_COLS];

	if (!n) {
		printf("xdpgate is not attached anywhere\n");
		return;
	}
	for (int m = 0; m < XG_MAPI_POL_STATE; m++)
		snprintf(head[COL_MAP0 + m], CELL_MAX, "%s", xg_map_names[m]);
	cells = calloc(n, sizeof(*cells));
	if (!cells)
		return;
	for (int c = 0; c < NR_COLS; c++)
		width[c] = strlen(head[c]);
	for (int i = 0; i < n; i++) {
		row_cells(&rows[i], cells[i]);
		for (int c = 0; c < NR_COLS; c++)
			if ((int)strlen(cells[i][c]) > width[c])
				width[c] = strlen(cells[i][c]);
	}
	print_cells(head, width);
	for (int i = 0; i < n; i++)
		print_cells(cells[i], width);
	free(cells);
}

static int by_ifindex(const void *a, const void *b)
{
	const struct xg_instance *x = a, *y = b;

	return (x->ifindex > y->ifindex) - (x->ifindex < y->ifindex);
}

int cmd_status(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	struct xg_instance *found;
	struct status_row *rows;
	bool json = false;
	int c, n;

	optind = 1;
	opterr = 0; /* our own message, with the xdpgate: prefix */
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'j') {
			json = true;
		} else if (c == 'h') {
			usage(stdout);
			return 0;
		} else {
			xg_bad_option("status", argv);
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		xg_err("status: unexpected argument '%s'", argv[optind]);
		usage(stderr);
		return 2;
	}
	/* Reading program and map info needs CAP_SYS_ADMIN/CAP_BPF. */
	if (xg_require_root("status"))
		return 1;
	n = xg_find_instances(NULL, &found);
	if (n < 0) {
		xg_err("status: cannot list interfaces: %s", xg_strerror(n));
		return 1;
	}
	qsort(found, n, sizeof(*found), by_ifindex);
	rows = calloc(n ? n : 1, sizeof(*rows));
	if (!rows) {
		free(found);
		xg_err("status: out of memory");
		return 1;
	}
	for (int i = 0; i < n; i++)
		fill_row(&found[i], &rows[i]);
	if (json)
		print_json(rows, n);
	else
		print_table(rows, n);
	if (!json)
		xg_cgroups_status_table(stdout);
	free(rows);
	free(found);
	return 0;
}
