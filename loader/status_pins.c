// SPDX-License-Identifier: GPL-2.0
/* Orphaned and elsewhere-used pin directories in `xdpgate status`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ifname.h"
#include "instance.h"
#include "log.h"
#include "owner.h"
#include "pins.h"
#include "status_pins.h"

int xg_status_dirs_read(struct xg_status_dirs *d, char *const *names, int n)
{
	int count, k = 0;

	memset(d, 0, sizeof(*d));
	if (xg_netns_self(&d->self)) {
		xg_err("status: cannot identify this network namespace");
		return 1;
	}
	count = xg_pins_survey("status", &d->v);
	if (count < 0)
		return 1;
	for (int i = 0; i < count; i++)
		if (xg_pindir_matches(&d->v[i], &d->self, names, n))
			d->v[k++] = d->v[i];
	d->n = k;
	d->claimed = calloc(k ? k : 1, sizeof(*d->claimed));
	if (!d->claimed) {
		xg_status_dirs_free(d);
		xg_err("status: out of memory");
		return 1;
	}
	return 0;
}

void xg_status_dirs_free(struct xg_status_dirs *d)
{
	free(d->v);
	free(d->claimed);
	memset(d, 0, sizeof(*d));
}

/* Is p the policy directory beside the hook directory pin_dir? */
static bool beside(const struct xg_pindir *p, const char *pin_dir)
{
	const char *a = strrchr(p->path, '/'), *b = strrchr(pin_dir, '/');

	return p->kind == XG_PD_POLICY && a && b && a - p->path == b - pin_dir &&
	       !strncmp(p->path, pin_dir, (size_t)(a - p->path));
}

const struct xg_pindir *xg_status_dirs_claim(struct xg_status_dirs *d,
					     const char *pin_dir,
					     const struct xg_pindir **policy)
{
	const struct xg_pindir *found = NULL;

	*policy = NULL;
	for (int i = 0; *pin_dir && i < d->n; i++) {
		if (!strcmp(d->v[i].path, pin_dir)) {
			d->claimed[i] = true;
			found = &d->v[i];
		} else if (beside(&d->v[i], pin_dir) && d->v[i].state != XG_PIN_ORPHAN) {
			d->claimed[i] = true;
			*policy = &d->v[i];
		}
	}
	return found;
}

void xg_status_owner_json(struct xg_json *j, const char *key,
			  const struct xg_owner *o)
{
	struct xg_netns ns = { o->netns_cookie, o->netns_ino };
	char nsname[32];

	xg_netns_dirname(&ns, nsname, sizeof(nsname));
	xj_obj_open(j, key);
	xj_str(j, "state", xg_owner_state_name(o->state));
	xj_str(j, "ifname", o->ifname);
	xj_u64(j, "ifindex", o->ifindex);
	xj_str(j, "netns", nsname);
	xj_str(j, "hook", xg_hook_dir((enum xg_hook)o->hook));
	xj_u64(j, "prog_id", o->prog_id);
	xj_u64(j, "link_id", o->link_id);
	xj_double(j, "created", (double)o->created_ns / 1e9, 3);
	xj_obj_close(j);
}

static void dir_json(struct xg_json *j, const struct xg_pindir *d)
{
	char nsname[32];

	xj_obj_open(j, NULL);
	xj_str(j, "pin_path", d->path);
	if (d->kind == XG_PD_LEGACY || d->hook == XG_HOOK_CGROUP ||
	    xg_netns_dirname(&d->ns, nsname, sizeof(nsname)) ||
	    (!d->ns.cookie && !d->ns.ino))
		xj_null(j, "netns");
	else
		xj_str(j, "netns", nsname);
	if (d->kind == XG_PD_INSTANCE || d->kind == XG_PD_POLICY) {
		if (d->kind == XG_PD_INSTANCE)
			xj_str(j, "hook", xg_hook_dir(d->hook));
		else
			xj_null(j, "hook");
		xj_u64(j, "ifindex", d->ifindex);
	} else {
		xj_null(j, "hook");
		if (d->kind == XG_PD_EMPTY && d->ifindex)
			xj_u64(j, "ifindex", d->ifindex);
		else
			xj_null(j, "ifindex");
	}
	if (*xg_pindir_ifname(d))
		xj_str(j, "ifname", xg_pindir_ifname(d));
	else
		xj_null(j, "ifname");
	xj_str(j, "state", xg_pin_state_name(d->state));
	if (d->state == XG_PIN_ORPHAN)
		xj_str(j, "reason", xg_orphan_reason_name(d->reason));
	else
		xj_u64(j, "prog_id", d->user_prog);
	if (d->owner_err)
		xj_null(j, "owner");
	else
		xg_status_owner_json(j, "owner", &d->owner);
	xj_obj_close(j);
}

static bool listed(const struct xg_status_dirs *d, int i, bool orphans)
{
	return !d->claimed[i] && (d->v[i].state == XG_PIN_ORPHAN) == orphans;
}

void xg_status_dirs_json(struct xg_json *j, const struct xg_status_dirs *d)
{
	for (int pass = 0; pass < 2; pass++) {
		xj_arr_open(j, pass ? "elsewhere" : "orphans");
		for (int i = 0; i < d->n; i++)
			if (listed(d, i, !pass))
				dir_json(j, &d->v[i]);
		xj_arr_close(j);
	}
}

static void dir_table(const struct xg_status_dirs *d, bool orphans)
{
	int wpath = (int)strlen("PIN PATH"), wname = (int)strlen("IFACE"), rows = 0;
	char name[64];

	for (int i = 0; i < d->n; i++) {
		if (!listed(d, i, orphans))
			continue;
		rows++;
		if ((int)strlen(d->v[i].path) > wpath)
			wpath = (int)strlen(d->v[i].path);
		xg_ifname_display(xg_pindir_ifname(&d->v[i]), name, sizeof(name));
		if (xg_text_width(name) > wname)
			wname = xg_text_width(name);
	}
	if (!rows)
		return;
	printf("\n%s\n", orphans ?
	       "orphaned pin directories (no program uses their maps; remove "
	       "with 'xdpgate detach --orphans [IFACE...]'):" :
	       "pin directories in use where this network namespace cannot "
	       "check (never removed from here):");
	printf("%-*s  ", wpath, "PIN PATH");
	xg_put_padded(stdout, "IFACE", wname);
	printf("  %s\n", orphans ? "REASON" : "PROG");
	for (int i = 0; i < d->n; i++) {
		const struct xg_pindir *p = &d->v[i];

		if (!listed(d, i, orphans))
			continue;
		printf("%-*s  ", wpath, p->path);
		xg_ifname_display(*xg_pindir_ifname(p) ? xg_pindir_ifname(p) : "-",
				  name, sizeof(name));
		xg_put_padded(stdout, name, wname);
		if (orphans)
			printf("  %s\n", xg_orphan_reason_text(p->reason));
		else
			printf("  %u\n", p->user_prog);
	}
}

void xg_status_dirs_table(const struct xg_status_dirs *d)
{
	dir_table(d, true);
	dir_table(d, false);
}
