// SPDX-License-Identifier: GPL-2.0
/* The socket layer in `xdpgate status`: attached or not (or an orphan),
 * the backend in use and why every better one was refused.
 */
#include <stdio.h>

#include "cgroups.h"
#include "cgroups_pins.h"
#include "cgroups_print.h"
#include "json.h"

static long count_rows(int fd)
{
	struct xg_cg_row *rows;
	size_t n;
	int err = xg_cg_read(fd, &rows, &n);

	if (err)
		return -1;
	xg_cg_rows_free(rows, n);
	return (long)n;
}

static const char *const state_names[] = {
	[XG_CG_PINS_NONE] = "not attached",
	[XG_CG_PINS_ATTACHED] = "attached",
	[XG_CG_PINS_ORPHAN] = "orphan",
};

void xg_cgroups_status_table(FILE *f)
{
	struct xg_cg_pinned p;

	if (xg_cg_pins_inspect(&p)) {
		fprintf(f, "\nsocket layer (cgroups): cannot read %s\n", XG_CG_PIN_DIR);
		return;
	}
	if (p.state == XG_CG_PINS_NONE) {
		fprintf(f, "\nsocket layer (cgroups): not attached\n");
	} else if (p.state == XG_CG_PINS_ORPHAN) {
		fprintf(f, "\nsocket layer (cgroups): orphan in %s: %s (remove it "
			"with 'xdpgate cgroups detach')\n", XG_CG_PIN_DIR, p.why);
	} else {
		fprintf(f, "\nsocket layer (cgroups): backend %s (%s), prog %u, "
			"%ld cgroups, pinned in %s\n",
			xg_cg_backend_name(p.info.backend), p.info.variant,
			p.owner.prog_id, count_rows(p.stats_fd), XG_CG_PIN_DIR);
		for (int b = 0; b < XG_CG_BACKEND__MAX; b++) {
			if (b < (int)p.info.backend && p.info.refused_err[b])
				fprintf(f, "  %s refused: %s\n",
					xg_cg_backend_name(b), p.info.why[b]);
			else if (b == (int)p.info.backend && p.info.why[b][0])
				fprintf(f, "  %s: %s\n", xg_cg_backend_name(b),
					p.info.why[b]);
		}
	}
	xg_cg_pinned_close(&p);
}

void xg_cgroups_status_json(struct xg_json *j)
{
	struct xg_cg_pinned p;

	xj_obj_open(j, "cgroup");
	if (xg_cg_pins_inspect(&p)) {
		xj_str(j, "state", "unreadable");
		xj_obj_close(j);
		return;
	}
	xj_str(j, "state", state_names[p.state]);
	xj_str(j, "pin_path", XG_CG_PIN_DIR);
	if (p.state == XG_CG_PINS_ORPHAN)
		xj_str(j, "orphan_reason", p.why);
	if (p.have_info) {
		xj_str(j, "backend", xg_cg_backend_name(p.info.backend));
		xj_str(j, "variant", p.info.variant);
		xj_str(j, "counts", xg_cg_counts_what(p.info.backend));
		xj_obj_open(j, "refused");
		for (int b = 0; b < (int)p.info.backend && b < XG_CG_BACKEND__MAX; b++)
			if (p.info.refused_err[b])
				xj_str(j, xg_cg_backend_name(b), p.info.why[b]);
		xj_obj_close(j);
		if (p.info.why[p.info.backend % XG_CG_BACKEND__MAX][0])
			xj_str(j, "note", p.info.why[p.info.backend % XG_CG_BACKEND__MAX]);
	}
	if (p.have_owner) {
		xj_u64(j, "prog_id", p.owner.prog_id);
		xj_u64(j, "link_id", p.owner.link_id);
	}
	if (p.state == XG_CG_PINS_ATTACHED) {
		long n = count_rows(p.stats_fd);

		if (n >= 0)
			xj_u64(j, "cgroups", (unsigned long long)n);
		else
			xj_null(j, "cgroups");
	}
	xj_obj_close(j);
	xg_cg_pinned_close(&p);
}
