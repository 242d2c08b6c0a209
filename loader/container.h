/* SPDX-License-Identifier: GPL-2.0 */
/* Container mode: a container is a network namespace joined to the host
 * by a veth pair, one end inside, the other (the "host side") here. The
 * TC programs on the host side see all of the container's traffic: what
 * it sends arrives at the host side's ingress (counted by source: the
 * container's addresses), what it receives leaves through the host
 * side's egress (counted by destination: the same addresses).
 *
 * Namespaces are named as `ip netns` names them (/run/netns/NAME) or by
 * the PID of a process inside (/proc/PID/ns/net), which is how container
 * runtimes' namespaces are reached.
 */
#ifndef XG_CONTAINER_H
#define XG_CONTAINER_H

#include <net/if.h>
#include <stdbool.h>

#include "xdp_attach.h"

/* A veth of this namespace whose peer lives in another one. */
struct xg_veth {
	int ifindex;
	char ifname[IF_NAMESIZE];
	int peer_nsid; /* the peer's namespace, as this namespace numbers it */
};

/* Open NAME (/run/netns/NAME) or PID (/proc/PID/ns/net). fd, or a
 * negative errno (-ENOENT: no such namespace yet).
 */
int xg_netns_open(const char *spec);

/* The id this network namespace gives the one behind nsfd (assigning one
 * if it has none). 0 and *nsid, or a negative errno.
 */
int xg_netns_nsid(int nsfd, int *nsid);

/* Every veth of this namespace with its peer in another one. *out
 * malloc'd; returns the count or a negative errno.
 */
int xg_host_veths(struct xg_veth **out);

/* attach --netns: the TC programs on the host side of every veth whose
 * peer lives in req->netns (directions already attached are left as
 * they are unless replace). Caller holds the lock. Exit status.
 */
int xg_container_attach(struct xg_attach_req *req, bool replace);

/* Attach the wanted directions of req (ifname and ifindex filled in for
 * v) that do not run xdpgate yet; prints what it did. Exit status.
 */
int xg_container_attach_veth(struct xg_attach_req *req, const struct xg_veth *v,
			     bool replace);

#endif
