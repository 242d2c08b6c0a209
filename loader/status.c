// SPDX-License-Identifier: GPL-2.0
/* xdpgate status [--json] [IFACE...]: every interface of this network
 * namespace where xdpgate runs, however it got there, with how it is
 * attached, how full its maps are and what they evicted; then every pin
 * directory that is not one of those: orphans (removable with detach
 * --orphans) and directories in use elsewhere (another network
 * namespace). Names given restrict all of it to those interfaces, so
 * scripts and tests look only at what is theirs.
 *
 * The lock is taken shared: an attach in progress holds it exclusively,
 * so status never shows a half-done attach as an orphan.
 */
#include <getopt.h>
#include <sys/socket.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "bpffs.h"
#include "caps.h"
#include "cgroups.h"
#include "commands.h"
#include "ifname.h"
#include "instance.h"
#include "json.h"
#include "percpu_read.h"
#include "log.h"
#include "owner.h"
#include "percpu_read.h"
#include "pin_state.h"
#include "stats_print.h"
#include "stats_snapshot.h"
#include "status_pins.h"
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
	struct xg_evictions ev;
	long rules;      /* rules of the live set; -1 if unreadable */
	long gen;        /* policy generation; -1 if unreadable */
	int exact;       /* admission stage off (--exact); -1 if unreadable */
	const struct xg_pindir *dir; /* its pin directory's entry, or NULL */
	const struct xg_pindir *policy; /* its policy directory's, or NULL */
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
		"usage: xdpgate status [--json] [IFACE...]\n"
		"\n"
		"List every interface of this network namespace where xdpgate runs:\n"
		"hook, mode, how it is attached, program id, pin path, its owner\n"
		"record, distinct sources, evicted sources, and map fill\n"
		"(entries/max_entries; for the hot-source caches, slots holding\n"
		"counts not yet written back to the LRU maps) and the accounting\n"
		"(admission, or exact for attach --exact). Then orphaned pin\n"
		"directories (removed by 'xdpgate detach --orphans') and pin\n"
		"directories in use in other network namespaces.\n"
		"  IFACE...   only these interfaces (by name; orphans by the name\n"
		"             recorded at attach)\n"
		"  --json     one JSON object for scripts\n");
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

static void fill_row(const struct xg_instance *in, struct status_row *r)
{
	struct xg_stats_snapshot snap;
	struct xg_maps m;

	r->in = *in;
	memset(r->maps, 0, sizeof(r->maps));
	r->sources[0] = r->sources[1] = -1;
	r->rules = r->gen = -1;
	r->exact = -1;
	if (xg_prog_maps(in->prog_id, &m))
		return;
	fill_policy(m.pol_state, r);
	for (int i = 0; i < XG_NR_MAPS; i++)
		fill_map(*xg_maps_slot(&m, i), &r->maps[i]);
	fill_hot(m.hot_v4, &r->maps[XG_MAPI_HOT_V4]);
	fill_hot(m.hot_v6, &r->maps[XG_MAPI_HOT_V6]);
	if (r->maps[XG_MAPI_INSERTS].ok)
		r->maps[XG_MAPI_INSERTS].entries = XG_FAM__MAX;
	xg_maps_close(&m);
	/* Sources and evictions as stats reads them. */
	if (!xg_stats_read(in, &snap)) {
		r->sources[0] = (long)snap.nr_family[0];
		r->sources[1] = (long)snap.nr_family[1];
		r->ev = snap.ev;
		r->exact = snap.cfg.exact;
		xg_stats_free(&snap);
	}
}

/* How sources get an entry: admission stage on, or every source (exact). */
static const char *acct_name(int exact)
{
	return exact ? "exact" : "admission";
}

static void owner_json(struct xg_json *j, const struct xg_pindir *d)
{
	if (!d || d->owner_err) {
		xj_null(j, "owner");
		return;
	}
	xg_status_owner_json(j, "owner", &d->owner);
}

