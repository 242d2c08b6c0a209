// SPDX-License-Identifier: GPL-2.0
/* xdpgate detach IFACE: take xdpgate off one interface, however it was
 * attached (this loader, libxdp, iproute2), then remove its pins. Other
 * programs, and pins something else still uses, are left alone.
 * xdpgate detach --orphans [IFACE...]: remove orphaned pin directories
 * (pin_state.h), all of them or those recorded for the interfaces named.
 */
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "bpf_usage.h"
#include "bpffs.h"
#include "caps.h"
#include "commands.h"
#include "fault.h"
#include "ifname.h"
#include "instance.h"
#include "log.h"
#include "pin_state.h"
#include "pins.h"
#include "policy_dir.h"
#include "util.h"
#include "attach_args.h"
#include "tc_attach.h"
#include "xdp_attach.h"
#include "xdpgate_limits.h"

/* Hooks a detach takes xdpgate off: bits 1 << enum xg_hook. */
#define XG_DETACH_XDP (1U << XG_HOOK_XDP)
#define XG_DETACH_TC ((1U << XG_HOOK_TC_INGRESS) | (1U << XG_HOOK_TC_EGRESS))
#define XG_DETACH_ALL (XG_DETACH_XDP | XG_DETACH_TC)

static void usage(FILE *f)
{
	fprintf(f,
		"usage: xdpgate detach IFACE [--hook xdp|tc] [--direction ingress|egress|both]\n"
		"       xdpgate detach --orphans [IFACE...]\n"
		"\n"
		"Remove xdpgate from IFACE (every hook where it runs, or the one named)\n"
		"and delete its pins (its directories under %s, or its\n"
		"xg_* maps in %s or tc's when iproute2 attached it and\n"
		"no loaded program uses them any more). Other programs and filters,\n"
		"and the clsact qdisc, are left alone.\n"
		"\n"
		"  --hook H       only xdp, or only tc\n"
		"  --direction D  with --hook tc: only ingress or egress\n"
		"  --orphans   remove orphaned pin directories instead: those whose\n"
		"              maps no program uses any more (status lists them), all\n"
		"              of them or those recorded for the interfaces named\n",
		XG_PIN_ROOT, XG_IPROUTE2_PIN_DIR);
}

/* The interface's own instance directory, if nothing uses it: an orphan
 * left next to an instance whose maps are pinned elsewhere, or by an
 * attach that did not finish. 1 removed, 0 none, -1 error or in use.
 */
static int remove_own_orphan(const char *ifname, const char *dir, bool quiet)
{
	struct xg_pindir *dirs;
	char what[64];
	int n, ret = 0;

	snprintf(what, sizeof(what), "interface %s: detach", ifname);
	n = xg_pins_survey(what, &dirs);
	if (n < 0)
		return -1;
	for (int i = 0; i < n; i++) {
		if (strcmp(dirs[i].path, dir))
			continue;
		if (dirs[i].state != XG_PIN_ORPHAN) {
			if (!quiet)
				xg_err("interface %s: detach %s: %s is in use by prog "
				       "id %u (%s); leaving it alone", ifname,
				       XG_PROG_NAME_XDP, dir, dirs[i].user_prog,
				       xg_pin_state_name(dirs[i].state));
			ret = -1;
		} else {
			ret = xg_pins_remove(dir) ? -1 : 1;
		}
	}
	free(dirs);
	return ret;
}

static int detach_instance(const struct xg_instance *in, const char *own)
{
	char msg[XG_PATH_MAX * 2 + 96] = "no pins to remove";
	int err = 0;

	if (xg_xdp_detach(in))
		return 1;
	xg_fault("detached");
	if (!strcmp(in->pin_dir, XG_IPROUTE2_PIN_DIR)) {
		err = xg_remove_iproute2_pins(XG_IPROUTE2_PIN_DIR, msg, sizeof(msg));
	} else if (*in->pin_dir) {
		/* Its maps were the program's (xg_pin_dir_matches), which no
		 * longer runs: the directory is this instance's alone.
		 */
		err = xg_pins_remove(in->pin_dir) ? 1 : 0;
		snprintf(msg, sizeof(msg), "removed pins in %s", in->pin_dir);
	}
	if (strcmp(in->pin_dir, own) && remove_own_orphan(in->ifname, own, true) == 1)
		snprintf(msg + strlen(msg), sizeof(msg) - strlen(msg),
			 " and leftover pins in %s", own);
	printf("xdpgate: %s: detached %s (prog id %u, %s mode, via %s); %s\n",
	       in->ifname, XG_PROG_NAME_XDP, in->prog_id, xg_mode_name(in->mode),
	       xg_via_name(in->via), msg);
	return err;
}

