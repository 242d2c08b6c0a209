// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <bpf/libbpf.h>
#include <xdp/libxdp.h>

#include "log.h"

bool xg_verbose;

static int libbpf_print(enum libbpf_print_level level, const char *fmt,
			va_list ap)
{
	if (level == LIBBPF_DEBUG && !xg_verbose)
		return 0;
	if (!xg_verbose)
		return 0; /* errors reach the user through our own messages */
	return vfprintf(stderr, fmt, ap);
}

static int libxdp_print(enum libxdp_print_level level, const char *fmt,
			va_list ap)
{
	if (!xg_verbose)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

void xg_log_setup(bool verbose)
{
	xg_verbose = verbose;
	libbpf_set_print(libbpf_print);
	libxdp_set_print(libxdp_print);
}

#define XG_VPRINT(prefix)                          \
	do {                                       \
		va_list ap;                        \
		va_start(ap, fmt);                 \
		fputs(prefix, stderr);             \
		vfprintf(stderr, fmt, ap);         \
		fputc('\n', stderr);               \
		va_end(ap);                        \
	} while (0)

void xg_err(const char *fmt, ...)
{
	XG_VPRINT("xdpgate: error: ");
}

void xg_warn(const char *fmt, ...)
{
	XG_VPRINT("xdpgate: warning: ");
}

void xg_info(const char *fmt, ...)
{
	XG_VPRINT("xdpgate: ");
}

void xg_debug(const char *fmt, ...)
{
	if (xg_verbose)
		XG_VPRINT("xdpgate: debug: ");
}

const char *xg_strerror(int err)
{
	static __thread char buf[256];

	if (err > 0)
		err = -err;
	/* libxdp knows its own codes and falls back to strerror for errno */
	if (libxdp_strerror(err, buf, sizeof(buf)) == 0)
		return buf;
	return strerror(-err);
}
