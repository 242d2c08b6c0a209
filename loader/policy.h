/* SPDX-License-Identifier: GPL-2.0 */
/* The rules of one running instance, through its program's own maps (so
 * it works however the program was loaded): reading the live set and its
 * hit counters, changing one rule in place, and switching in a whole new
 * set built beside the live one.
 *
 * Every change ends by bumping the generation in xg_pol_state, so the
 * very next packet of every source walks the tries again. A whole-set
 * switch also waits, before it returns, until no packet can still be
 * judged by the old set (a map-in-map update waits for running programs),
 * so the next change may rebuild that slot. Callers hold XG_LOCK_FILE.
 */
#ifndef XG_POLICY_H
#define XG_POLICY_H

#include <stdbool.h>
#include <linux/types.h>

#include "instance.h"
#include "rule_spec.h"
#include "xdpgate_policy.h"

struct xg_policy {
	struct xg_instance in;
	struct xg_maps m;
	struct xg_pol_state *st;   /* the mmapped state */
	size_t st_len;
};

/* Open the instance's maps; -ENOENT when its program has no policy maps
 * (reported). 0 on success.
 */
int xg_policy_open(const struct xg_instance *in, struct xg_policy *p);
void xg_policy_close(struct xg_policy *p);

static inline __u32 xg_policy_gen(const struct xg_policy *p)
{
	return __atomic_load_n(&p->st->gen, __ATOMIC_ACQUIRE);
}

/* The live set, sorted (xg_rule_cmp), with ids and the default action.
 * Redirect targets are named by their current device name ("if<N>" when
 * it went away).
 */
int xg_policy_read(struct xg_policy *p, struct xg_rule_set *out);

/* Hits of every rule of set (as read by xg_policy_read) into hits[i], and
 * of the default action into *dflt: counters, plus counts still pending in
 * the hot-source slots.
 */
int xg_policy_hits(struct xg_policy *p, const struct xg_rule_set *set,
		   struct xg_rule_hits *hits, struct xg_rule_hits *dflt);

/* Add r (resolved) to the live set, replacing a rule with the same key.
 * *what: 0 added, 1 replaced, 2 already there (nothing changed).
 */
int xg_policy_add(struct xg_policy *p, struct xg_rule_spec *r, int *what);

/* Remove the rule with r's key: -ENOENT when there is none. */
int xg_policy_del(struct xg_policy *p, const struct xg_rule_spec *r);

/* The default action of the live set. */
int xg_policy_set_default(struct xg_policy *p, __u8 action);

/* Switch in want (resolved; sorted here) as a whole: rules equal to a live
 * one keep its id and so its counters and token buckets.
 */
int xg_policy_swap(struct xg_policy *p, struct xg_rule_set *want);

#endif
