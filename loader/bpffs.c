// SPDX-License-Identifier: GPL-2.0
/* Checking, and on a fresh boot mounting, the bpffs the pins live on.
 *
 * "Shared" means: this process is in the mount namespace of pid 1, or the
 * bpffs on XG_BPFFS here is the same filesystem (same st_dev) as the one
 * pid 1 sees at /proc/1/root/XG_BPFFS (nsenter --net keeps the mount
 * namespace; a container may bind-mount the host's bpffs).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <linux/magic.h>

#include "bpffs.h"
#include "log.h"
#include "xdpgate_limits.h"

#define INIT_BPFFS "/proc/1/root" XG_BPFFS
#define ADVICE "run xdpgate in the root mount namespace: for an interface in " \
	       "a network namespace use 'nsenter --net=/run/netns/NAME xdpgate ...', " \
	       "not 'ip netns exec', whose private /sys loses every pin when it exits"

static bool is_bpffs(const char *path)
{
	struct statfs st;

	return statfs(path, &st) == 0 && st.f_type == BPF_FS_MAGIC;
}

/* 1 same mount namespace as pid 1, 0 another, -1 cannot tell. */
static int in_init_mntns(void)
{
	char self[64] = "", init[64] = "";

	if (readlink("/proc/self/ns/mnt", self, sizeof(self) - 1) <= 0 ||
	    readlink("/proc/1/ns/mnt", init, sizeof(init) - 1) <= 0)
		return -1;
	return !strcmp(self, init);
}

static bool same_fs_as_init(void)
{
	struct stat a, b;

	return is_bpffs(INIT_BPFFS) && stat(XG_BPFFS, &a) == 0 &&
	       stat(INIT_BPFFS, &b) == 0 && a.st_dev == b.st_dev;
}

static int mount_bpffs(const char *what)
{
	int err;

	if (mkdir(XG_BPFFS, 0700) && errno != EEXIST) {
		err = -errno;
		xg_err("%s: bpffs: cannot create %s: %s", what, XG_BPFFS,
		       strerror(-err));
		return err;
	}
	if (mount("bpf", XG_BPFFS, "bpf", 0, "mode=0700")) {
		err = -errno;
		xg_err("%s: bpffs: cannot mount on %s: %s", what, XG_BPFFS,
		       strerror(-err));
		return err;
	}
	xg_debug("mounted bpffs on %s", XG_BPFFS);
	return 0;
}

int xg_bpffs_ready(const char *what, enum xg_bpffs_use use)
{
	int init_ns = in_init_mntns();
	bool here = is_bpffs(XG_BPFFS);
	const char *why;

	if (init_ns == 1 || (here && same_fs_as_init()))
		return !here && use == XG_BPFFS_MOUNT ? mount_bpffs(what) : 0;
	if (init_ns < 0 && here)
		return 0; /* no /proc/1 to compare with: trust what is mounted */
	if (here)
		why = "the bpffs on " XG_BPFFS " is private to this mount namespace";
	else
		why = "no bpffs on " XG_BPFFS " in this private mount namespace";
	if (use == XG_BPFFS_READ) {
		xg_warn("%s: %s: pins of other commands are not visible here; %s",
			what, why, ADVICE);
		return 0;
	}
	xg_err("%s: %s, so pins made here would vanish when xdpgate exits; %s",
	       what, why, ADVICE);
	return -EXDEV;
}
