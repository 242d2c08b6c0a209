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

/* How --via is spelled. */
const char *xg_via_req_name(enum xg_via_req via);

#endif
