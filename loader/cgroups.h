/* SPDX-License-Identifier: GPL-2.0 */
/* The `xdpgate cgroups` command family: show (cgroups.c), attach and
 * detach (cgroups_attach.c), and the socket layer's part of `status`
 * (cgroups_status.c).
 */
#ifndef XG_CGROUPS_H
#define XG_CGROUPS_H

#include <stdio.h>

struct xg_json;

/* The usage text of the whole family, --help and errors alike. */
extern const char xg_cgroups_usage[];

/* Print "xdpgate: error: cgroups: <msg>" and the synopsis; returns 2. */
int xg_cgroups_usage_error(const char *fmt, const char *arg);

int xg_cgroups_attach(int argc, char **argv);
int xg_cgroups_detach(int argc, char **argv);

/* For `xdpgate status`: the socket layer's state, backend and why the
 * better backends were refused, as lines of the table or as the
 * "cgroup" member of the JSON object.
 */
void xg_cgroups_status_table(FILE *f);
void xg_cgroups_status_json(struct xg_json *j);

#endif
