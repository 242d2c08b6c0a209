// SPDX-License-Identifier: GPL-2.0
/* The per-cgroup counters out of the per-CPU hash, key by key (a host has
 * thousands of cgroups at most, so two syscalls a row is quick), and the
 * removal of rows of cgroups that are gone once they have been reported.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>

#include "cgroups_read.h"
#include "util.h"

static int check_map(int fd, const struct bpf_map_info *want_info)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -errno;
	if (info.key_size != want_info->key_size ||
	    info.value_size != want_info->value_size ||
	    info.type != want_info->type)
		return -EPROTO;
	return 0;
}

/* One id's cells summed over CPUs; -ENOENT when it is gone. */
static int read_one(int fd, __u64 id, struct xg_cg_stats *out, struct xg_cg_stats *pcpu)
{
	int ncpu = xg_nr_cpus();

	if (bpf_map_lookup_elem(fd, &id, pcpu))
		return -errno;
	memset(out, 0, sizeof(*out));
	for (int c = 0; c < ncpu; c++)
		for (int k = 0; k < XG_CG_CELLS; k++) {
			out->c[k].packets += pcpu[c].c[k].packets;
			out->c[k].bytes += pcpu[c].c[k].bytes;
		}
	return 0;
}

static void totals(struct xg_cg_row *r)
{
	r->bytes = r->packets = 0;
	r->tx_bytes = r->tx_packets = r->rx_bytes = r->rx_packets = 0;
	for (int p = 0; p < XG_CG_PROTO__MAX; p++)
		for (int f = 0; f < XG_CG_FAMILY__MAX; f++) {
			const struct xg_counter *tx = &r->sum.c[XG_CG_CELL(p, f, XG_CG_TX)];
			const struct xg_counter *rx = &r->sum.c[XG_CG_CELL(p, f, XG_CG_RX)];

			r->tx_bytes += tx->bytes;
			r->tx_packets += tx->packets;
			r->rx_bytes += rx->bytes;
			r->rx_packets += rx->packets;
		}
	r->bytes = r->tx_bytes + r->rx_bytes;
	r->packets = r->tx_packets + r->rx_packets;
}

static int by_id(const void *a, const void *b)
{
	__u64 x = *(const __u64 *)a, y = *(const __u64 *)b;

	return (x > y) - (x < y);
}

/* Every key once: a walk restarts from the first key when the key it
 * stands on is deleted under it, so sort and drop repeats.
 */
static int read_keys(int fd, __u32 max, __u64 **keys, size_t *n)
{
	size_t cap = 64, k = 0, out = 0;
	__u64 *v = malloc(cap * sizeof(*v)), cur = 0, next;
	bool first = true;

	if (!v)
		return -ENOMEM;
	while (!bpf_map_get_next_key(fd, first ? NULL : &cur, &next)) {
		if (k == cap) {
			__u64 *g = realloc(v, (cap *= 2) * sizeof(*v));

			if (!g) {
				free(v);
				return -ENOMEM;
			}
			v = g;
		}
		v[k++] = next;
		cur = next;
		first = false;
		if (k > 4 * (size_t)max) /* restarted too often: stop */
			break;
	}
	xg_qsort(v, k, sizeof(*v), by_id);
	for (size_t i = 0; i < k; i++)
		if (!out || v[out - 1] != v[i])
			v[out++] = v[i];
	*keys = v;
	*n = out;
	return 0;
}

