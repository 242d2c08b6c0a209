// SPDX-License-Identifier: GPL-2.0
/* xdpgate attach IFACE: load the XDP program with its maps pinned in
 * XG_PIN_ROOT/IFACE and put it on the interface, or with --replace swap
 * the running one atomically, keeping its maps and so its counters.
 */
#include <getopt.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/statfs.h>
#include <linux/magic.h>

#include <xdp/libxdp.h>

#include "commands.h"
#include "log.h"
#include "prog_config.h"
#include "util.h"
#include "xdp_attach.h"
#include "xdpgate_limits.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: xdpgate attach IFACE [--mode native|skb|hw|auto] [--replace]\n"
		"                      [--max-sources N] [--via auto|libxdp|link|netlink]\n"
		"                      [--obj FILE] [--drop-unparsed] [--exact|--no-exact]\n"
		"\n"
		"Attach xdpgate's XDP program to IFACE. Its maps are pinned in\n"
		"%s/IFACE, so counters outlive the loader.\n"
		"\n"
		"  --mode MODE       native (driver), skb (generic), hw (offload), or auto\n"
		"                    (default): the kernel picks, native where it can\n"
		"  --replace         swap the running xdpgate atomically, keeping its maps\n"
		"                    (counters), mode and attachment kind; the new program\n"
		"                    gets this command's options\n"
		"  --max-sources N   entries of each per-source map, IPv4 and IPv6,\n"
		"                    %u..%u (default %u, or the size already pinned)\n"
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
		XG_ADMIT_PKTS);
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

