// SPDX-License-Identifier: GPL-2.0
/* Helpers the subcommands share: the loader lock, numbers, addresses. */
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

#include "bpffs.h"
#include "caps.h"
#include "log.h"
#include "util.h"
#include "xdpgate_limits.h"

int xg_require_root(const char *cmd)
{
	/* What every command needs (caps.h): programs and maps by id. */
	return xg_require_caps(cmd, XG_NEED_SYS_ADMIN);
}

static sigset_t xg_term_signals;

static int lock_file(const char *cmd, int how)
{
	int fd = open(XG_LOCK_FILE, O_RDWR | O_CREAT | O_CLOEXEC, 0600), err;

	if (fd < 0) {
		err = -errno;
		xg_err("%s: cannot open lock file %s: %s", cmd, XG_LOCK_FILE,
		       strerror(errno));
		return err;
	}
	if (flock(fd, how | LOCK_NB) == 0)
		goto locked;
	if (errno == EWOULDBLOCK) {
		xg_info("%s: waiting for another xdpgate loader to finish", cmd);
		if (flock(fd, how) == 0)
			goto locked;
	}
	err = -errno;
	xg_err("%s: cannot lock %s: %s", cmd, XG_LOCK_FILE, strerror(errno));
	close(fd);
	return err;
locked:
	if (how == LOCK_SH)
		return fd;
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

int xg_lock(const char *cmd)
{
	return lock_file(cmd, LOCK_EX);
}

int xg_lock_shared(const char *cmd)
{
	return lock_file(cmd, LOCK_SH);
}

void xg_unlock(int fd)
{
	if (fd < 0)
		return;
	close(fd); /* closing the last fd drops the flock */
	sigprocmask(SIG_UNBLOCK, &xg_term_signals, NULL);
}

void xg_qsort(void *base, size_t n, size_t size,
	      int (*cmp)(const void *, const void *))
{
	if (n > 1)
		qsort(base, n, size, cmp);
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

int xg_usage_error(const char *cmd, const char *usage, const char *fmt,
		   const char *arg)
{
	fprintf(stderr, "xdpgate: error: %s: ", cmd);
	fprintf(stderr, fmt, arg);
	fputs("\n", stderr);
	fwrite(usage, 1, strcspn(usage, "\n") + 1, stderr);
	return 2;
}

int xg_parse_seconds(const char *s, double min, double max, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	/* Also refuses nan and inf: neither compares within the range. */
	if (errno || end == s || *end || !(v >= min && v <= max))
		return -EINVAL;
	*out = v;
	return 0;
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

int xg_parse_decimal(const char *s, unsigned long long max, unsigned long long *out)
{
	if (!s || !*s || strspn(s, "0123456789") != strlen(s) ||
	    (s[0] == '0' && s[1]))
		return -EINVAL;
	return xg_parse_u64(s, max, out);
}

int xg_ensure_bpffs(void)
{
	return xg_bpffs_ready("bpffs", XG_BPFFS_MOUNT);
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
	if (!err)
		rmdir(XG_PIN_ROOT);
	return err;
}
