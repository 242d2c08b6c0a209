/* SPDX-License-Identifier: GPL-2.0 */
/* A small rtnetlink client: one request and its (multi-part) answer, and
 * the attributes of a message. libbpf keeps its netlink code private, and
 * the TC layer needs three things it does not offer: listing the cls_bpf
 * filters of a clsact hook (to find xdpgate however it was attached),
 * listing links with their veth peer's namespace (container mode), and a
 * subscription to link changes (watch).
 */
#ifndef XG_RTNL_H
#define XG_RTNL_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

/* A NETLINK_ROUTE socket bound to the multicast groups in groups (a mask
 * of 1 << (RTNLGRP_x - 1), 0 for none). fd or negative errno.
 */
int xg_rtnl_open(unsigned int groups);

/* Called for each answer message; a nonzero return stops the walk and is
 * returned by xg_rtnl_talk.
 */
typedef int (*xg_rtnl_cb)(struct nlmsghdr *nh, void *ctx);

/* Send req (nlmsg_len set; seq and pid are filled in) and read answers to
 * the end of a dump or the ack. 0, the callback's nonzero return, or the
 * kernel's negative errno.
 */
int xg_rtnl_talk(int fd, struct nlmsghdr *req, xg_rtnl_cb cb, void *ctx);

/* The attributes following a family header of hdr_len bytes, indexed by
 * type (up to max; others are skipped); tb has max + 1 slots.
 */
void xg_rta_parse(struct rtattr **tb, int max, struct rtattr *rta, int len);
void xg_rta_parse_msg(struct rtattr **tb, int max, struct nlmsghdr *nh,
		      size_t hdr_len);
static inline void xg_rta_parse_nested(struct rtattr **tb, int max,
				       struct rtattr *nest)
{
	xg_rta_parse(tb, max, (struct rtattr *)RTA_DATA(nest),
		     (int)RTA_PAYLOAD(nest));
}

/* Append an attribute to a request buffer of cap bytes. 0 or -ENOSPC. */
int xg_rta_add(struct nlmsghdr *nh, size_t cap, int type, const void *data,
	       size_t len);

#endif
