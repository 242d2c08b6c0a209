// SPDX-License-Identifier: GPL-2.0
/* `xdpgate attach` options: the usage text and parsing. Numbers are
 * decimal only; the interface name is checked as every command checks it.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "attach_args.h"
#include "ifname.h"
#include "log.h"
#include "mem_estimate.h"
#include "util.h"
#include "xdpgate_limits.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: xdpgate attach IFACE [--mode native|skb|hw|auto] [--replace]\n"
		"                      [--max-sources N] [--force] [--adopt[=DIR]]\n"
		"                      [--via auto|libxdp|link|netlink] [--obj FILE]\n"
		"                      [--drop-unparsed] [--exact|--no-exact]\n"
		"       xdpgate attach IFACE --hook tc [--direction ingress|egress|both]\n"
		"                      [--tc-via auto|tcx|clsact] [--replace] [--max-sources N]\n"
		"                      [--force] [--adopt[=DIR]] [--obj FILE] [--drop-unparsed]\n"
		"                      [--exact|--no-exact]\n"
		"       xdpgate attach --netns NAME|PID --hook tc [same TC options]\n"
		"\n"
		"Attach xdpgate's XDP program (or its TC programs) to IFACE. Its maps\n"
		"are pinned in %s/ns<netns>/if<ifindex>/<hook>, so counters\n"
		"outlive the loader but never pass to another interface.\n"
		"\n"
		"  --hook xdp|tc     xdp (default): what arrives, by source, at the driver;\n"
		"                    tc: what arrives (by source) and what leaves (by\n"
		"                    destination), after the stack built the skb\n"
		"  --direction D     tc: ingress, egress or both (default)\n"
		"  --tc-via PATH     tc: auto (default: tcx where the kernel has it, else\n"
		"                    clsact), or force tcx or clsact\n"
		"  --netns NAME|PID  tc: the host side of every veth whose peer lives in\n"
		"                    that network namespace (a container's), instead of IFACE\n"
		"  --mode MODE       native (driver), skb (generic), hw (offload), or auto\n"
		"                    (default): the kernel picks, native where it can\n"
		"  --replace         swap the running xdpgate atomically, keeping its maps\n"
		"                    (counters), mode and attachment kind; the new program\n"
		"                    gets this command's options\n"
		"  --max-sources N   entries of each per-source map, IPv4 and IPv6,\n"
		"                    %u..%u, decimal (default %u, or the size already\n"
		"                    pinned); the memory this takes is printed\n"
		"  --force           allocate maps beyond the memory limit (1/%d of\n"
		"                    this machine's memory)\n"
		"  --adopt[=DIR]     take over the counters of an orphaned pin directory\n"
		"                    recorded for IFACE (or DIR, as status lists it)\n"
		"  --via PATH        auto (default: libxdp, then bpf_link, then netlink),\n"
		"                    or force libxdp, link or netlink\n"
		"  --obj FILE        load this BPF object instead of the built-in one\n"
		"  --drop-unparsed   drop packets that fail to parse (default: pass them;\n"
		"                    either way they are counted by reason)\n"
		"  --exact           no admission stage: every source gets an entry in\n"
		"                    the source map on its first packet, so a flood of\n"
		"                    new sources evicts older ones (the default admits a\n"
		"                    source once it sent %d packets or while new entries\n"
		"                    come slowly; see README); --replace keeps the\n"
		"                    running program's choice unless --exact or\n"
		"                    --no-exact is given\n",
		XG_PIN_ROOT, XG_SRC_MAP_MIN, XG_SRC_MAP_MAX, XG_SRC_MAP_DEFAULT,
		XG_MEM_LIMIT_DIVISOR, XG_ADMIT_PKTS);
}

static int parse_mode(const char *s, struct xg_attach_req *req)
{
	static const struct { const char *name; enum xg_xdp_mode mode; } modes[] = {
		{ "native", XG_MODE_NATIVE }, { "drv", XG_MODE_NATIVE },
		{ "skb", XG_MODE_SKB }, { "generic", XG_MODE_SKB },
		{ "hw", XG_MODE_HW }, { "offload", XG_MODE_HW },
	};

	req->mode_auto = !strcmp(s, "auto");
	if (req->mode_auto)
		return 0;
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		if (!strcmp(s, modes[i].name)) {
			req->mode = modes[i].mode;
			return 0;
		}
	}
	xg_err("attach: --mode must be native, skb, hw or auto, not '%s'", s);
	return -1;
}

static const char *const via_req_names[] = {
	[XG_VIA_REQ_AUTO] = "auto", [XG_VIA_REQ_LIBXDP] = "libxdp",
	[XG_VIA_REQ_LINK] = "link", [XG_VIA_REQ_NETLINK] = "netlink",
};

static int parse_via(const char *s, struct xg_attach_req *req)
{
	/* status prints the kind as "bpf_link"; accept that spelling back. */
	if (!strcmp(s, "bpf_link"))
		s = via_req_names[XG_VIA_REQ_LINK];
	for (size_t i = 0; i < sizeof(via_req_names) / sizeof(via_req_names[0]); i++) {
		if (!strcmp(s, via_req_names[i])) {
			req->via = (enum xg_via_req)i;
			return 0;
		}
	}
	xg_err("attach: --via must be auto, libxdp, link or netlink, not '%s'", s);
	return -1;
}

