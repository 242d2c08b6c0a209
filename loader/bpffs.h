/* SPDX-License-Identifier: GPL-2.0 */
/* Is XG_BPFFS the bpffs every later command will see? Pins only outlive
 * the loader when they land on the bpffs of the root mount namespace:
 * `ip netns exec` runs in a private mount namespace with a fresh /sys, and
 * a bpffs mounted there (with every pin and pinned bpf_link in it) dies
 * with the command, taking a link-attached program off its interface.
 */
#ifndef XG_BPFFS_H
#define XG_BPFFS_H

#include <stdbool.h>

enum xg_bpffs_use {
	XG_BPFFS_READ,   /* status, stats: warn, go on */
	XG_BPFFS_WRITE,  /* detach: refuse unless shared */
	XG_BPFFS_MOUNT,  /* attach: refuse unless shared; mount if the root
			  * mount namespace (ours) has none, as on a fresh boot */
};

/* 0 to go on. Otherwise the reason and the nsenter advice are printed and
 * -EXDEV returned (or the mount error).
 */
int xg_bpffs_ready(const char *what, enum xg_bpffs_use use);

#endif
