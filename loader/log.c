// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <bpf/libbpf.h>
#include <xdp/libxdp.h>

#include "log.h"

bool xg_verbose;

/* The kernel's extended ack behind a netlink error (e.g. "veth: Peer MTU
 * is too large to set XDP" behind ERANGE) reaches us only through
 * libbpf's print callback: keep the last one for xg_strerror, -v or not.
 */
#define KERNEL_MSG_TAG "libbpf: Kernel error message: "
static char kernel_line[256]; /* "" or the whole line, tag included */
#define kernel_msg (kernel_line + strlen(KERNEL_MSG_TAG))

static void keep_kernel_msg(const char *fmt, va_list ap)
{
	size_t n;
	va_list cp;

	if (strncmp(fmt, KERNEL_MSG_TAG, strlen(KERNEL_MSG_TAG)))
		return;
	va_copy(cp, ap);
	vsnprintf(kernel_line, sizeof(kernel_line), fmt, cp);
	va_end(cp);
	n = strlen(kernel_line);
	while (n && kernel_line[n - 1] == '\n')
		kernel_line[--n] = '\0';
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt,
			va_list ap)
{
	keep_kernel_msg(fmt, ap);
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
	static __thread char buf[256], out[sizeof(buf) + sizeof(kernel_line) + 16];
	const char *reason = buf;

	if (err > 0)
		err = -err;
	/* libxdp knows its own codes and falls back to strerror for errno */
	if (libxdp_strerror(err, buf, sizeof(buf)))
		reason = strerror(-err);
	if (!*kernel_line)
		return reason;
	/* The kernel's own words belong to this error: use them once. */
	snprintf(out, sizeof(out), "%s (kernel: %s)", reason, kernel_msg);
	kernel_line[0] = '\0';
	return out;
}