/* XDP on ifindex: 0 nothing of ours there, 1 detached or leftovers
 * removed, -1 error (reported). *other gets a foreign XDP program's id.
 */
static int detach_xdp(const char *ifname, int ifindex, const char *own,
		      __u32 *other)
{
	struct xg_instance in;
	int found = xg_probe_interface(ifindex, &in, other), r;

	if (found < 0) {
		xg_err("interface %s: detach %s: cannot query its XDP programs: %s",
		       ifname, XG_PROG_NAME_XDP, xg_strerror(found));
		return -1;
	}
	if (found)
		return detach_instance(&in, own) ? -1 : 1;
	r = remove_own_orphan(ifname, own, false);
	if (r == 1)
		printf("xdpgate: %s: xdpgate was not attached to XDP; removed "
		       "leftover pins in %s\n", ifname, own);
	return r;
}

/* One TC direction, as detach_xdp. */
static int detach_tc(const char *ifname, int ifindex, enum xg_hook hook,
		     const struct xg_netns *self)
{
	char own[XG_PATH_MAX], msg[XG_PATH_MAX * 2 + 96];
	struct xg_instance in;
	int found = xg_probe_hook(ifindex, hook, &in, NULL), r;

	if (found < 0) {
		xg_err("interface %s: detach %s: cannot query its tc %s programs: %s",
		       ifname, xg_hook_prog_name(hook), xg_hook_direction(hook),
		       xg_strerror(found));
		return -1;
	}
	if (found) {
		if (xg_tc_detach_instance(&in, msg, sizeof(msg)))
			return -1;
		printf("xdpgate: %s: detached %s (prog id %u) from tc %s via %s; %s\n",
		       ifname, xg_hook_prog_name(hook), in.prog_id,
		       xg_hook_direction(hook), xg_via_name(in.via), msg);
		return 1;
	}
	if (xg_inst_path(self, (__u32)ifindex, hook, own, sizeof(own)))
		return -1;
	r = remove_own_orphan(ifname, own, false);
	if (r == 1)
		printf("xdpgate: %s: xdpgate was not attached to tc %s; removed "
		       "leftover pins in %s\n", ifname, xg_hook_direction(hook), own);
	return r;
}

static int detach_locked(const char *ifname, unsigned int hooks)
{
	int ifindex = (int)if_nametoindex(ifname), done = 0, err = 0, r;
	char own[XG_PATH_MAX], name[64];
	struct xg_netns self;
	__u32 other = 0;

	if (!ifindex) {
		xg_err("interface %s: detach: no such interface (pins it left "
		       "behind, if any, are listed by 'xdpgate status %s' and removed "
		       "by 'xdpgate detach --orphans %s')", ifname, ifname, ifname);
		return 1;
	}
	if (xg_netns_self(&self) ||
	    xg_inst_path(&self, (__u32)ifindex, XG_HOOK_XDP, own, sizeof(own))) {
		xg_err("interface %s: detach: cannot name its pin directory", ifname);
		return 1;
	}
	for (int h = XG_HOOK_XDP; h <= XG_HOOK_TC_EGRESS; h++) {
		if (!(hooks & (1U << h)))
			continue;
		r = h == XG_HOOK_XDP ? detach_xdp(ifname, ifindex, own, &other)
				     : detach_tc(ifname, ifindex, (enum xg_hook)h, &self);
		if (r < 0)
			err = 1;
		else
			done += r;
	}
	/* The rules go with the last hook of the interface. */
	if (done && !err && xg_iface_runs_xdpgate(ifindex) == 0 &&
	    xg_remove_policy_dir(ifindex))
		err = 1;
	if (done || err)
		return err;
	if (other) {
		xg_prog_name_by_id(other, name, sizeof(name));
		xg_err("interface %s: detach %s: the attached XDP program (prog id "
		       "%u, name %s) is not xdpgate (it does not use xdpgate's maps); "
		       "leaving it alone", ifname, XG_PROG_NAME_XDP, other, name);
	} else {
		xg_err("interface %s: detach: xdpgate is not attached%s", ifname,
		       hooks == XG_DETACH_ALL ? "" : " to that hook");
	}
	return 1;
}