/* 0 to go on, or the exit status (0 for --help, 2 for a usage error). */
static int parse_args(int argc, char **argv, struct xg_attach_req *req,
		      bool *replace, int *status)
{
	static const struct option opts[] = {
		{ "mode", required_argument, NULL, 'm' },
		{ "replace", no_argument, NULL, 'r' },
		{ "max-sources", required_argument, NULL, 'n' },
		{ "via", required_argument, NULL, 'V' },
		{ "obj", required_argument, NULL, 'o' },
		{ "drop-unparsed", no_argument, NULL, 'd' },
		{ "exact", no_argument, NULL, 'e' },
		{ "no-exact", no_argument, NULL, 'E' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	unsigned long long n;
	int c;

	memset(req, 0, sizeof(*req));
	req->mode_auto = true;
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
			break;
		case 'r':
			*replace = true;
			break;
		case 'n':
			if (xg_parse_u64(optarg, XG_SRC_MAP_MAX, &n) || n < XG_SRC_MAP_MIN) {
				xg_err("attach: --max-sources must be a number from %u to %u, not '%s'",
				       XG_SRC_MAP_MIN, XG_SRC_MAP_MAX, optarg);
				return -1;
			}
			req->max_sources = (__u32)n;
			break;
		case 'V':
			if (parse_via(optarg, req))
				return -1;
			break;
		case 'o':
			req->obj_path = optarg;
			break;
		case 'd':
			req->drop_unparsed = true;
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
	if (optind != argc - 1) {
		xg_err(optind >= argc ? "attach: no interface given" :
		       "attach: exactly one interface expected");
		usage(stderr);
		return -1;
	}
	req->ifname = argv[optind];
	return 0;
}

/* Can libxdp's dispatcher host xdpgate next to what is attached? */
static bool dispatcher_can_host(const struct xg_attach_req *req)
{
	struct xdp_multiprog *mp;
	bool ok;

	if (req->via != XG_VIA_REQ_AUTO && req->via != XG_VIA_REQ_LIBXDP)
		return false;
	if (!req->mode_auto && req->mode == XG_MODE_HW)
		return false;
	mp = xdp_multiprog__get_from_ifindex(req->ifindex);
	if (!mp || libxdp_get_error(mp))
		return false;
	ok = !xdp_multiprog__is_legacy(mp);
	xdp_multiprog__close(mp);
	return ok;
}

static void print_via(enum xg_via via, const char *note)
{
	printf(" via %s", via == XG_VIA_DISPATCHER ? "libxdp dispatcher" : xg_via_name(via));
	if (*note)
		printf(" (%s)", note);
}

static const char *accounting_note(const struct xg_attach_req *req)
{
	return req->exact > 0 ? "; exact accounting (no admission stage)" : "";
}

static int do_attach(struct xg_attach_req *req)
{
	struct xg_instance now;
	struct xg_attached a;
	struct xg_loaded l;
	char dir[XG_PATH_MAX], name[IF_NAMESIZE + 16];
	enum xg_xdp_mode mode = req->mode;
	int owner;

	if (xg_pin_dir(req->ifname, dir, sizeof(dir)))
		return 1;
	if ((owner = xg_pin_dir_owner(dir, req->ifindex))) {
		if (!if_indextoname(owner, name))
			snprintf(name, sizeof(name), "ifindex %d", owner);
		xg_err("interface %s: attach %s: %s holds the pins of xdpgate "
		       "running on %s (renamed?); leaving them alone: run "
		       "'xdpgate detach %s' first", req->ifname, XG_PROG_NAME_XDP,
		       dir, name, name);
		return 1;
	}
	if (req->exact < 0)
		req->exact = 0;
	if (xg_load(req, dir, NULL, &l))
		return 1;
	if (xg_xdp_attach(req, l.prog_fd, l.pin_dir, &a)) {
		xg_load_undo(&l);
		xg_load_close(&l);
		return 1;
	}
	/* Report what the kernel did, not what was asked (auto -> native). */
	if (xg_probe_interface(req->ifindex, &now, NULL) == 1)
		mode = now.mode;
	printf("xdpgate: %s: attached %s (prog id %u) in %s mode", req->ifname,
	       XG_PROG_NAME_XDP, l.prog_id, xg_mode_name(mode));
	print_via(a.via, a.note);
	printf("; maps pinned in %s%s\n", l.pin_dir, accounting_note(req));
	xg_load_close(&l);
	return 0;
}

/* --replace keeps how the instance is attached: changing the mode or the
 * attachment kind means detach-then-attach, which is not atomic.
 */
static int check_replace(const struct xg_attach_req *req, const struct xg_instance *in)
{
	bool via_ok;

	if (!req->mode_auto && req->mode != in->mode) {
		xg_err("interface %s: cannot replace %s (prog id %u) running in %s "
		       "mode with %s mode: a mode change cannot be atomic; run "
		       "'xdpgate detach %s' first", req->ifname, XG_PROG_NAME_XDP,
		       in->prog_id, xg_mode_name(in->mode),
		       xg_mode_name(req->mode), req->ifname);
		return -1;
	}
	switch (req->via) {
	case XG_VIA_REQ_LINK: via_ok = in->via == XG_VIA_LINK; break;
	case XG_VIA_REQ_NETLINK: via_ok = in->via == XG_VIA_NETLINK; break;
	/* libxdp attached it through its dispatcher or its netlink fallback */
	case XG_VIA_REQ_LIBXDP: via_ok = in->via != XG_VIA_LINK; break;
	default: via_ok = true; break;
	}
	if (!via_ok) {
		xg_err("interface %s: cannot replace %s (prog id %u) attached via "
		       "%s with --via %s: changing the attachment kind cannot be "
		       "atomic; run 'xdpgate detach %s' first", req->ifname,
		       XG_PROG_NAME_XDP, in->prog_id, xg_via_name(in->via),
		       via_req_names[req->via], req->ifname);
		return -1;
	}
	return 0;
}

static int do_replace(struct xg_attach_req *req, const struct xg_instance *in)
{
	struct xg_maps running;
	struct xg_loaded l;
	int err;

	if (check_replace(req, in))
		return 1;
	if (xg_prog_maps(in->prog_id, &running)) {
		xg_err("interface %s: cannot replace %s (prog id %u): it does not "
		       "use xdpgate's maps, so its counters cannot be carried over; "
		       "run 'xdpgate detach %s' first", req->ifname,
		       XG_PROG_NAME_XDP, in->prog_id, req->ifname);
		return 1;
	}
	req->mode_auto = false;
	req->mode = in->mode;
	if (req->exact < 0) {
		struct xg_prog_cfg cfg;

		/* Keep the running program's choice; unreadable: the default. */
		req->exact = !xg_prog_config(in->prog_id, &cfg) && cfg.exact;
	}
	err = xg_load(req, in->pin_dir, &running, &l);
	xg_maps_close(&running);
	if (err)
		return 1;
	if (xg_xdp_replace(in, l.prog_fd)) {
		xg_load_undo(&l);
		xg_load_close(&l);
		return 1;
	}
	printf("xdpgate: %s: replaced %s (prog id %u -> %u) in %s mode", req->ifname,
	       XG_PROG_NAME_XDP, in->prog_id, l.prog_id, xg_mode_name(in->mode));
	print_via(in->via, "");
	if (*l.pin_dir)
		printf("; maps kept, pinned in %s%s\n", l.pin_dir, accounting_note(req));
	else
		printf("; maps kept (not pinned)%s\n", accounting_note(req));
	xg_load_close(&l);
	return 0;
}

/* Under `ip netns exec` /sys is a fresh sysfs in a private mount
 * namespace: the bpffs we mount there, and every pin in it, vanish when
 * the command exits. The program stays attached, but its counters can
 * then only be found through the program. Say so before it happens.
 */
static void warn_private_bpffs(const char *ifname)
{
	char self[64] = "", init[64] = "";
	struct statfs st;

	if (statfs(XG_BPFFS, &st) == 0 && st.f_type == BPF_FS_MAGIC)
		return;
	/* Same mount namespace as init: a plain boot without bpffs, fine.
	 * Unknown (no access to init's): warn anyway, better safe.
	 */
	if (readlink("/proc/self/ns/mnt", self, sizeof(self) - 1) > 0 &&
	    readlink("/proc/1/ns/mnt", init, sizeof(init) - 1) > 0 &&
	    !strcmp(self, init))
		return;
	xg_warn("interface %s: no bpffs on %s in this mount namespace; if it "
		"is private (ip netns exec), the pins made here vanish when "
		"xdpgate exits: use 'nsenter --net=/run/netns/NAME xdpgate ...'",
		ifname, XG_BPFFS);
}

static int attach_locked(struct xg_attach_req *req, bool replace)
{
	struct xg_instance in;
	__u32 other = 0;
	char name[64];
	int found = xg_probe_interface(req->ifindex, &in, &other);

	if (found < 0) {
		xg_err("interface %s: cannot query its XDP programs: %s",
		       req->ifname, xg_strerror(found));
		return 1;
	}
	if (found && !replace) {
		xg_err("interface %s: xdpgate is already attached (%s prog id %u, "
		       "%s mode via %s); use --replace to swap it", req->ifname,
		       XG_PROG_NAME_XDP, in.prog_id, xg_mode_name(in.mode),
		       xg_via_name(in.via));
		return 1;
	}
	if (found)
		return do_replace(req, &in);
	if (other) {
		if (!dispatcher_can_host(req)) {
			xg_prog_name_by_id(other, name, sizeof(name));
			xg_err("interface %s: another XDP program is attached "
			       "(prog id %u, name %s); xdpgate will not replace "
			       "it: detach it first", req->ifname, other, name);
			return 1;
		}
		req->via = XG_VIA_REQ_LIBXDP; /* only the dispatcher can share */
	}
	return do_attach(req);
}

int cmd_attach(int argc, char **argv)
{
	struct xg_attach_req req;
	char what[64];
	bool replace;
	int status, lock, ret;

	if (parse_args(argc, argv, &req, &replace, &status))
		return status;
	snprintf(what, sizeof(what), "interface %s: attach %s", req.ifname,
		 XG_PROG_NAME_XDP);
	if (xg_require_root(what))
		return 1;
	req.ifindex = strlen(req.ifname) < IF_NAMESIZE ? (int)if_nametoindex(req.ifname) : 0;
	if (!req.ifindex) {
		xg_err("interface %s: attach %s: no such interface", req.ifname,
		       XG_PROG_NAME_XDP);
		return 1;
	}
	/* Lock first: two loaders mounting bpffs at once would stack two. */
	lock = xg_lock("attach");
	if (lock < 0)
		return 1;
	warn_private_bpffs(req.ifname);
	ret = xg_ensure_bpffs() ? 1 : attach_locked(&req, replace);
	xg_unlock(lock);
	return ret;
}
