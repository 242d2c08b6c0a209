// SPDX-License-Identifier: GPL-2.0
/* Finding containers' veths and attaching to their host sides (see
 * container.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/if_link.h>
#include <linux/net_namespace.h>

#include "container.h"
#include "log.h"
#include "rtnl.h"
#include "tc_attach.h"
#include "util.h"

int xg_netns_open(const char *spec)
{
	char path[XG_PATH_MAX];
	unsigned long long pid;
	int fd;

	if (!xg_parse_decimal(spec, 1U << 30, &pid))
		snprintf(path, sizeof(path), "/proc/%llu/ns/net", pid);
	else if (!*spec || strchr(spec, '/') || !strcmp(spec, ".") || !strcmp(spec, ".."))
		return -EINVAL;
	else
		snprintf(path, sizeof(path), "/run/netns/%s", spec);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

static int on_nsid(struct nlmsghdr *nh, void *ctx)
{
	struct rtattr *tb[NETNSA_MAX + 1];

	if (nh->nlmsg_type != RTM_NEWNSID)
		return 0;
	xg_rta_parse_msg(tb, NETNSA_MAX, nh, sizeof(struct rtgenmsg));
	if (tb[NETNSA_NSID])
		*(int *)ctx = *(int *)RTA_DATA(tb[NETNSA_NSID]);
	return 0;
}

static int nsid_msg(int rtnl, int type, int nsfd, int *nsid)
{
	struct {
		struct nlmsghdr nh;
		struct rtgenmsg g;
		char attrs[64];
	} req = {
		.nh = { .nlmsg_len = NLMSG_LENGTH(sizeof(struct rtgenmsg)),
			.nlmsg_type = (__u16)type,
			.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK },
		.g = { .rtgen_family = AF_UNSPEC },
	};
	__u32 fd32 = (__u32)nsfd;
	int minus1 = NETNSA_NSID_NOT_ASSIGNED;

	xg_rta_add(&req.nh, sizeof(req), NETNSA_FD, &fd32, sizeof(fd32));
	if (type == RTM_NEWNSID) /* -1: the kernel picks the id */
		xg_rta_add(&req.nh, sizeof(req), NETNSA_NSID, &minus1, sizeof(minus1));
	return xg_rtnl_talk(rtnl, &req.nh, on_nsid, nsid);
}

int xg_netns_nsid(int nsfd, int *nsid)
{
	int rtnl = xg_rtnl_open(0), err;

	if (rtnl < 0)
		return rtnl;
	*nsid = NETNSA_NSID_NOT_ASSIGNED;
	err = nsid_msg(rtnl, RTM_GETNSID, nsfd, nsid);
	if (!err && *nsid < 0) {
		err = nsid_msg(rtnl, RTM_NEWNSID, nsfd, nsid);
		if (!err || err == -EEXIST)
			err = nsid_msg(rtnl, RTM_GETNSID, nsfd, nsid);
	}
	close(rtnl);
	if (!err && *nsid < 0)
		err = -ENOENT;
	return err;
}

struct veths {
	struct xg_veth *v;
	int n, cap;
	int err;
};

static int on_link(struct nlmsghdr *nh, void *ctx)
{
	struct veths *l = ctx;
	struct ifinfomsg *ifi = NLMSG_DATA(nh);
	struct rtattr *tb[IFLA_MAX + 1], *info[IFLA_INFO_MAX + 1];
	struct xg_veth *v;

	if (nh->nlmsg_type != RTM_NEWLINK)
		return 0;
	xg_rta_parse_msg(tb, IFLA_MAX, nh, sizeof(*ifi));
	if (!tb[IFLA_LINKINFO] || !tb[IFLA_LINK_NETNSID] || !tb[IFLA_IFNAME])
		return 0;
	xg_rta_parse_nested(info, IFLA_INFO_MAX, tb[IFLA_LINKINFO]);
	if (!info[IFLA_INFO_KIND] || strcmp(RTA_DATA(info[IFLA_INFO_KIND]), "veth"))
		return 0;
	if (l->n == l->cap) {
		int cap = l->cap ? l->cap * 2 : 16;
		struct xg_veth *nv = realloc(l->v, cap * sizeof(*nv));

		if (!nv)
			return l->err = -ENOMEM;
		l->v = nv;
		l->cap = cap;
	}
	v = &l->v[l->n++];
	v->ifindex = ifi->ifi_index;
	snprintf(v->ifname, sizeof(v->ifname), "%s", (char *)RTA_DATA(tb[IFLA_IFNAME]));
	v->peer_nsid = *(int *)RTA_DATA(tb[IFLA_LINK_NETNSID]);
	return 0;
}

int xg_host_veths(struct xg_veth **out)
{
	struct {
		struct nlmsghdr nh;
		struct ifinfomsg ifi;
	} req = {
		.nh = { .nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg)),
			.nlmsg_type = RTM_GETLINK,
			.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP },
		.ifi = { .ifi_family = AF_UNSPEC },
	};
	struct veths l = {};
	int rtnl = xg_rtnl_open(0), err;

	*out = NULL;
	if (rtnl < 0)
		return rtnl;
	err = xg_rtnl_talk(rtnl, &req.nh, on_link, &l);
	close(rtnl);
	if (err) {
		free(l.v);
		return err;
	}
	*out = l.v;
	return l.n;
}

int xg_container_attach_veth(struct xg_attach_req *req, const struct xg_veth *v,
			     bool replace)
{
	static const unsigned int bits[] = { XG_TC_DIR_INGRESS, XG_TC_DIR_EGRESS };
	unsigned int want = req->tc_dirs, todo = 0;
	struct xg_instance in;
	int ret;

	req->ifname = v->ifname;
	req->ifindex = v->ifindex;
	for (int i = 0; i < 2; i++) {
		enum xg_hook hook = i ? XG_HOOK_TC_EGRESS : XG_HOOK_TC_INGRESS;

		if (!(want & bits[i]))
			continue;
		if (!replace && xg_probe_hook(v->ifindex, hook, &in, NULL) == 1)
			continue; /* running already: leave it */
		todo |= bits[i];
	}
	if (!todo)
		return 0;
	req->tc_dirs = todo;
	ret = xg_tc_attach_iface(req, replace);
	req->tc_dirs = want;
	return ret;
}

int xg_container_attach(struct xg_attach_req *req, bool replace)
{
	struct xg_veth *v = NULL;
	int nsfd, nsid, n, err, found = 0, ret = 0;

	nsfd = xg_netns_open(req->netns);
	if (nsfd < 0) {
		xg_err("network namespace %s: attach: %s", req->netns,
		       nsfd == -EINVAL ? "not a namespace name or PID" : strerror(-nsfd));
		return 1;
	}
	/* The dump first: listing a veth whose peer is in a namespace with no
	 * id yet gives it one, which the nsid query then finds.
	 */
	n = xg_host_veths(&v);
	err = n < 0 ? n : xg_netns_nsid(nsfd, &nsid);
	close(nsfd);
	if (err) {
		xg_err("network namespace %s: attach: cannot list its veths: %s",
		       req->netns, xg_strerror(err));
		free(v);
		return 1;
	}
	for (int i = 0; i < n; i++) {
		if (v[i].peer_nsid != nsid)
			continue;
		found++;
		ret |= xg_container_attach_veth(req, &v[i], replace);
	}
	free(v);
	if (!found) {
		xg_err("network namespace %s: attach: no veth of this network "
		       "namespace has its peer there", req->netns);
		return 1;
	}
	return ret;
}
