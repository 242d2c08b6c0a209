// SPDX-License-Identifier: GPL-2.0
/* The policy pin directory of an interface (see policy_dir.h), spelled by
 * the pin library (pins.h) so it shares the ns/if layout of the hooks.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "log.h"
#include "pins.h"
#include "policy_dir.h"
#include "xdpgate_limits.h"

__u64 xg_netns_id(void)
{
	struct xg_netns ns;

	if (xg_netns_self(&ns))
		return 0;
	return ns.cookie ? ns.cookie : ns.ino;
}

int xg_policy_dir(int ifindex, char *buf, size_t len)
{
	struct xg_netns ns;
	int err = xg_netns_self(&ns);

	return err ? err : xg_if_path(&ns, (__u32)ifindex, "policy", buf, len);
}

int xg_make_policy_dir(int ifindex, char *buf, size_t len)
{
	int err = xg_policy_dir(ifindex, buf, len);

	if (err) {
		xg_err("ifindex %d: cannot name its policy pin directory: %s",
		       ifindex, strerror(-err));
		return err;
	}
	return xg_pins_mkdir(buf);
}

int xg_remove_policy_dir(int ifindex)
{
	char dir[XG_PATH_MAX];
	struct stat st;

	if (xg_policy_dir(ifindex, dir, sizeof(dir)))
		return -ENAMETOOLONG;
	if (stat(dir, &st))
		return 0;
	/* Parents go only when empty: other hooks' directories stay. */
	return xg_pins_remove(dir);
}
