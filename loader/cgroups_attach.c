// SPDX-License-Identifier: GPL-2.0
/* xdpgate cgroups attach / detach. Attach never reuses state: with
 * anything in XG_CG_PIN_DIR it refuses (detach first), so two loaders
 * (or two test runs) cannot end up sharing or resetting one set of
 * counters. Both hold XG_LOCK_FILE while they change state.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cgroups.h"
#include "cgroups_pins.h"
#include "log.h"
#include "util.h"

struct attach_opts {
	int backend;
	__u32 max_cgroups;
};

static int parse_attach(int argc, char **argv, struct attach_opts *o)
{
	static const struct option longopts[] = {
		{ "backend", required_argument, NULL, 'b' },
		{ "max-cgroups", required_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	unsigned long long v;
	int c;

	o->backend = XG_CG_BACKEND_AUTO;
	o->max_cgroups = 0;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (c) {
		case 'b':
			o->backend = xg_cg_backend_parse(optarg);
			if (o->backend == -2)
				return xg_cgroups_usage_error("--backend wants auto, fentry, "
					"kprobe, tracepoint or cgroup_skb, not '%s'", optarg);
			break;
		case 'm':
			if (xg_parse_u64(optarg, 1u << 24, &v) || !v)
				return xg_cgroups_usage_error("--max-cgroups wants a "
					"number from 1 to 16777216, not '%s'", optarg);
			o->max_cgroups = (__u32)v;
			break;
		case 'h':
			fputs(xg_cgroups_usage, stdout);
			return 1;
		case ':':
			return xg_cgroups_usage_error("option '%s' needs a value",
						      argv[optind - 1]);
		default:
			return xg_cgroups_usage_error("unknown option '%s'",
						      argv[optind - 1]);
		}
	}
	if (optind < argc)
		return xg_cgroups_usage_error("attach: unexpected argument '%s'",
					      argv[optind]);
	return 0;
}

/* Under the lock: refuse when anything is pinned already. */
static int check_free(void)
{
	struct xg_cg_pinned p;
	int err = xg_cg_pins_inspect(&p);

	if (err) {
		xg_err("cgroups attach: cannot read %s: %s", XG_CG_PIN_DIR,
		       xg_strerror(err));
		return err;
	}
	xg_cg_pinned_close(&p);
	if (p.state == XG_CG_PINS_ATTACHED) {
		xg_err("cgroups attach: the socket layer is already attached "
		       "(backend %s, pinned in %s); run 'xdpgate cgroups detach' "
		       "first", p.have_info ? xg_cg_backend_name(p.info.backend) : "?",
		       XG_CG_PIN_DIR);
		return -EEXIST;
	}
	if (p.state == XG_CG_PINS_ORPHAN) {
		xg_err("cgroups attach: %s holds a leftover (%s); remove it with "
		       "'xdpgate cgroups detach'", XG_CG_PIN_DIR, p.why);
		return -EEXIST;
	}
	return 0;
}

static void report(const struct xg_cg_session *s)
{
	xg_info("cgroups: attached backend %s (%s), %d programs; pinned in %s",
		xg_cg_backend_name(s->backend), s->info.variant, s->nr_links,
		XG_CG_PIN_DIR);
	for (int b = 0; b < (int)s->backend; b++)
		if (s->info.refused_err[b])
			xg_info("cgroups: better backend %s refused: %s",
				xg_cg_backend_name(b), s->info.why[b]);
}

int xg_cgroups_attach(int argc, char **argv)
{
	struct xg_cg_open_opts oo = { .quiet = true };
	struct xg_cg_session s = { 0 };
	struct attach_opts o;
	int lock, err;

	err = parse_attach(argc, argv, &o);
	if (err)
		return err == 1 ? 0 : err;
	if (xg_require_root("cgroups attach"))
		return 1;
	lock = xg_lock("cgroups attach");
	if (lock < 0)
		return 1;
	err = check_free();
	if (err)
		goto out;
	err = xg_cg_pins_begin();
	if (err) {
		xg_err("cgroups attach: cannot create %s: %s", XG_CG_PIN_DIR,
		       xg_strerror(err));
		goto out;
	}
	oo.backend = o.backend;
	oo.max_cgroups = o.max_cgroups;
	err = xg_cg_open(&oo, &s);
	if (!err)
		err = xg_cg_pins_commit(&s);
	if (err) {
		/* Nothing half-done stays: unpinned links detach on close. */
		xg_cg_close(&s);
		xg_cg_pins_remove();
		goto out;
	}
	report(&s);
	xg_cg_close(&s); /* the pins keep everything attached */
out:
	xg_unlock(lock);
	return err ? 1 : 0;
}

int xg_cgroups_detach(int argc, char **argv)
{
	struct xg_cg_pinned p;
	int lock, err;

	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		fputs(xg_cgroups_usage, stdout);
		return 0;
	}
	if (argc > 1)
		return xg_cgroups_usage_error("detach: unexpected argument '%s'",
					      argv[1]);
	if (xg_require_root("cgroups detach"))
		return 1;
	lock = xg_lock("cgroups detach");
	if (lock < 0)
		return 1;
	err = xg_cg_pins_inspect(&p);
	if (!err) {
		xg_cg_pinned_close(&p);
		if (p.state == XG_CG_PINS_NONE) {
			xg_err("cgroups detach: the socket layer is not attached");
			err = -ENOENT;
		} else {
			err = xg_cg_pins_remove();
			if (!err)
				xg_info("cgroups: detached%s; removed %s",
					p.state == XG_CG_PINS_ORPHAN ? " (orphan)" : "",
					XG_CG_PIN_DIR);
		}
	} else {
		xg_err("cgroups detach: cannot read %s: %s", XG_CG_PIN_DIR,
		       xg_strerror(err));
	}
	xg_unlock(lock);
	return err ? 1 : 0;
}
