// SPDX-License-Identifier: GPL-2.0
/* xdpgate detach IFACE: take xdpgate off one interface, however it was
 * attached (this loader, libxdp, iproute2), then remove its pins. Other
 * programs, and pins other interfaces still use, are left alone.
 */
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "commands.h"
#include "instance.h"
#include "log.h"
#include "policy_dir.h"
#include "util.h"
#include "xdp_attach.h"
#include "xdpgate_limits.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: xdpgate detach IFACE\n"
		"\n"
		"Remove xdpgate from IFACE and delete its pins (%s/IFACE, or its\n"
		"xg_* maps in %s when iproute2 attached it). Other XDP programs\n"
		"are left alone. Stale pins of an interface where xdpgate no longer\n"
		"runs are removed too.\n", XG_PIN_ROOT, XG_IPROUTE2_PIN_DIR);
}

static bool dir_exists(const char *dir)
{
	struct stat st;

	return stat(dir, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The name becomes a path under bpffs even when no such interface exists
 * (stale pins), so refuse what the kernel would never name a device.
 */
static bool valid_ifname(const char *s)
{
	if (!*s || strlen(s) >= IF_NAMESIZE || !strcmp(s, ".") || !strcmp(s, ".."))
		return false;
	for (; *s; s++)
		if (*s == '/' || *s == ':' || *s <= ' ')
			return false;
	return true;
}

/* iproute2 pins every object's maps in one shared directory: remove only
 * xdpgate's, and keep them while xdpgate on another interface uses them.
 */
static int remove_iproute2_pins(char *msg, size_t len)
{
	struct xg_instance *all;
	char path[XG_PATH_MAX * 2];
	int n = xg_find_instances(NULL, &all), err = 0;

	if (n < 0) {
		/* Unknown who else uses them: keeping beats breaking another. */
		snprintf(msg, len, "kept its maps in %s: cannot tell whether "
			 "xdpgate elsewhere uses them (%s)", XG_IPROUTE2_PIN_DIR,
			 xg_strerror(n));
		return 0;
	}
	for (int i = 0; i < n; i++) {
		if (!strcmp(all[i].pin_dir, XG_IPROUTE2_PIN_DIR)) {
			snprintf(msg, len, "kept its maps in %s: xdpgate on %s uses them",
				 XG_IPROUTE2_PIN_DIR, all[i].ifname);
			free(all);
			return 0;
		}
	}
	free(all);
	for (int i = 0; i < XG_NR_MAPS; i++) {
		snprintf(path, sizeof(path), "%s/%s", XG_IPROUTE2_PIN_DIR, xg_map_names[i]);
		if (unlink(path) && errno != ENOENT) {
			xg_err("cannot remove pin %s: %s", path, strerror(errno));
			err = -1;
		}
	}
	snprintf(msg, len, "removed its xg_* pins in %s", XG_IPROUTE2_PIN_DIR);
	return err;
}

/* Is dir the pin directory of xdpgate on another (renamed) interface? */
static bool pins_of_other(const char *ifname, int ifindex, const char *dir,
			  bool fatal)
{
	char name[IF_NAMESIZE + 16];
	int owner = xg_pin_dir_owner(dir, ifindex);

	if (!owner)
		return false;
	if (!if_indextoname(owner, name))
		snprintf(name, sizeof(name), "ifindex %d", owner);
	(fatal ? xg_err : xg_warn)("interface %s: %s holds the pins of xdpgate "
				   "running on %s (renamed?); left alone",
				   ifname, dir, name);
	return true;
}

static int detach_instance(const struct xg_instance *in, const char *dir)
{
	char msg[XG_PATH_MAX + 96] = "no pins to remove";
	int err = 0;

	if (xg_xdp_detach(in))
		return 1;
	if (!strcmp(in->pin_dir, XG_IPROUTE2_PIN_DIR))
		err = remove_iproute2_pins(msg, sizeof(msg));
	/* Ours, or stale ones left next to an iproute2 or unpinned instance. */
	if (dir_exists(dir) && !pins_of_other(in->ifname, in->ifindex, dir, false)) {
		err |= xg_remove_pin_dir(dir);
		if (!strcmp(in->pin_dir, XG_IPROUTE2_PIN_DIR))
			snprintf(msg + strlen(msg), sizeof(msg) - strlen(msg),
				 " and stale pins in %s", dir);
		else
			snprintf(msg, sizeof(msg), "removed pins in %s", dir);
	}
	/* The rules go with the last hook of the interface (only XDP yet). */
	err |= xg_remove_policy_dir(in->ifindex);
	printf("xdpgate: %s: detached %s (prog id %u, %s mode, via %s); %s\n",
	       in->ifname, XG_PROG_NAME_XDP, in->prog_id, xg_mode_name(in->mode),
	       xg_via_name(in->via), msg);
	return err ? 1 : 0;
}

static int detach_locked(const char *ifname)
{
	char dir[XG_PATH_MAX], name[64];
	int ifindex = (int)if_nametoindex(ifname), found = 0;
	struct xg_instance in;
	__u32 other = 0;

	xg_pin_dir(ifname, dir, sizeof(dir));
	if (ifindex) {
		found = xg_probe_interface(ifindex, &in, &other);
		if (found < 0) {
			xg_err("interface %s: detach %s: cannot query its XDP programs: %s",
			       ifname, XG_PROG_NAME_XDP, xg_strerror(found));
			return 1;
		}
	}
	if (found)
		return detach_instance(&in, dir);
	if (other)
		xg_prog_name_by_id(other, name, sizeof(name));
	if (dir_exists(dir)) {
		if (pins_of_other(ifname, ifindex, dir, true) || xg_remove_pin_dir(dir))
			return 1;
		if (ifindex && xg_remove_policy_dir(ifindex))
			return 1;
		printf("xdpgate: %s: xdpgate was not attached; removed stale pins in %s",
		       ifname, dir);
		if (other)
			printf("; left XDP program %s (prog id %u) alone", name, other);
		printf("\n");
		return 0;
	}
	if (!ifindex)
		xg_err("interface %s: detach %s: no such interface", ifname,
		       XG_PROG_NAME_XDP);
	else if (other)
		xg_err("interface %s: detach %s: the attached XDP program (prog id "
		       "%u, name %s) is not xdpgate; leaving it alone", ifname,
		       XG_PROG_NAME_XDP, other, name);
	else
		xg_err("interface %s: detach %s: xdpgate is not attached", ifname,
		       XG_PROG_NAME_XDP);
	return 1;
}

int cmd_detach(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	char what[64];
	int c, lock, ret;

	optind = 1;
	opterr = 0; /* our own message, with the xdpgate: prefix */
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'h') {
			usage(stdout);
			return 0;
		}
		xg_bad_option("detach", argv);
		usage(stderr);
		return 2;
	}
	if (optind != argc - 1) {
		xg_err(optind >= argc ? "detach: no interface given" :
		       "detach: exactly one interface expected");
		usage(stderr);
		return 2;
	}
	if (!valid_ifname(argv[optind])) {
		xg_err("interface %s: detach %s: not a valid interface name",
		       argv[optind], XG_PROG_NAME_XDP);
		return 1;
	}
	snprintf(what, sizeof(what), "interface %s: detach %s", argv[optind],
		 XG_PROG_NAME_XDP);
	if (xg_require_root(what))
		return 1;
	lock = xg_lock("detach");
	if (lock < 0)
		return 1;
	ret = detach_locked(argv[optind]);
	xg_unlock(lock);
	return ret;
}