static void print_instance_json(struct xg_json *j, const struct status_row *r)
{
	const struct xg_instance *in = &r->in;

	xj_obj_open(j, NULL);
	xj_str(j, "ifname", in->ifname);
	xj_i64(j, "ifindex", in->ifindex);
	xj_str(j, "hook", xg_hook_name(in->hook));
	xj_str(j, "direction", xg_hook_direction(in->hook));
	xj_str(j, "counted_by", xg_hook_key(in->hook));
	if (in->hook == XG_HOOK_XDP)
		xj_str(j, "mode", xg_mode_name(in->mode));
	else
		xj_null(j, "mode"); /* TC has no XDP mode */
	xj_str(j, "via", xg_via_name(in->via));
	if (in->via == XG_VIA_CLSACT) {
		xj_u64(j, "tc_pref", in->tc.prio);
		xj_u64(j, "tc_handle", in->tc.handle);
	}
	xj_u64(j, "prog_id", in->prog_id);
	xj_u64(j, "attached_prog_id", in->attached_id);
	if (*in->pin_dir)
		xj_str(j, "pin_path", in->pin_dir);
	else
		xj_null(j, "pin_path");
	if (r->policy)
		xj_str(j, "policy_path", r->policy->path);
	else
		xj_null(j, "policy_path");
	owner_json(j, r->dir);
	xj_obj_open(j, "sources");
	for (int f = 0; f < 2; f++) {
		const char *k = f ? "ipv6" : "ipv4";

		if (r->sources[f] >= 0)
			xj_u64(j, k, (unsigned long long)r->sources[f]);
		else
			xj_null(j, k);
	}
	xj_obj_close(j);
	if (r->rules >= 0) {
		xj_u64(j, "rules", (unsigned long long)r->rules);
		xj_u64(j, "generation", (unsigned long long)r->gen);
	} else {
		xj_null(j, "rules");
		xj_null(j, "generation");
	}
	if (r->exact >= 0)
		xj_str(j, "accounting", acct_name(r->exact));
	else
		xj_null(j, "accounting");
	xg_evictions_json(j, &r->ev);
	xj_obj_open(j, "maps");
	for (int m = 0; m < XG_NR_MAPS; m++) {
		if (!r->maps[m].ok)
			continue;
		xj_obj_open(j, xg_map_names[m]);
		xj_u64(j, "entries", r->maps[m].entries);
		xj_u64(j, "max_entries", r->maps[m].max_entries);
		xj_obj_close(j);
	}
	xj_obj_close(j);
	xj_obj_close(j);
}

/* The socket layer is host-wide: shown only when no interface is named. */
static void print_json(const struct status_row *rows, int n,
		       const struct xg_status_dirs *dirs, bool named)
{
	struct xg_json j;

	xj_init(&j, stdout);
	xj_obj_open(&j, NULL);
	xj_arr_open(&j, "instances");
	for (int i = 0; i < n; i++)
		print_instance_json(&j, &rows[i]);
	xj_arr_close(&j);
	xg_status_dirs_json(&j, dirs);
	if (!named)
		xg_cgroups_status_json(&j);
	xj_obj_close(&j);
	xj_end(&j);
}

/* The table shows the accounting maps' fill; the policy maps are in the
 * JSON (RULES and GEN say what matters about them).
 */
enum { COL_IFACE, COL_HOOK, COL_DIR, COL_MODE, COL_VIA, COL_PROG, COL_PINS,
       COL_SOURCES, COL_ACCT, COL_EVICTED, COL_RULES, COL_GEN, COL_MAP0,
       NR_COLS = COL_MAP0 + XG_MAPI_POL_STATE };

#define CELL_MAX (XG_PATH_MAX + 32)

static void row_cells(const struct status_row *r, char cells[NR_COLS][CELL_MAX])
{
	const struct xg_instance *in = &r->in;

	xg_ifname_display(in->ifname, cells[COL_IFACE], CELL_MAX);
	snprintf(cells[COL_HOOK], CELL_MAX, "%s", xg_hook_name(in->hook));
	snprintf(cells[COL_DIR], CELL_MAX, "%s", xg_hook_direction(in->hook));
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
	if (r->ev.known)
		snprintf(cells[COL_EVICTED], CELL_MAX, "%llu (%llu pkts)",
			 (unsigned long long)r->ev.evicted,
			 (unsigned long long)r->ev.packets);
	else
		snprintf(cells[COL_EVICTED], CELL_MAX, "?");
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
	for (int c = 0; c < NR_COLS - 1; c++) {
		xg_put_padded(stdout, cells[c], width[c]);
		fputs("  ", stdout);
	}
	printf("%s\n", cells[NR_COLS - 1]);
}

