/* SPDX-License-Identifier: GPL-2.0 */
/* xdpgate on the TC hooks of one interface: attach (each direction its
 * own instance directory, tc-ingress/ or tc-egress/, with its own maps
 * and owner record; the rules in policy/ shared with the interface's
 * other hooks), swap atomically (--replace), and take off again. Callers
 * hold the loader lock and have checked bpffs.
 */
#ifndef XG_TC_ATTACH_H
#define XG_TC_ATTACH_H

#include <stdbool.h>
#include <stddef.h>

#include "instance.h"
#include "xdp_attach.h"

/* Attach (or with replace, swap) on every direction of req->tc_dirs of
 * req->ifname (req->ifindex set). All or nothing: when one direction
 * fails, those attached by this call are taken off again. Returns the
 * exit status (0, or 1 after a message).
 */
int xg_tc_attach_iface(struct xg_attach_req *req, bool replace);

/* Take a TC instance off its hook, then remove its instance directory
 * (or iproute2's pins of it once nothing uses them). msg gets what
 * happened to the pins. 0, or 1 after a message.
 */
int xg_tc_detach_instance(const struct xg_instance *in, char *msg, size_t len);

/* iproute2 pins every object's maps in one shared directory (dir: ip's
 * or tc's), whoever loaded them and in whichever network namespace:
 * remove xdpgate's only when no loaded program uses any of them any more.
 * msg says which. 0, or 1 after a message.
 */
int xg_remove_iproute2_pins(const char *dir, char *msg, size_t len);

/* Does xdpgate still run on any hook of ifindex? 1, 0, negative errno. */
int xg_iface_runs_xdpgate(int ifindex);

#endif
