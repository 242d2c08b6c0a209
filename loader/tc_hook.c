// SPDX-License-Identifier: GPL-2.0
/* tcx and clsact: listing, attaching, replacing and detaching one
 * program on a TC hook (see tc_hook.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <linux/pkt_sched.h>
#include <arpa/inet.h>

#include "rtnl.h"
#include "tc_hook.h"
#include "tcx_compat.h"

#define XG_TCX_MAX_PROGS 64 /* the kernel's limit per chain (bpf_mprog) */

__u32 xg_tcx_attach_type(enum xg_hook hook)
{
	return hook == XG_HOOK_TC_EGRESS ? XG_BPF_TCX_EGRESS : XG_BPF_TCX_INGRESS;
}

static __u32 clsact_parent(enum xg_hook hook)
{
	return TC_H_MAKE(TC_H_CLSACT, hook == XG_HOOK_TC_EGRESS ? TC_H_MIN_EGRESS
							     : TC_H_MIN_INGRESS);
}

struct list {
	struct xg_tc_prog *v;
	int n, cap;
};

static int push(struct list *l, const struct xg_tc_prog *p)
{
	if (l->n == l->cap) {
		int cap = l->cap ? l->cap * 2 : 8;
		struct xg_tc_prog *v = realloc(l->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = *p;
	return 0;
}

/* The tcx chain, through BPF_PROG_QUERY with link ids (tcx_compat.h). */
static int list_tcx(int ifindex, enum xg_hook hook, struct list *l)
{
	__u32 progs[XG_TCX_MAX_PROGS], links[XG_TCX_MAX_PROGS];
	union xg_query_attr a;
	int err = 0;

	memset(&a, 0, sizeof(a));
	a.query.target_ifindex = (__u32)ifindex;
	a.query.attach_type = xg_tcx_attach_type(hook);
	a.query.prog_ids = (__u64)(unsigned long)progs;
	a.query.link_ids = (__u64)(unsigned long)links;
	a.query.count = XG_TCX_MAX_PROGS;
	if (syscall(__NR_bpf, BPF_PROG_QUERY, &a, sizeof(a)) < 0)
		/* EINVAL: a kernel without tcx (an unknown attach type). */
		return errno == EINVAL ? 0 : -errno;
	for (__u32 i = 0; !err && i < a.query.count && i < XG_TCX_MAX_PROGS; i++) {
		struct xg_tc_prog p = { .prog_id = progs[i], .via = XG_VIA_TCX,
					.link_id = links[i] };

		err = push(l, &p);
	}
	return err;
}

struct filter_ctx {
	struct list *l;
	bool all;  /* every filter (prog_id 0 for those not cls_bpf) */
	int err;
};

static int on_filter(struct nlmsghdr *nh, void *arg)
{
	struct filter_ctx *c = arg;
	struct tcmsg *t = NLMSG_DATA(nh);
	struct rtattr *tb[TCA_MAX + 1], *opt[TCA_BPF_MAX + 1];
	struct xg_tc_prog p = { .via = XG_VIA_CLSACT };

	if (nh->nlmsg_type != RTM_NEWTFILTER ||
	    nh->nlmsg_len < NLMSG_LENGTH(sizeof(*t)))
		return 0;
	xg_rta_parse_msg(tb, TCA_MAX, nh, sizeof(*t));
	p.prio = TC_H_MAJ(t->tcm_info) >> 16;
	if (!tb[TCA_KIND] || strcmp(RTA_DATA(tb[TCA_KIND]), "bpf") || !tb[TCA_OPTIONS])
		return c->all ? (c->err = push(c->l, &p)) : 0;
	xg_rta_parse_nested(opt, TCA_BPF_MAX, tb[TCA_OPTIONS]);
	if (!opt[TCA_BPF_ID])
		return 0; /* the head of a priority's chain, no filter */
	p.prog_id = *(__u32 *)RTA_DATA(opt[TCA_BPF_ID]);
	p.handle = t->tcm_handle;
	p.proto = ntohs((__u16)TC_H_MIN(t->tcm_info));
	c->err = push(c->l, &p);
	return c->err;
}

/* The cls_bpf filters under clsact, in the order the kernel runs them. */
static int list_clsact(int ifindex, enum xg_hook hook, struct list *l, bool all)
{
	struct {
		struct nlmsghdr nh;
		struct tcmsg t;
	} req = {
		.nh = { .nlmsg_len = NLMSG_LENGTH(sizeof(struct tcmsg)),
			.nlmsg_type = RTM_GETTFILTER,
			.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP },
		.t = { .tcm_family = AF_UNSPEC, .tcm_ifindex = ifindex,
		       .tcm_parent = clsact_parent(hook) },
	};
	struct filter_ctx c = { .l = l, .all = all };
	int fd = xg_rtnl_open(0), err;

	if (fd < 0)
		return fd;
	err = xg_rtnl_talk(fd, &req.nh, on_filter, &c);
	close(fd);
	if (err == -EINVAL || err == -ENOENT)
		return 0; /* no clsact qdisc */
	return err;
}

int xg_tc_list(int ifindex, enum xg_hook hook, struct xg_tc_prog **out)
{
	struct list l = {};
	int err = list_tcx(ifindex, hook, &l);

	if (!err)
		err = list_clsact(ifindex, hook, &l, false);
	if (err) {
		free(l.v);
		*out = NULL;
		return err;
	}
	*out = l.v;
	return l.n;
}

int xg_tc_runs(int ifindex, enum xg_hook hook, __u32 prog_id)
{
	struct xg_tc_prog *v;
	int n = xg_tc_list(ifindex, hook, &v), found = 0;

	if (n < 0)
		return n;
	for (int i = 0; i < n; i++)
		found |= v[i].prog_id == prog_id;
	free(v);
	return found;
}

int xg_tc_attach_tcx(int ifindex, enum xg_hook hook, int prog_fd,
		     __u32 *link_id)
{
	LIBBPF_OPTS(bpf_link_create_opts, opts, .flags = XG_BPF_F_BEFORE);
	struct bpf_link_info info = {};
	__u32 len = sizeof(info);
	int fd;

	/* libbpf 1.1 passes an attach type it does not know straight
	 * through, with the flags; the tcx fields stay zero (no relative
	 * program: BPF_F_BEFORE alone means first).
	 */
	fd = bpf_link_create(prog_fd, ifindex,
			     (enum bpf_attach_type)xg_tcx_attach_type(hook), &opts);
	if (fd < 0)
		return fd;
	*link_id = bpf_obj_get_info_by_fd(fd, &info, &len) ? 0 : info.id;
	return fd;
}

/* RTM_NEWTFILTER / RTM_DELTFILTER for a cls_bpf filter: add (prog_fd, in
 * front of the others unless prio is given), replace (handle and prio
 * given), delete (prog_fd < 0).
 */
static int filter_msg(int ifindex, enum xg_hook hook, int type, int flags,
		      struct xg_tc_prog *p, int prog_fd)
{
	struct {
		struct nlmsghdr nh;
		struct tcmsg t;
		char attrs[256];
	} req = {
		.nh = { .nlmsg_len = NLMSG_LENGTH(sizeof(struct tcmsg)),
			.nlmsg_type = (__u16)type,
			.nlmsg_flags = (__u16)(NLM_F_REQUEST | NLM_F_ACK | flags) },
		.t = { .tcm_family = AF_UNSPEC, .tcm_ifindex = ifindex,
		       .tcm_parent = clsact_parent(hook), .tcm_handle = p->handle,
		       .tcm_info = TC_H_MAKE(p->prio << 16,
					     htons(p->proto ? p->proto : ETH_P_ALL)) },
	};
	struct filter_ctx c;
	struct list l = {};
	int fd, err;

	err = xg_rta_add(&req.nh, sizeof(req), TCA_KIND, "bpf", 4);
	if (!err && prog_fd >= 0) {
		struct rtattr *nest = (struct rtattr *)((char *)&req + NLMSG_ALIGN(req.nh.nlmsg_len));
		__u32 fd32 = (__u32)prog_fd, da = TCA_BPF_FLAG_ACT_DIRECT;
		const char name[] = "xdpgate";

		err = xg_rta_add(&req.nh, sizeof(req), TCA_OPTIONS | NLA_F_NESTED, NULL, 0);
		if (!err)
			err = xg_rta_add(&req.nh, sizeof(req), TCA_BPF_FD, &fd32, 4);
		if (!err)
			err = xg_rta_add(&req.nh, sizeof(req), TCA_BPF_NAME, name, sizeof(name));
		if (!err)
			err = xg_rta_add(&req.nh, sizeof(req), TCA_BPF_FLAGS, &da, 4);
		nest->rta_len = (unsigned short)((char *)&req + req.nh.nlmsg_len - (char *)nest);
	}
	if (err)
		return err;
	fd = xg_rtnl_open(0);
	if (fd < 0)
		return fd;
	c.l = &l;
	c.all = false;
	c.err = 0;
	err = xg_rtnl_talk(fd, &req.nh, on_filter, &c);
	close(fd);
	/* NLM_F_ECHO: the kernel's copy says the handle and priority it chose. */
	if (!err && (flags & NLM_F_ECHO) && l.n)
		*p = l.v[0];
	free(l.v);
	return err;
}

/* A priority in front of every filter there (they run in ascending
 * order, and a filter that classifies ends the walk), or 0 to let the
 * kernel choose (after the others) when priority 1 is taken already.
 */
static int front_prio(int ifindex, enum xg_hook hook, __u32 *prio)
{
	struct list l = {};
	__u32 min = 0;
	int err = list_clsact(ifindex, hook, &l, true);

	if (err)
		return err;
	for (int i = 0; i < l.n; i++)
		if (!min || l.v[i].prio < min)
			min = l.v[i].prio;
	free(l.v);
	*prio = min > 1 ? min - 1 : 0;
	return 0;
}

int xg_tc_attach_clsact(int ifindex, enum xg_hook hook, int prog_fd,
			bool *made_qdisc, struct xg_tc_prog *out)
{
	LIBBPF_OPTS(bpf_tc_hook, h, .ifindex = ifindex,
		    .attach_point = hook == XG_HOOK_TC_EGRESS ? BPF_TC_EGRESS : BPF_TC_INGRESS);
	int err = bpf_tc_hook_create(&h);

	*made_qdisc = !err;
	if (err && err != -EEXIST)
		return err;
	memset(out, 0, sizeof(*out));
	out->via = XG_VIA_CLSACT;
	err = front_prio(ifindex, hook, &out->prio);
	if (err)
		return err;
	/* No handle: the kernel picks a free one. */
	return filter_msg(ifindex, hook, RTM_NEWTFILTER,
			  NLM_F_CREATE | NLM_F_EXCL | NLM_F_ECHO, out, prog_fd);
}

int xg_tc_replace(int ifindex, enum xg_hook hook, const struct xg_tc_prog *p,
		  int prog_fd)
{
	struct xg_tc_prog q = *p;
	int old, link, err;

	if (p->via == XG_VIA_CLSACT)
		return filter_msg(ifindex, hook, RTM_NEWTFILTER, NLM_F_REPLACE, &q,
				  prog_fd);
	if (!p->link_id)
		return -EOPNOTSUPP;
	link = bpf_link_get_fd_by_id(p->link_id);
	if (link < 0)
		return -errno;
	old = bpf_prog_get_fd_by_id(p->prog_id);
	if (old < 0) {
		err = -errno;
	} else {
		LIBBPF_OPTS(bpf_link_update_opts, opts, .flags = BPF_F_REPLACE,
			    .old_prog_fd = old);

		/* The kernel swaps only if the link still runs old. */
		err = bpf_link_update(link, prog_fd, &opts);
		close(old);
	}
	close(link);
	return err;
}

int xg_tc_detach(int ifindex, enum xg_hook hook, const struct xg_tc_prog *p)
{
	struct xg_tc_prog q = *p;
	int fd, err;

	if (p->via == XG_VIA_CLSACT)
		return filter_msg(ifindex, hook, RTM_DELTFILTER, 0, &q, -1);
	if (p->link_id) {
		fd = bpf_link_get_fd_by_id(p->link_id);
		if (fd < 0)
			return -errno;
		/* Detach explicitly: a pin or another process may hold it. */
		err = bpf_link_detach(fd);
		close(fd);
		return err;
	}
	fd = bpf_prog_get_fd_by_id(p->prog_id);
	if (fd < 0)
		return -errno;
	err = bpf_prog_detach2(fd, ifindex,
			       (enum bpf_attach_type)xg_tcx_attach_type(hook));
	close(fd);
	return err;
}
