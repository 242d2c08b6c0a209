// SPDX-License-Identifier: GPL-2.0
/* The rtnetlink client behind rtnl.h. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "rtnl.h"

int xg_rtnl_open(unsigned int groups)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = groups };
	int one = 1, fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);

	if (fd < 0)
		return -errno;
	/* Extended acks: the kernel says why, and xg_strerror shows it. */
	setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

/* One datagram's messages; 1 when the answer is complete. */
static int walk(char *buf, int len, __u32 seq, xg_rtnl_cb cb, void *ctx,
		int *ret)
{
	for (struct nlmsghdr *nh = (struct nlmsghdr *)buf; NLMSG_OK(nh, len);
	     nh = NLMSG_NEXT(nh, len)) {
		if (nh->nlmsg_seq != seq)
			continue; /* a multicast notification, or stale */
		if (nh->nlmsg_type == NLMSG_DONE)
			return 1;
		if (nh->nlmsg_type == NLMSG_ERROR) {
			struct nlmsgerr *e = NLMSG_DATA(nh);

			*ret = e->error; /* 0: the ack */
			return 1;
		}
		if (cb && !*ret)
			*ret = cb(nh, ctx);
		if (!(nh->nlmsg_flags & NLM_F_MULTI))
			return 1;
	}
	return 0;
}

int xg_rtnl_talk(int fd, struct nlmsghdr *req, xg_rtnl_cb cb, void *ctx)
{
	static __u32 seq_next = 1;
	struct sockaddr_nl to = { .nl_family = AF_NETLINK };
	char buf[32768];
	int ret = 0;

	req->nlmsg_seq = seq_next++;
	req->nlmsg_pid = 0;
	if (sendto(fd, req, req->nlmsg_len, 0, (struct sockaddr *)&to, sizeof(to)) < 0)
		return -errno;
	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (walk(buf, (int)n, req->nlmsg_seq, cb, ctx, &ret))
			return ret;
	}
}

void xg_rta_parse(struct rtattr **tb, int max, struct rtattr *rta, int len)
{
	memset(tb, 0, sizeof(*tb) * (max + 1));
	for (; RTA_OK(rta, len); rta = RTA_NEXT(rta, len)) {
		int type = rta->rta_type & ~NLA_F_NESTED;

		if (type <= max && !tb[type])
			tb[type] = rta;
	}
}

void xg_rta_parse_msg(struct rtattr **tb, int max, struct nlmsghdr *nh,
		      size_t hdr_len)
{
	xg_rta_parse(tb, max, (struct rtattr *)((char *)NLMSG_DATA(nh) + NLMSG_ALIGN(hdr_len)),
		     (int)nh->nlmsg_len - (int)NLMSG_LENGTH(NLMSG_ALIGN(hdr_len)));
}

int xg_rta_add(struct nlmsghdr *nh, size_t cap, int type, const void *data,
	       size_t len)
{
	struct rtattr *rta;

	if (NLMSG_ALIGN(nh->nlmsg_len) + RTA_SPACE(len) > cap)
		return -ENOSPC;
	rta = (struct rtattr *)((char *)nh + NLMSG_ALIGN(nh->nlmsg_len));
	rta->rta_type = (unsigned short)type;
	rta->rta_len = (unsigned short)RTA_LENGTH(len);
	if (len)
		memcpy(RTA_DATA(rta), data, len);
	nh->nlmsg_len = NLMSG_ALIGN(nh->nlmsg_len) + RTA_SPACE(len);
	return 0;
}
