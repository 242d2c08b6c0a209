// SPDX-License-Identifier: GPL-2.0
/* The guests' static xdpgate leaves out serve and top: Debian ships
 * libmicrohttpd's TLS dependencies (p11-kit, libunistring) only as shared
 * libraries, and a guest runs neither command. Linked before
 * libxdpgate.a, these take the place of serve.o and top.o, so the static
 * link never pulls in libmicrohttpd or ncurses.
 */
#include <stdio.h>

#include "commands.h"

static int not_here(const char *cmd)
{
	fprintf(stderr, "xdpgate: error: %s is not built into this static binary "
		"(the kernel matrix's guests)\n", cmd);
	return 1;
}

int cmd_serve(int argc, char **argv)
{
	return not_here("serve");
}

int cmd_top(int argc, char **argv)
{
	return not_here("top");
}
