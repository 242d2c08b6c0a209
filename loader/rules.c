// SPDX-License-Identifier: GPL-2.0
/* xdpgate rules add|del|list|flush|default: one rule at a time, changed in
 * place in the live set (one trie update, then a generation bump, so the
 * very next packet is judged by the change). Without --iface a change goes
 * to the one interface where xdpgate runs, and is refused when there are
 * several; `list` shows them all.
 */
#include <errno.h>
#include <net/if.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "json.h"
#include "log.h"
#include "policy.h"
#include "rule_spec.h"
#include "util.h"

static const char rules_usage[] =
	"usage: xdpgate rules add CIDR [vlan ID] ACTION [--vlan ID] [--iface IFACE]\n"
	"       xdpgate rules del CIDR [vlan ID] [--vlan ID] [--iface IFACE]\n"
	"       xdpgate rules list [--iface IFACE] [--json]\n"
	"       xdpgate rules flush [--iface IFACE]\n"
	"       xdpgate rules default pass|drop [--iface IFACE]\n"
	"\n"
	"ACTION: pass | drop | redirect DEV | limit RATE(pps|bps) [burst N]\n"
	"  RATE and N take k, M, G (x1000); burst counts packets (pps) or\n"
	"  bytes (bps), default one second of traffic.\n"
	"  --vlan ID     the rule applies to packets of that VLAN (outer tag)\n"
	"                only; without it, to every VLAN and untagged packets\n"
	"  --iface IFACE the interface; without it, the only interface where\n"
	"                xdpgate runs (list: all of them)\n"
	"  --json        list as one JSON document\n"
	"The longest prefix wins; at equal length a VLAN's own rule wins.\n";

struct rules_opts {
	const char *verb;
	const char *ifname;
	bool json;
	bool has_vlan;
	__u16 vlan;
	char **args;     /* positional arguments after the verb */
	int nargs;
};

static int usage_error(const char *fmt, const char *arg)
{
	fputs("xdpgate: error: rules: ", stderr);
	fprintf(stderr, fmt, arg);
	fputs("\n", stderr);
	fputs("run 'xdpgate rules --help' for the syntax\n", stderr);
	return 2;
}

