/* SPDX-License-Identifier: GPL-2.0 */
/* Where an interface's rules are pinned: XG_PIN_ROOT/ns<netns>/if<ifindex>/
 * policy/, shared by the interface's hooks (XDP now, TC later). The one
 * place that spells the path, so the pin/owner library of the pinned-state
 * work can take it over.
 */
#ifndef XG_POLICY_DIR_H
#define XG_POLICY_DIR_H

#include <stddef.h>
#include <linux/types.h>

/* The network namespace's cookie (SO_NETNS_COOKIE), or the inode of
 * /proc/self/ns/net where the kernel has no cookie; 0 when neither is
 * readable.
 */
__u64 xg_netns_id(void);

/* XG_PIN_ROOT/ns<netns>/if<ifindex>/policy into buf. */
int xg_policy_dir(int ifindex, char *buf, size_t len);

/* The same, created (with its parents, mode 0700) when missing. */
int xg_make_policy_dir(int ifindex, char *buf, size_t len);

/* Remove the directory's pins and the directory, then its parents when
 * they are left empty. 0 when it did not exist.
 */
int xg_remove_policy_dir(int ifindex);

#endif
