/* SPDX-License-Identifier: GPL-2.0 */
/* The declarative rule file of `xdpgate apply`: the whole desired rule set
 * and default action of each interface it names.
 *
 *   # comment
 *   interface eth0
 *   default drop
 *   10.0.0.0/8 pass
 *   10.1.0.0/16 vlan 7 drop
 *   2001:db8::/32 limit 10kpps burst 100
 *   interface eth1
 *   192.0.2.0/24 redirect eth2
 *
 * A rule line is the command line's rule (rule_spec.h); `default` is pass
 * when a section does not say. Parsing is pure (no kernel, no devices), so
 * it can be fuzzed; every error names its line.
 */
#ifndef XG_RULEFILE_H
#define XG_RULEFILE_H

#include <stddef.h>

#include "rule_spec.h"

/* Longest line accepted; longer ones are an error, never split. */
#define XG_RULEFILE_LINE_MAX 1024

struct xg_rf_iface {
	char name[IF_NAMESIZE];
	int line;                 /* of its `interface` line */
	int dflt_line;            /* of its `default` line, 0 if none */
	struct xg_rule_set set;   /* in file order until checked */
};

struct xg_rulefile {
	struct xg_rf_iface *ifs;
	size_t n;
};

/* Parse text[0..len). 0, or -1 with "line N: reason" in err (nothing
 * allocated is left in out).
 */
int xg_rulefile_parse(const char *text, size_t len, struct xg_rulefile *out,
		      char *err, size_t n);

/* Resolve every redirect device through fn (if_nametoindex when NULL). */
int xg_rulefile_resolve(struct xg_rulefile *f, xg_ifindex_fn fn, char *err,
			size_t n);

void xg_rulefile_free(struct xg_rulefile *f);

#endif
