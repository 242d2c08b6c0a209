// SPDX-License-Identifier: GPL-2.0
/* xdpgate cgroups [attach|detach] ...: the socket layer. Without a
 * subcommand it shows one row per cgroup from the pinned counters, then
 * drops the rows of removed cgroups it has just shown.
 */
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgroups.h"
#include "cgroups_pins.h"
#include "cgroups_print.h"
#include "commands.h"
#include "log.h"
#include "util.h"

#define TABLE_TOP_DEFAULT 20

const char xg_cgroups_usage[] =
	"usage: xdpgate cgroups [--json] [--top N] [--sort bytes|packets]\n"
	"       xdpgate cgroups attach [--backend auto|fentry|kprobe|tracepoint|cgroup_skb]\n"
	"                              [--max-cgroups N]\n"
	"       xdpgate cgroups detach\n"
	"\n"
	"Per-cgroup TCP and UDP traffic, IPv4 and IPv6, sent (tx) and received (rx).\n"
	"  --json            one JSON document: every cgroup, its path, id and cells\n"
	"  --top N           the N busiest cgroups (table default: 20)\n"
	"  --sort bytes|packets\n"
	"                    rank by bytes (default) or packets\n"
	"A removed cgroup is shown (as removed) by the first read after its\n"
	"removal, then dropped.\n"
	"\n"
	"attach: load the socket-layer programs, pin them in " XG_CG_PIN_DIR "\n"
	"  --backend B       auto (default): the best the kernel allows, in the\n"
	"                    order fentry, kprobe, tracepoint, cgroup_skb\n"
	"  --max-cgroups N   rows of the counter map (default 4096)\n"
	"detach: remove the programs and their pins (an orphan too).\n";

int xg_cgroups_usage_error(const char *fmt, const char *arg)
{
	fputs("xdpgate: error: cgroups: ", stderr);
	fprintf(stderr, fmt, arg);
	fputs("\n", stderr);
	fwrite(xg_cgroups_usage, 1, strcspn(xg_cgroups_usage, "\n") + 1, stderr);
	return 2;
}

struct show_opts {
	bool json;
	size_t top;
	bool top_set;
	enum xg_cg_sort sort;
};

/* 0 ok, 1 --help (exit 0), 2 usage error. */
static int parse_show(int argc, char **argv, struct show_opts *o)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "top", required_argument, NULL, 't' },
		{ "sort", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	unsigned long long v;
	int c;

	memset(o, 0, sizeof(*o));
	o->top = SIZE_MAX;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (c) {
		case 'j':
			o->json = true;
			break;
		case 't':
			if (strspn(optarg, "0123456789") != strlen(optarg) ||
			    xg_parse_u64(optarg, SIZE_MAX, &v) || !v)
				return xg_cgroups_usage_error(
					"--top wants a whole number >= 1, not '%s'", optarg);
			o->top = v;
			o->top_set = true;
			break;
		case 's':
			if (!strcmp(optarg, "bytes"))
				o->sort = XG_CG_SORT_BYTES;
			else if (!strcmp(optarg, "packets"))
				o->sort = XG_CG_SORT_PACKETS;
			else
				return xg_cgroups_usage_error(
					"--sort wants bytes or packets, not '%s'", optarg);
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
		return xg_cgroups_usage_error("unknown subcommand or argument '%s'",
					      argv[optind]);
	if (!o->top_set && !o->json)
		o->top = TABLE_TOP_DEFAULT;
	return 0;
}

static int show(const struct show_opts *o)
{
	struct xg_cg_pinned p;
	struct xg_cg_view v = { .top = o->top };
	struct xg_cg_row *rows = NULL;
	size_t n = 0;
	int err = xg_cg_pins_inspect(&p), ret = 1;

	if (err) {
		xg_err("cgroups: cannot read %s: %s", XG_CG_PIN_DIR, xg_strerror(err));
		return 1;
	}
	if (p.state == XG_CG_PINS_NONE) {
		xg_err("cgroups: the socket layer is not attached (run 'xdpgate "
		       "cgroups attach')");
		goto out;
	}
	if (p.state == XG_CG_PINS_ORPHAN) {
		xg_err("cgroups: %s is an orphan: %s (remove it with 'xdpgate "
		       "cgroups detach')", XG_CG_PIN_DIR, p.why);
		goto out;
	}
	err = xg_cg_read(p.stats_fd, &rows, &n);
	if (!err)
		err = xg_cg_read_misc(p.misc_fd, v.misc);
	if (err) {
		xg_err("cgroups: reading %s/%s: %s", XG_CG_PIN_DIR, XG_CG_MAP_STATS,
		       err == -EPROTO ? "unexpected map layout (another xdpgate "
					"version?)" : xg_strerror(err));
		goto out;
	}
	xg_cg_rows_resolve(rows, n);
	xg_cg_rows_sort(rows, n, o->sort);
	v.info = &p.info;
	v.rows = rows;
	v.nr_rows = n;
	if (o->json)
		xg_cg_print_json(stdout, &v);
	else
		xg_cg_print_table(stdout, &v);
	/* Shown (the whole document is out): now the removed may go. */
	if (fflush(stdout) == 0)
		xg_cg_drop_removed(p.stats_fd, rows, o->top < n ? o->top : n);
	ret = 0;
out:
	xg_cg_rows_free(rows, n);
	xg_cg_pinned_close(&p);
	return ret;
}

int cmd_cgroups(int argc, char **argv)
{
	struct show_opts o;
	int err;

	if (argc > 1 && !strcmp(argv[1], "attach"))
		return xg_cgroups_attach(argc - 1, argv + 1);
	if (argc > 1 && !strcmp(argv[1], "detach"))
		return xg_cgroups_detach(argc - 1, argv + 1);
	err = parse_show(argc, argv, &o);
	if (err)
		return err == 1 ? 0 : err;
	if (xg_require_root("cgroups"))
		return 1;
	return show(&o);
}
