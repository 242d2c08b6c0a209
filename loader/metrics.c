// SPDX-License-Identifier: GPL-2.0
/* Collecting the metrics model (metrics.h): discovery, one snapshot per
 * instance, the self-monitoring beside it, top N with the remainder
 * summed, and the socket layer. Every fd opened here is closed before the
 * collection returns: the exporter collects for as long as it runs.
 */
#include <errno.h>
#include <net/if.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "log.h"
#include "metrics.h"
#include "xdpgate_policy.h"

const char *const xg_layer_names[XG_LAYER__MAX] = {
	[XG_LAYER_XDP] = "xdp",
	[XG_LAYER_TC] = "tc",
	[XG_LAYER_CGROUP] = "cgroup",
};

enum xg_layer xg_hook_layer(enum xg_hook hook)
{
	switch (hook) {
	case XG_HOOK_TC_INGRESS:
	case XG_HOOK_TC_EGRESS: return XG_LAYER_TC;
	case XG_HOOK_CGROUP: return XG_LAYER_CGROUP;
	default: return XG_LAYER_XDP;
	}
}

__u64 xg_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ull + (__u64)ts.tv_nsec;
}

static double secs_since(__u64 t0)
{
	return (double)(xg_mono_ns() - t0) / 1e9;
}

static void add_row(struct xg_source_row *sum, const struct xg_source_row *r)
{
	sum->packets += r->packets;
	sum->bytes += r->bytes;
	sum->drops += r->drops;
	sum->redirects += r->redirects;
	sum->limited += r->limited;
	sum->held_est += r->held_est;
	sum->flags |= r->flags;
	if (r->last_seen_ns > sum->last_seen_ns)
		sum->last_seen_ns = r->last_seen_ns;
}

void xg_scrape_rank(struct xg_scrape_inst *si, enum xg_sort_key key, size_t top)
{
	struct xg_stats_snapshot *s = &si->snap;

	xg_sources_rank(s->sources, s->nr_sources, key, top);
	si->shown = top < s->nr_sources ? top : s->nr_sources;
	memset(si->other, 0, sizeof(si->other));
	memset(si->other_rows, 0, sizeof(si->other_rows));
	si->other[0].family = AF_INET;
	si->other[1].family = AF_INET6;
	for (size_t i = si->shown; i < s->nr_sources; i++) {
		int f = s->sources[i].family == AF_INET ? 0 : 1;

		add_row(&si->other[f], &s->sources[i]);
		si->other_rows[f]++;
	}
}

static void fill_max(int fd, struct xg_map_fill *f)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);

	f->ok = fd >= 0 && !bpf_obj_get_info_by_fd(fd, &info, &len);
	f->max_entries = f->ok ? info.max_entries : 0;
}

/* Rule count and generation of the live set. */
static void read_policy(int state_fd, struct xg_scrape_inst *si)
{
	struct xg_pol_state st;
	__u32 zero = 0;

	si->rules = si->generation = -1;
	if (state_fd < 0 || bpf_map_lookup_elem(state_fd, &zero, &st))
		return;
	si->generation = st.gen;
	si->rules = (long)st.set[st.gen & 1].nr_v4 + st.set[st.gen & 1].nr_v6;
}

/* What the snapshot does not hold: capacities, pending slots, policy. Read
 * from the program the snapshot followed (a replace meanwhile is seen).
 */
static void read_self(struct xg_scrape_inst *si)
{
	const struct xg_stats_snapshot *s = &si->snap;
	struct xg_maps m;
	int pend;

	si->rules = si->generation = -1;
	if (xg_prog_maps(s->inst.prog_id, &m))
		return;
	fill_max(m.src_v4, &si->fill[XG_FILL_SRC_V4]);
	fill_max(m.src_v6, &si->fill[XG_FILL_SRC_V6]);
	fill_max(m.hot_v4, &si->fill[XG_FILL_HOT_V4]);
	fill_max(m.hot_v6, &si->fill[XG_FILL_HOT_V6]);
	si->fill[XG_FILL_SRC_V4].entries = s->nr_lru[0];
	si->fill[XG_FILL_SRC_V6].entries = s->nr_lru[1];
	pend = xg_hot_pending(m.hot_v4);
	si->fill[XG_FILL_HOT_V4].ok &= pend >= 0;
	si->fill[XG_FILL_HOT_V4].entries = pend > 0 ? (__u64)pend : 0;
	pend = xg_hot_pending(m.hot_v6);
	si->fill[XG_FILL_HOT_V6].ok &= pend >= 0;
	si->fill[XG_FILL_HOT_V6].entries = pend > 0 ? (__u64)pend : 0;
	read_policy(m.pol_state, si);
	xg_maps_close(&m);
}

int xg_scrape_instance(const struct xg_instance *in, const struct xg_scrape_opts *o,
		       struct xg_scrape_inst *si)
{
	__u64 t0 = xg_mono_ns();
	int err;

	memset(si, 0, sizeof(*si));
	err = xg_stats_read(in, &si->snap);
	si->read_seconds = secs_since(t0);
	if (err)
		return err;
	read_self(si);
	xg_scrape_rank(si, o->sort, o->top_sources);
	return 0;
}

static void read_error(const struct xg_scrape_opts *o, const struct xg_instance *in,
		       int err)
{
	if (!o->report) {
		xg_debug("interface %s: %s: reading maps: %s", in->ifname,
			 xg_hook_name(in->hook), xg_strerror(err));
		return;
	}
	if (err == -ESRCH)
		xg_err("interface %s: xdpgate stopped running there while reading",
		       in->ifname);
	else
		xg_err("interface %s: program %u (%s): reading maps: %s", in->ifname,
		       in->prog_id, xg_hook_name(in->hook),
		       err == -ENOENT ? "it has no xdpgate maps (another version?)" :
		       err == -EPROTO ? "unexpected map layout (another xdpgate version?)" :
		       xg_strerror(err));
}

