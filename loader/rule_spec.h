/* SPDX-License-Identifier: GPL-2.0 */
/* One rule as people write it and as the loader handles it: parsing
 * (CIDR, VLAN, action and its arguments), validation with a reason, the
 * canonical text form, and rule sets. Shared by `rules`, `apply` and the
 * rule-file parser, so a rule reads and prints the same everywhere.
 *
 * Rule syntax (command line and rule file alike):
 *   CIDR [vlan ID] pass|drop|redirect DEV|limit RATE(pps|bps) [burst N]
 */
#ifndef XG_RULE_SPEC_H
#define XG_RULE_SPEC_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#include "xdpgate_policy.h"

#define XG_ERR_LEN 256

struct xg_rule_spec {
	__u8 addr[16];   /* network order, host bits zero; IPv4 in 0..3 */
	__u8 family;     /* 4 or 6 */
	__u8 plen;
	__u8 action;     /* enum xg_pol_action */
	__u8 unit;       /* enum xg_pol_unit */
	__u16 vlan;      /* 0: every VLAN */
	__u16 _pad;
	__u32 target;    /* redirect: ifindex (0 until resolved) */
	__u32 id;        /* rule id in a live set; 0 for a rule not placed yet */
	__u64 rate;
	__u64 burst;
	char dev[IF_NAMESIZE]; /* redirect target as written (or as found) */
	int line;        /* rule file line, 0 on the command line */
};

/* A whole desired or live rule set of one interface. */
struct xg_rule_set {
	struct xg_rule_spec *r;
	size_t n, cap;
	__u8 dflt;       /* XG_POL_PASS or XG_POL_DROP */
	bool has_dflt;   /* said explicitly (rule file) */
};

/* "10.0.0.0/8", "2001:db8::/32", or a bare address (a host route).
 * 0, or -1 with a reason in err.
 */
int xg_parse_cidr(const char *s, struct xg_rule_spec *r, char *err, size_t n);

/* "1-4094". */
int xg_parse_vlan(const char *s, __u16 *vlan, char *err, size_t n);

/* The action and its arguments: tok[0..ntok). Consumes every token or
 * fails. Redirect devices are not resolved here (see xg_rule_resolve).
 */
int xg_parse_action(char *const *tok, int ntok, struct xg_rule_spec *r,
		    char *err, size_t n);

/* "pass" or "drop" (the only defaults). */
int xg_parse_default(const char *s, __u8 *action, char *err, size_t n);

/* Resolve a redirect device through name_to_ifindex (if_nametoindex when
 * NULL, so tests can fake devices). 0 or -1 with a reason.
 */
typedef unsigned int (*xg_ifindex_fn)(const char *name);
int xg_rule_resolve(struct xg_rule_spec *r, xg_ifindex_fn fn, char *err,
		    size_t n);

/* Canonical text: "10.0.0.0/8 vlan 7 limit 100pps burst 10". */
const char *xg_rule_text(const struct xg_rule_spec *r, char *buf, size_t n);
const char *xg_cidr_text(const struct xg_rule_spec *r, char *buf, size_t n);
/* Only the action part: "drop", "redirect eth1", "limit 1000bps burst 1514". */
const char *xg_action_text(const struct xg_rule_spec *r, char *buf, size_t n);
const char *xg_pol_action_name(__u8 action);

/* Same prefix, VLAN and family. */
bool xg_rule_same_key(const struct xg_rule_spec *a, const struct xg_rule_spec *b);
/* Same key and the same action with the same arguments. */
bool xg_rule_same(const struct xg_rule_spec *a, const struct xg_rule_spec *b);
/* Order: family, VLAN, address, prefix length (insertion order for tries). */
int xg_rule_cmp(const void *a, const void *b);

int xg_set_push(struct xg_rule_set *s, const struct xg_rule_spec *r);
void xg_set_sort(struct xg_rule_set *s);
/* Index of the rule with r's key in a sorted set, or -1. */
long xg_set_find(const struct xg_rule_set *s, const struct xg_rule_spec *r);
void xg_set_free(struct xg_rule_set *s);

#endif