static void print_table(const struct status_row *rows, int n, bool named)
{
	char (*cells)[NR_COLS][CELL_MAX];
	char head[NR_COLS][CELL_MAX] = { "IFACE", "HOOK", "DIRECTION", "MODE", "VIA", "PROG",
					 "PIN PATH", "SOURCES", "ACCOUNTING", "EVICTED", "RULES", "GEN" };
	int width[NR_COLS];

	if (!n) {
		printf("xdpgate is not attached %s\n",
		       named ? "to those interfaces" : "anywhere in this network namespace");
		return;
	}
	for (int m = 0; m < XG_MAPI_POL_STATE; m++)
		snprintf(head[COL_MAP0 + m], CELL_MAX, "%s", xg_map_names[m]);
	cells = calloc(n, sizeof(*cells));
	if (!cells)
		return;
	for (int c = 0; c < NR_COLS; c++)
		width[c] = xg_text_width(head[c]);
	for (int i = 0; i < n; i++) {
		row_cells(&rows[i], cells[i]);
		for (int c = 0; c < NR_COLS; c++)
			if (xg_text_width(cells[i][c]) > width[c])
				width[c] = xg_text_width(cells[i][c]);
	}
	print_cells(head, width);
	for (int i = 0; i < n; i++)
		print_cells(cells[i], width);
	free(cells);
}

static int parse_args(int argc, char **argv, bool *json)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	int c;

	optind = 1;
	opterr = 0; /* our own message, with the xdpgate: prefix */
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'j') {
			*json = true;
		} else if (c == 'h') {
			usage(stdout);
			return 0;
		} else {
			xg_bad_option("status", argv);
			usage(stderr);
			return 2;
		}
	}
	for (int i = optind; i < argc; i++)
		if (xg_ifname_check("status", argv[i]))
			return 2;
	return -1;
}

static int status_locked(char **names, int nnames, bool json)
{
	struct xg_status_dirs dirs;
	struct xg_instance *found;
	struct status_row *rows;
	int n;

	n = xg_find_instances(names, nnames, &found);
	if (n < 0) {
		xg_err("status: cannot list XDP programs: %s", xg_strerror(n));
		return 1;
	}
	if (xg_status_dirs_read(&dirs, names, nnames)) {
		free(found);
		return 1;
	}
	rows = calloc(n ? n : 1, sizeof(*rows));
	if (!rows) {
		free(found);
		xg_status_dirs_free(&dirs);
		xg_err("status: out of memory");
		return 1;
	}
	for (int i = 0; i < n; i++) {
		fill_row(&found[i], &rows[i]);
		rows[i].dir = xg_status_dirs_claim(&dirs, found[i].pin_dir,
						   &rows[i].policy);
	}
	if (json) {
		print_json(rows, n, &dirs, names != NULL);
	} else {
		print_table(rows, n, names != NULL);
		xg_status_dirs_table(&dirs);
		if (!names)
			xg_cgroups_status_table(stdout);
	}
	free(rows);
	free(found);
	xg_status_dirs_free(&dirs);
	return 0;
}

int cmd_status(int argc, char **argv)
{
	bool json = false;
	int ret, lock;

	ret = parse_args(argc, argv, &json);
	if (ret >= 0)
		return ret;
	if (xg_require_caps("status", XG_NEED_SYS_ADMIN))
		return 1;
	xg_bpffs_ready("status", XG_BPFFS_READ);
	lock = xg_lock_shared("status");
	if (lock < 0)
		return 1;
	ret = status_locked(optind < argc ? argv + optind : NULL, argc - optind, json);
	xg_unlock(lock);
	return ret;
}
