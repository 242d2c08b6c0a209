// SPDX-License-Identifier: GPL-2.0
/* xdpgate stats [IFACE...] [--json | --prom] [--top N] [--sort packets|bytes]
 *
 * Read every instance first, then print: a failure on one interface never
 * leaves half a JSON document behind.
 */
#include <errno.h>
#include <net/if.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpffs.h"
#include "caps.h"
#include "commands.h"
#include "ifname.h"
#include "instance.h"
#include "log.h"
#include "metrics.h"
#include "prom_metrics.h"
#include "stats_print.h"
#include "stats_snapshot.h"
#include "util.h"

#define TABLE_TOP_DEFAULT 20

static const char stats_usage[] =
	"usage: xdpgate stats [IFACE...] [--json | --prom [--cgroups]] [--top N]\n"
	"                     [--sort packets|bytes]\n"
	"\n"
	"  IFACE...           only these interfaces (default: every interface\n"
	"                     of this network namespace where xdpgate runs)\n"
	"  --json             one JSON document, exact counts, all sources\n"
	"  --prom             Prometheus text exposition (what 'serve' answers),\n"
	"                     the top N sources of each interface and the rest\n"
	"                     as source=\"other\"; the socket layer too when no\n"
	"                     IFACE is named\n"
	"  --cgroups          with --prom and IFACE: the socket layer as well\n"
	"  --top N            show the N busiest sources (table, --prom: 20)\n"
	"  --sort packets|bytes\n"
	"                     rank sources by packets (default) or bytes\n";

struct stats_opts {
	char **ifnames;     /* NULL: every interface */
	int nr_ifnames;
	bool json;
	bool prom;
	bool cgroups;
	size_t top;      /* SIZE_MAX: all */
	bool top_set;
	enum xg_sort_key sort;
};

static int usage_error(const char *fmt, const char *arg)
{
	fputs("xdpgate: error: stats: ", stderr);
	fprintf(stderr, fmt, arg);
	fputs("\n", stderr);
	/* The one-line synopsis; --help has the rest. */
	fwrite(stats_usage, 1, strcspn(stats_usage, "\n") + 1, stderr);
	return 2;
}

/* Decimal digits only: "0x10" or "010" as a row count would surprise. */
static int parse_top(const char *s, size_t *out)
{
	unsigned long long v;

	if (xg_parse_decimal(s, SIZE_MAX, &v) || v == 0)
		return -ERANGE;
	*out = (size_t)v;
	return 0;
}

/* 0 ok, 1 for --help (exit 0), 2 usage error (message printed). */
static int parse_args(int argc, char **argv, struct stats_opts *o)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "prom", no_argument, NULL, 'P' },
		{ "cgroups", no_argument, NULL, 'C' },
		{ "top", required_argument, NULL, 't' },
		{ "sort", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
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
		case 'P':
			o->prom = true;
			break;
		case 'C':
			o->cgroups = true;
			break;
		case 't':
			if (parse_top(optarg, &o->top))
				return usage_error("--top wants a whole number >= 1, not '%s'",
						   optarg);
			o->top_set = true;
			break;
		case 's':
			if (!strcmp(optarg, "packets"))
				o->sort = XG_SORT_PACKETS;
			else if (!strcmp(optarg, "bytes"))
				o->sort = XG_SORT_BYTES;
			else
				return usage_error("--sort wants packets or bytes, not '%s'",
						   optarg);
			break;
		case 'h':
			fputs(stats_usage, stdout);
			return 1;
		case ':':
			return usage_error("option '%s' needs a value",
					   argv[optind - 1]);
		default:
			return usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	for (int i = optind; i < argc; i++)
		if (xg_ifname_check("stats", argv[i]))
			return 2;
	if (optind < argc) {
		o->ifnames = argv + optind;
		o->nr_ifnames = argc - optind;
	}
	if (o->json && o->prom)
		return usage_error("%s", "--json and --prom are two outputs: pick one");
	if (o->cgroups && !o->prom)
		return usage_error("%s", "--cgroups goes with --prom");
	if (!o->top_set && !o->json)
		o->top = TABLE_TOP_DEFAULT;
	return 0;
}

