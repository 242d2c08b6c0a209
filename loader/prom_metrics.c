// SPDX-License-Identifier: GPL-2.0
/* The metrics model (metrics.h) as Prometheus families: every metric name,
 * its type and help text live here. The names follow the JSON field names
 * of stats, status and cgroups (README "Stats schema" has the mapping);
 * every per-interface series carries ifname, hook and direction, every
 * per-source series source and family, every per-cgroup series cgroup and
 * path. A family's samples are written together, as the format requires.
 */
#include <arpa/inet.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "cgroups_backend.h"
#include "metrics.h"
#include "prom.h"
#include "prom_metrics.h"
#include "util.h"
#include "xdpgate_names.h"

static const char *const fill_names[XG_FILL__MAX] = {
	[XG_FILL_SRC_V4] = XG_MAP_SRC_V4,
	[XG_FILL_SRC_V6] = XG_MAP_SRC_V6,
	[XG_FILL_HOT_V4] = XG_MAP_HOT_V4,
	[XG_FILL_HOT_V6] = XG_MAP_HOT_V6,
};

static const char *const cg_proto[XG_CG_PROTO__MAX] = { "tcp", "udp" };
static const char *const cg_family[XG_CG_FAMILY__MAX] = { "ipv4", "ipv6" };
static const char *const cg_dir[XG_CG_DIR__MAX] = { "tx", "rx" };
static const char *const cg_events[XG_CG_EV__MAX] = { "map_full", "no_sock" };

static void inst_labels(struct xp_labels *l, const struct xg_scrape_inst *si)
{
	const struct xg_instance *in = &si->snap.inst;

	l->n = 0;
	xp_push(l, "ifname", in->ifname);
	xp_push(l, "hook", xg_hook_name(in->hook));
	xp_push(l, "direction", xg_hook_direction(in->hook));
}

/* ---- layers and the collection itself ---- */

static void layers(struct xp_out *f, const struct xg_scrape *s)
{
	struct xp_labels l = { 0 };

	xp_family(f, "xdpgate_up", "gauge",
		  "1 when the layer runs (xdp, tc: on an interface looked at; "
		  "cgroup: the socket layer is attached), else 0");
	for (int i = 0; i < XG_LAYER__MAX; i++) {
		if (i == XG_LAYER_CGROUP && !s->cgroups_read)
			continue;
		l.n = 0;
		xp_push(&l, "layer", xg_layer_names[i]);
		xp_u64(f, &l, s->up[i]);
	}
	xp_family(f, "xdpgate_scrape_duration_seconds", "gauge",
		  "Time the collection took: discovery, map reads, ranking");
	xp_f64(f, NULL, s->seconds);
	xp_family(f, "xdpgate_scrape_errors", "gauge",
		  "Interfaces or layers asked for that could not be read in this collection");
	xp_u64(f, NULL, (__u64)s->errors);
}

/* ---- per instance ---- */

static void instance_info(struct xp_out *f, const struct xg_scrape *s)
{
	struct xp_labels l;
	char idx[16];

	xp_family(f, "xdpgate_instance_info", "gauge",
		  "An instance of xdpgate on an interface: mode and attach path obtained, "
		  "what its rows are keyed by (the label source holds a destination at TC egress)");
	for (size_t i = 0; i < s->nr_inst; i++) {
		const struct xg_instance *in = &s->inst[i].snap.inst;

		inst_labels(&l, &s->inst[i]);
		snprintf(idx, sizeof(idx), "%d", in->ifindex);
		xp_push(&l, "ifindex", idx);
		/* TC has no XDP mode: an empty value, as JSON's null. */
		xp_push(&l, "mode", in->hook == XG_HOOK_XDP ? xg_mode_name(in->mode) : "");
		xp_push(&l, "via", xg_via_name(in->via));
		xp_push(&l, "counted_by", xg_hook_key(in->hook));
		xp_push(&l, "accounting", s->inst[i].snap.cfg.exact ? "exact" : "admission");
		xp_push(&l, "pin_path", in->pin_dir);
		xp_u64(f, &l, 1);
	}
}

/* prog ids of the instances, then of the socket layer. */
static void prog_ids(struct xp_out *f, const struct xg_scrape *s)
{
	struct xp_labels l;

	xp_family(f, "xdpgate_prog_id", "gauge",
		  "Id of xdpgate's program (changes on a replace)");
	for (size_t i = 0; i < s->nr_inst; i++) {
		inst_labels(&l, &s->inst[i]);
		xp_u64(f, &l, s->inst[i].snap.inst.prog_id);
	}
	if (s->cg.read) {
		l.n = 0;
		xp_push(&l, "hook", "cgroup");
		xp_u64(f, &l, s->cg.prog_id);
	}
	xp_family(f, "xdpgate_attached_prog_id", "gauge",
		  "Id of the program the interface runs: xdpgate's, or libxdp's dispatcher holding it");
	for (size_t i = 0; i < s->nr_inst; i++) {
		inst_labels(&l, &s->inst[i]);
		xp_u64(f, &l, s->inst[i].snap.inst.attached_id);
	}
}

