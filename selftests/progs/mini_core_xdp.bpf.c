// SPDX-License-Identifier: GPL-2.0
/* mini_xdp.bpf.c with xdpgate's accounting maps only (see there). */
#define XG_MINI_CORE_ONLY
#include "mini_xdp.bpf.c"