int xg_cg_read(int fd, struct xg_cg_row **rows, size_t *n)
{
	const struct bpf_map_info want = { .type = BPF_MAP_TYPE_PERCPU_HASH,
		.key_size = sizeof(__u64), .value_size = sizeof(struct xg_cg_stats) };
	struct bpf_map_info info = {};
	__u32 ilen = sizeof(info);
	struct xg_cg_stats *pcpu = NULL;
	struct xg_cg_row *out = NULL;
	__u64 *keys = NULL;
	size_t nkeys = 0, m = 0;
	int err = check_map(fd, &want);

	*rows = NULL;
	*n = 0;
	if (err)
		return err;
	if (bpf_obj_get_info_by_fd(fd, &info, &ilen))
		return -errno;
	err = read_keys(fd, info.max_entries, &keys, &nkeys);
	if (err)
		return err;
	pcpu = calloc(xg_nr_cpus(), sizeof(*pcpu));
	out = calloc(nkeys ? nkeys : 1, sizeof(*out));
	if (!pcpu || !out) {
		err = -ENOMEM;
		goto done;
	}
	for (size_t i = 0; i < nkeys; i++) {
		struct xg_cg_row *r = &out[m];

		if (read_one(fd, keys[i], &r->sum, pcpu))
			continue; /* deleted since the walk */
		r->id = keys[i];
		totals(r);
		m++;
	}
	*rows = out;
	*n = m;
	out = NULL;
done:
	free(out);
	free(pcpu);
	free(keys);
	return err;
}

void xg_cg_rows_resolve(struct xg_cg_row *rows, size_t n)
{
	char *path = malloc(XG_CG_PATH_MAX);

	for (size_t i = 0; i < n; i++) {
		struct xg_cg_row *r = &rows[i];

		if (!path) {
			r->state = XG_CG_UNKNOWN;
		} else {
			path[0] = '\0';
			r->state = xg_cg_resolve(r->id, path, XG_CG_PATH_MAX);
		}
		free(r->path);
		r->path = strdup(r->state == XG_CG_LIVE && path ? path : "");
		if (r->state == XG_CG_LIVE)
			xg_cg_display_name(r->path, r->name, sizeof(r->name));
		else
			snprintf(r->name, sizeof(r->name), "%s %llu",
				 r->state == XG_CG_REMOVED ? "(removed)" : "(unknown)",
				 (unsigned long long)r->id);
	}
	free(path);
}

void xg_cg_rows_free(struct xg_cg_row *rows, size_t n)
{
	for (size_t i = 0; rows && i < n; i++)
		free(rows[i].path);
	free(rows);
}

static enum xg_cg_sort sort_key;

static int busiest_first(const void *a, const void *b)
{
	const struct xg_cg_row *x = a, *y = b;
	__u64 vx = sort_key == XG_CG_SORT_BYTES ? x->bytes : x->packets;
	__u64 vy = sort_key == XG_CG_SORT_BYTES ? y->bytes : y->packets;

	if (vx != vy)
		return vx < vy ? 1 : -1;
	return (x->id > y->id) - (x->id < y->id);
}

void xg_cg_rows_sort(struct xg_cg_row *rows, size_t n, enum xg_cg_sort key)
{
	sort_key = key;
	xg_qsort(rows, n, sizeof(*rows), busiest_first);
}

int xg_cg_drop_removed(int fd, const struct xg_cg_row *rows, size_t n)
{
	struct xg_cg_stats *pcpu = calloc(xg_nr_cpus(), sizeof(*pcpu)), now;
	int dropped = 0;

	if (!pcpu)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		if (rows[i].state != XG_CG_REMOVED)
			continue;
		/* Unchanged since shown: nothing unreported is lost. */
		if (read_one(fd, rows[i].id, &now, pcpu) ||
		    memcmp(&now, &rows[i].sum, sizeof(now)))
			continue;
		if (!bpf_map_delete_elem(fd, &rows[i].id))
			dropped++;
	}
	free(pcpu);
	return dropped;
}

int xg_cg_read_misc(int fd, struct xg_counter *out)
{
	int ncpu = xg_nr_cpus();
	struct xg_counter *pcpu = calloc(ncpu, sizeof(*pcpu));
	int err = 0;

	if (!pcpu)
		return -ENOMEM;
	memset(out, 0, XG_CG_EV__MAX * sizeof(*out));
	for (__u32 k = 0; k < XG_CG_EV__MAX && !err; k++) {
		if (bpf_map_lookup_elem(fd, &k, pcpu)) {
			err = -errno;
			break;
		}
		for (int c = 0; c < ncpu; c++) {
			out[k].packets += pcpu[c].packets;
			out[k].bytes += pcpu[c].bytes;
		}
	}
	free(pcpu);
	return err;
}
