/* SPDX-License-Identifier: GPL-2.0 */
/* `xdpgate attach` options: usage text and parsing into a request. */
#ifndef XG_ATTACH_ARGS_H
#define XG_ATTACH_ARGS_H

#include <stdbool.h>

#include "xdp_attach.h"

/* 0 to go on, or -1 with *status the exit status (0 for --help, 2 for a
 * usage error, already reported).
 */
int xg_attach_parse(int argc, char **argv, struct xg_attach_req *req,
		    bool *replace, int *status);

/* How --via and --tc-via are spelled. */
const char *xg_via_req_name(enum xg_via_req via);
const char *xg_tc_via_req_name(enum xg_tc_via_req via);

/* --direction ingress|egress|both into XG_TC_DIR_* bits; -1 after a
 * message naming the bad value.
 */
int xg_parse_tc_dirs(const char *s, unsigned int *dirs);

#endif
