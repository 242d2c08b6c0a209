// SPDX-License-Identifier: GPL-2.0
/* Classifying pin directories: running, elsewhere or orphaned (see
 * pin_state.h for the rules and why they are safe).
 */
#include <dirent.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "instance.h"
#include "log.h"
#include "owner.h"
#include "percpu_read.h"
#include "pin_state.h"
#include "tc_hook.h"
#include "xdpgate_limits.h"

static const char *const state_names[] = {
	[XG_PIN_RUNNING] = "running",
	[XG_PIN_ELSEWHERE] = "elsewhere",
	[XG_PIN_ORPHAN] = "orphan",
};

static const char *const reason_names[XG_ORPHAN__MAX] = {
	[XG_ORPHAN_NONE] = "",
	[XG_ORPHAN_IFACE_GONE] = "interface_gone",
	[XG_ORPHAN_OWNER_GONE] = "owner_not_running",
	[XG_ORPHAN_UNFINISHED] = "attach_unfinished",
	[XG_ORPHAN_NO_OWNER] = "no_owner_record",
	[XG_ORPHAN_INCOMPLETE] = "incomplete_maps",
	[XG_ORPHAN_OLD_LAYOUT] = "old_layout",
	[XG_ORPHAN_EMPTY] = "empty",
	[XG_ORPHAN_RULES] = "rules_unused",
};

static const char *const reason_texts[XG_ORPHAN__MAX] = {
	[XG_ORPHAN_NONE] = "",
	[XG_ORPHAN_IFACE_GONE] = "its interface is gone",
	[XG_ORPHAN_OWNER_GONE] = "its program no longer runs",
	[XG_ORPHAN_UNFINISHED] = "an attach that did not finish",
	[XG_ORPHAN_NO_OWNER] = "no owner record (an attach that did not finish)",
	[XG_ORPHAN_INCOMPLETE] = "its map set is incomplete",
	[XG_ORPHAN_OLD_LAYOUT] = "pins of an older xdpgate, unused",
	[XG_ORPHAN_EMPTY] = "an empty directory",
	[XG_ORPHAN_RULES] = "rules no program uses",
};

const char *xg_pin_state_name(int state)
{
	return state >= 0 && state <= XG_PIN_ORPHAN ? state_names[state] : "?";
}

const char *xg_orphan_reason_name(int reason)
{
	return reason >= 0 && reason < XG_ORPHAN__MAX ? reason_names[reason] : "?";
}

const char *xg_orphan_reason_text(int reason)
{
	return reason >= 0 && reason < XG_ORPHAN__MAX ? reason_texts[reason] : "?";
}

/* What the pins of a directory say: a program using a map, a live link,
 * and whether the hook's maps are all there.
 */
struct scan {
	__u32 user;        /* a program using one of the maps, or a live link's */
	bool live_link;
	/* Programs that defunct links pinned here (or, for a policy
	 * directory, beside it: one per hook) hold loaded.
	 */
	__u32 defunct[XG_HOOK__MAX];
	int nr_defunct;
	__u32 map_ids[32];
	int nr_maps;
	bool have[XG_NR_MAPS];
};

static void scan_pin(const char *dir, const char *name, struct scan *s)
{
	char path[XG_PATH_MAX * 2];
	__u32 prog = 0;
	int fd, r;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = bpf_obj_get(path);
	if (fd < 0)
		return;
	switch (xg_fd_kind(fd)) {
	case XG_FD_LINK:
		r = xg_link_pin_live_prog(path, &prog);
		if (r > 0) {
			s->live_link = true;
			s->user = prog;
		} else if (r == 0 && prog && s->nr_defunct < XG_HOOK__MAX) {
			s->defunct[s->nr_defunct++] = prog;
		}
		break;
	case XG_FD_MAP:
		if (s->nr_maps < (int)(sizeof(s->map_ids) / sizeof(s->map_ids[0])))
			s->map_ids[s->nr_maps++] = xg_fd_map_id(fd);
		for (int i = 0; i < XG_NR_MAPS; i++)
			if (!strcmp(name, xg_map_names[i]))
				s->have[i] = true;
		break;
	default:
		break;
	}
	close(fd);
}

