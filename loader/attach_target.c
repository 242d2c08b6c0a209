// SPDX-License-Identifier: GPL-2.0
/* Preparing an attach's instance directory (see attach_target.h). */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "attach_target.h"
#include "fault.h"
#include "log.h"
#include "owner.h"
#include "pin_state.h"
#include "xdpgate_limits.h"

static bool exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

static void describe(const struct xg_pindir *d, char *buf, size_t len)
{
	const char *name = xg_pindir_ifname(d);

	if (d->owner_err)
		snprintf(buf, len, "%s", *name ? name : "unknown interface");
	else
		snprintf(buf, len, "%s (ifindex %u, prog id %u, %s)",
			 *name ? name : "?", d->owner.ifindex, d->owner.prog_id,
			 xg_owner_state_name(d->owner.state));
}

/* The link pin of an orphan is defunct (it would not be an orphan
 * otherwise): drop it, the new attach pins its own.
 */
static void drop_defunct_link(const char *dir)
{
	char path[XG_PATH_MAX + 8];

	snprintf(path, sizeof(path), "%s/link", dir);
	if (xg_link_pin_live(path) == 0)
		unlink(path);
}

static int pick_adoptee(const struct xg_attach_req *req, struct xg_target *t,
			struct xg_pindir *dirs, int n, struct xg_pindir **out)
{
	struct xg_pindir *found = NULL;
	int count = 0;

	for (int i = 0; i < n; i++) {
		struct xg_pindir *d = &dirs[i];
		bool want;

		if (d->state != XG_PIN_ORPHAN || d->kind != XG_PD_INSTANCE ||
		    d->hook != req->hook || d->reason == XG_ORPHAN_INCOMPLETE)
			continue;
		if (req->adopt_dir)
			want = !strcmp(d->path, req->adopt_dir);
		else
			want = !d->owner_err && xg_netns_eq(&d->ns, &t->ns) &&
			       !strcmp(d->owner.ifname, req->ifname);
		if (!want)
			continue;
		if (count++)
			xg_err("interface %s: attach --adopt: more than one orphan to "
			       "take over: %s and %s; name one with --adopt=DIR",
			       req->ifname, found->path, d->path);
		found = d;
	}
	if (count == 1) {
		*out = found;
		return 0;
	}
	if (!count && req->adopt_dir)
		xg_err("interface %s: attach --adopt=%s: not an orphaned xdpgate %s "
		       "pin directory with a complete map set (see 'xdpgate status')",
		       req->ifname, req->adopt_dir, xg_hook_dir(req->hook));
	else if (!count)
		xg_err("interface %s: attach --adopt: no orphaned pins recorded for "
		       "interface %s in this network namespace (see 'xdpgate status')",
		       req->ifname, req->ifname);
	return 1;
}

/* The policy directory beside a hook directory. */
static void policy_beside(const char *hook_dir, char *buf, size_t len)
{
	const char *slash = strrchr(hook_dir, '/');
	int n = slash ? (int)(slash - hook_dir) : 0;

	snprintf(buf, len, "%.*s/policy", n, hook_dir);
}

/* The rules of the adopted instance come along, unless the interface has
 * its own already.
 */
static void adopt_policy(struct xg_target *t, const char *from)
{
	char src[XG_PATH_MAX], dst[XG_PATH_MAX];

	policy_beside(from, src, sizeof(src));
	policy_beside(t->path, dst, sizeof(dst));
	if (!exists(src) || exists(dst) || rename(src, dst))
		return;
	snprintf(t->adopted_policy, sizeof(t->adopted_policy), "%s", src);
}

/* Move the orphan to t->path, keeping its record until the load worked. */
static int adopt(const struct xg_attach_req *req, struct xg_target *t,
		 const struct xg_pindir *d)
{
	char parent[XG_PATH_MAX], *slash;

	t->old_owner_err = d->owner_err;
	t->old_owner = d->owner;
	drop_defunct_link(d->path);
	if (!strcmp(d->path, t->path)) {
		t->adopted_in_place = true;
		return 0;
	}
	snprintf(parent, sizeof(parent), "%s", t->path);
	slash = strrchr(parent, '/');
	*slash = '\0';
	if (xg_pins_mkdir(parent))
		return 1;
	if (rename(d->path, t->path)) {
		xg_err("interface %s: attach --adopt: cannot move %s to %s: %s",
		       req->ifname, d->path, t->path, strerror(errno));
		return 1;
	}
	snprintf(t->adopted, sizeof(t->adopted), "%s", d->path);
	adopt_policy(t, d->path);
	xg_fault("adopt-moved");
	return 0;
}

/* An orphan at the target path itself. */
static int existing_orphan(const struct xg_attach_req *req, struct xg_target *t,
			   const struct xg_pindir *d)
{
	char who[96];

	if (req->adopt && (!req->adopt_dir || !strcmp(req->adopt_dir, d->path)))
		return d->reason == XG_ORPHAN_INCOMPLETE ?
			(xg_err("interface %s: attach --adopt: %s has an incomplete "
				"map set; nothing to take over", req->ifname, d->path), 1) :
			adopt(req, t, d);
	if (!xg_pindir_has_counts(d->path)) {
		if (xg_pins_remove(d->path))
			return 1;
		xg_info("interface %s: removed leftover pins without counts in %s "
			"(%s)", req->ifname, d->path, xg_orphan_reason_text(d->reason));
		return 0;
	}
	describe(d, who, sizeof(who));
	xg_err("interface %s: attach %s: %s holds the counters of an earlier "
	       "instance on %s (%s); take them over with --adopt, or remove them "
	       "with 'xdpgate detach --orphans %s'", req->ifname, xg_hook_prog_name(req->hook),
	       d->path, who, xg_orphan_reason_text(d->reason), req->ifname);
	return 1;
}

