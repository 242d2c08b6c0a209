// SPDX-License-Identifier: GPL-2.0
/* Printing per-cgroup rows. The table shows the name people know a
 * cgroup by; JSON also gives its full path, its id and every cell.
 */
#include <string.h>

#include "cgroups_backend.h"
#include "cgroups_print.h"
#include "humanfmt.h"
#include "json.h"

static const char *const proto_names[XG_CG_PROTO__MAX] = { "tcp", "udp" };
static const char *const family_names[XG_CG_FAMILY__MAX] = { "ipv4", "ipv6" };
static const char *const event_names[XG_CG_EV__MAX] = {
	[XG_CG_EV_MAP_FULL] = "map_full",
	[XG_CG_EV_NO_SOCK] = "no_sock",
};
static const char *const state_names[] = {
	[XG_CG_LIVE] = "live", [XG_CG_REMOVED] = "removed",
	[XG_CG_UNKNOWN] = "unknown",
};

const char *xg_cg_counts_what(int backend)
{
	return backend == XG_CG_BACKEND_CGROUP_SKB ?
		"packets: IP packets (GSO counted per segment); bytes: IP packet length, headers included" :
		"packets: send/recv calls; bytes: what they returned (application bytes)";
}

static size_t shown(const struct xg_cg_view *v)
{
	return v->top < v->nr_rows ? v->top : v->nr_rows;
}

#define NUM_W 12

void xg_cg_print_table(FILE *f, const struct xg_cg_view *v)
{
	char b[4][32];
	int w = (int)strlen("cgroup");
	size_t n = shown(v);

	fprintf(f, "socket layer: backend %s (%s); %s\n\n",
		xg_cg_backend_name(v->info->backend), v->info->variant,
		xg_cg_counts_what(v->info->backend));
	if (!v->nr_rows) {
		fprintf(f, "  no traffic counted yet\n");
		return;
	}
	for (size_t i = 0; i < n; i++)
		if ((int)strlen(v->rows[i].name) > w)
			w = (int)strlen(v->rows[i].name);
	fprintf(f, "  %-*s %*s %*s %*s %*s\n", w, "cgroup", NUM_W, "tx_bytes",
		NUM_W, "tx_packets", NUM_W, "rx_bytes", NUM_W, "rx_packets");
	for (size_t i = 0; i < n; i++) {
		const struct xg_cg_row *r = &v->rows[i];

		fprintf(f, "  %-*s %*s %*s %*s %*s\n", w, r->name,
			NUM_W, xg_fmt_bytes(r->tx_bytes, b[0], sizeof(b[0])),
			NUM_W, xg_fmt_count(r->tx_packets, b[1], sizeof(b[1])),
			NUM_W, xg_fmt_bytes(r->rx_bytes, b[2], sizeof(b[2])),
			NUM_W, xg_fmt_count(r->rx_packets, b[3], sizeof(b[3])));
	}
	if (n < v->nr_rows)
		fprintf(f, "  \u2026 and %zu more cgroups (use --top)\n", v->nr_rows - n);
	for (int e = 0; e < XG_CG_EV__MAX; e++)
		if (v->misc[e].packets)
			fprintf(f, "  not in any row (%s): %llu packets, %s\n",
				event_names[e], (unsigned long long)v->misc[e].packets,
				xg_fmt_bytes(v->misc[e].bytes, b[0], sizeof(b[0])));
}

static void cells_json(struct xg_json *j, const struct xg_cg_row *r)
{
	for (int p = 0; p < XG_CG_PROTO__MAX; p++) {
		xj_obj_open(j, proto_names[p]);
		for (int fam = 0; fam < XG_CG_FAMILY__MAX; fam++) {
			const struct xg_counter *tx = &r->sum.c[XG_CG_CELL(p, fam, XG_CG_TX)];
			const struct xg_counter *rx = &r->sum.c[XG_CG_CELL(p, fam, XG_CG_RX)];

			xj_obj_open(j, family_names[fam]);
			xj_u64(j, "tx_bytes", tx->bytes);
			xj_u64(j, "tx_packets", tx->packets);
			xj_u64(j, "rx_bytes", rx->bytes);
			xj_u64(j, "rx_packets", rx->packets);
			xj_obj_close(j);
		}
		xj_obj_close(j);
	}
}

void xg_cg_print_json(FILE *f, const struct xg_cg_view *v)
{
	struct xg_json j;
	size_t n = shown(v);

	xj_init(&j, f);
	xj_obj_open(&j, NULL);
	xj_str(&j, "backend", xg_cg_backend_name(v->info->backend));
	xj_str(&j, "variant", v->info->variant);
	xj_str(&j, "counts", xg_cg_counts_what(v->info->backend));
	xj_u64(&j, "cgroups_total", v->nr_rows);
	xj_arr_open(&j, "cgroups");
	for (size_t i = 0; i < n; i++) {
		const struct xg_cg_row *r = &v->rows[i];

		xj_obj_open(&j, NULL);
		xj_str(&j, "cgroup", r->name);
		if (*r->path)
			xj_str(&j, "path", r->path);
		else
			xj_null(&j, "path");
		xj_u64(&j, "id", r->id);
		xj_str(&j, "state", state_names[r->state]);
		xj_u64(&j, "tx_bytes", r->tx_bytes);
		xj_u64(&j, "tx_packets", r->tx_packets);
		xj_u64(&j, "rx_bytes", r->rx_bytes);
		xj_u64(&j, "rx_packets", r->rx_packets);
		cells_json(&j, r);
		xj_obj_close(&j);
	}
	xj_arr_close(&j);
	xj_obj_open(&j, "uncounted");
	for (int e = 0; e < XG_CG_EV__MAX; e++) {
		xj_obj_open(&j, event_names[e]);
		xj_u64(&j, "packets", v->misc[e].packets);
		xj_u64(&j, "bytes", v->misc[e].bytes);
		xj_obj_close(&j);
	}
	xj_obj_close(&j);
	xj_obj_close(&j);
	xj_end(&j);
}
