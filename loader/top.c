// SPDX-License-Identifier: GPL-2.0
/* xdpgate top [--interval S] [--sort pps|bps] [IFACE...]: a full-screen,
 * refreshing view of packets and bits per second per source, per interface
 * and per cgroup, drawn with ncurses. Keys change the sort and the view; q,
 * Ctrl-C or a termination signal end it with the terminal restored.
 *
 * Rates come from successive collections of the metrics model (the same
 * reads as stats and serve), matched in top_rates.c. The drawing fits the
 * terminal, 80x24 included: columns that do not fit are left out, names
 * that do not fit are cut with an ellipsis.
 */
#include <errno.h>
#include <getopt.h>
#include <locale.h>
#include <math.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curses.h>

#include "bpffs.h"
#include "caps.h"
#include "commands.h"
#include "humanfmt.h"
#include "ifname.h"
#include "log.h"
#include "metrics.h"
#include "top_rates.h"
#include "util.h"

static const char top_usage[] =
	"usage: xdpgate top [--interval S] [--sort pps|bps] [IFACE...]\n"
	"\n"
	"Live packets and bits per second per source, per interface and (when no\n"
	"IFACE is named and the socket layer runs) per cgroup.\n"
	"  --interval S      seconds between readings (default 1, at least 0.1)\n"
	"  --sort pps|bps    rank by packets or bits per second (default pps)\n"
	"Keys: s sources, i interfaces, c cgroups, Tab next view; p / b sort by\n"
	"pps / bps; q (or Ctrl-C) quits. A ~ marks counts that include an\n"
	"estimate (sources held by the admission stage).\n";

#define usage_error(fmt, arg) xg_usage_error("top", top_usage, fmt, arg)

struct top_opts {
	double interval;
	enum xg_top_sort sort;
	struct xg_scrape_opts so;
};

static volatile sig_atomic_t stop_sig;

static void on_stop(int sig)
{
	stop_sig = sig;
}

