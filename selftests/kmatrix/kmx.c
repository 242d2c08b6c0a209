// SPDX-License-Identifier: GPL-2.0
/* kmx: the kernel matrix's helper inside each guest. It does what busybox
 * cannot: send crafted frames out of a veth, run a second XDP program next
 * to xdpgate through libxdp and read its counter, and probe the kernel for
 * what libxdp's dispatcher needs. Built statically, like everything the
 * guests run.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <bpf/libbpf.h>

#include "kmx_cmds.h"

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *args;
} cmds[] = {
	{ "send", kmx_send, "IFACE KIND,SRC,COUNT... (KIND: ipv4 ipv6 ipv6-ext vlan-ipv4)" },
	{ "count-attach", kmx_count_attach, "IFACE [native|skb]" },
	{ "count-read", kmx_count_read, "" },
	{ "count-detach", kmx_count_detach, "IFACE" },
	{ "list", kmx_list, "IFACE" },
	{ "probe-freplace", kmx_probe_freplace, "" },
	{ "probe-percpu-inline", kmx_probe_percpu_inline, "" },
};
#define NCMDS (sizeof(cmds) / sizeof(cmds[0]))

static int print_warnings(enum libbpf_print_level level, const char *fmt,
			  va_list args)
{
	if (level != LIBBPF_WARN)
		return 0;
	return vfprintf(stderr, fmt, args);
}

static int usage(FILE *f)
{
	fprintf(f, "usage:\n");
	for (size_t i = 0; i < NCMDS; i++)
		fprintf(f, "  kmx %s %s\n", cmds[i].name, cmds[i].args);
	return f == stderr ? 2 : 0;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return usage(stderr);
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))
		return usage(stdout);
	libbpf_set_print(print_warnings);
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (size_t i = 0; i < NCMDS; i++)
		if (!strcmp(argv[1], cmds[i].name))
			return cmds[i].fn(argc - 2, argv + 2);
	fprintf(stderr, "kmx: no command '%s'\n", argv[1]);
	return usage(stderr);
}
