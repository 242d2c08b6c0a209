// SPDX-License-Identifier: GPL-2.0
/* Checking effective capabilities with capget(2) (no libcap dependency). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/capability.h>

#include "caps.h"
#include "log.h"


static int effective(__u64 *out)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3] = {};

	if (syscall(SYS_capget, &h, d))
		return -errno;
	*out = (__u64)d[0].effective | (__u64)d[1].effective << 32;
	return 0;
}

static const struct {
	int cap;
	unsigned int need;   /* 0: needed when not uid 0 */
	const char *name;
	const char *why;
} caps[] = {
	{ CAP_SYS_ADMIN, XG_NEED_SYS_ADMIN, "CAP_SYS_ADMIN",
	  "to find BPF programs and maps by id" },
	{ CAP_NET_ADMIN, XG_NEED_NET_ADMIN, "CAP_NET_ADMIN",
	  "to load and attach XDP programs" },
	{ CAP_DAC_OVERRIDE, 0, "CAP_DAC_OVERRIDE",
	  "the pins are root-only and this process is not uid 0" },
};

int xg_require_caps(const char *what, unsigned int need)
{
	char missing[512] = "";
	size_t used = 0;
	__u64 eff = 0;
	int err = effective(&eff);

	if (err) {
		xg_err("%s: cannot read this process's capabilities: %s", what,
		       strerror(-err));
		return err;
	}
	for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++) {
		bool wanted = caps[i].need ? (need & caps[i].need) : geteuid() != 0;

		if (!wanted || (eff & (1ULL << caps[i].cap)))
			continue;
		used += snprintf(missing + used, sizeof(missing) - used, "%s%s (%s)",
				 used ? ", " : "", caps[i].name, caps[i].why);
		if (used >= sizeof(missing))
			break;
	}
	if (!*missing)
		return 0;
	xg_err("%s: missing capability %s; run as root with full privileges",
	       what, missing);
	return -EPERM;
}