/* A policy directory's maps are used by the program of a hook beside it;
 * a defunct link pinned there holds that program, which then does not
 * count (as for a hook directory's own link).
 */
static void sibling_links(const char *dir, struct scan *s)
{
	char path[XG_PATH_MAX * 2];
	const char *slash = strrchr(dir, '/');
	int n = slash ? (int)(slash - dir) : 0;
	__u32 prog = 0;

	for (int h = 0; h < XG_HOOK__MAX; h++) {
		if (h == XG_HOOK_CGROUP)
			continue;
		snprintf(path, sizeof(path), "%.*s/%s/link", n, dir,
			 xg_hook_dir((enum xg_hook)h));
		if (xg_link_pin_live_prog(path, &prog) == 0 && prog)
			s->defunct[s->nr_defunct++] = prog;
	}
}

/* A program using map_id other than those only defunct links hold. */
static __u32 live_user(const struct xg_usage *u, __u32 map_id,
		       const struct scan *s)
{
	for (size_t i = 0; i < u->n; i++) {
		bool defunct = false;

		if (u->v[i].map_id != map_id)
			continue;
		for (int k = 0; k < s->nr_defunct; k++)
			defunct |= u->v[i].prog_id == s->defunct[k];
		if (!defunct)
			return u->v[i].prog_id;
	}
	return 0;
}

static int scan_dir(const char *dir, struct scan *s, const struct xg_usage *u,
		    bool policy)
{
	struct dirent *de;
	DIR *d = opendir(dir);

	memset(s, 0, sizeof(*s));
	if (policy)
		sibling_links(dir, s);
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' || !strcmp(de->d_name, XG_MAP_OWNER))
			continue;
		scan_pin(dir, de->d_name, s);
	}
	closedir(d);
	for (int i = 0; !s->user && i < s->nr_maps; i++)
		s->user = live_user(u, s->map_ids[i], s);
	return 0;
}

/* The hook's map set, as far as this loader knows it (XDP and TC share
 * theirs; the cgroup layer adds its own).
 */
static bool complete(const struct xg_pindir *d, const struct scan *s)
{
	if (d->kind == XG_PD_POLICY ||
	    (d->kind == XG_PD_INSTANCE && d->hook != XG_HOOK_XDP &&
	     !xg_hook_is_tc(d->hook)))
		return true;
	for (int i = 0; i < XG_NR_CORE_MAPS; i++)
		if (!s->have[i])
			return false;
	return true;
}

/* Is the program using the maps attached on the directory's own interface? */
static bool user_runs_here(const struct xg_pindir *d, const struct xg_netns *self,
			   __u32 user)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);

	if ((d->kind != XG_PD_INSTANCE && d->kind != XG_PD_POLICY) ||
	    !xg_netns_eq(&d->ns, self) || !user)
		return false;
	if (d->kind == XG_PD_INSTANCE && xg_hook_is_tc(d->hook))
		return xg_tc_runs((int)d->ifindex, d->hook, user) == 1;
	if (d->kind == XG_PD_POLICY &&
	    (xg_tc_runs((int)d->ifindex, XG_HOOK_TC_INGRESS, user) == 1 ||
	     xg_tc_runs((int)d->ifindex, XG_HOOK_TC_EGRESS, user) == 1))
		return true;
	if ((d->kind == XG_PD_INSTANCE && d->hook != XG_HOOK_XDP) ||
	    bpf_xdp_query((int)d->ifindex, 0, &q))
		return false;
	return q.drv_prog_id == user || q.skb_prog_id == user || q.hw_prog_id == user;
}

static bool iface_exists(__u32 ifindex)
{
	char name[IF_NAMESIZE];

	return ifindex && if_indextoname(ifindex, name);
}

