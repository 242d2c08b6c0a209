// SPDX-License-Identifier: GPL-2.0
/* `xdpgate stats` for people: aligned columns, short numbers, ages. Scripts
 * should use --json, which keeps exact integers and epoch times.
 */
#include <arpa/inet.h>
#include <string.h>
#include <sys/socket.h>

#include "humanfmt.h"
#include "ifname.h"
#include "metrics.h"
#include "stats_print.h"
#include "util.h"
#include "xdpgate_names.h"

#define NUM_W 12 /* width of a number column */

/* 2.1s ago, 3m04s ago, 2h03m ago, 5d02h ago. */
static const char *fmt_age(const struct xg_stats_snapshot *s, __u64 stamp,
			   char *buf, size_t len)
{
	double age = xg_stamp_age(s, stamp);
	unsigned long long t = (unsigned long long)age;

	if (!stamp)
		snprintf(buf, len, "never");
	else if (age < 60)
		snprintf(buf, len, "%.1fs ago", age);
	else if (t < 3600)
		snprintf(buf, len, "%llum%02llus ago", t / 60, t % 60);
	else if (t < 86400)
		snprintf(buf, len, "%lluh%02llum ago", t / 3600, t / 60 % 60);
	else
		snprintf(buf, len, "%llud%02lluh ago", t / 86400, t / 3600 % 24);
	return buf;
}

static void counter_row(FILE *f, int w, const char *name,
			const struct xg_counter *c)
{
	char p[32], b[32];

	fprintf(f, "  %-*s %*s %*s\n", w, name, NUM_W,
		xg_fmt_count(c->packets, p, sizeof(p)), NUM_W,
		xg_fmt_bytes(c->bytes, b, sizeof(b)));
}

static void actions_block(FILE *f, const struct xg_stats_snapshot *s)
{
	int w = (int)strlen("redirect_fail");

	fprintf(f, "  %-*s %*s %*s\n", w, "action", NUM_W, "packets", NUM_W,
		"bytes");
	for (int a = 0; a < XG_ACT__MAX; a++)
		counter_row(f, w, xg_action_names[a], &s->actions[a]);
}

static void parse_block(FILE *f, const struct xg_stats_snapshot *s)
{
	int w = (int)strlen("parse outcome"), any = 0;

	for (int r = 1; r < XG_RSN__MAX; r++) {
		if (!s->reasons[r].packets && !s->reasons[r].bytes)
			continue;
		if ((int)strlen(xg_reason_names[r]) > w)
			w = (int)strlen(xg_reason_names[r]);
		any = 1;
	}
	if (!any) {
		fprintf(f, "  parse outcomes: none\n");
		return;
	}
	fprintf(f, "  %-*s %*s %*s\n", w, "parse outcome", NUM_W, "packets",
		NUM_W, "bytes");
	for (int r = 1; r < XG_RSN__MAX; r++)
		if (s->reasons[r].packets || s->reasons[r].bytes)
			counter_row(f, w, xg_reason_names[r], &s->reasons[r]);
}

/* Admission on or off, and what no source row holds. */
static void accounting_block(FILE *f, const struct xg_stats_snapshot *s)
{
	char p[32], b[32];
	__u64 pk = s->adm.held[0].packets + s->adm.held[1].packets;
	__u64 by = s->adm.held[0].bytes + s->adm.held[1].bytes;

	if (s->cfg.exact) {
		fprintf(f, "  accounting: exact (no admission stage: every source gets an entry)\n");
		return;
	}
	fprintf(f, "  accounting: admission (an entry after %u packets, or %u new entries/epoch per CPU)\n",
		s->cfg.admit_pkts, s->cfg.admit_budget);
	fprintf(f, "  held in the sketch, in no source row: %s packets, %s",
		xg_fmt_count(pk, p, sizeof(p)), xg_fmt_bytes(by, b, sizeof(b)));
	if (pk)
		fprintf(f, "; held~ estimates exceed the truth by at most %llu (95%%)",
			(unsigned long long)s->est_bound);
	fputc('\n', f);
}

const char *xg_evictions_text(const struct xg_evictions *ev, char *buf,
			      size_t len)
{
	char e[32], i[32], p[32], b[32];

	if (!ev->known)
		snprintf(buf, len, "unknown");
	else
		snprintf(buf, len, "%s of %s inserted, %s packets (%s)",
			 xg_fmt_count(ev->evicted, e, sizeof(e)),
			 xg_fmt_count(ev->inserted, i, sizeof(i)),
			 xg_fmt_count(ev->packets, p, sizeof(p)),
			 xg_fmt_bytes(ev->bytes, b, sizeof(b)));
	return buf;
}

