// SPDX-License-Identifier: GPL-2.0
#include "commands.h"
#include "log.h"
int cmd_attach(int argc, char **argv) { xg_err("attach: not implemented"); return 1; }
int cmd_detach(int argc, char **argv) { xg_err("detach: not implemented"); return 1; }