static void read_durations(struct xp_out *f, const struct xg_scrape *s)
{
	struct xp_labels l;

	xp_family(f, "xdpgate_read_duration_seconds", "gauge",
		  "Time the loader took to read one instance's maps (or the socket layer's)");
	for (size_t i = 0; i < s->nr_inst; i++) {
		inst_labels(&l, &s->inst[i]);
		xp_f64(f, &l, s->inst[i].read_seconds);
	}
	if (s->cgroups_read) {
		l.n = 0;
		xp_push(&l, "hook", "cgroup");
		xp_f64(f, &l, s->cg.read_seconds);
	}
}

/* An array of counters per instance, labelled key=names[i]. */
static void counter_family(struct xp_out *f, const struct xg_scrape *s, const char *name,
			   const char *help, bool bytes, bool parse)
{
	struct xp_labels l;

	xp_family(f, name, "counter", help);
	for (size_t i = 0; i < s->nr_inst; i++) {
		const struct xg_stats_snapshot *sn = &s->inst[i].snap;
		int nr = parse ? XG_RSN__MAX : XG_ACT__MAX;

		inst_labels(&l, &s->inst[i]);
		for (int k = parse ? 1 : 0; k < nr; k++) {
			const struct xg_counter *c = parse ? &sn->reasons[k] : &sn->actions[k];

			xp_push(&l, parse ? "reason" : "action",
				parse ? xg_reason_names[k] : xg_action_names[k]);
			xp_u64(f, &l, bytes ? c->bytes : c->packets);
			xp_pop(&l, 1);
		}
	}
}

static void sources_count(struct xp_out *f, const struct xg_scrape *s)
{
	struct xp_labels l;

	xp_family(f, "xdpgate_sources", "gauge",
		  "Distinct sources in the per-source rows (LRU maps and hot slots)");
	for (size_t i = 0; i < s->nr_inst; i++) {
		inst_labels(&l, &s->inst[i]);
		for (int k = 0; k < 2; k++) {
			xp_push(&l, "family", k ? "ipv6" : "ipv4");
			xp_u64(f, &l, s->inst[i].snap.nr_family[k]);
			xp_pop(&l, 1);
		}
	}
}

static const struct {
	const char *name;
	const char *help;
	size_t off;
} ev_fields[] = {
	{ "xdpgate_sources_inserted_total",
	  "Per-source entries the data plane inserted (JSON evictions.inserted)",
	  offsetof(struct xg_evictions, inserted) },
	{ "xdpgate_sources_evicted_total",
	  "Per-source entries evicted from the full LRU maps (evictions.evicted)",
	  offsetof(struct xg_evictions, evicted) },
	{ "xdpgate_evicted_packets_total",
	  "Packets counted under sources since evicted: in the totals, in no row (evictions.packets)",
	  offsetof(struct xg_evictions, packets) },
	{ "xdpgate_evicted_bytes_total",
	  "Bytes counted under sources since evicted (evictions.bytes)",
	  offsetof(struct xg_evictions, bytes) },
};

/* The admission stage: what it held in no row, what it let in, how far
 * an estimate may be off (programs without the stage: nothing).
 */