const char *xg_via_req_name(enum xg_via_req via)
{
	return via_req_names[via];
}

static const char *const tc_via_req_names[] = {
	[XG_TC_VIA_REQ_AUTO] = "auto", [XG_TC_VIA_REQ_TCX] = "tcx",
	[XG_TC_VIA_REQ_CLSACT] = "clsact",
};

static int parse_tc_via(const char *s, struct xg_attach_req *req)
{
	for (size_t i = 0; i < sizeof(tc_via_req_names) / sizeof(tc_via_req_names[0]); i++) {
		if (!strcmp(s, tc_via_req_names[i])) {
			req->tc_via = (enum xg_tc_via_req)i;
			return 0;
		}
	}
	xg_err("attach: --tc-via must be auto, tcx or clsact, not '%s'", s);
	return -1;
}

const char *xg_tc_via_req_name(enum xg_tc_via_req via)
{
	return tc_via_req_names[via];
}

int xg_parse_tc_dirs(const char *s, unsigned int *dirs)
{
	if (!strcmp(s, "ingress"))
		*dirs = XG_TC_DIR_INGRESS;
	else if (!strcmp(s, "egress"))
		*dirs = XG_TC_DIR_EGRESS;
	else if (!strcmp(s, "both"))
		*dirs = XG_TC_DIR_INGRESS | XG_TC_DIR_EGRESS;
	else {
		xg_err("--direction must be ingress, egress or both, not '%s'", s);
		return -1;
	}
	return 0;
}

/* Options of one hook given for the other are usage errors. */
static int check_hook_opts(const struct xg_attach_req *req, bool mode_set,
			   bool via_set, bool tc_opts)
{
	bool tc = xg_hook_is_tc(req->hook);

	if (tc && (mode_set || via_set)) {
		xg_err("attach: --%s is for the XDP hook; a TC hook has no XDP "
		       "mode or XDP attach path (use --tc-via)",
		       mode_set ? "mode" : "via");
		return -1;
	}
	if (tc && req->adopt_dir && req->tc_dirs != XG_TC_DIR_INGRESS &&
	    req->tc_dirs != XG_TC_DIR_EGRESS) {
		xg_err("attach: --adopt=DIR takes over one instance directory: "
		       "name the direction it is for (--direction ingress|egress)");
		return -1;
	}
	if (!tc && tc_opts) {
		xg_err("attach: --direction, --tc-via and --netns are for the TC "
		       "hook: add --hook tc");
		return -1;
	}
	return 0;
}

