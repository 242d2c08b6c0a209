// SPDX-License-Identifier: GPL-2.0
/* xdpgate watch [--netns NAME|PID]... [--direction D] [--tc-via V]
 *
 * Container mode that follows the host: attach the TC programs to the
 * host side of every container veth (those whose peer lives in one of
 * the namespaces named, or with no --netns in any other namespace), now
 * and whenever one appears, and remove the pins of one that goes away.
 *
 * It learns of changes from an rtnetlink subscription to link events
 * (RTNLGRP_LINK), never by polling: each batch of events makes it list
 * the links once and reconcile, which also covers the usual container
 * runtime order (veth pair created here, one end moved into the
 * container, the host end set up). A namespace named before it exists
 * is picked up once `ip netns add` has made it.
 *
 * SIGTERM or SIGINT ends it cleanly (exit 0); the attachments stay, since
 * they are pinned bpf_links or clsact filters that count on without it.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "attach_args.h"
#include "bpffs.h"
#include "caps.h"
#include "commands.h"
#include "container.h"
#include "log.h"
#include "pin_state.h"
#include "rtnl.h"
#include "util.h"

#define XG_WATCH_MAX_NETNS 64

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

struct watch {
	struct xg_attach_req req;
	const char *netns[XG_WATCH_MAX_NETNS];
	int nr_netns;      /* 0: every other namespace */
	int *mine;         /* host-side ifindexes being watched */
	int nr_mine, cap_mine;
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: xdpgate watch [--netns NAME|PID]... [--direction ingress|egress|both]\n"
		"                     [--tc-via auto|tcx|clsact]\n"
		"\n"
		"Attach xdpgate's TC programs to the host side of every veth whose peer\n"
		"lives in one of the network namespaces named (default: in any other\n"
		"namespace, i.e. every container), and keep doing so for veths created\n"
		"later (rtnetlink link events); remove the pins of a veth that goes\n"
		"away. Runs until SIGTERM or SIGINT; attachments stay after it.\n"
		"A namespace named before it exists is picked up when it appears.\n");
}

/* The namespace ids of the names given, those that exist now. */
static int wanted_nsids(const struct watch *w, int *ids)
{
	int n = 0;

	for (int i = 0; i < w->nr_netns; i++) {
		int fd = xg_netns_open(w->netns[i]), id;

		if (fd < 0)
			continue; /* not made yet */
		if (!xg_netns_nsid(fd, &id))
			ids[n++] = id;
		close(fd);
	}
	return n;
}

static bool is_mine(const struct watch *w, int ifindex)
{
	for (int i = 0; i < w->nr_mine; i++)
		if (w->mine[i] == ifindex)
			return true;
	return false;
}

static void add_mine(struct watch *w, int ifindex)
{
	if (is_mine(w, ifindex))
		return;
	if (w->nr_mine == w->cap_mine) {
		int cap = w->cap_mine ? w->cap_mine * 2 : 16;
		int *v = realloc(w->mine, cap * sizeof(*v));

		if (!v)
			return;
		w->mine = v;
		w->cap_mine = cap;
	}
	w->mine[w->nr_mine++] = ifindex;
}

/* A watched veth went away: its programs went with it; remove its pin
 * directories, which are now orphans (the interface is gone).
 */
static void forget(struct watch *w, int idx)
{
	struct xg_pindir *dirs;
	struct xg_netns self;
	int ifindex = w->mine[idx], n;

	w->mine[idx] = w->mine[--w->nr_mine];
	n = xg_pins_survey("watch", &dirs);
	if (n < 0 || xg_netns_self(&self))
		return;
	for (int i = 0; i < n; i++) {
		struct xg_pindir *d = &dirs[i];

		if (d->ifindex != (__u32)ifindex || !xg_netns_eq(&d->ns, &self) ||
		    d->state != XG_PIN_ORPHAN)
			continue;
		if (!xg_pins_remove(d->path))
			printf("xdpgate: watch: ifindex %d went away; removed its pins %s\n",
			       ifindex, d->path);
	}
	free(dirs);
}

