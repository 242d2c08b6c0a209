/* SPDX-License-Identifier: GPL-2.0 */
/* A test hook: with XDPGATE_FAULT=<point> in the environment the loader
 * kills itself with SIGKILL when it reaches that point, exactly as a
 * `kill -9` landing there would. The end-to-end tests use it to reach
 * every step of an attach deterministically (random kills rarely hit a
 * window a millisecond wide) and check that each leaves either a working
 * instance or an orphan that status lists and detach --orphans removes.
 * Points: see the xg_fault() calls (attach.c, attach_target.c, detach.c).
 */
#ifndef XG_FAULT_H
#define XG_FAULT_H

void xg_fault(const char *point);

#endif
