// SPDX-License-Identifier: GPL-2.0
/* The policy pin directory of an interface (see policy_dir.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "policy_dir.h"
#include "util.h"
#include "xdpgate_limits.h"

#ifndef SO_NETNS_COOKIE
#define SO_NETNS_COOKIE 71
#endif

__u64 xg_netns_id(void)
{
	__u64 cookie = 0;
	socklen_t len = sizeof(cookie);
	struct stat st;
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd >= 0) {
		int err = getsockopt(fd, SOL_SOCKET, SO_NETNS_COOKIE, &cookie, &len);

		close(fd);
		if (!err && cookie)
			return cookie;
	}
	return stat("/proc/self/ns/net", &st) ? 0 : (__u64)st.st_ino;
}

static int ns_dir(char *buf, size_t len)
{
	int n = snprintf(buf, len, "%s/ns%llu", XG_PIN_ROOT,
			 (unsigned long long)xg_netns_id());

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

static int if_dir(int ifindex, char *buf, size_t len)
{
	char ns[XG_PATH_MAX];
	int n, err = ns_dir(ns, sizeof(ns));

	if (err)
		return err;
	n = snprintf(buf, len, "%s/if%d", ns, ifindex);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

int xg_policy_dir(int ifindex, char *buf, size_t len)
{
	char dir[XG_PATH_MAX];
	int n, err = if_dir(ifindex, dir, sizeof(dir));

	if (err)
		return err;
	n = snprintf(buf, len, "%s/policy", dir);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

int xg_make_policy_dir(int ifindex, char *buf, size_t len)
{
	char ns[XG_PATH_MAX], ifd[XG_PATH_MAX];
	const char *dirs[4] = { XG_PIN_ROOT, ns, ifd, buf };
	int err = ns_dir(ns, sizeof(ns));

	if (!err)
		err = if_dir(ifindex, ifd, sizeof(ifd));
	if (!err)
		err = xg_policy_dir(ifindex, buf, len);
	if (err)
		return err;
	for (int i = 0; i < 4; i++) {
		if (mkdir(dirs[i], 0700) && errno != EEXIST) {
			err = -errno;
			xg_err("ifindex %d: cannot create policy pin directory %s: %s",
			       ifindex, dirs[i], strerror(errno));
			return err;
		}
	}
	return 0;
}

int xg_remove_policy_dir(int ifindex)
{
	char ns[XG_PATH_MAX], ifd[XG_PATH_MAX], dir[XG_PATH_MAX];
	struct stat st;
	int err;

	if (ns_dir(ns, sizeof(ns)) || if_dir(ifindex, ifd, sizeof(ifd)) ||
	    xg_policy_dir(ifindex, dir, sizeof(dir)))
		return -ENAMETOOLONG;
	if (stat(dir, &st))
		return 0;
	err = xg_remove_pin_dir(dir);
	/* Parents only when empty: other hooks' directories stay. */
	if (!err) {
		rmdir(ifd);
		rmdir(ns);
		rmdir(XG_PIN_ROOT);
	}
	return err;
}
