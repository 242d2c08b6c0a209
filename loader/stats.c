// SPDX-License-Identifier: GPL-2.0
#include "commands.h"
#include "log.h"
int cmd_stats(int argc, char **argv) { xg_err("stats: not implemented"); return 1; }
