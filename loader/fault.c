// SPDX-License-Identifier: GPL-2.0
/* XDPGATE_FAULT: die at a named point (see fault.h). */
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "fault.h"

void xg_fault(const char *point)
{
	const char *want = getenv("XDPGATE_FAULT");

	if (want && !strcmp(want, point))
		raise(SIGKILL);
}