/* Evicted sources took their counts with them: say so, so the rows add
 * up to the totals above.
 */
static void evictions_line(FILE *f, const struct xg_stats_snapshot *s)
{
	char t[128];

	fprintf(f, "  evicted sources: %s%s\n",
		xg_evictions_text(&s->ev, t, sizeof(t)),
		s->ev.known && s->ev.packets ?
		"; counted in the totals above, no longer in any row" : "");
}

static void sources_block(FILE *f, const struct xg_stats_snapshot *s,
			  size_t top)
{
	size_t shown = top < s->nr_sources ? top : s->nr_sources;
	char a[INET6_ADDRSTRLEN], p[32], b[32], t[32], d[32], rd[32], li[32], he[40];
	int w = (int)strlen(xg_hook_key(s->inst.hook)), est = 0;

	if (!s->nr_sources) {
		fprintf(f, "  %ss: none\n", xg_hook_key(s->inst.hook));
		return;
	}
	for (size_t i = 0; i < shown; i++) {
		const struct xg_source_row *r = &s->sources[i];
		int l = (int)strlen(xg_addr_str(r->family, r->addr, a, sizeof(a)));

		if (l > w)
			w = l;
		est |= r->flags & XG_ROW_ESTIMATE;
	}
	fprintf(f, "  %-*s %*s %*s %*s %*s %*s  %-*s%s\n", w, xg_hook_key(s->inst.hook), NUM_W,
		"packets", NUM_W, "bytes", NUM_W, "drops", NUM_W, "redirects",
		NUM_W, "limited", est ? 12 : 0, "last_seen", est ? "  held~" : "");
	for (size_t i = 0; i < shown; i++) {
		const struct xg_source_row *r = &s->sources[i];

		he[0] = 0;
		if (r->flags & XG_ROW_ESTIMATE) {
			he[0] = '~';
			xg_fmt_count(r->held_est, he + 1, sizeof(he) - 1);
		}
		fprintf(f, "  %-*s %*s %*s %*s %*s %*s  %-*s%s%s\n", w,
			xg_addr_str(r->family, r->addr, a, sizeof(a)), NUM_W,
			xg_fmt_count(r->packets, p, sizeof(p)), NUM_W,
			xg_fmt_bytes(r->bytes, b, sizeof(b)), NUM_W,
			xg_fmt_count(r->drops, d, sizeof(d)), NUM_W,
			xg_fmt_count(r->redirects, rd, sizeof(rd)), NUM_W,
			xg_fmt_count(r->limited, li, sizeof(li)), est ? 12 : 0,
			fmt_age(s, r->last_seen_ns, t, sizeof(t)), *he ? "  " : "", he);
	}
	if (shown < s->nr_sources)
		fprintf(f, "  \u2026 and %zu more sources (use --top)\n",
			s->nr_sources - shown);
}

void xg_stats_print_table(FILE *f, const struct xg_stats_snapshot *snaps,
			  size_t n, size_t top)
{
	if (!n) {
		fprintf(f, "xdpgate is not running on any interface\n");
		return;
	}
	for (size_t i = 0; i < n; i++) {
		const struct xg_stats_snapshot *s = &snaps[i];

		char name[64];

		if (i)
			fputc('\n', f);
		fprintf(f, "%s (ifindex %d)  hook %s  direction %s  ",
			xg_ifname_display(s->inst.ifname, name, sizeof(name)),
			s->inst.ifindex, xg_hook_name(s->inst.hook),
			xg_hook_direction(s->inst.hook));
		if (s->inst.hook == XG_HOOK_XDP)
			fprintf(f, "mode %s  ", xg_mode_name(s->inst.mode));
		else
			fprintf(f, "via %s  ", xg_via_name(s->inst.via));
		fprintf(f, "prog %u  %s %zu\n\n", s->inst.prog_id,
			s->inst.hook == XG_HOOK_TC_EGRESS ? "destinations" : "sources",
			s->nr_sources);
		actions_block(f, s);
		fputc('\n', f);
		parse_block(f, s);
		fputc('\n', f);
		accounting_block(f, s);
		evictions_line(f, s);
		fputc('\n', f);
		sources_block(f, s, top);
	}
}