static int survey(const struct xg_attach_req *req, struct xg_target *t)
{
	struct xg_pindir *dirs = NULL, *mine = NULL, *pick = NULL;
	char what[64], who[96];
	int n, ret = 0;

	snprintf(what, sizeof(what), "interface %s: attach", req->ifname);
	n = xg_pins_survey(what, &dirs);
	if (n < 0)
		return 1;
	for (int i = 0; i < n; i++)
		if (!strcmp(dirs[i].path, t->path))
			mine = &dirs[i];
	if (mine && mine->state != XG_PIN_ORPHAN) {
		describe(mine, who, sizeof(who));
		xg_err("interface %s: attach %s: %s is in use by xdpgate of %s "
		       "(prog id %u); leaving it alone", req->ifname,
		       xg_hook_prog_name(req->hook), t->path, who, mine->user_prog);
		ret = 1;
	} else if (mine) {
		ret = existing_orphan(req, t, mine);
	}
	if (!ret && req->adopt && !t->adopted_in_place) {
		ret = pick_adoptee(req, t, dirs, n, &pick);
		if (!ret)
			ret = adopt(req, t, pick);
	}
	free(dirs);
	return ret;
}

int xg_target_prepare(const struct xg_attach_req *req, struct xg_target *t)
{
	int err;

	memset(t, 0, sizeof(*t));
	err = xg_netns_self(&t->ns);
	if (!err)
		err = xg_inst_path(&t->ns, (__u32)req->ifindex, req->hook,
				   t->path, sizeof(t->path));
	if (err) {
		xg_err("interface %s: attach: cannot name its pin directory: %s",
		       req->ifname, strerror(-err));
		return 1;
	}
	if ((exists(t->path) || req->adopt) && survey(req, t))
		return 1;
	if (!exists(t->path)) {
		if (xg_pins_mkdir(t->path))
			return 1;
		t->made = true;
	}
	xg_fault("dir-made");
	xg_owner_init(&t->owner, &t->ns, (__u32)req->ifindex, req->ifname,
		      req->hook);
	if (xg_owner_write(t->path, &t->owner)) {
		xg_target_undo(t);
		return 1;
	}
	xg_fault("owner-loading");
	return 0;
}

void xg_target_undo(struct xg_target *t)
{
	char parent[XG_PATH_MAX], *slash;

	if (t->made) {
		xg_pins_remove(t->path);
		return;
	}
	if (!*t->adopted && !t->adopted_in_place)
		return;
	/* Give the orphan its own record back, and its place. */
	if (t->old_owner_err)
		xg_owner_remove(t->path);
	else
		xg_owner_write(t->path, &t->old_owner);
	if (!*t->adopted)
		return;
	snprintf(parent, sizeof(parent), "%s", t->adopted);
	slash = strrchr(parent, '/');
	*slash = '\0';
	if (*t->adopted_policy) {
		char dst[XG_PATH_MAX];

		policy_beside(t->path, dst, sizeof(dst));
		rename(dst, t->adopted_policy);
	}
	if (xg_pins_mkdir(parent) || rename(t->path, t->adopted))
		xg_warn("could not move the adopted pins back from %s to %s: %s; "
			"they stay an orphan there", t->path, t->adopted,
			strerror(errno));
	else
		xg_pins_prune_parents(t->path);
}

void xg_target_commit(struct xg_target *t, __u32 prog_id, __u32 link_id)
{
	t->owner.state = XG_OWNER_ATTACHED;
	t->owner.prog_id = prog_id;
	t->owner.link_id = link_id;
	if (xg_owner_write(t->path, &t->owner))
		xg_warn("%s: the owner record still says loading; the instance "
			"runs, and 'xdpgate attach --replace' rewrites it", t->path);
	xg_fault("owner-attached");
	/* The adopted orphan's old parents, if it left them empty. */
	if (*t->adopted)
		xg_pins_prune_parents(t->adopted);
}

void xg_target_replaced(const struct xg_instance *in, __u32 prog_id,
			__u32 link_id)
{
	char path[XG_PATH_MAX];
	struct xg_netns self;
	struct xg_owner o;

	if (xg_netns_self(&self) ||
	    xg_inst_path(&self, (__u32)in->ifindex, in->hook, path, sizeof(path)) ||
	    strcmp(path, in->pin_dir))
		return;
	if (xg_owner_read(path, &o))
		xg_owner_init(&o, &self, (__u32)in->ifindex, in->ifname, in->hook);
	o.state = XG_OWNER_ATTACHED;
	o.prog_id = prog_id;
	o.link_id = link_id;
	if (xg_owner_write(path, &o))
		xg_warn("%s: the owner record still names prog id %u", path,
			in->prog_id);
}
