// SPDX-License-Identifier: GPL-2.0
/* xdpgate: attach the data plane, manage it, read its counters. */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "log.h"

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *usage;
};

static const struct command commands[] = {
	{ "attach", cmd_attach,
	  "attach IFACE [--mode native|skb|hw|auto] [--replace] [--max-sources N]\n"
	  "                 [--via auto|libxdp|link|netlink] [--obj FILE] [--drop-unparsed]\n"
	  "  xdpgate attach IFACE|--netns NAME|PID --hook tc [--direction ingress|egress|both]\n"
	  "                 [--tc-via auto|tcx|clsact] [--replace] [--max-sources N]" },
	{ "detach", cmd_detach, "detach IFACE [--hook xdp|tc] [--direction D] | --orphans [IFACE...]" },
	{ "status", cmd_status, "status [--json]" },
	{ "stats", cmd_stats,
	  "stats [IFACE] [--json | --prom] [--top N] [--sort packets|bytes]" },
	{ "cgroups", cmd_cgroups,
	  "cgroups [--json] [--top N] [--sort bytes|packets]\n"
	  "  xdpgate cgroups attach [--backend auto|fentry|kprobe|tracepoint|cgroup_skb]\n"
	  "  xdpgate cgroups detach" },
	{ "rules", cmd_rules,
	  "rules add CIDR ACTION [--vlan ID] [--iface IFACE] | del CIDR [--vlan ID]\n"
	  "                 [--iface IFACE] | list [--json] | flush | default pass|drop" },
	{ "apply", cmd_apply, "apply FILE [--dry-run]" },
	{ "watch", cmd_watch,
	  "watch [--netns NAME|PID]... [--direction D] [--tc-via auto|tcx|clsact]" },
	{ "serve", cmd_serve,
	  "serve [--listen 127.0.0.1:9435] [--top-sources N] [--iface IFACE]...\n"
	  "                 [--cgroups|--no-cgroups] [--cache S]" },
	{ "top", cmd_top, "top [--interval S] [--sort pps|bps] [IFACE]" },
};

static void usage(FILE *f)
{
	fprintf(f, "usage: xdpgate [-v] COMMAND [ARGS]\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  xdpgate %s\n", commands[i].usage);
	fprintf(f, "\n  -v, --verbose   show libbpf and libxdp messages\n"
		   "Run 'xdpgate COMMAND --help' for a command's options.\n");
}

int main(int argc, char **argv)
{
	bool verbose = false;
	int i = 1;

	while (i < argc && (!strcmp(argv[i], "-v") || !strcmp(argv[i], "--verbose"))) {
		verbose = true;
		i++;
	}
	xg_log_setup(verbose);
	if (i >= argc) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help") ||
	    !strcmp(argv[i], "help")) {
		usage(stdout);
		return 0;
	}
	for (size_t c = 0; c < sizeof(commands) / sizeof(commands[0]); c++)
		if (!strcmp(argv[i], commands[c].name))
			return commands[c].fn(argc - i, argv + i);
	xg_err("unknown command '%s'", argv[i]);
	usage(stderr);
	return 2;
}
