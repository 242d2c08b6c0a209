/* SPDX-License-Identifier: GPL-2.0 */
/* What the socket-layer tests need around them: their own cgroups (under a
 * test-owned parent in the v2 hierarchy, named xge<pid36><role><n>), two
 * network namespaces joined by a veth pair, and traffic flows between a
 * process in one cgroup and a process in another, each process counting
 * what its own send and receive calls returned.
 */
#ifndef XG_CGROUP_ENV_H
#define XG_CGROUP_ENV_H

#include <stdbool.h>
#include <linux/types.h>

#include "xdpgate_cgroup.h"

struct cg_dir {
	char path[512];
	__u64 id;
};

/* The parent <v2 root>/xge<pid36>c00 and children made in it on demand. */
int cg_env_parent(struct cg_dir *parent);
int cg_env_child(const struct cg_dir *parent, char role, int n, struct cg_dir *out);
/* rmdir (after moving nothing: flows' processes have exited). */
int cg_env_remove(const struct cg_dir *d);

/* Namespaces xge<pid36>n01/n02 with veth xge<pid36>v01/v02 between them,
 * 192.0.2.1/24 + 2001:db8:cafe::1/64 on n01, .2 and ::2 on n02. Returns
 * 0, or -ENOENT when `ip` is missing (the caller skips).
 */
int cg_env_veth_up(void);
void cg_env_veth_down(void);

/* What one side of a flow did, counted by the process itself. */
struct cg_side {
	__u64 tx_calls, tx_bytes, rx_calls, rx_bytes;
	__u64 tx_datagrams_wire; /* UDP: sum of (payload + UDP + IP header) */
	__u64 rx_datagrams_wire;
};

struct cg_flow {
	int proto;   /* XG_CG_TCP / XG_CG_UDP */
	int family;  /* XG_CG_IPV4 / XG_CG_IPV6 */
	bool veth;   /* across the veth pair (else loopback, root netns) */
	/* A sends a_bytes (UDP: a_count datagrams of a_size) to B, then B
	 * sends b_bytes (b_count of b_size) back to A.
	 */
	__u32 a_count, a_size, b_count, b_size;
};

/* Run one flow: the client in cgroup a, the server in cgroup b. Fills
 * what each side counted. Returns 0, or -1 with why filled.
 */
int cg_env_run_flow(const struct cg_flow *f, const struct cg_dir *a,
		    const struct cg_dir *b, struct cg_side *sa,
		    struct cg_side *sb, char *why, size_t len);

#endif