/* Named interfaces that do not exist or do not run xdpgate. */
static int check_named(const struct xg_scrape_opts *o, const struct xg_instance *ins,
		       int n)
{
	int bad = 0;

	for (int i = 0; i < o->nr_ifnames; i++) {
		bool found = false;

		for (int k = 0; k < n; k++)
			found |= !strcmp(ins[k].ifname, o->ifnames[i]);
		if (found)
			continue;
		bad++;
		if (!o->report)
			continue;
		if (!if_nametoindex(o->ifnames[i]))
			xg_err("interface %s: no such interface", o->ifnames[i]);
		else
			xg_err("interface %s: xdpgate is not running there "
			       "(xdpgate attach %s)", o->ifnames[i], o->ifnames[i]);
	}
	return bad;
}

static int collect_instances(const struct xg_scrape_opts *o, struct xg_scrape *s)
{
	struct xg_instance *ins = NULL;
	int n = xg_find_instances(o->ifnames, o->ifnames ? o->nr_ifnames : 0, &ins);

	if (n < 0) {
		if (o->report)
			xg_err("cannot list XDP programs: %s", xg_strerror(n));
		return n;
	}
	if (o->ifnames)
		s->missing = check_named(o, ins, n);
	s->inst = calloc(n ? n : 1, sizeof(*s->inst));
	if (!s->inst) {
		free(ins);
		return -ENOMEM;
	}
	for (int i = 0; i < n; i++) {
		struct xg_scrape_inst *si = &s->inst[s->nr_inst];
		int err = xg_scrape_instance(&ins[i], o, si);

		if (err) {
			/* Detached while we looked, unnamed: simply not running. */
			if (err == -ESRCH && !o->ifnames)
				continue;
			read_error(o, &ins[i], err);
			s->errors++;
			continue;
		}
		s->up[xg_hook_layer(si->snap.inst.hook)] = true;
		s->nr_inst++;
	}
	free(ins);
	return 0;
}

static void cg_other(struct xg_scrape_cg *c)
{
	memset(&c->other, 0, sizeof(c->other));
	c->other_rows = 0;
	for (size_t i = c->shown; i < c->nr_rows; i++, c->other_rows++)
		for (int k = 0; k < XG_CG_CELLS; k++) {
			c->other.c[k].packets += c->rows[i].sum.c[k].packets;
			c->other.c[k].bytes += c->rows[i].sum.c[k].bytes;
		}
}

/* The socket layer: absent, an orphan (reported absent), or read. Rows of
 * removed cgroups are reported but never deleted here: only `xdpgate
 * cgroups` deletes, after showing them.
 */
static void collect_cgroups(const struct xg_scrape_opts *o, struct xg_scrape *s)
{
	struct xg_scrape_cg *c = &s->cg;
	struct xg_cg_pinned p;
	__u64 t0 = xg_mono_ns();
	int err = xg_cg_pins_inspect(&p);

	s->cgroups_read = true;
	if (err) {
		if (o->report)
			xg_err("cgroups: cannot read %s: %s", XG_CG_PIN_DIR,
			       xg_strerror(err));
		s->errors++;
		return;
	}
	c->state = p.state;
	if (p.state == XG_CG_PINS_ATTACHED) {
		err = xg_cg_read(p.stats_fd, &c->rows, &c->nr_rows);
		if (!err)
			err = xg_cg_read_misc(p.misc_fd, c->misc);
		if (err) {
			if (o->report)
				xg_err("cgroups: reading %s/%s: %s", XG_CG_PIN_DIR,
				       XG_CG_MAP_STATS, xg_strerror(err));
			s->errors++;
		} else {
			/* A long-running reader must notice removals. */
			xg_cg_resolve_reset();
			xg_cg_rows_resolve(c->rows, c->nr_rows);
			xg_cg_rows_sort(c->rows, c->nr_rows, o->cg_sort);
			c->shown = o->top_cgroups < c->nr_rows ? o->top_cgroups : c->nr_rows;
			cg_other(c);
			fill_max(p.stats_fd, &c->fill);
			c->fill.entries = c->nr_rows;
			c->info = p.info;
			c->prog_id = p.owner.prog_id;
			c->read = true;
			s->up[XG_LAYER_CGROUP] = true;
		}
	}
	xg_cg_pinned_close(&p);
	c->read_seconds = secs_since(t0);
}

int xg_scrape_collect(const struct xg_scrape_opts *o, struct xg_scrape *s)
{
	__u64 t0 = xg_mono_ns();
	struct timespec rt;
	int err;

	memset(s, 0, sizeof(*s));
	err = collect_instances(o, s);
	if (err)
		return err;
	if (o->cgroups)
		collect_cgroups(o, s);
	s->mono_ns = xg_mono_ns();
	s->seconds = (double)(s->mono_ns - t0) / 1e9;
	clock_gettime(CLOCK_REALTIME, &rt);
	s->real_ns = (__u64)rt.tv_sec * 1000000000ull + (__u64)rt.tv_nsec;
	return s->errors || (o->report && s->missing) ? 1 : 0;
}

void xg_scrape_free(struct xg_scrape *s)
{
	for (size_t i = 0; i < s->nr_inst; i++)
		xg_stats_free(&s->inst[i].snap);
	free(s->inst);
	xg_cg_rows_free(s->cg.rows, s->cg.nr_rows);
	memset(s, 0, sizeof(*s));
}
