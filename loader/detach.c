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
#include "xdp_attach.h"
#include "xdpgate_limits.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: xdpgate detach IFACE\n"
		"       xdpgate detach --orphans [IFACE...]\n"
		"\n"
		"Remove xdpgate from IFACE and delete its pins (its directory under\n"
		"%s, or its xg_* maps in %s when iproute2\n"
		"attached it and no loaded program uses them any more). Other XDP\n"
		"programs are left alone.\n"
		"\n"
		"  --orphans   remove orphaned pin directories instead: those whose\n"
		"              maps no program uses any more (status lists them), all\n"
		"              of them or those recorded for the interfaces named\n",
		XG_PIN_ROOT, XG_IPROUTE2_PIN_DIR);
}

/* iproute2 pins every object's maps in one shared directory, whoever
 * loaded them and in whichever network namespace: remove xdpgate's only
 * when no loaded program uses any of them any more.
 */
static int remove_iproute2_pins(char *msg, size_t len)
{
	__u32 ids[XG_NR_MAPS] = {}, user = 0;
	char path[XG_PATH_MAX * 2];
	struct xg_usage u;
	int err = xg_usage_load(&u);

	if (err) {
		snprintf(msg, len, "kept its maps in %s: cannot tell whether "
			 "another program uses them (%s)", XG_IPROUTE2_PIN_DIR,
			 xg_strerror(err));
		return 1;
	}
	for (int i = 0; i < XG_NR_MAPS; i++) {
		int fd;

		snprintf(path, sizeof(path), "%s/%s", XG_IPROUTE2_PIN_DIR, xg_map_names[i]);
		fd = bpf_obj_get(path);
		if (fd < 0)
			continue;
		ids[i] = xg_fd_map_id(fd);
		close(fd);
		if (!user && ids[i])
			user = xg_usage_user(&u, ids[i], 0);
	}
	xg_usage_free(&u);
	if (user) {
		snprintf(msg, len, "kept its maps in %s: prog id %u still uses them",
			 XG_IPROUTE2_PIN_DIR, user);
		return 0;
	}
	for (int i = 0; i < XG_NR_MAPS; i++) {
		snprintf(path, sizeof(path), "%s/%s", XG_IPROUTE2_PIN_DIR, xg_map_names[i]);
		if (ids[i] && unlink(path) && errno != ENOENT) {
			xg_err("cannot remove pin %s: %s", path, strerror(errno));
			err = 1;
		}
	}
	snprintf(msg, len, "removed its xg_* pins in %s", XG_IPROUTE2_PIN_DIR);
	return err;
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
		err = remove_iproute2_pins(msg, sizeof(msg));
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
	/* The rules go with the last hook of the interface (only XDP yet). */
	err |= xg_remove_policy_dir(in->ifindex) ? 1 : 0;
	printf("xdpgate: %s: detached %s (prog id %u, %s mode, via %s); %s\n",
	       in->ifname, XG_PROG_NAME_XDP, in->prog_id, xg_mode_name(in->mode),
	       xg_via_name(in->via), msg);
	return err;
}

static int detach_locked(const char *ifname)
{
	int ifindex = (int)if_nametoindex(ifname), found, r;
	char own[XG_PATH_MAX], name[64];
	struct xg_netns self;
	struct xg_instance in;
	__u32 other = 0;

	if (!ifindex) {
		xg_err("interface %s: detach %s: no such interface (pins it left "
		       "behind, if any, are listed by 'xdpgate status %s' and removed "
		       "by 'xdpgate detach --orphans %s')", ifname, XG_PROG_NAME_XDP,
		       ifname, ifname);
		return 1;
	}
	if (xg_netns_self(&self) ||
	    xg_inst_path(&self, (__u32)ifindex, XG_HOOK_XDP, own, sizeof(own))) {
		xg_err("interface %s: detach: cannot name its pin directory", ifname);
		return 1;
	}
	found = xg_probe_interface(ifindex, &in, &other);
	if (found < 0) {
		xg_err("interface %s: detach %s: cannot query its XDP programs: %s",
		       ifname, XG_PROG_NAME_XDP, xg_strerror(found));
		return 1;
	}
	if (found)
		return detach_instance(&in, own);
	r = remove_own_orphan(ifname, own, false);
	if (r < 0)
		return 1;
	if (other)
		xg_prog_name_by_id(other, name, sizeof(name));
	if (r == 1) {
		if (xg_remove_policy_dir(ifindex))
			return 1;
		printf("xdpgate: %s: xdpgate was not attached; removed leftover pins in %s",
		       ifname, own);
		if (other)
			printf("; left XDP program %s (prog id %u) alone", name, other);
		printf("\n");
		return 0;
	}
	if (other)
		xg_err("interface %s: detach %s: the attached XDP program (prog id "
		       "%u, name %s) is not xdpgate (it does not use xdpgate's maps); "
		       "leaving it alone", ifname, XG_PROG_NAME_XDP, other, name);
	else
		xg_err("interface %s: detach %s: xdpgate is not attached", ifname,
		       XG_PROG_NAME_XDP);
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
		{ "help", no_argument, NULL, 'h' },
		{}
	};
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
		if (c == 'h') {
			usage(stdout);
			return 0;
		}
		xg_bad_option("detach", argv);
		usage(stderr);
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
		snprintf(what, sizeof(what), "interface %s: detach %s",
			 argv[optind], XG_PROG_NAME_XDP);
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
		ret = detach_locked(argv[optind]);
	xg_unlock(lock);
	return ret;
}
