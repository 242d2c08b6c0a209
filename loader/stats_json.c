// SPDX-License-Identifier: GPL-2.0
/* `xdpgate stats --json`: the document scripts and tests rely on. Every
 * action and every reason except "ok" is always present, zeros included,
 * so consumers never have to guess whether a key is missing or zero.
 */
#include <arpa/inet.h>
#include <sys/socket.h>

#include "json.h"
#include "metrics.h"
#include "stats_print.h"
#include "util.h"
#include "xdpgate_names.h"

static void counter(struct xg_json *j, const char *key,
		    const struct xg_counter *c)
{
	xj_obj_open(j, key);
	xj_u64(j, "packets", c->packets);
	xj_u64(j, "bytes", c->bytes);
	xj_obj_close(j);
}

void xg_evictions_json(struct xg_json *j, const struct xg_evictions *ev)
{
	xj_obj_open(j, "evictions");
	if (ev->known) {
		xj_u64(j, "inserted", ev->inserted);
		xj_u64(j, "evicted", ev->evicted);
		xj_u64(j, "packets", ev->packets);
		xj_u64(j, "bytes", ev->bytes);
	} else {
		xj_null(j, "inserted");
		xj_null(j, "evicted");
		xj_null(j, "packets");
		xj_null(j, "bytes");
	}
	xj_obj_close(j);
}

static void source(struct xg_json *j, const struct xg_stats_snapshot *s,
		   const struct xg_source_row *r)
{
	char addr[INET6_ADDRSTRLEN];

	xj_obj_open(j, NULL);
	xj_str(j, "source", xg_addr_str(r->family, r->addr, addr, sizeof(addr)));
	xj_str(j, "family", r->family == AF_INET ? "ipv4" : "ipv6");
	xj_u64(j, "packets", r->packets);
	xj_u64(j, "bytes", r->bytes);
	xj_u64(j, "drops", r->drops);
	xj_u64(j, "redirects", r->redirects);
	xj_u64(j, "limited", r->limited);
	if (r->last_seen_ns)
		xj_double(j, "last_seen", xg_stamp_epoch(s, r->last_seen_ns), 3);
	else
		xj_null(j, "last_seen"); /* never: only for entries made by hand */
	xj_u64(j, "held_est", r->held_est);
	xj_bool(j, "estimate", xg_row_is_estimate(r));
	xj_obj_close(j);
}

/* How the instance counts per source, and what no row holds. */
static void accounting(struct xg_json *j, const struct xg_stats_snapshot *s)
{
	struct xg_counter held = {
		s->adm.held[0].packets + s->adm.held[1].packets,
		s->adm.held[0].bytes + s->adm.held[1].bytes,
	};

	xj_obj_open(j, "accounting");
	xj_str(j, "mode", s->cfg.exact ? "exact" : "admission");
	if (s->cfg.exact) {
		xj_null(j, "admit_packets");
		xj_null(j, "budget");
	} else {
		xj_u64(j, "admit_packets", s->cfg.admit_pkts);
		xj_u64(j, "budget", s->cfg.admit_budget);
	}
	xj_u64(j, "admitted", s->adm.admitted);
	xj_u64(j, "budgeted", s->adm.budgeted);
	xj_obj_open(j, "held");
	xj_u64(j, "packets", held.packets);
	xj_u64(j, "bytes", held.bytes);
	counter(j, "ipv4", &s->adm.held[0]);
	counter(j, "ipv6", &s->adm.held[1]);
	xj_obj_close(j);
	xj_u64(j, "estimate_bound", s->est_bound);
	xj_obj_close(j);
}

static void interface(struct xg_json *j, const struct xg_stats_snapshot *s,
		      size_t top)
{
	size_t shown = top < s->nr_sources ? top : s->nr_sources;

	xj_obj_open(j, NULL);
	xj_str(j, "ifname", s->inst.ifname);
	xj_u64(j, "ifindex", (unsigned)s->inst.ifindex);
	xj_str(j, "hook", xg_hook_name(s->inst.hook));
	xj_str(j, "direction", xg_hook_direction(s->inst.hook));
	xj_str(j, "counted_by", xg_hook_key(s->inst.hook));
	if (s->inst.hook == XG_HOOK_XDP)
		xj_str(j, "mode", xg_mode_name(s->inst.mode));
	else
		xj_null(j, "mode"); /* TC has no XDP mode */
	xj_str(j, "via", xg_via_name(s->inst.via));
	xj_u64(j, "prog_id", s->inst.prog_id);

	xj_obj_open(j, "actions");
	for (int a = 0; a < XG_ACT__MAX; a++)
		counter(j, xg_action_names[a], &s->actions[a]);
	xj_obj_close(j);

	xj_obj_open(j, "parse");
	for (int r = 0; r < XG_RSN__MAX; r++)
		if (r != XG_PARSE_OK)
			counter(j, xg_reason_names[r], &s->reasons[r]);
	xj_obj_close(j);

	accounting(j, s);
	xj_u64(j, "sources_total", s->nr_sources);
	xg_evictions_json(j, &s->ev);
	xj_arr_open(j, "sources");
	for (size_t i = 0; i < shown; i++)
		source(j, s, &s->sources[i]);
	xj_arr_close(j);
	xj_obj_close(j);
}

void xg_stats_print_json(FILE *f, const struct xg_stats_snapshot *snaps,
			 size_t n, size_t top)
{
	struct xg_json j;

	xj_init(&j, f);
	xj_obj_open(&j, NULL);
	xj_arr_open(&j, "interfaces");
	for (size_t i = 0; i < n; i++)
		interface(&j, &snaps[i], top);
	xj_arr_close(&j);
	xj_obj_close(&j);
	xj_end(&j);
}
