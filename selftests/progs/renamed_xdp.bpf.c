// SPDX-License-Identifier: GPL-2.0
/* xdpgate's own XDP program under another name (xg_renamed): it uses
 * xdpgate's maps, so xdpgate must recognise it as itself, list it and
 * detach it, whatever the program is called.
 */
#define xdpgate_xdp xg_renamed
#include "../../xdp/xdpgate_xdp.bpf.c"
