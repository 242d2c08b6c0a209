// SPDX-License-Identifier: GPL-2.0
#include "commands.h"
#include "log.h"
int cmd_status(int argc, char **argv) { xg_err("status: not implemented"); return 1; }