static void admission(struct xp_out *f, const struct xg_scrape *s)
{
	static const char *const fams[2] = { "ipv4", "ipv6" };
	struct xp_labels l;

	for (int bytes = 0; bytes < 2; bytes++) {
		xp_family(f, bytes ? "xdpgate_held_bytes_total" : "xdpgate_held_packets_total",
			  "counter", bytes ?
			  "Bytes the admission stage held: counted in no row, only in its sketch" :
			  "Packets the admission stage held: counted in no row, only in its sketch "
			  "(JSON accounting.held)");
		for (size_t i = 0; i < s->nr_inst; i++) {
			const struct xg_stats_snapshot *sn = &s->inst[i].snap;

			if (!sn->cfg.has_admission)
				continue;
			inst_labels(&l, &s->inst[i]);
			for (int fa = 0; fa < 2; fa++) {
				xp_push(&l, "family", fams[fa]);
				xp_u64(f, &l, bytes ? sn->adm.held[fa].bytes : sn->adm.held[fa].packets);
				xp_pop(&l, 1);
			}
		}
	}
	for (int k = 0; k < 3; k++) {
		static const char *const names[3] = {
			"xdpgate_sources_admitted_total", "xdpgate_sources_budgeted_total",
			"xdpgate_estimate_bound" };
		static const char *const helps[3] = {
			"Entries made for sources that proved themselves (accounting.admitted)",
			"Entries made on the admission budget (accounting.budgeted)",
			"How far a source's held estimate may exceed the truth, 95% (accounting.estimate_bound)" };

		xp_family(f, names[k], k == 2 ? "gauge" : "counter", helps[k]);
		for (size_t i = 0; i < s->nr_inst; i++) {
			const struct xg_stats_snapshot *sn = &s->inst[i].snap;

			if (!sn->cfg.has_admission)
				continue;
			inst_labels(&l, &s->inst[i]);
			xp_u64(f, &l, k == 0 ? sn->adm.admitted : k == 1 ? sn->adm.budgeted :
				      sn->est_bound);
		}
	}
}

/* Only for programs that count inserts (evictions known). */
static void evictions(struct xp_out *f, const struct xg_scrape *s)
{
	struct xp_labels l;

	for (size_t k = 0; k < sizeof(ev_fields) / sizeof(ev_fields[0]); k++) {
		xp_family(f, ev_fields[k].name, "counter", ev_fields[k].help);
		for (size_t i = 0; i < s->nr_inst; i++) {
			const struct xg_evictions *ev = &s->inst[i].snap.ev;

			if (!ev->known)
				continue;
			inst_labels(&l, &s->inst[i]);
			xp_u64(f, &l,
			       *(const __u64 *)((const char *)ev + ev_fields[k].off));
		}
	}
}

static void map_fill(struct xp_out *f, const struct xg_scrape *s, bool max)
{
	const char *name = max ? "xdpgate_map_max_entries" : "xdpgate_map_entries";
	struct xp_labels l;

	xp_family(f, name, "gauge", max ?
		  "Capacity of a map (max_entries; per CPU for the hot-source caches)" :
		  "Entries in a map (hot-source caches: slots holding counts not yet written back)");
	for (size_t i = 0; i < s->nr_inst; i++) {
		inst_labels(&l, &s->inst[i]);
		for (int m = 0; m < XG_FILL__MAX; m++) {
			const struct xg_map_fill *mf = &s->inst[i].fill[m];

			if (!mf->ok)
				continue;
			xp_push(&l, "map", fill_names[m]);
			xp_u64(f, &l, max ? mf->max_entries : mf->entries);
			xp_pop(&l, 1);
		}
	}
	if (s->cg.read && s->cg.fill.ok) {
		l.n = 0;
		xp_push(&l, "hook", "cgroup");
		xp_push(&l, "map", XG_CG_MAP_STATS);
		xp_u64(f, &l, max ? s->cg.fill.max_entries : s->cg.fill.entries);
	}
}

static void policy(struct xp_out *f, const struct xg_scrape *s)
{
	struct xp_labels l;

	xp_family(f, "xdpgate_rules", "gauge", "Rules of the live rule set");
	for (size_t i = 0; i < s->nr_inst; i++) {
		if (s->inst[i].rules < 0)
			continue;
		inst_labels(&l, &s->inst[i]);
		xp_u64(f, &l, (__u64)s->inst[i].rules);
	}
	xp_family(f, "xdpgate_rules_generation", "gauge",
		  "Rule-set generation, bumped by every rule change");
	for (size_t i = 0; i < s->nr_inst; i++) {
		if (s->inst[i].generation < 0)
			continue;
		inst_labels(&l, &s->inst[i]);
		xp_u64(f, &l, (__u64)s->inst[i].generation);
	}
}

/* ---- per source: the top N, then "other" per family ---- */

static const struct {
	const char *name;
	const char *help;
	size_t off;
} src_fields[] = {
	{ "xdpgate_source_packets_total", "Packets of a top source (source=\"other\": the rest)",
	  offsetof(struct xg_source_row, packets) },
	{ "xdpgate_source_bytes_total", "Bytes of a top source (source=\"other\": the rest)",
	  offsetof(struct xg_source_row, bytes) },
	{ "xdpgate_source_drops_total", "Packets of a top source dropped by a rule or the default",
	  offsetof(struct xg_source_row, drops) },
	{ "xdpgate_source_redirects_total", "Packets of a top source redirected",
	  offsetof(struct xg_source_row, redirects) },
	{ "xdpgate_source_limited_total", "Packets of a top source dropped by a rate limit",
	  offsetof(struct xg_source_row, limited) },
};