static int reconcile(struct watch *w)
{
	int ids[XG_WATCH_MAX_NETNS], nids, n, lock, ret = 0;
	struct xg_veth *v;

	lock = xg_lock("watch");
	if (lock < 0)
		return 1;
	nids = wanted_nsids(w, ids);
	n = xg_host_veths(&v);
	if (n < 0) {
		xg_err("watch: cannot list links: %s", xg_strerror(n));
		xg_unlock(lock);
		return 1;
	}
	for (int i = 0; i < n; i++) {
		bool want = !w->nr_netns;

		for (int k = 0; k < nids && !want; k++)
			want = v[i].peer_nsid == ids[k];
		if (!want)
			continue;
		add_mine(w, v[i].ifindex);
		ret |= xg_container_attach_veth(&w->req, &v[i], false);
	}
	for (int k = w->nr_mine - 1; k >= 0; k--) {
		bool present = false;

		for (int i = 0; i < n && !present; i++)
			present = v[i].ifindex == w->mine[k];
		if (!present)
			forget(w, k);
	}
	free(v);
	xg_unlock(lock);
	fflush(stdout);
	return ret;
}

/* Read every pending event; what they say does not matter, only that
 * something changed. 0, or -1 when the socket failed for good.
 */
static int drain(int fd)
{
	char buf[16384];

	for (;;) {
		ssize_t r = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);

		if (r > 0)
			continue;
		if (r < 0 && errno == ENOBUFS)
			continue; /* events lost: the reconcile covers them */
		if (r < 0 && (errno == EAGAIN || errno == EINTR))
			return 0;
		return -1;
	}
}

static int parse_args(int argc, char **argv, struct watch *w)
{
	static const struct option opts[] = {
		{ "netns", required_argument, NULL, 'N' },
		{ "direction", required_argument, NULL, 'D' },
		{ "tc-via", required_argument, NULL, 'T' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	int c;

	memset(w, 0, sizeof(*w));
	w->req.mode_auto = true;
	w->req.hook = XG_HOOK_TC_INGRESS;
	w->req.tc_dirs = XG_TC_DIR_INGRESS | XG_TC_DIR_EGRESS;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'N':
			if (w->nr_netns == XG_WATCH_MAX_NETNS) {
				xg_err("watch: at most %d --netns", XG_WATCH_MAX_NETNS);
				return 2;
			}
			w->netns[w->nr_netns++] = optarg;
			break;
		case 'D':
			if (xg_parse_tc_dirs(optarg, &w->req.tc_dirs))
				return 2;
			break;
		case 'T':
			if (!strcmp(optarg, "tcx"))
				w->req.tc_via = XG_TC_VIA_REQ_TCX;
			else if (!strcmp(optarg, "clsact"))
				w->req.tc_via = XG_TC_VIA_REQ_CLSACT;
			else if (strcmp(optarg, "auto")) {
				xg_err("watch: --tc-via must be auto, tcx or clsact, not '%s'",
				       optarg);
				return 2;
			}
			break;
		case 'h':
			usage(stdout);
			return 1;
		default:
			xg_bad_option("watch", argv);
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		xg_err("watch: unexpected argument '%s'", argv[optind]);
		return 2;
	}
	return 0;
}

int cmd_watch(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct watch w;
	struct pollfd p;
	int fd, r;

	r = parse_args(argc, argv, &w);
	if (r)
		return r == 1 ? 0 : r;
	if (xg_require_caps("watch", XG_NEED_SYS_ADMIN | XG_NEED_NET_ADMIN))
		return 1;
	if (xg_bpffs_ready("watch", XG_BPFFS_MOUNT))
		return 1;
	setvbuf(stdout, NULL, _IOLBF, 0);
	/* No SA_RESTART: the signal interrupts poll(). */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	/* Subscribe before the first listing, so nothing falls in between. */
	fd = xg_rtnl_open(1U << (RTNLGRP_LINK - 1));
	if (fd < 0) {
		xg_err("watch: cannot subscribe to link events: %s", strerror(-fd));
		return 1;
	}
	printf("xdpgate: watch: watching %s\n", w.nr_netns ?
	       "the veths of the network namespaces named" :
	       "the veths of every other network namespace");
	r = reconcile(&w);
	p.fd = fd;
	p.events = POLLIN;
	while (!stop) {
		if (poll(&p, 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			xg_err("watch: poll: %s", strerror(errno));
			r = 1;
			break;
		}
		if (drain(fd)) {
			xg_err("watch: link events: %s", strerror(errno));
			r = 1;
			break;
		}
		if (!stop)
			reconcile(&w); /* failures are reported; keep watching */
	}
	close(fd);
	printf("xdpgate: watch: stopped (%d interface%s watched; attachments stay)\n",
	       w.nr_mine, w.nr_mine == 1 ? "" : "s");
	free(w.mine);
	return stop ? 0 : r;
}
