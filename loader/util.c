// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <getopt.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>
#include <linux/magic.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "log.h"
#include "util.h"
#include "xdpgate_limits.h"

int xg_require_root(const char *cmd)
{
	if (geteuid() == 0)
		return 0;
	xg_err("%s: must run as root (needs CAP_BPF, CAP_NET_ADMIN and bpffs)",
	       cmd);
	return -EPERM;
}

int xg_ensure_bpffs(void)
{
	struct statfs st;
	int err;

	if (statfs(XG_BPFFS, &st) == 0 && st.f_type == BPF_FS_MAGIC)
		return 0;
	if (mkdir(XG_BPFFS, 0700) && errno != EEXIST) {
		err = -errno;
		xg_err("bpffs: cannot create %s: %s", XG_BPFFS, strerror(-err));
		return err;
	}
	if (mount("bpf", XG_BPFFS, "bpf", 0, "mode=0700")) {
		err = -errno;
		xg_err("bpffs: cannot mount on %s: %s", XG_BPFFS, strerror(-err));
		return err;
	}
	xg_debug("mounted bpffs on %s", XG_BPFFS);
	return 0;
}

static sigset_t xg_term_signals;

int xg_lock(const char *cmd)
{
	int fd = open(XG_LOCK_FILE, O_RDWR | O_CREAT | O_CLOEXEC, 0600), err;

	if (fd < 0) {
		err = -errno;
		xg_err("%s: cannot open lock file %s: %s", cmd, XG_LOCK_FILE,
		       strerror(errno));
		return err;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) == 0)
		goto locked;
	if (errno == EWOULDBLOCK) {
		xg_info("%s: waiting for another xdpgate loader to finish", cmd);
		if (flock(fd, LOCK_EX) == 0)
			goto locked;
	}
	err = -errno;
	xg_err("%s: cannot lock %s: %s", cmd, XG_LOCK_FILE, strerror(errno));
	close(fd);
	return err;
locked:
	/* Ctrl-C between load and attach would leave new pins behind: defer
	 * termination signals while the lock is held, so a command either
	 * completes or rolls back, then dies on unlock if one arrived.
	 */
	sigemptyset(&xg_term_signals);
	sigaddset(&xg_term_signals, SIGINT);
	sigaddset(&xg_term_signals, SIGTERM);
	sigaddset(&xg_term_signals, SIGHUP);
	sigaddset(&xg_term_signals, SIGQUIT);
	sigprocmask(SIG_BLOCK, &xg_term_signals, NULL);
	return fd;
}

void xg_unlock(int fd)
{
	if (fd < 0)
		return;
	close(fd); /* closing the last fd drops the flock */
	sigprocmask(SIG_UNBLOCK, &xg_term_signals, NULL);
}

int xg_ifindex(const char *ifname)
{
	unsigned int idx;

	if (!ifname || !*ifname) {
		xg_err("no interface given");
		return -EINVAL;
	}
	if (strlen(ifname) >= IF_NAMESIZE) {
		xg_err("interface %s: name longer than %d characters", ifname,
		       IF_NAMESIZE - 1);
		return -EINVAL;
	}
	idx = if_nametoindex(ifname);
	if (!idx) {
		xg_err("interface %s: no such interface", ifname);
		return -ENODEV;
	}
	return (int)idx;
}

int xg_pin_dir(const char *ifname, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%s/%s", XG_PIN_ROOT, ifname);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

int xg_make_pin_dir(const char *ifname, char *buf, size_t len)
{
	int err = xg_pin_dir(ifname, buf, len);

	if (err)
		return err;
	if (mkdir(XG_PIN_ROOT, 0700) && errno != EEXIST)
		goto fail;
	if (mkdir(buf, 0700) && errno != EEXIST)
		goto fail;
	return 0;
fail:
	err = -errno;
	xg_err("interface %s: cannot create pin directory %s: %s", ifname, buf,
	       strerror(errno));
	return err;
}

int xg_remove_pin_dir(const char *dir)
{
	char path[XG_PATH_MAX * 2];
	struct dirent *de;
	DIR *d = opendir(dir);
	int err = 0;

	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (unlink(path) && errno != ENOENT) {
			err = -errno;
			xg_err("cannot remove pin %s: %s", path, strerror(-err));
		}
	}
	closedir(d);
	if (!err && rmdir(dir) && errno != ENOENT) {
		err = -errno;
		xg_err("cannot remove pin directory %s: %s", dir, strerror(-err));
	}
	/* Leave XG_PIN_ROOT when it is the last one out. */
	if (!err)
		rmdir(XG_PIN_ROOT);
	return err;
}

int xg_nr_cpus(void)
{
	static int n;

	if (!n)
		n = libbpf_num_possible_cpus();
	return n;
}

const char *xg_addr_str(int family, const void *addr, char *buf, size_t len)
{
	if (!inet_ntop(family, addr, buf, len))
		snprintf(buf, len, "?");
	return buf;
}

void xg_bad_option(const char *cmd, char **argv)
{
	xg_err("%s: unknown option or missing value: '%s'", cmd, argv[optind - 1]);
}

int xg_parse_u64(const char *s, unsigned long long max, unsigned long long *out)
{
	unsigned long long v;
	char *end;

	if (!s || !*s || *s == '-')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}
