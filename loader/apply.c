// SPDX-License-Identifier: GPL-2.0
/* xdpgate apply FILE [--dry-run]: make each interface the file names hold
 * exactly the file's rules and default. Everything is checked first (the
 * file, its devices, that xdpgate runs on each interface); then each
 * interface's new set is built beside the live one and switched in with
 * one store. An interface whose set already matches is left alone, so
 * applying the same file twice changes nothing. Interfaces the file does
 * not name keep their rules.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "commands.h"
#include "log.h"
#include "policy.h"
#include "rulefile.h"
#include "util.h"

/* A rule file larger than this is surely not one. */
#define XG_RULEFILE_MAX (1UL << 30)

static const char apply_usage[] =
	"usage: xdpgate apply FILE [--dry-run]\n"
	"\n"
	"Make every interface FILE names hold exactly FILE's rules and default\n"
	"action (see README: rule file). Nothing changes unless the whole file\n"
	"is valid; each interface switches to its new set at once.\n"
	"  --dry-run   print what would change, change nothing\n";

struct target {
	struct xg_rf_iface *want;
	struct xg_instance in;
	struct xg_policy pol;
	bool open;
	struct xg_rule_set live;
	size_t added, removed, changed;
	bool dflt_changed;
};

static char *read_file(const char *path, size_t *len)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	size_t cap = 1 << 16, n = 0;
	char *buf = NULL;

	if (!f) {
		xg_err("apply: cannot open %s: %s", path, strerror(errno));
		return NULL;
	}
	for (;;) {
		char *tmp;
		size_t got;

		if (n + 1 >= cap || !buf) {
			if (buf)
				cap *= 2;
			if (cap > XG_RULEFILE_MAX) {
				xg_err("apply: %s: larger than %lu bytes", path,
				       XG_RULEFILE_MAX);
				break;
			}
			tmp = realloc(buf, cap);
			if (!tmp) {
				xg_err("apply: %s: out of memory", path);
				break;
			}
			buf = tmp;
		}
		got = fread(buf + n, 1, cap - n - 1, f);
		n += got;
		if (got)
			continue;
		if (ferror(f)) {
			xg_err("apply: cannot read %s: %s", path, strerror(errno));
			break;
		}
		if (f != stdin)
			fclose(f);
		*len = n;
		return buf;
	}
	free(buf);
	if (f != stdin)
		fclose(f);
	return NULL;
}

/* Count the differences between the live set and the wanted one, and
 * print them when asked. Both sorted.
 */
static void diff(struct target *t, bool print)
{
	const struct xg_rule_set *want = &t->want->set, *live = &t->live;
	char a[256], b[256];
	size_t i = 0, j = 0;

	t->dflt_changed = want->dflt != live->dflt;
	if (print && t->dflt_changed)
		printf("%s: default %s -> %s\n", t->in.ifname,
		       xg_pol_action_name(live->dflt), xg_pol_action_name(want->dflt));
	while (i < want->n || j < live->n) {
		int c = i >= want->n ? 1 : j >= live->n ? -1 :
			xg_rule_cmp(&want->r[i], &live->r[j]);

		if (c < 0) {
			t->added++;
			if (print)
				printf("%s: + %s\n", t->in.ifname,
				       xg_rule_text(&want->r[i], a, sizeof(a)));
			i++;
		} else if (c > 0) {
			t->removed++;
			if (print)
				printf("%s: - %s\n", t->in.ifname,
				       xg_rule_text(&live->r[j], a, sizeof(a)));
			j++;
		} else {
			if (!xg_rule_same(&want->r[i], &live->r[j])) {
				t->changed++;
				if (print)
					printf("%s: ~ %s -> %s\n", t->in.ifname,
					       xg_rule_text(&live->r[j], a, sizeof(a)),
					       xg_rule_text(&want->r[i], b, sizeof(b)));
			}
			i++;
			j++;
		}
	}
}

static bool unchanged(const struct target *t)
{
	return !t->added && !t->removed && !t->changed && !t->dflt_changed;
}