int xg_pins_classify(struct xg_pindir *d, const struct xg_netns *self,
		     const struct xg_usage *u)
{
	struct xg_netns ons = { d->owner.netns_cookie, d->owner.netns_ino };
	struct scan s;
	int run = XG_OWNER_GONE, err;

	d->state = XG_PIN_ELSEWHERE; /* until proven otherwise */
	d->reason = XG_ORPHAN_NONE;
	d->user_prog = 0;
	if (d->kind == XG_PD_EMPTY) {
		d->state = XG_PIN_ORPHAN;
		d->reason = XG_ORPHAN_EMPTY;
		return 0;
	}
	if (!d->owner_err) {
		run = xg_owner_running(&d->owner, self);
		if (run < 0)
			return run;
		if (run == XG_OWNER_HERE) {
			d->state = XG_PIN_RUNNING;
			d->user_prog = d->owner.prog_id;
			return 0;
		}
	}
	err = scan_dir(d->path, &s, u, d->kind == XG_PD_POLICY);
	if (err)
		return err;
	d->user_prog = s.user;
	if (s.user || s.live_link) {
		d->state = user_runs_here(d, self, s.user) ? XG_PIN_RUNNING
							   : XG_PIN_ELSEWHERE;
		return 0;
	}
	if (run == XG_OWNER_UNKNOWN)
		return 0; /* loaded, not here: elsewhere */
	d->state = XG_PIN_ORPHAN;
	if (d->kind == XG_PD_LEGACY)
		d->reason = XG_ORPHAN_OLD_LAYOUT;
	else if (d->kind == XG_PD_POLICY)
		d->reason = XG_ORPHAN_RULES;
	else if (d->owner_err)
		d->reason = XG_ORPHAN_NO_OWNER;
	else if (d->owner.state != XG_OWNER_ATTACHED)
		d->reason = XG_ORPHAN_UNFINISHED;
	else if (!complete(d, &s))
		d->reason = XG_ORPHAN_INCOMPLETE;
	else if (xg_netns_eq(&ons, self) && !iface_exists(d->owner.ifindex))
		d->reason = XG_ORPHAN_IFACE_GONE;
	else
		d->reason = XG_ORPHAN_OWNER_GONE;
	return 0;
}

int xg_pins_survey(const char *what, struct xg_pindir **out)
{
	struct xg_usage u;
	struct xg_netns self;
	int n, err;

	*out = NULL;
	err = xg_netns_self(&self);
	if (err) {
		xg_err("%s: cannot identify this network namespace: %s", what,
		       strerror(-err));
		return err;
	}
	n = xg_pins_list(out);
	if (n < 0) {
		xg_err("%s: cannot list %s: %s", what, XG_PIN_ROOT, strerror(-n));
		return n;
	}
	if (!n)
		return 0;
	err = xg_usage_load(&u);
	if (err) {
		xg_err("%s: cannot list loaded BPF programs: %s", what,
		       xg_strerror(err));
		free(*out);
		*out = NULL;
		return err;
	}
	for (int i = 0; i < n && !err; i++) {
		err = xg_pins_classify(&(*out)[i], &self, &u);
		if (err)
			xg_err("%s: cannot tell whether %s is in use: %s", what,
			       (*out)[i].path, xg_strerror(err));
	}
	xg_usage_free(&u);
	if (err) {
		free(*out);
		*out = NULL;
		return err;
	}
	return n;
}

bool xg_pindir_matches(const struct xg_pindir *d, const struct xg_netns *self,
		       char *const *names, int n)
{
	const char *name = xg_pindir_ifname(d);
	char now[IF_NAMESIZE] = "";

	if (!names)
		return true;
	if (!*name && d->kind != XG_PD_LEGACY && d->ifindex && xg_netns_eq(&d->ns, self) &&
	    d->ifindex && if_indextoname(d->ifindex, now))
		name = now;
	for (int i = 0; *name && i < n; i++)
		if (!strcmp(name, names[i]))
			return true;
	return false;
}

int xg_pindir_has_counts(const char *dir)
{
	struct xg_counter c[XG_ACT__MAX];
	char path[XG_PATH_MAX + 16];
	int fd, err;

	snprintf(path, sizeof(path), "%s/%s", dir, XG_MAP_ACTIONS);
	fd = bpf_obj_get(path);
	if (fd < 0)
		return 0;
	err = xg_read_counters(fd, c, XG_ACT__MAX);
	close(fd);
	if (err)
		return 1; /* unreadable: assume it holds something */
	for (int a = 0; a < XG_ACT__MAX; a++)
		if (c[a].packets)
			return 1;
	return 0;
}
