/* SPDX-License-Identifier: GPL-2.0 */
/* `xdpgate cgroups` output: an aligned table for people, one JSON document
 * for scripts, with the same field names. Rows come sorted; both print the
 * first `top` of them (SIZE_MAX: all).
 */
#ifndef XG_CGROUPS_PRINT_H
#define XG_CGROUPS_PRINT_H

#include <stdio.h>

#include "cgroups_read.h"

struct xg_cg_view {
	const struct xg_cg_info *info;
	struct xg_counter misc[XG_CG_EV__MAX];
	const struct xg_cg_row *rows;
	size_t nr_rows;
	size_t top;
};

/* What packets and bytes mean on the backend in use. */
const char *xg_cg_counts_what(int backend);

void xg_cg_print_table(FILE *f, const struct xg_cg_view *v);
void xg_cg_print_json(FILE *f, const struct xg_cg_view *v);

#endif