int xg_attach_parse(int argc, char **argv, struct xg_attach_req *req,
		      bool *replace, int *status)
{
	static const struct option opts[] = {
		{ "mode", required_argument, NULL, 'm' },
		{ "replace", no_argument, NULL, 'r' },
		{ "max-sources", required_argument, NULL, 'n' },
		{ "via", required_argument, NULL, 'V' },
		{ "obj", required_argument, NULL, 'o' },
		{ "drop-unparsed", no_argument, NULL, 'd' },
		{ "force", no_argument, NULL, 'f' },
		{ "adopt", optional_argument, NULL, 'a' },
		{ "hook", required_argument, NULL, 'H' },
		{ "direction", required_argument, NULL, 'D' },
		{ "tc-via", required_argument, NULL, 'T' },
		{ "netns", required_argument, NULL, 'N' },
		{ "exact", no_argument, NULL, 'e' },
		{ "no-exact", no_argument, NULL, 'E' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	bool mode_set = false, via_set = false, tc_opts = false;
	unsigned long long n;
	int c;

	memset(req, 0, sizeof(*req));
	req->mode_auto = true;
	req->tc_dirs = XG_TC_DIR_INGRESS | XG_TC_DIR_EGRESS;
	req->exact = -1;
	*replace = false;
	*status = 2;
	optind = 1;
	opterr = 0; /* our own message, with the xdpgate: prefix */
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'm':
			if (parse_mode(optarg, req))
				return -1;
			mode_set = true;
			break;
		case 'H':
			if (!strcmp(optarg, "tc")) {
				req->hook = XG_HOOK_TC_INGRESS;
			} else if (strcmp(optarg, "xdp")) {
				xg_err("attach: --hook must be xdp or tc, not '%s'", optarg);
				return -1;
			}
			break;
		case 'D':
			if (xg_parse_tc_dirs(optarg, &req->tc_dirs))
				return -1;
			tc_opts = true;
			break;
		case 'T':
			if (parse_tc_via(optarg, req))
				return -1;
			tc_opts = true;
			break;
		case 'N':
			req->netns = optarg;
			tc_opts = true;
			break;
		case 'r':
			*replace = true;
			break;
		case 'n':
			if (xg_parse_decimal(optarg, XG_SRC_MAP_MAX, &n) || n < XG_SRC_MAP_MIN) {
				xg_err("attach: --max-sources must be a decimal number from %u to %u, not '%s'",
				       XG_SRC_MAP_MIN, XG_SRC_MAP_MAX, optarg);
				return -1;
			}
			req->max_sources = (__u32)n;
			break;
		case 'V':
			if (parse_via(optarg, req))
				return -1;
			via_set = true;
			break;
		case 'o':
			req->obj_path = optarg;
			break;
		case 'd':
			req->drop_unparsed = true;
			break;
		case 'f':
			req->force = true;
			break;
		case 'a':
			req->adopt = true;
			req->adopt_dir = optarg;
			if (optarg && !*optarg) {
				xg_err("attach: --adopt= needs a directory");
				return -1;
			}
			break;
		case 'e':
		case 'E':
			if (req->exact >= 0 && req->exact != (c == 'e')) {
				xg_err("attach: --exact and --no-exact exclude each other");
				usage(stderr);
				return -1;
			}
			req->exact = c == 'e';
			break;
		case 'h':
			usage(stdout);
			*status = 0;
			return -1;
		default:
			xg_bad_option("attach", argv);
			usage(stderr);
			return -1;
		}
	}
	if (check_hook_opts(req, mode_set, via_set, tc_opts))
		return -1;
	if (req->netns) {
		if (optind != argc) {
			xg_err("attach: --netns attaches to that namespace's veths: "
			       "no interface name with it");
			return -1;
		}
	} else if (optind != argc - 1) {
		xg_err(optind >= argc ? "attach: no interface given" :
		       "attach: exactly one interface expected");
		usage(stderr);
		return -1;
	}
	if (!req->netns) {
		req->ifname = argv[optind];
		if (xg_ifname_check("attach", req->ifname))
			return -1;
	}
	if (*replace && req->adopt) {
		xg_err("attach: --adopt takes over an orphan's maps for a new "
		       "instance; --replace keeps the running one's: not both");
		return -1;
	}
	return 0;
}

