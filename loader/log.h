/* SPDX-License-Identifier: GPL-2.0 */
/* Messages for people: errors always, libbpf/libxdp chatter only with -v. */
#ifndef XG_LOG_H
#define XG_LOG_H

#include <stdbool.h>

extern bool xg_verbose;

/* Route libbpf's and libxdp's own messages through our verbosity. */
void xg_log_setup(bool verbose);

void xg_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void xg_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void xg_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void xg_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* strerror for libbpf (-errno) and libxdp (its own codes) returns, with
 * the kernel's extended ack appended when libbpf reported one since.
 */
const char *xg_strerror(int err);

#endif
