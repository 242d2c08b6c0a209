// SPDX-License-Identifier: GPL-2.0
/* placeholder */
#include "commands.h"
int cmd_top(int argc, char **argv) { return 2; }