/* Everything that can fail before a change: the device, xdpgate on it,
 * its maps, its live set.
 */
static int prepare(struct target *t)
{
	struct xg_instance *ins = NULL;
	int n;

	if (!if_nametoindex(t->want->name)) {
		xg_err("apply: line %d: no such interface '%s'", t->want->line,
		       t->want->name);
		return -1;
	}
	{
		char *names[1] = { t->want->name };

		n = xg_find_instances(names, 1, &ins);
	}
	if (n <= 0) {
		xg_err("apply: line %d: interface %s: xdpgate is not attached "
		       "there (xdpgate attach %s)", t->want->line, t->want->name,
		       t->want->name);
		free(ins);
		return -1;
	}
	t->in = ins[0];
	free(ins);
	if (xg_policy_open(&t->in, &t->pol))
		return -1;
	t->open = true;
	if (xg_policy_read(&t->pol, &t->live))
		return -1;
	xg_set_sort(&t->want->set);
	return 0;
}

static int run(struct xg_rulefile *f, bool dry_run)
{
	struct target *ts = calloc(f->n ? f->n : 1, sizeof(*ts));
	int st = 0;

	if (!ts)
		return 1;
	for (size_t i = 0; i < f->n && !st; i++) {
		ts[i].want = &f->ifs[i];
		if (prepare(&ts[i]))
			st = 1;
	}
	for (size_t i = 0; i < f->n && !st; i++) {
		diff(&ts[i], dry_run);
		if (unchanged(&ts[i])) {
			printf("%s%s: unchanged (%zu rules, default %s)\n",
			       dry_run ? "" : "xdpgate: ", ts[i].in.ifname,
			       ts[i].live.n, xg_pol_action_name(ts[i].live.dflt));
			continue;
		}
		if (dry_run)
			continue;
		if (xg_policy_swap(&ts[i].pol, &ts[i].want->set)) {
			xg_err("apply: interface %s: not applied%s", ts[i].in.ifname,
			       i ? " (the interfaces before it were)" : "");
			st = 1;
			break;
		}
		printf("xdpgate: %s: applied %zu rules, default %s: %zu added, "
		       "%zu removed, %zu changed%s (generation %u)\n",
		       ts[i].in.ifname, ts[i].want->set.n,
		       xg_pol_action_name(ts[i].want->set.dflt), ts[i].added,
		       ts[i].removed, ts[i].changed,
		       ts[i].dflt_changed ? ", default changed" : "",
		       xg_policy_gen(&ts[i].pol));
	}
	for (size_t i = 0; i < f->n; i++) {
		if (ts[i].open)
			xg_policy_close(&ts[i].pol);
		xg_set_free(&ts[i].live);
	}
	free(ts);
	return st;
}

int cmd_apply(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dry-run", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	struct xg_rulefile f;
	char err[XG_ERR_LEN], *text;
	bool dry_run = false;
	size_t len = 0;
	int c, lock, st;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'n') {
			dry_run = true;
		} else if (c == 'h') {
			fputs(apply_usage, stdout);
			return 0;
		} else {
			xg_bad_option("apply", argv);
			fputs(apply_usage, stderr);
			return 2;
		}
	}
	if (optind != argc - 1) {
		xg_err(optind >= argc ? "apply: no file given" :
		       "apply: exactly one file expected");
		fputs(apply_usage, stderr);
		return 2;
	}
	if (xg_require_root("apply"))
		return 1;
	text = read_file(argv[optind], &len);
	if (!text)
		return 1;
	st = xg_rulefile_parse(text, len, &f, err, sizeof(err));
	free(text);
	if (!st && (st = xg_rulefile_resolve(&f, NULL, err, sizeof(err))))
		xg_rulefile_free(&f);
	if (st) {
		xg_err("apply: %s: %s; nothing applied", argv[optind], err);
		return 1;
	}
	lock = xg_lock("apply");
	if (lock < 0) {
		xg_rulefile_free(&f);
		return 1;
	}
	st = run(&f, dry_run);
	xg_unlock(lock);
	xg_rulefile_free(&f);
	return st;
}
