/* SPDX-License-Identifier: GPL-2.0 */
/* Where pinned state lives and who it belongs to: the layout every layer
 * (XDP, TC, policy, cgroup) follows. See xdpgate_limits.h for the tree:
 *
 *   XG_PIN_ROOT/ns<cookie>/if<ifindex>/<hook>/   an instance directory
 *   XG_PIN_ROOT/ns<cookie>/if<ifindex>/policy/   rules (not an instance)
 *   XG_PIN_ROOT/cgroup/                          the socket layer
 *
 * <cookie> is the network namespace cookie (SO_NETNS_COOKIE), written in
 * decimal; on kernels without it (before 5.14) the directory is named
 * nsino<inode> after the inode of the namespace instead. A cookie is never
 * reused while the machine runs; an inode can be, once its namespace is
 * gone, which the owner record and the orphan rules cover.
 *
 * Every instance directory holds XG_MAP_OWNER (owner.h). The walk below
 * finds every directory that could hold pins, so status can list each one
 * as running, elsewhere or orphaned (pin_state.h), and nothing pinned
 * goes unlisted. Callers hold XG_LOCK_FILE (shared to read, exclusive to
 * change), so no attach is half done while they look.
 */
#ifndef XG_PINS_H
#define XG_PINS_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#include "util.h"
#include "xdpgate_types.h"

/* A network namespace as pins name it. */
struct xg_netns {
	__u64 cookie; /* 0 where the kernel has no SO_NETNS_COOKIE */
	__u64 ino;    /* inode of the namespace (nsfs) */
};

/* The calling thread's network namespace. 0 or a negative errno. */
int xg_netns_self(struct xg_netns *ns);
/* Same namespace? By cookie when both have one, else by inode. */
bool xg_netns_eq(const struct xg_netns *a, const struct xg_netns *b);
/* "ns<cookie>" or "nsino<inode>" into buf. */
int xg_netns_dirname(const struct xg_netns *ns, char *buf, size_t len);

/* Directory name of a hook ("xdp", "tc-ingress", "tc-egress", "cgroup"). */
const char *xg_hook_dir(enum xg_hook hook);

/* The instance directory of a hook on an interface (ifindex ignored for
 * XG_HOOK_CGROUP, which lives at XG_PIN_ROOT/cgroup). 0 or -ENAMETOOLONG.
 */
int xg_inst_path(const struct xg_netns *ns, __u32 ifindex, enum xg_hook hook,
		 char *buf, size_t len);
/* XG_PIN_ROOT/ns<>/if<ifindex>/<leaf>, for per-interface state that is not
 * an instance (the policy layer's "policy").
 */
int xg_if_path(const struct xg_netns *ns, __u32 ifindex, const char *leaf,
	       char *buf, size_t len);

/* mkdir -p, mode 0700, for a path under XG_PIN_ROOT. 0 or negative errno
 * (reported).
 */
int xg_pins_mkdir(const char *path);

/* Remove a directory's pins and the directory, then each parent up to and
 * including XG_PIN_ROOT that is left empty. A pinned bpf_link that still
 * attaches a program is never removed (-EBUSY): callers remove only what
 * they classified as theirs or orphaned. 0 or a negative errno (reported).
 */
int xg_pins_remove(const char *dir);

/* Remove dir's parents up to and including XG_PIN_ROOT while empty. */
void xg_pins_prune_parents(const char *dir);

/* What a directory found by the walk is. */
enum xg_pindir_kind {
	XG_PD_INSTANCE = 0, /* ns<>/if<>/<hook>/ or cgroup/ */
	XG_PD_LEGACY,       /* XG_PIN_ROOT/<ifname>/ of xdpgate before the
			     * ns/if layout (no owner record) */
	XG_PD_EMPTY,        /* ns<>/ or ns<>/if<>/ holding nothing */
	XG_PD_POLICY,       /* ns<>/if<>/policy/: rules shared by the hooks */
};

struct xg_pindir {
	char path[XG_PATH_MAX];
	enum xg_pindir_kind kind;
	/* From the path (XG_PD_INSTANCE). */
	struct xg_netns ns;
	__u32 ifindex;
	enum xg_hook hook;
	/* The owner record: owner_err 0 when read, -ENOENT when there is
	 * none, another negative errno when it cannot be read.
	 */
	int owner_err;
	struct xg_owner owner;
	/* XG_PD_POLICY: the name recorded by a hook directory beside it. */
	char sibling_ifname[16];
	/* Set by xg_pins_classify() (pin_state.h). */
	int state;
	int reason;
	__u32 user_prog; /* a program using the maps, 0 if none */
};

/* Every directory under XG_PIN_ROOT that can hold pins, owner records
 * read. *out is malloc'd (free it), sorted by path. Returns the count (0
 * when XG_PIN_ROOT does not exist) or a negative errno.
 */
int xg_pins_list(struct xg_pindir **out);

/* The name the directory's interface had at attach ("" when unknown):
 * the owner record's, a policy directory's hook neighbour's, or the
 * directory name of an old-layout directory.
 */
const char *xg_pindir_ifname(const struct xg_pindir *d);

#endif