static __u64 row_field(const struct xg_source_row *r, size_t off)
{
	return *(const __u64 *)((const char *)r + off);
}

static void source_rows(struct xp_out *f, const struct xg_scrape *s, size_t k)
{
	const char *name = src_fields[k].name;
	char addr[INET6_ADDRSTRLEN];
	struct xp_labels l;

	xp_family(f, name, "counter", src_fields[k].help);
	for (size_t i = 0; i < s->nr_inst; i++) {
		const struct xg_scrape_inst *si = &s->inst[i];

		inst_labels(&l, si);
		for (size_t r = 0; r < si->shown; r++) {
			const struct xg_source_row *row = &si->snap.sources[r];

			xp_push(&l, "source", xg_addr_str(row->family, row->addr, addr,
							  sizeof(addr)));
			xp_push(&l, "family", row->family == AF_INET ? "ipv4" : "ipv6");
			xp_u64(f, &l, row_field(row, src_fields[k].off));
			xp_pop(&l, 2);
		}
		/* Always there, zero or not, so the series does not come and go. */
		for (int fam = 0; fam < 2; fam++) {
			xp_push(&l, "source", "other");
			xp_push(&l, "family", fam ? "ipv6" : "ipv4");
			xp_u64(f, &l, row_field(&si->other[fam], src_fields[k].off));
			xp_pop(&l, 2);
		}
	}
}

/* Rows whose source the admission stage also held: the sketch's estimate
 * of those packets (sources[].held_est where estimate is true). Only such
 * rows have the series; "other" sums the rest's.
 */
static void source_held(struct xp_out *f, const struct xg_scrape *s)
{
	char addr[INET6_ADDRSTRLEN];
	struct xp_labels l;

	xp_family(f, "xdpgate_source_held_estimate", "gauge",
		  "Estimated packets of a top source the admission stage held in its sketch, "
		  "beside the exact source_packets_total (estimate: true in JSON, ~ in tables)");
	for (size_t i = 0; i < s->nr_inst; i++) {
		const struct xg_scrape_inst *si = &s->inst[i];

		inst_labels(&l, si);
		for (size_t r = 0; r < si->shown; r++) {
			const struct xg_source_row *row = &si->snap.sources[r];

			if (!xg_row_is_estimate(row))
				continue;
			xp_push(&l, "source", xg_addr_str(row->family, row->addr, addr,
							  sizeof(addr)));
			xp_push(&l, "family", row->family == AF_INET ? "ipv4" : "ipv6");
			xp_u64(f, &l, row->held_est);
			xp_pop(&l, 2);
		}
		for (int fam = 0; fam < 2; fam++) {
			if (!xg_row_is_estimate(&si->other[fam]))
				continue;
			xp_push(&l, "source", "other");
			xp_push(&l, "family", fam ? "ipv6" : "ipv4");
			xp_u64(f, &l, si->other[fam].held_est);
			xp_pop(&l, 2);
		}
	}
}

static void source_last_seen(struct xp_out *f, const struct xg_scrape *s)
{
	char addr[INET6_ADDRSTRLEN];
	struct xp_labels l;

	xp_family(f, "xdpgate_source_last_seen_seconds", "gauge",
		  "When a top source last sent, Unix time");
	for (size_t i = 0; i < s->nr_inst; i++) {
		const struct xg_scrape_inst *si = &s->inst[i];

		inst_labels(&l, si);
		for (size_t r = 0; r < si->shown; r++) {
			const struct xg_source_row *row = &si->snap.sources[r];

			if (!row->last_seen_ns)
				continue;
			xp_push(&l, "source", xg_addr_str(row->family, row->addr, addr,
							  sizeof(addr)));
			xp_push(&l, "family", row->family == AF_INET ? "ipv4" : "ipv6");
			xp_f64(f, &l,
			       xg_stamp_epoch(&si->snap, row->last_seen_ns));
			xp_pop(&l, 2);
		}
	}
}

/* ---- the socket layer ---- */

static void cg_cells(struct xp_out *f, struct xp_labels *l,
		     const struct xg_cg_stats *st, bool bytes)
{
	for (int p = 0; p < XG_CG_PROTO__MAX; p++)
		for (int fa = 0; fa < XG_CG_FAMILY__MAX; fa++)
			for (int d = 0; d < XG_CG_DIR__MAX; d++) {
				const struct xg_counter *c = &st->c[XG_CG_CELL(p, fa, d)];

				xp_push(l, "proto", cg_proto[p]);
				xp_push(l, "family", cg_family[fa]);
				xp_push(l, "direction", cg_dir[d]);
				xp_u64(f, l, bytes ? c->bytes : c->packets);
				xp_pop(l, 3);
			}
}

