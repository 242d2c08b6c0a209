/* SPDX-License-Identifier: GPL-2.0 */
/* The metrics model: one collection of every layer that runs (XDP and TC
 * instances per interface, the socket layer per cgroup) with the
 * self-monitoring beside the counters, read from the running data plane
 * and never owning it. `stats --prom`, `serve` and `top` print from it;
 * the layers every output reports live here.
 *
 * A collection finds the instances afresh each time (xg_find_instances),
 * reads each into a snapshot (xg_stats_read), keeps the top N sources of
 * each in order with the rest summed per family ("other", so the rows
 * still add up), and reads the socket layer's pins. What is not running
 * is reported as absent (xg_scrape.up), never as an error of the reader.
 */
#ifndef XG_METRICS_H
#define XG_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#include "cgroups_pins.h"
#include "cgroups_read.h"
#include "instance.h"
#include "stats_snapshot.h"

/* Layers of xg_scrape.up, in output order. */
enum xg_layer {
	XG_LAYER_XDP = 0,
	XG_LAYER_TC,
	XG_LAYER_CGROUP,
	XG_LAYER__MAX,
};
extern const char *const xg_layer_names[XG_LAYER__MAX];

/* The layer an instance's hook belongs to. Its labels are xg_hook_name()
 * and xg_hook_direction() (instance.h): XDP is ("xdp", "ingress"), TC
 * ("tc", "ingress" or "egress"); every per-interface series and JSON
 * object carries both.
 */
enum xg_layer xg_hook_layer(enum xg_hook hook);

/* Map fill, for the maps whose fill means something to an operator. */
enum xg_fill_map {
	XG_FILL_SRC_V4 = 0,
	XG_FILL_SRC_V6,
	XG_FILL_HOT_V4,   /* entries: slots holding counts not written back */
	XG_FILL_HOT_V6,
	XG_FILL__MAX,
};

struct xg_map_fill {
	bool ok;
	__u64 entries;
	__u64 max_entries;
};

struct xg_scrape_inst {
	struct xg_stats_snapshot snap; /* sources ranked: the top ones first */
	size_t shown;                  /* min(top, nr_sources) */
	struct xg_source_row other[2]; /* rows past shown, summed: IPv4, IPv6 */
	size_t other_rows[2];
	struct xg_map_fill fill[XG_FILL__MAX];
	long rules;       /* of the live rule set; -1 without policy maps */
	long generation;
	double read_seconds; /* xg_stats_read of this instance */
};

/* The socket layer, host-wide. */
struct xg_scrape_cg {
	enum xg_cg_pin_state state;
	bool read;                  /* rows, misc and info below are valid */
	struct xg_cg_info info;
	__u32 prog_id;
	struct xg_cg_row *rows;     /* busiest first */
	size_t nr_rows;
	size_t shown;
	struct xg_cg_stats other;   /* cells of the rows past shown */
	size_t other_rows;
	struct xg_counter misc[XG_CG_EV__MAX];
	struct xg_map_fill fill;    /* xg_cg_stats */
	double read_seconds;
};

struct xg_scrape_opts {
	char *const *ifnames;  /* only these interfaces; NULL: every one */
	int nr_ifnames;
	size_t top_sources;    /* per instance; SIZE_MAX: all */
	enum xg_sort_key sort;
	bool cgroups;          /* read the socket layer too */
	size_t top_cgroups;
	enum xg_cg_sort cg_sort;
	bool report;           /* print errors (a command) or stay quiet and
			        * count them (the exporter) */
};

struct xg_scrape {
	struct xg_scrape_inst *inst;   /* by ifindex, then hook */
	size_t nr_inst;
	bool up[XG_LAYER__MAX];
	bool cgroups_read;             /* the socket layer was looked at */
	struct xg_scrape_cg cg;
	int errors;                    /* instances or layers not readable */
	int missing;                   /* named interfaces not running xdpgate */
	double seconds;                /* the whole collection */
	__u64 real_ns;                 /* CLOCK_REALTIME at its end */
	__u64 mono_ns;                 /* CLOCK_MONOTONIC at its end */
};

/* Collect everything o asks for into *s (zeroed first). Returns 0 when
 * everything there was read (absent layers included), 1 when some
 * instance or layer could not be (s->errors), or, with o->report, some
 * named interface does not run xdpgate (s->missing; each reported), or
 * a negative errno when
 * nothing could be listed at all. Free with xg_scrape_free() whatever it
 * returns.
 */
int xg_scrape_collect(const struct xg_scrape_opts *o, struct xg_scrape *s);
void xg_scrape_free(struct xg_scrape *s);

/* One instance into *si (zeroed first): its snapshot, self-monitoring and
 * ranked sources, as xg_scrape_collect does for each instance it finds.
 * 0 or xg_stats_read()'s error (si then holds nothing to free).
 */
int xg_scrape_instance(const struct xg_instance *in, const struct xg_scrape_opts *o,
		       struct xg_scrape_inst *si);

/* Rank an instance's sources and sum the rest into other[] (called by
 * xg_scrape_collect; top may be SIZE_MAX).
 */
void xg_scrape_rank(struct xg_scrape_inst *si, enum xg_sort_key key, size_t top);

/* Does a row's count include an estimate? The admission stage marks a row
 * whose source it also held in its sketch (held_est, sketch_read.h); every
 * output marks estimated rows through this one test.
 */
static inline bool xg_row_is_estimate(const struct xg_source_row *r)
{
	return r->flags & XG_ROW_ESTIMATE;
}

/* CLOCK_MONOTONIC in nanoseconds. */
__u64 xg_mono_ns(void);

#endif