/* 0 ok, 1 --help, 2 usage error. */
static int parse_args(int argc, char **argv, struct top_opts *o)
{
	static const struct option longopts[] = {
		{ "interval", required_argument, NULL, 'n' },
		{ "sort", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	int c;

	memset(o, 0, sizeof(*o));
	o->interval = 1.0;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (c) {
		case 'n':
			if (xg_parse_seconds(optarg, 0.1, 3600, &o->interval))
				return usage_error("--interval wants seconds from 0.1 to 3600, not '%s'",
						   optarg);
			break;
		case 's':
			if (!strcmp(optarg, "pps"))
				o->sort = XG_TOP_PPS;
			else if (!strcmp(optarg, "bps"))
				o->sort = XG_TOP_BPS;
			else
				return usage_error("--sort wants pps or bps, not '%s'", optarg);
			break;
		case 'h':
			fputs(top_usage, stdout);
			return 1;
		case ':':
			return usage_error("option '%s' needs a value", argv[optind - 1]);
		default:
			return usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	for (int i = optind; i < argc; i++)
		if (xg_ifname_check("top", argv[i]))
			return 2;
	if (optind < argc) {
		o->so.ifnames = argv + optind;
		o->so.nr_ifnames = argc - optind;
	}
	/* Every source: rates need them all; ranking happens on the deltas. */
	o->so.top_sources = 0;
	o->so.cgroups = !o->so.ifnames;
	o->so.top_cgroups = SIZE_MAX;
	return 0;
}

/* ---- drawing ---- */

static const char *const view_names[XG_TOP_VIEWS] = { "sources", "interfaces", "cgroups" };

/* 0.5, 12, 999, 1.23k, 45.6M, 1.20G: at most 6 characters. */
static const char *fmt_rate(double v, char *buf, size_t len)
{
	static const char sfx[] = " kMGTP";
	int i = 0;

	if (v < 10 && v != floor(v)) {
		snprintf(buf, len, "%.1f", v);
		return buf;
	}
	while (v >= 999.5 && i < 5) {
		v /= 1000;
		i++;
	}
	if (!i)
		snprintf(buf, len, "%.0f", v);
	else
		snprintf(buf, len, v < 9.995 ? "%.2f%c" : v < 99.95 ? "%.1f%c" : "%.0f%c",
			 v, sfx[i]);
	return buf;
}

/* s cut to w characters (an ellipsis marks the cut), padded to w. */
static void put_cell(int y, int x, const char *s, int w, bool right)
{
	char buf[256];
	int chars = xg_text_width(s), o = 0, seen = 0;

	if (w <= 0)
		return;
	if (chars > w) {
		for (const char *p = s; *p && o < (int)sizeof(buf) - 4; p++) {
			if (((unsigned char)*p & 0xc0) != 0x80 && ++seen > w - 1)
				break;
			buf[o++] = *p;
		}
		memcpy(buf + o, "\u2026", 3); /* … */
		buf[o + 3] = '\0';
		chars = w;
	} else {
		snprintf(buf, sizeof(buf), "%s", s);
	}
	mvaddstr(y, right ? x + w - chars : x, buf);
}

struct column {
	const char *title;
	int width;
	bool right;
	int min_cols;   /* shown only on terminals at least this wide */
};

/* Column sets per view; the first column takes what the others leave. */
static const struct column cols[XG_TOP_VIEWS][8] = {
	[XG_TOP_SOURCES] = { { "SOURCE", 0, false, 0 }, { "IFACE", 16, false, 0 },
			     { "PPS", 8, true, 0 }, { "BPS", 8, true, 0 },
			     { "PACKETS", 10, true, 100 }, { "BYTES", 10, true, 100 } },
	[XG_TOP_INTERFACES] = { { "IFACE", 0, false, 0 }, { "HOOK", 11, false, 0 },
				{ "PPS", 8, true, 0 }, { "BPS", 8, true, 0 },
				{ "DROP/S", 8, true, 0 }, { "SOURCES", 9, true, 0 },
				{ "PACKETS", 10, true, 100 }, { "BYTES", 10, true, 100 } },
	[XG_TOP_CGROUPS] = { { "CGROUP", 0, false, 0 }, { "PPS", 8, true, 0 },
			     { "BPS", 8, true, 0 }, { "TX BPS", 8, true, 0 },
			     { "RX BPS", 8, true, 0 }, { "BYTES", 10, true, 90 } },
};

/* The text of column c for row r in view v. */
static const char *cell(enum xg_top_view v, int c, const struct xg_top_row *r,
			char *buf, size_t len)
{
	char tmp[32];

	switch (v) {
	case XG_TOP_SOURCES: {
		const char *vals[] = { r->name, r->where, NULL, NULL, NULL, NULL };

		if (c < 2)
			return vals[c];
		if (c == 2)
			snprintf(buf, len, "%s%s", r->estimate ? "~" : "",
				 fmt_rate(r->pps, tmp, sizeof(tmp)));
		else if (c == 3)
			fmt_rate(r->bps, buf, len);
		else if (c == 4)
			xg_fmt_count(r->packets, buf, len);
		else
			xg_fmt_bytes(r->bytes, buf, len);
		return buf;
	}
	case XG_TOP_INTERFACES:
		if (c == 0)
			return r->name;
		if (c == 1)
			return r->where;
		if (c == 2 || c == 3 || c == 4)
			return fmt_rate(c == 2 ? r->pps : c == 3 ? r->bps : r->pps2, buf, len);
		if (c == 5)
			return xg_fmt_count(r->count, buf, len);
		return c == 6 ? xg_fmt_count(r->packets, buf, len) : xg_fmt_bytes(r->bytes, buf, len);
	default:
		if (c == 0)
			return r->name;
		if (c == 1 || c == 2)
			return fmt_rate(c == 1 ? r->pps : r->bps, buf, len);
		if (c == 3 || c == 4)
			return fmt_rate(c == 3 ? r->bps - r->bps2 : r->bps2, buf, len);
		return xg_fmt_bytes(r->bytes, buf, len);
	}
}

static void draw_table(const struct xg_top *t, enum xg_top_view v, int top_y)
{
	const struct column *cs = cols[v];
	int x[8], w[8] = { 0 }, n = 0, used = 0;
	char buf[64];

	for (int c = 1; c < 8 && cs[c].title; c++)
		if (COLS >= cs[c].min_cols)
			used += cs[c].width + 1;
	for (int c = 0; c < 8 && cs[c].title; c++) {
		if (c && COLS < cs[c].min_cols) {
			w[c] = 0;
			continue;
		}
		w[c] = c ? cs[c].width : COLS - used - 1;
		n = c + 1;
	}
	for (int c = 0, at = 0; c < n; c++) {
		x[c] = at;
		at += w[c] ? w[c] + 1 : 0;
	}
	attron(A_REVERSE);
	mvhline(top_y, 0, ' ', COLS);
	for (int c = 0; c < n; c++)
		put_cell(top_y, x[c], cs[c].title, w[c], cs[c].right);
	attroff(A_REVERSE);
	for (size_t i = 0; i < t->nr_rows[v] && top_y + 1 + (int)i < LINES - 1; i++)
		for (int c = 0; c < n; c++)
			put_cell(top_y + 1 + (int)i, x[c],
				 cell(v, c, &t->rows[v][i], buf, sizeof(buf)), w[c],
				 cs[c].right);
}

static void draw(const struct xg_top *t, enum xg_top_view v, enum xg_top_sort key,
		 double interval, const char *note)
{
	double pps = 0, bps = 0;
	char a[16], b[16], line[256];
	__u64 sources = 0;

	for (size_t i = 0; i < t->nr_rows[XG_TOP_INTERFACES]; i++) {
		pps += t->rows[XG_TOP_INTERFACES][i].pps;
		bps += t->rows[XG_TOP_INTERFACES][i].bps;
	}
	for (size_t i = 0; i < t->cur.nr_inst; i++)
		sources += t->cur.inst[i].snap.nr_sources;
	erase();
	snprintf(line, sizeof(line), "xdpgate top - %s by %s, every %gs", view_names[v],
		 key == XG_TOP_BPS ? "bps" : "pps", interval);
	mvaddnstr(0, 0, line, COLS);
	snprintf(line, sizeof(line), "interfaces %zu  sources %llu  total %s pps %s bps%s%s",
		 t->cur.nr_inst, (unsigned long long)sources, fmt_rate(pps, a, sizeof(a)),
		 fmt_rate(bps, b, sizeof(b)), t->cur.cg.read ? "  cgroups " : "",
		 t->cur.cg.read ? "on" : "");
	mvaddnstr(1, 0, line, COLS);
	if (note)
		mvaddnstr(2, 0, note, COLS);
	else if (!t->have_prev)
		mvaddnstr(2, 0, "reading... (rates after the second reading)", COLS);
	else if (v == XG_TOP_CGROUPS && !t->cur.cg.read)
		mvaddnstr(2, 0, t->cur.cgroups_read ? "the socket layer is not attached" :
			  "cgroups: only without IFACE", COLS);
	draw_table(t, v, 3);
	attron(A_REVERSE);
	mvhline(LINES - 1, 0, ' ', COLS);
	mvaddnstr(LINES - 1, 0, "q quit  p/b sort pps/bps  s/i/c/Tab view  ~ estimate", COLS);
	attroff(A_REVERSE);
	refresh();
}

/* ---- the loop ---- */

static int collect(const struct top_opts *o, struct xg_top *t, const char **note)
{
	struct xg_scrape s;
	int err = xg_scrape_collect(&o->so, &s);

	*note = NULL;
	if (err < 0) {
		xg_scrape_free(&s);
		*note = "cannot list XDP programs (see stderr after quitting)";
		return err;
	}
	if (s.missing)
		*note = "xdpgate does not run on an interface named";
	else if (s.errors)
		*note = "some maps could not be read this time";
	err = xg_top_push(t, &s, o->sort);
	xg_scrape_free(&s);
	return err;
}

static int run(struct top_opts *o)
{
	enum xg_top_view view = XG_TOP_SOURCES;
	struct xg_top t = { 0 };
	const char *note = NULL;
	__u64 next;
	int err;

	err = collect(o, &t, &note);
	next = xg_mono_ns() + (__u64)(o->interval * 1e9);
	while (!err && !stop_sig) {
		__u64 now = xg_mono_ns();
		int ch;

		draw(&t, view, o->sort, o->interval, note);
		timeout(now >= next ? 0 : (int)((next - now) / 1000000) + 1);
		ch = getch();
		if (ch == ERR) {
			if (xg_mono_ns() >= next) {
				err = collect(o, &t, &note);
				next += (__u64)(o->interval * 1e9);
				if (next < xg_mono_ns())
					next = xg_mono_ns() + (__u64)(o->interval * 1e9);
			}
			continue;
		}
		switch (ch) {
		case 'q': case 'Q':
			stop_sig = -1;
			break;
		case 'p': o->sort = XG_TOP_PPS; xg_top_sort(&t, o->sort); break;
		case 'b': o->sort = XG_TOP_BPS; xg_top_sort(&t, o->sort); break;
		case 's': view = XG_TOP_SOURCES; break;
		case 'i': view = XG_TOP_INTERFACES; break;
		case 'c': view = XG_TOP_CGROUPS; break;
		case '\t': view = (view + 1) % XG_TOP_VIEWS; break;
		default: break; /* KEY_RESIZE and the rest: just redraw */
		}
	}
	xg_top_free(&t);
	return err;
}

int cmd_top(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_stop };
	struct top_opts o;
	struct xg_scrape s;
	int err;

	err = parse_args(argc, argv, &o);
	if (err)
		return err == 1 ? 0 : err;
	if (xg_require_caps("top", XG_NEED_SYS_ADMIN))
		return 1;
	xg_bpffs_ready("top", XG_BPFFS_READ);
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		xg_err("top: needs a terminal (use 'xdpgate stats' or 'serve' in scripts)");
		return 1;
	}
	/* Check once, loudly, before the screen is taken. */
	o.so.report = true;
	err = xg_scrape_collect(&o.so, &s);
	xg_scrape_free(&s);
	if (err)
		return 1;
	o.so.report = false;

	/* Our handlers, not ncurses' (which would exit from inside a read):
	 * without SA_RESTART getch() returns and the loop ends cleanly.
	 */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	setlocale(LC_ALL, "");
	if (!initscr()) {
		xg_err("top: cannot set up the terminal (TERM=%s)", getenv("TERM") ?: "");
		return 1;
	}
	cbreak();
	noecho();
	keypad(stdscr, TRUE);
	curs_set(0);
	err = run(&o);
	endwin();
	if (err)
		xg_err("top: %s", xg_strerror(err));
	return err ? 1 : 0;
}