static void cg_counters(struct xp_out *f, const struct xg_scrape_cg *c, bool bytes)
{
	const char *name = bytes ? "xdpgate_cgroup_bytes_total" : "xdpgate_cgroup_packets_total";
	struct xp_labels l = { 0 };

	xp_family(f, name, "counter", bytes ?
		  "Bytes per cgroup, protocol, family and direction (see the backend for what a byte is)" :
		  "Packets per cgroup (socket backends: send/recv calls; cgroup_skb: IP packets)");
	for (size_t i = 0; i < c->shown; i++) {
		l.n = 0;
		xp_push(&l, "cgroup", c->rows[i].name);
		xp_push(&l, "path", c->rows[i].path);
		cg_cells(f, &l, &c->rows[i].sum, bytes);
	}
	l.n = 0;
	xp_push(&l, "cgroup", "other");
	xp_push(&l, "path", "");
	cg_cells(f, &l, &c->other, bytes);
}

static void cgroups(struct xp_out *f, const struct xg_scrape *s)
{
	const struct xg_scrape_cg *c = &s->cg;
	struct xp_labels l = { 0 };

	if (!c->read)
		return;
	xp_family(f, "xdpgate_cgroup_info", "gauge",
		  "The socket layer's backend and how it runs");
	xp_push(&l, "backend", xg_cg_backend_name((int)c->info.backend));
	xp_push(&l, "variant", c->info.variant);
	xp_u64(f, &l, 1);
	xp_family(f, "xdpgate_cgroups", "gauge", "Cgroups with a row in the socket layer's map");
	xp_u64(f, NULL, c->nr_rows);
	cg_counters(f, c, false);
	cg_counters(f, c, true);
	for (int bytes = 0; bytes < 2; bytes++) {
		const char *name = bytes ? "xdpgate_cgroup_uncounted_bytes_total" :
					   "xdpgate_cgroup_uncounted_packets_total";

		xp_family(f, name, "counter",
			  "Socket-layer traffic that reached no cgroup row, by reason");
		for (int e = 0; e < XG_CG_EV__MAX; e++) {
			l.n = 0;
			xp_push(&l, "reason", cg_events[e]);
			xp_u64(f, &l, bytes ? c->misc[e].bytes : c->misc[e].packets);
		}
	}
}

void xg_prom_write_self(FILE *out, const struct xg_prom_self *x)
{
	struct xp_out o, *f = &o;

	xp_init(f, out);
	xp_family(f, "xdpgate_exporter_scrapes_total", "counter",
		  "Requests for /metrics answered");
	xp_u64(f, NULL, x->scrapes);
	xp_family(f, "xdpgate_exporter_collections_total", "counter",
		  "Collections made (scrapes inside --cache of the last one share it)");
	xp_u64(f, NULL, x->collections);
	xp_family(f, "xdpgate_exporter_open_fds", "gauge",
		  "File descriptors the exporter holds open");
	xp_u64(f, NULL, (__u64)x->open_fds);
	xp_family(f, "xdpgate_exporter_start_time_seconds", "gauge",
		  "When the exporter started, Unix time");
	xp_f64(f, NULL, x->start_time);
}

void xg_prom_write(FILE *out, const struct xg_scrape *s)
{
	struct xp_out o, *f = &o;

	xp_init(f, out);
	layers(f, s);
	instance_info(f, s);
	prog_ids(f, s);
	read_durations(f, s);
	counter_family(f, s, "xdpgate_packets_total",
		       "Packets by the action taken (each packet counts in one)", false, false);
	counter_family(f, s, "xdpgate_bytes_total",
		       "Bytes (frame length) by the action taken", true, false);
	counter_family(f, s, "xdpgate_parse_errors_total",
		       "Packets by parse outcome other than ok (not_ip: not IP, passed; "
		       "src_update_fail: the per-source map refused the source)", false, true);
	counter_family(f, s, "xdpgate_parse_error_bytes_total",
		       "Bytes by parse outcome other than ok", true, true);
	sources_count(f, s);
	admission(f, s);
	evictions(f, s);
	map_fill(f, s, false);
	map_fill(f, s, true);
	policy(f, s);
	for (size_t k = 0; k < sizeof(src_fields) / sizeof(src_fields[0]); k++)
		source_rows(f, s, k);
	source_held(f, s);
	source_last_seen(f, s);
	cgroups(f, s);
}