/* 0 ok, 1 --help shown, 2 usage error. */
static int parse_args(int argc, char **argv, struct rules_opts *o)
{
	static const struct option longopts[] = {
		{ "iface", required_argument, NULL, 'i' },
		{ "vlan", required_argument, NULL, 'V' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	char err[XG_ERR_LEN];
	int c;

	memset(o, 0, sizeof(*o));
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (c) {
		case 'i':
			o->ifname = optarg;
			break;
		case 'V':
			if (xg_parse_vlan(optarg, &o->vlan, err, sizeof(err)))
				return usage_error("--vlan: %s", err);
			o->has_vlan = true;
			break;
		case 'j':
			o->json = true;
			break;
		case 'h':
			fputs(rules_usage, stdout);
			return 1;
		case ':':
			return usage_error("option '%s' needs a value", argv[optind - 1]);
		default:
			return usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return usage_error("%s", "say what: add, del, list, flush or default");
	o->verb = argv[optind];
	o->args = argv + optind + 1;
	o->nargs = argc - optind - 1;
	return 0;
}

/* The instances a command acts on: IFACE, or every one (list), or the
 * only one. Returns the count (>= 1), or -1 after an error message.
 */
static int pick(const struct rules_opts *o, bool all_ok, struct xg_instance **ins)
{
	int n;

	if (o->ifname && !if_nametoindex(o->ifname)) {
		xg_err("interface %s: no such interface", o->ifname);
		return -1;
	}
	n = xg_find_instances(o->ifname ? (char *const *)&o->ifname : NULL,
			      o->ifname ? 1 : 0, ins);
	if (n < 0) {
		if (!o->ifname)
			xg_err("rules: cannot list interfaces: %s", xg_strerror(n));
		else if (n != -ENODEV && n != -EINVAL)
			xg_err("interface %s: cannot query its XDP programs: %s",
			       o->ifname, xg_strerror(n));
		return -1;
	}
	if (!n) {
		if (o->ifname)
			xg_err("interface %s: xdpgate is not attached there "
			       "(xdpgate attach %s)", o->ifname, o->ifname);
		else
			xg_err("rules: xdpgate is not attached to any interface");
		free(*ins);
		return -1;
	}
	/* Rules are the interface's, shared by its hooks (XDP, TC ingress,
	 * TC egress) through the policy directory: one entry per interface.
	 */
	n = xg_instances_per_iface(*ins, n);
	if (n > 1 && !all_ok) {
		char names[256] = "";

		for (int i = 0; i < n; i++)
			snprintf(names + strlen(names), sizeof(names) - strlen(names),
				 "%s%s", i ? ", " : "", (*ins)[i].ifname);
		xg_err("rules %s: xdpgate runs on several interfaces (%s): say "
		       "which with --iface", o->verb, names);
		free(*ins);
		return -1;
	}
	return n;
}

/* CIDR (+ --vlan) and, for add, the action from the positional args. */
static int rule_from_args(const struct rules_opts *o, bool with_action,
			  struct xg_rule_spec *r)
{
	char err[XG_ERR_LEN];
	int skip = 0;

	memset(r, 0, sizeof(*r));
	if (o->nargs < 1)
		return usage_error("%s", "no CIDR given");
	if (xg_parse_cidr(o->args[0], r, err, sizeof(err)))
		return usage_error("%s", err);
	r->vlan = o->has_vlan ? o->vlan : 0;
	/* "CIDR vlan ID ..." as in the rule file, or --vlan ID. */
	if (o->nargs > 1 && !strcmp(o->args[1], "vlan")) {
		if (o->has_vlan)
			return usage_error("%s", "the VLAN is given twice");
		if (o->nargs < 3)
			return usage_error("%s", "vlan needs an id");
		if (xg_parse_vlan(o->args[2], &r->vlan, err, sizeof(err)))
			return usage_error("%s", err);
		skip = 2;
	}
	if (!with_action) {
		if (o->nargs > 1 + skip)
			return usage_error("unexpected argument '%s'", o->args[1 + skip]);
		return 0;
	}
	if (xg_parse_action(o->args + 1 + skip, o->nargs - 1 - skip, r, err,
			    sizeof(err)))
		return usage_error("%s", err);
	return 0;
}

static int do_add(const struct rules_opts *o, struct xg_policy *p)
{
	static const char *const did[] = { "added", "replaced", "unchanged:" };
	struct xg_rule_spec r;
	char err[XG_ERR_LEN], text[256];
	int what, st = rule_from_args(o, true, &r);

	if (st)
		return st;
	if (xg_rule_resolve(&r, NULL, err, sizeof(err))) {
		xg_err("interface %s: %s", p->in.ifname, err);
		return 1;
	}
	if (xg_policy_add(p, &r, &what))
		return 1;
	printf("xdpgate: %s: %s %s (rule %u, generation %u)\n", p->in.ifname,
	       did[what], xg_rule_text(&r, text, sizeof(text)), r.id,
	       xg_policy_gen(p));
	return 0;
}

static int do_del(const struct rules_opts *o, struct xg_policy *p)
{
	struct xg_rule_spec r;
	char cidr[64], vlan[16] = "";
	int st = rule_from_args(o, false, &r), err;

	if (st)
		return st;
	xg_cidr_text(&r, cidr, sizeof(cidr));
	if (r.vlan)
		snprintf(vlan, sizeof(vlan), " vlan %u", r.vlan);
	err = xg_policy_del(p, &r);
	if (err == -ENOENT) {
		xg_err("interface %s: no rule for %s%s", p->in.ifname, cidr, vlan);
		return 1;
	}
	if (err) {
		xg_err("interface %s: cannot remove the rule for %s%s: %s",
		       p->in.ifname, cidr, vlan, xg_strerror(err));
		return 1;
	}
	printf("xdpgate: %s: removed the rule for %s%s (generation %u)\n",
	       p->in.ifname, cidr, vlan, xg_policy_gen(p));
	return 0;
}

static int do_flush(const struct rules_opts *o, struct xg_policy *p)
{
	struct xg_rule_set empty = { .dflt = p->st->set[xg_policy_gen(p) & 1].dflt };

	if (o->nargs)
		return usage_error("unexpected argument '%s'", o->args[0]);
	if (xg_policy_swap(p, &empty))
		return 1;
	printf("xdpgate: %s: removed every rule; default %s (generation %u)\n",
	       p->in.ifname, xg_pol_action_name(empty.dflt), xg_policy_gen(p));
	return 0;
}

static int do_default(const struct rules_opts *o, struct xg_policy *p)
{
	char err[XG_ERR_LEN];
	__u8 a;

	if (o->nargs != 1)
		return usage_error("%s", "rules default takes pass or drop");
	if (xg_parse_default(o->args[0], &a, err, sizeof(err)))
		return usage_error("%s", err);
	xg_policy_set_default(p, a);
	printf("xdpgate: %s: default %s (generation %u)\n", p->in.ifname,
	       xg_pol_action_name(a), xg_policy_gen(p));
	return 0;
}

/* ---- list ---- */

struct listed {
	struct xg_instance in;
	__u32 gen;
	struct xg_rule_set set;
	struct xg_rule_hits *hits;
	struct xg_rule_hits dflt;
};

static int read_listed(const struct xg_instance *in, struct listed *l)
{
	struct xg_policy p;
	int err;

	memset(l, 0, sizeof(*l));
	l->in = *in;
	if (xg_policy_open(in, &p))
		return -1;
	l->gen = xg_policy_gen(&p);
	err = xg_policy_read(&p, &l->set);
	if (!err) {
		l->hits = calloc(l->set.n + 1, sizeof(*l->hits));
		err = l->hits ? xg_policy_hits(&p, &l->set, l->hits, &l->dflt) : -ENOMEM;
	}
	xg_policy_close(&p);
	return err ? -1 : 0;
}

static void json_counter(struct xg_json *j, const char *key, const struct xg_rule_hits *h)
{
	xj_obj_open(j, key);
	xj_u64(j, "packets", h->packets);
	xj_u64(j, "bytes", h->bytes);
	xj_obj_close(j);
}

static void json_rule(struct xg_json *j, const struct xg_rule_spec *r,
		      const struct xg_rule_hits *h)
{
	char buf[256];

	xj_obj_open(j, NULL);
	xj_u64(j, "id", r->id);
	xj_str(j, "rule", xg_rule_text(r, buf, sizeof(buf)));
	xj_str(j, "cidr", xg_cidr_text(r, buf, sizeof(buf)));
	xj_str(j, "family", r->family == 4 ? "ipv4" : "ipv6");
	if (r->vlan)
		xj_u64(j, "vlan", r->vlan);
	else
		xj_null(j, "vlan");
	xj_str(j, "action", xg_pol_action_name(r->action));
	if (r->action == XG_POL_REDIRECT) {
		xj_str(j, "target", r->dev);
		xj_u64(j, "target_ifindex", r->target);
	}
	if (r->action == XG_POL_LIMIT) {
		xj_u64(j, "rate", r->rate);
		xj_str(j, "unit", r->unit == XG_UNIT_BPS ? "bps" : "pps");
		xj_u64(j, "burst", r->burst);
	}
	xj_u64(j, "packets", h->packets);
	xj_u64(j, "bytes", h->bytes);
	xj_obj_close(j);
}

static void print_json(const struct listed *ls, int n)
{
	struct xg_json j;

	xj_init(&j, stdout);
	xj_obj_open(&j, NULL);
	xj_arr_open(&j, "interfaces");
	for (int i = 0; i < n; i++) {
		xj_obj_open(&j, NULL);
		xj_str(&j, "ifname", ls[i].in.ifname);
		xj_u64(&j, "ifindex", (unsigned)ls[i].in.ifindex);
		xj_u64(&j, "generation", ls[i].gen);
		xj_str(&j, "default", xg_pol_action_name(ls[i].set.dflt));
		json_counter(&j, "default_hits", &ls[i].dflt);
		xj_u64(&j, "rules_total", ls[i].set.n);
		xj_arr_open(&j, "rules");
		for (size_t r = 0; r < ls[i].set.n; r++)
			json_rule(&j, &ls[i].set.r[r], &ls[i].hits[r]);
		xj_arr_close(&j);
		xj_obj_close(&j);
	}
	xj_arr_close(&j);
	xj_obj_close(&j);
	xj_end(&j);
}

static void print_table(const struct listed *ls, int n)
{
	char text[256], dflt[32];

	for (int i = 0; i < n; i++) {
		const struct listed *l = &ls[i];
		int w = (int)strlen("rule");

		for (size_t r = 0; r < l->set.n; r++) {
			int len = (int)strlen(xg_rule_text(&l->set.r[r], text, sizeof(text)));

			if (len > w)
				w = len;
		}
		if (i)
			putchar('\n');
		printf("%s (ifindex %d)  generation %u  default %s  rules %zu\n\n",
		       l->in.ifname, l->in.ifindex, l->gen,
		       xg_pol_action_name(l->set.dflt), l->set.n);
		printf("  %-*s %10s %14s %14s\n", w, "rule", "id", "packets", "bytes");
		for (size_t r = 0; r < l->set.n; r++)
			printf("  %-*s %10u %14llu %14llu\n", w,
			       xg_rule_text(&l->set.r[r], text, sizeof(text)),
			       l->set.r[r].id, (unsigned long long)l->hits[r].packets,
			       (unsigned long long)l->hits[r].bytes);
		snprintf(dflt, sizeof(dflt), "default %s", xg_pol_action_name(l->set.dflt));
		printf("  %-*s %10s %14llu %14llu\n", w, dflt, "-",
		       (unsigned long long)l->dflt.packets,
		       (unsigned long long)l->dflt.bytes);
	}
}

static int do_list(const struct rules_opts *o)
{
	struct xg_instance *ins = NULL;
	struct listed *ls;
	int n, got = 0, st = 0;

	if (o->nargs)
		return usage_error("unexpected argument '%s'", o->args[0]);
	n = pick(o, true, &ins);
	if (n < 0)
		return 1;
	ls = calloc(n, sizeof(*ls));
	if (!ls) {
		free(ins);
		return 1;
	}
	for (int i = 0; i < n; i++) {
		if (read_listed(&ins[i], &ls[got]))
			st = 1;
		else
			got++;
	}
	if (o->json)
		print_json(ls, got);
	else
		print_table(ls, got);
	for (int i = 0; i < got; i++) {
		xg_set_free(&ls[i].set);
		free(ls[i].hits);
	}
	free(ls);
	free(ins);
	return st;
}

/* ---- changes ---- */

static int change(const struct rules_opts *o,
		  int (*fn)(const struct rules_opts *, struct xg_policy *))
{
	struct xg_instance *ins = NULL;
	struct xg_policy p;
	int lock, st;

	if (xg_require_root("rules"))
		return 1;
	lock = xg_lock("rules");
	if (lock < 0)
		return 1;
	st = pick(o, false, &ins) < 0 ? 1 : 0;
	if (!st && xg_policy_open(&ins[0], &p))
		st = 1;
	if (!st) {
		st = fn(o, &p);
		xg_policy_close(&p);
	}
	free(ins);
	xg_unlock(lock);
	return st;
}

int cmd_rules(int argc, char **argv)
{
	struct rules_opts o;
	int st = parse_args(argc, argv, &o);

	if (st)
		return st == 1 ? 0 : st;
	if (!strcmp(o.verb, "list")) {
		if (xg_require_root("rules"))
			return 1;
		return do_list(&o);
	}
	if (o.json)
		return usage_error("%s", "--json goes with list");
	if (o.has_vlan && strcmp(o.verb, "add") && strcmp(o.verb, "del"))
		return usage_error("%s", "--vlan goes with add and del");
	if (!strcmp(o.verb, "add"))
		return change(&o, do_add);
	if (!strcmp(o.verb, "del"))
		return change(&o, do_del);
	if (!strcmp(o.verb, "flush"))
		return change(&o, do_flush);
	if (!strcmp(o.verb, "default"))
		return change(&o, do_default);
	return usage_error("unknown rules command '%s' (add, del, list, flush, default)",
			   o.verb);
}