static void explain_read_error(const struct xg_instance *in, int err)
{
	switch (err) {
	case -ENOENT:
		xg_err("interface %s: program %s (id %u) has no xdpgate maps "
		       "(another version?)", in->ifname, XG_PROG_NAME_XDP,
		       in->prog_id);
		break;
	case -EPROTO:
		xg_err("interface %s: program %s (id %u): maps have an unexpected "
		       "layout (another xdpgate version?)", in->ifname,
		       XG_PROG_NAME_XDP, in->prog_id);
		break;
	default:
		xg_err("interface %s: program %s (id %u): reading maps: %s",
		       in->ifname, XG_PROG_NAME_XDP, in->prog_id,
		       xg_strerror(err));
	}
}

/* Snapshots of the instances found; returns the exit status. */
static int read_all(const struct stats_opts *o, struct xg_stats_snapshot **out,
		    size_t *nout)
{
	struct xg_instance *ins = NULL;
	struct xg_stats_snapshot *snaps;
	int n, status = 0;

	*out = NULL;
	*nout = 0;
	for (int i = 0; i < o->nr_ifnames; i++) {
		if (!if_nametoindex(o->ifnames[i])) {
			xg_err("interface %s: stats: no such interface", o->ifnames[i]);
			status = 1;
		}
	}
	n = xg_find_instances(o->ifnames, o->nr_ifnames, &ins);
	if (n < 0) {
		xg_err("stats: cannot list XDP programs: %s", xg_strerror(n));
		return 1;
	}
	for (int i = 0; i < o->nr_ifnames; i++) {
		bool found = false;

		for (int k = 0; k < n; k++)
			found |= !strcmp(ins[k].ifname, o->ifnames[i]);
		if (!found && if_nametoindex(o->ifnames[i])) {
			xg_err("interface %s: xdpgate is not running there "
			       "(xdpgate attach %s)", o->ifnames[i], o->ifnames[i]);
			status = 1;
		}
	}
	snaps = calloc(n ? n : 1, sizeof(*snaps));
	if (!snaps) {
		free(ins);
		xg_err("out of memory");
		return 1;
	}
	for (int i = 0; i < n; i++) {
		int err = xg_stats_read(&ins[i], &snaps[*nout]);

		if (!err) {
			(*nout)++;
			continue;
		}
		if (err == -ESRCH && !o->ifnames) {
			/* Detached while we looked: it is simply not running. */
			xg_debug("interface %s: xdpgate went away while reading",
				 ins[i].ifname);
			continue;
		}
		if (err == -ESRCH)
			xg_err("interface %s: xdpgate stopped running there while "
			       "reading", ins[i].ifname);
		else
			explain_read_error(&ins[i], err);
		status = 1;
	}
	free(ins);
	*out = snaps;
	return status;
}

/* The metrics model as Prometheus text: the same collection serve makes. */
static int print_prom(const struct stats_opts *o)
{
	struct xg_scrape_opts so = {
		.ifnames = o->ifnames, .nr_ifnames = o->nr_ifnames,
		.top_sources = o->top, .sort = o->sort,
		.cgroups = !o->ifnames || o->cgroups, .top_cgroups = o->top,
		.report = true,
	};
	struct xg_scrape s;
	int status = xg_scrape_collect(&so, &s);

	if (status >= 0) {
		xg_prom_write(stdout, &s);
		if (fflush(stdout))
			status = 1;
	}
	xg_scrape_free(&s);
	return status ? 1 : 0;
}

int cmd_stats(int argc, char **argv)
{
	struct xg_stats_snapshot *snaps = NULL;
	struct stats_opts o;
	size_t n = 0;
	int status;

	status = parse_args(argc, argv, &o);
	if (status)
		return status == 1 ? 0 : status;
	if (xg_require_caps("stats", XG_NEED_SYS_ADMIN))
		return 1;
	xg_bpffs_ready("stats", XG_BPFFS_READ);
	if (o.prom)
		return print_prom(&o);

	status = read_all(&o, &snaps, &n);
	if (status && !n) {
		free(snaps);
		return status;
	}
	for (size_t i = 0; i < n; i++)
		xg_sources_rank(snaps[i].sources, snaps[i].nr_sources, o.sort,
				o.top);
	if (o.json)
		xg_stats_print_json(stdout, snaps, n, o.top);
	else
		xg_stats_print_table(stdout, snaps, n, o.top);
	fflush(stdout);

	for (size_t i = 0; i < n; i++)
		xg_stats_free(&snaps[i]);
	free(snaps);
	return status;
}