static int detach_orphans(char *const *names, int n)
{
	struct xg_pindir *dirs;
	struct xg_netns self;
	int count, removed = 0, err = 0;

	count = xg_pins_survey("detach --orphans", &dirs);
	if (count < 0 || xg_netns_self(&self))
		return 1;
	for (int i = 0; i < count; i++) {
		struct xg_pindir *d = &dirs[i];
		const char *name = xg_pindir_ifname(d);
		char shown[64];

		if (d->state != XG_PIN_ORPHAN || !xg_pindir_matches(d, &self, names, n))
			continue;
		if (xg_pins_remove(d->path)) {
			err = 1;
			continue;
		}
		removed++;
		printf("xdpgate: removed orphaned pins %s (%s%s%s%s)\n", d->path,
		       *name ? "interface " : "",
		       *name ? xg_ifname_display(name, shown, sizeof(shown)) : "",
		       *name ? ": " : "", xg_orphan_reason_text(d->reason));
		fflush(stdout);
	}
	if (!removed && !err)
		printf("xdpgate: no orphaned pins%s\n", names ? " for those interfaces" : "");
	free(dirs);
	return err;
}

int cmd_detach(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "orphans", no_argument, NULL, 'o' },
		{ "hook", required_argument, NULL, 'H' },
		{ "direction", required_argument, NULL, 'D' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	unsigned int hooks = XG_DETACH_ALL, dirs = 0;
	bool orphans = false;
	char what[64];
	int c, lock, ret;

	optind = 1;
	opterr = 0; /* our own message, with the xdpgate: prefix */
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'o') {
			orphans = true;
			continue;
		}
		if (c == 'H') {
			if (!strcmp(optarg, "xdp"))
				hooks = XG_DETACH_XDP;
			else if (!strcmp(optarg, "tc"))
				hooks = XG_DETACH_TC;
			else {
				xg_err("detach: --hook must be xdp or tc, not '%s'", optarg);
				return 2;
			}
			continue;
		}
		if (c == 'D') {
			if (xg_parse_tc_dirs(optarg, &dirs))
				return 2;
			continue;
		}
		if (c == 'h') {
			usage(stdout);
			return 0;
		}
		xg_bad_option("detach", argv);
		usage(stderr);
		return 2;
	}
	if (dirs && hooks != XG_DETACH_TC) {
		xg_err("detach: --direction is for the TC hook: add --hook tc");
		return 2;
	}
	if (dirs)
		hooks = ((dirs & XG_TC_DIR_INGRESS) ? 1U << XG_HOOK_TC_INGRESS : 0) |
			((dirs & XG_TC_DIR_EGRESS) ? 1U << XG_HOOK_TC_EGRESS : 0);
	if (orphans && hooks != XG_DETACH_ALL) {
		xg_err("detach: --orphans removes every orphan of the interfaces "
		       "named, of any hook: no --hook or --direction with it");
		return 2;
	}
	if (!orphans && optind != argc - 1) {
		xg_err(optind >= argc ? "detach: no interface given" :
		       "detach: exactly one interface expected");
		usage(stderr);
		return 2;
	}
	for (int i = optind; i < argc; i++)
		if (xg_ifname_check("detach", argv[i]))
			return 2;
	if (orphans)
		snprintf(what, sizeof(what), "detach --orphans");
	else
		snprintf(what, sizeof(what), "interface %s: detach", argv[optind]);
	if (xg_require_caps(what, XG_NEED_SYS_ADMIN | XG_NEED_NET_ADMIN))
		return 1;
	lock = xg_lock("detach");
	if (lock < 0)
		return 1;
	if (xg_bpffs_ready(what, XG_BPFFS_WRITE))
		ret = 1;
	else if (orphans)
		ret = detach_orphans(optind < argc ? argv + optind : NULL, argc - optind);
	else
		ret = detach_locked(argv[optind], hooks);
	xg_unlock(lock);
	return ret;
}
